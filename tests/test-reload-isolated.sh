#!/bin/sh
# Reloads and isolated instances: an isolated recorder added by a reload
# gets exactly what an in-process one added by the same reload gets (each
# stream's records so far as history, then live ones); an unchanged
# isolated instance keeps its worker over a reload; one whose isolation
# key changes restarts in a new worker; a removed one is
# closed and finished in its worker.
TMPDIR=/tmp
. "${top_srcdir:-.}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/reload-lib.sh"

S=$tmp/s.ckpt
"$GEN_STREAM" -n 600 -p 20 "$S" || exit 99
"$TD" dump "$S" >"$tmp/dump" || exit 99
offset() {
	"$JQ" -r "select(.record == $1) | .offset" "$tmp/dump"
}
mkdir -p "$tmp/root/checkpoints/t1"
R=$tmp/root/checkpoints/t1/runner
head -c "$(offset 200)" "$S" >"$R"
# append FROM TO: records FROM..TO-1 of the stream to the runner.
append() {
	tail -c +$(($(offset "$1") + 1)) "$S" | head -c $(($(offset "$2") - $(offset "$1"))) >>"$R"
}
has_rec() { grep -q "^$1 [a-z_]* record=$2 " "$tmp/both.out"; }
worker_pid() { ps -o pid= --ppid "$(cat "$BG/h.pid")" | tr -d ' '; }

conf() {
	cf_name=$1
	shift
	ini "$cf_name" "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder" "$@"
}
conf one
cp "$tmp/one.ini" "$tmp/live.ini"
ini=$tmp/live.ini
notified_start h tail "$R"
append 200 300
wait_until 10 grep -q ' record=299 ' "$tmp/h.rec" || fail "record 299 not dispatched"

# Added by a reload: one in process, one isolated, both writing one file.
conf two "[plugin:inp]" "module = recorder" "out = $tmp/both.out" \
	"[plugin:iso]" "module = recorder" "out = $tmp/both.out" "isolation = process"
cp "$tmp/two.ini" "$tmp/live.ini"
what="reload adding an isolated instance"
reload h && ok || fail "no READY=1 after the reload"
w1=$(worker_pid)
append 300 450
wait_until 10 has_rec iso 449 || fail "record 449 did not reach iso"
grep '^inp ' "$tmp/both.out" | sed 's/^inp /X /' >"$tmp/inp"
grep '^iso ' "$tmp/both.out" | sed 's/^iso /X /' >"$tmp/iso"
check_file_eq "$tmp/inp" "$tmp/iso" "added in process and isolated: their lines"
grep -c ' history=1 ' "$tmp/iso" >"$tmp/n"
what="the isolated one's history"
[ "$(cat "$tmp/n")" -gt 0 ] && ok || fail "no history line"

# Unchanged: the same worker goes on.
reload h || fail "no READY=1 after the second reload"
what="an unchanged isolated instance over a reload"
[ -n "$w1" ] && [ "$(worker_pid)" = "$w1" ] && ok || fail "worker $w1 replaced by $(worker_pid)"

# A changed isolation key: a new worker.
conf twob "[plugin:inp]" "module = recorder" "out = $tmp/both.out" \
	"[plugin:iso]" "module = recorder" "out = $tmp/both.out" "isolation = process" \
	"callback_timeout = 20"
cp "$tmp/twob.ini" "$tmp/live.ini"
reload h || fail "no READY=1 after the reload changing callback_timeout"
w2=$(worker_pid)
what="an isolated instance whose callback_timeout changed"
[ -n "$w2" ] && [ "$w2" != "$w1" ] && ok || fail "worker $w1, then '$w2'"

# Removed: closed and finished in its worker.
conf three "[plugin:inp]" "module = recorder" "out = $tmp/both.out"
cp "$tmp/three.ini" "$tmp/live.ini"
reload h || fail "no READY=1 after the third reload"
what="a removed isolated instance"
grep '^iso ' "$tmp/both.out" | tail -n 2 | cut -d' ' -f1,2 >"$tmp/last"
check_text "$tmp/last" "its last lines" "iso on_stream_close" "iso fini"
wait_until 10 test -z "$(worker_pid)" && ok || fail "its worker is still there"
host_stop h
check_rc 0
finish
