#!/bin/sh
# Benchmarks for thermos-dispatch: `make bench` runs this with the paths set.
#
# Environment:
#   THERMOS_DISPATCH  the program under test (required)
#   GEN_STREAM        tests/bench/gen-stream (required)
#   MEASURE           tests/bench/measure (required)
#   PLUGIN_DIR        the directory holding the built logger.so (required)
#   BENCH_DIR         keep the generated stream here and reuse it next time
#                     (default: a temporary directory, removed at exit)
#   BENCH_RECORDS     records in the stream (default 1000000)
#   BENCH_PROCESSES   process names in it (default 1000)
#   BENCH_SEED        generator seed (default 1)
#   BENCH_RUNS        runs per case, the best one reported (default 3)
#   BENCH_FOLLOW      no: skip the follow benchmarks (run-follow-bench.sh,
#                     which needs LATENCY and TIMESTAMP_PLUGIN too)
#
# Each case is one bench_case line at the bottom. Missing a target is
# reported, not a failure: the exit status is non-zero only when a command
# fails.
set -u

me=run-bench.sh
die() {
	echo "$me: $*" >&2
	exit 1
}

: "${THERMOS_DISPATCH:?set THERMOS_DISPATCH to the thermos-dispatch program}"
: "${GEN_STREAM:?set GEN_STREAM to tests/bench/gen-stream}"
: "${MEASURE:?set MEASURE to tests/bench/measure}"
: "${PLUGIN_DIR:?set PLUGIN_DIR to the directory of the built logger.so}"
records=${BENCH_RECORDS:-1000000}
processes=${BENCH_PROCESSES:-1000}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-3}
case $runs in
'' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer, not '$runs'" ;;
esac

scratch=$(mktemp -d "${TMPDIR:-/tmp}/thermos-bench.XXXXXX") ||
	die "cannot create a temporary directory"
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR" || die "cannot create BENCH_DIR $BENCH_DIR"
	data_dir=$BENCH_DIR
else
	data_dir=$scratch
fi

# The name carries the generator's arguments, so a kept stream is reused
# only for the same ones. Written under a temporary name first, so an
# interrupted run never leaves a partial stream to be reused.
stream=$data_dir/stream-n$records-p$processes-s$seed.ckpt
if [ ! -s "$stream" ]; then
	echo "generating $stream"
	"$GEN_STREAM" -n "$records" -p "$processes" -s "$seed" "$stream.tmp" ||
		die "gen-stream failed"
	mv "$stream.tmp" "$stream" || die "cannot rename $stream.tmp"
fi
bytes=$(wc -c <"$stream" | tr -d ' ')
echo "stream: $records records, $processes processes, $bytes bytes;" \
	"best of $runs runs"

failures=0

# bench_case NAME [--min-rate M] [--min-wall-rate M] [--max-rss MB] --
#   COMMAND [ARG]...
# Runs COMMAND $runs times (its output discarded) and prints the best wall
# time as records/s of the stream, with the peak RSS of all runs, against the
# targets given (M: millions of records/s, of CPU time on one core, or of
# wall time for --min-wall-rate: a host and its workers run on several
# cores at once; MB: mebibytes).
bench_case() {
	name=$1
	shift
	min_rate=
	min_wall=
	max_rss=
	while [ $# -gt 0 ]; do
		case $1 in
		--min-rate) min_rate=$2 && shift 2 ;;
		--min-wall-rate) min_wall=$2 && shift 2 ;;
		--max-rss) max_rss=$2 && shift 2 ;;
		--)
			shift
			break
			;;
		*) die "bench_case $name: unknown option $1" ;;
		esac
	done
	[ $# -gt 0 ] || die "bench_case $name: no command"

	best=
	best_cpu=
	peak=0
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		"$MEASURE" -o "$scratch/figures" -- "$@" \
			>/dev/null 2>"$scratch/stderr"
		status=$?
		if [ "$status" -ne 0 ]; then
			echo "$name: FAILED (exit $status): $*" >&2
			head -n 20 "$scratch/stderr" | sed 's/^/  /' >&2
			failures=$((failures + 1))
			return 1
		fi
		read -r secs kb cpu <"$scratch/figures" ||
			die "$name: no figures from measure"
		best=$(awk -v a="${best:-$secs}" -v b="$secs" \
			'BEGIN { print (b < a ? b : a) }')
		best_cpu=$(awk -v a="${best_cpu:-$cpu}" -v b="$cpu" \
			'BEGIN { print (b < a ? b : a) }')
		[ "$kb" -gt "$peak" ] && peak=$kb
	done

	# The program is single-threaded: its CPU time is what one core of
	# its own would take, and what the targets are judged on; the wall
	# time, longer on a busy machine, is shown beside it.
	awk -v name="$name" -v n="$records" -v s="$best" -v c="$best_cpu" \
		-v kb="$peak" -v min_rate="$min_rate" -v max_rss="$max_rss" \
		-v min_wall="$min_wall" 'BEGIN {
		if (s <= 0) s = 1e-6
		if (c <= 0) c = 1e-6
		rate = n / c / 1e6
		mb = kb / 1024
		line = sprintf("%s: %d records in %.3f s of CPU (%.3f s wall): %.2f M records/s on one core (%.2f M/s wall), peak RSS %.1f MB",
		    name, n, c, s, rate, n / s / 1e6, mb)
		target = ""; missed = ""
		if (min_rate != "") {
			target = sprintf(">= %s M records/s", min_rate)
			if (rate < min_rate + 0) missed = "rate"
		}
		if (min_wall != "") {
			target = target (target != "" ? ", " : "") sprintf(">= %s M records/s wall", min_wall)
			if (n / s / 1e6 < min_wall + 0) missed = missed (missed != "" ? " and " : "") "wall rate"
		}
		if (max_rss != "") {
			target = target (target != "" ? ", " : "") sprintf("<= %s MB", max_rss)
			if (mb > max_rss + 0) missed = missed (missed != "" ? " and " : "") "RSS"
		}
		if (target != "") line = line " (target " target ")"
		if (missed != "") line = line ": MISSED " missed
		print line
	}'
}

bench_case "state --truncate" --min-rate 8 --max-rss 16 -- \
	"$THERMOS_DISPATCH" state --truncate "$stream"
# An empty configuration file: no plugin instance at all.
bench_case "replay --truncate, no plugins" --min-rate 8 -- \
	"$THERMOS_DISPATCH" -c /dev/null replay --truncate "$stream"
# Without --truncate the state keeps every run (about 258,000 here, 20 MB):
# a measure of memory growth more than of dispatch.
bench_case "replay, no plugins, every run kept" -- \
	"$THERMOS_DISPATCH" -c /dev/null replay "$stream"
# Every record is one event: records/s is events/s here.
bench_case "replay --truncate, JSON logger to /dev/null" --min-rate 2 -- \
	"$THERMOS_DISPATCH" -c /dev/null -o "host.plugin_dir=$PLUGIN_DIR" \
	-o logger.format=json -o logger.output=/dev/null replay --truncate \
	"$stream"

# An isolated instance (isolation = process) that does nothing: the host
# reads and sends each record, its worker decodes and dispatches it again,
# both at once.  Every record is one event.
if [ -n "${TIMESTAMP_PLUGIN:-}" ]; then
	bench_case "replay --truncate, isolated instance doing nothing" \
		--min-wall-rate 2 -- \
		"$THERMOS_DISPATCH" -c /dev/null -p "$TIMESTAMP_PLUGIN" \
		-o timestamp.capacity=0 -o timestamp.isolation=process \
		replay --truncate "$stream"
fi

# Following live streams (tail, watch): their own script, needing LATENCY
# and TIMESTAMP_PLUGIN too; BENCH_FOLLOW=no skips it.
if [ "${BENCH_FOLLOW:-yes}" != no ]; then
	sh "$(dirname "$0")/run-follow-bench.sh" ||
		failures=$((failures + 1))
fi

# The observer plugin: its memory beyond the host's and the latency of
# its answers (needs OBSERVER_PLUGIN; BENCH_OBSERVER=no skips it).
if [ "${BENCH_OBSERVER:-yes}" != no ] && [ -n "${OBSERVER_PLUGIN:-}" ]; then
	sh "$(dirname "$0")/run-observer-bench.sh" ||
		failures=$((failures + 1))
fi

[ "$failures" -eq 0 ] || die "$failures case(s) failed"
