# The program: option parsing, the commands, the start-up `tail` and
# `watch` share.
td_host_libs = host/isolate/libtdisolate.la host/follow/libtdfollow.la host/plugin/libtdplugins.la \
	host/config/libtdconfig.la host/format/libtdformat.la \
	host/format/libtdjson.la host/core/libthermos-core.la \
	thrift/libthermos-thrift.la $(JSONGLIB_LIBS) $(THRIFT_LIBS) \
	$(INIH_LIBS) $(LTDL_LIBS) $(GLIB_LIBS)

bin_PROGRAMS += thermos-dispatch
thermos_dispatch_SOURCES = host/cli/main.c host/cli/cli.h \
	host/cli/cli_options.c host/cli/follow_setup.c host/cli/follow_setup.h \
	host/cli/reload.c host/cli/reload.h \
	host/cli/cmd_state.c host/cli/cmd_dump.c host/cli/cmd_encode.c \
	host/cli/cmd_replay.c host/cli/cmd_plugins.c host/cli/cmd_check.c \
	host/cli/cmd_tail.c host/cli/cmd_watch.c \
	host/cli/cmd_status.c host/cli/status_tasks.c host/cli/status_tasks.h \
	host/cli/status_print.c host/cli/status_print.h
thermos_dispatch_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
thermos_dispatch_LDADD = $(td_host_libs)
