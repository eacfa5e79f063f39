# End-to-end tests of the bundled metrics plugin (plugins/metrics): the real
# binary loads the module as built, from plugins/metrics/.libs (copied into
# a private directory), with the recorder's and the follow tests' tools
# (tests/plugins.mk, tests/follow.mk).  Prometheus's own tools check the
# exposition: promtool, and a prometheus server on loopback (Debian package
# prometheus; under CI=true a missing one is a failure, elsewhere a skip).
# Shared helpers in tests/metrics-lib.sh.
AM_TESTS_ENVIRONMENT += \
	TD_METRICS_LIBS='$(abs_top_builddir)/plugins/metrics/.libs'; \
	export TD_METRICS_LIBS;

metrics_tests = \
	tests/test-metrics-values.sh \
	tests/test-metrics-promtool.sh \
	tests/test-metrics-prometheus.sh \
	tests/test-metrics-textfile.sh \
	tests/test-metrics-symlink.sh \
	tests/test-metrics-slow-clients.sh \
	tests/test-metrics-check.sh
TESTS += $(metrics_tests)
# Slow HTTP clients from loopback addresses (tests/test-metrics-slow-clients.sh).
check_PROGRAMS += tests/tools/http-trickle
tests_tools_http_trickle_SOURCES = tests/tools/http-trickle.c
EXTRA_DIST += $(metrics_tests) tests/metrics-lib.sh
