#!/bin/sh
# The layers of host/ and the direction of their dependencies, checked on
# every #include (README.md, "Layout"):
#
#   cli -> isolate -> follow -> plugin -> config -> core;  format -> core
#
# A quoted include names a header of the same folder ("framing.h") or of a
# layer below ("core/framing.h"); anything else fails.  The core includes
# no main loop, INI, libltdl, JSON or Thrift header: it is what every
# program, test and fuzzer links.  Bundled plugins may include the core's
# and the format's headers only.
#
# Usage: test-layers.sh [SRCDIR] (default: $top_srcdir, as `make check` sets
# it); prints one line per violation and exits 1 if there is any.
set -u
top=${1:-${top_srcdir:-.}}
cd "$top" || exit 99
[ -d host/core ] || { echo "test-layers: no host/core under $top" >&2; exit 99; }

# allowed LAYER: the layers its files may include, besides its own.
allowed() {
  case $1 in
  core) echo "" ;;
  format) echo "core" ;;
  config) echo "core" ;;
  plugin) echo "config core" ;;
  follow) echo "plugin config format core" ;;
  isolate) echo "follow plugin config format core" ;;
  cli) echo "isolate follow plugin config format core" ;;
  testkit) echo "follow plugin config format core" ;;
  plugins) echo "core format" ;;
  *) echo "?" ;;
  esac
}

# System headers a layer must not include (an extended regex).
forbidden_system() {
  case $1 in
  core) echo '<(glib-unix\.h|ini\.h|ltdl\.h|json-glib/|thrift/|thermos_thermos_internal_types\.h|getopt\.h|sys/inotify\.h)' ;;
  format | config) echo '<(glib-unix\.h|ltdl\.h|getopt\.h|sys/inotify\.h)' ;;
  plugin) echo '<(glib-unix\.h|getopt\.h|sys/inotify\.h)' ;;
  *) echo '^$' ;;
  esac
}

bad=0
report() {
  echo "$1"
  bad=$((bad + 1))
}

for layer_dir in host/*/ plugins/*/; do
  case $layer_dir in
  host/*) layer=$(basename "$layer_dir") ;;
  plugins/*) layer=plugins ;;
  esac
  ok=$(allowed "$layer")
  if [ "$ok" = "?" ]; then
    report "$layer_dir: a folder of no known layer (add it to tests/test-layers.sh)"
    continue
  fi
  sys=$(forbidden_system "$layer")
  for f in "$layer_dir"*.c "$layer_dir"*.h; do
    [ -f "$f" ] || continue
    dir=$(dirname "$f")
    # "header" includes, with their line numbers
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
      sed 's/^\([0-9]*\):.*"\(.*\)".*/\1 \2/' >"${TMPDIR:-/tmp}/layers.$$"
    while read -r line inc; do
      case $inc in
      */*)
        target=${inc%%/*}
        if [ ! -f "host/$inc" ]; then
          # the generated build_config.h and the like are not ours
          report "$f:$line: \"$inc\": no such header under host/"
        else
          case " $ok " in
          *" $target "*) ;;
          *) report "$f:$line: \"$inc\": layer $layer may not include $target" ;;
          esac
        fi
        ;;
      *)
        # bundled plugins share plugins/common (on their include path)
        if [ ! -f "$dir/$inc" ] && [ "$inc" != build_config.h ] &&
          ! { [ "$layer" = plugins ] && [ -f "plugins/common/$inc" ]; }; then
          report "$f:$line: \"$inc\": not in $dir (a header of another layer is included as \"LAYER/$inc\")"
        fi
        ;;
      esac
    done <"${TMPDIR:-/tmp}/layers.$$"
    grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*$sys" "$f" |
      while IFS=: read -r line rest; do
        echo "$f:$line: $rest: not in layer $layer"
      done >"${TMPDIR:-/tmp}/layers-sys.$$"
    if [ -s "${TMPDIR:-/tmp}/layers-sys.$$" ]; then
      cat "${TMPDIR:-/tmp}/layers-sys.$$"
      bad=$((bad + $(wc -l <"${TMPDIR:-/tmp}/layers-sys.$$")))
    fi
  done
done
rm -f "${TMPDIR:-/tmp}/layers.$$" "${TMPDIR:-/tmp}/layers-sys.$$"

if [ "$bad" -gt 0 ]; then
  echo "test-layers: $bad include(s) against the direction of the layers"
  exit 1
fi
echo "test-layers: every include of host/ and plugins/ follows the layers"

# The check itself must fail on a tree that breaks the direction: a copy
# with one include of the CLI planted in the core.
[ -n "${TD_LAYERS_PLANTED:-}" ] && exit 0
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/host" "$tmp/plugins"
for d in host/*/ plugins/*/; do
  mkdir -p "$tmp/$d" && cp "$d"*.[ch] "$tmp/$d" 2>/dev/null
done
cp "$0" "$tmp/test-layers.sh" 2>/dev/null || cp "tests/test-layers.sh" "$tmp/test-layers.sh"
echo '#include "cli/cli.h"' >>"$tmp/host/core/framing.c"
line=$(wc -l <"$tmp/host/core/framing.c")
out=$(TD_LAYERS_PLANTED=1 sh "$tmp/test-layers.sh" "$tmp")
rc=$?
want="host/core/framing.c:$line: \"cli/cli.h\": layer core may not include cli"
if [ "$rc" -ne 1 ] || ! printf '%s\n' "$out" | grep -qxF "$want"; then
  echo "test-layers: a planted include was not caught (exit $rc):"
  printf '%s\n' "$out"
  exit 1
fi
echo "test-layers: a planted include of cli/ in the core is caught"
