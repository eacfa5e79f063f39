/* Durable cursors (`[host] state_dir`): for each followed stream, where
 * dispatch got to, and where its history ended when the host first saw
 * it, so that a restarted host re-applies as history what was history or
 * was delivered, and delivers the rest live, losing nothing. */
#ifndef TD_CURSOR_H
#define TD_CURSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/** How much of a file's beginning identifies it (with device and inode). */
#define TD_CURSOR_HASH_BYTES 64

/** A file's identity: device, inode, and a hash of its first bytes. */
typedef struct td_file_identity {
  uint64_t dev;
  uint64_t ino;
  uint32_t hash_len; /**< min(64, size) when taken */
  uint64_t hash;
} td_file_identity;

/** What a cursor says about its stream. */
typedef struct td_cursor_pos {
  td_file_identity id;
  uint64_t offset;  /**< after the last record whose callbacks all ran */
  uint64_t index;   /**< that record's index + 1 */
  uint64_t history; /**< records ending at or before this byte are history:
                         the stream's size when the host first saw it */
} td_cursor_pos;

/** What was found in a cursor's file when it was opened. */
typedef enum td_cursor_found {
  TD_CURSOR_NONE,      /**< no file, or an empty one (created, never written) */
  TD_CURSOR_OK,        /**< the latest record */
  TD_CURSOR_FELL_BACK, /**< the latest record damaged: the one before */
  TD_CURSOR_DAMAGED    /**< no sound record, or the file unreadable */
} td_cursor_found;

typedef struct td_cursors td_cursors;
typedef struct td_cursor td_cursor;

/**
 * Opens the state directory (created, mode 0700, if missing) and keeps a
 * descriptor of it: cursors are opened relative to it for each write and
 * closed at once, so a followed stream holds no descriptor of its cursor.
 * Returns NULL with `*error` (g_free) set when it cannot be created, read
 * or written.
 */
td_cursors *td_cursors_open(const char *dir, char **error);
void td_cursors_close(td_cursors *cs);
/** Whether a host had started successfully with this directory before
 * this one opened it (td_cursors_mark_run). */
bool td_cursors_earlier_run(const td_cursors *cs);
/**
 * Records, durably, that a host started successfully (its plugins
 * initialised, its followers started): from the next start on, a stream
 * without a cursor appeared while no host ran.  A failure is a warning.
 */
void td_cursors_mark_run(td_cursors *cs);
/** fsyncs every cursor written since the last sync (about once a second). */
void td_cursors_sync(td_cursors *cs);

/** The cursor of the stream at `path` (made absolute), as its file holds
 * it now; nothing is created until it is written.  Never NULL. */
td_cursor *td_cursor_open(td_cursors *cs, const char *path);
/** Closes it (after a sync); the file stays. */
void td_cursor_close(td_cursor *c);
/** Removes the cursor's file and closes it. */
void td_cursor_delete(td_cursor *c);

/** The cursor's file, for messages. */
const char *td_cursor_file(const td_cursor *c);
td_cursors *td_cursor_owner(const td_cursor *c);
/** What the file held when opened; `*pos` is set for OK and FELL_BACK;
 * `*why` (may be NULL) says what is wrong for DAMAGED. */
td_cursor_found td_cursor_read(const td_cursor *c, td_cursor_pos *pos,
                               const char **why);
/** The saved position, if there is a usable one (OK or FELL_BACK). */
bool td_cursor_get(const td_cursor *c, td_file_identity *id, uint64_t *offset,
                   uint64_t *index);
/**
 * Writes `pos` as the whole cursor (both records), creating the file if
 * needed; with `durable`, fsyncs it (and the directory, for a new file)
 * before returning.  For a stream's first position, before any of it is
 * dispatched.
 */
void td_cursor_reset(td_cursor *c, const td_cursor_pos *pos, bool durable);
/** Saves a position (the history limit kept): one fixed-size write of the
 * older record, no fsync. */
void td_cursor_set(td_cursor *c, const td_file_identity *id, uint64_t offset,
                   uint64_t index);

/** Takes the identity of the open file `fd` (its first bytes by pread). */
bool td_file_identity_of(int fd, td_file_identity *id);
/** Whether `fd` is the file `id` describes: same device and inode, at least
 * as long as the hashed prefix, and the same first bytes. */
bool td_file_identity_matches(int fd, const td_file_identity *id);

#endif
