#!/bin/sh
# A damaged cursor (thermos-dispatch(1) CURSORS: a cursor is two records,
# each with a checksum, written in turn; one damaged record is one warning
# and the other is used; no sound record is one warning and the stream is
# history up to its size; never "all live").
# Run 1 (each case with a DIR of its own): `tail --forever` on failure's
# first 5 records (history), records 5..7 appended (live: the cursor's two
# records say 7 and 8 records), SIGTERM.  While the host is stopped, the
# rest of the stream is appended and the cursor damaged:
#   flip  one byte of the newer record changed: `tail --forever` warns
#         `FILE: one cursor record damaged; resuming from the other` and
#         resumes from the older record: records 0..6 history, 7.. live
#         (record 7 a second time); then a third start: no warning, every
#         record history (the cursor was written whole again);
#   cut   the file cut to 40 bytes (a torn write): `tail --forever` warns
#         `FILE: damaged cursor; reading what the stream holds now as
#         history`, and every record it holds is history.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder"
F=$AUR/failure/runner
off5=$("$FH" offset "$F" 5)
off8=$("$FH" offset "$F" 8)
head -c "$off8" "$F" >"$tmp/f8.ckpt"

# first_run NAME: tail $tmp/NAME.ckpt (failure's first 5 records, then 3
# appended) with DIR $tmp/NAME.state, stopped; the rest of failure appended;
# the cursor's file in $cur.
first_run() {
	mkdir "$tmp/$1.state"
	head -c "$off5" "$F" >"$tmp/$1.ckpt"
	expect_of "$1-pre" "$tmp/f8.ckpt" "$tmp/$1.ckpt" ""
	host_start "$1-1" -o "host.state_dir=$tmp/$1.state" tail --forever "$tmp/$1.ckpt"
	fr_what=$what
	if wait_rec "$tmp/$1-1.rec" "$(exp_count "$1-pre" 5)" 10; then ok; else
		fail "5 records not dispatched within 10 s"
	fi
	"$FH" append -d 0 "$F" "$tmp/$1.ckpt" "$off5" "$off8"
	if wait_rec "$tmp/$1-1.rec" "$(exp_count "$1-pre" 8)" 10; then ok; else
		fail "8 records not dispatched within 10 s"
	fi
	host_stop "$1-1" TERM
	what=$fr_what
	check_rc 0
	check_stderr_empty
	check_stream "$1, run 1" "$tmp/$1-1.rec" "$tmp/$1.ckpt" "$1-pre" 5
	"$FH" append -d 0 "$F" "$tmp/$1.ckpt" "$off8"
	cur=
	for f in "$tmp/$1.state"/*.cursor; do cur=$f; done
	if [ -z "$cur" ]; then
		fail "no cursor in $tmp/$1.state"
		cur=$tmp/$1.state/none.cursor
		: >"$cur"
	fi
}

# later_run NAME RUN K WARNING: tail $tmp/NAME.ckpt again: stderr WARNING
# (none if empty), records below K history, the rest live.
later_run() {
	expect_of "$1" "$F" "$tmp/$1.ckpt" ""
	lr_n=$nrec
	host_start "$1-$2" -o "host.state_dir=$tmp/$1.state" tail --forever "$tmp/$1.ckpt"
	lr_what=$what
	if wait_rec "$tmp/$1-$2.rec" "$(exp_count "$1" "$lr_n")" 10; then ok; else
		fail "not every record dispatched within 10 s"
	fi
	host_stop "$1-$2" TERM
	what=$lr_what
	check_rc 0
	check_stdout_empty
	if [ -n "$4" ]; then check_stderr "$4"; else check_stderr_empty; fi
	check_frame "$1, run $2" "$tmp/$1-$2.rec" "$MODE_TAIL"
	check_stream "$1, run $2: history below record $3" "$tmp/$1-$2.rec" "$tmp/$1.ckpt" "$1" "$3" cursor
}

# flip: a byte of the newer record's offset changed.
first_run flip
what="flip: the cursor after run 1 (offset index history of the newer record)"
got=$(cursor_pos "$cur")
if [ "$got" = "$off8 8 $off5" ]; then ok; else
	fail "want '$off8 8 $off5', got '$got'"
fi
flip_byte "$cur" $(($(cursor_newer "$cur") * 80 + 48))
later_run flip 2 7 "thermos-dispatch: warning: $cur: one cursor record damaged; resuming from the other"
later_run flip 3 27 ""

# cut: the cursor cut inside its first record.
first_run cut
"$FH" truncate "$cur" 40
later_run cut 2 27 "thermos-dispatch: warning: $cur: damaged cursor; reading what the stream holds now as history"

finish
