#!/bin/sh
# The failure reason of ABI 1.1 (host->fail_reason) and the count of
# failures at the end of `replay` (thermos-dispatch.ini(5), on_error).  The
# reasons test plugin (tests/plugins/reasons.c) fails every
# on_task_transition after handing over a reason; the host's line about a
# failure ends with `: REASON` after the location:
# - on_error = continue (the default), disable, abort: the exact lines,
#   exit 70;
# - a reason with a newline is one line (the newline a space): no line of
#   the host's log is forged;
# - a reason of 254 'a' then 'é' (bytes 255 and 256): cut before the 'é',
#   not inside it; 300 'b': cut at 255 bytes;
# - a reason set by a callback that then succeeds is not that of the next
#   failure;
# - the count line: `NAME: N callbacks failed (M not logged: at most one
#   line a second)`, M being the failures after the last line logged; a
#   later warning says how many it follows (`(and K more failures)`);
#   without any left out, `NAME: 1 callback failed`.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

HW=$AUR/hello_world/runner
PFX=thermos-dispatch
W="$PFX: warning: r: on_task_transition failed at $HW record"
COUNT2="$PFX: r: 2 callbacks failed (1 not logged: at most one line a second)"

# reasons CASE [KEY=VALUE...]: a configuration with the instance r.
reasons() {
	rs_case=$1
	shift
	ini "r-$rs_case" "[host]" "plugin_dir = $PLUG" "[plugin:r]" "module = reasons" \
		"case = $rs_case" "$@"
}

# --- the policies ------------------------------------------------------------
reasons plain "reason = disk full: /var/x"
td -c "$ini" replay "$HW"
check_rc 70
check_stdout_empty
check_stderr "$W 0: disk full: /var/x" "$COUNT2"

reasons plain "reason = disk full" "on_error = disable"
td -c "$ini" replay "$HW"
check_rc 70
check_stderr "$PFX: r: on_task_transition failed at $HW record 0: disk full; instance disabled (on_error = disable)" \
	"$PFX: r: 1 callback failed"

reasons plain "reason = disk full" "on_error = abort"
td -c "$ini" replay "$HW"
check_rc 70
check_stderr "$PFX: r: on_task_transition failed at $HW record 0: disk full; aborting (on_error = abort)"

# --- the reason's form ---------------------------------------------------------
reasons newline "reason = two"
td -c "$ini" replay "$HW"
check_rc 70
check_stderr "$W 0: two $PFX: forged" "$COUNT2"

A254=$(printf '%254s' '' | tr ' ' a)
reasons long
td -c "$ini" replay "$HW"
check_rc 70
check_stderr "$W 0: $A254" "$COUNT2"

B255=$(printf '%255s' '' | tr ' ' b)
reasons ascii
td -c "$ini" replay "$HW"
check_rc 70
check_stderr "$W 0: $B255" "$COUNT2"

# Set by record 0's callback, which succeeds: record 6's failure has none.
reasons unfailed "reason = stale"
td -c "$ini" replay "$HW"
check_rc 70
check_stderr "$W 6" "$PFX: r: 1 callback failed"

# --- the count line ------------------------------------------------------------
# Task transitions: hello_world and ports 0 and 6, failure 0 and 26,
# failure_limit 0 and 10.  The sleep plugin (first in order) sleeps 1.2 s in
# failure's record 10 (the first stream to have one): failure's record 26
# is more than a second after the first line, so it is logged, saying the 4
# before it (hello_world 6, ports 0 and 6, failure 0) were left out; the 2
# of failure_limit after it are those the count line says were not logged.
ini count "[host]" "plugin_dir = $PLUG" "[plugin:sl]" "module = sleep_plugin" \
	"at_record = 10" "seconds = 1.2" "[plugin:r]" "module = reasons" "reason = full"
td -c "$ini" replay "$HW" "$AUR/ports/runner" "$AUR/failure/runner" "$AUR/failure_limit/runner"
check_rc 70
check_stdout_empty
# A slow callback's warning, if the host logs those, is not what is tested.
newfile
grep -v -F ' took ' "$err" >"$nf"
err=$nf
check_stderr "$W 0: full" \
	"$PFX: warning: r: on_task_transition failed at $AUR/failure/runner record 26: full (and 4 more failures)" \
	"$PFX: r: 8 callbacks failed (2 not logged: at most one line a second)"

finish
