#!/bin/sh
# Stream errors as plugins see them (handler-abi.md "Stream lifecycle",
# cli-and-config.md "Exit status"), with two recorder instances:
#  - a stream that stops on an error: its events up to the failing record,
#    then on_stream_error (the failing record's index and offset, the
#    one-line reason) and on_stream_close, to each instance in order; exit
#    65; the other files of the same replay go on;
#  - an unknown task state: the universal callback only, no state-specific
#    one, and one warning line; exit 0.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

rec=$tmp/rec
ini two "[host]" "plugin_dir = $PLUG" \
	"[plugin:a]" "module = recorder" "out = $rec" \
	"[plugin:b]" "module = recorder" "out = $rec"
two=$ini

# with_frame FILE: the init lines, FILE, the tick and fini lines.
with_frame() {
	newfile
	{
		echo "a init mode=1 keys=out checks=ok"
		echo "b init mode=1 keys=out checks=ok"
		cat "$1"
		echo "a tick now=ok"
		echo "b tick now=ok"
		echo "b fini"
		echo "a fini"
	} >"$nf"
}

# 1. broken-seq_gap-0: the reason is known (checkpoint-format.md).
f=$GEN/broken-seq_gap-0.ckpt
e_rec=$(error_field "$GEN/broken-seq_gap-0.error.json" record)
e_off=$(error_field "$GEN/broken-seq_gap-0.error.json" offset)
reason="out of order sequence number 0 => 2"
expect=$tmp/expect.seq_gap
: >"$expect"
dump_of "$f"
expect_stream "$GEN/broken-seq_gap-0.events.jsonl" "$dumpf" "$f" "" \
	"{\"record\":$e_rec,\"offset\":$e_off,\"reason\":\"$reason\"}" a b
expect_flush
: >"$rec"
td -c "$two" replay "$f"
check_rc 65
check_stdout_empty
check_stderr "thermos-dispatch: $f: record $e_rec at byte $e_off: $reason"
with_frame "$expect"
want=$nf
newfile
mask_close "$rec" >"$nf"
check_file_eq "$want" "$nf" "seq_gap-0: recorder lines"

# 2. Every broken stream that must stop with an error, in one replay with a
# valid stream after each: each stops alone, the reason on_stream_error
# receives is the one printed (whose text is test-errors-generated.sh's
# business), and every later file is still dispatched.
set --
for err_json in "$GEN"/broken-*.error.json; do
	set -- "$@" "${err_json%.error.json}.ckpt" "$GEN/valid-00.ckpt"
done
: >"$rec"
td -c "$two" replay "$@"
check_rc 65
check_stdout_empty
expect=$tmp/expect.broken
: >"$expect"
dump_of "$GEN/valid-00.ckpt"
valid_dump=$dumpf
n_want=0
exec 3<"$err"
for err_json in "$GEN"/broken-*.error.json; do
	base=${err_json%.error.json}
	f=$base.ckpt
	e_rec=$(error_field "$err_json" record)
	e_off=$(error_field "$err_json" offset)
	n_want=$((n_want + 1))
	IFS= read -r line <&3 || line=
	reason=${line#"thermos-dispatch: $f: record $e_rec at byte $e_off: "}
	if [ "$reason" = "$line" ] || [ -z "$reason" ]; then
		fail "stderr line $n_want: want an error for $f at record $e_rec byte $e_off, got: $line"
		continue
	fi
	ok
	dump_of "$f"
	expect_stream "$base.events.jsonl" "$dumpf" "$f" "" \
		"{\"record\":$e_rec,\"offset\":$e_off,\"reason\":$(json_str "$reason")}" a b
	expect_stream "$GEN/valid-00.events.jsonl" "$valid_dump" "$GEN/valid-00.ckpt" "" "" a b
done
if IFS= read -r line <&3; then
	fail "stderr: more lines than streams, from: $line"
fi
exec 3<&-
expect_flush
with_frame "$expect"
want=$nf
newfile
mask_close "$rec" >"$nf"
check_file_eq "$want" "$nf" "every broken stream: recorder lines"
what="every broken stream: on_stream_error calls"
n_err=$(grep -c '^a on_stream_error ' "$rec")
if [ "$n_err" = "$n_want" ] && [ "$n_want" -ge 20 ]; then ok; else
	fail "want $n_want on_stream_error calls of a (at least 20), got $n_err"
fi

# 3. An unknown task state (42): universal callbacks only, one warning
# naming the record, exit 0.
for f in "$GEN"/broken-unknown_task_state-*.ckpt; do
	base=${f%.ckpt}
	expect=$tmp/expect.unknown
	: >"$expect"
	dump_of "$f"
	expect_stream "$base.events.jsonl" "$dumpf" "$f" "" "" a b
	expect_flush
	u_rec=$("$JQ" -r 'select(.state == "UNKNOWN_42") | .record' "$base.events.jsonl")
	u_off=$("$JQ" -r --argjson r "$u_rec" 'select(.record == $r) | .offset' "$dumpf")
	: >"$rec"
	td -c "$two" replay "$f"
	check_rc 0
	check_stdout_empty
	check_stderr "thermos-dispatch: warning: $f: record $u_rec at byte $u_off: unknown task state 42: task state handlers not called"
	with_frame "$expect"
	want=$nf
	newfile
	mask_close "$rec" >"$nf"
	check_file_eq "$want" "$nf" "$(basename "$f"): recorder lines"
	what="$(basename "$f"): record $u_rec"
	if grep "^[ab] on_task_[a-z]* record=$u_rec " "$rec" | grep -qv '^. on_task_transition '; then
		fail "a state-specific callback was called for the unknown state"
	else ok; fi
	if grep -q "^a on_task_transition record=$u_rec .* state=42 " "$rec"; then ok; else
		fail "no universal callback with state 42"
	fi
done

finish
