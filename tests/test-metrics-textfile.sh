#!/bin/sh
# The metrics plugin's textfile when it cannot be written (issue 5: "A failed
# write is a callback error and the previous file stays"; cli-and-config.md:
# written on `tick` every `interval` seconds, and at fini, where a failure is
# logged; handler-abi.md: THERMOS_MODE_CHECK validates only):
# - a textfile in a missing directory: `check` fails with the configuration
#   error of `textfile` (exit 78) and creates nothing; `tail` (interval = 1)
#   fails on its tick: exit 70 under on_error = abort (the host's "tick
#   failed; aborting" line and the plugin's reason naming the file), a
#   warning, the count of failed callbacks when stopped, and exit 70 under
#   continue; no directory is created;
# - a textfile in a read-only directory, the host run as an unprivileged
#   user (setpriv to 65534; tests run as root, who writes anyway): exit 70
#   under abort, a warning, the count and exit 70 under continue; either way the
#   previous file is untouched and no temporary file is left;
# - a writable textfile is written on tick while tail runs (interval = 1),
#   atomically: readers never see a partial file.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

HELLO=$AUR/hello_world/runner
ABORT_LINE="$PFX: metrics: tick failed; aborting (on_error = abort)"
WARN_LINE="$PFX: warning: metrics: tick failed"

# check_reason LABEL PATH ERRNO_TEXT: stderr has a line of the plugin
# (`thermos-dispatch: metrics: ...`) naming PATH (or its temporary file)
# and ERRNO_TEXT.
check_reason() {
	if grep "^$PFX: metrics: " "$err" | grep -F -e "$2" | grep -q -F -e "$3"; then
		ok
	else
		fail "$1: want a line '$PFX: metrics: ...' naming $2 and '$3'"
		show_file stderr "$err"
	fi
}

# check_count_line: stderr ends with the host's count of the metrics
# instance's failed callbacks (one tick a second: how many depends on the
# run's length).
check_count_line() {
	if tail -n 1 "$err" | grep -q -E "^$PFX: metrics: [0-9]+ callbacks? failed\$"; then
		ok
	else
		fail "want the last line '$PFX: metrics: N callbacks failed'"
		show_file stderr "$err"
	fi
}

# --- a missing directory --------------------------------------------------------
missing=$tmp/missing/dir/m.prom
td -c "$ini" -o "metrics.textfile=$missing" check
check_rc 78
check_stdout_empty
check_stderr_prefix "$PFX: -o:1: [plugin:metrics] textfile: "
what="check: the error names the directory and the reason"
if grep -F -e "$tmp/missing" "$err" | grep -q -F 'No such file or directory'; then ok; else fail "want $tmp/missing and 'No such file or directory'"; show_file stderr "$err"; fi

# From a configuration file: its line.
ini bad "[host]" "plugin_dir = $PLUG" "" "[plugin:metrics]" "textfile = $missing"
td -c "$ini" check
check_rc 78
check_stderr_prefix "$PFX: $ini:5: [plugin:metrics] textfile: "
ini metrics "[host]" "plugin_dir = $PLUG" "[plugin:metrics]"

run_fg abort 15 -c "$ini" -o "metrics.textfile=$missing" -o metrics.interval=1 \
	-o metrics.on_error=abort tail --forever "$HELLO"
check_rc 70
check_stdout_empty
if grep -q -x -F -e "$ABORT_LINE" "$err"; then ok; else fail "want the line: $ABORT_LINE"; show_file stderr "$err"; fi
check_reason "missing directory, abort" "$missing" "No such file or directory"

bg_start cont "$TD" -c "$ini" -o "metrics.textfile=$missing" -o metrics.interval=1 tail --forever "$HELLO"
what="thermos-dispatch ... tail --forever (textfile in a missing directory, on_error = continue)"
if wait_grep "$BG/cont.err" 10 "$WARN_LINE"; then ok; else fail "no '$WARN_LINE' within 10 s"; fi
host_stop cont
check_rc 70
check_stdout_empty
check_count_line
check_reason "missing directory, continue" "$missing" "No such file or directory"
what="no directory created"
if [ -e "$tmp/missing" ]; then fail "$tmp/missing exists"; else ok; fi

# --- written on tick while following -------------------------------------------
mkdir "$tmp/live" || exit 99
bg_start live "$TD" -c "$ini" -o "metrics.textfile=$tmp/live/m.prom" -o metrics.interval=1 tail --forever "$HELLO"
what="textfile written on tick (interval = 1) while tail runs"
if wait_until 10 test -s "$tmp/live/m.prom"; then ok; else fail "no $tmp/live/m.prom within 10 s"; fi
# Each time read, the whole exposition (atomic replacement).
n=0
partial=0
while [ "$n" -lt 20 ]; do
	cp "$tmp/live/m.prom" "$tmp/live.copy" 2>/dev/null || partial=1
	[ "$(tail -n 1 "$tmp/live.copy" | cut -c1-1)" != "" ] || partial=1
	grep -q '^thermos_process_run_seconds_count' "$tmp/live.copy" || partial=1
	n=$((n + 1))
	sleep 0.1
done
if [ "$partial" = 0 ]; then ok; else fail "a read saw a partial or missing file"; show_file textfile "$tmp/live.copy"; fi
v=$(prom_value "$tmp/live.copy" 'thermos_tasks{state="SUCCESS"}')
if [ "$v" = 1 ]; then ok; else fail "thermos_tasks{state=\"SUCCESS\"}: want 1 (history counts in gauges), got '$v'"; fi
host_stop live
check_rc 0
check_stderr_empty
what="the textfile's directory after tail"
if [ "$(ls -A "$tmp/live")" = m.prom ]; then ok; else fail "want m.prom alone, got: $(ls -A "$tmp/live" | tr '\n' ' ')"; fi

# --- a read-only directory, as an unprivileged user ---------------------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	NB=$tmp/nobody
	# The user must reach everything: $tmp (mode 700 from mktemp) opened up.
	chmod 755 "$tmp"
	mkdir "$NB" "$NB/plugins" "$NB/bin" "$NB/ro" || exit 99
	cp "$PLUG/metrics.so" "$NB/plugins/" || exit 99
	cp "$TD" "$NB/bin/thermos-dispatch" || exit 99
	cp "$HELLO" "$NB/hello.runner" || exit 99
	chmod 755 "$NB" "$NB/plugins" "$NB/bin" "$NB/ro" "$NB/bin/thermos-dispatch"
	chmod 644 "$NB/plugins/metrics.so" "$NB/hello.runner"
	printf '[host]\nplugin_dir = %s\n[plugin:metrics]\n' "$NB/plugins" >"$NB/m.ini"
	chmod 644 "$NB/m.ini"
	printf '# previous\nthermos_records_total 42\n' >"$NB/ro/m.prom"
	chmod 644 "$NB/ro/m.prom"
	cp "$NB/ro/m.prom" "$tmp/previous"
	NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
	if ! $NOBODY "$NB/bin/thermos-dispatch" --version >/dev/null 2>&1; then
		printf '%s: ERROR: setpriv cannot run the binary as uid 65534\n' "$test_name"
		exit 99
	fi
	what="tail as uid 65534, textfile in a read-only directory, on_error = abort"
	bg_start nb-abort $NOBODY "$NB/bin/thermos-dispatch" -c "$NB/m.ini" \
		-o "metrics.textfile=$NB/ro/m.prom" -o metrics.interval=1 -o metrics.on_error=abort \
		tail --forever "$NB/hello.runner"
	bg_wait nb-abort 15
	check_rc 70
	check_stdout_empty
	if grep -q -x -F -e "$ABORT_LINE" "$err"; then ok; else fail "want the line: $ABORT_LINE"; show_file stderr "$err"; fi
	check_reason "read-only directory, abort" "$NB/ro/m.prom" "Permission denied"
	what="read-only directory, abort: the previous file"
	if cmp -s "$tmp/previous" "$NB/ro/m.prom"; then ok; else fail "$NB/ro/m.prom changed"; show_file textfile "$NB/ro/m.prom"; fi
	if [ "$(ls -A "$NB/ro")" = m.prom ]; then ok; else fail "want m.prom alone, got: $(ls -A "$NB/ro" | tr '\n' ' ')"; fi

	what="tail as uid 65534, textfile in a read-only directory, on_error = continue"
	bg_start nb-cont $NOBODY "$NB/bin/thermos-dispatch" -c "$NB/m.ini" \
		-o "metrics.textfile=$NB/ro/m.prom" -o metrics.interval=1 \
		tail --forever "$NB/hello.runner"
	if wait_grep "$BG/nb-cont.err" 10 "$WARN_LINE"; then ok; else fail "no '$WARN_LINE' within 10 s"; fi
	host_stop nb-cont
	check_rc 70
	check_stdout_empty
	check_count_line
	check_reason "read-only directory, continue" "$NB/ro/m.prom" "Permission denied"
	what="read-only directory, continue: the previous file"
	if cmp -s "$tmp/previous" "$NB/ro/m.prom"; then ok; else fail "$NB/ro/m.prom changed"; show_file textfile "$NB/ro/m.prom"; fi
	if [ "$(ls -A "$NB/ro")" = m.prom ]; then ok; else fail "want m.prom alone, got: $(ls -A "$NB/ro" | tr '\n' ' ')"; fi
	chmod 700 "$tmp"
else
	printf '%s: note: not root or no setpriv: the read-only directory case is not tested\n' "$test_name"
fi

finish
