#!/bin/sh
# The metrics plugin in THERMOS_MODE_CHECK (handler-abi.md: validate only,
# bind no port, write no output; cli-and-config.md `check`), and its
# configuration errors:
# - while a `tail --forever` holds 127.0.0.1:PORT with `listen`, `check`
#   with the same listen and a textfile succeeds twice (it binds nothing)
#   and writes no textfile; the holder still answers afterwards;
# - a second `tail` on the held port fails to start: the configuration
#   error of `listen` (exit 78);
# - bad values are configuration errors with the file (or -o) and line:
#   listen, interval, buckets, per_task.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

need_http
HELLO=$AUR/hello_world/runner

serve_start holder /metrics -c "$ini" tail --forever "$HELLO"
holder_what=$what
mkdir "$tmp/chk" || exit 99
for i in 1 2; do
	td -c "$ini" -o "metrics.listen=127.0.0.1:$port" -o "metrics.textfile=$tmp/chk/m.prom" check
	check_rc 0
	check_stderr_empty
	check_stdout "$ini: configuration ok, 1 plugin instance enabled"
done
what="check writes no textfile"
if [ -z "$(ls -A "$tmp/chk")" ]; then ok; else fail "$tmp/chk holds: $(ls -A "$tmp/chk" | tr '\n' ' ')"; fi
what="the holder after two checks"
if scrape after; then ok; else fail "GET /metrics from 127.0.0.1:$port failed"; fi

# A second host on the same port cannot start.
td -c "$ini" -o "metrics.listen=127.0.0.1:$port" replay "$HELLO"
check_rc 78
check_stdout_empty
check_stderr_prefix "$PFX: -o:1: [plugin:metrics] listen: "

host_stop holder
what=$holder_what
check_rc 0
check_stderr_empty

# A bare port, or :PORT, is loopback (accepted; replay binds and serves it).
for v in "$port" ":$port"; do
	what="listen = $v"
	td -c "$ini" -o "metrics.listen=$v" check
	check_rc 0
	td -c "$ini" -o "metrics.listen=$v" replay "$HELLO"
	check_rc 0
	check_stderr_empty
done

# --- configuration errors -------------------------------------------------------
# bad_value KEY VALUE: `check` and `replay` fail with the error of KEY.
bad_value() {
	td -c "$ini" -o "metrics.$1=$2" check
	check_rc 78
	check_stdout_empty
	check_stderr_prefix "$PFX: -o:1: [plugin:metrics] $1: "
	td -c "$ini" -o "metrics.$1=$2" replay "$HELLO"
	check_rc 78
	check_stdout_empty
	check_stderr_prefix "$PFX: -o:1: [plugin:metrics] $1: "
}
bad_value listen 127.0.0.1
bad_value listen abc
bad_value listen 127.0.0.1:notaport
bad_value listen 127.0.0.1:70000
bad_value interval 0
bad_value interval -3
bad_value interval soon
bad_value buckets 5,1
bad_value buckets 1,x
bad_value per_task maybe

# From a file: its line.
ini bad "[host]" "plugin_dir = $PLUG" "" "[plugin:metrics]" "per_task = no" "interval = 0"
td -c "$ini" check
check_rc 78
check_stderr_prefix "$PFX: $ini:6: [plugin:metrics] interval: "

finish
