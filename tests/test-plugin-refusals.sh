#!/bin/sh
# Modules the host refuses (handler-abi.md "Loading"): each with exactly one
# line naming the file and the reason, exit 78, and no callback of any
# instance called (replay stops before the first stream).  Through a
# configured instance the line is
#   thermos-dispatch: INI:LINE: [plugin:NAME] module: /abs/x.so: REASON
# (LINE: that of the `module` key); through -p PATH
#   thermos-dispatch: /abs/x.so: REASON
# Since ABI 1.1 also a table that needs a later minor (min_host_minor 2:
# "needs handler ABI 1.2 or later; this host provides 1.1") and an option
# of a type the host does not know (named with the plugin and the type).
# Also: a module name with '/' or '..' or an empty one, a missing file, a
# file that is not an ELF object, a failed init (fini not called, the
# instances started before it finied in reverse), config_error from init
# (the key's file and line, or its section's, or -o's position), a table
# from a newer minor (loaded).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
rec=$tmp/rec
printf '%s\n' "This is a text file named like a module: the dynamic loader" \
	"must refuse it, and the host must print the loader's reason." >"$PLUG/bad.so"
chmod 644 "$PLUG/bad.so"

# refused MODULE REASON: [plugin:x] module = MODULE after a working
# instance; the refusal names the file; the recorder saw nothing but its
# init and fini.
refused() {
	ini "refused" "[host]" "plugin_dir = $PLUG" \
		"[plugin:first]" "module = recorder" "out = $rec" \
		"[plugin:x]" "module = $1"
	: >"$rec"
	td -c "$ini" replay "$stream"
	check_rc 78
	check_stdout_empty
	check_stderr "thermos-dispatch: $ini:7: [plugin:x] module: $2"
	check_text "$rec" "recorder lines ($1)" \
		"first init mode=1 keys=out checks=ok" "first fini"
}

refused undefined_function \
	"$PLUG/undefined_function.so: undefined symbol: td_test_function_defined_nowhere"
refused undefined_variable \
	"$PLUG/undefined_variable.so: undefined symbol: td_test_variable_defined_nowhere"
refused no_entry "$PLUG/no_entry.so: no entry symbol thermos_handler_v1_entry"
refused null_entry "$PLUG/null_entry.so: thermos_handler_v1_entry returned NULL"
refused abi_two "$PLUG/abi_two.so: plugin ABI major 2, this host supports ABI major 1"
refused needs_minor "$PLUG/needs_minor.so: needs handler ABI 1.2 or later; this host provides 1.1"
refused unknown_type "$PLUG/unknown_type.so: option 'colour' of plugin unknown_type has type 7, which this host (handler ABI 1.1) does not know"
case $(uname -m) in
x86_64)
	refused small_table \
		"$PLUG/small_table.so: plugin table of 216 bytes, smaller than ABI 1.0's 224"
	;;
*)
	# The sizes depend on the pointer size; the numbers are pinned for
	# x86-64 (test-abi-layout).
	ini "refused" "[host]" "plugin_dir = $PLUG" "[plugin:x]" "module = small_table"
	td -c "$ini" replay "$stream"
	check_rc 78
	check_stderr_prefix "thermos-dispatch: $ini:4: [plugin:x] module: $PLUG/small_table.so: plugin table of "
	;;
esac
refused empty_name "$PLUG/empty_name.so: empty plugin name"
refused bad "$PLUG/bad.so: invalid ELF header"
refused nosuch "$PLUG/nosuch.so: No such file or directory"
refused "sub/recorder" "invalid module name 'sub/recorder' (a bare name is expected)"
refused ".." "invalid module name '..' (a bare name is expected)"
refused "..recorder" "invalid module name '..recorder' (a bare name is expected)"
refused "" "invalid module name '' (a bare name is expected)"

# A module name given with -o: the origin is -o and its position.
ini onlyhost "[host]" "plugin_dir = $PLUG"
onlyhost=$ini
td -c "$onlyhost" -o x.out=y -o x.module=../x replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: -o:2: [plugin:x] module: invalid module name '../x' (a bare name is expected)"
# The default module is the instance name: [plugin:null_entry] alone.
ini default_module "[host]" "plugin_dir = $PLUG" "" "[plugin:null_entry]"
td -c "$ini" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:null_entry] module: $PLUG/null_entry.so: thermos_handler_v1_entry returned NULL"

# -p PATH: the same checks, the message names the path alone.
for m in undefined_function no_entry null_entry abi_two empty_name bad \
	needs_minor unknown_type; do
	td -c "$onlyhost" -p "$PLUG/$m.so" replay "$stream"
	check_rc 78
	check_stdout_empty
	check_stderr_prefix "thermos-dispatch: $PLUG/$m.so: "
done
td -c "$onlyhost" -p "$PLUG/null_entry.so" replay "$stream"
check_stderr "thermos-dispatch: $PLUG/null_entry.so: thermos_handler_v1_entry returned NULL"
td -c "$onlyhost" -p "$PLUG/needs_minor.so" replay "$stream"
check_stderr "thermos-dispatch: $PLUG/needs_minor.so: needs handler ABI 1.2 or later; this host provides 1.1"
td -c "$onlyhost" -p "$PLUG/unknown_type.so" check
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $PLUG/unknown_type.so: option 'colour' of plugin unknown_type has type 7, which this host (handler ABI 1.1) does not know"
td -c "$onlyhost" -p "$PLUG/nosuch.so" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $PLUG/nosuch.so: No such file or directory"
# -p of a good module: an instance named after the file, configured by -o.
: >"$rec"
td -c "$onlyhost" -p "$PLUG/recorder.so" -o "recorder.out=$rec" replay "$stream"
check_rc 0
check_stderr_empty
what="-p recorder.so: recorder lines"
if head -n 1 "$rec" | grep -qx 'recorder init mode=1 keys=out checks=ok' &&
	tail -n 1 "$rec" | grep -qx 'recorder fini' &&
	grep -q '^recorder on_process_running ' "$rec"; then ok; else
	fail "want init, events and fini of the instance 'recorder'"
	show_file recorder "$rec"
fi
# -p plus a [plugin:NAME] section of the same name: the section configures
# it (tests/test-plugin-path.sh tests more); two -p of one name: a usage
# error.
ini same_name "[host]" "plugin_dir = $PLUG" \
	"[plugin:recorder]" "out = $rec"
: >"$rec"
td -c "$ini" -p "$PLUG/recorder.so" replay "$stream"
check_rc 0
check_stdout_empty
check_stderr_empty
what="-p recorder.so with [plugin:recorder]: recorder lines"
if head -n 1 "$rec" | grep -qx 'recorder init mode=1 keys=out checks=ok'; then ok; else
	fail "want the init of the instance 'recorder' with its section's out"
	show_file recorder "$rec"
fi
td -c "$ini" -p "$PLUG/recorder.so" -p "$tmp/recorder.so" replay "$stream"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: -p $tmp/recorder.so: the instance 'recorder' is loaded from -p $PLUG/recorder.so already (see 'thermos-dispatch --help')"
# module = is the host's key, not one for -p instances.
td -c "$onlyhost" -p "$PLUG/recorder.so" -o "recorder.out=$rec" -o recorder.module=recorder replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: -o:2: [plugin:recorder] module: not for an instance loaded with -p"

# A failed init: the line names the instance's section and module; its fini
# is not called, the instances started before are finied (reverse order),
# the later ones never started.
out_if=$tmp/init_fails.out
ini init_fails "[host]" "plugin_dir = $PLUG" \
	"[plugin:a]" "module = recorder" "out = $rec" \
	"[plugin:b]" "module = recorder" "out = $rec" \
	"[plugin:x]" "module = init_fails" "out = $out_if" \
	"[plugin:c]" "module = recorder" "out = $rec"
: >"$rec"
td -c "$ini" replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:9: [plugin:x]: init failed (module init_fails)"
check_text "$rec" "recorder lines (init_fails)" \
	"a init mode=1 keys=out checks=ok" "b init mode=1 keys=out checks=ok" \
	"b fini" "a fini"
what="init_fails: fini"
if [ -e "$out_if" ]; then fail "fini was called after a failed init"; else ok; fi
# The recorder failing its own init (fail_init) in the middle.
ini fail_init "[host]" "plugin_dir = $PLUG" \
	"[plugin:a]" "module = recorder" "out = $rec" \
	"[plugin:b]" "module = recorder" "out = $rec" "fail_init = yes" \
	"[plugin:c]" "module = recorder" "out = $rec"
: >"$rec"
td -c "$ini" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:6: [plugin:b]: init failed (module recorder)"
check_text "$rec" "recorder lines (fail_init)" \
	"a init mode=1 keys=out checks=ok" "b init mode=1 keys=out,fail_init checks=ok" \
	"b init-failed" "a fini"

# config_error from init: the key's file and line; for a key left at its
# default, the section's line; for -o, its position.
ini config_error "[host]" "plugin_dir = $PLUG" \
	"[plugin:x]" "module = config_error" "" "level = 0"
td -c "$ini" replay "$stream"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:6: [plugin:x] level: must be positive"
ini config_error_default "[host]" "plugin_dir = $PLUG" \
	"" "[plugin:x]" "module = config_error"
td -c "$ini" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:x] level: must be positive"
td -c "$ini" -o x.claim_success=no -o x.level=-3 replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: -o:2: [plugin:x] level: must be positive"
td -c "$ini" -o x.level=5 replay "$stream"
check_rc 0
check_stderr_empty
# init reports the error yet returns 0: the start fails all the same.
td -c "$ini" -o x.claim_success=yes replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:x] level: must be positive"
# The recorder's required `out`, missing: reported at the section line.
ini no_out "[host]" "plugin_dir = $PLUG" "[plugin:recorder]"
td -c "$ini" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $ini:3: [plugin:recorder] out: required"

finish
