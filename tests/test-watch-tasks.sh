#!/bin/sh
# `watch ROOT` (cli-and-config.md "watch", "The task is over", "Exit
# status"; handler-abi.md `task_id`, `history`, stream lifecycle), one run
# with `-o host.state_dir=DIR` (empty: the first run) and `-o
# host.linger=30` (no task ends by linger here) over a root holding, at
# start:
#   a  failure's first 8 records; later the rest is appended, then
#      ROOT/tasks/finished/a is created at once: on_stream_close after its
#      last record (the stream drained), before any signal;
#   b  hello_world, whole (terminal, but linger 30): history, open to the end;
#      its coordinator.echo file beside it is not followed (only runner is);
#   d  ordering's first 6 records, then 2 appended (live), then ROOT/
#      checkpoints/d removed: the warning `thermos-dispatch: warning: PATH:
#      task directory removed before the task was over` (PATH: the stream's,
#      as in every line about a stream),
#      on_stream_close, and its cursor deleted (one name fewer in DIR, none
#      new);
#   e  a corrupt stream (broken-bad_transition-0): the error line as `state`
#      prints it, on_stream_error, on_stream_close; the others go on;
# and created while it runs:
#   c  a generated stream written in random writes: every record live
#      (history=0 from record 0), task_id c from the path;
#   f  a corrupt stream (broken-missing_field-1) copied in: live, the error
#      line, on_stream_error, on_stream_close;
# then SIGTERM: exit 0 (the stream errors do not change it), nothing on
# stdout, stderr exactly the two error lines and the warning (any order);
# each stream's recorder lines exactly as expected from its dump, task_id
# from the path; init (mode watch) first, fini last.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"

ROOT=$tmp/root
CK=$ROOT/checkpoints
mkdir -p "$CK/a" "$CK/b" "$CK/d" "$CK/e" "$ROOT/tasks/active" "$ROOT/tasks/finished" "$tmp/state"
rec=$tmp/w.rec

# The streams and what each must give.
expect_of a "$AUR/failure/runner" "$CK/a/runner" a
n_a=$nrec
off_a=$("$FH" offset "$AUR/failure/runner" 8)
head -c "$off_a" "$AUR/failure/runner" >"$CK/a/runner"

expect_of b "$AUR/hello_world/runner" "$CK/b/runner" b
n_b=$nrec
cp "$AUR/hello_world/runner" "$CK/b/runner"
cp "$AUR/hello_world/coordinator.echo" "$CK/b/coordinator.echo"

# d: ordering's first 8 records (the task ACTIVE), 6 at start.
head -c "$("$FH" offset "$AUR/ordering/runner" 8)" "$AUR/ordering/runner" >"$tmp/d8.ckpt"
expect_of d "$tmp/d8.ckpt" "$CK/d/runner" d
n_d=$nrec
off_d=$("$FH" offset "$tmp/d8.ckpt" 6)
head -c "$off_d" "$tmp/d8.ckpt" >"$CK/d/runner"

BT=$GEN/broken-bad_transition-0
cp "$BT.ckpt" "$CK/e/runner"
error_line "$CK/e/runner"
line_e=$errline
expect_of e "$BT.ckpt" "$CK/e/runner" e "$errjson" "$BT.events.jsonl"

MF=$GEN/broken-missing_field-1
mkdir "$tmp/f"
cp "$MF.ckpt" "$tmp/f/runner"
error_line "$tmp/f/runner"
reason_f=${errline#"thermos-dispatch: $tmp/f/runner: "}
line_f="thermos-dispatch: $CK/f/runner: $reason_f"
el_rest=${reason_f#record }
errjson_f="{\"record\":${el_rest%% *},\"offset\":$(error_field "$MF.error.json" offset),\"reason\":$(json_str "${reason_f#*: }")}"
expect_of f "$MF.ckpt" "$CK/f/runner" f "$errjson_f" "$MF.events.jsonl"

C=$GEN/valid-06.ckpt
expect_of c "$C" "$CK/c/runner" c
n_c=$nrec

host_start w -o "host.state_dir=$tmp/state" -o host.linger=30 watch "$ROOT"
w_what=$what
what=$w_what
for t in a:8 b:$n_b d:6; do
	if wait_rec "$rec" "$(exp_count "${t%:*}" "${t#*:}")" 10 "$CK/${t%:*}/runner"; then ok; else
		fail "task ${t%:*}: the ${t#*:} records present at start not dispatched within 10 s"
	fi
done
if wait_grep "$rec" 10 "rec on_stream_close " " source=$CK/e/runner "; then ok; else
	fail "task e (corrupt): not closed within 10 s"
fi

# New tasks: c written in random writes, f copied in whole.
mkdir "$CK/c"
bg_start writer-c "$FH" append -s 9 -d 2 "$C" "$CK/c/runner" 0
mkdir "$CK/f"
cp "$MF.ckpt" "$CK/f/runner"

# a: the rest, then finished.
"$FH" append -s 4 -d 1 "$AUR/failure/runner" "$CK/a/runner" "$off_a"
: >"$ROOT/tasks/finished/a"
what=$w_what
if wait_grep "$rec" 10 "rec on_stream_close " " source=$CK/a/runner "; then ok; else
	fail "task a: not closed within 10 s of tasks/finished/a"
fi

bg_wait writer-c 30
what="the writer of task c"
check_rc 0
what=$w_what
if wait_rec "$rec" "$(exp_count c "$n_c")" 10 "$CK/c/runner"; then ok; else
	fail "task c (new): not every record dispatched within 10 s"
fi
if wait_grep "$rec" 10 "rec on_stream_close " " source=$CK/f/runner "; then ok; else
	fail "task f (new, corrupt): not closed within 10 s"
fi

# d: two records live, then its directory removed.
"$FH" append -d 0 "$tmp/d8.ckpt" "$CK/d/runner" "$off_d"
if wait_rec "$rec" "$(exp_count d "$n_d")" 10 "$CK/d/runner"; then ok; else
	fail "task d: the appended records not dispatched within 10 s"
fi
sleep 0.2
files_in "$tmp/state" >"$tmp/state.before"
rm -r "$CK/d"
if wait_grep "$rec" 10 "rec on_stream_close " " source=$CK/d/runner "; then ok; else
	fail "task d: not closed within 10 s of its directory's removal"
fi
# d's cursor gone (waited for: it may go just after on_stream_close).
cursor_gone() {
	files_in "$tmp/state" >"$tmp/state.after"
	gone=$(comm -23 "$tmp/state.before" "$tmp/state.after" | wc -l | tr -d ' ')
	new=$(comm -13 "$tmp/state.before" "$tmp/state.after" | wc -l | tr -d ' ')
	[ "$gone" = 1 ] && [ "$new" = 0 ]
}
what="$w_what: the cursors in state_dir"
if wait_until 5 cursor_gone; then ok; else
	fail "want one name gone (d's cursor) and none new; $gone gone, $new new"
	sed 's/^/  before: /' "$tmp/state.before"
	sed 's/^/  after:  /' "$tmp/state.after"
fi

host_stop w TERM
what=$w_what
check_rc 0
check_stdout_empty
newfile
LC_ALL=C sort "$err" >"$nf"
got_err=$nf
newfile
printf '%s\n' "$line_e" "$line_f" \
	"thermos-dispatch: warning: $CK/d/runner: task directory removed before the task was over" |
	LC_ALL=C sort >"$nf"
check_file_eq "$nf" "$got_err" "stderr (sorted)"
check_frame watch "$rec" "$MODE_WATCH"

check_stream "task a" "$rec" "$CK/a/runner" a 8
check_stream "task b" "$rec" "$CK/b/runner" b "$n_b"
check_stream "task c" "$rec" "$CK/c/runner" c 0
check_stream "task d" "$rec" "$CK/d/runner" d 6
check_stream "task e" "$rec" "$CK/e/runner" e 1000000
check_stream "task f" "$rec" "$CK/f/runner" f 0
# Nothing of another path.
what="$w_what: the sources"
others=$(grep -E "$REC_LINE|on_stream_" "$rec" | sed 's/.* source=//; s/ .*//' | sort -u |
	grep -v -x -F -e "$CK/a/runner" -e "$CK/b/runner" -e "$CK/c/runner" \
		-e "$CK/d/runner" -e "$CK/e/runner" -e "$CK/f/runner")
if [ -z "$others" ]; then ok; else fail "callbacks for other sources:" "$others"; fi

finish
