# The formats around the core: JSON written (libtdjson, also linked into
# the bundled logger, never copied) and read, the state summary, and
# records written as Thrift.
noinst_LTLIBRARIES += host/format/libtdjson.la
host_format_libtdjson_la_SOURCES = host/format/json_write.c \
	host/format/json_write.h
host_format_libtdjson_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
host_format_libtdjson_la_LIBADD = $(GLIB_LIBS)

noinst_LTLIBRARIES += host/format/libtdformat.la
host_format_libtdformat_la_SOURCES = \
	host/format/json_read.c host/format/json_read.h \
	host/format/json_read_scan.c host/format/json_read_private.h \
	host/format/json_write_state.c host/format/json_write_state.h \
	host/format/state_summary.c host/format/state_summary.h \
	host/format/thrift_write.c host/format/thrift_write.h \
	host/format/thrift_buffer.c host/format/thrift_buffer.h
host_format_libtdformat_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) \
	$(THRIFT_CFLAGS) $(JSONGLIB_CFLAGS)
host_format_libtdformat_la_LIBADD = $(JSONGLIB_LIBS) $(THRIFT_LIBS) $(GLIB_LIBS)
