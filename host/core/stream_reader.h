/* A checkpoint stream opened for reading: input checks, framing and
 * decoding of each record, and the messages that locate a failure. */
#ifndef TD_STREAM_READER_H
#define TD_STREAM_READER_H

#include <stdbool.h>
#include <stdint.h>

#include "decoder.h"
#include "framing.h"

typedef struct td_stream td_stream;

typedef enum td_stream_status {
  TD_STREAM_RECORD,     /**< a record, decoded */
  TD_STREAM_END,        /**< end of input at a record boundary */
  TD_STREAM_TORN,       /**< end of input inside a record */
  TD_STREAM_ERROR,      /**< a framing or decoding error */
  TD_STREAM_IO,         /**< reading failed; the reason is strerror's */
  TD_STREAM_INTERRUPTED /**< a signal interrupted reading; call again */
} td_stream_status;

/**
 * Opens `path` ("-" is standard input).  On failure prints
 * "thermos-dispatch: PATH: REASON" and returns NULL: the caller exits 66.
 */
td_stream *td_stream_open(const char *path, uint32_t max_record_size);

/**
 * A stream over a descriptor the caller opened (the test kit's anonymous
 * file of framed records), named `name` in events and messages.  Takes
 * the descriptor: td_stream_close closes it.  Prints nothing, never fails.
 */
td_stream *td_stream_open_fd(const char *name, int fd,
                             uint32_t max_record_size);

/** A stream whose bytes come from `fn` (framing.h), named `name`: no
 * descriptor (td_stream_fd is -1).  Prints nothing, never fails. */
td_stream *td_stream_open_source(const char *name, td_framing_read_fn fn,
                                 void *user, uint32_t max_record_size);

/** td_stream_open_followed's refusal of a path that is a symbolic link,
 * a FIFO, a device, a directory or a socket (an errno value is positive). */
#define TD_STREAM_NOT_REGULAR (-1)

/**
 * Opens a stream that a runner writes (`tail`, `watch`): never blocking
 * (O_NONBLOCK: a FIFO planted there must not stall the host), never
 * through a link (O_NOFOLLOW: Thermos writes none), and only a regular
 * file.  Prints nothing: on failure returns NULL with `*err` an errno
 * value or TD_STREAM_NOT_REGULAR, for the caller to report or retry.
 */
td_stream *td_stream_open_followed(const char *path, uint32_t max_record_size,
                                   int *err);
/** What a failure of td_stream_open_followed says: "not a regular file",
 * "a symbolic link", or strerror's text. */
const char *td_stream_open_reason(const char *path, int err);
void td_stream_close(td_stream *s);

/** The file descriptor read (for fstat and pread by followers). */
int td_stream_fd(const td_stream *s);
/** Bytes read from the file so far (whole records and a torn tail). */
uint64_t td_stream_bytes_read(const td_stream *s);
/** Where the next record starts. */
uint64_t td_stream_position(const td_stream *s);

/** The path as given (what messages name). */
const char *td_stream_path(const td_stream *s);

/**
 * Next record, framed and decoded into `ck` (valid until the next call).
 * `rec` locates it, also on TORN and ERROR, when td_stream_reason() says
 * what is wrong.
 */
td_stream_status td_stream_next(td_stream *s, td_record *rec, td_ckpt *ck);
const char *td_stream_reason(const td_stream *s);

/** "thermos-dispatch: [warning: ]PATH: record N at byte B: REASON". */
void td_stream_report(const td_stream *s, const td_record *rec,
                      const char *reason, bool warning);

#endif
