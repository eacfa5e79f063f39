# Tests of following live streams: `tail`, `watch` and the cursors of
# `[host] state_dir` (cli-and-config.md "tail", "watch", "The task is over",
# "Cursors", "Signals"; handler-abi.md `history`, stream lifecycle, `tick`).
# End-to-end: the real binary with the recorder test plugin (tests/plugins.mk)
# and the logger, while tests/tools/follow-helper appends streams in writes
# of random sizes, kills and restarts the host.  Shared helpers in
# tests/follow-lib.sh.
#
# gen-stream is the benchmark's generator (tests/bench, an EXTRA_PROGRAM
# there), built again under another name for `make check`: a 2000-record
# stream.  Its own CFLAGS keep its object apart from the benchmark's.
check_PROGRAMS += tests/tools/follow-helper tests/tools/gen-stream \
	tests/tools/notify-listen
tests_tools_follow_helper_SOURCES = tests/tools/follow-helper.c
tests_tools_notify_listen_SOURCES = tests/tools/notify-listen.c
tests_tools_gen_stream_SOURCES = tests/bench/gen-stream.c
tests_tools_gen_stream_CFLAGS = $(AM_CFLAGS)

AM_TESTS_ENVIRONMENT += \
	TD_TOOLS='$(abs_top_builddir)/tests/tools'; \
	TD_LOGGER_LIBS='$(abs_top_builddir)/plugins/logger/.libs'; \
	export TD_TOOLS TD_LOGGER_LIBS;

follow_tests = \
	tests/test-cursor-crash.sh \
	tests/test-tail-writes.sh \
	tests/test-watch-tasks.sh \
	tests/test-tail-end.sh \
	tests/test-tail-errors.sh \
	tests/test-watch-glob.sh \
	tests/test-watch-recreate.sh \
	tests/test-service-notify.sh \
	tests/test-cursor-restart.sh \
	tests/test-cursor-mismatch.sh \
	tests/test-cursor-abort.sh \
	tests/test-cursor-bootstrap.sh \
	tests/test-cursor-damaged.sh \
	tests/test-cursor-fds.sh \
	tests/test-watch-hostile.sh
TESTS += $(follow_tests)
EXTRA_DIST += $(follow_tests) tests/follow-lib.sh
