# End-to-end tests of the bundled observer plugin (plugins/observer): the
# real binary loads the module as built, from plugins/observer/.libs
# (copied into a private directory), and serves the Aurora fixtures laid
# out as a checkpoint root.  Shared helpers in tests/observer-lib.sh (on
# top of tests/metrics-lib.sh's HTTP client and ports).
AM_TESTS_ENVIRONMENT += \
	TD_OBSERVER_LIBS='$(abs_top_builddir)/plugins/observer/.libs'; \
	export TD_OBSERVER_LIBS;

observer_tests = tests/test-observer-json.sh
TESTS += $(observer_tests)
EXTRA_DIST += $(observer_tests) tests/observer-lib.sh

# The model alone (cmocka): it compiles the plugin's source itself, as the
# module's symbols are hidden.
if HAVE_CMOCKA
check_PROGRAMS += tests/test-observer-model
TESTS += tests/test-observer-model
endif
tests_test_observer_model_SOURCES = tests/test-observer-model.c \
	plugins/observer/observer_model.c plugins/observer/observer_model.h
tests_test_observer_model_CFLAGS = $(td_unit_cflags) \
	-I$(top_srcdir)/plugins/observer
tests_test_observer_model_LDADD = $(GLIB_LIBS) $(CMOCKA_LIBS)
