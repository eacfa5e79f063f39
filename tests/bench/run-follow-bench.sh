#!/bin/sh
# Benchmarks of following live streams (`tail`, `watch`): run by
# run-bench.sh (`make bench`) after its own cases.  The work is done by
# tests/bench/latency (see its header), with the timestamp plugin
# (tests/bench/timestamp_plugin.c) as the host's only instance:
#   - tail: 10,000 records appended one write(2) each, 0.3 ms apart, to a
#     stream followed by `tail --forever`; the latency from each write to
#     the plugin's callback, p50/p99/max (target: p99 <= 2 ms);
#   - watch: 10,000 tasks of 100 records each under one root, there when
#     `watch` starts; the time until the plugin has seen all 1,000,000
#     (target <= 3 s), the peak RSS, and the CPU used over 10 idle seconds
#     after (target <= 1 % of one core).
# About 20 s in all.  The open-files limit is left as it is (the host
# raises its soft limit itself); it is printed.
#
# Environment:
#   THERMOS_DISPATCH  the program under test (required)
#   GEN_STREAM        tests/bench/gen-stream (required)
#   LATENCY           tests/bench/latency (required)
#   TIMESTAMP_PLUGIN  the built timestamp.so (required)
#   BENCH_FOLLOW_APPENDS      tail: records appended (default 10000)
#   BENCH_FOLLOW_INTERVAL_US  tail: microseconds between appends (default 300)
#   BENCH_WATCH_TASKS         watch: tasks (default 10000)
#   BENCH_WATCH_RECORDS       watch: records per task (default 100)
#   BENCH_WATCH_IDLE          watch: idle seconds measured (default 10)
#
# Missing a target is reported, not a failure: the exit status is non-zero
# only when a run fails.
set -u

me=run-follow-bench.sh
die() {
	echo "$me: $*" >&2
	exit 1
}

: "${THERMOS_DISPATCH:?set THERMOS_DISPATCH to the thermos-dispatch program}"
: "${GEN_STREAM:?set GEN_STREAM to tests/bench/gen-stream}"
: "${LATENCY:?set LATENCY to tests/bench/latency}"
: "${TIMESTAMP_PLUGIN:?set TIMESTAMP_PLUGIN to the built timestamp.so}"
appends=${BENCH_FOLLOW_APPENDS:-10000}
interval=${BENCH_FOLLOW_INTERVAL_US:-300}
tasks=${BENCH_WATCH_TASKS:-10000}
records=${BENCH_WATCH_RECORDS:-100}
idle=${BENCH_WATCH_IDLE:-10}
for v in "$appends" "$interval" "$tasks" "$records" "$idle"; do
	case $v in
	'' | *[!0-9]*) die "the BENCH_FOLLOW_* and BENCH_WATCH_* settings must be integers, not '$v'" ;;
	esac
done
[ -f "$TIMESTAMP_PLUGIN" ] || die "no plugin at $TIMESTAMP_PLUGIN"

# latency runs in the background so that a signal reaches the traps at
# once; it stops the host itself before it exits (and the host gets
# SIGTERM should latency be killed outright).
latency_pid=
cleanup() {
	if [ -n "$latency_pid" ]; then
		kill "$latency_pid" 2>/dev/null
		wait "$latency_pid" 2>/dev/null
	fi
	rm -rf "$scratch"
}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/thermos-fbench.XXXXXX") ||
	die "cannot create a temporary directory"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The real path: the host names streams by their resolved paths.
scratch=$(cd "$scratch" && pwd -P) || die "cannot enter $scratch"

# The host refuses a module in a directory writable by group or others, as
# the build tree may be: a private copy.
mkdir "$scratch/plugins" || die "cannot create $scratch/plugins"
cp "$TIMESTAMP_PLUGIN" "$scratch/plugins/timestamp.so" ||
	die "cannot copy $TIMESTAMP_PLUGIN"
chmod 755 "$scratch/plugins"
chmod 644 "$scratch/plugins/timestamp.so"
plugin=$scratch/plugins/timestamp.so

failures=0

# run_latency ARG...: runs latency, its figures on stdout; a failure is
# counted (latency says why).
run_latency() {
	"$LATENCY" "$@" &
	latency_pid=$!
	wait "$latency_pid"
	rl_status=$?
	latency_pid=
	if [ "$rl_status" -ne 0 ]; then
		echo "$me: latency $1 failed (exit $rl_status)" >&2
		failures=$((failures + 1))
	fi
}

# Not POSIX, but dash and bash have both (else: unknown).
# shellcheck disable=SC3045
{
	nofile=$(ulimit -n 2>/dev/null) || nofile=unknown
	nofile_hard=$(ulimit -H -n 2>/dev/null) || nofile_hard=unknown
}
echo "follow: open files limit: soft $nofile, hard $nofile_hard" \
	"(not raised here)"

# tail: a task status and the header, then the appends; the stream's last
# record (the terminal task status) is not used.
mkdir "$scratch/tail" || die "cannot create $scratch/tail"
"$GEN_STREAM" -n "$((appends + 3))" -p 100 -s 1 "$scratch/tail.ckpt" ||
	die "gen-stream failed"
run_latency tail -n "$appends" -i "$interval" "$THERMOS_DISPATCH" \
	"$plugin" "$scratch/tail.ckpt" "$scratch/tail"
rm -rf "$scratch/tail" "$scratch/tail.ckpt"

# watch: each task's stream is the first $records records of one with a
# record more, whose last is its terminal task status: without it, every
# task stays followed while the host idles.
mkdir "$scratch/watch" || die "cannot create $scratch/watch"
"$GEN_STREAM" -n "$((records + 1))" -p 5 -s 1 "$scratch/watch.ckpt" ||
	die "gen-stream failed"
run_latency watch -t "$tasks" -r "$records" -I "$idle" "$THERMOS_DISPATCH" \
	"$plugin" "$scratch/watch.ckpt" "$scratch/watch"
rm -rf "$scratch/watch" "$scratch/watch.ckpt"

[ "$failures" -eq 0 ] || die "$failures follow case(s) failed"
