#!/bin/sh
# What the host table of ABI 1.1 says of the host (<thermos/handler.h>:
# abi_minor, truncate, host_version), as the host_info test plugin
# (tests/plugins/host_info.c) reads it in init:
#   i mode=M minor=1 truncate=T version=V
# V being the version `thermos-dispatch --version` prints; T is 1 with
# `replay --truncate` or `[host] truncate = yes` (replay, tail, watch), else
# 0; M the command's mode (check 0, replay 1, tail 2, watch 3).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"

V=$("$TD" --version | sed -n 's/^thermos-dispatch //p')
what="the host's version"
case $V in
[0-9]*.[0-9]*) ok ;;
*) fail "thermos-dispatch --version: no version: '$V'" ;;
esac
HW=$AUR/hello_world/runner
info=$tmp/info
ini cfg "[host]" "plugin_dir = $PLUG" "[plugin:i]" "module = host_info" "out = $info"
cfg=$ini

# check_info LABEL LINE: the plugin wrote exactly LINE.
check_info() {
	newfile
	printf '%s\n' "$2" >"$nf"
	check_file_eq "$nf" "$info" "$1: the host_info line"
}

: >"$info"
td -c "$cfg" replay "$HW"
check_rc 0
check_stderr_empty
check_info replay "i mode=1 minor=1 truncate=0 version=$V"

: >"$info"
td -c "$cfg" replay --truncate "$HW"
check_rc 0
check_stderr_empty
check_info "replay --truncate" "i mode=1 minor=1 truncate=1 version=$V"

: >"$info"
td -c "$cfg" -o host.truncate=yes replay "$HW"
check_rc 0
check_stderr_empty
check_info "[host] truncate = yes, replay" "i mode=1 minor=1 truncate=1 version=$V"

: >"$info"
td -c "$cfg" -o host.truncate=no replay "$HW"
check_rc 0
check_info "[host] truncate = no, replay" "i mode=1 minor=1 truncate=0 version=$V"

: >"$info"
td -c "$cfg" check
check_rc 0
check_info check "i mode=0 minor=1 truncate=0 version=$V"

# tail of a finished task: it ends after the linger.
for tr in no yes; do
	: >"$info"
	td -c "$cfg" -o "host.truncate=$tr" tail --linger 0.1 "$HW"
	check_rc 0
	check_stderr_empty
	t=0
	[ "$tr" = yes ] && t=1
	check_info "tail, truncate = $tr" "i mode=2 minor=1 truncate=$t version=$V"
done

# watch, stopped by SIGTERM once init has run.
mkdir -p "$tmp/root/checkpoints"
for tr in no yes; do
	: >"$info"
	bg_start "watch-$tr" "$TD" -c "$cfg" -o "host.truncate=$tr" watch "$tmp/root"
	what="watch, truncate = $tr"
	if wait_until 10 test -s "$info"; then ok; else fail "no host_info line within 10 s"; fi
	bg_kill TERM "watch-$tr"
	bg_wait "watch-$tr" 10
	check_rc 0
	check_stderr_empty
	t=0
	[ "$tr" = yes ] && t=1
	check_info "watch, truncate = $tr" "i mode=3 minor=1 truncate=$t version=$V"
done

finish
