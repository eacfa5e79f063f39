#!/bin/sh
# The logger plugin's `format = json` (json.md "Event lines") on every fixture,
# through `replay`:
# - tests/fixtures/aurora/<case>/runner and every tests/fixtures/generated
#   stream: the lines, cut to event, record, state and the update, equal the
#   expected .events.jsonl (parsed); for a broken stream, the lines before the
#   error, and exit 65;
# - every line has exactly the members json.md lists; `source` is the path
#   given; `history` false (replay delivers every record live); offsets
#   strictly increasing and what `dump` says for the same record;
# - task_id: these paths are not .../checkpoints/<id>/runner, so "" before the
#   header and the header's task_id from its line on; a copy laid out as
#   .../checkpoints/my-task/runner gives "my-task" on every line, record 0
#   included; standard input gives source "-".
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

# The module as built (libtool leaves it in .libs), loaded through a
# configuration of our own, so neither $THERMOS_DISPATCH_CONFIG nor an
# installed configuration changes what this test sees.
PLUGDIR=$top_builddir/plugins/logger/.libs
if [ ! -f "$PLUGDIR/logger.so" ]; then
	printf '%s: ERROR: plugin not built: %s\n' "$test_name" "$PLUGDIR/logger.so"
	exit 99
fi
INI=$tmp/logger.ini
printf '[host]\nplugin_dir = %s\n\n[plugin:logger]\nformat = json\n' "$PLUGDIR" >"$INI"

# The event-line checks, queued by check_events and run in one jq process
# at the end (a jq process per stream would double the test's time).  For
# each queued check: the lines G of a replay of SOURCE against the expected
# events E and the dump output D of the same stream; TID: the task_id every
# line must have, or empty for "" until the header's.  Prints "N problem"
# for each problem of check N.
JQ_EVENTS=$JQ_LINES'
def slim: {event, record, state, header, task_status, process_status}
	| with_entries(select(.value != null));
def members: ["event", "record", "offset", "task_id", "source", "history"]
	+ (if .event == "initialization" then ["header"]
	elif .event == "task_transition" then ["state", "task_status"]
	else ["state", "process_status"] end) | sort;
def problems($g; $e; $d; $source; $tid):
	($d | map({key: (.record | tostring), value: .offset}) | from_entries) as $off
	| (if ($g | map(slim)) != ($e | map(slim))
		then "lines (event, record, state, update) differ from the expected events"
		else empty end),
	  ($g[] | select((keys | sort) != members)
		| "record \(.record): members \(keys | sort), want \(members)"),
	  ($g[] | select(.source != $source) | "record \(.record): source \(.source | tojson)"),
	  ($g[] | select(.history != false) | "record \(.record): history \(.history)"),
	  ($g[] | select(.offset != $off[.record | tostring])
		| "record \(.record): offset \(.offset), dump says \($off[.record | tostring])"),
	  ([$g[].offset] | . as $o | range(1; length)
		| select($o[.] <= $o[. - 1]) | "offsets not increasing at line \(.)"),
	  (if $tid != "" then
		($g[] | select(.task_id != $tid)
		| "record \(.record): task_id \(.task_id | tojson), want \($tid | tojson)")
	  else
		(foreach $g[] as $l ("";
			if $l.event == "initialization" and $l.header.task_id != null
			then $l.header.task_id else . end;
			[$l, .])
		| select(.[0].task_id != .[1])
		| "record \(.[0].record): task_id \(.[0].task_id | tojson), want \(.[1] | tojson)")
	  end);
$meta[] | . as $m
| try (problems(lines($ARGS.named["g\($m.i)"]); lines($ARGS.named["e\($m.i)"]);
	lines($ARGS.named["d\($m.i)"]); $m.source; $m.tid) | "\($m.i) \(.)")
  catch "\($m.i) jq: \(.)"
'
nev=0
: >"$tmp/ev.meta"
: >"$tmp/ev.args"

# check_events EXPECTED SOURCE DUMP [TASK_ID]: queues the check of the last
# run's stdout.
check_events() {
	nev=$((nev + 1))
	printf '{"i":%d,"source":%s,"tid":"%s"}\n' "$nev" "$(json_str "$2")" "${4:-}" >>"$tmp/ev.meta"
	printf 'g%d %s\ne%d %s\nd%d %s\n' "$nev" "$out" "$nev" "$1" "$nev" "$3" >>"$tmp/ev.args"
	eval "ev_what_$nev=\$what; ev_out_$nev=\$out; ev_exp_$nev=\$1"
}

# json_str TEXT: TEXT as a JSON string (paths here hold no control
# characters; quotes and backslashes are escaped).
json_str() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')"
}

run_events() {
	[ "$nev" -gt 0 ] || return 0
	set --
	while IFS= read -r re_line; do
		set -- "$@" --rawfile "${re_line%% *}" "${re_line#* }"
	done <"$tmp/ev.args"
	if ! "$JQ" -n -r --slurpfile meta "$tmp/ev.meta" "$@" "$JQ_EVENTS" \
		>"$tmp/ev.out" 2>"$tmp/ev.err"; then
		what="(the event-line checks)"
		fail "jq failed:"
		show_file stderr "$tmp/ev.err"
		return
	fi
	re_i=1
	while [ "$re_i" -le "$nev" ]; do
		if grep -q "^$re_i " "$tmp/ev.out"; then
			eval "what=\$ev_what_$re_i; re_out=\$ev_out_$re_i; re_exp=\$ev_exp_$re_i"
			fail "event lines against $re_exp:"
			grep "^$re_i " "$tmp/ev.out" | head -n 10 | sed 's/^[0-9]* /  /'
			show_file stdout "$re_out"
		else
			ok
		fi
		re_i=$((re_i + 1))
	done
}

# dump_of FILE: sets $dump to a file holding `dump FILE`'s lines (for a
# broken stream, those before the error).
dump_of() {
	newfile
	dump=$nf.dump
	"$TD" dump "$1" >"$dump" 2>/dev/null </dev/null
}

# --- Aurora's real checkpoints ---------------------------------------------
ncases=0
for dir in "$AUR"/*/; do
	dir=${dir%/}
	case_name=${dir##*/}
	runner=$dir/runner
	expected=$AUREXP/$case_name.events.jsonl
	[ -f "$runner" ] || continue
	if [ ! -f "$expected" ]; then
		what="fixture $case_name"
		fail "no expected events $expected"
		continue
	fi
	ncases=$((ncases + 1))
	dump_of "$runner"
	td -c "$INI" replay "$runner"
	check_rc 0
	check_stderr_empty
	check_events "$expected" "$runner" "$dump"
done
what="aurora fixture set"
if [ "$ncases" -ge 7 ]; then ok; else fail "want 7 aurora cases, found $ncases"; fi

# --- the generated conformance streams -------------------------------------
ngen=0
nbroken=0
for ckpt in "$GEN"/*.ckpt; do
	name=${ckpt%.ckpt}
	base=${name##*/}
	ngen=$((ngen + 1))
	dump_of "$ckpt"
	td -c "$INI" replay "$ckpt"
	if [ -f "$name.error.json" ]; then
		# A stream error (torn tails included: replay does not tolerate
		# them unless asked): the events before it are still delivered.
		nbroken=$((nbroken + 1))
		check_rc 65
	else
		check_rc 0
		case $base in valid-*) check_stderr_empty ;; esac
	fi
	check_events "$name.events.jsonl" "$ckpt" "$dump"
done
what="generated fixture set"
if [ "$ngen" -ge 56 ] && [ "$nbroken" -ge 28 ]; then
	ok
else
	fail "want at least 56 generated streams, 28 failing; found $ngen, $nbroken"
fi

# --- task_id from the path --------------------------------------------------
mkdir -p "$tmp/root/checkpoints/my-task"
laid_out=$tmp/root/checkpoints/my-task/runner
cp "$AUR/hello_world/runner" "$laid_out"
dump_of "$laid_out"
td -c "$INI" replay "$laid_out"
check_rc 0
check_stderr_empty
check_events "$AUREXP/hello_world.events.jsonl" "$laid_out" "$dump" my-task

# A runner file whose directory is not in `checkpoints`: the header's id.
mkdir -p "$tmp/root/checkpoints/my-task/sub"
cp "$AUR/hello_world/runner" "$tmp/root/checkpoints/my-task/sub/runner"
td -c "$INI" replay "$tmp/root/checkpoints/my-task/sub/runner"
check_rc 0
check_stderr_empty
check_events "$AUREXP/hello_world.events.jsonl" "$tmp/root/checkpoints/my-task/sub/runner" "$dump"

# --- standard input: source "-" ---------------------------------------------
dump_of "$AUR/ports/runner"
td_in "$AUR/ports/runner" -c "$INI" replay -
check_rc 0
check_stderr_empty
check_events "$AUREXP/ports.events.jsonl" - "$dump"

# --- events = live: in replay every record is live, so nothing is left out.
# (The history side is for tail/watch, whose tests cover it.)
dump_of "$AUR/failure/runner"
td -c "$INI" -o logger.events=live replay "$AUR/failure/runner"
check_rc 0
check_stderr_empty
check_events "$AUREXP/failure.events.jsonl" "$AUR/failure/runner" "$dump"

# Two files in one replay: each its own stream, lines in order, each with
# its own source and task_id.
td -c "$INI" replay "$AUR/hello_world/runner" "$laid_out"
check_rc 0
check_stderr_empty
jq_check "$out" 'length == 14
	and ([.[:7][] | .source] | unique) == ["'"$AUR/hello_world/runner"'"]
	and ([.[7:][] | .source] | unique) == ["'"$laid_out"'"]
	and ([.[7:][] | .task_id] | unique) == ["my-task"]
	and .[0].task_id == "" and .[6].task_id == "hello_world"
	and ([.[].record] == ([range(7)] + [range(7)]))' \
	"two files: want 7 + 7 lines, each with its own source and task_id"

run_events
finish
