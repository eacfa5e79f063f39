#!/bin/sh
# The HTTP server is a library of its own (plugins/common/libtdhttp.la),
# linked by the plugins that serve pages: the logger neither depends on
# libmicrohttpd nor holds any of the server's code, and the metrics plugin
# still exports its entry point alone.
set -u
b=${top_builddir:-.}
logger=$b/plugins/logger/.libs/logger.so
metrics=$b/plugins/metrics/.libs/metrics.so
for so in "$logger" "$metrics"; do
  if [ ! -f "$so" ]; then
    echo "test-http-links: $so was not built"
    exit 1
  fi
done
status=0
needed=$(LC_ALL=C readelf -d "$logger" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
case " $(echo $needed) " in
*" libmicrohttpd"*)
  echo "test-http-links: the logger links libmicrohttpd: $needed"
  status=1
  ;;
esac
# Hidden symbols are gone from the dynamic table, but the static one of an
# unstripped module still names them.
if LC_ALL=C nm "$logger" 2>/dev/null | grep -E ' (MHD_|tdp_http_|tdp_deadline_)' >/dev/null; then
  echo "test-http-links: the logger holds HTTP server code:"
  LC_ALL=C nm "$logger" | grep -E ' (MHD_|tdp_http_|tdp_deadline_)'
  status=1
fi
needed=$(LC_ALL=C readelf -d "$metrics" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
case " $(echo $needed) " in
*" libmicrohttpd"*) ;;
*)
  echo "test-http-links: the metrics plugin does not link libmicrohttpd: $needed"
  status=1
  ;;
esac
exported=$(LC_ALL=C nm -D --defined-only "$metrics" | awk '$2 == "T" {print $3}')
if [ "$exported" != thermos_handler_v1_entry ]; then
  echo "test-http-links: the metrics plugin exports: $exported"
  status=1
fi
if ! LC_ALL=C nm "$metrics" 2>/dev/null | grep ' tdp_http_start$' >/dev/null &&
  ! LC_ALL=C nm -D "$metrics" | grep ' MHD_start_daemon' >/dev/null; then
  echo "test-http-links: the metrics plugin holds no HTTP server"
  status=1
fi
[ "$status" -eq 0 ] && echo "test-http-links: the logger is free of libmicrohttpd; metrics exports its entry alone"
exit "$status"
