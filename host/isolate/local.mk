# Isolated instances (`isolation = process`): the host's relay to each
# one's worker process, the worker itself, and the channel between them.
noinst_LTLIBRARIES += host/isolate/libtdisolate.la
host_isolate_libtdisolate_la_SOURCES = \
	host/isolate/protocol.h host/isolate/wire.c host/isolate/wire.h \
	host/isolate/hello.c host/isolate/hello.h \
	host/isolate/spawn.c host/isolate/spawn.h \
	host/isolate/relay.c host/isolate/relay.h host/isolate/relay_private.h \
	host/isolate/relay_io.c host/isolate/relay_worker.c \
	host/isolate/worker.c host/isolate/worker.h \
	host/isolate/isolation.c host/isolate/isolation.h
host_isolate_libtdisolate_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
host_isolate_libtdisolate_la_LIBADD = $(GLIB_LIBS)
