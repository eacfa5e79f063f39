#!/bin/sh
# Cursors hold no descriptor (thermos-dispatch(1) CURSORS: a cursor is
# opened for each write and closed again; a followed stream holds one
# descriptor, its own).  With `-o host.state_dir=DIR`, once records were
# delivered live (so cursors were written):
# - tail --forever FILE: among the host's descriptors (/proc/PID/fd), none
#   names a cursor (DIR/*.cursor), one names FILE;
# - watch ROOT with three tasks: none names a cursor, exactly one names
#   each task's runner (three under ROOT in all).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

if [ ! -d /proc/self/fd ]; then
	printf '%s: SKIP: no /proc/PID/fd here\n' "$test_name"
	exit 77
fi

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
F=$AUR/failure/runner
off5=$("$FH" offset "$F" 5)
head -c "$off5" "$F" >"$tmp/f5.ckpt"

# fds NAME: the targets of NAME's descriptors, one a line, in $tmp/NAME.fds.
fds() {
	for fd_l in /proc/"$(cat "$BG/$1.pid")"/fd/*; do
		readlink "$fd_l"
	done >"$tmp/$1.fds" 2>/dev/null
}

# check_fds NAME LABEL PREFIX N: no descriptor of NAME names a cursor, and
# N name files under PREFIX.
check_fds() {
	fds "$1"
	what="$2: the host's descriptors"
	if grep -q '\.cursor$' "$tmp/$1.fds"; then
		fail "cursors held open:"
		grep '\.cursor$' "$tmp/$1.fds" | sed 's/^/  /'
	else
		ok
	fi
	cf_n=$(grep -c -F "$3" "$tmp/$1.fds")
	if [ "$cf_n" = "$4" ]; then ok; else
		fail "want $4 descriptors of files under $3, got $cf_n:"
		sed 's/^/  /' "$tmp/$1.fds"
	fi
}

# --- tail -------------------------------------------------------------------------
mkdir "$tmp/st-tail"
cp "$tmp/f5.ckpt" "$tmp/t.ckpt"
expect_of t "$F" "$tmp/t.ckpt" ""
n=$nrec
host_start tail -o "host.state_dir=$tmp/st-tail" tail --forever "$tmp/t.ckpt"
tail_what=$what
if wait_rec "$tmp/tail.rec" "$(exp_count t 5)" 10; then ok; else
	fail "5 records not dispatched within 10 s"
fi
"$FH" append -d 0 "$F" "$tmp/t.ckpt" "$off5"
if wait_rec "$tmp/tail.rec" "$(exp_count t "$n")" 10; then ok; else
	fail "not every record dispatched within 10 s"
fi
check_fds tail "tail --forever" "$tmp/t.ckpt" 1
host_stop tail TERM
what=$tail_what
check_rc 0
check_stderr_empty
check_stream "tail" "$tmp/tail.rec" "$tmp/t.ckpt" t 5

# --- watch ------------------------------------------------------------------------
ROOT=$tmp/root
mkdir "$tmp/st-watch"
for id in a b c; do
	mkdir -p "$ROOT/checkpoints/$id"
	cp "$tmp/f5.ckpt" "$ROOT/checkpoints/$id/runner"
	expect_of "w$id" "$F" "$ROOT/checkpoints/$id/runner" "$id"
done
host_start watch -o "host.state_dir=$tmp/st-watch" -o host.linger=30 watch "$ROOT"
watch_what=$what
for id in a b c; do
	if wait_rec "$tmp/watch.rec" "$(exp_count "w$id" 5)" 10 "$ROOT/checkpoints/$id/runner"; then ok; else
		fail "task $id: 5 records not dispatched within 10 s"
	fi
done
for id in a b c; do
	"$FH" append -d 0 "$F" "$ROOT/checkpoints/$id/runner" "$off5"
done
for id in a b c; do
	if wait_rec "$tmp/watch.rec" "$(exp_count "w$id" "$n")" 10 "$ROOT/checkpoints/$id/runner"; then ok; else
		fail "task $id: not every record dispatched within 10 s"
	fi
done
check_fds watch "watch, three tasks" "$ROOT/checkpoints/" 3
host_stop watch TERM
what=$watch_what
check_rc 0
check_stderr_empty
for id in a b c; do
	check_stream "watch, task $id" "$tmp/watch.rec" "$ROOT/checkpoints/$id/runner" "w$id" 5
done

finish
