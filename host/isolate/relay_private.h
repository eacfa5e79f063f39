/* What the relay's files share: its streams, its queue of messages, what
 * was sent and not yet acknowledged, and its worker. */
#ifndef TD_ISOLATE_RELAY_PRIVATE_H
#define TD_ISOLATE_RELAY_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "plugin/instance.h"
#include "protocol.h"
#include "spawn.h"

/* One stream as the relay forwards it.  The bytes are read again from the
 * file itself (a descriptor of its own), so a queue holds offsets, not
 * records, and a restarted worker can be given the stream from its start. */
typedef struct relay_stream {
  uint32_t sid;
  const void *key; /* the host's ev->source while it has the stream open */
  char *source;
  int fd;       /* the file, or a copy made as records came (a pipe) */
  bool copying; /* fd is that copy */
  int open_history;
  uint64_t base_end;      /* there when the relay first saw it (history) */
  uint64_t avail_end;     /* whole records the host read */
  uint64_t history_end;   /* the host dispatched up to here as history */
  uint64_t done_end;      /* the plugin got up to here, for good */
  uint64_t start_history; /* this worker's history: up to here */
  uint64_t sent_end;      /* this worker was sent up to here */
  bool host_closed;       /* the host closed it: a CLOSE is queued or sent */
  bool has_error;         /* on_stream_error is owed */
  bool error_done;
  uint64_t error_record, error_offset;
  char *error_reason;
} relay_stream;

typedef enum item_kind {
  IT_OPEN,
  IT_DATA,
  IT_ERROR,
  IT_CLOSE,
  IT_TICK,
  IT_REOPEN,
  IT_STOP
} item_kind;

/* A message to send. */
typedef struct item {
  item_kind kind;
  relay_stream *rs;
  uint64_t end; /* DATA: up to this byte */
  double now;   /* TICK */
} item;

/* A message sent and not yet acknowledged. */
typedef struct sent {
  uint64_t seq;
  item_kind kind;
  relay_stream *rs;
  uint64_t end;     /* DATA: its last byte + 1 */
  uint64_t records; /* DATA: how many records */
  uint64_t fresh;   /* DATA: how many of them (its last ones) are in the
                       backlog: read by the host, not yet got */
} sent;

typedef struct td_relay {
  td_instance *in;
  const char *name;
  GByteArray *hello; /* the HELLO message, for every worker */
  double callback_timeout;
  uint32_t max_restarts;
  uint32_t queue_records;
  td_worker_user user;

  td_worker_proc proc;
  bool running;     /* a worker is up (and has been sent HELLO) */
  bool ready;       /* it answered READY */
  bool disabled;    /* too many restarts, or on_error = disable */
  bool starting;    /* the first worker's init: a death is a refusal */
  bool init_failed; /* it said READY 0 */
  bool stopping;    /* STOP sent: an exit is the end */
  td_progress_page *page;
  double started_at;

  GQueue items;      /* item *, to send in order */
  GQueue unacked;    /* sent *, in order */
  uint64_t next_seq; /* the next message's number (HELLO is 0) */
  GByteArray *out;   /* the message being written */
  size_t out_pos;    /* how much of it is written */
  GByteArray *inbuf; /* what the worker wrote, not yet read */
  uint8_t *chunk;    /* pread buffer */
  size_t chunk_size;

  GHashTable *open;   /* key -> relay_stream *, the host's open streams */
  GPtrArray *streams; /* relay_stream *, all not yet closed in the worker */
  uint32_t next_sid;
  uint64_t backlog; /* records the host read that the plugin has not got */

  uint64_t last_beat;
  double last_answer; /* when the worker last showed progress */

  double restart_at;    /* when a dead worker starts again (0: none) */
  unsigned backoff;     /* the next delay is 1 s << backoff (<= 60 s) */
  GArray *restarts;     /* double: when, over the last minute */
  double last_full_log; /* back-pressure, said once a minute */
  unsigned since_service;

  td_worker_stats base; /* earlier workers' counts, summed */
  td_worker_stats cur;  /* this worker's */

  guint io_source, out_source, pid_source, timer_source, idle_source;
} td_relay;

/* relay_worker.c: the worker's life. */
double td_relay_now(void);
bool td_relay_spawn(td_relay *r);
void td_relay_died(td_relay *r, bool timed_out);
void td_relay_disable(td_relay *r, const char *why);
void td_relay_watch(td_relay *r);
void td_relay_unwatch(td_relay *r);
/** Watches the channel for room while something waits to be written. */
void td_relay_sync_out(td_relay *r);

/* relay_io.c: messages in and out. */
/** Does whatever can be done now, waiting up to `timeout_ms` for the
 * worker (0: never; -1: until something happens). */
void td_relay_service(td_relay *r, int timeout_ms);
void td_relay_push(td_relay *r, item_kind kind, relay_stream *rs);
/** Queues again, for a new worker, everything the plugin has not got. */
void td_relay_requeue(td_relay *r);
bool td_relay_idle(const td_relay *r);
/** Whether a message waits to be written. */
bool td_relay_wants_write(const td_relay *r);
void td_relay_stream_free(td_relay *r, relay_stream *rs);
void td_relay_clear_queues(td_relay *r);
/** After a death: marks done what the worker's progress page says it
 * finished (every message before the one in hand, and that one's records
 * so far). */
void td_relay_settle_page(td_relay *r);
/** The target's statistics: every worker's counts, summed. */
void td_relay_apply_stats(td_relay *r);

#endif
