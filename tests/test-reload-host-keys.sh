#!/bin/sh
# [host] keys that a reload changes take effect (thermos-dispatch.ini(5)
# "On a reload"): `watch 'ROOTS/*'` starts with rescan_interval = 600 and
# max_processes = 50; a reload sets 0.2 and 2.  A root created next is
# found by the next rescan (well before 600 s), and its task's stream, one
# of 5 processes, is read with the new limit: it stops at its third
# process with the stream error, which is the only line on stderr.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/reload-lib.sh"

ROOTS=$tmp/roots
mkdir -p "$ROOTS/a/checkpoints/t"
cp "$AUR/hello_world/runner" "$ROOTS/a/checkpoints/t/runner"
gen=$tmp/gen60.ckpt
"$GEN_STREAM" -n 60 -p 5 -s 3 "$gen" || exit 99
ini=$tmp/cfg.ini
config() {
	printf '%s\n' "[host]" "plugin_dir = $PLUG" "linger = 60" \
		"rescan_interval = $1" "max_processes = $2" \
		"[plugin:rec]" "module = recorder" >"$ini"
}
config 600 50
notified_start w watch "$ROOTS/*"
w_what=$what
wait_rec "$tmp/w.rec" 1 10 || fail "the first root's task was not dispatched within 10 s"
config 0.2 2
reload w || fail "no READY=1 within 10 s of SIGHUP"
G=$ROOTS/b/checkpoints/g/runner
mkdir -p "$ROOTS/b.tmp/checkpoints/g"
cp "$gen" "$ROOTS/b.tmp/checkpoints/g/runner"
mv "$ROOTS/b.tmp" "$ROOTS/b"
want="thermos-dispatch: $G: record 4 at byte 333: more than 2 processes"
if wait_grep "$BG/w.err" 10 "$want"; then ok; else
	fail "no stream error at the new max_processes within 10 s (rescan_interval not 0.2 s?)"
fi
host_stop w
what=$w_what
check_rc 0
check_stdout_empty
check_stderr "$want"
finish
