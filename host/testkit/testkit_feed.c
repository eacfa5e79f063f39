/* Feeding streams: a checkpoint file read as `replay` reads it, and the
 * stream a test builds record by record.  A built record is framed and
 * appended to an anonymous file that a td_session reads, so each goes
 * through the host's framing, decoder, state machine and dispatcher, in
 * that order, before the call returns. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/framing.h"
#include "core/runner_state.h"
#include "format/thrift_write.h"
#include "testkit_private.h"

int thermos_testkit_set_history(thermos_testkit *kit, int history) {
  if (!kit)
    return THERMOS_TESTKIT_MISUSE;
  kit->history = history != 0;
  if (kit->session)
    td_session_set_history(kit->session, kit->history);
  return THERMOS_TESTKIT_OK;
}

static td_session *new_session(thermos_testkit *kit, td_stream *stream) {
  td_session *s = td_session_new(stream, kit->d, kit->truncate, false);
  td_session_set_max_processes(s, TD_MAX_PROCESSES_DEFAULT);
  td_session_set_history(s, kit->history);
  return s;
}

/* A pump's outcome as the kit says it; a torn end is an error, as in
 * `replay` without --tolerate-torn-tail. */
static int pumped(td_session *s, td_pump_result r) {
  switch (r) {
  case TD_PUMP_END:
  case TD_PUMP_STOPPED:
    return THERMOS_TESTKIT_OK;
  case TD_PUMP_TORN:
    return td_session_fail(s, td_session_torn_record(s),
                           td_session_torn_reason(s), false)
               ? THERMOS_TESTKIT_STREAM_ERROR
               : THERMOS_TESTKIT_ABORTED;
  case TD_PUMP_STREAM_ERROR:
    return THERMOS_TESTKIT_STREAM_ERROR;
  case TD_PUMP_READ_ERROR:
    return THERMOS_TESTKIT_INPUT_ERROR;
  case TD_PUMP_ABORTED:
  default:
    return THERMOS_TESTKIT_ABORTED;
  }
}

int thermos_testkit_feed_file(thermos_testkit *kit, const char *path) {
  if (!td_testkit_running(kit) || !path)
    return THERMOS_TESTKIT_MISUSE;
  if (td_dispatcher_aborted(kit->d))
    return THERMOS_TESTKIT_ABORTED;
  td_stream *stream = td_stream_open(path, TD_MAX_RECORD_SIZE_LIMIT);
  if (!stream)
    return THERMOS_TESTKIT_INPUT_ERROR;
  td_session *s = new_session(kit, stream);
  int rc = td_session_open(s) ? pumped(s, td_session_pump(s, NULL, NULL))
                              : THERMOS_TESTKIT_ABORTED;
  if (!td_session_close(s))
    rc = THERMOS_TESTKIT_ABORTED;
  td_session_free(s);
  return rc;
}

int thermos_testkit_open(thermos_testkit *kit, const char *source) {
  if (!td_testkit_running(kit) || !source || kit->session)
    return THERMOS_TESTKIT_MISUSE;
  if (td_dispatcher_aborted(kit->d))
    return THERMOS_TESTKIT_ABORTED;
  int fd = memfd_create("thermos-testkit", MFD_CLOEXEC);
  if (fd < 0) {
    td_error("%s: memfd_create: %s", source, g_strerror(errno));
    return THERMOS_TESTKIT_INPUT_ERROR;
  }
  kit->session =
      new_session(kit, td_stream_open_fd(source, fd, TD_MAX_RECORD_SIZE_LIMIT));
  kit->end = 0;
  kit->stopped = false;
  kit->json_lines = 0;
  return td_session_open(kit->session) ? THERMOS_TESTKIT_OK
                                       : THERMOS_TESTKIT_ABORTED;
}

int td_testkit_close_stream(thermos_testkit *kit) {
  if (!kit->session)
    return THERMOS_TESTKIT_OK;
  int rc = td_session_close(kit->session) ? THERMOS_TESTKIT_OK
                                          : THERMOS_TESTKIT_ABORTED;
  td_session_free(kit->session);
  kit->session = NULL;
  return rc;
}

int thermos_testkit_close(thermos_testkit *kit) {
  if (!td_testkit_running(kit) || !kit->session)
    return THERMOS_TESTKIT_MISUSE;
  return td_testkit_close_stream(kit);
}

/* Appends kit->frame (one framed record) to the open stream and
 * dispatches it. */
static int append_frame(thermos_testkit *kit) {
  if (kit->stopped)
    return THERMOS_TESTKIT_STREAM_ERROR;
  if (td_dispatcher_aborted(kit->d))
    return THERMOS_TESTKIT_ABORTED;
  int fd = td_stream_fd(td_session_stream(kit->session));
  const guint8 *p = kit->frame->data;
  size_t left = kit->frame->len;
  while (left > 0) {
    ssize_t n = pwrite(fd, p, left, (off_t)kit->end);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      td_error("%s: %s", td_stream_path(td_session_stream(kit->session)),
               n < 0 ? g_strerror(errno) : "short write");
      return THERMOS_TESTKIT_INPUT_ERROR;
    }
    p += n;
    left -= (size_t)n;
    kit->end += (uint64_t)n;
  }
  int rc = pumped(kit->session, td_session_pump(kit->session, NULL, NULL));
  if (rc == THERMOS_TESTKIT_STREAM_ERROR)
    kit->stopped = true;
  return rc;
}

/* A record may be fed only into the stream a test opened. */
static bool feedable(const thermos_testkit *kit) {
  return td_testkit_running(kit) && kit->session;
}

int thermos_testkit_feed_raw(thermos_testkit *kit, const void *body,
                             size_t len) {
  if (!feedable(kit) || (!body && len) || len > UINT32_MAX)
    return THERMOS_TESTKIT_MISUSE;
  uint8_t prefix[4];
  /* The length prefix: 4 bytes, big-endian. */
  for (int i = 0; i < 4; i++)
    prefix[i] = (uint8_t)(len >> (24 - 8 * i));
  g_byte_array_set_size(kit->frame, 0);
  g_byte_array_append(kit->frame, prefix, sizeof prefix);
  if (len)
    g_byte_array_append(kit->frame, body, (guint)len);
  return append_frame(kit);
}

/* Writes `ck` framed into kit->frame and dispatches it; a record the
 * writer refuses is reported as a bad input line would be. */
static int feed_ckpt(thermos_testkit *kit, const td_ckpt *ck,
                     const char *what) {
  GError *err = NULL;
  g_byte_array_set_size(kit->frame, 0);
  if (td_thrift_write(ck, kit->frame, &err)) {
    td_error("%s: %s: %s", td_stream_path(td_session_stream(kit->session)),
             what, err->message);
    g_error_free(err);
    return THERMOS_TESTKIT_INPUT_ERROR;
  }
  return append_frame(kit);
}

int thermos_testkit_feed_record(thermos_testkit *kit,
                                thermos_testkit_record *rec) {
  td_ckpt ck;
  int rc;
  if (!feedable(kit) || !rec || !td_testkit_record_ckpt(rec, &ck))
    rc = THERMOS_TESTKIT_MISUSE;
  else
    rc = feed_ckpt(kit, &ck, "built record");
  thermos_testkit_record_free(rec);
  return rc;
}

static bool blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return false;
  return true;
}

int thermos_testkit_feed_json(thermos_testkit *kit, const char *lines) {
  if (!feedable(kit) || !lines)
    return THERMOS_TESTKIT_MISUSE;
  if (!kit->json)
    kit->json = td_json_reader_new();
  const char *p = lines;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (!blank(p, len)) {
      kit->json_lines++;
      td_ckpt ck;
      td_err reason;
      if (td_json_read_line(kit->json, p, len, &ck, &reason)) {
        td_error("%s: line %" PRIu64 ": %s",
                 td_stream_path(td_session_stream(kit->session)),
                 kit->json_lines, reason.msg);
        return THERMOS_TESTKIT_INPUT_ERROR;
      }
      char what[48];
      g_snprintf(what, sizeof what, "line %" PRIu64, kit->json_lines);
      int rc = feed_ckpt(kit, &ck, what);
      if (rc != THERMOS_TESTKIT_OK)
        return rc;
    }
    p += len;
    if (*p == '\n')
      p++;
  }
  return THERMOS_TESTKIT_OK;
}

int thermos_testkit_tick(thermos_testkit *kit, double now) {
  if (!td_testkit_running(kit))
    return THERMOS_TESTKIT_MISUSE;
  return td_dispatch_tick(kit->d, now) ? THERMOS_TESTKIT_OK
                                       : THERMOS_TESTKIT_ABORTED;
}

int thermos_testkit_reopen(thermos_testkit *kit) {
  if (!td_testkit_running(kit))
    return THERMOS_TESTKIT_MISUSE;
  return td_dispatch_reopen(kit->d) ? THERMOS_TESTKIT_OK
                                    : THERMOS_TESTKIT_ABORTED;
}
