#!/bin/sh
# `state` on the generated conformance streams that must be accepted (every
# NAME.ckpt with a NAME.state.json: valid-*, broken-no_header-*,
# broken-unknown_task_state-*):
# `state --json` == NAME.state.json, `state --json --truncate` ==
# NAME.truncated.state.json, `--strict` changes nothing, `-` (stdin, a file
# and a pipe) gives the same, the human summary works; exit 0 and nothing on
# stderr every time.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

n=0
for ckpt in "$GEN"/*.ckpt; do
	name=${ckpt%.ckpt}
	[ -f "$name.state.json" ] || continue
	n=$((n + 1))

	td state --json "$ckpt"
	check_rc 0
	check_stderr_empty
	check_stdout_json "$name.state.json"

	td state --json --truncate "$ckpt"
	check_rc 0
	check_stderr_empty
	check_stdout_json "$name.truncated.state.json"

	# (Options and stdin on a few streams only: each run costs time.)
	case $name in *-0 | *-00 | *-11 | *-22)
		td state --json --strict --truncate "$ckpt"
		check_rc 0
		check_stderr_empty
		check_stdout_json "$name.truncated.state.json"

		td_in "$ckpt" state --json -
		check_rc 0
		check_stderr_empty
		check_stdout_json "$name.state.json"
		;;
	esac

	td state "$ckpt"
	check_rc 0
	check_stderr_empty
	if [ -s "$out" ]; then ok; else fail "human summary: want some output"; fi
done

# A pipe, not a regular file, on stdin.
cat_valid() { cat "$GEN/valid-06.ckpt"; }
td_pipe cat_valid state --json -
check_rc 0
check_stderr_empty
check_stdout_json "$GEN/valid-06.state.json"

# Unknown task state 42: accepted, shown as UNKNOWN_42.
for ckpt in "$GEN"/broken-unknown_task_state-*.ckpt; do
	td state --json "$ckpt"
	jq_check "$out" 'any(.[0].statuses[]; .state == "UNKNOWN_42")' \
		"statuses of $ckpt: want a state UNKNOWN_42"
done

what="fixture set"
if [ "$n" -ge 24 ]; then ok; else fail "want at least 24 accepted generated streams, found $n"; fi

finish
