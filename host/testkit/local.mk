# libthermos-testkit: the plugin test kit (<thermos/testkit.h>), installed.
# It runs the host's own layers in the test's process, so it links them
# all (the convenience libraries go whole into it) and exports only the
# kit's functions: the host's internals stay private to it.
lib_LTLIBRARIES = host/testkit/libthermos-testkit.la
thermosinclude_HEADERS += include/thermos/testkit.h
host_testkit_libthermos_testkit_la_SOURCES = \
	host/testkit/testkit_private.h \
	host/testkit/testkit.c \
	host/testkit/testkit_load.c \
	host/testkit/testkit_feed.c \
	host/testkit/testkit_build.c \
	host/testkit/testkit_capture.c
host_testkit_libthermos_testkit_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) \
	$(JSONGLIB_CFLAGS) $(THRIFT_CFLAGS)
host_testkit_libthermos_testkit_la_LDFLAGS = $(AM_LDFLAGS) -no-undefined \
	-version-info 0:0:0 -export-symbols-regex '^thermos_testkit_'
host_testkit_libthermos_testkit_la_LIBADD = $(td_host_libs)

pkgconfig_DATA += thermos-testkit.pc
