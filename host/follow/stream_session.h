/* One stream being dispatched: its reader, its reconstructed state, and
 * the event context every callback receives.  `replay` runs a session from
 * start to end; followers pump it again whenever the file grows. */
#ifndef TD_STREAM_SESSION_H
#define TD_STREAM_SESSION_H

#include <stdbool.h>

#include <thermos/handler.h>

#include "core/dispatcher.h"
#include "core/runner_state.h"
#include "core/stream_reader.h"

typedef struct td_session td_session;

typedef enum td_pump_result {
  TD_PUMP_END,          /**< all whole records dispatched, nothing left */
  TD_PUMP_TORN,         /**< dispatched up to a torn record at the end */
  TD_PUMP_STREAM_ERROR, /**< a bad record: reported, on_stream_error called */
  TD_PUMP_READ_ERROR,   /**< reading failed: reported, on_stream_error called */
  TD_PUMP_ABORTED,      /**< a plugin with on_error = abort failed */
  TD_PUMP_STOPPED       /**< `between` asked to stop */
} td_pump_result;

/** Takes ownership of `stream`. */
td_session *td_session_new(td_stream *stream, td_dispatcher *d, bool truncate,
                           bool recovery);
/**
 * A session that reads a followed stream again from its start, for
 * instances added by a reload (between td_dispatcher_catch_up_begin and
 * _end): the same file as `live` through a descriptor of its own, events
 * with the live session's `source` pointer (the dispatcher's key of the
 * stream) and history = 1.  td_session_open it, pump it no further than
 * td_stream_position(live), and free it without td_session_close (the
 * stream stays open).  NULL with `*why` set (g_free it) if the file cannot
 * be opened again.
 */
td_session *td_session_new_catch_up(const td_stream *live, const char *source,
                                    td_dispatcher *d, bool truncate,
                                    uint32_t max_record_size, char **why);
/** Frees the session (call td_session_close first if it was opened). */
void td_session_free(td_session *s);

/** `[host] max_processes`: see td_runner_state_set_max_processes. */
void td_session_set_max_processes(td_session *s, size_t max);
/** The `history` flag of the records dispatched from now on. */
void td_session_set_history(td_session *s, int history);

/** Records that end at or before `offset` are dispatched with history = 1,
 * later ones with history = 0 (a follower's start, or a cursor). */
void td_session_set_history_limit(td_session *s, uint64_t offset);

/** Called after each record whose callbacks have all run (not after one an
 * abort stopped): where a follower's cursor advances. */
typedef void (*td_record_done_fn)(void *user, const td_record *rec,
                                  int history);
void td_session_on_record_done(td_session *s, td_record_done_fn fn, void *user);

/** The reconstructed state (for "is the task over?"). */
const thermos_runner_state *td_session_state(const td_session *s);
/** The stream being read. */
td_stream *td_session_stream(const td_session *s);
/** The event context (record, offset of the last record dispatched). */
const thermos_event *td_session_event(const td_session *s);

/** Calls on_stream_open; false on an abort. */
bool td_session_open(td_session *s);

/**
 * Dispatches records until the input ends, a record fails, or
 * `between(user)` (called before each record) returns false.
 */
td_pump_result td_session_pump(td_session *s, bool (*between)(void *user),
                               void *user);

/** After TD_PUMP_TORN: the torn record's position and reason. */
const td_record *td_session_torn_record(const td_session *s);
const char *td_session_torn_reason(const td_session *s);

/** Reports a stream error at `rec` (one line) and calls on_stream_error. */
bool td_session_fail(td_session *s, const td_record *rec, const char *reason,
                     bool warning_only);

/** Calls on_stream_error for a failure of the file itself (already
 * reported), at the position reached. */
bool td_session_stream_error(td_session *s, const char *reason);

/** Calls on_stream_error at a record located (and reported) elsewhere:
 * an isolated instance's worker, told by its host. */
bool td_session_error_at(td_session *s, uint64_t record, uint64_t offset,
                         const char *reason);

/** Calls on_stream_close (always, after errors too). */
bool td_session_close(td_session *s);

/** The task id taken from a `.../checkpoints/<id>/runner` path, if any. */
bool td_task_id_from_path(const char *path, const char **start, size_t *len);

#endif
