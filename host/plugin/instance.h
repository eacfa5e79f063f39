/* A plugin instance: its module, its context, and the host table it is
 * given (logging, configuration, state readers). */
#ifndef TD_INSTANCE_H
#define TD_INSTANCE_H

#include <stdbool.h>
#include <stdint.h>

#include <thermos/handler.h>

#include "config/config.h"
#include "core/dispatcher.h"
#include "loader.h"

struct td_plugin_set;

typedef struct td_instance {
  td_instance_conf *conf;
  struct td_plugin_set *set; /**< the set it belongs to (statistics) */
  char *section;             /**< "plugin:NAME", for messages */
  const td_module *module;
  const thermos_handler_v1 *h; /**< the module's table */
  thermos_host_v1 services;    /**< the host table the plugin is given */
  void *ctx;
  bool inited;
  int config_errors; /**< config_error() calls during init */
  td_target target;  /**< what the dispatcher calls, once init succeeded */
  void *isolated;    /**< isolation = process: the worker's relay */
} td_instance;

/** The section name for messages: "plugin:NAME". */
const char *td_instance_section(const td_instance *in);

/** Makes an instance of `module` for `conf` (nothing called yet);
 * `truncate` is what the host table tells the plugin. */
td_instance *td_instance_new(td_instance_conf *conf, const td_module *module,
                             int mode, bool truncate);
void td_instance_free(td_instance *in);
/** An instance of `conf` run by a worker process (isolation = process):
 * no module here, a relay for a target (td_plugin_set's isolator). */
td_instance *td_instance_new_isolated(td_instance_conf *conf);

/** Checks the section's keys against the declared options; reports each
 * problem (file and line) and returns how many there were. */
int td_instance_check_options(const td_instance *in);

/** Calls init; false (reported) if it failed. */
bool td_instance_init(td_instance *in);
/** Calls fini if init succeeded. */
void td_instance_fini(td_instance *in);

/* The host table's typed option getters (services_options.c). */
int td_services_config_get_int(void *handle, const char *key, int64_t *value);
int td_services_config_get_double(void *handle, const char *key, double *value);
int td_services_config_get_bool(void *handle, const char *key, int *value);
/** The value written for a key, else its declared default, else NULL. */
const char *td_instance_value(const td_instance *in, const char *key);

/* The host table's statistics readers (services_stats.c). */
size_t td_services_instance_count(void *handle);
int td_services_instance_stats(void *handle, size_t i,
                               thermos_instance_stats *out);
size_t td_services_stream_count(void *handle);
int td_services_stream_stats(void *handle, size_t i, thermos_stream_stats *out);

/** The host's log threshold (THERMOS_LOG_*), for every instance. */
void td_set_log_level(int level);
/** Logs through the host's log at `level`, prefixed with `who`. */
void td_log(int level, const char *who, const char *message);

#endif
