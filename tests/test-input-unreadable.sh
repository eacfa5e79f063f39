#!/bin/sh
# An unreadable file: `thermos-dispatch: PATH: Permission denied`, exit 66,
# nothing on stdout.  As root (permissions do not apply) the binary runs as
# uid/gid 65534 through setpriv; skipped (77) only when that is impossible.
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"

chmod 755 "$tmp"
mkdir "$tmp/d"
chmod 755 "$tmp/d"
cp "$GEN/valid-00.ckpt" "$tmp/d/secret.ckpt"
chmod 644 "$tmp/d/secret.ckpt"
mkdir "$tmp/d/closed"
cp "$GEN/valid-00.ckpt" "$tmp/d/closed/inside.ckpt"

if [ "$(id -u)" = 0 ]; then
	if ! command -v setpriv >/dev/null 2>&1; then
		echo "SKIP: running as root and setpriv is missing"
		exit 77
	fi
	as_user() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	if ! as_user "$TD" --version >/dev/null 2>&1; then
		echo "SKIP: uid 65534 cannot run $TD (a directory on its path not searchable?)"
		exit 77
	fi
else
	as_user() { "$@"; }
fi

run_as_user() {
	what="(as an unprivileged user) thermos-dispatch $*"
	newfile
	out=$nf.out
	err=$nf.err
	as_user "$TD" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}

# The same user can read the file while it is readable (the setup is sound:
# the user can reach the directory and run the binary).
run_as_user state --json "$tmp/d/secret.ckpt"
if [ "$rc" != 0 ] && [ "$(id -u)" = 0 ]; then
	echo "SKIP: uid 65534 cannot read a readable file in $tmp/d (exit $rc):"
	cat "$err"
	exit 77
fi
check_rc 0
check_stderr_empty
check_stdout_json "$GEN/valid-00.state.json"

chmod 000 "$tmp/d/secret.ckpt"
chmod 000 "$tmp/d/closed"

for cmd in "state --json" "state" "dump" "state --json --strict"; do
	run_as_user $cmd "$tmp/d/secret.ckpt"
	check_rc 66
	check_stdout_empty
	check_stderr "thermos-dispatch: $tmp/d/secret.ckpt: Permission denied"

	run_as_user $cmd "$tmp/d/closed/inside.ckpt"
	check_rc 66
	check_stdout_empty
	check_stderr "thermos-dispatch: $tmp/d/closed/inside.ckpt: Permission denied"
done

finish
