/* An error with a message: what a failing function of the layers fills in
 * for its caller to report, one size for all of them. */
#ifndef TD_ERROR_H
#define TD_ERROR_H

#include <stdarg.h>

#include <glib.h>

/** The room for a message, its terminating NUL included. */
#define TD_ERR_MAX 1024

/**
 * A message, always NUL-terminated once set.  Written only on failure: a
 * function that succeeds leaves it as it was, so declaring one costs the
 * success path nothing.
 */
typedef struct td_err {
  char msg[TD_ERR_MAX];
} td_err;

/**
 * Formats the message into `e` (printf-style); one longer than
 * TD_ERR_MAX - 1 bytes is cut to fit, never inside a UTF-8 character.
 * Returns -1, so that a failing function can `return td_err_set(e, ...)`.
 * `e` may be NULL (the caller does not want the message).
 */
int td_err_set(td_err *e, const char *fmt, ...) G_GNUC_PRINTF(2, 3)
    __attribute__((cold));
/** td_err_set with a va_list. */
int td_err_setv(td_err *e, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0)
    __attribute__((cold));

/** Empties the message (for a struct that is read before any failure). */
static inline void td_err_clear(td_err *e) { e->msg[0] = '\0'; }

#endif
