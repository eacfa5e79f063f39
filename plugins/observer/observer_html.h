/* The parts every observer page is made of (observer_html.c).  Internal to
 * the plugin's page files. */
#ifndef OBS_HTML_H
#define OBS_HTML_H

#include <stdint.h>

#include <glib.h>

#include "observer_model.h"
#include "observer_pages.h" /* obs_html_escape */

/** Appends a NUL-terminated string, escaped. */
void obs_html_text(GString *out, const char *s);
/** Appends `s` as one URL path segment (percent-encoded, then escaped). */
void obs_html_url_segment(GString *out, const char *s);
/** Appends a time as Aurora shows it (UTC, %m/%d %H:%M:%S). */
void obs_html_time(GString *out, double seconds);
/** The state's name, or "UNKNOWN". */
const char *obs_html_task_state(int32_t state);
const char *obs_html_process_state(int32_t state);
/** The page's start, up to its <body>; `task_id` may be NULL. */
void obs_html_head(GString *out, const char *hostname, const char *page,
                   const char *task_id);
void obs_html_body(GString *out);
void obs_html_foot(GString *out);
/** Resource figures as Aurora's pages show them. */
void obs_html_cpu(GString *out, double cpu);
void obs_html_mb(GString *out, uint64_t bytes);
void obs_html_gb(GString *out, uint64_t bytes);
/** "active", "finished" or "all". */
const char *obs_html_type_name(obs_type type);
/** The task's latest status, or NULL when it has none. */
const obs_status *obs_html_last_status(const obs_task_view *t);
/** The port's number as a link to it on the task's host. */
void obs_html_port_link(GString *out, const obs_task_view *t,
                        const obs_port *p);

#endif
