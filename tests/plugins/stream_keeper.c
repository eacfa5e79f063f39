/*
 * The `stream_keeper` test plugin (tests/test-plugin-stream-ctx.sh): checks
 * the per-stream pointer of ABI 1.1 (`ev->stream_ctx`).  on_stream_open
 * finds the slot empty, allocates a context holding a copy of the stream's
 * path and stores it there; every later callback of the stream checks that
 * the slot holds the context made for that path (the contexts are also
 * kept in a list, for this check only: a real plugin needs no lookup);
 * on_stream_close frees it.  Several instances of the module each get a
 * slot of their own: the context records the instance it belongs to.
 *
 * Lines, appended to the file named by `out` (one write(2) each):
 *   NAME close calls=N source=SRC
 *       from on_stream_close: the stream's callbacks, open and close
 *       included;
 *   NAME BAD CALLBACK source=SRC: WHY
 *       a check failed: the callback logs an error and returns
 *       THERMOS_ERROR.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thermos/handler.h>

#include "each_record.h"

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL, "the file the lines are appended to", NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct keeper keeper;

/* One open stream's context: what the slot must hold. */
typedef struct sctx {
  struct sctx *next;
  const keeper *owner; /* the instance that made it */
  char *source;        /* a copy of ev->source */
  unsigned long calls;
} sctx;

struct keeper {
  const thermos_host_v1 *host;
  int fd;
  sctx *open;
};

static void put(keeper *k, const char *fmt, ...) THERMOS_PRINTF(2, 3);
static void put(keeper *k, const char *fmt, ...) {
  char buf[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < sizeof buf && write(k->fd, buf, (size_t)n) < 0)
    (void)0;
}

static int bad(keeper *k, const char *callback, const char *source,
               const char *why) {
  put(k, "%s BAD %s source=%s: %s\n", k->host->instance, callback,
      source ? source : "NULL", why);
  thermos_logf(k->host, THERMOS_LOG_ERROR, "%s: %s: %s", callback,
               source ? source : "NULL", why);
  return THERMOS_ERROR;
}

static sctx *find(const keeper *k, const char *source) {
  for (sctx *c = k->open; c; c = c->next)
    if (strcmp(c->source, source) == 0)
      return c;
  return NULL;
}

/* The slot of a callback after on_stream_open must hold this instance's
 * context for the event's path. */
static int check(keeper *k, const thermos_event *ev, const char *callback,
                 sctx **out) {
  *out = NULL;
  if (!THERMOS_HAS_MEMBER(ev, thermos_event, stream_ctx) || !ev->stream_ctx)
    return bad(k, callback, ev->source, "no stream_ctx slot");
  sctx *want = find(k, ev->source);
  if (!want)
    return bad(k, callback, ev->source, "no open stream of that path");
  want->calls++;
  sctx *got = *ev->stream_ctx;
  if (got != want)
    return bad(k, callback, ev->source,
               got ? "the slot holds another context" : "the slot is empty");
  if (got->owner != k)
    return bad(k, callback, ev->source, "another instance's context");
  *out = got;
  return THERMOS_OK;
}

static void forget(keeper *k, sctx *c) {
  for (sctx **p = &k->open; *p; p = &(*p)->next)
    if (*p == c) {
      *p = c->next;
      break;
    }
  free(c->source);
  free(c);
}

static int s_init(const thermos_host_v1 *host, void **ctx) {
  const char *out = host->config_get(host->host, "out");
  if (!out || !*out) {
    host->config_error(host->host, "out", "required");
    return THERMOS_ERROR;
  }
  keeper *k = calloc(1, sizeof *k);
  if (!k)
    return THERMOS_ERROR;
  k->host = host;
  k->fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (k->fd < 0) {
    free(k);
    return THERMOS_ERROR;
  }
  *ctx = k;
  return THERMOS_OK;
}

static void s_fini(void *ctx) {
  keeper *k = ctx;
  while (k->open) {
    put(k, "%s BAD fini source=%s: never closed\n", k->host->instance,
        k->open->source);
    forget(k, k->open);
  }
  close(k->fd);
  free(k);
}

static int s_stream_open(void *ctx, const thermos_event *ev) {
  keeper *k = ctx;
  if (!THERMOS_HAS_MEMBER(ev, thermos_event, stream_ctx) || !ev->stream_ctx)
    return bad(k, "on_stream_open", ev->source, "no stream_ctx slot");
  if (*ev->stream_ctx)
    return bad(k, "on_stream_open", ev->source, "the slot is not empty");
  if (find(k, ev->source))
    return bad(k, "on_stream_open", ev->source, "open already");
  sctx *c = calloc(1, sizeof *c);
  if (!c)
    return THERMOS_ERROR;
  c->source = strdup(ev->source);
  if (!c->source) {
    free(c);
    return THERMOS_ERROR;
  }
  c->owner = k;
  c->calls = 1;
  c->next = k->open;
  k->open = c;
  *ev->stream_ctx = c;
  return THERMOS_OK;
}

static int s_stream_error(void *ctx, const thermos_event *ev,
                          const char *reason) {
  sctx *c;
  (void)reason;
  return check(ctx, ev, "on_stream_error", &c);
}

static int s_stream_close(void *ctx, const thermos_event *ev) {
  keeper *k = ctx;
  sctx *c;
  int rc = check(k, ev, "on_stream_close", &c);
  if (!c)
    c = find(k, ev->source);
  if (!c)
    return rc;
  put(k, "%s close calls=%lu source=%s\n", k->host->instance, c->calls,
      c->source);
  forget(k, c);
  if (ev->stream_ctx)
    *ev->stream_ctx = NULL;
  return rc;
}

/* Every record callback: the checks, under the callback's name. */
static int check_named(void *ctx, const thermos_event *ev, const char *name) {
  sctx *c;
  return check(ctx, ev, name, &c);
}
TD_NAMED_RECORD_CALLBACKS(s, check_named)

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "stream_keeper",
    .version = "0",
    .options = OPTIONS,
    .init = s_init,
    .fini = s_fini,
    .on_stream_open = s_stream_open,
    .on_stream_error = s_stream_error,
    .on_stream_close = s_stream_close,
    TD_NAMED_RECORD_MEMBERS(s),
    .min_host_minor = 1, /* ev->stream_ctx is 1.1's */
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
