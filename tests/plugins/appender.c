/*
 * The `appender` test plugin (tests/test-metrics-self.sh): leaves bytes
 * unread behind the host, at a known moment.  It keeps the path of the
 * stream it sees opened (in its ev->stream_ctx slot, and for its tick);
 * at its first tick with a stream open it appends the bytes of the file
 * `from`, from byte `offset` on, to that stream, then reads the host's
 * stream statistics (ABI 1.1) and appends to the file named by `out`:
 *   appender appended=N unread=U source=SRC
 * An instance configured after it ticks next, with those bytes still
 * unread: the host reads them only once every tick is done.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL, "the file the line is appended to", NULL},
    {"from", THERMOS_OPT_PATH, NULL, "the file whose bytes are appended", NULL},
    {"offset", THERMOS_OPT_INT, "0", "the first byte of `from` appended", NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct appender {
  const thermos_host_v1 *host;
  const char *out;
  const char *from;
  long offset;
  char *source; /* the open stream's path, NULL: none */
  int done;
} appender;

static int a_init(const thermos_host_v1 *host, void **ctx) {
  if (!THERMOS_HAS_MEMBER(host, thermos_host_v1, stream_stats))
    return THERMOS_ERROR;
  appender *a = calloc(1, sizeof *a);
  if (!a)
    return THERMOS_ERROR;
  a->host = host;
  a->out = host->config_get(host->host, "out");
  a->from = host->config_get(host->host, "from");
  a->offset = atol(host->config_get(host->host, "offset"));
  if (!a->out || !a->from) {
    free(a);
    return THERMOS_ERROR;
  }
  *ctx = a;
  return THERMOS_OK;
}

static void a_fini(void *ctx) {
  appender *a = ctx;
  free(a->source);
  free(a);
}

static int a_stream_open(void *ctx, const thermos_event *ev) {
  appender *a = ctx;
  free(a->source);
  a->source = strdup(ev->source);
  *ev->stream_ctx = a->source;
  return a->source ? THERMOS_OK : THERMOS_ERROR;
}

static int a_stream_close(void *ctx, const thermos_event *ev) {
  appender *a = ctx;
  if (*ev->stream_ctx == a->source) {
    free(a->source);
    a->source = NULL;
  }
  return THERMOS_OK;
}

/* Appends from[offset..] to the stream; the bytes appended, or -1. */
static long append(const appender *a) {
  int in = open(a->from, O_RDONLY | O_CLOEXEC);
  int out = open(a->source, O_WRONLY | O_APPEND | O_CLOEXEC);
  long total = -1;
  if (in >= 0 && out >= 0 && lseek(in, a->offset, SEEK_SET) == a->offset) {
    char buf[65536];
    ssize_t n;
    total = 0;
    while ((n = read(in, buf, sizeof buf)) > 0) {
      if (write(out, buf, (size_t)n) != n) {
        total = -1;
        break;
      }
      total += n;
    }
  }
  if (in >= 0)
    close(in);
  if (out >= 0)
    close(out);
  return total;
}

static int a_tick(void *ctx, double now) {
  appender *a = ctx;
  const thermos_host_v1 *h = a->host;
  (void)now;
  if (a->done || !a->source)
    return THERMOS_OK;
  a->done = 1;
  long n = append(a);
  if (n < 0)
    return THERMOS_ERROR;
  FILE *f = fopen(a->out, "ae");
  if (!f)
    return THERMOS_ERROR;
  for (size_t i = 0; i < h->stream_count(h->host); i++) {
    thermos_stream_stats st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    if (h->stream_stats(h->host, i, &st))
      fprintf(f, "appender appended=%ld unread=%" PRIu64 " source=%s\n", n,
              st.bytes_unread, st.source);
  }
  fclose(f);
  return THERMOS_OK;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "appender",
    .version = "0",
    .options = OPTIONS,
    .init = a_init,
    .fini = a_fini,
    .tick = a_tick,
    .on_stream_open = a_stream_open,
    .on_stream_close = a_stream_close,
    .min_host_minor = 1,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
