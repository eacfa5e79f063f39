/* The kit's handle: the instance's section (as -p and -o make it), init
 * with the plugin layer's own checks, fini, and what the dispatcher
 * counted. */
#include <string.h>

#include "build_config.h"

#include "core/diag.h"
#include "testkit_private.h"

/* The kit's own target, after the plugin's: it keeps the reason a stream
 * stopped with, which the session reports but does not hand back. */
static int remember_stream_error(void *ctx, const thermos_event *ev,
                                 const char *reason) {
  (void)ev;
  thermos_testkit *kit = ctx;
  g_free(kit->stream_error);
  kit->stream_error = g_strdup(reason ? reason : "");
  return THERMOS_OK;
}

static const thermos_handler_v1 OBSERVER = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "thermos-testkit",
    .version = PACKAGE_VERSION,
    .on_stream_error = remember_stream_error,
};

static void setting_free(gpointer p) {
  td_setting *s = p;
  g_free(s->key);
  g_free(s->value);
  g_free(s);
}

thermos_testkit *thermos_testkit_new(void) {
  thermos_testkit *kit = g_new0(thermos_testkit, 1);
  kit->mode = THERMOS_MODE_REPLAY;
  kit->log_level = THERMOS_LOG_INFO;
  kit->frame = g_byte_array_new();
  td_instance_conf *ic = kit->conf = g_new0(td_instance_conf, 1);
  ic->enabled = true;
  ic->on_error = TD_ON_ERROR_CONTINUE;
  /* What -p gives the section: its messages read "-p: [plugin:NAME]". */
  ic->origin.file = "-p";
  ic->origin.line = 0;
  ic->settings = g_ptr_array_new_with_free_func(setting_free);
  ic->host_keys =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  td_testkit_capture_start(kit);
  return kit;
}

void thermos_testkit_free(thermos_testkit *kit) {
  if (!kit)
    return;
  thermos_testkit_fini(kit);
  td_dispatcher_free(kit->d);
  if (kit->set.instances)
    g_ptr_array_free(kit->set.instances, TRUE);
  if (kit->set.modules)
    g_ptr_array_free(kit->set.modules, TRUE);
  td_instance_free(kit->inst);
  td_module_free(kit->module);
  g_free(kit->conf->name);
  g_free(kit->conf->module);
  g_ptr_array_free(kit->conf->settings, TRUE);
  g_hash_table_destroy(kit->conf->host_keys);
  g_free(kit->conf);
  td_json_reader_free(kit->json);
  g_byte_array_unref(kit->frame);
  g_free(kit->stream_error);
  td_testkit_capture_stop(kit);
  g_free(kit);
}

bool td_testkit_running(const thermos_testkit *kit) {
  return kit && kit->inited && !kit->finished;
}

/* Whether the instance may still be configured. */
static bool configurable(const thermos_testkit *kit) {
  return kit && !kit->inited && !kit->finished;
}

/* As the configuration refuses a section name: -o splits on '.'. */
static bool valid_instance_name(const char *name) {
  return *name && !strchr(name, '.') && strcmp(name, "host") != 0;
}

int thermos_testkit_set_name(thermos_testkit *kit, const char *instance) {
  if (!configurable(kit) || !instance)
    return THERMOS_TESTKIT_MISUSE;
  if (!valid_instance_name(instance)) {
    td_error("'%s' cannot name an instance (empty, 'host', or with '.')",
             instance);
    return THERMOS_TESTKIT_CONFIG_ERROR;
  }
  g_free(kit->conf->name);
  kit->conf->name = g_strdup(instance);
  return THERMOS_TESTKIT_OK;
}

/* The host's own keys of a section, checked as the configuration does. */
static int host_key(thermos_testkit *kit, const char *key, const char *value,
                    td_origin origin) {
  td_instance_conf *ic = kit->conf;
  char *section = g_strconcat("plugin:", ic->name ? ic->name : "", NULL);
  int rc = THERMOS_TESTKIT_OK;
  if (strcmp(key, "on_error") == 0) {
    if (strcmp(value, "continue") == 0)
      ic->on_error = TD_ON_ERROR_CONTINUE;
    else if (strcmp(value, "disable") == 0)
      ic->on_error = TD_ON_ERROR_DISABLE;
    else if (strcmp(value, "abort") == 0)
      ic->on_error = TD_ON_ERROR_ABORT;
    else {
      td_config_report(origin, section, key,
                       "expected one of continue|disable|abort, not '%s'",
                       value);
      rc = THERMOS_TESTKIT_CONFIG_ERROR;
    }
  } else if (strcmp(key, "enabled") == 0) {
    bool enabled;
    if (!td_parse_bool(value, &enabled)) {
      td_config_report(origin, section, key,
                       "expected a boolean (yes/no, true/false, on/off, "
                       "1/0), not '%s'",
                       value);
      rc = THERMOS_TESTKIT_CONFIG_ERROR;
    }
  } else {
    td_config_report(origin, section, key,
                     "not for an instance loaded with -p");
    rc = THERMOS_TESTKIT_CONFIG_ERROR;
  }
  if (rc == THERMOS_TESTKIT_OK) {
    td_origin *o = g_new(td_origin, 1);
    *o = origin;
    g_hash_table_replace(ic->host_keys, g_strdup(key), o);
  }
  g_free(section);
  return rc;
}

int thermos_testkit_set_option(thermos_testkit *kit, const char *key,
                               const char *value) {
  if (!configurable(kit) || !kit->module || !key || !value)
    return THERMOS_TESTKIT_MISUSE;
  td_origin origin = {"-o", ++kit->n_options};
  if (strcmp(key, "on_error") == 0 || strcmp(key, "enabled") == 0 ||
      strcmp(key, "module") == 0)
    return host_key(kit, key, value, origin);
  GPtrArray *settings = kit->conf->settings;
  for (guint i = 0; i < settings->len; i++) {
    td_setting *s = g_ptr_array_index(settings, i);
    if (strcmp(s->key, key) == 0) {
      g_free(s->value);
      s->value = g_strdup(value);
      s->origin = origin;
      return THERMOS_TESTKIT_OK;
    }
  }
  td_setting *s = g_new0(td_setting, 1);
  s->key = g_strdup(key);
  s->value = g_strdup(value);
  s->origin = origin;
  g_ptr_array_add(settings, s);
  return THERMOS_TESTKIT_OK;
}

int thermos_testkit_set_mode(thermos_testkit *kit, int mode) {
  if (!configurable(kit))
    return THERMOS_TESTKIT_MISUSE;
  kit->mode = mode;
  return THERMOS_TESTKIT_OK;
}

int thermos_testkit_set_truncate(thermos_testkit *kit, int truncate) {
  if (!configurable(kit))
    return THERMOS_TESTKIT_MISUSE;
  kit->truncate = truncate != 0;
  return THERMOS_TESTKIT_OK;
}

int thermos_testkit_set_log_level(thermos_testkit *kit, int level) {
  if (!configurable(kit) || level < THERMOS_LOG_ERROR ||
      level > THERMOS_LOG_DEBUG)
    return THERMOS_TESTKIT_MISUSE;
  kit->log_level = level;
  return THERMOS_TESTKIT_OK;
}

int thermos_testkit_init(thermos_testkit *kit) {
  if (!configurable(kit) || !kit->module)
    return THERMOS_TESTKIT_MISUSE;
  if (!kit->conf->name) {
    td_error("'%s' cannot name an instance (empty, 'host', or with '.')",
             kit->module->name);
    return THERMOS_TESTKIT_CONFIG_ERROR;
  }
  td_set_log_level(kit->log_level);
  td_instance *in =
      td_instance_new(kit->conf, kit->module, kit->mode, kit->truncate);
  if (!kit->set.instances) {
    kit->set.instances = g_ptr_array_new();
    kit->set.modules = g_ptr_array_new();
  }
  in->set = &kit->set;
  /* As td_plugin_set_start: the checks, then init; the instance joins
   * the set (what the statistics readers list) once started. */
  if (td_instance_check_options(in) > 0 || !td_instance_init(in)) {
    td_instance_free(in);
    return THERMOS_TESTKIT_CONFIG_ERROR;
  }
  kit->inst = in;
  g_ptr_array_add(kit->set.instances, in);
  kit->d = kit->set.dispatcher = td_dispatcher_new();
  td_dispatcher_add(kit->d, &in->target);
  kit->observer.name = OBSERVER.name;
  kit->observer.module = OBSERVER.name;
  kit->observer.table = &OBSERVER;
  kit->observer.ctx = kit;
  kit->observer.on_error = TD_ON_ERROR_CONTINUE;
  td_dispatcher_add(kit->d, &kit->observer);
  kit->inited = true;
  return THERMOS_TESTKIT_OK;
}

int thermos_testkit_fini(thermos_testkit *kit) {
  if (!kit)
    return THERMOS_TESTKIT_MISUSE;
  if (!td_testkit_running(kit))
    return kit->finished ? THERMOS_TESTKIT_MISUSE : THERMOS_TESTKIT_OK;
  int rc = td_testkit_close_stream(kit);
  /* As `replay` ends: the failures counted, unless an abort stopped it. */
  if (!td_dispatcher_aborted(kit->d))
    td_dispatcher_report_failures(kit->d);
  else
    rc = THERMOS_TESTKIT_ABORTED;
  td_instance_fini(kit->inst);
  kit->finished = true;
  return rc;
}

const char *thermos_testkit_stream_error(const thermos_testkit *kit) {
  return kit ? kit->stream_error : NULL;
}

uint64_t thermos_testkit_failures(const thermos_testkit *kit) {
  return kit && kit->inst ? kit->inst->target.failures : 0;
}

uint64_t thermos_testkit_events(const thermos_testkit *kit) {
  return kit && kit->inst ? kit->inst->target.events : 0;
}

int thermos_testkit_disabled(const thermos_testkit *kit) {
  return kit && kit->inst && kit->inst->target.disabled;
}

void *thermos_testkit_context(const thermos_testkit *kit) {
  return kit && kit->inst ? kit->inst->ctx : NULL;
}
