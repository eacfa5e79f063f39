# Helpers of the tests of following live streams (tests/test-tail-*.sh,
# tests/test-watch-*.sh, tests/test-cursor-*.sh), sourced after
# tests/e2e-lib.sh and tests/plugins/plugin-lib.sh (the tests pin
# TMPDIR=/tmp first, as the plugin tests do).
#
# The host runs in the background (bg_start / host_start), through
# `follow-helper spawn`, which gives it default signal dispositions and
# writes its pid and, once it has ended, its exit status to files: every
# wait polls a file with short sleeps and gives up after a timeout, so a
# host that hangs fails the test instead of hanging it.  Whatever is still
# running when the test ends is killed.
#
# What the host dispatched is read from the recorder test plugin's file
# (tests/plugins/recorder.c, one line per callback) and compared with the
# lines expected from the stream's `dump` (plugin-lib.sh's JQ_EXPECT: the
# callbacks, the event fields and the state digests of every record), with
# `history` = 1 for the records that must be history.

: "${TD_TOOLS:=$top_builddir/tests/tools}"
: "${TD_LOGGER_LIBS:=$top_builddir/plugins/logger/.libs}"
FH=$TD_TOOLS/follow-helper
GEN_STREAM=$TD_TOOLS/gen-stream
for fl_tool in "$FH" "$GEN_STREAM"; do
	if [ ! -x "$fl_tool" ]; then
		printf '%s: ERROR: test tool not built: %s\n' "$test_name" "$fl_tool"
		exit 99
	fi
done
if [ ! -f "$TD_LOGGER_LIBS/logger.so" ]; then
	printf '%s: ERROR: plugin not built: %s/logger.so\n' "$test_name" "$TD_LOGGER_LIBS"
	exit 99
fi
cp "$TD_LOGGER_LIBS/logger.so" "$PLUG/" && chmod 644 "$PLUG/logger.so" || exit 99

# The hosts' modes, as the recorder's init line shows them (handler.h).
MODE_TAIL=2
MODE_WATCH=3

# Timeouts are multiplied by TD_TIME_SCALE (an integer, default 1) on slow
# machines (valgrind, sanitizers).
: "${TD_TIME_SCALE:=1}"

# --- background processes ---------------------------------------------------
BG=$tmp/bg
mkdir "$BG" || exit 99

fl_cleanup() {
	for fl_p in "$BG"/*.pid; do
		[ -f "$fl_p" ] || continue
		[ -f "${fl_p%.pid}.rc" ] && continue
		kill -9 "$(cat "$fl_p")" 2>/dev/null
	done
	wait
}
trap 'fl_cleanup; chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# now_ms: a monotonic clock in milliseconds, in $NOW.
now_ms() {
	NOW=$("$FH" now)
}

# sleep_until T: sleeps until now_ms says T (if not past already).
sleep_until() {
	now_ms
	su_ms=$(($1 - NOW))
	[ "$su_ms" -gt 0 ] || return 0
	sleep "$((su_ms / 1000)).$(printf '%03d' $((su_ms % 1000)))"
}

# wait_until SECONDS CMD [ARG]...: true as soon as CMD succeeds (tried every
# 50 ms), false once SECONDS (an integer, times TD_TIME_SCALE) have passed.
wait_until() {
	wu_left=$(($1 * TD_TIME_SCALE * 20))
	shift
	while :; do
		"$@" && return 0
		[ "$wu_left" -gt 0 ] || return 1
		wu_left=$((wu_left - 1))
		sleep 0.05
	done
}

# bg_start NAME CMD [ARG]...: runs CMD in the background, stdin from
# /dev/null, stdout in $BG/NAME.out, stderr in $BG/NAME.err; returns once
# its pid is known ($BG/NAME.pid).
bg_start() {
	bs_name=$1
	shift
	rm -f "$BG/$bs_name.pid" "$BG/$bs_name.rc"
	"$FH" spawn "$BG/$bs_name.pid" "$BG/$bs_name.rc" "$@" \
		</dev/null >"$BG/$bs_name.out" 2>"$BG/$bs_name.err" &
	if ! wait_until 10 test -f "$BG/$bs_name.pid"; then
		printf '%s: ERROR: could not start %s\n' "$test_name" "$*"
		exit 99
	fi
}

# bg_done NAME: true once NAME has ended.
bg_done() {
	[ -f "$BG/$1.rc" ]
}

# bg_kill SIGNAL NAME: sends SIGNAL (a name: TERM, INT, HUP, KILL) to NAME.
bg_kill() {
	kill -s "$1" "$(cat "$BG/$2.pid")" 2>/dev/null
}

# bg_wait NAME SECONDS: waits for NAME to end; then $rc is its exit status
# (128 + N for signal N), $out and $err its output files.  After SECONDS it
# is killed (SIGKILL), $rc is "timeout" and bg_wait returns false.
bg_wait() {
	out=$BG/$1.out
	err=$BG/$1.err
	if wait_until "$2" bg_done "$1"; then
		rc=$(cat "$BG/$1.rc")
		return 0
	fi
	bg_kill KILL "$1"
	wait_until 10 bg_done "$1"
	rc=timeout
	return 1
}

# host_start NAME ARG...: starts `thermos-dispatch -c $ini -o
# rec.out=$tmp/NAME.rec ARG...` in the background as NAME (the recorder
# instance is `rec`, its file $tmp/NAME.rec), and returns once the host is
# ready, that is once the recorder's init line is written (the host
# handles signals from before the plugins' init), or once the host has
# ended, or after 10 s: a signal sent next reaches a host that handles it,
# however slowly it starts (valgrind).
fl_ready() {
	bg_done "$1" || grep -q '^rec init ' "$tmp/$1.rec"
}
host_start() {
	hs_name=$1
	shift
	: >"$tmp/$hs_name.rec"
	what="thermos-dispatch $* [$hs_name]"
	bg_start "$hs_name" "$TD" -c "$ini" -o "rec.out=$tmp/$hs_name.rec" "$@"
	wait_until 10 fl_ready "$hs_name" || :
}

# host_stop NAME [SIGNAL]: sends SIGNAL (default TERM) and waits (10 s) for
# the end: $rc, $out, $err as bg_wait.
host_stop() {
	bg_kill "${2:-TERM}" "$1"
	bg_wait "$1" 10
}

# run_fg NAME SECONDS ARG...: runs the binary with ARG... to its end (killed
# after SECONDS); $rc, $out, $err as bg_wait.
run_fg() {
	rf_name=$1
	rf_secs=$2
	shift 2
	what="thermos-dispatch $*"
	bg_start "$rf_name" "$TD" "$@"
	bg_wait "$rf_name" "$rf_secs"
}

# --- the recorder's lines ----------------------------------------------------
REC_LINE='^[^ ]+ on_(initialization|process_|task_)'

# rec_count FILE [SOURCE]: the number of record lines (on_initialization,
# on_process_*, on_task_*) in the recorder file FILE, of SOURCE only when
# given.
rec_count() {
	if [ -n "${2:-}" ]; then
		grep -F " source=$2 " "$1" | grep -c -E "$REC_LINE"
	else
		grep -c -E "$REC_LINE" "$1"
	fi
}

# wait_rec FILE N SECONDS [SOURCE]: waits until FILE has at least N record
# lines (of SOURCE).
fl_rec_ge() {
	[ "$(rec_count "$1" "${3:-}")" -ge "$2" ]
}
wait_rec() {
	wait_until "$3" fl_rec_ge "$1" "$2" "${4:-}"
}

# wait_grep FILE SECONDS FIXED_STRING...: waits until one line of FILE holds
# every FIXED_STRING.
fl_has() {
	fh_file=$1
	shift
	fh_pat=$1
	shift
	if [ $# -eq 0 ]; then
		grep -q -F -e "$fh_pat" "$fh_file"
	else
		grep -F -e "$fh_pat" "$fh_file" | fl_has - "$@"
	fi
}
wait_grep() {
	wg_file=$1
	wg_secs=$2
	shift 2
	wait_until "$wg_secs" fl_has "$wg_file" "$@"
}

# The event lines of a valid stream, from its dump (one event per record).
JQ_DUMP2EV='
if .header then {event: "initialization", record, header}
elif .task_status then {event: "task_transition", record, state: .task_status.state, task_status}
elif .process_status then {event: "process_transition", record, state: .process_status.state, process_status}
else error("record \(.record): empty union") end'

# expect_of NAME STREAM SRC PATHID [ERR EVENTS]: the recorder lines
# (instance `rec`) of STREAM dispatched in full as SRC, every record with
# history=0, in $tmp/NAME.exp; PATHID: the task id SRC's path gives ("" for
# the header's); ERR: "" or {record, offset, reason} where the stream stops
# with an error; EVENTS: the expected event lines (default: from the dump,
# one per record, for valid streams).  Sets $nrec, the number of records
# in STREAM.
expect_of() {
	dump_of "$2"
	nrec=$(wc -l <"$dumpf" | tr -d ' ')
	eo_ev=${6:-}
	if [ -z "$eo_ev" ]; then
		eo_ev=$dumpf.ev
		if ! "$JQ" -c "$JQ_DUMP2EV" "$dumpf" >"$eo_ev"; then
			printf '%s: ERROR: no events from the dump of %s\n' "$test_name" "$2"
			exit 99
		fi
	fi
	expect=$tmp/$1.exp
	: >"$expect"
	expect_stream "$eo_ev" "$dumpf" "$3" "$4" "${5:-}" rec
	expect_flush
}

# The normalized lines of one stream: the lines of SOURCE (all when empty),
# without init, tick, fini and reopen; `history` of on_stream_open, _error
# and _close masked (the spec does not give it), and the record and offset
# of on_stream_close (nor does it give those); with mode=cursor, also the
# record, offset and digest of on_stream_open (the resume position and its
# state, when a cursor is used).  With k >= 0, the record lines of records
# below k get history=1 (for expected lines, all history=0 before).
NORM_AWK='
$2 == "init" || $2 == "tick" || $2 == "fini" || $2 == "reopen" { next }
src != "" && index($0, " source=" src " ") == 0 { next }
{
	if ($2 == "on_stream_open") {
		sub(/ history=[0-9]+ /, " history=* ")
		if (mode == "cursor") {
			sub(/ record=[0-9]+ offset=[0-9]+ /, " record=* offset=* ")
			sub(/ hdr=.*$/, " hdr=*")
		}
	} else if ($2 == "on_stream_close") {
		sub(/ record=[^ ]+ offset=[^ ]+ history=[^ ]+ /, " record=* offset=* history=* ")
	} else if ($2 == "on_stream_error") {
		sub(/ history=[0-9]+ /, " history=* ")
	} else if (k >= 0) {
		r = $0
		sub(/^[^ ]+ [^ ]+ record=/, "", r)
		sub(/ .*$/, "", r)
		if (r + 0 < k)
			sub(/ history=0 /, " history=1 ")
	}
	print
}'

# norm FILE SRC [MODE]: FILE's lines of SRC, normalized (NORM_AWK), on
# stdout.
norm() {
	awk -v src="$2" -v mode="${3:-plain}" -v k=-1 "$NORM_AWK" "$1"
}

# want NAME K [MODE]: the expected lines $tmp/NAME.exp, records below K
# history, normalized, on stdout.
want() {
	awk -v src= -v mode="${3:-plain}" -v k="$2" "$NORM_AWK" "$tmp/$1.exp"
}

# exp_count NAME K: the number of expected record lines of the records
# below K.
exp_count() {
	awk -v k="$2" '
	$2 ~ /^on_(initialization|process_|task_)/ {
		r = $0; sub(/^[^ ]+ [^ ]+ record=/, "", r); sub(/ .*$/, "", r)
		if (r + 0 < k) n++
	}
	END { print n + 0 }' "$tmp/$1.exp"
}

# check_stream LABEL RECFILE SRC NAME K [MODE]: the lines RECFILE has of
# SRC are those expected of NAME, records below K as history.
check_stream() {
	newfile
	cs_want=$nf
	want "$4" "$5" "${6:-plain}" >"$cs_want"
	newfile
	cs_got=$nf
	norm "$2" "$3" "${6:-plain}" >"$cs_got"
	check_file_eq "$cs_want" "$cs_got" "$1: the callbacks of $3"
}

# check_frame LABEL RECFILE MODE: RECFILE begins with the recorder's init
# line for MODE, ends with its fini, and its ticks say now=ok.
check_frame() {
	cf_first=$(head -n 1 "$2")
	cf_last=$(tail -n 1 "$2")
	cf_want="rec init mode=$3 keys=out checks=ok"
	if [ "$cf_first" = "$cf_want" ] && [ "$cf_last" = "rec fini" ]; then
		ok
	else
		fail "$1: want the first line '$cf_want' and the last 'rec fini'," \
			"got '$cf_first' and '$cf_last'"
	fi
	if grep '^rec tick ' "$2" | grep -v -q -x 'rec tick now=ok'; then
		fail "$1: a tick line other than 'rec tick now=ok'"
		show_file recorder "$2"
	else
		ok
	fi
}

# last_lines FILE N: the last N lines of FILE other than ticks, on stdout.
last_lines() {
	grep -v '^rec tick ' "$1" | tail -n "$2"
}

# check_ends_closed LABEL RECFILE SRC: the last two lines (ticks aside) are
# on_stream_close of SRC and fini.
check_ends_closed() {
	cec_l=$(last_lines "$2" 2)
	case $cec_l in
	"rec on_stream_close "*" source=$3 "*"
rec fini") ok ;;
	*)
		fail "$1: want on_stream_close of $3 then fini last, got:" "$cec_l"
		;;
	esac
}

# error_line STREAM: the error line `state` prints for STREAM (the stream
# error's `PATH: record N at byte B: REASON`, as replay's), in $errline, and
# its record, offset and reason as JSON in $errjson.
error_line() {
	errline=$("$TD" state "$1" 2>&1 >/dev/null)
	el_rest=${errline#"thermos-dispatch: $1: record "}
	el_rec=${el_rest%% *}
	el_rest=${el_rest#* at byte }
	el_off=${el_rest%%:*}
	el_reason=${el_rest#*: }
	errjson="{\"record\":$el_rec,\"offset\":$el_off,\"reason\":$(json_str "$el_reason")}"
}

# files_in DIR: the names in DIR, sorted, one a line.
files_in() {
	ls -A "$1" | LC_ALL=C sort
}

# --- cursor files ---------------------------------------------------------------
# A cursor file (host/follow/cursor.c) holds two 80-byte slots of native 64-bit
# words: magic, seq, dev, ino, hash_len and a reserved word, hash, offset,
# index, history, checksum.  The slot with the higher seq is the newer.

# cursor_slot FILE N: slot N's (0 or 1) "seq offset index history".
cursor_slot() {
	od -A n -t u8 -j $(($2 * 80)) -N 80 "$1" 2>/dev/null | tr -s ' \n' '  ' |
		awk '{ print $2, $7, $8, $9 }'
}

# cursor_newer FILE: 0 or 1, the newer slot of FILE.
cursor_newer() {
	cn_0=$(cursor_slot "$1" 0)
	cn_1=$(cursor_slot "$1" 1)
	if [ -n "$cn_1" ] && [ "${cn_1%% *}" -gt "${cn_0%% *}" ]; then
		echo 1
	else
		echo 0
	fi
}

# cursor_pos FILE: the newer slot's "offset index history".
cursor_pos() {
	cursor_slot "$1" "$(cursor_newer "$1")" | cut -d' ' -f2-
}

# flip_byte FILE OFFSET: the byte at OFFSET of FILE with its lowest bit
# flipped, in place.
flip_byte() {
	fb_b=$(od -A n -t u1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((fb_b ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
