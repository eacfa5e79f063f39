#!/bin/sh
# `tail` while a writer appends (cli-and-config.md "tail"; checkpoint-format.md
# "A torn record ... tail and watch: the normal case; wait for the rest, never
# dispatch half a record, never skip one"; handler-abi.md `history`).
#
# For each stream, the file first holds the stream's first K records; `tail
# --forever` starts on it; once those K are dispatched, follow-helper appends
# the rest in writes of random sizes (a few bytes, half a length prefix, half
# a body, whole records, many records at once) with random short pauses.
# When the last record has been dispatched, SIGTERM.  The recorder's lines
# must then be exactly those expected from the stream's dump: every record
# once, in order, whole (all its callbacks, universal then specific, with the
# state digest after it), the first K with history=1 and the appended ones
# with history=0; on_stream_open first, on_stream_close last, init (mode
# tail) before and fini after; exit 0, nothing on stdout or stderr.
# Streams: a real Aurora runner, a generated 2000-record stream under a
# .../checkpoints/<id>/runner path (task_id from the path), a generated
# conformance stream with control and non-ASCII bytes in its names (written
# with an fsync after each write).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"

# follow_case NAME STREAM PATH K PATHID WRITER_OPTION...: see above.
follow_case() {
	fc_name=$1
	fc_stream=$2
	fc_path=$3
	fc_k=$4
	fc_pathid=$5
	shift 5
	expect_of "$fc_name" "$fc_stream" "$fc_path" "$fc_pathid"
	fc_off=$("$FH" offset "$fc_stream" "$fc_k")
	mkdir -p "$(dirname "$fc_path")"
	head -c "$fc_off" "$fc_stream" >"$fc_path"
	fc_rec=$tmp/$fc_name.rec
	host_start "$fc_name" tail --forever "$fc_path"
	fc_what=$what
	if ! wait_rec "$fc_rec" "$(exp_count "$fc_name" "$fc_k")" 10; then
		fail "$fc_name: the $fc_k records present at start were not all dispatched within 10 s"
		show_file recorder "$fc_rec"
	fi
	bg_start "$fc_name-writer" "$FH" append "$@" "$fc_stream" "$fc_path" "$fc_off"
	bg_wait "$fc_name-writer" 60
	what="writer of $fc_name"
	check_rc 0
	what=$fc_what
	if ! wait_rec "$fc_rec" "$(exp_count "$fc_name" "$nrec")" 20; then
		fail "$fc_name: not every record dispatched within 20 s of the last write"
	fi
	host_stop "$fc_name"
	what=$fc_what
	check_rc 0
	check_stdout_empty
	check_stderr_empty
	check_frame "$fc_name" "$fc_rec" "$MODE_TAIL"
	check_stream "$fc_name" "$fc_rec" "$fc_path" "$fc_name" "$fc_k"
}

follow_case aurora "$AUR/failure/runner" "$tmp/a/failure.ckpt" 5 "" -s 3 -d 2

gen=$tmp/gen2000.ckpt
"$GEN_STREAM" -n 2000 -p 20 -s 5 "$gen" || exit 99
follow_case gen2000 "$gen" "$tmp/root/checkpoints/gen-task/runner" 300 gen-task -s 11 -d 2

follow_case names "$GEN/valid-13.ckpt" "$tmp/v/names.ckpt" 1 "" -s 17 -d 2 -f

finish
