/*
 * One followed stream.  All of it runs on the main loop's thread; its
 * timers (linger: the task is over; torn: a record stays half-written) are
 * GLib timeouts armed only while they can fire, so an idle host with
 * thousands of streams does no periodic work per stream.
 */
#include "follower.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

#include <glib.h>

#include "core/states.h"
#include "cursor_resume.h"
#include "core/diag.h"
#include "event_loop.h"
#include "stream_session.h"

struct td_follower {
  td_follow_ctx *ctx;
  char *path;
  td_session *session;
  td_cursor *cursor;
  td_file_identity id;
  uint64_t covered_offset; /* after the last record whose callbacks ran */
  uint64_t covered_index;
  uint64_t saved_offset; /* what the cursor says now */
  bool ended;
  bool finished; /* watch: tasks/finished/<id> exists */
  bool torn;     /* the last read ended inside a record */
  bool torn_warned;
  guint over_timer;
  guint torn_timer;
};

const char *td_follower_path(const td_follower *f) { return f->path; }
bool td_follower_ended(const td_follower *f) { return f->ended; }

bool td_follower_task_terminal(const td_follower *f) {
  const thermos_runner_state *st = td_session_state(f->session);
  size_t n = td_runner_state_task_status_count(st);
  if (n == 0)
    return false;
  return td_task_state_terminal(td_runner_state_task_status(st, n - 1)->state);
}

static void cancel_timers(td_follower *f) {
  if (f->over_timer)
    g_source_remove(f->over_timer);
  if (f->torn_timer)
    g_source_remove(f->torn_timer);
  f->over_timer = f->torn_timer = 0;
}

/* Saves where dispatch got to.  A short file's identity is taken again:
 * its hashed prefix grows with it up to 64 bytes. */
static void save_cursor(td_follower *f) {
  if (!f->cursor || f->covered_offset == f->saved_offset)
    return;
  f->saved_offset = f->covered_offset;
  if (f->id.hash_len < TD_CURSOR_HASH_BYTES)
    td_file_identity_of(td_stream_fd(td_session_stream(f->session)), &f->id);
  td_cursor_set(f->cursor, &f->id, f->covered_offset, f->covered_index);
}

static void record_done(void *user, const td_record *rec, int history) {
  td_follower *f = user;
  f->covered_offset = rec->offset + 4 + rec->len;
  f->covered_index = rec->index + 1;
  /* Live records move the cursor one by one; history is covered by one
   * write at the end of the batch. */
  if (!history)
    save_cursor(f);
}

static void end(td_follower *f, td_follow_end why) {
  if (f->ended)
    return;
  f->ended = true;
  cancel_timers(f);
  if (why == TD_FOLLOW_REMOVED && f->cursor) {
    td_cursor_delete(f->cursor);
    f->cursor = NULL;
  } else {
    save_cursor(f);
  }
  td_session_close(f->session);
  f->ctx->on_end(f, why, f->ctx->user);
}

static gboolean over_fired(gpointer user) {
  td_follower *f = user;
  f->over_timer = 0;
  end(f, TD_FOLLOW_OVER);
  return G_SOURCE_REMOVE;
}

static gboolean torn_fired(gpointer user) {
  td_follower *f = user;
  f->torn_timer = 0;
  if (f->torn && !f->torn_warned) {
    f->torn_warned = true;
    const td_record *rec = td_session_torn_record(f->session);
    td_warning("%s: record %" PRIu64 " at byte %" PRIu64 ": %s for %g seconds",
               f->path, rec->index, rec->offset,
               td_session_torn_reason(f->session), f->ctx->linger);
  }
  return G_SOURCE_REMOVE;
}

/* Reads and dispatches what the file holds beyond what was read; then
 * decides what to wait for. */
static void pump(td_follower *f) {
  td_stream *stream = td_session_stream(f->session);
  uint64_t before = td_stream_bytes_read(stream);
  td_pump_result r =
      td_session_pump(f->session, td_follow_between_records, f->ctx->d);
  bool grew = td_stream_bytes_read(stream) != before;
  save_cursor(f);
  switch (r) {
  case TD_PUMP_END:
  case TD_PUMP_TORN:
    break;
  case TD_PUMP_STOPPED:
    return; /* a signal: the loop stops, and the follower with it */
  case TD_PUMP_ABORTED:
    end(f, TD_FOLLOW_ABORTED);
    return;
  case TD_PUMP_STREAM_ERROR:
  case TD_PUMP_READ_ERROR:
  default:
    end(f, TD_FOLLOW_STREAM_ERROR);
    return;
  }
  bool torn = r == TD_PUMP_TORN;
  if (torn && (!f->torn || grew)) {
    /* A record began or grew: give the writer `linger` more seconds. */
    if (f->torn_timer)
      g_source_remove(f->torn_timer);
    f->torn_timer = f->torn_warned
                        ? 0
                        : td_timeout_add_seconds(f->ctx->linger, torn_fired, f);
  } else if (!torn && f->torn_timer) {
    g_source_remove(f->torn_timer);
    f->torn_timer = 0;
  }
  if (!torn)
    f->torn_warned = false;
  f->torn = torn;

  if (f->finished && !torn) {
    end(f, TD_FOLLOW_OVER);
    return;
  }
  if (!f->ctx->forever && td_follower_task_terminal(f) &&
      (grew || !f->over_timer)) {
    if (f->over_timer)
      g_source_remove(f->over_timer);
    f->over_timer = td_timeout_add_seconds(f->ctx->linger, over_fired, f);
  }
}

/* Which records are history, by the cursor rules of cli-and-config.md. */
static uint64_t history_limit(td_follower *f, int fd, bool created_later) {
  if (f->cursor)
    return td_cursor_resume(f->cursor, fd, &f->id, f->path, created_later);
  struct stat sb;
  uint64_t size = fstat(fd, &sb) == 0 ? (uint64_t)sb.st_size : 0;
  return created_later ? 0 : size;
}

td_follower *td_follower_start(td_follow_ctx *ctx, const char *path,
                               bool created_later, int *open_err) {
  td_stream *stream =
      td_stream_open_followed(path, ctx->cfg->max_record_size, open_err);
  if (!stream)
    return NULL;
  td_follower *f = g_new0(td_follower, 1);
  f->ctx = ctx;
  f->path = g_strdup(path);
  f->saved_offset = UINT64_MAX;
  int fd = td_stream_fd(stream);
  td_file_identity_of(fd, &f->id);
  if (ctx->cursors)
    f->cursor = td_cursor_open(ctx->cursors, path);
  uint64_t limit = history_limit(f, fd, created_later);
  f->session = td_session_new(stream, ctx->d, ctx->cfg->truncate, false);
  td_session_set_max_processes(f->session, ctx->cfg->max_processes);
  td_session_set_history_limit(f->session, limit);
  td_session_on_record_done(f->session, record_done, f);
  if (!td_session_open(f->session)) {
    end(f, TD_FOLLOW_ABORTED);
    return f;
  }
  pump(f);
  return f;
}

/* The path names another file, or the same file holds other bytes: the
 * stream ends (an error), and what it now holds is not read on from a
 * stale offset. */
static void replaced(td_follower *f, const char *reason) {
  td_error("%s: %s", f->path, reason);
  td_session_stream_error(f->session, reason);
  end(f, TD_FOLLOW_REPLACED);
}

void td_follower_poll(td_follower *f) {
  if (f->ended)
    return;
  struct stat sb;
  td_stream *stream = td_session_stream(f->session);
  int fd = td_stream_fd(stream);
  bool have_size = fstat(fd, &sb) == 0;
  /* Grown: is it still the stream that was read?  A runner's file is only
   * ever appended to; one rewritten in place (same inode, other first
   * bytes: a host stopped while the path was reused) must not be read on
   * from where the old one ended.  One pread of 64 bytes per growth. */
  if (have_size && (uint64_t)sb.st_size > td_stream_bytes_read(stream) &&
      !td_file_identity_matches(fd, &f->id)) {
    replaced(f, "rewritten in place (its first bytes changed)");
    return;
  }
  if (have_size && (uint64_t)sb.st_size < td_stream_bytes_read(stream)) {
    char *reason = g_strdup_printf(
        "file shrank to %" PRIu64 " bytes, below the %" PRIu64 " already read",
        (uint64_t)sb.st_size, td_stream_bytes_read(stream));
    td_error("%s: %s", f->path, reason);
    td_session_stream_error(f->session, reason);
    g_free(reason);
    end(f, TD_FOLLOW_SHRUNK);
    return;
  }
  pump(f);
  /* A short stream's identity grows with it, up to the hashed prefix. */
  if (!f->ended && f->id.hash_len < TD_CURSOR_HASH_BYTES)
    td_file_identity_of(fd, &f->id);
}

void td_follower_check_path(td_follower *f) {
  if (f->ended)
    return;
  struct stat sb;
  if (stat(f->path, &sb) != 0) {
    if (errno == ENOENT) {
      /* Whatever was written before the unlink is still readable. */
      pump(f);
      if (!f->ended) {
        td_warning("%s: removed while followed", f->path);
        end(f, TD_FOLLOW_REMOVED);
      }
    }
    return;
  }
  if ((uint64_t)sb.st_ino != f->id.ino || (uint64_t)sb.st_dev != f->id.dev)
    replaced(f, "replaced by another file");
}

void td_follower_set_finished(td_follower *f) {
  if (f->ended)
    return;
  f->finished = true;
  pump(f);
}

void td_follower_removed(td_follower *f) {
  if (f->ended)
    return;
  if (!td_follower_task_terminal(f))
    td_warning("%s: task directory removed before the task was over", f->path);
  end(f, TD_FOLLOW_REMOVED);
}

void td_follower_stop(td_follower *f) {
  if (f->ended)
    return;
  f->ended = true;
  cancel_timers(f);
  save_cursor(f);
  td_session_close(f->session);
}

void td_follower_free(td_follower *f) {
  if (!f)
    return;
  cancel_timers(f);
  if (f->cursor)
    td_cursor_close(f->cursor);
  td_session_free(f->session);
  g_free(f->path);
  g_free(f);
}
