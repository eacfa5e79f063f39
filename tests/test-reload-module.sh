#!/bin/sh
# A reload restarts the instances whose module file changed on disk (a
# new version installed: a new file renamed over the old one), and only
# those: `tail --forever` with `rec` (module recorder) and `m` (module
# recorder2, a copy of recorder under another name).
#  1. Reload with nothing changed: no summary line; neither instance is
#     stopped.
#  2. recorder.so replaced by a copy of itself (a new inode): `rec` gets
#     on_stream_close, fini, init and the stream again as history; `m`
#     untouched.  stderr: `info: reload: 1 kept, 0 added, 1 changed, ...`.
#  3. recorder2.so's modification time changed (touch): `m` restarts.
# Each incarnation of each gets the whole stream.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/reload-lib.sh"

cp "$PLUG/recorder.so" "$PLUG/recorder2.so" && chmod 644 "$PLUG/recorder2.so" || exit 99
S=$tmp/s.ckpt
cp "$AUR/hello_world/runner" "$S"
expect_of s "$S" "$S" ""
ini cfg "[host]" "plugin_dir = $PLUG" "linger = 60" \
	"[plugin:rec]" "module = recorder" \
	"[plugin:m]" "module = recorder2" "out = $tmp/m.out"
notified_start t tail --forever "$S"
t_what=$what
wait_rec "$tmp/t.rec" "$(exp_count s "$nrec")" 10 ||
	fail "the stream was not dispatched within 10 s"

reload t || fail "1: no READY=1 within 10 s"
cp "$PLUG/recorder.so" "$PLUG/recorder.so.new" && chmod 644 "$PLUG/recorder.so.new" &&
	mv "$PLUG/recorder.so.new" "$PLUG/recorder.so" || exit 99
reload t || fail "2: no READY=1 within 10 s"
touch -d '2001-02-03 04:05:06' "$PLUG/recorder2.so"
reload t || fail "3: no READY=1 within 10 s"
host_stop t
what=$t_what
check_rc 0
check_stdout_empty
check_stderr \
	"thermos-dispatch: info: reload: 1 kept, 0 added, 1 changed, 0 removed, 0 not started" \
	"thermos-dispatch: info: reload: 1 kept, 0 added, 1 changed, 0 removed, 0 not started"
incarnations "$tmp/t.rec" rec
if [ "$ninc" -eq 2 ]; then ok; else fail "rec: want 2 starts in mode tail, got $ninc"; fi
incarnations "$tmp/m.out" m
if [ "$ninc" -eq 2 ]; then ok; else fail "m: want 2 starts in mode tail, got $ninc"; fi
for f in rec.inc.1 rec.inc.2 m.inc.1 m.inc.2; do
	check_stream "$f" "$tmp/$f" "$S" s "$nrec"
done
# Which reload restarted which: rec at the second, m at the third (each
# check of the configuration writes an init in mode check first).
newfile
awk '$2 == "init" { print $1, $3 }' "$tmp/t.rec" "$tmp/m.out" >"$nf"
got=$nf
newfile
printf '%s\n' "rec mode=2" "rec mode=0" "rec mode=0" "rec mode=2" "rec mode=0" \
	"m mode=2" "m mode=0" "m mode=0" "m mode=0" "m mode=2" >"$nf"
check_file_eq "$nf" "$got" "the inits of rec and m"
finish
