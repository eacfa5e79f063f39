#!/bin/sh
# A plugin that sleeps in a callback (tests/plugins/sleep_plugin.c), before
# the recorder in configuration order.  The sleep is 5 s (the plugin's
# default).
# - tail --forever, K0 records present at start, the sleep at record S (a
#   live one), a writer appending the rest meanwhile (done during the
#   sleep): the later records are delivered late (after the sleep) but all,
#   in order, exactly as expected; then SIGTERM: exit 0, and on stderr only
#   the slow_callback warning (default 1 s) naming the instance and record.
# - tail --forever of the whole stream, SIGTERM sent during the sleep at
#   record S: honoured after the callback returns: exit 0, only the
#   slow_callback warning on stderr, every callback of record S completed (the plugin's `sleep end`,
#   the recorder's lines of every record up to S and none after), then
#   on_stream_close and fini (the plugin's `sleep fini`, the recorder's
#   last lines).
# - tail --forever, SIGTERM while the plugin's init sleeps (2 s): held
#   until the plugins are ready, then honoured before any record: exit 0,
#   nothing on stderr, every plugin's fini called, no record dispatched.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

# check_slow_warning: stderr is the one warning of the sleep at record $S
# of $path ([host] slow_callback, 1 s by default), its duration masked.
check_slow_warning() {
	sed -E 's/ took [0-9]+\.[0-9]{3} s / took D s /' "$err" >"$err.masked"
	check_text "$err.masked" stderr \
		"thermos-dispatch: warning: sl: on_process_transition took D s at $path record $S (slow_callback = 1 s)"
}
. "$top_srcdir/tests/follow-lib.sh"

SECS=5
K0=30
S=45
stream=$tmp/gen.ckpt
"$GEN_STREAM" -n 120 -p 6 -s 3 "$stream" || exit 99

# --- late but all, in order ------------------------------------------------------
path=$tmp/root/checkpoints/slow-task/runner
mkdir -p "$(dirname "$path")"
expect_of a "$stream" "$path" slow-task
off=$("$FH" offset "$stream" "$K0")
head -c "$off" "$stream" >"$path"
ini cfga "[host]" "plugin_dir = $PLUG" \
	"[plugin:sl]" "module = sleep_plugin" "at_record = $S" "seconds = $SECS" "out = $tmp/sla.out" \
	"[plugin:rec]" "module = recorder"
: >"$tmp/sla.out"
host_start a tail --forever "$path"
if ! wait_rec "$tmp/a.rec" "$(exp_count a "$K0")" 10; then
	fail "the $K0 records present at start were not dispatched within 10 s"
fi
bg_start writer "$FH" append -s 9 -d 1 "$stream" "$path" "$off"
if ! wait_grep "$tmp/sla.out" 10 "sleep start record=$S"; then
	fail "the plugin did not start sleeping at record $S within 10 s"
fi
now_ms
t_start=$NOW
bg_wait writer 10
what="the writer (appending while the plugin sleeps)"
check_rc 0
writer_done_in_sleep=
grep -q -F "sleep end" "$tmp/sla.out" || writer_done_in_sleep=1
what="tail --forever, a plugin sleeping $SECS s at record $S [a]"
if wait_rec "$tmp/a.rec" "$(exp_count a "$nrec")" $((SECS + 10)); then
	ok
else
	fail "not every record was dispatched within $((SECS + 10)) s"
fi
now_ms
late_ms=$((NOW - t_start))
if [ -n "$writer_done_in_sleep" ]; then
	# The writer was done while the plugin slept: what it wrote waited.
	if [ "$late_ms" -ge $((SECS * 1000 - 300)) ]; then
		ok
	else
		fail "the records appended during the sleep were dispatched after $late_ms ms, want them late (~${SECS} s)"
	fi
fi
host_stop a TERM
check_rc 0
check_stdout_empty
check_slow_warning
check_text "$tmp/sla.out" "sleep_plugin's file (run a)" \
	"sleep start record=$S" "sleep end record=$S" "sleep fini"
check_frame "run a" "$tmp/a.rec" "$MODE_TAIL"
check_stream "run a" "$tmp/a.rec" "$path" a "$K0"

# --- SIGTERM during the sleep ------------------------------------------------------
path=$tmp/root/checkpoints/term-task/runner
mkdir -p "$(dirname "$path")"
cp "$stream" "$path"
expect_of b "$stream" "$path" term-task
ini cfgb "[host]" "plugin_dir = $PLUG" \
	"[plugin:sl]" "module = sleep_plugin" "at_record = $S" "seconds = $SECS" "out = $tmp/slb.out" \
	"[plugin:rec]" "module = recorder"
: >"$tmp/slb.out"
host_start b tail --forever "$path"
if ! wait_grep "$tmp/slb.out" 10 "sleep start record=$S"; then
	fail "the plugin did not start sleeping at record $S within 10 s"
fi
now_ms
t_term=$NOW
bg_kill TERM b
bg_wait b $((SECS + 10))
now_ms
what="tail --forever, SIGTERM while a plugin sleeps $SECS s at record $S [b]"
check_rc 0
check_stdout_empty
check_slow_warning
if [ $((NOW - t_term)) -ge $((SECS * 1000 - 500)) ]; then
	ok
else
	fail "the host ended $((NOW - t_term)) ms after SIGTERM: before the callback returned?"
fi
check_text "$tmp/slb.out" "sleep_plugin's file (run b)" \
	"sleep start record=$S" "sleep end record=$S" "sleep fini"
check_frame "run b" "$tmp/b.rec" "$MODE_TAIL"
check_ends_closed "run b" "$tmp/b.rec" "$path"
# Every callback of the records up to S (all history: the file was whole
# at start), none after.
norm "$tmp/b.rec" "$path" | grep -E "$REC_LINE" >"$tmp/b.got"
want b "$nrec" | grep -E "$REC_LINE" | awk -v s="$S" '{
	r = $0; sub(/^[^ ]+ [^ ]+ record=/, "", r); sub(/ .*$/, "", r)
	if (r + 0 <= s) print
}' >"$tmp/b.want"
check_file_eq "$tmp/b.want" "$tmp/b.got" "run b: the callbacks of the records up to $S"

# --- SIGTERM while a plugin initialises ----------------------------------------------
ini cfgc "[host]" "plugin_dir = $PLUG" \
	"[plugin:sl]" "module = sleep_plugin" "at_record = 999999" "init_seconds = 2" "out = $tmp/slc.out" \
	"[plugin:rec]" "module = recorder"
: >"$tmp/slc.out"
# Started as host_start does, without waiting for the plugins to be ready.
: >"$tmp/c.rec"
bg_start c "$TD" -c "$ini" -o "rec.out=$tmp/c.rec" tail --forever "$path"
if ! wait_grep "$tmp/slc.out" 10 "sleep init start"; then
	fail "the plugin did not start its init within 10 s"
fi
bg_kill TERM c
bg_wait c 12
what="tail --forever, SIGTERM while a plugin's init sleeps [c]"
check_rc 0
check_stdout_empty
check_stderr_empty
check_text "$tmp/slc.out" "sleep_plugin's file (run c)" \
	"sleep init start" "sleep init end" "sleep fini"
check_frame "run c" "$tmp/c.rec" "$MODE_TAIL"
what="tail --forever, SIGTERM while a plugin's init sleeps [c]: no record"
if grep -q -E "$REC_LINE" "$tmp/c.rec"; then
	fail "records were dispatched after the SIGTERM"
	show_file recorder "$tmp/c.rec"
else
	ok
fi

finish
