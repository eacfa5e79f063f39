# A crash names its culprit and does not loop (issue 13): the crasher test
# plugin, built like those of tests/plugins.mk (which defines
# check_LTLIBRARIES and the flags); the crash line and exit status of each
# signal, the crash record of `watch` with state_dir, --trace and
# slow_callback.
check_LTLIBRARIES += tests/plugins/crasher.la
tests_plugins_crasher_la_SOURCES = tests/plugins/crasher.c
# No null-pointer check of the sanitizer build: the SEGV is the point.
tests_plugins_crasher_la_CFLAGS = $(td_test_plugin_cflags) -pthread -fno-sanitize=null
tests_plugins_crasher_la_LDFLAGS = $(td_test_plugin_ldflags) -pthread

crash_tests = \
	tests/test-crash-signals.sh \
	tests/test-crash-loop.sh \
	tests/test-crash-trace.sh
TESTS += $(crash_tests)
EXTRA_DIST += $(crash_tests) tests/crash-lib.sh
