#!/bin/sh
# `dump` and `encode`, on every fixture (aurora runners and coordinators, all
# generated streams but the torn ones, which test-torn.sh covers):
# - `dump F`: one JSON object a line with `record` (0..N-1), `offset` and the
#   update members; exit 0 and nothing on stderr wherever the framing is
#   sound (dump does no state checks: bad transitions, second headers etc.
#   dump fine); each line's update equals the update of the expected event
#   line of that record (*.events.jsonl); at a stream error's record the
#   offset is the one its .error.json gives; a union with two members shows
#   both, an empty one none; coordinator files begin with FORKED.
# - huge_length streams: the records before, then the error line, exit 65.
# - `dump F | encode | dump -` == `dump F` (compared per line, parsed; the
#   offsets too where the re-encoded stream has the size of the original,
#   always for the aurora files; generated streams carry unknown field 99,
#   which `encode` cannot know, so their records shrink); where they do
#   not, encoding again gives the same lines, offsets included.
# - `dump F | encode | state --json -` == the expected state of F; for the
#   failing ones, the same error at the same record.
# - `encode` also takes event lines: `encode < NAME.events.jsonl | state
#   --json -` == NAME.state.json for the accepted generated streams.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

# roundtrip F DUMP aurora|generated EXPECTED_STATE|-: the round trips of
# the dump output DUMP of F; sets $enc1 to the re-encoded stream.
roundtrip() {
	rt_f=$1
	rt_d1=$2

	td_in "$rt_d1" encode
	check_rc 0
	check_stderr_empty
	enc1=$out

	td_in "$enc1" dump -
	check_rc 0
	check_stderr_empty
	rt_d2=$out
	what="dump $rt_f | encode | dump -"
	if [ "$3" = aurora ] ||
		[ "$(file_size "$enc1")" = "$(file_size "$rt_f")" ]; then
		jsonl_eq "$rt_d1" "$rt_d2" "round trip (with offsets)"
	else
		jsonl_eq "$rt_d1" "$rt_d2" "round trip" nooffset
	fi
	# Encoding again gives the same lines, offsets included (for a few
	# streams: each run of the binary costs time).
	case $rt_f in *-00.ckpt | *-13.ckpt | *-two_union_fields-0.ckpt)
		td_in "$rt_d2" encode
		check_rc 0
		check_stderr_empty
		td_in "$out" dump -
		what="dump $rt_f | encode | dump - | encode | dump -"
		check_rc 0
		check_stderr_empty
		jsonl_eq "$rt_d2" "$out" "second round trip (with offsets)"
		;;
	esac

	if [ "$4" != - ]; then
		td_in "$enc1" state --json -
		what="dump $rt_f | encode | state --json -"
		check_rc 0
		check_stderr_empty
		check_stdout_json "$4"
	fi
}

# Aurora: runners (with states and events) and coordinators.
n=0
for dir in "$AUR"/*/; do
	dir=${dir%/}
	case_name=${dir##*/}
	f=$dir/runner
	td dump "$f"
	check_rc 0
	check_stderr_empty
	nrec=$(grep -c '' "$AUREXP/$case_name.events.jsonl")
	check_dump_shape "$out" "$nrec"
	events_match "$out" "$AUREXP/$case_name.events.jsonl"
	roundtrip "$f" "$out" aurora "$AUREXP/$case_name.state.json"
	n=$((n + 1))

	for f in "$dir"/coordinator.*; do
		td dump "$f"
		check_rc 0
		check_stderr_empty
		check_dump_shape "$out"
		check_dump_line "$out" 0 psstate '"FORKED"'
		# (The round trip of the first coordinator of each case only: each
		# run of the binary costs time.)
		[ "$f" = "$(set -- "$dir"/coordinator.*; echo "$1")" ] &&
			roundtrip "$f" "$out" aurora -
		n=$((n + 1))
	done
done

# Generated streams.
for f in "$GEN"/*.ckpt; do
	name=${f%.ckpt}
	base=${name##*/}
	kind=${base#broken-}
	kind=${kind%-*}

	if [ -f "$name.state-before-torn.json" ]; then
		continue # test-torn.sh
	fi
	n=$((n + 1))

	if [ "$kind" = huge_length ]; then
		recno=$(error_field "$name.error.json" record)
		offset=$(error_field "$name.error.json" offset)
		for strict in "" --strict; do
			td dump $strict "$f"
			check_rc 65
			check_stderr "thermos-dispatch: $f: record $recno at byte $offset: record size $(be32 "$f" "$offset") exceeds limit $LIMIT"
			check_dump_shape "$out" "$recno"
			events_match "$out" "$name.events.jsonl"
		done
		continue
	fi

	td dump "$f"
	check_rc 0
	check_stderr_empty
	events_match "$out" "$name.events.jsonl"

	if [ -f "$name.state.json" ]; then
		# Every record of an accepted stream is one event.
		check_dump_shape "$out" "$(grep -c '' "$name.events.jsonl")"
		roundtrip "$f" "$out" generated "$name.state.json"

		# Event lines as input, on a few streams.
		case $base in *-0[0-4] | *-1[0-2] | broken-*-0) ;; *) continue ;; esac
		td_in "$name.events.jsonl" encode
		check_rc 0
		check_stderr_empty
		td_in "$out" state --json -
		what="encode < $name.events.jsonl | state --json -"
		check_rc 0
		check_stderr_empty
		check_stdout_json "$name.state.json"
		continue
	fi

	# A stream that fails in `state`: dump shows the failing record where
	# the .error.json says; the re-encoded stream fails at the same record.
	check_dump_shape "$out"
	recno=$(error_field "$name.error.json" record)
	offset=$(error_field "$name.error.json" offset)
	case $kind in
	two_union_fields)
		check_dump_line "$out" "$recno" all "{\"record\": $recno, \"offset\": $offset, \"header\": {\"task_id\": \"dup\"}, \"task_status\": {\"state\": \"ACTIVE\"}}"
		;;
	empty_union)
		check_dump_line "$out" "$recno" all "{\"record\": $recno, \"offset\": $offset}"
		;;
	*)
		check_dump_line "$out" "$recno" recoff "{\"record\": $recno, \"offset\": $offset}"
		;;
	esac

	# The round trips of a few kinds are enough (a union with two members
	# or none must survive encode).
	case $base in
	broken-two_union_fields-0 | broken-empty_union-0 | broken-seq_gap-0 | broken-second_header-0) ;;
	*) continue ;;
	esac
	roundtrip "$f" "$out" generated -
	td_in "$enc1" state --json -
	what="dump $f | encode | state --json -"
	check_rc 65
	check_stdout_empty
	# The offset may differ (field 99 is gone), the record and reason not.
	IFS= read -r line <"$err"
	reason=${line#"thermos-dispatch: -: record $recno at byte "}
	reason=${reason#*: }
	check_stderr_prefix "thermos-dispatch: -: record $recno at byte "
	td state --json "$f"
	check_stderr_prefix "thermos-dispatch: $f: record $recno at byte $offset: $reason"
done

what="fixture set"
if [ "$n" -ge 70 ]; then ok; else fail "want at least 70 fixtures, found $n"; fi

finish
