/*
 * count_failures: an example thermos-dispatch handler plugin.
 *
 * Counts, per task, the process runs that end FAILED or LOST, and logs one
 * summary line when the task's stream closes (at the end of a replayed
 * file, when a followed task is over, or at shutdown):
 *
 *   thermos-dispatch: warning: count_failures: task failure: 3 failed,
 *   0 lost of 3 processes (p2 failed 1, p3 failed 2)
 *
 * Its one option:
 *
 *   [plugin:count_failures]
 *   min_failures = 1   ; report tasks with at least this many (0: all)
 *
 * Build it out of tree with the Makefile next to it, or with
 *
 *   cc -shared -fPIC -fvisibility=hidden -Wl,-z,defs \
 *      $(pkg-config --cflags thermos-handler) count_failures.c \
 *      -o count_failures.so
 *
 * and try it with
 *
 *   thermos-dispatch -p ./count_failures.so replay runner
 *
 * Everything here is called from the host's one dispatch thread, so no
 * locking is needed.  History records (re-read to rebuild state) are
 * counted too: the summary is about the whole task.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <thermos/handler.h>

/* One process that failed or was lost at least once. */
typedef struct proc_count {
  char *name; /* a copy: the update's bytes live only during the call */
  size_t len;
  unsigned failed, lost;
  struct proc_count *next;
} proc_count;

/* One open stream (watch follows many at once), keyed by its path. */
typedef struct stream {
  char *source;
  proc_count *procs; /* in order of first failure */
  int stopped;       /* on_stream_error was called */
  struct stream *next;
} stream;

typedef struct plugin {
  const thermos_host_v1 *host;
  int64_t min_failures;
  stream *streams;
} plugin;

/* Its options, declared with ABI 1.1's growable descriptor: one struct per
 * key, listed by pointer, ended by NULL.  The host checks every value
 * against its type before init (and a range, or a required key, when the
 * flags say so: see thermos_handler(3)). */
static const thermos_option_ex min_failures_option = {
    .struct_size = sizeof(thermos_option_ex),
    .key = "min_failures",
    .type = THERMOS_OPT_INT,
    .default_value = "1",
    .help = "report a task with at least this many failed or lost runs (0: "
            "all)"};
static const thermos_option_ex *const options[] = {&min_failures_option, NULL};

static void free_stream(stream *s) {
  while (s->procs) {
    proc_count *next = s->procs->next;
    free(s->procs->name);
    free(s->procs);
    s->procs = next;
  }
  free(s->source);
  free(s);
}

static int cf_init(const thermos_host_v1 *host, void **ctx) {
  /* min_host_minor = 1 makes a 1.1 host or later refuse nothing; a 1.0
   * host does not know it, nor the typed getters: check before use. */
  if (!THERMOS_HAS_MEMBER(host, thermos_host_v1, config_get_int)) {
    thermos_logf(host, THERMOS_LOG_ERROR, "needs a host of ABI 1.1 or later");
    return THERMOS_ERROR;
  }
  /* The host has checked that the value is an integer and hands it over
   * parsed; the declared default when the section does not set the key.
   * That it is not negative is ours to check. */
  int64_t min = 1;
  host->config_get_int(host->host, "min_failures", &min);
  if (min < 0) {
    /* Printed with the key's file and line; the start fails. */
    host->config_error(host->host, "min_failures", "must be 0 or more");
    return THERMOS_ERROR;
  }
  plugin *p = calloc(1, sizeof *p);
  if (!p)
    return THERMOS_ERROR;
  p->host = host;
  p->min_failures = min;
  /* In THERMOS_MODE_CHECK this is all there is to do: validate, and write
   * nothing.  This plugin writes nothing anyway, it only logs. */
  *ctx = p;
  return THERMOS_OK;
}

static void cf_fini(void *ctx) {
  plugin *p = ctx;
  while (p->streams) {
    stream *next = p->streams->next;
    free_stream(p->streams);
    p->streams = next;
  }
  free(p);
}

/* strdup is POSIX, not C11. */
static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  return c ? memcpy(c, s, n) : NULL;
}

static stream **find_stream(plugin *p, const char *source) {
  stream **sp = &p->streams;
  while (*sp && strcmp((*sp)->source, source) != 0)
    sp = &(*sp)->next;
  return sp;
}

static int cf_stream_open(void *ctx, const thermos_event *ev) {
  plugin *p = ctx;
  stream **sp = find_stream(p, ev->source);
  if (*sp)
    return THERMOS_OK;
  stream *s = calloc(1, sizeof *s);
  if (!s || !(s->source = copy_string(ev->source))) {
    free(s);
    /* A callback error: the instance's on_error decides what follows. */
    return THERMOS_ERROR;
  }
  *sp = s;
  return THERMOS_OK;
}

static int cf_stream_error(void *ctx, const thermos_event *ev,
                           const char *reason) {
  (void)reason; /* the host has printed it already */
  stream *s = *find_stream(ctx, ev->source);
  if (s)
    s->stopped = 1;
  return THERMOS_OK;
}

static int count(plugin *p, const thermos_event *ev,
                 const thermos_process_status *update, int lost) {
  stream *s = *find_stream(p, ev->source);
  if (!s)
    return THERMOS_OK;
  thermos_str name = update->process; /* always set in a process update */
  proc_count **pp = &s->procs;
  while (*pp &&
         !((*pp)->len == name.len &&
           (name.len == 0 || memcmp((*pp)->name, name.data, name.len) == 0)))
    pp = &(*pp)->next;
  if (!*pp) {
    proc_count *pc = calloc(1, sizeof *pc);
    /* Names are bytes, not NUL-terminated: copy them with their length. */
    if (!pc || !(pc->name = malloc(name.len ? name.len : 1))) {
      free(pc);
      return THERMOS_ERROR;
    }
    if (name.len)
      memcpy(pc->name, name.data, name.len);
    pc->len = name.len;
    *pp = pc;
  }
  if (lost)
    (*pp)->lost++;
  else
    (*pp)->failed++;
  return THERMOS_OK;
}

static int cf_process_failed(void *ctx, const thermos_event *ev,
                             const thermos_process_status *update) {
  return count(ctx, ev, update, 0);
}

static int cf_process_lost(void *ctx, const thermos_event *ev,
                           const thermos_process_status *update) {
  return count(ctx, ev, update, 1);
}

/* A bounded text buffer: what does not fit is cut. */
typedef struct text {
  char buf[1024];
  size_t len;
} text;

static void append(text *t, const char *fmt, ...) THERMOS_PRINTF(2, 3);
static void append(text *t, const char *fmt, ...) {
  size_t room = sizeof t->buf - t->len;
  if (room <= 1)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(t->buf + t->len, room, fmt, ap);
  va_end(ap);
  if (n > 0)
    t->len += (size_t)n < room ? (size_t)n : room - 1;
}

/* Bytes that may be anything: printable ASCII as is, the rest as \xHH. */
static void append_bytes(text *t, const char *data, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c >= 0x20 && c < 0x7f && c != '\\')
      append(t, "%c", c);
    else
      append(t, "\\x%02x", c);
  }
}

static int cf_stream_close(void *ctx, const thermos_event *ev) {
  plugin *p = ctx;
  stream **sp = find_stream(p, ev->source);
  stream *s = *sp;
  if (!s)
    return THERMOS_OK;
  *sp = s->next;

  unsigned failed = 0, lost = 0;
  for (const proc_count *pc = s->procs; pc; pc = pc->next) {
    failed += pc->failed;
    lost += pc->lost;
  }
  if ((int64_t)failed + lost >= p->min_failures) {
    text t = {.len = 0};
    append(&t, "task ");
    if (ev->task_id.len) /* empty until a header, for a file not named
                            .../checkpoints/<id>/runner */
      append_bytes(&t, ev->task_id.data, ev->task_id.len);
    else
      append(&t, "%s", ev->source);
    /* The state readers: the reconstructed state, still there in
     * on_stream_close. */
    size_t processes = p->host->process_count(ev->state);
    append(&t, ": %u failed, %u lost of %zu process%s", failed, lost, processes,
           processes == 1 ? "" : "es");
    for (const proc_count *pc = s->procs; pc; pc = pc->next) {
      append(&t, pc == s->procs ? " (" : ", ");
      append_bytes(&t, pc->name, pc->len);
      if (pc->failed)
        append(&t, " failed %u", pc->failed);
      if (pc->lost)
        append(&t, " lost %u", pc->lost);
      if (!pc->next)
        append(&t, ")");
    }
    if (s->stopped)
      append(&t, "; the stream stopped on an error");
    thermos_logf(p->host, THERMOS_LOG_WARNING, "%s", t.buf);
  }
  free_stream(s);
  return THERMOS_OK;
}

static const thermos_handler_v1 table = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "count_failures",
    .version = "1.0",
    .init = cf_init,
    .fini = cf_fini,
    .on_stream_open = cf_stream_open,
    .on_stream_error = cf_stream_error,
    .on_stream_close = cf_stream_close,
    .on_process_failed = cf_process_failed,
    .on_process_lost = cf_process_lost,
    .min_host_minor = 1,
    .options_ex = options,
};

/* The one exported symbol (THERMOS_EXPORT in the header's declaration keeps
 * it visible under -fvisibility=hidden). */
const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &table; }
