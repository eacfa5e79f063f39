# Tests of the plugin host: test plugins (libtool modules, built for
# `make check` only, never installed), the ABI layout unit test, and
# end-to-end runs of the binary with those plugins.
#
# A module that is not installed needs an -rpath to be built as a shared
# object; /nowhere is never used.  The bad plugins are built like good ones
# (no -no-undefined: two of them must keep an unresolved symbol).
check_LTLIBRARIES =
td_test_plugin_cflags = $(AM_CFLAGS) -fvisibility=hidden
td_test_plugin_ldflags = -module -avoid-version -shared -rpath /nowhere \
	$(AM_LDFLAGS)

check_LTLIBRARIES += tests/plugins/recorder.la
tests_plugins_recorder_la_SOURCES = tests/plugins/recorder.c
tests_plugins_recorder_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_recorder_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/undefined_function.la
tests_plugins_undefined_function_la_SOURCES = tests/plugins/undefined_function.c
tests_plugins_undefined_function_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_undefined_function_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/undefined_variable.la
tests_plugins_undefined_variable_la_SOURCES = tests/plugins/undefined_variable.c
tests_plugins_undefined_variable_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_undefined_variable_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/no_entry.la
tests_plugins_no_entry_la_SOURCES = tests/plugins/no_entry.c
tests_plugins_no_entry_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_no_entry_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/marker.la
tests_plugins_marker_la_SOURCES = tests/plugins/marker.c
tests_plugins_marker_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_marker_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/null_entry.la
tests_plugins_null_entry_la_SOURCES = tests/plugins/null_entry.c
tests_plugins_null_entry_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_null_entry_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/abi_two.la
tests_plugins_abi_two_la_SOURCES = tests/plugins/abi_two.c
tests_plugins_abi_two_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_abi_two_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/small_table.la
tests_plugins_small_table_la_SOURCES = tests/plugins/small_table.c
tests_plugins_small_table_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_small_table_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/empty_name.la
tests_plugins_empty_name_la_SOURCES = tests/plugins/empty_name.c
tests_plugins_empty_name_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_empty_name_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/init_fails.la
tests_plugins_init_fails_la_SOURCES = tests/plugins/init_fails.c
tests_plugins_init_fails_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_init_fails_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/config_error.la
tests_plugins_config_error_la_SOURCES = tests/plugins/config_error.c
tests_plugins_config_error_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_config_error_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/newer_minor.la
tests_plugins_newer_minor_la_SOURCES = tests/plugins/newer_minor.c
tests_plugins_newer_minor_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_newer_minor_la_LDFLAGS = $(td_test_plugin_ldflags)

# ABI 1.1 (tests/test-abi-compat.sh, tests/test-plugin-source.sh,
# tests/test-plugin-refusals.sh): a plugin that needs a later minor, one
# declaring an option type of a later minor, one returning the reserved
# return codes, one checking that ev->source stays put.
check_LTLIBRARIES += tests/plugins/needs_minor.la
tests_plugins_needs_minor_la_SOURCES = tests/plugins/needs_minor.c
tests_plugins_needs_minor_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_needs_minor_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/unknown_type.la
tests_plugins_unknown_type_la_SOURCES = tests/plugins/unknown_type.c
tests_plugins_unknown_type_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_unknown_type_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/returns.la
tests_plugins_returns_la_SOURCES = tests/plugins/returns.c
tests_plugins_returns_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_returns_la_LDFLAGS = $(td_test_plugin_ldflags)

check_LTLIBRARIES += tests/plugins/source_keeper.la
tests_plugins_source_keeper_la_SOURCES = tests/plugins/source_keeper.c
tests_plugins_source_keeper_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_source_keeper_la_LDFLAGS = $(td_test_plugin_ldflags)

# A plugin compiled before 1.1: the recorder built against the frozen 1.0
# header, tests/abi/1.0 first on the include path (ahead of include/).
check_LTLIBRARIES += tests/plugins/recorder_1_0.la
tests_plugins_recorder_1_0_la_SOURCES = tests/plugins/recorder_1_0.c \
	tests/abi/1.0/thermos/handler.h
tests_plugins_recorder_1_0_la_CPPFLAGS = -I$(top_srcdir)/tests/abi/1.0 \
	$(AM_CPPFLAGS)
tests_plugins_recorder_1_0_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_recorder_1_0_la_LDFLAGS = $(td_test_plugin_ldflags)

# The loader's housekeeping: refused modules are unmapped again.
if HAVE_CMOCKA
check_PROGRAMS += tests/test-loader
TESTS += tests/test-loader
endif
tests_test_loader_SOURCES = tests/test-loader.c
tests_test_loader_CFLAGS = $(td_unit_cflags)
tests_test_loader_LDADD = host/plugin/libtdplugins.la $(td_unit_ldadd) \
	$(LTDL_LIBS)

# Every member's offset and every constant of <thermos/handler.h>, pinned.
if HAVE_CMOCKA
check_PROGRAMS += tests/test-abi-layout
TESTS += tests/test-abi-layout
endif
tests_test_abi_layout_SOURCES = tests/test-abi-layout.c tests/abi/abi-members.h
tests_test_abi_layout_CFLAGS = $(td_unit_cflags)
tests_test_abi_layout_LDADD = tests/abi/liblayout-1-0.la $(td_unit_ldadd)
# The offsets and sizes of the frozen 1.0 header, computed in a unit of
# their own (both headers define the same names), for test-abi-layout to
# compare with the current header's on any platform.
check_LTLIBRARIES += tests/abi/liblayout-1-0.la
tests_abi_liblayout_1_0_la_SOURCES = tests/abi/layout-1.0.c \
	tests/abi/abi-members.h tests/abi/1.0/thermos/handler.h
tests_abi_liblayout_1_0_la_CPPFLAGS = -I$(top_srcdir)/tests/abi/1.0 \
	$(AM_CPPFLAGS)

# The race test's link swapper (tests/test-plugin-race.sh).
check_PROGRAMS += tests/tools/swap-link
tests_tools_swap_link_SOURCES = tests/tools/swap-link.c

# The shell tests find the modules in tests/plugins/.libs (TD_PLUGIN_LIBS)
# and may build an out-of-tree plugin with the configured compiler.
AM_TESTS_ENVIRONMENT += \
	TD_PLUGIN_LIBS='$(abs_top_builddir)/tests/plugins/.libs'; \
	TD_CC='$(CC)'; export TD_PLUGIN_LIBS TD_CC;

td_plugin_tests = \
	tests/test-plugin-dispatch.sh \
	tests/test-plugin-errors.sh \
	tests/test-plugin-on-error.sh \
	tests/test-plugin-refusals.sh \
	tests/test-plugin-perms.sh \
	tests/test-plugin-race.sh \
	tests/test-plugin-header.sh \
	tests/test-abi-compat.sh \
	tests/test-plugin-source.sh \
	tests/test-config-errors.sh \
	tests/test-config-ranges.sh \
	tests/test-config-file.sh \
	tests/test-config-instances.sh
TESTS += $(td_plugin_tests)
EXTRA_DIST += $(td_plugin_tests)
EXTRA_DIST += tests/plugins/plugin-lib.sh
