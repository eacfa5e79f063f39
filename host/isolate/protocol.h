/* The channel between the host and an isolated instance's worker process
 * (`isolation = process`): the descriptors the worker is started with, the
 * messages each way, and the progress page the worker keeps up to date
 * for the host to read when it died or went quiet. */
#ifndef TD_ISOLATE_PROTOCOL_H
#define TD_ISOLATE_PROTOCOL_H

#include <stdint.h>

/** The worker's descriptors: the channel (a stream socket pair) and the
 * progress page (a shared memory file); 0 is /dev/null, 1 and 2 the
 * host's. */
#define TD_WORKER_CHANNEL_FD 3
#define TD_WORKER_PROGRESS_FD 4

/** What argv[1] of the worker is: a command the CLI keeps to itself. */
#define TD_WORKER_COMMAND "isolated-worker"

/**
 * Every message is a header and `len` bytes of body.  Host to worker:
 * HELLO first, then any of the others, each counted from 1 (its sequence
 * number, which an ACK names).  Worker to host: READY once, then ACKs.
 */
typedef enum td_msg_type {
  TD_MSG_HELLO = 1,  /**< the instance: hello.c */
  TD_MSG_OPEN,       /**< u32 sid, u32 history, u64 history_end, source */
  TD_MSG_DATA,       /**< u32 sid, u64 history_end, then whole records */
  TD_MSG_ERROR,      /**< u32 sid, u64 record, u64 offset, reason */
  TD_MSG_CLOSE,      /**< u32 sid */
  TD_MSG_TICK,       /**< double now */
  TD_MSG_REOPEN,     /**< nothing */
  TD_MSG_STOP,       /**< nothing: fini, and exit 0 */
  TD_MSG_READY = 64, /**< u32 ok (init succeeded) */
  TD_MSG_ACK         /**< u64 seq, then td_worker_stats */
} td_msg_type;

typedef struct td_msg_header {
  uint32_t type;
  uint32_t len;
} td_msg_header;

/** The largest body: a record of the format's largest size and its
 * frame, plus a DATA header. */
#define TD_MSG_MAX_BODY (64u * 1024 * 1024 + 64)
/** DATA messages are cut at about this size (whole records). */
#define TD_MSG_DATA_CHUNK (256u * 1024)

/** What an ACK reports of the worker's one instance (since it started). */
typedef struct td_worker_stats {
  uint64_t events;
  uint64_t callbacks;
  uint64_t failures;
  uint64_t suppressed;
  double callback_seconds;
  uint64_t buckets[8];
  uint32_t disabled; /**< on_error = disable fired */
  uint32_t aborted;  /**< on_error = abort fired */
} td_worker_stats;

/** What the worker is doing, for the host's message when it dies. */
typedef enum td_worker_doing {
  TD_DOING_IDLE,
  TD_DOING_INIT,
  TD_DOING_RECORD,
  TD_DOING_OPEN,
  TD_DOING_ERROR,
  TD_DOING_CLOSE,
  TD_DOING_TICK,
  TD_DOING_REOPEN,
  TD_DOING_FINI
} td_worker_doing;

/**
 * The progress page: written by the worker (one writer), read by the
 * host.  `seq` is the message being handled (every earlier one is done);
 * in a DATA message, the records of stream `sid` up to byte `done_end`
 * are done (`done_records` of this message), and the next one,
 * `next_record`, is the one in flight.  `beat` grows with every record
 * and message: the host's sign of life.
 */
typedef struct td_progress_page {
  volatile uint64_t seq;
  volatile uint64_t done_end;
  volatile uint64_t done_records;
  volatile uint64_t next_record;
  volatile uint64_t beat;
  volatile uint32_t sid;
  volatile uint32_t doing; /**< td_worker_doing */
} td_progress_page;

#endif
