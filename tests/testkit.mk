# The plugin test kit (libthermos-testkit): its cmocka test, run against
# the binary and the recorder test plugin; and the example plugin's test,
# built out of tree against the staged install (tests/test-sdk-testkit.sh).
if HAVE_CMOCKA
check_PROGRAMS += tests/test-testkit
TESTS += tests/test-testkit
endif
tests_test_testkit_SOURCES = tests/test-testkit.c
tests_test_testkit_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(CMOCKA_CFLAGS)
tests_test_testkit_LDADD = host/testkit/libthermos-testkit.la $(GLIB_LIBS) \
	$(CMOCKA_LIBS)
# It loads the recorder and config_error test plugins (check_LTLIBRARIES,
# built before any test) and runs the binary.

testkit_sdk_tests = tests/test-sdk-testkit.sh
TESTS += $(testkit_sdk_tests)
EXTRA_DIST += $(testkit_sdk_tests)
