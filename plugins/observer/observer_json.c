/* Aurora's observer JSON (observer_json.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "format/json_write.h"
#include "observer_config.h"
#include "observer_json.h"

#define LIT(out, s) g_string_append_len((out), (s), (gssize)(sizeof(s) - 1))

static void put_str(GString *out, const char *s) {
  td_json_write_string(out, s ? s : "", s ? strlen(s) : 0);
}

static void put_i64(GString *out, int64_t v) {
  g_string_append_printf(out, "%" PRId64, v);
}

static void put_u64(GString *out, uint64_t v) {
  g_string_append_printf(out, "%" PRIu64, v);
}

/* Integer seconds, as Aurora's (timestamp_ms / 1000 in Python 2). */
static void put_secs(GString *out, double t) {
  put_i64(out, isfinite(t) ? (int64_t)floor(t) : 0);
}

long obs_json_offset(long offset, size_t total) {
  long len = (long)total;
  if (offset >= 0)
    return offset;
  return len > -offset ? ((offset % len) + len) % len : 0;
}

/* A state's name, "UNKNOWN_<n>" for one outside the enum. */
static void put_task_state(GString *out, int32_t s) {
  td_json_write_task_state(out, s);
}

/* ProcessSample.to_dict() fields (and disk when `disk`), without braces. */
static void put_usage(GString *out, const obs_usage *u, bool disk) {
  LIT(out, "\"cpu\":");
  td_json_write_double(out, u->cpu);
  LIT(out, ",\"ram\":");
  put_u64(out, u->ram);
  LIT(out, ",\"user\":");
  td_json_write_double(out, u->user);
  LIT(out, ",\"system\":");
  td_json_write_double(out, u->system);
  LIT(out, ",\"rss\":");
  put_u64(out, u->rss);
  LIT(out, ",\"vms\":");
  put_u64(out, u->vms);
  LIT(out, ",\"nice\":");
  put_i64(out, u->nice);
  LIT(out, ",\"status\":");
  if (u->status[0])
    put_str(out, u->status);
  else
    LIT(out, "null");
  LIT(out, ",\"threads\":");
  put_i64(out, u->threads);
  if (disk) {
    LIT(out, ",\"disk\":");
    put_u64(out, u->disk);
  }
}

static void task_usage(const obs_task_view *t, obs_sampler *s, obs_usage *u) {
  memset(u, 0, sizeof *u);
  /* Aurora samples active tasks only. */
  if (s && !t->finished)
    obs_sampler_task(s, t->task_id, u);
}

static void put_ports(GString *out, const obs_task_view *t) {
  g_string_append_c(out, '{');
  for (guint i = 0; i < t->ports->len; i++) {
    const obs_port *p = &g_array_index(t->ports, obs_port, i);
    if (i)
      g_string_append_c(out, ',');
    put_str(out, p->name);
    g_string_append_c(out, ':');
    put_i64(out, p->port);
  }
  g_string_append_c(out, '}');
}

/* The timestamp of the move into the current state (Aurora's loop: the
 * last status of the current state whose predecessor differs; the first
 * status counts as a move). */
static double state_timestamp(const GArray *st) {
  int32_t cur = g_array_index(st, obs_status, st->len - 1).state;
  double ts = 0;
  for (guint i = 0; i < st->len; i++) {
    const obs_status *s = &g_array_index(st, obs_status, i);
    if (s->state == cur &&
        (i == 0 || g_array_index(st, obs_status, i - 1).state != cur))
      ts = s->timestamp;
  }
  return ts;
}

static bool readable(const obs_task_view *t) {
  return t->has_header && t->statuses->len > 0;
}

/* The task's name from its config file ("" when it has none). */
static char *config_member(const obs_task_view *t, char **config,
                           size_t *config_len, const char *key) {
  if (!*config)
    *config = obs_config_read(t->root, t->task_id, config_len);
  char *v = obs_config_string(*config, *config_len, key);
  return v ? v : g_strdup("");
}

static void task_row(GString *out, const obs_task_view *t,
                     obs_sampler *sampler) {
  char *config = NULL;
  size_t config_len = 0;
  char *name = t->name ? g_strdup(t->name)
                       : config_member(t, &config, &config_len, "name");
  g_free(config);
  LIT(out, "{\"task_id\":");
  put_str(out, t->task_id);
  LIT(out, ",\"name\":");
  put_str(out, name);
  g_free(name);
  /* Aurora's "role" is the header's user. */
  LIT(out, ",\"role\":");
  put_str(out, t->user);
  LIT(out, ",\"launch_timestamp\":");
  put_secs(out, g_array_index(t->statuses, obs_status, 0).timestamp);
  LIT(out, ",\"state\":");
  put_task_state(
      out, g_array_index(t->statuses, obs_status, t->statuses->len - 1).state);
  LIT(out, ",\"state_timestamp\":");
  put_secs(out, state_timestamp(t->statuses));
  LIT(out, ",\"ports\":");
  put_ports(out, t);
  g_string_append_c(out, ',');
  obs_usage u;
  task_usage(t, sampler, &u);
  put_usage(out, &u, true);
  g_string_append_c(out, '}');
}

void obs_json_task_ids(GString *out, const char *type, long offset, long num,
                       const GPtrArray *tasks, size_t total,
                       obs_sampler *sampler) {
  LIT(out, "{\"tasks\":[");
  bool first = true;
  for (guint i = 0; i < tasks->len; i++) {
    const obs_task_view *t = g_ptr_array_index(tasks, i);
    if (!readable(t))
      continue;
    if (!first)
      g_string_append_c(out, ',');
    first = false;
    task_row(out, t, sampler);
  }
  LIT(out, "],\"type\":");
  put_str(out, type);
  LIT(out, ",\"offset\":");
  put_i64(out, obs_json_offset(offset, total));
  LIT(out, ",\"num\":");
  put_i64(out, num);
  LIT(out, ",\"task_count\":");
  put_u64(out, total);
  g_string_append_c(out, '}');
}

void obs_json_counts(GString *out, obs_counts c) {
  g_string_append_printf(out, "{\"active\":%zu,\"finished\":%zu,\"all\":%zu}",
                         c.active, c.finished, c.all);
}

/* Aurora's buckets of processes by their latest run's state. */
static int bucket_of(const obs_process_view *p) {
  if (p->runs->len == 0)
    return 0;
  switch (g_array_index(p->runs, obs_run, p->runs->len - 1).state) {
  case 1: /* FORKED */
  case 2: /* RUNNING */
    return 1;
  case 3:
    return 2;
  case 5:
    return 3;
  case 4:
    return 4;
  default: /* WAITING, LOST */
    return 0;
  }
}

int obs_json_task_member(GString *out, const obs_task_view *t,
                         obs_sampler *sampler) {
  if (!readable(t))
    return 0;
  char *config = NULL;
  size_t config_len = 0;
  char *name = config_member(t, &config, &config_len, "name");
  put_str(out, t->task_id);
  LIT(out, ":{\"task_id\":");
  put_str(out, t->task_id);
  LIT(out, ",\"name\":");
  put_str(out, name);
  g_free(name);
  LIT(out, ",\"launch_timestamp\":");
  put_secs(out, g_array_index(t->statuses, obs_status, 0).timestamp);
  LIT(out, ",\"state\":");
  put_task_state(
      out, g_array_index(t->statuses, obs_status, t->statuses->len - 1).state);
  LIT(out, ",\"state_timestamp\":");
  put_secs(out, state_timestamp(t->statuses));
  LIT(out, ",\"user\":");
  put_str(out, t->user);
  LIT(out, ",\"ports\":");
  put_ports(out, t);
  LIT(out, ",\"resource_consumption\":{");
  obs_usage u;
  task_usage(t, sampler, &u);
  put_usage(out, &u, true);
  LIT(out, "},\"processes\":{");
  static const char *const names[] = {"waiting", "running", "success", "failed",
                                      "killed"};
  for (int b = 0; b < 5; b++) {
    if (b)
      g_string_append_c(out, ',');
    put_str(out, names[b]);
    LIT(out, ":[");
    bool first = true;
    for (guint i = 0; i < t->processes->len; i++) {
      const obs_process_view *p = g_ptr_array_index(t->processes, i);
      if (bucket_of(p) != b)
        continue;
      if (!first)
        g_string_append_c(out, ',');
      first = false;
      put_str(out, p->name);
    }
    g_string_append_c(out, ']');
  }
  LIT(out, "},\"task\":");
  /* The config as written when it parses as JSON; null otherwise, so the
   * answer stays JSON whatever the file holds. */
  if (config && obs_config_is_json(config, config_len))
    g_string_append_len(out, config, (gssize)config_len);
  else
    LIT(out, "null");
  g_free(config);
  g_string_append_c(out, '}');
  return 1;
}

static const obs_process_view *find_process(const obs_task_view *t,
                                            const char *name) {
  for (guint i = 0; i < t->processes->len; i++) {
    const obs_process_view *p = g_ptr_array_index(t->processes, i);
    if (strcmp(p->name, name) == 0)
      return p;
  }
  return NULL;
}

static void put_run(GString *out, const obs_task_view *t,
                    const obs_process_view *p, long run, obs_sampler *sampler) {
  long len = p->runs->len;
  if (t->has_header && len > 0 && run < len && run >= -len) {
    long idx = run < 0 ? run + len : run;
    const obs_run *r = &g_array_index(p->runs, obs_run, idx);
    LIT(out, "{\"process_name\":");
    put_str(out, p->name);
    LIT(out, ",\"process_run\":");
    put_i64(out, idx);
    LIT(out, ",\"state\":");
    td_json_write_process_state(out, r->state);
    if (r->start_time) {
      LIT(out, ",\"start_time\":");
      put_secs(out, r->start_time);
    }
    if (r->stop_time) {
      LIT(out, ",\"stop_time\":");
      put_secs(out, r->stop_time);
    }
    if (r->has_return_code) {
      LIT(out, ",\"return_code\":");
      put_i64(out, r->return_code);
    }
    if (r->state == 2) { /* RUNNING */
      obs_usage u;
      memset(&u, 0, sizeof u);
      if (sampler && !t->finished)
        obs_sampler_process(sampler, t->task_id, p->name, &u);
      LIT(out, ",\"used\":{");
      put_usage(out, &u, false);
      g_string_append_c(out, '}');
    }
    g_string_append_c(out, '}');
  } else {
    LIT(out, "{}");
  }
}

void obs_json_process(GString *out, const obs_task_view *t, const char *process,
                      long run, obs_sampler *sampler) {
  const obs_process_view *p = t && process ? find_process(t, process) : NULL;
  if (!p) {
    LIT(out, "{}");
    return;
  }
  put_run(out, t, p, run, sampler);
}

void obs_json_processes_member(GString *out, const char *task_id,
                               const obs_task_view *t, obs_sampler *sampler) {
  put_str(out, task_id);
  LIT(out, ":{");
  if (t && t->has_header) {
    for (guint i = 0; i < t->processes->len; i++) {
      const obs_process_view *p = g_ptr_array_index(t->processes, i);
      if (i)
        g_string_append_c(out, ',');
      put_str(out, p->name);
      g_string_append_c(out, ':');
      put_run(out, t, p, -1, sampler);
    }
  }
  g_string_append_c(out, '}');
}
