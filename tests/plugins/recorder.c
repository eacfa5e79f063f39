/*
 * The `recorder` test plugin: implements every callback of the handler ABI
 * and appends one line per call to the file named by its option `out`, so
 * the tests can check which callbacks the host calls, in which order, with
 * which event fields, and what the host's state readers return.
 *
 * Each line is written with one write(2) on a descriptor opened with
 * O_APPEND: several instances (of this module, in one process, or in
 * several) can share one file and their lines keep the order of the calls.
 *
 * Line forms (strings escaped: bytes outside '!'..'~' and '\' as \xHH):
 *   NAME init mode=M keys=K1,K2 checks=ok
 *   NAME fini
 *   NAME reopen
 *   NAME tick now=ok
 *   NAME CALLBACK EVENT [UPDATE] DIGEST [reason=TEXT]
 * where
 *   EVENT  = record=N offset=B history=H task_id=T source=S
 *   UPDATE = hdr_task_id=T ports=N                      (on_initialization)
 *          | state=S process=P seq=Q pidx=I runs=R run_state=S run_seq=Q
 *                                                (process callbacks)
 *          | state=S timestamp_ms=T                   (task callbacks)
 *   DIGEST = hdr=T ts=N last_ts=S pc=N checks=ok
 * The DIGEST is read through the host's state readers: the header's
 * task_id (- before one), the task status count and the latest one's
 * state, the process count; for a process update its index among the
 * process names (pidx), its run count and its latest run.  `checks` is
 * `ok` when the readers and the event agree with the ABI's promises
 * (past-the-end reads give NULL, the event is at least as large as this
 * header's), else BAD:WHAT.  The universal callbacks print the `state`
 * argument, the specific ones the update's state.
 *
 * Options: out (where to write; required), fail_on (a callback name, or
 * `all`: that callback returns -1 after writing its line), fail_init (init
 * fails, after cleaning up), log_message (logged at warning level by init).
 *
 * It is built twice: against the current header (recorder.so) and against
 * the frozen 1.0 header (recorder_1_0.so, tests/plugins/recorder_1_0.c):
 * keep it to the names of ABI 1.0.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thermos/handler.h>

typedef struct recorder {
  const thermos_host_v1 *host;
  char *name;
  char *fail_on;
  int fd;
} recorder;

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL, "the file every call is appended to", NULL},
    {"fail_on", THERMOS_OPT_STRING, "",
     "a callback that returns -1 (e.g. on_process_running), or all", NULL},
    {"fail_init", THERMOS_OPT_BOOL, "no", "make init fail", NULL},
    {"log_message", THERMOS_OPT_STRING, NULL,
     "logged at warning level from init", NULL},
    {NULL, 0, NULL, NULL, NULL}};

/* --- a small line buffer -------------------------------------------------- */

typedef struct line {
  char buf[4096];
  size_t len;
  bool overflow;
} line;

static void add(line *l, const char *fmt, ...) THERMOS_PRINTF(2, 3);
static void add(line *l, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t room = sizeof l->buf - l->len;
  int n = vsnprintf(l->buf + l->len, room, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= room) {
    l->overflow = true;
    l->len = sizeof l->buf - 1;
  } else {
    l->len += (size_t)n;
  }
}

static void add_bytes(line *l, const char *data, size_t len) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c > ' ' && c < 0x7f && c != '\\')
      add(l, "%c", c);
    else
      add(l, "\\x%c%c", hex[c >> 4], hex[c & 15]);
  }
}

static void add_str(line *l, thermos_str s) {
  if (s.len && !s.data) {
    add(l, "BAD-STR");
    return;
  }
  add_bytes(l, s.data, s.len);
}

static void add_cstr(line *l, const char *s) {
  if (!s)
    add(l, "NULL");
  else
    add_bytes(l, s, strlen(s));
}

static int emit(recorder *r, line *l) {
  if (l->overflow) {
    /* A line too long for the buffer ends in a marker, never cut silently. */
    static const char mark[] = " OVERFLOW";
    l->len = sizeof l->buf - 1;
    memcpy(l->buf + l->len - (sizeof mark - 1), mark, sizeof mark - 1);
  }
  l->buf[l->len++] = '\n';
  ssize_t n = write(r->fd, l->buf, l->len);
  return n == (ssize_t)l->len ? 0 : -1;
}

/* The callback's result: -1 when it is the one asked to fail. */
static int result(recorder *r, line *l, const char *callback) {
  int rc = emit(r, l);
  if (r->fail_on &&
      (strcmp(r->fail_on, callback) == 0 || strcmp(r->fail_on, "all") == 0))
    return -1;
  return rc;
}

static void begin(recorder *r, line *l, const char *callback) {
  l->len = 0;
  l->overflow = false;
  add(l, "%s %s", r->name, callback);
}

static void add_event(line *l, const thermos_event *ev) {
  add(l,
      " record=%" PRIu64 " offset=%" PRIu64 " history=%d task_id=", ev->record,
      ev->offset, ev->history);
  add_str(l, ev->task_id);
  add(l, " source=");
  add_cstr(l, ev->source);
}

static bool str_eq(thermos_str a, thermos_str b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

/* What the state readers say; `process` names the updated process. */
static void add_digest(recorder *r, line *l, const thermos_event *ev,
                       const char *problem) {
  const thermos_host_v1 *h = r->host;
  const thermos_runner_state *st = ev->state;
  char bad[256] = "";
  if (problem)
    snprintf(bad, sizeof bad, "%s", problem);
#define BAD(what)                                                              \
  do {                                                                         \
    if (!bad[0])                                                               \
      snprintf(bad, sizeof bad, "%s", what);                                   \
  } while (0)
  if (ev->struct_size < sizeof(thermos_event))
    BAD("event_size");
  if (!ev->source)
    BAD("source");
  if (!st)
    BAD("state");
  const thermos_runner_header *hdr = h->header(st);
  add(l, " hdr=");
  if (hdr)
    add_str(l, hdr->task_id);
  else
    add(l, "-");
  size_t ts = h->task_status_count(st);
  add(l, " ts=%zu last_ts=", ts);
  if (ts) {
    const thermos_task_status *last = h->task_status(st, ts - 1);
    if (last)
      add(l, "%" PRId32, last->state);
    else
      add(l, "NULL");
  } else {
    add(l, "-");
  }
  if (h->task_status(st, ts))
    BAD("task_status_past_end");
  size_t pc = h->process_count(st);
  add(l, " pc=%zu", pc);
  if (h->process_name(st, pc).data || h->process_name(st, pc).len)
    BAD("process_name_past_end");
  for (size_t i = 0; i < pc; i++) {
    thermos_str name = h->process_name(st, i);
    if (h->process_run_count(st, name) == 0)
      BAD("process_without_runs");
  }
  thermos_str unknown = {"\x01no such process\x01", 17};
  if (h->process_run_count(st, unknown) || h->process_run(st, unknown, 0))
    BAD("unknown_process");
  add(l, " checks=%s", bad[0] ? "BAD:" : "ok");
  if (bad[0])
    add(l, "%s", bad);
#undef BAD
}

static int event_only(void *ctx, const thermos_event *ev,
                      const char *callback) {
  recorder *r = ctx;
  line l;
  begin(r, &l, callback);
  add_event(&l, ev);
  add_digest(r, &l, ev, NULL);
  return result(r, &l, callback);
}

static int process_event(void *ctx, const thermos_event *ev,
                         const char *callback, int32_t state,
                         const thermos_process_status *u) {
  recorder *r = ctx;
  const thermos_host_v1 *h = r->host;
  const char *problem = NULL;
  line l;
  begin(r, &l, callback);
  add_event(&l, ev);
  add(&l, " state=%" PRId32 " process=", state);
  add_str(&l, u->process);
  if (u->present & THERMOS_PS_SEQ)
    add(&l, " seq=%" PRId64, u->seq);
  else
    add(&l, " seq=-");
  size_t pc = h->process_count(ev->state);
  size_t idx = pc;
  for (size_t i = 0; i < pc; i++)
    if (str_eq(h->process_name(ev->state, i), u->process)) {
      idx = i;
      break;
    }
  if (idx < pc)
    add(&l, " pidx=%zu", idx);
  else
    add(&l, " pidx=-");
  size_t runs = h->process_run_count(ev->state, u->process);
  add(&l, " runs=%zu", runs);
  const thermos_process_status *last =
      runs ? h->process_run(ev->state, u->process, runs - 1) : NULL;
  if (last) {
    add(&l, " run_state=%" PRId32 " run_seq=%" PRId64, last->state, last->seq);
    if (!str_eq(last->process, u->process))
      problem = "run_process_name";
  } else {
    add(&l, " run_state=- run_seq=-");
  }
  if (h->process_run(ev->state, u->process, runs))
    problem = "process_run_past_end";
  for (size_t i = 0; i + 1 < runs; i++)
    if (!h->process_run(ev->state, u->process, i))
      problem = "process_run_missing";
  add_digest(r, &l, ev, problem);
  return result(r, &l, callback);
}

static int task_event(void *ctx, const thermos_event *ev, const char *callback,
                      int32_t state, const thermos_task_status *u) {
  recorder *r = ctx;
  line l;
  begin(r, &l, callback);
  add_event(&l, ev);
  add(&l, " state=%" PRId32, state);
  if (u->present & THERMOS_TS_TIMESTAMP_MS)
    add(&l, " timestamp_ms=%" PRId64, u->timestamp_ms);
  else
    add(&l, " timestamp_ms=-");
  add_digest(r, &l, ev, NULL);
  return result(r, &l, callback);
}

/* --- lifecycle ------------------------------------------------------------ */

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void destroy(recorder *r) {
  if (r->fd >= 0)
    close(r->fd);
  free(r->name);
  free(r->fail_on);
  free(r);
}

/* Collects the keys written in the section, comma-separated. */
static int collect_key(void *user, const char *key, const char *value) {
  line *l = user;
  (void)value;
  add(l, "%s%s", l->buf[l->len - 1] == '=' ? "" : ",", key);
  return 0;
}

static int stop_at_first(void *user, const char *key, const char *value) {
  (void)key;
  (void)value;
  ++*(int *)user;
  return 7;
}

static int rec_init(const thermos_host_v1 *host, void **ctx) {
  if (host->abi_major != THERMOS_HANDLER_ABI_MAJOR ||
      host->struct_size < sizeof(thermos_host_v1))
    return -1;
  const char *out = host->config_get(host->host, "out");
  if (!out || !*out) {
    host->config_error(host->host, "out", "required");
    return -1;
  }
  recorder *r = calloc(1, sizeof *r);
  if (!r)
    return -1;
  r->host = host;
  r->fd = -1;
  r->name = dup_or_null(host->instance);
  r->fail_on = dup_or_null(host->config_get(host->host, "fail_on"));
  if (!r->name || !r->fail_on) {
    destroy(r);
    return -1;
  }
  r->fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (r->fd < 0) {
    thermos_logf(host, THERMOS_LOG_ERROR, "%s: %s", out, strerror(errno));
    destroy(r);
    return -1;
  }
  /* Checks of the host table, reported on the init line. */
  const char *bad = NULL;
  const char *fail_init = host->config_get(host->host, "fail_init");
  if (!fail_init)
    bad = "fail_init_default";
  else if (host->config_get(host->host, "no_such_key"))
    bad = "undeclared_key";
  else if (host->config_get(host->host, "module") ||
           host->config_get(host->host, "enabled") ||
           host->config_get(host->host, "on_error"))
    bad = "host_keys_visible";
  else if (!host->instance || strcmp(host->instance, r->name) != 0)
    bad = "instance";
  int calls = 0;
  int rc = host->config_foreach(host->host, stop_at_first, &calls);
  if (!bad && (rc != 7 || calls != 1))
    bad = "config_foreach_stop";
  line l;
  begin(r, &l, "init");
  add(&l, " mode=%d keys=", host->mode);
  host->config_foreach(host->host, collect_key, &l);
  add(&l, " checks=%s", bad ? bad : "ok");
  emit(r, &l);
  const char *message = host->config_get(host->host, "log_message");
  if (message)
    thermos_logf(host, THERMOS_LOG_WARNING, "%s", message);
  bool fail =
      fail_init &&
      (strcmp(fail_init, "yes") == 0 || strcmp(fail_init, "true") == 0 ||
       strcmp(fail_init, "on") == 0 || strcmp(fail_init, "1") == 0);
  if (fail || strcmp(r->fail_on, "init") == 0) {
    begin(r, &l, "init-failed");
    emit(r, &l);
    destroy(r);
    return -1;
  }
  *ctx = r;
  return 0;
}

static void rec_fini(void *ctx) {
  recorder *r = ctx;
  line l;
  begin(r, &l, "fini");
  emit(r, &l);
  destroy(r);
}

static int rec_reopen(void *ctx) {
  recorder *r = ctx;
  line l;
  begin(r, &l, "reopen");
  return result(r, &l, "reopen");
}

static int rec_tick(void *ctx, double now) {
  recorder *r = ctx;
  line l;
  begin(r, &l, "tick");
  add(&l, " now=%s", now > 1.5e9 && now < 1e11 ? "ok" : "BAD");
  return result(r, &l, "tick");
}

/* --- stream lifecycle ----------------------------------------------------- */

static int rec_stream_open(void *ctx, const thermos_event *ev) {
  return event_only(ctx, ev, "on_stream_open");
}

static int rec_stream_error(void *ctx, const thermos_event *ev,
                            const char *reason) {
  recorder *r = ctx;
  line l;
  begin(r, &l, "on_stream_error");
  add_event(&l, ev);
  add_digest(r, &l, ev, NULL);
  /* Last, as written: the reason may hold spaces. */
  add(&l, " reason=%s", reason ? reason : "NULL");
  return result(r, &l, "on_stream_error");
}

static int rec_stream_close(void *ctx, const thermos_event *ev) {
  return event_only(ctx, ev, "on_stream_close");
}

/* --- universal ------------------------------------------------------------ */

static int rec_initialization(void *ctx, const thermos_event *ev,
                              const thermos_runner_header *header) {
  recorder *r = ctx;
  line l;
  begin(r, &l, "on_initialization");
  add_event(&l, ev);
  add(&l, " hdr_task_id=");
  add_str(&l, header->task_id);
  add(&l, " ports=%zu", header->n_ports);
  const char *problem = NULL;
  if (header->n_ports && !header->ports)
    problem = "ports";
  if (r->host->header(ev->state) == NULL)
    problem = "header_not_stored";
  add_digest(r, &l, ev, problem);
  return result(r, &l, "on_initialization");
}

static int rec_process_transition(void *ctx, const thermos_event *ev,
                                  int32_t state,
                                  const thermos_process_status *update) {
  return process_event(ctx, ev, "on_process_transition", state, update);
}

static int rec_task_transition(void *ctx, const thermos_event *ev,
                               int32_t state,
                               const thermos_task_status *update) {
  return task_event(ctx, ev, "on_task_transition", state, update);
}

/* --- state-specific ------------------------------------------------------- */

#define PROCESS_CALLBACK(fn, cbname)                                           \
  static int fn(void *ctx, const thermos_event *ev,                            \
                const thermos_process_status *u) {                             \
    return process_event(ctx, ev, cbname, u->state, u);                        \
  }
PROCESS_CALLBACK(rec_process_waiting, "on_process_waiting")
PROCESS_CALLBACK(rec_process_forked, "on_process_forked")
PROCESS_CALLBACK(rec_process_running, "on_process_running")
PROCESS_CALLBACK(rec_process_success, "on_process_success")
PROCESS_CALLBACK(rec_process_failed, "on_process_failed")
PROCESS_CALLBACK(rec_process_lost, "on_process_lost")
PROCESS_CALLBACK(rec_process_killed, "on_process_killed")

#define TASK_CALLBACK(fn, cbname)                                              \
  static int fn(void *ctx, const thermos_event *ev,                            \
                const thermos_task_status *u) {                                \
    return task_event(ctx, ev, cbname, u->state, u);                           \
  }
TASK_CALLBACK(rec_task_active, "on_task_active")
TASK_CALLBACK(rec_task_cleaning, "on_task_cleaning")
TASK_CALLBACK(rec_task_finalizing, "on_task_finalizing")
TASK_CALLBACK(rec_task_success, "on_task_success")
TASK_CALLBACK(rec_task_failed, "on_task_failed")
TASK_CALLBACK(rec_task_killed, "on_task_killed")
TASK_CALLBACK(rec_task_lost, "on_task_lost")

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "recorder",
    .version = "1.2.3-test",
    .options = OPTIONS,
    .init = rec_init,
    .fini = rec_fini,
    .reopen = rec_reopen,
    .tick = rec_tick,
    .on_stream_open = rec_stream_open,
    .on_stream_error = rec_stream_error,
    .on_stream_close = rec_stream_close,
    .on_initialization = rec_initialization,
    .on_process_transition = rec_process_transition,
    .on_task_transition = rec_task_transition,
    .on_process_waiting = rec_process_waiting,
    .on_process_forked = rec_process_forked,
    .on_process_running = rec_process_running,
    .on_process_success = rec_process_success,
    .on_process_failed = rec_process_failed,
    .on_process_lost = rec_process_lost,
    .on_process_killed = rec_process_killed,
    .on_task_active = rec_task_active,
    .on_task_cleaning = rec_task_cleaning,
    .on_task_finalizing = rec_task_finalizing,
    .on_task_success = rec_task_success,
    .on_task_failed = rec_task_failed,
    .on_task_killed = rec_task_killed,
    .on_task_lost = rec_task_lost,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
