/* Diagnostics: the one-line errors and warnings on stderr, and the escaping
 * of names (bytes) inside them. */
#ifndef TD_DIAG_H
#define TD_DIAG_H

#include <stddef.h>

#include <glib.h>

#define TD_PROGRAM "thermos-dispatch"

/** "thermos-dispatch: MESSAGE" on stderr. */
void td_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/** "thermos-dispatch: warning: MESSAGE" on stderr. */
void td_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/** Where the lines of td_error and td_warning go: `line` is the whole
 * line ("thermos-dispatch: ..."), without its newline.  Called from any
 * thread that reports (plugins' own threads log too): the sink serialises
 * itself. */
typedef void (*td_diag_sink)(void *user, const char *line);

/** Sends every later line to `fn` instead of stderr (NULL: stderr again).
 * Set it before any thread reports: it is read without a lock.  The test
 * kit captures the host's lines with it. */
void td_diag_set_sink(td_diag_sink fn, void *user);

/** Appends `len` bytes with every byte outside printable ASCII as \xHH. */
void td_escape_bytes(GString *out, const char *data, size_t len);

#endif
