/*
 * The `timestamp` benchmark plugin (`make bench`, tests/bench/latency.c):
 * notes the CLOCK_MONOTONIC time of every universal callback, so the
 * benchmark can tell how long a record took from the writer's write(2) to
 * the plugin.
 *
 * Each of on_initialization, on_process_transition and on_task_transition
 * counts one record (a record reaches exactly one of them) and, while the
 * preallocated array has room, stores the record's index, its `history`
 * flag and the time.  Nothing is allocated, written or logged in a
 * callback, so the plugin adds as little as it can to what it measures.
 *
 * Options:
 *   out       at fini, the stored calls, one line each: RECORD HISTORY NS,
 *             after a first line "# calls N stored M"
 *   capacity  how many calls to store (default 100000; 0: count only).  The
 *             array is touched at init: no page fault in a callback
 *   ready     a file created at the first on_stream_open (the host has
 *             opened its stream: appends from now on are seen)
 *   expect, done
 *             when the count of calls reaches `expect`, the time (NS, one
 *             line) is written to `done` (through a temporary file and a
 *             rename, so a reader never sees it half written)
 *
 * Nothing is written in THERMOS_MODE_CHECK.  Times are CLOCK_MONOTONIC
 * nanoseconds: comparable between processes of one machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <thermos/handler.h>

typedef struct stamp {
  int64_t ns;
  uint64_t record;
  int history;
} stamp;

typedef struct timestamp {
  const thermos_host_v1 *host;
  bool check; /* THERMOS_MODE_CHECK: validate only */
  char *out;
  char *ready;
  char *done;
  uint64_t expect; /* 0: none */
  stamp *stamps;
  uint64_t capacity;
  uint64_t calls;
  bool ready_made;
} timestamp;

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL,
     "where the stored calls are written at fini", NULL},
    {"capacity", THERMOS_OPT_INT, "100000", "how many calls to store", NULL},
    {"ready", THERMOS_OPT_PATH, NULL,
     "a file created at the first on_stream_open", NULL},
    {"expect", THERMOS_OPT_INT, "0",
     "the call count at which `done` is written (0: never)", NULL},
    {"done", THERMOS_OPT_PATH, NULL,
     "written with the time when the count reaches `expect`", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *dup_or_null(const char *s) {
  if (!s)
    return NULL;
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d)
    memcpy(d, s, n);
  return d;
}

/* A non-negative INT option; false (reported) otherwise. */
static bool count_option(const thermos_host_v1 *host, const char *key,
                         uint64_t *value) {
  const char *s = host->config_get(host->host, key);
  char *end;
  errno = 0;
  long long v = strtoll(s ? s : "0", &end, 10);
  if (errno != 0 || *end != '\0' || v < 0) {
    host->config_error(host->host, key, "must be a count (0 or more)");
    return false;
  }
  *value = (uint64_t)v;
  return true;
}

static void ts_free(timestamp *t) {
  free(t->out);
  free(t->ready);
  free(t->done);
  free(t->stamps);
  free(t);
}

static int ts_init(const thermos_host_v1 *host, void **ctx) {
  timestamp *t = calloc(1, sizeof *t);
  if (!t)
    return -1;
  t->host = host;
  t->check = host->mode == THERMOS_MODE_CHECK;
  t->out = dup_or_null(host->config_get(host->host, "out"));
  t->ready = dup_or_null(host->config_get(host->host, "ready"));
  t->done = dup_or_null(host->config_get(host->host, "done"));
  if (!count_option(host, "capacity", &t->capacity) ||
      !count_option(host, "expect", &t->expect)) {
    ts_free(t);
    return -1;
  }
  if (t->expect > 0 && !t->done) {
    host->config_error(host->host, "done", "needed with expect");
    ts_free(t);
    return -1;
  }
  if (!t->check && t->capacity > 0) {
    if (t->capacity > SIZE_MAX / sizeof *t->stamps ||
        !(t->stamps = malloc((size_t)t->capacity * sizeof *t->stamps))) {
      thermos_logf(host, THERMOS_LOG_ERROR,
                   "cannot allocate %" PRIu64 " stamps", t->capacity);
      ts_free(t);
      return -1;
    }
    /* Fault the pages in now, not in the callbacks. */
    memset(t->stamps, 0, (size_t)t->capacity * sizeof *t->stamps);
  }
  *ctx = t;
  return 0;
}

/* Writes the time to `done`: a temporary file renamed onto it. */
static void write_done(timestamp *t, int64_t ns) {
  size_t n = strlen(t->done) + sizeof ".tmp";
  char *tmp = malloc(n);
  if (!tmp)
    return;
  snprintf(tmp, n, "%s.tmp", t->done);
  FILE *f = fopen(tmp, "w");
  bool ok = f && fprintf(f, "%" PRId64 "\n", ns) > 0;
  if (f && fclose(f) != 0)
    ok = false;
  if (!ok || rename(tmp, t->done) != 0) {
    thermos_logf(t->host, THERMOS_LOG_ERROR, "%s: %s", t->done,
                 strerror(errno));
    unlink(tmp);
  }
  free(tmp);
}

static int note(void *ctx, const thermos_event *ev) {
  int64_t ns = now_ns();
  timestamp *t = ctx;
  if (t->calls < t->capacity) {
    stamp *s = &t->stamps[t->calls];
    s->ns = ns;
    s->record = ev->record;
    s->history = ev->history;
  }
  t->calls++;
  if (t->calls == t->expect)
    write_done(t, ns);
  return 0;
}

static int ts_initialization(void *ctx, const thermos_event *ev,
                             const thermos_runner_header *header) {
  (void)header;
  return note(ctx, ev);
}

static int ts_process_transition(void *ctx, const thermos_event *ev,
                                 int32_t state,
                                 const thermos_process_status *update) {
  (void)state;
  (void)update;
  return note(ctx, ev);
}

static int ts_task_transition(void *ctx, const thermos_event *ev, int32_t state,
                              const thermos_task_status *update) {
  (void)state;
  (void)update;
  return note(ctx, ev);
}

static int ts_stream_open(void *ctx, const thermos_event *ev) {
  (void)ev;
  timestamp *t = ctx;
  if (t->ready_made || !t->ready)
    return 0;
  t->ready_made = true;
  int fd = open(t->ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    thermos_logf(t->host, THERMOS_LOG_ERROR, "%s: %s", t->ready,
                 strerror(errno));
    return -1;
  }
  close(fd);
  return 0;
}

static void ts_fini(void *ctx) {
  timestamp *t = ctx;
  if (!t->check && t->out) {
    FILE *f = fopen(t->out, "w");
    if (!f) {
      thermos_logf(t->host, THERMOS_LOG_ERROR, "%s: %s", t->out,
                   strerror(errno));
    } else {
      uint64_t stored = t->calls < t->capacity ? t->calls : t->capacity;
      fprintf(f, "# calls %" PRIu64 " stored %" PRIu64 "\n", t->calls, stored);
      for (uint64_t i = 0; i < stored; i++)
        fprintf(f, "%" PRIu64 " %d %" PRId64 "\n", t->stamps[i].record,
                t->stamps[i].history, t->stamps[i].ns);
      if (fclose(f) != 0)
        thermos_logf(t->host, THERMOS_LOG_ERROR, "%s: %s", t->out,
                     strerror(errno));
    }
  }
  ts_free(t);
}

static const thermos_handler_v1 HANDLER = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "timestamp",
    .version = "1.0",
    .options = OPTIONS,
    .init = ts_init,
    .fini = ts_fini,
    .on_stream_open = ts_stream_open,
    .on_initialization = ts_initialization,
    .on_process_transition = ts_process_transition,
    .on_task_transition = ts_task_transition,
};

THERMOS_EXPORT const thermos_handler_v1 *thermos_handler_v1_entry(void) {
  return &HANDLER;
}
