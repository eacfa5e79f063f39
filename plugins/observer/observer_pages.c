/* The observer's HTML pages (observer_pages.h).  Every string that came
 * from a task (ids, names, hostnames, paths, config) goes through
 * obs_html_escape, and into a URL path through url_segment first.  No
 * inline script or style and no event-handler attributes: the pages work
 * under `Content-Security-Policy: default-src 'self'`, with what the
 * script needs (the task id, the /logdata URL) in data- attributes. */
#include "observer_pages.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/states.h"

/* thermos_process_state RUNNING: only a running process has a sample. */
#define OBS_PROCESS_RUNNING 2
/* Nesting shown indented by the raw config view; deeper is flat, so a
 * hostile config of a million '[' cannot make the page quadratic. */
#define OBS_PRETTY_MAX_DEPTH 32

static const char utf8_replacement[] = "\xEF\xBF\xBD";

void obs_html_escape(GString *out, const char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    const char *end = NULL;
    /* The longest valid run from i; what stops it is one bad byte. */
    g_utf8_validate_len(s + i, len - i, &end);
    size_t valid = (size_t)(end - (s + i));
    for (size_t k = i; k < i + valid; k++) {
      switch (s[k]) {
      case '&':
        g_string_append(out, "&amp;");
        break;
      case '<':
        g_string_append(out, "&lt;");
        break;
      case '>':
        g_string_append(out, "&gt;");
        break;
      case '"':
        g_string_append(out, "&quot;");
        break;
      case '\'':
        g_string_append(out, "&#39;");
        break;
      default:
        g_string_append_c(out, s[k]);
      }
    }
    i += valid;
    if (i < len) {
      g_string_append(out, utf8_replacement);
      i++;
    }
  }
}

/* A NUL-terminated string, escaped; NULL as "". */
static void esc(GString *out, const char *s) {
  if (s)
    obs_html_escape(out, s, strlen(s));
}

/* One path segment of a URL, percent-encoded (all but RFC 3986's
 * unreserved characters), so '/', '?', '#', '%' in a name stay inside the
 * segment.  The result needs no HTML escaping. */
static void url_segment(GString *out, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    if (g_ascii_isalnum((gchar)*p) || *p == '-' || *p == '.' || *p == '_' ||
        *p == '~') {
      g_string_append_c(out, (gchar)*p);
    } else {
      g_string_append_c(out, '%');
      g_string_append_c(out, hex[*p >> 4]);
      g_string_append_c(out, hex[*p & 15]);
    }
  }
}

/* Aurora's pretty_time: '%m/%d %H:%M:%S' in UTC; "" for 0 (not yet). */
static void pretty_time(GString *out, double seconds) {
  if (!(seconds > 0) || seconds > 253402300799.0)
    return;
  time_t t = (time_t)seconds;
  struct tm tm;
  char buf[32];
  if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%m/%d %H:%M:%S", &tm))
    g_string_append(out, buf);
}

static const char *task_state_name(int32_t state) {
  const char *n = td_task_state_name(state);
  return n ? n : "UNKNOWN";
}

static const char *process_state_name(int32_t state) {
  const char *n = td_process_state_name(state);
  return n ? n : "UNKNOWN";
}

/* The head of every page: `page` names it for the script (body's
 * data-page), `task_id` (may be NULL) is given to the script the same
 * way; the body's start tag is left open (page_body ends it). */
static void page_head(GString *out, const char *hostname, const char *page,
                      const char *task_id) {
  g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                       "<meta charset=\"utf-8\">\n<title>thermos(");
  esc(out, hostname);
  g_string_append(out,
                  ")</title>\n"
                  "<link rel=\"icon\" href=\"/assets/favicon.svg\">\n"
                  "<link rel=\"stylesheet\" href=\"/assets/observer.css\">\n"
                  "<script src=\"/assets/observer.js\" defer></script>\n"
                  "</head>\n<body data-page=\"");
  g_string_append(out, page);
  g_string_append_c(out, '"');
  if (task_id) {
    g_string_append(out, " data-task-id=\"");
    esc(out, task_id);
    g_string_append_c(out, '"');
  }
}

/* Ends the body's start tag that page_head left open for more data-. */
static void page_body(GString *out) {
  g_string_append(out, ">\n<div class=\"container\">\n");
}

static void page_foot(GString *out) {
  g_string_append(out, "</div>\n</body>\n</html>\n");
}

static void usage_cpu(GString *out, double cpu) {
  if (isfinite(cpu))
    g_string_append_printf(out, "%.3f", cpu);
}

static void usage_mb(GString *out, uint64_t bytes) {
  g_string_append_printf(out, "%.1fMB", (double)bytes / 1024. / 1024.);
}

static void usage_gb(GString *out, uint64_t bytes) {
  g_string_append_printf(out, "%.1fGB", (double)bytes / 1024. / 1024. / 1024.);
}

static const char *type_name(obs_type type) {
  switch (type) {
  case OBS_ACTIVE:
    return "active";
  case OBS_FINISHED:
    return "finished";
  default:
    return "all";
  }
}

void obs_page_index(GString *out, const char *hostname, obs_counts counts) {
  page_head(out, hostname, "index", NULL);
  page_body(out);
  g_string_append(out, "<h3>thermos observer on <span id=\"hostname\">");
  esc(out, hostname);
  g_string_append(out, "</span></h3>\n<ul id=\"task-lists\">\n");
  const struct {
    const char *type;
    size_t n;
  } lists[] = {{"active", counts.active},
               {"finished", counts.finished},
               {"all", counts.all}};
  for (size_t i = 0; i < G_N_ELEMENTS(lists); i++)
    g_string_append_printf(out,
                           "<li><a id=\"link-%s\" href=\"/main/%s\">%s "
                           "tasks</a> <span class=\"count\" id=\"count-%s\">"
                           "%zu</span></li>\n",
                           lists[i].type, lists[i].type, lists[i].type,
                           lists[i].type, lists[i].n);
  g_string_append(out, "</ul>\n");
  page_foot(out);
}

/* The task's latest status, or NULL when it has none. */
static const obs_status *last_status(const obs_task_view *t) {
  if (!t->statuses || t->statuses->len == 0)
    return NULL;
  return &g_array_index(t->statuses, obs_status, t->statuses->len - 1);
}

/* The port's number as a link to it on the task's host. */
static void port_link(GString *out, const obs_task_view *t, const obs_port *p) {
  g_string_append(out, "<a href=\"http://");
  esc(out, t->hostname);
  g_string_append_printf(out, ":%" PRId32 "/\">%" PRId32 "</a>", p->port,
                         p->port);
}

static void main_pager(GString *out, const char *type, long offset, long num,
                       size_t total) {
  g_string_append(out, "<div class=\"pager\">\n");
  if (offset > 0)
    g_string_append_printf(out,
                           "<a id=\"newer\" href=\"/main/%s/%ld/%ld\">"
                           "&larr; newer</a>\n",
                           type, offset > num ? offset - num : 0, num);
  if ((size_t)offset + (size_t)num < total)
    g_string_append_printf(out,
                           "<a id=\"older\" href=\"/main/%s/%ld/%ld\">"
                           "older &rarr;</a>\n",
                           type, offset + num, num);
  g_string_append(out, "</div>\n");
}

void obs_page_main(GString *out, obs_type type, long offset, long num,
                   const GPtrArray *tasks, size_t total, obs_sampler *sampler) {
  const char *tn = type_name(type);
  /* The links count from the start: a negative offset counts from the
   * end, as the model's. */
  if (offset < 0)
    offset = (long)total + offset > 0 ? (long)total + offset : 0;
  if (num < 1)
    num = 1;
  page_head(out, NULL, "main", NULL);
  page_body(out);
  g_string_append_printf(
      out,
      "<h3><a href=\"/\">observer</a> / %s tasks "
      "<span id=\"range\">%ld...%ld of %zu</span></h3>\n",
      tn, offset, tasks ? offset + (long)tasks->len - 1 : offset - 1, total);
  main_pager(out, tn, offset, num, total);
  g_string_append(out,
                  "<table id=\"tasks\">\n<thead><tr><th>task</th><th>user"
                  "</th><th>launched</th><th>status</th><th>cpu</th><th>ram"
                  "</th><th>disk</th><th>ports</th></tr></thead>\n<tbody>\n");
  for (guint i = 0; tasks && i < tasks->len; i++) {
    const obs_task_view *t = g_ptr_array_index((GPtrArray *)tasks, i);
    const obs_status *st = last_status(t);
    g_string_append(out, "<tr class=\"task\" data-task-id=\"");
    esc(out, t->task_id);
    g_string_append(out, "\"><td class=\"id\"><a href=\"/task/");
    url_segment(out, t->task_id);
    g_string_append(out, "\">");
    esc(out, t->task_id);
    g_string_append(out, "</a></td><td class=\"user\">");
    esc(out, t->user);
    g_string_append(out, "</td><td class=\"launched\">");
    pretty_time(out, t->launch_time);
    g_string_append(out, "</td><td class=\"state\">");
    if (st) {
      g_string_append(out, task_state_name(st->state));
      g_string_append(out, " @ ");
      pretty_time(out, st->timestamp);
    }
    obs_usage u = {0};
    if (sampler)
      obs_sampler_task(sampler, t->task_id, &u);
    g_string_append(out, "</td><td class=\"cpu\">");
    if (u.cpu > 0)
      usage_cpu(out, u.cpu);
    g_string_append(out, "</td><td class=\"ram\">");
    if (u.ram > 0)
      usage_mb(out, u.ram);
    g_string_append(out, "</td><td class=\"disk\">");
    if (u.disk > 0)
      usage_gb(out, u.disk);
    g_string_append(out, "</td><td class=\"ports\">");
    for (guint k = 0; t->ports && k < t->ports->len; k++) {
      const obs_port *p = &g_array_index(t->ports, obs_port, k);
      if (k)
        g_string_append_c(out, ' ');
      esc(out, p->name);
      g_string_append_c(out, ':');
      port_link(out, t, p);
    }
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n");
  page_foot(out);
}

/* The link to one log of one run. */
static void log_link(GString *out, const obs_task_view *t, const char *process,
                     unsigned run, const char *stream) {
  g_string_append(out, "<a href=\"/logs/");
  url_segment(out, t->task_id);
  g_string_append_c(out, '/');
  url_segment(out, process);
  g_string_append_printf(out, "/%u/%s\">%s</a>", run, stream, stream);
}

/* A run's cells after its number: state, return code, start, stop. */
static void run_cells(GString *out, const obs_run *r) {
  g_string_append(out, "<td class=\"state\">");
  g_string_append(out, r ? process_state_name(r->state) : "WAITING");
  g_string_append(out, "</td><td class=\"return-code\">");
  if (r && r->has_return_code)
    g_string_append_printf(out, "%" PRId32, r->return_code);
  g_string_append(out, "</td><td class=\"start\">");
  if (r)
    pretty_time(out, r->start_time);
  g_string_append(out, "</td><td class=\"stop\">");
  if (r)
    pretty_time(out, r->stop_time);
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
  esc(out, p->name);
  g_string_append(out, "\"><td class=\"name\"><a href=\"/process/");
  url_segment(out, t->task_id);
  g_string_append_c(out, '/');
  url_segment(out, p->name);
  g_string_append(out, "\">");
  esc(out, p->name);
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
    usage_cpu(out, u.cpu);
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
  const obs_status *st = last_status(t);
  page_head(out, t->hostname, "task", t->task_id);
  page_body(out);
  g_string_append(out, "<h3>task <span id=\"task-id\">");
  esc(out, t->task_id);
  g_string_append(out,
                  "</span></h3>\n<div class=\"row\">\n<dl id=\"task-info\">\n"
                  "<dt>task</dt>\n<dd><strong>status</strong> <span "
                  "id=\"task-state\">");
  g_string_append(out, st ? task_state_name(st->state) : "UNKNOWN");
  g_string_append(out, "</span></dd>\n<dd><strong>user</strong> <span "
                       "id=\"task-user\">");
  esc(out, t->user);
  g_string_append(out, "</span></dd>\n<dt>ports</dt>\n");
  for (guint k = 0; t->ports && k < t->ports->len; k++) {
    const obs_port *p = &g_array_index(t->ports, obs_port, k);
    g_string_append(out, "<dd class=\"port\" data-name=\"");
    esc(out, p->name);
    g_string_append(out, "\"><strong>");
    esc(out, p->name);
    g_string_append(out, "</strong> ");
    port_link(out, t, p);
    g_string_append(out, "</dd>\n");
  }
  g_string_append(out, "</dl>\n<dl id=\"task-header\">\n<dt>header</dt>\n"
                       "<dd><strong>hostname</strong> <a href=\"/\" "
                       "id=\"task-hostname\">");
  esc(out, t->hostname);
  g_string_append(out, "</a></dd>\n<dd><strong>sandbox</strong> <span "
                       "id=\"task-sandbox\">");
  esc(out, t->sandbox);
  g_string_append(out, "</span></dd>\n<dd><strong>launch time</strong> <span "
                       "id=\"task-launch-time\">");
  pretty_time(out, t->launch_time);
  g_string_append(out, "</span></dd>\n<dd><strong>task config</strong> "
                       "<a id=\"task-config-link\" href=\"/rawtask/");
  url_segment(out, t->task_id);
  g_string_append(out, "\">view</a></dd>\n</dl>\n</div>\n");

  g_string_append(out, "<table id=\"task-statuses\">\n<thead><tr><th>task "
                       "status</th><th>time</th></tr></thead>\n<tbody>\n");
  for (guint k = 0; t->statuses && k < t->statuses->len; k++) {
    const obs_status *s = &g_array_index(t->statuses, obs_status, k);
    g_string_append_printf(out,
                           "<tr><td class=\"state\">%s</td><td "
                           "class=\"time\">",
                           task_state_name(s->state));
    pretty_time(out, s->timestamp);
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n");

  obs_usage u = {0};
  if (sampler)
    obs_sampler_task(sampler, t->task_id, &u);
  g_string_append(out, "<table id=\"task-resources\">\n<thead><tr><th>cpu"
                       "</th><th>ram</th><th>disk</th></tr></thead>\n<tbody>"
                       "<tr><td id=\"task-cpu\">");
  usage_cpu(out, u.cpu);
  g_string_append(out, "</td><td id=\"task-ram\">");
  usage_mb(out, u.ram);
  g_string_append(out, "</td><td id=\"task-disk\">");
  usage_gb(out, u.disk);
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
  page_foot(out);
}

void obs_page_process(GString *out, const obs_task_view *t,
                      const obs_process_view *p, obs_sampler *sampler) {
  unsigned nruns = p->runs ? p->runs->len : 0;
  const obs_run *last =
      nruns ? &g_array_index(p->runs, obs_run, nruns - 1) : NULL;
  page_head(out, t->hostname, "process", t->task_id);
  /* The process's name for the script, beside the task's id. */
  g_string_append(out, " data-process=\"");
  esc(out, p->name);
  g_string_append_c(out, '"');
  page_body(out);

  g_string_append(out, "<div class=\"row\">\n<dl id=\"process-info\">\n"
                       "<dt>process</dt>\n<dd><strong>parent task</strong> "
                       "<a id=\"process-task\" href=\"/task/");
  url_segment(out, t->task_id);
  g_string_append(out, "\">");
  esc(out, t->task_id);
  g_string_append(out, "</a></dd>\n<dd><strong>process name</strong> <span "
                       "id=\"process-name\">");
  esc(out, p->name);
  g_string_append(out, "</span></dd>\n<dd><strong>status</strong> <span "
                       "id=\"process-state\">");
  g_string_append(out, last ? process_state_name(last->state) : "WAITING");
  g_string_append(out, "</span></dd>\n</dl>\n");

  obs_usage u = {0};
  bool sampled = last && last->state == OBS_PROCESS_RUNNING && sampler &&
                 obs_sampler_process(sampler, t->task_id, p->name, &u);
  g_string_append(out, "<dl id=\"process-resources\">\n<dt>resources</dt>\n"
                       "<dd><strong>cpu</strong> <span id=\"process-cpu\">");
  if (sampled)
    usage_cpu(out, u.cpu);
  else
    g_string_append(out, "N/A");
  g_string_append(out, "</span></dd>\n<dd><strong>ram</strong> <span "
                       "id=\"process-ram\">");
  if (sampled)
    usage_mb(out, u.ram);
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
  page_foot(out);
}

void obs_page_rawtask(GString *out, const obs_task_view *t,
                      const char *config_json) {
  page_head(out, t->hostname, "rawtask", t->task_id);
  page_body(out);
  g_string_append(out, "<h3>task <a id=\"task-id\" href=\"/task/");
  url_segment(out, t->task_id);
  g_string_append(out, "\">");
  esc(out, t->task_id);
  g_string_append(out, "</a> config</h3>\n<pre id=\"rawtask\">");
  if (config_json)
    pretty_json(out, config_json);
  else
    g_string_append(out, "(no config)");
  g_string_append(out, "</pre>\n");
  page_foot(out);
}

void obs_page_logs(GString *out, const obs_task_view *t, const char *process,
                   unsigned run, const char *stream) {
  page_head(out, t->hostname, "logs", t->task_id);
  g_string_append(out, " data-logdata=\"/logdata/");
  url_segment(out, t->task_id);
  g_string_append_c(out, '/');
  url_segment(out, process);
  g_string_append_printf(out, "/%u/", run);
  url_segment(out, stream);
  g_string_append_c(out, '"');
  page_body(out);
  g_string_append(out, "<h3><a href=\"/task/");
  url_segment(out, t->task_id);
  g_string_append(out, "\">");
  esc(out, t->task_id);
  g_string_append(out, "</a> / <a href=\"/process/");
  url_segment(out, t->task_id);
  g_string_append_c(out, '/');
  url_segment(out, process);
  g_string_append(out, "\">");
  esc(out, process);
  g_string_append_printf(out, "</a> / run %u / ", run);
  esc(out, stream);
  g_string_append(out, "</h3>\n<p id=\"log-status\"></p>\n"
                       "<pre id=\"log-data\"></pre>\n");
  page_foot(out);
}

void obs_page_error(GString *out, unsigned status, const char *message) {
  page_head(out, NULL, "error", NULL);
  page_body(out);
  g_string_append_printf(out,
                         "<h3 id=\"error-status\">%u</h3>\n"
                         "<p id=\"error-message\">",
                         status);
  esc(out, message);
  g_string_append(out, "</p>\n<p><a href=\"/\">observer</a></p>\n");
  page_foot(out);
}
