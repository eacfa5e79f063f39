# The Debian packages (debian/): built from a copy of the tree, checked,
# installed in a throw-away root, used and purged.  debian/ goes into the
# release tarball, so that the packages can be built from it too.
debian_tests = tests/test-debian-packages.sh
TESTS += $(debian_tests)
EXTRA_DIST += $(debian_tests) debian
# What a package build in this tree leaves in debian/ is not source.
dist-hook: dist-debian-products
dist-debian-products:
	chmod -R u+w '$(distdir)/debian'
	cd '$(distdir)/debian' && rm -rf tmp .debhelper thermos-dispatch \
	  thermos-dispatch-dev files debhelper-build-stamp *.substvars \
	  *.debhelper.log
.PHONY: dist-debian-products
