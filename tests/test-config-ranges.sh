#!/bin/sh
# Numbers and durations are range-checked, never converted out of range
# (thermos-dispatch.ini(5), thermos-dispatch(1)): a value out of range,
# NaN or infinite is refused with one line naming the key and the allowed
# range, exit 78 in the configuration (a file or -o), 64 on the command
# line.  Durations are at most 2592000 seconds (30 days), so that a GLib
# timer in milliseconds never overflows; rescan_interval is at least 0.1.
# Covered: [host] linger and rescan_interval (file and -o), tail --linger,
# the types the host checks for plugins (int, double), and the bundled
# metrics plugin's own interval.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

stream=$AUR/hello_world/runner
SECONDS_RANGE="from 0 to 2592000"
RESCAN_RANGE="from 0.1 to 2592000"

# host_bad KEY VALUE RANGE: refused in the file (line 3) and with -o.
host_bad() {
	ini hb "[host]" "plugin_dir = $PLUG" "$1 = $2" "[plugin:metrics]"
	td -c "$ini" check
	check_rc 78
	check_stdout_empty
	check_stderr "$PFX: $ini:3: [host] $1: expected a number of seconds $3, not '$2'"
	td -c "$ini" -o "host.$1=$2" replay "$stream"
	check_rc 78
	check_stdout_empty
	check_stderr "$PFX: $ini:3: [host] $1: expected a number of seconds $3, not '$2'" \
		"$PFX: -o:1: [host] $1: expected a number of seconds $3, not '$2'"
}
for v in 1e300 2592000.5 4294968 -1 nan inf -inf 1e999; do
	host_bad linger "$v" "$SECONDS_RANGE"
	host_bad rescan_interval "$v" "$RESCAN_RANGE"
done
host_bad rescan_interval 0 "$RESCAN_RANGE"
host_bad rescan_interval 0.01 "$RESCAN_RANGE"
host_bad rescan_interval 1e-300 "$RESCAN_RANGE"

# The bounds themselves are accepted.
ini ok "[host]" "plugin_dir = $PLUG" "[plugin:metrics]"
td -c "$ini" -o host.linger=2592000 -o host.rescan_interval=2592000 check
check_rc 0
check_stderr_empty
td -c "$ini" -o host.linger=0 -o host.rescan_interval=0.1 check
check_rc 0
check_stderr_empty

# tail --linger: a usage error.
for v in 4294968 1e300 -1 nan inf; do
	td -c "$ini" tail --linger "$v" "$stream"
	check_rc 64
	check_stdout_empty
	check_stderr "$PFX: tail: --linger: expected a number of seconds $SECONDS_RANGE, not '$v' (see 'thermos-dispatch tail --help')"
done

# A plugin's int and double options: the whole range of the type, never
# wrapped or cut.
ini ce "[host]" "plugin_dir = $PLUG" "[plugin:c]" "module = config_error"
for v in 9223372036854775808 -9223372036854775809 99999999999999999999; do
	td -c "$ini" -o "c.level=$v" check
	check_rc 78
	check_stdout_empty
	check_stderr "$PFX: -o:1: [plugin:c] level: expected an integer from -9223372036854775808 to 9223372036854775807, not '$v'"
done
for v in 1e999 -1e999 nan inf; do
	td -c "$ini" -o "metrics.interval=$v" -o "c.enabled=no" check
	check_rc 78
	check_stdout_empty
	check_stderr "$PFX: -o:1: [plugin:metrics] interval: expected a finite number from -1.7976931348623157e+308 to 1.7976931348623157e+308, not '$v'"
done

# The metrics plugin's interval: a duration like the host's.
for v in 1e300 2592001 0 -3; do
	td -c "$ini" -o "metrics.interval=$v" -o "c.enabled=no" check
	check_rc 78
	check_stdout_empty
	check_stderr "$PFX: -o:1: [plugin:metrics] interval: expected a number of seconds above 0 and at most 2592000, not '$v'"
done
td -c "$ini" -o "metrics.interval=2592000" -o "c.enabled=no" check
check_rc 0
check_stderr_empty

finish
