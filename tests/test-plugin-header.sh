#!/bin/sh
# <thermos/handler.h> as a plugin author meets it (handler-abi.md
# "Principles", "Distribution"): it compiles alone (standard headers only,
# no GLib) as strict C99 and C11 and as C++ (extern "C"), the names of ABI
# 1.1 (THERMOS_HAS_MEMBER, the return codes) included, and a plugin
# built out of tree with nothing but the header
#   cc -shared -fPIC -I<include dir> my.c -o my.so
# loads with -p and receives events.  The C++ check is skipped when no C++
# compiler is found; the others need the C compiler the build used (TD_CC).
TMPDIR=/tmp
. "${top_srcdir:-$(dirname "$0")/..}/tests/e2e-lib.sh"
. "$top_srcdir/tests/plugins/plugin-lib.sh"

cc=${TD_CC:-cc}
if ! command -v "${cc%% *}" >/dev/null 2>&1; then
	echo "SKIP: no C compiler ($cc)"
	exit 77
fi
inc=$top_srcdir/include

src=$tmp/use.c
cat >"$src" <<'EOF'
#include <thermos/handler.h>

static int on_init(void *ctx, const thermos_event *ev,
                   const thermos_runner_header *h) {
  (void)ctx;
  return (int)(ev->record + h->n_ports);
}

static const thermos_option options[] = {
    {"key", THERMOS_OPT_ENUM, "a", "help", "a|b"},
    {NULL, 0, NULL, NULL, NULL}};

static const thermos_handler_v1 table = {
    THERMOS_HANDLER_ABI_MAJOR, sizeof(thermos_handler_v1), "use", "1",
    options, NULL, NULL, NULL, NULL, NULL, NULL, NULL, on_init};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &table; }

void use_logf(const thermos_host_v1 *host);
void use_logf(const thermos_host_v1 *host) {
  thermos_logf(host, THERMOS_LOG_INFO, "%d %s", 1, "x");
}

/* The names of 1.1. */
int use_minor(const thermos_host_v1 *host);
int use_minor(const thermos_host_v1 *host) {
  unsigned minor =
      THERMOS_HAS_MEMBER(host, thermos_host_v1, abi_minor) ? host->abi_minor : 0;
  if (minor < THERMOS_HANDLER_ABI_MINOR || table.min_host_minor)
    return THERMOS_DISABLE_ME + THERMOS_RETRY_LATER + THERMOS_ERROR;
  return THERMOS_OK;
}
EOF

for std in c99 c11; do
	what="$cc -std=$std -pedantic -Werror: <thermos/handler.h>"
	if $cc -std=$std -pedantic -Wall -Wextra -Wno-missing-field-initializers -Werror -Wstrict-prototypes \
		-Wmissing-prototypes -fsyntax-only -I"$inc" "$src" >"$tmp/cc.err" 2>&1; then
		ok
	else
		fail "does not compile"
		show_file "compiler" "$tmp/cc.err"
	fi
done

cxx=
for c in "${TD_CXX:-}" c++ g++ clang++; do
	if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then
		cxx=$c
		break
	fi
done
if [ -n "$cxx" ]; then
	what="$cxx -x c++ -std=c++11 -pedantic -Werror: <thermos/handler.h>"
	if "$cxx" -x c++ -std=c++11 -pedantic -Wall -Wextra -Wno-missing-field-initializers -Werror -fsyntax-only \
		-I"$inc" "$src" >"$tmp/cxx.err" 2>&1; then
		ok
	else
		fail "does not compile as C++"
		show_file "compiler" "$tmp/cxx.err"
	fi
else
	echo "$test_name: no C++ compiler: the C++ check is skipped"
fi

# An out-of-tree build of the recorder, loaded with -p.
mkdir "$tmp/oot"
chmod 755 "$tmp/oot"
what="$cc -shared -fPIC: an out-of-tree plugin"
if $cc -shared -fPIC -I"$inc" "$top_srcdir/tests/plugins/recorder.c" \
	-o "$tmp/oot/myrec.so" >"$tmp/oot.err" 2>&1; then
	ok
	chmod 644 "$tmp/oot/myrec.so"
	rec=$tmp/rec
	ini onlyhost "[host]" "plugin_dir = $PLUG"
	td -c "$ini" -p "$tmp/oot/myrec.so" -o "myrec.out=$rec" replay "$AUR/hello_world/runner"
	check_rc 0
	check_stderr_empty
	what="out-of-tree plugin: recorder lines"
	got=$(cut -d' ' -f1-2 "$rec" | tr '\n' ',')
	want="myrec init,myrec on_stream_open,myrec on_task_transition,myrec on_task_active,myrec on_initialization,"
	case $got in
	"$want"*"myrec on_stream_close,myrec tick,myrec fini,") ok ;;
	*) fail "want $want...myrec fini" "got  $got" ;;
	esac
else
	fail "does not build"
	show_file "compiler" "$tmp/oot.err"
fi

finish
