#!/bin/sh
# A crash does not loop (`watch` with state_dir; tests/plugins/crasher.c).
# Two tasks under one root: a (300 records, 40 present at start) and b (40
# records, 10 present); writers append the rest.  Instances: rec (the
# recorder), then crasher (SIGSEGV in on_process_forked of record NA, the
# first FORKED record from 60 on; b has fewer records).
# - r1: dies of SIGSEGV at a's record NA, with the crash line (139);
# - r2, started at once: the cursor re-delivers NA live: the same crash;
# - r3: one error line: crasher disabled at start (crashed 2 times in a
#   row, the signal, callback, stream and record, until its configuration
#   changes or the crash record is removed); the crasher is neither
#   init'ed nor called; both tasks are followed to their ends; SIGTERM:
#   exit 0, the record stays;
# - the recorder's live lines: a's records K0..NA in r1, NA alone in r2,
#   NA..end in r3 (the record in flight re-delivered once per restart, as
#   docs/security.md says, nothing else twice, nothing lost); b's records,
#   r1 then r2 then r3, each exactly once;
# - r4: the crash record damaged (a byte flipped): one warning, ignored:
#   the crasher runs and crashes again (on NA, re-applied as history);
# - r5: the record of r3 back, the crasher's options changed (signal =
#   ABRT): re-enabled: it crashes with SIGABRT, no disabled line;
# - r6: without the crasher: the record names no configured instance: it
#   is removed; nothing on stderr;
# - r7: a directory where the record should be: one warning, ignored;
# - r8: a symbolic link there (to the record of r3): not followed: one
#   warning, ignored;
# - i1, i2, i3 (tail, another state_dir): a crash in init, twice: the third
#   start disables the crasher (the line names no stream) and follows the
#   stream with the recorder.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/crash-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"


K0=40
KB=10
sa=$tmp/a.ckpt
sb=$tmp/b.ckpt
"$GEN_STREAM" -n 300 -p 8 -s 11 "$sa" || exit 99
"$GEN_STREAM" -n 40 -p 4 -s 12 "$sb" || exit 99
ROOT=$tmp/root
pa=$ROOT/checkpoints/task-a/runner
pb=$ROOT/checkpoints/task-b/runner
mkdir -p "$(dirname "$pa")" "$(dirname "$pb")" "$tmp/state"
expect_of a "$sa" "$pa" task-a
na=$nrec
NA=$("$JQ" -r 'select(.record >= 60 and .process_status.state == "FORKED") | .record' "$dumpf" | head -n 1)
OFF=$("$JQ" -r "select(.record == $NA) | .offset" "$dumpf")
expect_of b "$sb" "$pb" task-b
nb=$nrec
if [ -z "$NA" ] || [ "$nb" -ge "$NA" ]; then
	printf '%s: ERROR: want a FORKED record from 60 on in a (got "%s") and b shorter (%s records)\n' "$test_name" "$NA" "$nb"
	exit 99
fi
offa=$("$FH" offset "$sa" "$K0")
offb=$("$FH" offset "$sb" "$KB")
head -c "$offa" "$sa" >"$pa"
head -c "$offb" "$sb" >"$pb"

STATE=$tmp/state
crash_line="thermos-dispatch: crasher: crashed with SIGSEGV in on_process_forked at $pa record $NA (byte $OFF)"
disabled_line="thermos-dispatch: crasher: disabled at start: it crashed 2 times in a row with SIGSEGV in on_process_forked at $pa record $NA (byte $OFF); it stays disabled until its configuration changes or $STATE/crash-record is removed"

# config SIGNAL: rec, then the crasher dying of SIGNAL.
config() {
	ini cfg "[host]" "plugin_dir = $PLUG" "state_dir = $STATE" "linger = 60" \
		"[plugin:rec]" "module = recorder" \
		"[plugin:crasher]" "signal = $1" "callback = on_process_forked" \
		"at_record = $NA" "out = $tmp/crasher.out"
}
config SEGV

# --- r1: the first crash --------------------------------------------------------
host_start r1 watch "$ROOT"
r1_what=$what
if wait_rec "$tmp/r1.rec" "$(exp_count a "$K0")" 10 "$pa" &&
	wait_rec "$tmp/r1.rec" "$(exp_count b "$KB")" 10 "$pb"; then ok; else
	fail "r1: the records present at start were not dispatched within 10 s"
fi
bg_start writer-a "$FH" append -s 5 -d 4 "$sa" "$pa" "$offa"
bg_start writer-b "$FH" append -s 6 -d 20 "$sb" "$pb" "$offb"
bg_wait r1 30
what=$r1_what
check_rc 139
check_stdout_empty
check_stderr "$crash_line"

# --- r2: the same record, the same crash -------------------------------------
host_start r2 watch "$ROOT"
bg_wait r2 30
check_rc 139
check_stdout_empty
check_stderr "$crash_line"
what="the crash record after two crashes"
if [ -f "$STATE/crash-record" ]; then ok; else fail "no $STATE/crash-record"; fi

# --- r3: the crasher disabled, everything else goes on ---------------------------
host_start r3 watch "$ROOT"
r3_what=$what
bg_wait writer-a 60
what="the writer of a"
check_rc 0
bg_wait writer-b 60
what="the writer of b"
check_rc 0
what=$r3_what
if wait_rec "$tmp/r3.rec" "$(exp_count a "$na")" 20 "$pa" &&
	wait_rec "$tmp/r3.rec" "$(exp_count b "$nb")" 20 "$pb"; then ok; else
	fail "r3: not every record of a and b dispatched within 20 s"
fi
host_stop r3 TERM
check_rc 0
check_stdout_empty
check_stderr "$disabled_line"
what="the crasher's lines (r1, r2, r3)"
check_text "$tmp/crasher.out" "$tmp/crasher.out" "crasher init" \
	"crasher on_process_forked record=$NA" "crasher init" \
	"crasher on_process_forked record=$NA"
what="the crash record after r3 (stopped cleanly, the crasher disabled)"
if [ -f "$STATE/crash-record" ]; then ok; else fail "no $STATE/crash-record"; fi
cp "$STATE/crash-record" "$tmp/record.r3"

# records LO HI: the lines of records LO <= r <= HI, on stdin.
records() {
	awk -v lo="$1" -v hi="$2" '{
		r = $0; sub(/^[^ ]+ [^ ]+ record=/, "", r); sub(/ .*$/, "", r)
		if (r + 0 >= lo && r + 0 <= hi) print
	}'
}
# live RUN SRC: the recorder's live record lines of SRC in RUN.
live() {
	norm "$tmp/$1.rec" "$2" | grep -E "$REC_LINE" | grep ' history=0 '
}
big=999999999
want a -1 | grep -E "$REC_LINE" >"$tmp/want.a"
want b -1 | grep -E "$REC_LINE" >"$tmp/want.b"
for r in r1 r2 r3; do
	live "$r" "$pa" >"$tmp/$r.a" || :
	live "$r" "$pb" >"$tmp/$r.b" || :
done
records "$K0" "$NA" <"$tmp/want.a" >"$tmp/want.r1.a"
records "$NA" "$NA" <"$tmp/want.a" >"$tmp/want.r2.a"
records "$NA" "$big" <"$tmp/want.a" >"$tmp/want.r3.a"
what="task a, live in r1"
check_file_eq "$tmp/want.r1.a" "$tmp/r1.a" "records $K0 to $NA"
what="task a, live in r2"
check_file_eq "$tmp/want.r2.a" "$tmp/r2.a" "record $NA alone"
what="task a, live in r3"
check_file_eq "$tmp/want.r3.a" "$tmp/r3.a" "records $NA to the end"
records "$KB" "$big" <"$tmp/want.b" >"$tmp/want.live.b"
cat "$tmp/r1.b" "$tmp/r2.b" "$tmp/r3.b" >"$tmp/all.b"
what="task b, live in r1, r2 and r3 together"
check_file_eq "$tmp/want.live.b" "$tmp/all.b" "records $KB to the end, each once"

# --- r4: a damaged record is ignored ---------------------------------------------
flip_byte "$STATE/crash-record" 20
: >"$tmp/crasher.out"
host_start r4 watch "$ROOT"
bg_wait r4 30
check_rc 139
check_stdout_empty
check_stderr "thermos-dispatch: warning: $STATE/crash-record: damaged crash record: ignored" \
	"$crash_line"
check_text "$tmp/crasher.out" "$tmp/crasher.out" "crasher init" \
	"crasher on_process_forked record=$NA"

# --- r5: another configuration re-enables the crasher ---------------------------
cp "$tmp/record.r3" "$STATE/crash-record"
config ABRT
: >"$tmp/crasher.out"
host_start r5 watch "$ROOT"
bg_wait r5 30
check_rc 134
check_stdout_empty
check_stderr "thermos-dispatch: crasher: crashed with SIGABRT in on_process_forked at $pa record $NA (byte $OFF)"
check_text "$tmp/crasher.out" "$tmp/crasher.out" "crasher init" \
	"crasher on_process_forked record=$NA"

# --- r6: without the crasher, the record is removed --------------------------------
unset TD_VALGRIND_LEAK_CHECK
ini cfg "[host]" "plugin_dir = $PLUG" "state_dir = $STATE" \
	"[plugin:rec]" "module = recorder"
host_start r6 watch "$ROOT"
if wait_rec "$tmp/r6.rec" "$(exp_count a "$na")" 20 "$pa"; then ok; else
	fail "r6: a not dispatched within 20 s"
fi
host_stop r6 TERM
check_rc 0
check_stdout_empty
check_stderr_empty
what="the crash record after r6 (no instance of its name)"
if [ -e "$STATE/crash-record" ]; then fail "$STATE/crash-record is still there"; else ok; fi

# --- r7: an unreadable record ----------------------------------------------------------
mkdir "$STATE/crash-record"
host_start r7 watch "$ROOT"
if wait_rec "$tmp/r7.rec" "$(exp_count a "$na")" 20 "$pa"; then ok; else
	fail "r7: a not dispatched within 20 s"
fi
host_stop r7 TERM
check_rc 0
check_stdout_empty
check_stderr "thermos-dispatch: warning: $STATE/crash-record: Is a directory: ignored"

# --- r8: a symbolic link is not followed ----------------------------------------------
rmdir "$STATE/crash-record"
ln -s "$tmp/record.r3" "$STATE/crash-record"
host_start r8 watch "$ROOT"
if wait_rec "$tmp/r8.rec" "$(exp_count a "$na")" 20 "$pa"; then ok; else
	fail "r8: a not dispatched within 20 s"
fi
host_stop r8 TERM
check_rc 0
check_stdout_empty
check_stderr "thermos-dispatch: warning: $STATE/crash-record: Too many levels of symbolic links: ignored"

# --- i1, i2, i3: crashes in init ------------------------------------------------------
TD_VALGRIND_LEAK_CHECK=no
export TD_VALGRIND_LEAK_CHECK
ini cfg "[host]" "plugin_dir = $PLUG" "state_dir = $tmp/state2" \
	"[plugin:rec]" "module = recorder" "[plugin:crasher]" "callback = init"
for r in i1 i2; do
	host_start "$r" tail --forever "$pa"
	bg_wait "$r" 30
	check_rc 139
	check_stdout_empty
	check_stderr "thermos-dispatch: crasher: crashed with SIGSEGV in init"
done
unset TD_VALGRIND_LEAK_CHECK
host_start i3 tail --forever "$pa"
if wait_rec "$tmp/i3.rec" "$(exp_count a "$na")" 20 "$pa"; then ok; else
	fail "i3: a not dispatched within 20 s"
fi
host_stop i3 TERM
check_rc 0
check_stdout_empty
check_stderr "thermos-dispatch: crasher: disabled at start: it crashed 2 times in a row with SIGSEGV in init; it stays disabled until its configuration changes or $tmp/state2/crash-record is removed"

finish
