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

/** Appends `len` bytes with every byte outside printable ASCII as \xHH. */
void td_escape_bytes(GString *out, const char *data, size_t len);

#endif
