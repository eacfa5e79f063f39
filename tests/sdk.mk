# The plugin SDK: `make install` into a staging directory, the example
# plugin (docs/examples) built out of tree against what was installed, and
# run through the host.
sdk_tests = tests/test-sdk-install.sh
TESTS += $(sdk_tests)
EXTRA_DIST += $(sdk_tests) tests/sdk-lib.sh
