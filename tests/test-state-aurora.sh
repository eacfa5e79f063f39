#!/bin/sh
# `state` on Apache Aurora's real checkpoints (tests/fixtures/aurora):
# - every <case>/runner: `state --json` equals aurora-expected/<case>.state.json;
#   `--truncate` equals it cut to the latest task status and the latest run of
#   each process; `--strict` changes nothing; the human summary works (exit 0,
#   some output, nothing on stderr); standard input (`-`) gives the same.
# - every coordinator.NAME fails at record 0, byte 0 with
#   `update for unknown process NAME` (exit 65, nothing on stdout), in every
#   output form and mode.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

ncases=0
for dir in "$AUR"/*/; do
	dir=${dir%/}
	case_name=${dir##*/}
	runner=$dir/runner
	expected=$AUREXP/$case_name.state.json
	if [ ! -f "$expected" ]; then
		what="fixture $case_name"
		fail "no expected state $expected"
		continue
	fi
	ncases=$((ncases + 1))

	td state --json "$runner"
	check_rc 0
	check_stderr_empty
	check_stdout_json "$expected"

	td state --json --strict "$runner"
	check_rc 0
	check_stderr_empty
	check_stdout_json "$expected"

	newfile
	trunc=$nf
	truncated_of "$expected" >"$trunc"
	td state --json --truncate "$runner"
	check_rc 0
	check_stderr_empty
	check_stdout_json "$trunc"

	td_in "$runner" state --json -
	check_rc 0
	check_stderr_empty
	check_stdout_json "$expected"

	td state "$runner"
	check_rc 0
	check_stderr_empty
	if [ -s "$out" ]; then ok; else fail "human summary: want some output"; fi

	for coord in "$dir"/coordinator.*; do
		pname=${coord##*/coordinator.}
		for args in "--json" ""; do
			td state $args "$coord"
			check_rc 65
			check_stdout_empty
			check_stderr "thermos-dispatch: $coord: record 0 at byte 0: update for unknown process $pname"
		done
	done
done

# All the forms and modes, on one coordinator.
coord=$AUR/hello_world/coordinator.echo
for args in "--json --truncate" "--json --strict" "--truncate" "--strict"; do
	td state $args "$coord"
	check_rc 65
	check_stdout_empty
	check_stderr "thermos-dispatch: $coord: record 0 at byte 0: update for unknown process echo"
done

what="fixture set"
if [ "$ncases" -ge 7 ]; then ok; else fail "want at least 7 aurora cases, found $ncases"; fi

finish
