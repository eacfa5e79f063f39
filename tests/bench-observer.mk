# The observer sampler's benchmark, run by `make bench` (and alone by
# `make bench-observer`): 200 sleeping processes tracked by one sampler,
# the sampler thread's CPU as a share of a core at interval 20 s and 1 s
# (tests/bench/observer-sampler-bench.c).  Included after tests/bench.mk,
# which sets EXTRA_PROGRAMS.
EXTRA_PROGRAMS += tests/bench/observer-sampler-bench
tests_bench_observer_sampler_bench_SOURCES = \
	tests/bench/observer-sampler-bench.c \
	plugins/observer/observer_sampler.c plugins/observer/observer_sampler.h \
	plugins/observer/observer_proc.c plugins/observer/observer_proc.h \
	plugins/observer/observer_disk.c plugins/observer/observer_disk.h
tests_bench_observer_sampler_bench_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) \
	-I$(top_srcdir)/plugins/observer
tests_bench_observer_sampler_bench_LDADD = $(GLIB_LIBS) -lm
CLEANFILES += tests/bench/observer-sampler-bench$(EXEEXT)

.PHONY: bench-observer
bench: bench-observer
bench-observer: tests/bench/observer-sampler-bench$(EXEEXT)
	./tests/bench/observer-sampler-bench$(EXEEXT) $(BENCH_OBSERVER_ARGS)
