#!/bin/sh
# The lifetime of `ev->source`, promised by ABI 1.1 (<thermos/handler.h>,
# thermos_event.source): the pointer and its bytes stay valid and unchanged
# from a stream's on_stream_open to its on_stream_close.  The source_keeper
# test plugin keeps the pointer from on_stream_open and checks it in every
# later callback of the stream (tests/plugins/source_keeper.c); next to it
# the recorder says which callbacks each stream had.  For every stream the
# keeper's file must hold exactly
#   keep close calls=N bad=0 source=SRC
# in the order of the recorder's on_stream_close lines, N being the number
# of the recorder's callback lines of SRC (open and close included), and no
# BAD line.  The streams:
# - replay: every Aurora fixture and a corrupt stream (on_stream_error),
#   one after another;
# - tail: failure's first 10 records, then the rest appended in random
#   writes (several reads of the stream), to the end of the task (linger);
# - watch: tasks whose streams are open at once, closed every way a watched
#   stream closes: a task finished (tasks/finished/<id>), a task directory
#   removed, a corrupt stream, a task created while the host runs, and the
#   others at SIGTERM.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

keep=$tmp/keep
ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder" \
	"[plugin:keep]" "module = source_keeper" "out = $keep"
cfg=$ini

# keep_want RECFILE: the keeper's lines expected from the recorder's file,
# on stdout.
keep_want() {
	awk '$1 == "rec" && $2 ~ /^on_/ {
		src = $0
		sub(/^.* source=/, "", src)
		sub(/ .*$/, "", src)
		n[src]++
		if ($2 == "on_stream_close") {
			print "keep close calls=" n[src] " bad=0 source=" src
			delete n[src]
		}
	}' "$1"
}

# check_keep LABEL RECFILE NSTREAMS: the keeper's file is what the
# recorder's lines want, for NSTREAMS streams.
check_keep() {
	newfile
	keep_want "$2" >"$nf"
	ck_want=$nf
	what="$1: streams closed"
	ck_n=$(wc -l <"$ck_want" | tr -d ' ')
	if [ "$ck_n" = "$3" ]; then ok; else
		fail "want $3 streams closed in the recorder's lines, got $ck_n"
		show_file recorder "$2"
	fi
	check_file_eq "$ck_want" "$keep" "$1: the keeper's lines"
}

# --- replay ------------------------------------------------------------------
BT=$GEN/broken-bad_transition-0.ckpt
error_line "$BT"
set --
for dir in "$AUR"/*/; do
	set -- "$@" "$dir"runner
done
n_replay=$(($# + 1))
: >"$keep"
: >"$tmp/replay.rec"
td -c "$cfg" -o "rec.out=$tmp/replay.rec" replay "$@" "$BT"
check_rc 65
check_stdout_empty
check_stderr "$errline"
check_keep replay "$tmp/replay.rec" "$n_replay"

# --- tail --------------------------------------------------------------------
T=$tmp/t/checkpoints/tt/runner
mkdir -p "$tmp/t/checkpoints/tt"
off10=$("$FH" offset "$AUR/failure/runner" 10)
head -c "$off10" "$AUR/failure/runner" >"$T"
: >"$keep"
host_start tail tail --linger 0.3 "$T"
t_what=$what
if wait_rec "$tmp/tail.rec" 10 10; then ok; else
	fail "tail: the first 10 records not dispatched within 10 s"
fi
"$FH" append -s 3 -d 20 "$AUR/failure/runner" "$T" "$off10"
bg_wait tail 20
what=$t_what
check_rc 0
check_stdout_empty
check_stderr_empty
check_keep tail "$tmp/tail.rec" 1

# --- watch -------------------------------------------------------------------
ROOT=$tmp/root
CK=$ROOT/checkpoints
mkdir -p "$CK/a" "$CK/b" "$CK/d" "$CK/e" "$ROOT/tasks/active" "$ROOT/tasks/finished"
off_a=$("$FH" offset "$AUR/failure/runner" 8)
head -c "$off_a" "$AUR/failure/runner" >"$CK/a/runner"
cp "$AUR/hello_world/runner" "$CK/b/runner"
head -c "$("$FH" offset "$AUR/ordering/runner" 6)" "$AUR/ordering/runner" >"$CK/d/runner"
cp "$BT" "$CK/e/runner"
error_line "$CK/e/runner"
line_e=$errline
: >"$keep"
host_start watch -o host.linger=30 watch "$ROOT"
w_what=$what
w_rec=$tmp/watch.rec
for t in a b d; do
	if wait_grep "$w_rec" 10 "rec on_stream_open " " source=$CK/$t/runner "; then ok; else
		fail "task $t: not opened within 10 s"
	fi
done
if wait_grep "$w_rec" 10 "rec on_stream_close " " source=$CK/e/runner "; then ok; else
	fail "task e (corrupt): not closed within 10 s"
fi
# c: created while the host runs, in random writes.
mkdir "$CK/c"
"$FH" append -s 5 -d 5 "$AUR/ports/runner" "$CK/c/runner" 0
# a: the rest, then finished.
"$FH" append -s 4 -d 5 "$AUR/failure/runner" "$CK/a/runner" "$off_a"
: >"$ROOT/tasks/finished/a"
what=$w_what
if wait_grep "$w_rec" 10 "rec on_stream_close " " source=$CK/a/runner "; then ok; else
	fail "task a: not closed within 10 s of tasks/finished/a"
fi
# d: its directory removed.
rm -r "$CK/d"
if wait_grep "$w_rec" 10 "rec on_stream_close " " source=$CK/d/runner "; then ok; else
	fail "task d: not closed within 10 s of its directory's removal"
fi
if wait_grep "$w_rec" 10 "rec on_stream_open " " source=$CK/c/runner "; then ok; else
	fail "task c (new): not opened within 10 s"
fi
host_stop watch TERM
what=$w_what
check_rc 0
check_stdout_empty
newfile
LC_ALL=C sort "$err" >"$nf"
got_err=$nf
newfile
printf '%s\n' "$line_e" \
	"thermos-dispatch: warning: $CK/d/runner: task directory removed before the task was over" |
	LC_ALL=C sort >"$nf"
check_file_eq "$nf" "$got_err" "watch: stderr (sorted)"
check_keep watch "$w_rec" 5

finish
