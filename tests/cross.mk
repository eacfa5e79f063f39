# Cross-checks: our decoder against the c_glib generated one, and the writer
# (td_thrift_write) and parser of `encode` against our decoder; then encode's
# reading of lines end to end.  The fixtures are found through top_srcdir,
# which AM_TESTS_ENVIRONMENT exports.
if HAVE_CMOCKA
check_PROGRAMS += tests/test-cross-decoder
TESTS += tests/test-cross-decoder
endif
TESTS += tests/test-encode-lines.sh
tests_test_cross_decoder_SOURCES = tests/test-cross-decoder.c
tests_test_cross_decoder_CFLAGS = $(td_unit_cflags) $(THRIFT_CFLAGS)
tests_test_cross_decoder_LDADD = $(td_host_libs) $(CMOCKA_LIBS)
EXTRA_DIST += tests/test-encode-lines.sh
