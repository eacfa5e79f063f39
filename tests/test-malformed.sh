#!/bin/sh
# Streams made here byte by byte (printf octal escapes), for what the
# fixtures do not hold: framing (empty file, torn headers and bodies, empty
# records, sizes over the limit, trailing bytes after STOP), decoding
# (unknown type bytes, negative and oversized lengths, values running past
# the record, nesting deeper than 64, a missing STOP), unions with two
# members, ports maps, known fields with the wrong wire type, names with
# non-printable and non-UTF-8 bytes, doubles that are NaN, int64 limits.
# Each: the exact exit status, stdout (parsed JSON) and stderr lines of
# `state --json` (and --strict) and `dump`.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

# --- building streams ---------------------------------------------------
# stream FILE BODYHEX...: FILE holds one record per BODYHEX.
stream() {
	st_file=$1
	shift
	: >"$st_file"
	for st_body in "$@"; do
		record "$st_body" >>"$st_file"
	done
}
# offset_of BODYHEX...: the offset of the record after these.
offset_of() {
	oo_n=0
	for oo_body in "$@"; do
		hexlen_v "$oo_body"
		oo_n=$((oo_n + 4 + HL))
	done
	echo "$oo_n"
}

# Union members (the union's STOP included).
HDR="$(tstruct 1 "$(tstring 1 t)") 00"                # header {task_id: "t"}
TS_ACTIVE="$(tstruct 3 "$(ti32 1 0)") 00"             # task status ACTIVE
ps() { printf '%s 00' "$(tstruct 2 "$1")"; }           # process status
WAIT_P="$(ps "$(ti64 1 0) $(tstring 3 p) $(ti32 5 0)")" # p WAITING seq 0
HDR_STATE='{"header": {"task_id": "t"}, "processes": {}}'
P_WAITING='{"processes": {"p": [{"seq": 0, "process": "p", "state": "WAITING"}]}}'
L_HDR=$(offset_of "$HDR")

# --- expectations -------------------------------------------------------
# ok_state FILE JSON [DUMPLINES]: accepted: state --json gives JSON (also
# with --strict), dump DUMPLINES records (when given), exit 0, no stderr.
ok_state() {
	td state --json "$1"
	check_rc 0
	check_stderr_empty
	check_stdout_json_text "$2"
	td dump "$1"
	check_rc 0
	check_stderr_empty
	check_dump_shape "$out" "${3:--1}"
}

# state_error FILE N B REASON: a state-machine error: state --json fails
# (exit 65, the line, no stdout); dump is fine.
state_error() {
	td state --json "$1"
	check_rc 65
	check_stdout_empty
	check_stderr "thermos-dispatch: $1: record $2 at byte $3: $4"
	td dump "$1"
	check_rc 0
	check_stderr_empty
	check_dump_shape "$out"
}

# frame_error FILE N B REASON [all]: a framing or decoding error (REASON
# ending in `: ` is a prefix): state fails; dump prints the N records
# before, then fails; (all:) --strict changes nothing.
frame_error() {
	fe_cmds='"state --json" "dump"'
	[ "${5:-}" = all ] && fe_cmds='"state --json" "state --json --strict" "state --truncate" "dump" "dump --strict"'
	eval "set -- \"\$1\" \"\$2\" \"\$3\" \"\$4\" $fe_cmds"
	fe_f=$1 fe_n=$2 fe_b=$3 fe_r=$4
	shift 4
	for fe_cmd in "$@"; do
		set -- "$fe_f" "$fe_n" "$fe_b" "$fe_r"
		td $fe_cmd "$1"
		check_rc 65
		case $fe_cmd in
		state*) check_stdout_empty ;;
		dump*) check_dump_shape "$out" "$2" ;;
		esac
		case $4 in
		*": ") check_stderr_prefix "thermos-dispatch: $1: record $2 at byte $3: $4" ;;
		*) check_stderr "thermos-dispatch: $1: record $2 at byte $3: $4" ;;
		esac
	done
}

# torn FILE N B REASON JSON: a torn tail: a warning and the state before
# (dump: the N records before), exit 0; --strict: the error, exit 65.
torn() {
	td state --json "$1"
	check_rc 0
	check_stderr "thermos-dispatch: warning: $1: record $2 at byte $3: $4"
	check_stdout_json_text "$5"
	td state --json --strict "$1"
	check_rc 65
	check_stdout_empty
	check_stderr "thermos-dispatch: $1: record $2 at byte $3: $4"
	td dump "$1"
	check_rc 0
	check_stderr "thermos-dispatch: warning: $1: record $2 at byte $3: $4"
	check_dump_shape "$out" "$2"
	td dump --strict "$1"
	check_rc 65
	check_stderr "thermos-dispatch: $1: record $2 at byte $3: $4"
	check_dump_shape "$out" "$2"
}

# Each case in a file of its own (its name in the failure reports, with its
# bytes).
ncase=0
newcase() {
	ncase=$((ncase + 1))
	F=$tmp/case$ncase.ckpt
}
fail() {
	failures=$((failures + 1))
	printf 'FAIL: %s\n' "$what"
	printf '  %s\n' "$@"
	for fl_w in $what; do
		case $fl_w in
		"$tmp"/case*.ckpt)
			printf '  bytes of %s:\n' "$fl_w"
			od -An -tx1 "$fl_w" | head -n 12 | sed 's/^/  /'
			;;
		esac
	done
}

# --- framing ------------------------------------------------------------
# An empty file: no records, an empty state.
newcase
: >"$F"
ok_state "$F" '{"processes": {}}' 0
td dump "$F"
check_stdout_empty
td state "$F"
check_rc 0
check_stderr_empty

# 1 to 3 bytes: a torn header.
for k in 1 2 3; do
	case $k in 1) h="00" ;; 2) h="00 00" ;; 3) h="ff ff ff" ;; esac
	newcase
	hexbytes "$h" >"$F"
	torn "$F" 0 0 "truncated record header ($k of 4 bytes)" '{"processes": {}}'
done

# A record, then 2 bytes.
newcase
{ record "$HDR"; hexbytes "00 00"; } >"$F"
torn "$F" 1 "$L_HDR" "truncated record header (2 of 4 bytes)" "$HDR_STATE"

# A zero length prefix, alone, after a record, and followed by more.
newcase
hexbytes "00000000" >"$F"
frame_error "$F" 0 0 "empty record" all
newcase
{ record "$HDR"; hexbytes "00000000"; } >"$F"
frame_error "$F" 1 "$L_HDR" "empty record"
newcase
{ hexbytes "00000000"; record "$HDR"; } >"$F"
frame_error "$F" 0 0 "empty record"

# Sizes over the limit: an error at once, not a torn record.
newcase
hexbytes "ffffffff" >"$F"
frame_error "$F" 0 0 "record size 4294967295 exceeds limit 67108864" all
newcase
hexbytes "04000001" >"$F"
frame_error "$F" 0 0 "record size 67108865 exceeds limit 67108864"
newcase
hexbytes "80000000 00" >"$F"
frame_error "$F" 0 0 "record size 2147483648 exceeds limit 67108864"
newcase
{ record "$HDR"; hexbytes "ffffffff"; record "$TS_ACTIVE"; } >"$F"
frame_error "$F" 1 "$L_HDR" "record size 4294967295 exceeds limit 67108864"

# The limit itself is allowed (inclusive): with no body, a torn body.
newcase
hexbytes "04000000" >"$F"
torn "$F" 0 0 "truncated record body (0 of 67108864 bytes)" '{"processes": {}}'

# A body cut short.
newcase
hexbytes "00000010 0c 00 01 0b 00" >"$F"
torn "$F" 0 0 "truncated record body (5 of 16 bytes)" '{"processes": {}}'
newcase
{ record "$HDR"; record "$TS_ACTIVE" | head -c 6; } >"$F"
torn "$F" 1 "$L_HDR" "truncated record body (2 of $(hexlen "$TS_ACTIVE") bytes)" "$HDR_STATE"

# Bytes after the union's STOP, inside the record: ignored.
newcase
stream "$F" "$HDR de ad be ef" "$TS_ACTIVE 00 01"
ok_state "$F" '{"header": {"task_id": "t"}, "statuses": [{"state": "ACTIVE"}], "processes": {}}' 2
td dump "$F"
writefile "{\"record\": 0, \"offset\": 0, \"header\": {\"task_id\": \"t\"}}
{\"record\": 1, \"offset\": $(offset_of "$HDR de ad be ef"), \"task_status\": {\"state\": \"ACTIVE\"}}"
jsonl_eq "$nf" "$out" "dump"

# --- decoding -----------------------------------------------------------
U="undecodable record: "
# An unknown type byte: in the union, inside a process status.
newcase
stream "$F" "14 0001 00"
frame_error "$F" 0 0 "$U" all
newcase
stream "$F" "$HDR" "$(ps "$(ti64 1 0) $(tstring 3 p) 14 0063 00")"
frame_error "$F" 1 "$L_HDR" "$U"
newcase
stream "$F" "$HDR" "$(ps "$(ti64 1 0) 0f 0063 01 00000001 00")"
frame_error "$F" 1 "$L_HDR" "$U"

# A negative string length; one past the end of the record; one that the
# next record's bytes would satisfy.
newcase
stream "$F" "0c 0001 0b 0001 ffffffff 00 00"
frame_error "$F" 0 0 "$U"
newcase
stream "$F" "0c 0001 0b 0001 00000064 74 00 00"
frame_error "$F" 0 0 "$U"
newcase
stream "$F" "0c 0001 0b 0001 00000014 74" "$HDR"
frame_error "$F" 0 0 "$U"
# A value (i64) running past the record.
newcase
stream "$F" "$HDR" "0c 0002 0a 0001 00 00 00"
frame_error "$F" 1 "$L_HDR" "$U"

# Negative container sizes (in an unknown field): list, set, map.
for c in "0f 0063 08 ffffffff" "0e 0063 08 ffffffff" "0d 0063 08 08 ffffffff"; do
	newcase
	stream "$F" "$WAIT_P" "$(ps "$(ti64 1 1) $(tstring 3 p) $c")"
	frame_error "$F" 1 "$(offset_of "$WAIT_P")" "$U"
done
# A container size far past the record.
newcase
stream "$F" "$(ps "$(ti64 1 0) $(tstring 3 p) $(ti32 5 0) 0f 0063 08 7fffffff")"
frame_error "$F" 0 0 "$U"

# A missing STOP: of the union, of a struct inside.
newcase
stream "$F" "0c 0001 0b 0001 00000001 74 00"
frame_error "$F" 0 0 "$U"
newcase
stream "$F" "0c 0001 0b 0001 00000001 74"
frame_error "$F" 0 0 "$U"

# Nesting: lists of lists in an unknown field of a process status; 30 deep
# is fine (skipped), 100 deep is an error; so are 100 nested structs.
nested_lists() {
	nl_s=
	nl_i=0
	while [ "$nl_i" -lt "$1" ]; do
		nl_s="$nl_s 0f 00000001"
		nl_i=$((nl_i + 1))
	done
	printf '0f 0063 %s 08 00000000' "$nl_s"
}
nested_structs() {
	ns_open=
	ns_close=
	ns_i=0
	while [ "$ns_i" -lt "$1" ]; do
		ns_open="$ns_open 0c 0063"
		ns_close="$ns_close 00"
		ns_i=$((ns_i + 1))
	done
	printf '%s %s' "$ns_open" "$ns_close"
}
newcase
stream "$F" "$(ps "$(ti64 1 0) $(tstring 3 p) $(nested_lists 30) $(ti32 5 0)")"
ok_state "$F" "$P_WAITING" 1
newcase
stream "$F" "$(ps "$(ti64 1 0) $(tstring 3 p) $(nested_structs 30) $(ti32 5 0)")"
ok_state "$F" "$P_WAITING" 1
newcase
stream "$F" "$HDR" "$(ps "$(ti64 1 0) $(tstring 3 p) $(nested_lists 100) $(ti32 5 0)")"
frame_error "$F" 1 "$L_HDR" "$U"
newcase
stream "$F" "$HDR" "$(ps "$(ti64 1 0) $(tstring 3 p) $(nested_structs 100) $(ti32 5 0)")"
frame_error "$F" 1 "$L_HDR" "$U"

# --- unions -------------------------------------------------------------
# Two members, header and task status (either order on the wire): the
# header wins, so no error on the first record and no status stored.
hdr_ts="$(tstruct 1 "$(tstring 1 t)") $(tstruct 3 "$(ti32 1 0)") 00"
ts_hdr="$(tstruct 3 "$(ti32 1 0)") $(tstruct 1 "$(tstring 1 t)") 00"
for two in "$hdr_ts" "$ts_hdr"; do
	newcase
	stream "$F" "$two"
	ok_state "$F" "$HDR_STATE" 1
	jq_check "$out" '.[0] == {"record": 0, "offset": 0, "header": {"task_id": "t"}, "task_status": {"state": "ACTIVE"}}' \
		"dump: want both members of the union"
	newcase
	stream "$F" "$two" "$TS_ACTIVE"
	ok_state "$F" '{"header": {"task_id": "t"}, "statuses": [{"state": "ACTIVE"}], "processes": {}}' 2
	newcase
	stream "$F" "$two" "$HDR"
	state_error "$F" 1 "$(offset_of "$two")" "second runner header"
done
# A process status with a task status: the task status wins.
newcase
stream "$F" "$(tstruct 2 "$(ti64 1 0) $(tstring 3 p) $(ti32 5 0)") $(tstruct 3 "$(ti32 1 2)") 00"
ok_state "$F" '{"statuses": [{"state": "FAILED"}], "processes": {}}' 1
# An empty union, an empty header (set, though empty).
newcase
stream "$F" "$HDR" "00"
state_error "$F" 1 "$L_HDR" "empty RunnerCkpt"
newcase
stream "$F" "0c 0001 00 00"
ok_state "$F" '{"header": {}, "processes": {}}' 1
# Unknown union members only: empty.
newcase
stream "$F" "$(tstruct 9 "$(ti32 1 0)") 00"
state_error "$F" 0 0 "empty RunnerCkpt"

# --- fields -------------------------------------------------------------
# A known field with another wire type: skipped.
newcase
stream "$F" "0c 0001 08 0001 00000007 $(tstring 5 u) 00 00"
ok_state "$F" '{"header": {"user": "u"}, "processes": {}}' 1
# ports: last duplicate wins; empty map set; other element types skipped
# (and the fields after them still read).
http=$(strhex http)
newcase
stream "$F" "0c 0001 0d 0006 0b 0a 00000002 00000004 $http 0000000000000050 00000004 $http 0000000000000051 00 00"
ok_state "$F" '{"header": {"ports": {"http": 81}}, "processes": {}}' 1
newcase
stream "$F" "0c 0001 0d 0006 0b 0a 00000000 00 00"
ok_state "$F" '{"header": {"ports": {}}, "processes": {}}' 1
newcase
stream "$F" "0c 0001 0d 0006 0b 08 00000001 00000004 $http 00000050 $(tstring 5 u) 00 00"
ok_state "$F" '{"header": {"user": "u"}, "processes": {}}' 1

# Task statuses: unknown state 42; no state.
newcase
stream "$F" "$(tstruct 3 "$(ti32 1 42) $(ti64 2 5)") 00"
ok_state "$F" '{"statuses": [{"state": "UNKNOWN_42", "timestamp_ms": 5}], "processes": {}}' 1
newcase
stream "$F" "$HDR" "$(tstruct 3 "$(ti64 2 5)") 00"
state_error "$F" 1 "$L_HDR" "missing field state"

# Process updates: no process; no seq on a new run; no seq later.
newcase
stream "$F" "$(ps "$(ti64 1 0) $(ti32 5 0)")"
state_error "$F" 0 0 "missing field process"
newcase
stream "$F" "$(ps "$(tstring 3 p) $(ti32 5 0)")"
state_error "$F" 0 0 "missing field seq"
newcase
stream "$F" "$WAIT_P" "$(ps "$(tstring 3 p) $(ti32 5 1) $(ti32 10 7) 04 000b 3ff8000000000000")"
state_error "$F" 1 "$(offset_of "$WAIT_P")" "out of order sequence number 0 => none"
newcase
stream "$F" "$WAIT_P" "$(ps "$(ti64 1 1) $(tstring 3 p)")"
state_error "$F" 1 "$(offset_of "$WAIT_P")" "missing field state"

# seq at INT64_MAX: any next update is out of order (no overflow).
newcase
stream "$F" "$(ps "0a 0001 7fffffffffffffff $(tstring 3 p) $(ti32 5 0)")" \
	"$(ps "0a 0001 8000000000000000 $(tstring 3 p) $(ti32 5 1) $(ti32 10 7) 04 000b 3ff8000000000000")"
state_error "$F" 1 "$(offset_of "$(ps "0a 0001 7fffffffffffffff $(tstring 3 p) $(ti32 5 0)")")" \
	"out of order sequence number 9223372036854775807 => -9223372036854775808"

# Doubles: NaN and infinity as null; 1.5 and 0.1 exactly.
forked="$(ti64 1 1) $(tstring 3 p) $(ti32 5 1) $(ti32 10 7)"
newcase
stream "$F" "$WAIT_P" "$(ps "$forked 04 000b 7ff8000000000000")"
ok_state "$F" '{"processes": {"p": [{"seq": 1, "process": "p", "state": "FORKED", "coordinator_pid": 7, "fork_time": null}]}}' 2
newcase
stream "$F" "$WAIT_P" "$(ps "$forked 04 000b fff0000000000000")"
ok_state "$F" '{"processes": {"p": [{"seq": 1, "process": "p", "state": "FORKED", "coordinator_pid": 7, "fork_time": null}]}}' 2
newcase
stream "$F" "$WAIT_P" "$(ps "$forked 04 000b 3ff8000000000000")" \
	"$(ps "$(ti64 1 2) $(tstring 3 p) $(ti32 5 2) $(ti32 7 9) 04 0006 3fb999999999999a")"
ok_state "$F" '{"processes": {"p": [{"seq": 2, "process": "p", "state": "RUNNING", "coordinator_pid": 7, "fork_time": 1.5, "pid": 9, "start_time": 0.1}]}}' 3

# Names: non-printable bytes as \xHH in messages; ill-formed UTF-8 as
# U+FFFD and controls escaped in JSON.
newcase
stream "$F" "$(ps "$(ti64 1 1) 0b 0003 00000005 6101627fff $(ti32 5 1) $(ti32 10 7) 04 000b 3ff8000000000000")"
state_error "$F" 0 0 'update for unknown process a\x01b\x7f\xff'
newcase
stream "$F" "$(ps "$(ti64 1 0) 0b 0003 00000003 70ff0a $(ti32 5 0)")"
ok_state "$F" '{"processes": {"p\ufffd\n": [{"seq": 0, "process": "p\ufffd\n", "state": "WAITING"}]}}' 1
# Two names that differ only in ill-formed bytes are two processes.
newcase
stream "$F" "$(ps "$(ti64 1 0) 0b 0003 00000002 70ff $(ti32 5 0)")" \
	"$(ps "$(ti64 1 0) 0b 0003 00000002 70fe $(ti32 5 0)")" \
	"$(ps "$(ti64 1 1) 0b 0003 00000002 70fe $(ti32 5 5)")"
td state --json "$F"
check_rc 0
check_stderr_empty
jq_check "$out" '.[0].processes | length == 1 and (.["p\ufffd"] | length == 1)' \
	"two ill-formed names print alike (one JSON member; which run is free)"
td state "$F"
check_rc 0
check_stderr_empty

finish
