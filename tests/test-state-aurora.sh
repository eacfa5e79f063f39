#!/bin/sh
# `state` on Apache Aurora's real checkpoints (tests/fixtures/aurora):
# - every <case>/runner: `state --json` equals aurora-expected/<case>.state.json;
#   `--truncate` equals it cut to the latest task status and the latest run of
#   each process; `--strict` changes nothing; standard input (`-`) gives
#   the same; the human summary (with and without --truncate) shows the
#   launch and task status times as ISO 8601 UTC with milliseconds and each
#   run as `run N` with its true index.
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

	# The human summary (its layout is free): times in UTC, ISO 8601 with
	# milliseconds; each run as `run N`, N its true index, also in truncate
	# mode (so there only the latest index of each process).
	newfile
	facts=$nf
	"$JQ" -r 'def iso: (. / 1000 | floor | todate | sub("Z$"; "")) + "."
			+ ((. % 1000 + 1000) | tostring | .[1:]) + "Z";
		(.header.launch_time_ms // empty | "both " + iso),
		(.statuses[:-1][]?.timestamp_ms // empty | "full " + iso),
		(.statuses[-1:][]?.timestamp_ms // empty | "both " + iso),
		(.processes[] | length | range(0; .) | "full run \(.)"),
		(.processes[] | length | "trunc run \(. - 1)")' "$expected" >"$facts"
	for mode in full trunc; do
		if [ "$mode" = full ]; then td state "$runner"; else td state --truncate "$runner"; fi
		check_rc 0
		check_stderr_empty
		while IFS= read -r fact; do
			case $fact in
			"both "[0-9]* | "$mode "[0-9]*)
				if grep -q -F -- "${fact#* }" "$out"; then ok; else
					fail "human summary: want the time ${fact#* }"
					show_file stdout "$out"
				fi
				;;
			esac
		done <"$facts"
		newfile
		grep "^$mode run " "$facts" | sed "s/^$mode //" | sort >"$nf.want"
		grep -o 'run [0-9][0-9]*' "$out" | sort >"$nf.got"
		if cmp -s "$nf.want" "$nf.got"; then ok; else
			fail "human summary ($mode): want these \`run N\` (sorted; - want, + got):"
			show_diff "$nf.want" "$nf.got"
		fi
	done

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
