#!/bin/sh
# `--trace` and `[host] slow_callback` (issue 13):
# - replay --trace of valid-00 with rec (the recorder) and ret (the
#   returns plugin, whose first on_task_transition returns 7): one line per
#   callback per instance, in dispatch order, with its source, record,
#   return value and duration (masked), the failure's own warning between
#   them, tick at the end; exit 70 (a callback failed), as without --trace;
# - --trace is a global option: after the command it is the command's
#   unknown option (64); tail and watch trace too;
# - without --trace, no trace line;
# - slow_callback = 0.2 and a 0.3 s sleep (sleep_plugin): one warning with
#   the instance, callback, duration (masked), source and record; with
#   slow_callback = 0 (off) and the default (1 s), none;
# - slow_callback out of range or malformed: the configuration error (78).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

F=$tmp/valid-00.ckpt
cp "$GEN/valid-00.ckpt" "$F"
ini trace "[host]" "plugin_dir = $PLUG" \
	"[plugin:rec]" "module = recorder" "out = $tmp/rec.out" \
	"[plugin:ret]" "module = returns" "out = $tmp/ret.out" "rc = 7"
trace_ini=$ini

# masked FILE: FILE with the durations of trace lines and slow warnings
# replaced by D.
masked() {
	sed -E -e 's/ \([0-9]+\.[0-9] us\)$/ (D us)/' \
		-e 's/ took [0-9]+\.[0-9]{3} s / took D s /' "$1" >"$1.masked"
}

td -c "$trace_ini" --trace replay "$F"
check_rc 70
check_stdout_empty
masked "$err"
t="thermos-dispatch: trace:"
check_text "$err.masked" stderr \
	"$t rec: on_stream_open at $F record 0 -> 0 (D us)" \
	"$t rec: on_initialization at $F record 0 -> 0 (D us)" \
	"$t rec: on_task_transition at $F record 1 -> 0 (D us)" \
	"$t ret: on_task_transition at $F record 1 -> 7 (D us)" \
	"thermos-dispatch: warning: ret: on_task_transition failed at $F record 1" \
	"$t rec: on_task_active at $F record 1 -> 0 (D us)" \
	"$t rec: on_process_transition at $F record 2 -> 0 (D us)" \
	"$t rec: on_process_waiting at $F record 2 -> 0 (D us)" \
	"$t rec: on_process_transition at $F record 3 -> 0 (D us)" \
	"$t rec: on_process_forked at $F record 3 -> 0 (D us)" \
	"$t rec: on_process_transition at $F record 4 -> 0 (D us)" \
	"$t rec: on_process_running at $F record 4 -> 0 (D us)" \
	"$t rec: on_process_transition at $F record 5 -> 0 (D us)" \
	"$t rec: on_process_failed at $F record 5 -> 0 (D us)" \
	"$t rec: on_process_transition at $F record 6 -> 0 (D us)" \
	"$t rec: on_process_waiting at $F record 6 -> 0 (D us)" \
	"$t rec: on_process_transition at $F record 7 -> 0 (D us)" \
	"$t rec: on_process_forked at $F record 7 -> 0 (D us)" \
	"$t rec: on_process_transition at $F record 8 -> 0 (D us)" \
	"$t rec: on_process_running at $F record 8 -> 0 (D us)" \
	"$t rec: on_process_transition at $F record 9 -> 0 (D us)" \
	"$t rec: on_process_success at $F record 9 -> 0 (D us)" \
	"$t rec: on_stream_close at $F record 9 -> 0 (D us)" \
	"$t rec: tick -> 0 (D us)" \
	"thermos-dispatch: ret: 1 callback failed"

td -c "$trace_ini" replay "$F"
check_rc 70
check_stdout_empty
check_stderr "thermos-dispatch: warning: ret: on_task_transition failed at $F record 1" \
	"thermos-dispatch: ret: 1 callback failed"

td -c "$trace_ini" replay --trace "$F"
check_rc 64
check_stderr "thermos-dispatch: replay: unknown option '--trace' (see 'thermos-dispatch replay --help')"

# tail and watch: the first callback traced, then SIGTERM.
ini follow "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
ROOT=$tmp/root
mkdir -p "$ROOT/checkpoints/t1"
cp "$F" "$ROOT/checkpoints/t1/runner"
for cmd in "tail --forever $F" "watch $ROOT"; do
	src=$F
	[ "${cmd%% *}" = watch ] && src=$ROOT/checkpoints/t1/runner
	# shellcheck disable=SC2086 # the words of the command
	host_start "${cmd%% *}" --trace $cmd
	cmd_what=$what
	wait_until 10 grep -q -F "trace: rec: on_process_success " "$BG/${cmd%% *}.err" || :
	host_stop "${cmd%% *}" TERM
	what=$cmd_what
	check_rc 0
	masked "$err"
	if grep -q -x -F "$t rec: on_stream_open at $src record 0 -> 0 (D us)" "$err.masked" &&
		grep -q -x -F "$t rec: on_process_success at $src record 9 -> 0 (D us)" "$err.masked"; then
		ok
	else
		fail "want the trace lines of on_stream_open and on_process_success"
		show_file stderr "$err"
	fi
done

# slow_callback.
ini slow "[host]" "plugin_dir = $PLUG" "slow_callback = 0.2" \
	"[plugin:sl]" "module = sleep_plugin" "at_record = 2" "seconds = 0.3"
slow_ini=$ini
td -c "$slow_ini" replay "$F"
check_rc 0
check_stdout_empty
masked "$err"
check_text "$err.masked" stderr \
	"thermos-dispatch: warning: sl: on_process_transition took D s at $F record 2 (slow_callback = 0.2 s)"
td -c "$slow_ini" -o host.slow_callback=0 replay "$F"
check_rc 0
check_stderr_empty
ini slow_default "[host]" "plugin_dir = $PLUG" \
	"[plugin:sl]" "module = sleep_plugin" "at_record = 2" "seconds = 0.3"
td -c "$ini" replay "$F"
check_rc 0
check_stderr_empty

for bad in -1 2592001 abc nan; do
	td -c "$slow_ini" -o "host.slow_callback=$bad" replay "$F"
	check_rc 78
	check_stdout_empty
	check_stderr "thermos-dispatch: -o:1: [host] slow_callback: expected a number of seconds from 0 to 2592000, not '$bad'"
done

finish
