/* Where a followed stream's history ends, decided from its cursor (the
 * rules of cli-and-config.md "Cursors") and saved in it. */
#ifndef TD_CURSOR_RESUME_H
#define TD_CURSOR_RESUME_H

#include <stdbool.h>
#include <stdint.h>

#include "cursor.h"

/**
 * For the stream `path`, open as `fd`, whose identity is `id`: the byte
 * offset up to which its records are history (records ending at or before
 * it).  Says, as one warning, a cursor that does not match the file or is
 * damaged.  Before returning, the decision is in the cursor (durably when
 * it makes records history), so that a host killed or crashed at any point
 * after re-applies the same records as history, however often that
 * happens.  `created_later`: a stream that appeared while the host ran is
 * live from its first record, whatever its cursor says.
 */
uint64_t td_cursor_resume(td_cursor *c, int fd, const td_file_identity *id,
                          const char *path, bool created_later);

#endif
