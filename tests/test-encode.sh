#!/bin/sh
# `encode` on its own: empty input, hand-written record and event lines
# (dump gives them back; state reads the stream), and bad lines (exit 65,
# `thermos-dispatch: stdin: line N: REASON`).
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

td_in /dev/null encode
check_rc 0
check_stderr_empty
check_stdout_empty

# Records as dump prints them (offsets are ignored on input).
cat >"$tmp/in.jsonl" <<'EOF2'
{"record": 0, "offset": 0, "header": {"task_id": "t", "ports": {"http": 8080}, "launch_time_ms": 1600000000000}}
{"record": 1, "offset": 99, "task_status": {"state": "ACTIVE", "timestamp_ms": 1600000000001}}
{"record": 2, "offset": 999, "process_status": {"seq": 0, "process": "p", "state": "WAITING"}}
{"record": 3, "offset": 9999, "process_status": {"seq": 1, "process": "p", "state": "FORKED", "fork_time": 1.5, "coordinator_pid": 7}}
EOF2
td_in "$tmp/in.jsonl" encode
check_rc 0
check_stderr_empty
cp "$out" "$tmp/enc.bin"
td dump "$tmp/enc.bin"
check_rc 0
check_stderr_empty
check_dump_shape "$out" 4
jsonl_eq "$tmp/in.jsonl" "$out" "dump of encode" nooffset
td state --json "$tmp/enc.bin"
check_rc 0
check_stderr_empty
check_stdout_json_text '{"header": {"task_id": "t", "ports": {"http": 8080}, "launch_time_ms": 1600000000000},
 "statuses": [{"state": "ACTIVE", "timestamp_ms": 1600000000001}],
 "processes": {"p": [{"seq": 1, "process": "p", "state": "FORKED", "fork_time": 1.5, "coordinator_pid": 7}]}}'

# Event lines: the update member is taken, the rest ignored.
cat >"$tmp/ev.jsonl" <<'EOF2'
{"event": "initialization", "record": 0, "offset": 0, "header": {"task_id": "t"}, "task_id": "t", "source": "x", "history": false}
{"event": "process_transition", "record": 1, "state": "WAITING", "process_status": {"seq": 0, "process": "p", "state": "WAITING"}, "history": false}
EOF2
td_in "$tmp/ev.jsonl" encode
check_rc 0
check_stderr_empty
cp "$out" "$tmp/enc.bin"
td state --json "$tmp/enc.bin"
check_rc 0
check_stderr_empty
check_stdout_json_text '{"header": {"task_id": "t"}, "processes": {"p": [{"seq": 0, "process": "p", "state": "WAITING"}]}}'

# Bad lines: the line number of the first bad one.
printf 'not json\n' >"$tmp/bad1"
td_in "$tmp/bad1" encode
check_rc 65
check_stderr_prefix "thermos-dispatch: stdin: line 1: "

printf '%s\n' '{"record": 0, "offset": 0, "header": {"task_id": "t"}}' '{"record": 1, "offset": 17, "task_status": ' >"$tmp/bad2"
td_in "$tmp/bad2" encode
check_rc 65
check_stderr_prefix "thermos-dispatch: stdin: line 2: "

printf '%s\n' '{"record": 0, "offset": 0, "header": {"task_id": "t"}}' '{"record": 1, "offset": 17, "task_status": {"state": "NOPE"}}' >"$tmp/bad3"
td_in "$tmp/bad3" encode
check_rc 65
check_stderr_prefix "thermos-dispatch: stdin: line 2: "

printf '%s\n' '[1, 2]' >"$tmp/bad4"
td_in "$tmp/bad4" encode
check_rc 65
check_stderr_prefix "thermos-dispatch: stdin: line 1: "

finish
