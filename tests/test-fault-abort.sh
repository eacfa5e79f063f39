#!/bin/sh
# A plugin that calls abort() in a callback (tests/plugins/abort_plugin.c):
# the host dies, and with state_dir a restart loses nothing.
# - replay: the host dies of SIGABRT at the record asked (exit status 134
#   as the shell says), after the plugin's line `abort record=N`;
# - tail --forever with state_dir, instances rec (the recorder) then ab
#   (abort at record N, live): the runner holds K0 records at start (history),
#   a writer appends the rest; the host dies (134) at record N;
# - tail --linger 0.5 restarted with the same state_dir, without ab: ends by
#   itself (the task is over), exit 0, nothing on stderr; it re-applies the
#   records before N as history (history=1) and delivers record N -- the
#   one it died on -- and every later one live;
# - nothing is lost: the first run's lines of records below N, then the
#   second run's lines of records N and after, are exactly the lines
#   expected of the whole stream (K0 records history, the rest live).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

# The aborts leave no core file behind.
ulimit -c 0 2>/dev/null

N=150
K0=40
stream=$tmp/gen.ckpt
"$GEN_STREAM" -n 300 -p 8 -s 11 "$stream" || exit 99

# --- replay: the host dies ----------------------------------------------------------
# Until the restart, the host dies of SIGABRT: no leak check under valgrind
# (tests/e2e-lib.sh).
TD_VALGRIND_LEAK_CHECK=no
export TD_VALGRIND_LEAK_CHECK
ini ab "[host]" "plugin_dir = $PLUG" "[plugin:ab]" "module = abort_plugin" \
	"at_record = 7" "out = $tmp/ab-replay.out"
run_fg replay 10 -c "$ini" replay "$stream"
what="replay with abort_plugin at_record = 7"
check_rc 134
check_stdout_empty
check_text "$tmp/ab-replay.out" "abort_plugin's file" "abort record=7"

# --- tail with state_dir: dies at record N ---------------------------------------------
path=$tmp/root/checkpoints/abort-task/runner
mkdir -p "$(dirname "$path")" "$tmp/state"
expect_of ab "$stream" "$path" abort-task
if [ "$nrec" -le "$N" ]; then
	printf '%s: ERROR: the stream has %s records, want more than %s\n' "$test_name" "$nrec" "$N"
	exit 99
fi
off=$("$FH" offset "$stream" "$K0")
head -c "$off" "$stream" >"$path"

ini cfg1 "[host]" "plugin_dir = $PLUG" "state_dir = $tmp/state" \
	"[plugin:rec]" "module = recorder" \
	"[plugin:ab]" "module = abort_plugin" "at_record = $N" "out = $tmp/ab.out"
host_start r1 tail --forever "$path"
if ! wait_rec "$tmp/r1.rec" "$(exp_count ab "$K0")" 10; then
	fail "run 1: the $K0 records present at start were not dispatched within 10 s"
fi
bg_start writer "$FH" append -s 5 -d 2 "$stream" "$path" "$off"
bg_wait r1 20
what="tail --forever with abort_plugin at_record = $N [r1]"
check_rc 134
check_text "$tmp/ab.out" "abort_plugin's file" "abort record=$N"
bg_wait writer 30
what="the writer"
check_rc 0

# --- restarted without the plugin ---------------------------------------------------------
unset TD_VALGRIND_LEAK_CHECK
ini cfg2 "[host]" "plugin_dir = $PLUG" "state_dir = $tmp/state" \
	"[plugin:rec]" "module = recorder"
host_start r2 tail --linger 0.5 "$path"
bg_wait r2 30
what="tail --linger 0.5, restarted without abort_plugin [r2]"
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame "run 2" "$tmp/r2.rec" "$MODE_TAIL"
check_ends_closed "run 2" "$tmp/r2.rec" "$path"

# records FILE LO HI: the record lines of records LO <= r < HI, on stdin.
records() {
	awk -v lo="$1" -v hi="$2" '{
		r = $0; sub(/^[^ ]+ [^ ]+ record=/, "", r); sub(/ .*$/, "", r)
		if (r + 0 >= lo && r + 0 < hi) print
	}'
}
big=999999999
norm "$tmp/r1.rec" "$path" | grep -E "$REC_LINE" | records 0 "$N" >"$tmp/r1.lines"
norm "$tmp/r2.rec" "$path" | grep -E "$REC_LINE" >"$tmp/r2.all"
records 0 "$N" <"$tmp/r2.all" >"$tmp/r2.before"
records "$N" "$big" <"$tmp/r2.all" >"$tmp/r2.after"
want ab "$K0" | grep -E "$REC_LINE" >"$tmp/want.all"

what="run 2: the records before $N"
if [ -s "$tmp/r2.before" ] && ! grep -q ' history=0 ' "$tmp/r2.before"; then
	ok
else
	fail "want the records before $N re-applied as history (history=1) only"
	show_file "run 2 lines" "$tmp/r2.before"
fi
what="run 2: the first live record"
first_live=$(grep ' history=0 ' "$tmp/r2.all" | head -n 1 | sed 's/^[^ ]* [^ ]* record=\([0-9]*\) .*/\1/')
if [ "$first_live" = "$N" ]; then
	ok
else
	fail "want record $N (the one the host died on) delivered live first, got record '$first_live'"
fi
what="runs 1 and 2 together"
cat "$tmp/r1.lines" "$tmp/r2.after" >"$tmp/both.lines"
check_file_eq "$tmp/want.all" "$tmp/both.lines" "the records of run 1 (before $N) and run 2 (from $N)"

finish
