# The host's own statistics and the plugin-facing members of ABI 1.1:
# test plugins (built for `make check` only, like those of
# tests/plugins.mk) and end-to-end tests of the binary with them.
#   stream_keeper  ev->stream_ctx, one slot per instance and stream
#   reasons        host->fail_reason, in the host's warning
#   host_info      host->truncate, host->host_version, host->abi_minor
#   appender       bytes left unread behind the host, at a tick
check_LTLIBRARIES += tests/plugins/stream_keeper.la
tests_plugins_stream_keeper_la_SOURCES = tests/plugins/stream_keeper.c
tests_plugins_stream_keeper_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_stream_keeper_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/reasons.la
tests_plugins_reasons_la_SOURCES = tests/plugins/reasons.c
tests_plugins_reasons_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_reasons_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/host_info.la
tests_plugins_host_info_la_SOURCES = tests/plugins/host_info.c
tests_plugins_host_info_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_host_info_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/appender.la
tests_plugins_appender_la_SOURCES = tests/plugins/appender.c
tests_plugins_appender_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_appender_la_LDFLAGS = $(td_test_plugin_ldflags)

td_selfmetrics_tests = \
	tests/test-plugin-stream-ctx.sh \
	tests/test-plugin-reasons.sh \
	tests/test-plugin-host-info.sh \
	tests/test-metrics-self.sh
TESTS += $(td_selfmetrics_tests)
EXTRA_DIST += $(td_selfmetrics_tests)
