#!/bin/sh
# The first start with a state_dir, and what a stream held when the host
# first saw it (cli-and-config.md "Cursors": "a stream with no cursor on the
# first run (an empty state_dir) ...: what it holds when the host starts is
# history"; thermos-dispatch(1) CURSORS: the first start counts once it has
# succeeded, and a stream's history limit is kept in its cursor before any
# of it is dispatched).
# - A first start that fails (exit 78: the recorder's init fails), then a
#   good one with the same DIR: still the first run, every record the
#   streams hold is history (tail, then watch with a DIR of its own).
# - kill -9 during the first run's history read (a 3000-record stream
#   holding K0 = 2400 at start; the sleep_plugin instance, added with -p,
#   sleeps at record 1000 and the host is killed then), the rest appended
#   while it is down; a second start killed the same way at record 2000
#   (history again); a third, `tail --linger 0.5`, ends by itself: records
#   0..K0-1 history, K0.. live, every record once; and no record below K0
#   was ever delivered live in any of the three runs.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
F=$AUR/failure/runner

# --- a first start that fails (exit 78), then a good one ----------------------
mkdir "$tmp/st78"
cp "$F" "$tmp/f.ckpt"
expect_of f "$tmp/f.ckpt" "$tmp/f.ckpt" ""
n_f=$nrec
run_fg tail78 10 -c "$ini" -o "rec.out=$tmp/tail78.rec" \
	-o "host.state_dir=$tmp/st78" -o rec.fail_init=yes tail --forever "$tmp/f.ckpt"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:3: [plugin:rec]: init failed (module recorder)"
host_start tailok -o "host.state_dir=$tmp/st78" tail --forever "$tmp/f.ckpt"
if wait_rec "$tmp/tailok.rec" "$(exp_count f "$n_f")" 10; then ok; else
	fail "not every record dispatched within 10 s"
fi
host_stop tailok TERM
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame "tail after a start that failed" "$tmp/tailok.rec" "$MODE_TAIL"
check_stream "tail after a start that failed (still the first run: history)" \
	"$tmp/tailok.rec" "$tmp/f.ckpt" f "$n_f"

ROOT=$tmp/root78
mkdir -p "$ROOT/checkpoints/w" "$tmp/stw78"
cp "$F" "$ROOT/checkpoints/w/runner"
expect_of w "$F" "$ROOT/checkpoints/w/runner" w
run_fg watch78 10 -c "$ini" -o "rec.out=$tmp/watch78.rec" \
	-o "host.state_dir=$tmp/stw78" -o rec.fail_init=yes watch "$ROOT"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:3: [plugin:rec]: init failed (module recorder)"
host_start watchok -o "host.state_dir=$tmp/stw78" -o host.linger=30 watch "$ROOT"
if wait_rec "$tmp/watchok.rec" "$(exp_count w "$n_f")" 10; then ok; else
	fail "not every record dispatched within 10 s"
fi
host_stop watchok TERM
check_rc 0
check_stdout_empty
check_stderr_empty
check_stream "watch after a start that failed (still the first run: history)" \
	"$tmp/watchok.rec" "$ROOT/checkpoints/w/runner" w "$n_f"

# --- kill -9 while the first run reads its history, twice ----------------------
N=3000
K0=2400
stream=$tmp/gen.ckpt
"$GEN_STREAM" -n "$N" -p 25 -s 7 "$stream" || exit 99
path=$tmp/root/checkpoints/boot-task/runner
mkdir -p "$(dirname "$path")" "$tmp/state"
expect_of g "$stream" "$path" boot-task
off=$("$FH" offset "$stream" "$K0")
head -c "$off" "$stream" >"$path"

# killed_in_history NAME S: tail --forever with the sleep_plugin sleeping at
# record S, killed (SIGKILL) once it sleeps; then no record line below K0
# with history=0 in NAME's recorder file.
killed_in_history() {
	: >"$tmp/$1.sl"
	host_start "$1" -o "host.state_dir=$tmp/state" -p "$PLUG/sleep_plugin.so" \
		-o "sleep_plugin.at_record=$2" -o sleep_plugin.seconds=300 \
		-o "sleep_plugin.out=$tmp/$1.sl" tail --forever "$path"
	kh_what=$what
	if wait_grep "$tmp/$1.sl" 60 "sleep start record=$2"; then ok; else
		fail "the sleep at record $2 did not begin within 60 s"
	fi
	bg_kill KILL "$1"
	bg_wait "$1" 10
	what="$kh_what, killed at record $2"
	check_rc 137
	check_no_early_live "$1"
}

# check_no_early_live NAME: no record below K0 delivered live by NAME.
check_no_early_live() {
	what="$1: the records below $K0 (held when the host first saw the stream)"
	cnl_live=$(grep -E "$REC_LINE" "$tmp/$1.rec" | grep -F ' history=0 ' |
		awk -v k="$K0" '{ r = $3; sub(/^record=/, "", r); if (r + 0 < k) n++ } END { print n + 0 }')
	if [ "$cnl_live" = 0 ]; then ok; else
		fail "$cnl_live record lines delivered live, want 0; the first:"
		grep -E "$REC_LINE" "$tmp/$1.rec" | grep -F ' history=0 ' | head -n 3 | sed 's/^/  /'
	fi
}

killed_in_history run1 1000
"$FH" append -d 0 "$stream" "$path" "$off"
killed_in_history run2 2000
host_start run3 -o "host.state_dir=$tmp/state" tail --linger 0.5 "$path"
bg_wait run3 60
what="tail --linger 0.5 after two kills in the history read [run3]"
check_rc 0
check_stdout_empty
check_stderr_empty
check_no_early_live run3
what="tail --linger 0.5 after two kills in the history read [run3]"
check_frame "run 3" "$tmp/run3.rec" "$MODE_TAIL"
check_stream "run 3: history up to record $K0, then live" "$tmp/run3.rec" "$path" g "$K0" cursor
check_ends_closed "run 3" "$tmp/run3.rec" "$path"

finish
