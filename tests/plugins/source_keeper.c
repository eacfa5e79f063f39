/*
 * The `source_keeper` test plugin (tests/test-plugin-source.sh): checks the
 * promise of ABI 1.1 that `ev->source` stays valid and unchanged from a
 * stream's on_stream_open to its on_stream_close.  on_stream_open keeps the
 * pointer, and a copy of its bytes; every later callback of that stream
 * (found by the bytes: several streams may be open at once) checks that
 * the event carries the same pointer, and that the bytes behind it are
 * still those of the copy.  The kept pointer is only compared, never read
 * through: were the promise broken, that would be a use after free.
 *
 * Lines, appended to the file named by `out` (one write(2) each):
 *   keep close calls=N bad=B source=SRC
 *       from on_stream_close: the callbacks of the stream, on_stream_open
 *       and on_stream_close included, and how many failed a check;
 *   keep BAD CALLBACK source=SRC: WHY
 *       a check failed (and the callback returns THERMOS_ERROR).
 * A test compares the close lines with the callbacks the recorder saw, and
 * no BAD line may appear.
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

/* One open stream. */
typedef struct kept {
  struct kept *next;
  const char *ptr; /* ev->source as on_stream_open saw it */
  char *copy;      /* its bytes, with the NUL */
  size_t len;
  unsigned long calls;
  unsigned long bad;
} kept;

typedef struct keeper {
  int fd;
  kept *open;
} keeper;

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

static int bad(keeper *k, kept *s, const char *callback, const char *source,
               const char *why) {
  if (s)
    s->bad++;
  put(k, "keep BAD %s source=%s: %s\n", callback, source ? source : "NULL",
      why);
  return THERMOS_ERROR;
}

/* The open stream of that name, or NULL. */
static kept *find(const keeper *k, const char *source) {
  for (kept *s = k->open; s; s = s->next)
    if (strcmp(s->copy, source) == 0)
      return s;
  return NULL;
}

/* The checks of every callback after on_stream_open; `*found` is the
 * stream's record, or NULL. */
static int check(keeper *k, const thermos_event *ev, const char *callback,
                 kept **found) {
  *found = NULL;
  if (!ev->source)
    return bad(k, NULL, callback, NULL, "no source");
  kept *s = find(k, ev->source);
  if (!s)
    return bad(k, NULL, callback, ev->source, "no open stream of that name");
  *found = s;
  s->calls++;
  if (ev->source != s->ptr)
    return bad(k, s, callback, ev->source, "pointer changed");
  if (memcmp(ev->source, s->copy, s->len + 1) != 0)
    return bad(k, s, callback, ev->source, "bytes changed");
  return THERMOS_OK;
}

static void forget(keeper *k, kept *s) {
  for (kept **p = &k->open; *p; p = &(*p)->next)
    if (*p == s) {
      *p = s->next;
      break;
    }
  free(s->copy);
  free(s);
}

static int k_init(const thermos_host_v1 *host, void **ctx) {
  const char *out = host->config_get(host->host, "out");
  if (!out || !*out) {
    host->config_error(host->host, "out", "required");
    return THERMOS_ERROR;
  }
  keeper *k = calloc(1, sizeof *k);
  if (!k)
    return THERMOS_ERROR;
  k->fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (k->fd < 0) {
    free(k);
    return THERMOS_ERROR;
  }
  *ctx = k;
  return THERMOS_OK;
}

static void k_fini(void *ctx) {
  keeper *k = ctx;
  while (k->open) {
    put(k, "keep BAD fini source=%s: never closed\n", k->open->copy);
    forget(k, k->open);
  }
  close(k->fd);
  free(k);
}

static int k_stream_open(void *ctx, const thermos_event *ev) {
  keeper *k = ctx;
  if (!ev->source)
    return bad(k, NULL, "on_stream_open", NULL, "no source");
  if (find(k, ev->source))
    return bad(k, NULL, "on_stream_open", ev->source, "open already");
  kept *s = calloc(1, sizeof *s);
  if (!s)
    return THERMOS_ERROR;
  s->len = strlen(ev->source);
  s->copy = malloc(s->len + 1);
  if (!s->copy) {
    free(s);
    return THERMOS_ERROR;
  }
  memcpy(s->copy, ev->source, s->len + 1);
  s->ptr = ev->source;
  s->calls = 1;
  s->next = k->open;
  k->open = s;
  return THERMOS_OK;
}

static int k_stream_error(void *ctx, const thermos_event *ev,
                          const char *reason) {
  kept *s;
  (void)reason;
  return check(ctx, ev, "on_stream_error", &s);
}

static int k_stream_close(void *ctx, const thermos_event *ev) {
  keeper *k = ctx;
  kept *s;
  int rc = check(k, ev, "on_stream_close", &s);
  if (!s)
    return rc;
  put(k, "keep close calls=%lu bad=%lu source=%s\n", s->calls, s->bad, s->copy);
  forget(k, s);
  return rc;
}

/* Every record callback: the checks, under the callback's name. */
static int check_named(void *ctx, const thermos_event *ev, const char *name) {
  kept *s;
  return check(ctx, ev, name, &s);
}
TD_NAMED_RECORD_CALLBACKS(k, check_named)

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "source_keeper",
    .version = "0",
    .options = OPTIONS,
    .init = k_init,
    .fini = k_fini,
    .on_stream_open = k_stream_open,
    .on_stream_error = k_stream_error,
    .on_stream_close = k_stream_close,
    TD_NAMED_RECORD_MEMBERS(k),
    .min_host_minor = 1, /* the promise it checks is 1.1's */
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
