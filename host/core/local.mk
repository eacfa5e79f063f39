# libthermos-core: framing, decoder, state machine, the stream, the
# dispatcher.  GLib only: what the program, the unit tests, the fuzzers and
# the plugin test kit link.
noinst_LTLIBRARIES += host/core/libthermos-core.la
host_core_libthermos_core_la_SOURCES = \
	host/core/big_endian.h host/core/exit_codes.h host/core/states.h \
	host/core/error.c host/core/error.h \
	host/core/framing.c host/core/framing.h \
	host/core/decoder.c host/core/decoder.h \
	host/core/runner_state.c host/core/runner_state.h \
	host/core/process_table.c host/core/process_table.h \
	host/core/stream_reader.c host/core/stream_reader.h \
	host/core/diag.c host/core/diag.h \
	host/core/dispatcher.c host/core/dispatcher.h host/core/target.c \
	host/core/callback_clock.c host/core/callback_clock.h
host_core_libthermos_core_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
host_core_libthermos_core_la_LIBADD = $(GLIB_LIBS)
td_core_libs = host/core/libthermos-core.la $(GLIB_LIBS)
