/* What every page of the observer is made of: escaping (obs_html_escape,
 * and obs_html_url_segment for a URL path), times, state names, the head
 * and foot of a page, resource figures.  Every string that came from a
 * task goes through these. */
#include "observer_html.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/states.h"

/* thermos_process_state RUNNING: only a running process has a sample. */

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
void obs_html_text(GString *out, const char *s) {
  if (s)
    obs_html_escape(out, s, strlen(s));
}

/* One path segment of a URL, percent-encoded (all but RFC 3986's
 * unreserved characters), so '/', '?', '#', '%' in a name stay inside the
 * segment.  The result needs no HTML escaping. */
void obs_html_url_segment(GString *out, const char *s) {
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
void obs_html_time(GString *out, double seconds) {
  if (!(seconds > 0) || seconds > 253402300799.0)
    return;
  time_t t = (time_t)seconds;
  struct tm tm;
  char buf[32];
  if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%m/%d %H:%M:%S", &tm))
    g_string_append(out, buf);
}

const char *obs_html_task_state(int32_t state) {
  const char *n = td_task_state_name(state);
  return n ? n : "UNKNOWN";
}

const char *obs_html_process_state(int32_t state) {
  const char *n = td_process_state_name(state);
  return n ? n : "UNKNOWN";
}

/* The head of every page: `page` names it for the script (body's
 * data-page), `task_id` (may be NULL) is given to the script the same
 * way; the body's start tag is left open (page_body ends it). */
void obs_html_head(GString *out, const char *hostname, const char *page,
                   const char *task_id) {
  g_string_append(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                       "<meta charset=\"utf-8\">\n<title>thermos(");
  obs_html_text(out, hostname);
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
    obs_html_text(out, task_id);
    g_string_append_c(out, '"');
  }
}

/* Ends the body's start tag that page_head left open for more data-. */
void obs_html_body(GString *out) {
  g_string_append(out, ">\n<div class=\"container\">\n");
}

void obs_html_foot(GString *out) {
  g_string_append(out, "</div>\n</body>\n</html>\n");
}

void obs_html_cpu(GString *out, double cpu) {
  if (isfinite(cpu))
    g_string_append_printf(out, "%.3f", cpu);
}

void obs_html_mb(GString *out, uint64_t bytes) {
  g_string_append_printf(out, "%.1fMB", (double)bytes / 1024. / 1024.);
}

void obs_html_gb(GString *out, uint64_t bytes) {
  g_string_append_printf(out, "%.1fGB", (double)bytes / 1024. / 1024. / 1024.);
}

const char *obs_html_type_name(obs_type type) {
  switch (type) {
  case OBS_ACTIVE:
    return "active";
  case OBS_FINISHED:
    return "finished";
  default:
    return "all";
  }
}

/* The task's latest status, or NULL when it has none. */
const obs_status *obs_html_last_status(const obs_task_view *t) {
  if (!t->statuses || t->statuses->len == 0)
    return NULL;
  return &g_array_index(t->statuses, obs_status, t->statuses->len - 1);
}

/* The port's number as a link to it on the task's host. */
void obs_html_port_link(GString *out, const obs_task_view *t,
                        const obs_port *p) {
  g_string_append(out, "<a href=\"http://");
  obs_html_text(out, t->hostname);
  g_string_append_printf(out, ":%" PRId32 "/\">%" PRId32 "</a>", p->port,
                         p->port);
}
