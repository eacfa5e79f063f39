#!/bin/sh
# Plugin instances (cli-and-config.md "Configuration file", "Commands"):
# dispatch in section order; an empty [plugin:x] section is an instance;
# `enabled = no` is not loaded; two instances of one module have their own
# contexts and options; -o creates a section; the configuration comes from
# -c, else $THERMOS_DISPATCH_CONFIG; `check` inits and finis every enabled
# instance in THERMOS_MODE_CHECK and exits 0 when all is well; `plugins`
# and `plugins -v` list the modules (name, version, ABI, path, and with -v
# their options) and the instances, enabled or not; the host's log
# (host->log) and its log_level.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
rec=$tmp/rec

# calls FILE: the instance and callback of each line, comma-separated.
calls() {
	cut -d' ' -f1-2 "$1" | tr '\n' ','
}

# check_calls FILE WANT: calls FILE is WANT.
check_calls() {
	cc_got=$(calls "$1")
	if [ "$cc_got" = "$2" ]; then ok; else
		fail "want $2" "got  $cc_got"
	fi
}

# The callbacks of hello_world for one instance NAME, between its init and
# fini (a one-instance run).
one() {
	printf '%s' "$1 init,$1 on_stream_open,"
	for cb in on_task_transition on_task_active on_initialization; do
		printf '%s' "$1 $cb,"
	done
	for s in waiting forked running success; do
		printf '%s' "$1 on_process_transition,$1 on_process_$s,"
	done
	printf '%s' "$1 on_task_transition,$1 on_task_success,$1 on_stream_close,$1 tick,$1 fini,"
}

# Section order is dispatch order; an empty section at the end is an
# instance too (here configured by -o).
ini order "[host]" "plugin_dir = $PLUG" \
	"[plugin:b]" "module = recorder" "out = $rec" \
	"[plugin:a]" "module = recorder" "out = $rec" \
	"[plugin:recorder]"
: >"$rec"
td -c "$ini" -o "recorder.out=$rec" replay "$stream"
check_rc 0
check_stderr_empty
what="section order"
got=$(calls "$rec" | cut -d, -f1-6)
if [ "$got" = "b init,a init,recorder init,b on_stream_open,a on_stream_open,recorder on_stream_open" ]; then ok; else
	fail "want b, a, recorder in that order" "got $got"
fi
got=$(calls "$rec" | tr ',' '\n' | tail -n 3 | tr '\n' ',')
if [ "$got" = "recorder fini,a fini,b fini," ]; then ok; else
	fail "want fini in reverse: recorder, a, b" "got $got"
fi

# An empty section in the middle of the file (Debian's inih does not
# report it): an instance, with the module named after it; a key given
# for it with -o.
ini empty_middle "[host]" "plugin_dir = $PLUG" "[plugin:recorder]" "" \
	"[plugin:z]" "module = recorder" "out = $rec" "enabled = no"
: >"$rec"
td -c "$ini" -o "recorder.out=$rec" replay "$stream"
check_rc 0
check_stderr_empty
what="an empty section: recorder lines"
check_calls "$rec" "$(one recorder)"

# enabled = no: not loaded (here a module that does not exist), not
# called; every boolean spelling.
for v in no false off 0; do
	ini disabled "[host]" "plugin_dir = $PLUG" \
		"[plugin:ghost]" "module = nosuch" "enabled = $v" \
		"[plugin:z]" "module = recorder" "out = $rec" "enabled = $v" \
		"[plugin:a]" "module = recorder" "out = $rec"
	: >"$rec"
	td -c "$ini" replay "$stream"
	check_rc 0
	check_stderr_empty
	what="enabled = $v: recorder lines"
	check_calls "$rec" "$(one a)"
done
for v in yes true on 1; do
	ini enabled "[host]" "plugin_dir = $PLUG" \
		"[plugin:a]" "module = recorder" "out = $rec" "enabled = $v"
	: >"$rec"
	td -c "$ini" replay "$stream"
	check_rc 0
	what="enabled = $v: recorder lines"
	check_calls "$rec" "$(one a)"
done
# -o can disable a configured instance, and create one.
: >"$rec"
td -c "$ini" -o a.enabled=no -o "new.module=recorder" -o "new.out=$rec" replay "$stream"
check_rc 0
check_stderr_empty
what="-o a.enabled=no, -o new.module=recorder: recorder lines"
check_calls "$rec" "$(one new)"

# Two instances of one module: separate contexts, options and files.
r1=$tmp/r1
r2=$tmp/r2
ini separate "[host]" "plugin_dir = $PLUG" \
	"[plugin:one]" "module = recorder" "out = $r1" \
	"[plugin:two]" "module = recorder" "out = $r2" "fail_on = tick"
: >"$r1"
: >"$r2"
td -c "$ini" replay "$stream"
check_rc 70
check_stderr "thermos-dispatch: warning: two: tick failed" \
	"thermos-dispatch: two: 1 callback failed"
what="two instances: one's file"
check_calls "$r1" "$(one one)"
what="two instances: two's file"
check_calls "$r2" "$(one two)"
what="two instances: init lines"
if head -n 1 "$r1" | grep -qx 'one init mode=1 keys=out checks=ok' &&
	head -n 1 "$r2" | grep -qx 'two init mode=1 keys=out,fail_on checks=ok'; then ok; else
	fail "want each instance's own keys"
fi

# Where the configuration comes from: -c, else $THERMOS_DISPATCH_CONFIG.
ini env_a "[host]" "plugin_dir = $PLUG" "[plugin:from_env]" "module = recorder" "out = $rec"
env_ini=$ini
ini c_a "[host]" "plugin_dir = $PLUG" "[plugin:from_c]" "module = recorder" "out = $rec"
c_ini=$ini
# env_td ARGS...: td with THERMOS_DISPATCH_CONFIG=$env_ini.
env_td() {
	what="THERMOS_DISPATCH_CONFIG=$env_ini thermos-dispatch $*"
	newfile
	out=$nf.out
	err=$nf.err
	THERMOS_DISPATCH_CONFIG=$env_ini "$TD" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}
: >"$rec"
env_td replay "$stream"
check_rc 0
check_stderr_empty
check_calls "$rec" "$(one from_env)"
: >"$rec"
env_td -c "$c_ini" replay "$stream"
check_rc 0
check_calls "$rec" "$(one from_c)"

# check: init and fini in THERMOS_MODE_CHECK (0), no event; exit 0.
ini check_ok "[host]" "plugin_dir = $PLUG" \
	"[plugin:a]" "module = recorder" "out = $rec" \
	"[plugin:off]" "module = nosuch" "enabled = no" \
	"[plugin:b]" "module = recorder" "out = $rec" \
	"[plugin:n]" "module = newer_minor" "out = $tmp/newer"
: >"$rec"
td -c "$ini" check
check_rc 0
check_stderr_empty
check_text "$rec" "check: recorder lines" \
	"a init mode=0 keys=out checks=ok" "b init mode=0 keys=out checks=ok" \
	"b fini" "a fini"
what="check: stdout"
if [ -s "$out" ]; then ok; else fail "want a summary on stdout"; fi

# plugins, plugins -v: the modules of plugin_dir and the instances.
: >"$rec"
td -c "$ini" plugins
check_rc 0
check_stderr_empty
plugins_out=$out
# has FILE REGEX DESCRIPTION: a line of FILE matches REGEX (grep -E).
has() {
	what="$3"
	if grep -Eq "$2" "$1"; then ok; else
		fail "no line matching: $2"
		show_file output "$1"
	fi
}
qplug=$(printf '%s' "$PLUG" | sed 's/[].[^$*+?(){}|\\]/\\&/g')
has "$plugins_out" "^ +recorder +1\\.2\\.3-test +ABI 1\\b.* $qplug/recorder\\.so\$" \
	"plugins: the recorder module (name, version, ABI, path)"
has "$plugins_out" "^ +newer_minor +1\\.9 +ABI 1\\b.* $qplug/newer_minor\\.so\$" \
	"plugins: the newer_minor module"
has "$plugins_out" "^ +null_entry .*refused.*$qplug/null_entry\\.so: thermos_handler_v1_entry returned NULL\$" \
	"plugins: a refused module and why"
has "$plugins_out" "^ +a +enabled +module recorder\\b" "plugins: instance a, enabled"
has "$plugins_out" "^ +off +disabled +module nosuch\\b" "plugins: instance off, disabled"
has "$plugins_out" "^ +b +enabled +module recorder\\b" "plugins: instance b, enabled"
what="plugins: the modules in name order"
awk '/^modules in / { m = 1; next } /^instances/ { m = 0 } m && /^  [^ ]/ { print $1 }' \
	"$plugins_out" >"$tmp/mods"
if awk 'NR > 1 && $0 < prev { bad = 1 } { prev = $0 } END { exit bad }' "$tmp/mods"; then
	ok
else
	fail "the modules are not sorted by name"
	show_file modules "$tmp/mods"
fi
what="plugins: every test module listed"
n=0
for m in recorder undefined_function undefined_variable no_entry null_entry abi_two \
	small_table empty_name init_fails config_error newer_minor; do
	grep -Eq "^ +$m " "$plugins_out" && n=$((n + 1))
done
if [ "$n" = 11 ]; then ok; else fail "want 11 modules listed, got $n"; fi
td -c "$ini" plugins -v
check_rc 0
check_stderr_empty
has "$out" "^ +out +path\\b.*the file every call is appended to" "plugins -v: recorder's out"
has "$out" "^ +fail_on +string\\b.*callback that returns -1" "plugins -v: recorder's fail_on"
has "$out" "^ +fail_init +bool\\b.*no.*make init fail" "plugins -v: recorder's fail_init, its default"
has "$out" "^ +log_message +string\\b.*logged at warning level" "plugins -v: recorder's log_message"
has "$out" "^ +level +int\\b.*must be positive" "plugins -v: config_error's level"
# plugins loads no instance: nothing was called.
what="plugins: no callback"
if [ -s "$rec" ]; then fail "plugins called an instance"; show_file recorder "$rec"; else ok; fi

# host->log: through the host's log, prefixed with the instance; filtered
# by log_level.
ini log "[host]" "plugin_dir = $PLUG" \
	"[plugin:talker]" "module = recorder" "out = $rec" "log_message = hello there"
td -c "$ini" replay "$stream"
check_rc 0
check_stderr "thermos-dispatch: warning: talker: hello there"
td -c "$ini" -o host.log_level=warning check
check_rc 0
check_stderr "thermos-dispatch: warning: talker: hello there"
td -c "$ini" -o host.log_level=error replay "$stream"
check_rc 0
check_stderr_empty

finish
