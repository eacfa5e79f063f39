/* The logger's output: a buffered sink on stdout, stderr or an appended
 * file that can be reopened for log rotation.  Internal to the plugin (the
 * module is built with hidden visibility, so these names stay private). */
#ifndef LOGGER_OUTPUT_H
#define LOGGER_OUTPUT_H

#include <stdbool.h>

#include <glib.h>
#include <thermos/handler.h>

/** The buffer is written out once it holds this much. */
#define LG_FLUSH_THRESHOLD (64 * 1024)

typedef struct lg_output {
  const thermos_host_v1 *host;
  int fd;       /**< -1 when closed (and in check mode) */
  char *path;   /**< the file, absolute; NULL for stdout and stderr */
  char *name;   /**< for messages: the path, "stdout" or "stderr" */
  GString *buf; /**< lines not written yet */
  int failing;  /**< errno of the failure last logged; 0 when healthy */
  bool torn;    /**< the output ends inside a line that could not be cut */
} lg_output;

/** Sets up `o` for the `output` value: opens the file in the replay, tail
 * and watch modes, only validates in check mode.  On failure reports it
 * with config_error on `output`, leaves nothing to release and returns -1. */
int lg_output_open(lg_output *o, const thermos_host_v1 *host,
                   const char *value);

/** Writes the buffer out.  Returns 0, or -1 after logging why (once for a
 * run of identical failures); the buffered lines are dropped either way.
 * The output holds whole lines only: a line torn by a failed write is cut
 * off a regular file, and ended with a newline before the next lines on
 * anything else. */
int lg_output_flush(lg_output *o);

/** Flushes, then reopens the file (SIGHUP, after the file was rotated);
 * nothing more for stdout and stderr.  Returns -1 if either step failed;
 * when the reopen fails the old file stays in use. */
int lg_output_reopen(lg_output *o);

/** Flushes and closes, logging any failure; releases everything. */
void lg_output_close(lg_output *o);

#endif
