#!/bin/sh
# The file the trust checks pass is the file loaded (handler-abi.md
# "Loading"), however a link on the configured path is swapped meanwhile.
# plugin_dir holds a link recorder.so that a background loop points, again
# and again, at a trusted module and at an untrusted one (in a directory
# writable by all) whose constructor creates a marker file.  `check` runs
# repeatedly: each run may load the trusted module or refuse the other,
# but the untrusted module's code must never run.  A host that checks one
# resolution of the path and loads another runs it within a few tries.
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

# Fewer under valgrind (TD_TIME_SCALE): each run is far slower there.
tries=$((60 / ${TD_TIME_SCALE:-1}))
marker=$tmp/marker
trusted=$tmp/trusted
untrusted=$tmp/untrusted
links=$tmp/links
mkdir "$trusted" "$untrusted" "$links"
chmod 755 "$trusted" "$links"
chmod 777 "$untrusted"
cp "$PLUG/recorder.so" "$trusted/recorder.so"
cp "$PLUG/marker.so" "$untrusted/recorder.so"
chmod 644 "$trusted/recorder.so" "$untrusted/recorder.so"
ln -s "$trusted/recorder.so" "$links/recorder.so"
ini race "[host]" "plugin_dir = $links" \
	"[plugin:r]" "module = recorder" "out = $tmp/rec"

# Swapped atomically (a rename over the link), so the path always
# resolves: to one module or the other.
"$TD_TOOLS/swap-link" "$links/recorder.so" "$untrusted/recorder.so" \
	"$trusted/recorder.so" &
swapper=$!
TD_TEST_MARKER=$marker
export TD_TEST_MARKER
i=0
outcomes=
while [ "$i" -lt "$tries" ] && [ ! -e "$marker" ]; do
	i=$((i + 1))
	td -c "$ini" check
	case $rc in
	0 | 78) outcomes="$outcomes $rc" ;;
	*)
		fail "exit status: want 0 or 78, got $rc"
		show_file stderr "$err"
		;;
	esac
done
kill "$swapper"
wait "$swapper" 2>/dev/null
unset TD_TEST_MARKER

what="$i runs of thermos-dispatch -c $ini check with the link swapped"
if [ -e "$marker" ]; then
	fail "the untrusted module's constructor ran (run $i of $tries)"
else
	ok
fi
# Both modules were reached: the swaps did overlap the runs.
case "$outcomes" in
*0*) ;;
*) echo "$test_name: note: no run loaded the trusted module" ;;
esac

finish
