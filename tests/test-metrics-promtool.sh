#!/bin/sh
# The metrics plugin's exposition passes `promtool check metrics` (Debian
# package prometheus; under CI=true a missing promtool is a failure,
# elsewhere a skip), as a textfile and as scraped from /metrics (issue 5):
# - the textfile of a replay of all seven Aurora fixtures, and of one with
#   per_task = yes (a task_id label on every series);
# - GET /metrics from `tail --forever` with `listen = 127.0.0.1:PORT`: 200,
#   a body promtool accepts, with the families' HELP and TYPE lines; what
#   the file held when tail started is history: the gauges show it
#   (thermos_tasks{state="SUCCESS"} 1, thermos_processes as the final state)
#   while the counters stay 0 and the histogram empty;
# - SIGTERM: exit 0, the port is free again.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

need_tool promtool
need_http

CASES="failure failure_limit hello_world ordering ports sleep60 sleep60-lost"

# promtool_ok LABEL FILE: `promtool check metrics < FILE` exits 0 and says
# nothing.
promtool_ok() {
	if promtool check metrics <"$2" >"$tmp/promtool.out" 2>&1 && [ ! -s "$tmp/promtool.out" ]; then
		ok
	else
		fail "$1: promtool check metrics:"
		sed 's/^/  | /' "$tmp/promtool.out" | head -n 20
		show_file exposition "$2"
	fi
}

# --- the textfile -------------------------------------------------------------
set --
for c in $CASES; do set -- "$@" "$AUR/$c/runner"; done
td -c "$ini" -o "metrics.textfile=$tmp/all.prom" replay "$@"
check_rc 0
check_stderr_empty
promtool_ok "textfile of a replay of the seven fixtures" "$tmp/all.prom"

# Laid out as on a Thermos host (.../checkpoints/<task_id>/runner), where the
# task id comes from the path from record 0 on (handler-abi.md): a stream
# found elsewhere has no task id before its header.
set --
for c in $CASES; do
	mkdir -p "$tmp/root/checkpoints/$c"
	cp "$AUR/$c/runner" "$tmp/root/checkpoints/$c/runner"
	set -- "$@" "$tmp/root/checkpoints/$c/runner"
done
td -c "$ini" -o "metrics.textfile=$tmp/per-task.prom" -o metrics.per_task=yes replay "$@"
check_rc 0
check_stderr_empty
promtool_ok "textfile with per_task = yes" "$tmp/per-task.prom"
what="per_task = yes: a task_id label"
# Every record of a task counts under its id, the task status before the
# header (record 0 of every real runner) included.
for kv in 'thermos_records_total{task_id="hello_world"} 7' \
	'thermos_task_transitions_total{task_id="hello_world",state="ACTIVE"} 1' \
	'thermos_tasks{task_id="hello_world",state="SUCCESS"} 1' \
	'thermos_records_total{task_id="failure"} 27'; do
	if prom_samples "$tmp/per-task.prom" | grep -q -x -F -e "$kv"; then
		ok
	else
		fail "want the sample: $kv"
	fi
done
if prom_samples "$tmp/per-task.prom" | grep -q 'task_id=""'; then
	fail 'a series with task_id="" (every record belongs to a task)'
	prom_samples "$tmp/per-task.prom" | grep 'task_id=""' | head -n 5 | sed 's/^/  | /'
else
	ok
fi

# --- /metrics, from tail -------------------------------------------------------
HELLO=$AUR/hello_world/runner
serve_start tailer /metrics -c "$ini" tail --forever "$HELLO"
srv_what=$what
# The history is dispatched: the gauges show the task's final state.
hello_up() {
	scrape hello && [ "$(prom_value "$tmp/hello.prom" 'thermos_tasks{state="SUCCESS"}')" = 1 ]
}
if wait_until 10 hello_up; then ok; else fail "no thermos_tasks{state=\"SUCCESS\"} 1 in /metrics within 10 s"; fi
promtool_ok "GET /metrics" "$tmp/hello.prom"
check_families "GET /metrics" "$tmp/hello.prom"
# History: gauges yes, counters no.
"$JQ" -n -r --slurpfile st "$AUREXP/hello_world.state.json" --arg buckets "$DEFAULT_BUCKETS" \
	--slurpfile ev /dev/null --arg runs none "$JQ_EXPECTED" >"$tmp/hello.want" || exit 99
check_values "tail of a finished stream (all history)" "$tmp/hello.want" "$tmp/hello.prom"

# A second scrape: the same (nothing live happened), but for the host's
# own statistics (thermos_dispatch_*: the ticks in between were callbacks).
what=$srv_what
if scrape hello2 && grep -v thermos_dispatch_ "$tmp/hello.prom" >"$tmp/hello.cmp" &&
	grep -v thermos_dispatch_ "$tmp/hello2.prom" >"$tmp/hello2.cmp" &&
	cmp -s "$tmp/hello.cmp" "$tmp/hello2.cmp"; then
	ok
else
	fail "a second scrape differs (nothing happened in between)"
	show_diff "$tmp/hello.cmp" "$tmp/hello2.cmp"
fi

# An unknown path is not 200.
what="GET /nothing"
if http_get "127.0.0.1:$port" /nothing "$tmp/nothing.out"; then
	fail "want an error status, got 200"
else
	ok
fi

host_stop tailer
what=$srv_what
check_rc 0
check_stdout_empty
check_stderr_empty
what="the port after the host ended"
if wait_until 5 port_free "$port"; then ok; else fail "127.0.0.1:$port is still in use"; fi

finish
