#!/bin/sh
# Dispatch order and event fields (handler-abi.md "Dispatch order",
# "Stream lifecycle", "Data the callbacks receive"), seen by two instances
# of the recorder test plugin writing to one file:
#   init a, init b; per stream: on_stream_open a, b; per record: universal
#   a, b, then state-specific a, b (none for a header, none for an unknown
#   task state); on_stream_close a, b; after the last stream tick a, b once;
#   fini b, fini a.
# The expected lines are generated from the fixtures' expected event lines
# (which callbacks, the update fields, what the state readers must say) and
# the streams' dump (record and offset).  history is 0 in replay; task_id is
# the header's once seen ("" before), or the <id> of a .../checkpoints/<id>/
# runner path from record 0 on.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

rec=$tmp/rec
ini two "[host]" "plugin_dir = $PLUG" \
	"[plugin:a]" "module = recorder" "out = $rec" \
	"[plugin:b]" "module = recorder" "out = $rec"
two=$ini

# run_and_compare LABEL INSTANCES FILE...: replays the files with the
# configuration $cfg, compares the recorder's file with $expect (built by
# the caller, without init/tick/fini lines: added here).
run_and_compare() {
	rc_label=$1
	rc_inst=$2
	shift 2
	expect_flush
	: >"$rec"
	td -c "$cfg" replay "$@"
	check_rc 0
	check_stdout_empty
	check_stderr_empty
	newfile
	{
		for i in $rc_inst; do echo "$i init mode=1 keys=out checks=ok"; done
		cat "$expect"
		for i in $rc_inst; do echo "$i tick now=ok"; done
		rc_rev=
		for i in $rc_inst; do rc_rev="$i $rc_rev"; done
		for i in $rc_rev; do echo "$i fini"; done
	} >"$nf"
	rc_want=$nf
	newfile
	mask_close "$rec" >"$nf"
	check_file_eq "$rc_want" "$nf" "$rc_label: recorder lines"
}

# 1. Every Aurora fixture in one run, two instances.
expect=$tmp/expect.aurora
: >"$expect"
set --
for dir in "$AUR"/*/; do
	case_name=$(basename "$dir")
	f=$AUR/$case_name/runner
	dump_of "$f"
	expect_stream "$AUREXP/$case_name.events.jsonl" "$dumpf" "$f" "" "" a b
	set -- "$@" "$f"
done
cfg=$two
run_and_compare "aurora fixtures" "a b" "$@"

# Every record reached both instances, universal and specific callbacks:
# a sanity check of the generator itself (the lines were not all dropped).
n_univ=$(grep -c '^a on_\(initialization\|process_transition\|task_transition\) ' "$rec")
n_events=$(cat "$AUREXP"/*.events.jsonl | wc -l | tr -d ' ')
what="aurora fixtures: universal callbacks of a"
if [ "$n_univ" = "$n_events" ] && [ "$n_events" -gt 50 ]; then ok; else
	fail "want $n_events universal callbacks, got $n_univ"
fi
what="aurora fixtures: the records' history flag"
if grep -v ' history=0 ' "$rec" | grep -q ' record='; then
	fail "an event with history other than 0 in replay"
else ok; fi

# 2. The generated valid streams (names with control and non-ASCII bytes,
# several runs per process), and a stream made here with every task state
# (no fixture has a task LOST), one instance.
alltasks=$tmp/alltasks.jsonl
cat >"$alltasks" <<'EOF'
{"event":"task_transition","record":0,"state":"ACTIVE","task_status":{"state":"ACTIVE","timestamp_ms":1000,"runner_pid":10,"runner_uid":0}}
{"event":"initialization","record":1,"header":{"task_id":"all-task-states","launch_time_ms":999,"sandbox":"/s","hostname":"h","user":"u","ports":{"http":8080,"admin":9090}}}
{"event":"task_transition","record":2,"state":"CLEANING","task_status":{"state":"CLEANING","timestamp_ms":1002}}
{"event":"task_transition","record":3,"state":"FINALIZING","task_status":{"state":"FINALIZING","timestamp_ms":1003}}
{"event":"task_transition","record":4,"state":"SUCCESS","task_status":{"state":"SUCCESS","timestamp_ms":1004}}
{"event":"task_transition","record":5,"state":"FAILED","task_status":{"state":"FAILED"}}
{"event":"task_transition","record":6,"state":"KILLED","task_status":{"state":"KILLED","timestamp_ms":1006}}
{"event":"task_transition","record":7,"state":"LOST","task_status":{"state":"LOST","timestamp_ms":1007}}
EOF
alltasks_ckpt=$tmp/alltasks.ckpt
if ! "$TD" encode <"$alltasks" >"$alltasks_ckpt"; then
	echo "$test_name: ERROR: encode failed"
	exit 99
fi
expect=$tmp/expect.generated
: >"$expect"
dump_of "$alltasks_ckpt"
expect_stream "$alltasks" "$dumpf" "$alltasks_ckpt" "" "" solo
set -- "$alltasks_ckpt"
for f in "$GEN"/valid-*.ckpt; do
	base=${f%.ckpt}
	dump_of "$f"
	expect_stream "$base.events.jsonl" "$dumpf" "$f" "" "" solo
	set -- "$@" "$f"
done
ini solo "[host]" "plugin_dir = $PLUG" \
	"[plugin:solo]" "module = recorder" "out = $rec"
cfg=$ini
run_and_compare "generated streams" "solo" "$@"
# Every one of the 14 state-specific callbacks was seen at least once.
for cb in process_waiting process_forked process_running process_success \
	process_failed process_lost process_killed task_active task_cleaning \
	task_finalizing task_success task_failed task_killed task_lost; do
	what="generated streams: on_$cb called"
	if grep -q "^solo on_$cb " "$rec"; then ok; else fail "never called"; fi
done

# 3. A .../checkpoints/<id>/runner path: task_id from record 0 on, even
# before the header (which names another id).
mkdir -p "$tmp/root/checkpoints/xyz"
f=$tmp/root/checkpoints/xyz/runner
cp "$AUR/hello_world/runner" "$f"
expect=$tmp/expect.xyz
: >"$expect"
dump_of "$f"
expect_stream "$AUREXP/hello_world.events.jsonl" "$dumpf" "$f" xyz "" a b
cfg=$two
run_and_compare "checkpoints/xyz/runner" "a b" "$f"
what="checkpoints/xyz/runner: task_id"
if grep -v ' task_id=xyz ' "$rec" | grep -q ' record='; then
	fail "an event without task_id=xyz"
	show_file recorder "$rec"
else ok; fi

# 4. Standard input: source "-", one stream.
expect=$tmp/expect.stdin
: >"$expect"
dump_of "$AUR/ports/runner"
expect_stream "$AUREXP/ports.events.jsonl" "$dumpf" - "" "" a b
expect_flush
: >"$rec"
td_in "$AUR/ports/runner" -c "$two" replay -
check_rc 0
check_stderr_empty
newfile
{
	echo "a init mode=1 keys=out checks=ok"
	echo "b init mode=1 keys=out checks=ok"
	cat "$expect"
	echo "a tick now=ok"
	echo "b tick now=ok"
	echo "b fini"
	echo "a fini"
} >"$nf"
want=$nf
newfile
mask_close "$rec" >"$nf"
check_file_eq "$want" "$nf" "stdin: recorder lines"

# 5. An instance of the newer-minor test plugin (a table larger than this
# host knows) is loaded and its callbacks are called, in order with the
# others.
nm_out=$tmp/newer
ini newer "[host]" "plugin_dir = $PLUG" \
	"[plugin:newer_minor]" "out = $nm_out"
td -c "$ini" replay "$AUR/hello_world/runner" "$alltasks_ckpt"
check_rc 0
check_stderr_empty
hw_hdr=$("$TD" dump "$AUR/hello_world/runner" | "$JQ" -r 'select(.header) | .record')
hw_succ=$("$JQ" -r 'select(.event == "task_transition" and .state == "SUCCESS") | .record' "$AUREXP/hello_world.events.jsonl")
at_hdr=$("$JQ" -r 'select(.event == "initialization") | .record' "$alltasks")
at_succ=$("$JQ" -r 'select(.state == "SUCCESS") | .record' "$alltasks")
at_lost=$("$JQ" -r 'select(.state == "LOST") | .record' "$alltasks")
check_text "$nm_out" "newer_minor's file" \
	"newer_minor init" \
	"newer_minor on_initialization record=$hw_hdr" \
	"newer_minor on_task_success record=$hw_succ" \
	"newer_minor on_initialization record=$at_hdr" \
	"newer_minor on_task_success record=$at_succ" \
	"newer_minor on_task_lost record=$at_lost" \
	"newer_minor fini"

finish
