#!/bin/sh
# `watch` with glob roots (cli-and-config.md "watch": a ROOT with glob
# characters is expanded again every `rescan_interval` seconds; "a stream
# created after the host started is live from its first record", handler-
# abi.md `history`: "every record of a stream created after the host started
# (a new task, a new root)"), and a task over by linger in watch.
# `watch "$tmp/runs/*" "$tmp/late/*"` with `-o host.rescan_interval=0.2`,
# `-o host.linger=1`:
# - runs/r1 exists at start with task t (hello_world, terminal): history; the
#   task is over after linger = 1 s with no append: on_stream_close, before
#   any signal;
# - runs/r2 appears after start, its task u already whole in it when the
#   rescan finds it: every record live, task_id u, found within 5 s;
# - then a task v is written into r2 in random writes: live;
# - a task w in r1 (a root known from the start): live;
# - late/* matches nothing at start; late/x/checkpoints/y/runner appears:
#   live;
# SIGTERM: exit 0, nothing on stdout or stderr; every stream's lines as
# expected; init (mode watch) first, fini last.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
rec=$tmp/g.rec
R1=$tmp/runs/r1
R2=$tmp/runs/r2
mkdir -p "$R1/checkpoints/t" "$tmp/late"

expect_of t "$AUR/hello_world/runner" "$R1/checkpoints/t/runner" t
n_t=$nrec
cp "$AUR/hello_world/runner" "$R1/checkpoints/t/runner"
expect_of u "$AUR/ports/runner" "$R2/checkpoints/u/runner" u
n_u=$nrec
expect_of v "$GEN/valid-04.ckpt" "$R2/checkpoints/v/runner" v
n_v=$nrec
expect_of w "$AUR/ordering/runner" "$R1/checkpoints/w/runner" w
n_w=$nrec
expect_of y "$AUR/failure_limit/runner" "$tmp/late/x/checkpoints/y/runner" y
n_y=$nrec

host_start g -o host.rescan_interval=0.2 -o host.linger=1 \
	watch "$tmp/runs/*" "$tmp/late/*"
g_what=$what
if wait_rec "$rec" "$n_t" 10 "$R1/checkpoints/t/runner"; then ok; else
	fail "task t: its records not dispatched within 10 s"
fi

# A new root, its task already there: made aside, moved in whole.
mkdir -p "$tmp/aside/r2/checkpoints/u"
cp "$AUR/ports/runner" "$tmp/aside/r2/checkpoints/u/runner"
now_ms
t_r2=$NOW
mv "$tmp/aside/r2" "$R2"
what=$g_what
if wait_rec "$rec" "$(exp_count u "$n_u")" 5 "$R2/checkpoints/u/runner"; then
	now_ms
	echo "the new root found in $((NOW - t_r2)) ms (rescan_interval 0.2 s)"
	ok
else
	fail "task u in the new root r2: not dispatched within 5 s (rescan_interval 0.2)"
fi

mkdir "$R2/checkpoints/v"
bg_start writer-v "$FH" append -s 21 -d 2 "$GEN/valid-04.ckpt" "$R2/checkpoints/v/runner" 0
mkdir "$R1/checkpoints/w"
bg_start writer-w "$FH" append -s 22 -d 2 "$AUR/ordering/runner" "$R1/checkpoints/w/runner" 0
mkdir -p "$tmp/late/x/checkpoints/y"
cp "$AUR/failure_limit/runner" "$tmp/late/x/checkpoints/y/runner"
bg_wait writer-v 30
bg_wait writer-w 30
what=$g_what
for t in v:$n_v w:$n_w y:$n_y; do
	case ${t%:*} in v) p=$R2/checkpoints/v/runner ;; w) p=$R1/checkpoints/w/runner ;;
	y) p=$tmp/late/x/checkpoints/y/runner ;; esac
	if wait_rec "$rec" "$(exp_count "${t%:*}" "${t#*:}")" 10 "$p"; then ok; else
		fail "task ${t%:*}: not every record dispatched within 10 s"
	fi
done
if wait_grep "$rec" 10 "rec on_stream_close " " source=$R1/checkpoints/t/runner "; then ok; else
	fail "task t (over: SUCCESS, no append for linger = 1 s): not closed within 10 s"
fi

host_stop g TERM
what=$g_what
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame watch "$rec" "$MODE_WATCH"
check_stream "task t" "$rec" "$R1/checkpoints/t/runner" t "$n_t"
check_stream "task u" "$rec" "$R2/checkpoints/u/runner" u 0
check_stream "task v" "$rec" "$R2/checkpoints/v/runner" v 0
check_stream "task w" "$rec" "$R1/checkpoints/w/runner" w 0
check_stream "task y" "$rec" "$tmp/late/x/checkpoints/y/runner" y 0

finish
