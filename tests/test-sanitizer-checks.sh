#!/bin/sh
# The sanitizer build (`configure --enable-sanitizers`) checks what plain
# -fsanitize=undefined leaves out: a float-to-integer conversion out of
# range (-fsanitize=float-cast-overflow), the undefined behaviour a
# duration option of 1e300 seconds once caused.  A small program built with
# the project's flags converts 1e300 to an unsigned int: the build must stop
# it with a report.  Not applicable (77) in a build without sanitizers.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

if [ "${TD_SANITIZERS:-no}" != yes ]; then
	echo "$test_name: SKIP: not a sanitizer build"
	exit 77
fi
prog=$top_builddir/tests/tools/float-cast
what="float-cast 1e300"
newfile
"$prog" 1e300 >"$nf.out" 2>"$nf.err"
rc=$?
if [ "$rc" -ne 0 ] && grep -q "is outside the range of representable values" "$nf.err"; then
	ok
else
	fail "want a sanitizer report and a non-zero exit, got exit $rc:" "$(head -c 500 "$nf.err")"
fi
what="float-cast 1.5"
"$prog" 1.5 >"$nf.out" 2>"$nf.err"
rc=$?
check_rc 0
finish
