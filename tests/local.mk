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

# `make check-valgrind`: one or more end-to-end tests of each class that
# exercises plugins, following, cursors, metrics and faults, again, with
# every run of the binary under valgrind's memcheck, leak check full
# (tests/e2e-lib.sh): an error or a leak fails the test.  Each class is
# represented by the tests that reach most of its code (loading and
# dispatch with every on_error policy, the logger's outputs and reopen,
# tail and watch with cursors after a crash and a restart, the metrics
# plugin's registry, HTTP and textfile, the observer's routes, and the fault paths of input and
# abort); the rest of each class runs natively in `make check`, and the
# pure-pipeline tests are covered by the sanitizer build and the fuzz
# replays.  Timeouts are scaled by TD_TIME_SCALE for the slower runs.  Not
# for a sanitizer build.
TD_VALGRIND =
TD_TIME_SCALE = 1
valgrind_tests = \
	tests/test-plugin-dispatch.sh tests/test-plugin-on-error.sh \
	tests/test-abi-compat.sh \
	tests/test-logger-json.sh tests/test-logger-reopen.sh \
	tests/test-tail-writes.sh tests/test-watch-tasks.sh \
	tests/test-cursor-crash.sh tests/test-cursor-restart.sh \
	tests/test-metrics-values.sh tests/test-metrics-textfile.sh \
	tests/test-observer-json.sh \
	tests/test-fault-inputs.sh tests/test-fault-abort.sh
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
TESTS += tests/test-layers.sh tests/test-core-links.sh tests/test-docs.sh
EXTRA_DIST += tests/test-layers.sh tests/test-core-links.sh tests/test-docs.sh

# The observer plugin's sampler, /proc, disk and log units.
include tests/observer-units.mk
