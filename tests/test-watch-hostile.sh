#!/bin/sh
# What a hostile task (or a busy host) can do to the followers, each part
# failing on a host that trusted it:
# - a FIFO where a task's runner should be: `watch` opens streams without
#   blocking and never through a link, warns once, `PATH: not a regular
#   file; not followed` (`a symbolic link` for a link), and goes on with
#   the other tasks; `tail` of either exits 66 with the same reason;
# - a stream rewritten in place while the host was stopped (same inode,
#   other bytes): `PATH: rewritten in place (its first bytes changed)`,
#   exit 65, never a read on from the stale offset;
# - inotify's queue overflowing while the host was stopped: every root is
#   scanned again, and a task created meanwhile is followed, every record
#   once;
# - tasks followed to their end, and tasks moved away, give their inotify
#   watches back (the host's count of watches returns to its start);
# - out of descriptors (`ulimit -n 160`, 120 live tasks and 40 finished,
#   with `state_dir`: a followed task holds one descriptor, its cursor none):
#   the tasks that could not be opened are warned of once, retried every
#   second, and all followed, each append delivered once (not under
#   valgrind, which needs descriptors of its own).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "linger = 30" "[plugin:rec]" "module = recorder"
HELLO=$AUR/hello_world/runner
off3=$("$FH" offset "$HELLO" 3)
off4=$("$FH" offset "$HELLO" 4)
# live FILE: hello_world's first 3 records (ACTIVE, header, WAITING).
live() { head -c "$off3" "$HELLO" >"$1"; }
# append4 FILE: its fourth record (FORKED).
append4() { tail -c +"$((off3 + 1))" "$HELLO" | head -c "$((off4 - off3))" >>"$1"; }
# lines_of STREAM: the recorder's record lines for the whole of STREAM
# (a process record gives two: the universal callback and the state's).
lines_of() {
	: >"$tmp/count.rec"
	"$TD" -c "$ini" -o "rec.out=$tmp/count.rec" replay "$1" >/dev/null 2>&1 || exit 99
	rec_count "$tmp/count.rec"
}
n_hello=$(lines_of "$HELLO")
live "$tmp/live3"
n_live=$(lines_of "$tmp/live3")
append4 "$tmp/live3"
n_append=$(($(lines_of "$tmp/live3") - n_live))

# check_stderr_has FILE LINE: one line of FILE is exactly LINE.
check_stderr_has() {
	if [ "$(grep -c -x -F -e "$2" "$1")" = 1 ]; then ok; else
		fail "want the line once: $2"
		show_file stderr "$1"
	fi
}

# --- a FIFO and a link among the tasks ------------------------------------------
R1=$tmp/r1
mkdir -p "$R1/checkpoints" "$R1/tasks/finished"
host_start w1 watch "$R1"
mkdir "$R1/checkpoints/fifo" && mkfifo "$R1/checkpoints/fifo/runner"
mkdir "$R1/checkpoints/link" && ln -s "$HELLO" "$R1/checkpoints/link/runner"
sleep 0.2
mkdir "$R1/checkpoints/ok" && cp "$HELLO" "$R1/checkpoints/ok/runner"
what="watch: the regular task beside a FIFO and a link"
if wait_rec "$tmp/w1.rec" "$n_hello" 10; then ok; else fail "want $n_hello records of ok"; fi
host_stop w1
check_rc 0
check_stderr_has "$err" "thermos-dispatch: warning: $R1/checkpoints/fifo/runner: not a regular file; not followed"
check_stderr_has "$err" "thermos-dispatch: warning: $R1/checkpoints/link/runner: a symbolic link; not followed"
what="watch: nothing of the link's target dispatched"
if [ "$(rec_count "$tmp/w1.rec")" = "$n_hello" ]; then ok; else fail "want $n_hello records, got $(rec_count "$tmp/w1.rec")"; fi

for kind in fifo link; do
	run_fg "t-$kind" 10 -c "$ini" -o "rec.out=$tmp/t.rec" tail "$R1/checkpoints/$kind/runner"
	check_rc 66
	case $kind in
	fifo) check_stderr "thermos-dispatch: $R1/checkpoints/fifo/runner: not a regular file" ;;
	link) check_stderr "thermos-dispatch: $R1/checkpoints/link/runner: a symbolic link" ;;
	esac
done

# --- rewritten in place while stopped ----------------------------------------------
S=$tmp/rewritten
live "$S"
host_start t2 tail --forever "$S"
what="tail: the first 3 records"
if wait_rec "$tmp/t2.rec" "$n_live" 10; then ok; else fail "want $n_live record lines"; fi
bg_kill STOP t2
ino=$(stat -c %i "$S")
cat "$AUR/failure/runner" >"$S"
what="the same inode, rewritten"
if [ "$(stat -c %i "$S")" = "$ino" ]; then ok; else fail "the test replaced the file"; fi
bg_kill CONT t2
what="tail --forever, the stream rewritten in place"
bg_wait t2 10
check_rc 65
check_stderr "thermos-dispatch: $S: rewritten in place (its first bytes changed)"
what="tail: nothing read from the stale offset"
if [ "$(rec_count "$tmp/t2.rec")" = "$n_live" ]; then ok; else fail "want $n_live record lines, got $(rec_count "$tmp/t2.rec")"; fi

# --- inotify's queue overflowing -------------------------------------------------------
R3=$tmp/r3
mkdir -p "$R3/checkpoints" "$R3/tasks/finished"
host_start w3 watch "$R3"
bg_kill STOP w3
max=$(cat /proc/sys/fs/inotify/max_queued_events 2>/dev/null || echo 16384)
mkdir "$R3/noise"
(cd "$R3/checkpoints" && seq -f 'n%.0f' 1 "$((max + 100))" | xargs touch)
mkdir "$R3/checkpoints/late" && cp "$HELLO" "$R3/checkpoints/late/runner"
bg_kill CONT w3
what="watch: a task created while the queue overflowed"
if wait_rec "$tmp/w3.rec" "$n_hello" 20; then ok; else fail "want $n_hello records of late, got $(rec_count "$tmp/w3.rec")"; fi
host_stop w3
check_rc 0
check_stderr "thermos-dispatch: warning: inotify: event queue overflowed: rescanning every root"
what="watch: every record once"
if [ "$(rec_count "$tmp/w3.rec")" = "$n_hello" ]; then ok; else fail "want $n_hello records, got $(rec_count "$tmp/w3.rec")"; fi

# --- watches given back ------------------------------------------------------------------
R4=$tmp/r4
mkdir -p "$R4/checkpoints" "$R4/tasks/finished" "$tmp/away"
host_start w4 watch "$R4"
pid=$(cat "$BG/w4.pid")
# watches: the number of inotify watches the host holds.
watches() {
	for fd in /proc/"$pid"/fd/*; do
		if [ "$(readlink "$fd")" = "anon_inode:inotify" ]; then
			grep -c '^inotify wd:' /proc/"$pid"/fdinfo/"${fd##*/}"
			return
		fi
	done
	echo none
}
base=$(watches)
i=0
while [ "$i" -lt 10 ]; do
	mkdir "$R4/checkpoints/f$i" && cp "$HELLO" "$R4/checkpoints/f$i/runner"
	: >"$R4/tasks/finished/f$i"
	mkdir "$R4/checkpoints/m$i" && live "$R4/checkpoints/m$i/runner"
	i=$((i + 1))
done
what="watch: 20 tasks followed"
if wait_rec "$tmp/w4.rec" $((10 * n_hello + 10 * n_live)) 20; then ok; else fail "got $(rec_count "$tmp/w4.rec") records"; fi
i=0
while [ "$i" -lt 10 ]; do
	mv "$R4/checkpoints/m$i" "$tmp/away/"
	i=$((i + 1))
done
what="watch: the watches of ended and moved tasks given back"
if wait_until 10 test "$(watches)" = "$base"; then ok; else fail "watches: $base at start, $(watches) now"; fi
host_stop w4
check_rc 0

# --- out of descriptors ------------------------------------------------------------------
if [ -n "$vg_dir" ]; then
	echo "$test_name: the descriptor limit part is not run under valgrind"
	finish
fi
R5=$tmp/r5
mkdir -p "$R5/checkpoints" "$R5/tasks/finished"
i=0
while [ "$i" -lt 40 ]; do
	mkdir "$R5/checkpoints/f$i" && cp "$HELLO" "$R5/checkpoints/f$i/runner"
	: >"$R5/tasks/finished/f$i"
	i=$((i + 1))
done
i=0
while [ "$i" -lt 120 ]; do
	mkdir "$R5/checkpoints/l$i" && live "$R5/checkpoints/l$i/runner"
	i=$((i + 1))
done
: >"$tmp/w5.rec"
what="(ulimit -n 160) thermos-dispatch watch"
bg_start w5 sh -c 'ulimit -n 160 && exec "$@"' sh "$TD" -c "$ini" -o "rec.out=$tmp/w5.rec" \
	-o "host.state_dir=$tmp/state5" watch "$R5"
total=$((40 * n_hello + 120 * n_live))
what="ulimit -n 160: every task followed"
if wait_rec "$tmp/w5.rec" "$total" 20; then ok; else fail "want $total records, got $(rec_count "$tmp/w5.rec")"; fi
i=0
while [ "$i" -lt 120 ]; do
	append4 "$R5/checkpoints/l$i/runner"
	i=$((i + 1))
done
what="ulimit -n 160: every append delivered"
if wait_rec "$tmp/w5.rec" $((total + 120 * n_append)) 20; then ok; else fail "want $((total + 120 * n_append)) record lines, got $(rec_count "$tmp/w5.rec")"; fi
host_stop w5
check_rc 0
what="ulimit -n 160: each append once, live"
n=$(grep -c ' on_process_forked .* history=0 ' "$tmp/w5.rec")
if [ "$n" = 120 ]; then ok; else fail "want 120 live FORKED, got $n"; fi
what="ulimit -n 160: the retry said"
if grep -q -F -e ": Too many open files; retrying every second" "$err"; then ok; else
	fail "want a warning that tasks will be retried"
	show_file stderr "$err"
fi

finish
