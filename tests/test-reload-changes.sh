#!/bin/sh
# What a reload does to each instance, and to [host] keys (issue: "removed
# ones get their streams closed and fini; added ones are initialised and
# get on_stream_open for every stream followed, then each stream's
# records so far as history, then live records; changed ones are removed
# and added.  [host] keys that cannot change at run time are refused in a
# reload with a message, the rest take effect").
#
# `watch` on a root with two streams written whole (hello_world and
# ports), NOTIFY_SOCKET set, three recorder instances: `rec` (never
# changed), `a` and `r`.
#  1. `a` gets one more key (fail_init = no): changed; `r` is dropped:
#     removed.  `a`: reopen, its check (init in mode check, fini), then
#     on_stream_close for each stream, fini, init in mode watch,
#     on_stream_open and every record of each stream (history = 1).
#     `r`: reopen, on_stream_close for each stream, fini.  stderr: the
#     summary line.
#  2. state_dir, truncate and max_record_size changed, log_level =
#     warning: one refusal line per key, their values kept (no state
#     directory made);
#  3. `a` removed: its streams closed, fini, and no summary (the log
#     level of 2 took effect);
#  4. a third task appears: `rec` gets it whole, live.
# `rec` sees nothing of the reloads but its reopen lines, starts once and
# gets every record once; each incarnation of `a` gets every record of
# both streams; RELOADING=1 and READY=1 around each reload; exit 0 on
# SIGTERM.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/reload-lib.sh"

R=$tmp/root
mkdir -p "$R/checkpoints/t" "$R/checkpoints/u" "$R/checkpoints/v"
cp "$AUR/hello_world/runner" "$R/checkpoints/t/runner"
cp "$AUR/ports/runner" "$R/checkpoints/u/runner"
T=$R/checkpoints/t/runner
U=$R/checkpoints/u/runner
V=$R/checkpoints/v/runner
expect_of t "$T" "$T" t
nt=$nrec
expect_of u "$U" "$U" u
nu=$nrec
expect_of v "$AUR/failure/runner" "$V" v
nv=$nrec

HOST="[host]|plugin_dir = $PLUG|linger = 60"
REC="[plugin:rec]|module = recorder"
A="[plugin:a]|module = recorder|out = $tmp/a.out"
RR="[plugin:r]|module = recorder|out = $tmp/r.out"
ini=$tmp/cfg.ini
config() {
	printf '%s\n' "$*" | tr '|' '\n' >"$ini"
}

config "$HOST|$REC|$A|$RR"
notified_start w watch "$R"
w_what=$what
wait_rec "$tmp/w.rec" $(($(exp_count t "$nt") + $(exp_count u "$nu"))) 10 ||
	fail "the two streams were not dispatched within 10 s"
# The order the streams were opened in, which the closes and the
# catch-ups follow.
first=$(grep -m 1 '^rec on_stream_open ' "$tmp/w.rec" | sed 's/.* source=//; s/ .*//')
if [ "$first" = "$T" ]; then X=t XP=$T Y=u YP=$U; else X=u XP=$U Y=t YP=$T; fi

# skeleton FILE: the lines of FILE other than records and ticks, as
# "INSTANCE CALLBACK[ STREAM]" (STREAM: t, u or v).
skeleton() {
	awk '$2 == "tick" || $2 ~ /^on_(initialization|process_|task_)/ { next }
	{
		s = ""
		if (match($0, / source=[^ ]+/)) {
			s = substr($0, RSTART + 8, RLENGTH - 8)
			sub(/\/runner$/, "", s); sub(/^.*\//, "", s); s = " " s
		}
		print $1, $2 (($2 == "init") ? " " $3 : "") s
	}' "$1"
}

# 1. a changed, r removed.
config "$HOST|$REC|$A|fail_init = no"
reload w || fail "1: no READY=1 within 10 s"
newfile
printf '%s\n' "a init mode=3" "a on_stream_open $X" "a on_stream_open $Y" \
	"a reopen" "a init mode=0" "a fini" \
	"a on_stream_close $X" "a on_stream_close $Y" "a fini" "a init mode=3" \
	"a on_stream_open $X" "a on_stream_open $Y" >"$nf"
want_a=$nf
newfile
skeleton "$tmp/a.out" >"$nf"
check_file_eq "$want_a" "$nf" "1: a's calls (records and ticks aside)"
newfile
printf '%s\n' "r init mode=3" "r on_stream_open $X" "r on_stream_open $Y" \
	"r reopen" "r on_stream_close $X" "r on_stream_close $Y" "r fini" >"$nf"
want_r=$nf
newfile
skeleton "$tmp/r.out" >"$nf"
check_file_eq "$want_r" "$nf" "1: r's calls (records and ticks aside)"

# 2. [host] keys: three refused, log_level taken.
FIXED="state_dir = $tmp/state|truncate = yes|max_record_size = 1000|log_level = warning"
config "$HOST|$FIXED|$REC|$A|fail_init = no"
reload w || fail "2: no READY=1 within 10 s"
if [ -e "$tmp/state" ]; then
	fail "2: the state directory $tmp/state was made"
else
	ok
fi
# 3. a removed, at log level warning: no summary.
config "$HOST|$FIXED|$REC"
reload w || fail "3: no READY=1 within 10 s"
newfile
printf '%s\n' "a reopen" "a init mode=0" "a fini" "a reopen" \
	"a on_stream_close $X" "a on_stream_close $Y" "a fini" >"$nf"
want_a=$nf
newfile
skeleton "$tmp/a.out" | tail -n 7 >"$nf"
check_file_eq "$want_a" "$nf" "2, 3: a's last calls"

# 4. A new task: rec gets it whole, live (created while the host runs).
cp "$AUR/failure/runner" "$V.tmp" && mv "$V.tmp" "$V"
wait_rec "$tmp/w.rec" "$(exp_count v "$nv")" 10 "$V" ||
	fail "4: the new task's records did not reach rec within 10 s"
wait_grep "$tmp/w.notify" 10 "STATUS=3 streams followed" || :

host_stop w
what=$w_what
check_rc 0
check_stdout_empty
refused() {
	printf '%s\n' \
		"thermos-dispatch: reload: [host] state_dir cannot change while running; keeping it unset" \
		"thermos-dispatch: reload: [host] truncate cannot change while running; keeping no" \
		"thermos-dispatch: reload: [host] max_record_size cannot change while running; keeping 67108864"
}
newfile
{
	echo "thermos-dispatch: info: reload: 1 kept, 0 added, 1 changed, 1 removed, 0 not started"
	refused
	refused
} >"$nf"
check_file_eq "$nf" "$err" "stderr"
check_stream "rec" "$tmp/w.rec" "$T" t "$nt"
check_stream "rec" "$tmp/w.rec" "$U" u "$nu"
check_stream "rec" "$tmp/w.rec" "$V" v 0
# a: every record of both streams in each incarnation (as history: the
# streams were whole at start, and read again when it was added).
incarnations "$tmp/a.out" a
for inc in 1 2; do
	check_stream "a's incarnation $inc" "$tmp/a.inc.$inc" "$T" t "$nt"
	check_stream "a's incarnation $inc" "$tmp/a.inc.$inc" "$U" u "$nu"
done
incarnations "$tmp/w.rec" rec
if [ "$ninc" -eq 1 ]; then ok; else fail "rec: started $ninc times in mode watch, want once"; fi

# RELOADING=1 and READY=1 around each reload.
newfile
sed -E 's/MONOTONIC_USEC=[0-9]+$/MONOTONIC_USEC=N/' "$tmp/w.notify" >"$nf"
got=$nf
newfile
{
	echo "READY=1|STATUS=2 streams followed, 0 instances disabled"
	for i in 1 2 3; do
		echo "RELOADING=1|MONOTONIC_USEC=N"
		echo "READY=1|STATUS=2 streams followed, 0 instances disabled"
	done
	echo "STATUS=3 streams followed, 0 instances disabled"
	echo "STOPPING=1"
} >"$nf"
check_file_eq "$nf" "$got" "the messages to the service manager"
finish
