#!/bin/sh
# The isolation keys of a plugin section, checked like any other (each
# problem one line, exit 78), and an isolated instance refused at start
# exactly as the same instance in process is: the worker checks its
# options and runs its init, and says what is wrong in the host's words.
TMPDIR=/tmp
. "${top_srcdir:-.}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/crash-lib.sh"

ini bad "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder" \
	"out = $tmp/x.out" "callback_timeout = 0" "queue_records = 0" \
	"max_restarts = -1" "isolation = maybe" "user = no-such-user"
td -c "$tmp/bad.ini" check
what="bad isolation keys"
check_rc 78
check_stderr \
	"thermos-dispatch: $tmp/bad.ini:6: [plugin:rec] callback_timeout: expected a number of seconds from 0.1 to 2592000, not '0'" \
	"thermos-dispatch: $tmp/bad.ini:7: [plugin:rec] queue_records: expected an integer from 1 to 100000000, not '0'" \
	"thermos-dispatch: $tmp/bad.ini:8: [plugin:rec] max_restarts: expected an integer from 0 to 1000, not '-1'" \
	"thermos-dispatch: $tmp/bad.ini:9: [plugin:rec] isolation: expected one of none|process, not 'maybe'" \
	"thermos-dispatch: $tmp/bad.ini:10: [plugin:rec] user: no such user 'no-such-user'" \
	"thermos-dispatch: $tmp/bad.ini:10: [plugin:rec] user: only with isolation = process" \
	"thermos-dispatch: $tmp/bad.ini:6: [plugin:rec] callback_timeout: only with isolation = process" \
	"thermos-dispatch: $tmp/bad.ini:8: [plugin:rec] max_restarts: only with isolation = process" \
	"thermos-dispatch: $tmp/bad.ini:7: [plugin:rec] queue_records: only with isolation = process"

ini none "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder" \
	"out = $tmp/none.out" "user = root"
td -c "$tmp/none.ini" check
what="a worker's key without a worker"
check_rc 78
check_stderr "thermos-dispatch: $tmp/none.ini:6: [plugin:rec] user: only with isolation = process"

# The same broken instances, in process and isolated: the same lines.
broken() {
	ini "$1" "[host]" "plugin_dir = $PLUG" \
		"[plugin:rec]" "module = recorder" "isolation = $2" "bogus = 1" \
		"[plugin:r2]" "module = nosuch" "isolation = $2" \
		"[plugin:r3]" "module = recorder" "isolation = $2" "out = $tmp/y.out" "fail_init = yes"
}
broken inproc none
broken isolated process
for cmd in check "replay $AUR/hello_world/runner"; do
	td -c "$tmp/inproc.ini" $cmd
	want_rc=$rc
	sed "s|$tmp/inproc.ini|INI|" "$err" >"$tmp/want.err"
	td -c "$tmp/isolated.ini" $cmd
	what="$cmd: a broken instance, isolated"
	check_rc "$want_rc"
	sed "s|$tmp/isolated.ini|INI|" "$err" >"$tmp/got.err"
	check_file_eq "$tmp/want.err" "$tmp/got.err" "stderr"
done

# A worker dying in init: said by the host, the start refused.
ini initcrash "[host]" "plugin_dir = $PLUG" "[plugin:cr]" "module = crasher" \
	"callback = init" "isolation = process"
td -c "$tmp/initcrash.ini" replay "$AUR/hello_world/runner"
what="a worker that dies in init"
check_rc 78
check_stderr "thermos-dispatch: cr: worker killed by SIGSEGV in init"

# A good one: `check` starts its worker in check mode and says so.
ini good "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder" \
	"isolation = process" "out = $tmp/good.out"
td -c "$tmp/good.ini" check
what="check, an isolated instance"
check_rc 0
check_stdout "$tmp/good.ini: configuration ok, 1 plugin instance enabled"
check_text "$tmp/good.out" "recorder" "rec init mode=0 keys=out checks=ok" "rec fini"
finish
