#!/bin/sh
# The observer plugin's pages in a real browser: `watch` on a checkpoint
# root in a temporary directory with [plugin:observer] on a free loopback
# port, driven by headless Chromium through puppeteer-core
# (tests/browser/observer.test.js):
# - `/` links to the task lists, the list links to the task, whose page
#   shows its state and processes;
# - a record appended to the task's stream shows on the open task page
#   within 1 s, without a reload (a process's state, then the task's);
# - a task whose id is `<img src=x onerror=alert(1)>` shows as text: no
#   element made of it, no dialog, on its page and in the list;
# - the process page, the raw config, and the log viewer tailing a file
#   that grows (its text as text);
# - no script error and no Content-Security-Policy violation on any page.
# A screenshot of the task page is left in the build tree,
# tests/observer-task.png.  Without chromium, node or tests/browser's
# node_modules (`npm ci` there), the test is skipped, except under CI=true,
# where that is a failure.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

# need WHAT HINT: a skip (77), or under CI=true a failure (1).
need() {
	if [ "${CI:-}" = true ]; then
		printf '%s: FAIL: %s (CI=true: %s)\n' "$test_name" "$1" "$2"
		exit 1
	fi
	printf '%s: SKIP: %s (%s)\n' "$test_name" "$1" "$2"
	exit 77
}

: "${TD_OBSERVER_LIBS:=$top_builddir/plugins/observer/.libs}"
[ -f "$TD_OBSERVER_LIBS/observer.so" ] ||
	need "observer plugin not built: $TD_OBSERVER_LIBS/observer.so" "build the plugin"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || :)}
[ -n "$CHROMIUM" ] || need "chromium not found" "Debian package chromium"
command -v node >/dev/null 2>&1 || need "node not found" "Debian package nodejs"
BROWSER_DIR=$top_srcdir/tests/browser
[ -d "$BROWSER_DIR/node_modules/puppeteer-core" ] ||
	need "tests/browser/node_modules missing" "run npm ci in tests/browser"

cp "$TD_OBSERVER_LIBS/observer.so" "$PLUG/" && chmod 644 "$PLUG/observer.so" || exit 99
umask 022

# --- the root: a running task, a hostile one, and their config files --------
root=$tmp/root
evil='<img src=x onerror=alert(1)>'
mkdir -p "$root/checkpoints/t1" "$root/checkpoints/$evil" \
	"$root/tasks/active" "$root/log/hello/0" || exit 99
now=$(date +%s)
ms=${now}000

# encode FILE: JSON lines on stdin to a stream in FILE.
encode() {
	"$TD" encode >"$1" || {
		printf '%s: ERROR: encode failed\n' "$test_name"
		exit 99
	}
}
encode "$root/checkpoints/t1/runner" <<EOF
{"task_status":{"state":"ACTIVE","timestamp_ms":$ms,"runner_pid":$$,"runner_uid":0}}
{"header":{"task_id":"t1","launch_time_ms":$ms,"sandbox":"$root/sandbox","log_dir":"$root/log","hostname":"localhost","user":"nobody","ports":{"http":31337}}}
{"process_status":{"seq":0,"process":"hello","state":"WAITING"}}
{"process_status":{"seq":1,"process":"hello","state":"FORKED","coordinator_pid":$$,"fork_time":$now.1}}
{"process_status":{"seq":2,"process":"hello","state":"RUNNING","start_time":$now.2,"pid":$$}}
{"process_status":{"seq":0,"process":"later","state":"WAITING"}}
EOF
encode "$tmp/hello-success.bin" <<EOF
{"process_status":{"seq":3,"process":"hello","state":"SUCCESS","stop_time":$now.5,"return_code":0}}
EOF
encode "$tmp/task-success.bin" <<EOF
{"task_status":{"state":"SUCCESS","timestamp_ms":${now}900,"runner_pid":$$,"runner_uid":0}}
EOF
encode "$root/checkpoints/$evil/runner" <<EOF
{"task_status":{"state":"ACTIVE","timestamp_ms":$ms,"runner_pid":$$,"runner_uid":0}}
{"header":{"task_id":"$evil","launch_time_ms":$ms,"sandbox":"$root/sandbox2","hostname":"localhost","user":"<b>u</b>","ports":{"<i>p</i>":31338}}}
{"process_status":{"seq":0,"process":"<svg onload=alert(2)>","state":"WAITING"}}
EOF
printf '%s\n' '{"name": "hello", "role": "nobody", "task": {"name": "hello"}}' \
	>"$root/tasks/active/t1"
printf '%s\n' '{"name": "<script>alert(3)</script>", "role": "r"}' \
	>"$root/tasks/active/$evil"
printf 'hello <b>world</b>\n' >"$root/log/hello/0/stdout"

# --- the host ---------------------------------------------------------------
ini observer "[host]" "plugin_dir = $PLUG" "[plugin:observer]"
port=
try=0
while [ "$try" -lt 5 ]; do
	try=$((try + 1))
	# Another port on each try: one in use makes the start fail.
	port=$((20000 + ($$ * 7919 + try * 97) % 40000))
	bg_start host "$TD" -c "$ini" -o "observer.listen=127.0.0.1:$port" watch "$root"
	# Up once its index answers (node, not curl: one client less).
	if wait_until 10 node -e '
		fetch(process.argv[1]).then(r => process.exit(r.ok ? 0 : 1),
			() => process.exit(1))' "http://127.0.0.1:$port/"; then
		bg_done host || break
	fi
	bg_kill KILL host
	wait_until 10 bg_done host
	port=
done
if [ -z "$port" ]; then
	printf '%s: ERROR: the host did not serve (stderr:)\n' "$test_name"
	sed 's/^/  /' "$BG/host.err"
	exit 99
fi

# --- the browser --------------------------------------------------------------
what="tests/browser/observer.test.js"
NODE_PATH=$BROWSER_DIR/node_modules node "$BROWSER_DIR/observer.test.js" \
	--url "http://127.0.0.1:$port" --chromium "$CHROMIUM" \
	--stream "$root/checkpoints/t1/runner" \
	--hello-success "$tmp/hello-success.bin" \
	--task-success "$tmp/task-success.bin" \
	--log "$root/log/hello/0/stdout" \
	--screenshot "$top_builddir/tests/observer-task.png" \
	>"$tmp/browser.out" 2>&1
brc=$?
sed 's/^/  /' "$tmp/browser.out"
if [ "$brc" -eq 0 ]; then ok; else fail "the browser checks failed (exit $brc)"; fi

host_stop host
what="the host's exit"
if [ "$rc" = 0 ]; then ok; else
	fail "watch exited $rc (stderr:)"
	sed 's/^/  /' "$err"
fi
finish
