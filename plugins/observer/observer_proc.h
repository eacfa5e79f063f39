/* What /proc says about processes, for the sampler: one line of
 * /proc/<pid>/stat per process (state, parent, CPU ticks, nice, threads,
 * start, memory), and a snapshot of every process from one walk of /proc,
 * with the children of each pid, so a process tree costs no more reads.
 * Internal to the plugin. */
#ifndef OBS_PROC_H
#define OBS_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/** The fields of /proc/<pid>/stat the observer reports (proc(5)). */
typedef struct obs_proc_stat {
  int32_t pid;
  int32_t ppid;
  char state;         /**< field 3: R, S, D, Z, T, ... */
  uint64_t utime;     /**< field 14, clock ticks */
  uint64_t stime;     /**< field 15, clock ticks */
  int32_t nice;       /**< field 19 */
  int32_t threads;    /**< field 20 */
  uint64_t starttime; /**< field 22, clock ticks after boot */
  uint64_t vsize;     /**< field 23, bytes */
  uint64_t rss;       /**< field 24 (pages) times the page size: bytes */
} obs_proc_stat;

/** Parses one stat line (`len` bytes, no terminator needed).  The command
 * name is skipped up to its last ')', so a name holding ") " or spaces
 * cannot shift the fields.  False when the line is malformed. */
bool obs_proc_parse_stat(const char *buf, size_t len, long page_size,
                         obs_proc_stat *out);

/** Reads /proc/<pid>/stat below `proc_fd` (an open /proc).  False when the
 * process is gone or the file is malformed. */
bool obs_proc_read_stat(int proc_fd, int32_t pid, obs_proc_stat *out);

/** Seconds since the epoch at boot (/proc/stat "btime"), or -1. */
double obs_proc_boot_time(int proc_fd);

/** Seconds since the epoch at which the process started. */
double obs_proc_start_time(const obs_proc_stat *st, double boot_time);

/** psutil's name for a state letter ("running", "sleeping", "disk-sleep",
 * "stopped", "tracing-stop", "zombie", "dead", "wake-kill", "waking",
 * "idle", "parked"); "unknown" for anything else. */
const char *obs_proc_status_name(char state);

/** Every process at one moment: one walk of /proc. */
typedef struct obs_proc_table obs_proc_table;

/** Walks /proc below `proc_fd` once, reading each process's stat.  Never
 * NULL (an unreadable /proc gives an empty table). */
obs_proc_table *obs_proc_table_new(int proc_fd);
void obs_proc_table_free(obs_proc_table *t);
size_t obs_proc_table_size(const obs_proc_table *t);

/** The process `pid`, or NULL when it was not there. */
const obs_proc_stat *obs_proc_table_get(const obs_proc_table *t, int32_t pid);

/** Appends to `out` (obs_proc_stat *, pointing into the table) `pid` and
 * every descendant of it, the process first.  Nothing when `pid` is not in
 * the table.  Each process at most once, whatever the parent links say. */
void obs_proc_table_tree(obs_proc_table *t, int32_t pid, GPtrArray *out);

#endif
