# `status`: Aurora's `thermos status` over checkpoint roots, end to end.
TESTS += tests/test-status.sh
EXTRA_DIST += tests/test-status.sh
