/* The disk use of a directory, as Aurora's DiskCollector (du) counts it:
 * st_blocks * 512 of every regular file below it.  No subprocess: a walk
 * with openat/fstatat/fdopendir that never follows a symlink, never crosses
 * into another filesystem, and is bounded, so a sandbox full of files or
 * deep directories costs a bounded amount of work.  Internal to the
 * plugin. */
#ifndef OBS_DISK_H
#define OBS_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/** The most directory entries one walk looks at (each an fstatat): about a
 * fifth of a second of work on a warm cache.  A sandbox with more reports
 * what the walk counted until then. */
#define OBS_DISK_MAX_ENTRIES 200000
/** The deepest directory one walk enters below the top (each level holds
 * one open descriptor). */
#define OBS_DISK_MAX_DEPTH 64

typedef struct obs_disk_result {
  uint64_t bytes; /**< st_blocks * 512, summed over regular files */
  size_t entries; /**< directory entries looked at */
  bool truncated; /**< a bound (entries, depth) or `cancel` cut the walk */
} obs_disk_result;

/** Walks `path` (itself not a symlink) with at most `max_entries` entries
 * and `max_depth` levels; stops early when `cancel` (may be NULL) becomes
 * non-zero.  False (and zeros) when `path` cannot be opened as a
 * directory. */
bool obs_disk_usage(const char *path, size_t max_entries, unsigned max_depth,
                    const gint *cancel, obs_disk_result *out);

#endif
