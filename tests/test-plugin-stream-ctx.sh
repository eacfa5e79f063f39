#!/bin/sh
# The per-stream pointer of ABI 1.1 (<thermos/handler.h>,
# thermos_event.stream_ctx): a plugin stores its context for a stream in
# on_stream_open and gets it back with every later event of that stream,
# each instance in a slot of its own.  Two instances of the stream_keeper
# test plugin (tests/plugins/stream_keeper.c: k1, k2) check it in every
# callback, beside the recorder (rec).  For every stream, the keepers' file
# must hold exactly
#   k1 close calls=N source=SRC
#   k2 close calls=N source=SRC
# in the order of the recorder's on_stream_close lines, N being the number
# of the recorder's callback lines of SRC (open and close included), and
# no BAD line; stderr holds no error of theirs.  The streams:
# - replay: every Aurora fixture, a corrupt stream (on_stream_error), and
#   hello_world again (the same path opened a second time: a new context);
# - watch: 14 tasks open at once, the rest of each appended by 14 writers
#   at the same time in random writes (interleaved reads of every stream),
#   then all finished.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

sk=$tmp/sk
ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder" \
	"[plugin:k1]" "module = stream_keeper" "out = $sk" \
	"[plugin:k2]" "module = stream_keeper" "out = $sk"
cfg=$ini

# sk_want RECFILE: the keepers' lines expected from the recorder's file.
sk_want() {
	awk '$1 == "rec" && $2 ~ /^on_/ {
		src = $0
		sub(/^.* source=/, "", src)
		sub(/ .*$/, "", src)
		n[src]++
		if ($2 == "on_stream_close") {
			print "k1 close calls=" n[src] " source=" src
			print "k2 close calls=" n[src] " source=" src
			delete n[src]
		}
	}' "$1"
}

# check_sk LABEL RECFILE NSTREAMS: the keepers' file is what the recorder's
# lines want, for NSTREAMS streams.
check_sk() {
	newfile
	sk_want "$2" >"$nf"
	ck_want=$nf
	what="$1: streams closed"
	ck_n=$(grep -c ' close ' "$ck_want")
	if [ "$ck_n" = $(($3 * 2)) ]; then ok; else
		fail "want $3 streams closed (twice) in the recorder's lines, got $ck_n lines"
		show_file recorder "$2"
	fi
	check_file_eq "$ck_want" "$sk" "$1: the keepers' lines"
}

# --- replay ------------------------------------------------------------------
BT=$GEN/broken-bad_transition-0.ckpt
error_line "$BT"
set --
for dir in "$AUR"/*/; do
	set -- "$@" "$dir"runner
done
n_replay=$(($# + 2))
: >"$sk"
: >"$tmp/replay.rec"
td -c "$cfg" -o "rec.out=$tmp/replay.rec" replay "$@" "$BT" "$AUR/hello_world/runner"
check_rc 65
check_stdout_empty
check_stderr "$errline"
check_sk replay "$tmp/replay.rec" "$n_replay"

# --- watch: 14 tasks, appended at once -----------------------------------------
ROOT=$tmp/root
CK=$ROOT/checkpoints
mkdir -p "$CK" "$ROOT/tasks/active" "$ROOT/tasks/finished"
tasks=
i=0
for rep in 1 2; do
	for dir in "$AUR"/*/; do
		i=$((i + 1))
		t=t$i
		tasks="$tasks $t"
		mkdir "$CK/$t"
		src=${dir}runner
		echo "$src" >"$tmp/$t.src"
		off=$("$FH" offset "$src" 3)
		echo "$off" >"$tmp/$t.off"
		head -c "$off" "$src" >"$CK/$t/runner"
	done
done
n_watch=$i
: >"$sk"
ini=$cfg
host_start watch -o host.linger=30 watch "$ROOT"
w_what=$what
w_rec=$tmp/watch.rec
for t in $tasks; do
	if wait_grep "$w_rec" 10 "rec on_stream_open " " source=$CK/$t/runner "; then ok; else
		fail "task $t: not opened within 10 s"
	fi
done
i=0
for t in $tasks; do
	i=$((i + 1))
	bg_start "writer-$t" "$FH" append -s "$i" -d 3 "$(cat "$tmp/$t.src")" \
		"$CK/$t/runner" "$(cat "$tmp/$t.off")"
done
for t in $tasks; do
	what="writer of $t"
	if bg_wait "writer-$t" 30 && [ "$rc" = 0 ]; then ok; else fail "exit $rc"; fi
done
what=$w_what
for t in $tasks; do
	nl=$("$TD" dump "$(cat "$tmp/$t.src")" 2>/dev/null | grep -c .)
	last=$((nl - 1))
	if wait_grep "$w_rec" 10 "rec on_" " record=$last " " source=$CK/$t/runner "; then ok; else
		fail "task $t: its last record ($last) not dispatched within 10 s"
	fi
	: >"$ROOT/tasks/finished/$t"
done
for t in $tasks; do
	if wait_grep "$w_rec" 10 "rec on_stream_close " " source=$CK/$t/runner "; then ok; else
		fail "task $t: not closed within 10 s of tasks/finished/$t"
	fi
done
host_stop watch TERM
what=$w_what
check_rc 0
check_stdout_empty
check_stderr_empty
check_sk watch "$w_rec" "$n_watch"

finish
