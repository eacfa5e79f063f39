/* The textfile output of the metrics plugin: the exposition replaced
 * atomically, for node_exporter's textfile collector.  Internal to the
 * plugin. */
#ifndef METRICS_TEXTFILE_H
#define METRICS_TEXTFILE_H

#include <stddef.h>

/** Writes `data` to PATH.tmp.<pid> beside `path`, fsyncs it and renames it
 * over `path`, so a reader sees the old file or the new one, never a part.
 * Returns 0, or an errno value with *err (g_free it) saying which step
 * failed; the temporary file is removed and `path` left as it was. */
int mx_textfile_write(const char *path, const char *data, size_t len,
                      char **err);

/** Check mode: what a write would need that can be known without writing
 * (the directory exists and is a directory).  Returns 0, or an errno value
 * with *err set. */
int mx_textfile_check(const char *path, char **err);

#endif
