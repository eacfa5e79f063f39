#!/bin/sh
# A reload to a broken configuration changes nothing (issue: "if anything
# is wrong it logs why, keeps running the old configuration unchanged,
# and exits nothing"), and an instance whose start fails after its check
# passed is left out while the rest of the reload goes on.
#
# `tail --forever` on a generated stream holding 100 of its 400 records,
# with one recorder instance `rec`; then, in turn, reloads to:
#  1. a syntax error;  2. an unknown key of rec's module;  3. an instance
#  of a module that does not exist;  4. an instance whose init fails in
#  mode check;  5. the first configuration and an instance of
#  live_init_fails (its init succeeds in mode check only);  6. the first
#  configuration again.
# After each, READY=1 again, and 50 more records appended reach `rec`.
# - stderr: exactly each problem's line (file and line), then
#   `reload: configuration not changed (N problems); still running the
#   previous one` for 1-4; for 5 the failed init, `reload:
#   plugin:lf not started; running without it` and the summary; nothing
#   for 6;
# - `rec` was started once and never stopped before the end, and got
#   every record once, in order (the first 100 as history);
# - the instance of 4 wrote its init in mode check and its failure only.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/reload-lib.sh"

gen=$tmp/gen400.ckpt
"$GEN_STREAM" -n 400 -p 10 -s 7 "$gen" || exit 99
path=$tmp/s/gen.ckpt
mkdir -p "$tmp/s"
expect_of b "$gen" "$path" ""
K=100
at=$("$FH" offset "$gen" "$K")
head -c "$at" "$gen" >"$path"
upto=$K

BASE="[host]|plugin_dir = $PLUG|linger = 60|[plugin:rec]|module = recorder"
# config LINES: $ini holds BASE's lines and LINES ('|' between lines).
ini=$tmp/cfg.ini
config() {
	printf '%s\n' "$BASE${1:+|$1}" | tr '|' '\n' >"$ini"
}

# step LABEL: reloads, then appends 50 records and waits for `rec` to
# have them.
step() {
	if reload b; then ok; else fail "$1: no READY=1 within 10 s of SIGHUP"; fi
	st_to=$((upto + 50))
	[ "$st_to" -le "$nrec" ] || st_to=$nrec
	st_from=$("$FH" offset "$gen" "$upto")
	st_end=$("$FH" offset "$gen" "$st_to" 2>/dev/null) || st_end=$(file_size "$gen")
	"$FH" append "$gen" "$path" "$st_from" "$st_end" || exit 99
	upto=$st_to
	if wait_rec "$tmp/b.rec" "$(exp_count b "$upto")" 10; then ok; else
		fail "$1: rec did not get the records up to $upto within 10 s"
	fi
}

config ""
notified_start b tail --forever "$path"
b_what=$what
wait_rec "$tmp/b.rec" "$(exp_count b "$K")" 10 ||
	fail "the first $K records were not dispatched within 10 s"

errs=$tmp/err.want
: >"$errs"
not_changed() {
	echo "thermos-dispatch: reload: configuration not changed ($1); still running the previous one" >>"$errs"
}

printf '%s\n' "[host]" "plugin_dir = $PLUG" "linger = 60" "[plugin:rec" "module = recorder" >"$ini"
echo "thermos-dispatch: $ini:4: syntax error" >>"$errs"
echo "thermos-dispatch: $ini:5: [host] module: unknown key" >>"$errs"
echo "thermos-dispatch: -o:1: [plugin:rec] module: $PLUG/rec.so: No such file or directory" >>"$errs"
not_changed "3 problems"
step "a syntax error"

config "bogus = 1"
echo "thermos-dispatch: $ini:6: [plugin:rec] bogus: unknown key (module recorder accepts: out, fail_on, fail_init, log_message)" >>"$errs"
not_changed "1 problem"
step "an unknown key"

config "[plugin:gone]|module = nosuch"
echo "thermos-dispatch: $ini:7: [plugin:gone] module: $PLUG/nosuch.so: No such file or directory" >>"$errs"
not_changed "1 problem"
step "a module that does not exist"

config "[plugin:rec2]|module = recorder|out = $tmp/rec2.out|fail_init = yes"
echo "thermos-dispatch: $ini:6: [plugin:rec2]: init failed (module recorder)" >>"$errs"
not_changed "1 problem"
step "an init failing in mode check"

config "[plugin:lf]|module = live_init_fails"
echo "thermos-dispatch: $ini:6: [plugin:lf]: init failed (module live_init_fails)" >>"$errs"
echo "thermos-dispatch: reload: plugin:lf not started; running without it" >>"$errs"
echo "thermos-dispatch: info: reload: 1 kept, 0 added, 0 changed, 0 removed, 1 not started" >>"$errs"
step "an instance whose init fails in mode tail only"

config ""
step "the first configuration again"

host_stop b
what=$b_what
check_rc 0
check_stdout_empty
check_file_eq "$errs" "$err" "stderr"
check_stream "rec" "$tmp/b.rec" "$path" b "$K"
incarnations "$tmp/b.rec" rec
if [ "$ninc" -eq 1 ] && [ "$(grep -c '^rec fini$' "$tmp/rec.inc.1")" -eq 1 ] &&
	[ "$(tail -n 1 "$tmp/rec.inc.1")" = "rec fini" ]; then ok; else
	fail "rec: want one start in mode tail and one fini at the end, got $ninc starts:"
	show_file rec "$tmp/b.rec"
fi
newfile
printf '%s\n' "rec2 init mode=0 keys=out,fail_init checks=ok" "rec2 init-failed" >"$nf"
check_file_eq "$nf" "$tmp/rec2.out" "rec2's lines"
finish
