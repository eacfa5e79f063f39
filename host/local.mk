# The JSON form of the structs: one small internal library, linked into the
# host and into the bundled logger plugin (never copied).
noinst_LTLIBRARIES += host/libtdjson.la
host_libtdjson_la_SOURCES = host/json_form.c host/json_form.h
host_libtdjson_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
host_libtdjson_la_LIBADD = $(GLIB_LIBS)

# The pipeline: framing, decoder, state machine.  A library so the unit tests
# link the very code the program runs.
noinst_LTLIBRARIES += host/libtdcore.la
host_libtdcore_la_SOURCES = \
	host/framing.c host/framing.h \
	host/decoder.c host/decoder.h host/big_endian.h \
	host/runner_state.c host/runner_state.h \
	host/process_table.c host/process_table.h \
	host/diag.c host/diag.h \
	host/stream_reader.c host/stream_reader.h \
	host/state_json.c host/state_json.h \
	host/state_summary.c host/state_summary.h \
	host/ckpt_writer.c host/ckpt_writer.h \
	host/thrift_buffer.c host/thrift_buffer.h \
	host/ckpt_parse.c host/ckpt_parse.h host/ckpt_parse_private.h \
	host/json_scan.c \
	host/config.c host/config.h host/config_host.c \
	host/loader.c host/loader.h \
	host/abi_checks.c host/abi_checks.h \
	host/trusted_open.c host/trusted_open.h \
	host/instance.c host/instance.h \
	host/plugin_set.c host/plugin_set.h \
	host/dispatcher.c host/dispatcher.h \
	host/stream_session.c host/stream_session.h \
	host/signals.c host/signals.h \
	host/cursor.c host/cursor.h \
	host/cursor_resume.c host/cursor_resume.h \
	host/follower.c host/follower.h \
	host/follow_loop.c host/follow_loop.h \
	host/watcher.c host/watcher.h
host_libtdcore_la_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR='"$(sysconfdir)"' \
	-DPLUGINDIR='"$(plugindir)"'
host_libtdcore_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(THRIFT_CFLAGS) \
	$(JSONGLIB_CFLAGS) $(INIH_CFLAGS)
host_libtdcore_la_LIBADD = host/libtdjson.la thrift/libthermos-thrift.la \
	$(JSONGLIB_LIBS) $(THRIFT_LIBS) $(INIH_LIBS) $(LTDL_LIBS) $(GLIB_LIBS)

bin_PROGRAMS += thermos-dispatch
thermos_dispatch_SOURCES = host/main.c host/cli.h host/cli_options.c \
	host/cmd_state.c host/cmd_dump.c host/cmd_encode.c \
	host/cmd_replay.c host/cmd_plugins.c host/cmd_check.c \
	host/cmd_tail.c host/cmd_watch.c
thermos_dispatch_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(THRIFT_CFLAGS) $(JSONGLIB_CFLAGS)
thermos_dispatch_LDADD = host/libtdcore.la
