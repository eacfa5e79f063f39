/*
 * A stream's history limit is decided once, when the host first sees the
 * stream, and kept in its cursor from then on: the cursor's `history` is
 * the size the stream had then, and a restart re-applies as history the
 * records up to the larger of it and the cursor's position.  So a host
 * killed while it reads a long backlog as history reads it as history
 * again, never as live; only what came after is live.
 */
#include "cursor_resume.h"

#include <sys/stat.h>

#include <glib.h>

#include "core/diag.h"

uint64_t td_cursor_resume(td_cursor *c, int fd, const td_file_identity *id,
                          const char *path, bool created_later) {
  struct stat sb;
  uint64_t size = fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
  td_cursor_pos fresh = {*id, 0, 0, 0};
  if (created_later) {
    td_cursor_reset(c, &fresh, false);
    return 0;
  }
  bool earlier = td_cursors_earlier_run(td_cursor_owner(c));
  td_cursor_pos saved;
  const char *why = NULL;
  switch (td_cursor_read(c, &saved, &why)) {
  case TD_CURSOR_OK:
  case TD_CURSOR_FELL_BACK: {
    uint64_t limit = MAX(saved.offset, saved.history);
    if (td_file_identity_matches(fd, &saved.id) && limit <= size) {
      if (td_cursor_read(c, &saved, NULL) == TD_CURSOR_FELL_BACK) {
        td_warning("%s: one cursor record damaged; resuming from the other",
                   td_cursor_file(c));
        td_cursor_reset(c, &saved, false); /* both records sound again */
      }
      return limit;
    }
    td_warning("%s: cursor does not match the file; reading it as a new "
               "stream",
               path);
    fresh.history = earlier ? 0 : size;
    break;
  }
  case TD_CURSOR_DAMAGED:
    /* Never "all live": what the stream holds is history, as when the host
     * first sees a stream. */
    td_warning("%s: %s; reading what the stream holds now as history",
               td_cursor_file(c), why);
    fresh.history = size;
    break;
  case TD_CURSOR_NONE:
  default:
    /* A stream that appeared while no host ran is live. */
    fresh.history = earlier ? 0 : size;
    break;
  }
  td_cursor_reset(c, &fresh, fresh.history > 0);
  return fresh.history;
}
