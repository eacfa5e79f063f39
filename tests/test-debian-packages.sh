#!/bin/sh
# The Debian packages as an operator gets them: debian/ built with
# dpkg-buildpackage from a clean copy of the source tree (`make distdir`
# into a temporary directory: never in the checkout, and what the working
# tree holds, committed or not), their file lists and conffiles checked,
# lintian run on them, then installed with `apt-get install ./*.deb`
# (dependencies resolved from the archive) and used: `check`, a `replay` of
# a fixture, the example plugin built out of tree against the installed
# -dev package and loaded with -p; then purged, and nothing may be left.
#
# Where they are installed: in a throw-away Debian 12 root (debootstrap,
# minbase, from the mirror the machine's apt sources name), entered with
# chroot, with /proc mounted and unmounted on exit.  Installing on the
# machine itself would put a unit, a conffile and /var/lib state on the
# developer's or CI's machine and could meet a thermos-dispatch installed
# there (setup.sh's, under /usr/local); the root starts from nothing,
# which is also what proves the packages' dependencies are complete.
# The root, with the compiler and the host's libraries already in it, is
# kept as a tarball in a cache outside the checkout
# (TD_DEB_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/thermos-dispatch-tests):
# later runs unpack it in seconds instead of bootstrapping for a minute.
#
# Skipped (77) when dpkg-buildpackage, debhelper, lintian or debootstrap is
# missing or the test is not run as root (chroot and apt-get need it),
# except under CI=true, where that is a failure; skipped in a sanitizer
# build (the normal build tests the packages; CI builds both) and inside a
# package build (debian/rules sets TD_PACKAGE_BUILD).
#
# Exit status: 0 passed, 1 a check failed, 77 skipped, 99 the test could
# not run.

LC_ALL=C
export LC_ALL
umask 022

test_name=test-debian-packages
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
FIX=$top_srcdir/tests/fixtures/aurora
start=$(date +%s)

hard_error() {
	printf '%s: ERROR: %s\n' "$test_name" "$*"
	exit 99
}
skip() {
	printf '%s: SKIP: %s\n' "$test_name" "$*"
	exit 77
}
# need WHAT HOW: a missing requirement skips, or fails under CI=true.
need() {
	if [ "${CI:-}" = true ]; then
		printf '%s: FAIL: %s (CI=true: %s)\n' "$test_name" "$1" "$2"
		exit 1
	fi
	skip "$1 ($2)"
}

[ "${TD_PACKAGE_BUILD:-}" = yes ] && skip "inside a package build"
[ "${TD_SANITIZERS:-}" = yes ] &&
	skip "sanitizer build: the packages are tested in the normal build"
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian \
	debootstrap:debootstrap; do
	command -v "${tool%%:*}" >/dev/null 2>&1 ||
		need "${tool%%:*} not found" "install the Debian package ${tool#*:}; setup.sh does"
done
[ "$(id -u)" -eq 0 ] || need "not root" "chroot and apt-get need root"

version=$(awk -F'[][]' '/^AC_INIT/ { print $4; exit }' "$top_srcdir/configure.ac")
[ -n "$version" ] || hard_error "no version in configure.ac's AC_INIT"
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH) || hard_error "dpkg-architecture failed"
arch=$(dpkg-architecture -qDEB_HOST_ARCH) || hard_error "dpkg-architecture failed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-deb.XXXXXX") || hard_error "mktemp -d failed"
root=$tmp/root
cleanup() {
	if [ -d "$root/proc" ] && mountpoint -q "$root/proc"; then
		umount "$root/proc" || umount -l "$root/proc"
	fi
	# Never follow anything out of the root while removing it.
	mountpoint -q "$root/proc" 2>/dev/null || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

failures=0
checks=0
fail() {
	failures=$((failures + 1))
	printf '%s: FAIL: %s\n' "$test_name" "$*"
}
# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	checks=$((checks + 1))
	if [ "$2" != "$3" ]; then
		fail "$1"
		printf '  expected:\n%s\n  actual:\n%s\n' "$2" "$3" | sed '1!s/^/    /'
	fi
}
# phase NAME: prints how long the test has run, so slow steps show.
phase() {
	printf '%s: %4ds %s\n' "$test_name" $(($(date +%s) - start)) "$1"
}
# in_root CMD...: CMD in the throw-away root, with a clean environment.
in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

# The changelog's version is the package's: it must be configure.ac's.
check_eq "debian/changelog version is configure.ac's AC_INIT version" "$version" \
	"$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)"

# --- build --------------------------------------------------------------
phase "source tree (make distdir)"
src=$tmp/build/thermos-dispatch-$version
mkdir -p "$tmp/build" || hard_error "mkdir $tmp/build failed"
# The outer make's flags (jobserver, TESTS=...) are not for these makes.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -C "$top_builddir" distdir distdir="$src" >"$tmp/distdir.log" 2>&1 ||
	{ cat "$tmp/distdir.log"; hard_error "make distdir failed"; }
[ -f "$src/debian/rules" ] || hard_error "make distdir left out debian/"

phase "dpkg-buildpackage -us -uc -b"
if ! (cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u top_srcdir \
	-u top_builddir -u THERMOS_DISPATCH -u TD_SANITIZERS \
	DEB_BUILD_OPTIONS="nocheck parallel=2" \
	dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -40 "$tmp/build.log"
	fail "dpkg-buildpackage failed"
	exit 1
fi
deb=$tmp/build/thermos-dispatch_${version}_$arch.deb
devdeb=$tmp/build/thermos-dispatch-dev_${version}_$arch.deb
changes=$tmp/build/thermos-dispatch_${version}_$arch.changes
for f in "$deb" "$devdeb" "$changes"; do
	[ -f "$f" ] || hard_error "not built: ${f##*/}"
done

# --- what the packages hold -----------------------------------------------
# files DEB: its regular files and symbolic links, one a line, sorted.
files() {
	dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort
}
check_eq "thermos-dispatch: files" "/etc/thermos-dispatch.ini
/lib/systemd/system/thermos-dispatch.service
/usr/bin/thermos-dispatch
/usr/lib/$ma/thermos-dispatch/logger.so
/usr/lib/$ma/thermos-dispatch/metrics.so
/usr/lib/$ma/thermos-dispatch/observer.so
/usr/share/doc/thermos-dispatch/README.Debian
/usr/share/doc/thermos-dispatch/changelog.gz
/usr/share/doc/thermos-dispatch/copyright
/usr/share/man/man1/thermos-dispatch.1.gz
/usr/share/man/man5/thermos-dispatch-logger.5.gz
/usr/share/man/man5/thermos-dispatch-metrics.5.gz
/usr/share/man/man5/thermos-dispatch-observer.5.gz
/usr/share/man/man5/thermos-dispatch.ini.5.gz" "$(files "$deb")"

# The plugin test kit, when the tree has it.
kit=
if [ -f "$top_srcdir/include/thermos/testkit.h" ]; then
	kit="
/usr/include/thermos/testkit.h
/usr/lib/$ma/libthermos-testkit.so
/usr/lib/$ma/libthermos-testkit.so.0
/usr/lib/$ma/libthermos-testkit.so.0.0.0
/usr/lib/$ma/pkgconfig/thermos-testkit.pc
/usr/share/man/man3/thermos_testkit.3.gz"
fi
check_eq "thermos-dispatch-dev: files" "$(printf '%s\n' "/usr/include/thermos/handler.h
/usr/include/thermos/handler_data.h
/usr/include/thermos/handler_options.h
/usr/include/thermos/handler_states.h
/usr/include/thermos/handler_stats.h
/usr/lib/$ma/pkgconfig/thermos-handler.pc
/usr/share/doc/thermos-dispatch-dev/changelog.gz
/usr/share/doc/thermos-dispatch-dev/copyright
/usr/share/doc/thermos-dispatch-dev/examples/Makefile
/usr/share/doc/thermos-dispatch-dev/examples/count_failures.c
/usr/share/lintian/overrides/thermos-dispatch-dev
/usr/share/man/man3/thermos_handler.3.gz$kit" | sort)" "$(files "$devdeb")"

check_eq "thermos-dispatch: conffiles" "/etc/thermos-dispatch.ini" \
	"$(dpkg-deb -I "$deb" conffiles)"
check_eq "thermos-dispatch: version" "$version" "$(dpkg-deb -f "$deb" Version)"
check_eq "thermos-dispatch-dev: depends on the same version" \
	"thermos-dispatch (= $version)" "$(dpkg-deb -f "$devdeb" Depends | cut -d, -f1)"

# --- lintian --------------------------------------------------------------
phase "lintian"
lintian --pedantic "$changes" >"$tmp/lintian.out" 2>"$tmp/lintian.err"
lintian_rc=$?
check_eq "lintian: errors and warnings" "" \
	"$(grep -E '^[EW]: ' "$tmp/lintian.out")"
check_eq "lintian: exit status" 0 "$lintian_rc"

# --- a throw-away Debian 12 root ------------------------------------------
# The first deb822 URIs or one-line `deb` URL of the machine's apt sources.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources \
	2>/dev/null | awk '
	/^URIs:/ && $2 ~ /debian\/?$/ { print $2; exit }
	/^deb[ \t]/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:/) {
		if ($i ~ /debian\/?$/) { print $i; exit } break } }')
: "${mirror:=http://deb.debian.org/debian}"
# Already in the root: what the test builds the example with, and the
# host's libraries (apt-get still resolves the packages' dependencies).
include=gcc,libc6-dev,make,pkgconf,libglib2.0-0,libinih1,libjson-glib-1.0-0,libltdl7,libmicrohttpd12,libthrift-c-glib0
cache=${TD_DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/thermos-dispatch-tests}
key=$(printf '%s %s %s %s\n' bookworm "$arch" "$mirror" "$include" | md5sum | cut -c1-12)
tarball=$cache/bookworm-minbase-$arch-$key.tar.gz

mkdir -p "$root" || hard_error "mkdir $root failed"
if [ -f "$tarball" ]; then
	phase "root from the cache"
	tar -xzf "$tarball" -C "$root" || hard_error "cannot unpack $tarball"
else
	phase "debootstrap bookworm from $mirror"
	debootstrap --variant=minbase --include="$include" bookworm "$root" \
		"$mirror" >"$tmp/debootstrap.log" 2>&1 ||
		{ tail -20 "$tmp/debootstrap.log"; hard_error "debootstrap failed"; }
	in_root apt-get clean
	mkdir -p "$cache" &&
		tar -czf "$tarball.tmp.$$" -C "$root" . &&
		mv "$tarball.tmp.$$" "$tarball" ||
		{ rm -f "$tarball.tmp.$$"; printf '%s: note: root not cached\n' "$test_name"; }
fi
mount -t proc proc "$root/proc" || hard_error "cannot mount /proc in the root"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
mkdir -p "$root/tmp/debs" && cp "$deb" "$devdeb" "$root/tmp/debs/" ||
	hard_error "cannot copy the packages into the root"

phase "apt-get install ./*.deb"
# The root's sources: the mirror it was made from.
printf 'deb %s bookworm main\n' "$mirror" >"$root/etc/apt/sources.list"
in_root apt-get update -q >"$tmp/apt.log" 2>&1 ||
	{ tail -20 "$tmp/apt.log"; hard_error "apt-get update failed in the root"; }
if ! in_root sh -c 'cd /tmp/debs && apt-get install -y -q --no-install-recommends ./*.deb' \
	>>"$tmp/apt.log" 2>&1; then
	tail -30 "$tmp/apt.log"
	fail "apt-get install ./*.deb failed"
	exit 1
fi

# --- installed -----------------------------------------------------------
phase "the installed packages"
check_eq "state_dir made, root's alone" "700 root" \
	"$(in_root stat -c '%a %U' /var/lib/thermos-dispatch)"
check_eq "the unit runs the installed binary" \
	"ExecStart=/usr/bin/thermos-dispatch -c /etc/thermos-dispatch.ini watch /run/thermos" \
	"$(grep '^ExecStart=' "$root/lib/systemd/system/thermos-dispatch.service")"
check_eq "the unit is enabled" /lib/systemd/system/thermos-dispatch.service \
	"$(readlink "$root/etc/systemd/system/multi-user.target.wants/thermos-dispatch.service")"

# run WHAT CMD...: CMD in the root, stdout in $tmp/out, stderr in $tmp/err,
# status in $rc.
run() {
	what=$1
	shift
	in_root "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
run "check" thermos-dispatch check
check_eq "$what: exit status" 0 "$rc"
check_eq "$what: stdout" \
	"/etc/thermos-dispatch.ini: configuration ok, 2 plugin instances enabled" \
	"$(cat "$tmp/out")"
check_eq "$what: stderr" "" "$(cat "$tmp/err")"

run "plugins" thermos-dispatch plugins
check_eq "$what: exit status" 0 "$rc"
check_eq "$what: the bundled modules" "logger $version ABI /usr/lib/$ma/thermos-dispatch/logger.so
metrics $version ABI /usr/lib/$ma/thermos-dispatch/metrics.so
observer $version ABI /usr/lib/$ma/thermos-dispatch/observer.so" \
	"$(awk '$3 == "ABI" { print $1, $2, $3, $NF }' "$tmp/out")"

cp "$FIX/hello_world/runner" "$root/tmp/hello_world-runner" &&
	cp "$FIX/failure/runner" "$root/tmp/failure-runner" ||
	hard_error "cannot copy the fixtures into the root"
# The default configuration, but the metrics server, whose port may be in
# use on this machine (`check` above resolved its address).
run "replay with /etc/thermos-dispatch.ini" \
	thermos-dispatch -o metrics.enabled=no replay /tmp/hello_world-runner
check_eq "$what: exit status" 0 "$rc"
check_eq "$what: stdout" "- record 0: task ACTIVE
hello_world record 1: initialization task_id=hello_world user=wickman hostname=wickman-2.local sandbox=/tmp/thermos.kfezsG/sandbox
hello_world record 2: process echo WAITING seq=0
hello_world record 3: process echo FORKED seq=1 coordinator_pid=43478
hello_world record 4: process echo RUNNING seq=2 pid=43479
hello_world record 5: process echo SUCCESS seq=3 return_code=0
hello_world record 6: task SUCCESS" "$(cat "$tmp/out")"
check_eq "$what: stderr" "" "$(cat "$tmp/err")"

# --- the example plugin against the installed -dev package ----------------
phase "the example plugin"
# A copy in root's home: the host refuses a plugin in a directory others
# can write to (/tmp).
run "copy of the examples" cp -r /usr/share/doc/thermos-dispatch-dev/examples /root/example
check_eq "$what: exit status" 0 "$rc"
run "make -C /root/example" make -C /root/example
check_eq "$what: exit status" 0 "$rc"
[ "$rc" -eq 0 ] || cat "$tmp/out" "$tmp/err"
run "the example loaded with -p" thermos-dispatch -c /dev/null \
	-p /root/example/count_failures.so replay /tmp/failure-runner
check_eq "$what: exit status" 0 "$rc"
check_eq "$what: stdout" "" "$(cat "$tmp/out")"
check_eq "$what: stderr" \
	"thermos-dispatch: warning: count_failures: task failure: 3 failed, 0 lost of 3 processes (p2 failed 1, p3 failed 2)" \
	"$(cat "$tmp/err")"

# --- purge ----------------------------------------------------------------
phase "apt-get purge"
# A cursor the service would have written: purge removes the state too.
: >"$root/var/lib/thermos-dispatch/cursor-test" || hard_error "cannot write in state_dir"
run "apt-get purge" apt-get purge -y -q thermos-dispatch thermos-dispatch-dev
check_eq "$what: exit status" 0 "$rc"
[ "$rc" -eq 0 ] || cat "$tmp/out" "$tmp/err"
run "dpkg -S after purge" dpkg -S thermos-dispatch thermos_handler thermos/handler.h
check_eq "$what: nothing of the packages" "" "$(cat "$tmp/out")"
for path in /usr/bin/thermos-dispatch "/usr/lib/$ma/thermos-dispatch" \
	/etc/thermos-dispatch.ini /var/lib/thermos-dispatch \
	/lib/systemd/system/thermos-dispatch.service \
	/etc/systemd/system/multi-user.target.wants/thermos-dispatch.service \
	/usr/include/thermos "/usr/lib/$ma/pkgconfig/thermos-handler.pc" \
	/usr/share/doc/thermos-dispatch /usr/share/doc/thermos-dispatch-dev; do
	check_eq "gone after purge: $path" "" "$(ls -d "$root$path" 2>/dev/null)"
done
check_eq "dpkg knows neither package after purge" "" \
	"$(in_root dpkg-query -W -f='${db:Status-Abbrev}${Package}\n' \
		thermos-dispatch thermos-dispatch-dev 2>/dev/null | grep -v '^un ')"

phase "done"
if [ "$failures" -gt 0 ]; then
	printf '%s: %d of %d checks failed\n' "$test_name" "$failures" "$checks"
	exit 1
fi
printf '%s: %d checks passed in %ds\n' "$test_name" "$checks" $(($(date +%s) - start))
exit 0
