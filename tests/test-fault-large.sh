#!/bin/sh
# A stream over 4 GiB (issue 6): offsets past 2^32 in events, cursors and
# errors.  A 71-record stream from gen-stream (records 0..69: the task
# ACTIVE, its processes; record 70: the task's SUCCESS) gives the bodies.
# BIG holds records 0..69, each declared 64 MiB (the largest record the
# format allows): the record's bytes, then zeros up to 64 MiB, which the
# decoder ignores after the union's STOP.  The zeros are a hole, so BIG is
# sparse: 70 * (4 + 64 MiB) = 4697620760 bytes on a few kilobytes of disk.
# - tail --forever BIG with state_dir (the first run: history): every record
#   with its offset N * 67108868; SIGTERM, exit 0; the cursor says offset
#   4697620760, record 70.
# - record 70 appended as is; tail --linger 0 BIG, same state_dir: records
#   0..69 history, record 70 live at offset 4697620760; exit 0 (the task
#   ended); the cursor at the new end, record 71.
# - replay BIG: every record live, offsets as above; state --json BIG gives
#   the state of the compact stream.
# - an undecodable record appended: replay exits 65 with `record 71 at
#   byte 4697620XXX: ...`, the 64-bit offset.
# Each run reads 4.4 GiB of zeros from the page cache: a few seconds.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"

NBIG=70
STEP=$((4 + LIMIT))
END70=$((NBIG * STEP))

compact=$tmp/compact.ckpt
"$GEN_STREAM" -n $((NBIG + 1)) -p 4 -s 5 "$compact" >/dev/null || exit 99

# --- BIG: records 0..69, each padded to 64 MiB with a hole -----------------------
BIG=$tmp/big.ckpt
: >"$BIG"
prev=$("$FH" offset "$compact" 0) || exit 99
i=0
while [ "$i" -lt "$NBIG" ]; do
	next=$("$FH" offset "$compact" $((i + 1))) || exit 99
	{
		printf '\004\000\000\000'
		tail -c +$((prev + 5)) "$compact" | head -c $((next - prev - 4))
	} >>"$BIG" || exit 99
	if ! "$FH" truncate "$BIG" $(((i + 1) * STEP)) 2>/dev/null; then
		echo "$test_name: SKIP: no sparse file of $END70 bytes here"
		exit 77
	fi
	prev=$next
	i=$((i + 1))
done
rec70_off=$prev
size=$(file_size "$BIG")
what="the sparse stream"
if [ "$size" -eq "$END70" ] && [ "$END70" -gt 4294967296 ]; then ok; else
	fail "BIG is $size bytes, want $END70 (over 4 GiB)"
fi

# The expected recorder lines of BIG as SRC: those of the compact stream,
# record N at offset N * STEP.
expect_big() {
	expect_of "$1" "$2" "$BIG" ""
	awk -v step="$STEP" '{
		if (match($0, / record=[0-9]+ offset=[0-9]+ /)) {
			r = substr($0, RSTART + 8); sub(/ .*$/, "", r)
			sub(/ offset=[0-9]+ /, sprintf(" offset=%.0f ", r * step))
		}
		print
	}' "$tmp/$1.exp" >"$tmp/$1.exp2" && mv "$tmp/$1.exp2" "$tmp/$1.exp"
}
head -c "$rec70_off" "$compact" >"$tmp/c70.ckpt"
expect_big c70 "$tmp/c70.ckpt"
expect_big c71 "$compact"

# cursor_is LABEL OFFSET INDEX: the one cursor in $tmp/state holds OFFSET
# and INDEX (in its newer slot: follow-lib.sh's cursor_pos).
cursor_is() {
	what="$1"
	ci_file=
	for f in "$tmp/state"/*; do
		case $f in */host-ran) ;; *) ci_file=$f ;; esac
	done
	if [ -z "$ci_file" ]; then
		fail "no cursor in the state directory"
		return
	fi
	ci_got=$(cursor_pos "$ci_file" | cut -d' ' -f1-2)
	if [ "$ci_got" = "$2 $3" ]; then ok; else
		fail "cursor (offset index): want '$2 $3', got '$ci_got'"
	fi
}

# --- tail --forever, the first run --------------------------------------------
mkdir "$tmp/state"
host_start t1 -o "host.state_dir=$tmp/state" tail --forever "$BIG"
if wait_rec "$tmp/t1.rec" "$(exp_count c70 "$NBIG")" 60; then ok; else
	fail "$NBIG records not dispatched within 60 s"
fi
host_stop t1 TERM
check_rc 0
check_stderr_empty
check_stream "tail, the first run" "$tmp/t1.rec" "$BIG" c70 "$NBIG"
cursor_is "the cursor after the first run" "$END70" "$NBIG"

# --- record 70 appended; tail again, the cursor past 4 GiB -----------------------
tail -c +$((rec70_off + 1)) "$compact" >>"$BIG" || exit 99
END71=$(file_size "$BIG")
run_fg t2 60 -c "$ini" -o "rec.out=$tmp/t2.rec" \
	-o "host.state_dir=$tmp/state" tail --linger 0 "$BIG"
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame "tail, the second run" "$tmp/t2.rec" "$MODE_TAIL"
check_stream "tail, the second run (a cursor past 4 GiB)" "$tmp/t2.rec" "$BIG" c71 "$NBIG" cursor
what="tail, the second run: record 70"
if grep -q -E "^rec on_task_transition record=$NBIG offset=$END70 history=0 " "$tmp/t2.rec"; then ok; else
	fail "no live on_task_transition of record $NBIG at offset $END70"
fi
cursor_is "the cursor after the second run" "$END71" $((NBIG + 1))

# --- replay and state ------------------------------------------------------------
: >"$tmp/r.rec"
td -c "$ini" -o "rec.out=$tmp/r.rec" replay "$BIG"
check_rc 0
check_stdout_empty
check_stderr_empty
check_stream "replay" "$tmp/r.rec" "$BIG" c71 0

td state --json "$compact"
want_state=$out
td state --json "$BIG"
check_rc 0
check_stderr_empty
json_eq "$want_state" "$out" "state --json of BIG (that of the compact stream)"

# --- an error past 4 GiB -----------------------------------------------------------
printf '\000\000\000\003\377\000\001' >>"$BIG"
td -c "$ini" -o "rec.out=$tmp/e.rec" replay "$BIG"
check_rc 65
check_stdout_empty
check_stderr "thermos-dispatch: $BIG: record $((NBIG + 1)) at byte $END71: undecodable record: unknown type 255"

finish
