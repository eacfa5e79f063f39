#!/bin/sh
# The plugin test kit as a plugin author gets it: `make install` into a
# staging directory (DESTDIR, for the reasons test-sdk-install.sh gives),
# then the example plugin's unit tests (docs/examples/test_count_failures.c)
# built out of tree with `make check` against the installed
# <thermos/testkit.h>, libthermos-testkit and thermos-testkit.pc only, and
# run.  cmocka comes from this machine (its own .pc directory is added after
# the staged one).
#
# Without cmocka the test is skipped (exit 77), except under CI=true, where
# a missing cmocka fails it.
#
# Exit status: 0 passed, 1 a check failed, 77 skipped, 99 could not run.

LC_ALL=C
export LC_ALL
umask 022

test_name=test-sdk-testkit
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${THERMOS_DISPATCH:=$top_builddir/thermos-dispatch}"
TD=$THERMOS_DISPATCH

hard_error() {
	printf '%s: ERROR: %s\n' "$test_name" "$*"
	exit 99
}

[ -x "$TD" ] || hard_error "binary not found: $TD"
command -v pkg-config >/dev/null 2>&1 || hard_error "pkg-config not found"
# A sanitizer build installs a kit that only a sanitizer-built program can
# link; an author's test links the kit of a normal build, tested there.
if [ "${TD_SANITIZERS:-}" = yes ]; then
	printf '%s: SKIP: sanitizer build: the installed kit is tested in the normal build\n' \
		"$test_name"
	exit 77
fi
if ! pkg-config --exists cmocka; then
	if [ "${CI:-}" = true ]; then
		printf '%s: FAIL: cmocka.pc not found (CI=true: it must be installed)\n' \
			"$test_name"
		exit 1
	fi
	printf '%s: SKIP: cmocka.pc not found (install the Debian package libcmocka-dev)\n' \
		"$test_name"
	exit 77
fi
cmocka_pcdir=$(pkg-config --variable=pcfiledir cmocka)

. "$top_srcdir/tests/sdk-lib.sh"

# --- make install, staged ------------------------------------------------
stage=$tmp/stage
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$top_builddir" \
	install DESTDIR="$stage" >"$tmp/install.log" 2>&1; then
	tail -n 30 "$tmp/install.log"
	hard_error "make install DESTDIR=$stage failed"
fi

pcs=$(find "$stage" -name thermos-testkit.pc -type f)
check_eq "one thermos-testkit.pc installed" 1 "$(printf '%s\n' "$pcs" | grep -c .)"
pc=$(printf '%s\n' "$pcs" | head -n 1)
[ -f "$pc" ] || hard_error "no thermos-testkit.pc under $stage"
pcdir=$(dirname "$pc")
ok
[ -f "$pcdir/thermos-handler.pc" ] ||
	fail "thermos-handler.pc (which thermos-testkit.pc requires) not beside it"

# The staged .pc files first, then cmocka's directory: never a thermos .pc
# installed on this machine.
PKG_CONFIG_LIBDIR=$pcdir:$cmocka_pcdir
PKG_CONFIG_PATH=
PKG_CONFIG_SYSROOT_DIR=$stage
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR \
	PKG_CONFIG_ALLOW_SYSTEM_CFLAGS

version=$("$TD" --version | sed -n 's/^thermos-dispatch //p')
check_eq "pkg-config --modversion thermos-testkit" "$version" \
	"$(pkg-config --modversion thermos-testkit)"
libdir=$(staged "$(pkg-config --variable=libdir thermos-testkit)")
incdir=$(staged "$(pkg-config --variable=includedir thermos-testkit)")
libs=" $(pkg-config --libs thermos-testkit) "
ok
case $libs in
*" -L$libdir "*) ;;
*) fail "pkg-config --libs: no -L$libdir:$libs" ;;
esac
ok
case $libs in
*" -lthermos-testkit "*) ;;
*) fail "pkg-config --libs: no -lthermos-testkit:$libs" ;;
esac
ok
cmp -s "$incdir/thermos/testkit.h" "$top_srcdir/include/thermos/testkit.h" ||
	fail "installed header: $incdir/thermos/testkit.h missing or not the source's"
ok
[ -f "$libdir/libthermos-testkit.so.0" ] ||
	fail "no libthermos-testkit.so.0 in $libdir"
if command -v nm >/dev/null 2>&1 && [ -f "$libdir/libthermos-testkit.so.0" ]; then
	check_eq "symbols libthermos-testkit exports (only thermos_testkit_*)" "" \
		"$(nm -D --defined-only "$libdir/libthermos-testkit.so.0" |
			awk '$2 ~ /^[TDBRVW]$/ { print $NF }' | grep -v '^thermos_testkit_' |
			grep -v '^_' | sort -u | tr '\n' ' ')"
fi
ok
[ -n "$(find "$stage" -path '*/man/man3/thermos_testkit.3' -type f)" ] ||
	fail "manual page man3/thermos_testkit.3 not installed"

# The installed header compiles alone, as strict C99 and as C++.
printf '#include <thermos/testkit.h>\nint main(void) { thermos_testkit_free(thermos_testkit_new()); return 0; }\n' \
	>"$tmp/alone.c"
cc=${TD_CC:-cc}
if ! $cc -std=c99 -pedantic -Wall -Wextra -Werror $(pkg-config --cflags thermos-testkit) \
	-c "$tmp/alone.c" -o "$tmp/alone.o" >"$tmp/alone.log" 2>&1; then
	fail "<thermos/testkit.h> alone, as C99"
	cat "$tmp/alone.log"
fi
ok
if command -v c++ >/dev/null 2>&1; then
	cp "$tmp/alone.c" "$tmp/alone.cc"
	if ! c++ -pedantic -Wall -Wextra -Werror $(pkg-config --cflags thermos-testkit) \
		-c "$tmp/alone.cc" -o "$tmp/alone.o" >"$tmp/alone.log" 2>&1; then
		fail "<thermos/testkit.h> alone, as C++"
		cat "$tmp/alone.log"
	fi
	ok
fi

# --- the example's unit tests, built out of tree ----------------------------
ex=$tmp/example
cp -R "$top_srcdir/docs/examples" "$ex" || hard_error "cannot copy docs/examples"
chmod -R u+w "$ex"
rm -f "$ex/count_failures.so" "$ex/count_failures.d" "$ex/test_count_failures"
# Stale headers where a forgotten system copy would be found: they must
# lose to the -I that pkg-config gives.
mkdir -p "$tmp/stale/thermos"
printf '#error "a stale <thermos/testkit.h> was used"\n' \
	>"$tmp/stale/thermos/testkit.h"
printf '#error "a stale <thermos/handler.h> was used"\n' \
	>"$tmp/stale/thermos/handler.h"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL CPATH="$tmp/stale" \
	"${MAKE:-make}" -C "$ex" check >"$tmp/check.log" 2>&1
check_eq "make check of docs/examples: exit status" 0 "$?"
ok
grep -q '^\[  PASSED  \] 5 test(s)\.$' "$tmp/check.log" || {
	fail "make check of docs/examples: 5 tests passed"
	cat "$tmp/check.log"
}
ok
if grep -q 'warning:' "$tmp/check.log"; then
	fail "the example's test builds with warnings"
fi
# It runs the staged library, found through the run path the Makefile set.
if command -v ldd >/dev/null 2>&1; then
	check_eq "library the test runs" "$libdir/libthermos-testkit.so.0" \
		"$(ldd "$ex/test_count_failures" | awk '$1 == "libthermos-testkit.so.0" { print $3 }')"
fi

# A wrong expectation fails `make check`: the test can fail.
sed 's/2 failed, 1 lost of 2 processes/3 failed, 1 lost of 2 processes/' \
	"$ex/test_count_failures.c" >"$ex/t.c" && mv "$ex/t.c" "$ex/test_count_failures.c"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	"${MAKE:-make}" -C "$ex" check >"$tmp/check2.log" 2>&1
rc=$?
ok
[ "$rc" -ne 0 ] || fail "make check passed with a wrong expectation"
ok
grep -q '^\[  FAILED  \] test_summary$' "$tmp/check2.log" &&
	grep -q '^\[  FAILED  \] 1 test(s), listed below:$' "$tmp/check2.log" || {
	fail "with a wrong expectation: test_summary alone fails"
	cat "$tmp/check2.log"
}

if [ "$failures" -gt 0 ]; then
	printf '%s: %d of %d checks failed\n' "$test_name" "$failures" "$checks"
	exit 1
fi
printf '%s: %d checks passed\n' "$test_name" "$checks"
exit 0
