#include "stream_session.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/diag.h"
#include "core/error.h"
#include "core/runner_state.h"

struct td_session {
  td_stream *stream;
  td_dispatcher *d;
  thermos_runner_state *st;
  thermos_event ev;
  bool task_id_from_path;
  td_record torn;
  bool opened;
  bool use_limit;
  uint64_t history_limit;
  td_record_done_fn done;
  void *done_user;
  td_err torn_reason; /* last: left untouched until used */
};

bool td_task_id_from_path(const char *path, const char **start, size_t *len) {
  /* .../checkpoints/<id>/runner */
  static const char runner[] = "/runner";
  static const char checkpoints[] = "checkpoints/";
  size_t n = strlen(path);
  if (n < sizeof runner || strcmp(path + n - (sizeof runner - 1), runner) != 0)
    return false;
  const char *end = path + n - (sizeof runner - 1);
  const char *id = end;
  while (id > path && id[-1] != '/')
    id--;
  if (id == end)
    return false;
  size_t cl = sizeof checkpoints - 1;
  if ((size_t)(id - path) < cl || strncmp(id - cl, checkpoints, cl) != 0)
    return false;
  if (id - cl != path && id[-(ptrdiff_t)cl - 1] != '/')
    return false;
  *start = id;
  *len = (size_t)(end - id);
  return true;
}

td_session *td_session_new(td_stream *stream, td_dispatcher *d, bool truncate,
                           bool recovery) {
  /* Not zeroed: torn_reason is written only when a record is torn. */
  td_session *s = g_malloc(sizeof *s);
  memset(s, 0, offsetof(td_session, torn_reason));
  td_err_clear(&s->torn_reason);
  s->stream = stream;
  s->d = d;
  s->st = td_runner_state_new(truncate, recovery);
  s->ev.struct_size = sizeof s->ev;
  s->ev.source = td_stream_path(stream);
  s->ev.state = s->st;
  const char *id;
  size_t len;
  if (td_task_id_from_path(s->ev.source, &id, &len)) {
    s->ev.task_id.data = id;
    s->ev.task_id.len = len;
    s->task_id_from_path = true;
  } else {
    s->ev.task_id.data = "";
  }
  return s;
}

td_session *td_session_new_catch_up(const td_stream *live, const char *source,
                                    td_dispatcher *d, bool truncate,
                                    uint32_t max_record_size, char **why) {
  /* The same file through a descriptor of its own: reading it moves no
   * offset the live reader depends on, and a file already unlinked or
   * renamed is still the one read. */
  char *name = g_strdup_printf("/proc/self/fd/%d", td_stream_fd(live));
  int fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  struct stat a, b;
  if (fd >= 0 && (fstat(fd, &a) != 0 || fstat(td_stream_fd(live), &b) != 0 ||
                  a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
    close(fd);
    fd = -1;
    errno = ESTALE;
  }
  g_free(name);
  if (fd < 0) {
    *why = g_strdup_printf("cannot read it again: %s", g_strerror(errno));
    return NULL;
  }
  td_session *s = td_session_new(td_stream_open_fd(source, fd, max_record_size),
                                 d, truncate, false);
  /* The dispatcher knows the stream by this pointer. */
  s->ev.source = source;
  s->ev.history = 1;
  return s;
}

void td_session_set_max_processes(td_session *s, size_t max) {
  td_runner_state_set_max_processes(s->st, max);
}

void td_session_free(td_session *s) {
  if (!s)
    return;
  td_runner_state_free(s->st);
  td_stream_close(s->stream);
  g_free(s);
}

void td_session_set_history(td_session *s, int history) {
  s->ev.history = history;
  s->use_limit = false;
}

void td_session_set_history_limit(td_session *s, uint64_t offset) {
  s->use_limit = true;
  s->history_limit = offset;
  s->ev.history = offset > 0;
}

void td_session_on_record_done(td_session *s, td_record_done_fn fn,
                               void *user) {
  s->done = fn;
  s->done_user = user;
}

const thermos_runner_state *td_session_state(const td_session *s) {
  return s->st;
}

td_stream *td_session_stream(const td_session *s) { return s->stream; }

const thermos_event *td_session_event(const td_session *s) { return &s->ev; }

bool td_session_open(td_session *s) {
  s->opened = true;
  s->ev.record = 0;
  s->ev.offset = 0;
  td_dispatcher_stream_reader(s->d, &s->ev, s->stream);
  return td_dispatch_stream_open(s->d, &s->ev);
}

const td_record *td_session_torn_record(const td_session *s) {
  return &s->torn;
}

const char *td_session_torn_reason(const td_session *s) {
  return s->torn_reason.msg;
}

bool td_session_fail(td_session *s, const td_record *rec, const char *reason,
                     bool warning_only) {
  td_stream_report(s->stream, rec, reason, warning_only);
  if (warning_only)
    return true;
  s->ev.record = rec->index;
  s->ev.offset = rec->offset;
  return td_dispatch_stream_error(s->d, &s->ev, reason);
}

bool td_session_error_at(td_session *s, uint64_t record, uint64_t offset,
                         const char *reason) {
  s->ev.record = record;
  s->ev.offset = offset;
  return td_dispatch_stream_error(s->d, &s->ev, reason);
}

bool td_session_stream_error(td_session *s, const char *reason) {
  return td_dispatch_stream_error(s->d, &s->ev, reason);
}

bool td_session_close(td_session *s) {
  if (!s->opened)
    return true;
  s->opened = false;
  return td_dispatch_stream_close(s->d, &s->ev);
}

td_pump_result td_session_pump(td_session *s, bool (*between)(void *user),
                               void *user) {
  td_record rec;
  td_ckpt ck;
  td_transition tr;
  td_err err;
  for (;;) {
    if (between && !between(user))
      return TD_PUMP_STOPPED;
    if (td_dispatcher_aborted(s->d))
      return TD_PUMP_ABORTED;
    switch (td_stream_next(s->stream, &rec, &ck)) {
    case TD_STREAM_RECORD:
      break;
    case TD_STREAM_END:
      return TD_PUMP_END;
    case TD_STREAM_TORN:
      s->torn = rec;
      g_strlcpy(s->torn_reason.msg, td_stream_reason(s->stream),
                sizeof s->torn_reason.msg);
      return TD_PUMP_TORN;
    case TD_STREAM_INTERRUPTED:
      continue; /* `between` decides whether to stop */
    case TD_STREAM_IO: {
      td_error("%s: %s", td_stream_path(s->stream),
               td_stream_reason(s->stream));
      s->ev.record = rec.index;
      s->ev.offset = rec.offset;
      bool ok =
          td_dispatch_stream_error(s->d, &s->ev, td_stream_reason(s->stream));
      return ok ? TD_PUMP_READ_ERROR : TD_PUMP_ABORTED;
    }
    case TD_STREAM_ERROR:
    default:
      return td_session_fail(s, &rec, td_stream_reason(s->stream), false)
                 ? TD_PUMP_STREAM_ERROR
                 : TD_PUMP_ABORTED;
    }
    if (td_runner_state_apply(s->st, &ck, &tr, &err) < 0)
      return td_session_fail(s, &rec, err.msg, false) ? TD_PUMP_STREAM_ERROR
                                                      : TD_PUMP_ABORTED;
    s->ev.record = rec.index;
    s->ev.offset = rec.offset;
    if (s->use_limit)
      s->ev.history = rec.offset + 4 + rec.len <= s->history_limit;
    if (tr.kind == TD_TRANSITION_INITIALIZATION && !s->task_id_from_path) {
      const thermos_runner_header *h = td_runner_state_header(s->st);
      if (h->present & THERMOS_RH_TASK_ID)
        s->ev.task_id = h->task_id;
    }
    if (!td_dispatch_transition(s->d, &s->ev, &tr))
      return TD_PUMP_ABORTED;
    td_dispatch_record(s->d, &s->ev, &rec);
    if (s->done)
      s->done(s->done_user, &rec, s->ev.history);
  }
}
