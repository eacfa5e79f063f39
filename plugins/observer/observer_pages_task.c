/* The pages of one task (observer_pages.h): the task, a process and its
 * runs, the raw config, the log viewer. */
#include "observer_pages.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "observer_html.h"

/* thermos_process_state RUNNING: only a running process has a sample. */
#define OBS_PROCESS_RUNNING 2
/* Nesting shown indented by the raw config view; deeper is flat, so a
 * hostile config of a million '[' cannot make the page quadratic. */
#define OBS_PRETTY_MAX_DEPTH 32

static void log_link(GString *out, const obs_task_view *t, const char *process,
                     unsigned run, const char *stream) {
  g_string_append(out, "<a href=\"/logs/");
  obs_html_url_segment(out, t->task_id);
  g_string_append_c(out, '/');
  obs_html_url_segment(out, process);
  g_string_append_printf(out, "/%u/%s\">%s</a>", run, stream, stream);
}

/* A run's cells after its number: state, return code, start, stop. */
static void run_cells(GString *out, const obs_run *r) {
  g_string_append(out, "<td class=\"state\">");
  g_string_append(out, r ? obs_html_process_state(r->state) : "WAITING");
  g_string_append(out, "</td><td class=\"return-code\">");
  if (r && r->has_return_code)
    g_string_append_printf(out, "%" PRId32, r->return_code);
  g_string_append(out, "</td><td class=\"start\">");
  if (r)
    obs_html_time(out, r->start_time);
  g_string_append(out, "</td><td class=\"stop\">");
  if (r)
    obs_html_time(out, r->stop_time);
  g_string_append(out, "</td>");
}

static void process_row(GString *out, const obs_task_view *t,
                        const obs_process_view *p, obs_sampler *sampler) {
  const obs_run *r = NULL;
  unsigned run = 0;
  if (p->runs && p->runs->len > 0) {
    run = p->runs->len - 1;
    r = &g_array_index(p->runs, obs_run, run);
  }
  g_string_append(out, "<tr class=\"process\" data-name=\"");
  obs_html_text(out, p->name);
  g_string_append(out, "\"><td class=\"name\"><a href=\"/process/");
  obs_html_url_segment(out, t->task_id);
  g_string_append_c(out, '/');
  obs_html_url_segment(out, p->name);
  g_string_append(out, "\">");
  obs_html_text(out, p->name);
  g_string_append(out, "</a></td><td class=\"run\">");
  if (r)
    g_string_append_printf(out, "%u", run);
  g_string_append(out, "</td>");
  run_cells(out, r);
  obs_usage u = {0};
  bool sampled = r && r->state == OBS_PROCESS_RUNNING && sampler &&
                 obs_sampler_process(sampler, t->task_id, p->name, &u);
  g_string_append(out, "<td class=\"cpu\">");
  if (sampled)
    obs_html_cpu(out, u.cpu);
  g_string_append(out, "</td><td class=\"ram\">");
  if (sampled)
    g_string_append_printf(out, "%" PRIu64 "MB", u.ram / 1024 / 1024);
  g_string_append(out, "</td><td class=\"stdout\">");
  if (r)
    log_link(out, t, p->name, run, "stdout");
  g_string_append(out, "</td><td class=\"stderr\">");
  if (r)
    log_link(out, t, p->name, run, "stderr");
  g_string_append(out, "</td></tr>\n");
}

/* The config JSON indented, as text (escaped): strings are copied as they
 * are, whitespace outside them is replaced.  Not JSON: shown as it is. */
static void pretty_json(GString *out, const char *json) {
  GString *pp = g_string_new(NULL);
  size_t n = strlen(json);
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < n; i++) {
    char c = json[i];
    if (in_string) {
      g_string_append_c(pp, c);
      if (c == '\\' && i + 1 < n)
        g_string_append_c(pp, json[++i]);
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
    case ' ':
    case '\t':
    case '\n':
    case '\r':
      break;
    case '"':
      in_string = true;
      g_string_append_c(pp, c);
      break;
    case '{':
    case '[': {
      size_t j = i + 1;
      while (j < n && strchr(" \t\r\n", json[j]) && json[j])
        j++;
      if (j < n && (json[j] == '}' || json[j] == ']')) {
        g_string_append_c(pp, c);
        g_string_append_c(pp, json[j]);
        i = j;
        break;
      }
      depth++;
      g_string_append_c(pp, c);
      g_string_append_c(pp, '\n');
      for (int k = 0; k < depth && k < OBS_PRETTY_MAX_DEPTH; k++)
        g_string_append(pp, "  ");
      break;
    }
    case '}':
    case ']':
      depth = depth > 0 ? depth - 1 : 0;
      g_string_append_c(pp, '\n');
      for (int k = 0; k < depth && k < OBS_PRETTY_MAX_DEPTH; k++)
        g_string_append(pp, "  ");
      g_string_append_c(pp, c);
      break;
    case ',':
      g_string_append(pp, ",\n");
      for (int k = 0; k < depth && k < OBS_PRETTY_MAX_DEPTH; k++)
        g_string_append(pp, "  ");
      break;
    case ':':
      g_string_append(pp, ": ");
      break;
    default:
      g_string_append_c(pp, c);
    }
  }
  obs_html_escape(out, pp->str, pp->len);
  g_string_free(pp, TRUE);
}

void obs_page_task(GString *out, const obs_task_view *t,
                   const char *config_json, obs_sampler *sampler) {
  const obs_status *st = obs_html_last_status(t);
  obs_html_head(out, t->hostname, "task", t->task_id);
  obs_html_body(out);
  g_string_append(out, "<h3>task <span id=\"task-id\">");
  obs_html_text(out, t->task_id);
  g_string_append(out,
                  "</span></h3>\n<div class=\"row\">\n<dl id=\"task-info\">\n"
                  "<dt>task</dt>\n<dd><strong>status</strong> <span "
                  "id=\"task-state\">");
  g_string_append(out, st ? obs_html_task_state(st->state) : "UNKNOWN");
  g_string_append(out, "</span></dd>\n<dd><strong>user</strong> <span "
                       "id=\"task-user\">");
  obs_html_text(out, t->user);
  g_string_append(out, "</span></dd>\n<dt>ports</dt>\n");
  for (guint k = 0; t->ports && k < t->ports->len; k++) {
    const obs_port *p = &g_array_index(t->ports, obs_port, k);
    g_string_append(out, "<dd class=\"port\" data-name=\"");
    obs_html_text(out, p->name);
    g_string_append(out, "\"><strong>");
    obs_html_text(out, p->name);
    g_string_append(out, "</strong> ");
    obs_html_port_link(out, t, p);
    g_string_append(out, "</dd>\n");
  }
  g_string_append(out, "</dl>\n<dl id=\"task-header\">\n<dt>header</dt>\n"
                       "<dd><strong>hostname</strong> <a href=\"/\" "
                       "id=\"task-hostname\">");
  obs_html_text(out, t->hostname);
  g_string_append(out, "</a></dd>\n<dd><strong>sandbox</strong> <span "
                       "id=\"task-sandbox\">");
  obs_html_text(out, t->sandbox);
  g_string_append(out, "</span></dd>\n<dd><strong>launch time</strong> <span "
                       "id=\"task-launch-time\">");
  obs_html_time(out, t->launch_time);
  g_string_append(out, "</span></dd>\n<dd><strong>task config</strong> "
                       "<a id=\"task-config-link\" href=\"/rawtask/");
  obs_html_url_segment(out, t->task_id);
  g_string_append(out, "\">view</a></dd>\n</dl>\n</div>\n");

  g_string_append(out, "<table id=\"task-statuses\">\n<thead><tr><th>task "
                       "status</th><th>time</th></tr></thead>\n<tbody>\n");
  for (guint k = 0; t->statuses && k < t->statuses->len; k++) {
    const obs_status *s = &g_array_index(t->statuses, obs_status, k);
    g_string_append_printf(out,
                           "<tr><td class=\"state\">%s</td><td "
                           "class=\"time\">",
                           obs_html_task_state(s->state));
    obs_html_time(out, s->timestamp);
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n");

  obs_usage u = {0};
  if (sampler)
    obs_sampler_task(sampler, t->task_id, &u);
  g_string_append(out, "<table id=\"task-resources\">\n<thead><tr><th>cpu"
                       "</th><th>ram</th><th>disk</th></tr></thead>\n<tbody>"
                       "<tr><td id=\"task-cpu\">");
  obs_html_cpu(out, u.cpu);
  g_string_append(out, "</td><td id=\"task-ram\">");
  obs_html_mb(out, u.ram);
  g_string_append(out, "</td><td id=\"task-disk\">");
  obs_html_gb(out, u.disk);
  g_string_append(out, "</td></tr></tbody>\n</table>\n");

  g_string_append(out,
                  "<table id=\"processes\">\n<thead><tr><th>name</th><th>run"
                  "</th><th>status</th><th>return code</th><th>started</th>"
                  "<th>finished</th><th>cpu</th><th>ram</th><th>stdout</th>"
                  "<th>stderr</th></tr></thead>\n<tbody>\n");
  for (guint k = 0; t->processes && k < t->processes->len; k++)
    process_row(out, t, g_ptr_array_index(t->processes, k), sampler);
  g_string_append(out, "</tbody>\n</table>\n");

  if (config_json) {
    g_string_append(out, "<details id=\"task-config\"><summary>task config"
                         "</summary>\n<pre>");
    pretty_json(out, config_json);
    g_string_append(out, "</pre></details>\n");
  }
  obs_html_foot(out);
}

void obs_page_process(GString *out, const obs_task_view *t,
                      const obs_process_view *p, obs_sampler *sampler) {
  unsigned nruns = p->runs ? p->runs->len : 0;
  const obs_run *last =
      nruns ? &g_array_index(p->runs, obs_run, nruns - 1) : NULL;
  obs_html_head(out, t->hostname, "process", t->task_id);
  /* The process's name for the script, beside the task's id. */
  g_string_append(out, " data-process=\"");
  obs_html_text(out, p->name);
  g_string_append_c(out, '"');
  obs_html_body(out);

  g_string_append(out, "<div class=\"row\">\n<dl id=\"process-info\">\n"
                       "<dt>process</dt>\n<dd><strong>parent task</strong> "
                       "<a id=\"process-task\" href=\"/task/");
  obs_html_url_segment(out, t->task_id);
  g_string_append(out, "\">");
  obs_html_text(out, t->task_id);
  g_string_append(out, "</a></dd>\n<dd><strong>process name</strong> <span "
                       "id=\"process-name\">");
  obs_html_text(out, p->name);
  g_string_append(out, "</span></dd>\n<dd><strong>status</strong> <span "
                       "id=\"process-state\">");
  g_string_append(out, last ? obs_html_process_state(last->state) : "WAITING");
  g_string_append(out, "</span></dd>\n</dl>\n");

  obs_usage u = {0};
  bool sampled = last && last->state == OBS_PROCESS_RUNNING && sampler &&
                 obs_sampler_process(sampler, t->task_id, p->name, &u);
  g_string_append(out, "<dl id=\"process-resources\">\n<dt>resources</dt>\n"
                       "<dd><strong>cpu</strong> <span id=\"process-cpu\">");
  if (sampled)
    obs_html_cpu(out, u.cpu);
  else
    g_string_append(out, "N/A");
  g_string_append(out, "</span></dd>\n<dd><strong>ram</strong> <span "
                       "id=\"process-ram\">");
  if (sampled)
    obs_html_mb(out, u.ram);
  else
    g_string_append(out, "N/A");
  g_string_append(out, "</span></dd>\n<dd><strong>total user</strong> <span "
                       "id=\"process-user\">");
  if (sampled)
    g_string_append_printf(out, "%.1fs", u.user);
  else
    g_string_append(out, "N/A");
  g_string_append(out, "</span></dd>\n<dd><strong>total sys</strong> <span "
                       "id=\"process-system\">");
  if (sampled)
    g_string_append_printf(out, "%.1fs", u.system);
  else
    g_string_append(out, "N/A");
  g_string_append(out, "</span></dd>\n<dd><strong>threads</strong> <span "
                       "id=\"process-threads\">");
  if (sampled)
    g_string_append_printf(out, "%" PRId32, u.threads);
  else
    g_string_append(out, "N/A");
  g_string_append(out, "</span></dd>\n</dl>\n</div>\n");

  g_string_append(out, "<table id=\"runs\">\n<thead><tr><th>run</th><th>"
                       "status</th><th>return code</th><th>started</th><th>"
                       "finished</th><th>stdout</th><th>stderr</th></tr>"
                       "</thead>\n<tbody>\n");
  /* The latest run first, as Aurora's. */
  for (unsigned k = nruns; k-- > 0;) {
    const obs_run *r = &g_array_index(p->runs, obs_run, k);
    g_string_append_printf(out,
                           "<tr class=\"run\" data-run=\"%u\"><td "
                           "class=\"run\">%u</td>",
                           k, k);
    run_cells(out, r);
    g_string_append(out, "<td class=\"stdout\">");
    log_link(out, t, p->name, k, "stdout");
    g_string_append(out, "</td><td class=\"stderr\">");
    log_link(out, t, p->name, k, "stderr");
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n");
  obs_html_foot(out);
}

void obs_page_rawtask(GString *out, const obs_task_view *t,
                      const char *config_json) {
  obs_html_head(out, t->hostname, "rawtask", t->task_id);
  obs_html_body(out);
  g_string_append(out, "<h3>task <a id=\"task-id\" href=\"/task/");
  obs_html_url_segment(out, t->task_id);
  g_string_append(out, "\">");
  obs_html_text(out, t->task_id);
  g_string_append(out, "</a> config</h3>\n<pre id=\"rawtask\">");
  if (config_json)
    pretty_json(out, config_json);
  else
    g_string_append(out, "(no config)");
  g_string_append(out, "</pre>\n");
  obs_html_foot(out);
}

void obs_page_logs(GString *out, const obs_task_view *t, const char *process,
                   unsigned run, const char *stream) {
  obs_html_head(out, t->hostname, "logs", t->task_id);
  g_string_append(out, " data-logdata=\"/logdata/");
  obs_html_url_segment(out, t->task_id);
  g_string_append_c(out, '/');
  obs_html_url_segment(out, process);
  g_string_append_printf(out, "/%u/", run);
  obs_html_url_segment(out, stream);
  g_string_append_c(out, '"');
  obs_html_body(out);
  g_string_append(out, "<h3><a href=\"/task/");
  obs_html_url_segment(out, t->task_id);
  g_string_append(out, "\">");
  obs_html_text(out, t->task_id);
  g_string_append(out, "</a> / <a href=\"/process/");
  obs_html_url_segment(out, t->task_id);
  g_string_append_c(out, '/');
  obs_html_url_segment(out, process);
  g_string_append(out, "\">");
  obs_html_text(out, process);
  g_string_append_printf(out, "</a> / run %u / ", run);
  obs_html_text(out, stream);
  g_string_append(out, "</h3>\n<p id=\"log-status\"></p>\n"
                       "<pre id=\"log-data\"></pre>\n");
  obs_html_foot(out);
}
