#!/bin/sh
# ABI 1.1 and the plugins built before it (<thermos/handler.h>, "Versions"):
# - recorder_1_0, the recorder test plugin built against the frozen 1.0
#   header (tests/abi/1.0), loads into this 1.1 host unchanged and is
#   called exactly as the recorder built against the current header: both
#   side by side (instances old and new) over every Aurora fixture in
#   replay, and in check mode; `plugins` lists its 1.0 table (224 bytes on
#   x86-64, pinned by test-abi-layout);
# - min_host_minor: needs_minor asks for 1.2 and is refused at load, in
#   replay and in check, with exactly one line
#   `... PATH: needs handler ABI 1.2 or later; this host provides 1.1` and
#   exit 78; asking for 1.1 or 0 it loads, and its init finds the host's
#   abi_minor, 1; with a 1.0-sized table it loads whatever its
#   min_host_minor (past that size) holds: the host never reads it;
# - `plugins` lists needs_minor and unknown_type (an option of type 7) as
#   refused, with their reasons;
# - return codes: the reserved THERMOS_DISABLE_ME (1000) and
#   THERMOS_RETRY_LATER (1001) are failures like any other non-zero value
#   (THERMOS_ERROR, -1) in 1.1: under on_error = continue a warning, the
#   count line, exit 70, and the instance is called on (not disabled, the
#   record not called again); under abort, the abort.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
rec=$tmp/rec

# --- a plugin built against the 1.0 header ----------------------------------
ini compat "[host]" "plugin_dir = $PLUG" \
	"[plugin:old]" "module = recorder_1_0" "out = $rec" \
	"[plugin:new]" "module = recorder" "out = $rec"
compat=$ini
expect=$tmp/expect.aurora
: >"$expect"
set --
for dir in "$AUR"/*/; do
	case_name=$(basename "$dir")
	f=$AUR/$case_name/runner
	dump_of "$f"
	expect_stream "$AUREXP/$case_name.events.jsonl" "$dumpf" "$f" "" "" old new
	set -- "$@" "$f"
done
expect_flush
: >"$rec"
td -c "$compat" replay "$@"
check_rc 0
check_stdout_empty
check_stderr_empty
newfile
{
	echo "old init mode=1 keys=out checks=ok"
	echo "new init mode=1 keys=out checks=ok"
	cat "$expect"
	echo "old tick now=ok"
	echo "new tick now=ok"
	echo "new fini"
	echo "old fini"
} >"$nf"
want=$nf
newfile
mask_close "$rec" >"$nf"
check_file_eq "$want" "$nf" "the 1.0 and the 1.1 recorder, replay: recorder lines"
what="the 1.0 recorder: called at all"
n_old=$(grep -c '^old on_' "$rec")
n_new=$(grep -c '^new on_' "$rec")
if [ "$n_old" = "$n_new" ] && [ "$n_old" -gt 100 ]; then ok; else
	fail "want as many callbacks of old as of new (over 100), got $n_old and $n_new"
fi

: >"$rec"
td -c "$compat" check
check_rc 0
check_stderr_empty
check_text "$rec" "the 1.0 and the 1.1 recorder, check: recorder lines" \
	"old init mode=0 keys=out checks=ok" "new init mode=0 keys=out checks=ok" \
	"new fini" "old fini"

# `plugins`: the 1.0 table, and the refusals of ABI 1.1.
td -c "$compat" plugins
check_rc 0
check_stderr_empty
# has_line LINE LABEL: stdout has exactly this line.
has_line() {
	what="plugins: $2"
	if grep -Fqx -e "$1" "$out"; then ok; else
		fail "no line: $1"
		show_file stdout "$out"
	fi
}
case $(uname -m) in
x86_64)
	has_line "  recorder_1_0       1.2.3-test ABI 1 (224 bytes)  $PLUG/recorder_1_0.so" \
		"the 1.0 recorder and its table's size"
	has_line "  recorder           1.2.3-test ABI 1 (240 bytes)  $PLUG/recorder.so" \
		"the 1.1 recorder and its table's size"
	;;
*)
	what="plugins: the 1.0 recorder"
	if grep -q "^  recorder_1_0  *1\\.2\\.3-test ABI 1 (" "$out"; then ok; else
		fail "recorder_1_0 not listed as loaded"
		show_file stdout "$out"
	fi
	;;
esac
has_line "  needs_minor        refused: $PLUG/needs_minor.so: needs handler ABI 1.2 or later; this host provides 1.1" \
	"needs_minor refused"
has_line "  unknown_type       refused: $PLUG/unknown_type.so: option 'colour' of plugin unknown_type has type 7, which this host (handler ABI 1.1) does not know" \
	"unknown_type refused"

# --- min_host_minor ------------------------------------------------------------
ini needs "[host]" "plugin_dir = $PLUG" "[plugin:nm]" "module = needs_minor"
needs=$ini
refusal="thermos-dispatch: $needs:4: [plugin:nm] module: $PLUG/needs_minor.so: needs handler ABI 1.2 or later; this host provides 1.1"
td -c "$needs" replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "$refusal"
td -c "$needs" check
check_rc 78
check_stdout_empty
check_stderr "$refusal"
td -c "$needs" -p "$PLUG/recorder.so" -o "recorder.out=$rec" replay "$stream"
check_rc 78
check_stderr "$refusal"

# needs LABEL WANT_RC STDERR...: replay with the environment set by the
# caller (exported: td is a function).
needs() {
	nd_label=$1
	nd_rc=$2
	shift 2
	td -c "$needs" replay "$stream"
	what="$what ($nd_label)"
	check_rc "$nd_rc"
	check_stdout_empty
	check_stderr "$@"
}
TD_TEST_MIN_HOST_MINOR=1
export TD_TEST_MIN_HOST_MINOR
needs "min_host_minor 1" 0 "thermos-dispatch: warning: nm: host ABI 1.1 (this plugin needs 1.1)"
TD_TEST_MIN_HOST_MINOR=0
needs "min_host_minor 0" 0 "thermos-dispatch: warning: nm: host ABI 1.1 (this plugin needs 1.0)"
TD_TEST_MIN_HOST_MINOR=4294967295
needs "min_host_minor UINT32_MAX" 78 \
	"thermos-dispatch: $needs:4: [plugin:nm] module: $PLUG/needs_minor.so: needs handler ABI 1.4294967295 or later; this host provides 1.1"
unset TD_TEST_MIN_HOST_MINOR
TD_TEST_TABLE_1_0=1
export TD_TEST_TABLE_1_0
needs "a 1.0 table, 2 past its end" 0 "thermos-dispatch: warning: nm: host ABI 1.1 (this plugin needs 1.2)"
unset TD_TEST_TABLE_1_0

# --- return codes ----------------------------------------------------------------
rout=$tmp/returns.out
# returns RC ON_ERROR: the `returns` instance x (its first on_task_transition
# returns RC) over hello_world, whose task statuses are records 0 and 6.
returns() {
	ini "returns" "[host]" "plugin_dir = $PLUG" \
		"[plugin:x]" "module = returns" "out = $rout" "rc = $1" "on_error = $2"
	: >"$rout"
	td -c "$ini" replay "$stream"
	what="$what (rc = $1, on_error = $2)"
	check_stdout_empty
}
for code in 1000 1001 -1; do
	returns "$code" continue
	check_rc 70
	check_stderr "thermos-dispatch: warning: x: on_task_transition failed at $stream record 0" \
		"thermos-dispatch: x: 1 callback failed"
	check_text "$rout" "returns $code, continue: the calls" \
		"returns on_task_transition record=0 rc=$code" \
		"returns on_task_transition record=6 rc=0"
	returns "$code" abort
	check_rc 70
	check_stderr "thermos-dispatch: x: on_task_transition failed at $stream record 0; aborting (on_error = abort)"
	check_text "$rout" "returns $code, abort: the calls" \
		"returns on_task_transition record=0 rc=$code"
done
returns 0 continue
check_rc 0
check_stderr_empty
check_text "$rout" "returns THERMOS_OK: the calls" \
	"returns on_task_transition record=0 rc=0" \
	"returns on_task_transition record=6 rc=0"

finish
