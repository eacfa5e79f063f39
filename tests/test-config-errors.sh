#!/bin/sh
# Configuration errors (cli-and-config.md "Configuration file", "Exit
# status"): each one line
#   thermos-dispatch: FILE:LINE: [SECTION] KEY: reason
# (-o values: FILE is -o, LINE its position), exit 78, no plugin started:
# an unknown [host] key, an unknown section, a key outside a section, bad
# host values, a bad `enabled` or `on_error`, an undeclared plugin key or a
# value of the wrong type, a line longer than inih reads (an error, never a
# cut value), an inih syntax error, a missing -c file.  `check` reports
# every problem, one line each.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
rec=$tmp/rec

# bad LINE...: a configuration of these lines (after a [host] with the
# plugin directory, so LINE 1 is file line 3); replay and check both fail
# with exactly the stderr lines in $want_lines (set by the caller); no
# event reaches the recorder.
bad() {
	ini bad "[host]" "plugin_dir = $PLUG" "$@"
	for cmd in replay check; do
		: >"$rec"
		if [ "$cmd" = replay ]; then
			td -c "$ini" replay "$stream"
		else
			td -c "$ini" check
		fi
		check_rc 78
		check_stdout_empty
		eval "check_stderr $want_lines"
		# replay starts nothing; check may init and fini the valid
		# instances (in THERMOS_MODE_CHECK) to report every problem.
		what="$cmd with $ini: recorder"
		if [ "$cmd" = replay ] && [ -s "$rec" ]; then
			fail "a plugin was started"
			show_file recorder "$rec"
		elif grep -Ev '^[a-z]+ (init mode=0 .*|init-failed|fini)$' "$rec" >/dev/null; then
			fail "a plugin was called for more than init and fini in check mode"
			show_file recorder "$rec"
		else ok; fi
	done
}

# want LINE...: the expected stderr lines, for bad (quoted for eval).
want() {
	want_lines=
	for w in "$@"; do
		want_lines="$want_lines '$(printf '%s' "$w" | sed "s/'/'\\\\''/g")'"
	done
}

# An unknown [host] key.
want "thermos-dispatch: $tmp/bad.ini:3: [host] bogus: unknown key"
bad "bogus = 1" "[plugin:a]" "module = recorder" "out = $rec"
# An unknown section (its keys are not reported again).
want "thermos-dispatch: $tmp/bad.ini:6: [foo]: unknown section (expected [host] or [plugin:NAME])"
bad "[plugin:a]" "module = recorder" "out = $rec" "[foo]" "x = 1"
# Sections that cannot name an instance ('host', a '.', empty).
for name in host a.b ""; do
	want "thermos-dispatch: $tmp/bad.ini:6: [plugin:$name]: invalid instance name (empty, 'host', or with '.')"
	bad "[plugin:a]" "module = recorder" "out = $rec" "[plugin:$name]" "module = recorder"
done
# A key outside a section.
ini outside "top = 1" "[host]" "plugin_dir = $PLUG"
td -c "$ini" check
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:1: top: key outside a section"
# Bad host values.
want "thermos-dispatch: $tmp/bad.ini:3: [host] linger: expected a number of seconds from 0 to 2592000, not 'soon'"
bad "linger = soon" "[plugin:a]" "module = recorder" "out = $rec"
want "thermos-dispatch: $tmp/bad.ini:3: [host] truncate: expected a boolean (yes/no, true/false, on/off, 1/0), not 'perhaps'"
bad "truncate = perhaps" "[plugin:a]" "module = recorder" "out = $rec"
want "thermos-dispatch: $tmp/bad.ini:3: [host] log_level: expected one of error|warning|info|debug, not 'loud'"
bad "log_level = loud" "[plugin:a]" "module = recorder" "out = $rec"
# Several: every one, in line order.
want "thermos-dispatch: $tmp/bad.ini:3: [host] zeta: unknown key" \
	"thermos-dispatch: $tmp/bad.ini:4: [host] alpha: unknown key" \
	"thermos-dispatch: $tmp/bad.ini:5: [host] linger: expected a number of seconds from 0 to 2592000, not 'x'" \
	"thermos-dispatch: $tmp/bad.ini:6: [host] mid: unknown key"
bad "zeta = 1" "alpha = 2" "linger = x" "mid = 3" "[plugin:a]" "module = recorder" "out = $rec"
# A bad boolean for enabled, a bad on_error.
want "thermos-dispatch: $tmp/bad.ini:5: [plugin:a] enabled: expected a boolean (yes/no, true/false, on/off, 1/0), not 'maybe'"
bad "[plugin:a]" "module = recorder" "enabled = maybe" "out = $rec"
want "thermos-dispatch: $tmp/bad.ini:6: [plugin:a] on_error: expected one of continue|disable|abort, not 'explode'"
bad "[plugin:a]" "module = recorder" "out = $rec" "on_error = explode"
# Plugin keys: undeclared, or of the wrong type (handler-abi.md "Declared
# options").
want "thermos-dispatch: $tmp/bad.ini:6: [plugin:a] colour: unknown key (module recorder accepts: out, fail_on, fail_init, log_message)"
bad "[plugin:a]" "module = recorder" "out = $rec" "colour = red"
want "thermos-dispatch: $tmp/bad.ini:5: [plugin:a] fail_init: expected a boolean (yes/no, true/false, on/off, 1/0), not 'perhaps'"
bad "[plugin:a]" "module = recorder" "fail_init = perhaps" "out = $rec"
want "thermos-dispatch: $tmp/bad.ini:5: [plugin:a] out: expected a path, not ''"
bad "[plugin:a]" "module = recorder" "out ="

# Values given with -o: the origin is "-o" and the option's position.
ini good "[host]" "plugin_dir = $PLUG" "[plugin:a]" "module = recorder" "out = $rec"
good=$ini
td -c "$good" -o host.linger=abc replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: -o:1: [host] linger: expected a number of seconds from 0 to 2592000, not 'abc'"
td -c "$good" -o a.fail_on=x -o host.linger=1 -o host.colour=red check
check_rc 78
check_stderr "thermos-dispatch: -o:3: [host] colour: unknown key"
td -c "$good" -o a.fail_on=x -o a.fail_init=perhaps check
check_rc 78
check_stderr "thermos-dispatch: -o:2: [plugin:a] fail_init: expected a boolean (yes/no, true/false, on/off, 1/0), not 'perhaps'"
# A malformed -o is a usage error.
td -c "$good" -o nodot check
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: -o 'nodot': expected SECTION.KEY=VALUE (see 'thermos-dispatch --help')"

# Long lines: inih reads 198 characters a line (INI_MAX_LINE 200, with the
# newline and the NUL); 198 are taken whole, 199 are an error naming the
# line, never a cut value.
pad() {
	# pad N: a fail_on line of exactly N characters.
	p_v=
	p_n=$(($1 - 10))
	while [ ${#p_v} -lt "$p_n" ]; do p_v="${p_v}x"; done
	printf 'fail_on = %s' "$p_v"
}
line198=$(pad 198)
line199=$(pad 199)
ini long198 "[host]" "plugin_dir = $PLUG" "[plugin:a]" "module = recorder" \
	"out = $rec" "$line198"
td -c "$ini" plugins -v
check_rc 0
what="a line of 198 characters: its value"
if grep -qx "      ${line198}" "$out"; then ok; else
	fail "the value of fail_on is not whole in plugins -v"
	show_file stdout "$out"
fi
td -c "$ini" check
check_rc 0
ini long199 "[host]" "plugin_dir = $PLUG" "[plugin:a]" "module = recorder" \
	"$line199" "out = $rec"
td -c "$ini" check
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:5: line longer than 198 characters"
td -c "$ini" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:5: line longer than 198 characters"
# A long line in the middle does not shift the lines after it.
ini long_then_bad "[host]" "plugin_dir = $PLUG" "[plugin:a]" "module = recorder" \
	"$line199$line199" "out = $rec" "bogus = 1"
td -c "$ini" check
check_rc 78
check_stderr "thermos-dispatch: $ini:5: line longer than 198 characters" \
	"thermos-dispatch: $ini:7: [plugin:a] bogus: unknown key (module recorder accepts: out, fail_on, fail_init, log_message)"

# inih syntax errors: the line inih reports.
want "thermos-dispatch: $tmp/bad.ini:4: syntax error"
bad "[plugin:a]" "foo" "module = recorder" "out = $rec"
want "thermos-dispatch: $tmp/bad.ini:6: syntax error"
bad "[plugin:a]" "module = recorder" "out = $rec" "[plugin:b"

# A missing -c file; a missing $THERMOS_DISPATCH_CONFIG file.
td -c "$tmp/nosuch.ini" replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $tmp/nosuch.ini: No such file or directory"
what="THERMOS_DISPATCH_CONFIG=$tmp/nosuch.ini thermos-dispatch check"
newfile
out=$nf.out
err=$nf.err
THERMOS_DISPATCH_CONFIG=$tmp/nosuch.ini "$TD" check </dev/null >"$out" 2>"$err"
rc=$?
check_rc 78
check_stderr "thermos-dispatch: $tmp/nosuch.ini: No such file or directory"

# check reports every problem: two bad keys in two sections, a refused
# module and a failed init next to them, a [host] problem with plugin ones.
ini many "[host]" "plugin_dir = $PLUG" \
	"[plugin:a]" "module = recorder" "out = $rec" "colour = red" \
	"[plugin:b]" "module = recorder" "out = $rec" "fail_init = perhaps" \
	"[plugin:c]" "module = null_entry" \
	"[plugin:d]" "module = recorder" "out = $rec" "fail_init = yes" \
	"[plugin:e]" "module = config_error"
: >"$rec"
td -c "$ini" check
check_rc 78
check_stdout_empty
check_stderr \
	"thermos-dispatch: $ini:6: [plugin:a] colour: unknown key (module recorder accepts: out, fail_on, fail_init, log_message)" \
	"thermos-dispatch: $ini:10: [plugin:b] fail_init: expected a boolean (yes/no, true/false, on/off, 1/0), not 'perhaps'" \
	"thermos-dispatch: $ini:12: [plugin:c] module: $PLUG/null_entry.so: thermos_handler_v1_entry returned NULL" \
	"thermos-dispatch: $ini:13: [plugin:d]: init failed (module recorder)" \
	"thermos-dispatch: $ini:17: [plugin:e] level: must be positive"
check_text "$rec" "check: recorder lines" \
	"d init mode=0 keys=out,fail_init checks=ok" "d init-failed"
ini host_and_plugin "[host]" "plugin_dir = $PLUG" "bogus = 1" \
	"[plugin:a]" "module = recorder" "out = $rec" "colour = red"
td -c "$ini" check
check_rc 78
check_stderr \
	"thermos-dispatch: $ini:3: [host] bogus: unknown key" \
	"thermos-dispatch: $ini:7: [plugin:a] colour: unknown key (module recorder accepts: out, fail_on, fail_init, log_message)"

finish
