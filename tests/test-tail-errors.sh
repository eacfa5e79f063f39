#!/bin/sh
# How `tail` fails (cli-and-config.md "tail", "Exit status"; dispatch-
# semantics.md "Errors"), the followed cases side by side:
# - the file shrinks below what was read (truncate(2)): exactly
#   `thermos-dispatch: PATH: file shrank to N bytes, below the M already
#   read`, exit 65, on_stream_close then fini;
# - the path now names another file (mv OTHER PATH): exactly
#   `thermos-dispatch: PATH: replaced by another file`, exit 65,
#   on_stream_close then fini;
# - the file is deleted: the task is over: only the warning
#   `thermos-dispatch: warning: PATH: removed while followed`,
#   on_stream_close then fini, exit 0;
# - a bad record appended while followed, and one already there at start:
#   the error line as `state` (and replay) print it, on_stream_error with its
#   reason, on_stream_close, fini, exit 65; the records before it delivered
#   (history what was there at start, live the appended ones);
# and at start:
# - `tail -`: exactly `thermos-dispatch: tail: FILE cannot be standard input
#   (see 'thermos-dispatch tail --help')`, exit 64; no FILE or two FILEs: a
#   usage error (exit 64, one line);
# - a missing file, a directory, an unreadable file: `thermos-dispatch:
#   PATH: REASON`, exit 66.
# Nothing on stdout anywhere.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"

# --- start the followed cases ---------------------------------------------
F=$AUR/failure/runner
size_f=$(file_size "$F")
for c in shrink replace removed; do
	expect_of "$c" "$F" "$tmp/$c.ckpt" ""
	cp "$F" "$tmp/$c.ckpt"
	host_start "$c" tail --forever "$tmp/$c.ckpt"
	eval "what_$c=\$what"
done
n_f=$nrec

# A bad record appended: broken-bad_transition-0's records before the error
# at start, the rest appended.  And broken-missing_field-1 whole at start.
BT=$GEN/broken-bad_transition-0
cp "$BT.ckpt" "$tmp/badlive.ckpt"
error_line "$tmp/badlive.ckpt"
badlive_line=$errline
badlive_rec=$(error_field "$BT.error.json" record)
expect_of badlive "$BT.ckpt" "$tmp/badlive.ckpt" "" "$errjson" "$BT.events.jsonl"
badlive_off=$(error_field "$BT.error.json" offset)
head -c "$badlive_off" "$BT.ckpt" >"$tmp/badlive.ckpt"
host_start badlive tail --forever "$tmp/badlive.ckpt"
what_badlive=$what

MF=$GEN/broken-missing_field-1
cp "$MF.ckpt" "$tmp/badstart.ckpt"
error_line "$tmp/badstart.ckpt"
badstart_line=$errline
expect_of badstart "$MF.ckpt" "$tmp/badstart.ckpt" "" "$errjson" "$MF.events.jsonl"
host_start badstart tail --forever "$tmp/badstart.ckpt"
what_badstart=$what

# --- at start ------------------------------------------------------------------
run_fg dash 10 tail -
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: tail: FILE cannot be standard input (see 'thermos-dispatch tail --help')"

run_fg nofile 10 tail
check_rc 64
check_stdout_empty
check_stderr_prefix "thermos-dispatch: "

run_fg twofiles 10 tail "$F" "$F"
check_rc 64
check_stdout_empty
check_stderr_prefix "thermos-dispatch: "

run_fg missing 10 -c "$ini" -o "rec.out=$tmp/missing.rec" tail "$tmp/missing.ckpt"
check_rc 66
check_stdout_empty
check_stderr "thermos-dispatch: $tmp/missing.ckpt: No such file or directory"

mkdir "$tmp/dir"
run_fg dir 10 -c "$ini" -o "rec.out=$tmp/dir.rec" tail "$tmp/dir"
check_rc 66
check_stdout_empty
check_stderr "thermos-dispatch: $tmp/dir: Is a directory"

# Unreadable: as root (permissions do not apply) through setpriv as uid
# 65534, with a configuration of no plugin it can read; skipped without.
as_user=
if [ "$(id -u)" != 0 ]; then
	as_user=env
elif command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TD" --version >/dev/null 2>&1; then
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
if [ -n "$as_user" ]; then
	chmod 755 "$tmp"
	mkdir "$tmp/pub"
	chmod 755 "$tmp/pub"
	printf '[host]\nplugin_dir = %s\n' "$PLUG" >"$tmp/pub/none.ini"
	chmod 644 "$tmp/pub/none.ini"
	cp "$F" "$tmp/pub/secret.ckpt"
	chmod 000 "$tmp/pub/secret.ckpt"
	what="thermos-dispatch tail PATH (unreadable)"
	bg_start unreadable $as_user "$TD" -c "$tmp/pub/none.ini" tail "$tmp/pub/secret.ckpt"
	bg_wait unreadable 10
	check_rc 66
	check_stdout_empty
	check_stderr "thermos-dispatch: $tmp/pub/secret.ckpt: Permission denied"
else
	echo "unreadable file: not tested (root without setpriv)"
fi

# --- the followed cases ------------------------------------------------------
# ready NAME K: waits for the first K records of NAME.
ready() {
	what=$(eval "echo \"\$what_$1\"")
	if wait_rec "$tmp/$1.rec" "$(exp_count "$1" "$2")" 10; then ok; else
		fail "the $2 records present at start were not dispatched within 10 s"
	fi
}
# ended NAME RC [STDERR_LINE]: NAME ends (10 s) with RC and STDERR_LINE.
ended() {
	bg_wait "$1" 10
	what=$(eval "echo \"\$what_$1\"")
	check_rc "$2"
	check_stdout_empty
	if [ $# -ge 3 ]; then check_stderr "$3"; else check_stderr_empty; fi
	check_frame "$1" "$tmp/$1.rec" "$MODE_TAIL"
	check_ends_closed "$1" "$tmp/$1.rec" "$tmp/$1.ckpt"
}

ready shrink "$n_f"
"$FH" truncate "$tmp/shrink.ckpt" 200
ended shrink 65 "thermos-dispatch: $tmp/shrink.ckpt: file shrank to 200 bytes, below the $size_f already read"
# The records all delivered, once (an error line, if any, aside).
newfile
grep -v ' on_stream_error ' "$tmp/shrink.rec" >"$nf"
check_stream shrink "$nf" "$tmp/shrink.ckpt" shrink "$n_f"

ready replace "$n_f"
cp "$AUR/ports/runner" "$tmp/other.ckpt"
mv "$tmp/other.ckpt" "$tmp/replace.ckpt"
ended replace 65 "thermos-dispatch: $tmp/replace.ckpt: replaced by another file"
newfile
grep -v ' on_stream_error ' "$tmp/replace.rec" >"$nf"
check_stream replace "$nf" "$tmp/replace.ckpt" replace "$n_f"

ready removed "$n_f"
rm "$tmp/removed.ckpt"
ended removed 0 "thermos-dispatch: warning: $tmp/removed.ckpt: removed while followed"
check_stream removed "$tmp/removed.rec" "$tmp/removed.ckpt" removed "$n_f"

ready badlive "$badlive_rec"
"$FH" append -d 1 "$BT.ckpt" "$tmp/badlive.ckpt" "$badlive_off"
ended badlive 65 "$badlive_line"
check_stream badlive "$tmp/badlive.rec" "$tmp/badlive.ckpt" badlive "$badlive_rec"

ended badstart 65 "$badstart_line"
check_stream badstart "$tmp/badstart.rec" "$tmp/badstart.ckpt" badstart 1000000

finish
