/*
 * The plugin test kit (<thermos/testkit.h>) against the host itself: the
 * recorder test plugin run by the kit writes exactly the lines it writes
 * when the thermos-dispatch binary replays the same streams; the kit
 * captures the binary's very stderr lines (option refusals, config_error,
 * stream errors, failure counts); built, JSON and raw records reach the
 * callbacks the host's state machine says; a malformed record is the
 * host's stream error.
 *
 * Needs $THERMOS_DISPATCH, $TD_PLUGIN_LIBS (the test plugins) and
 * $top_srcdir, as `make check` sets them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <thermos/testkit.h>

static const char *td_bin;  /* the thermos-dispatch binary */
static char *recorder_so;   /* tests/plugins/.libs/recorder.so */
static char *config_err_so; /* tests/plugins/.libs/config_error.so */
static char *aurora;        /* tests/fixtures/aurora */
static char *tmp;           /* this test's scratch directory */
static char *empty_ini;     /* a configuration with no plugin */

static char *read_text(const char *path) {
  char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return g_strdup("(unreadable)");
  return text;
}

/* Runs the binary with `args` (NULL-terminated, after -c EMPTY); returns
 * its exit status, its stderr in `*err`. */
static int run_host(char **err, const char *first, ...) {
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (char *)td_bin);
  g_ptr_array_add(argv, (char *)"-c");
  g_ptr_array_add(argv, empty_ini);
  va_list ap;
  va_start(ap, first);
  for (const char *a = first; a; a = va_arg(ap, const char *))
    g_ptr_array_add(argv, (char *)a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  int status = -1;
  GError *e = NULL;
  gboolean ok =
      g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                   NULL, NULL, NULL, err, &status, &e);
  g_ptr_array_free(argv, TRUE);
  assert_true(ok);
  assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

/* Texts compared line by line: cmocka cuts long messages, so the first
 * line that differs is printed. */
static void assert_text_equal(const char *got, const char *want) {
  if (strcmp(got, want) == 0)
    return;
  gchar **g = g_strsplit(got, "\n", -1), **w = g_strsplit(want, "\n", -1);
  size_t i = 0;
  while (g[i] && w[i] && strcmp(g[i], w[i]) == 0)
    i++;
  print_error("line %zu differs:\n  got:  %s\n  want: %s\n", i + 1,
              g[i] ? g[i] : "(end)", w[i] ? w[i] : "(end)");
  g_strfreev(g);
  g_strfreev(w);
  fail();
}

/* The kit's lines joined as the host's stderr reads. */
static char *kit_text(const thermos_testkit *kit) {
  GString *s = g_string_new(NULL);
  for (size_t i = 0; i < thermos_testkit_line_count(kit); i++)
    g_string_append_printf(s, "%s\n", thermos_testkit_line(kit, i));
  return g_string_free(s, FALSE);
}

static char *scratch(const char *name) {
  char *path = g_build_filename(tmp, name, NULL);
  g_unlink(path);
  return path;
}

/* A kit with the recorder loaded, writing to `out`. */
static thermos_testkit *recorder_kit(const char *out) {
  thermos_testkit *kit = thermos_testkit_new();
  assert_non_null(kit);
  assert_int_equal(thermos_testkit_load(kit, recorder_so), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_set_option(kit, "out", out),
                   THERMOS_TESTKIT_OK);
  return kit;
}

/* 1. Every Aurora fixture: the recorder's file after the kit's
 * feed_file + tick + fini equals the file after `replay`. */
static void test_fixtures_as_host(void **state) {
  (void)state;
  static const char *const cases[] = {
      "failure", "failure_limit", "hello_world", "ordering",
      "ports",   "sleep60",       "sleep60-lost"};
  for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
    char *runner = g_build_filename(aurora, cases[c], "runner", NULL);
    char *by_kit = scratch("kit.rec");
    char *by_host = scratch("host.rec");

    thermos_testkit *kit = recorder_kit(by_kit);
    assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
    assert_int_equal(thermos_testkit_feed_file(kit, runner),
                     THERMOS_TESTKIT_OK);
    assert_int_equal(thermos_testkit_tick(kit, (double)g_get_real_time() / 1e6),
                     THERMOS_TESTKIT_OK);
    assert_int_equal(thermos_testkit_fini(kit), THERMOS_TESTKIT_OK);
    assert_int_equal(thermos_testkit_failures(kit), 0);
    assert_int_equal(thermos_testkit_line_count(kit), 0);
    thermos_testkit_free(kit);

    char *opt = g_strconcat("recorder.out=", by_host, NULL);
    char *err = NULL;
    assert_int_equal(
        run_host(&err, "-p", recorder_so, "-o", opt, "replay", runner, NULL),
        0);
    assert_string_equal(err, "");
    char *want = read_text(by_host);
    char *got = read_text(by_kit);
    assert_true(strlen(want) > 200);
    assert_text_equal(got, want);

    /* One universal callback per expected event line. */
    char *events_path = g_strdup_printf("%s/../aurora-expected/%s.events.jsonl",
                                        aurora, cases[c]);
    char *events = read_text(events_path);
    size_t n_events = 0, n_univ = 0;
    for (char *p = events; (p = strchr(p, '\n')); p++)
      n_events++;
    for (char *p = got; (p = strstr(p, "recorder on_")); p++)
      if (g_str_has_prefix(p, "recorder on_initialization ") ||
          g_str_has_prefix(p, "recorder on_task_transition ") ||
          g_str_has_prefix(p, "recorder on_process_transition "))
        n_univ++;
    assert_int_equal(n_univ, n_events);
    g_free(events);
    g_free(events_path);
    g_free(want);
    g_free(got);
    g_free(err);
    g_free(opt);
    g_free(by_kit);
    g_free(by_host);
    g_free(runner);
  }
}

/* 2. A torn stream: the same stderr lines as `replay`, STREAM_ERROR, and
 * on_stream_error then on_stream_close. */
static void test_torn_as_host(void **state) {
  (void)state;
  char *runner = g_build_filename(aurora, "failure", "runner", NULL);
  char *data = NULL;
  gsize len = 0;
  assert_true(g_file_get_contents(runner, &data, &len, NULL));
  assert_true(len > 1300);
  char *torn = scratch("torn");
  assert_true(g_file_set_contents(torn, data, 1300, NULL));
  char *by_kit = scratch("kit.rec");

  thermos_testkit *kit = recorder_kit(by_kit);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_feed_file(kit, torn),
                   THERMOS_TESTKIT_STREAM_ERROR);
  char *want_line = g_strdup_printf(
      "thermos-dispatch: %s: record 25 at byte 1288: truncated record body "
      "(8 of 50 bytes)",
      torn);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_string_equal(thermos_testkit_line(kit, 0), want_line);
  assert_string_equal(thermos_testkit_stream_error(kit),
                      "truncated record body (8 of 50 bytes)");
  char *err = NULL;
  assert_int_equal(run_host(&err, "-p", recorder_so, "-o",
                            "recorder.out=/dev/null", "replay", torn, NULL),
                   65);
  char *got = kit_text(kit);
  assert_string_equal(got, err);
  thermos_testkit_free(kit);

  char *rec = read_text(by_kit);
  assert_non_null(strstr(rec, "recorder on_stream_error record=25 "));
  assert_true(strstr(rec, "recorder on_stream_error ") <
              strstr(rec, "recorder on_stream_close "));
  g_free(rec);
  g_free(got);
  g_free(err);
  g_free(want_line);
  g_free(by_kit);
  g_free(torn);
  g_free(data);
  g_free(runner);
}

/* init of `so` with `key=value` set (after out=/dev/null for the
 * recorder); the kit's lines must be the host's `check` stderr for the
 * same -o options, and equal `want`. */
static void check_option_lines(const char *so, const char *module,
                               const char *key, const char *value,
                               const char *want) {
  bool recorder = strcmp(module, "recorder") == 0;
  thermos_testkit *kit = thermos_testkit_new();
  assert_int_equal(thermos_testkit_load(kit, so), THERMOS_TESTKIT_OK);
  if (recorder)
    assert_int_equal(thermos_testkit_set_option(kit, "out", "/dev/null"),
                     THERMOS_TESTKIT_OK);
  int rc = thermos_testkit_set_option(kit, key, value);
  if (rc == THERMOS_TESTKIT_OK)
    rc = thermos_testkit_init(kit);
  assert_int_equal(rc, THERMOS_TESTKIT_CONFIG_ERROR);
  char *got = kit_text(kit);
  assert_string_equal(got, want);
  char *opt = g_strdup_printf("%s.%s=%s", module, key, value);
  char *err = NULL;
  if (recorder)
    assert_int_equal(run_host(&err, "-p", so, "-o", "recorder.out=/dev/null",
                              "-o", opt, "check", NULL),
                     78);
  else
    assert_int_equal(run_host(&err, "-p", so, "-o", opt, "check", NULL), 78);
  assert_string_equal(got, err);
  g_free(err);
  g_free(opt);
  g_free(got);
  thermos_testkit_free(kit);
}

/* 3. The option checks and init failures: the host's own messages. */
static void test_option_messages(void **state) {
  (void)state;
  check_option_lines(recorder_so, "recorder", "colour", "blue",
                     "thermos-dispatch: -o:2: [plugin:recorder] colour: "
                     "unknown key (module recorder accepts: out, fail_on, "
                     "fail_init, log_message)\n");
  check_option_lines(recorder_so, "recorder", "fail_init", "maybe",
                     "thermos-dispatch: -o:2: [plugin:recorder] fail_init: "
                     "expected a boolean (yes/no, true/false, on/off, 1/0), "
                     "not 'maybe'\n");
  check_option_lines(recorder_so, "recorder", "on_error", "explode",
                     "thermos-dispatch: -o:2: [plugin:recorder] on_error: "
                     "expected one of continue|disable|abort, not 'explode'\n");
  check_option_lines(config_err_so, "config_error", "level", "-3",
                     "thermos-dispatch: -o:1: [plugin:config_error] level: "
                     "must be positive\n");
  check_option_lines(config_err_so, "config_error", "level", "x",
                     "thermos-dispatch: -o:1: [plugin:config_error] level: "
                     "expected an integer from -9223372036854775808 to "
                     "9223372036854775807, not 'x'\n");

  /* init failing on its own: the host's line names the module. */
  thermos_testkit *kit = recorder_kit("/dev/null");
  assert_int_equal(thermos_testkit_set_option(kit, "fail_init", "yes"),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_CONFIG_ERROR);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_string_equal(thermos_testkit_line(kit, 0),
                      "thermos-dispatch: -p: [plugin:recorder]: init failed "
                      "(module recorder)");
  /* Nothing runs after a failed init. */
  assert_int_equal(thermos_testkit_open(kit, "s"), THERMOS_TESTKIT_MISUSE);
  thermos_testkit_free(kit);

  /* A refused file: the host's -p line. */
  kit = thermos_testkit_new();
  char *missing = g_build_filename(tmp, "missing.so", NULL);
  assert_int_equal(thermos_testkit_load(kit, missing),
                   THERMOS_TESTKIT_LOAD_ERROR);
  char *err = NULL;
  assert_int_equal(run_host(&err, "-p", missing, "check", NULL), 78);
  char *got = kit_text(kit);
  assert_string_equal(got, err);
  assert_true(g_str_has_prefix(got, "thermos-dispatch: "));
  assert_non_null(strstr(got, "missing.so"));
  g_free(got);
  g_free(err);
  g_free(missing);
  thermos_testkit_free(kit);
}

/* The recorder lines of `rec` after the init line, without the fixed
 * "source=..." and digest parts, for short exact expectations. */
static char *event_lines(const char *path) {
  char *text = read_text(path);
  GString *out = g_string_new(NULL);
  gchar **lines = g_strsplit(text, "\n", -1);
  for (gchar **l = lines; *l; l++) {
    if (!**l || g_str_has_prefix(*l, "recorder init "))
      continue;
    char *cut = strstr(*l, " task_id=");
    char *mid = strstr(*l, " hdr=");
    /* "recorder CALLBACK record=N offset=B history=H" + update fields */
    g_string_append_len(out, *l, cut ? cut - *l : (gssize)strlen(*l));
    if (cut && mid) {
      char *update = strstr(cut, " source=");
      update = update ? strchr(update + 1, ' ') : NULL;
      if (update && update < mid)
        g_string_append_len(out, update, mid - update);
    }
    g_string_append_c(out, '\n');
  }
  g_strfreev(lines);
  g_free(text);
  return g_string_free(out, FALSE);
}

/* 4. Records built in C reach the callbacks the state machine says, in
 * the host's order; history follows set_history. */
static void test_built_records(void **state) {
  (void)state;
  char *out = scratch("built.rec");
  thermos_testkit *kit = recorder_kit(out);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_open(kit, "/r/checkpoints/t1/runner"),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_feed_record(
                       kit, thermos_testkit_header_add_port(
                                thermos_testkit_header_set_user(
                                    thermos_testkit_header("t1"), "www"),
                                "http", 8080)),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_feed_record(
                       kit, thermos_testkit_task(THERMOS_TASK_ACTIVE, 1000)),
                   THERMOS_TESTKIT_OK);
  thermos_testkit_set_history(kit, 1);
  assert_int_equal(
      thermos_testkit_feed_record(
          kit, thermos_testkit_process("p1", THERMOS_PROCESS_WAITING, 0)),
      THERMOS_TESTKIT_OK);
  thermos_testkit_set_history(kit, 0);
  assert_int_equal(
      thermos_testkit_feed_record(
          kit, thermos_testkit_process_set_coordinator_pid(
                   thermos_testkit_process_set_fork_time(
                       thermos_testkit_process("p1", THERMOS_PROCESS_FORKED, 1),
                       10.0),
                   77)),
      THERMOS_TESTKIT_OK);
  assert_int_equal(
      thermos_testkit_feed_record(
          kit,
          thermos_testkit_process_set_pid(
              thermos_testkit_process_set_start_time(
                  thermos_testkit_process("p1", THERMOS_PROCESS_RUNNING, 2),
                  11.0),
              78)),
      THERMOS_TESTKIT_OK);
  assert_int_equal(
      thermos_testkit_feed_record(
          kit, thermos_testkit_process_set_return_code(
                   thermos_testkit_process_set_stop_time(
                       thermos_testkit_process("p1", THERMOS_PROCESS_FAILED, 3),
                       12.0),
                   1)),
      THERMOS_TESTKIT_OK);
  /* A setter of another kind: the test's mistake, nothing fed. */
  assert_int_equal(
      thermos_testkit_feed_record(
          kit, thermos_testkit_process_set_pid(
                   thermos_testkit_task(THERMOS_TASK_FAILED, 5), 1)),
      THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_feed_record(
                       kit, thermos_testkit_task(THERMOS_TASK_FAILED, 2000)),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_close(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_events(kit), 7);
  assert_int_equal(thermos_testkit_fini(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_line_count(kit), 0);
  thermos_testkit_free(kit);

  char *got = event_lines(out);
  if (g_getenv("TD_SHOW"))
    fputs(got, stderr);
  assert_text_equal(
      got, "recorder on_stream_open record=0 offset=0 history=0\n"
           "recorder on_initialization record=0 offset=0 history=0 "
           "hdr_task_id=t1 ports=1\n"
           "recorder on_task_transition record=1 offset=53 history=0 "
           "state=0 timestamp_ms=1000\n"
           "recorder on_task_active record=1 offset=53 history=0 "
           "state=0 timestamp_ms=1000\n"
           "recorder on_process_transition record=2 offset=80 history=1 "
           "state=0 process=p1 seq=0 pidx=0 runs=1 run_state=0 run_seq=0\n"
           "recorder on_process_waiting record=2 offset=80 history=1 "
           "state=0 process=p1 seq=0 pidx=0 runs=1 run_state=0 run_seq=0\n"
           "recorder on_process_transition record=3 offset=116 history=0 "
           "state=1 process=p1 seq=1 pidx=0 runs=1 run_state=1 run_seq=1\n"
           "recorder on_process_forked record=3 offset=116 history=0 "
           "state=1 process=p1 seq=1 pidx=0 runs=1 run_state=1 run_seq=1\n"
           "recorder on_process_transition record=4 offset=170 history=0 "
           "state=2 process=p1 seq=2 pidx=0 runs=1 run_state=2 run_seq=2\n"
           "recorder on_process_running record=4 offset=170 history=0 "
           "state=2 process=p1 seq=2 pidx=0 runs=1 run_state=2 run_seq=2\n"
           "recorder on_process_transition record=5 offset=224 history=0 "
           "state=5 process=p1 seq=3 pidx=0 runs=1 run_state=5 run_seq=3\n"
           "recorder on_process_failed record=5 offset=224 history=0 "
           "state=5 process=p1 seq=3 pidx=0 runs=1 run_state=5 run_seq=3\n"
           "recorder on_task_transition record=6 offset=278 history=0 "
           "state=2 timestamp_ms=2000\n"
           "recorder on_task_failed record=6 offset=278 history=0 "
           "state=2 timestamp_ms=2000\n"
           "recorder on_stream_close record=6 offset=278 history=0\n"
           "recorder fini\n");
  g_free(got);
  g_free(out);
}

/* 5. A malformed raw record is the host's stream error; the stream reads
 * nothing more; a bad JSON line is an input error naming its line. */
static void test_malformed(void **state) {
  (void)state;
  char *out = scratch("bad.rec");
  thermos_testkit *kit = recorder_kit(out);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_open(kit, "bad-stream"), THERMOS_TESTKIT_OK);
  /* JSON: one good line, one bad: the first is dispatched. */
  assert_int_equal(
      thermos_testkit_feed_json(
          kit, "\n{\"record\": 0, \"task_status\": {\"state\": \"ACTIVE\", "
               "\"timestamp_ms\": 5}}\n{\"record\": 1\n"),
      THERMOS_TESTKIT_INPUT_ERROR);
  assert_int_equal(thermos_testkit_events(kit), 1);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_true(g_str_has_prefix(thermos_testkit_line(kit, 0),
                               "thermos-dispatch: bad-stream: line 2: "));
  assert_null(thermos_testkit_stream_error(kit));
  thermos_testkit_clear_lines(kit);

  /* A field header of type 0x7f: not a Thrift type. */
  static const unsigned char bad[] = {0x7f, 0x00, 0x01};
  assert_int_equal(thermos_testkit_feed_raw(kit, bad, sizeof bad),
                   THERMOS_TESTKIT_STREAM_ERROR);
  const char *reason = thermos_testkit_stream_error(kit);
  assert_non_null(reason);
  assert_true(g_str_has_prefix(reason, "undecodable record: "));
  char *want = g_strdup_printf(
      "thermos-dispatch: bad-stream: record 1 at byte 27: %s", reason);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_string_equal(thermos_testkit_line(kit, 0), want);
  /* Stopped: nothing more is read, nothing more is printed. */
  assert_int_equal(thermos_testkit_feed_record(
                       kit, thermos_testkit_task(THERMOS_TASK_FAILED, 6)),
                   THERMOS_TESTKIT_STREAM_ERROR);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_int_equal(thermos_testkit_close(kit), THERMOS_TESTKIT_OK);

  /* An empty record is a framing error. */
  assert_int_equal(thermos_testkit_open(kit, "empty"), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_feed_raw(kit, NULL, 0),
                   THERMOS_TESTKIT_STREAM_ERROR);
  assert_string_equal(thermos_testkit_line(kit, 1),
                      "thermos-dispatch: empty: record 0 at byte 0: empty "
                      "record");
  /* A state machine error: FORKED before WAITING. */
  assert_int_equal(thermos_testkit_close(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_open(kit, "order"), THERMOS_TESTKIT_OK);
  assert_int_equal(
      thermos_testkit_feed_record(
          kit, thermos_testkit_process("p", THERMOS_PROCESS_FORKED, 0)),
      THERMOS_TESTKIT_STREAM_ERROR);
  assert_string_equal(thermos_testkit_stream_error(kit),
                      "update for unknown process p");
  thermos_testkit_free(kit); /* closes the stream, calls fini */

  char *rec = read_text(out);
  assert_non_null(strstr(rec, "recorder on_stream_error record=0 offset=0 "));
  assert_non_null(strstr(rec, "recorder on_stream_close record=0 offset=0 "));
  assert_true(g_str_has_suffix(rec, "recorder fini\n"));
  g_free(rec);
  g_free(want);
  g_free(out);
}

/* 6. Failures: counted, warned about as the host does, and an abort. */
static void test_failures(void **state) {
  (void)state;
  char *runner = g_build_filename(aurora, "hello_world", "runner", NULL);
  thermos_testkit *kit = recorder_kit("/dev/null");
  assert_int_equal(thermos_testkit_set_option(kit, "fail_on", "on_task_active"),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_feed_file(kit, runner), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_failures(kit), 1);
  assert_int_equal(thermos_testkit_fini(kit), THERMOS_TESTKIT_OK);
  char *err = NULL;
  assert_int_equal(
      run_host(&err, "-p", recorder_so, "-o", "recorder.out=/dev/null", "-o",
               "recorder.fail_on=on_task_active", "replay", runner, NULL),
      70);
  char *got = kit_text(kit);
  assert_string_equal(got, err);
  assert_string_equal(thermos_testkit_line(kit, 1),
                      "thermos-dispatch: recorder: 1 callback failed");
  g_free(got);
  g_free(err);
  thermos_testkit_free(kit);

  kit = recorder_kit("/dev/null");
  assert_int_equal(thermos_testkit_set_option(kit, "fail_on", "on_task_active"),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_set_option(kit, "on_error", "abort"),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_feed_file(kit, runner),
                   THERMOS_TESTKIT_ABORTED);
  assert_int_equal(thermos_testkit_open(kit, "x"), THERMOS_TESTKIT_ABORTED);
  assert_int_equal(thermos_testkit_fini(kit), THERMOS_TESTKIT_ABORTED);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_true(g_str_has_prefix(thermos_testkit_line(kit, 0),
                               "thermos-dispatch: recorder: on_task_active "
                               "failed"));
  thermos_testkit_free(kit);
  g_free(runner);
}

/* 7. A plugin linked into the test: the host table it is given. */
typedef struct seen {
  int mode, truncate, minor, history_sum;
  const char *instance;
  unsigned calls;
} seen;
static seen linked_seen;

static int linked_init(const thermos_host_v1 *host, void **ctx) {
  linked_seen.mode = host->mode;
  linked_seen.truncate = host->truncate;
  linked_seen.minor = (int)host->abi_minor;
  linked_seen.instance = host->instance;
  host->log(host->host, THERMOS_LOG_WARNING, "hello from init");
  host->log(host->host, THERMOS_LOG_DEBUG, "not shown at info");
  *ctx = &linked_seen;
  return THERMOS_OK;
}

static int linked_task(void *ctx, const thermos_event *ev, int32_t state,
                       const thermos_task_status *update) {
  (void)state;
  (void)update;
  seen *s = ctx;
  s->calls++;
  s->history_sum += ev->history;
  return THERMOS_OK;
}

static const thermos_handler_v1 LINKED = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "linked",
    .version = "1",
    .init = linked_init,
    .on_task_transition = linked_task,
};

static void test_linked_table(void **state) {
  (void)state;
  thermos_testkit *kit = thermos_testkit_new();
  assert_int_equal(thermos_testkit_use(kit, &LINKED), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_set_name(kit, "audit"), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_set_mode(kit, THERMOS_MODE_WATCH),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_set_truncate(kit, 1), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_set_mode(kit, 0), THERMOS_TESTKIT_MISUSE);
  assert_ptr_equal(thermos_testkit_context(kit), &linked_seen);
  assert_int_equal(linked_seen.mode, THERMOS_MODE_WATCH);
  assert_int_equal(linked_seen.truncate, 1);
  assert_int_equal(linked_seen.minor, THERMOS_HANDLER_ABI_MINOR);
  assert_string_equal(linked_seen.instance, "audit");
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_string_equal(thermos_testkit_line(kit, 0),
                      "thermos-dispatch: warning: audit: hello from init");
  assert_int_equal(thermos_testkit_open(kit, "s"), THERMOS_TESTKIT_OK);
  thermos_testkit_set_history(kit, 1);
  assert_int_equal(
      thermos_testkit_feed_json(kit, "{\"task_status\": {\"state\": "
                                     "\"ACTIVE\", \"timestamp_ms\": 1}}"),
      THERMOS_TESTKIT_OK);
  assert_int_equal(linked_seen.calls, 1);
  assert_int_equal(linked_seen.history_sum, 1);
  thermos_testkit_free(kit);

  /* The loader's handshake, for a table too. */
  thermos_handler_v1 other = LINKED;
  other.abi_major = 2;
  kit = thermos_testkit_new();
  assert_int_equal(thermos_testkit_use(kit, &other),
                   THERMOS_TESTKIT_LOAD_ERROR);
  assert_string_equal(thermos_testkit_line(kit, 0),
                      "thermos-dispatch: (linked table): plugin ABI major 2, "
                      "this host supports ABI major 1");
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_MISUSE);
  thermos_testkit_free(kit);
  other = LINKED;
  other.name = "";
  kit = thermos_testkit_new();
  assert_int_equal(thermos_testkit_use(kit, &other),
                   THERMOS_TESTKIT_LOAD_ERROR);
  assert_string_equal(thermos_testkit_line(kit, 0),
                      "thermos-dispatch: (linked table): empty plugin name");
  thermos_testkit_free(kit);
}

/* 8. Calls out of order are the test's mistake, and print nothing. */
static void test_misuse(void **state) {
  (void)state;
  thermos_testkit *kit = thermos_testkit_new();
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_set_option(kit, "a", "b"),
                   THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_use(kit, &LINKED), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_use(kit, &LINKED), THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_open(kit, "s"), THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_feed_raw(kit, "x", 1),
                   THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_feed_raw(kit, "x", 1),
                   THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_close(kit), THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_open(kit, "s"), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_open(kit, "t"), THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_fini(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_fini(kit), THERMOS_TESTKIT_MISUSE);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  thermos_testkit_free(kit);
  thermos_testkit_free(NULL);
}

int main(void) {
  td_bin = g_getenv("THERMOS_DISPATCH");
  const char *libs = g_getenv("TD_PLUGIN_LIBS");
  const char *src = g_getenv("top_srcdir");
  if (!td_bin || !libs || !src) {
    fprintf(stderr, "test-testkit: run it from make check (THERMOS_DISPATCH, "
                    "TD_PLUGIN_LIBS, top_srcdir)\n");
    return 99;
  }
  recorder_so = g_build_filename(libs, "recorder.so", NULL);
  config_err_so = g_build_filename(libs, "config_error.so", NULL);
  aurora = g_build_filename(src, "tests", "fixtures", "aurora", NULL);
  tmp = g_dir_make_tmp("td-testkit.XXXXXX", NULL);
  if (!tmp)
    return 99;
  empty_ini = g_build_filename(tmp, "empty.ini", NULL);
  if (!g_file_set_contents(empty_ini, "[host]\n", -1, NULL))
    return 99;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixtures_as_host),
      cmocka_unit_test(test_torn_as_host),
      cmocka_unit_test(test_option_messages),
      cmocka_unit_test(test_built_records),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_failures),
      cmocka_unit_test(test_linked_table),
      cmocka_unit_test(test_misuse),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  if (g_getenv("TD_KEEP_TMP"))
    return rc;
  char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  if (system(cmd) != 0)
    rc = rc ? rc : 1;
  g_free(cmd);
  return rc;
}
