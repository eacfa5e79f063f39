#!/bin/sh
# The logger plugin's `format = text` (the default), through `replay`:
# - hello_world with `timestamps = no`: exactly the lines written out below;
# - with timestamps (the default): each line is an ISO 8601 UTC time with
#   milliseconds, a space, then the same line;
# - every Aurora fixture and every generated stream: the lines follow from
#   the expected events (fixtures/*/NAME.events.jsonl) by the text format's
#   rules, worked out here in jq: `<task_id or -> record <n>: ` then
#   `initialization` and task_id, user, hostname, sandbox; `task STATE`;
#   `process NAME STATE` and seq, coordinator_pid, pid, return_code (each
#   when set); bytes outside printable ASCII as \xHH; unknown states as
#   UNKNOWN_<n>;
# - `output = stderr`; `events = live` in replay leaves nothing out.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

PLUGDIR=$top_builddir/plugins/logger/.libs
if [ ! -f "$PLUGDIR/logger.so" ]; then
	printf '%s: ERROR: plugin not built: %s\n' "$test_name" "$PLUGDIR/logger.so"
	exit 99
fi
# A configuration of our own: neither $THERMOS_DISPATCH_CONFIG nor an
# installed one changes what this test sees.
INI=$tmp/logger.ini
printf '[host]\nplugin_dir = %s\n\n[plugin:logger]\n' "$PLUGDIR" >"$INI"

HELLO=$AUR/hello_world/runner
HELLO_LINES1='- record 0: task ACTIVE'
HELLO_LINES2='hello_world record 1: initialization task_id=hello_world user=wickman hostname=wickman-2.local sandbox=/tmp/thermos.kfezsG/sandbox'
HELLO_LINES3='hello_world record 2: process echo WAITING seq=0'
HELLO_LINES4='hello_world record 3: process echo FORKED seq=1 coordinator_pid=43478'
HELLO_LINES5='hello_world record 4: process echo RUNNING seq=2 pid=43479'
HELLO_LINES6='hello_world record 5: process echo SUCCESS seq=3 return_code=0'
HELLO_LINES7='hello_world record 6: task SUCCESS'
check_hello() {
	# check_hello FILE LABEL
	check_text "$1" "$2" "$HELLO_LINES1" "$HELLO_LINES2" "$HELLO_LINES3" \
		"$HELLO_LINES4" "$HELLO_LINES5" "$HELLO_LINES6" "$HELLO_LINES7"
}

td -c "$INI" -o logger.timestamps=no replay "$HELLO"
check_rc 0
check_stderr_empty
check_hello "$out" stdout

# The same through `format = text` written out, and a boolean spelt `off`.
td -c "$INI" -o logger.format=text -o logger.timestamps=off replay "$HELLO"
check_rc 0
check_stderr_empty
check_hello "$out" stdout

# Timestamps: `2026-11-30T05:41:06.123Z ` before each line.
td -c "$INI" replay "$HELLO"
check_rc 0
check_stderr_empty
TS_RE='^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z '
nts=$(grep -E -c "$TS_RE" "$out")
if [ "$nts" = 7 ]; then ok; else fail "want 7 lines starting with a timestamp, got $nts"; show_file stdout "$out"; fi
newfile
sed -E "s/$TS_RE//" "$out" >"$nf"
check_hello "$nf" "stdout without the timestamps"
# The time is the dispatch time: today, UTC (or yesterday, when the run
# crossed midnight).
stamp_day=$(cut -c1-10 "$out" | sort -u)
today=$(date -u +%Y-%m-%d)
yesterday=$(date -u -d yesterday +%Y-%m-%d 2>/dev/null || echo none)
if [ "$stamp_day" = "$today" ] || [ "$stamp_day" = "$yesterday" ]; then
	ok
else
	fail "timestamp day $stamp_day, want $today"
fi

# output = stderr: the lines there, nothing on stdout.
td -c "$INI" -o logger.timestamps=no -o logger.output=stderr replay "$HELLO"
check_rc 0
check_stdout_empty
check_hello "$err" stderr

# events = live: every record of a replay is live, so every line appears.
# (History, which `live` leaves out, comes from tail and watch; their tests
# cover it.)
td -c "$INI" -o logger.timestamps=no -o logger.events=live replay "$HELLO"
check_rc 0
check_stderr_empty
check_hello "$out" stdout

# --- every fixture: the text lines follow from the expected events ---------
# Queued, then checked in one jq process at the end.
JQ_TEXT='
def esc: explode | map([.] | implode
	| if test("^[ -~]$") then . else @uri | gsub("%(?<h>[0-9A-F]{2})"; "\\x\(.h | ascii_downcase)") end)
	| join("");
def fields($l): $l | map(select(.[1] != null) | " \(.[0])=\(.[1])") | join("");
def text($tid):
	"\(if $tid == "" then "-" else ($tid | esc) end) record \(.record): "
	+ (if .event == "initialization" then
		"initialization" + fields([["task_id", .header.task_id], ["user", .header.user],
			["hostname", .header.hostname], ["sandbox", .header.sandbox]]
			| map(if .[1] != null then [.[0], (.[1] | esc)] else . end))
	elif .event == "task_transition" then "task \(.state)"
	else "process \(.process_status.process | esc) \(.state)"
		+ fields([["seq", .process_status.seq],
			["coordinator_pid", .process_status.coordinator_pid],
			["pid", .process_status.pid], ["return_code", .process_status.return_code]])
	end);
def want($events):
	[foreach ($events | split("\n")[] | select(. != "") | fromjson) as $e ("";
		if $e.event == "initialization" and $e.header.task_id != null
		then $e.header.task_id else . end;
		. as $tid | $e | text($tid))];
$meta[] | . as $m
| ($ARGS.named["e\($m.i)"]) as $events
| if ($events | split("\n") | map(select(. != "") | fromjson) | tostring | test("\ufffd"))
  then empty   # ill-formed bytes: the JSON form cannot tell which they were
  else
	want($events) as $w
	| ($ARGS.named["g\($m.i)"] | rtrimstr("\n") | if . == "" then [] else split("\n") end) as $g
	| if $w == $g then empty
	  else "\($m.i) " + ([range([$w, $g] | map(length) | max)]
		| map(select($w[.] != $g[.])) | first
		| "line \(.): want \($w[.] | tojson), got \($g[.] | tojson)")
	  end
  end
'
ntext=0
: >"$tmp/tx.meta"
: >"$tmp/tx.args"
text_case() {
	# text_case STREAM EVENTS WANT_RC
	td -c "$INI" -o logger.timestamps=no replay "$1"
	check_rc "$3"
	ntext=$((ntext + 1))
	printf '{"i":%d}\n' "$ntext" >>"$tmp/tx.meta"
	printf 'g%d %s\ne%d %s\n' "$ntext" "$out" "$ntext" "$2" >>"$tmp/tx.args"
	eval "tx_what_$ntext=\$what; tx_out_$ntext=\$out"
}
for dir in "$AUR"/*/; do
	dir=${dir%/}
	[ -f "$dir/runner" ] || continue
	text_case "$dir/runner" "$AUREXP/${dir##*/}.events.jsonl" 0
done
for ckpt in "$GEN"/*.ckpt; do
	name=${ckpt%.ckpt}
	if [ -f "$name.error.json" ]; then
		text_case "$ckpt" "$name.events.jsonl" 65
	else
		text_case "$ckpt" "$name.events.jsonl" 0
	fi
done

set --
while IFS= read -r tx_line; do
	set -- "$@" --rawfile "${tx_line%% *}" "${tx_line#* }"
done <"$tmp/tx.args"
if "$JQ" -n -r --slurpfile meta "$tmp/tx.meta" "$@" "$JQ_TEXT" >"$tmp/tx.out" 2>"$tmp/tx.err"; then
	i=1
	while [ "$i" -le "$ntext" ]; do
		if grep -q "^$i " "$tmp/tx.out"; then
			eval "what=\$tx_what_$i; tx_o=\$tx_out_$i"
			fail "text lines differ from the expected events:"
			grep "^$i " "$tmp/tx.out" | sed 's/^[0-9]* /  /'
		else
			ok
		fi
		i=$((i + 1))
	done
else
	what="(the text checks)"
	fail "jq failed:"
	show_file stderr "$tmp/tx.err"
fi

# A few lines written out, so the jq rules above are checked too.
td -c "$INI" -o logger.timestamps=no replay "$GEN/valid-01.ckpt"
check_rc 0
for want in \
	'task-bcb1ccbe record 0: initialization task_id=task-bcb1ccbe user=j\xc3\xbcrgen hostname=agent-91.example sandbox=/var/lib/mesos/sandbox/972' \
	'task-bcb1ccbe record 4: process tab\x09nl\x0ax WAITING seq=0'; do
	if grep -F -x -q -e "$want" "$out"; then ok; else fail "want the line: $want"; show_file stdout "$out"; fi
done
td -c "$INI" -o logger.timestamps=no replay "$GEN/broken-unknown_task_state-0.ckpt"
check_rc 0
want='task-a842522d record 19: task UNKNOWN_42'
if grep -F -x -q -e "$want" "$out"; then ok; else fail "want the line: $want"; show_file stdout "$out"; fi

finish
