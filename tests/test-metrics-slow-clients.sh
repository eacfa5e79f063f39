#!/bin/sh
# Slow HTTP clients cannot keep real scrapes of /metrics out
# (thermos-dispatch-metrics(5): connections per client address, idle
# timeout, request deadline).  The host serves on 127.0.0.1 (`tail
# --forever`); tests/tools/http-trickle keeps connections open from
# other loopback addresses, each sending a header line every 0.5 s and
# never ending its request:
# - first, one trickling client alone, from 127.0.0.4, is cut by the request
#   deadline (5 s) although it is never idle: within 6 s + 2 s (scaled) the
#   server has closed it at least once;
# - then, while 40 such clients go on, 20 from 127.0.0.2 and 20 from
#   127.0.0.3, 5 scrapes from 127.0.0.1 are each answered (200, the
#   exposition; the HTTP client gives up after 5 s); their times are
#   printed as a note;
# - the host's stderr: the refused connections logged, at most one line
#   every 10 s, not one line each.
# Only loopback addresses; the clients are bounded in count and time.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

need_http
TRICKLE=$TD_TOOLS/http-trickle
if [ ! -x "$TRICKLE" ]; then
	printf '%s: ERROR: test tool not built: %s\n' "$test_name" "$TRICKLE"
	exit 99
fi
HELLO=$AUR/hello_world/runner

t_start=$("$FH" now)
serve_start host /metrics -c "$ini" tail --forever "$HELLO"
host_what=$what
mport=$port

# A client alone, trickling header lines: the request deadline, not a
# limit on connections, closes it.
dl_secs=$((6 + 2 * TD_TIME_SCALE))
bg_start slow4 "$TRICKLE" -b 127.0.0.4 -n 1 -t "$dl_secs" 127.0.0.1 "$mport"
what="a client trickling header lines from 127.0.0.4 for $dl_secs s"
if bg_wait slow4 $((dl_secs + 10)); then
	cut=$(sed -n 's/^cut //p' "$BG/slow4.out")
	if [ "${cut:-0}" -ge 1 ]; then ok; else fail "never closed by the server (want a cut by the 5 s request deadline): $(cat "$BG/slow4.out")"; fi
else
	fail "http-trickle did not end"
fi

# The attackers, running longer than the scrapes can take.
secs=$((10 + 5 * TD_TIME_SCALE))
[ "$secs" -le 60 ] || secs=60
bg_start slow2 "$TRICKLE" -b 127.0.0.2 -n 20 -t "$secs" 127.0.0.1 "$mport"
bg_start slow3 "$TRICKLE" -b 127.0.0.3 -n 20 -t "$secs" 127.0.0.1 "$mport"
ready() { grep -q '^ready$' "$BG/slow2.out" && grep -q '^ready$' "$BG/slow3.out"; }
if ! wait_until 10 ready; then
	printf '%s: ERROR: the slow clients did not start\n' "$test_name"
	exit 99
fi

times=
i=0
while [ "$i" -lt 5 ]; do
	i=$((i + 1))
	what="scrape $i from 127.0.0.1 while 40 slow clients hold connections"
	t0=$("$FH" now)
	if scrape "s$i" && grep -q '^thermos_records_total ' "$tmp/s$i.prom"; then
		ok
	else
		fail "not answered (or without thermos_records_total)"
	fi
	times="$times $(($("$FH" now) - t0))ms"
	sleep 0.5
done
printf '%s: note: scrape times:%s\n' "$test_name" "$times"


what=$host_what
host_stop host
run_s=$(( ($("$FH" now) - t_start) / 1000 ))
check_rc 0
# The refused connections are logged, at most one line every 10 s (each
# after the first saying how many were left out): no flood.
nall=$(wc -l <"$err" | tr -d ' ')
nwarn=$(grep -c "^$PFX: warning: metrics: " "$err")
if [ "$nall" -ge 1 ] && [ "$nall" = "$nwarn" ] && [ "$nall" -le $((run_s / 10 + 1)) ]; then
	ok
else
	fail "stderr: want 1..$((run_s / 10 + 1)) warnings of the metrics plugin (a run of $run_s s), nothing else; got $nall lines"
	show_file stderr "$err"
fi
finish
