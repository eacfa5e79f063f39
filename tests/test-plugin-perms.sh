#!/bin/sh
# The trust checks of module loading (handler-abi.md "Loading"): a module
# file, or its directory or any directory above, writable by group or
# others (a sticky directory excepted), or owned by a user other than root
# or the host's, is refused with one line naming it and exit 78; through
# -p too.  Links are resolved: what is checked is the file loaded, and
# every directory the configured path passes through (before or after a
# link) and every link followed are checked as well.
# Everything happens in a private directory under /tmp (sticky, so
# allowed).  As root, ownership is tested with uid 65534 (chown), and the
# host also runs as uid 65534 (setpriv) to load modules it owns.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

stream=$AUR/hello_world/runner
rec=$tmp/rec

# load DIR: an instance of DIR/recorder.so; $ini is its configuration.
load() {
	ini load "[host]" "plugin_dir = $1" \
		"[plugin:r]" "module = recorder" "out = $rec"
	td -c "$ini" replay "$stream"
}

# A fresh directory $d holding recorder.so, all trusted.
n_dirs=0
fresh() {
	n_dirs=$((n_dirs + 1))
	d=$tmp/d$n_dirs
	mkdir "$d"
	chmod 755 "$d"
	cp "$PLUG/recorder.so" "$d/"
	chmod 644 "$d/recorder.so"
}

fresh
load "$d"
check_rc 0
check_stderr_empty

for mode in 664 646 666; do
	fresh
	chmod "$mode" "$d/recorder.so"
	load "$d"
	check_rc 78
	check_stdout_empty
	check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $d/recorder.so: writable by group or others"
	td -c "$ini" -o r.enabled=no -p "$d/recorder.so" -o "recorder.out=$rec" replay "$stream"
	check_rc 78
	check_stderr "thermos-dispatch: $d/recorder.so: writable by group or others"
done

# The plugin directory writable by others, without the sticky bit.
for mode in 775 757 777; do
	fresh
	chmod "$mode" "$d"
	load "$d"
	check_rc 78
	check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $d: writable by group or others"
	td -c "$ini" -o r.enabled=no -p "$d/recorder.so" -o "recorder.out=$rec" replay "$stream"
	check_rc 78
	check_stderr "thermos-dispatch: $d: writable by group or others"
done
# With the sticky bit, as /tmp: allowed.
fresh
chmod 1777 "$d"
load "$d"
check_rc 0
check_stderr_empty

# A directory above it writable by others.
fresh
mkdir "$d/sub"
chmod 755 "$d/sub"
mv "$d/recorder.so" "$d/sub/"
chmod 777 "$d"
load "$d/sub"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $d: writable by group or others"

# A link in a trusted directory to a module in an untrusted one: the file
# loaded is what counts.
fresh
untrusted=$d
chmod 777 "$untrusted"
fresh
rm "$d/recorder.so"
ln -s "$untrusted/recorder.so" "$d/recorder.so"
load "$d"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $untrusted: writable by group or others"

# The configured path's own directories count too, not only the resolved
# ones: a plugin_dir that is a link in a directory writable by others
# (not sticky) can be re-pointed by any user.
fresh
w=$tmp/w$n_dirs
mkdir "$w"
chmod 777 "$w"
ln -s "$d" "$w/pd"
load "$w/pd"
check_rc 78
check_stdout_empty
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $w: writable by group or others"
td -c "$ini" -o r.enabled=no -p "$w/pd/recorder.so" -o "recorder.out=$rec" replay "$stream"
check_rc 78
check_stderr "thermos-dispatch: $w: writable by group or others"
# So does a directory the path only passes through (x/..).
mkdir "$w/x"
chmod 755 "$w/x"
load "$w/x/../pd"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $w: writable by group or others"

# Ownership.
if [ "$(id -u)" != 0 ]; then
	echo "$test_name: not root: the ownership checks are skipped"
	finish
fi
fresh
chown 65534 "$d/recorder.so"
load "$d"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $d/recorder.so: owned by uid 65534, not root or the host's user"
fresh
chown 65534 "$d"
load "$d"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $d: owned by uid 65534, not root or the host's user"
# A link on the path owned by another user, even in a sticky directory
# (where others cannot replace root's entries): its owner can re-point it.
fresh
s=$tmp/s$n_dirs
mkdir "$s"
chmod 1777 "$s"
ln -s "$d" "$s/pd"
chown -h 65534 "$s/pd"
load "$s/pd"
check_rc 78
check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $s/pd: link owned by uid 65534, not root or the host's user"

# The host running as uid 65534: its own files and root's are trusted,
# another user's are not.
if ! command -v setpriv >/dev/null 2>&1; then
	if [ "${CI:-}" = true ]; then
		printf '%s: ERROR: setpriv is missing (Debian package util-linux)\n' "$test_name"
		exit 99
	fi
	echo "$test_name: setpriv is missing: the checks as uid 65534 are skipped"
	finish
fi
as_user() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
chmod 755 "$tmp"
# Everything uid 65534 runs or reads is copied into this test's own
# directory: the checkout may be under one other users cannot enter (a
# clone in a 0700 home).
ubin=$tmp/bin
mkdir "$ubin" && chmod 755 "$ubin" && cp "$TD_REAL" "$ubin/thermos-dispatch" ||
	exit 99
UTD=$ubin/thermos-dispatch
if [ -n "$vg_dir" ]; then
	vg_wrap "$UTD" "$ubin/thermos-dispatch-vg"
	UTD=$ubin/thermos-dispatch-vg
fi
cp "$stream" "$tmp/runner" && chmod 644 "$tmp/runner" || exit 99
stream=$tmp/runner
if ! as_user "$UTD" --version >/dev/null 2>"$tmp/as_user.err"; then
	printf '%s: ERROR: uid 65534 cannot run %s:\n' "$test_name" "$UTD"
	cat "$tmp/as_user.err"
	exit 99
fi
ud=$tmp/user
mkdir "$ud"
chown 65534 "$ud"
chmod 755 "$ud"
rec=$ud/rec
# run_as_user ARGS...: like td, as uid 65534.
run_as_user() {
	what="(as uid 65534) thermos-dispatch $*"
	newfile
	out=$nf.out
	err=$nf.err
	as_user "$UTD" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}
for owner in 65534 0 65533; do
	fresh
	chown "$owner" "$d/recorder.so"
	ini "user$owner" "[host]" "plugin_dir = $d" \
		"[plugin:r]" "module = recorder" "out = $rec"
	chmod 644 "$ini"
	run_as_user -c "$ini" replay "$stream"
	if [ "$owner" = 65533 ]; then
		check_rc 78
		check_stderr "thermos-dispatch: $ini:4: [plugin:r] module: $d/recorder.so: owned by uid 65533, not root or the host's user"
	else
		check_rc 0
		check_stderr_empty
	fi
done

finish
