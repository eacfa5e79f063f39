#!/bin/sh
# `watch` follows again what is removed and made again: a root's
# checkpoints/, a whole root, a root matched by a glob, and a root's
# tasks/finished/ (the task markers).  Each round removes the directory,
# makes it again at once or after a pause, and writes a new task in it
# while the host may be busy dispatching a large stream of another root.
# Every record of every new task must reach the recorder exactly once,
# live (history=0: nothing watched the new directory before), with the
# callbacks the stream's dump gives; a task whose finished marker is made
# in the re-created tasks/finished/ is closed by that marker (linger is
# long).  stderr says, once a round, that a root was removed and that it
# is followed again; of checkpoints/ and tasks/finished/, which are said
# lost only when still gone at the next tick (a directory made again at
# once, or removed with its root, never left the host deaf), each
# "removed" is followed by one "followed again", and a removal longer than
# a tick is always said; nothing else is on stderr.
#
# TD_RECREATE_ROUNDS (default 50, 10 under valgrind) rounds of each.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

if [ "$TD_TIME_SCALE" -gt 1 ]; then
	: "${TD_RECREATE_ROUNDS:=10}"
else
	: "${TD_RECREATE_ROUNDS:=50}"
fi
ROUNDS=$TD_RECREATE_ROUNDS

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
rec=$tmp/w.rec
CP=$tmp/cp         # a plain root whose checkpoints/ is re-created
WHOLE=$tmp/whole   # a plain root re-created whole
GLOB=$tmp/runs     # runs/r1 matched by the glob runs/*
FIN=$tmp/fin       # a plain root whose tasks/finished/ is re-created
BUSY=$tmp/busy     # a root whose large streams keep the host busy
mkdir -p "$CP/checkpoints" "$WHOLE/checkpoints" "$GLOB/r1/checkpoints" \
	"$FIN/checkpoints" "$FIN/tasks/finished" "$BUSY/checkpoints"

# Every new task is a copy of one terminal stream; its expected lines are
# made once, for a template path, and the path put in per task.
SMALL=$AUR/hello_world/runner
expect_of small "$SMALL" "$tmp/TMPLROOT/checkpoints/TMPLTASK/runner" TMPLTASK
n_small=$nrec
"$GEN_STREAM" -n 5000 -p 50 -s 7 "$tmp/big.ckpt" >/dev/null || exit 99
expect_of big "$tmp/big.ckpt" "$tmp/TMPLROOT/checkpoints/TMPLTASK/runner" TMPLTASK
n_big=$nrec
SOURCES=$tmp/sources # "NAME SOURCE ROOT TASK" of every task written
: >"$SOURCES"

# new_task KIND ROOT ID: writes a copy of KIND's stream as ROOT's task ID.
new_task() {
	mkdir -p "$2/checkpoints/$3"
	cp "$( [ "$1" = big ] && echo "$tmp/big.ckpt" || echo "$SMALL")" "$2/checkpoints/$3/runner.tmp"
	mv "$2/checkpoints/$3/runner.tmp" "$2/checkpoints/$3/runner"
	echo "$1 $2/checkpoints/$3/runner $2 $3" >>"$SOURCES"
}

host_start w -o host.rescan_interval=0.2 -o host.linger=600 \
	watch "$CP" "$WHOLE" "$GLOB/*" "$FIN" "$BUSY"
w_what=$what

# pause I: a pause between removal and re-creation on odd rounds.
pause() {
	[ $(($1 % 2)) -eq 1 ] && sleep 0.3
	:
}
# busy I: on every fifth round, a large stream lands in BUSY first.
busy() {
	[ $(($1 % 5)) -eq 0 ] && new_task big "$BUSY" "big-$2-$1"
	:
}
# await SOURCE N: N record lines of SOURCE within 30 s.
await() {
	what=$w_what
	if wait_rec "$rec" "$2" 30 "$1"; then :; else
		fail "$1: $(rec_count "$rec" "$1") of $2 records within 30 s"
	fi
}

i=1
while [ "$i" -le "$ROUNDS" ]; do
	# checkpoints/ removed and made again, with a new task.
	busy "$i" cp
	rm -rf "$CP/checkpoints"
	pause "$i"
	mkdir "$CP/checkpoints"
	new_task small "$CP" "a$i"
	await "$CP/checkpoints/a$i/runner" "$n_small"

	# The whole root removed and made again.
	busy "$i" whole
	rm -rf "$WHOLE"
	pause "$i"
	mkdir -p "$WHOLE/checkpoints"
	new_task small "$WHOLE" "b$i"
	await "$WHOLE/checkpoints/b$i/runner" "$n_small"

	# A root matched by the glob removed and made again.
	busy "$i" glob
	rm -rf "$GLOB/r1"
	pause "$i"
	mkdir -p "$GLOB/r1/checkpoints"
	new_task small "$GLOB/r1" "c$i"
	await "$GLOB/r1/checkpoints/c$i/runner" "$n_small"

	# tasks/finished/ removed and made again; a task finished by a marker
	# in it is closed by that marker, not by linger (600 s).
	busy "$i" fin
	rm -rf "$FIN/tasks/finished"
	pause "$i"
	mkdir "$FIN/tasks/finished"
	new_task small "$FIN" "d$i"
	: >"$FIN/tasks/finished/d$i"
	await "$FIN/checkpoints/d$i/runner" "$n_small"
	if wait_grep "$rec" 30 "rec on_stream_close " " source=$FIN/checkpoints/d$i/runner "; then :; else
		fail "$FIN/checkpoints/d$i/runner: not closed by its finished marker within 30 s"
	fi
	i=$((i + 1))
done
ok

# Gone for longer than a tick: said, then followed again.
rm -rf "$CP/checkpoints" "$FIN/tasks/finished"
sleep 1.6
mkdir "$CP/checkpoints" "$FIN/tasks/finished"
new_task small "$CP" "long"
: >"$FIN/tasks/finished/dlong"
new_task small "$FIN" "dlong"
await "$CP/checkpoints/long/runner" "$n_small"
await "$FIN/checkpoints/dlong/runner" "$n_small"
if wait_grep "$rec" 30 "rec on_stream_close " " source=$FIN/checkpoints/dlong/runner "; then ok; else
	fail "$FIN/checkpoints/dlong/runner: not closed by its finished marker within 30 s"
fi

# The large streams: all dispatched before the host stops.
while read -r kind src root id; do
	[ "$kind" = big ] || continue
	await "$src" "$n_big"
done <"$SOURCES"

host_stop w TERM
what=$w_what
check_rc 0
check_stdout_empty

# stderr: per round, each re-created root removed and followed again, once
# each; checkpoints/ and tasks/finished/ said in pairs, at least once (the
# long removal); nothing else.
newfile
want_err=$nf
i=1
while [ "$i" -le "$ROUNDS" ]; do
	for d in "$WHOLE" "$GLOB/r1"; do
		echo "thermos-dispatch: warning: $d: removed; followed again once it is back"
		echo "thermos-dispatch: $d: followed again"
	done
	i=$((i + 1))
done | LC_ALL=C sort >"$want_err"
newfile
got_err=$nf
sub_re="^thermos-dispatch: (warning: )?($CP/checkpoints|$FIN/tasks/finished): "
grep -v -E "$sub_re" "$err" | LC_ALL=C sort >"$got_err"
check_file_eq "$want_err" "$got_err" "stderr: each root's removal and return said once"
for d in "$CP/checkpoints" "$FIN/tasks/finished"; do
	n_gone=$(grep -c -x -F "thermos-dispatch: warning: $d: removed; followed again once it is back" "$err")
	n_back=$(grep -c -x -F "thermos-dispatch: $d: followed again" "$err")
	n_all=$(grep -c -F "thermos-dispatch: " "$err" | tr -d ' ')
	n_d=$(grep -c -E "^thermos-dispatch: (warning: )?$d: " "$err")
	if [ "$n_gone" -ge 1 ] && [ "$n_gone" = "$n_back" ] && [ "$n_d" = $((n_gone + n_back)) ]; then
		echo "$d: said lost $n_gone times in $((ROUNDS + 1)) removals"
		ok
	else
		fail "$d: want as many 'removed' as 'followed again', at least one, nothing else; got $n_gone, $n_back, $n_d lines"
		show_file stderr "$err"
	fi
done

# Every task's lines, exactly: split the recorder's file by source once.
split_dir=$tmp/split
mkdir "$split_dir"
awk -v dir="$split_dir" '
	$2 == "init" || $2 == "tick" || $2 == "fini" || $2 == "reopen" { next }
	{
		s = $0; sub(/^.* source=/, "", s); sub(/ .*$/, "", s)
		f = s; gsub(/\//, "_", f)
		print > (dir "/" f)
	}' "$rec"
bad=0
while read -r kind src root id; do
	f=$split_dir/$(printf '%s' "$src" | tr / _)
	newfile
	w=$nf
	want "$kind" 0 | sed -e "s|$tmp/TMPLROOT/checkpoints/TMPLTASK/runner|$src|g" \
		-e "s|TMPLTASK|$id|g" >"$w"
	newfile
	g=$nf
	norm "$f" "$src" >"$g" 2>/dev/null || :
	if ! cmp -s "$w" "$g"; then
		bad=$((bad + 1))
		[ "$bad" -le 3 ] && show_diff "$w" "$g"
	fi
done <"$SOURCES"
n_sources=$(wc -l <"$SOURCES" | tr -d ' ')
if [ "$bad" -eq 0 ]; then ok; else
	fail "$bad of $n_sources new tasks: callbacks other than their stream's, once each, live"
fi
echo "$n_sources tasks in re-created directories, $ROUNDS rounds of each kind"
finish
