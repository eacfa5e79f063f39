/* A process's log files, read only from the task's process log directory:
 * <log_dir>/<process>/<run>/{stdout,stderr} (or, for runners whose header
 * has no log_dir, <root>/logs/<task_id>/<process>/<run>/).  A name that
 * would leave the directory (`..`, a `/` in the process name, a symlink
 * anywhere on the way) is refused.  Internal to the plugin. */
#ifndef OBS_LOGS_H
#define OBS_LOGS_H

#include <stdint.h>

#include <glib.h>

/** The most /logdata returns at once. */
#define OBS_LOGDATA_MAX (1024 * 1024)

/** Opens the log for reading (O_NOFOLLOW at every step, a regular file
 * only).  `log_dir` may be "" (then `root` and `task_id` say where);
 * `stream` must be "stdout" or "stderr".  Returns a descriptor, or -1 with
 * errno set (ENOENT for anything refused, so a refusal looks like a file
 * that is not there). */
int obs_log_open(const char *log_dir, const char *root, const char *task_id,
                 const char *process, unsigned run, const char *stream);

/** Appends Aurora's /logdata answer, {"offset":O,"length":L,"data":"..."},
 * for `offset` (-1: the end, so data is empty and offset the size) and
 * `length` (capped at OBS_LOGDATA_MAX; negative: the default, Aurora's).
 * L is the number of bytes read.  The data is escaped as Aurora's is
 * (xml.sax.saxutils.escape: & < > become &amp; &lt; &gt;, since Aurora's
 * log viewer inserts it as HTML), then invalid UTF-8 becomes U+FFFD.
 * Returns 0, or -1 on a read error. */
int obs_logdata_json(GString *out, int fd, int64_t offset, int64_t length);

#endif
