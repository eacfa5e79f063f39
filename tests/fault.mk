# Fault injection (issue 6): the host under a full and a read-only
# filesystem (the logger's output), a plugin that aborts and one that sleeps
# in a callback, inputs that are a directory, a FIFO, unreadable or a
# symlink loop, and the memory bounds of the decoder (a 4 GiB length
# prefix, a 64 MiB record of nested containers, a header with a 1M-entry
# ports map).  End-to-end, with the helpers of tests/e2e-lib.sh,
# tests/plugins/plugin-lib.sh and tests/follow-lib.sh.
#
# The two test plugins are built like those of tests/plugins.mk (which
# defines check_LTLIBRARIES and the flags).
check_LTLIBRARIES += tests/plugins/abort_plugin.la
tests_plugins_abort_plugin_la_SOURCES = tests/plugins/abort_plugin.c \
	tests/plugins/each_record.h
tests_plugins_abort_plugin_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_abort_plugin_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/sleep_plugin.la
tests_plugins_sleep_plugin_la_SOURCES = tests/plugins/sleep_plugin.c \
	tests/plugins/each_record.h
tests_plugins_sleep_plugin_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_sleep_plugin_la_LDFLAGS = $(td_test_plugin_ldflags)

fault_tests = \
	tests/test-fault-fullfs.sh \
	tests/test-fault-abort.sh \
	tests/test-fault-sleep.sh \
	tests/test-fault-inputs.sh \
	tests/test-fault-memory.sh \
	tests/test-fault-large.sh \
	tests/test-fault-processes.sh \
	tests/test-signals-early.sh \
	tests/test-sanitizer-checks.sh
TESTS += $(fault_tests)

# Built with the project's flags: in a sanitizer build, a conversion the
# sanitizers must catch (tests/test-sanitizer-checks.sh).
check_PROGRAMS += tests/tools/float-cast
tests_tools_float_cast_SOURCES = tests/tools/float-cast.c
EXTRA_DIST += $(fault_tests)

# docs/security.md (issue 6) is not installed; shipped in the tarball.
EXTRA_DIST += docs/security.md
