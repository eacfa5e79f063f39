#!/bin/sh
# Benchmark of `status`: 10,000 tasks of 100 records each under one
# checkpoint root (half of them finished), listed at each verbosity.
# `make bench` runs it after run-bench.sh.  The target: at most 1 s for
# the listing that reads every stream (-v 1 and -v 3), judged as in
# run-bench.sh on the CPU time (user and system) of the single-threaded
# program, with the wall time, longer on a busy machine, beside it.
#
# Environment:
#   THERMOS_DISPATCH      the program under test (required)
#   GEN_STREAM            tests/bench/gen-stream (required)
#   MEASURE               tests/bench/measure (required)
#   BENCH_STATUS_TASKS    tasks (default 10000)
#   BENCH_STATUS_RECORDS  records per task (default 100)
#   BENCH_RUNS            runs per case, the best one reported (default 3)
set -u

me=run-status-bench.sh
die() {
	echo "$me: $*" >&2
	exit 1
}

: "${THERMOS_DISPATCH:?set THERMOS_DISPATCH to the thermos-dispatch program}"
: "${GEN_STREAM:?set GEN_STREAM to tests/bench/gen-stream}"
: "${MEASURE:?set MEASURE to tests/bench/measure}"
tasks=${BENCH_STATUS_TASKS:-10000}
records=${BENCH_STATUS_RECORDS:-100}
runs=${BENCH_RUNS:-3}
for v in "$tasks" "$records" "$runs"; do
	case $v in
	'' | *[!0-9]* | 0) die "BENCH_STATUS_* and BENCH_RUNS must be positive integers, not '$v'" ;;
	esac
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/thermos-status-bench.XXXXXX") ||
	die "cannot create a temporary directory"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The layout of a Thermos host: ROOT/checkpoints/<id>/runner, and
# ROOT/tasks/active/<id> or ROOT/tasks/finished/<id>.  Every stream is a
# copy of one (its own file, as on a host): `make bench` builds the tree
# in a few seconds.
root=$scratch/root
mkdir -p "$root/checkpoints" "$root/tasks/active" "$root/tasks/finished" ||
	die "cannot create $root"
"$GEN_STREAM" -n "$records" -p 5 -s 1 "$scratch/one.ckpt" >/dev/null ||
	die "gen-stream failed"
awk -v n="$tasks" 'BEGIN { for (i = 0; i < n; i++) printf "task-%05d\n", i }' \
	>"$scratch/ids"
(cd "$root/checkpoints" && xargs mkdir <"$scratch/ids") ||
	die "cannot create the task directories"
# tee writes one input to many files: a process per thousand streams, not
# one per stream.
(cd "$root/checkpoints" && sed 's|$|/runner|' "$scratch/ids" |
	xargs -n 1000 sh -c 'tee "$@" <"$0" >/dev/null' "$scratch/one.ckpt") ||
	die "cannot copy the streams"
cmp -s "$scratch/one.ckpt" "$root/checkpoints/task-00000/runner" ||
	die "the streams were not copied"
(cd "$root/tasks/finished" && awk 'NR % 2 == 0' "$scratch/ids" | xargs touch) &&
	(cd "$root/tasks/active" && awk 'NR % 2 == 1' "$scratch/ids" | xargs touch) ||
	die "cannot create the markers"
echo "status: $tasks tasks x $records records; best of $runs runs"

failures=0

# status_case NAME TARGET_SECONDS|- -- ARG...: the best wall time of $runs
# runs of `status ARG...`, its CPU time and peak RSS.
status_case() {
	name=$1
	target=$2
	shift 3
	best=
	best_cpu=
	peak=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		"$MEASURE" -o "$scratch/figures" -- "$THERMOS_DISPATCH" status "$@" \
			>"$scratch/stdout" 2>"$scratch/stderr"
		status=$?
		if [ "$status" -ne 0 ] || [ -s "$scratch/stderr" ]; then
			echo "$name: FAILED (exit $status)" >&2
			head -n 20 "$scratch/stderr" | sed 's/^/  /' >&2
			failures=$((failures + 1))
			return 1
		fi
		read -r secs kb cpu <"$scratch/figures" ||
			die "$name: no figures from measure"
		best=$(awk -v a="${best:-$secs}" -v b="$secs" 'BEGIN { print (b < a ? b : a) }')
		best_cpu=$(awk -v a="${best_cpu:-$cpu}" -v b="$cpu" 'BEGIN { print (b < a ? b : a) }')
		[ "$kb" -gt "$peak" ] && peak=$kb
	done
	lines=$(wc -l <"$scratch/stdout" | tr -d ' ')
	awk -v name="$name" -v s="$best" -v c="$best_cpu" -v kb="$peak" \
		-v t="$target" -v lines="$lines" 'BEGIN {
		line = sprintf("status %s: %.3f s wall (%.3f s CPU), peak RSS %.1f MB, %d lines",
		    name, s, c, kb / 1024, lines)
		if (t != "-") {
			line = line sprintf(" (target <= %s s)", t)
			if (c > t + 0) line = line ": MISSED"
		}
		print line
	}'
}

status_case "-v 0 (owners only)" - -- "$root"
status_case "-v 1 (every stream read)" 1 -- -v 1 "$root"
status_case "-v 3 (and every process)" 1 -- -v 3 "$root"
status_case "--json -v 3" 1 -- --json -v 3 "$root"
status_case "-v 3 -- 'task-0000[0-9]$' (10 streams read)" - -- -v 3 "$root" \
	-- 'task-0000[0-9]$'

[ "$failures" -eq 0 ] || die "$failures status case(s) failed"
