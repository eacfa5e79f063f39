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

typedef struct td_instance {
  td_instance_conf *conf;
  char *section; /**< "plugin:NAME", for messages */
  const td_module *module;
  const thermos_handler_v1 *h; /**< the module's table */
  thermos_host_v1 services;    /**< the host table the plugin is given */
  void *ctx;
  bool inited;
  int config_errors; /**< config_error() calls during init */
  td_target target;  /**< what the dispatcher calls, once init succeeded */
} td_instance;

/** The section name for messages: "plugin:NAME". */
const char *td_instance_section(const td_instance *in);

/** Makes an instance of `module` for `conf` (nothing called yet). */
td_instance *td_instance_new(td_instance_conf *conf, const td_module *module,
                             int mode);
void td_instance_free(td_instance *in);

/** Checks the section's keys against the declared options; reports each
 * problem (file and line) and returns how many there were. */
int td_instance_check_options(const td_instance *in);

/** Calls init; false (reported) if it failed. */
bool td_instance_init(td_instance *in);
/** Calls fini if init succeeded. */
void td_instance_fini(td_instance *in);

/** The host's log threshold (THERMOS_LOG_*), for every instance. */
void td_set_log_level(int level);
/** Logs through the host's log at `level`, prefixed with `who`. */
void td_log(int level, const char *who, const char *message);

#endif
