# The program, one folder per layer and one convenience library each.
# Dependencies point one way (tests/test-layers.sh checks every include):
#
#   cli -> isolate -> follow -> plugin -> config -> core;  format -> core
#   testkit (the installed plugin test kit) -> follow and what it uses
#
# A convenience library lists no other of them: the programs link the
# ones they need, dependents first (td_host_libs).
include host/core/local.mk
include host/format/local.mk
include host/config/local.mk
include host/plugin/local.mk
include host/follow/local.mk
include host/isolate/local.mk
include host/cli/local.mk
include host/testkit/local.mk
