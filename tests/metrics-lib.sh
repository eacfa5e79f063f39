# Helpers of the tests of the bundled metrics plugin (tests/test-metrics-*.sh),
# sourced after tests/e2e-lib.sh, tests/plugins/plugin-lib.sh and
# tests/follow-lib.sh (the tests pin TMPDIR=/tmp first, as those do).
#
# The module is copied from plugins/metrics/.libs into $PLUG (a private
# directory, mode 755: the host refuses modules in directories writable by
# group or others); $ini is a configuration with [plugin:metrics] only.
#
# Prometheus tools: promtool and prometheus come from the Debian package
# `prometheus`.  Under CI (CI=true) a missing tool is a failure; elsewhere
# the test is skipped (77).  Servers listen on 127.0.0.1 only.

: "${TD_METRICS_LIBS:=$top_builddir/plugins/metrics/.libs}"
if [ ! -f "$TD_METRICS_LIBS/metrics.so" ]; then
	printf '%s: ERROR: plugin not built: %s/metrics.so\n' "$test_name" "$TD_METRICS_LIBS"
	exit 99
fi
cp "$TD_METRICS_LIBS/metrics.so" "$PLUG/" && chmod 644 "$PLUG/metrics.so" || exit 99

ini metrics "[host]" "plugin_dir = $PLUG" "[plugin:metrics]"
umask 022
PFX=thermos-dispatch

# The states of the enums (handler.h), in wire order.
PROCESS_STATES="WAITING FORKED RUNNING SUCCESS KILLED FAILED LOST"
TASK_STATES="ACTIVE SUCCESS FAILED KILLED LOST CLEANING FINALIZING"
DEFAULT_BUCKETS="1 5 15 60 300 900 3600 14400 86400"

# The families: name and TYPE.
FAMILIES="thermos_process_transitions_total:counter
thermos_task_transitions_total:counter
thermos_records_total:counter
thermos_stream_errors_total:counter
thermos_processes:gauge
thermos_tasks:gauge
thermos_process_run_seconds:histogram
thermos_last_record_timestamp_seconds:gauge"

# need_tool NAME: NAME is on PATH; else, under CI=true, a failure that ends
# the test (exit 1), elsewhere a skip (exit 77).
need_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	if [ "${CI:-}" = true ]; then
		printf '%s: FAIL: %s not found (CI=true: install the Debian package prometheus)\n' "$test_name" "$1"
		exit 1
	fi
	printf '%s: SKIP: %s not found (Debian package prometheus)\n' "$test_name" "$1"
	exit 77
}

# --- HTTP without a client of our own ---------------------------------------
# http_get HOST:PORT PATH OUT: the body of a 200 answer in OUT (false on
# anything else, or after 5 s).  curl, else wget, else bash's /dev/tcp
# (TD_HTTP_CLIENT=curl|wget|bash forces one).
if [ -n "${TD_HTTP_CLIENT:-}" ]; then
	HTTP_CLIENT=$TD_HTTP_CLIENT
elif command -v curl >/dev/null 2>&1; then
	HTTP_CLIENT=curl
elif command -v wget >/dev/null 2>&1; then
	HTTP_CLIENT=wget
elif command -v bash >/dev/null 2>&1; then
	HTTP_CLIENT=bash
else
	HTTP_CLIENT=
fi
http_get() {
	case $HTTP_CLIENT in
	curl) curl -s -f --max-time 5 -o "$3" "http://$1$2" 2>/dev/null ;;
	wget) wget -q -T 5 -t 1 -O "$3" "http://$1$2" 2>/dev/null ;;
	bash)
		timeout 5 bash -c 'exec 3<>"/dev/tcp/${1%:*}/${1##*:}" || exit 1
			printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$1" >&3
			cat <&3' _ "$1" "$2" >"$3.raw" 2>/dev/null || return 1
		awk 'NR == 1 { if ($2 != "200") exit 1; next }
			body { print; next }
			{ sub(/\r$/, "") }
			$0 == "" { body = 1 }
			END { if (!body) exit 1 }' "$3.raw" >"$3"
		;;
	*) return 1 ;;
	esac
}
need_http() {
	[ -n "$HTTP_CLIENT" ] && return 0
	printf '%s: ERROR: no HTTP client (curl, wget or bash)\n' "$test_name"
	exit 99
}

# --- loopback ports -----------------------------------------------------------
# port_free PORT: nothing listens on 127.0.0.1:PORT (as far as we can tell:
# the starts below retry on another port anyway).
port_free() {
	if command -v ss >/dev/null 2>&1; then
		[ -z "$(ss -H -l -t -n "sport = :$1" 2>/dev/null)" ]
	elif command -v bash >/dev/null 2>&1; then
		! timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
	else
		true
	fi
}
# pick_port: a free port in 20000-59999 in $port, from a start that
# depends on the pid and on the ports already tried ($pp_next).
pp_next=$(( ($$ * 7919) % 40000 ))
pick_port() {
	pp_i=0
	while [ "$pp_i" -lt 200 ]; do
		pp_next=$(( (pp_next + 97) % 40000 ))
		port=$((20000 + pp_next))
		pp_i=$((pp_i + 1))
		port_free "$port" && return 0
	done
	printf '%s: ERROR: no free port found\n' "$test_name"
	exit 99
}

# serve_start NAME PATH ARG...: runs `thermos-dispatch ARG...` in the
# background as NAME with `-o metrics.listen=127.0.0.1:$port` (a free port
# chosen first, another tried when the start fails), and waits (10 s) until
# GET PATH answers 200 from it.  On a start that fails 5 times: an error.
serve_start() {
	ss_name=$1
	ss_path=$2
	shift 2
	ss_try=0
	while [ "$ss_try" -lt 5 ]; do
		ss_try=$((ss_try + 1))
		pick_port
		what="thermos-dispatch $* [$ss_name, port $port]"
		bg_start "$ss_name" "$TD" -o "metrics.listen=127.0.0.1:$port" "$@"
		if wait_until 10 serve_up "$ss_name" "$ss_path"; then
			bg_done "$ss_name" || return 0
		fi
		bg_kill KILL "$ss_name"
		wait_until 10 bg_done "$ss_name"
	done
	printf '%s: ERROR: could not start %s on a port (last stderr:)\n' "$test_name" "$*"
	sed 's/^/  /' "$BG/$ss_name.err"
	exit 99
}
serve_up() {
	bg_done "$1" && return 0
	http_get "127.0.0.1:$port" "$2" "$tmp/serve_up.out"
}

# scrape NAME: GET /metrics from 127.0.0.1:$port into $tmp/NAME.prom.
scrape() {
	http_get "127.0.0.1:$port" /metrics "$tmp/$1.prom"
}

# --- the exposition -------------------------------------------------------------
# prom_samples FILE: the samples of an exposition, one `NAME{LABELS} VALUE`
# a line (timestamps dropped, `le` written as %.10g or +Inf, so that 1,
# 1.0 and 1e+00 are the same bucket).
prom_samples() {
	awk '
	/^#/ || /^[ \t]*$/ { next }
	{
		line = $0
		if (!match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) { print "BAD " line; next }
		name = substr(line, 1, RLENGTH)
		rest = substr(line, RLENGTH + 1)
		labels = ""
		if (substr(rest, 1, 1) == "{") {
			i = index(rest, "}")
			labels = substr(rest, 2, i - 2)
			rest = substr(rest, i + 1)
		}
		n = split(rest, f, " ")
		# The le label only (not a label named e.g. module="...").
		if (match(labels, /(^|,)le="[^"]*"/)) {
			pre = substr(labels, 1, RSTART - 1)
			m = substr(labels, RSTART, RLENGTH)
			post = substr(labels, RSTART + RLENGTH)
			comma = substr(m, 1, 1) == "," ? "," : ""
			v = m
			sub(/^,?le="/, "", v)
			sub(/"$/, "", v)
			if (v != "+Inf")
				v = sprintf("%.10g", v + 0)
			labels = pre comma "le=\"" v "\"" post
		}
		print name "{" labels "} " f[1]
	}' "$1"
}

# prom_value FILE KEY: the value of the sample KEY (`NAME{LABELS}`, as
# prom_samples writes it) in the exposition FILE, on stdout (nothing when
# absent).
prom_value() {
	prom_samples "$1" | awk -v k="$2" '$1 == k { print $2; exit }'
}

# check_values LABEL EXPECTED GOT: every sample of the exposition EXPECTED
# is in the exposition GOT with the same value (numerically, 1e-6 relative),
# once; GOT has no other thermos_ series but those of EXCEPT (a name,
# default thermos_last_record_timestamp_seconds), the host's own
# thermos_dispatch_* (tests/test-metrics-self.sh checks them) unless
# EXPECTED has some, and series of other state labels (UNKNOWN) whose
# value is 0.
check_values() {
	newfile
	prom_samples "$2" >"$nf.want"
	prom_samples "$3" >"$nf.got"
	if awk -v except="${4:-thermos_last_record_timestamp_seconds}" '
	function abs(x) { return x < 0 ? -x : x }
	FILENAME == ARGV[1] { want[$1] = $2; order[++n] = $1; if ($1 ~ /^thermos_dispatch_/) self = 1; next }
	{
		if ($1 == "BAD") { print "  unparsable sample line: " $0; bad++; next }
		if (($1 in seen)) { print "  duplicate series: " $1; bad++ }
		seen[$1] = 1
		got[$1] = $2
		key = $1; sub(/\{.*$/, "", key)
		if (!($1 in want) && key != except && key ~ /^thermos_/ && (self || key !~ /^thermos_dispatch_/)) {
			if ($1 ~ /state="/ && $2 + 0 == 0)
				next
			print "  unexpected series: " $0; bad++
		}
	}
	END {
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (!(k in got)) { print "  missing: " k " (want " want[k] ")"; bad++; continue }
			g = got[k]; w = want[k]
			if (g !~ /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/) {
				print "  " k ": not a number: " g; bad++; continue
			}
			if (abs(g - w) > 1e-6 * (1 + abs(w))) { print "  " k ": want " w ", got " g; bad++ }
		}
		exit bad > 0
	}' "$nf.want" "$nf.got" >"$nf.why"; then
		ok
	else
		fail "$1: the exposition's values differ from those expected:"
		head -n 40 "$nf.why"
	fi
}

# check_families LABEL FILE: FILE has one HELP and one TYPE line of the
# right type for each family, counters named _total.
check_families() {
	cf_bad=
	for cf_f in $FAMILIES; do
		cf_name=${cf_f%%:*}
		cf_type=${cf_f#*:}
		cf_nh=$(grep -c "^# HELP $cf_name " "$2")
		cf_nt=$(grep -c -x "# TYPE $cf_name $cf_type" "$2")
		cf_na=$(grep -c "^# TYPE $cf_name " "$2")
		if [ "$cf_nh" != 1 ] || [ "$cf_nt" != 1 ] || [ "$cf_na" != 1 ]; then
			cf_bad="$cf_bad $cf_name($cf_nh HELP, $cf_na TYPE, $cf_nt of type $cf_type)"
		fi
	done
	# Every counter TYPE names a _total family.
	cf_c=$(awk '$1 == "#" && $2 == "TYPE" && $4 == "counter" && $3 !~ /_total$/ { print $3 }' "$2")
	[ -z "$cf_c" ] || cf_bad="$cf_bad counters-without-_total:$cf_c"
	if [ -z "$cf_bad" ]; then
		ok
	else
		fail "$1: HELP/TYPE lines wrong for:$cf_bad"
		show_file exposition "$2"
	fi
}

# JQ_EXPECTED: the exposition expected after a replay of one stream, from
# its event lines ($ev, slurped) and its final state ($st): the counters of
# every event (replay: all live), the gauges of the final state, the
# histogram of its finished runs that have both times.  Every known state
# has its series; buckets $buckets; $runs: all (the finished runs of the
# state are live) or none (all history).
JQ_EXPECTED='
def pst: ["WAITING","FORKED","RUNNING","SUCCESS","KILLED","FAILED","LOST"];
def tst: ["ACTIVE","SUCCESS","FAILED","KILLED","LOST","CLEANING","FINALIZING"];
def cnt(f): [.[] | select(f)] | length;
$ev as $e | $st[0] as $s
| [($s.processes // {})[] | .[-1].state] as $latest
| (($s.statuses // []) | if length > 0 then .[-1].state else null end) as $task
| [($s.processes // {})[][]
   | select((.state == "SUCCESS" or .state == "FAILED" or .state == "KILLED")
            and .start_time != null and .stop_time != null)
   | .stop_time - .start_time | select($runs == "all")] as $d
| (pst[] as $p | "thermos_process_transitions_total{state=\"\($p)\"} \($e | cnt(.event == "process_transition" and .state == $p))"),
  (tst[] as $t | "thermos_task_transitions_total{state=\"\($t)\"} \($e | cnt(.event == "task_transition" and .state == $t))"),
  "thermos_records_total \($e | map(.record) | unique | length)",
  "thermos_stream_errors_total 0",
  (pst[] as $p | "thermos_processes{state=\"\($p)\"} \($latest | cnt(. == $p))"),
  (tst[] as $t | "thermos_tasks{state=\"\($t)\"} \(if $task == $t then 1 else 0 end)"),
  ($buckets | split(" ") | map(tonumber)[] as $b
   | "thermos_process_run_seconds_bucket{le=\"\($b)\"} \($d | cnt(. <= $b))"),
  "thermos_process_run_seconds_bucket{le=\"+Inf\"} \($d | length)",
  "thermos_process_run_seconds_sum \($d | add // 0)",
  "thermos_process_run_seconds_count \($d | length)"
'

# expected_of CASE OUT [BUCKETS]: the expected exposition (samples only)
# of a replay of fixtures/aurora/CASE/runner.
expected_of() {
	"$JQ" -n -r --slurpfile ev "$AUREXP/$1.events.jsonl" --slurpfile st "$AUREXP/$1.state.json" \
		--arg buckets "${3:-$DEFAULT_BUCKETS}" --arg runs all "$JQ_EXPECTED" >"$2" || {
		printf '%s: ERROR: no expected values for %s\n' "$test_name" "$1"
		exit 99
	}
}

# sum_samples FILE...: the samples of the files added up, key by key.
sum_samples() {
	for ss_f in "$@"; do prom_samples "$ss_f"; done | awk '
	!($1 in v) { order[++n] = $1 }
	{ v[$1] += $2 }
	END { for (i = 1; i <= n; i++) printf "%s %.17g\n", order[i], v[order[i]] }'
}
