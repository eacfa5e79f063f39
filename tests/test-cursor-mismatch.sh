#!/bin/sh
# A cursor that does not match its file (cli-and-config.md "Cursors": the
# identity is the device, the inode and a hash of the first min(64, size)
# bytes; "a cursor that does not match (other identity, file shorter than the
# offset): a warning, then as for a stream with no cursor" — and DIR shows an
# earlier run, so every record is live).
# Each case: `tail --forever -o host.state_dir=DIR` (a DIR of its own) on a
# file holding a stream's first records, SIGTERM; the file changed while the
# host is stopped; `tail --forever` again: stderr exactly
# `thermos-dispatch: warning: PATH: cursor does not match the file; reading
# it as a new stream`, every record of what the file holds then delivered
# live (history=0 from record 0), exit 0 on SIGTERM.
#   inode   another file moved onto the path (mv), the same bytes and more;
#   bytes   the same inode rewritten with another stream (its first 64
#           bytes differ), longer than the cursor's offset;
#   shorter the same inode cut to fewer records than the cursor covers (its
#           first 64 bytes unchanged);
#   watch   as inode, for a task of `watch` (one line for that task; the
#           other task's cursor matches: history, no warning for it).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
F=$AUR/failure/runner
off8=$("$FH" offset "$F" 8)
head -c "$off8" "$F" >"$tmp/f8.ckpt"

# first_run NAME FILE: tail FILE (8 records of failure) with DIR $tmp/NAME.state,
# stopped once they are dispatched.
first_run() {
	mkdir "$tmp/$1.state"
	cp "$tmp/f8.ckpt" "$2"
	host_start "$1-1" -o "host.state_dir=$tmp/$1.state" tail --forever "$2"
	expect_of "$1-pre" "$tmp/f8.ckpt" "$2" ""
	if wait_rec "$tmp/$1-1.rec" "$(exp_count "$1-pre" 8)" 10; then ok; else
		fail "8 records not dispatched within 10 s"
	fi
	host_stop "$1-1" TERM
	check_rc 0
	check_stderr_empty
	check_stream "$1, run 1" "$tmp/$1-1.rec" "$2" "$1-pre" 8
}

# second_run NAME FILE: tail FILE again; every record of what it holds live,
# after the warning.
second_run() {
	expect_of "$1" "$2" "$2" ""
	sr_n=$nrec
	host_start "$1-2" -o "host.state_dir=$tmp/$1.state" tail --forever "$2"
	if wait_rec "$tmp/$1-2.rec" "$(exp_count "$1" "$sr_n")" 10; then ok; else
		fail "not every record dispatched within 10 s"
	fi
	host_stop "$1-2" TERM
	check_rc 0
	check_stdout_empty
	check_stderr "thermos-dispatch: warning: $2: cursor does not match the file; reading it as a new stream"
	check_frame "$1, run 2" "$tmp/$1-2.rec" "$MODE_TAIL"
	check_stream "$1, run 2" "$tmp/$1-2.rec" "$2" "$1" 0 cursor
}

# inode: another file moved onto the path, with the same first bytes (the
# whole of failure): only the inode tells it apart.
first_run inode "$tmp/inode.ckpt"
cp "$F" "$tmp/inode.new"
mv "$tmp/inode.new" "$tmp/inode.ckpt"
second_run inode "$tmp/inode.ckpt"

# bytes: the same inode, rewritten with ordering (15 records, 870 bytes:
# longer than the cursor's offset, other first bytes).
first_run bytes "$tmp/bytes.ckpt"
cat "$AUR/ordering/runner" >"$tmp/bytes.ckpt"
second_run bytes "$tmp/bytes.ckpt"

# shorter: the same inode, cut to 5 records.
first_run shorter "$tmp/shorter.ckpt"
"$FH" truncate "$tmp/shorter.ckpt" "$("$FH" offset "$F" 5)"
second_run shorter "$tmp/shorter.ckpt"

# watch: task m's runner replaced while stopped (by ports), task k appended
# to.
ROOT=$tmp/root
CK=$ROOT/checkpoints
mkdir -p "$CK/m" "$CK/k" "$tmp/watch.state"
cp "$tmp/f8.ckpt" "$CK/m/runner"
cp "$tmp/f8.ckpt" "$CK/k/runner"
expect_of wm-pre "$tmp/f8.ckpt" "$CK/m/runner" m
expect_of wk-pre "$tmp/f8.ckpt" "$CK/k/runner" k
host_start watch-1 -o "host.state_dir=$tmp/watch.state" -o host.linger=30 watch "$ROOT"
if wait_rec "$tmp/watch-1.rec" "$(exp_count wm-pre 8)" 10 "$CK/m/runner" &&
	wait_rec "$tmp/watch-1.rec" "$(exp_count wk-pre 8)" 10 "$CK/k/runner"; then ok; else
	fail "8 records of each task not dispatched within 10 s"
fi
host_stop watch-1 TERM
check_rc 0
check_stderr_empty
cp "$AUR/ports/runner" "$CK/m/runner.new"
mv "$CK/m/runner.new" "$CK/m/runner"
"$FH" append -d 0 "$F" "$CK/k/runner" "$off8"
expect_of wm "$CK/m/runner" "$CK/m/runner" m
n_wm=$nrec
expect_of wk "$F" "$CK/k/runner" k
n_wk=$nrec
host_start watch-2 -o "host.state_dir=$tmp/watch.state" -o host.linger=30 watch "$ROOT"
if wait_rec "$tmp/watch-2.rec" "$(exp_count wm "$n_wm")" 10 "$CK/m/runner" &&
	wait_rec "$tmp/watch-2.rec" "$(exp_count wk "$n_wk")" 10 "$CK/k/runner"; then ok; else
	fail "not every record dispatched within 10 s"
fi
host_stop watch-2 TERM
check_rc 0
check_stdout_empty
check_stderr "thermos-dispatch: warning: $CK/m/runner: cursor does not match the file; reading it as a new stream"
check_stream "watch, m replaced" "$tmp/watch-2.rec" "$CK/m/runner" wm 0 cursor
check_stream "watch, k appended" "$tmp/watch-2.rec" "$CK/k/runner" wk 8 cursor

finish
