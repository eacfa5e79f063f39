/*
 * The JSON form of the schema's structs (json.md).  Written by hand rather
 * than through json-glib because it is on the logger's hot path and must
 * handle bytes that are not UTF-8 exactly as json.md says.
 */
#include "json_write.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*
 * Length of the well-formed UTF-8 sequence at s (1 to 4), or the negated
 * length of its maximal ill-formed subpart (Unicode's "maximal subpart":
 * the longest prefix of a well-formed sequence), which becomes one U+FFFD.
 */
static int utf8_sequence(const unsigned char *s, size_t len) {
  unsigned char b = s[0];
  int need;
  unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
  if (b < 0x80)
    return 1;
  if (b >= 0xC2 && b <= 0xDF) {
    need = 1;
  } else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    if (b == 0xE0)
      lo = 0xA0;
    else if (b == 0xED)
      hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    if (b == 0xF0)
      lo = 0x90;
    else if (b == 0xF4)
      hi = 0x8F;
  } else {
    return -1;
  }
  for (int k = 1; k <= need; k++) {
    if ((size_t)k >= len)
      return -k;
    unsigned char c = s[k];
    unsigned char klo = k == 1 ? lo : 0x80, khi = k == 1 ? hi : 0xBF;
    if (c < klo || c > khi)
      return -k;
  }
  return need + 1;
}

/* Bytes copied as they are: ASCII from 0x20 on, but '"' and '\\'. */
static const unsigned char PLAIN[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

void td_json_write_string(GString *out, const char *data, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)data;
  size_t i = 0;
  g_string_append_c(out, '"');
  while (i < len) {
    /* Copy the longest run that needs no attention in one go. */
    size_t run = i;
    while (run < len && PLAIN[s[run]])
      run++;
    if (run > i) {
      td_put(out, data + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      g_string_append_c(out, '\\');
      g_string_append_c(out, (char)c);
      i++;
    } else if (c == '\n') {
      TD_PUT_LIT(out, "\\n");
      i++;
    } else if (c == '\t') {
      TD_PUT_LIT(out, "\\t");
      i++;
    } else if (c < 0x20) {
      char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
      td_put(out, esc, 6);
      i++;
    } else {
      int n = utf8_sequence(s + i, len - i);
      if (n > 0) {
        td_put(out, data + i, (size_t)n);
        i += (size_t)n;
      } else {
        TD_PUT_LIT(out, "\xEF\xBF\xBD"); /* U+FFFD */
        i += (size_t)-n;
      }
    }
  }
  g_string_append_c(out, '"');
}

/* Appends the decimal digits of v. */
static void append_u64(GString *out, uint64_t v) {
  char buf[20];
  size_t n = 0;
  do {
    buf[sizeof buf - ++n] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  td_put(out, buf + sizeof buf - n, n);
}

static void append_i64(GString *out, int64_t v) {
  if (v < 0) {
    g_string_append_c(out, '-');
    append_u64(out, (uint64_t)0 - (uint64_t)v);
  } else {
    append_u64(out, (uint64_t)v);
  }
}

/* The reference form: the shortest of %.15g, %.16g, %.17g that reads back
 * to `d`; g_ascii_formatd ignores the locale's decimal comma. */
static void append_double_printf(GString *out, double d) {
  static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    g_ascii_formatd(buf, sizeof buf, formats[i], d);
    if (i == G_N_ELEMENTS(formats) - 1 || g_ascii_strtod(buf, NULL) == d)
      break;
  }
  g_string_append(out, buf);
}

static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
 * The same text as append_double_printf, without printf, for what
 * checkpoints hold (timestamps with microseconds): values whose %.15g or
 * %.16g form is fixed-point and whose digits fit an exact integer.  For
 * precision P and decimal exponent X, %.Pg prints d rounded to k = P-1-X
 * decimals with trailing zeros removed; that decimal is m / 10^k with m
 * the integer nearest d * 10^k, found exactly with fma, and it reads back
 * to d exactly when the correctly rounded m / 10^k equals d.  Returns false
 * to leave the value to printf.
 */
static bool append_double_fast(GString *out, double d) {
  double a = fabs(d);
  if (!(a >= 1e-4 && a < 1e15))
    return false;
  /* x = floor(log10(a)).  Powers of ten up to 1e15 are exact; the
   * doubles nearest 0.1 to 0.0001 lie above the true values, so no double
   * falls between a true power and its double. */
  int x;
  if (a >= 1) {
    x = 0;
    while (x < 14 && a >= POW10[x + 1])
      x++;
  } else {
    x = a >= 1e-1 ? -1 : a >= 1e-2 ? -2 : a >= 1e-3 ? -3 : -4;
  }
  for (int precision = 15; precision <= 16; precision++) {
    int k = precision - 1 - x;
    if (k < 0 || k > 22)
      return false;
    double scale = POW10[k];
    double p = a * scale;
    if (!(p < 9007199254740992.0)) /* 2^53: m must be exact */
      return false;
    double err = fma(a, scale, -p); /* a * scale == p + err exactly */
    double m = nearbyint(p);        /* ties to even, as printf rounds */
    double f = p - m;               /* exact */
    /* Only a product that fell on a half can round the wrong way. */
    if (f == 0.5 && err > 0)
      m += 1;
    else if (f == -0.5 && err < 0)
      m -= 1;
    if (m / scale != a)
      continue;
    uint64_t digits = (uint64_t)m;
    while (k > 0 && digits % 10 == 0) {
      digits /= 10;
      k--;
    }
    if (signbit(d))
      g_string_append_c(out, '-');
    uint64_t div = 1;
    for (int i = 0; i < k; i++)
      div *= 10;
    append_u64(out, digits / div);
    if (k > 0) {
      char frac[24];
      uint64_t rest = digits % div;
      for (int i = k - 1; i >= 0; i--) {
        frac[i] = (char)('0' + rest % 10);
        rest /= 10;
      }
      g_string_append_c(out, '.');
      td_put(out, frac, (size_t)k);
    }
    return true;
  }
  return false;
}

void td_json_write_double(GString *out, double d) {
  if (!isfinite(d)) {
    TD_PUT_LIT(out, "null");
    return;
  }
  if (d == 0) {
    if (signbit(d))
      g_string_append_c(out, '-');
    g_string_append_c(out, '0');
    return;
  }
  if (!append_double_fast(out, d))
    append_double_printf(out, d);
}

static void append_enum(GString *out, const char *name, int32_t state) {
  g_string_append_c(out, '"');
  if (name) {
    td_put(out, name, strlen(name));
  } else {
    TD_PUT_LIT(out, "UNKNOWN_");
    append_i64(out, state);
  }
  g_string_append_c(out, '"');
}

void td_json_write_process_state(GString *out, int32_t state) {
  append_enum(out, td_process_state_name(state), state);
}

void td_json_write_task_state(GString *out, int32_t state) {
  append_enum(out, td_task_state_name(state), state);
}

/* Member writers: each adds a separator after the first member. */
typedef struct members {
  GString *out;
  bool first;
} members;

/* `quoted` is the member name with its quotes and colon: "\"seq\":". */
static void key_len(members *m, const char *quoted, size_t len) {
  if (!m->first)
    g_string_append_c(m->out, ',');
  m->first = false;
  td_put(m->out, quoted, len);
}
#define key(m, lit) key_len((m), (lit), sizeof(lit) - 1)

static void member_i64_len(members *m, const char *name, size_t len,
                           int64_t v) {
  key_len(m, name, len);
  append_i64(m->out, v);
}
#define member_i64(m, lit, v) member_i64_len((m), (lit), sizeof(lit) - 1, (v))

static void member_double_len(members *m, const char *name, size_t len,
                              double v) {
  key_len(m, name, len);
  td_json_write_double(m->out, v);
}
#define member_double(m, lit, v)                                               \
  member_double_len((m), (lit), sizeof(lit) - 1, (v))

static void member_str_len(members *m, const char *name, size_t len,
                           thermos_str s) {
  key_len(m, name, len);
  td_json_write_string(m->out, s.data, s.len);
}
#define member_str(m, lit, s) member_str_len((m), (lit), sizeof(lit) - 1, (s))

void td_json_write_process_status(GString *out,
                                  const thermos_process_status *ps) {
  members m = {out, true};
  uint32_t p = ps->present;
  g_string_append_c(out, '{');
  if (p & THERMOS_PS_SEQ)
    member_i64(&m, "\"seq\":", ps->seq);
  if (p & THERMOS_PS_PROCESS)
    member_str(&m, "\"process\":", ps->process);
  if (p & THERMOS_PS_STATE) {
    key(&m, "\"state\":");
    td_json_write_process_state(out, ps->state);
  }
  if (p & THERMOS_PS_COORDINATOR_PID)
    member_i64(&m, "\"coordinator_pid\":", ps->coordinator_pid);
  if (p & THERMOS_PS_FORK_TIME)
    member_double(&m, "\"fork_time\":", ps->fork_time);
  if (p & THERMOS_PS_START_TIME)
    member_double(&m, "\"start_time\":", ps->start_time);
  if (p & THERMOS_PS_PID)
    member_i64(&m, "\"pid\":", ps->pid);
  if (p & THERMOS_PS_STOP_TIME)
    member_double(&m, "\"stop_time\":", ps->stop_time);
  if (p & THERMOS_PS_RETURN_CODE)
    member_i64(&m, "\"return_code\":", ps->return_code);
  g_string_append_c(out, '}');
}

void td_json_write_task_status(GString *out, const thermos_task_status *ts) {
  members m = {out, true};
  uint32_t p = ts->present;
  g_string_append_c(out, '{');
  if (p & THERMOS_TS_STATE) {
    key(&m, "\"state\":");
    td_json_write_task_state(out, ts->state);
  }
  if (p & THERMOS_TS_TIMESTAMP_MS)
    member_i64(&m, "\"timestamp_ms\":", ts->timestamp_ms);
  if (p & THERMOS_TS_RUNNER_PID)
    member_i64(&m, "\"runner_pid\":", ts->runner_pid);
  if (p & THERMOS_TS_RUNNER_UID)
    member_i64(&m, "\"runner_uid\":", ts->runner_uid);
  g_string_append_c(out, '}');
}

void td_json_write_runner_header(GString *out,
                                 const thermos_runner_header *rh) {
  members m = {out, true};
  uint32_t p = rh->present;
  g_string_append_c(out, '{');
  if (p & THERMOS_RH_TASK_ID)
    member_str(&m, "\"task_id\":", rh->task_id);
  if (p & THERMOS_RH_LAUNCH_TIME_MS)
    member_i64(&m, "\"launch_time_ms\":", rh->launch_time_ms);
  if (p & THERMOS_RH_SANDBOX)
    member_str(&m, "\"sandbox\":", rh->sandbox);
  if (p & THERMOS_RH_LOG_DIR)
    member_str(&m, "\"log_dir\":", rh->log_dir);
  if (p & THERMOS_RH_HOSTNAME)
    member_str(&m, "\"hostname\":", rh->hostname);
  if (p & THERMOS_RH_USER)
    member_str(&m, "\"user\":", rh->user);
  if (p & THERMOS_RH_UID)
    member_i64(&m, "\"uid\":", rh->uid);
  if (p & THERMOS_RH_PORTS) {
    key(&m, "\"ports\":");
    g_string_append_c(out, '{');
    for (size_t i = 0; i < rh->n_ports; i++) {
      if (i)
        g_string_append_c(out, ',');
      td_json_write_string(out, rh->ports[i].name.data, rh->ports[i].name.len);
      g_string_append_c(out, ':');
      append_i64(out, rh->ports[i].port);
    }
    g_string_append_c(out, '}');
  }
  g_string_append_c(out, '}');
}

/* A decimal uint64_t, without printf's parsing of a format. */
static void put_u64(GString *out, uint64_t v) {
  char buf[24];
  size_t i = sizeof buf;
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  td_put(out, buf + i, sizeof buf - i);
}

void td_json_write_event_begin(GString *out, const char *event,
                               const thermos_event *ev) {
  TD_PUT_LIT(out, "{\"event\":\"");
  td_put(out, event, strlen(event));
  TD_PUT_LIT(out, "\",\"record\":");
  put_u64(out, ev->record);
  TD_PUT_LIT(out, ",\"offset\":");
  put_u64(out, ev->offset);
}

void td_json_write_event_end(GString *out, const thermos_event *ev,
                             const GString *source_json) {
  TD_PUT_LIT(out, ",\"task_id\":");
  td_json_write_string(out, ev->task_id.data, ev->task_id.len);
  TD_PUT_LIT(out, ",\"source\":");
  if (source_json)
    td_put(out, source_json->str, source_json->len);
  else
    td_json_write_string(out, ev->source, strlen(ev->source));
  if (ev->history)
    TD_PUT_LIT(out, ",\"history\":true}");
  else
    TD_PUT_LIT(out, ",\"history\":false}");
}
