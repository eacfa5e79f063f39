# Tests of the live reload (SIGHUP in `tail` and `watch`): the real binary
# with the recorder test plugin, reloaded while a writer appends, to broken
# configurations, with instances changed, removed and added, and [host]
# keys that cannot change.  Helpers in tests/reload-lib.sh (over
# tests/follow-lib.sh).
#
# live_init_fails: a test plugin whose init succeeds in mode check only (an
# instance a reload's check accepts and whose start then fails).
check_LTLIBRARIES += tests/plugins/live_init_fails.la
tests_plugins_live_init_fails_la_SOURCES = tests/plugins/live_init_fails.c
tests_plugins_live_init_fails_la_CFLAGS = $(td_test_plugin_cflags)
tests_plugins_live_init_fails_la_LDFLAGS = $(td_test_plugin_ldflags)

# test-config-reload: units of what a reload takes from the configuration
# it replaces (cmocka).
if HAVE_CMOCKA
check_PROGRAMS += tests/test-config-reload
TESTS += tests/test-config-reload
endif
tests_test_config_reload_SOURCES = tests/test-config-reload.c
tests_test_config_reload_CFLAGS = $(td_unit_cflags)
tests_test_config_reload_LDADD = host/config/libtdconfig.la $(td_unit_ldadd)

reload_tests = \
	tests/test-reload-writes.sh \
	tests/test-reload-broken.sh \
	tests/test-reload-changes.sh \
	tests/test-reload-module.sh \
	tests/test-reload-host-keys.sh
TESTS += $(reload_tests)
EXTRA_DIST += $(reload_tests) tests/reload-lib.sh
