/*
 * The fields of `status`, as Aurora's `thermos status` prints them (widths,
 * "None" and "Unknown" where it says so, asctime in the local zone), and
 * the same by verbosity as JSON.  Ids and names are the tasks' bytes:
 * escaped as \xHH in text, as JSON strings in JSON.
 */
#include "status_print.h"

#include <pwd.h>
#include <string.h>
#include <time.h>

#include "core/diag.h"
#include "format/json_write.h"

/* The owner's name, looked up once per uid (thousands of tasks share a
 * handful of users). */
static const char *owner_name(GHashTable *cache, uid_t uid) {
  gpointer key = GUINT_TO_POINTER(uid);
  const char *name = g_hash_table_lookup(cache, key);
  if (name)
    return name;
  struct passwd *pw = getpwuid(uid);
  char *made = pw ? g_strdup(pw->pw_name) : g_strdup_printf("uid:%u", uid);
  g_hash_table_insert(cache, key, made);
  return made;
}

/* time.asctime(time.localtime(s)): "Sat Dec  5 16:55:16 2026". */
static void put_asctime(GString *out, double s, int width) {
  char buf[64];
  struct tm tm;
  time_t t = (time_t)s;
  if (s > -1e15 && s < 1e15 && localtime_r(&t, &tm) &&
      strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm) > 0)
    g_string_append_printf(out, "%*s", width, buf);
  else
    g_string_append_printf(out, "%*.0f", width, s);
}

static void put_escaped(GString *out, thermos_str s) {
  td_escape_bytes(out, s.data, s.len);
}

static const char *task_state_text(const thermos_runner_state *st) {
  size_t n = td_runner_state_task_status_count(st);
  if (n == 0)
    return "Unknown";
  const thermos_task_status *ts = td_runner_state_task_status(st, n - 1);
  const char *name =
      (ts->present & THERMOS_TS_STATE) ? td_task_state_name(ts->state) : NULL;
  return name ? name : "Unknown";
}

static void text_processes(GString *out, const thermos_runner_state *st) {
  TD_PUT_LIT(out, "    process table:\n");
  for (size_t i = 0; i < td_runner_state_process_count(st); i++) {
    TD_PUT_LIT(out, "      - ");
    put_escaped(out, td_runner_state_process_name(st, i));
    g_string_append_printf(out, " runs: %" G_GUINT64_FORMAT,
                           td_runner_state_runs_started_at(st, i));
    size_t runs = td_runner_state_run_count_at(st, i);
    const thermos_process_status *r = td_runner_state_run_at(st, i, runs - 1);
    TD_PUT_LIT(out, " last: pid=");
    if ((r->present & THERMOS_PS_PID) && r->pid)
      g_string_append_printf(out, "%d", r->pid);
    else
      TD_PUT_LIT(out, "None");
    TD_PUT_LIT(out, ", rc=");
    if (r->present & THERMOS_PS_RETURN_CODE)
      g_string_append_printf(out, "%d", r->return_code);
    TD_PUT_LIT(out, ", finish:");
    if ((r->present & THERMOS_PS_STOP_TIME) && r->stop_time != 0)
      put_asctime(out, r->stop_time, 0);
    else
      TD_PUT_LIT(out, "None");
    const char *name = (r->present & THERMOS_PS_STATE)
                           ? td_process_state_name(r->state)
                           : NULL;
    g_string_append_printf(out, ", state:%s\n", name ? name : "Unknown");
  }
  TD_PUT_LIT(out, "\n");
}

/* One task as Aurora prints it. */
void td_status_text(GString *out, const td_status_task *t,
                    const td_status_view *v, int verbosity,
                    GHashTable *owners) {
  GString *id = g_string_new(NULL);
  td_escape_bytes(id, t->id, strlen(t->id));
  g_string_append_printf(out, "  %-20s [owner: %8s]", id->str,
                         v->opened ? owner_name(owners, v->uid) : "-");
  g_string_free(id, TRUE);
  if (verbosity == 0) {
    TD_PUT_LIT(out, "\n");
    return;
  }
  const thermos_runner_header *h = v->st ? td_runner_state_header(v->st) : NULL;
  if (!h) {
    TD_PUT_LIT(out, " - checkpoint stream CORRUPT or outdated format\n");
    return;
  }
  g_string_append_printf(out, "  state: %8s start: ", task_state_text(v->st));
  if (h->present & THERMOS_RH_LAUNCH_TIME_MS)
    put_asctime(out, (double)h->launch_time_ms / 1000.0, 25);
  else
    g_string_append_printf(out, "%25s", "None");
  TD_PUT_LIT(out, "\n");
  if (verbosity < 2)
    return;
  TD_PUT_LIT(out, "    user: ");
  if (h->present & THERMOS_RH_USER)
    put_escaped(out, h->user);
  else
    TD_PUT_LIT(out, "None");
  TD_PUT_LIT(out, " ports:");
  if (h->n_ports == 0)
    TD_PUT_LIT(out, " None");
  for (size_t i = 0; i < h->n_ports; i++) {
    TD_PUT_LIT(out, " ");
    put_escaped(out, h->ports[i].name);
    g_string_append_printf(out, " -> %" G_GINT64_FORMAT, h->ports[i].port);
  }
  TD_PUT_LIT(out, "\n    sandbox: ");
  if (h->present & THERMOS_RH_SANDBOX)
    put_escaped(out, h->sandbox);
  else
    TD_PUT_LIT(out, "None");
  TD_PUT_LIT(out, "\n");
  if (verbosity >= 2)
    text_processes(out, v->st);
}

static void json_str(GString *out, const char *s) {
  td_json_write_string(out, s, strlen(s));
}

static void json_processes(GString *out, const thermos_runner_state *st) {
  TD_PUT_LIT(out, ",\"processes\":[");
  for (size_t i = 0; i < td_runner_state_process_count(st); i++) {
    if (i)
      TD_PUT_LIT(out, ",");
    thermos_str name = td_runner_state_process_name(st, i);
    TD_PUT_LIT(out, "{\"name\":");
    td_json_write_string(out, name.data, name.len);
    g_string_append_printf(out, ",\"runs\":%" G_GUINT64_FORMAT ",\"last\":",
                           td_runner_state_runs_started_at(st, i));
    size_t runs = td_runner_state_run_count_at(st, i);
    td_json_write_process_status(out, td_runner_state_run_at(st, i, runs - 1));
    TD_PUT_LIT(out, "}");
  }
  TD_PUT_LIT(out, "]");
}

/* The same fields as the text, by verbosity; null where the stream did
 * not say. */
void td_status_json(GString *out, const td_status_task *t,
                    const td_status_view *v, int verbosity,
                    GHashTable *owners) {
  TD_PUT_LIT(out, "{\"id\":");
  json_str(out, t->id);
  TD_PUT_LIT(out, ",\"root\":");
  json_str(out, t->root);
  TD_PUT_LIT(out, ",\"status\":");
  json_str(out, t->finished ? "finished" : "active");
  TD_PUT_LIT(out, ",\"owner\":");
  if (v->opened)
    json_str(out, owner_name(owners, v->uid));
  else
    TD_PUT_LIT(out, "null");
  if (verbosity >= 1) {
    const thermos_runner_header *h =
        v->st ? td_runner_state_header(v->st) : NULL;
    size_t n = v->st ? td_runner_state_task_status_count(v->st) : 0;
    const thermos_task_status *ts =
        n ? td_runner_state_task_status(v->st, n - 1) : NULL;
    TD_PUT_LIT(out, ",\"damaged\":");
    if (v->damaged || !v->opened)
      TD_PUT_LIT(out, "true");
    else
      TD_PUT_LIT(out, "false");
    TD_PUT_LIT(out, ",\"state\":");
    if (ts && (ts->present & THERMOS_TS_STATE))
      td_json_write_task_state(out, ts->state);
    else
      TD_PUT_LIT(out, "null");
    TD_PUT_LIT(out, ",\"launch_time_ms\":");
    if (h && (h->present & THERMOS_RH_LAUNCH_TIME_MS))
      g_string_append_printf(out, "%" G_GINT64_FORMAT, h->launch_time_ms);
    else
      TD_PUT_LIT(out, "null");
    if (verbosity >= 2) {
      TD_PUT_LIT(out, ",\"user\":");
      if (h && (h->present & THERMOS_RH_USER))
        td_json_write_string(out, h->user.data, h->user.len);
      else
        TD_PUT_LIT(out, "null");
      TD_PUT_LIT(out, ",\"ports\":{");
      for (size_t i = 0; h && i < h->n_ports; i++) {
        if (i)
          TD_PUT_LIT(out, ",");
        td_json_write_string(out, h->ports[i].name.data, h->ports[i].name.len);
        g_string_append_printf(out, ":%" G_GINT64_FORMAT, h->ports[i].port);
      }
      TD_PUT_LIT(out, "},\"sandbox\":");
      if (h && (h->present & THERMOS_RH_SANDBOX))
        td_json_write_string(out, h->sandbox.data, h->sandbox.len);
      else
        TD_PUT_LIT(out, "null");
    }
    if (verbosity >= 2) {
      if (v->st)
        json_processes(out, v->st);
      else
        TD_PUT_LIT(out, ",\"processes\":[]");
    }
  }
  TD_PUT_LIT(out, "}\n");
}
