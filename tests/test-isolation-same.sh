#!/bin/sh
# isolation = process gives a plugin exactly what it gets in process: the
# recorder's lines (every callback, its event, the state readers' answers)
# are byte for byte the same, and so are the host's exit status and
# messages, for every Aurora stream and every generated one (the broken
# ones too: on_stream_error reaches the worker), under `replay` and under
# `tail` while a writer appends.
TMPDIR=/tmp
. "${top_srcdir:-.}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

# conf NAME ISOLATION: a recorder writing $tmp/NAME.out.
conf() {
	ini "$1" "[host]" "plugin_dir = $PLUG" "[plugin:rec]" "module = recorder" \
		"out = $tmp/$1.out" "isolation = $2"
}
conf inproc none
conf isolated process

streams=
for d in "$AUR"/*/; do streams="$streams ${d}runner"; done
for f in "$GEN"/*.ckpt; do streams="$streams $f"; done

n=0
for s in $streams; do
	n=$((n + 1))
	rm -f "$tmp/inproc.out" "$tmp/isolated.out"
	td -c "$tmp/inproc.ini" replay "$s"
	want_rc=$rc
	cp "$err" "$tmp/want.err"
	td -c "$tmp/isolated.ini" replay "$s"
	what="replay $(basename "$(dirname "$s")")/$(basename "$s")"
	check_rc "$want_rc"
	check_file_eq "$tmp/want.err" "$err" "stderr"
	check_file_eq "$tmp/inproc.out" "$tmp/isolated.out" "recorder lines"
done
what="streams replayed"
[ "$n" -ge 60 ] && ok || fail "only $n streams"

# tail: a stream written while the host follows it, both ways at once
# (two instances of one host: one in process, one isolated).
ini both "[host]" "plugin_dir = $PLUG" \
	"[plugin:a]" "module = recorder" "out = $tmp/a.out" \
	"[plugin:b]" "module = recorder" "out = $tmp/b.out" "isolation = process"
src=$(ls "$GEN"/*.ckpt | grep -v broken | tail -1)
mkdir -p "$tmp/root/checkpoints/t1"
runner=$tmp/root/checkpoints/t1/runner
head -c 2000 "$src" >"$runner"
"$TD" -c "$tmp/both.ini" tail "$runner" 2>"$tmp/tail.err" &
host=$!
# The isolated one runs in a worker: a child of the host, the same
# program in its worker mode.
sleep 0.3
what="the worker"
kids=$(ps -o args= --ppid $host)
check_text_eq() { [ "$1" = "$2" ] && ok || fail "want '$2', got '$1'"; }
check_text_eq "$kids" "thermos-dispatch isolated-worker"
size=$(wc -c <"$src")
at=2000
while [ "$at" -lt "$size" ]; do
	sleep 0.05
	tail -c +$((at + 1)) "$src" | head -c 3000 >>"$runner"
	at=$((at + 3000))
done
# Done once both recorders have the last record.
last=$("$TD" dump "$src" | wc -l)
i=0
while [ $i -lt 300 ]; do
	a=$(grep -c " record=$((last - 1)) " "$tmp/a.out" 2>/dev/null)
	b=$(grep -c " record=$((last - 1)) " "$tmp/b.out" 2>/dev/null)
	[ "${a:-0}" -gt 0 ] && [ "${b:-0}" -gt 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
kill -TERM $host
wait $host
what="tail, in process and isolated"
sed 's/^a /X /' "$tmp/a.out" >"$tmp/a.norm"
sed 's/^b /X /' "$tmp/b.out" >"$tmp/b.norm"
check_file_eq "$tmp/a.norm" "$tmp/b.norm" "recorder lines"
finish
