/* Durable cursors (`[host] state_dir`): for each followed stream, where
 * dispatch got to, so that a restarted host re-applies what it had
 * delivered as history and delivers the rest live, losing nothing. */
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

typedef struct td_cursors td_cursors;
typedef struct td_cursor td_cursor;

/**
 * Opens the state directory (created, mode 0700, if missing).  Returns
 * NULL with `*error` (g_free) set on failure.  Records that this host ran,
 * so the next start knows streams without a cursor appeared meanwhile.
 */
td_cursors *td_cursors_open(const char *dir, char **error);
void td_cursors_close(td_cursors *cs);
/** Whether the directory held a run of the host before this one. */
bool td_cursors_earlier_run(const td_cursors *cs);
/** fsyncs every cursor written since the last sync (about once a second). */
void td_cursors_sync(td_cursors *cs);

/** The cursor of the stream at `path` (made absolute): opened, created
 * empty if there is none.  NULL (with a warning printed) on failure. */
td_cursor *td_cursor_open(td_cursors *cs, const char *path);
/** Closes it (after a sync); the file stays. */
void td_cursor_close(td_cursor *c);
/** Removes the cursor's file and closes it. */
void td_cursor_delete(td_cursor *c);

/** The saved position, if there is a valid one. */
bool td_cursor_get(const td_cursor *c, td_file_identity *id, uint64_t *offset,
                   uint64_t *index);
/** Saves a position: one fixed-size write in place, no fsync. */
void td_cursor_set(td_cursor *c, const td_file_identity *id, uint64_t offset,
                   uint64_t index);

/** Takes the identity of the open file `fd` (its first bytes by pread). */
bool td_file_identity_of(int fd, td_file_identity *id);
/** Whether `fd` is the file `id` describes: same device and inode, at least
 * as long as the hashed prefix, and the same first bytes. */
bool td_file_identity_matches(int fd, const td_file_identity *id);

#endif
