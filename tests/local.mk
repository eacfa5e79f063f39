# Tests: cmocka units and end-to-end runs of the real binary, all in
# `make check`.  Each part has its own fragment.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	THERMOS_DISPATCH='$(abs_top_builddir)/thermos-dispatch'; JQ='$(JQ)'; \
	export top_srcdir top_builddir THERMOS_DISPATCH JQ;

td_unit_cflags = $(AM_CFLAGS) $(GLIB_CFLAGS) $(THRIFT_CFLAGS) $(CMOCKA_CFLAGS)
td_unit_ldadd = host/libtdcore.la $(CMOCKA_LIBS)
