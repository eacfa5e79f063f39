/* The observer's HTML pages (observer_pages.h).  Every string that came
 * from a task (ids, names, hostnames, paths, config) goes through
 * obs_html_escape (observer_html.c), and into a URL path through
 * obs_html_url_segment first.  No
 * inline script or style and no event-handler attributes: the pages work
 * under `Content-Security-Policy: default-src 'self'`, with what the
 * script needs (the task id, the /logdata URL) in data- attributes. */
#include "observer_pages.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "observer_html.h"

void obs_page_index(GString *out, const char *hostname, obs_counts counts) {
  obs_html_head(out, hostname, "index", NULL);
  obs_html_body(out);
  g_string_append(out, "<h3>thermos observer on <span id=\"hostname\">");
  obs_html_text(out, hostname);
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
  obs_html_foot(out);
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
  const char *tn = obs_html_type_name(type);
  /* The links count from the start: a negative offset counts from the
   * end, as the model's. */
  if (offset < 0)
    offset = (long)total + offset > 0 ? (long)total + offset : 0;
  if (num < 1)
    num = 1;
  obs_html_head(out, NULL, "main", NULL);
  obs_html_body(out);
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
    const obs_status *st = obs_html_last_status(t);
    g_string_append(out, "<tr class=\"task\" data-task-id=\"");
    obs_html_text(out, t->task_id);
    g_string_append(out, "\"><td class=\"id\"><a href=\"/task/");
    obs_html_url_segment(out, t->task_id);
    g_string_append(out, "\">");
    obs_html_text(out, t->task_id);
    g_string_append(out, "</a></td><td class=\"user\">");
    obs_html_text(out, t->user);
    g_string_append(out, "</td><td class=\"launched\">");
    obs_html_time(out, t->launch_time);
    g_string_append(out, "</td><td class=\"state\">");
    if (st) {
      g_string_append(out, obs_html_task_state(st->state));
      g_string_append(out, " @ ");
      obs_html_time(out, st->timestamp);
    }
    obs_usage u = {0};
    if (sampler)
      obs_sampler_task(sampler, t->task_id, &u);
    g_string_append(out, "</td><td class=\"cpu\">");
    if (u.cpu > 0)
      obs_html_cpu(out, u.cpu);
    g_string_append(out, "</td><td class=\"ram\">");
    if (u.ram > 0)
      obs_html_mb(out, u.ram);
    g_string_append(out, "</td><td class=\"disk\">");
    if (u.disk > 0)
      obs_html_gb(out, u.disk);
    g_string_append(out, "</td><td class=\"ports\">");
    for (guint k = 0; t->ports && k < t->ports->len; k++) {
      const obs_port *p = &g_array_index(t->ports, obs_port, k);
      if (k)
        g_string_append_c(out, ' ');
      obs_html_text(out, p->name);
      g_string_append_c(out, ':');
      obs_html_port_link(out, t, p);
    }
    g_string_append(out, "</td></tr>\n");
  }
  g_string_append(out, "</tbody>\n</table>\n");
  obs_html_foot(out);
}

/* The link to one log of one run. */
void obs_page_error(GString *out, unsigned status, const char *message) {
  obs_html_head(out, NULL, "error", NULL);
  obs_html_body(out);
  g_string_append_printf(out,
                         "<h3 id=\"error-status\">%u</h3>\n"
                         "<p id=\"error-message\">",
                         status);
  obs_html_text(out, message);
  g_string_append(out, "</p>\n<p><a href=\"/\">observer</a></p>\n");
  obs_html_foot(out);
}
