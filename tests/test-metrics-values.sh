#!/bin/sh
# The metrics plugin's exposition after `replay` of the Aurora fixtures, value
# by value (cli-and-config.md "Bundled plugins", metrics; issue 5):
# - for each fixtures/aurora/CASE/runner, `replay` with `textfile = FILE`
#   (written at fini): every series of every family has the value derived
#   with jq from fixtures/aurora-expected/CASE.events.jsonl and .state.json:
#   thermos_process_transitions_total{state} and
#   thermos_task_transitions_total{state} (replay: every event is live),
#   thermos_records_total, thermos_stream_errors_total (0),
#   thermos_processes{state} (latest run of each process),
#   thermos_tasks{state} (latest task status), the histogram
#   thermos_process_run_seconds (default buckets, _sum, _count) of
#   stop_time - start_time of the runs ending SUCCESS, FAILED or KILLED
#   that have both (FAILED from RUNNING keeps its stop_time here); a series
#   for every known state, 0 when empty; no other series;
# - HELP and TYPE lines for each family, counters named _total;
# - thermos_last_record_timestamp_seconds is within the run's wall time;
# - all seven fixtures in one `replay`: the sums (a replayed stream still
#   counts in the gauges after its end);
# - `buckets = ...` sets the histogram's bounds.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

CASES="failure failure_limit hello_world ordering ports sleep60 sleep60-lost"

# check_last_record LABEL FILE T0 T1: the last-record timestamp is in
# [T0, T1] (wall seconds).
check_last_record() {
	clr_v=$(prom_value "$2" "thermos_last_record_timestamp_seconds{}")
	if [ -n "$clr_v" ] && awk -v v="$clr_v" -v a="$3" -v b="$4" \
		'BEGIN { exit !(v + 0 >= a && v + 0 <= b) }'; then
		ok
	else
		fail "$1: thermos_last_record_timestamp_seconds: want within [$3, $4], got '$clr_v'"
	fi
}

mkdir "$tmp/out"
for c in $CASES; do
	expected_of "$c" "$tmp/$c.want"
	prom=$tmp/out/$c.prom
	t0=$(date +%s)
	td -c "$ini" -o "metrics.textfile=$prom" replay "$AUR/$c/runner"
	t1=$(( $(date +%s) + 1 ))
	check_rc 0
	check_stdout_empty
	check_stderr_empty
	if [ ! -s "$prom" ]; then
		fail "$c: no textfile written at $prom"
		continue
	fi
	check_values "$c" "$tmp/$c.want" "$prom"
	check_families "$c" "$prom"
	check_last_record "$c" "$prom" "$t0" "$t1"
	# No temp file left beside it.
	what="$c: the textfile's directory"
	left=$(ls -A "$tmp/out" | grep -v "\\.prom\$")
	if [ -z "$left" ]; then ok; else fail "files left beside the textfile: $left"; fi
done

# All seven in one replay: the sums.
set --
wants=
for c in $CASES; do
	set -- "$@" "$AUR/$c/runner"
	wants="$wants $tmp/$c.want"
done
sum_samples $wants >"$tmp/all.want"
t0=$(date +%s)
td -c "$ini" -o "metrics.textfile=$tmp/all.prom" replay "$@"
t1=$(( $(date +%s) + 1 ))
check_rc 0
check_stdout_empty
check_stderr_empty
check_values "all seven fixtures in one replay" "$tmp/all.want" "$tmp/all.prom"
check_families "all seven" "$tmp/all.prom"
check_last_record "all seven" "$tmp/all.prom" "$t0" "$t1"

# A stream error: coordinator.echo fails at record 0 (aurora-expected
# README): thermos_stream_errors_total 1, nothing else from it (its failing
# record is not dispatched); the valid stream after it still counts.
sed 's/^thermos_stream_errors_total .*/thermos_stream_errors_total 1/' "$tmp/hello_world.want" >"$tmp/err.want"
td -c "$ini" -o "metrics.textfile=$tmp/err.prom" replay "$AUR/hello_world/coordinator.echo" "$AUR/hello_world/runner"
check_rc 65
check_stdout_empty
check_stderr_prefix "$PFX: $AUR/hello_world/coordinator.echo: record 0 at byte 0: update for unknown process"
check_values "a stream error, then hello_world" "$tmp/err.want" "$tmp/err.prom"

# The same from a configuration file line.
ini metrics2 "[host]" "plugin_dir = $PLUG" "[plugin:metrics]" "textfile = $tmp/cfg.prom"
td -c "$ini" replay "$AUR/hello_world/runner"
check_rc 0
check_stderr_empty
check_values "textfile from the configuration file" "$tmp/hello_world.want" "$tmp/cfg.prom"

# buckets = ...: other bounds.
B="0.05 0.1 2.5 60"
expected_of failure "$tmp/failure-b.want" "$B"
td -c "$ini" -o "metrics.textfile=$tmp/failure-b.prom" -o "metrics.buckets=0.05,0.1,2.5,60" replay "$AUR/failure/runner"
check_rc 0
check_stderr_empty
check_values "buckets = 0.05,0.1,2.5,60" "$tmp/failure-b.want" "$tmp/failure-b.prom"
what="buckets = 0.05,0.1,2.5,60: no default bucket left"
if prom_samples "$tmp/failure-b.prom" | grep -q 'le="300"'; then
	fail "a le=\"300\" bucket is still there"
else
	ok
fi

finish
