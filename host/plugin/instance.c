#include "instance.h"

#include <float.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "build_config.h"
#include "core/diag.h"
#include "core/runner_state.h"
#include "crash_guard.h"

/* Read by plugins' own threads through log(): set once before any init. */
static int log_level = THERMOS_LOG_INFO;

void td_set_log_level(int level) { log_level = level; }

void td_log(int level, const char *who, const char *message) {
  if (level > log_level)
    return;
  switch (level) {
  case THERMOS_LOG_ERROR:
    td_error("%s: %s", who, message);
    break;
  case THERMOS_LOG_WARNING:
    td_warning("%s: %s", who, message);
    break;
  case THERMOS_LOG_INFO:
    td_error("info: %s: %s", who, message);
    break;
  default:
    td_error("debug: %s: %s", who, message);
    break;
  }
}

static void services_log(void *handle, int level, const char *message) {
  const td_instance *in = handle;
  td_log(level, in->conf->name, message ? message : "(null)");
}

static const thermos_option *find_option(const td_instance *in,
                                         const char *key) {
  for (const thermos_option *o = in->h->options; o && o->key; o++)
    if (strcmp(o->key, key) == 0)
      return o;
  return NULL;
}

const char *td_instance_value(const td_instance *in, const char *key) {
  if (!key)
    return NULL;
  const char *v = td_instance_get(in->conf, key);
  if (v)
    return v;
  const thermos_option *o = find_option(in, key);
  return o ? o->default_value : NULL;
}

static const char *services_config_get(void *handle, const char *key) {
  return td_instance_value(handle, key);
}

static int services_config_foreach(void *handle,
                                   int (*fn)(void *user, const char *key,
                                             const char *value),
                                   void *user) {
  const td_instance *in = handle;
  for (guint i = 0; i < in->conf->settings->len; i++) {
    const td_setting *s = g_ptr_array_index(in->conf->settings, i);
    int rc = fn(user, s->key, s->value);
    if (rc)
      return rc;
  }
  return 0;
}

static void services_config_error(void *handle, const char *key,
                                  const char *message) {
  td_instance *in = handle;
  td_config_report(td_instance_key_origin(in->conf, key ? key : ""),
                   td_instance_section(in), key, "%s",
                   message ? message : "invalid value");
  in->config_errors++;
}

static void services_fail_reason(void *handle, const char *reason) {
  td_instance *in = handle;
  td_target_set_reason(&in->target, reason);
}

/* State readers: thin wrappers over the state machine's own. */
static const thermos_runner_header *
services_header(const thermos_runner_state *st) {
  return st ? td_runner_state_header(st) : NULL;
}
static size_t services_task_status_count(const thermos_runner_state *st) {
  return st ? td_runner_state_task_status_count(st) : 0;
}
static const thermos_task_status *
services_task_status(const thermos_runner_state *st, size_t i) {
  return st ? td_runner_state_task_status(st, i) : NULL;
}
static size_t services_process_count(const thermos_runner_state *st) {
  return st ? td_runner_state_process_count(st) : 0;
}
static thermos_str services_process_name(const thermos_runner_state *st,
                                         size_t i) {
  thermos_str none = {NULL, 0};
  return st ? td_runner_state_process_name(st, i) : none;
}
static size_t services_process_run_count(const thermos_runner_state *st,
                                         thermos_str name) {
  size_t i = st ? td_runner_state_find_process(st, name) : SIZE_MAX;
  return i == SIZE_MAX ? 0 : td_runner_state_run_count_at(st, i);
}
static const thermos_process_status *
services_process_run(const thermos_runner_state *st, thermos_str name,
                     size_t run) {
  size_t i = st ? td_runner_state_find_process(st, name) : SIZE_MAX;
  return i == SIZE_MAX ? NULL : td_runner_state_run_at(st, i, run);
}

const char *td_instance_section(const td_instance *in) { return in->section; }

td_instance *td_instance_new(td_instance_conf *conf, const td_module *module,
                             int mode, bool truncate) {
  td_instance *in = g_new0(td_instance, 1);
  in->conf = conf;
  in->module = module;
  in->h = &module->table;
  in->target.name = conf->name;
  in->target.module = module->name;
  in->target.table = in->h;
  in->target.on_error = conf->on_error;
  in->section = g_strconcat("plugin:", conf->name, NULL);
  thermos_host_v1 *t = &in->services;
  t->abi_major = THERMOS_HANDLER_ABI_MAJOR;
  t->struct_size = sizeof *t;
  t->host = in;
  t->mode = mode;
  t->instance = conf->name;
  t->log = services_log;
  t->config_get = services_config_get;
  t->config_foreach = services_config_foreach;
  t->config_error = services_config_error;
  t->header = services_header;
  t->task_status_count = services_task_status_count;
  t->task_status = services_task_status;
  t->process_count = services_process_count;
  t->process_name = services_process_name;
  t->process_run_count = services_process_run_count;
  t->process_run = services_process_run;
  t->abi_minor = THERMOS_HANDLER_ABI_MINOR;
  t->truncate = truncate;
  t->host_version = PACKAGE_VERSION;
  t->config_get_int = td_services_config_get_int;
  t->config_get_double = td_services_config_get_double;
  t->config_get_bool = td_services_config_get_bool;
  t->fail_reason = services_fail_reason;
  t->instance_count = td_services_instance_count;
  t->instance_stats = td_services_instance_stats;
  t->stream_count = td_services_stream_count;
  t->stream_stats = td_services_stream_stats;
  return in;
}

void td_instance_free(td_instance *in) {
  if (!in)
    return;
  g_free(in->section);
  g_free(in);
}

static bool value_fits(const thermos_option *o, const char *v,
                       char **expected) {
  bool b;
  int64_t n;
  double d;
  switch (o->type) {
  case THERMOS_OPT_BOOL:
    *expected = g_strdup("a boolean (yes/no, true/false, on/off, 1/0)");
    return td_parse_bool(v, &b);
  case THERMOS_OPT_INT:
    *expected = g_strdup_printf("an integer from %" PRId64 " to %" PRId64,
                                INT64_MIN, INT64_MAX);
    return td_parse_int(v, &n);
  case THERMOS_OPT_DOUBLE:
    *expected = g_strdup_printf("a finite number from %.17g to %.17g", -DBL_MAX,
                                DBL_MAX);
    return td_parse_double(v, &d);
  case THERMOS_OPT_PATH:
    *expected = g_strdup("a path");
    return *v != '\0';
  case THERMOS_OPT_ENUM: {
    *expected = g_strdup_printf("one of %s", o->choices ? o->choices : "");
    gchar **choices = g_strsplit(o->choices ? o->choices : "", "|", -1);
    bool found = false;
    for (gchar **c = choices; *c; c++)
      if (strcmp(*c, v) == 0)
        found = true;
    g_strfreev(choices);
    return found;
  }
  case THERMOS_OPT_STRING:
  default:
    *expected = NULL;
    return true;
  }
}

int td_instance_check_options(const td_instance *in) {
  if (!in->h->options)
    return 0;
  int problems = 0;
  const char *section = td_instance_section(in);
  for (guint i = 0; i < in->conf->settings->len; i++) {
    const td_setting *s = g_ptr_array_index(in->conf->settings, i);
    const thermos_option *o = find_option(in, s->key);
    if (!o) {
      GString *keys = g_string_new(NULL);
      for (const thermos_option *k = in->h->options; k->key; k++)
        g_string_append_printf(keys, "%s%s", keys->len ? ", " : "", k->key);
      td_config_report(s->origin, section, s->key,
                       "unknown key (module %s accepts: %s)", in->module->name,
                       keys->len ? keys->str : "none");
      g_string_free(keys, TRUE);
      problems++;
      continue;
    }
    char *expected = NULL;
    if (!value_fits(o, s->value, &expected)) {
      td_config_report(s->origin, section, s->key, "expected %s, not '%s'",
                       expected, s->value);
      problems++;
    }
    g_free(expected);
  }
  return problems;
}

bool td_instance_init(td_instance *in) {
  if (!in->h->init) {
    in->inited = true;
    return true;
  }
  in->config_errors = 0;
  td_crash_guard_enter(in->conf->name, "init");
  int rc = in->h->init(&in->services, &in->ctx);
  td_crash_guard_leave();
  if (rc == 0 && in->config_errors == 0) {
    in->inited = true;
    in->target.ctx = in->ctx;
    return true;
  }
  if (rc == 0) {
    /* It reported a bad value yet claims success: it is running, so it
     * must be stopped again. */
    if (in->h->fini) {
      td_crash_guard_enter(in->conf->name, "fini");
      in->h->fini(in->ctx);
      td_crash_guard_leave();
    }
  } else if (in->config_errors == 0) {
    td_config_report(in->conf->origin, td_instance_section(in), NULL,
                     "init failed (module %s)", in->module->name);
  }
  return false;
}

void td_instance_fini(td_instance *in) {
  if (in->inited && in->h->fini) {
    td_crash_guard_enter(in->conf->name, "fini");
    in->h->fini(in->ctx);
    td_crash_guard_leave();
  }
  in->inited = false;
}
