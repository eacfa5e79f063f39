/* Unit tests of the observer's model (plugins/observer/observer_model.c):
 * the root taken from the stream's path, runs started by WAITING and
 * capped, ordering most recently changed first, Aurora's paging with a
 * negative offset, finished by a terminal status or by tasks/finished/ at
 * close, max_finished, and the memory a task of 100 records costs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "observer_model.h"

static thermos_str S(const char *s) { return (thermos_str){s, strlen(s)}; }

static thermos_event ev_of(const char *source, const char *id) {
  thermos_event ev = {.struct_size = sizeof ev, .source = source};
  ev.task_id = S(id);
  return ev;
}

static void header(obs_model *m, const thermos_event *ev) {
  thermos_runner_header h = {0};
  h.present = THERMOS_RH_TASK_ID | THERMOS_RH_USER | THERMOS_RH_SANDBOX |
              THERMOS_RH_LAUNCH_TIME_MS;
  h.task_id = ev->task_id;
  h.user = S("alice");
  h.sandbox = S("/sb");
  h.launch_time_ms = 1500;
  obs_model_initialization(m, ev, &h);
}

static void task_state(obs_model *m, const thermos_event *ev, int32_t st,
                       int64_t ms) {
  thermos_task_status ts = {.present =
                                THERMOS_TS_STATE | THERMOS_TS_TIMESTAMP_MS,
                            .state = st,
                            .timestamp_ms = ms};
  obs_model_task(m, ev, st, &ts);
}

static void proc_state(obs_model *m, const thermos_event *ev, const char *name,
                       int32_t st, int32_t rc) {
  thermos_process_status ps = {0};
  ps.present = THERMOS_PS_PROCESS | THERMOS_PS_STATE | THERMOS_PS_START_TIME;
  ps.process = S(name);
  ps.state = st;
  ps.start_time = 10.5;
  if (st == THERMOS_PROCESS_FAILED || st == THERMOS_PROCESS_SUCCESS) {
    ps.present |= THERMOS_PS_RETURN_CODE;
    ps.return_code = rc;
  }
  obs_model_process(m, ev, st, &ps);
}

static void test_root_and_fields(void **unused) {
  (void)unused;
  obs_model *m = obs_model_new(10);
  thermos_event a = ev_of("/r/checkpoints/a/runner", "a");
  thermos_event b = ev_of("/r2/checkpoints/b", "b");
  thermos_event c = ev_of("/elsewhere/c.ckpt", "c");
  header(m, &a);
  header(m, &b);
  header(m, &c);
  obs_task_view *v = obs_model_get(m, "a");
  assert_non_null(v);
  assert_string_equal(v->root, "/r");
  assert_string_equal(v->user, "alice");
  assert_string_equal(v->sandbox, "/sb");
  assert_string_equal(v->log_dir, "");
  assert_true(v->launch_time == 1.5);
  assert_true(v->has_header);
  obs_task_view_free(v);
  v = obs_model_get(m, "b");
  assert_string_equal(v->root, "/r2");
  obs_task_view_free(v);
  v = obs_model_get(m, "c");
  assert_string_equal(v->root, "");
  obs_task_view_free(v);
  assert_null(obs_model_get(m, "d"));
  /* An event without a task id changes nothing. */
  thermos_event none = ev_of("/x", "");
  task_state(m, &none, THERMOS_TASK_ACTIVE, 1);
  assert_int_equal(obs_model_counts(m).all, 3);
  obs_model_free(m);
}

static void test_runs(void **unused) {
  (void)unused;
  obs_model *m = obs_model_new(10);
  thermos_event a = ev_of("/r/checkpoints/a", "a");
  for (int i = 0; i < 1003; i++) {
    proc_state(m, &a, "p", THERMOS_PROCESS_WAITING, 0);
    proc_state(m, &a, "p", THERMOS_PROCESS_FORKED, 0);
    proc_state(m, &a, "p", THERMOS_PROCESS_RUNNING, 0);
    proc_state(m, &a, "p", THERMOS_PROCESS_FAILED, i);
  }
  proc_state(m, &a, "q", THERMOS_PROCESS_WAITING, 0);
  obs_task_view *v = obs_model_get(m, "a");
  assert_int_equal(v->processes->len, 2);
  obs_process_view *p = g_ptr_array_index(v->processes, 0);
  assert_string_equal(p->name, "p");
  /* At most 1000 runs, the oldest dropped. */
  assert_int_equal(p->runs->len, 1000);
  obs_run *first = &g_array_index(p->runs, obs_run, 0);
  obs_run *last = &g_array_index(p->runs, obs_run, 999);
  assert_int_equal(first->return_code, 3);
  assert_int_equal(last->return_code, 1002);
  assert_true(last->has_return_code);
  assert_int_equal(last->state, THERMOS_PROCESS_FAILED);
  assert_true(last->start_time == 10.5);
  obs_process_view *q = g_ptr_array_index(v->processes, 1);
  assert_int_equal(q->runs->len, 1);
  assert_false(g_array_index(q->runs, obs_run, 0).has_return_code);
  obs_task_view_free(v);
  obs_model_free(m);
}

/* The ids of a page, joined by spaces. */
static char *page_ids(obs_model *m, obs_type t, long off, long num,
                      size_t *total) {
  GPtrArray *p = obs_model_page(m, t, off, num, total);
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < p->len; i++) {
    obs_task_view *v = g_ptr_array_index(p, i);
    g_string_append_printf(s, "%s%s", i ? " " : "", v->task_id);
  }
  g_ptr_array_free(p, TRUE);
  return g_string_free(s, FALSE);
}

static void check_page(obs_model *m, obs_type t, long off, long num,
                       const char *want, size_t want_total) {
  size_t total;
  char *got = page_ids(m, t, off, num, &total);
  assert_string_equal(got, want);
  assert_int_equal(total, want_total);
  g_free(got);
}

static void test_order_and_paging(void **unused) {
  (void)unused;
  obs_model *m = obs_model_new(10);
  char src[5][32], id[5][4];
  thermos_event ev[5];
  for (int i = 0; i < 5; i++) {
    snprintf(id[i], sizeof id[i], "t%d", i);
    snprintf(src[i], sizeof src[i], "/r/checkpoints/t%d", i);
    ev[i] = ev_of(src[i], id[i]);
    task_state(m, &ev[i], THERMOS_TASK_ACTIVE, i);
  }
  check_page(m, OBS_ALL, 0, 20, "t4 t3 t2 t1 t0", 5);
  /* A change moves a task first. */
  proc_state(m, &ev[1], "p", THERMOS_PROCESS_WAITING, 0);
  check_page(m, OBS_ALL, 0, 20, "t1 t4 t3 t2 t0", 5);
  check_page(m, OBS_ALL, 1, 2, "t4 t3", 5);
  check_page(m, OBS_ALL, 4, 2, "t0", 5);
  check_page(m, OBS_ALL, 5, 2, "", 5);
  check_page(m, OBS_ALL, 0, 0, "", 5);
  /* Aurora: -2 of 5 is 3; -5 and beyond are 0. */
  check_page(m, OBS_ALL, -2, 20, "t2 t0", 5);
  check_page(m, OBS_ALL, -2, 1, "t2", 5);
  check_page(m, OBS_ALL, -5, 2, "t1 t4", 5);
  check_page(m, OBS_ALL, -99, 1, "t1", 5);
  /* A terminal status finishes a task. */
  task_state(m, &ev[3], THERMOS_TASK_SUCCESS, 9);
  check_page(m, OBS_ACTIVE, 0, 20, "t1 t4 t2 t0", 4);
  check_page(m, OBS_FINISHED, 0, 20, "t3", 1);
  obs_counts c = obs_model_counts(m);
  assert_int_equal(c.active, 4);
  assert_int_equal(c.finished, 1);
  assert_int_equal(c.all, 5);
  obs_model_free(m);
}

static void test_finished_at_close(void **unused) {
  (void)unused;
  char *root = g_dir_make_tmp("obs-model-XXXXXX", NULL);
  assert_non_null(root);
  char *dir = g_build_filename(root, "tasks", "finished", NULL);
  assert_int_equal(g_mkdir_with_parents(dir, 0700), 0);
  char *mark = g_build_filename(dir, "a", NULL);
  assert_true(g_file_set_contents(mark, "{}", 2, NULL));
  char *src_a = g_strconcat(root, "/checkpoints/a", NULL);
  char *src_b = g_strconcat(root, "/checkpoints/b", NULL);
  obs_model *m = obs_model_new(10);
  thermos_event a = ev_of(src_a, "a"), b = ev_of(src_b, "b");
  task_state(m, &a, THERMOS_TASK_ACTIVE, 1);
  task_state(m, &b, THERMOS_TASK_ACTIVE, 1);
  obs_model_stream_close(m, &a);
  obs_model_stream_close(m, &b);
  obs_counts c = obs_model_counts(m);
  assert_int_equal(c.finished, 1);
  assert_int_equal(c.active, 1);
  obs_task_view *v = obs_model_get(m, "a");
  assert_true(v->finished);
  obs_task_view_free(v);
  obs_model_free(m);
  g_unlink(mark);
  g_rmdir(dir);
  char *tasks = g_build_filename(root, "tasks", NULL);
  g_rmdir(tasks);
  g_rmdir(root);
  g_free(tasks);
  g_free(src_a);
  g_free(src_b);
  g_free(mark);
  g_free(dir);
  g_free(root);
}

static void test_max_finished(void **unused) {
  (void)unused;
  obs_model *m = obs_model_new(2);
  char src[4][32], id[4][4];
  for (int i = 0; i < 4; i++) {
    snprintf(id[i], sizeof id[i], "t%d", i);
    snprintf(src[i], sizeof src[i], "/r/checkpoints/t%d", i);
    thermos_event ev = ev_of(src[i], id[i]);
    task_state(m, &ev, THERMOS_TASK_ACTIVE, 1);
    task_state(m, &ev, THERMOS_TASK_FAILED, 2);
  }
  check_page(m, OBS_FINISHED, 0, 20, "t3 t2", 2);
  assert_null(obs_model_get(m, "t0"));
  assert_int_equal(obs_model_counts(m).all, 2);
  obs_model_free(m);
}

/* The memory of 10,000 tasks of 100 records each (a header, 3 task
 * statuses, 96 process updates over 4 processes), from the heap's
 * growth as mallinfo2 reports it where there is one; printed, and held
 * to the target of 2 KiB a task (names included). */
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
#include <malloc.h>
static size_t heap_used(void) { return mallinfo2().uordblks; }
#else
static size_t heap_used(void) { return 0; }
#endif

static void test_memory(void **unused) {
  (void)unused;
  enum { TASKS = 10000 };
  size_t before = heap_used();
  obs_model *m = obs_model_new(TASKS);
  char src[64], id[32];
  static const char *const procs[] = {"setup", "main_server", "sidecar",
                                      "log_rotate"};
  for (int i = 0; i < TASKS; i++) {
    snprintf(id, sizeof id, "role-env-job-%d-%08x", i,
             (unsigned)i * 2654435761u);
    snprintf(src, sizeof src, "/var/run/thermos/checkpoints/%s", id);
    thermos_event ev = ev_of(src, id);
    task_state(m, &ev, THERMOS_TASK_ACTIVE, 1);
    header(m, &ev);
    for (int r = 0; r < 24; r++) {
      const char *p = procs[r % 4];
      static const int32_t cycle[] = {
          THERMOS_PROCESS_WAITING, THERMOS_PROCESS_FORKED,
          THERMOS_PROCESS_RUNNING, THERMOS_PROCESS_SUCCESS};
      for (int k = 0; k < 4; k++)
        proc_state(m, &ev, p, cycle[k], 0);
    }
    task_state(m, &ev, THERMOS_TASK_CLEANING, 2);
  }
  size_t after = heap_used();
  if (after) {
    size_t per = (after - before) / TASKS;
    printf("# model: %zu bytes a task of 100 records\n", per);
    assert_true(per <= 2048);
  }
  obs_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_root_and_fields),
      cmocka_unit_test(test_runs),
      cmocka_unit_test(test_order_and_paging),
      cmocka_unit_test(test_finished_at_close),
      cmocka_unit_test(test_max_finished),
      cmocka_unit_test(test_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
