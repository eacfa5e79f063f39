#!/bin/sh
# The load-time refusals of options_ex entries (<thermos/handler.h>
# thermos_option_ex), through the options_ex_faults test plugin
# ($TD_TEST_OPTION_FAULT picks the fault): each is one line naming the
# file, the option (or the entry's index) and the reason, exit 78, in
# replay and in check, and `plugins` lists the module as refused.  A
# valid options_ex wins over `options` (whose type 7 would be refused).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
ini faults "[host]" "plugin_dir = $PLUG" "[plugin:f]" "module = options_ex_faults"
so=$PLUG/options_ex_faults.so
opt="option 'opt' of plugin options_ex_faults"

# refused FAULT REASON: replay and check refuse the module with REASON.
refused() {
	TD_TEST_OPTION_FAULT=$1
	export TD_TEST_OPTION_FAULT
	line="thermos-dispatch: $ini:4: [plugin:f] module: $so: $2"
	td -c "$ini" replay "$stream"
	what="$what (fault $1)"
	check_rc 78
	check_stdout_empty
	check_stderr "$line"
	td -c "$ini" check
	what="$what (fault $1)"
	check_rc 78
	check_stdout_empty
	check_stderr "$line"
	td -c "$ini" plugins
	what="$what (fault $1)"
	check_rc 0
	if grep -Eq "^  options_ex_faults +refused: $so: " "$out" &&
		grep -Fq "$2" "$out"; then ok; else
		fail "not listed as refused"
		show_file stdout "$out"
	fi
	unset TD_TEST_OPTION_FAULT
}

# The sizes of x86-64 (test-abi-layout pins them): offsetof(flags), and
# the whole 1.1 entry.
case $(uname -m) in
x86_64)
	refused small "options_ex[0] of plugin options_ex_faults has struct_size 48, smaller than ABI 1.1's 88"
	;;
esac
refused nokey "options_ex[0] of plugin options_ex_faults has no key"
refused type "$opt has type 7, which this host (handler ABI 1.1) does not know"
refused flags "$opt has flags 0x20, unknown to this host (handler ABI 1.1)"
refused range_type "$opt has a range, which only int and double options take"
refused int_range "$opt has a range from 10 to 1, whose minimum is above its maximum"
refused double_range "$opt has a range from 2.5 to 0.5, whose minimum is above its maximum"
refused nan "$opt has a range bound that is not a number"
refused required_default "$opt is required and has a default, which would never be used"
refused default "$opt has the default '11', not an integer from 1 to 10"

# Without a fault it loads: options_ex is read, `options` ignored.
td -c "$ini" -o f.opt=10 replay "$stream"
check_rc 0
check_stderr_empty
td -c "$ini" -o f.old=1 replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: -o:1: [plugin:f] old: unknown key (module options_ex_faults accepts: opt)"

finish
