/* The enabled plugin instances of a configuration, started (loaded,
 * options checked, init called) in configuration order and stopped in
 * reverse. */
#ifndef TD_PLUGIN_SET_H
#define TD_PLUGIN_SET_H

#include <stdbool.h>

#include <glib.h>

#include "config/config.h"
#include "core/dispatcher.h"
#include "instance.h"

typedef struct td_plugin_set {
  GPtrArray *instances;      /**< td_instance *, started, in dispatch order */
  GPtrArray *modules;        /**< td_module *, each loaded once */
  td_dispatcher *dispatcher; /**< made by td_plugin_set_dispatcher */
  double slow_callback;      /**< [host] slow_callback, for the dispatcher */
  int mode;                  /**< THERMOS_MODE_*, what every instance is told */
  bool truncate;             /**< what the host table tells plugins */
  bool guarded;              /**< the crash record is kept (crash_guard.h) */
} td_plugin_set;

/** `--trace`: every dispatcher made from now on prints each callback. */
void td_plugin_set_trace(bool trace);
/** Whether --trace was given. */
bool td_plugin_set_tracing(void);

/**
 * How an instance with `isolation = process` runs: registered by the
 * layer that owns worker processes (host/isolate).  Without one, such an
 * instance is refused.
 */
typedef struct td_isolator {
  /** Starts the instance's worker (load, option checks and init happen
   * there) and makes `in->target` its relay; false once reported. */
  bool (*start)(td_instance *in, const td_config *cfg);
  /** Delivers what is queued, calls fini in the worker, waits for it. */
  void (*stop)(td_instance *in);
  /** Delivers what is queued and waits until the worker has it. */
  void (*drain)(td_instance *in);
  /** Frees what start made. */
  void (*free)(td_instance *in);
} td_isolator;
void td_plugin_set_isolator(const td_isolator *isolator);
const td_isolator *td_plugin_set_get_isolator(void);

/**
 * Starts every enabled instance.  Each problem is reported on one line.
 * Without `keep_going`, the first problem stops the start; with it (the
 * `check` command) every instance is tried.  Returns NULL if anything
 * failed, after calling fini for the instances that did start.  For
 * `tail` and `watch` with a state directory, an instance that crashed
 * twice in a row on the same record (crash_guard.h) is not init'ed: it is
 * in the set, disabled.
 */
td_plugin_set *td_plugin_set_start(const td_config *cfg, int mode,
                                   bool truncate, bool keep_going);
/**
 * A reload's check of a configuration: every enabled instance started in
 * THERMOS_MODE_CHECK, each problem reported on one line and counted in
 * `*problems`.  Returns the set of those that started (stop it), for
 * td_plugin_set_reload to compare modules with; the log level and the
 * crash record are left alone.
 */
td_plugin_set *td_plugin_set_check(const td_config *cfg, bool truncate,
                                   int *problems);

/** What td_plugin_set_reload did, instance by instance. */
typedef struct td_reload_counts {
  unsigned kept;    /**< configured alike, the same module file: untouched */
  unsigned added;   /**< new, started */
  unsigned changed; /**< configured otherwise: stopped, then started */
  unsigned removed; /**< no longer configured, or disabled: stopped */
  unsigned failed;  /**< new or changed, not started: left out */
} td_reload_counts;

/**
 * Makes the running `set` (its configuration `old`) run `cfg` instead,
 * once `checked` (td_plugin_set_check of `cfg`, without problems; stopped
 * here) found nothing wrong with it.  An instance configured alike
 * (td_instance_conf_same) whose module file is unchanged keeps running
 * untouched, its configuration moved into `cfg`; every other running one
 * gets on_stream_close for each open stream, then fini; every other
 * enabled one of `cfg` is started (an init that fails now is reported and
 * the instance left out).  The dispatcher then has them all in `cfg`'s
 * order, the new ones pending (td_dispatcher_set_order): the caller
 * brings them up to date.  Modules no instance uses any more are
 * forgotten.  The log level and slow_callback become `cfg`'s.
 */
void td_plugin_set_reload(td_plugin_set *set, td_config *old, td_config *cfg,
                          td_plugin_set *checked, td_reload_counts *counts);

/**
 * Starts one instance of `ic` in `set` (its module loaded once per set):
 * options checked, init called.  NULL (reported) if any of it failed.  An
 * instance the crash record holds back comes back disabled, not init'ed.
 * The caller adds it to `set->instances` (and to the dispatcher).
 */
td_instance *td_plugin_set_start_instance(td_plugin_set *set,
                                          const td_config *cfg,
                                          td_instance_conf *ic);
/** The dispatcher whose targets are the set's instances, in order: made
 * on the first call, freed by td_plugin_set_stop (after every fini). */
td_dispatcher *td_plugin_set_dispatcher(td_plugin_set *set);
/** Waits until every isolated instance got everything dispatched so far
 * (its counts are final then). */
void td_plugin_set_drain(td_plugin_set *set);
/** Calls fini in reverse order and frees the set. */
void td_plugin_set_stop(td_plugin_set *set);

/** Loads a module of a configured instance (plugin_dir or -p path);
 * reports a refusal and returns NULL. */
td_module *td_plugin_set_load_module(const td_config *cfg,
                                     const td_instance_conf *ic);

#endif
