/* URL routing (observer_routes.h).  The path's components are already
 * percent-decoded by libmicrohttpd; a component that names a file (a task
 * id, a process, a stream) is refused when it is empty, "." or "..", or
 * holds '/' or NUL, before it reaches any lookup. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "observer_config.h"
#include "observer_json.h"
#include "observer_logs.h"
#include "observer_pages.h"
#include "observer_routes.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define HTML_TYPE "text/html; charset=utf-8"
/* Path components read at most: every route has fewer. */
#define MAX_PARTS 8

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
                             const char *type, GString *body) {
  enum MHD_Result r = tdp_http_reply(c, status, type, body->str, body->len);
  g_string_free(body, TRUE);
  return r;
}

static enum MHD_Result json(struct MHD_Connection *c, GString *body) {
  return reply(c, MHD_HTTP_OK, JSON_TYPE, body);
}

static enum MHD_Result error_page(struct MHD_Connection *c, unsigned status,
                                  const char *message) {
  GString *b = g_string_new(NULL);
  obs_page_error(b, status, message);
  return reply(c, status, HTML_TYPE, b);
}

/* A decimal long, all of `s`. */
static bool parse_long(const char *s, long *out) {
  if (!s || !*s)
    return false;
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *end)
    return false;
  *out = v;
  return true;
}

static bool name_ok(const char *s) { return obs_task_id_ok(s, strlen(s)); }

static bool type_of(const char *s, obs_type *t) {
  if (strcmp(s, "active") == 0)
    *t = OBS_ACTIVE;
  else if (strcmp(s, "finished") == 0)
    *t = OBS_FINISHED;
  else if (strcmp(s, "all") == 0)
    *t = OBS_ALL;
  else
    return false;
  return true;
}

/* [/<type>[/<offset>[/<num>]]] from parts[0..n), Aurora's defaults. */
static bool page_args(char **parts, int n, const char *dflt, const char **name,
                      obs_type *type, long *offset, long *num) {
  *name = n > 0 ? parts[0] : dflt;
  *offset = 0;
  *num = 20;
  if (!type_of(*name, type))
    return false;
  if (n > 1 && !parse_long(parts[1], offset))
    return false;
  if (n > 2 && !parse_long(parts[2], num))
    return false;
  return n <= 3;
}

/* Reads the config file of each task of a page whose name is not known
 * yet, and has the model remember it: a list then costs one file read per
 * task once, not on every request.  A task without a config file is read
 * again next time (its file may come later). */
static void remember_names(obs_model *m, GPtrArray *page) {
  for (guint i = 0; i < page->len; i++) {
    obs_task_view *t = g_ptr_array_index(page, i);
    if (t->name || !*t->root)
      continue;
    size_t len = 0;
    char *config = obs_config_read(t->root, t->task_id, &len);
    if (!config)
      continue;
    char *name = obs_config_string(config, len, "name");
    g_free(config);
    t->name = name ? name : g_strdup("");
    obs_model_set_name(m, t->task_id, t->name);
  }
}

static enum MHD_Result j_task_ids(obs_routes *r, struct MHD_Connection *c,
                                  char **parts, int n) {
  const char *name;
  obs_type type;
  long offset, num;
  if (!page_args(parts, n, "all", &name, &type, &offset, &num))
    return error_page(c, MHD_HTTP_NOT_FOUND, "no such list");
  size_t total;
  GPtrArray *page = obs_model_page(r->model, type, offset, num, &total);
  remember_names(r->model, page);
  GString *b = g_string_new(NULL);
  obs_json_task_ids(b, name, offset, num, page, total, r->sampler);
  g_ptr_array_free(page, TRUE);
  return json(c, b);
}

/* The ids of ?task_id=a,b (each checked; a refused one is skipped). */
static char **query_ids(struct MHD_Connection *c) {
  const char *v =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "task_id");
  if (!v || !*v)
    return g_new0(char *, 1);
  return g_strsplit(v, ",", 1024);
}

static enum MHD_Result j_tasks(obs_routes *r, struct MHD_Connection *c,
                               char **ids) {
  GString *b = g_string_new("{");
  bool first = true;
  for (char **id = ids; *id; id++) {
    if (!name_ok(*id))
      continue;
    obs_task_view *t = obs_model_get(r->model, *id);
    if (!t)
      continue;
    gsize mark = b->len;
    if (!first)
      g_string_append_c(b, ',');
    if (obs_json_task_member(b, t, r->sampler))
      first = false;
    else
      g_string_truncate(b, mark);
    obs_task_view_free(t);
  }
  g_string_append_c(b, '}');
  return json(c, b);
}

static enum MHD_Result j_processes(obs_routes *r, struct MHD_Connection *c,
                                   char **ids) {
  GString *b = g_string_new("{");
  bool first = true;
  for (char **id = ids; *id; id++) {
    if (!name_ok(*id))
      continue;
    obs_task_view *t = obs_model_get(r->model, *id);
    if (!first)
      g_string_append_c(b, ',');
    first = false;
    obs_json_processes_member(b, *id, t, r->sampler);
    obs_task_view_free(t);
  }
  g_string_append_c(b, '}');
  return json(c, b);
}

static enum MHD_Result j_process(obs_routes *r, struct MHD_Connection *c,
                                 char **parts, int n) {
  long run = -1;
  if (n > 2 && !parse_long(parts[2], &run))
    return error_page(c, MHD_HTTP_NOT_FOUND, "no such run");
  obs_task_view *t =
      name_ok(parts[0]) ? obs_model_get(r->model, parts[0]) : NULL;
  GString *b = g_string_new(NULL);
  obs_json_process(b, t, n > 1 ? parts[1] : NULL, run, r->sampler);
  obs_task_view_free(t);
  return json(c, b);
}

static bool stream_ok(const char *s) {
  return strcmp(s, "stdout") == 0 || strcmp(s, "stderr") == 0;
}

/* <id>/<proc>/<run>/<stream>, checked. */
static bool log_args(char **parts, int n, unsigned *run) {
  long v;
  if (n != 4 || !name_ok(parts[0]) || !name_ok(parts[1]) ||
      !parse_long(parts[2], &v) || v < 0 || v > INT_MAX || !stream_ok(parts[3]))
    return false;
  *run = (unsigned)v;
  return true;
}

static int64_t query_i64(struct MHD_Connection *c, const char *key,
                         int64_t dflt) {
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
  long x;
  if (!v || !parse_long(v, &x))
    return dflt;
  return x;
}

static enum MHD_Result logdata(obs_routes *r, struct MHD_Connection *c,
                               char **parts, int n) {
  unsigned run;
  obs_task_view *t = NULL;
  if (log_args(parts, n, &run))
    t = obs_model_get(r->model, parts[0]);
  int fd =
      t ? obs_log_open(t->log_dir, t->root, t->task_id, parts[1], run, parts[3])
        : -1;
  obs_task_view_free(t);
  if (fd < 0)
    return reply(c, MHD_HTTP_NOT_FOUND, JSON_TYPE, g_string_new("{}"));
  GString *b = g_string_new(NULL);
  int rc = obs_logdata_json(b, fd, query_i64(c, "offset", -1),
                            query_i64(c, "length", -1));
  close(fd);
  if (rc != 0) {
    g_string_free(b, TRUE);
    return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, JSON_TYPE,
                 g_string_new("{}"));
  }
  return json(c, b);
}

static enum MHD_Result j_route(obs_routes *r, struct MHD_Connection *c,
                               char **parts, int n) {
  if (n >= 1 && strcmp(parts[0], "task_ids") == 0)
    return j_task_ids(r, c, parts + 1, n - 1);
  if (n == 1 && strcmp(parts[0], "task_id_count") == 0) {
    GString *b = g_string_new(NULL);
    obs_json_counts(b, obs_model_counts(r->model));
    return json(c, b);
  }
  if ((n == 1 || n == 2) && strcmp(parts[0], "task") == 0) {
    if (n == 2) {
      char *one[] = {parts[1], NULL};
      return j_tasks(r, c, one);
    }
    char **ids = query_ids(c);
    enum MHD_Result res = j_tasks(r, c, ids);
    g_strfreev(ids);
    return res;
  }
  if (n >= 2 && n <= 4 && strcmp(parts[0], "process") == 0)
    return j_process(r, c, parts + 1, n - 1);
  if (n == 1 && strcmp(parts[0], "processes") == 0) {
    char **ids = query_ids(c);
    enum MHD_Result res = j_processes(r, c, ids);
    g_strfreev(ids);
    return res;
  }
  return error_page(c, MHD_HTTP_NOT_FOUND, "not found");
}

/* The task of an HTML page, and its config; a 404 page when unknown. */
static obs_task_view *page_task(obs_routes *r, const char *id) {
  return name_ok(id) ? obs_model_get(r->model, id) : NULL;
}

static enum MHD_Result html_route(obs_routes *r, struct MHD_Connection *c,
                                  char **parts, int n) {
  GString *b = g_string_new(NULL);
  const char *what = parts[0];
  if (n == 0 || (n == 1 && *what == '\0')) {
    obs_page_index(b, r->hostname, obs_model_counts(r->model));
    return reply(c, MHD_HTTP_OK, HTML_TYPE, b);
  }
  if (strcmp(what, "main") == 0) {
    const char *name;
    obs_type type;
    long offset, num;
    if (page_args(parts + 1, n - 1, "all", &name, &type, &offset, &num)) {
      size_t total;
      GPtrArray *page = obs_model_page(r->model, type, offset, num, &total);
      obs_page_main(b, type, obs_json_offset(offset, total), num, page, total,
                    r->sampler);
      g_ptr_array_free(page, TRUE);
      return reply(c, MHD_HTTP_OK, HTML_TYPE, b);
    }
  } else if ((strcmp(what, "task") == 0 || strcmp(what, "rawtask") == 0) &&
             n == 2) {
    obs_task_view *t = page_task(r, parts[1]);
    if (t) {
      char *config = obs_config_read(t->root, t->task_id, NULL);
      if (what[0] == 't')
        obs_page_task(b, t, config, r->sampler);
      else
        obs_page_rawtask(b, t, config);
      g_free(config);
      obs_task_view_free(t);
      return reply(c, MHD_HTTP_OK, HTML_TYPE, b);
    }
  } else if (strcmp(what, "process") == 0 && n == 3) {
    obs_task_view *t = page_task(r, parts[1]);
    for (guint i = 0; t && i < t->processes->len; i++) {
      const obs_process_view *p = g_ptr_array_index(t->processes, i);
      if (strcmp(p->name, parts[2]) == 0) {
        obs_page_process(b, t, p, r->sampler);
        obs_task_view_free(t);
        return reply(c, MHD_HTTP_OK, HTML_TYPE, b);
      }
    }
    obs_task_view_free(t);
  } else if (strcmp(what, "logs") == 0) {
    unsigned run;
    obs_task_view *t =
        log_args(parts + 1, n - 1, &run) ? page_task(r, parts[1]) : NULL;
    if (t) {
      obs_page_logs(b, t, parts[2], run, parts[4]);
      obs_task_view_free(t);
      return reply(c, MHD_HTTP_OK, HTML_TYPE, b);
    }
  }
  g_string_free(b, TRUE);
  return error_page(c, MHD_HTTP_NOT_FOUND, "not found");
}

enum MHD_Result obs_routes_handle(void *cls, struct MHD_Connection *c,
                                  const char *url) {
  obs_routes *r = cls;
  if (!url || url[0] != '/')
    return error_page(c, MHD_HTTP_NOT_FOUND, "not found");
  /* A trailing part beyond MAX_PARTS lands in the last one, which then
   * holds a '/' and matches no route. */
  char **parts = g_strsplit(url + 1, "/", MAX_PARTS);
  int n = (int)g_strv_length(parts);
  enum MHD_Result res;
  if (n >= 1 && strcmp(parts[0], "j") == 0) {
    res = j_route(r, c, parts + 1, n - 1);
  } else if (n >= 1 && strcmp(parts[0], "logdata") == 0) {
    res = logdata(r, c, parts + 1, n - 1);
  } else if (n == 1 && strcmp(parts[0], "events") == 0) {
    res = obs_events_serve(r->events, r->http, c);
  } else if (n == 2 && strcmp(parts[0], "assets") == 0) {
    size_t len;
    const char *type;
    const char *data = obs_asset(parts[1], &len, &type);
    res = data ? tdp_http_reply(c, MHD_HTTP_OK, type, data, len)
               : error_page(c, MHD_HTTP_NOT_FOUND, "no such asset");
  } else {
    res = html_route(r, c, parts, n);
  }
  g_strfreev(parts);
  return res;
}
