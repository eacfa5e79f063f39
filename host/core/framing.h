/* Framing: splits a checkpoint stream into records (length prefix + body),
 * reading through a bounded buffer, with 64-bit offsets. */
#ifndef TD_FRAMING_H
#define TD_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/** The format's own ceiling on one record's body (64 MiB, inclusive). */
#define TD_MAX_RECORD_SIZE_LIMIT 67108864u

typedef struct td_framing td_framing;

typedef enum td_frame_status {
  TD_FRAME_OK,         /**< a whole record is in `rec` */
  TD_FRAME_EOF,        /**< end of input exactly at a record boundary */
  TD_FRAME_TORN,       /**< end of input inside a record; `err` says where */
  TD_FRAME_ERROR,      /**< a framing error (size limit, empty record) */
  TD_FRAME_IO,         /**< read(2) failed; `err` holds strerror */
  TD_FRAME_INTERRUPTED /**< a signal interrupted read(2); call again */
} td_frame_status;

/** One record.  `body` is valid until the next call on the same reader. */
typedef struct td_record {
  const uint8_t *body;
  uint32_t len;
  uint64_t index;  /**< 0-based, counting every record */
  uint64_t offset; /**< byte offset of the length prefix */
} td_record;

/** Reads records from `fd` (not closed by the reader). */
td_framing *td_framing_new(int fd, uint32_t max_record_size);
void td_framing_free(td_framing *fr);

/** Where a reader without a descriptor gets its bytes: like read(2),
 * returns how many it wrote to `buf` (0 at the end of what there is now,
 * -1 with errno set on an error). */
typedef long (*td_framing_read_fn)(void *user, void *buf, size_t n);
/** Reads records from `fn` (an isolated instance's worker feeds the
 * records its host sends from memory). */
td_framing *td_framing_new_source(td_framing_read_fn fn, void *user,
                                  uint32_t max_record_size);

/**
 * Next record.  On TD_FRAME_TORN, TD_FRAME_ERROR and TD_FRAME_IO, `rec`'s
 * index and offset locate the record concerned and `err` holds
 * checkpoint-format.md's reason (strerror's on TD_FRAME_INTERRUPTED too);
 * `err` is written only on those.  After TD_FRAME_EOF or TD_FRAME_TORN the
 * call may be repeated once the file has grown: the bytes already read are
 * kept, so a follower never loses or repeats a record.
 */
td_frame_status td_framing_next(td_framing *fr, td_record *rec, td_err *err);

/** Offset just past the last record returned (where the next one starts). */
uint64_t td_framing_position(const td_framing *fr);
/** Bytes read from the descriptor so far (the position plus what is
 * buffered of the next record). */
uint64_t td_framing_bytes_read(const td_framing *fr);

#endif
