#!/bin/sh
# Torn tails (the generated broken-torn_body-* and broken-torn_header-*, every
# NAME.ckpt with a NAME.state-before-torn.json):
# - `state --json`: stderr exactly
#   `thermos-dispatch: warning: PATH: record N at byte B: truncated record ...`
#   (N, B from NAME.error.json, the sizes from the bytes), stdout the state of
#   the whole records before (NAME.state-before-torn.json), exit 0; with
#   --truncate the same cut to the latest runs; from stdin the same with `-`;
# - `state --strict`: the same line without `warning: `, nothing on stdout,
#   exit 65;
# - `dump`: the N records before, then the warning, exit 0; with --strict the
#   N records, the error line, exit 65.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

n=0
for ckpt in "$GEN"/*.ckpt; do
	name=${ckpt%.ckpt}
	[ -f "$name.state-before-torn.json" ] || continue
	n=$((n + 1))
	what="fixture $name"
	recno=$(error_field "$name.error.json" record) || { fail "bad $name.error.json"; continue; }
	offset=$(error_field "$name.error.json" offset) || { fail "bad $name.error.json"; continue; }
	reason=$(torn_reason "$ckpt" "$offset")
	where="record $recno at byte $offset: $reason"

	td state --json "$ckpt"
	check_rc 0
	check_stderr "thermos-dispatch: warning: $ckpt: $where"
	check_stdout_json "$name.state-before-torn.json"

	newfile
	trunc=$nf
	truncated_of "$name.state-before-torn.json" >"$trunc"
	td state --json --truncate "$ckpt"
	check_rc 0
	check_stderr "thermos-dispatch: warning: $ckpt: $where"
	check_stdout_json "$trunc"

	td_in "$ckpt" state --json -
	check_rc 0
	check_stderr "thermos-dispatch: warning: -: $where"
	check_stdout_json "$name.state-before-torn.json"

	td state "$ckpt"
	check_rc 0
	check_stderr "thermos-dispatch: warning: $ckpt: $where"
	if [ -s "$out" ]; then ok; else fail "human summary: want some output"; fi

	for args in "--json --strict" "--strict" "--json --truncate --strict"; do
		td state $args "$ckpt"
		check_rc 65
		check_stdout_empty
		check_stderr "thermos-dispatch: $ckpt: $where"
	done

	td dump "$ckpt"
	check_rc 0
	check_stderr "thermos-dispatch: warning: $ckpt: $where"
	check_dump_shape "$out" "$recno"

	td dump --strict "$ckpt"
	check_rc 65
	check_stderr "thermos-dispatch: $ckpt: $where"
	check_dump_shape "$out" "$recno"
done

what="fixture set"
if [ "$n" -ge 4 ]; then ok; else fail "want at least 4 torn generated streams, found $n"; fi

finish
