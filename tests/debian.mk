# The Debian packages (debian/): built from a copy of the tree, checked,
# installed in a throw-away root, used and purged.  debian/ goes into the
# release tarball, so that the packages can be built from it too.
debian_tests = tests/test-debian-packages.sh
TESTS += $(debian_tests)
EXTRA_DIST += $(debian_tests) debian
