#!/bin/sh
# `on_error = abort` and the cursor (cli-and-config.md "Cursors": "under
# abort, the failing record is not covered"; `on_error`: "abort (stop, fini
# everything, save no cursor past the failing record, exit 70)").
# Run 1: `tail --forever -o host.state_dir=DIR` on failure's first 5 records
# (history) with the recorder's on_process_running failing under abort; the
# rest appended: record 5 (p2 FORKED) goes through, record 6 (p2 RUNNING)
# fails in on_process_running: exit 70, the error line as replay prints it,
# nothing after record 6 but on_stream_close and fini (as in replay).
# Run 2, no failure, same DIR: records 0..5 history, record 6 and the rest
# live (record 6 again, its callbacks all), exit 0 on SIGTERM, nothing on
# stderr.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
F=$AUR/failure/runner
path=$tmp/abort.ckpt
mkdir "$tmp/state"
expect_of full "$F" "$path" ""
n=$nrec
off5=$("$FH" offset "$F" 5)
head -c "$off5" "$F" >"$path"

host_start run1 -o "host.state_dir=$tmp/state" -o rec.on_error=abort \
	-o rec.fail_on=on_process_running tail --forever "$path"
run1_what=$what
if wait_rec "$tmp/run1.rec" "$(exp_count full 5)" 10; then ok; else
	fail "the 5 records present at start not dispatched within 10 s"
fi
"$FH" append -d 0 "$F" "$path" "$off5"
bg_wait run1 10
what=$run1_what
check_rc 70
check_stdout_empty
check_stderr "thermos-dispatch: rec: on_process_running failed at $path record 6; aborting (on_error = abort)"
last=$(last_lines "$tmp/run1.rec" 3 | cut -d' ' -f1-3 | tr '\n' ,)
case $last in
"rec on_process_running record=6,rec on_stream_close "*",rec fini,") ok ;;
*)
	fail "want the last lines (ticks aside): record 6's on_process_running, on_stream_close, fini" \
		"got $last"
	;;
esac
if grep -E "$REC_LINE" "$tmp/run1.rec" | grep -q -v -E ' record=[0-6] '; then
	fail "callbacks for records after the failing one"
else
	ok
fi

host_start run2 -o "host.state_dir=$tmp/state" tail --forever "$path"
if wait_rec "$tmp/run2.rec" "$(exp_count full "$n")" 10; then ok; else
	fail "not every record dispatched within 10 s"
fi
host_stop run2 TERM
check_rc 0
check_stdout_empty
check_stderr_empty
check_frame "run 2" "$tmp/run2.rec" "$MODE_TAIL"
check_stream "run 2" "$tmp/run2.rec" "$path" full 6 cursor

finish
