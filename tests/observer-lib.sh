# Helpers of the tests of the bundled observer plugin (tests/test-observer-*.sh),
# sourced after tests/e2e-lib.sh, tests/plugins/plugin-lib.sh,
# tests/follow-lib.sh and tests/metrics-lib.sh (for its HTTP client, free
# ports and serve_start's waiting).
#
# The module is copied from plugins/observer/.libs into $PLUG; $oini is a
# configuration with [plugin:observer] only.  $ROOT is a checkpoint root
# laid out from the Aurora fixtures: ROOT/checkpoints/<task_id>/runner,
# and ROOT/tasks/{active,finished}/<task_id> holding a small config JSON
# ({"name":"name-<id>","role":"role-<id>"}).

: "${TD_OBSERVER_LIBS:=$top_builddir/plugins/observer/.libs}"
if [ ! -f "$TD_OBSERVER_LIBS/observer.so" ]; then
	printf '%s: ERROR: plugin not built: %s/observer.so\n' "$test_name" "$TD_OBSERVER_LIBS"
	exit 99
fi
cp "$TD_OBSERVER_LIBS/observer.so" "$PLUG/" && chmod 644 "$PLUG/observer.so" || exit 99
oini=$tmp/observer.ini
printf '[host]\nplugin_dir = %s\n[plugin:observer]\n' "$PLUG" >"$oini" || exit 99

# The fixtures as tasks, and whether each one's config is active or
# finished (sleep60-lost never ends: active).
OBS_TASKS="hello_world ports failure failure_limit ordering sleep60 sleep60-lost"
ROOT=$tmp/root
mkdir -p "$ROOT/checkpoints" "$ROOT/tasks/active" "$ROOT/tasks/finished" || exit 99
for ot in $OBS_TASKS; do
	mkdir "$ROOT/checkpoints/$ot" || exit 99
	cp "$AUR/$ot/runner" "$ROOT/checkpoints/$ot/runner" || exit 99
	case $ot in
	sleep60-lost) od=active ;;
	*) od=finished ;;
	esac
	printf '{"name":"name-%s","role":"role-%s"}\n' "$ot" "$ot" >"$ROOT/tasks/$od/$ot" || exit 99
done

# obs_start NAME ARG...: `thermos-dispatch -c $oini ARG...` in the
# background with the observer on 127.0.0.1:$port, once /j/task_id_count
# answers (metrics-lib's serve_start, with the observer's listen key).
obs_start() {
	os_name=$1
	shift
	os_try=0
	while [ "$os_try" -lt 5 ]; do
		os_try=$((os_try + 1))
		pick_port
		what="thermos-dispatch $* [$os_name, port $port]"
		bg_start "$os_name" "$TD" -c "$oini" -o "observer.listen=127.0.0.1:$port" "$@"
		if wait_until 10 serve_up "$os_name" /j/task_id_count; then
			bg_done "$os_name" || return 0
		fi
		bg_kill KILL "$os_name"
		wait_until 10 bg_done "$os_name"
	done
	printf '%s: ERROR: could not start %s (last stderr:)\n' "$test_name" "$*"
	sed 's/^/  /' "$BG/$os_name.err"
	exit 99
}

# get PATH: GET PATH into $body (a file); false unless 200.
get() {
	newfile
	body=$nf.json
	what="GET $1"
	http_get "127.0.0.1:$port" "$1" "$body"
}

# status_of PATH: the HTTP status and content type of GET PATH, as
# "STATUS TYPE" in $status (curl only).
status_of() {
	status=$(curl -s -o /dev/null -w '%{http_code} %{content_type}' --max-time 5 "http://127.0.0.1:$port$1")
}

# jq_get PATH FILTER DESCRIPTION: GET PATH answers 200 and FILTER (on the
# one JSON value) is true.
jq_get() {
	if get "$1"; then
		jq_check "$body" ".[0] | $2" "$3"
	else
		fail "GET $1: no 200 answer"
	fi
}
