/*
 * The human summary of `state`.  Unlike the reference's `thermos read`, it
 * shows every value that may be absent as "-", so a run that never got a
 * pid (a process that failed while WAITING) prints like any other.
 */
#include "state_summary.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/diag.h"
#include "json_write.h"

void td_format_time_ms(GString *out, int64_t ms) {
  int64_t secs = ms / 1000, rem = ms % 1000;
  if (rem < 0) {
    rem += 1000;
    secs -= 1;
  }
  struct tm tm;
  time_t t = (time_t)secs;
  /* Years past 9999 would not be ISO 8601's four digits. */
  if (secs < -62135596800LL || secs > 253402300799LL || !gmtime_r(&t, &tm)) {
    g_string_append_printf(out, "%" PRId64 "ms", ms);
    return;
  }
  g_string_append_printf(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                         tm.tm_hour, tm.tm_min, tm.tm_sec, (int)rem);
}

static void format_time_s(GString *out, double s) {
  double ms = floor(s * 1000.0 + 0.5);
  if (!isfinite(ms) || ms < -9.2e18 || ms > 9.2e18) {
    td_json_write_double(out, s);
    return;
  }
  td_format_time_ms(out, (int64_t)ms);
}

static void label(GString *out, const char *name) {
  g_string_append_printf(out, "  %-15s ", name);
}

static void str_line(GString *out, const char *name, bool present,
                     thermos_str s) {
  label(out, name);
  if (present)
    td_escape_bytes(out, s.data, s.len);
  else
    g_string_append_c(out, '-');
  g_string_append_c(out, '\n');
}

static void state_name(GString *out, const char *name, int32_t state) {
  if (name)
    g_string_append(out, name);
  else
    g_string_append_printf(out, "UNKNOWN_%" PRId32, state);
}

static void header_summary(GString *out, const thermos_runner_header *h) {
  if (!h) {
    g_string_append(out, "task: - (no header)\n");
    return;
  }
  g_string_append(out, "task: ");
  if (h->present & THERMOS_RH_TASK_ID)
    td_escape_bytes(out, h->task_id.data, h->task_id.len);
  else
    g_string_append_c(out, '-');
  g_string_append_c(out, '\n');
  label(out, "launched");
  if (h->present & THERMOS_RH_LAUNCH_TIME_MS)
    td_format_time_ms(out, h->launch_time_ms);
  else
    g_string_append_c(out, '-');
  g_string_append_c(out, '\n');
  str_line(out, "user", h->present & THERMOS_RH_USER, h->user);
  label(out, "uid");
  if (h->present & THERMOS_RH_UID)
    g_string_append_printf(out, "%" PRId32 "\n", h->uid);
  else
    g_string_append(out, "-\n");
  str_line(out, "hostname", h->present & THERMOS_RH_HOSTNAME, h->hostname);
  str_line(out, "sandbox", h->present & THERMOS_RH_SANDBOX, h->sandbox);
  str_line(out, "log_dir", h->present & THERMOS_RH_LOG_DIR, h->log_dir);
  label(out, "ports");
  if (!(h->present & THERMOS_RH_PORTS) || h->n_ports == 0)
    g_string_append_c(out, '-');
  for (size_t i = 0; i < h->n_ports; i++) {
    if (i)
      g_string_append_c(out, ' ');
    td_escape_bytes(out, h->ports[i].name.data, h->ports[i].name.len);
    g_string_append_printf(out, "=%" PRId64, h->ports[i].port);
  }
  g_string_append_c(out, '\n');
}

static void task_summary(GString *out, const thermos_runner_state *st) {
  size_t n = td_runner_state_task_status_count(st);
  g_string_append(out, "task states:");
  if (n == 0)
    g_string_append(out, " -");
  g_string_append_c(out, '\n');
  for (size_t i = 0; i < n; i++) {
    const thermos_task_status *ts = td_runner_state_task_status(st, i);
    g_string_append(out, "  ");
    if (ts->present & THERMOS_TS_TIMESTAMP_MS)
      td_format_time_ms(out, ts->timestamp_ms);
    else
      g_string_append_c(out, '-');
    g_string_append_c(out, ' ');
    state_name(out, td_task_state_name(ts->state), ts->state);
    g_string_append_c(out, '\n');
  }
}

static const thermos_runner_state *sort_state;

static int by_name(const void *a, const void *b) {
  thermos_str x = td_runner_state_process_name(sort_state, *(const size_t *)a);
  thermos_str y = td_runner_state_process_name(sort_state, *(const size_t *)b);
  size_t n = x.len < y.len ? x.len : y.len;
  int c = n ? memcmp(x.data, y.data, n) : 0;
  if (c)
    return c;
  return x.len < y.len ? -1 : x.len > y.len;
}

static void run_summary(GString *out, uint64_t number,
                        const thermos_process_status *run) {
  g_string_append_printf(out, "    run %-4" PRIu64 " pid ", number);
  if (run->present & THERMOS_PS_PID)
    g_string_append_printf(out, "%-7" PRId32, run->pid);
  else
    g_string_append(out, "-      ");
  g_string_append(out, " rc ");
  if (run->present & THERMOS_PS_RETURN_CODE)
    g_string_append_printf(out, "%-4" PRId32, run->return_code);
  else
    g_string_append(out, "-   ");
  g_string_append(out, " finished ");
  if (run->present & THERMOS_PS_STOP_TIME)
    format_time_s(out, run->stop_time);
  else
    g_string_append(out, "-                       ");
  g_string_append_c(out, ' ');
  if (run->present & THERMOS_PS_STATE)
    state_name(out, td_process_state_name(run->state), run->state);
  else
    g_string_append_c(out, '-');
  g_string_append_c(out, '\n');
}

void td_state_summary(GString *out, const thermos_runner_state *st) {
  header_summary(out, td_runner_state_header(st));
  task_summary(out, st);
  size_t n = td_runner_state_process_count(st);
  g_string_append(out, "processes:");
  if (n == 0)
    g_string_append(out, " -");
  g_string_append_c(out, '\n');
  size_t *order = g_new(size_t, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    order[i] = i;
  sort_state = st;
  qsort(order, n, sizeof *order, by_name);
  for (size_t k = 0; k < n; k++) {
    size_t i = order[k];
    thermos_str name = td_runner_state_process_name(st, i);
    size_t kept = td_runner_state_run_count_at(st, i);
    /* Run numbers are true indexes: truncate mode keeps only the last. */
    uint64_t first = td_runner_state_runs_started_at(st, i) - kept;
    g_string_append(out, "  ");
    td_escape_bytes(out, name.data, name.len);
    g_string_append_c(out, '\n');
    for (size_t r = kept; r-- > 0;)
      run_summary(out, first + r, td_runner_state_run_at(st, i, r));
  }
  g_free(order);
}
