#!/bin/sh
# The observer plugin's JSON, as Aurora's observer answers it
# (task_observer.py, http/json.py), on the Aurora fixtures laid out as a
# checkpoint root followed by `watch`:
# - /j/task_id_count, /j/task_ids with its paging (offset, num, a negative
#   offset), /j/task and /j/task/<id>, /j/process, /j/processes: every
#   field, its JSON type and the fixtures' exact values; integer
#   timestamps; a return_code of 0 kept; unknown ids answered as Aurora's;
# - content type and nosniff; 404 for unknown paths and lists;
# - /logdata on a real log file;
# - check mode binds nothing; a taken port and bad option values are
#   configuration errors (exact text, exit 78).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"
. "$top_srcdir/tests/observer-lib.sh"

need_http
command -v curl >/dev/null 2>&1 || { printf '%s: SKIP: curl not found\n' "$test_name"; exit 77; }

# A log of process `echo` of `ports`, run 0, where Thermos puts it for a
# runner whose header has no log_dir: ROOT/logs/<task_id>/<process>/<run>/.
mkdir -p "$ROOT/logs/ports/echo/0" || exit 99
printf 'hello\nworld\n' >"$ROOT/logs/ports/echo/0/stdout" || exit 99

obs_start w watch "$ROOT"
# The streams are read once the server answers; wait for all of them.
all_read() {
	get /j/task_id_count && "$JQ" -e '.all == 7' "$body" >/dev/null
}
wait_until 10 all_read || fail "not every fixture task is known after 10 s"

# --- counts and lists ---------------------------------------------------------
jq_get /j/task_id_count '. == {"active":1,"finished":6,"all":7}' "task_id_count"

ROW_KEYS='["cpu","disk","launch_timestamp","name","nice","ports","ram","role","rss","state","state_timestamp","status","system","task_id","threads","user","vms"]'
jq_get /j/task_ids ".type == \"all\" and .offset == 0 and .num == 20 and .task_count == 7
	and (.tasks | length) == 7
	and ([.tasks[].task_id] | sort) == [\"failure\",\"failure_limit\",\"hello_world\",\"ordering\",\"ports\",\"sleep60\",\"sleep60-lost\"]
	and all(.tasks[]; (keys == $ROW_KEYS)
		and (.launch_timestamp | type) == \"number\" and .launch_timestamp == (.launch_timestamp | floor)
		and (.state_timestamp | . == floor) and (.cpu | type) == \"number\"
		and (.ram, .rss, .vms, .disk, .threads, .nice | type) == \"number\"
		and .status == null and (.name | startswith(\"name-\")) and .role == \"wickman\"
		and (.ports | type) == \"object\")" "/j/task_ids: every row's fields and types"
cp "$body" "$tmp/all.json"
jq_get /j/task_ids/all '.task_count == 7 and (.tasks | length) == 7' "/j/task_ids/all"

jq_get /j/task_ids/finished/0/20 '.type == "finished" and .task_count == 6 and (.tasks | length) == 6 and all(.tasks[]; .task_id != "sleep60-lost")' "finished list"
jq_get /j/task_ids/active '.type == "active" and .task_count == 1 and [.tasks[].task_id] == ["sleep60-lost"]
	and .tasks[0].state == "ACTIVE" and .tasks[0].launch_timestamp == 1336688659 and .tasks[0].name == "name-sleep60-lost"' "active list"

# Paging: pages cut the same order as the whole list.
ALL_IDS=$("$JQ" -c '[.tasks[].task_id]' "$tmp/all.json")
jq_get /j/task_ids/all/0/3 ".offset == 0 and .num == 3 and [.tasks[].task_id] == ($ALL_IDS | .[0:3])" "page 0/3"
jq_get /j/task_ids/all/3/20 ".offset == 3 and [.tasks[].task_id] == ($ALL_IDS | .[3:])" "page 3/20"
jq_get /j/task_ids/all/6/5 "[.tasks[].task_id] == ($ALL_IDS | .[6:7])" "page 6/5"
jq_get /j/task_ids/all/7 '.tasks == [] and .task_count == 7' "page past the end"
# Aurora: a negative offset counts from the end when the list is longer.
jq_get /j/task_ids/all/-2 ".offset == 5 and [.tasks[].task_id] == ($ALL_IDS | .[5:7])" "offset -2"
jq_get /j/task_ids/all/-2/1 ".offset == 5 and .num == 1 and [.tasks[].task_id] == ($ALL_IDS | .[5:6])" "offset -2 num 1"
jq_get /j/task_ids/all/-7 ".offset == 0 and (.tasks | length) == 7" "offset -7: 0"
jq_get /j/task_ids/all/-100 ".offset == 0 and (.tasks | length) == 7" "offset -100: 0"
jq_get /j/task_ids/all/0/0 '.tasks == [] and .num == 0' "num 0"

# --- one task -----------------------------------------------------------------
TASK_KEYS='["launch_timestamp","name","ports","processes","resource_consumption","state","state_timestamp","task","task_id","user"]'
USAGE_KEYS='["cpu","disk","nice","ram","rss","status","system","threads","user","vms"]'
jq_get /j/task/ports "keys == [\"ports\"] and (.ports | keys) == $TASK_KEYS
	and .ports.task_id == \"ports\" and .ports.name == \"name-ports\" and .ports.user == \"wickman\"
	and .ports.launch_timestamp == 1337098152 and .ports.state == \"SUCCESS\"
	and .ports.state_timestamp == 1337098155
	and .ports.ports == {\"hello\":50000,\"world\":50001}
	and (.ports.resource_consumption | keys) == $USAGE_KEYS
	and .ports.resource_consumption.cpu == 0 and .ports.resource_consumption.disk == 0
	and .ports.processes == {\"waiting\":[],\"running\":[],\"success\":[\"echo\"],\"failed\":[],\"killed\":[]}
	and .ports.task == {\"name\":\"name-ports\",\"role\":\"role-ports\"}" "/j/task/ports"
jq_get /j/task/sleep60 '.sleep60.state == "KILLED" and .sleep60.launch_timestamp == 1337098156
	and .sleep60.state_timestamp == 1337098162
	and .sleep60.processes.killed == ["sleep"]' "/j/task/sleep60"
jq_get /j/task/failure_limit '.failure_limit.state == "FAILED" and .failure_limit.processes.success == ["a"]
	and .failure_limit.processes.failed == ["b"]' "/j/task/failure_limit"
jq_get '/j/task?task_id=ports,hello_world,nope' '(keys == ["hello_world","ports"]) and .hello_world.state == "SUCCESS"
	and .hello_world.name == "name-hello_world" and .hello_world.launch_timestamp == 1337097943' "/j/task?task_id=a,b,unknown"
jq_get /j/task/nope '. == {}' "/j/task/<unknown>"
jq_get /j/task '. == {}' "/j/task without ids"
jq_get '/j/task?task_id=..' '. == {}' "/j/task?task_id=.."

# --- processes ---------------------------------------------------------------
jq_get /j/process/ports/echo '. == {"process_name":"echo","process_run":0,"state":"SUCCESS","start_time":1337098152,"stop_time":1337098152,"return_code":0}' "/j/process/ports/echo (return_code 0 kept)"
jq_get /j/process/ports/echo/0 '.process_run == 0 and .return_code == 0' "/j/process/ports/echo/0"
jq_get /j/process/ports/echo/-1 '.process_run == 0' "/j/process/ports/echo/-1"
jq_get /j/process/ports/echo/1 '. == {}' "/j/process: a run past the end"
jq_get /j/process/ports/echo/-2 '. == {}' "/j/process: a negative run past the start"
jq_get /j/process/ports/nope '. == {}' "/j/process: unknown process"
jq_get /j/process/nope/echo '. == {}' "/j/process: unknown task"
jq_get /j/process/sleep60/sleep '. == {"process_name":"sleep","process_run":0,"state":"KILLED","start_time":1337098156,"stop_time":1337098162,"return_code":-1}' "/j/process/sleep60/sleep"
jq_get /j/process/failure_limit/b '.state == "FAILED" and .return_code == 1' "/j/process/failure_limit/b"
jq_get /j/process/sleep60-lost/sleep "del(.used) == {\"process_name\":\"sleep\",\"process_run\":0,\"state\":\"RUNNING\",\"start_time\":1336688660}
	and (.used | keys) == ($USAGE_KEYS - [\"disk\"])" "/j/process of a RUNNING run has used"
jq_get '/j/processes?task_id=ports,nope' '. == {"ports":{"echo":{"process_name":"echo","process_run":0,"state":"SUCCESS","start_time":1337098152,"stop_time":1337098152,"return_code":0}},"nope":{}}' "/j/processes?task_id=ports,unknown"
jq_get /j/processes '. == {}' "/j/processes without ids"
jq_get '/j/processes?task_id=failure' '(.failure | keys) == ["p1","p2","p3"] and all(.failure[]; .state == "SUCCESS" and .return_code == 0)' "/j/processes of failure"

# --- headers, 404 --------------------------------------------------------------
status_of /j/task_id_count
what="content type of JSON"
[ "$status" = "200 application/json; charset=utf-8" ] && ok || fail "want 200 application/json; charset=utf-8, got $status"
nosniff=$(curl -s -D - -o /dev/null --max-time 5 "http://127.0.0.1:$port/j/task_ids" | tr -d '\r' | grep -ci '^x-content-type-options: nosniff$')
what="nosniff on JSON"
[ "$nosniff" = 1 ] && ok || fail "want X-Content-Type-Options: nosniff"
for p in /nope /j/nope /j/task_ids/other /j/task_ids/all/x /j/task_ids/all/0/1/2 /assets/nope.css /task/nope /process/ports/nope /logdata/ports/echo/0/other; do
	status_of "$p"
	what="GET $p"
	case $status in
	404\ *) ok ;;
	*) fail "want 404, got $status" ;;
	esac
done

# --- /logdata -----------------------------------------------------------------
jq_get '/logdata/ports/echo/0/stdout?offset=0&length=100' '. == {"offset":0,"length":12,"data":"hello\nworld\n"}' "/logdata from 0"
jq_get '/logdata/ports/echo/0/stdout?offset=6&length=3' '.offset == 6 and .length == 3 and .data == "wor"' "/logdata a slice"
jq_get '/logdata/ports/echo/0/stdout?offset=-1' '.offset == 12 and .data == ""' "/logdata offset -1: the end"

bg_kill TERM w
bg_wait w 10
check_rc 0

# --- check mode, a taken port, bad values ---------------------------------------
obs_start holder watch "$ROOT"
for i in 1 2; do
	td -c "$oini" -o "observer.listen=127.0.0.1:$port" check
	check_rc 0
	check_stderr_empty
	check_stdout "$oini: configuration ok, 1 plugin instance enabled"
done
jq_get /j/task_id_count '.all == 7' "the holder still answers after check"
td -c "$oini" -o "observer.listen=127.0.0.1:$port" watch "$ROOT"
check_rc 78
check_stderr "thermos-dispatch: -o:1: [plugin:observer] listen: cannot listen on 127.0.0.1:$port: Failed to bind to port $port: Address already in use"
bg_kill TERM holder
bg_wait holder 10

td -c "$oini" -o observer.sample_interval=-1 check
check_rc 78
check_stderr 'thermos-dispatch: -o:1: [plugin:observer] sample_interval: must be seconds from 0 to 2592000, not "-1"'
td -c "$oini" -o observer.disk_interval=2592001 check
check_rc 78
check_stderr 'thermos-dispatch: -o:1: [plugin:observer] disk_interval: must be seconds from 0 to 2592000, not "2592001"'
td -c "$oini" -o observer.max_finished=-5 check
check_rc 78
check_stderr 'thermos-dispatch: -o:1: [plugin:observer] max_finished: must be a count from 0 to 10000000, not "-5"'
td -c "$oini" -o observer.max_finished=x check
check_rc 78
check_stderr "thermos-dispatch: -o:1: [plugin:observer] max_finished: expected an integer from -9223372036854775808 to 9223372036854775807, not 'x'"
td -c "$oini" -o observer.listen=127.0.0.1:0 check
check_rc 78
check_stderr "thermos-dispatch: -o:1: [plugin:observer] listen: '127.0.0.1:0': the port must be a number from 1 to 65535"

finish
