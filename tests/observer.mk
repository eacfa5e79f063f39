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
