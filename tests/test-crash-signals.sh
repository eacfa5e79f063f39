#!/bin/sh
# A crash names its culprit (tests/plugins/crasher.c): the host writes one
# line naming the instance, the callback, the stream, the record and its
# byte, then dies of the same signal (exit status 128 + N as the shell
# says it), for each fatal signal:
# - replay, crasher in on_process_forked of record 3 of valid-00 (byte
#   264): SIGSEGV (a real fault), SIGBUS, SIGFPE, SIGILL, SIGABRT (raised),
#   and a stack overflow (SIGSEGV, reported from the alternate stack);
# - the recorder configured before the crasher got the callbacks up to the
#   crash, nothing after it;
# - in init and in fini (no stream), in on_stream_open (record 0, byte 0),
#   in tick (tail);
# - a plugin's own thread crashing while no callback runs: "outside any
#   plugin callback";
# - kill -SEGV from another process while the host is idle: "killed by
#   SIGSEGV from process PID outside any plugin callback";
# - a stream's name with a newline is escaped: the line stays one line.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/crash-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"


F=$tmp/valid-00.ckpt
cp "$GEN/valid-00.ckpt" "$F"
ini cfg "[host]" "plugin_dir = $PLUG" \
	"[plugin:rec]" "module = recorder" "out = $tmp/rec.out" \
	"[plugin:crasher]" "callback = on_process_forked" "at_record = 3"
cfg_ini=$ini

# crash NAME SIGNAL STATUS: replay with crasher.signal = NAME.
crash() {
	: >"$tmp/rec.out"
	run_fg "replay-$1" 20 -c "$cfg_ini" -o "crasher.signal=$1" replay "$F"
	what="replay, crasher.signal = $1"
	check_rc "$3"
	check_stdout_empty
	check_stderr "thermos-dispatch: crasher: crashed with $2 in on_process_forked at $F record 3 (byte 264)"
}
crash SEGV SIGSEGV 139
crash BUS SIGBUS 135
crash FPE SIGFPE 136
crash ILL SIGILL 132
crash ABRT SIGABRT 134
# Valgrind runs the program on stacks of its own: no overflow test there.
if [ -z "${TD_VALGRIND:-}" ]; then
	crash STACK SIGSEGV 139
fi

what="the recorder before the crasher (the last replay)"
last=$(grep -E "$REC_LINE" "$tmp/rec.out" | tail -n 1 | cut -d ' ' -f 2,3)
if [ "$last" = "on_process_forked record=3" ]; then ok; else
	fail "want its last record line on_process_forked record=3, got '$last'"
fi
if grep -q '^rec fini' "$tmp/rec.out"; then
	fail "the recorder's fini was called: the host did not die"
else
	ok
fi

# callback NAME STATUS LINE [ARG...]: the crasher alone, crasher.callback =
# NAME; the host run with ARG... (default: replay of $F).
callback() {
	cb_name=$1
	cb_rc=$2
	cb_line=$3
	shift 3
	[ $# -gt 0 ] || set -- replay "$F"
	ini one "[host]" "plugin_dir = $PLUG" "[plugin:crasher]" "callback = $cb_name"
	run_fg "cb-$cb_name" 20 -c "$ini" "$@"
	what="crasher.callback = $cb_name: thermos-dispatch $*"
	check_rc "$cb_rc"
	check_stdout_empty
	check_stderr "$cb_line"
}
callback init 139 "thermos-dispatch: crasher: crashed with SIGSEGV in init"
callback fini 139 "thermos-dispatch: crasher: crashed with SIGSEGV in fini"
callback on_stream_open 139 "thermos-dispatch: crasher: crashed with SIGSEGV in on_stream_open at $F record 0 (byte 0)"
callback tick 139 "thermos-dispatch: crasher: crashed with SIGSEGV in tick" tail --forever "$F"
callback thread 139 "thermos-dispatch: crashed with SIGSEGV outside any plugin callback" tail --forever "$F"

# kill -SEGV while the host waits for appends: no plugin to blame.  The
# abort_plugin has no callback but the three of a record, all of them
# dispatched within the 2 s waited.
ini idle "[host]" "plugin_dir = $PLUG" "[plugin:ab]" "module = abort_plugin" \
	"at_record = 1000000"
bg_start idle "$TD" -c "$ini" tail --forever "$F"
sleep "$((2 * TD_TIME_SCALE))"
bg_kill SEGV idle
bg_wait idle 20
what="kill -SEGV to an idle tail"
check_rc 139
check_stdout_empty
sed 's/ process [0-9][0-9]* / process PID /' "$err" >"$tmp/idle.err"
check_text "$tmp/idle.err" stderr "thermos-dispatch: killed by SIGSEGV from process PID outside any plugin callback"

# A stream whose name holds a newline: escaped, the line stays one line.
nl='
'
cp "$F" "$tmp/a${nl}b.ckpt"
run_fg newline 20 -c "$cfg_ini" replay "$tmp/a${nl}b.ckpt"
what="replay of a file named a<newline>b.ckpt"
check_rc 139
check_stderr "thermos-dispatch: crasher: crashed with SIGSEGV in on_process_forked at $tmp/a\\x0ab.ckpt record 3 (byte 264)"

finish
