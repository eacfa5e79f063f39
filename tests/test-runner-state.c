/* Unit tests of the state machine (host/core/runner_state.c) against
 * dispatch-semantics.md: one test per rule and per error, built from td_ckpt
 * values directly so no bytes are involved.  Every error is checked for its
 * exact reason and for leaving the state as it was, as seen through the
 * public readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "core/runner_state.h"
#include "unit-helpers.h"

enum {
  WAITING = THERMOS_PROCESS_WAITING,
  FORKED = THERMOS_PROCESS_FORKED,
  RUNNING = THERMOS_PROCESS_RUNNING,
  SUCCESS = THERMOS_PROCESS_SUCCESS,
  KILLED = THERMOS_PROCESS_KILLED,
  FAILED = THERMOS_PROCESS_FAILED,
  LOST = THERMOS_PROCESS_LOST
};

#define BASE_BITS (THERMOS_PS_SEQ | THERMOS_PS_PROCESS | THERMOS_PS_STATE)
#define FORK_BITS (THERMOS_PS_FORK_TIME | THERMOS_PS_COORDINATOR_PID)
#define RUN_BITS (THERMOS_PS_START_TIME | THERMOS_PS_PID)
#define STOP_BITS (THERMOS_PS_STOP_TIME | THERMOS_PS_RETURN_CODE)
#define ALL_PS_BITS (BASE_BITS | FORK_BITS | RUN_BITS | STOP_BITS)

/* The spec's names, written out here rather than taken from the code under
 * test, so a wrong name table there cannot hide. */
static const char *pname(int32_t s) {
  static const char *const names[] = {"WAITING", "FORKED", "RUNNING", "SUCCESS",
                                      "KILLED",  "FAILED", "LOST"};
  return s >= 0 && s < 7 ? names[s] : "?";
}

static int is_terminal(int32_t s) {
  return s == SUCCESS || s == FAILED || s == KILLED || s == LOST;
}

/* ---- record builders ---------------------------------------------------- */

/* Field values derived from seq, so a test can tell which update a copied
 * field came from. */
static double fork_time_of(int64_t seq) {
  return 1000.5 + (double)(seq & 0xff);
}
static int32_t coord_of(int64_t seq) { return 10000 + (int32_t)(seq & 0xff); }
static double start_time_of(int64_t seq) {
  return 2000.25 + (double)(seq & 0xff);
}
static int32_t pid_of(int64_t seq) { return 20000 + (int32_t)(seq & 0xff); }
static double stop_time_of(int64_t seq) {
  return 3000.125 + (double)(seq & 0xff);
}
static int32_t rc_of(int64_t seq) { return 30 + (int32_t)(seq & 0xff); }

static void add_fork(thermos_process_status *p) {
  p->present |= FORK_BITS;
  p->fork_time = fork_time_of(p->seq);
  p->coordinator_pid = coord_of(p->seq);
}
static void add_run(thermos_process_status *p) {
  p->present |= RUN_BITS;
  p->start_time = start_time_of(p->seq);
  p->pid = pid_of(p->seq);
}
static void add_stop(thermos_process_status *p) {
  p->present |= STOP_BITS;
  p->stop_time = stop_time_of(p->seq);
  p->return_code = rc_of(p->seq);
}

/* A process update as a runner writes it: process, seq, state and the fields
 * that state's transition copies. */
static td_ckpt proc_n(const char *name, size_t len, int64_t seq,
                      int32_t state) {
  td_ckpt c;
  memset(&c, 0, sizeof c);
  c.has_process = true;
  thermos_process_status *p = &c.process;
  p->present = BASE_BITS;
  p->process.data = name;
  p->process.len = len;
  p->seq = seq;
  p->state = state;
  switch (state) {
  case FORKED:
    add_fork(p);
    break;
  case RUNNING:
    add_run(p);
    break;
  case SUCCESS:
  case KILLED:
  case FAILED:
    add_stop(p);
    break;
  default:
    break;
  }
  return c;
}

static td_ckpt proc(const char *name, int64_t seq, int32_t state) {
  return proc_n(name, strlen(name), seq, state);
}

/* The same with every optional field set, to check what is not copied. */
static td_ckpt proc_all(const char *name, int64_t seq, int32_t state) {
  td_ckpt c = proc(name, seq, state);
  add_fork(&c.process);
  add_run(&c.process);
  add_stop(&c.process);
  return c;
}

static td_ckpt task(int32_t state) {
  td_ckpt c;
  memset(&c, 0, sizeof c);
  c.has_task = true;
  c.task.present = THERMOS_TS_STATE | THERMOS_TS_TIMESTAMP_MS |
                   THERMOS_TS_RUNNER_PID | THERMOS_TS_RUNNER_UID;
  c.task.state = state;
  c.task.timestamp_ms = 1337000000000 + state;
  /* Masked: the state may be any int32 (INT32_MAX included). */
  c.task.runner_pid = 4000 + (state & 0xff);
  c.task.runner_uid = 500 + (state & 0xff);
  return c;
}

static const thermos_port header_ports[] = {
    {{"http", 4}, 31337}, {{"admin\0x", 7}, INT64_MAX}, {{"", 0}, -1}};

static td_ckpt header(void) {
  td_ckpt c;
  memset(&c, 0, sizeof c);
  c.has_header = true;
  thermos_runner_header *h = &c.header;
  h->present = THERMOS_RH_TASK_ID | THERMOS_RH_LAUNCH_TIME_MS |
               THERMOS_RH_SANDBOX | THERMOS_RH_LOG_DIR | THERMOS_RH_HOSTNAME |
               THERMOS_RH_USER | THERMOS_RH_UID | THERMOS_RH_PORTS;
  h->task_id = (thermos_str){TU_LIT("task-\xff-1")};
  h->launch_time_ms = 1337097943293;
  h->sandbox = (thermos_str){TU_LIT("/sandbox")};
  h->log_dir = (thermos_str){TU_LIT("/sandbox/.logs")};
  h->hostname = (thermos_str){TU_LIT("host\0name")};
  h->user = (thermos_str){TU_LIT("www-data")};
  h->uid = 33;
  h->n_ports = 3;
  h->ports = header_ports;
  return c;
}

/* ---- a printable snapshot of everything the readers show --------------- */

static void dump_s(GString *o, thermos_str s) {
  char *e = tu_escape(s.data, s.len);
  g_string_append_printf(o, "\"%s\"", e);
  g_free(e);
}

static void dump_header(GString *o, const thermos_runner_header *h) {
  g_string_append_printf(o, "{present=%#x", (unsigned)h->present);
  if (h->present & THERMOS_RH_TASK_ID)
    g_string_append(o, " task_id="), dump_s(o, h->task_id);
  if (h->present & THERMOS_RH_LAUNCH_TIME_MS)
    g_string_append_printf(o, " launch=%" PRId64, h->launch_time_ms);
  if (h->present & THERMOS_RH_SANDBOX)
    g_string_append(o, " sandbox="), dump_s(o, h->sandbox);
  if (h->present & THERMOS_RH_LOG_DIR)
    g_string_append(o, " log_dir="), dump_s(o, h->log_dir);
  if (h->present & THERMOS_RH_HOSTNAME)
    g_string_append(o, " hostname="), dump_s(o, h->hostname);
  if (h->present & THERMOS_RH_USER)
    g_string_append(o, " user="), dump_s(o, h->user);
  if (h->present & THERMOS_RH_UID)
    g_string_append_printf(o, " uid=%" PRId32, h->uid);
  if (h->present & THERMOS_RH_PORTS) {
    g_string_append_printf(o, " ports(%zu)=", h->n_ports);
    for (size_t i = 0; i < h->n_ports; i++) {
      dump_s(o, h->ports[i].name);
      g_string_append_printf(o, ":%" PRId64 ",", h->ports[i].port);
    }
  }
  g_string_append(o, "}");
}

static void dump_task(GString *o, const thermos_task_status *t) {
  g_string_append_printf(o, "{present=%#x", (unsigned)t->present);
  if (t->present & THERMOS_TS_STATE)
    g_string_append_printf(o, " state=%" PRId32, t->state);
  if (t->present & THERMOS_TS_TIMESTAMP_MS)
    g_string_append_printf(o, " ts=%" PRId64, t->timestamp_ms);
  if (t->present & THERMOS_TS_RUNNER_PID)
    g_string_append_printf(o, " pid=%" PRId32, t->runner_pid);
  if (t->present & THERMOS_TS_RUNNER_UID)
    g_string_append_printf(o, " uid=%" PRId32, t->runner_uid);
  g_string_append(o, "}");
}

static void dump_process(GString *o, const thermos_process_status *p) {
  g_string_append_printf(o, "{present=%#x", (unsigned)p->present);
  if (p->present & THERMOS_PS_SEQ)
    g_string_append_printf(o, " seq=%" PRId64, p->seq);
  if (p->present & THERMOS_PS_PROCESS)
    g_string_append(o, " process="), dump_s(o, p->process);
  if (p->present & THERMOS_PS_STATE)
    g_string_append_printf(o, " state=%" PRId32, p->state);
  if (p->present & THERMOS_PS_COORDINATOR_PID)
    g_string_append_printf(o, " coord=%" PRId32, p->coordinator_pid);
  /* %a: exact, so a changed low bit shows. */
  if (p->present & THERMOS_PS_FORK_TIME)
    g_string_append_printf(o, " fork=%a", p->fork_time);
  if (p->present & THERMOS_PS_START_TIME)
    g_string_append_printf(o, " start=%a", p->start_time);
  if (p->present & THERMOS_PS_PID)
    g_string_append_printf(o, " pid=%" PRId32, p->pid);
  if (p->present & THERMOS_PS_STOP_TIME)
    g_string_append_printf(o, " stop=%a", p->stop_time);
  if (p->present & THERMOS_PS_RETURN_CODE)
    g_string_append_printf(o, " rc=%" PRId32, p->return_code);
  g_string_append(o, "}");
}

static char *snapshot(const thermos_runner_state *st) {
  GString *o = g_string_new("header=");
  const thermos_runner_header *h = td_runner_state_header(st);
  if (h)
    dump_header(o, h);
  else
    g_string_append(o, "none");
  size_t nt = td_runner_state_task_status_count(st);
  g_string_append_printf(o, "\nstatuses(has=%d n=%zu)=",
                         (int)td_runner_state_has_statuses(st), nt);
  for (size_t i = 0; i < nt; i++)
    dump_task(o, td_runner_state_task_status(st, i));
  size_t np = td_runner_state_process_count(st);
  g_string_append_printf(o, "\nprocesses(%zu)", np);
  for (size_t i = 0; i < np; i++) {
    size_t nr = td_runner_state_run_count_at(st, i);
    g_string_append(o, "\n  ");
    dump_s(o, td_runner_state_process_name(st, i));
    g_string_append_printf(o, " started=%" PRIu64 " runs=%zu:",
                           td_runner_state_runs_started_at(st, i), nr);
    for (size_t r = 0; r < nr; r++)
      dump_process(o, td_runner_state_run_at(st, i, r));
  }
  return g_string_free(o, FALSE);
}

/* ---- apply with checks, reporting the caller's line --------------------- */

static td_transition apply_ok_at(thermos_runner_state *st, const td_ckpt *c,
                                 const char *file, int line) {
  td_transition t;
  memset(&t, 0, sizeof t);
  td_err err;
  td_err_clear(&err);
  int rc = td_runner_state_apply(st, c, &t, &err);
  if (rc != 0) {
    print_error("apply returned %d (%s), expected success\n", rc, err.msg);
    _fail(file, line);
  }
  return t;
}

static void apply_err_at(thermos_runner_state *st, const td_ckpt *c,
                         const char *want, const char *file, int line) {
  char *before = snapshot(st);
  td_transition t;
  memset(&t, 0, sizeof t);
  td_err err;
  td_err_clear(&err);
  int rc = td_runner_state_apply(st, c, &t, &err);
  char *after = snapshot(st);
  int bad = 0;
  if (rc != -1) {
    print_error("apply returned %d, expected -1 with '%s'\n", rc, want);
    bad = 1;
  } else if (strcmp(err.msg, want) != 0) {
    print_error("reason '%s'\n  expected '%s'\n", err.msg, want);
    bad = 1;
  }
  if (strcmp(before, after) != 0) {
    print_error("state changed by a failed apply:\nbefore: %s\nafter:  %s\n",
                before, after);
    bad = 1;
  }
  g_free(before);
  g_free(after);
  if (bad)
    _fail(file, line);
}

/* Recovery mode's silent skip: success, nothing to dispatch, no change. */
static void apply_skip_at(thermos_runner_state *st, const td_ckpt *c,
                          const char *file, int line) {
  char *before = snapshot(st);
  td_transition t;
  memset(&t, 0, sizeof t);
  t.kind = TD_TRANSITION_PROCESS;
  td_err err;
  td_err_clear(&err);
  int rc = td_runner_state_apply(st, c, &t, &err);
  char *after = snapshot(st);
  int bad = 0;
  if (rc != 0 || t.kind != TD_TRANSITION_NONE) {
    print_error("expected a skip, got rc %d kind %d (%s)\n", rc, (int)t.kind,
                err.msg);
    bad = 1;
  }
  if (strcmp(before, after) != 0) {
    print_error("state changed by a skip:\nbefore: %s\nafter:  %s\n", before,
                after);
    bad = 1;
  }
  g_free(before);
  g_free(after);
  if (bad)
    _fail(file, line);
}

#define APPLY_OK(st, c) apply_ok_at((st), (c), __FILE__, __LINE__)
#define APPLY_ERR(st, c, want)                                                 \
  apply_err_at((st), (c), (want), __FILE__, __LINE__)
#define APPLY_SKIP(st, c) apply_skip_at((st), (c), __FILE__, __LINE__)

/* A process transition is dispatched with the record's own update. */
static void check_process_transition(const td_transition *t, const td_ckpt *c) {
  assert_int_equal(t->kind, TD_TRANSITION_PROCESS);
  assert_int_equal(t->state, c->process.state);
  assert_ptr_equal(t->process, &c->process);
}

/* Takes process `name` through the shortest path to `target`, starting a new
 * run (WAITING at *seq) and leaving *seq at the next expected number. */
static void drive(thermos_runner_state *st, const char *name, int64_t *seq,
                  int32_t target) {
  int32_t path[4];
  size_t n = 0;
  path[n++] = WAITING;
  switch (target) {
  case WAITING:
    break;
  case FORKED:
    path[n++] = FORKED;
    break;
  case RUNNING:
    path[n++] = FORKED;
    path[n++] = RUNNING;
    break;
  case SUCCESS:
  case FAILED:
    path[n++] = FORKED;
    path[n++] = RUNNING;
    path[n++] = target;
    break;
  case KILLED:
  case LOST:
    path[n++] = FORKED;
    path[n++] = target;
    break;
  default:
    fail_msg("drive: bad target %d", (int)target);
  }
  for (size_t i = 0; i < n; i++) {
    td_ckpt c = proc(name, (*seq)++, path[i]);
    APPLY_OK(st, &c);
  }
}

static size_t find(const thermos_runner_state *st, const void *name,
                   size_t len) {
  return td_runner_state_find_process(st, (thermos_str){name, len});
}

/* The latest run of a process known to exist. */
static const thermos_process_status *latest(const thermos_runner_state *st,
                                            const char *name) {
  size_t i = find(st, name, strlen(name));
  assert_int_not_equal(i, SIZE_MAX);
  size_t n = td_runner_state_run_count_at(st, i);
  assert_true(n > 0);
  return td_runner_state_run_at(st, i, n - 1);
}

/* ---- the empty state ---------------------------------------------------- */

static void test_initial_state(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  assert_non_null(st);
  assert_null(td_runner_state_header(st));
  assert_false(td_runner_state_has_statuses(st));
  assert_int_equal(td_runner_state_task_status_count(st), 0);
  assert_int_equal(td_runner_state_process_count(st), 0);
  assert_int_equal(find(st, TU_LIT("x")), SIZE_MAX);
  td_runner_state_free(st);
}

/* ---- rule 1: the header ------------------------------------------------- */

static void test_header_stored(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = header();
  /* The record's strings are transient: the state must keep its own copy.
   * Build them in buffers that are overwritten after the apply. */
  char task_id[] = "task-1", host[] = "h\0st";
  thermos_port ports[2] = {{{"p1", 2}, 1}, {{"p2", 2}, 2}};
  char pn[2][3] = {"p1", "p2"};
  ports[0].name.data = pn[0];
  ports[1].name.data = pn[1];
  c.header.task_id = (thermos_str){task_id, 6};
  c.header.hostname = (thermos_str){host, 4};
  c.header.ports = ports;
  c.header.n_ports = 2;
  char *want = NULL;
  {
    GString *o = g_string_new(NULL);
    dump_header(o, &c.header);
    want = g_string_free(o, FALSE);
  }

  td_transition t = APPLY_OK(st, &c);
  assert_int_equal(t.kind, TD_TRANSITION_INITIALIZATION);
  assert_ptr_equal(t.header, &c.header);

  memset(task_id, 'X', sizeof task_id);
  memset(host, 'X', sizeof host);
  memset(pn, 'X', sizeof pn);
  memset(ports, 0x5a, sizeof ports);
  const thermos_runner_header *h = td_runner_state_header(st);
  assert_non_null(h);
  GString *o = g_string_new(NULL);
  dump_header(o, h);
  assert_string_equal(o->str, want);
  g_string_free(o, TRUE);
  g_free(want);
  /* A header is not a task status, nor a process. */
  assert_false(td_runner_state_has_statuses(st));
  assert_int_equal(td_runner_state_process_count(st), 0);
  td_runner_state_free(st);
}

static void test_header_empty_struct(void **unused) {
  (void)unused;
  /* An empty header on the wire is still a header: the member is set. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c;
  memset(&c, 0, sizeof c);
  c.has_header = true;
  td_transition t = APPLY_OK(st, &c);
  assert_int_equal(t.kind, TD_TRANSITION_INITIALIZATION);
  assert_non_null(td_runner_state_header(st));
  assert_int_equal(td_runner_state_header(st)->present, 0);
  td_ckpt again = header();
  APPLY_ERR(st, &again, "second runner header");
  td_runner_state_free(st);
}

static void test_header_second(void **unused) {
  (void)unused;
  /* In every mode: recovery skips sequence numbers, not headers. */
  for (int mode = 0; mode < 4; mode++) {
    thermos_runner_state *st = td_runner_state_new(mode & 1, mode & 2);
    td_ckpt c = header();
    APPLY_OK(st, &c);
    td_ckpt d = header();
    d.header.task_id = (thermos_str){TU_LIT("other")};
    APPLY_ERR(st, &d, "second runner header");
    APPLY_ERR(st, &c, "second runner header");
    assert_true(
        tu_str_is(td_runner_state_header(st)->task_id, TU_LIT("task-\xff-1")));
    td_runner_state_free(st);
  }
}

/* ---- rule 2: task statuses ---------------------------------------------- */

static void test_task_without_state(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = task(THERMOS_TASK_ACTIVE);
  c.task.present &= ~THERMOS_TS_STATE;
  APPLY_ERR(st, &c, "missing field state");
  /* The failed record must not even make "statuses" present. */
  assert_false(td_runner_state_has_statuses(st));
  td_ckpt ok = task(THERMOS_TASK_ACTIVE);
  APPLY_OK(st, &ok);
  APPLY_ERR(st, &c, "missing field state");
  td_ckpt empty;
  memset(&empty, 0, sizeof empty);
  empty.has_task = true;
  APPLY_ERR(st, &empty, "missing field state");
  assert_int_equal(td_runner_state_task_status_count(st), 1);
  td_runner_state_free(st);
}

static void test_task_appended(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  const int32_t states[] = {THERMOS_TASK_ACTIVE, THERMOS_TASK_CLEANING,
                            THERMOS_TASK_FINALIZING, THERMOS_TASK_SUCCESS};
  for (size_t i = 0; i < 4; i++) {
    td_ckpt c = task(states[i]);
    td_transition t = APPLY_OK(st, &c);
    assert_int_equal(t.kind, TD_TRANSITION_TASK);
    assert_int_equal(t.state, states[i]);
    assert_ptr_equal(t.task, &c.task);
    assert_true(td_runner_state_has_statuses(st));
    assert_int_equal(td_runner_state_task_status_count(st), i + 1);
  }
  for (size_t i = 0; i < 4; i++) {
    td_ckpt c = task(states[i]);
    const thermos_task_status *s = td_runner_state_task_status(st, i);
    assert_int_equal(s->present, c.task.present);
    assert_int_equal(s->state, c.task.state);
    assert_int_equal(s->timestamp_ms, c.task.timestamp_ms);
    assert_int_equal(s->runner_pid, c.task.runner_pid);
    assert_int_equal(s->runner_uid, c.task.runner_uid);
  }
  td_runner_state_free(st);
}

static void test_task_partial_fields(void **unused) {
  (void)unused;
  /* Only `state` is required; the others are kept as they came. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = task(THERMOS_TASK_FAILED);
  c.task.present = THERMOS_TS_STATE | THERMOS_TS_RUNNER_UID;
  APPLY_OK(st, &c);
  const thermos_task_status *s = td_runner_state_task_status(st, 0);
  assert_int_equal(s->present, THERMOS_TS_STATE | THERMOS_TS_RUNNER_UID);
  assert_int_equal(s->state, THERMOS_TASK_FAILED);
  assert_int_equal(s->runner_uid, c.task.runner_uid);
  td_runner_state_free(st);
}

static void test_task_truncate_replaces(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(true, false);
  for (int32_t s = 0; s < 7; s++) {
    td_ckpt c = task(s);
    td_transition t = APPLY_OK(st, &c);
    assert_int_equal(t.kind, TD_TRANSITION_TASK);
    assert_int_equal(td_runner_state_task_status_count(st), 1);
    assert_int_equal(td_runner_state_task_status(st, 0)->state, s);
    assert_int_equal(td_runner_state_task_status(st, 0)->timestamp_ms,
                     c.task.timestamp_ms);
  }
  td_runner_state_free(st);
}

static void test_task_any_after_any(void **unused) {
  (void)unused;
  const int32_t states[] = {0, 1, 2, 3, 4, 5, 6, 42, -1, INT32_MAX};
  const size_t n = sizeof states / sizeof states[0];
  for (size_t a = 0; a < n; a++) {
    for (size_t b = 0; b < n; b++) {
      thermos_runner_state *st = td_runner_state_new(false, false);
      td_ckpt first = task(states[a]), second = task(states[b]);
      APPLY_OK(st, &first);
      td_transition t = APPLY_OK(st, &second);
      assert_int_equal(t.kind, TD_TRANSITION_TASK);
      assert_int_equal(t.state, states[b]);
      assert_int_equal(td_runner_state_task_status_count(st), 2);
      td_runner_state_free(st);
    }
  }
}

static void test_task_unknown_state(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = task(42);
  td_transition t = APPLY_OK(st, &c);
  assert_int_equal(t.kind, TD_TRANSITION_TASK);
  assert_int_equal(t.state, 42);
  assert_int_equal(td_runner_state_task_status(st, 0)->state, 42);
  td_runner_state_free(st);
}

static void test_task_before_header(void **unused) {
  (void)unused;
  /* Real runners write TaskStatus ACTIVE first, then the header. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt t = task(THERMOS_TASK_ACTIVE), h = header();
  APPLY_OK(st, &t);
  td_transition tr = APPLY_OK(st, &h);
  assert_int_equal(tr.kind, TD_TRANSITION_INITIALIZATION);
  assert_non_null(td_runner_state_header(st));
  assert_int_equal(td_runner_state_task_status_count(st), 1);
  td_runner_state_free(st);
}

/* ---- rule 3: process statuses ------------------------------------------- */

static void test_process_without_name(void **unused) {
  (void)unused;
  for (int mode = 0; mode < 4; mode++) {
    thermos_runner_state *st = td_runner_state_new(mode & 1, mode & 2);
    td_ckpt c = proc("p", 0, WAITING);
    c.process.present &= ~THERMOS_PS_PROCESS;
    APPLY_ERR(st, &c, "missing field process");
    int64_t seq = 0;
    drive(st, "p", &seq, RUNNING);
    td_ckpt d = proc("p", seq, SUCCESS);
    d.process.present &= ~THERMOS_PS_PROCESS;
    APPLY_ERR(st, &d, "missing field process");
    /* Checked before anything else: even with seq and state missing. */
    td_ckpt e;
    memset(&e, 0, sizeof e);
    e.has_process = true;
    APPLY_ERR(st, &e, "missing field process");
    td_runner_state_free(st);
  }
}

static void test_process_empty_name(void **unused) {
  (void)unused;
  /* An empty name is a name (set, zero bytes), not a missing one. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc_n("", 0, 0, WAITING);
  APPLY_OK(st, &c);
  assert_int_equal(td_runner_state_process_count(st), 1);
  assert_int_equal(td_runner_state_process_name(st, 0).len, 0);
  assert_int_equal(find(st, "", 0), 0);
  td_runner_state_free(st);
}

static void test_seq_out_of_order(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 0;
  drive(st, "p", &seq, WAITING); /* cur.seq 0 */
  td_ckpt c = proc("p", 2, FORKED);
  APPLY_ERR(st, &c, "out of order sequence number 0 => 2");
  c = proc("p", 0, FORKED);
  APPLY_ERR(st, &c, "out of order sequence number 0 => 0");
  c = proc("p", -1, FORKED);
  APPLY_ERR(st, &c, "out of order sequence number 0 => -1");
  c = proc("p", 1, FORKED);
  c.process.present &= ~THERMOS_PS_SEQ;
  APPLY_ERR(st, &c, "out of order sequence number 0 => none");
  /* The sequence check comes before the state checks. */
  c = proc("p", 5, 9);
  APPLY_ERR(st, &c, "out of order sequence number 0 => 5");
  c = proc("p", 5, RUNNING);
  APPLY_ERR(st, &c, "out of order sequence number 0 => 5");
  c = proc("p", 5, WAITING);
  APPLY_ERR(st, &c, "out of order sequence number 0 => 5");
  c = proc("p", 1, FORKED);
  APPLY_OK(st, &c);
  td_runner_state_free(st);
}

static void test_seq_after_terminal(void **unused) {
  (void)unused;
  /* A new run continues the old run's numbering. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 10;
  drive(st, "p", &seq, SUCCESS); /* seqs 10..13 */
  td_ckpt c = proc("p", 0, WAITING);
  APPLY_ERR(st, &c, "out of order sequence number 13 => 0");
  c = proc("p", 14, WAITING);
  c.process.present &= ~THERMOS_PS_SEQ;
  APPLY_ERR(st, &c, "out of order sequence number 13 => none");
  c = proc("p", 14, WAITING);
  APPLY_OK(st, &c);
  assert_int_equal(latest(st, "p")->seq, 14);
  td_runner_state_free(st);
}

static void test_seq_int64_max(void **unused) {
  (void)unused;
  /* cur.seq + 1 would overflow: no update can follow, even one whose seq is
   * what the wrapped sum would be. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc("p", INT64_MAX, WAITING);
  APPLY_OK(st, &c);
  assert_int_equal(latest(st, "p")->seq, INT64_MAX);
  c = proc("p", INT64_MIN, FORKED);
  APPLY_ERR(st, &c,
            "out of order sequence number 9223372036854775807 => "
            "-9223372036854775808");
  c = proc("p", INT64_MAX, FORKED);
  APPLY_ERR(st, &c,
            "out of order sequence number 9223372036854775807 => "
            "9223372036854775807");
  c.process.present &= ~THERMOS_PS_SEQ;
  APPLY_ERR(st, &c, "out of order sequence number 9223372036854775807 => none");
  td_runner_state_free(st);

  /* Reaching INT64_MAX by counting works; only the step past it fails. */
  st = td_runner_state_new(false, false);
  c = proc("q", INT64_MAX - 1, WAITING);
  APPLY_OK(st, &c);
  c = proc("q", INT64_MAX, FORKED);
  APPLY_OK(st, &c);
  c = proc("q", INT64_MIN, RUNNING);
  APPLY_ERR(st, &c,
            "out of order sequence number 9223372036854775807 => "
            "-9223372036854775808");
  td_runner_state_free(st);
}

static void test_seq_negative(void **unused) {
  (void)unused;
  /* Nothing forbids negative numbers, as long as they count up by one. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc("p", -2, WAITING);
  APPLY_OK(st, &c);
  c = proc("p", -1, FORKED);
  APPLY_OK(st, &c);
  c = proc("p", 0, RUNNING);
  APPLY_OK(st, &c);
  assert_int_equal(latest(st, "p")->seq, 0);
  assert_int_equal(latest(st, "p")->state, RUNNING);
  td_runner_state_free(st);
}

static void test_recovery_skips(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, true);
  int64_t seq = 0;
  drive(st, "p", &seq, WAITING);
  td_ckpt c = proc("p", 2, FORKED);
  APPLY_SKIP(st, &c);
  c = proc("p", 0, FORKED);
  APPLY_SKIP(st, &c);
  c = proc("p", 0, WAITING); /* a replayed WAITING: skipped, not an error */
  APPLY_SKIP(st, &c);
  c = proc("p", 1, FORKED);
  c.process.present &= ~THERMOS_PS_SEQ;
  APPLY_SKIP(st, &c);
  /* Even records that would otherwise fail later checks are skipped. */
  c = proc("p", 7, 9);
  APPLY_SKIP(st, &c);
  c = proc("p", 7, SUCCESS);
  APPLY_SKIP(st, &c);
  c = proc("p", 1, FORKED);
  td_transition t = APPLY_OK(st, &c);
  check_process_transition(&t, &c);
  assert_int_equal(latest(st, "p")->state, FORKED);
  td_runner_state_free(st);

  st = td_runner_state_new(true, true);
  c = proc("q", INT64_MAX, WAITING);
  APPLY_OK(st, &c);
  c = proc("q", INT64_MIN, FORKED);
  APPLY_SKIP(st, &c);
  td_runner_state_free(st);
}

static void test_recovery_still_errors(void **unused) {
  (void)unused;
  /* Recovery skips only rule 3a; every other error stays an error. */
  thermos_runner_state *st = td_runner_state_new(false, true);
  td_ckpt c = proc("p", 0, FORKED);
  APPLY_ERR(st, &c, "update for unknown process p");
  int64_t seq = 0;
  drive(st, "p", &seq, WAITING);
  c = proc("p", 1, RUNNING);
  APPLY_ERR(st, &c, "invalid transition WAITING => RUNNING");
  c = proc("p", 1, FORKED);
  c.process.present &= ~THERMOS_PS_FORK_TIME;
  APPLY_ERR(st, &c, "missing field fork_time");
  c = proc("p", 1, 9);
  APPLY_ERR(st, &c, "unknown process state 9");
  c = proc("p", 1, WAITING);
  APPLY_ERR(st, &c, "new run of p while its last run is WAITING");
  td_ckpt e;
  memset(&e, 0, sizeof e);
  APPLY_ERR(st, &e, "empty RunnerCkpt");
  td_runner_state_free(st);
}

static void test_waiting_on_live_run(void **unused) {
  (void)unused;
  const int32_t live[] = {WAITING, FORKED, RUNNING};
  for (size_t i = 0; i < 3; i++) {
    thermos_runner_state *st = td_runner_state_new(false, false);
    int64_t seq = 0;
    drive(st, "proc", &seq, live[i]);
    td_ckpt c = proc("proc", seq, WAITING);
    char want[128];
    snprintf(want, sizeof want, "new run of proc while its last run is %s",
             pname(live[i]));
    APPLY_ERR(st, &c, want);
    td_runner_state_free(st);
  }
}

static void test_waiting_after_terminal(void **unused) {
  (void)unused;
  const int32_t terminal[] = {SUCCESS, FAILED, KILLED, LOST};
  for (size_t i = 0; i < 4; i++) {
    thermos_runner_state *st = td_runner_state_new(false, false);
    int64_t seq = 0;
    drive(st, "p", &seq, terminal[i]);
    char *old = NULL;
    {
      GString *o = g_string_new(NULL);
      dump_process(o, latest(st, "p"));
      old = g_string_free(o, FALSE);
    }
    td_ckpt c = proc("p", seq, WAITING);
    td_transition t = APPLY_OK(st, &c);
    check_process_transition(&t, &c);
    assert_int_equal(td_runner_state_run_count_at(st, 0), 2);
    assert_int_equal(td_runner_state_runs_started_at(st, 0), 2);
    /* The old run is untouched... */
    GString *o = g_string_new(NULL);
    dump_process(o, td_runner_state_run_at(st, 0, 0));
    assert_string_equal(o->str, old);
    g_string_free(o, TRUE);
    g_free(old);
    /* ...and the new one is blank but for what WAITING copies. */
    const thermos_process_status *r = td_runner_state_run_at(st, 0, 1);
    assert_int_equal(r->present, BASE_BITS);
    assert_int_equal(r->seq, seq);
    assert_int_equal(r->state, WAITING);
    assert_true(tu_str_is(r->process, TU_LIT("p")));
    /* And it runs on with seq + 1. */
    c = proc("p", seq + 1, FORKED);
    APPLY_OK(st, &c);
    assert_int_equal(td_runner_state_run_at(st, 0, 1)->state, FORKED);
    assert_int_equal(td_runner_state_run_at(st, 0, 0)->state, terminal[i]);
    td_runner_state_free(st);
  }
}

static void test_waiting_after_terminal_truncate(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(true, false);
  int64_t seq = 0;
  for (uint64_t run = 1; run <= 100; run++) {
    drive(st, "p", &seq, run % 2 ? SUCCESS : LOST);
    assert_int_equal(td_runner_state_run_count_at(st, 0), 1);
    assert_int_equal(td_runner_state_runs_started_at(st, 0), run);
  }
  td_ckpt c = proc("p", seq, WAITING);
  APPLY_OK(st, &c);
  assert_int_equal(td_runner_state_run_count_at(st, 0), 1);
  assert_int_equal(td_runner_state_runs_started_at(st, 0), 101);
  const thermos_process_status *r = td_runner_state_run_at(st, 0, 0);
  assert_int_equal(r->present, BASE_BITS);
  assert_int_equal(r->seq, seq);
  assert_int_equal(r->state, WAITING);
  td_runner_state_free(st);
}

static void test_runs_kept_without_truncate(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 0;
  for (size_t run = 1; run <= 5; run++) {
    drive(st, "p", &seq, KILLED);
    assert_int_equal(td_runner_state_run_count_at(st, 0), run);
    assert_int_equal(td_runner_state_runs_started_at(st, 0), run);
  }
  /* Oldest first: each run ends at the seq of its KILLED. */
  for (size_t run = 0; run < 5; run++)
    assert_int_equal(td_runner_state_run_at(st, 0, run)->seq,
                     (int64_t)(3 * run + 2));
  td_runner_state_free(st);
}

static void test_first_waiting_any_seq(void **unused) {
  (void)unused;
  /* Rule 3a needs a current run: the first WAITING may carry any seq. */
  const int64_t seqs[] = {0, 7, -1, INT64_MIN, INT64_MAX};
  for (size_t i = 0; i < 5; i++) {
    thermos_runner_state *st = td_runner_state_new(false, false);
    td_ckpt c = proc("p", seqs[i], WAITING);
    td_transition t = APPLY_OK(st, &c);
    check_process_transition(&t, &c);
    assert_int_equal(td_runner_state_process_count(st), 1);
    assert_int_equal(td_runner_state_run_count_at(st, 0), 1);
    assert_int_equal(td_runner_state_runs_started_at(st, 0), 1);
    const thermos_process_status *r = td_runner_state_run_at(st, 0, 0);
    assert_int_equal(r->present, BASE_BITS);
    assert_int_equal(r->seq, seqs[i]);
    assert_int_equal(r->state, WAITING);
    td_runner_state_free(st);
  }
}

static void test_first_waiting_extra_fields_not_copied(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc_all("p", 3, WAITING);
  APPLY_OK(st, &c);
  assert_int_equal(latest(st, "p")->present, BASE_BITS);
  td_runner_state_free(st);
}

static void test_first_waiting_without_seq(void **unused) {
  (void)unused;
  /* The blank run rule 3b would create must not survive the error. */
  for (int mode = 0; mode < 4; mode++) {
    thermos_runner_state *st = td_runner_state_new(mode & 1, mode & 2);
    td_ckpt c = proc("p", 0, WAITING);
    c.process.present &= ~THERMOS_PS_SEQ;
    APPLY_ERR(st, &c, "missing field seq");
    assert_int_equal(td_runner_state_process_count(st), 0);
    assert_int_equal(find(st, TU_LIT("p")), SIZE_MAX);
    td_runner_state_free(st);
  }
}

static void test_unknown_process(void **unused) {
  (void)unused;
  const int32_t states[] = {FORKED, RUNNING, SUCCESS, KILLED, FAILED, LOST, 9};
  for (size_t i = 0; i < 7; i++) {
    thermos_runner_state *st = td_runner_state_new(false, false);
    int64_t seq = 0;
    drive(st, "other", &seq, RUNNING);
    td_ckpt c = proc("p", 0, states[i]);
    APPLY_ERR(st, &c, "update for unknown process p");
    td_runner_state_free(st);
  }
  /* No state at all is not WAITING either: no run begins. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc("p", 0, WAITING);
  c.process.present &= ~THERMOS_PS_STATE;
  APPLY_ERR(st, &c, "update for unknown process p");
  /* Nor is a missing seq checked first. */
  c = proc("p", 0, FORKED);
  c.process.present &= ~THERMOS_PS_SEQ;
  APPLY_ERR(st, &c, "update for unknown process p");
  td_runner_state_free(st);
}

static void test_missing_state_known_process(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 0;
  drive(st, "p", &seq, FORKED);
  td_ckpt c = proc("p", seq, RUNNING);
  c.process.present &= ~THERMOS_PS_STATE;
  APPLY_ERR(st, &c, "missing field state");
  td_runner_state_free(st);
}

/* Which states each state may follow: the table of dispatch-semantics.md. */
static int allowed(int32_t from, int32_t to) {
  switch (to) {
  case FORKED:
    return from == WAITING;
  case RUNNING:
    return from == FORKED;
  case SUCCESS:
    return from == RUNNING;
  case FAILED:
    return from == WAITING || from == RUNNING;
  case KILLED:
  case LOST:
    return from == FORKED || from == RUNNING;
  default:
    return 0;
  }
}

static void test_transition_matrix(void **unused) {
  (void)unused;
  for (int32_t from = WAITING; from <= LOST; from++) {
    for (int32_t to = WAITING; to <= LOST; to++) {
      thermos_runner_state *st = td_runner_state_new(false, false);
      int64_t seq = 0;
      drive(st, "p", &seq, from);
      td_ckpt c = proc("p", seq, to);
      char want[128];
      if (to == WAITING) {
        if (is_terminal(from)) {
          td_transition t = APPLY_OK(st, &c);
          check_process_transition(&t, &c);
          assert_int_equal(td_runner_state_run_count_at(st, 0), 2);
        } else {
          snprintf(want, sizeof want, "new run of p while its last run is %s",
                   pname(from));
          APPLY_ERR(st, &c, want);
        }
      } else if (allowed(from, to)) {
        td_transition t = APPLY_OK(st, &c);
        check_process_transition(&t, &c);
        assert_int_equal(latest(st, "p")->state, to);
        assert_int_equal(latest(st, "p")->seq, seq);
        assert_int_equal(td_runner_state_run_count_at(st, 0), 1);
      } else {
        snprintf(want, sizeof want, "invalid transition %s => %s", pname(from),
                 pname(to));
        APPLY_ERR(st, &c, want);
      }
      td_runner_state_free(st);
    }
  }
}

/* Checks the latest run of "p" field by field against what the updates
 * with the given seqs copied (0 meaning "not copied"). */
static void check_run(const thermos_process_status *r, int32_t state,
                      int64_t seq, int64_t fork_seq, int64_t run_seq,
                      int64_t stop_seq) {
  uint32_t want = BASE_BITS;
  want |= fork_seq ? FORK_BITS : 0;
  want |= run_seq ? RUN_BITS : 0;
  want |= stop_seq ? STOP_BITS : 0;
  assert_int_equal(r->present, want);
  assert_int_equal(r->state, state);
  assert_int_equal(r->seq, seq);
  assert_true(tu_str_is(r->process, TU_LIT("p")));
  if (fork_seq) {
    assert_int_equal(tu_bits(r->fork_time), tu_bits(fork_time_of(fork_seq)));
    assert_int_equal(r->coordinator_pid, coord_of(fork_seq));
  }
  if (run_seq) {
    assert_int_equal(tu_bits(r->start_time), tu_bits(start_time_of(run_seq)));
    assert_int_equal(r->pid, pid_of(run_seq));
  }
  if (stop_seq) {
    assert_int_equal(tu_bits(r->stop_time), tu_bits(stop_time_of(stop_seq)));
    assert_int_equal(r->return_code, rc_of(stop_seq));
  }
}

static void test_copies_forked_running_success(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc("p", 1, WAITING);
  APPLY_OK(st, &c);
  check_run(latest(st, "p"), WAITING, 1, 0, 0, 0);
  /* Updates carrying more than their transition copies: only the table's
   * fields are taken. */
  c = proc_all("p", 2, FORKED);
  APPLY_OK(st, &c);
  check_run(latest(st, "p"), FORKED, 2, 2, 0, 0);
  c = proc_all("p", 3, RUNNING);
  APPLY_OK(st, &c);
  check_run(latest(st, "p"), RUNNING, 3, 2, 3, 0);
  c = proc_all("p", 4, SUCCESS);
  APPLY_OK(st, &c);
  check_run(latest(st, "p"), SUCCESS, 4, 2, 3, 4);
  td_runner_state_free(st);
}

static void test_copies_killed(void **unused) {
  (void)unused;
  const int32_t from[] = {FORKED, RUNNING};
  for (size_t i = 0; i < 2; i++) {
    thermos_runner_state *st = td_runner_state_new(false, false);
    int64_t seq = 1;
    drive(st, "p", &seq, from[i]);
    td_ckpt c = proc_all("p", seq, KILLED);
    APPLY_OK(st, &c);
    check_run(latest(st, "p"), KILLED, seq, 2, from[i] == RUNNING ? 3 : 0, seq);
    td_runner_state_free(st);
  }
}

static void test_copies_lost_only_state(void **unused) {
  (void)unused;
  const int32_t from[] = {FORKED, RUNNING};
  for (size_t i = 0; i < 2; i++) {
    thermos_runner_state *st = td_runner_state_new(false, false);
    int64_t seq = 1;
    drive(st, "p", &seq, from[i]);
    td_ckpt c = proc_all("p", seq, LOST);
    APPLY_OK(st, &c);
    check_run(latest(st, "p"), LOST, seq, 2, from[i] == RUNNING ? 3 : 0, 0);
    td_runner_state_free(st);
  }
}

static void test_failed_from_running_copies(void **unused) {
  (void)unused;
  /* Deliberate difference 1: the exit code of a failed run is kept. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 1;
  drive(st, "p", &seq, RUNNING);
  td_ckpt c = proc_all("p", seq, FAILED);
  APPLY_OK(st, &c);
  check_run(latest(st, "p"), FAILED, seq, 2, 3, seq);
  td_runner_state_free(st);
}

static void test_failed_from_running_without_times(void **unused) {
  (void)unused;
  /* ...but not required: a FAILED without them is still accepted. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 1;
  drive(st, "p", &seq, RUNNING);
  td_ckpt c = proc("p", seq, FAILED);
  c.process.present &= ~STOP_BITS;
  APPLY_OK(st, &c);
  check_run(latest(st, "p"), FAILED, seq, 2, 3, 0);
  td_runner_state_free(st);
}

static void test_failed_from_running_one_time(void **unused) {
  (void)unused;
  /* "When set" is per field. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 1;
  drive(st, "p", &seq, RUNNING);
  td_ckpt c = proc("p", seq, FAILED);
  c.process.present &= ~THERMOS_PS_STOP_TIME;
  APPLY_OK(st, &c);
  const thermos_process_status *r = latest(st, "p");
  assert_int_equal(r->present,
                   BASE_BITS | FORK_BITS | RUN_BITS | THERMOS_PS_RETURN_CODE);
  assert_int_equal(r->return_code, rc_of(seq));
  td_runner_state_free(st);

  st = td_runner_state_new(false, false);
  seq = 1;
  drive(st, "p", &seq, RUNNING);
  c = proc("p", seq, FAILED);
  c.process.present &= ~THERMOS_PS_RETURN_CODE;
  APPLY_OK(st, &c);
  r = latest(st, "p");
  assert_int_equal(r->present,
                   BASE_BITS | FORK_BITS | RUN_BITS | THERMOS_PS_STOP_TIME);
  assert_int_equal(tu_bits(r->stop_time), tu_bits(stop_time_of(seq)));
  td_runner_state_free(st);
}

static void test_failed_from_waiting(void **unused) {
  (void)unused;
  /* From WAITING only the state is copied, whatever the update carries. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc("p", 1, WAITING);
  APPLY_OK(st, &c);
  c = proc_all("p", 2, FAILED);
  td_transition t = APPLY_OK(st, &c);
  check_process_transition(&t, &c);
  check_run(latest(st, "p"), FAILED, 2, 0, 0, 0);
  td_runner_state_free(st);
}

static void test_unknown_process_state(void **unused) {
  (void)unused;
  const int32_t bad[] = {7, 9, 42, -1, INT32_MIN, INT32_MAX};
  const char *const want[] = {
      "unknown process state 7",           "unknown process state 9",
      "unknown process state 42",          "unknown process state -1",
      "unknown process state -2147483648", "unknown process state 2147483647"};
  const int32_t from[] = {WAITING, RUNNING, SUCCESS};
  for (size_t f = 0; f < 3; f++) {
    for (size_t i = 0; i < 6; i++) {
      thermos_runner_state *st = td_runner_state_new(false, false);
      int64_t seq = 0;
      drive(st, "p", &seq, from[f]);
      td_ckpt c = proc("p", seq, bad[i]);
      APPLY_ERR(st, &c, want[i]);
      td_runner_state_free(st);
    }
  }
}

static void test_missing_copied_fields(void **unused) {
  (void)unused;
  /* The table's order: the first missing field in it is the one named. */
  static const struct {
    int32_t from, to;
    uint32_t drop;
    const char *want;
  } cases[] = {
      {WAITING, FORKED, FORK_BITS, "missing field fork_time"},
      {WAITING, FORKED, THERMOS_PS_FORK_TIME, "missing field fork_time"},
      {WAITING, FORKED, THERMOS_PS_COORDINATOR_PID,
       "missing field coordinator_pid"},
      {FORKED, RUNNING, RUN_BITS, "missing field start_time"},
      {FORKED, RUNNING, THERMOS_PS_START_TIME, "missing field start_time"},
      {FORKED, RUNNING, THERMOS_PS_PID, "missing field pid"},
      {RUNNING, SUCCESS, STOP_BITS, "missing field stop_time"},
      {RUNNING, SUCCESS, THERMOS_PS_STOP_TIME, "missing field stop_time"},
      {RUNNING, SUCCESS, THERMOS_PS_RETURN_CODE, "missing field return_code"},
      {FORKED, KILLED, STOP_BITS, "missing field stop_time"},
      {RUNNING, KILLED, THERMOS_PS_STOP_TIME, "missing field stop_time"},
      {RUNNING, KILLED, THERMOS_PS_RETURN_CODE, "missing field return_code"},
      /* seq is checked before state, state before the transition. */
      {FORKED, RUNNING, THERMOS_PS_STATE | RUN_BITS, "missing field state"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    thermos_runner_state *st = td_runner_state_new(false, false);
    int64_t seq = 0;
    drive(st, "p", &seq, cases[i].from);
    td_ckpt c = proc("p", seq, cases[i].to);
    c.process.present &= ~cases[i].drop;
    APPLY_ERR(st, &c, cases[i].want);
    td_runner_state_free(st);
  }
}

static void test_invalid_before_missing_fields(void **unused) {
  (void)unused;
  /* The transition is checked before its fields are. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 0;
  drive(st, "p", &seq, WAITING);
  td_ckpt c = proc("p", seq, RUNNING);
  c.process.present &= ~RUN_BITS;
  APPLY_ERR(st, &c, "invalid transition WAITING => RUNNING");
  td_runner_state_free(st);
}

/* ---- rule 4 and the union ----------------------------------------------- */

static void test_empty_union(void **unused) {
  (void)unused;
  for (int mode = 0; mode < 4; mode++) {
    thermos_runner_state *st = td_runner_state_new(mode & 1, mode & 2);
    td_ckpt c;
    memset(&c, 0, sizeof c);
    APPLY_ERR(st, &c, "empty RunnerCkpt");
    /* Member contents do not matter, only the flags. */
    td_ckpt d = proc("p", 0, WAITING);
    td_ckpt t = task(0), h = header();
    d.task = t.task;
    d.header = h.header;
    d.has_process = false;
    APPLY_ERR(st, &d, "empty RunnerCkpt");
    td_runner_state_free(st);
  }
}

static void test_union_precedence(void **unused) {
  (void)unused;
  td_ckpt h = header(), t = task(THERMOS_TASK_ACTIVE),
          p = proc("p", 0, WAITING);
  td_ckpt all = h;
  all.has_task = all.has_process = true;
  all.task = t.task;
  all.process = p.process;

  /* header + task + process: the header wins, nothing else is applied. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_transition tr = APPLY_OK(st, &all);
  assert_int_equal(tr.kind, TD_TRANSITION_INITIALIZATION);
  assert_false(td_runner_state_has_statuses(st));
  assert_int_equal(td_runner_state_process_count(st), 0);
  /* A second such record fails on the header, not applying the rest. */
  APPLY_ERR(st, &all, "second runner header");
  td_runner_state_free(st);

  /* header + task */
  td_ckpt ht = all;
  ht.has_process = false;
  st = td_runner_state_new(false, false);
  tr = APPLY_OK(st, &ht);
  assert_int_equal(tr.kind, TD_TRANSITION_INITIALIZATION);
  assert_false(td_runner_state_has_statuses(st));
  td_runner_state_free(st);

  /* header + process */
  td_ckpt hp = all;
  hp.has_task = false;
  st = td_runner_state_new(false, false);
  tr = APPLY_OK(st, &hp);
  assert_int_equal(tr.kind, TD_TRANSITION_INITIALIZATION);
  assert_int_equal(td_runner_state_process_count(st), 0);
  td_runner_state_free(st);

  /* task + process: the task wins. */
  td_ckpt tp = all;
  tp.has_header = false;
  st = td_runner_state_new(false, false);
  tr = APPLY_OK(st, &tp);
  assert_int_equal(tr.kind, TD_TRANSITION_TASK);
  assert_int_equal(td_runner_state_task_status_count(st), 1);
  assert_int_equal(td_runner_state_process_count(st), 0);
  assert_null(td_runner_state_header(st));
  /* A task member without state fails, even with a good process member. */
  tp.task.present &= ~THERMOS_TS_STATE;
  APPLY_ERR(st, &tp, "missing field state");
  td_runner_state_free(st);
}

/* ---- names -------------------------------------------------------------- */

static void test_escaped_names(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc_n(TU_LIT("a\nb"), 0, FORKED);
  APPLY_ERR(st, &c, "update for unknown process a\\x0ab");
  c = proc_n(TU_LIT("\x00\xff\x7f\x1b\t z~"), 0, RUNNING);
  APPLY_ERR(st, &c, "update for unknown process \\x00\\xff\\x7f\\x1b\\x09 z~");
  c = proc_n(TU_LIT("caf\xc3\xa9"), 0, RUNNING);
  APPLY_ERR(st, &c, "update for unknown process caf\\xc3\\xa9");
  c = proc_n(TU_LIT("x\ry"), 0, WAITING);
  APPLY_OK(st, &c);
  c = proc_n(TU_LIT("x\ry"), 1, WAITING);
  APPLY_ERR(st, &c, "new run of x\\x0dy while its last run is WAITING");
  td_runner_state_free(st);
}

static void test_process_order(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t sb = 0, sa = 0, sc = 0;
  drive(st, "b", &sb, WAITING);
  drive(st, "a", &sa, WAITING);
  td_ckpt c = proc("b", sb++, FORKED);
  APPLY_OK(st, &c);
  drive(st, "c", &sc, RUNNING);
  c = proc("a", sa++, FORKED);
  APPLY_OK(st, &c);
  assert_int_equal(td_runner_state_process_count(st), 3);
  assert_true(tu_str_is(td_runner_state_process_name(st, 0), TU_LIT("b")));
  assert_true(tu_str_is(td_runner_state_process_name(st, 1), TU_LIT("a")));
  assert_true(tu_str_is(td_runner_state_process_name(st, 2), TU_LIT("c")));
  assert_int_equal(find(st, TU_LIT("b")), 0);
  assert_int_equal(find(st, TU_LIT("a")), 1);
  assert_int_equal(find(st, TU_LIT("c")), 2);
  assert_int_equal(td_runner_state_run_at(st, 2, 0)->state, RUNNING);
  td_runner_state_free(st);
}

static void test_names_are_bytes(void **unused) {
  (void)unused;
  /* Names compare as whole byte strings: an embedded NUL or an ill-formed
   * UTF-8 byte makes a different process. */
  static const struct {
    const char *s;
    size_t n;
  } names[] = {{TU_LIT("a")},    {TU_LIT("a\0b")},     {TU_LIT("a\0c")},
               {TU_LIT("a\0")},  {TU_LIT("\xff")},     {TU_LIT("\xfe")},
               {TU_LIT("\xc3")}, {TU_LIT("\xc3\xa9")}, {TU_LIT("\xef\xbf\xbd")},
               {TU_LIT("")}};
  const size_t n = sizeof names / sizeof names[0];
  thermos_runner_state *st = td_runner_state_new(false, false);
  for (size_t i = 0; i < n; i++) {
    td_ckpt c = proc_n(names[i].s, names[i].n, (int64_t)i * 10, WAITING);
    APPLY_OK(st, &c);
  }
  assert_int_equal(td_runner_state_process_count(st), n);
  for (size_t i = 0; i < n; i++) {
    size_t at = find(st, names[i].s, names[i].n);
    assert_int_equal(at, i);
    assert_true(tu_str_is(td_runner_state_process_name(st, at), names[i].s,
                          names[i].n));
    assert_int_equal(td_runner_state_run_at(st, at, 0)->seq, (int64_t)i * 10);
  }
  assert_int_equal(find(st, TU_LIT("a\0b\0")), SIZE_MAX);
  assert_int_equal(find(st, TU_LIT("b")), SIZE_MAX);
  td_runner_state_free(st);
}

static void test_names_copied(void **unused) {
  (void)unused;
  /* The state outlives the record: it keeps its own copy of each name. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  char buf[] = "worker";
  td_ckpt c = proc_n(buf, 6, 0, WAITING);
  APPLY_OK(st, &c);
  char buf2[] = "worker";
  c = proc_n(buf2, 6, 1, FORKED);
  APPLY_OK(st, &c);
  memset(buf, 'X', 6);
  memset(buf2, 'Y', 6);
  assert_true(tu_str_is(td_runner_state_process_name(st, 0), TU_LIT("worker")));
  assert_true(tu_str_is(latest(st, "worker")->process, TU_LIT("worker")));
  assert_int_equal(find(st, TU_LIT("worker")), 0);
  td_runner_state_free(st);
}

/* Past the doubling blocks of entries (4 + 8 + ... + 1024) into the
 * fixed ones: every process is found where it was put. */
static void test_many_processes(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  char names[5000][16];
  for (int i = 0; i < 5000; i++) {
    snprintf(names[i], sizeof names[i], "proc-%d", i);
    td_ckpt c = proc(names[i], i, WAITING);
    APPLY_OK(st, &c);
  }
  for (int i = 0; i < 5000; i++) {
    td_ckpt c = proc(names[i], i + 1, FORKED);
    APPLY_OK(st, &c);
  }
  assert_int_equal(td_runner_state_process_count(st), 5000);
  for (int i = 0; i < 5000; i++) {
    size_t at = find(st, names[i], strlen(names[i]));
    assert_int_equal(at, (size_t)i);
    assert_int_equal(td_runner_state_run_at(st, at, 0)->seq, i + 1);
  }
  td_runner_state_free(st);
}

/* The limit of processes a stream may name: the one past it is an error
 * that leaves the state as it was, and runs of known processes go on. */
static void test_max_processes(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_runner_state_set_max_processes(st, 3);
  const char *names[] = {"a", "b", "c"};
  for (int i = 0; i < 3; i++) {
    td_ckpt c = proc(names[i], 0, WAITING);
    APPLY_OK(st, &c);
  }
  td_ckpt d = proc("d", 0, WAITING);
  APPLY_ERR(st, &d, "more than 3 processes");
  assert_int_equal(td_runner_state_process_count(st), 3);
  td_ckpt a = proc("a", 1, FAILED);
  APPLY_OK(st, &a);
  td_ckpt again = proc("a", 2, WAITING);
  APPLY_OK(st, &again);
  assert_int_equal(td_runner_state_run_count_at(st, 0), 2);
  td_runner_state_free(st);
}

/* Runs past the first live in blocks of eight: every one is kept, in
 * order, across the block boundaries. */
static void test_many_runs(void **unused) {
  (void)unused;
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 0;
  for (int run = 0; run < 40; run++) {
    td_ckpt w = proc("p", seq++, WAITING);
    APPLY_OK(st, &w);
    td_ckpt f = proc("p", seq++, FAILED);
    APPLY_OK(st, &f);
  }
  assert_int_equal(td_runner_state_run_count_at(st, 0), 40);
  assert_int_equal(td_runner_state_runs_started_at(st, 0), 40);
  for (size_t run = 0; run < 40; run++) {
    const thermos_process_status *r = td_runner_state_run_at(st, 0, run);
    assert_int_equal(r->seq, (int64_t)(2 * run + 1));
    assert_int_equal(r->state, FAILED);
    assert_memory_equal(r->process.data, "p", 1);
  }
  assert_null(td_runner_state_run_at(st, 0, 40));
  td_runner_state_free(st);
}

#if defined(__SANITIZE_ADDRESS__)
#define TD_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TD_ASAN 1
#endif
#endif

/* What a process with one run costs: at most 150 bytes beside its name
 * (a stream naming a million processes must not take a gigabyte).  The
 * heap is measured by glibc's mallinfo2, which a sanitizer's allocator
 * does not keep. */
static void test_process_memory(void **unused) {
  (void)unused;
#if defined(TD_ASAN) || !defined(__GLIBC__)
  skip();
#else
  enum { N = 200000, NAME_LEN = 8 };
  char *names = g_malloc((size_t)N * (NAME_LEN + 1));
  for (int i = 0; i < N; i++)
    snprintf(names + (size_t)i * (NAME_LEN + 1), NAME_LEN + 1, "p%07d", i);
  struct mallinfo2 before = mallinfo2();
  thermos_runner_state *st = td_runner_state_new(false, false);
  for (int i = 0; i < N; i++) {
    td_ckpt c = proc(names + (size_t)i * (NAME_LEN + 1), 0, WAITING);
    APPLY_OK(st, &c);
  }
  struct mallinfo2 after = mallinfo2();
  size_t used =
      (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd);
  size_t per_process = used / N;
  print_message("a process with one run and an %d-byte name: %zu bytes\n",
                NAME_LEN, per_process);
  if (per_process > 150 + NAME_LEN)
    fail_msg("a process with one run costs %zu bytes (want <= %d)", per_process,
             150 + NAME_LEN);
  td_runner_state_free(st);
  g_free(names);
#endif
}

/* ---- the reason's td_err ------------------------------------------------ */

static void test_reason_bounded(void **unused) {
  (void)unused;
  /* A reason longer than a td_err holds (it quotes a process name of 3000
   * bytes) is cut to TD_ERR_MAX - 1 bytes, terminated, and nothing past
   * the td_err is written. */
  enum { NAME_LEN = 3000 };
  char *name = g_malloc(NAME_LEN + 1);
  memset(name, 'n', NAME_LEN);
  name[NAME_LEN] = '\0';
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc(name, 0, FORKED);
  struct {
    td_err err;
    char after[64];
  } guarded;
  memset(&guarded, 'Z', sizeof guarded);
  td_transition t;
  assert_int_equal(td_runner_state_apply(st, &c, &t, &guarded.err), -1);
  static const char prefix[] = "update for unknown process ";
  assert_int_equal(strlen(guarded.err.msg), TD_ERR_MAX - 1);
  assert_memory_equal(guarded.err.msg, prefix, sizeof prefix - 1);
  for (size_t i = sizeof prefix - 1; i < TD_ERR_MAX - 1; i++)
    assert_int_equal(guarded.err.msg[i], 'n');
  for (size_t i = 0; i < sizeof guarded.after; i++)
    assert_int_equal(guarded.after[i], 'Z');
  td_runner_state_free(st);
  g_free(name);
}

static void test_reason_untouched_on_success(void **unused) {
  (void)unused;
  /* Applying a valid record writes nothing to the td_err (the hot path). */
  thermos_runner_state *st = td_runner_state_new(false, false);
  td_ckpt c = proc("p", 0, WAITING);
  td_err err;
  memset(&err, 'Z', sizeof err);
  td_transition t;
  assert_int_equal(td_runner_state_apply(st, &c, &t, &err), 0);
  for (size_t i = 0; i < sizeof err.msg; i++)
    assert_int_equal(err.msg[i], 'Z');
  td_runner_state_free(st);
}

static void test_continues_after_error(void **unused) {
  (void)unused;
  /* Since an error leaves the state unchanged, the caller may go on. */
  thermos_runner_state *st = td_runner_state_new(false, false);
  int64_t seq = 0;
  drive(st, "p", &seq, FORKED);
  td_ckpt bad = proc("p", seq, SUCCESS);
  APPLY_ERR(st, &bad, "invalid transition FORKED => SUCCESS");
  td_ckpt good = proc("p", seq, RUNNING);
  APPLY_OK(st, &good);
  check_run(latest(st, "p"), RUNNING, 2, 1, 2, 0);
  td_runner_state_free(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_initial_state),
      cmocka_unit_test(test_header_stored),
      cmocka_unit_test(test_header_empty_struct),
      cmocka_unit_test(test_header_second),
      cmocka_unit_test(test_task_without_state),
      cmocka_unit_test(test_task_appended),
      cmocka_unit_test(test_task_partial_fields),
      cmocka_unit_test(test_task_truncate_replaces),
      cmocka_unit_test(test_task_any_after_any),
      cmocka_unit_test(test_task_unknown_state),
      cmocka_unit_test(test_task_before_header),
      cmocka_unit_test(test_process_without_name),
      cmocka_unit_test(test_process_empty_name),
      cmocka_unit_test(test_seq_out_of_order),
      cmocka_unit_test(test_seq_after_terminal),
      cmocka_unit_test(test_seq_int64_max),
      cmocka_unit_test(test_seq_negative),
      cmocka_unit_test(test_recovery_skips),
      cmocka_unit_test(test_recovery_still_errors),
      cmocka_unit_test(test_waiting_on_live_run),
      cmocka_unit_test(test_waiting_after_terminal),
      cmocka_unit_test(test_waiting_after_terminal_truncate),
      cmocka_unit_test(test_runs_kept_without_truncate),
      cmocka_unit_test(test_first_waiting_any_seq),
      cmocka_unit_test(test_first_waiting_extra_fields_not_copied),
      cmocka_unit_test(test_first_waiting_without_seq),
      cmocka_unit_test(test_unknown_process),
      cmocka_unit_test(test_missing_state_known_process),
      cmocka_unit_test(test_transition_matrix),
      cmocka_unit_test(test_copies_forked_running_success),
      cmocka_unit_test(test_copies_killed),
      cmocka_unit_test(test_copies_lost_only_state),
      cmocka_unit_test(test_failed_from_running_copies),
      cmocka_unit_test(test_failed_from_running_without_times),
      cmocka_unit_test(test_failed_from_running_one_time),
      cmocka_unit_test(test_failed_from_waiting),
      cmocka_unit_test(test_unknown_process_state),
      cmocka_unit_test(test_missing_copied_fields),
      cmocka_unit_test(test_invalid_before_missing_fields),
      cmocka_unit_test(test_empty_union),
      cmocka_unit_test(test_union_precedence),
      cmocka_unit_test(test_escaped_names),
      cmocka_unit_test(test_process_order),
      cmocka_unit_test(test_names_are_bytes),
      cmocka_unit_test(test_names_copied),
      cmocka_unit_test(test_many_processes),
      cmocka_unit_test(test_max_processes),
      cmocka_unit_test(test_many_runs),
      cmocka_unit_test(test_process_memory),
      cmocka_unit_test(test_reason_bounded),
      cmocka_unit_test(test_reason_untouched_on_success),
      cmocka_unit_test(test_continues_after_error),
  };
  return cmocka_run_group_tests_name("runner-state", tests, NULL, NULL);
}
