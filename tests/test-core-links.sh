#!/bin/sh
# The core is GLib alone: the unit tests of the state machine, the decoder
# and the framing link libthermos-core and nothing of Thrift, json-glib,
# inih or libltdl (README.md, "Layout").  Their dynamic dependencies say so.
set -u
b=${top_builddir:-.}
status=0
checked=0
for t in test-runner-state test-decoder test-framing; do
  bin=$b/tests/$t
  if [ ! -f "$bin" ]; then
    # Built only with cmocka (configure says when it is missing).
    if [ "${CI:-}" = true ]; then
      echo "test-core-links: $bin was not built"
      exit 1
    fi
    continue
  fi
  needed=$(LC_ALL=C readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  if [ -z "$needed" ]; then
    echo "test-core-links: $t: no dynamic dependencies read (readelf)"
    exit 1
  fi
  for lib in $needed; do
    case $lib in
    libthrift* | libjson-glib* | libinih* | libltdl*)
      echo "test-core-links: $t links $lib"
      status=1
      ;;
    esac
  done
  case " $(echo $needed) " in
  *" libglib-2.0.so."*) ;;
  *)
    echo "test-core-links: $t: libglib-2.0 not among its libraries: $needed"
    status=1
    ;;
  esac
  checked=$((checked + 1))
done
if [ "$checked" -eq 0 ]; then
  echo "test-core-links: no unit test built (cmocka missing): skipped"
  exit 77
fi
[ "$status" -eq 0 ] && echo "test-core-links: $checked unit tests link GLib and the core only"
exit "$status"
