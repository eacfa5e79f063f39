#!/bin/sh
# `state` on the generated streams that must fail with a stream error (every
# broken-KIND-N.ckpt with an .error.json and no .state-before-torn.json):
# exit 65, nothing on stdout, stderr exactly one line
#   thermos-dispatch: PATH: record N at byte B: REASON
# with N and B from the .error.json, REASON the full text where this file
# knows it (worked out from the bytes by an independent decoder), else the
# fixed prefix for the kind.  Same in --truncate, --strict, human and stdin
# forms.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

# The full reason of each generated broken stream.
full_reason() {
	case $1 in
	broken-bad_transition-0) echo "invalid transition WAITING => RUNNING" ;;
	broken-bad_transition-1) echo "invalid transition WAITING => RUNNING" ;;
	broken-empty_union-0) echo "empty RunnerCkpt" ;;
	broken-empty_union-1) echo "empty RunnerCkpt" ;;
	broken-first_not_waiting-0) echo "update for unknown process fresh_875" ;;
	broken-first_not_waiting-1) echo "update for unknown process fresh_760" ;;
	broken-huge_length-0) echo "record size 2147483647 exceeds limit 67108864" ;;
	broken-huge_length-1) echo "record size 67108865 exceeds limit 67108864" ;;
	broken-missing_field-0) echo "missing field fork_time" ;;
	broken-missing_field-1) echo "missing field fork_time" ;;
	broken-rewait_nonterminal-0) echo "new run of fresh_795 while its last run is WAITING" ;;
	broken-rewait_nonterminal-1) echo "new run of fresh_421 while its last run is WAITING" ;;
	broken-second_header-0) echo "second runner header" ;;
	broken-second_header-1) echo "second runner header" ;;
	broken-seq_dup-0) echo "out of order sequence number 3 => 3" ;;
	broken-seq_dup-1) echo "out of order sequence number 3 => 3" ;;
	broken-seq_gap-0) echo "out of order sequence number 0 => 2" ;;
	broken-seq_gap-1) echo "out of order sequence number 0 => 2" ;;
	broken-two_union_fields-0) echo "second runner header" ;;
	broken-two_union_fields-1) echo "second runner header" ;;
	broken-unknown_process_state-0) echo "unknown process state 9" ;;
	broken-unknown_process_state-1) echo "unknown process state 9" ;;
	broken-wrong_field_type-0) echo "missing field seq" ;;
	broken-wrong_field_type-1) echo "missing field seq" ;;
	*) return 1 ;;
	esac
}

# The fixed start of the reason for each kind (the contract).
kind_prefix() {
	case $1 in
	seq_gap | seq_dup) echo "out of order sequence number " ;;
	bad_transition) echo "invalid transition " ;;
	missing_field | wrong_field_type) echo "missing field " ;;
	second_header | two_union_fields) echo "second runner header" ;;
	empty_union) echo "empty RunnerCkpt" ;;
	huge_length) echo "record size " ;;
	unknown_process_state) echo "unknown process state " ;;
	first_not_waiting) echo "update for unknown process " ;;
	rewait_nonterminal) echo "new run of " ;;
	*) return 1 ;;
	esac
}

n=0
for ckpt in "$GEN"/broken-*.ckpt; do
	name=${ckpt%.ckpt}
	base=${name##*/}
	[ -f "$name.error.json" ] || continue
	[ -f "$name.state-before-torn.json" ] && continue
	n=$((n + 1))
	kind=${base#broken-}
	kind=${kind%-*}
	what="fixture $base"
	recno=$(error_field "$name.error.json" record) || { fail "bad $name.error.json"; continue; }
	offset=$(error_field "$name.error.json" offset) || { fail "bad $name.error.json"; continue; }
	prefix=$(kind_prefix "$kind") || { fail "unknown kind $kind"; continue; }
	reason=$(full_reason "$base") || reason=

	args_list='"--json" ""'
	case $base in *-0) args_list='"--json" "--json --truncate" "--json --strict" ""' ;; esac
	eval "set -- $args_list"
	for args in "$@"; do
		td state $args "$ckpt"
		check_rc 65
		check_stdout_empty
		if [ -n "$reason" ]; then
			check_stderr "thermos-dispatch: $ckpt: record $recno at byte $offset: $reason"
		else
			check_stderr_prefix "thermos-dispatch: $ckpt: record $recno at byte $offset: $prefix"
		fi
	done
	# Every form agrees with the kind's prefix too (guards the table above).
	check_stderr_prefix "thermos-dispatch: $ckpt: record $recno at byte $offset: $prefix"

	case $base in *-0) ;; *) continue ;; esac
	td_in "$ckpt" state --json -
	check_rc 65
	check_stdout_empty
	check_stderr_prefix "thermos-dispatch: -: record $recno at byte $offset: $prefix"
	[ -n "$reason" ] && check_stderr "thermos-dispatch: -: record $recno at byte $offset: $reason"
done

what="fixture set"
if [ "$n" -ge 24 ]; then ok; else fail "want at least 24 failing generated streams, found $n"; fi

finish
