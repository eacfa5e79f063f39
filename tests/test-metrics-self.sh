#!/bin/sh
# The host's own statistics in the metrics plugin's exposition, the
# thermos_dispatch_* families (thermos-dispatch-metrics(5); ABI 1.1
# instance_stats and stream_stats, read at the plugin's tick):
# - replay of the seven Aurora fixtures with metrics first, then the
#   recorder failing every on_task_transition (rec), the returns plugin
#   failing once (ret), and a recorder failing its first on_initialization
#   under on_error = disable (dis): for each instance
#   thermos_dispatch_events_total (the fixtures' transitions; dis: the 2
#   before it was disabled), thermos_dispatch_callbacks_failed_total (rec:
#   the task transitions; ret 1; dis 1; metrics 0),
#   thermos_dispatch_instance_disabled (dis 1, else 0), and the histogram
#   thermos_dispatch_callback_seconds: _count = the +Inf bucket = the
#   callbacks called (from the recorders' lines; metrics: 2 per stream and
#   one per transition; ret: one per task transition), buckets at the
#   bounds of THERMOS_CALLBACK_BUCKET_BOUNDS, cumulative, _sum > 0;
#   thermos_dispatch_unread_bytes 0 and no stream series (every stream
#   was closed before the last tick); HELP and TYPE lines; promtool clean;
# - self_metrics = instances: no series per stream; no: no family at all;
# - tail, with the appender test plugin configured before metrics: at its
#   first tick it appends the rest of a stream, and the metrics tick that
#   follows (the textfile's first write) sees those bytes unread:
#   thermos_dispatch_stream_unread_bytes{task_id="tt",source="PATH"} and
#   the sum both equal to the bytes appended; then /metrics shows the
#   stream read to its end (0), promtool clean.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

CASES="failure failure_limit hello_world ordering ports sleep60 sleep60-lost"
BOUNDS="1e-05 0.0001 0.001 0.01 0.1 1 10 60"

# promtool_ok LABEL FILE: as in test-metrics-promtool.sh (skipped without
# promtool, unless CI=true).
promtool_ok() {
	if ! command -v promtool >/dev/null 2>&1; then
		[ "${CI:-}" = true ] && need_tool promtool
		return 0
	fi
	if promtool check metrics <"$2" >"$tmp/promtool.out" 2>&1 && [ ! -s "$tmp/promtool.out" ]; then
		ok
	else
		fail "$1: promtool check metrics:"
		sed 's/^/  | /' "$tmp/promtool.out" | head -n 20
		show_file exposition "$2"
	fi
}

# want_sample LABEL FILE KEY VALUE: the sample KEY (prom_samples form) is
# VALUE.
want_sample() {
	ws_got=$(prom_value "$2" "$3")
	if [ "$ws_got" = "$4" ]; then ok; else
		fail "$1: $3: want $4, got '${ws_got}'"
	fi
}

# check_histogram LABEL FILE LABELS CALLBACKS: the callback-time histogram
# of LABELS (`instance="x",module="y"`) counts CALLBACKS, its buckets at
# the fixed bounds, cumulative, the +Inf one equal to _count, _sum > 0.
check_histogram() {
	ch_prev=0
	ch_bad=
	for ch_b in $BOUNDS; do
		ch_v=$(prom_value "$2" "thermos_dispatch_callback_seconds_bucket{$3,le=\"$ch_b\"}")
		if [ -z "$ch_v" ]; then
			ch_bad="$ch_bad no-bucket-$ch_b"
		elif [ "$ch_v" -lt "$ch_prev" ]; then
			ch_bad="$ch_bad decreasing-at-$ch_b"
		else
			ch_prev=$ch_v
		fi
	done
	ch_inf=$(prom_value "$2" "thermos_dispatch_callback_seconds_bucket{$3,le=\"+Inf\"}")
	ch_count=$(prom_value "$2" "thermos_dispatch_callback_seconds_count{$3}")
	ch_sum=$(prom_value "$2" "thermos_dispatch_callback_seconds_sum{$3}")
	[ "$ch_inf" = "$4" ] || ch_bad="$ch_bad +Inf=$ch_inf"
	[ "$ch_count" = "$4" ] || ch_bad="$ch_bad _count=$ch_count"
	[ -n "$ch_inf" ] && [ "$ch_prev" -le "$ch_inf" ] || ch_bad="$ch_bad last-bucket-above-+Inf"
	awk -v s="$ch_sum" 'BEGIN { exit !(s + 0 > 0) }' || ch_bad="$ch_bad _sum=$ch_sum"
	if [ -z "$ch_bad" ]; then ok; else
		fail "$1: histogram of {$3}, want $4 callbacks:$ch_bad"
		grep "thermos_dispatch_callback_seconds.*$3" "$2" | sed 's/^/  | /'
	fi
}

# self_families LABEL FILE [per-stream]: one HELP and TYPE line each.
self_families() {
	FAMILIES="thermos_dispatch_events_total:counter
thermos_dispatch_callbacks_failed_total:counter
thermos_dispatch_instance_disabled:gauge
thermos_dispatch_callback_seconds:histogram
thermos_dispatch_unread_bytes:gauge"
	[ -z "${3:-}" ] || FAMILIES="$FAMILIES
thermos_dispatch_stream_unread_bytes:gauge"
	check_families "$1" "$2"
}

# --- replay ------------------------------------------------------------------
set --
n_ev=0
n_task=0
for c in $CASES; do
	set -- "$@" "$AUR/$c/runner"
	n_ev=$((n_ev + $(grep -c . "$AUREXP/$c.events.jsonl")))
	n_task=$((n_task + $("$JQ" -s '[.[] | select(.event == "task_transition")] | length' "$AUREXP/$c.events.jsonl")))
done
n_streams=$#
ini self "[host]" "plugin_dir = $PLUG" "[plugin:metrics]" "textfile = $tmp/self.prom" \
	"[plugin:rec]" "module = recorder" "out = $tmp/rec.out" "fail_on = on_task_transition" \
	"[plugin:ret]" "module = returns" "out = $tmp/ret.out" "rc = 1" \
	"[plugin:dis]" "module = recorder" "out = $tmp/dis.out" "fail_on = on_initialization" \
	"on_error = disable"
self_ini=$ini
td -c "$ini" replay "$@"
check_rc 70
check_stdout_empty
what="the fixtures' task transitions"
if [ "$n_task" = 14 ]; then ok; else fail "want 14, counted $n_task"; fi
# The count lines, last.
newfile
tail -n 3 "$err" >"$nf"
check_text "$nf" "stderr's last lines" \
	"$PFX: rec: $n_task callbacks failed ($((n_task - 1)) not logged: at most one line a second)" \
	"$PFX: ret: 1 callback failed" \
	"$PFX: dis: 1 callback failed"
P=$tmp/self.prom
M='instance="metrics",module="metrics"'
R='instance="rec",module="recorder"'
T='instance="ret",module="returns"'
D='instance="dis",module="recorder"'
for l in "$M" "$R" "$T"; do
	want_sample replay "$P" "thermos_dispatch_events_total{$l}" "$n_ev"
	want_sample replay "$P" "thermos_dispatch_instance_disabled{$l}" 0
done
want_sample replay "$P" "thermos_dispatch_events_total{$D}" 2
want_sample replay "$P" "thermos_dispatch_instance_disabled{$D}" 1
want_sample replay "$P" "thermos_dispatch_callbacks_failed_total{$M}" 0
want_sample replay "$P" "thermos_dispatch_callbacks_failed_total{$R}" "$n_task"
want_sample replay "$P" "thermos_dispatch_callbacks_failed_total{$T}" 1
want_sample replay "$P" "thermos_dispatch_callbacks_failed_total{$D}" 1
# Callbacks: the recorders write a line per callback (init, tick and fini
# are not callbacks of a stream; metrics read before rec's tick).
n_rec=$(grep -c -v -E '^rec (init|tick|fini)' "$tmp/rec.out")
n_dis=$(grep -c -v -E '^dis (init|tick|fini)' "$tmp/dis.out")
what="dis's callbacks"
if [ "$n_dis" = 4 ]; then ok; else fail "want 4 (open, task transition, task active, initialization), got $n_dis"; fi
check_histogram replay "$P" "$M" $((n_ev + 2 * n_streams))
check_histogram replay "$P" "$R" "$n_rec"
check_histogram replay "$P" "$T" "$n_task"
check_histogram replay "$P" "$D" "$n_dis"
want_sample replay "$P" "thermos_dispatch_unread_bytes{}" 0
what="replay: no stream open at the last tick"
if grep -q '^thermos_dispatch_stream_unread_bytes{' "$P"; then
	fail "a stream series:"
	grep '^thermos_dispatch_stream_unread_bytes{' "$P" | sed 's/^/  | /'
else
	ok
fi
what="replay: the instances in dispatch order"
got=$(sed -n 's/^thermos_dispatch_events_total{instance="\([^"]*\)".*/\1/p' "$P" | tr '\n' ' ')
if [ "$got" = "metrics rec ret dis " ]; then ok; else fail "got: $got"; fi
self_families replay "$P" per-stream
promtool_ok replay "$P"

# The other families are what they were (test-metrics-values.sh).
sum_wants=
for c in $CASES; do
	expected_of "$c" "$tmp/$c.want"
	sum_wants="$sum_wants $tmp/$c.want"
done
sum_samples $sum_wants >"$tmp/all.want"
check_values "replay: the other families" "$tmp/all.want" "$P"

# --- self_metrics = instances, no --------------------------------------------------
td -c "$self_ini" -o metrics.self_metrics=instances -o "metrics.textfile=$tmp/inst.prom" replay "$AUR/hello_world/runner"
check_rc 70
want_sample instances "$tmp/inst.prom" "thermos_dispatch_events_total{$M}" 7
want_sample instances "$tmp/inst.prom" "thermos_dispatch_unread_bytes{}" 0
what="self_metrics = instances: no per-stream family"
if grep -q 'thermos_dispatch_stream_unread_bytes' "$tmp/inst.prom"; then fail "it is there"; else ok; fi
self_families instances "$tmp/inst.prom"
promtool_ok instances "$tmp/inst.prom"

td -c "$self_ini" -o metrics.self_metrics=no -o "metrics.textfile=$tmp/no.prom" replay "$AUR/hello_world/runner"
check_rc 70
what="self_metrics = no: no thermos_dispatch_ family"
if grep -q 'thermos_dispatch_' "$tmp/no.prom"; then fail "some are there"; else ok; fi
check_values "self_metrics = no: the other families" "$tmp/hello_world.want" "$tmp/no.prom"

td -c "$self_ini" -o metrics.self_metrics=some replay "$AUR/hello_world/runner"
check_rc 78
check_stderr_prefix "$PFX: -o:"

# --- tail: bytes unread ----------------------------------------------------------
F=$AUR/failure/runner
mkdir -p "$tmp/t/checkpoints/tt"
T_PATH=$tmp/t/checkpoints/tt/runner
off10=$("$FH" offset "$F" 10)
head -c "$off10" "$F" >"$T_PATH"
n_app=$(($(file_size "$F") - off10))
ini tail "[host]" "plugin_dir = $PLUG" \
	"[plugin:app]" "module = appender" "out = $tmp/app.out" "from = $F" "offset = $off10" \
	"[plugin:metrics]" "textfile = $tmp/tail.prom" "interval = 1000"
serve_start tailer /metrics -c "$ini" tail --forever "$T_PATH"
t_what=$what
what="tail: the textfile written at the first tick"
if wait_until 10 test -s "$tmp/tail.prom"; then ok; else fail "no textfile within 10 s"; fi
check_text "$tmp/app.out" "the appender's line" \
	"appender appended=$n_app unread=$n_app source=$T_PATH"
want_sample tail "$tmp/tail.prom" "thermos_dispatch_stream_unread_bytes{task_id=\"tt\",source=\"$T_PATH\"}" "$n_app"
want_sample tail "$tmp/tail.prom" "thermos_dispatch_unread_bytes{}" "$n_app"
self_families tail "$tmp/tail.prom" per-stream
promtool_ok tail "$tmp/tail.prom"
# Then read: 0, the stream still open (--forever).
read_up() {
	scrape later &&
		[ "$(prom_value "$tmp/later.prom" "thermos_dispatch_stream_unread_bytes{task_id=\"tt\",source=\"$T_PATH\"}")" = 0 ] &&
		[ "$(prom_value "$tmp/later.prom" 'thermos_tasks{state="SUCCESS"}')" = 1 ]
}
what="tail: the appended bytes read"
if wait_until 10 read_up; then ok; else
	fail "no thermos_dispatch_stream_unread_bytes 0 and task SUCCESS in /metrics within 10 s"
	show_file scrape "$tmp/later.prom"
fi
want_sample "tail, later" "$tmp/later.prom" "thermos_dispatch_unread_bytes{}" 0
promtool_ok "tail, later" "$tmp/later.prom"
host_stop tailer
what=$t_what
check_rc 0
check_stdout_empty
check_stderr_empty

finish
