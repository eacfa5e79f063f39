#!/bin/sh
# Installs the build and test dependencies that are missing (Debian 12
# packages, with apt-get), then configures, builds thermos-dispatch in place
# and installs it (by default under /usr/local), so that the built-in
# configuration finds the bundled plugins.  Arguments are passed to
# ./configure (for example --enable-sanitizers); without arguments an
# existing configuration is kept.
set -e
cd "$(dirname "$0")"

PACKAGES="gcc make autoconf automake libtool pkg-config libglib2.0-dev
  libthrift-c-glib-dev thrift-compiler libinih-dev libltdl-dev libcmocka-dev
  libjson-glib-dev jq util-linux libmicrohttpd-dev libsystemd-dev prometheus
  clang libclang-rt-14-dev valgrind strace chromium nodejs
  dpkg-dev debhelper fakeroot lintian debootstrap"
# npm: Debian's package, unless the installed node brings its own (as
# NodeSource's nodejs does, which conflicts with Debian's npm).
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

missing=
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing="$missing $p"
  fi
done
if [ -n "$missing" ]; then
  echo "setup: installing:$missing"
  sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

# The browser test's node modules (tests/browser/package-lock.json), again
# only when the lock file changed since the last install.
if [ ! -f tests/browser/node_modules/.package-lock.json ] ||
   [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  echo "setup: npm ci in tests/browser"
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
fi

[ -x configure ] || ./autogen.sh
if [ $# -gt 0 ] || [ ! -f Makefile ]; then
  ./configure -q "$@"
fi
make -j"$(nproc)" >/dev/null
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo make install >/dev/null
echo "setup: built and installed thermos-dispatch"
