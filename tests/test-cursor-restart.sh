#!/bin/sh
# Cursors across a stop and a start (cli-and-config.md "Cursors": "a stream
# with a matching cursor: records up to it are re-applied with history = 1,
# the rest delivered live; a stream with no cursor, when state_dir records an
# earlier run of the host: it appeared while the host was down, so every
# record is live; ... One cursor per stream, named after the stream's path,
# shared by tail and watch; a finished task whose cursor is at its end is not
# re-read on restart").
#
# watch, DIR empty (the first run) over ROOT with
#   t1  failure's first 10 records (the task ACTIVE): history;
#   t3  hello_world whole, and ROOT/tasks/finished/t3: history, then closed
#       (finished, drained);
# SIGTERM (exit 0).  While stopped: the rest of t1 appended, a new task
# ROOT/checkpoints/new/runner created (ports, whole).  watch again, same DIR:
#   t1  records 0..9 history, 10.. live;
#   new every record live, task_id new;
#   t3  not read again: no callback at all;
# SIGTERM (exit 0, nothing on stderr both times).
#
# tail, another DIR: `tail --forever` on sleep60's first 3 records, SIGTERM;
# the rest appended; `tail --forever` again: 0..2 history, the rest live, no
# warning.  Then `tail` of another file never followed, with the same DIR
# (an earlier run): every record live.  Then ROOT2/checkpoints/x/runner
# followed by `tail` (4 records), stopped, 3 more appended, and ROOT2
# watched with the same DIR: the cursor tail left is watch's: 0..3
# history, the rest live.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"

# --- watch ---------------------------------------------------------------------
ROOT=$tmp/root
CK=$ROOT/checkpoints
mkdir -p "$CK/t1" "$CK/t3" "$ROOT/tasks/active" "$ROOT/tasks/finished" "$tmp/state"
F=$AUR/failure/runner
off10=$("$FH" offset "$F" 10)
head -c "$off10" "$F" >"$tmp/t1-10.ckpt"
expect_of t1pre "$tmp/t1-10.ckpt" "$CK/t1/runner" t1
expect_of t1 "$F" "$CK/t1/runner" t1
n_t1=$nrec
cp "$tmp/t1-10.ckpt" "$CK/t1/runner"
expect_of t3 "$AUR/hello_world/runner" "$CK/t3/runner" t3
n_t3=$nrec
cp "$AUR/hello_world/runner" "$CK/t3/runner"
: >"$ROOT/tasks/finished/t3"
expect_of new "$AUR/ports/runner" "$CK/new/runner" new
n_new=$nrec

host_start w1 -o "host.state_dir=$tmp/state" -o host.linger=30 watch "$ROOT"
w1_what=$what
if wait_rec "$tmp/w1.rec" "$(exp_count t1pre 10)" 10 "$CK/t1/runner"; then ok; else
	fail "run 1: t1's 10 records not dispatched within 10 s"
fi
if wait_grep "$tmp/w1.rec" 10 "rec on_stream_close " " source=$CK/t3/runner "; then ok; else
	fail "run 1: t3 (finished) not closed within 10 s"
fi
host_stop w1 TERM
what=$w1_what
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame "run 1" "$tmp/w1.rec" "$MODE_WATCH"
check_stream "run 1, t1" "$tmp/w1.rec" "$CK/t1/runner" t1pre 10
check_stream "run 1, t3" "$tmp/w1.rec" "$CK/t3/runner" t3 "$n_t3"

"$FH" append -d 0 "$F" "$CK/t1/runner" "$off10"
mkdir "$CK/new"
cp "$AUR/ports/runner" "$CK/new/runner"

host_start w2 -o "host.state_dir=$tmp/state" -o host.linger=30 watch "$ROOT"
w2_what=$what
if wait_rec "$tmp/w2.rec" "$(exp_count t1 "$n_t1")" 10 "$CK/t1/runner"; then ok; else
	fail "run 2: t1 not dispatched within 10 s"
fi
if wait_rec "$tmp/w2.rec" "$(exp_count new "$n_new")" 10 "$CK/new/runner"; then ok; else
	fail "run 2: new not dispatched within 10 s"
fi
sleep 0.3
host_stop w2 TERM
what=$w2_what
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame "run 2" "$tmp/w2.rec" "$MODE_WATCH"
check_stream "run 2, t1 (appended while stopped)" "$tmp/w2.rec" "$CK/t1/runner" t1 10 cursor
check_stream "run 2, new (created while stopped)" "$tmp/w2.rec" "$CK/new/runner" new 0
if grep -q -F " source=$CK/t3/runner " "$tmp/w2.rec"; then
	fail "run 2: t3, finished and read to its end in run 1, was read again"
	grep -F " source=$CK/t3/runner " "$tmp/w2.rec" | head -n 3 | sed 's/^/  /'
else
	ok
fi

# --- tail ----------------------------------------------------------------------
mkdir "$tmp/state2"
S=$AUR/sleep60/runner
off3=$("$FH" offset "$S" 3)
head -c "$off3" "$S" >"$tmp/s3.ckpt"
expect_of s3 "$tmp/s3.ckpt" "$tmp/s.ckpt" ""
expect_of s "$S" "$tmp/s.ckpt" ""
n_s=$nrec
cp "$tmp/s3.ckpt" "$tmp/s.ckpt"
host_start t1 -o "host.state_dir=$tmp/state2" tail --forever "$tmp/s.ckpt"
if wait_rec "$tmp/t1.rec" "$(exp_count s3 3)" 10; then ok; else
	fail "3 records not dispatched within 10 s"
fi
host_stop t1 TERM
check_rc 0
check_stderr_empty
check_stream "tail, run 1" "$tmp/t1.rec" "$tmp/s.ckpt" s3 3

"$FH" append -d 0 "$S" "$tmp/s.ckpt" "$off3"
host_start t2 -o "host.state_dir=$tmp/state2" tail --forever "$tmp/s.ckpt"
if wait_rec "$tmp/t2.rec" "$(exp_count s "$n_s")" 10; then ok; else
	fail "not every record dispatched within 10 s"
fi
host_stop t2 TERM
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame "tail, run 2" "$tmp/t2.rec" "$MODE_TAIL"
check_stream "tail, run 2 (a matching cursor)" "$tmp/t2.rec" "$tmp/s.ckpt" s 3 cursor

# A file never followed, DIR from an earlier run: all live.
cp "$AUR/failure_limit/runner" "$tmp/other.ckpt"
expect_of other "$tmp/other.ckpt" "$tmp/other.ckpt" ""
n_other=$nrec
host_start t3 -o "host.state_dir=$tmp/state2" tail --forever "$tmp/other.ckpt"
if wait_rec "$tmp/t3.rec" "$(exp_count other "$n_other")" 10; then ok; else
	fail "not every record dispatched within 10 s"
fi
host_stop t3 TERM
check_rc 0
check_stdout_empty
check_stderr_empty
check_stream "tail of a new file, state_dir of an earlier run" "$tmp/t3.rec" "$tmp/other.ckpt" other 0

# --- tail, then watch: one cursor --------------------------------------------------
X=$tmp/root2/checkpoints/x/runner
mkdir -p "$(dirname "$X")"
O=$AUR/ordering/runner
off4=$("$FH" offset "$O" 4)
off7=$("$FH" offset "$O" 7)
head -c "$off7" "$O" >"$tmp/o7.ckpt"
expect_of o7 "$tmp/o7.ckpt" "$X" x
head -c "$off4" "$O" >"$X"
host_start t4 -o "host.state_dir=$tmp/state2" tail --forever "$X"
if wait_rec "$tmp/t4.rec" "$(exp_count o7 4)" 10; then ok; else
	fail "4 records not dispatched within 10 s"
fi
host_stop t4 TERM
check_rc 0
check_stderr_empty
"$FH" append -d 0 "$tmp/o7.ckpt" "$X" "$off4"
host_start w3 -o "host.state_dir=$tmp/state2" -o host.linger=30 watch "$tmp/root2"
if wait_rec "$tmp/w3.rec" "$(exp_count o7 7)" 10; then ok; else
	fail "not every record dispatched within 10 s"
fi
host_stop w3 TERM
check_rc 0
check_stdout_empty
check_stderr_empty
check_stream "watch after tail, one cursor" "$tmp/w3.rec" "$X" o7 4 cursor

finish
