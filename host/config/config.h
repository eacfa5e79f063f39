/* The configuration: which file, [host] settings, and the plugin instances
 * with their keys, each remembered with its file and line for messages. */
#ifndef TD_CONFIG_H
#define TD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "core/dispatcher.h" /* td_on_error */

/** Where a value was written: a file and line, or "-o" and a position. */
typedef struct td_origin {
  const char *file; /**< the configuration file, "-o", or "(built-in)" */
  int line;
} td_origin;

/** One key of a plugin's section. */
typedef struct td_setting {
  char *key;
  char *value;
  td_origin origin;
} td_setting;

/** A plugin instance: a [plugin:NAME] section, or a -p PATH. */
typedef struct td_instance_conf {
  char *name;   /**< what follows "plugin:" */
  char *module; /**< bare module name (default: the instance name) */
  char *path;   /**< for -p: the explicit file; else NULL */
  bool enabled;
  td_on_error on_error;
  td_origin origin;      /**< the section's line */
  GPtrArray *settings;   /**< td_setting *: the plugin's own keys, in order */
  GHashTable *host_keys; /**< enabled/module/on_error/... -> td_origin * */
  /* Isolation (instance_isolation.c): */
  bool isolated;           /**< isolation = process: a worker process */
  char *user;              /**< user = NAME for the worker, or NULL */
  double callback_timeout; /**< seconds without an answer: killed */
  uint32_t max_restarts;   /**< restarts a minute, then disabled */
  uint32_t queue_records;  /**< records queued for the worker, at most */
} td_instance_conf;

typedef struct td_config {
  char *file; /**< the file read, or NULL for the built-in default */
  /* [host] */
  /** The directories searched in order for MODULE.so: [host] plugin_path
   * split at ':', or plugin_dir alone (NULL-terminated, never empty). */
  char **plugin_path;
  /** Which of plugin_dir and plugin_path set it (NULL: the default), and
   * where: both given is an error. */
  const char *plugin_path_key;
  td_origin plugin_path_origin;
  uint32_t max_record_size;
  uint32_t max_processes; /**< per stream */
  char *state_dir;        /**< NULL when empty */
  int log_level;          /**< THERMOS_LOG_* */
  double linger;
  bool truncate;
  double rescan_interval;
  double slow_callback;  /**< seconds; 0: off */
  GPtrArray *instances;  /**< td_instance_conf *, in dispatch order */
  GStringChunk *strings; /**< origins' file names */
  int errors;            /**< problems reported while loading */
} td_config;

/** Command-line input to the configuration. */
typedef struct td_config_args {
  const char *config_file; /**< -c, or NULL */
  GPtrArray *overrides;    /**< -o SECTION.KEY=VALUE (char *) */
  GPtrArray *plugin_paths; /**< -p PATH (char *) */
} td_config_args;

/**
 * Finds and reads the configuration (-c, $THERMOS_DISPATCH_CONFIG, the
 * system file, else the built-in default), applies -o and -p.  Each
 * problem is printed (one line).  Returns NULL with `*exit_code` set on a
 * usage error (64: -o or -p malformed) or, unless `keep_going`, on any
 * configuration error (78).  With `keep_going` (the `check` command) a
 * configuration with errors is returned, `errors` counting them, so that
 * its plugins can be checked too.
 */
td_config *td_config_load(const td_config_args *args, bool keep_going,
                          int *exit_code);
void td_config_free(td_config *cfg);

/* Building a configuration by hand (an isolated instance's worker gets
 * its instance over a channel, not from a file). */
/** The defaults, no instance. */
td_config *td_config_new(void);
/** A new instance, enabled, its other keys at their defaults. */
td_instance_conf *td_config_add_instance(td_config *cfg, const char *name,
                                         td_origin origin);
/** Appends a plugin key (no check: the host checked it). */
void td_instance_conf_add_setting(td_instance_conf *ic, const char *key,
                                  const char *value, td_origin origin);
/** A copy of `s` that lives as long as `cfg` (for origins). */
const char *td_config_intern(td_config *cfg, const char *s);

/** Whether `a` and `b` configure an instance alike: the same name, module
 * (name or -p path), enabled, on_error and plugin keys with their values
 * (in any order).  Where they were written does not count. */
bool td_instance_conf_same(const td_instance_conf *a,
                           const td_instance_conf *b);

/**
 * A reload keeps a running instance's configuration `kept` (of `from`,
 * the configuration being replaced): it takes the place of `same` (its
 * equal in `to`), which `from` holds instead and frees with itself.  The
 * origins `kept` names are copied into `to`.
 */
void td_config_keep_instance(td_config *from, td_instance_conf *kept,
                             td_config *to, td_instance_conf *same);
/**
 * The [host] keys that cannot change while the host runs (state_dir,
 * truncate, max_record_size): each that `cfg` changes is reported (one
 * line) and set back to `old`'s value.  Returns how many.
 */
int td_config_keep_fixed(const td_config *old, td_config *cfg);

/** Prints "thermos-dispatch: FILE:LINE: [SECTION] KEY: MESSAGE". */
void td_config_report(td_origin origin, const char *section, const char *key,
                      const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/** Applies one [host] key; reports a problem (returns 1) or returns 0. */
int td_config_apply_host_key(td_config *cfg, const char *key, const char *value,
                             td_origin origin);

/** The longest duration any key or option takes, in seconds (30 days):
 * GLib's timers count guint milliseconds, so every duration the host
 * accepts converts to one without overflow. */
#define TD_SECONDS_MAX_WHOLE 2592000
#define TD_SECONDS_MAX ((double)TD_SECONDS_MAX_WHOLE)
/** The shortest rescan_interval: a shorter one would keep a core busy
 * expanding globs. */
#define TD_RESCAN_INTERVAL_MIN 0.1

/** Parses a boolean (yes/no, true/false, on/off, 1/0). */
bool td_parse_bool(const char *s, bool *out);
/** Parses a whole decimal int64 / a finite double; false if malformed. */
bool td_parse_int(const char *s, int64_t *out);
bool td_parse_double(const char *s, double *out);
/** Parses a number of seconds from `min` to `max` (never NaN or
 * infinite); false if malformed or out of range.  `expected` (g_free it)
 * is set either way to the message's "a number of seconds from MIN to
 * MAX" part. */
bool td_parse_seconds(const char *s, double min, double max, double *out,
                      char **expected);

/** The isolation keys' defaults (isolation = none). */
void td_instance_isolation_defaults(td_instance_conf *ic);
/** Whether `key` is one of the isolation keys of a plugin section. */
bool td_instance_isolation_key(const char *key);
/** Applies the isolation key `s` of the instance's section `section`;
 * reports a problem (returns 1) or returns 0. */
int td_instance_apply_isolation_key(td_instance_conf *ic, const char *section,
                                    const td_setting *s);
/** Checks the isolation keys together (user without isolation); reports
 * each problem and returns how many. */
int td_instance_check_isolation(const td_instance_conf *ic,
                                const char *section);

/** The origin of a plugin key: where it was written, else the section. */
td_origin td_instance_key_origin(const td_instance_conf *ic, const char *key);
/** The value written for a plugin key, or NULL. */
const char *td_instance_get(const td_instance_conf *ic, const char *key);

#endif
