#!/bin/sh
# An isolated instance that dies or hangs is restarted, and loses nothing:
#  - a plugin that segfaults at its 1000th live record: one line per death
#    naming the stream and the record, restarts after 1 s then 2 s, then
#    disabled (max_restarts = 2); every record reached it live, only the
#    ones in flight at a death twice, and the history it was given again
#    is exactly what it had; the in-process recorder beside it got exactly
#    what it gets alone;
#  - a plugin that hangs in a callback: killed after callback_timeout,
#    restarted, the hung record given again;
#  - under `tail`, the in-process recorder gets what is appended while the
#    isolated one hangs (it never waits for a worker).
TMPDIR=/tmp
. "${top_srcdir:-.}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/crash-lib.sh"

S=$tmp/s.ckpt
"$GEN_STREAM" -n 5000 -p 50 "$S" || exit 99
"$TD" dump "$S" >"$tmp/dump" || exit 99
# offset N: the byte record N starts at.
offset() {
	"$JQ" -r "select(.record == $1) | .offset" "$tmp/dump"
}

# live_counts FILE: "RECORD COUNT" for the records given live (history 0),
# by every process of the flaky plugin.
live_counts() {
	awk '$2 ~ /^[0-9]+$/ && $3 == "0" { c[$2]++ } END { for (r in c) print r, c[r] }' "$1" | sort -n
}

# --- a segfault every 1000 live records --------------------------------------
ini alone "[host]" "plugin_dir = $PLUG" \
	"[plugin:rec]" "module = recorder" "out = $tmp/alone.out"
td -c "$tmp/alone.ini" replay "$S"
ini crash "[host]" "plugin_dir = $PLUG" \
	"[plugin:rec]" "module = recorder" "out = $tmp/rec.out" \
	"[plugin:fl]" "module = flaky" "out = $tmp/fl.out" "isolation = process" \
	"crash_after = 1000" "max_restarts = 2"
td -c "$tmp/crash.ini" replay "$S"
what="replay, a worker that segfaults"
check_rc 70
check_stderr \
	"thermos-dispatch: fl: worker killed by SIGSEGV at $S record 999 (byte $(offset 999)); restarting it in 1 s" \
	"thermos-dispatch: fl: worker killed by SIGSEGV at $S record 1998 (byte $(offset 1998)); restarting it in 2 s" \
	"thermos-dispatch: fl: worker killed by SIGSEGV at $S record 2997 (byte $(offset 2997)); instance disabled (2 restarts within a minute: max_restarts)" \
	"thermos-dispatch: fl: 3 callbacks failed"
check_file_eq "$tmp/alone.out" "$tmp/rec.out" "the in-process recorder's lines"
what="what the crashing plugin got live"
live_counts "$tmp/fl.out" >"$tmp/live"
awk 'BEGIN { for (r = 0; r <= 2997; r++) print r, (r == 999 || r == 1998) ? 2 : 1 }' >"$tmp/live.want"
check_file_eq "$tmp/live.want" "$tmp/live" "live records"
what="what the crashing plugin got as history"
# Each new worker is given again, as history, what the dead one finished.
awk '$2 ~ /^[0-9]+$/ && $3 == "1" { print $1, $2 }' "$tmp/fl.out" |
	awk '{ if ($1 != p) { if (p != "") print n; p = $1; n = 0 } n++ } END { print n }' >"$tmp/hist"
check_text "$tmp/hist" "history records per worker" 999 1998
what="workers started"
grep -c ' init$' "$tmp/fl.out" >"$tmp/inits"
check_text "$tmp/inits" "init lines" 3

# --- a hang in a callback --------------------------------------------------
ini hang "[host]" "plugin_dir = $PLUG" \
	"[plugin:fl]" "module = flaky" "out = $tmp/hang.out" "isolation = process" \
	"hang_at = 50" "hang_once = $tmp/hung" "callback_timeout = 1"
head -c "$(offset 200)" "$S" >"$tmp/s200.ckpt"
td -c "$tmp/hang.ini" replay "$tmp/s200.ckpt"
what="replay, a worker that hangs"
check_rc 70
check_stderr \
	"thermos-dispatch: fl: no answer for 1 s at $tmp/s200.ckpt record 50 (byte $(offset 50)); restarting it in 1 s" \
	"thermos-dispatch: fl: 1 callback failed"
live_counts "$tmp/hang.out" >"$tmp/live"
awk 'BEGIN { for (r = 0; r < 200; r++) print r, r == 50 ? 2 : 1 }' >"$tmp/live.want"
check_file_eq "$tmp/live.want" "$tmp/live" "live records"

# --- tail: in-process instances never wait for a hung worker ---------------
rm -f "$tmp/hung"
mkdir -p "$tmp/root/checkpoints/t1"
R=$tmp/root/checkpoints/t1/runner
head -c "$(offset 100)" "$S" >"$R"
ini "tailhang" "[host]" "plugin_dir = $PLUG" \
	"[plugin:rec]" "module = recorder" \
	"[plugin:fl]" "module = flaky" "out = $tmp/tail.out" "isolation = process" \
	"hang_at = 120" "hang_once = $tmp/hung" "callback_timeout = 6"
host_start th tail "$R"
tail -c +$(($(offset 100) + 1)) "$S" | head -c $(($(offset 200) - $(offset 100))) >>"$R"
has_rec() { grep -q " record=$1 " "$tmp/th.rec"; }
what="tail: the in-process recorder, while the worker hangs"
wait_until 4 test -f "$tmp/hung" || fail "the worker did not hang"
if wait_until 3 has_rec 199; then ok; else fail "record 199 did not reach the recorder"; fi
grep -c 'no answer' "$BG/th.err" >"$tmp/n"
check_text "$tmp/n" "timeouts said so far" 0
what="tail: the worker, killed and restarted"
has_live() { grep -q "^[0-9]* $1 0$" "$tmp/tail.out"; }
wait_until 15 grep -q 'no answer' "$BG/th.err" || fail "no timeout line"
wait_until 10 has_live 199 || fail "record 199 did not reach the new worker"
host_stop th
check_rc 70
check_stderr \
	"thermos-dispatch: fl: no answer for 6 s at $R record 120 (byte $(offset 120)); restarting it in 1 s" \
	"thermos-dispatch: fl: 1 callback failed"
live_counts "$tmp/tail.out" >"$tmp/live"
awk 'BEGIN { for (r = 100; r < 200; r++) print r, r == 120 ? 2 : 1 }' >"$tmp/live.want"
check_file_eq "$tmp/live.want" "$tmp/live" "live records"
finish
