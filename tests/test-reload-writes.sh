#!/bin/sh
# Live reload while a writer appends (issue: "No record is lost or
# delivered twice to an unchanged instance across any number of reloads").
#
# For `tail` and then `watch`, on a generated 2000-record stream that first
# holds 300 records: the host starts with two recorder instances, `rec`
# and `rec2`; a writer appends the rest in random pieces while the host is
# reloaded 50 times (SIGHUP, each time waiting for READY=1 on its
# NOTIFY_SOCKET), `rec2` removed from the configuration on every odd
# reload and added back on every even one.
# - `rec` (configured alike throughout) gets exactly the lines expected of
#   the whole stream (the first 300 records history), once each;
# - each incarnation of `rec2` gets on_stream_open, then the stream's
#   records from the first one in order, none missing, none twice, then
#   on_stream_close (when it is removed, or at the end);
# - its last incarnation (added by the 50th reload) gets exactly the lines
#   expected of the whole stream, the records read before it was added as
#   history, the later ones live;
# - stderr: one `info: reload:` line per reload saying what it did.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/reload-lib.sh"

RELOADS=50
K=300
gen=$tmp/gen2000.ckpt
"$GEN_STREAM" -n 2000 -p 20 -s 5 "$gen" || exit 99

# write_ini WITH_REC2 NAME: the configuration, into $ini.
write_ini() {
	if [ "$1" = yes ]; then
		ini cfg "[host]" "plugin_dir = $PLUG" "linger = 60" \
			"[plugin:rec]" "module = recorder" \
			"[plugin:rec2]" "module = recorder" "out = $tmp/$2.rec2"
	else
		ini cfg "[host]" "plugin_dir = $PLUG" "linger = 60" \
			"[plugin:rec]" "module = recorder"
	fi
}

# mask_history: every history flag as '*'.
mask_history() {
	sed -E 's/ history=[0-9*]+ / history=* /'
}

# reload_case NAME PATH PATHID COMMAND ARG...: see above.
reload_case() {
	rc_name=$1
	rc_path=$2
	rc_pathid=$3
	shift 3
	expect_of "$rc_name" "$gen" "$rc_path" "$rc_pathid"
	rc_off=$("$FH" offset "$gen" "$K")
	mkdir -p "$(dirname "$rc_path")"
	head -c "$rc_off" "$gen" >"$rc_path"
	write_ini yes "$rc_name"
	notified_start "$rc_name" "$@"
	rc_what=$what
	rc_rec=$tmp/$rc_name.rec
	if ! wait_rec "$rc_rec" "$(exp_count "$rc_name" "$K")" 10; then
		fail "$rc_name: the $K records present at start were not all dispatched within 10 s"
	fi
	bg_start "$rc_name-writer" "$FH" append -s 11 -d 40 "$gen" "$rc_path" "$rc_off"
	now_ms
	rc_t0=$NOW
	rc_i=1
	rc_failed=0
	: >"$tmp/$rc_name.err.exp"
	while [ "$rc_i" -le "$RELOADS" ]; do
		if [ $((rc_i % 2)) -eq 1 ]; then
			write_ini no "$rc_name"
			echo "thermos-dispatch: info: reload: 1 kept, 0 added, 0 changed, 1 removed, 0 not started" >>"$tmp/$rc_name.err.exp"
		else
			write_ini yes "$rc_name"
			echo "thermos-dispatch: info: reload: 1 kept, 1 added, 0 changed, 0 removed, 0 not started" >>"$tmp/$rc_name.err.exp"
		fi
		reload "$rc_name" || rc_failed=$((rc_failed + 1))
		rc_i=$((rc_i + 1))
	done
	if [ "$rc_failed" -eq 0 ]; then ok; else
		fail "$rc_name: $rc_failed of $RELOADS reloads without READY=1 within 10 s"
	fi
	now_ms
	rc_t1=$NOW
	bg_wait "$rc_name-writer" 60
	now_ms
	# Informative: the reloads fall among the writes.
	echo "$rc_name: $RELOADS reloads in $((rc_t1 - rc_t0)) ms; the writer ended after $((NOW - rc_t0)) ms"
	what="writer of $rc_name"
	check_rc 0
	what=$rc_what
	rc_all=$(exp_count "$rc_name" "$nrec")
	if ! wait_rec "$rc_rec" "$rc_all" 20; then
		fail "$rc_name: rec: not every record dispatched within 20 s of the last write"
	fi
	# rec2 comes right after rec in each record's callbacks, and a stop
	# waits for the record in hand: it has the last one too.
	host_stop "$rc_name"
	what=$rc_what
	check_rc 0
	check_stdout_empty
	check_file_eq "$tmp/$rc_name.err.exp" "$err" "stderr"

	# rec: every record once, in order, the first K history.
	check_stream "$rc_name: rec" "$rc_rec" "$rc_path" "$rc_name" "$K"

	# rec2: 1 + RELOADS/2 incarnations, each a whole prefix of the stream.
	incarnations "$tmp/$rc_name.rec2" rec2
	if [ "$ninc" -eq $((1 + RELOADS / 2)) ]; then ok; else
		fail "$rc_name: rec2: want $((1 + RELOADS / 2)) incarnations, got $ninc"
	fi
	newfile
	rc_full=$nf
	want "$rc_name" 0 | mask_history >"$rc_full"
	rc_j=1
	while [ "$rc_j" -lt "$ninc" ]; do
		rc_inc=$tmp/rec2.inc.$rc_j
		newfile
		norm "$rc_inc" "$rc_path" | mask_history >"$nf"
		rc_n=$(($(wc -l <"$nf") - 1))
		head -n "$rc_n" "$rc_full" >"$nf.want"
		head -n "$rc_n" "$nf" >"$nf.got"
		rc_last=$(tail -n 1 "$nf")
		case $rc_last in
		"rec on_stream_close "*" source=$rc_path "*)
			check_file_eq "$nf.want" "$nf.got" "$rc_name: rec2 incarnation $rc_j"
			;;
		*) fail "$rc_name: rec2 incarnation $rc_j does not end with on_stream_close: $rc_last" ;;
		esac
		rc_j=$((rc_j + 1))
	done
	rc_last_inc=$tmp/rec2.inc.$ninc
	rc_p=$(first_live "$rc_last_inc")
	if [ "$rc_p" -ge "$K" ] && [ "$rc_p" -le "$nrec" ]; then ok; else
		fail "$rc_name: rec2's last incarnation: its first live record is $rc_p, want $K..$nrec"
	fi
	check_stream "$rc_name: rec2's last incarnation" "$rc_last_inc" "$rc_path" "$rc_name" "$rc_p"
}

reload_case tail "$tmp/t/gen.ckpt" "" tail --forever "$tmp/t/gen.ckpt"
R=$tmp/root
reload_case watch "$R/checkpoints/gen-task/runner" gen-task watch "$R"

finish
