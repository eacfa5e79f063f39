# Isolated instances (isolation = process): the flaky test plugin, and the
# end-to-end tests of workers, restarts, timeouts, queues and users.
check_LTLIBRARIES += tests/plugins/flaky.la
tests_plugins_flaky_la_SOURCES = tests/plugins/flaky.c
# Its segfault is a real one: the sanitizer must not turn it into a report.
tests_plugins_flaky_la_CFLAGS = $(td_test_plugin_cflags) -fno-sanitize=null
tests_plugins_flaky_la_LDFLAGS = $(td_test_plugin_ldflags)

isolation_tests = \
	tests/test-isolation-same.sh \
	tests/test-isolation-restart.sh \
	tests/test-isolation-worker.sh \
	tests/test-isolation-config.sh \
	tests/test-reload-isolated.sh
TESTS += $(isolation_tests)
EXTRA_DIST += $(isolation_tests)
