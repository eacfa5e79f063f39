#!/bin/sh
# Reading the configuration file (thermos-dispatch.ini(5)): what inih
# would silently get wrong is either honoured exactly or refused with the
# file (and line), exit 78:
# - a file that is not a regular one (/dev/zero, a FIFO) or larger than
#   1 MiB is refused before it is read; 1 MiB exactly is read; /dev/null
#   is the empty configuration;
# - spaces inside a section's brackets ("[ host ]") are dropped;
# - a UTF-8 byte-order mark at the start is skipped;
# - a section name longer than inih keeps (49 characters) is kept whole,
#   so two long instance names stay two instances;
# - a NUL byte in a line is refused (never a value cut at it).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
rec=$tmp/rec
ACCEPTS="unknown key (module recorder accepts: out, fail_on, fail_init, log_message)"

# td_bounded ARGS...: as td, killed after a while: a host that reads a
# FIFO or /dev/zero through would never end (exit 124 then).
bound=$((10 * ${TD_TIME_SCALE:-1}))
td_bounded() {
	what="thermos-dispatch $*"
	newfile
	out=$nf.out
	err=$nf.err
	timeout -k 2 "$bound" "$TD" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}

# refused FILE LINE...: check and replay with -c FILE fail with exactly
# these stderr lines, exit 78, nothing on stdout.
refused() {
	rf_file=$1
	shift
	td_bounded -c "$rf_file" check
	check_rc 78
	check_stdout_empty
	check_stderr "$@"
	td_bounded -c "$rf_file" replay "$stream"
	check_rc 78
	check_stdout_empty
	check_stderr "$@"
}

# --- what the file is -------------------------------------------------------
refused /dev/zero "thermos-dispatch: /dev/zero: not a regular file"
mkfifo "$tmp/fifo"
refused "$tmp/fifo" "thermos-dispatch: $tmp/fifo: not a regular file"
td_bounded -c /dev/null check
check_rc 0
check_stdout "/dev/null: configuration ok, 0 plugin instances enabled"
check_stderr_empty
# sized FILE BYTES: a valid configuration padded with comment lines to
# exactly BYTES bytes.
sized() {
	{
		printf '[host]\nplugin_dir = %s\n[plugin:r]\nmodule = recorder\nout = %s\n' "$PLUG" "$rec"
		yes '; padding padding padding padding padding padding padding padding'
	} | head -c "$2" >"$1"
}
sized "$tmp/big.ini" 1048577
refused "$tmp/big.ini" "thermos-dispatch: $tmp/big.ini: larger than 1048576 bytes (1 MiB)"
sized "$tmp/max.ini" 1048576
td -c "$tmp/max.ini" check
check_rc 0
check_stderr_empty
check_stdout "$tmp/max.ini: configuration ok, 1 plugin instance enabled"

# --- spaces inside the brackets -----------------------------------------------
ini spaces "[ host ]" "plugin_dir = $PLUG" "bogus = 1" "[plugin:r]" \
	"module = recorder" "out = $rec"
refused "$ini" "thermos-dispatch: $ini:3: [host] bogus: unknown key"
ini spaces "[host]" "plugin_dir = $PLUG" "[  plugin:r	]" \
	"module = recorder" "out = $rec" "wrong = 1"
refused "$ini" "thermos-dispatch: $ini:6: [plugin:r] wrong: $ACCEPTS"
ini spaces_ok "[ host ]" "plugin_dir = $PLUG" "[ plugin:r ]" \
	"module = recorder" "out = $rec"
: >"$rec"
td -c "$ini" replay "$stream"
check_rc 0
check_stderr_empty
what="replay with [ plugin:r ]: the recorder was called"
if grep -q '^r on_stream_open ' "$rec"; then ok; else fail "no on_stream_open in $rec"; fi

# --- a byte-order mark ----------------------------------------------------------
bom=$tmp/bom.ini
printf '\357\273\277[plugin:r]\nmodule = recorder\nout = %s\nwrong = 1\n[host]\nplugin_dir = %s\n' \
	"$rec" "$PLUG" >"$bom"
refused "$bom" "thermos-dispatch: $bom:4: [plugin:r] wrong: $ACCEPTS"

# --- long section names -----------------------------------------------------------
long=instance_with_a_name_far_longer_than_the_fifty_characters_inih_keeps
ini long "[host]" "plugin_dir = $PLUG" \
	"[plugin:${long}_1]" "module = recorder" "out = $tmp/rec1" \
	"[plugin:${long}_2]" "module = recorder" "out = $tmp/rec2"
td -c "$ini" check
check_rc 0
check_stderr_empty
check_stdout "$ini: configuration ok, 2 plugin instances enabled"
ini long_bad "[host]" "plugin_dir = $PLUG" \
	"[plugin:${long}_1]" "module = recorder" "out = $tmp/rec1" "wrong = 1"
refused "$ini" "thermos-dispatch: $ini:6: [plugin:${long}_1] wrong: $ACCEPTS"

# --- a NUL byte -------------------------------------------------------------------
nul=$tmp/nul.ini
printf '[host]\nplugin_dir = %s\n[plugin:r]\nmodule = recorder\nout = %s\nlog_message = a\000b\n' \
	"$PLUG" "$rec" >"$nul"
refused "$nul" "thermos-dispatch: $nul:6: a NUL byte in the line"

finish
