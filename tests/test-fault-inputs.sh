#!/bin/sh
# Inputs that are not regular readable files, through the commands that
# load plugins (state and dump are covered by test-input-errors.sh and
# test-input-unreadable.sh):
# - a directory: replay and tail exit 66, `thermos-dispatch: PATH: Is a
#   directory`, no record dispatched (the recorder sees init and fini only);
# - a FIFO that a writer opens and closes without writing: replay exits 0,
#   nothing on stderr, an empty stream (on_stream_open and _close, no
#   record callback); `state --json` of a FIFO fed a
#   whole stream gives the stream's state;
# - a file without read permission, as uid/gid 65534 (setpriv, when run as
#   root): replay and tail exit 66, `thermos-dispatch: PATH: Permission
#   denied`;
# - symlink loops inside a watched root (checkpoints/loop -> loop, not a
#   task directory, and a task whose runner -> runner): `watch` follows the
#   other task (all its records dispatched), does not hang, warns once of
#   the looped runner (`thermos-dispatch: warning: ROOT/checkpoints/looped/
#   runner: a symbolic link; not followed`: a runner is never a link, however often
#   it looks again), and exits 0 on SIGTERM.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
cfg=$ini
rec=$tmp/rec.out

# td_rec ARGS...: td -c cfg -o rec.out=$rec ARGS..., the recorder file
# emptied first.
td_rec() {
	: >"$rec"
	td -c "$cfg" -o "rec.out=$rec" "$@"
}

# check_nothing_dispatched LABEL: the recorder saw no stream, no record.
check_nothing_dispatched() {
	if grep -q -E ' on_' "$rec"; then
		fail "$1: want no callback but init and fini"
		show_file recorder "$rec"
	else
		ok
	fi
}

# --- a directory ---------------------------------------------------------------
mkdir "$tmp/dir"
for cmd in replay tail; do
	td_rec $cmd "$tmp/dir"
	check_rc 66
	check_stdout_empty
	check_stderr "thermos-dispatch: $tmp/dir: Is a directory"
	check_nothing_dispatched "$cmd of a directory"
done

# --- a FIFO ---------------------------------------------------------------------
fifo=$tmp/fifo
mkfifo "$fifo" || exit 99
# A writer that opens the FIFO and closes it at once: an empty stream.
bg_start wempty sh -c ': >"$1"' sh "$fifo"
: >"$rec"
run_fg fifo 10 -c "$cfg" -o "rec.out=$rec" replay "$fifo"
what="replay of a FIFO opened and closed by its writer"
check_rc 0
check_stderr_empty
if [ "$(rec_count "$rec")" = 0 ] && grep -q " on_stream_close " "$rec"; then
	ok
else
	fail "want an empty stream: opened and closed, no record callback"
	show_file recorder "$rec"
fi
bg_wait wempty 5

bg_start wfull sh -c 'cat "$1" >"$2"' sh "$GEN/valid-00.ckpt" "$fifo"
run_fg fifostate 10 state --json "$fifo"
what="state --json of a FIFO fed valid-00.ckpt"
check_rc 0
check_stderr_empty
check_stdout_json "$GEN/valid-00.state.json"
bg_wait wfull 5

# --- a file without read permission ---------------------------------------------
chmod 755 "$tmp"
mkdir "$tmp/u"
chmod 755 "$tmp/u"
cp "$GEN/valid-00.ckpt" "$tmp/u/secret.ckpt"
printf '[host]\n' >"$tmp/u/none.ini"
chmod 644 "$tmp/u/none.ini"
if [ "$(id -u)" = 0 ]; then
	as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	if ! command -v setpriv >/dev/null 2>&1 ||
		! as_user "$TD" -c "$tmp/u/none.ini" replay "$tmp/u/secret.ckpt" </dev/null >/dev/null 2>&1; then
		as_user=
	else
		as_user=1
	fi
else
	as_user() { "$@"; }
	as_user=1
fi
if [ -n "$as_user" ]; then
	chmod 000 "$tmp/u/secret.ckpt"
	for cmd in replay tail; do
		what="(uid 65534) thermos-dispatch $cmd (mode 000)"
		newfile
		out=$nf.out
		err=$nf.err
		as_user "$TD" -c "$tmp/u/none.ini" $cmd "$tmp/u/secret.ckpt" </dev/null >"$out" 2>"$err"
		rc=$?
		check_rc 66
		check_stdout_empty
		check_stderr "thermos-dispatch: $tmp/u/secret.ckpt: Permission denied"
	done
else
	printf '%s: note: uid 65534 cannot run the binary here: the unreadable-file part is skipped\n' "$test_name"
fi

# --- symlink loops inside a watched root ---------------------------------------------
root=$tmp/root
mkdir -p "$root/checkpoints/good" "$root/checkpoints/looped"
ln -s loop "$root/checkpoints/loop"
ln -s runner "$root/checkpoints/looped/runner"
stream=$GEN/valid-00.ckpt
cp "$stream" "$root/checkpoints/good/runner"
expect_of w "$stream" "$root/checkpoints/good/runner" good
host_start w watch "$root"
if ! wait_rec "$tmp/w.rec" "$(exp_count w "$nrec")" 10; then
	fail "watch: the records of the good task were not all dispatched within 10 s"
	show_file recorder "$tmp/w.rec"
fi
# The looped runner made again: the host looks at it again, and does not
# warn again.  Still alive a moment later (no crash on the loops), then
# stopped.
ln -sfn runner "$root/checkpoints/looped/runner"
sleep 0.3
what="watch of a root with symlink loops"
if bg_done w; then
	fail "watch ended by itself (exit $(cat "$BG/w.rc"))"
else
	ok
fi
host_stop w TERM
check_rc 0
check_stdout_empty
check_stderr "thermos-dispatch: warning: $root/checkpoints/looped/runner: a symbolic link; not followed"
check_stream "watch (symlink loops beside)" "$tmp/w.rec" "$root/checkpoints/good/runner" w "$nrec"

finish
