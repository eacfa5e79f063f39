#include "instance.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "build_config.h"
#include "core/diag.h"
#include "core/runner_state.h"
#include "crash_guard.h"
#include "options.h"
#include "plugin_set.h"

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

/* The declared key, from options_ex when the module has it, else from
 * options. */
static bool find_option(const td_instance *in, const char *key,
                        td_option_decl *out) {
  return td_option_find(in->h, key, out);
}

const char *td_instance_value(const td_instance *in, const char *key) {
  if (!key)
    return NULL;
  const char *v = td_instance_get(in->conf, key);
  if (v)
    return v;
  td_option_decl o;
  return find_option(in, key, &o) ? o.default_value : NULL;
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

td_instance *td_instance_new_isolated(td_instance_conf *conf) {
  td_instance *in = g_new0(td_instance, 1);
  in->conf = conf;
  in->section = g_strconcat("plugin:", conf->name, NULL);
  in->target.name = conf->name;
  in->target.module = conf->path ? conf->path : conf->module;
  in->target.on_error = conf->on_error;
  return in;
}

void td_instance_free(td_instance *in) {
  if (!in)
    return;
  if (in->isolated && td_plugin_set_get_isolator())
    td_plugin_set_get_isolator()->free(in);
  g_free(in->section);
  g_free(in);
}

/* "unknown key (module M accepts: K1, K2)". */
static void report_unknown(const td_instance *in, const td_setting *s) {
  GString *keys = g_string_new(NULL);
  td_option_decl k;
  for (size_t i = 0; td_option_at(in->h, i, &k); i++)
    g_string_append_printf(keys, "%s%s", keys->len ? ", " : "", k.key);
  td_config_report(s->origin, td_instance_section(in), s->key,
                   "unknown key (module %s accepts: %s)", in->module->name,
                   keys->len ? keys->str : "none");
  g_string_free(keys, TRUE);
}

/* A REQUIRED key must be written (a default cannot be declared for one);
 * reported at the section's line, where it is missing. */
static int check_required(const td_instance *in) {
  int problems = 0;
  td_option_decl o;
  for (size_t i = 0; td_option_at(in->h, i, &o); i++)
    if ((o.flags & THERMOS_OPTION_REQUIRED) &&
        !td_instance_get(in->conf, o.key)) {
      td_config_report(in->conf->origin, td_instance_section(in), o.key,
                       "required, not set (module %s)", in->module->name);
      problems++;
    }
  return problems;
}

int td_instance_check_options(const td_instance *in) {
  if (!td_options_declared(in->h))
    return 0;
  int problems = 0;
  for (guint i = 0; i < in->conf->settings->len; i++) {
    const td_setting *s = g_ptr_array_index(in->conf->settings, i);
    td_option_decl o;
    if (!find_option(in, s->key, &o)) {
      report_unknown(in, s);
      problems++;
      continue;
    }
    char *expected = NULL;
    if (!td_option_value_fits(&o, s->value, &expected)) {
      td_config_report(s->origin, td_instance_section(in), s->key,
                       "expected %s, not '%s'", expected, s->value);
      problems++;
    }
    g_free(expected);
  }
  return problems + check_required(in);
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
  if (in->isolated) {
    if (in->inited)
      td_plugin_set_get_isolator()->stop(in);
    in->inited = false;
    return;
  }
  if (in->inited && in->h->fini) {
    td_crash_guard_enter(in->conf->name, "fini");
    in->h->fini(in->ctx);
    td_crash_guard_leave();
  }
  in->inited = false;
}
