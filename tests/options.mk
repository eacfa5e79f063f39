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

# The declared options in one form, and the checks of options_ex, on tables
# made in the test.
if HAVE_CMOCKA
check_PROGRAMS += tests/test-options
TESTS += tests/test-options
endif
tests_test_options_SOURCES = tests/test-options.c
tests_test_options_CFLAGS = $(td_unit_cflags)
tests_test_options_LDADD = host/plugin/libtdplugins.la \
	host/config/libtdconfig.la $(td_unit_ldadd) $(LTDL_LIBS)
