#!/bin/sh
# Signals that arrive while the configuration is still being read (before
# any plugin is loaded): strace delivers the signal at the moment the host
# opens its configuration file, so the race is hit every time.
# - SIGHUP ("reopen your logs", sent by logrotate at any moment) does not
#   kill replay, tail or state: replay goes on and exits 0;
# - SIGTERM stops replay before the first stream: exit 143, nothing
#   dispatched;
# - commands that never look for signals between records (check) keep the
#   default action: the SIGHUP that arrived kills them (exit 129), as it
#   would have without the early handlers.
# Skipped (77) without strace, and under valgrind (the signal would reach
# valgrind's own start-up).
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

if ! command -v strace >/dev/null 2>&1; then
	echo "$test_name: SKIP: strace not found (Debian package strace)"
	exit 77
fi
if [ -n "$vg_dir" ]; then
	echo "$test_name: SKIP: not under valgrind"
	exit 77
fi

ini=$tmp/host.ini
printf '[host]\nplugin_dir = %s\n[plugin:logger]\nformat = json\n' \
	"$top_builddir/plugins/logger/.libs" >"$ini"
stream=$AUR/hello_world/runner

# same_events WANT GOT LABEL: GOT holds what the run without a signal
# printed (WANT).
same_events() {
	if cmp -s "$1" "$2"; then ok; else
		fail "$3: output differs from the run without a signal"
		show_diff "$1" "$2"
	fi
}

# td_sig SIGNAL ARGS...: the binary, SIGNAL delivered when it opens $ini.
td_sig() {
	ts_sig=$1
	shift
	what="thermos-dispatch $* (SIG$ts_sig when the configuration is opened)"
	newfile
	out=$nf.out
	err=$nf.err
	# LeakSanitizer cannot run under ptrace: leaks are checked elsewhere.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -qq -o /dev/null -P "$ini" -e trace=openat,open \
		-e "inject=openat,open:signal=SIG$ts_sig:when=1" \
		"$TD" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}

td -c "$ini" replay "$stream"
check_rc 0
plain_replay=$out
td -c "$ini" tail --linger 0 "$stream"
check_rc 0
plain_tail=$out

td_sig HUP -c "$ini" replay "$stream"
check_rc 0
check_stderr_empty
same_events "$plain_replay" "$out" "replay after an early SIGHUP"

td_sig HUP -c "$ini" tail --linger 0 "$stream"
check_rc 0
check_stderr_empty
same_events "$plain_tail" "$out" "tail after an early SIGHUP"

td_sig TERM -c "$ini" replay "$stream"
check_rc 143
check_stdout_empty
check_stderr_empty

td_sig HUP -c "$ini" check
check_rc 129

finish
