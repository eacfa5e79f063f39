#!/bin/sh
# SIGHUP reopens the logger's output file (log rotation: `mv log log.1`,
# then SIGHUP), losing and repeating no line.  `replay A B` of two FIFOs the
# test writes to, with `output = LOG`:
# 1. stream A, whole; at its end the plugin flushes, so LOG holds A's lines
#    (waited for); then `mv LOG LOG.1` and SIGHUP: the host reopens before
#    B's first record, so LOG is created again;
# 2. stream B in two parts, split with dump | head/tail | encode: part 1,
#    `mv LOG LOG.2`, SIGHUP, part 2, end.  The reopen comes between two
#    records; the lines buffered before it are flushed to the old file first.
# Then LOG.1 is exactly A's lines, LOG.2 then LOG exactly B's, each part
# non-empty; a second instance on stdout saw everything; exit 0, no stderr.
# 3. the same with the output's directory renamed away before the SIGHUP:
#    the reopen fails (logged; a warning under on_error = continue) and every
#    line goes on to the old file.
# Every wait is bounded (5 s); the whole test takes well under a second.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

PLUGDIR=$top_builddir/plugins/logger/.libs
if [ ! -f "$PLUGDIR/logger.so" ]; then
	printf '%s: ERROR: plugin not built: %s\n' "$test_name" "$PLUGDIR/logger.so"
	exit 99
fi
if ! mkfifo "$tmp/A" "$tmp/B"; then
	printf '%s: SKIP: mkfifo failed\n' "$test_name"
	exit 77
fi
LOG=$tmp/log
printf '[host]\nplugin_dir = %s\n\n[plugin:logger]\nformat = json\noutput = %s\n\n[plugin:echo]\nmodule = logger\nformat = json\n' \
	"$PLUGDIR" "$LOG" >"$tmp/logger.ini"

STREAM_A=$AUR/hello_world/runner
# B: a generated stream, re-encoded in two parts (split with dump | head and
# tail | encode: the first half of its records, then the rest); the whole
# of B is the two parts one after the other.
"$TD" dump "$GEN/valid-02.ckpt" >"$tmp/b.dump" || exit 99
nb=$(wc -l <"$tmp/b.dump" | tr -d ' ')
half=$((nb / 2))
head -n "$half" "$tmp/b.dump" | "$TD" encode >"$tmp/b1" || exit 99
tail -n +"$((half + 1))" "$tmp/b.dump" | "$TD" encode >"$tmp/b2" || exit 99
STREAM_B=$tmp/b.ckpt
cat "$tmp/b1" "$tmp/b2" >"$STREAM_B"
what="B's parts"
if [ "$half" -ge 4 ] && [ -s "$tmp/b2" ]; then ok; else fail "B too short: $nb records"; fi

# wait_for CONDITION...: polls (every 20 ms, 20 s times TD_TIME_SCALE at most) until the shell
# command CONDITION succeeds; returns 1 on timeout.
wait_for() {
	wf_n=0
	while ! eval "$*"; do
		wf_n=$((wf_n + 1))
		[ "$wf_n" -ge $((1000 * ${TD_TIME_SCALE:-1})) ] && return 1
		sleep 0.02
	done
	return 0
}
lines_of() { wc -l <"$1" 2>/dev/null | tr -d ' '; }

newfile
out=$nf.out
err=$nf.err
what="replay of two FIFOs with SIGHUPs"
"$TD" -c "$tmp/logger.ini" replay "$tmp/A" "$tmp/B" >"$out" 2>"$err" </dev/null &
pid=$!
# Whatever happens below, the host does not outlive the test.
trap 'kill "$pid" 2>/dev/null; chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

abandon() {
	fail "$@"
	kill "$pid" 2>/dev/null
	show_file stderr "$err"
	finish
}

# The output file is created by init; signals are handled from then on.
wait_for '[ -f "$LOG" ]' || abandon "the output file was not created"

# Stream A.  Opening a FIFO read-write does not block (Linux), so a host
# that died cannot hang the test; closing it is the end of the stream.
exec 3<>"$tmp/A"
cat "$STREAM_A" >&3
exec 3>&-
wait_for '[ "$(lines_of "$LOG")" = 7 ]' || abandon "want A's 7 lines in $LOG after its end, got $(lines_of "$LOG")"
mv "$LOG" "$LOG.1"
kill -HUP "$pid" || abandon "the host is gone"

# Stream B, part 1.  The host reopens (creating LOG again) before B's first
# record; the reopen for the second SIGHUP can only come after a record.
exec 3<>"$tmp/B"
cat "$tmp/b1" >&3
wait_for '[ -f "$LOG" ]' || abandon "SIGHUP did not recreate $LOG"
mv "$LOG" "$LOG.2"
kill -HUP "$pid" || abandon "the host is gone"
# Part 2, then the end.
cat "$tmp/b2" >&3
exec 3>&-

wait_for '! kill -0 "$pid" 2>/dev/null' || abandon "the host did not finish"
wait "$pid"
rc=$?
check_rc 0
check_stderr_empty

# What each part should hold: plain replays of the same bytes (source is
# the FIFO's path, so compare without it).
ref() {
	# ref FILE: replay FILE's lines, source dropped, into $nf.
	newfile
	"$TD" -c "$tmp/logger.ini" -o logger.output=- -o echo.enabled=no replay "$1" 2>/dev/null |
		"$JQ" -c 'del(.source)' >"$nf"
}
ref "$STREAM_A"
want_a=$nf
ref "$STREAM_B"
want_b=$nf
newfile
"$JQ" -c 'del(.source)' "$LOG.1" >"$nf"
got_a=$nf
newfile
cat "$LOG.2" "$LOG" | "$JQ" -c 'del(.source)' >"$nf"
got_b=$nf
jsonl_eq "$want_a" "$got_a" "$LOG.1 (A before the first SIGHUP)"
jsonl_eq "$want_b" "$got_b" "$LOG.2 then $LOG (B around the second SIGHUP)"
what="the second rotation"
n2=$(lines_of "$LOG.2")
n3=$(lines_of "$LOG")
if [ "$n2" -ge 1 ] && [ "$n3" -ge 1 ]; then
	ok
else
	fail "want lines both before and after the reopen: $n2 in $LOG.2, $n3 in $LOG"
fi
jq_check "$LOG.1" 'all(.[]; .source == "'"$tmp/A"'")' "$LOG.1: want source $tmp/A"
jq_check "$LOG" 'all(.[]; .source == "'"$tmp/B"'")' "$LOG: want source $tmp/B"

# The instance on stdout is not affected by SIGHUP: every line, in order.
newfile
cat "$want_a" "$want_b" >"$nf"
want_all=$nf
newfile
"$JQ" -c 'del(.source)' "$out" >"$nf"
jsonl_eq "$want_all" "$nf" "stdout instance"

# A reopen that fails (the directory was renamed away): logged, a callback
# error (on_error = continue: a warning), and the lines go on to the old
# file.  Same two-FIFO sequence, on new FIFOs.
mkfifo "$tmp/C" "$tmp/D" || exit 99
mkdir "$tmp/dir"
newfile
out=$nf.out
err=$nf.err
what="replay of two FIFOs, reopen failing"
"$TD" -c "$tmp/logger.ini" -o logger.output="$tmp/dir/log" -o echo.enabled=no \
	replay "$tmp/C" "$tmp/D" >"$out" 2>"$err" </dev/null &
pid=$!
wait_for '[ -f "$tmp/dir/log" ]' || abandon "the output file was not created"
exec 3<>"$tmp/C"
cat "$STREAM_A" >&3
exec 3>&-
wait_for '[ "$(lines_of "$tmp/dir/log")" = 7 ]' || abandon "want A's 7 lines in $tmp/dir/log"
mv "$tmp/dir" "$tmp/dir.old"
kill -HUP "$pid" || abandon "the host is gone"
exec 3<>"$tmp/D"
cat "$STREAM_B" >&3
exec 3>&-
wait_for '! kill -0 "$pid" 2>/dev/null' || abandon "the host did not finish"
wait "$pid"
rc=$?
check_rc 70
check_stdout_empty
check_stderr "thermos-dispatch: logger: reopen $tmp/dir/log: No such file or directory (still writing to the old file)" \
	"thermos-dispatch: warning: logger: reopen failed" \
	"thermos-dispatch: logger: 1 callback failed"
newfile
"$JQ" -c 'del(.source)' "$tmp/dir.old/log" >"$nf"
got_all=$nf
jsonl_eq "$want_all" "$got_all" "the old file after a failed reopen"
what="no new directory"
if [ -e "$tmp/dir" ]; then fail "$tmp/dir exists"; else ok; fi

finish
