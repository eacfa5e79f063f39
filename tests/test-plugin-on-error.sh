#!/bin/sh
# on_error (cli-and-config.md): instance a of the recorder fails in
# on_process_running (fail_on), instance b does not.
#  - continue: every callback still reaches a; a warning naming the
#    instance, the callback and the record, at most one a second per
#    instance (many failures within a second: one line; after a pause of
#    more than a second the next line counts those left out); at the end
#    one line saying how many of a's callbacks failed, and exit 70 (as
#    `make -k` finishes what it can and still fails).
#  - disable: one error line; a gets nothing after the failing call but
#    fini (no later record, stream, tick); b goes on; the count line; exit
#    70.
#  - abort: one error line; nothing after the failing call (not b's
#    callback for the same record, no later record or stream, no tick) but
#    closing the open stream and fini of every instance, in reverse; exit 70.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

rec=$tmp/rec
# A stream with many RUNNING transitions, and a second one.
s1=$GEN/valid-06.ckpt
s1_events=$GEN/valid-06.events.jsonl
s2=$AUR/hello_world/runner
s2_events=$AUREXP/hello_world.events.jsonl
dump_of "$s1"
s1_dump=$dumpf
dump_of "$s2"
s2_dump=$dumpf
running=$("$JQ" -r 'select(.event == "process_transition" and .state == "RUNNING") | .record' "$s1_events" | tr '\n' ' ')
set -- $running
first=$1
n_running=$#
if [ $# -lt 5 ]; then
	echo "$test_name: ERROR: $s1 has fewer than 5 RUNNING transitions"
	exit 99
fi

config() {
	ini "$1" "[host]" "plugin_dir = $PLUG" \
		"[plugin:a]" "module = recorder" "out = $rec" \
		"fail_on = on_process_running" "on_error = $1" \
		"[plugin:b]" "module = recorder" "out = $rec"
}

# The lines without any failure (init lines apart: a's has two keys).
expect=$tmp/expect.full
: >"$expect"
expect_stream "$s1_events" "$s1_dump" "$s1" "" "" a b
expect_stream "$s2_events" "$s2_dump" "$s2" "" "" a b
expect_flush
full=$expect
init_a="a init mode=1 keys=out,fail_on checks=ok"
init_b="b init mode=1 keys=out checks=ok"

# --- continue ---------------------------------------------------------------
config continue
: >"$rec"
td -c "$ini" replay "$s1" "$s2"
check_rc 70
check_stdout_empty
# All failures of s1 come within a second (a replay of 70 records): one
# line; s2's single failure comes within that second too, and the count
# at the end says how many the rate limit left out.
check_stderr "thermos-dispatch: warning: a: on_process_running failed at $s1 record $first" \
	"thermos-dispatch: a: $((n_running + 1)) callbacks failed ($n_running not logged: at most one line a second)"
newfile
{
	echo "$init_a"
	echo "$init_b"
	cat "$full"
	printf '%s\n' "a tick now=ok" "b tick now=ok" "b fini" "a fini"
} >"$nf"
want=$nf
newfile
mask_close "$rec" >"$nf"
check_file_eq "$want" "$nf" "continue: recorder lines"

# After a pause of more than a second, the next failure is logged again,
# with the count of those left out.  The stream comes on standard input in
# two parts: up to the third RUNNING record, then, 1.2 s after the host
# has dispatched the second (however slowly it starts), the rest.
second=$2
third=$3
split=$("$JQ" -r --argjson r "$third" 'select(.record == $r) | .offset' "$s1_dump")
newfile
part1=$nf
newfile
part2=$nf
head -c "$split" "$s1" >"$part1"
tail -c +"$((split + 1))" "$s1" >"$part2"
what="(continue, a pause) thermos-dispatch replay -"
newfile
out=$nf.out
err=$nf.err
: >"$rec"
{
	cat "$part1"
	i=0
	while ! grep -q "^a on_process_running record=$second " "$rec" && [ "$i" -lt 600 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep 1.2
	cat "$part2"
} | "$TD" -c "$ini" replay - >"$out" 2>"$err"
rc=$?
check_rc 70
check_stderr \
	"thermos-dispatch: warning: a: on_process_running failed at - record $first" \
	"thermos-dispatch: warning: a: on_process_running failed at - record $third (and 1 more failures)" \
	"thermos-dispatch: a: $n_running callbacks failed ($((n_running - 3)) not logged: at most one line a second)"
what="(continue, a pause): recorder lines"
n=$(grep -c '^a on_process_running ' "$rec")
if [ "$n" = "$n_running" ]; then ok; else
	fail "want every on_process_running of s1 called, got $n"
fi

# --- disable ----------------------------------------------------------------
config disable
: >"$rec"
td -c "$ini" replay "$s1" "$s2"
check_rc 70
check_stdout_empty
check_stderr "thermos-dispatch: a: on_process_running failed at $s1 record $first; instance disabled (on_error = disable)" \
	"thermos-dispatch: a: 1 callback failed"
newfile
{
	echo "$init_a"
	echo "$init_b"
	# a's lines stop after its first on_process_running.
	awk 'off && /^a / { next } { print } /^a on_process_running / { off = 1 }' "$full"
	printf '%s\n' "b tick now=ok" "b fini" "a fini"
} >"$nf"
want=$nf
newfile
mask_close "$rec" >"$nf"
check_file_eq "$want" "$nf" "disable: recorder lines"

# --- abort ------------------------------------------------------------------
config abort
newfile
s1_upto=$nf
"$JQ" -c --argjson r "$first" 'select(.record <= $r)' "$s1_events" >"$s1_upto"
expect=$tmp/expect.abort
: >"$expect"
expect_stream "$s1_upto" "$s1_dump" "$s1" "" "" a b
expect_flush
: >"$rec"
td -c "$ini" replay "$s1" "$s2"
check_rc 70
check_stdout_empty
check_stderr "thermos-dispatch: a: on_process_running failed at $s1 record $first; aborting (on_error = abort)"
newfile
{
	echo "$init_a"
	echo "$init_b"
	# b's on_process_running of the failing record is not called; the
	# stream is closed; s2 is never opened; no tick.
	grep -v "^b on_process_running record=$first " "$expect"
	printf '%s\n' "b fini" "a fini"
} >"$nf"
want=$nf
newfile
mask_close "$rec" >"$nf"
check_file_eq "$want" "$nf" "abort: recorder lines"

# abort from a failing on_stream_open: nothing of the stream, no tick.
ini abort_open "[host]" "plugin_dir = $PLUG" \
	"[plugin:a]" "module = recorder" "out = $rec" \
	"[plugin:b]" "module = recorder" "out = $rec" \
	"fail_on = on_stream_open" "on_error = abort"
: >"$rec"
td -c "$ini" replay "$s2" "$s1"
check_rc 70
check_stdout_empty
check_stderr "thermos-dispatch: b: on_stream_open failed at $s2 record 0; aborting (on_error = abort)"
what="abort in on_stream_open: recorder lines"
got=$(cut -d' ' -f1-2 "$rec" | tr '\n' ',')
want="a init,b init,a on_stream_open,b on_stream_open,a on_stream_close,b on_stream_close,b fini,a fini,"
if [ "$got" = "$want" ]; then ok; else
	fail "want $want" "got  $got"
fi

# --- continue, in tail ------------------------------------------------------
# tail finishes the task and, like replay, exits 70 after saying how many
# callbacks failed.
config continue
: >"$rec"
td -c "$ini" tail --linger 0 "$s2"
check_rc 70
check_stdout_empty
check_stderr "thermos-dispatch: warning: a: on_process_running failed at $s2 record $(
	"$JQ" -r 'select(.event == "process_transition" and .state == "RUNNING") | .record' "$s2_events" | head -n 1)" \
	"thermos-dispatch: a: 1 callback failed"

# --- the bundled logger writing to a full device ------------------------------
# Every write fails (the logger's output is flushed when the stream
# closes): replay and tail finish, say how many callbacks failed, exit 70.
LOGGER_DIR=$top_builddir/plugins/logger/.libs
for cmd in replay "tail --linger 0"; do
	what="thermos-dispatch $cmd $s2 >/dev/full"
	newfile
	err=$nf.err
	"$TD" -c /dev/null -o "host.plugin_dir=$LOGGER_DIR" -o logger.module=logger \
		$cmd "$s2" </dev/null >/dev/full 2>"$err"
	rc=$?
	check_rc 70
	check_stderr "thermos-dispatch: logger: write to stdout: No space left on device" \
		"thermos-dispatch: warning: logger: on_stream_close failed at $s2 record $(
			"$JQ" -r '.record' "$s2_dump" | tail -n 1)" \
		"thermos-dispatch: logger: 1 callback failed"
done

finish
