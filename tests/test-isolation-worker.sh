#!/bin/sh
# What an isolated instance's worker is given, and what it cannot take:
#  - no descriptor but 0 to 4 (standard ones, its channel, its progress
#    page), under `tail` (where the host holds streams, inotify, signals),
#    and the module it opened itself;
#  - `user = nobody`: the worker runs as nobody (the host as root);
#  - a plugin leaking descriptors and memory: the host's own stay flat;
#  - a full queue (queue_records) makes the host wait, said once;
#  - the worker mode refuses to run when not started by a host.
TMPDIR=/tmp
. "${top_srcdir:-.}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

S=$tmp/s.ckpt
"$GEN_STREAM" -n 4000 -p 50 "$S" || exit 99
"$TD" dump "$S" >"$tmp/dump" || exit 99
offset() {
	"$JQ" -r "select(.record == $1) | .offset" "$tmp/dump"
}
mkdir -p "$tmp/root/checkpoints/t1"
R=$tmp/root/checkpoints/t1/runner
head -c "$(offset 10)" "$S" >"$R"

# --- descriptors ---------------------------------------------------------
ini fds "[host]" "plugin_dir = $PLUG" \
	"[plugin:rec]" "module = recorder" \
	"[plugin:fl]" "module = flaky" "isolation = process" "fds_to = $tmp/fds"
host_start f tail "$R"
wait_until 10 test -s "$tmp/fds" || fail "no fds_to file"
host_stop f
what="the worker's descriptors"
check_text "$tmp/fds" "fds_to" "fds=0,1,2,3,4,flaky.so uid=$(id -u) gid=$(id -g)"

# --- another user ----------------------------------------------------------
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	# nobody must reach the module and the file it writes.
	chmod 755 "$tmp"
	mkdir "$tmp/drop" && chmod 1777 "$tmp/drop"
	ini user "[host]" "plugin_dir = $PLUG" \
		"[plugin:fl]" "module = flaky" "isolation = process" \
		"user = nobody" "fds_to = $tmp/drop/fds"
	td -c "$tmp/user.ini" replay "$tmp/root/checkpoints/t1/runner"
	what="user = nobody"
	check_rc 0
	check_stderr
	check_text "$tmp/drop/fds" "fds_to" "fds=0,1,2,3,4,flaky.so uid=$(id -u nobody) gid=$(id -g nobody)"
	chmod 700 "$tmp"
elif [ "${CI:-}" = true ]; then
	what="user = nobody"
	fail "CI runs as root with a nobody user: not here"
fi

# --- leaks stay in the worker ---------------------------------------------
ini leak "[host]" "plugin_dir = $PLUG" \
	"[plugin:rec]" "module = recorder" \
	"[plugin:fl]" "module = flaky" "isolation = process" "out = $tmp/leak.out" \
	"leak_fds = yes" "leak_kb = 16"
host_start l tail "$R"
has_live() { grep -q "^[0-9]* $1 0$" "$tmp/leak.out"; }
host_pid=$(cat "$BG/l.pid")
# fds N and rss KB of a process
fds() { ls "/proc/$1/fd" | wc -l; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
tail -c +$(($(offset 10) + 1)) "$S" | head -c $(($(offset 500) - $(offset 10))) >>"$R"
wait_until 20 has_live 499 || fail "record 499 did not reach the worker"
fds0=$(fds "$host_pid")
rss0=$(rss "$host_pid")
tail -c +$(($(offset 500) + 1)) "$S" >>"$R"
wait_until 30 has_live 3999 || fail "record 3999 did not reach the worker"
worker=$(awk '$2 == "init" { print $1 }' "$tmp/leak.out")
what="the leaking worker (the test's own check)"
[ "$(fds "$worker")" -gt 3000 ] && ok || fail "the worker has only $(fds "$worker") descriptors"
what="the host's descriptors and memory"
fds1=$(fds "$host_pid")
rss1=$(rss "$host_pid")
[ "$fds1" = "$fds0" ] && ok || fail "descriptors: $fds0, then $fds1"
[ $((rss1 - rss0)) -lt 4096 ] && ok || fail "resident memory: $rss0 kB, then $rss1 kB"
host_stop l
check_rc 0

# --- a full queue ------------------------------------------------------------
ini queue "[host]" "plugin_dir = $PLUG" \
	"[plugin:fl]" "module = flaky" "isolation = process" "out = $tmp/q.out" \
	"sleep_ms = 1" "queue_records = 50"
head -c "$(offset 600)" "$S" >"$tmp/s600.ckpt"
td -c "$tmp/queue.ini" replay "$tmp/s600.ckpt"
what="replay, a slow worker with a short queue"
check_rc 0
check_stderr "thermos-dispatch: warning: fl: 50 records queued (queue_records): waiting for its worker"
awk '$2 ~ /^[0-9]+$/' "$tmp/q.out" | wc -l >"$tmp/n"
check_text "$tmp/n" "records delivered" 600

# --- the worker mode is the host's own --------------------------------------
td isolated-worker
what="isolated-worker run by hand"
check_rc 64
check_stderr "thermos-dispatch: isolated-worker: for the host's own use (an isolated instance's worker)"
finish
