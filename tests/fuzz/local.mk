# Fuzzing (issue 6).  Three libFuzzer targets, each a file defining
# LLVMFuzzerTestOneInput:
#   decoder - td_decode_ckpt on one record's bytes
#   stream  - framing + decoder + state machine on a whole stream, in normal,
#             truncate and recovery modes
#   encode  - `encode`'s JSON line parser, the writer, and decoding back
#
# `make check` replays tests/fuzz/corpus/TARGET and tests/fuzz/regressions/
# TARGET through each target built as a plain program (replay-TARGET, no
# libFuzzer).  `make fuzz FUZZ_SECONDS=N` builds the libFuzzer binaries with
# clang and runs each for N seconds; crashes land in the source tree's
# tests/fuzz/regressions/TARGET/.

fuzz_targets = decoder stream encode

td_fuzz_replay_cflags = $(AM_CFLAGS) $(GLIB_CFLAGS) $(THRIFT_CFLAGS) \
	$(JSONGLIB_CFLAGS)
td_fuzz_replay_ldadd = $(td_host_libs)

check_PROGRAMS += tests/fuzz/replay-decoder tests/fuzz/replay-stream \
	tests/fuzz/replay-encode
TESTS += tests/fuzz/replay-decoder tests/fuzz/replay-stream \
	tests/fuzz/replay-encode

tests_fuzz_replay_decoder_SOURCES = tests/fuzz/fuzz_decoder.c \
	tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_replay_decoder_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"decoder"'
tests_fuzz_replay_decoder_CFLAGS = $(td_fuzz_replay_cflags)
tests_fuzz_replay_decoder_LDADD = $(td_fuzz_replay_ldadd)

tests_fuzz_replay_stream_SOURCES = tests/fuzz/fuzz_stream.c \
	tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_replay_stream_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"stream"'
tests_fuzz_replay_stream_CFLAGS = $(td_fuzz_replay_cflags)
tests_fuzz_replay_stream_LDADD = $(td_fuzz_replay_ldadd)

tests_fuzz_replay_encode_SOURCES = tests/fuzz/fuzz_encode.c \
	tests/fuzz/replay.c tests/fuzz/fuzz.h
tests_fuzz_replay_encode_CPPFLAGS = $(AM_CPPFLAGS) -DFUZZ_TARGET='"encode"'
tests_fuzz_replay_encode_CFLAGS = $(td_fuzz_replay_cflags)
tests_fuzz_replay_encode_LDADD = $(td_fuzz_replay_ldadd)

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/thrift.dict \
	tests/fuzz/json.dict tests/fuzz/corpus tests/fuzz/regressions

# ---- libFuzzer binaries: only on request ----------------------------------
FUZZ_SECONDS = 60
FUZZ_CLANG = clang
FUZZ_SANITIZE = -fsanitize=fuzzer,address,undefined,float-cast-overflow \
	-fno-sanitize-recover=undefined,float-cast-overflow
FUZZ_CFLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer
# Extra libFuzzer options for every run, e.g. FUZZ_OPTIONS=-jobs=2.
FUZZ_OPTIONS =
fuzz_cppflags = $(DEFS) $(DEFAULT_INCLUDES) $(host_config_libtdconfig_la_CPPFLAGS) \
	-I$(srcdir)/tests/fuzz
fuzz_dep_cflags = $(GLIB_CFLAGS) $(THRIFT_CFLAGS) $(JSONGLIB_CFLAGS) \
	$(INIH_CFLAGS)
fuzz_libs = $(JSONGLIB_LIBS) $(THRIFT_LIBS) $(INIH_LIBS) $(LTDL_LIBS) \
	$(GLIB_LIBS) -lm

# The host's code, exactly the C sources of its libraries (so the list
# follows host/local.mk), compiled with clang and coverage instrumentation
# into an archive: each fuzzer pulls only the objects it needs.  The
# generated Thrift code is not ours: instrumented too, warnings off.
fuzz_core_srcs = $(filter %.c,$(host_core_libthermos_core_la_SOURCES) \
	$(host_format_libtdjson_la_SOURCES) $(host_format_libtdformat_la_SOURCES) \
	$(host_config_libtdconfig_la_SOURCES) \
	$(host_plugin_libtdplugins_la_SOURCES) \
	$(host_follow_libtdfollow_la_SOURCES))
fuzz_core_objs = $(patsubst host/%.c,tests/fuzz/obj/%.o,$(fuzz_core_srcs)) \
	tests/fuzz/obj/thrift-gen.o
fuzz_headers = $(wildcard $(srcdir)/host/*/*.h $(srcdir)/include/thermos/*.h \
	$(srcdir)/tests/fuzz/*.h)
fuzz_lib_sanitize = -fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow \
	-fno-sanitize-recover=undefined,float-cast-overflow

tests/fuzz/obj/%.o: $(srcdir)/host/%.c $(fuzz_headers) $(THRIFT_GEN_H)
	$(AM_V_CC)$(MKDIR_P) $(@D) && $(FUZZ_CLANG) \
	  $(fuzz_lib_sanitize) $(FUZZ_CFLAGS) $(fuzz_cppflags) \
	  $(fuzz_dep_cflags) -c $< -o $@
tests/fuzz/obj/thrift-gen.o: $(THRIFT_GEN_C) $(THRIFT_GEN_H)
	$(AM_V_CC)$(MKDIR_P) tests/fuzz/obj && $(FUZZ_CLANG) \
	  $(fuzz_lib_sanitize) -g -O1 -w $(THRIFT_CFLAGS) $(GLIB_CFLAGS) \
	  -c $(THRIFT_GEN_C) -o $@
tests/fuzz/libfuzzhost.a: $(fuzz_core_objs)
	$(AM_V_GEN)rm -f $@ && $(AR) cr $@ $(fuzz_core_objs) && $(RANLIB) $@

fuzz_bins = tests/fuzz/fuzz-decoder tests/fuzz/fuzz-stream \
	tests/fuzz/fuzz-encode
tests/fuzz/fuzz-%: $(srcdir)/tests/fuzz/fuzz_%.c tests/fuzz/libfuzzhost.a
	$(AM_V_CCLD)$(FUZZ_CLANG) $(FUZZ_SANITIZE) $(FUZZ_CFLAGS) \
	  $(fuzz_cppflags) $(fuzz_dep_cflags) $< tests/fuzz/libfuzzhost.a \
	  $(fuzz_libs) -o $@

fuzz-build: $(fuzz_bins)

# Runs each target for FUZZ_SECONDS on a working copy of its seed corpus
# (tests/fuzz/work/TARGET in the build tree, kept between runs); a crash,
# leak, timeout or OOM is written to the source tree's regressions/TARGET/.
# Every target runs; the rule fails afterwards if any of them failed.
fuzz: fuzz-build
	@failed=; \
	for t in $(fuzz_targets); do \
	  case $$t in decoder|stream) dict=thrift.dict ;; *) dict=json.dict ;; esac; \
	  work=tests/fuzz/work/$$t; reg=$(srcdir)/tests/fuzz/regressions/$$t; \
	  $(MKDIR_P) $$work $$reg || exit 1; \
	  cp $(srcdir)/tests/fuzz/corpus/$$t/* $$work/ || exit 1; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  ./tests/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -dict=$(srcdir)/tests/fuzz/$$dict -artifact_prefix=$$reg/ \
	    -print_final_stats=1 $(FUZZ_OPTIONS) $$work \
	    >tests/fuzz/fuzz-$$t.log 2>&1 || failed="$$failed $$t"; \
	  grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^==[0-9]+==ERROR|^SUMMARY|artifact_prefix|Test unit written' \
	    tests/fuzz/fuzz-$$t.log | sed "s/^/fuzz: $$t: /"; \
	done; \
	if test -n "$$failed"; then \
	  echo "fuzz: FAILED:$$failed (see tests/fuzz/fuzz-TARGET.log)"; exit 1; \
	fi

clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz/work tests/fuzz/obj tests/fuzz/fuzz-*.log \
	  $(fuzz_bins) tests/fuzz/libfuzzhost.a
.PHONY: fuzz fuzz-build clean-fuzz
