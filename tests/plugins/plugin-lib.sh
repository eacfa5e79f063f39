# Helpers of the plugin host tests (tests/test-plugin-*.sh,
# tests/test-config-*.sh), sourced after tests/e2e-lib.sh.
#
# The host refuses a module whose file or directories are writable by group
# or others or owned by another user (handler-abi.md "Loading"), and the
# build tree may be either (a umask of 002, a shared CI workspace).  So the
# test modules are copied into $PLUG, a private directory under /tmp (the
# tests pin TMPDIR=/tmp before sourcing e2e-lib.sh: /tmp is sticky), with
# modes 755 and 644.

: "${TD_PLUGIN_LIBS:=$top_builddir/tests/plugins/.libs}"

if [ ! -f "$TD_PLUGIN_LIBS/recorder.so" ]; then
	printf '%s: ERROR: test plugins not built: %s/recorder.so\n' "$test_name" "$TD_PLUGIN_LIBS"
	exit 99
fi

if [ ! -k /tmp ]; then
	printf '%s: ERROR: /tmp is not sticky: the host would refuse modules under it\n' "$test_name"
	exit 99
fi

# The real path of $tmp: the host names files by their resolved paths.
tmp=$(cd "$tmp" && pwd -P)
PLUG=$tmp/plugins
mkdir "$PLUG" || exit 99
for pl_so in "$TD_PLUGIN_LIBS"/*.so; do
	cp "$pl_so" "$PLUG/" || exit 99
done
chmod 755 "$PLUG"
chmod 644 "$PLUG"/*.so

# ini NAME LINE...: writes the lines to $tmp/NAME.ini; its path in $ini.
ini() {
	ini=$tmp/$1.ini
	shift
	printf '%s\n' "$@" >"$ini"
}

# check_file_eq EXPECTED GOT LABEL: the two files are equal, byte for byte.
check_file_eq() {
	if cmp -s "$1" "$2"; then
		ok
	else
		fail "$3 differs (- want, + got):"
		show_diff "$1" "$2"
	fi
}

# mask_close FILE: on_stream_close lines with their record and offset
# replaced by '*' (the spec does not say which record a close names).
mask_close() {
	sed -E '/^[^ ]+ on_stream_close /s/ record=[0-9]+ offset=[0-9]+ / record=* offset=* /' "$1"
}

# The recorder's lines for streams, from the expected event lines (the
# fixtures': one line per universal callback) and the streams' dumps (for
# the offsets).  $specs is an array of {events, dump, src, pathid, err,
# inst}: the files' names; the path given to replay; the task id the path
# gives, or null; null, or {record, offset, reason} where the stream stops
# with an error; the instance names in configuration order.  The event
# and dump files are read as inputs (grouped by input_filename).  See
# tests/plugins/recorder.c for the line forms.
JQ_EXPECT='
def hex2: "0123456789abcdef" as $h | $h[(./16|floor):(./16|floor)+1] + $h[(.%16):(.%16)+1];
def utf8: explode | map(
	if . < 128 then [.]
	elif . < 2048 then [192 + (./64|floor), 128 + (.%64)]
	elif . < 65536 then [224 + (./4096|floor), 128 + ((./64|floor)%64), 128 + (.%64)]
	else [240 + (./262144|floor), 128 + ((./4096|floor)%64), 128 + ((./64|floor)%64), 128 + (.%64)] end)
	| add // [];
def esc: utf8 | map(if . > 32 and . < 127 and . != 92 then [.] | implode else "\\x" + hex2 end) | join("");
def pstate: {"WAITING":0,"FORKED":1,"RUNNING":2,"SUCCESS":3,"KILLED":4,"FAILED":5,"LOST":6}[.];
def tstate: {"ACTIVE":0,"SUCCESS":1,"FAILED":2,"KILLED":3,"LOST":4,"CLEANING":5,"FINALIZING":6}[.];
def num($f): if type == "string" and startswith("UNKNOWN_") then .[8:] | tonumber else $f end;
def stream($sp; $ev; $dump):
	($sp.inst) as $inst
	| ($sp.src | esc) as $esrc
	| ($sp.pathid) as $pathid
	| ($sp.err) as $err
	| ($dump | map({(.record | tostring): .offset}) | add // {}) as $offsets
	| def prefix($m; $cb; $rec; $off):
		" \($cb) record=\($rec) offset=\($off) history=0 task_id=\($m.tid) source=\($esrc)";
	  def digest($m): " hdr=\($m.hdr) ts=\($m.ts) last_ts=\($m.last_ts) pc=\($m.procs | length) checks=ok";
	{tid: ($pathid // "" | esc), hdr: "-", ts: 0, last_ts: "-", procs: [], runs: {}} as $m0
	| ($inst[] + prefix($m0; "on_stream_open"; 0; 0) + digest($m0)),
	  foreach ($ev[], {end: true}) as $e ({m: $m0, out: []};
		.m as $m
		| if $e.end then
			(if $err then [$inst[] + prefix($m; "on_stream_error"; $err.record; $err.offset) + digest($m) + " reason=\($err.reason)"] else [] end)
			+ [$inst[] + prefix($m; "on_stream_close"; "*"; "*") + digest($m)]
			| {m: $m, out: .}
		else
			$offsets[$e.record | tostring] as $off
			| if $e.event == "initialization" then
				($e.header.task_id // "" | esc) as $htid
				| ($m | .hdr = $htid | .tid = (if $pathid then .tid else $htid end)) as $n
				| {m: $n, out: [$inst[] + prefix($n; "on_initialization"; $e.record; $off)
					+ " hdr_task_id=\($htid) ports=\($e.header.ports // {} | length)" + digest($n)]}
			elif $e.event == "process_transition" then
				$e.process_status as $p
				| ($p.state | pstate) as $s
				| ($m | (if (.procs | index([$p.process])) == null then .procs += [$p.process] else . end)
					| .runs[$p.process] += (if $s == 0 then 1 else 0 end)) as $n
				| (" state=\($s) process=\($p.process | esc) seq=\($p.seq) pidx=\($n.procs | index([$p.process])) runs=\($n.runs[$p.process]) run_state=\($s) run_seq=\($p.seq)" + digest($n)) as $body
				| {m: $n, out: ([$inst[] + prefix($n; "on_process_transition"; $e.record; $off) + $body]
					+ [$inst[] + prefix($n; "on_process_\($e.state | ascii_downcase)"; $e.record; $off) + $body])}
			elif $e.event == "task_transition" then
				($e.task_status.state | num(tstate)) as $s
				| ($m | .ts += 1 | .last_ts = $s) as $n
				| (" state=\($s) timestamp_ms=\($e.task_status.timestamp_ms // "-")" + digest($n)) as $body
				| {m: $n, out: ([$inst[] + prefix($n; "on_task_transition"; $e.record; $off) + $body]
					+ (if ($e.state | tstate) == null then []
					   else [$inst[] + prefix($n; "on_task_\($e.state | ascii_downcase)"; $e.record; $off) + $body] end))}
			else error("unknown event \($e.event)") end
		end;
		.out[]);
(reduce inputs as $x ({}; .[input_filename] += [$x])) as $files
| $specs[] | stream(.; $files[.events] // []; $files[.dump] // [])
'

# expect_stream EVENTS DUMP SRC PATHID ERR INST...: queues the expected
# recorder lines of one stream (PATHID "" when the path gives none, ERR ""
# or a JSON {record, offset, reason}); expect_flush writes the lines of
# every queued stream to $expect, in order.
: >"$tmp/expect.specs"
: >"$tmp/expect.files"
expect_stream() {
	es_events=$1
	es_dump=$2
	es_src=$3
	es_pathid=${4:-null}
	es_err=${5:-null}
	shift 5
	printf '%s\n%s\n' "$es_events" "$es_dump" >>"$tmp/expect.files"
	# Written by the shell (a jq process per stream would be slow); the
	# names are JSON-escaped by json_str.
	es_insts=
	for es_i in "$@"; do
		es_insts="$es_insts${es_insts:+,}$(json_str "$es_i")"
	done
	[ "$es_pathid" = null ] || es_pathid=$(json_str "$es_pathid")
	printf '{"events":%s,"dump":%s,"src":%s,"pathid":%s,"err":%s,"inst":[%s]}\n' \
		"$(json_str "$es_events")" "$(json_str "$es_dump")" "$(json_str "$es_src")" \
		"$es_pathid" "$es_err" "$es_insts" >>"$tmp/expect.specs"
}

# json_str TEXT: TEXT as a JSON string (for paths and names: backslashes
# and quotes escaped; control characters are not expected).
json_str() {
	case $1 in
	*[\\\"]*) printf '"%s"' "$(printf '%s' "$1" | sed 's/[\\"]/\\&/g')" ;;
	*) printf '"%s"' "$1" ;;
	esac
}

expect_flush() {
	set --
	while IFS= read -r ef_f; do
		set -- "$@" "$ef_f"
	done <<EOF
$(sort -u "$tmp/expect.files")
EOF
	if ! "$JQ" -n -r --slurpfile specs "$tmp/expect.specs" "$JQ_EXPECT" "$@" \
		>>"$expect" 2>"$tmp/jq-expect.err"; then
		printf '%s: ERROR: jq failed:\n' "$test_name"
		cat "$tmp/jq-expect.err"
		exit 99
	fi
	: >"$tmp/expect.specs"
	: >"$tmp/expect.files"
}

# dump_of FILE: `thermos-dispatch dump FILE` into $tmp/dump.N; its path in
# $dumpf (the dump of a broken stream stops at its error).
ndumps=0
dump_of() {
	ndumps=$((ndumps + 1))
	dumpf=$tmp/dump.$ndumps
	"$TD" dump "$1" >"$dumpf" 2>/dev/null
}
