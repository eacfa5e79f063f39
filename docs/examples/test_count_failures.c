/*
 * Unit tests of the count_failures example plugin, with the thermos-dispatch
 * test kit (<thermos/testkit.h>): the plugin runs inside the host's own
 * option checks, state machine and dispatcher, in this process, and what
 * it logs is captured as the host would print it.
 *
 * Built and run by `make check` next to it:
 *
 *   cc test_count_failures.c count_failures.c \
 *      $(pkg-config --cflags --libs thermos-testkit cmocka) \
 *      -o test_count_failures && ./test_count_failures
 *
 * The plugin is linked in, and handed to the kit by its entry function.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <thermos/testkit.h>

/* A kit running count_failures with one option set (key NULL: none). */
static thermos_testkit *start(const char *key, const char *value) {
  thermos_testkit *kit = thermos_testkit_new();
  assert_int_equal(thermos_testkit_use(kit, thermos_handler_v1_entry()),
                   THERMOS_TESTKIT_OK);
  if (key)
    assert_int_equal(thermos_testkit_set_option(kit, key, value),
                     THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);
  return kit;
}

static void feed(thermos_testkit *kit, thermos_testkit_record *rec) {
  assert_int_equal(thermos_testkit_feed_record(kit, rec), THERMOS_TESTKIT_OK);
}

/* One run of `name` from WAITING to RUNNING, sequence numbers from `seq`;
 * returns the next sequence number. */
static int64_t run(thermos_testkit *kit, const char *name, int64_t seq) {
  feed(kit, thermos_testkit_process(name, THERMOS_PROCESS_WAITING, seq));
  feed(kit,
       thermos_testkit_process_set_coordinator_pid(
           thermos_testkit_process_set_fork_time(
               thermos_testkit_process(name, THERMOS_PROCESS_FORKED, seq + 1),
               100.0),
           4000));
  feed(kit,
       thermos_testkit_process_set_pid(
           thermos_testkit_process_set_start_time(
               thermos_testkit_process(name, THERMOS_PROCESS_RUNNING, seq + 2),
               101.0),
           4001));
  return seq + 3;
}

/* A task whose p1 fails, then is lost on its second run, and whose p2
 * fails before it starts: one summary line, when the stream closes. */
static void test_summary(void **state) {
  (void)state;
  thermos_testkit *kit = start(NULL, NULL);
  assert_int_equal(
      thermos_testkit_open(kit, "/var/run/thermos/checkpoints/job1/runner"),
      THERMOS_TESTKIT_OK);
  feed(kit, thermos_testkit_header("job1"));
  feed(kit, thermos_testkit_task(THERMOS_TASK_ACTIVE, 1000));
  int64_t seq = run(kit, "p1", 0);
  feed(kit, thermos_testkit_process_set_return_code(
                thermos_testkit_process_set_stop_time(
                    thermos_testkit_process("p1", THERMOS_PROCESS_FAILED, seq),
                    102.0),
                1));
  feed(kit, thermos_testkit_process("p2", THERMOS_PROCESS_WAITING, 0));
  feed(kit, thermos_testkit_process("p2", THERMOS_PROCESS_FAILED, 1));
  seq = run(kit, "p1", seq + 1);
  feed(kit, thermos_testkit_process("p1", THERMOS_PROCESS_LOST, seq));
  assert_int_equal(thermos_testkit_line_count(kit), 0); /* not before close */

  assert_int_equal(thermos_testkit_close(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_string_equal(thermos_testkit_line(kit, 0),
                      "thermos-dispatch: warning: count_failures: task job1: "
                      "2 failed, 1 lost of 2 processes (p1 failed 1 lost 1, "
                      "p2 failed 1)");
  assert_int_equal(thermos_testkit_failures(kit), 0);
  thermos_testkit_free(kit);
}

/* The scenario of the plugin guide and thermos_testkit(3), as written
 * there. */
static void test_guide_scenario(void **state) {
  (void)state;
  thermos_testkit *kit = thermos_testkit_new();
  thermos_testkit_use(kit, thermos_handler_v1_entry());
  thermos_testkit_set_option(kit, "min_failures", "1"); /* as -o */
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_OK);

  thermos_testkit_open(kit, "/var/run/thermos/checkpoints/job1/runner");
  thermos_testkit_feed_record(kit, thermos_testkit_header("job1"));
  thermos_testkit_feed_record(
      kit, thermos_testkit_process("p2", THERMOS_PROCESS_WAITING, 0));
  thermos_testkit_feed_record(
      kit, thermos_testkit_process("p2", THERMOS_PROCESS_FAILED, 1));
  thermos_testkit_close(kit); /* on_stream_close */

  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_string_equal(thermos_testkit_line(kit, 0),
                      "thermos-dispatch: warning: count_failures: task job1: "
                      "1 failed, 0 lost of 1 process (p2 failed 1)");
  assert_int_equal(thermos_testkit_failures(kit), 0); /* no callback failed */
  thermos_testkit_free(kit);                          /* fini */
}

/* Below min_failures: nothing is logged. */
static void test_below_threshold(void **state) {
  (void)state;
  thermos_testkit *kit = start("min_failures", "2");
  assert_int_equal(thermos_testkit_open(kit, "runner"), THERMOS_TESTKIT_OK);
  /* Records as `thermos-dispatch dump` prints them. */
  assert_int_equal(
      thermos_testkit_feed_json(
          kit, "{\"record\": 0, \"process_status\": {\"process\": \"p\", "
               "\"seq\": 0, \"state\": \"WAITING\"}}\n"
               "{\"record\": 1, \"process_status\": {\"process\": \"p\", "
               "\"seq\": 1, \"state\": \"FAILED\"}}\n"),
      THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_close(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_line_count(kit), 0);
  thermos_testkit_free(kit);
}

/* A negative min_failures is refused with the host's own message. */
static void test_bad_option(void **state) {
  (void)state;
  thermos_testkit *kit = thermos_testkit_new();
  assert_int_equal(thermos_testkit_use(kit, thermos_handler_v1_entry()),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_set_option(kit, "min_failures", "-1"),
                   THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_init(kit), THERMOS_TESTKIT_CONFIG_ERROR);
  assert_int_equal(thermos_testkit_line_count(kit), 1);
  assert_string_equal(thermos_testkit_line(kit, 0),
                      "thermos-dispatch: -o:1: [plugin:count_failures] "
                      "min_failures: must be 0 or more");
  thermos_testkit_free(kit);
}

/* A stream that stops on a bad record: the summary says so. */
static void test_stream_error(void **state) {
  (void)state;
  thermos_testkit *kit = start("min_failures", "0");
  assert_int_equal(thermos_testkit_open(kit, "/c/checkpoints/t9/runner"),
                   THERMOS_TESTKIT_OK);
  static const unsigned char garbage[] = {0x7f, 0x00, 0x01};
  assert_int_equal(thermos_testkit_feed_raw(kit, garbage, sizeof garbage),
                   THERMOS_TESTKIT_STREAM_ERROR);
  assert_int_equal(thermos_testkit_close(kit), THERMOS_TESTKIT_OK);
  assert_int_equal(thermos_testkit_line_count(kit), 2);
  assert_string_equal(thermos_testkit_line(kit, 1),
                      "thermos-dispatch: warning: count_failures: task t9: 0 "
                      "failed, 0 lost of 0 processes; the stream stopped on "
                      "an error");
  thermos_testkit_free(kit);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_summary),
      cmocka_unit_test(test_guide_scenario),
      cmocka_unit_test(test_below_threshold),
      cmocka_unit_test(test_bad_option),
      cmocka_unit_test(test_stream_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
