#!/bin/sh
# The logger's output on a full and on a read-only filesystem (a small
# tmpfs mounted for the test; mounting needs root: skipped, 77, when it is
# not permitted, but a failure under CI=true, where the tests run as root).
# A 2000-record stream (gen-stream) gives far more than 64 KiB of json lines:
# - on_error = abort: exit 70; stderr is exactly the reason, `logger: write
#   to PATH: No space left on device`, then `logger: CALLBACK failed at
#   STREAM record N; aborting (on_error = abort)`; what was written fits
#   in the filesystem;
# - on_error = continue (the default), the stream replayed 5 times: exit
#   70 after the count of failed callbacks, the last line;
#   the reason once (a run of the same failure is logged once); warnings
#   `warning: logger: CALLBACK failed at STREAM record N` rate-limited
#   (at most one a second: no more than the run's seconds + 2, while
#   thousands of callbacks failed);
# - space back after a full disk: the line torn by the full disk is cut off
#   (every line a whole JSON object, none glued to the next), in a file
#   opened by the logger (O_APPEND) and in stdout redirected with `>`
#   (tail: space comes back while the host runs; no hole left);
# - a read-only filesystem: logger init fails, exit 78, the host's line
#   naming `output` and `Read-only file system` (as -o and as a file line).
# The filesystem is always unmounted (trap).
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

: "${TD_TOOLS:=$top_builddir/tests/tools}"
PLUGDIR=$top_builddir/plugins/logger/.libs
if [ ! -f "$PLUGDIR/logger.so" ] || [ ! -x "$TD_TOOLS/gen-stream" ] || [ ! -x "$TD_TOOLS/follow-helper" ]; then
	printf '%s: ERROR: logger, gen-stream or follow-helper not built\n' "$test_name"
	exit 99
fi

mnt=$tmp/mnt
mkdir "$mnt" || exit 99
mounted=
trap 'if [ -n "$mounted" ]; then umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null; fi; chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# mount_tmpfs OPTIONS: a fresh tmpfs on $mnt (the previous one unmounted).
mount_tmpfs() {
	if [ -n "$mounted" ]; then
		umount "$mnt" || exit 99
		mounted=
	fi
	if mount -t tmpfs -o "$1" tmpfs "$mnt" 2>"$tmp/mount.err"; then
		mounted=1
		return 0
	fi
	if [ "${CI:-}" = true ]; then
		printf '%s: ERROR: cannot mount a tmpfs under CI=true:\n' "$test_name"
		cat "$tmp/mount.err"
		exit 99
	fi
	echo "SKIP: cannot mount a tmpfs here: $(cat "$tmp/mount.err")"
	exit 77
}

INI=$tmp/logger.ini
printf '[host]\nplugin_dir = %s\n\n[plugin:logger]\nformat = json\n' "$PLUGDIR" >"$INI"
stream=$tmp/gen.ckpt
"$TD_TOOLS/gen-stream" -n 2000 -p 25 -s 7 "$stream" || exit 99
PFX=thermos-dispatch
log=$mnt/events.jsonl
reason="$PFX: logger: write to $log: No space left on device"

# --- full: abort ---------------------------------------------------------------
mount_tmpfs size=64k
td -c "$INI" -o logger.output="$log" -o logger.on_error=abort replay "$stream"
check_rc 70
check_stdout_empty
n=0
while IFS= read -r line; do
	n=$((n + 1))
	case $n:$line in
	"1:$reason") ;;
	"2:$PFX: logger: on_"*" failed at $stream record "[0-9]*"; aborting (on_error = abort)") ;;
	*) n=99 ;;
	esac
done <"$err"
if [ "$n" = 2 ]; then
	ok
else
	fail "stderr: want the reason (No space left on device), then the callback failed ... aborting"
	show_file stderr "$err"
fi
size=$(file_size "$log")
if [ "$size" -gt 0 ] && [ "$size" -le 65536 ]; then ok; else fail "log size $size: want 1..65536"; fi

# --- full: continue ------------------------------------------------------------------
mount_tmpfs size=64k
"$TD_TOOLS/follow-helper" now >"$tmp/t0"
td -c "$INI" -o logger.output="$log" replay "$stream" "$stream" "$stream" "$stream" "$stream"
"$TD_TOOLS/follow-helper" now >"$tmp/t1"
secs=$(( ($(cat "$tmp/t1") - $(cat "$tmp/t0")) / 1000 ))
check_rc 70
check_stdout_empty
nreason=$(grep -c -F -x -e "$reason" "$err")
nwarn=$(grep -c "^$PFX: warning: logger: on_[a-z_]* failed at $stream record [0-9]*" "$err")
nall=$(wc -l <"$err" | tr -d ' ')
if [ "$nreason" = 1 ] && [ "$nwarn" -ge 1 ] && [ "$nwarn" -le $((secs + 2)) ] && [ "$nall" = $((nwarn + 2)) ] &&
	tail -n 1 "$err" | grep -q -E "^$PFX: logger: [0-9]+ callbacks failed( \([0-9]+ not logged: at most one line a second\))?\$"; then
	ok
else
	fail "stderr: want the reason once, 1..$((secs + 2)) warnings (a run of $secs s) and the count, nothing else; got $nreason, $nwarn, $nall lines"
	show_file stderr "$err"
fi

# --- space back ---------------------------------------------------------------------
# The disk fills in the middle of a line; once space is back (the filler
# removed) a second run appends to the same file.  The torn line was cut
# off: every line is a whole JSON object, none glued to the next, the file
# ends with a newline, and the second run's records are all there.
mount_tmpfs size=64k
dd if=/dev/zero of="$mnt/filler" bs=1024 count=16 2>/dev/null || exit 99
td -c "$INI" -o logger.output="$log" replay "$stream"
check_rc 70
rm -f "$mnt/filler"
small=$tmp/small.ckpt
"$TD_TOOLS/gen-stream" -n 20 -p 3 -s 11 "$small" || exit 99
td -c "$INI" -o logger.output="$log" replay "$small"
check_rc 0
check_stderr_empty
what="after space is back: every line of $log a whole JSON object"
bad=$("$JQ" -R -r 'if (try (fromjson | type) catch "") == "object" then empty else . end' "$log" | head -c 300)
if [ -s "$log" ] && [ -z "$bad" ] && [ "$(tail -c 1 "$log" | od -An -c | tr -d ' ')" = '\n' ]; then
	ok
else
	fail "want whole JSON lines only, ending with a newline; not JSON: $bad"
fi
what="after space is back: the second run's records"
nsmall=$(grep -c -F "\"source\":\"$small\"" "$log")
td -c "$INI" -o logger.output=- replay "$small"
if [ "$nsmall" -gt 0 ] && [ "$nsmall" = "$(wc -l <"$out" | tr -d ' ')" ]; then ok; else fail "want every record of $small, $(wc -l <"$out") lines; got $nsmall"; fi

# --- space back while running, stdout redirected with `>` -----------------------------
# `tail --forever`, the logger on stdout redirected (no O_APPEND) to a file
# on the full filesystem: 1000 records appended fill it in the middle of a
# line; once they are all handled (a second instance, writing elsewhere,
# has logged the last), the filler is removed, and 40 more records are
# appended and logged.  The
# torn line was cut and the offset moved back with it: no hole of NUL
# bytes, every line a whole JSON object, the last record there.
: "${TD_TIME_SCALE:=1}"
# wait_for SECONDS CMD...: CMD succeeds within SECONDS (scaled).
wait_for() {
	wf_left=$(($1 * TD_TIME_SCALE * 10))
	shift
	until "$@"; do
		[ "$wf_left" -gt 0 ] || return 1
		wf_left=$((wf_left - 1))
		sleep 0.1
	done
}
mount_tmpfs size=64k
dd if=/dev/zero of="$mnt/filler" bs=1024 count=16 2>/dev/null || exit 99
live=$tmp/live.ckpt
: >"$live"
tlog=$mnt/stdout.jsonl
# Through follow-helper spawn: its pid and, once it ended, its status in files.
# A second instance, off the full filesystem, tells how far the host got.
mirror=$tmp/mirror.jsonl
printf '[plugin:mirror]\nmodule = logger\nformat = json\noutput = %s\n' "$mirror" | cat "$INI" - >"$tmp/tail.ini"
"$TD_TOOLS/follow-helper" spawn "$tmp/tail.pid" "$tmp/tail.rc" "$TD" -c "$tmp/tail.ini" -o logger.output=- \
	tail --forever "$live" </dev/null >"$tlog" 2>"$tmp/tail.err" &
wait_for 10 test -f "$tmp/tail.pid" || exit 99
tpid=$(cat "$tmp/tail.pid")
o1=$("$TD_TOOLS/follow-helper" offset "$stream" 1000) || exit 99
o2=$("$TD_TOOLS/follow-helper" offset "$stream" 1040) || exit 99
head -c "$o1" "$stream" >>"$live"
what="tail, stdout on a full filesystem"
if wait_for 10 grep -q 'No space left on device' "$tmp/tail.err"; then ok; else fail "no 'No space left on device' within 10 s"; show_file stderr "$tmp/tail.err"; fi
# Space comes back once all 1000 records are handled (else their lines
# would take it again).
what="tail: the first 1000 records handled"
if wait_for 10 grep -q '"record":999,' "$mirror"; then ok; else fail "record 999 not in $mirror within 10 s"; fi
rm -f "$mnt/filler"
tail -c +"$((o1 + 1))" "$stream" | head -c "$((o2 - o1))" >>"$live"
what="tail, space back: record 1039 logged"
if wait_for 10 grep -q '"record":1039,' "$tlog"; then ok; else fail "record 1039 not in $tlog within 10 s"; fi
kill -TERM "$tpid"
what="tail, space back: SIGTERM"
if wait_for 10 test -f "$tmp/tail.rc"; then ok; else fail "still running 10 s after SIGTERM (killed)"; kill -KILL "$tpid"; fi
wait
what="tail, space back: every line of $tlog a whole JSON object, no NUL byte"
bad=$("$JQ" -R -r 'if (try (fromjson | type) catch "") == "object" then empty else . end' "$tlog" | tr -d '\000' | head -c 300)
nul=$(tr -d -c '\000' <"$tlog" | wc -c | tr -d ' ')
if [ -z "$bad" ] && [ "$nul" = 0 ]; then
	ok
else
	fail "want whole JSON lines only; $nul NUL bytes; not JSON: $bad"
fi

# --- read-only --------------------------------------------------------------------------
mount_tmpfs ro,size=64k
td -c "$INI" -o logger.output="$log" replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "$PFX: -o:1: [plugin:logger] output: $log: Read-only file system"
printf 'output = %s\n' "$log" >>"$INI"
td -c "$INI" replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "$PFX: $INI:6: [plugin:logger] output: $log: Read-only file system"
# `check` predicts the same (nothing created).
td -c "$INI" check
check_rc 78

finish
