# End-to-end tests of the binary: tests/test-*.sh run the real
# thermos-dispatch on the fixtures and on streams they make, and compare exit
# status, stderr lines and stdout (JSON parsed with jq).  Shared helpers in
# tests/e2e-lib.sh; the environment comes from tests/local.mk.
e2e_tests = \
	tests/test-cli-usage.sh \
	tests/test-input-errors.sh \
	tests/test-input-unreadable.sh \
	tests/test-state-aurora.sh \
	tests/test-state-generated.sh \
	tests/test-errors-generated.sh \
	tests/test-torn.sh \
	tests/test-malformed.sh \
	tests/test-dump-roundtrip.sh \
	tests/test-encode.sh \
	tests/test-chain-finalize.sh
TESTS += $(e2e_tests)
EXTRA_DIST += $(e2e_tests) tests/e2e-lib.sh tests/fixtures
