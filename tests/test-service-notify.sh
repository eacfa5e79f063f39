#!/bin/sh
# `watch` as a systemd Type=notify service (sd_notify(3)), with a datagram
# socket as NOTIFY_SOCKET (tests/tools/notify-listen) and WATCHDOG_USEC of
# 0.2 s:
# - READY=1 with STATUS= once the plugins are initialised and the first
#   scan is done (the recorder's init line and the first task's records
#   are written by then), the status counting the streams followed and
#   the instances disabled;
# - WATCHDOG=1 at half the period, from the main loop;
# - SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1 again;
# - a second task, and an instance disabled by on_error = disable: STATUS=
#   says so (sent only when it changed);
# - SIGTERM: STOPPING=1 last, exit 0.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

NL=$TD_TOOLS/notify-listen
ini cfg "[host]" "plugin_dir = $PLUG" "linger = 60" \
	"[plugin:rec]" "module = recorder" \
	"[plugin:bad]" "module = recorder" "out = $tmp/bad.rec" \
	"fail_on = on_task_transition" "on_error = disable"
R=$tmp/root
mkdir -p "$R/checkpoints/t" "$R/checkpoints/u"
cp "$AUR/hello_world/runner" "$R/checkpoints/t/runner"
log=$tmp/notify.log
: >"$log"
bg_start listen "$NL" "$tmp/notify.sock" "$log"
wait_until 10 test -S "$tmp/notify.sock" || {
	echo "test-service-notify: ERROR: notify-listen did not start" >&2
	exit 99
}

NOTIFY_SOCKET=$tmp/notify.sock WATCHDOG_USEC=200000
export NOTIFY_SOCKET WATCHDOG_USEC
host_start w watch "$R"
unset NOTIFY_SOCKET WATCHDOG_USEC
w_what=$what

# The instance `bad` fails on hello_world's first task transition and is
# disabled: READY=1 comes after the first scan, so it says so already.
if wait_grep "$log" 10 "READY=1"; then ok; else fail "no READY=1 within 10 s"; fi
n_t=$(rec_count "$tmp/w.rec" "$R/checkpoints/t/runner")
if [ "$n_t" -gt 0 ]; then ok; else fail "READY=1 before the first scan's records"; fi
n0=$(grep -c -x 'WATCHDOG=1' "$log")
sleep 1
n1=$(grep -c -x 'WATCHDOG=1' "$log")
if [ $((n1 - n0)) -ge 5 ] && [ $((n1 - n0)) -le 15 ]; then ok; else
	fail "want about 10 WATCHDOG=1 in 1 s (every 0.1 s), got $((n1 - n0))"
fi

bg_kill HUP w
if wait_grep "$log" 10 "RELOADING=1|MONOTONIC_USEC="; then ok; else fail "no RELOADING=1 after SIGHUP"; fi
sleep 0.3
cp "$AUR/ports/runner" "$R/checkpoints/u/runner"
wait_grep "$log" 10 "STATUS=2 streams followed" || :
host_stop w TERM
what=$w_what
check_rc 0
check_stdout_empty
check_stderr "thermos-dispatch: bad: on_task_transition failed at $R/checkpoints/t/runner record 0; instance disabled (on_error = disable)" \
	"thermos-dispatch: bad: 1 callback failed"

newfile
grep -v -x 'WATCHDOG=1' "$log" | sed -E 's/MONOTONIC_USEC=[0-9]+$/MONOTONIC_USEC=N/' >"$nf"
got=$nf
newfile
printf '%s\n' \
	"READY=1|STATUS=1 stream followed, 1 instance disabled" \
	"RELOADING=1|MONOTONIC_USEC=N" \
	"READY=1|STATUS=1 stream followed, 1 instance disabled" \
	"STATUS=2 streams followed, 1 instance disabled" \
	"STOPPING=1" >"$nf"
check_file_eq "$nf" "$got" "the messages to the service manager (watchdog pings aside)"
if [ "$(tail -n 1 "$log")" = "STOPPING=1" ]; then ok; else
	fail "STOPPING=1 is not the last message"
fi
finish
