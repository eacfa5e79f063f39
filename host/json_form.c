/*
 * The JSON form of the schema's structs (json.md).  Written by hand rather
 * than through json-glib because it is on the logger's hot path and must
 * handle bytes that are not UTF-8 exactly as json.md says.
 */
#include "json_form.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const PROCESS_STATE_NAMES[] = {
    "WAITING", "FORKED", "RUNNING", "SUCCESS", "KILLED", "FAILED", "LOST"};
static const char *const TASK_STATE_NAMES[] = {
    "ACTIVE", "SUCCESS", "FAILED", "KILLED", "LOST", "CLEANING", "FINALIZING"};

const char *td_process_state_name(int32_t state) {
  if (state < 0 || state >= (int32_t)G_N_ELEMENTS(PROCESS_STATE_NAMES))
    return NULL;
  return PROCESS_STATE_NAMES[state];
}

const char *td_task_state_name(int32_t state) {
  if (state < 0 || state >= (int32_t)G_N_ELEMENTS(TASK_STATE_NAMES))
    return NULL;
  return TASK_STATE_NAMES[state];
}

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

void td_json_string(GString *out, const char *data, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)data;
  size_t i = 0;
  g_string_append_c(out, '"');
  while (i < len) {
    /* Copy the longest run that needs no attention in one go. */
    size_t run = i;
    while (run < len && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' &&
           s[run] != '\\')
      run++;
    if (run > i) {
      g_string_append_len(out, data + i, (gssize)(run - i));
      i = run;
      continue;
    }
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      g_string_append_c(out, '\\');
      g_string_append_c(out, (char)c);
      i++;
    } else if (c == '\n') {
      g_string_append(out, "\\n");
      i++;
    } else if (c == '\t') {
      g_string_append(out, "\\t");
      i++;
    } else if (c < 0x20) {
      char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
      g_string_append(out, esc);
      i++;
    } else {
      int n = utf8_sequence(s + i, len - i);
      if (n > 0) {
        g_string_append_len(out, data + i, n);
        i += (size_t)n;
      } else {
        g_string_append(out, "\xEF\xBF\xBD"); /* U+FFFD */
        i += (size_t)-n;
      }
    }
  }
  g_string_append_c(out, '"');
}

void td_json_double(GString *out, double d) {
  if (!isfinite(d)) {
    g_string_append(out, "null");
    return;
  }
  /* g_ascii_formatd ignores the locale's decimal comma. */
  static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (size_t i = 0; i < G_N_ELEMENTS(formats); i++) {
    g_ascii_formatd(buf, sizeof buf, formats[i], d);
    if (i == G_N_ELEMENTS(formats) - 1 || g_ascii_strtod(buf, NULL) == d)
      break;
  }
  g_string_append(out, buf);
}

static void append_enum(GString *out, const char *name, int32_t state) {
  if (name)
    g_string_append_printf(out, "\"%s\"", name);
  else
    g_string_append_printf(out, "\"UNKNOWN_%" PRId32 "\"", state);
}

void td_json_process_state(GString *out, int32_t state) {
  append_enum(out, td_process_state_name(state), state);
}

void td_json_task_state(GString *out, int32_t state) {
  append_enum(out, td_task_state_name(state), state);
}

/* Member writers: each adds a separator after the first member. */
typedef struct members {
  GString *out;
  bool first;
} members;

static void key(members *m, const char *name) {
  if (!m->first)
    g_string_append_c(m->out, ',');
  m->first = false;
  g_string_append_printf(m->out, "\"%s\":", name);
}

static void member_i64(members *m, const char *name, int64_t v) {
  key(m, name);
  g_string_append_printf(m->out, "%" PRId64, v);
}

static void member_double(members *m, const char *name, double v) {
  key(m, name);
  td_json_double(m->out, v);
}

static void member_str(members *m, const char *name, thermos_str s) {
  key(m, name);
  td_json_string(m->out, s.data, s.len);
}

void td_json_process_status(GString *out, const thermos_process_status *ps) {
  members m = {out, true};
  uint32_t p = ps->present;
  g_string_append_c(out, '{');
  if (p & THERMOS_PS_SEQ)
    member_i64(&m, "seq", ps->seq);
  if (p & THERMOS_PS_PROCESS)
    member_str(&m, "process", ps->process);
  if (p & THERMOS_PS_STATE) {
    key(&m, "state");
    td_json_process_state(out, ps->state);
  }
  if (p & THERMOS_PS_COORDINATOR_PID)
    member_i64(&m, "coordinator_pid", ps->coordinator_pid);
  if (p & THERMOS_PS_FORK_TIME)
    member_double(&m, "fork_time", ps->fork_time);
  if (p & THERMOS_PS_START_TIME)
    member_double(&m, "start_time", ps->start_time);
  if (p & THERMOS_PS_PID)
    member_i64(&m, "pid", ps->pid);
  if (p & THERMOS_PS_STOP_TIME)
    member_double(&m, "stop_time", ps->stop_time);
  if (p & THERMOS_PS_RETURN_CODE)
    member_i64(&m, "return_code", ps->return_code);
  g_string_append_c(out, '}');
}

void td_json_task_status(GString *out, const thermos_task_status *ts) {
  members m = {out, true};
  uint32_t p = ts->present;
  g_string_append_c(out, '{');
  if (p & THERMOS_TS_STATE) {
    key(&m, "state");
    td_json_task_state(out, ts->state);
  }
  if (p & THERMOS_TS_TIMESTAMP_MS)
    member_i64(&m, "timestamp_ms", ts->timestamp_ms);
  if (p & THERMOS_TS_RUNNER_PID)
    member_i64(&m, "runner_pid", ts->runner_pid);
  if (p & THERMOS_TS_RUNNER_UID)
    member_i64(&m, "runner_uid", ts->runner_uid);
  g_string_append_c(out, '}');
}

void td_json_runner_header(GString *out, const thermos_runner_header *rh) {
  members m = {out, true};
  uint32_t p = rh->present;
  g_string_append_c(out, '{');
  if (p & THERMOS_RH_TASK_ID)
    member_str(&m, "task_id", rh->task_id);
  if (p & THERMOS_RH_LAUNCH_TIME_MS)
    member_i64(&m, "launch_time_ms", rh->launch_time_ms);
  if (p & THERMOS_RH_SANDBOX)
    member_str(&m, "sandbox", rh->sandbox);
  if (p & THERMOS_RH_LOG_DIR)
    member_str(&m, "log_dir", rh->log_dir);
  if (p & THERMOS_RH_HOSTNAME)
    member_str(&m, "hostname", rh->hostname);
  if (p & THERMOS_RH_USER)
    member_str(&m, "user", rh->user);
  if (p & THERMOS_RH_UID)
    member_i64(&m, "uid", rh->uid);
  if (p & THERMOS_RH_PORTS) {
    key(&m, "ports");
    g_string_append_c(out, '{');
    for (size_t i = 0; i < rh->n_ports; i++) {
      if (i)
        g_string_append_c(out, ',');
      td_json_string(out, rh->ports[i].name.data, rh->ports[i].name.len);
      g_string_append_printf(out, ":%" PRId64, rh->ports[i].port);
    }
    g_string_append_c(out, '}');
  }
  g_string_append_c(out, '}');
}
