# Unit tests (cmocka): each links the layers' libraries it tests, the very
# code the program runs.  unit-helpers builds Thrift binary records for them.
# Without cmocka (configure says so) they are not built and not run.
td_unit_helpers = tests/unit-helpers.c tests/unit-helpers.h

if HAVE_CMOCKA
check_PROGRAMS += tests/test-runner-state
TESTS += tests/test-runner-state
endif
tests_test_runner_state_SOURCES = tests/test-runner-state.c $(td_unit_helpers)
tests_test_runner_state_CFLAGS = $(td_unit_cflags)
tests_test_runner_state_LDADD = $(td_unit_ldadd)

if HAVE_CMOCKA
check_PROGRAMS += tests/test-decoder
TESTS += tests/test-decoder
endif
tests_test_decoder_SOURCES = tests/test-decoder.c $(td_unit_helpers)
tests_test_decoder_CFLAGS = $(td_unit_cflags)
tests_test_decoder_LDADD = $(td_unit_ldadd)

if HAVE_CMOCKA
check_PROGRAMS += tests/test-framing
TESTS += tests/test-framing
endif
tests_test_framing_SOURCES = tests/test-framing.c $(td_unit_helpers)
tests_test_framing_CFLAGS = $(td_unit_cflags)
tests_test_framing_LDADD = $(td_unit_ldadd)

if HAVE_CMOCKA
check_PROGRAMS += tests/test-callback-clock
TESTS += tests/test-callback-clock
tests_test_callback_clock_SOURCES = tests/test-callback-clock.c
tests_test_callback_clock_CFLAGS = $(td_unit_cflags)
tests_test_callback_clock_LDADD = $(td_unit_ldadd)

check_PROGRAMS += tests/test-error
TESTS += tests/test-error
endif
tests_test_error_SOURCES = tests/test-error.c
tests_test_error_CFLAGS = $(td_unit_cflags)
tests_test_error_LDADD = $(td_unit_ldadd)

# json-glib parses the output back, to compare structs as JSON (json.md).
if HAVE_CMOCKA
check_PROGRAMS += tests/test-json-form
TESTS += tests/test-json-form
endif
tests_test_json_form_SOURCES = tests/test-json-form.c $(td_unit_helpers)
tests_test_json_form_CFLAGS = $(td_unit_cflags) $(JSONGLIB_CFLAGS)
tests_test_json_form_LDADD = host/format/libtdjson.la $(td_unit_ldadd) \
	$(JSONGLIB_LIBS)

if HAVE_CMOCKA
check_PROGRAMS += tests/test-cursor
TESTS += tests/test-cursor
endif
tests_test_cursor_SOURCES = tests/test-cursor.c
tests_test_cursor_CFLAGS = $(td_unit_cflags)
tests_test_cursor_LDADD = host/follow/libtdfollow.la $(td_unit_ldadd)
