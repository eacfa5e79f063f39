#!/bin/sh
# Declared options of ABI 1.1 (<thermos/handler.h> thermos_option_ex, the
# typed getters) through the typed_options test plugin, whose init logs
# what config_get_int/double/bool return for each key:
# - values written in the file (inih strips the white space around them)
#   or with -o (white space kept, stripped by the getters), defaults,
#   absent keys (0), a string read as a number (-1), an undeclared key;
# - the eight spellings of booleans, in any case;
# - the host table's truncate and host_version;
# - the checks before init: a REQUIRED key not written (at the section's
#   line), values out of a declared range (the range named), a value of
#   the wrong type, an unknown key (the keys of options_ex listed); each
#   one line, exit 78, `check` reporting all of them.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
version=$("$TD" --version | awk '{ print $2; exit }')
I="thermos-dispatch: info: t:"

ini typed "[host]" "plugin_dir = $PLUG" "[plugin:t]" "module = typed_options" \
	"name =   some name  " "port =   443	" "ratio = 1.25"
typed=$ini

# Written values, defaults, absent keys.
td -c "$typed" replay "$stream"
check_rc 0
check_stdout_empty
check_stderr "$I port int=1:443 double=1:443 bool=-1" \
	"$I ratio int=-1 double=1:1.25 bool=-1" \
	"$I verbose int=-1 double=-1 bool=1:0" \
	"$I name int=-1 double=-1 bool=-1" \
	"$I count int=0 double=0 bool=0" \
	"$I label int=-1 double=-1 bool=-1" \
	"$I undeclared int=0 double=0 bool=0" \
	"$I truncate=0 host_version=$version"

# -o keeps white space: the getters strip it (a string read as a number
# too); --truncate reaches the host table.
td -c "$typed" -o "t.port= 42" -o "t.label= 7 " -o "t.count=-3" -o "t.ratio=0" \
	replay --truncate "$stream"
check_rc 0
check_stderr "$I port int=1:42 double=1:42 bool=-1" \
	"$I ratio int=1:0 double=1:0 bool=1:0" \
	"$I verbose int=-1 double=-1 bool=1:0" \
	"$I name int=-1 double=-1 bool=-1" \
	"$I count int=1:-3 double=1:-3 bool=-1" \
	"$I label int=1:7 double=1:7 bool=-1" \
	"$I undeclared int=0 double=0 bool=0" \
	"$I truncate=1 host_version=$version"

# The eight spellings of booleans, in any case; the bounds of the ranges.
for b in yes:1 no:0 true:1 false:0 on:1 off:0 1:1 0:0 YES:1 False:0 oN:1 OFF:0; do
	spelling=${b%:*}
	td -c "$typed" -o "t.verbose=$spelling" -o t.port=65535 -o t.ratio=1.5 check
	check_rc 0
	case $spelling in
	1 | 0) num="int=1:$spelling double=1:$spelling" ;;
	*) num="int=-1 double=-1" ;;
	esac
	check_stderr "$I port int=1:65535 double=1:65535 bool=-1" \
		"$I ratio int=-1 double=1:1.5 bool=-1" \
		"$I verbose $num bool=1:${b#*:}" \
		"$I name int=-1 double=-1 bool=-1" \
		"$I count int=0 double=0 bool=0" \
		"$I label int=-1 double=-1 bool=-1" \
		"$I undeclared int=0 double=0 bool=0" \
		"$I truncate=0 host_version=$version"
done
td -c "$typed" -o t.port=1 -o t.ratio=0 check
check_rc 0

# The checks before init.
ini norequired "[host]" "plugin_dir = $PLUG" "" "[plugin:t]" "module = typed_options"
for cmd in replay check; do
	if [ $cmd = replay ]; then td -c "$ini" replay "$stream"; else td -c "$ini" check; fi
	check_rc 78
	check_stdout_empty
	check_stderr "thermos-dispatch: $ini:4: [plugin:t] name: required, not set (module typed_options)"
done
# Written empty, it is written.
td -c "$ini" -o t.name= replay "$stream"
check_rc 0
td -c "$typed" -o t.port=70000 replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: -o:1: [plugin:t] port: expected an integer from 1 to 65535, not '70000'"
td -c "$typed" -o t.port=0 replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: -o:1: [plugin:t] port: expected an integer from 1 to 65535, not '0'"
ini ranges "[host]" "plugin_dir = $PLUG" "[plugin:t]" "module = typed_options" \
	"ratio = 1.5000001" "port = 80x" "verbose = maybe" "count = 1.0" "colour = red"
td -c "$ini" check
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:5: [plugin:t] ratio: expected a number from 0 to 1.5, not '1.5000001'" \
	"thermos-dispatch: $ini:6: [plugin:t] port: expected an integer from 1 to 65535, not '80x'" \
	"thermos-dispatch: $ini:7: [plugin:t] verbose: expected a boolean (yes/no, true/false, on/off, 1/0), not 'maybe'" \
	"thermos-dispatch: $ini:8: [plugin:t] count: expected an integer from -9223372036854775808 to 9223372036854775807, not '1.0'" \
	"thermos-dispatch: $ini:9: [plugin:t] colour: unknown key (module typed_options accepts: port, ratio, verbose, name, count, label)" \
	"thermos-dispatch: $ini:3: [plugin:t] name: required, not set (module typed_options)"
td -c "$typed" -o t.ratio=-0.5 replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: -o:1: [plugin:t] ratio: expected a number from 0 to 1.5, not '-0.5'"

finish
