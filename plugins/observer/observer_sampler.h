/* Resource use of running processes and of sandboxes, as Aurora's observer
 * reports it: one thread samples /proc for every tracked process and its
 * descendants each `sample_interval`, and walks each tracked sandbox for
 * its disk use each `disk_interval` (bounded, without a subprocess).  The
 * dispatch thread tells it what to track; readers copy the latest samples.
 * Internal to the plugin. */
#ifndef OBS_SAMPLER_H
#define OBS_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

typedef struct obs_sampler obs_sampler;

/** Aurora's ProcessSample (to_dict) plus disk: a process and all its
 * descendants, or a task's running processes summed. */
typedef struct obs_usage {
  double cpu;    /**< CPU rate, cores (1.0 = one core busy) */
  uint64_t ram;  /**< bytes: Aurora reports rss here */
  double user;   /**< seconds of user CPU */
  double system; /**< seconds of system CPU */
  uint64_t rss;  /**< bytes */
  uint64_t vms;  /**< bytes */
  int32_t nice;
  char status[16]; /**< the process's state letter as a word, e.g. "sleeping" */
  int32_t threads;
  uint64_t disk; /**< bytes of the sandbox (tasks only) */
} obs_usage;

/** Starts the thread; 0 turns a kind of sampling off.  NULL if the thread
 * cannot start. */
obs_sampler *obs_sampler_start(unsigned sample_interval,
                               unsigned disk_interval);
/** Stops and joins the thread, frees everything.  NULL is a no-op. */
void obs_sampler_stop(obs_sampler *s);

/* --- the dispatch thread's side: O(1) under the sampler's lock ---------- */
/** `pid` of task/process is running (`start_time` as the checkpoint says,
 * seconds since the epoch: a /proc entry that started long after it is
 * another process with a reused pid, and is not sampled). */
void obs_sampler_track(obs_sampler *s, const char *task_id, const char *process,
                       int32_t pid, double start_time);
/** The process is no longer running. */
void obs_sampler_untrack(obs_sampler *s, const char *task_id,
                         const char *process);
/** The task's sandbox to walk for disk use ("" or NULL: none). */
void obs_sampler_sandbox(obs_sampler *s, const char *task_id,
                         const char *sandbox);
/** The task is gone or finished: forget it and its processes. */
void obs_sampler_forget(obs_sampler *s, const char *task_id);

/* --- readers ------------------------------------------------------------- */
/** The latest sample of one process; false (and zeros) when none. */
bool obs_sampler_process(obs_sampler *s, const char *task_id,
                         const char *process, obs_usage *out);
/** The task's running processes summed, and its disk use; zeros when
 * nothing was sampled. */
void obs_sampler_task(obs_sampler *s, const char *task_id, obs_usage *out);

#endif
