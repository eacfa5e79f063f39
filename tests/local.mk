# Tests: cmocka units and end-to-end runs of the real binary, all in
# `make check`.  Each part has its own fragment.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	THERMOS_DISPATCH='$(abs_top_builddir)/thermos-dispatch'; JQ='$(JQ)'; \
	THRIFT='$(THRIFT)'; \
	export top_srcdir top_builddir THERMOS_DISPATCH JQ THRIFT; \
	TD_VALGRIND='$(TD_VALGRIND)'; VALGRIND='$(VALGRIND)'; \
	TD_TIME_SCALE='$(TD_TIME_SCALE)'; TD_SANITIZERS='$(TD_SANITIZERS)'; \
	export TD_VALGRIND VALGRIND TD_TIME_SCALE TD_SANITIZERS;

# Whether this is a sanitizer build (configure --enable-sanitizers).
if SANITIZERS
TD_SANITIZERS = yes
else
TD_SANITIZERS = no
endif

# `make check-valgrind`: the end-to-end tests that exercise plugins,
# following, cursors, metrics and faults again, with every run of the binary
# under valgrind's memcheck, leak check full (tests/e2e-lib.sh): an error or
# a leak fails the test.  (The pure-pipeline tests, state, dump, encode and
# malformed input, are covered by the sanitizer build and the fuzz
# replays.)  Timeouts are scaled by TD_TIME_SCALE for the slower runs.  Not
# for a sanitizer build.
TD_VALGRIND =
TD_TIME_SCALE = 1
valgrind_tests = $(td_plugin_tests) $(logger_tests) $(follow_tests) \
	$(metrics_tests) $(fault_tests)
check-valgrind:
	@if test -z "$(VALGRIND)"; then \
	  echo "check-valgrind: valgrind was not found by configure (Debian package valgrind)"; \
	  exit 1; \
	fi
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(valgrind_tests)' \
	  TD_VALGRIND=1 TD_TIME_SCALE=6
.PHONY: check-valgrind
EXTRA_DIST += tests/valgrind.supp

# A unit test links the layers it tests and nothing more: the core's need
# GLib alone (tests/test-core-links.sh checks it).
td_unit_cflags = $(AM_CFLAGS) $(GLIB_CFLAGS) $(CMOCKA_CFLAGS)
td_unit_ldadd = $(td_core_libs) $(CMOCKA_LIBS)

# The layers: every include follows their direction, and the core's unit
# tests link nothing but GLib.
TESTS += tests/test-layers.sh tests/test-core-links.sh
EXTRA_DIST += tests/test-layers.sh tests/test-core-links.sh
