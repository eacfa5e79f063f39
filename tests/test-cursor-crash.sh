#!/bin/sh
# Cursors through kill -9 (cli-and-config.md "Cursors": "After a kill -9, at
# most the record in flight is delivered live twice"; "a stream with no
# cursor on the first run (an empty state_dir) ... what it holds when the
# host starts is history, appends are live"; "a stream with a matching
# cursor: records up to it are re-applied with history = 1, the rest
# delivered live").
#
# A generated 2000-record stream under .../checkpoints/<id>/runner holds its
# first K0 records; `tail --forever -o host.state_dir=DIR` starts (round 1,
# DIR empty); once it has dispatched them, follow-helper appends the rest in
# random writes with random pauses, over several seconds.  Meanwhile the host
# is killed (SIGKILL) at random moments and started again with the same DIR,
# for at least 15 rounds and until the writer is done; a last round `tail
# --linger 0.5` ends by itself once the task is over.  Each round's recorder
# lines (history aside) must be a prefix of the lines expected from the
# stream's dump (in order, whole records, a killed round may stop inside
# one), history=1 lines first, then history=0; and across rounds:
# - round 1 delivers the K0 records present at start as history and the
#   first appended one live;
# - no record below K0 is ever live; every other one is live at least once;
# - the live deliveries exceed the records by at most the number of kills;
# - a round resumes live where the last round with live records stopped: at
#   its last record (the one in flight: it was cut, or its cursor not yet
#   written) or just after it, never further, never before;
# - the last round: exit 0 by itself, nothing on stderr, every record once
#   (history up to its cursor, then live), on_stream_close and fini; the
#   logger's json lines of that round, encoded again (`encode` takes event
#   lines), give the same `state --json` as the file.
# TD_SEED sets the seed of the kill delays and of the writer.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

seed=${TD_SEED:-4242}
min_rounds=15
max_rounds=40
N=2000
K0=40

ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder" \
	"[plugin:logger]" "format = json"

stream=$tmp/gen.ckpt
"$GEN_STREAM" -n "$N" -p 25 -s "$seed" "$stream" || exit 99
path=$tmp/root/checkpoints/crash-task/runner
mkdir -p "$(dirname "$path")" "$tmp/state"
expect_of crash "$stream" "$path" crash-task
off=$("$FH" offset "$stream" "$K0")
head -c "$off" "$stream" >"$path"

# The kill delays, in seconds: mostly 0.1 to 0.7, some very short (the
# host killed while it starts or re-reads its history).
awk -v seed="$seed" -v n="$max_rounds" 'BEGIN {
	srand(seed)
	for (i = 0; i < n; i++) {
		if (rand() < 0.2) printf "%.2f\n", 0.01 + rand() * 0.05
		else printf "%.2f\n", 0.1 + rand() * 0.6
	}
}' >"$tmp/delays"

round=0
start_round() {
	round=$((round + 1))
	host_start "r$round" -o "host.state_dir=$tmp/state" \
		-o "logger.output=$tmp/r$round.log" tail "$@" "$path"
}

start_round --forever
if ! wait_rec "$tmp/r1.rec" "$(exp_count crash "$K0")" 10; then
	fail "round 1: the $K0 records present at start were not dispatched within 10 s"
	show_file recorder "$tmp/r1.rec"
	finish
fi
bg_start writer "$FH" append -s "$seed" -d 50 "$stream" "$path" "$off"
if ! wait_rec "$tmp/r1.rec" "$(($(exp_count crash "$K0") + 1))" 10; then
	fail "round 1: no appended record dispatched within 10 s"
fi

kills=0
exec 3<"$tmp/delays"
while :; do
	IFS= read -r delay <&3 || delay=0.3
	sleep "$delay"
	bg_kill KILL "r$round"
	bg_wait "r$round" 10
	if [ "$rc" != 137 ]; then
		fail "round $round: want the host killed (137), got $rc"
		show_file stderr "$err"
	fi
	kills=$((kills + 1))
	if [ "$round" -ge "$max_rounds" ] ||
		{ [ "$round" -ge "$min_rounds" ] && bg_done writer; }; then
		break
	fi
	start_round --forever
done
exec 3<&-

bg_wait writer 60
what="the writer"
check_rc 0

start_round --linger 0.5
last=$round
bg_wait "r$last" 30
what="the last round (tail --linger 0.5, the task over)"
check_rc 0
check_stdout_empty
check_stderr_empty

# Each round's record lines, normalized, then the checks across rounds.
newfile
exp_lines=$nf
want crash -1 | grep -E "$REC_LINE" >"$exp_lines"
set --
i=1
while [ "$i" -le "$last" ]; do
	norm "$tmp/r$i.rec" "$path" | grep -E "$REC_LINE" >"$tmp/r$i.lines"
	set -- "$@" "$tmp/r$i.lines"
	i=$((i + 1))
done
what="kill -9 rounds ($kills kills, seed $seed)"
awk -v k0="$K0" -v nrec="$N" -v kills="$kills" '
function recno(l, r) {
	r = l; sub(/^[^ ]+ [^ ]+ record=/, "", r); sub(/ .*$/, "", r); return r + 0
}
function bad(m) { print m; nbad++ }
FNR == 1 { f++ }
f == 1 { n++; want[n] = $0; wrec[n] = recno($0); next }
{
	r = f - 1
	if (dead[r]) next
	i = FNR
	h = index($0, " history=1 ") > 0
	g = $0; sub(/ history=1 /, " history=0 ", g)
	if (i > n || g != want[i]) {
		bad("round " r ": line " i " is not the one expected: " $0)
		if (i <= n) bad("  want (history aside): " want[i])
		dead[r] = 1; next
	}
	lines[r] = i
	if (!h && !(r in first)) first[r] = wrec[i]
	if (h && (r in first)) { bad("round " r ": a history line after a live one: " $0); dead[r] = 1 }
}
END {
	rounds = f - 1
	for (r = 1; r <= rounds; r++) {
		if (!lines[r]) continue
		e = wrec[lines[r]]
		last[r] = e
		done[r] = lines[r] == n || wrec[lines[r] + 1] != e
		if (r in first) for (x = first[r]; x <= e; x++) cnt[x]++
	}
	if (!(1 in first)) bad("round 1: no live record")
	else if (first[1] != k0) bad("round 1: the first live record is " first[1] ", want " k0 " (the records present at start are history on the first run)")
	p = 0
	for (r = 1; r <= rounds; r++) {
		if (!(r in first)) continue
		if (first[r] < k0) bad("round " r ": record " first[r] " live, below " k0)
		if (p) {
			if (first[r] < last[p] || first[r] > last[p] + 1)
				bad("round " r ": resumes live at record " first[r] ", the last round with live records (" p ") stopped at record " last[p] (done[p] ? "" : " (cut)"))
			else if (!done[p] && first[r] != last[p])
				bad("round " r ": resumes live at record " first[r] ", after record " last[p] " that round " p " did not finish")
		}
		p = r
	}
	total = 0
	for (x = 0; x < nrec; x++) {
		if (x >= k0 && !cnt[x]) { bad("record " x " never delivered live"); break }
		total += cnt[x]
	}
	if (total - (nrec - k0) > kills)
		bad("live deliveries: " total " for " nrec - k0 " records, more than one extra per kill (" kills ")")
	if (lines[rounds] != n) bad("the last round dispatched " lines[rounds] " of " n " record lines")
	nl = 0
	for (r = 1; r <= rounds; r++) if (r in first) nl++
	printf "live deliveries %d for %d records, %d kills, %d of %d rounds with live records\n", total, nrec - k0, kills, nl, rounds > "/dev/stderr"
	exit (nbad > 0)
}' "$exp_lines" "$@" >"$tmp/crash.problems" 2>"$tmp/crash.summary"
cat "$tmp/crash.summary"
if [ -s "$tmp/crash.problems" ]; then
	fail "the rounds' deliveries break the cursor rules:"
	head -n 20 "$tmp/crash.problems" | sed 's/^/  /'
else
	ok
fi

# The last round, in full: history up to its cursor, then live.
what="the last round's recorder lines"
hist=$(awk '/ history=0 /{ r = $0; sub(/^[^ ]+ [^ ]+ record=/, "", r); sub(/ .*$/, "", r); print r; exit }' "$tmp/r$last.lines")
[ -n "$hist" ] || hist=$N
check_frame "last round" "$tmp/r$last.rec" "$MODE_TAIL"
check_stream "last round" "$tmp/r$last.rec" "$path" crash "$hist" cursor
check_ends_closed "last round" "$tmp/r$last.rec" "$path"

# The last round's logger lines: every record once, in order, history then
# live as the recorder saw them; the state they rebuild is the file's.
log=$tmp/r$last.log
jq_check "$log" "(map(.record) == [range(0; $N)])
	and (map(.history) == ([range(0; $N)] | map(. < $hist)))" \
	"the last round's logger lines: want records 0..$((N - 1)), history below $hist"
newfile
st_log=$nf
if "$TD" encode <"$log" >"$st_log.ckpt" && "$TD" state --json "$st_log.ckpt" >"$st_log"; then
	ok
else
	fail "the last round's logger lines do not encode to a stream with a state"
fi
newfile
"$TD" state --json "$path" >"$nf"
what="the state rebuilt from the last round's logger lines"
json_eq "$nf" "$st_log" "state --json of the encoded logger lines"

finish
