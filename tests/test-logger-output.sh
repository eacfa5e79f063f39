#!/bin/sh
# The logger plugin's output and configuration, through `replay` and `check`:
# - `output = FILE`: created (0644 under umask 022) and appended to: two runs,
#   the lines twice; nothing on stdout; two instances of the module each
#   write their own file in their own format;
# - a failed write is a callback error: output /dev/full with on_error =
#   abort exits 70 naming the failure; with continue (the default) the
#   reason once, a warning, and at the end the count of failed callbacks,
#   exit 70; with disable, the same count, exit 70;
# - configuration errors exit 78 with the host's exact line: an unknown key,
#   a bad enum or boolean value, an output in a missing directory or on a
#   directory (as `-o` and as a file line);
# - `check` validates `output` without creating it.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

PLUGDIR=$top_builddir/plugins/logger/.libs
if [ ! -f "$PLUGDIR/logger.so" ]; then
	printf '%s: ERROR: plugin not built: %s\n' "$test_name" "$PLUGDIR/logger.so"
	exit 99
fi
# A configuration of our own: neither $THERMOS_DISPATCH_CONFIG nor an
# installed one changes what this test sees.  [plugin:logger] is on line 4.
INI=$tmp/logger.ini
printf '[host]\nplugin_dir = %s\n\n[plugin:logger]\n' "$PLUGDIR" >"$INI"
umask 022

HELLO=$AUR/hello_world/runner
PFX=thermos-dispatch
lines_of() { wc -l <"$1" | tr -d ' '; }
ACCEPTS='(module logger accepts: format, output, timestamps, events)'

# --- output = FILE, appended -------------------------------------------------
log=$tmp/out/hello.log
mkdir -p "$tmp/out"
td -c "$INI" -o logger.output="$log" -o logger.timestamps=no replay "$HELLO"
check_rc 0
check_stdout_empty
check_stderr_empty
td -c "$INI" -o logger.timestamps=no replay "$HELLO"
hello_text=$out
newfile
twice=$nf
cat "$hello_text" "$hello_text" >"$twice"
td -c "$INI" -o logger.output="$log" -o logger.timestamps=no replay "$HELLO"
check_rc 0
check_stdout_empty
check_stderr_empty
what="output file after two runs"
if cmp -s "$twice" "$log"; then ok; else fail "want the lines twice"; show_diff "$twice" "$log"; fi
case $(ls -l "$log") in
-rw-r--r--*) ok ;;
*) fail "want mode 0644: $(ls -l "$log")" ;;
esac

# A relative path is relative to the working directory.
what="output = a relative path"
if (cd "$tmp/out" && "$TD" -c "$INI" -o logger.output=rel.log -o logger.timestamps=no \
	replay "$HELLO" </dev/null >/dev/null 2>&1) && cmp -s "$hello_text" "$tmp/out/rel.log"; then
	ok
else
	fail "want the lines in $tmp/out/rel.log"
fi

# The file may also come from the configuration file, as JSON.
printf '[host]\nplugin_dir = %s\n\n[plugin:logger]\nformat = json\noutput = %s\n' \
	"$PLUGDIR" "$tmp/out/hello.jsonl" >"$tmp/json.ini"
td -c "$tmp/json.ini" replay "$HELLO"
check_rc 0
check_stdout_empty
check_stderr_empty
td -c "$tmp/json.ini" -o logger.output=- replay "$HELLO"
jsonl_eq "$out" "$tmp/out/hello.jsonl" "output file"

# Two instances of the module: each its own file, format and context.
printf '[host]\nplugin_dir = %s\n\n[plugin:a]\nmodule = logger\ntimestamps = no\noutput = %s\n\n[plugin:b]\nmodule = logger\nformat = json\noutput = %s\n' \
	"$PLUGDIR" "$tmp/out/a.log" "$tmp/out/b.jsonl" >"$tmp/two.ini"
td -c "$tmp/two.ini" replay "$HELLO" "$GEN/valid-02.ckpt"
check_rc 0
check_stdout_empty
check_stderr_empty
td -c "$INI" -o logger.timestamps=no replay "$HELLO" "$GEN/valid-02.ckpt"
what="instance a (text)"
if cmp -s "$out" "$tmp/out/a.log"; then ok; else fail "differs from a text replay"; show_diff "$out" "$tmp/out/a.log"; fi
td -c "$tmp/json.ini" -o logger.output=- replay "$HELLO" "$GEN/valid-02.ckpt"
jsonl_eq "$out" "$tmp/out/b.jsonl" "instance b (json)"

# --- a stream whose lines pass the 64 KiB buffer several times --------------
# 4003 records (1000 runs of one process), about 850 KiB of JSON lines: the
# buffer is written out in the middle of the stream, not only at its end.
big=$tmp/big.ckpt
"$JQ" -n -c '{task_status: {state: "ACTIVE", timestamp_ms: 1000, runner_pid: 1, runner_uid: 0}},
	{header: {task_id: "big", launch_time_ms: 1000, sandbox: "/s", hostname: "h", user: "u", ports: {}}},
	(range(1000) as $r
	| {process_status: {seq: (4 * $r), process: "p", state: "WAITING"}},
	  {process_status: {seq: (4 * $r + 1), process: "p", state: "FORKED", coordinator_pid: (100 + $r), fork_time: (1000.5 + $r)}},
	  {process_status: {seq: (4 * $r + 2), process: "p", state: "RUNNING", pid: (200 + $r), start_time: (1000.75 + $r)}},
	  {process_status: {seq: (4 * $r + 3), process: "p", state: "SUCCESS", return_code: 0, stop_time: (1001 + $r)}}),
	{task_status: {state: "SUCCESS", timestamp_ms: 3000}}' | "$TD" encode >"$big" || exit 99
td dump "$big"
big_dump=$out
td -c "$INI" -o logger.format=json -o logger.output="$tmp/out/big.jsonl" replay "$big"
check_rc 0
check_stdout_empty
check_stderr_empty
jq_check "$tmp/out/big.jsonl" 'length == 4003 and ([.[].record] == [range(4003)])' \
	"big stream: want 4003 lines, records 0 to 4002 in order"
events_match "$big_dump" "$tmp/out/big.jsonl"
td -c "$INI" -o logger.timestamps=no -o logger.output="$tmp/out/big.log" replay "$big"
check_rc 0
check_stderr_empty
what="big stream, text"
nbig=$(grep -c -E '^(-|big) record [0-9]+: (task|initialization|process p) ' "$tmp/out/big.log")
if [ "$nbig" = 4003 ] && [ "$(lines_of "$tmp/out/big.log")" = 4003 ]; then
	ok
else
	fail "want 4003 well-formed lines, got $nbig of $(lines_of "$tmp/out/big.log")"
fi

# --- a failed write is a callback error ------------------------------------
if [ -c /dev/full ]; then
	full_reason="$PFX: logger: write to /dev/full: No space left on device"
	td -c "$INI" -o logger.output=/dev/full -o logger.on_error=abort replay "$HELLO"
	check_rc 70
	check_stdout_empty
	check_stderr "$full_reason" \
		"$PFX: logger: on_stream_close failed at $HELLO record 6; aborting (on_error = abort)"

	# Abort stops the replay: the second file is not read.
	td -c "$INI" -o logger.output=/dev/full -o logger.on_error=abort replay "$HELLO" "$tmp/nonexistent"
	check_rc 70
	check_stderr "$full_reason" \
		"$PFX: logger: on_stream_close failed at $HELLO record 6; aborting (on_error = abort)"

	td -c "$INI" -o logger.output=/dev/full replay "$HELLO"
	check_rc 70
	check_stdout_empty
	check_stderr "$full_reason" \
		"$PFX: warning: logger: on_stream_close failed at $HELLO record 6" \
		"$PFX: logger: 1 callback failed"

	td -c "$INI" -o logger.output=/dev/full -o logger.on_error=disable replay "$HELLO" "$HELLO"
	check_rc 70
	check_stderr "$full_reason" \
		"$PFX: logger: on_stream_close failed at $HELLO record 6; instance disabled (on_error = disable)" \
		"$PFX: logger: 1 callback failed"

	# A full buffer fails in the middle of a stream: the callback whose line
	# filled it fails, and abort stops there.
	td -c "$INI" -o logger.format=json -o logger.output=/dev/full -o logger.on_error=abort replay "$big"
	check_rc 70
	check_stdout_empty
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		case $n:$line in
		"1:$full_reason") ;;
		"2:$PFX: logger: on_process_transition failed at $big record "[0-9]*"; aborting (on_error = abort)") ;;
		*) n=99 ;;
		esac
	done <"$err"
	if [ "$n" = 2 ]; then ok; else fail "want the reason, then on_process_transition failed ... aborting"; show_file stderr "$err"; fi

	# Many failed writes: the reason is logged once, not per write.  (The
	# host's own warnings are at most one a second, so their number depends
	# on the speed of the run.)
	td -c "$INI" -o logger.output=/dev/full -o logger.format=json replay "$GEN"/valid-*.ckpt
	check_rc 70
	check_stdout_empty
	nreason=$(grep -c -F -x -e "$full_reason" "$err")
	nwarn=$(grep -c "^$PFX: warning: logger: on_stream_close failed at " "$err")
	nall=$(wc -l <"$err" | tr -d ' ')
	nfiles=$(ls "$GEN"/valid-*.ckpt | wc -l | tr -d ' ')
	if [ "$nreason" = 1 ] && [ "$nwarn" -ge 1 ] && [ "$nall" = $((nwarn + 2)) ] &&
		tail -n 1 "$err" | grep -q -E "^$PFX: logger: $nfiles callbacks failed \([0-9]+ not logged: at most one line a second\)\$"; then
		ok
	else
		fail "want the reason once, the host's warnings and the count of $nfiles: reason $nreason, warnings $nwarn, lines $nall"
		show_file stderr "$err"
	fi
else
	what="/dev/full"
	printf '%s: note: no /dev/full here: write failures not tested\n' "$test_name"
fi

# --- configuration errors ---------------------------------------------------
td -c "$INI" -o logger.colour=red replay "$HELLO"
check_rc 78
check_stdout_empty
check_stderr "$PFX: -o:1: [plugin:logger] colour: unknown key $ACCEPTS"

td -c "$INI" -o logger.timestamps=no -o logger.format=xml replay "$HELLO"
check_rc 78
check_stdout_empty
check_stderr "$PFX: -o:2: [plugin:logger] format: expected one of text|json, not 'xml'"

td -c "$INI" -o logger.events=history replay "$HELLO"
check_rc 78
check_stderr "$PFX: -o:1: [plugin:logger] events: expected one of all|live, not 'history'"

td -c "$INI" -o logger.timestamps=maybe replay "$HELLO"
check_rc 78
check_stderr "$PFX: -o:1: [plugin:logger] timestamps: expected a boolean (yes/no, true/false, on/off, 1/0), not 'maybe'"

td -c "$INI" -o logger.output= replay "$HELLO"
check_rc 78
check_stderr "$PFX: -o:1: [plugin:logger] output: expected a path, not ''"

missing=$tmp/missing/dir/x.log
td -c "$INI" -o logger.output="$missing" replay "$HELLO"
check_rc 78
check_stdout_empty
check_stderr "$PFX: -o:1: [plugin:logger] output: $missing: No such file or directory"
what="no directory created"
if [ -e "$tmp/missing" ]; then fail "$tmp/missing exists"; else ok; fi

td -c "$INI" -o logger.output="$tmp/out" replay "$HELLO"
check_rc 78
check_stderr "$PFX: -o:1: [plugin:logger] output: $tmp/out: Is a directory"

# The same from a file: its line.
printf '[host]\nplugin_dir = %s\n\n[plugin:logger]\nformat = json\noutput = %s\n' \
	"$PLUGDIR" "$missing" >"$tmp/bad.ini"
td -c "$tmp/bad.ini" replay "$HELLO"
check_rc 78
check_stderr "$PFX: $tmp/bad.ini:6: [plugin:logger] output: $missing: No such file or directory"

# Every problem of a file at once, in `check`.
printf '[host]\nplugin_dir = %s\n\n[plugin:logger]\ncolour = red\nformat = xml\n' \
	"$PLUGDIR" >"$tmp/bad2.ini"
td -c "$tmp/bad2.ini" check
check_rc 78
check_stdout_empty
check_stderr "$PFX: $tmp/bad2.ini:5: [plugin:logger] colour: unknown key $ACCEPTS" \
	"$PFX: $tmp/bad2.ini:6: [plugin:logger] format: expected one of text|json, not 'xml'"

# --- check: validates output, creates nothing ------------------------------
td -c "$INI" -o logger.output="$missing" check
check_rc 78
check_stdout_empty
check_stderr "$PFX: -o:1: [plugin:logger] output: $missing: No such file or directory"

td -c "$INI" -o logger.output="$tmp/out" check
check_rc 78
check_stderr "$PFX: -o:1: [plugin:logger] output: $tmp/out: Is a directory"

fine=$tmp/out/check.log
td -c "$INI" -o logger.output="$fine" -o logger.format=json check
check_rc 0
check_stderr_empty
check_stdout "$INI: configuration ok, 1 plugin instance enabled"
what="check creates no output file"
if [ -e "$fine" ]; then fail "$fine was created"; else ok; fi

# An existing file is fine and left alone.
td -c "$INI" -o logger.output="$log" check
check_rc 0
check_stderr_empty
what="check leaves an existing output alone"
if cmp -s "$twice" "$log"; then ok; else fail "$log changed"; fi

# A directory that cannot be written to (not as root: root writes anyway).
if [ "$(id -u)" != 0 ]; then
	mkdir "$tmp/ro"
	chmod 555 "$tmp/ro"
	td -c "$INI" -o logger.output="$tmp/ro/x.log" check
	check_rc 78
	check_stderr "$PFX: -o:1: [plugin:logger] output: $tmp/ro/x.log: Permission denied"
	td -c "$INI" -o logger.output="$tmp/ro/x.log" replay "$HELLO"
	check_rc 78
	check_stderr "$PFX: -o:1: [plugin:logger] output: $tmp/ro/x.log: Permission denied"
fi

# stdout and stderr are valid outputs for check too.
td -c "$INI" -o logger.output=stderr check
check_rc 0
check_stderr_empty

finish
