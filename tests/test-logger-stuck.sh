#!/bin/sh
# A stuck reader of the logger's standard output does not make SIGTERM
# ineffective.  `replay` of a 20000-record stream, the logger (json) writing
# to a non-blocking pipe that nobody reads (follow-helper stuck-stdout): the
# pipe fills, the write waits for it to become writable; SIGTERM then
# interrupts the wait: the write fails (`logger: write to stdout:
# Interrupted system call`), the callback fails (a warning naming the
# record), the host stops as on any SIGTERM with the count of failed
# callbacks, and exits 143 (the highest of 70 and 143).  A host that kept
# waiting is killed after 10 s (scaled) and fails the test.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

stream=$tmp/gen.ckpt
"$GEN_STREAM" -n 20000 -p 25 -s 7 "$stream" || exit 99
PFX=thermos-dispatch
ini logger "[host]" "plugin_dir = $PLUG" "[plugin:logger]" "format = json"

# blocked: the host waits in poll(2) (its wchan, where the kernel shows it).
blocked() {
	case $(cat "/proc/$(cat "$BG/stuck.pid")/wchan" 2>/dev/null) in
	*poll*) return 0 ;;
	esac
	return 1
}

what="thermos-dispatch replay, stdout a non-blocking pipe nobody reads, SIGTERM"
bg_start stuck "$FH" stuck-stdout "$TD" -c "$ini" replay "$stream"
# Where the kernel does not say (no wchan), the signal simply comes later.
wait_until 5 blocked || sleep "$TD_TIME_SCALE"
bg_kill TERM stuck
if bg_wait stuck 10; then ok; else fail "still running 10 s after SIGTERM (killed)"; fi
check_rc 143
n=0
while IFS= read -r line; do
	n=$((n + 1))
	case $n:$line in
	"1:$PFX: logger: write to stdout: Interrupted system call") ;;
	"2:$PFX: warning: logger: on_"*" failed at $stream record "[0-9]*) ;;
	"3:$PFX: logger: 1 callback failed") ;;
	*) n=99 ;;
	esac
done <"$err"
what="stderr after SIGTERM"
if [ "$n" = 3 ]; then
	ok
else
	fail "want the write's failure (Interrupted system call), the callback's warning, the count"
	show_file stderr "$err"
fi

finish
