/*
 * The [host] section's keys: their kinds, ranges and defaults.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <thermos/handler.h>

#include "config.h"
#include "core/framing.h"
#include "core/runner_state.h"

typedef enum host_key_kind {
  HK_STRING,
  HK_DIRS,
  HK_SIZE,
  HK_COUNT,
  HK_LEVEL,
  HK_SECONDS,
  HK_BOOL
} host_key_kind;

static const struct {
  const char *key;
  host_key_kind kind;
} HOST_KEYS[] = {
    {"plugin_dir", HK_DIRS},      {"plugin_path", HK_DIRS},
    {"max_record_size", HK_SIZE}, {"state_dir", HK_STRING},
    {"log_level", HK_LEVEL},      {"linger", HK_SECONDS},
    {"truncate", HK_BOOL},        {"rescan_interval", HK_SECONDS},
    {"max_processes", HK_COUNT},  {"slow_callback", HK_SECONDS},
};

/* plugin_dir (one directory, ':' and all) or plugin_path (directories
 * separated by ':'), not both: which one the operator meant would be a
 * guess. */
static int apply_plugin_dirs(td_config *cfg, const char *key, const char *v,
                             td_origin origin) {
  bool list = strcmp(key, "plugin_path") == 0;
  const char *other = list ? "plugin_dir" : "plugin_path";
  if (cfg->plugin_path_key && strcmp(cfg->plugin_path_key, other) == 0) {
    const td_origin *o = &cfg->plugin_path_origin;
    char *where = o->line > 0 ? g_strdup_printf("%s:%d", o->file, o->line)
                              : g_strdup(o->file);
    td_config_report(origin, "host", key, "%s is set too (%s): set one of them",
                     other, where);
    g_free(where);
    return 1;
  }
  char **dirs;
  if (!list) {
    if (!*v) {
      td_config_report(origin, "host", key, "expected a directory");
      return 1;
    }
    dirs = g_new0(char *, 2);
    dirs[0] = g_strdup(v);
  } else {
    dirs = g_strsplit(v, ":", -1);
    bool empty = !*v;
    for (char **d = dirs; *d; d++)
      empty = empty || !**d;
    if (empty) {
      td_config_report(origin, "host", key,
                       "expected directories separated by ':', none empty, "
                       "not '%s'",
                       v);
      g_strfreev(dirs);
      return 1;
    }
  }
  g_strfreev(cfg->plugin_path);
  cfg->plugin_path = dirs;
  cfg->plugin_path_key = list ? "plugin_path" : "plugin_dir";
  cfg->plugin_path_origin = origin;
  return 0;
}

static const char *const LOG_LEVELS[] = {"error", "warning", "info", "debug"};

int td_config_apply_host_key(td_config *cfg, const char *key, const char *v,
                             td_origin origin) {
  host_key_kind kind = HK_STRING;
  bool known = false;
  for (size_t i = 0; i < G_N_ELEMENTS(HOST_KEYS); i++)
    if (strcmp(HOST_KEYS[i].key, key) == 0) {
      kind = HOST_KEYS[i].kind;
      known = true;
    }
  if (!known) {
    td_config_report(origin, "host", key, "unknown key");
    return 1;
  }
  int64_t n;
  double d;
  bool b;
  switch (kind) {
  case HK_DIRS:
    return apply_plugin_dirs(cfg, key, v, origin);
  case HK_STRING:
    g_free(cfg->state_dir);
    cfg->state_dir = *v ? g_strdup(v) : NULL;
    return 0;
  case HK_SIZE:
    if (!td_parse_int(v, &n) || n < 1 || n > TD_MAX_RECORD_SIZE_LIMIT) {
      td_config_report(origin, "host", key,
                       "expected an integer from 1 to %u, not '%s'",
                       TD_MAX_RECORD_SIZE_LIMIT, v);
      return 1;
    }
    cfg->max_record_size = (uint32_t)n;
    return 0;
  case HK_COUNT:
    if (!td_parse_int(v, &n) || n < 1 || n > TD_MAX_PROCESSES_LIMIT) {
      td_config_report(origin, "host", key,
                       "expected an integer from 1 to %u, not '%s'",
                       TD_MAX_PROCESSES_LIMIT, v);
      return 1;
    }
    cfg->max_processes = (uint32_t)n;
    return 0;
  case HK_LEVEL:
    for (size_t i = 0; i < G_N_ELEMENTS(LOG_LEVELS); i++)
      if (strcmp(v, LOG_LEVELS[i]) == 0) {
        cfg->log_level = (int)i;
        return 0;
      }
    td_config_report(origin, "host", key,
                     "expected one of error|warning|info|debug, not '%s'", v);
    return 1;
  case HK_SECONDS: {
    bool linger = strcmp(key, "linger") == 0;
    bool slow = strcmp(key, "slow_callback") == 0; /* 0: off */
    char *expected;
    bool ok = td_parse_seconds(v, linger || slow ? 0 : TD_RESCAN_INTERVAL_MIN,
                               TD_SECONDS_MAX, &d, &expected);
    if (!ok)
      td_config_report(origin, "host", key, "expected %s, not '%s'", expected,
                       v);
    g_free(expected);
    if (!ok)
      return 1;
    if (linger)
      cfg->linger = d;
    else if (slow)
      cfg->slow_callback = d;
    else
      cfg->rescan_interval = d;
    return 0;
  }
  case HK_BOOL:
  default:
    if (!td_parse_bool(v, &b)) {
      td_config_report(origin, "host", key,
                       "expected a boolean (yes/no, true/false, on/off, "
                       "1/0), not '%s'",
                       v);
      return 1;
    }
    cfg->truncate = b;
    return 0;
  }
}
