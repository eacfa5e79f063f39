#!/bin/sh
# The SDK as a plugin author gets it: `make install` into a staging
# directory, the example plugin (docs/examples) built out of tree against
# the installed <thermos/handler.h> and thermos-handler.pc only, then run
# through the host.
#
# Why `make install DESTDIR=STAGE` and not `make install prefix=TMP`:
#  - DESTDIR is the only way to be sure nothing outside STAGE is written,
#    whatever directories configure was given: an absolute --libdir or
#    --includedir does not follow a prefix given at install time.
#  - thermos-handler.pc is written by configure, so it names the configured
#    prefix in both cases; pkg-config needs telling either way.
#    PKG_CONFIG_SYSROOT_DIR=STAGE is pkg-config's own way to use a staged
#    tree: it puts STAGE before the -I paths (and pkgconf before variables).
#  - `install` depends on `all`: anything remade during an install with
#    prefix=TMP would be built with TMP (the built-in plugin directory of
#    the binary, the -rpath of the plugins) and left so in the build tree.
# The host itself is run as built ($THERMOS_DISPATCH), with the staged
# plugin directory given by -o host.plugin_dir.
#
# Exit status: 0 passed, 1 a check failed, 99 the test could not run.

LC_ALL=C
export LC_ALL
umask 022 # the host refuses plugins in group- or other-writable places

test_name=test-sdk-install
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${THERMOS_DISPATCH:=$top_builddir/thermos-dispatch}"
: "${JQ:=jq}"
TD=$THERMOS_DISPATCH
FIX=$top_srcdir/tests/fixtures/aurora

hard_error() {
	printf '%s: ERROR: %s\n' "$test_name" "$*"
	exit 99
}

[ -x "$TD" ] || hard_error "binary not found: $TD"
command -v pkg-config >/dev/null 2>&1 || hard_error "pkg-config not found"
"$JQ" -n true >/dev/null 2>&1 || hard_error "jq not usable: $JQ"

. "$top_srcdir/tests/sdk-lib.sh"
# check_file_eq WHAT EXPECTED_TEXT FILE: the file's whole text.
check_file_eq() {
	ok
	printf '%s\n' "$2" >"$tmp/expected"
	if ! cmp -s "$tmp/expected" "$3"; then
		fail "$1"
		printf '  expected:\n'
		sed 's/^/    /' "$tmp/expected"
		printf '  actual:\n'
		sed 's/^/    /' "$3"
	fi
}
# td ARGS...: the host, stdout in $tmp/out, stderr in $tmp/err, status in $rc.
td() {
	what="thermos-dispatch $*"
	"$TD" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
check_rc() {
	check_eq "$what: exit status" "$1" "$rc"
	[ "$rc" = "$1" ] || sed 's/^/  stderr: /' "$tmp/err"
}

# --- make install, staged ------------------------------------------------
stage=$tmp/stage
# A fresh make: no jobserver, and no variable given to the outer `make
# check` (prefix=, DESTDIR=...) may leak into the install.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$top_builddir" \
	install DESTDIR="$stage" >"$tmp/install.log" 2>&1; then
	tail -n 30 "$tmp/install.log"
	hard_error "make install DESTDIR=$stage failed"
fi

pcs=$(find "$stage" -name thermos-handler.pc -type f)
check_eq "one thermos-handler.pc installed" 1 "$(printf '%s\n' "$pcs" | grep -c .)"
pc=$(printf '%s\n' "$pcs" | head -n 1)
[ -f "$pc" ] || hard_error "no thermos-handler.pc under $stage"

# Only the staged .pc: never one installed on this machine.
PKG_CONFIG_LIBDIR=$(dirname "$pc")
PKG_CONFIG_PATH=
PKG_CONFIG_SYSROOT_DIR=$stage
# Keep -I even if the configured includedir is a system one (/usr/include).
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR \
	PKG_CONFIG_ALLOW_SYSTEM_CFLAGS

version=$("$TD" --version | sed -n 's/^thermos-dispatch //p')
check_eq "pkg-config --modversion" "$version" \
	"$(pkg-config --modversion thermos-handler)"
header_major=$(sed -n 's/^#define THERMOS_HANDLER_ABI_MAJOR \([0-9]*\)$/\1/p' \
	"$top_srcdir/include/thermos/handler.h")
check_eq "abi_major variable" "$header_major" \
	"$(pkg-config --variable=abi_major thermos-handler)"
check_eq "ABI major of the header" 1 "$header_major"
header_minor=$(sed -n 's/^#define THERMOS_HANDLER_ABI_MINOR \([0-9]*\)$/\1/p' \
	"$top_srcdir/include/thermos/handler.h")
check_eq "abi_minor variable" "$header_minor" \
	"$(pkg-config --variable=abi_minor thermos-handler)"
check_eq "ABI minor of the header" 1 "$header_minor"

incdir=$(staged "$(pkg-config --variable=includedir thermos-handler)")
ok
cmp -s "$incdir/thermos/handler.h" "$top_srcdir/include/thermos/handler.h" ||
	fail "installed header: $incdir/thermos/handler.h missing or not the source's"
ok
case " $(pkg-config --cflags thermos-handler) " in
*" -I$incdir "*) ;;
*) fail "pkg-config --cflags: no -I$incdir: $(pkg-config --cflags thermos-handler)" ;;
esac

plugindir=$(staged "$(pkg-config --variable=plugindir thermos-handler)")
ok
[ -f "$plugindir/logger.so" ] || fail "no logger.so in plugindir $plugindir"
check_eq "libtool archives left in plugindir" "" \
	"$(cd "$plugindir" 2>/dev/null && ls ./*.la 2>/dev/null)"
staged_td=$(find "$stage" -path '*/bin/thermos-dispatch' -type f)
ok
[ -n "$staged_td" ] && [ -x "$staged_td" ] || fail "no bin/thermos-dispatch installed"
for page in man1/thermos-dispatch.1 man5/thermos-dispatch.ini.5 \
	man3/thermos_handler.3; do
	ok
	[ -n "$(find "$stage" -path "*/man/$page" -type f)" ] ||
		fail "manual page $page not installed"
done

# --- the bundled plugin, as `plugins` lists it ----------------------------
printf '[host]\n' >"$tmp/empty.ini"
td -c "$tmp/empty.ini" -o host.plugin_dir="$plugindir" plugins
check_rc 0
check_eq "plugins: logger listed" "logger ABI 1 $plugindir/logger.so" \
	"$(awk '$1 == "logger" && $3 == "ABI" { print $1, $3, $4, $NF }' "$tmp/out")"

# --- the example, built out of tree ---------------------------------------
ex=$tmp/example
cp -R "$top_srcdir/docs/examples" "$ex" || hard_error "cannot copy docs/examples"
chmod -R u+w "$ex" # a read-only source tree (distcheck) gives read-only copies
rm -f "$ex/count_failures.so" "$ex/count_failures.d"
# A stale header where a forgotten system copy would be found: it must lose
# to the -I that pkg-config gives.
mkdir -p "$tmp/stale/thermos"
printf '#error "a stale <thermos/handler.h> was used, not the installed one"\n' \
	>"$tmp/stale/thermos/handler.h"
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL CPATH="$tmp/stale" \
	"${MAKE:-make}" -C "$ex" >"$tmp/build.log" 2>&1; then
	cat "$tmp/build.log"
	fail "building docs/examples out of tree"
fi
ok
if grep -q 'warning:' "$tmp/build.log"; then
	fail "the example builds with warnings"
	cat "$tmp/build.log"
fi
so=$ex/count_failures.so
[ -f "$so" ] || hard_error "count_failures.so was not built"
# -MMD's list of the headers used: the installed one, and only it.
check_eq "header used by the example build" "$incdir/thermos/handler.h" \
	"$(tr ' \\' '\n\n' <"$ex/count_failures.d" | grep 'thermos/handler\.h:*$' |
		sed 's/:$//' | sort -u)"
if command -v nm >/dev/null 2>&1; then
	check_eq "symbols the example exports" thermos_handler_v1_entry \
		"$(nm -D --defined-only "$so" | awk '{ print $NF }' | sort -u)"
fi

# --- the example, run through the host -------------------------------------
fail_line='thermos-dispatch: warning: count_failures: task failure: 3 failed, 0 lost of 3 processes (p2 failed 1, p3 failed 2)'
td -c "$tmp/empty.ini" -p "$so" replay "$FIX/failure/runner"
check_rc 0
check_file_eq "$what: stderr" "$fail_line" "$tmp/err"
check_eq "$what: stdout" "" "$(cat "$tmp/out")"

td -c "$tmp/empty.ini" -p "$so" -o count_failures.min_failures=4 \
	replay "$FIX/failure/runner"
check_rc 0
check_eq "$what: stderr" "" "$(cat "$tmp/err")"

td -c "$tmp/empty.ini" -p "$so" -o count_failures.min_failures=0 \
	replay "$FIX/failure/runner" "$FIX/hello_world/runner"
check_rc 0
check_file_eq "$what: stderr" "$fail_line
thermos-dispatch: warning: count_failures: task hello_world: 0 failed, 0 lost of 1 process" \
	"$tmp/err"

# A test stream made as the plugin guide shows: dump, edit, encode.  p1's
# run is LOST instead of SUCCESS; the path gives the task id.
mkdir -p "$tmp/root/checkpoints/my_task"
lost=$tmp/root/checkpoints/my_task/runner
"$TD" dump "$FIX/failure/runner" |
	"$JQ" -c 'if .record == 17 then .process_status.state = "LOST"
	  | del(.process_status.stop_time, .process_status.return_code) else . end' |
	"$TD" encode >"$lost" || hard_error "cannot make a stream with encode"
td -c "$tmp/empty.ini" -p "$so" replay "$lost"
check_rc 0
check_file_eq "$what: stderr" \
	'thermos-dispatch: warning: count_failures: task my_task: 3 failed, 1 lost of 3 processes (p2 failed 1, p3 failed 2, p1 lost 1)' \
	"$tmp/err"

# A stream cut inside record 25: on_stream_error, then on_stream_close.
mkdir -p "$tmp/root/checkpoints/torn_task"
head -c 1300 "$FIX/failure/runner" >"$tmp/root/checkpoints/torn_task/runner"
td -c "$tmp/empty.ini" -p "$so" replay "$tmp/root/checkpoints/torn_task/runner"
check_rc 65
check_eq "$what: stderr lines" 2 "$(wc -l <"$tmp/err" | tr -d ' ')"
check_eq "$what: summary" \
	'thermos-dispatch: warning: count_failures: task torn_task: 3 failed, 0 lost of 3 processes (p2 failed 1, p3 failed 2); the stream stopped on an error' \
	"$(tail -n 1 "$tmp/err")"

# Option errors name the -o option and its position.
td -c "$tmp/empty.ini" -p "$so" -o count_failures.min_failures=-1 check
check_rc 78
check_file_eq "$what: stderr" \
	'thermos-dispatch: -o:1: [plugin:count_failures] min_failures: must be 0 or more' \
	"$tmp/err"
td -c "$tmp/empty.ini" -p "$so" -o count_failures.min_failures=many check
check_rc 78
check_file_eq "$what: stderr" \
	"thermos-dispatch: -o:1: [plugin:count_failures] min_failures: expected an integer from -9223372036854775808 to 9223372036854775807, not 'many'" \
	"$tmp/err"
td -c "$tmp/empty.ini" -p "$so" check
check_rc 0
check_file_eq "$what: stdout" \
	"$tmp/empty.ini: configuration ok, 1 plugin instance enabled" "$tmp/out"

# --- installed into the plugin directory: two instances of one module -----
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$ex" install \
	PLUGINDIR="$plugindir" >"$tmp/exinstall.log" 2>&1; then
	cat "$tmp/exinstall.log"
	fail "make install of the example"
fi
cat >"$tmp/two.ini" <<EOF
[host]
log_level = warning

[plugin:every_task]
module = count_failures
min_failures = 0

[plugin:failing]
module = count_failures
min_failures = 2
EOF
td -c "$tmp/two.ini" -o host.plugin_dir="$plugindir" \
	replay "$lost" "$FIX/hello_world/runner"
check_rc 0
check_file_eq "$what: stderr" \
	'thermos-dispatch: warning: every_task: task my_task: 3 failed, 1 lost of 3 processes (p2 failed 1, p3 failed 2, p1 lost 1)
thermos-dispatch: warning: failing: task my_task: 3 failed, 1 lost of 3 processes (p2 failed 1, p3 failed 2, p1 lost 1)
thermos-dispatch: warning: every_task: task hello_world: 0 failed, 0 lost of 1 process' \
	"$tmp/err"

td -c "$tmp/two.ini" -o host.plugin_dir="$plugindir" plugins -v
check_rc 0
check_eq "plugins -v: count_failures listed" \
	"count_failures 1.0 ABI 1 $plugindir/count_failures.so" \
	"$(awk '$1 == "count_failures" && $3 == "ABI" { print $1, $2, $3, $4, $NF }' "$tmp/out")"
check_eq "plugins -v: its option" "min_failures int (default 1):" \
	"$(awk '$1 == "min_failures" && $2 == "int" { print $1, $2, $3, $4 }' "$tmp/out")"

# log_level = error hides the plugin's warnings.
td -c "$tmp/two.ini" -o host.plugin_dir="$plugindir" -o host.log_level=error \
	replay "$lost"
check_rc 0
check_eq "$what: stderr" "" "$(cat "$tmp/err")"

if [ "$failures" -gt 0 ]; then
	printf '%s: %d of %d checks failed\n' "$test_name" "$failures" "$checks"
	exit 1
fi
printf '%s: %d checks passed\n' "$test_name" "$checks"
exit 0
