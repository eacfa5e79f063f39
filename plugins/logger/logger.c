/*
 * The bundled `logger` plugin: one line per universal callback, as text for
 * people or as json.md's event lines for programs, on stdout, stderr or an
 * appended file (reopened on SIGHUP).  See thermos-dispatch-logger(5).
 *
 * Everything here is static but the entry point: the module is loaded into
 * a host that may load other modules, so it must export nothing else.
 * JSON forms come from the host's td_json_* writers (host/libtdjson), linked
 * into the module, so the logger and `state --json` can never disagree.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <thermos/handler.h>

#include "format/json_write.h"
#include "plugin_options.h"
#include "logger_output.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* Appends a string literal without measuring it at run time. */
#define APPEND_LIT(b, lit) TD_PUT_LIT((b), (lit))

/* One instance: two sections backed by this module share nothing. */
typedef struct logger {
  const thermos_host_v1 *host;
  bool json;       /* format = json */
  bool timestamps; /* text: lead with the dispatch time */
  bool live_only;  /* events = live */
  bool flush_live; /* tail/watch: a live line is written at once */
  lg_output out;
  /* The timestamp up to the seconds, formatted once per second: gmtime and
   * strftime for every line would cost more than the rest of the line. */
  time_t stamp_sec;
  char stamp[40];
  size_t stamp_len;
  /* The JSON string of the stream's source, made once per stream: the
   * host keeps `source` at one address for a stream's life. */
  const char *source;
  GString *source_json;
} logger;

static const thermos_option OPTIONS[] = {
    {"format", THERMOS_OPT_ENUM, "text",
     "line format: text (for people) or json (one JSON object a line)",
     "text|json"},
    {"output", THERMOS_OPT_PATH, "-",
     "- (standard output), stderr, or a file appended to and reopened on "
     "SIGHUP",
     NULL},
    {"timestamps", THERMOS_OPT_BOOL, "yes",
     "text format: begin each line with the dispatch time (ISO 8601 UTC)",
     NULL},
    {"events", THERMOS_OPT_ENUM, "all",
     "all, or live: leave out records re-read to rebuild state (history)",
     "all|live"},
    {NULL, 0, NULL, NULL, NULL}};

/* --- line building ------------------------------------------------------
 *
 * A line is written with plain stores into room reserved at the end of the
 * buffer: a GString call per piece cost more than everything else a text
 * line needs.  Each writer takes and returns the write position. */

/* Reserves n bytes at the end of b; returns where they go.  line_end()
 * then sets the length to what was written. */
static char *line_room(GString *b, size_t n) {
  if (b->allocated_len - b->len <= n) {
    size_t len = b->len;
    g_string_set_size(b, len + n); /* grows the allocation */
    g_string_truncate(b, len);     /* and keeps it */
  }
  return b->str + b->len;
}

static void line_end(GString *b, char *p) {
  *p = '\0';
  b->len = (gsize)(p - b->str);
}

static char *put(char *p, const char *s, size_t n) {
  memcpy(p, s, n);
  return p + n;
}

#define PUT_LIT(p, lit) put((p), (lit), sizeof(lit) - 1)
/* Room for put_i64 and put_u64: 20 digits and a sign. */
#define NUM_MAX 21

static char *put_u64(char *p, uint64_t v) {
  char t[20];
  size_t i = sizeof t;
  do {
    t[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  return put(p, t + i, sizeof t - i);
}

static char *put_i64(char *p, int64_t v) {
  if (v >= 0)
    return put_u64(p, (uint64_t)v);
  *p++ = '-';
  return put_u64(p, (uint64_t)0 - (uint64_t)v); /* INT64_MIN too */
}

/* Text form of a name: printable ASCII as is, every other byte as \xHH (as
 * in `state`'s summary), so a line stays one line of plain text.  At most
 * 4 * s.len bytes. */
static char *put_text(char *p, thermos_str s) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *c = (const unsigned char *)s.data;
  for (size_t i = 0; i < s.len; i++) {
    if (c[i] >= 0x20 && c[i] < 0x7f) {
      *p++ = (char)c[i];
    } else {
      *p++ = '\\';
      *p++ = 'x';
      *p++ = hex[c[i] >> 4];
      *p++ = hex[c[i] & 15];
    }
  }
  return p;
}

/* The dispatch time, `2026-11-30T05:41:06.123Z `: at most
 * sizeof lg->stamp + 5 bytes. */
static char *put_timestamp(logger *lg, char *p) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (ts.tv_sec != lg->stamp_sec || lg->stamp_len == 0) {
    struct tm tm;
    lg->stamp_len =
        gmtime_r(&ts.tv_sec, &tm)
            ? strftime(lg->stamp, sizeof lg->stamp, "%Y-%m-%dT%H:%M:%S.", &tm)
            : 0;
    lg->stamp_sec = ts.tv_sec;
  }
  p = put(p, lg->stamp, lg->stamp_len);
  unsigned ms = (unsigned)(ts.tv_nsec / 1000000);
  *p++ = (char)('0' + ms / 100);
  *p++ = (char)('0' + ms / 10 % 10);
  *p++ = (char)('0' + ms % 10);
  *p++ = 'Z';
  *p++ = ' ';
  return p;
}

/* Room for a text line's fixed parts: time, ` record N: `, the event's
 * words and four integer fields; names need 4 bytes a byte on top. */
#define TEXT_FIXED 256

/* `<time> <task_id or -> record <n>: ` */
static char *text_begin(logger *lg, char *p, const thermos_event *ev) {
  if (lg->timestamps)
    p = put_timestamp(lg, p);
  if (ev->task_id.len)
    p = put_text(p, ev->task_id);
  else
    *p++ = '-';
  p = PUT_LIT(p, " record ");
  p = put_u64(p, ev->record);
  return PUT_LIT(p, ": ");
}

/* ` key=value` for a string field that is set. */
static char *text_field(char *p, bool set, const char *key, thermos_str v) {
  if (!set)
    return p;
  *p++ = ' ';
  p = put(p, key, strlen(key));
  *p++ = '=';
  return put_text(p, v);
}

/* ` key=N` for an integer field that is set. */
static char *text_int(char *p, bool set, const char *key, int64_t v) {
  if (!set)
    return p;
  *p++ = ' ';
  p = put(p, key, strlen(key));
  *p++ = '=';
  return put_i64(p, v);
}

/* An enum name, or UNKNOWN_<n> as in json.md. */
static char *text_state(char *p, const char *name, int32_t state) {
  if (name)
    return put(p, name, strlen(name));
  p = PUT_LIT(p, "UNKNOWN_");
  return put_i64(p, state);
}

/* The event object (shared with the observer, in libtdjson); the logger
 * keeps the source written as JSON for as long as the stream lasts. */
static void json_begin(GString *b, const char *event, const thermos_event *ev) {
  td_json_write_event_begin(b, event, ev);
}

/* `,"task_id":...,"source":...,"history":...}` and the newline. */
static void json_end(logger *lg, GString *b, const thermos_event *ev) {
  if (ev->source != lg->source) {
    g_string_truncate(lg->source_json, 0);
    td_json_write_string(lg->source_json, ev->source, strlen(ev->source));
    lg->source = ev->source;
  }
  td_json_write_event_end(b, ev, lg->source_json);
  g_string_append_c(b, '\n');
}

/* After a line: write the buffer out when it is full, and at once for a
 * live event while following, so a reader of the log sees it now. */
static int line_done(logger *lg, const thermos_event *ev) {
  if (lg->out.buf->len >= LG_FLUSH_THRESHOLD ||
      (lg->flush_live && !ev->history))
    return lg_output_flush(&lg->out);
  return THERMOS_OK;
}

/* --- callbacks ---------------------------------------------------------- */

static int logger_on_initialization(void *ctx, const thermos_event *ev,
                                    const thermos_runner_header *h) {
  logger *lg = ctx;
  if (lg->live_only && ev->history)
    return THERMOS_OK;
  GString *b = lg->out.buf;
  if (lg->json) {
    json_begin(b, "initialization", ev);
    APPEND_LIT(b, ",\"header\":");
    td_json_write_runner_header(b, h);
    json_end(lg, b, ev);
  } else {
    uint32_t set = h->present;
    char *p = line_room(b, TEXT_FIXED + 4 * (ev->task_id.len + h->task_id.len +
                                             h->user.len + h->hostname.len +
                                             h->sandbox.len));
    p = text_begin(lg, p, ev);
    p = PUT_LIT(p, "initialization");
    p = text_field(p, set & THERMOS_RH_TASK_ID, "task_id", h->task_id);
    p = text_field(p, set & THERMOS_RH_USER, "user", h->user);
    p = text_field(p, set & THERMOS_RH_HOSTNAME, "hostname", h->hostname);
    p = text_field(p, set & THERMOS_RH_SANDBOX, "sandbox", h->sandbox);
    *p++ = '\n';
    line_end(b, p);
  }
  return line_done(lg, ev);
}

static int logger_on_process_transition(void *ctx, const thermos_event *ev,
                                        int32_t state,
                                        const thermos_process_status *ps) {
  logger *lg = ctx;
  if (lg->live_only && ev->history)
    return THERMOS_OK;
  GString *b = lg->out.buf;
  if (lg->json) {
    json_begin(b, "process_transition", ev);
    APPEND_LIT(b, ",\"state\":");
    td_json_write_process_state(b, state);
    APPEND_LIT(b, ",\"process_status\":");
    td_json_write_process_status(b, ps);
    json_end(lg, b, ev);
  } else {
    uint32_t set = ps->present;
    char *p =
        line_room(b, TEXT_FIXED + 4 * (ev->task_id.len + ps->process.len));
    p = text_begin(lg, p, ev);
    p = PUT_LIT(p, "process ");
    if (set & THERMOS_PS_PROCESS)
      p = put_text(p, ps->process);
    else
      *p++ = '-';
    *p++ = ' ';
    p = text_state(p, td_process_state_name(state), state);
    /* The fields that say what happened; times are in the JSON form. */
    p = text_int(p, set & THERMOS_PS_SEQ, "seq", ps->seq);
    p = text_int(p, set & THERMOS_PS_COORDINATOR_PID, "coordinator_pid",
                 ps->coordinator_pid);
    p = text_int(p, set & THERMOS_PS_PID, "pid", ps->pid);
    p = text_int(p, set & THERMOS_PS_RETURN_CODE, "return_code",
                 ps->return_code);
    *p++ = '\n';
    line_end(b, p);
  }
  return line_done(lg, ev);
}

static int logger_on_task_transition(void *ctx, const thermos_event *ev,
                                     int32_t state,
                                     const thermos_task_status *ts) {
  logger *lg = ctx;
  if (lg->live_only && ev->history)
    return THERMOS_OK;
  GString *b = lg->out.buf;
  if (lg->json) {
    json_begin(b, "task_transition", ev);
    APPEND_LIT(b, ",\"state\":");
    td_json_write_task_state(b, state);
    APPEND_LIT(b, ",\"task_status\":");
    td_json_write_task_status(b, ts);
    json_end(lg, b, ev);
  } else {
    char *p = line_room(b, TEXT_FIXED + 4 * ev->task_id.len);
    p = text_begin(lg, p, ev);
    p = PUT_LIT(p, "task ");
    p = text_state(p, td_task_state_name(state), state);
    *p++ = '\n';
    line_end(b, p);
  }
  return line_done(lg, ev);
}

/* The end of a stream, the periodic tick: what is buffered goes out, so a
 * reader never waits more than about a second for a line. */
static int logger_on_stream_close(void *ctx, const thermos_event *ev) {
  (void)ev;
  logger *lg = ctx;
  /* The closed stream's path may be freed and its address reused. */
  lg->source = NULL;
  return lg_output_flush(&lg->out);
}

static int logger_tick(void *ctx, double now) {
  (void)now;
  logger *lg = ctx;
  return lg_output_flush(&lg->out);
}

static int logger_reopen(void *ctx) {
  logger *lg = ctx;
  return lg_output_reopen(&lg->out);
}

/* --- life cycle --------------------------------------------------------- */

/* Sets *second when the value is `second`, clears it when it is `first`. */
static bool parse_choice(const thermos_host_v1 *host, const char *key,
                         const char *first, const char *second, bool *out) {
  const char *v = tdp_option(host, key, first);
  if (strcmp(v, first) == 0 || strcmp(v, second) == 0) {
    *out = strcmp(v, second) == 0;
    return true;
  }
  char *msg =
      g_strdup_printf("expected one of %s|%s, not '%s'", first, second, v);
  host->config_error(host->host, key, msg);
  g_free(msg);
  return false;
}

static int logger_init(const thermos_host_v1 *host, void **ctx) {
  logger *lg = g_new0(logger, 1);
  lg->host = host;
  lg->source_json = g_string_new(NULL);
  /* Every problem is reported, not only the first. */
  bool ok = parse_choice(host, "format", "text", "json", &lg->json);
  ok = tdp_option_bool(host, "timestamps", "", &lg->timestamps) && ok;
  ok = parse_choice(host, "events", "all", "live", &lg->live_only) && ok;
  if (!ok ||
      lg_output_open(&lg->out, host, tdp_option(host, "output", "-")) != 0) {
    g_string_free(lg->source_json, TRUE);
    g_free(lg); /* the host calls no fini after a failed init */
    return THERMOS_ERROR;
  }
  lg->flush_live =
      host->mode == THERMOS_MODE_TAIL || host->mode == THERMOS_MODE_WATCH;
  *ctx = lg;
  return THERMOS_OK;
}

static void logger_fini(void *ctx) {
  logger *lg = ctx;
  lg_output_close(&lg->out); /* flushes; failures are logged */
  g_string_free(lg->source_json, TRUE);
  g_free(lg);
}

static const thermos_handler_v1 LOGGER = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "logger",
    .version = PACKAGE_VERSION,
    .options = OPTIONS,
    .init = logger_init,
    .fini = logger_fini,
    .reopen = logger_reopen,
    .tick = logger_tick,
    .on_stream_close = logger_on_stream_close,
    .on_initialization = logger_on_initialization,
    .on_process_transition = logger_on_process_transition,
    .on_task_transition = logger_on_task_transition,
};

THERMOS_EXPORT const thermos_handler_v1 *thermos_handler_v1_entry(void) {
  return &LOGGER;
}
