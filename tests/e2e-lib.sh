# Shared helpers for the end-to-end tests of thermos-dispatch (POSIX sh).
# Sourced by tests/test-*.sh, which `make check` runs with top_srcdir,
# top_builddir, THERMOS_DISPATCH and JQ in the environment (tests/local.mk).
#
# Exit status of a test: 0 all checks passed, 1 a check failed, 77 not
# applicable here (skip), 99 the test itself could not run (hard error).
#
# Conventions: `td ARGS...` runs the binary with stdout in $out, stderr in
# $err and the exit status in $rc; the check_* helpers compare them and count
# failures; `finish` ends the test.  JSON is always compared parsed (jq),
# never as text.

if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
fi
: "${top_builddir:=$top_srcdir}"
: "${THERMOS_DISPATCH:=$top_builddir/thermos-dispatch}"
: "${JQ:=jq}"
TD=$THERMOS_DISPATCH
FIX=$top_srcdir/tests/fixtures
GEN=$FIX/generated
AUR=$FIX/aurora
AUREXP=$FIX/aurora-expected
LIMIT=67108864

# A fixed locale: output must not depend on it anyway (json.md).
LC_ALL=C
export LC_ALL

failures=0
checks=0
test_name=$(basename "$0" .sh)

if [ ! -x "$TD" ]; then
	printf '%s: ERROR: binary not found: %s\n' "$test_name" "$TD"
	exit 99
fi
# jq is a test-only dependency: without it the end-to-end tests are
# skipped (configure says so), except in CI, where all must run.
if ! "$JQ" -n 'true' >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		printf '%s: ERROR: jq not usable: %s\n' "$test_name" "$JQ"
		exit 99
	fi
	printf '%s: SKIP: jq not found (Debian package jq)\n' "$test_name"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-e2e.XXXXXX") || {
	printf '%s: ERROR: mktemp -d failed\n' "$test_name"
	exit 99
}
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
rc=0
# What the current check is about (printed with every failure).
what=

# With TD_VALGRIND set (`make check-valgrind`), every run of the binary,
# by the test or by a helper it starts, goes through valgrind: $TD and
# $THERMOS_DISPATCH name a wrapper that execs it (same PID, so signals and
# $! still reach the host).  Each run logs to a file of its own, and
# `finish` fails the test on any report, whatever the exit status was.
# A run that is meant to die (a plugin calling abort()) leaves memory
# behind by design: the test exports TD_VALGRIND_LEAK_CHECK=no around it,
# and memory errors are still reported.
# The binary itself, whatever wraps $TD below.
TD_REAL=$TD
vg_dir=
# vg_wrap BINARY WRAPPER: writes WRAPPER, a script that execs BINARY under
# valgrind (TD_VALGRIND runs only).  --vgdb=no: no gdbserver, so no
# /tmp/vgdb-pipe-* file, which a run killed with -9 leaves behind and a
# later run of another user with the same pid could not replace.
vg_wrap() {
	cat >"$2" <<EOF
#!/bin/sh
exec $vg -q --vgdb=no --error-exitcode=1 --leak-check=\${TD_VALGRIND_LEAK_CHECK:-full} --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible --num-callers=30 $vg_supp --log-file=$vg_dir/%p.log "$1" "\$@"
EOF
	chmod 755 "$2"
}
if [ -n "${TD_VALGRIND:-}" ]; then
	vg=${VALGRIND:-valgrind}
	if ! "$vg" --version >/dev/null 2>&1; then
		printf '%s: ERROR: TD_VALGRIND is set but valgrind is not usable: %s\n' "$test_name" "$vg"
		exit 99
	fi
	vg_dir=$tmp/valgrind
	mkdir "$vg_dir" || exit 99
	# The suppression files are copied beside the wrapper: a run as another
	# user may not be able to enter the checkout.
	vg_supp=
	vg_n=0
	for f in "$top_srcdir/tests/valgrind.supp" /usr/share/glib-2.0/valgrind/glib.supp; do
		[ -f "$f" ] || continue
		vg_n=$((vg_n + 1))
		cp "$f" "$vg_dir/supp$vg_n" && chmod 644 "$vg_dir/supp$vg_n" || exit 99
		vg_supp="$vg_supp --suppressions=$vg_dir/supp$vg_n"
	done
	vg_wrap "$TD" "$vg_dir/thermos-dispatch"
	# Sticky and writable by all: a test may run the binary as another user.
	chmod 1777 "$vg_dir"
	TD=$vg_dir/thermos-dispatch
	THERMOS_DISPATCH=$TD
	export THERMOS_DISPATCH
fi

# vg_check: one failed check per valgrind log with a report in it.
vg_check() {
	[ -n "$vg_dir" ] || return 0
	for vl in "$vg_dir"/*.log; do
		[ -s "$vl" ] || continue
		failures=$((failures + 1))
		printf 'FAIL: valgrind reported errors (%s):\n' "$(basename "$vl")"
		sed 's/^/  | /' "$vl"
	done
}

# Every output goes to a file of its own, kept to the end: JSON checks are
# deferred and run in one jq process at `finish` (starting jq for each
# check would make the tests slow).
nfiles=0
newfile() {
	# newfile: sets $nf to a fresh path in $tmp.
	nfiles=$((nfiles + 1))
	nf=$tmp/f$nfiles
}

# td ARGS...: run the binary, stdin from /dev/null; stdout in the file
# $out, stderr in $err, exit status in $rc.
td() {
	what="thermos-dispatch $*"
	newfile
	out=$nf.out
	err=$nf.err
	"$TD" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}

# td_lim KIB ARGS...: as td, under `ulimit -v KIB` (an address-space
# limit, so that an allocation a hostile input asks for fails the test
# instead of passing unnoticed).  The limit is not applied to a sanitizer
# build (ASan reserves terabytes of address space), under valgrind, or
# when TD_NO_ULIMIT is set ($use_ulimit is empty then).
use_ulimit=1
if [ -n "${TD_NO_ULIMIT:-}" ] || [ -n "$vg_dir" ] || { command -v ldd >/dev/null 2>&1 && ldd "$TD_REAL" 2>/dev/null | grep -q -E 'libasan|libtsan|libmsan'; }; then
	use_ulimit=
fi
td_lim() {
	tl_kib=$1
	shift
	what="(ulimit -v $tl_kib) thermos-dispatch $*"
	newfile
	out=$nf.out
	err=$nf.err
	if [ -n "$use_ulimit" ]; then
		(ulimit -v "$tl_kib" && exec "$TD" "$@") </dev/null >"$out" 2>"$err"
	else
		"$TD" "$@" </dev/null >"$out" 2>"$err"
	fi
	rc=$?
}

# td_in INPUT ARGS...: run the binary with stdin from the file INPUT.
td_in() {
	td_input=$1
	shift
	what="thermos-dispatch $* < $td_input"
	newfile
	out=$nf.out
	err=$nf.err
	"$TD" "$@" <"$td_input" >"$out" 2>"$err"
	rc=$?
}

# td_pipe CMD ARGS...: CMD's stdout piped into the binary.  CMD is a shell
# function or command taking no input.
td_pipe() {
	td_src=$1
	shift
	what="$td_src | thermos-dispatch $*"
	newfile
	out=$nf.out
	err=$nf.err
	$td_src | "$TD" "$@" >"$out" 2>"$err"
	rc=$?
}

# writefile TEXT: TEXT and a newline in a fresh file, named in $nf.
writefile() {
	newfile
	printf '%s\n' "$1" >"$nf"
}

fail() {
	failures=$((failures + 1))
	printf 'FAIL: %s\n' "$what"
	printf '  %s\n' "$@"
}

ok() {
	checks=$((checks + 1))
}

show_file() {
	# show_file LABEL FILE: the first lines of FILE, for a failure report.
	printf '  --- %s (%s bytes):\n' "$1" "$(wc -c <"$2" | tr -d ' ')"
	head -c 2000 "$2" | head -n 20 | sed 's/^/  | /'
}

show_diff() {
	# show_diff EXPECTED_FILE GOT_FILE
	diff -u "$1" "$2" | head -n 60 | sed 's/^/  /'
}

check_rc() {
	# check_rc WANT
	if [ "$rc" = "$1" ]; then
		ok
	else
		fail "exit status: want $1, got $rc"
		show_file stderr "$err"
	fi
}

check_stdout_empty() {
	if [ -s "$out" ]; then
		fail "stdout: want nothing"
		show_file stdout "$out"
	else
		ok
	fi
}

check_stderr_empty() {
	if [ -s "$err" ]; then
		fail "stderr: want nothing"
		show_file stderr "$err"
	else
		ok
	fi
}

# check_text FILE LABEL LINE...: FILE holds exactly these lines, each ended
# by a newline (compared by the shell, no process started).
check_text() {
	ct_file=$1
	ct_label=$2
	shift 2
	ct_ok=1
	{
		for ct_want in "$@"; do
			if IFS= read -r ct_line; then
				[ "$ct_line" = "$ct_want" ] || ct_ok=0
			else
				ct_ok=0
			fi
		done
		ct_line=
		if IFS= read -r ct_line || [ -n "$ct_line" ]; then
			ct_ok=0
		fi
	} <"$ct_file"
	if [ "$ct_ok" = 1 ]; then
		ok
		return
	fi
	newfile
	if [ $# -eq 0 ]; then
		: >"$nf"
	else
		printf '%s\n' "$@" >"$nf"
	fi
	fail "$ct_label differs (- want, + got):"
	show_diff "$nf" "$ct_file"
}

check_stderr() { check_text "$err" stderr "$@"; }
check_stdout() { check_text "$out" stdout "$@"; }

# check_stderr_prefix PREFIX: stderr is exactly one line, starting with PREFIX.
check_stderr_prefix() {
	csp_ok=0
	{
		if IFS= read -r csp_line; then
			case $csp_line in
			"$1"*) csp_ok=1 ;;
			esac
		fi
		csp_more=
		if IFS= read -r csp_more || [ -n "$csp_more" ]; then
			csp_ok=0
		fi
	} <"$err"
	if [ "$csp_ok" = 1 ]; then
		ok
	else
		fail "stderr: want one line starting with: $1"
		show_file stderr "$err"
	fi
}

# --- deferred JSON checks ---------------------------------------------------
# defer KIND A B N FILTER DESCRIPTION: queue a check of the files A and B
# (B may be -), run by `finish`.  KINDs: json (A and B hold one equal JSON
# value), jsonl (the same JSON lines, parsed, after FILTER: all or nooffset),
# shape (A is dump output of N records, N < 0: any), events (dump output A
# has the updates of the event lines B), line (line N of A, or a part of it
# named by FILTER, equals the value in B).
nq=0
: >"$tmp/q.meta"
: >"$tmp/q.args"
defer() {
	nq=$((nq + 1))
	printf '{"i":%d,"k":"%s","n":%s,"f":"%s"}\n' "$nq" "$1" "${4:-0}" "${5:-all}" >>"$tmp/q.meta"
	printf 'a%d %s\n' "$nq" "$2" >>"$tmp/q.args"
	[ "$3" = - ] || printf 'b%d %s\n' "$nq" "$3" >>"$tmp/q.args"
	eval "q_what_$nq=\$what"
	eval "q_desc_$nq=\$6"
	eval "q_a_$nq=\$2"
	eval "q_b_$nq=\$3"
}

# json_eq EXPECTED GOT LABEL: the two files hold the same JSON value
# (parsed: member order and spacing free; one value each).
json_eq() {
	defer json "$1" "$2" 0 all "$3: JSON differs from $1"
}

check_stdout_json() {
	# check_stdout_json EXPECTED_FILE
	json_eq "$1" "$out" stdout
}

# check_stdout_json_text TEXT: stdout holds the JSON value TEXT.
check_stdout_json_text() {
	writefile "$1"
	json_eq "$nf" "$out" stdout
}

# jsonl_eq EXPECTED GOT LABEL [nooffset]: the files hold the same JSON
# lines, line by line, compared parsed (with `offset` dropped: nooffset).
jsonl_eq() {
	defer jsonl "$1" "$2" 0 "${4:-all}" "$3: JSON lines differ from $1 (${4:-all})"
}

# check_dump_shape FILE [NRECORDS]: FILE is dump output: one JSON object a
# line, with `record` (0, 1, 2, ...), `offset` (0 first, then strictly
# increasing, each at least 5 past the previous: a length prefix and a
# non-empty body), and nothing but `header`, `task_status`, `process_status`
# (objects) besides; NRECORDS lines when given.
check_dump_shape() {
	defer shape "$1" - "${2:--1}" all "dump output is not one record object a line (record 0..N-1, offsets from 0 increasing, known members only)${2:+, $2 lines}"
}

# events_match DUMP EVENTS: each event line's update (header, task_status,
# process_status) is what the dump shows for its record, and nothing else
# was dumped for that record.
events_match() {
	defer events "$1" "$2" 0 all "dump's updates differ from those of the expected events $2"
}

# check_dump_line FILE N WHAT JSON: line N (0-based) of the dump output
# FILE, or only a part of it (WHAT: all, recoff: its record and offset,
# psstate: its process_status.state), is the JSON value JSON.
check_dump_line() {
	writefile "$4"
	defer line "$1" "$nf" "$2" "$3" "dump line $2 ($3): want $4"
}

# The jq program of the deferred checks.
JQ_LINES='def lines($s): $s | if . == "" then [] else (if endswith("\n") then .[:-1] else error("no newline at the end") end) | split("\n") | map(fromjson) end;'
JQ_CHECKS=$JQ_LINES'
def flt($f): if $f == "nooffset" then map(del(.offset)) else . end;
def shape($l; $n):
	($n < 0 or ($l | length) == $n)
	and all($l | to_entries[];
		(.value | type) == "object"
		and .value.record == .key
		and (.value.offset | type) == "number"
		and (if .key == 0 then .value.offset == 0 else .value.offset >= $l[.key - 1].offset + 5 end)
		and (.value | keys - ["record", "offset", "header", "task_status", "process_status"] | length) == 0
		and all(.value | (.header, .task_status, .process_status) | select(. != null); type == "object"));
def events($d; $e):
	all($e[]; . as $ev | $d[$ev.record] as $r
		| $r != null
		and ($r | del(.record, .offset))
			== ($ev | with_entries(select(.key == "header" or .key == "task_status" or .key == "process_status"))));
def check($m):
	$ARGS.named["a\($m.i)"] as $a | $ARGS.named["b\($m.i)"] as $b
	| if $m.k == "json" then ($a | fromjson) == ($b | fromjson)
	elif $m.k == "jsonl" then (lines($a) | flt($m.f)) == (lines($b) | flt($m.f))
	elif $m.k == "shape" then shape(lines($a); $m.n)
	elif $m.k == "events" then events(lines($a); lines($b))
	elif $m.k == "line" then
		(lines($a)[$m.n] | if $m.f == "recoff" then {record, offset}
			elif $m.f == "psstate" then .process_status.state else . end)
		== ($b | fromjson)
	else error("unknown check \($m.k)") end;
$meta[] | . as $m
| try (if check($m) then empty else "\($m.i) no" end) catch "\($m.i) \(.)"
'

run_deferred() {
	[ "$nq" -gt 0 ] || return 0
	set --
	while IFS= read -r rd_line; do
		set -- "$@" --rawfile "${rd_line%% *}" "${rd_line#* }"
	done <"$tmp/q.args"
	if ! "$JQ" -n -r --slurpfile meta "$tmp/q.meta" "$@" "$JQ_CHECKS" >"$tmp/q.out" 2>"$tmp/q.err"; then
		what="(the deferred JSON checks)"
		fail "jq failed:"
		show_file stderr "$tmp/q.err"
		return
	fi
	rd_bad=0
	while IFS= read -r rd_line; do
		rd_i=${rd_line%% *}
		rd_why=${rd_line#* }
		rd_bad=$((rd_bad + 1))
		eval "what=\$q_what_$rd_i; rd_desc=\$q_desc_$rd_i; rd_a=\$q_a_$rd_i; rd_b=\$q_b_$rd_i"
		if [ "$rd_why" = no ]; then
			fail "$rd_desc"
		else
			fail "$rd_desc" "jq: $rd_why"
		fi
		if [ "$rd_b" = - ]; then
			show_file output "$rd_a"
		else
			"$JQ" -S . "$rd_a" >"$tmp/want.norm" 2>&1 || cp "$rd_a" "$tmp/want.norm"
			"$JQ" -S . "$rd_b" >"$tmp/got.norm" 2>&1 || cp "$rd_b" "$tmp/got.norm"
			printf '  (- want, + got)\n'
			show_diff "$tmp/want.norm" "$tmp/got.norm"
		fi
	done <"$tmp/q.out"
	checks=$((checks + nq - rd_bad))
}

# jq_check FILE FILTER DESCRIPTION: FILTER applied to the array of the JSON
# values in FILE is true (runs jq at once).
jq_check() {
	if "$JQ" -e -s "$2" "$1" >/dev/null 2>"$tmp/jq.err"; then
		ok
	else
		fail "$3"
		head -n 5 "$tmp/jq.err" | sed 's/^/  jq: /'
		show_file "$1" "$1"
	fi
}

# truncated_of FILE: the state in truncate mode derived from a full state:
# the latest task status only, the latest run of each process only.
truncated_of() {
	"$JQ" '(if has("statuses") then .statuses |= [.[-1]] else . end)
		| .processes |= map_values([.[-1]])' "$1"
}

# The size of FILE in bytes.
file_size() {
	wc -c <"$1" | tr -d ' '
}

# be32 FILE OFFSET: the big-endian unsigned 32-bit number at OFFSET.
be32() {
	set -- $(od -An -tu1 -j "$2" -N 4 "$1")
	echo $(( ($1 * 16777216) + ($2 * 65536) + ($3 * 256) + $4 ))
}

# error_field FILE.error.json KEY: the integer `record` or `offset` it
# gives (read by the shell: {"record": N, "offset": B}).
error_field() {
	IFS= read -r ef_line <"$1" || [ -n "$ef_line" ] || return 1
	case $ef_line in *"\"$2\""*) ;; *) return 1 ;; esac
	ef_v=${ef_line#*\""$2"\"}
	ef_v=${ef_v#*:}
	while :; do
		case $ef_v in " "*) ef_v=${ef_v# } ;; *) break ;; esac
	done
	ef_v=${ef_v%%[!0-9]*}
	[ -n "$ef_v" ] || return 1
	echo "$ef_v"
}

# torn_reason FILE OFFSET: the reason for a torn record at OFFSET, from the
# bytes: fewer than 4 bytes left, or fewer than the length prefix says.
torn_reason() {
	tr_left=$(( $(file_size "$1") - $2 ))
	if [ "$tr_left" -lt 4 ]; then
		echo "truncated record header ($tr_left of 4 bytes)"
	else
		echo "truncated record body ($((tr_left - 4)) of $(be32 "$1" "$2") bytes)"
	fi
}

# hexbytes HEX: write the bytes given as hex digits (spaces ignored) on
# stdout, through printf's octal escapes.
hexbytes() {
	hb_in=$1
	hb_fmt=
	while [ -n "$hb_in" ]; do
		hb_rest=${hb_in#?}
		hb_c=${hb_in%"$hb_rest"}
		hb_in=$hb_rest
		[ "$hb_c" = " " ] && continue
		hb_rest=${hb_in#?}
		hb_d=${hb_in%"$hb_rest"}
		hb_in=$hb_rest
		hb_v=$((0x$hb_c$hb_d))
		hb_fmt="$hb_fmt\\$((hb_v / 64))$((hb_v / 8 % 8))$((hb_v % 8))"
	done
	printf "$hb_fmt"
}

# hexlen HEX: the number of bytes HEX gives (spaces ignored), in $HL and
# on stdout when asked for (hexlen_v sets $HL only: no subshell needed).
hexlen_v() {
	hl_in=$1
	hl_n=0
	while [ -n "$hl_in" ]; do
		hl_rest=${hl_in#?}
		[ "${hl_in%"$hl_rest"}" = " " ] || hl_n=$((hl_n + 1))
		hl_in=$hl_rest
	done
	HL=$((hl_n / 2))
}
hexlen() {
	hexlen_v "$1"
	echo "$HL"
}

# hexnum_v WIDTH N: N (>= 0) as WIDTH hex digits, in $HN.
hexnum_v() {
	hn_w=$1
	hn_v=$2
	HN=
	while [ "$hn_w" -gt 0 ]; do
		hn_d=$((hn_v % 16))
		case $hn_d in
		10) hn_d=a ;; 11) hn_d=b ;; 12) hn_d=c ;; 13) hn_d=d ;; 14) hn_d=e ;; 15) hn_d=f ;;
		esac
		HN=$hn_d$HN
		hn_v=$((hn_v / 16))
		hn_w=$((hn_w - 1))
	done
}

# record HEX: one record: the length prefix, then the body HEX.
record() {
	hexlen_v "$1"
	hexnum_v 8 "$HL"
	hexbytes "$HN $1"
}

# strhex_v TEXT: the printable ASCII TEXT as hex digits, in $SH.
ASCII_PRINTABLE=' !"#$%&'\''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~'
strhex_v() {
	sh_in=$1
	SH=
	while [ -n "$sh_in" ]; do
		sh_rest=${sh_in#?}
		sh_c=${sh_in%"$sh_rest"}
		sh_in=$sh_rest
		sh_pre=${ASCII_PRINTABLE%%"$sh_c"*}
		hexnum_v 2 $((${#sh_pre} + 32))
		SH=$SH$HN
	done
}
strhex() {
	strhex_v "$1"
	printf '%s' "$SH"
}

# Thrift fields (binary protocol) as hex: tstring ID TEXT, ti32 ID N,
# ti64 ID N, tstruct ID BODYHEX (adds the STOP).  N >= 0.
tstring() {
	strhex_v "$2"
	hexnum_v 4 "$1"
	ts_id=$HN
	hexnum_v 8 $((${#SH} / 2))
	printf '0b %s %s %s' "$ts_id" "$HN" "$SH"
}
ti32() {
	hexnum_v 4 "$1"
	ti_id=$HN
	hexnum_v 8 "$2"
	printf '08 %s %s' "$ti_id" "$HN"
}
ti64() {
	hexnum_v 4 "$1"
	ti_id=$HN
	hexnum_v 16 "$2"
	printf '0a %s %s' "$ti_id" "$HN"
}
tstruct() {
	hexnum_v 4 "$1"
	printf '0c %s %s 00' "$HN" "$2"
}

finish() {
	run_deferred
	vg_check
	if [ "$failures" -gt 0 ]; then
		printf '%s: %d of %d checks FAILED\n' "$test_name" "$failures" "$((checks + failures))"
		exit 1
	fi
	printf '%s: all %d checks passed\n' "$test_name" "$checks"
	exit 0
}
