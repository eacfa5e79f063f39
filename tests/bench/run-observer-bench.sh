#!/bin/sh
# Benchmark of the observer plugin (`make bench`, after run-bench.sh's own
# cases): 10,000 tasks of 100 records each under one root, there when
# `watch` starts, followed once without a plugin and once with the
# observer:
#   - memory: the peak RSS (VmHWM) of each run once every task is read, and
#     the difference per task: what the observer keeps beyond the host;
#   - latency: 1,000 requests each of /j/task_ids/all/0/20, /j/task/<id>
#     and /task/<id> (ids spread over the tasks), one curl each, p50/p99
#     of curl's time_total (connection included).
#
# Environment:
#   THERMOS_DISPATCH  the program under test (required)
#   GEN_STREAM        tests/bench/gen-stream (required)
#   OBSERVER_PLUGIN   the built observer.so (required)
#   BENCH_OBS_TASKS     tasks (default 10000)
#   BENCH_OBS_RECORDS   records per task (default 100)
#   BENCH_OBS_REQUESTS  requests per route (default 1000)
# Needs curl; without it the case is skipped.
set -u

me=run-observer-bench.sh
die() {
	echo "$me: $*" >&2
	exit 1
}

: "${THERMOS_DISPATCH:?set THERMOS_DISPATCH to the thermos-dispatch program}"
: "${GEN_STREAM:?set GEN_STREAM to tests/bench/gen-stream}"
: "${OBSERVER_PLUGIN:?set OBSERVER_PLUGIN to the built observer.so}"
tasks=${BENCH_OBS_TASKS:-10000}
records=${BENCH_OBS_RECORDS:-100}
requests=${BENCH_OBS_REQUESTS:-1000}
for v in "$tasks" "$records" "$requests"; do
	case $v in
	'' | *[!0-9]*) die "the BENCH_OBS_* settings must be integers, not '$v'" ;;
	esac
done
if ! command -v curl >/dev/null 2>&1; then
	echo "observer: skipped (no curl)"
	exit 0
fi

host_pid=
cleanup() {
	[ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null && wait "$host_pid" 2>/dev/null
	rm -rf "$scratch"
}
scratch=$(mktemp -d "${TMPDIR:-/tmp}/thermos-obench.XXXXXX") ||
	die "cannot create a temporary directory"
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
scratch=$(cd "$scratch" && pwd -P) || die "cannot enter $scratch"

mkdir "$scratch/plugins" || die "cannot create $scratch/plugins"
cp "$OBSERVER_PLUGIN" "$scratch/plugins/observer.so" || die "cannot copy $OBSERVER_PLUGIN"
chmod 755 "$scratch/plugins"
chmod 644 "$scratch/plugins/observer.so"

# The tasks: one generated stream (ending with its terminal task status),
# hard-linked as every task's runner; a small config file each.
root=$scratch/root
mkdir -p "$root/checkpoints" "$root/tasks/finished" || die "cannot create $root"
"$GEN_STREAM" -n "$records" -p 5 -s 1 "$scratch/task.ckpt" || die "gen-stream failed"
i=0
while [ "$i" -lt "$tasks" ]; do
	id=task-$i
	mkdir "$root/checkpoints/$id" || die "cannot create a task"
	ln "$scratch/task.ckpt" "$root/checkpoints/$id/runner" ||
		cp "$scratch/task.ckpt" "$root/checkpoints/$id/runner" || die "cannot copy a task"
	printf '{"name":"bench-%d","role":"bench"}\n' "$i" >"$root/tasks/finished/$id"
	i=$((i + 1))
done

hwm_kib() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"
}

port=$((20000 + $$ % 40000))
url=http://127.0.0.1:$port

# With the observer: wait until it knows every task, then measure.
start=$(date +%s)
printf '[host]\nplugin_dir = %s\n[plugin:observer]\nlisten = 127.0.0.1:%s\n' \
	"$scratch/plugins" "$port" >"$scratch/observer.ini"
"$THERMOS_DISPATCH" -c "$scratch/observer.ini" watch "$root" >"$scratch/obs.out" 2>"$scratch/obs.err" &
host_pid=$!
n=0
while :; do
	got=$(curl -s --max-time 2 "$url/j/task_id_count" | sed -n 's/.*"all":\([0-9]*\).*/\1/p')
	[ "${got:-0}" -ge "$tasks" ] && break
	n=$((n + 1))
	[ "$n" -lt 1200 ] || die "the observer did not see every task in 120 s ($(cat "$scratch/obs.err"))"
	sleep 0.1
done
sleep 1
read_s=$(($(date +%s) - start))
obs_hwm=$(hwm_kib "$host_pid")

# p50/p99 of 1,000 requests of a path (%d: an id index).
lat() {
	l_i=0
	: >"$scratch/lat"
	while [ "$l_i" -lt "$requests" ]; do
		l_path=$(printf "$1" $((l_i * 7919 % tasks)))
		curl -s -o /dev/null -w '%{time_total}\n' "$url$l_path" >>"$scratch/lat"
		l_i=$((l_i + 1))
	done
	sort -n "$scratch/lat" | awk -v what="$1" '{ v[NR] = $1 }
		END { printf "observer: %-22s p50 %.2f ms, p99 %.2f ms (%d requests)\n",
			what, v[int(NR * 0.5 + 0.5)] * 1000, v[int(NR * 0.99 + 0.5)] * 1000, NR }'
}
lat /j/task_ids/all/0/20
lat /j/task/task-%d
lat /task/task-%d
kill "$host_pid"
wait "$host_pid"
host_pid=

# Without a plugin: the same root, as long as the first run took to read.
"$THERMOS_DISPATCH" -c /dev/null watch "$root" >/dev/null 2>&1 &
host_pid=$!
sleep "$((read_s + 2))"
base_hwm=$(hwm_kib "$host_pid")
kill "$host_pid"
wait "$host_pid"
host_pid=

echo "observer: $tasks tasks x $records records: peak RSS $obs_hwm KiB with the observer, $base_hwm KiB without;" \
	"$(( (obs_hwm - base_hwm) * 1024 / tasks )) bytes a task beyond the host"
