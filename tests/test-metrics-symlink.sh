#!/bin/sh
# The metrics textfile in a directory others can write to (docs/security.md:
# the temporary file is created exclusively, never through a link):
# - a symbolic link planted under the temporary file's old fixed name
#   (PATH.tmp.PID, the PID known beforehand: the run is started by a shell
#   that plants the link, then execs the host) pointing at another file:
#   the replay writes the textfile at fini, exit 0, the other file is
#   untouched, the link is left as it was;
# - a symbolic link planted at the textfile's own path: rename replaces the
#   link (it does not follow it), so the textfile is a regular file with the
#   exposition and the file the link pointed at is untouched;
# - either way no temporary file of the host is left in the directory.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"
. "$top_srcdir/tests/follow-lib.sh"
. "$top_srcdir/tests/metrics-lib.sh"

HELLO=$AUR/hello_world/runner
shared=$tmp/shared
mkdir "$shared" || exit 99
chmod 1777 "$shared"
prom=$shared/m.prom
printf 'precious\n' >"$tmp/victim"
printf 'precious too\n' >"$tmp/victim2"

# check_victim FILE TEXT: FILE still holds exactly TEXT.
check_victim() {
	what="$1 after the run"
	if [ "$(cat "$1")" = "$2" ]; then ok; else fail "$1 was overwritten"; show_file victim "$1"; fi
}

# check_prom: the textfile is a regular file holding the exposition.
check_prom() {
	what="the textfile $prom"
	if [ -f "$prom" ] && [ ! -L "$prom" ] && grep -q '^thermos_records_total ' "$prom"; then
		ok
	else
		fail "want a regular file with thermos_records_total"
		ls -l "$shared"
	fi
}

# --- a link at the old temporary name --------------------------------------
newfile
out=$nf.out
err=$nf.err
what="replay, a link planted at $prom.tmp.PID"
sh -c 'ln -s "$1" "$2.tmp.$$" || exit 99; shift 2; exec "$@"' sh "$tmp/victim" "$prom" \
	"$TD" -c "$ini" -o "metrics.textfile=$prom" replay "$HELLO" </dev/null >"$out" 2>"$err"
rc=$?
check_rc 0
check_stdout_empty
check_stderr_empty
check_victim "$tmp/victim" precious
check_prom
what="the planted link"
links=$(find "$shared" -type l | wc -l)
if [ "$links" = 1 ] && [ "$(readlink "$shared"/m.prom.tmp.*)" = "$tmp/victim" ]; then ok; else fail "want the link left as it was"; ls -l "$shared"; fi
rm -f "$shared"/m.prom.tmp.* "$prom"

# --- a link at the textfile's own path ---------------------------------------
ln -s "$tmp/victim2" "$prom" || exit 99
td -c "$ini" -o "metrics.textfile=$prom" replay "$HELLO"
check_rc 0
check_stdout_empty
check_stderr_empty
check_victim "$tmp/victim2" "precious too"
check_prom
what="the directory after the run"
if [ "$(ls -A "$shared")" = m.prom ]; then ok; else fail "want m.prom alone, got: $(ls -A "$shared" | tr '\n' ' ')"; fi

finish
