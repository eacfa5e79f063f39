#!/bin/sh
# Out-of-tree plugins beside the bundled ones (thermos-dispatch.ini(5)):
# - [host] plugin_path: directories searched in order for MODULE.so, the
#   first holding it wins; a directory failing the trust checks, or
#   missing, is an error naming it (the search does not go on); a module
#   in none is an error naming the path; plugin_dir and plugin_path both
#   set, or an empty directory in the list, are errors;
# - `plugins` lists every directory of the path, later modules of a name
#   as shadowed, and aligns its columns for long names;
# - -p PATH with a [plugin:NAME] section of its name: the section's keys
#   are its options, and on_error and enabled apply; `module` in that
#   section, and a second -p of the name, stay errors; `plugins -v` shows
#   the options of -p modules (type, default, flags, range, help).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
rec=$tmp/rec
team=$tmp/team
mkdir "$team" && cp "$PLUG/recorder.so" "$PLUG/typed_options.so" "$team/" || exit 99
long=a_module_with_a_name_longer_than_any_column
cp "$PLUG/typed_options.so" "$team/$long.so" || exit 99
chmod 755 "$team" && chmod 644 "$team"/*.so || exit 99
I="thermos-dispatch: info:"

# first_err LINE: the first line of stderr is LINE.
first_err() {
	if [ "$(head -n 1 "$err")" = "$1" ]; then ok; else
		fail "stderr: want a first line: $1"
		show_file stderr "$err"
	fi
}

# The first directory holding the module wins: typed_options from $team,
# recorder too (the same file in both), the rest from $PLUG.
ini path "[host]" "plugin_path = $team:$PLUG" \
	"[plugin:t]" "module = typed_options" "name = x" "port = 7" \
	"[plugin:r]" "module = recorder" "out = $rec" \
	"[plugin:ret]" "module = returns" "out = $tmp/returns.out"
pathini=$ini
: >"$rec"
td -c "$pathini" replay "$stream"
check_rc 0
check_stdout_empty
first_err "$I t: port int=1:7 double=1:7 bool=-1"
what="plugin_path: the modules ran"
if grep -q '^r on_process_running ' "$rec" && [ -s "$tmp/returns.out" ]; then ok; else
	fail "recorder or returns not called"
fi
td -c "$pathini" plugins
check_rc 0
check_stderr_empty
plugins_out=$out
# has_line LINE: stdout of `plugins` has exactly this line.
has_line() {
	what="plugins: $1"
	if grep -Fqx -e "$1" "$plugins_out"; then ok; else
		fail "no line: $1"
		show_file stdout "$plugins_out"
	fi
}
w=$(printf '%s' "$long" | wc -c)
row() { printf '  %-*s %s' "$w" "$1" "$2"; }
has_line "modules in $team:"
has_line "modules in $PLUG:"
has_line "$(row typed_options "1.1-test   ABI 1 (240 bytes)  $team/typed_options.so")"
has_line "$(row "$long" "1.1-test   ABI 1 (240 bytes)  $team/$long.so")"
has_line "$(row typed_options "shadowed by $team/typed_options.so")"
has_line "$(row recorder "shadowed by $team/recorder.so")"
has_line "$(row returns "0          ABI 1 (240 bytes)  $PLUG/returns.so")"
has_line "$(row unknown_type "refused: $PLUG/unknown_type.so: option 'colour' of plugin unknown_type has type 7, which this host (handler ABI 1.1) does not know")"
what="plugins: every module line aligned"
if awk -v w="$w" '/^modules /{ m = 1; next } /^instances/{ m = 0 }
	m && /^  [^ ]/ && substr($0, w + 3, 1) != " " { bad = 1; print }
	m && /^  [^ ]/ && substr($0, w + 4, 1) == " " { bad = 1; print }
	END { exit bad }' "$plugins_out"; then ok; else
	fail "a module line whose second column does not start at $((w + 4))"
	show_file stdout "$plugins_out"
fi

# Errors of the path.
ini open "[host]" "plugin_path = $tmp/open:$PLUG" "[plugin:r]" "module = recorder" "out = $rec"
mkdir "$tmp/open" && chmod 777 "$tmp/open" || exit 99
td -c "$ini" replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $tmp/open: writable by group or others"
ini missing "[host]" "plugin_path = $tmp/nosuch:$PLUG" "[plugin:r]" "module = recorder" "out = $rec"
td -c "$ini" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $tmp/nosuch: No such file or directory (a directory of plugin_path)"
ini none "[host]" "plugin_path = $team:$PLUG" "[plugin:r]" "module = nosuch"
td -c "$ini" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: nosuch.so: not found in plugin_path $team:$PLUG"
td -c "$pathini" -o "host.plugin_dir=$PLUG" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: -o:1: [host] plugin_dir: plugin_path is set too ($pathini:2): set one of them"
ini both "[host]" "plugin_dir = $PLUG" "plugin_path = $team" "[plugin:r]" "module = recorder" "out = $rec"
td -c "$ini" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:3: [host] plugin_path: plugin_dir is set too ($ini:2): set one of them"
for bad in ":$PLUG" "$PLUG:" "$team::$PLUG" ""; do
	td -c "$pathini" -o "host.plugin_path=$bad" replay "$stream"
	check_rc 78
	check_stderr "thermos-dispatch: -o:1: [host] plugin_path: expected directories separated by ':', none empty, not '$bad'"
done
# plugin_dir is one directory, ':' and all.
colon=$tmp/a:b
mkdir "$colon" && chmod 755 "$colon" && cp "$PLUG/recorder.so" "$colon/" && chmod 644 "$colon/recorder.so" || exit 99
ini colon "[host]" "plugin_dir = $colon" "[plugin:r]" "module = recorder" "out = $rec"
td -c "$ini" replay "$stream"
check_rc 0
check_stderr_empty

# -p with a section of its name: the section configures it.
ini psec "[host]" "plugin_dir = $PLUG" \
	"[plugin:typed_options]" "name = from the section" "port = 99" "on_error = abort"
psec=$ini
td -c "$psec" -p "$team/typed_options.so" replay "$stream"
check_rc 0
check_stdout_empty
first_err "$I typed_options: port int=1:99 double=1:99 bool=-1"
td -c "$psec" -p "$team/typed_options.so" plugins -v
check_rc 0
check_stderr_empty
plugins_out=$out
has_line "modules given with -p:"
has_line "  $(printf '%-18s' typed_options) 1.1-test   ABI 1 (240 bytes)  $team/typed_options.so"
has_line "      port           int    range 1 to 65535 (default 8080): a TCP port"
has_line "      ratio          double range 0 to 1.5 (default 0.25): a share"
has_line "      name           string required: what to call it"
has_line "      count          int   : no default"
has_line "  typed_options enabled  module $team/typed_options.so, on_error abort"
has_line "      name = from the section"
# Its checks report at the section's lines.
ini psec_bad "[host]" "plugin_dir = $PLUG" "[plugin:typed_options]" "port = 0"
td -c "$ini" -p "$team/typed_options.so" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:typed_options] port: expected an integer from 1 to 65535, not '0'" \
	"thermos-dispatch: $ini:3: [plugin:typed_options] name: required, not set (module typed_options)"
# enabled = no: not loaded at all.
td -c "$psec" -o typed_options.enabled=no -p "$PLUG/no_entry.so" -p "$team/typed_options.so" -o no_entry.enabled=no replay "$stream"
check_rc 0
check_stderr_empty
# The errors that remain.
ini psec_module "[host]" "plugin_dir = $PLUG" "[plugin:typed_options]" "module = typed_options" "name = x"
td -c "$ini" -p "$team/typed_options.so" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:typed_options] module: not for an instance loaded with -p"
td -c "$psec" -p "$team/typed_options.so" -p "$PLUG/typed_options.so" replay "$stream"
check_rc 64
check_stderr "thermos-dispatch: -p $PLUG/typed_options.so: the instance 'typed_options' is loaded from -p $team/typed_options.so already (see 'thermos-dispatch --help')"
# The built-in default's logger is no section: a -p of its name stays a
# usage error (only where no configuration file is found).
unset THERMOS_DISPATCH_CONFIG
td plugins
if grep -qx "instances (built-in default):" "$out"; then
	mkdir "$tmp/alt" && cp "$PLUG/recorder.so" "$tmp/alt/logger.so" || exit 99
	chmod 755 "$tmp/alt" && chmod 644 "$tmp/alt/logger.so" || exit 99
	td -p "$tmp/alt/logger.so" replay "$stream"
	check_rc 64
	check_stdout_empty
	check_stderr "thermos-dispatch: -p $tmp/alt/logger.so: an instance named 'logger' is configured already (see 'thermos-dispatch --help')"
fi

finish
