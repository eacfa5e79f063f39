/* The observer's HTML pages: plain server-rendered HTML (every string a
 * task wrote is escaped), a little vanilla JavaScript that keeps the task
 * and process pages live from /events, and the assets they use, all served
 * by the plugin (the pages work with no network).  Renders from copies of
 * the model; knows nothing of HTTP.  Internal to the plugin. */
#ifndef OBS_PAGES_H
#define OBS_PAGES_H

#include <stddef.h>

#include <glib.h>

#include "observer_model.h"
#include "observer_sampler.h"

/** Appends `s` HTML-escaped (& < > " '), invalid UTF-8 as U+FFFD. */
void obs_html_escape(GString *out, const char *s, size_t len);

/** `/`: the host's name and links to the task lists. */
void obs_page_index(GString *out, const char *hostname, obs_counts counts);

/** `/main[/<type>[/<offset>[/<num>]]]`: a page of tasks (`tasks` as
 * obs_model_page returns), with links to the previous and next page.
 * `sampler` may be NULL (no resource columns filled in). */
void obs_page_main(GString *out, obs_type type, long offset, long num,
                   const GPtrArray *tasks, size_t total, obs_sampler *sampler);

/** `/task/<id>`: status history, ports, a table of processes with their
 * runs, resources and log links.  `config_json` is the task's config file
 * content (NULL when missing). */
void obs_page_task(GString *out, const obs_task_view *t,
                   const char *config_json, obs_sampler *sampler);

/** `/process/<id>/<proc>`: every run of one process. */
void obs_page_process(GString *out, const obs_task_view *t,
                      const obs_process_view *p, obs_sampler *sampler);

/** `/rawtask/<id>`: the task's config JSON, pretty-printed as text. */
void obs_page_rawtask(GString *out, const obs_task_view *t,
                      const char *config_json);

/** `/logs/<id>/<proc>/<run>/<stdout|stderr>`: a viewer that tails the log
 * through /logdata. */
void obs_page_logs(GString *out, const obs_task_view *t, const char *process,
                   unsigned run, const char *stream);

/** A page for an error status (404...), with `message` escaped. */
void obs_page_error(GString *out, unsigned status, const char *message);

/** An asset under /assets/: its bytes and content type, or NULL when there
 * is no such asset. */
const char *obs_asset(const char *name, size_t *len, const char **content_type);

#endif
