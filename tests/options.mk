# Declared options of ABI 1.1 (options_ex, typed getters), plugin_path,
# -p with a section, and `plugins` listings.  The test plugins are built
# like those of tests/plugins.mk (check_LTLIBRARIES, never installed).
check_LTLIBRARIES += tests/plugins/typed_options.la
tests_plugins_typed_options_la_SOURCES = tests/plugins/typed_options.c
tests_plugins_typed_options_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_typed_options_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/options_ex_faults.la
tests_plugins_options_ex_faults_la_SOURCES = tests/plugins/options_ex_faults.c
tests_plugins_options_ex_faults_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_options_ex_faults_la_LDFLAGS = $(td_test_plugin_ldflags)

td_options_tests = \
	tests/test-options-typed.sh \
	tests/test-options-refusals.sh \
	tests/test-plugin-path.sh
TESTS += $(td_options_tests)
EXTRA_DIST += $(td_options_tests)

# The loader checks declared defaults with the configuration's parsers.
tests_test_loader_LDADD += host/config/libtdconfig.la $(td_core_libs)
