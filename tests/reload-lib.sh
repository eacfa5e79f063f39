# Helpers of the live reload tests (tests/test-reload-*.sh), sourced after
# tests/e2e-lib.sh, tests/plugins/plugin-lib.sh and tests/follow-lib.sh.
#
# Each host runs with its own NOTIFY_SOCKET (tests/tools/notify-listen):
# a reload is done when the host says READY=1 again after the SIGHUP, so
# the tests wait for that instead of sleeping.

NL=$TD_TOOLS/notify-listen
if [ ! -x "$NL" ]; then
	printf '%s: ERROR: test tool not built: %s\n' "$test_name" "$NL"
	exit 99
fi

# notified_start NAME ARG...: host_start NAME ARG... with a socket of its
# own as NOTIFY_SOCKET; its messages in $tmp/NAME.notify, one a line.
notified_start() {
	ns_name=$1
	: >"$tmp/$ns_name.notify"
	bg_start "$ns_name-listen" "$NL" "$tmp/$ns_name.sock" "$tmp/$ns_name.notify"
	if ! wait_until 10 test -S "$tmp/$ns_name.sock"; then
		printf '%s: ERROR: notify-listen did not start\n' "$test_name"
		exit 99
	fi
	NOTIFY_SOCKET=$tmp/$ns_name.sock
	export NOTIFY_SOCKET
	host_start "$@"
	unset NOTIFY_SOCKET
	if ! wait_until 10 rl_ready_ge "$ns_name" 1; then
		fail "$ns_name: no READY=1 within 10 s of the start"
	fi
}

# ready_count NAME: how many READY=1 NAME sent.
ready_count() {
	grep -c '^READY=1' "$tmp/$1.notify"
}
rl_ready_ge() {
	[ "$(ready_count "$1")" -ge "$2" ]
}

# reload NAME: SIGHUP, then waits (10 s) for the READY=1 that ends the
# reload; false if it did not come.
reload() {
	rl_n=$(ready_count "$1")
	bg_kill HUP "$1"
	wait_until 10 rl_ready_ge "$1" $((rl_n + 1))
}

# incarnations FILE INST: splits the lines of instance INST in FILE at each
# of its init lines in mode tail or watch (the lines of its inits in mode
# check, and their fini, left out), into $tmp/INST.inc.1, .2, ... with INST
# renamed `rec` (to compare them with the expected lines); sets $ninc.
incarnations() {
	rm -f "$tmp/$2".inc.*
	ninc=$(awk -v inst="$2" -v dir="$tmp" '
		$1 != inst { next }
		$2 == "init" && $3 == "mode=0" { check = 1; next }
		$2 == "fini" && check { check = 0; next }
		$2 == "init" { n++ }
		n { sub(/^[^ ]+ /, "rec "); print > (dir "/" inst ".inc." n) }
		END { print n + 0 }' "$1")
}

# first_live FILE: the first record of FILE whose lines say history=0
# (the number of records when none does).
first_live() {
	awk -v n="$nrec" '
		$2 ~ /^on_(initialization|process_|task_)/ && / history=0 / {
			r = $3; sub(/^record=/, "", r); print r; found = 1; exit
		}
		END { if (!found) print n }' "$1"
}
