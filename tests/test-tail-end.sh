#!/bin/sh
# When `tail` ends (cli-and-config.md "tail", "The task is over", "Signals",
# "Exit status"; handler-abi.md `tick`, `reopen`; checkpoint-format.md torn
# records), the cases run side by side:
# - linger: the task is over once its latest task status is terminal and
#   nothing was appended for `linger` seconds: then on_stream_close, fini,
#   exit 0 by itself.  A record appended after the terminal status (real
#   runners do) is delivered live and starts the wait again (`--linger 3`:
#   the exit comes at least 3 s after that append); `-o host.linger=0.5`
#   works as `--linger 0.5`;
# - a task that is not over (status ACTIVE) does not end with `--linger 0.3`
#   (still running after 2.5 s); SIGINT then: exit 0, on_stream_close, fini;
# - `--forever` on a task that is over does not end (after 2.5 s); tick
#   about once a second meanwhile; SIGHUP: every plugin's reopen; SIGTERM:
#   exit 0, on_stream_close then fini;
# - a torn record at the end (a body cut, a length prefix cut) is waited
#   for: after `linger` seconds one warning, exactly
#   `thermos-dispatch: warning: PATH: record N at byte B: truncated record
#   body (K of N bytes) for S seconds` (`header (K of 4 bytes)`), once even
#   when it stays torn for twice as long; the rest appended, the record is
#   delivered live, whole; SIGTERM: exit 0, that warning the only line on
#   stderr.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"

# prefix STREAM K PATH: the first K records of STREAM in PATH; the byte count
# in $poff.
prefix() {
	poff=$("$FH" offset "$1" "$2")
	head -c "$poff" "$1" >"$3"
}

# --- the streams and what they must give ---------------------------------
# linger: sleep60's records 0..6 end with the task status KILLED; record 7
# (the process KILLED) is appended after the history.
expect_of linger "$AUR/sleep60/runner" "$tmp/linger.ckpt" ""
prefix "$AUR/sleep60/runner" 7 "$tmp/linger.ckpt"
linger_off=$poff

# linger from the configuration, a task over at start.
expect_of cfglinger "$AUR/hello_world/runner" "$tmp/cfglinger.ckpt" ""
n_cfglinger=$nrec
cp "$AUR/hello_world/runner" "$tmp/cfglinger.ckpt"

# not over: sleep60-lost ends with the process RUNNING, the task ACTIVE.
expect_of active "$AUR/sleep60-lost/runner" "$tmp/active.ckpt" ""
n_active=$nrec
cp "$AUR/sleep60-lost/runner" "$tmp/active.ckpt"

# --forever on a task that is over.
expect_of forever "$AUR/ports/runner" "$tmp/forever.ckpt" ""
n_forever=$nrec
cp "$AUR/ports/runner" "$tmp/forever.ckpt"

# torn: failure's records 0..9 and a part of record 10 (the task ACTIVE).
expect_of tornbody "$AUR/failure/runner" "$tmp/tornbody.ckpt" ""
n_torn=$nrec
off10=$("$FH" offset "$AUR/failure/runner" 10)
head -c $((off10 + 4 + 16)) "$AUR/failure/runner" >"$tmp/tornbody.ckpt"
reason_body=$(torn_reason "$tmp/tornbody.ckpt" "$off10")
expect_of tornhdr "$AUR/failure/runner" "$tmp/tornhdr.ckpt" ""
head -c $((off10 + 2)) "$AUR/failure/runner" >"$tmp/tornhdr.ckpt"
reason_hdr=$(torn_reason "$tmp/tornhdr.ckpt" "$off10")

# --- start every case --------------------------------------------------------
now_ms
t_cfglinger=$NOW
host_start cfglinger -o host.linger=0.5 tail "$tmp/cfglinger.ckpt"
what_cfglinger=$what
host_start active tail --linger 0.3 "$tmp/active.ckpt"
what_active=$what
host_start forever tail --forever --linger 0.2 "$tmp/forever.ckpt"
what_forever=$what
now_ms
t_forever=$NOW
host_start tornbody tail --forever --linger 1 "$tmp/tornbody.ckpt"
what_tornbody=$what
host_start tornhdr tail --forever --linger 1 "$tmp/tornhdr.ckpt"
what_tornhdr=$what
host_start linger tail --linger 3 "$tmp/linger.ckpt"
what_linger=$what

# --- linger: an append after the terminal status --------------------------
what=$what_linger
if wait_rec "$tmp/linger.rec" "$(exp_count linger 7)" 10; then
	ok
else
	fail "the 7 records present at start not dispatched within 10 s"
fi
now_ms
t_append=$NOW
"$FH" append -d 0 "$AUR/sleep60/runner" "$tmp/linger.ckpt" "$linger_off"
if bg_wait linger 15; then
	now_ms
	elapsed=$((NOW - t_append))
	if [ "$elapsed" -ge 2950 ]; then ok; else
		fail "exited ${elapsed} ms after the last append, before --linger 3"
	fi
fi
what=$what_linger
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame linger "$tmp/linger.rec" "$MODE_TAIL"
check_stream linger "$tmp/linger.rec" "$tmp/linger.ckpt" linger 7
check_ends_closed linger "$tmp/linger.rec" "$tmp/linger.ckpt"

# --- linger from [host] ------------------------------------------------------
if bg_wait cfglinger 10; then
	now_ms
	elapsed=$((NOW - t_cfglinger))
	what=$what_cfglinger
	if [ "$elapsed" -ge 450 ]; then ok; else
		fail "exited ${elapsed} ms after it started, before linger = 0.5"
	fi
fi
what=$what_cfglinger
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame cfglinger "$tmp/cfglinger.rec" "$MODE_TAIL"
check_stream cfglinger "$tmp/cfglinger.rec" "$tmp/cfglinger.ckpt" cfglinger "$n_cfglinger"
check_ends_closed cfglinger "$tmp/cfglinger.rec" "$tmp/cfglinger.ckpt"

# --- not over, --forever: still running 2.5 s on, a tick meanwhile ----------
sleep_until $((t_forever + 2500))
what=$what_active
if bg_done active; then
	fail "a task not over (ACTIVE): ended by itself with --linger 0.3 (exit $(cat "$BG/active.rc"))"
else
	ok
fi
what=$what_forever
if bg_done forever; then
	fail "--forever: ended by itself (exit $(cat "$BG/forever.rc"))"
else
	ok
fi
ticks=$(grep -c -x 'rec tick now=ok' "$tmp/forever.rec")
if [ "$ticks" -ge 1 ]; then ok; else
	fail "--forever: no tick in 2.5 s"
fi

what=$what_active
host_stop active INT
what=$what_active
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame active "$tmp/active.rec" "$MODE_TAIL"
check_stream active "$tmp/active.rec" "$tmp/active.ckpt" active "$n_active"
check_ends_closed active "$tmp/active.rec" "$tmp/active.ckpt"

bg_kill HUP forever
what=$what_forever
if wait_grep "$tmp/forever.rec" 5 'rec reopen'; then ok; else
	fail "SIGHUP: no reopen within 5 s"
fi
host_stop forever TERM
what=$what_forever
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame forever "$tmp/forever.rec" "$MODE_TAIL"
check_stream forever "$tmp/forever.rec" "$tmp/forever.ckpt" forever "$n_forever"
check_ends_closed forever "$tmp/forever.rec" "$tmp/forever.ckpt"
if [ "$(grep -c -x 'rec reopen' "$tmp/forever.rec")" = 1 ]; then ok; else
	fail "want one reopen line for one SIGHUP"
fi

# --- torn records ------------------------------------------------------------
# The warning within 5 s of a record torn for --linger 1, still one 2 s later
# (twice linger); then the rest appended, every record delivered, SIGTERM.
torn_warning() {
	what=$(eval "echo \"\$what_$1\"")
	tc_line="thermos-dispatch: warning: $tmp/$1.ckpt: record 10 at byte $off10: $2 for 1 seconds"
	eval "line_$1=\$tc_line"
	if wait_grep "$BG/$1.err" 5 "$tc_line"; then ok; else
		fail "no warning within 5 s of a record torn for --linger 1"
		show_file stderr "$BG/$1.err"
	fi
	if [ "$(rec_count "$tmp/$1.rec")" = "$(exp_count "$1" 10)" ]; then ok; else
		fail "want the 10 whole records dispatched, nothing of the torn one"
		show_file recorder "$tmp/$1.rec"
	fi
}
torn_rest() {
	what=$(eval "echo \"\$what_$1\"")
	tc_size=$(file_size "$tmp/$1.ckpt")
	"$FH" append -d 0 "$AUR/failure/runner" "$tmp/$1.ckpt" "$tc_size"
	if wait_rec "$tmp/$1.rec" "$(exp_count "$1" "$n_torn")" 10; then ok; else
		fail "not every record dispatched within 10 s once the torn one was whole"
	fi
	host_stop "$1" TERM
	what=$(eval "echo \"\$what_$1\"")
	check_rc 0
	check_stdout_empty
	eval "check_stderr \"\$line_$1\""
	check_frame "$1" "$tmp/$1.rec" "$MODE_TAIL"
	check_stream "$1" "$tmp/$1.rec" "$tmp/$1.ckpt" "$1" 10
}
torn_warning tornbody "$reason_body"
torn_warning tornhdr "$reason_hdr"
sleep 2
torn_rest tornbody
torn_rest tornhdr

finish
