# Benchmarks: make bench (not part of make check).
#
# The helpers are EXTRA_PROGRAMS so a plain `make` does not build them; the
# bench target builds them and the program, then runs tests/bench/run-bench.sh
# and tests/bench/run-status-bench.sh (`status` over 10,000 tasks).
# Set BENCH_DIR to keep the generated stream (about 57 MB) between runs;
# BENCH_RECORDS, BENCH_PROCESSES, BENCH_SEED and BENCH_RUNS are passed through
# from the environment (see run-bench.sh).
#
# `=`, not `+=`: automake refuses `+=` on a variable not yet set, and
# Makefile.am does not set this one. Another fragment needing EXTRA_PROGRAMS
# would move an empty `EXTRA_PROGRAMS =` to Makefile.am and use `+=` here.
EXTRA_PROGRAMS = tests/bench/gen-stream tests/bench/measure \
	tests/bench/latency
tests_bench_gen_stream_SOURCES = tests/bench/gen-stream.c
tests_bench_measure_SOURCES = tests/bench/measure.c
tests_bench_latency_SOURCES = tests/bench/latency.c
EXTRA_DIST += tests/bench/gen-stream.c tests/bench/measure.c \
	tests/bench/run-bench.sh tests/bench/run-follow-bench.sh \
	tests/bench/run-status-bench.sh \
	tests/bench/run-observer-bench.sh
CLEANFILES += tests/bench/gen-stream$(EXEEXT) tests/bench/measure$(EXEEXT) \
	tests/bench/latency$(EXEEXT)

# The timestamp plugin of the follow benchmarks (run-follow-bench.sh): a
# libtool module built only by `make bench`, like the test plugins of
# tests/plugins.mk (an -rpath that is never used makes it a shared object).
# `=` for the reason above.
EXTRA_LTLIBRARIES = tests/bench/timestamp.la
tests_bench_timestamp_la_SOURCES = tests/bench/timestamp_plugin.c
tests_bench_timestamp_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
tests_bench_timestamp_la_LDFLAGS = -module -avoid-version -shared \
	-rpath /nowhere $(AM_LDFLAGS)
CLEANFILES += tests/bench/timestamp.la

.PHONY: bench
bench: thermos-dispatch$(EXEEXT) plugins/logger/logger.la \
		tests/bench/gen-stream$(EXEEXT) \
		tests/bench/measure$(EXEEXT) \
		tests/bench/latency$(EXEEXT) tests/bench/timestamp.la \
		plugins/observer/observer.la
	THERMOS_DISPATCH='$(abs_top_builddir)/thermos-dispatch$(EXEEXT)' \
	GEN_STREAM='$(abs_top_builddir)/tests/bench/gen-stream$(EXEEXT)' \
	MEASURE='$(abs_top_builddir)/tests/bench/measure$(EXEEXT)' \
	PLUGIN_DIR='$(abs_top_builddir)/plugins/logger/.libs' \
	LATENCY='$(abs_top_builddir)/tests/bench/latency$(EXEEXT)' \
	TIMESTAMP_PLUGIN='$(abs_top_builddir)/tests/bench/.libs/timestamp.so' \
	OBSERVER_PLUGIN='$(abs_top_builddir)/plugins/observer/.libs/observer.so' \
	BENCH_DIR='$(BENCH_DIR)' \
	$(SHELL) '$(abs_top_srcdir)/tests/bench/run-bench.sh'
	THERMOS_DISPATCH='$(abs_top_builddir)/thermos-dispatch$(EXEEXT)' \
	GEN_STREAM='$(abs_top_builddir)/tests/bench/gen-stream$(EXEEXT)' \
	MEASURE='$(abs_top_builddir)/tests/bench/measure$(EXEEXT)' \
	$(SHELL) '$(abs_top_srcdir)/tests/bench/run-status-bench.sh'
