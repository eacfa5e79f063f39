#!/bin/sh
# `encode`'s reading of lines: the exact bytes of a record, values at the
# edges of their types, blank and CRLF lines, and the one-line reason for
# each kind of bad line (exit 65, the records before it written).
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

# The exact bytes: fields in the IDL's order, only those present.
printf '%s\n' '{"task_status": {"runner_pid": 16909060, "state": "KILLED"}}' >"$tmp/in"
td_in "$tmp/in" encode
check_rc 0
check_stderr_empty
hexbytes '00000013 0c0003 080001 00000003 080003 01020304 00 00' >"$tmp/want"
if cmp -s "$tmp/want" "$out"; then ok; else
	what="encode of one task status"
	fail "bytes differ from the expected record"
fi

# An empty union, and an empty object per struct: all are records.
printf '%s\n' '{}' '{"header": {}, "task_status": {}, "process_status": {}}' >"$tmp/in"
td_in "$tmp/in" encode
check_rc 0
hexbytes '00000001 00  0000000d 0c0001 00 0c0002 00 0c0003 00 00' >"$tmp/want"
if cmp -s "$tmp/want" "$out"; then ok; else
	what="encode of empty structs"
	fail "bytes differ from the expected records"
fi

# Values at the edges, through encode and dump.
cat >"$tmp/edge.jsonl" <<'EOF2'
{"record": 0, "process_status": {"seq": -9223372036854775808, "pid": 2147483647, "return_code": -2147483648, "coordinator_pid": 0, "state": "UNKNOWN_-7", "fork_time": -0, "start_time": 1e-320, "stop_time": 1.7976931348623157e308, "process": "caf\u00e9 \ud83d\ude00 \"q\" \\ \t"}}
{"record": 1, "task_status": {"state": "UNKNOWN_2147483647", "timestamp_ms": 9223372036854775807, "runner_pid": -1, "runner_uid": -2147483648}}
{"record": 2, "header": {"task_id": "", "ports": {}, "uid": 0, "launch_time_ms": 0, "sandbox": "s", "log_dir": "l", "hostname": "h", "user": "u"}}
{"record": 3, "header": {"ports": {"a": 1, "b": -9223372036854775808, "": 9223372036854775807}}}
EOF2
td_in "$tmp/edge.jsonl" encode
check_rc 0
check_stderr_empty
cp "$out" "$tmp/edge.bin"
td dump "$tmp/edge.bin"
check_rc 0
check_stderr_empty
check_dump_shape "$out" 4
jsonl_eq "$tmp/edge.jsonl" "$out" "dump of encode (edges)" nooffset

# Doubles: any JSON number, null as NaN (which dump shows as null); a
# big integer literal in a double field is read as a double.
printf '%s\n' '{"process_status": {"fork_time": null, "start_time": 12, "stop_time": 100000000000000000000000}}' >"$tmp/in"
td_in "$tmp/in" encode
check_rc 0
cp "$out" "$tmp/d.bin"
td dump "$tmp/d.bin"
check_rc 0
printf '%s\n' '{"record": 0, "process_status": {"fork_time": null, "start_time": 12, "stop_time": 1e23}}' >"$tmp/want"
jsonl_eq "$tmp/want" "$out" "doubles" nooffset

# Blank lines are skipped but counted; CRLF and a last line without its
# newline are fine.
printf '\n  \t\n{"header": {"task_id": "t"}}\r\n\r\n{"task_status": {"state": "ACTIVE"}}' >"$tmp/in"
td_in "$tmp/in" encode
check_rc 0
check_stderr_empty
cp "$out" "$tmp/b.bin"
td dump "$tmp/b.bin"
check_rc 0
check_dump_shape "$out" 2

# bad LINE REASON: after a good line, LINE fails with REASON on line 2; the
# first line's record (5 bytes: an empty union) is already out.
bad() {
	printf '%s\n' '{}' "$1" >"$tmp/bad"
	td_in "$tmp/bad" encode
	what="encode of: $1"
	check_rc 65
	check_stderr "thermos-dispatch: stdin: line 2: $2"
	if [ "$(file_size "$out")" = 5 ]; then ok; else
		fail "stdout: $(file_size "$out") bytes, want 5 (the first record)"
	fi
}

bad 'not json' 'invalid JSON at column 1: expected a value'
bad '{"header": {}} x' 'invalid JSON at column 16: unexpected text after the value'
bad '{"header": {}}{}' 'invalid JSON at column 15: unexpected text after the value'
bad "{'header': {}}" 'invalid JSON at column 2: expected a member name'
bad '{"task_status": {"runner_pid": 01}}' "invalid JSON at column 33: expected ',' or '}'"
bad '{"task_status": {"runner_pid": 1,}}' 'invalid JSON at column 34: expected a member name'
bad '/* c */ {}' 'invalid JSON at column 1: expected a value'
bad '{"header": {"task_id": "\ud800"}}' 'invalid JSON at column 25: unpaired surrogate in a \u escape'
bad '{"header": {"task_id": "\x"}}' 'invalid JSON at column 25: invalid escape in a string'
bad '{"header": {"task_id": "\u12"}}' 'invalid JSON at column 25: invalid \u escape'
bad '{"header": {"task_id": "\udc00"}}' 'invalid JSON at column 25: unpaired surrogate in a \u escape'
bad '{"header": {"task_id": "a'"$(printf '\t')"'b"}}' 'invalid JSON at column 26: control character in a string'
bad '{"header": {"task_id": "ab' 'invalid JSON at column 27: unterminated string'
bad '{"header": {"task_id": 1e}}' 'invalid JSON at column 26: invalid number'
bad '{"header": {"task_id": -}}' 'invalid JSON at column 25: invalid number'
bad '{"header": {"task_id": tru}}' 'invalid JSON at column 24: expected a value'
bad '{"header" {}}' "invalid JSON at column 11: expected ':'"
bad '{"a": [1 2]}' "invalid JSON at column 10: expected ',' or ']'"
bad "$(i=0; while [ $i -lt 65 ]; do printf '['; i=$((i + 1)); done)" 'invalid JSON at column 65: nesting deeper than 64'
bad '[1, 2]' 'expected a JSON object'
bad '"x"' 'expected a JSON object'
bad '{"proces_status": {}}' "unknown member 'proces_status'"
bad '{"process_status": {"pidd": 1}}' "process_status: unknown member 'pidd'"
bad '{"header": {"ports": {"a": 1}, "port": {}}}' "header: unknown member 'port'"
bad '{"process_status": []}' 'process_status: expected an object'
bad '{"header": null}' 'header: expected an object'
bad '{"process_status": {"pid": 1.0}}' 'process_status.pid: expected an integer'
bad '{"process_status": {"pid": 1e3}}' 'process_status.pid: expected an integer'
bad '{"process_status": {"pid": "1"}}' 'process_status.pid: expected an integer'
bad '{"process_status": {"pid": null}}' 'process_status.pid: expected an integer'
bad '{"process_status": {"pid": true}}' 'process_status.pid: expected an integer'
bad '{"process_status": {"pid": 2147483648}}' 'process_status.pid: 2147483648 is out of range for int32'
bad '{"task_status": {"runner_uid": -2147483649}}' 'task_status.runner_uid: -2147483649 is out of range for int32'
bad '{"process_status": {"seq": 9223372036854775808}}' 'process_status.seq: 9223372036854775808 is out of range for int64'
bad '{"task_status": {"timestamp_ms": -9223372036854775809}}' 'task_status.timestamp_ms: -9223372036854775809 is out of range for int64'
bad '{"process_status": {"seq": 1, "seq": 18446744073709551616}}' 'process_status.seq: 18446744073709551616 is out of range for int64'
bad '{"process_status": {"fork_time": "1"}}' 'process_status.fork_time: expected a number or null'
bad '{"process_status": {"process": 1}}' 'process_status.process: expected a string'
bad '{"process_status": {"process": "a\u0000b"}}' 'process_status.process: U+0000 in a string is not supported'
bad '{"process_status": {"state": "RUNING"}}' "process_status.state: unknown process state 'RUNING'"
bad '{"process_status": {"state": 2}}' 'process_status.state: expected a process state name'
bad '{"process_status": {"state": "UNKNOWN_2147483648"}}' "process_status.state: unknown process state 'UNKNOWN_2147483648'"
bad '{"task_status": {"state": "RUNNING"}}' "task_status.state: unknown task state 'RUNNING'"
bad '{"header": {"ports": []}}' 'header.ports: expected an object from name to port'
bad '{"header": {"ports": {"http": 80.5}}}' 'header.ports.http: expected an integer'
bad '{"header": {"ports": {"a\u0000": 1}}}' 'header.ports: U+0000 in a name is not supported'
bad '{"header": {"uid": 1}, "process_status": {"x\u0001y": 1}}' "process_status: unknown member 'x\\x01y'"
bad '{"event": "initialization", "record": 0}' 'event line without header, task_status or process_status'
bad '{"event": "process_transition", "process_status": {"pid": "x"}}' 'process_status.pid: expected an integer'

# Raw bytes that are not UTF-8.
printf '{}\n{"header": {"task_id": "\377"}}\n' >"$tmp/bad"
td_in "$tmp/bad" encode
what="encode of a line that is not UTF-8"
check_rc 65
check_stderr 'thermos-dispatch: stdin: line 2: invalid JSON at column 25: not UTF-8'

# Event lines ignore members other than the update, whatever they hold.
printf '%s\n' '{"event": "x", "future": [{"a": 99999999999999999999}], "task_id": "a\u0000b", "task_status": {"state": "LOST"}}' >"$tmp/in"
td_in "$tmp/in" encode
check_rc 0
check_stderr_empty

# A line longer than the limit is refused once it passes the limit.
{ printf '{}\n'; head -c $((LIMIT + 1)) /dev/zero | tr '\0' ' '; printf '\n'; } >"$tmp/long"
td_in "$tmp/long" encode
what="encode of a line of $((LIMIT + 1)) bytes"
check_rc 65
check_stderr "thermos-dispatch: stdin: line 2: line longer than $LIMIT bytes"
rm -f "$tmp/long"

# The real streams come back byte for byte: the c_glib writer sends the
# fields in the IDL's order, as the Thermos runner does.  Only a map of two
# or more ports may come in another order (GLib's hash order), and then the
# same size and the same records are asked for.
for f in "$AUR"/*/runner "$AUR"/*/coordinator.*; do
	td dump "$f"
	check_rc 0
	cp "$out" "$tmp/a.jsonl"
	td_in "$tmp/a.jsonl" encode
	check_rc 0
	what="dump $f | encode"
	if cmp -s "$out" "$f"; then
		ok
	elif "$JQ" -e -s 'all(.[]; (.header.ports // {}) | length < 2)' "$tmp/a.jsonl" >/dev/null; then
		fail "the bytes differ from $f"
	else
		cp "$out" "$tmp/a.bin"
		[ "$(file_size "$tmp/a.bin")" = "$(file_size "$f")" ] && ok ||
			fail "the size differs from $f's"
		td dump "$tmp/a.bin"
		jsonl_eq "$tmp/a.jsonl" "$out" "dump | encode | dump of $f"
	fi
done

# The command line.
td encode --help
check_rc 0
check_stderr_empty
case $(head -n 1 "$out") in
"Usage: thermos-dispatch encode"*) ok ;;
*) what="encode --help"; fail "no usage line on stdout" ;;
esac
td encode --bogus
check_rc 64
check_stderr "thermos-dispatch: encode: unknown option '--bogus' (see 'thermos-dispatch encode --help')"
check_stdout_empty
td encode file.jsonl
check_rc 64
check_stderr "thermos-dispatch: encode: unexpected argument 'file.jsonl' (see 'thermos-dispatch encode --help')"

# A failed write on stdout.
if [ -w /dev/full ]; then
	printf '{}\n' >"$tmp/in"
	what="encode >/dev/full"
	"$TD" encode <"$tmp/in" >/dev/full 2>"$err"
	rc=$?
	check_rc 70
	check_stderr_prefix "thermos-dispatch: stdout: "
fi

finish
