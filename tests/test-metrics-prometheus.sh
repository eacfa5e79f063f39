#!/bin/sh
# End to end with a real Prometheus server (Debian package prometheus; under
# CI=true a missing binary is a failure, elsewhere a skip), on loopback only
# (issue 5): the file holds the first 5 records of fixtures/aurora/failure
# when `tail --forever` starts with `listen = 127.0.0.1:PORT`; Prometheus
# scrapes it every second; follow-helper appends the other 22 records in
# writes of random sizes.  Counters count live records only, so a query
# through Prometheus's HTTP API must come to thermos_records_total = 22 and
# sum(thermos_process_transitions_total) = the live process transitions,
# within 30 s; thermos_tasks{state="SUCCESS"} = 1 at the end.  Everything
# started is killed at exit.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

need_tool prometheus
need_http

SRC=$AUR/failure/runner
K=5
nrec=$("$JQ" -s 'map(.record) | unique | length' "$AUREXP/failure.events.jsonl") || exit 99
live=$((nrec - K))
live_pt=$("$JQ" -s --argjson k "$K" '[.[] | select(.record >= $k and .event == "process_transition")] | length' \
	"$AUREXP/failure.events.jsonl") || exit 99

stream=$tmp/failure.ckpt
off=$("$FH" offset "$SRC" "$K") || exit 99
head -c "$off" "$SRC" >"$stream"

# The host, serving /metrics; its history dispatched (thermos_tasks ACTIVE).
serve_start tailer /metrics -c "$ini" tail --forever "$stream"
mport=$port
host_what=$what
active_up() {
	scrape early && [ "$(prom_value "$tmp/early.prom" 'thermos_tasks{state="ACTIVE"}')" = 1 ]
}
if ! wait_until 10 active_up; then
	fail "the $K records present at start: no thermos_tasks{state=\"ACTIVE\"} 1 within 10 s"
	show_file exposition "$tmp/early.prom"
fi
what=$host_what
v=$(prom_value "$tmp/early.prom" 'thermos_records_total{}')
if [ "$v" = 0 ]; then ok; else fail "before any append: thermos_records_total want 0 (history), got '$v'"; fi

# Prometheus, scraping it every second.
mkdir "$tmp/tsdb" || exit 99
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: thermos
    static_configs:
      - targets: ['127.0.0.1:$mport']
EOF
prom_ready() {
	bg_done prom && return 0
	http_get "127.0.0.1:$port" /-/ready "$tmp/ready.out"
}
ptry=0
while :; do
	ptry=$((ptry + 1))
	pick_port
	bg_start prom prometheus --config.file="$tmp/prometheus.yml" \
		--storage.tsdb.path="$tmp/tsdb" --web.listen-address="127.0.0.1:$port" \
		--log.level=warn
	if wait_until 20 prom_ready && ! bg_done prom; then
		break
	fi
	bg_kill KILL prom
	wait_until 10 bg_done prom
	if [ "$ptry" -ge 3 ]; then
		printf '%s: ERROR: prometheus did not start (stderr:)\n' "$test_name"
		sed 's/^/  /' "$BG/prom.err" | tail -n 20
		exit 99
	fi
done
pport=$port

# query EXPR: the value of the first sample of the instant query EXPR, in $qv
# ("" when none).
query() {
	q_enc=$(printf '%s' "$1" | sed -e 's/%/%25/g' -e 's/ /%20/g' -e 's/(/%28/g' -e 's/)/%29/g' \
		-e 's/{/%7B/g' -e 's/}/%7D/g' -e 's/"/%22/g' -e 's/=/%3D/g')
	qv=
	http_get "127.0.0.1:$pport" "/api/v1/query?query=$q_enc" "$tmp/query.json" || return 1
	qv=$("$JQ" -r 'select(.status == "success") | .data.result[0].value[1] // empty' "$tmp/query.json" 2>/dev/null)
}
# query_is EXPR VALUE: the query gives VALUE (numerically).
query_is() {
	query "$1" && [ -n "$qv" ] && awk -v a="$qv" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'
}

# Prometheus has scraped the history: 0 records.
what="prometheus query thermos_records_total before the appends"
if wait_until 15 query_is 'thermos_records_total{job="thermos"}' 0; then
	ok
else
	fail "want 0 within 15 s, last answer: '$qv'"
	show_file "query answer" "$tmp/query.json"
fi

# The writer appends the rest.
bg_start writer "$FH" append -s 3 -d 20 "$SRC" "$stream" "$off"
bg_wait writer 20
what="writer"
check_rc 0

what="prometheus query thermos_records_total after the appends"
if wait_until 30 query_is 'thermos_records_total{job="thermos"}' "$live"; then
	ok
else
	fail "want $live (the live records) within 30 s, last answer: '$qv'"
	show_file "query answer" "$tmp/query.json"
	scrape late && show_file "/metrics" "$tmp/late.prom"
fi
what="prometheus query sum(thermos_process_transitions_total)"
if wait_until 5 query_is 'sum(thermos_process_transitions_total{job="thermos"})' "$live_pt"; then
	ok
else
	fail "want $live_pt within 5 s, last answer: '$qv'"
fi
what="prometheus query thermos_tasks{state=\"SUCCESS\"}"
if wait_until 5 query_is 'thermos_tasks{job="thermos",state="SUCCESS"}' 1; then
	ok
else
	fail "want 1 within 5 s, last answer: '$qv'"
fi
what="prometheus query up"
if query_is 'up{job="thermos"}' 1; then ok; else fail "want 1, got '$qv'"; fi

host_stop tailer
what=$host_what
check_rc 0
check_stdout_empty
check_stderr_empty
bg_kill TERM prom
bg_wait prom 10 || true

finish
