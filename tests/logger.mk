# End-to-end tests of the bundled logger plugin (plugins/logger): the real
# binary loads the module as built, from plugins/logger/.libs.  The
# environment comes from tests/local.mk, the helpers from tests/e2e-lib.sh.
logger_tests = \
	tests/test-logger-json.sh \
	tests/test-logger-text.sh \
	tests/test-logger-output.sh \
	tests/test-logger-reopen.sh \
	tests/test-logger-stuck.sh
TESTS += $(logger_tests)
EXTRA_DIST += $(logger_tests)
