#!/bin/sh
# `status`: the tasks under checkpoint roots as Aurora's `thermos status`
# lists them, at each verbosity, with --only, --json and REGEXes; no match
# (exit 1), usage errors (exit 64), roots that cannot be read and streams
# that are missing, damaged or links.  Times are shown in the local zone:
# TZ=UTC makes them exact.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

TZ=UTC
export TZ

# ROOT/checkpoints/ID/runner from a fixture, and the marker of its kind
# (none: a checkpoint without a marker, listed as active).
task() { # task ROOT ID FIXTURE active|finished|none
	mkdir -p "$1/checkpoints/$2" "$1/tasks/active" "$1/tasks/finished" &&
		cp "$3" "$1/checkpoints/$2/runner" || exit 99
	[ "$4" = none ] || : >"$1/tasks/$4/$2"
}
a=$tmp/a
b=$tmp/runs/b
task "$a" hello_world "$AUR/hello_world/runner" finished
task "$a" ports "$AUR/ports/runner" active
task "$a" failure "$AUR/failure/runner" finished
task "$b" sleep60 "$AUR/sleep60/runner" none

# The owner is the stream file's: whoever runs the test.
me=$(id -un 2>/dev/null) || me=uid:$(id -u)
own=$(printf '[owner: %8s]' "$me")

# -v 0 (the default): id and owner; active tasks first, then finished,
# each by root then id; a glob ROOT is expanded.
td status "$a" "$tmp/runs/*"
check_rc 0
check_stderr_empty
check_stdout "Active tasks:" \
	"  ports                $own" \
	"  sleep60              $own" \
	"" \
	"Finished tasks:" \
	"  failure              $own" \
	"  hello_world          $own" \
	""

# -v 1: the latest task state and the launch time.
td status -v 1 "$a" "$b"
check_rc 0
check_stderr_empty
check_stdout "Active tasks:" \
	"  ports                $own  state:  SUCCESS start:  Tue May 15 16:09:12 2012" \
	"  sleep60              $own  state:   KILLED start:  Tue May 15 16:09:16 2012" \
	"" \
	"Finished tasks:" \
	"  failure              $own  state:  SUCCESS start:  Tue May 15 16:05:48 2012" \
	"  hello_world          $own  state:  SUCCESS start:  Tue May 15 16:05:43 2012" \
	""

# -v 2: and user, ports, sandbox and each process's latest run (Aurora
# shows the process table at 3 only).
td status --verbosity 2 --only active "$a"
check_rc 0
check_stderr_empty
check_stdout "Active tasks:" \
	"  ports                $own  state:  SUCCESS start:  Tue May 15 16:09:12 2012" \
	"    user: wickman ports: world -> 50001 hello -> 50000" \
	"    sandbox: /tmp/thermos.kfezsG/sandbox" \
	"    process table:" \
	"      - echo runs: 1 last: pid=43570, rc=0, finish:Tue May 15 16:09:12 2012, state:SUCCESS" \
	"" \
	""

# -v 3: the same as 2 (runs counts them all).
td status -v 3 --only finished "$a"
check_rc 0
check_stderr_empty
check_stdout "Finished tasks:" \
	"  failure              $own  state:  SUCCESS start:  Tue May 15 16:05:48 2012" \
	"    user: wickman ports: None" \
	"    sandbox: /tmp/thermos.kfezsG/sandbox" \
	"    process table:" \
	"      - p2 runs: 2 last: pid=43507, rc=0, finish:Tue May 15 16:05:51 2012, state:SUCCESS" \
	"      - p3 runs: 3 last: pid=43522, rc=0, finish:Tue May 15 16:05:53 2012, state:SUCCESS" \
	"      - p1 runs: 1 last: pid=43498, rc=0, finish:Tue May 15 16:05:49 2012, state:SUCCESS" \
	"" \
	"  hello_world          $own  state:  SUCCESS start:  Tue May 15 16:05:43 2012" \
	"    user: wickman ports: None" \
	"    sandbox: /tmp/thermos.kfezsG/sandbox" \
	"    process table:" \
	"      - echo runs: 1 last: pid=43479, rc=0, finish:Tue May 15 16:05:43 2012, state:SUCCESS" \
	"" \
	""

# REGEXes after "--": any of them, anywhere in the id (GRegex).
td status -v 1 "$a" "$b" -- '^hel' 'ep6'
check_rc 0
check_stderr_empty
check_stdout "Active tasks:" \
	"  sleep60              $own  state:   KILLED start:  Tue May 15 16:09:16 2012" \
	"" \
	"Finished tasks:" \
	"  hello_world          $own  state:  SUCCESS start:  Tue May 15 16:05:43 2012" \
	""

# Options may follow the ROOTs; a REGEX may look like an option.
td status "$a" --only finished -- -x ure
check_rc 0
check_stderr_empty
check_stdout "Finished tasks:" "  failure              $own" ""

# A root named twice, or through a link (Mesos's runs/latest), is listed
# once.
ln -s "$b" "$tmp/runs/latest"
td status "$b" "$tmp/runs/*" "$a" "$a/." -- sleep60 ports
check_rc 0
check_stderr_empty
check_stdout "Active tasks:" \
	"  sleep60              $own" \
	"  ports                $own" \
	""
rm "$tmp/runs/latest"

# Nothing matches: exit 1, the exact text.
td status "$a" -- nothing
check_rc 1
check_stderr_empty
check_stdout "No tasks found."

td status --only active "$tmp/runs/*" -- hello
check_rc 1
check_stderr_empty
check_stdout "No tasks found."

# --json: one object per task, the fields of the verbosity.
td status --json "$a" -- ports
check_rc 0
check_stderr_empty
check_stdout_json_text "{\"id\":\"ports\",\"root\":\"$a\",\"status\":\"active\",\"owner\":\"$me\"}"

td status --json -v 3 "$a" -- hello
check_rc 0
check_stderr_empty
check_stdout_json_text "{\"id\":\"hello_world\",\"root\":\"$a\",\"status\":\"finished\",\"owner\":\"$me\",\"damaged\":false,\"state\":\"SUCCESS\",\"launch_time_ms\":1337097943035,\"user\":\"wickman\",\"ports\":{},\"sandbox\":\"/tmp/thermos.kfezsG/sandbox\",\"processes\":[{\"name\":\"echo\",\"runs\":1,\"last\":{\"seq\":3,\"process\":\"echo\",\"state\":\"SUCCESS\",\"coordinator_pid\":43478,\"fork_time\":1337097943.293865,\"start_time\":1337097943.406474,\"pid\":43479,\"stop_time\":1337097943.420024,\"return_code\":0}}]}"

td status --json -v 2 "$a" "$b"
check_rc 0
check_stderr_empty
if [ -n "$JQ" ]; then
	what="status --json -v 2: jq"
	got=$("$JQ" -r '[.id, .status, .state, (.ports | keys | join(",")), .user] | join(" ")' "$out" 2>&1)
	want="ports active SUCCESS hello,world wickman
sleep60 active KILLED  wickman
failure finished SUCCESS  wickman
hello_world finished SUCCESS  wickman"
	if [ "$got" = "$want" ]; then ok; else fail "jq gave:" "$got"; fi
fi

# No match in JSON: nothing printed, exit 1.
td status --json "$a" -- nothing
check_rc 1
check_stdout_empty
check_stderr_empty

# Roots that cannot be read: one warning each; the others are listed.
td status "$tmp/missing" "$a" "$tmp/none-*" "$AUR/ports/runner" -- hello
check_rc 0
check_stderr "thermos-dispatch: warning: $tmp/missing: No such file or directory" \
	"thermos-dispatch: warning: $tmp/none-*: no directory matches" \
	"thermos-dispatch: warning: $AUR/ports/runner: Not a directory"
check_stdout "Finished tasks:" "  hello_world          $own" ""

td status "$tmp/missing"
check_rc 1
check_stderr "thermos-dispatch: warning: $tmp/missing: No such file or directory"
check_stdout "No tasks found."

# A root the user may not read (not testable as root).
if [ "$(id -u)" != 0 ]; then
	mkdir "$tmp/closed" && chmod 000 "$tmp/closed"
	td status "$tmp/closed"
	check_rc 1
	check_stderr "thermos-dispatch: warning: $tmp/closed: Permission denied"
	check_stdout "No tasks found."
	chmod 700 "$tmp/closed"
fi

# Damaged streams: the task with what was read, and a warning.  A stream
# broken at record 17 still has its header and task state; a missing one,
# a task directory that is a link and a runner that is a link have none.
c=$tmp/c
task "$c" broken "$GEN/broken-bad_transition-0.ckpt" active
mkdir -p "$c/checkpoints/nostream" "$c/checkpoints/linkrun"
: >"$c/tasks/active/marked-only"
ln -s "$a/checkpoints/ports" "$c/checkpoints/linkdir"
ln -s "$a/checkpoints/ports/runner" "$c/checkpoints/linkrun/runner"
td status -v 1 "$c"
check_rc 0
check_stderr \
	"thermos-dispatch: warning: $c/checkpoints/broken/runner: record 17 at byte 977: invalid transition WAITING => RUNNING" \
	"thermos-dispatch: warning: $c/checkpoints/linkrun/runner: a symbolic link" \
	"thermos-dispatch: warning: $c/checkpoints/marked-only: No such file or directory" \
	"thermos-dispatch: warning: $c/checkpoints/nostream/runner: No such file or directory"
check_stdout "Active tasks:" \
	"  broken               $own  state:   ACTIVE start:  Sun Sep 20 16:34:29 2020" \
	"  linkrun              [owner:        -] - checkpoint stream CORRUPT or outdated format" \
	"  marked-only          [owner:        -] - checkpoint stream CORRUPT or outdated format" \
	"  nostream             [owner:        -] - checkpoint stream CORRUPT or outdated format" \
	""
# The link to a task directory is no task of this root.
td status "$c" -- linkdir
check_rc 1
check_stdout "No tasks found."

# Left out by the REGEX, the other streams of $c are never opened: no
# warning about them.
td status --json -v 1 "$c" -- broken
check_rc 0
check_stderr "thermos-dispatch: warning: $c/checkpoints/broken/runner: record 17 at byte 977: invalid transition WAITING => RUNNING"
check_stdout_json_text "{\"id\":\"broken\",\"root\":\"$c\",\"status\":\"active\",\"owner\":\"$me\",\"damaged\":true,\"state\":\"ACTIVE\",\"launch_time_ms\":1600619669270}"

# A torn last record: a warning, the state before it.
task "$c" torn "$GEN/broken-torn_body-0.ckpt" finished
td status -v 1 --only finished "$c"
check_rc 0
check_stderr_prefix "thermos-dispatch: warning: $c/checkpoints/torn/runner: record "

# Names are bytes from the tasks' side: escaped in text.
task "$c" "$(printf 'tab\tx')" "$AUR/hello_world/runner" finished
td status --only finished "$c" -- tab
check_rc 0
check_stdout "Finished tasks:" "  tab\\x09x             $own" ""
# ... and in warnings.
task "$c" "$(printf 'nl\nx')" "$GEN/broken-bad_transition-0.ckpt" finished
td status -v 1 --only finished "$c" -- nl
check_rc 0
check_stderr "thermos-dispatch: warning: $c/checkpoints/nl\\x0ax/runner: record 17 at byte 977: invalid transition WAITING => RUNNING"
check_stdout "Finished tasks:" \
	"  nl\\x0ax              $own  state:   ACTIVE start:  Sun Sep 20 16:34:29 2020" \
	""

# Usage errors: exit 64, one line, nothing on stdout.
hint="(see 'thermos-dispatch status --help')"
td status
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: status: missing ROOT $hint"

td status -- "$a"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: status: missing ROOT $hint"

td status --only all "$a"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: status: --only: expected 'active' or 'finished', not 'all' $hint"

td status -v 4 "$a"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: status: --verbosity: expected an integer from 0 to 3, not '4' $hint"

td status -v x "$a"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: status: --verbosity: expected an integer from 0 to 3, not 'x' $hint"

td status --foo "$a"
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: status: unknown option '--foo' $hint"

td status "$a" -- '('
check_rc 64
check_stdout_empty
check_stderr "thermos-dispatch: status: invalid REGEX '(' $hint"

td status --help
check_rc 0
check_stderr_empty
if grep -q -- '--only active|finished' "$out"; then ok; else fail "help does not show --only"; fi

finish
