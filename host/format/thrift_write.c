/*
 * Writing checkpoint records through Thrift's c_glib generated classes.
 *
 * The generated writer, not a hand-written one, so that streams made by
 * `encode` and by the tests come from an encoder independent of our
 * decoder.  Its limits, and how they are handled here:
 *  - Strings are gchar* written with strlen (thrift_protocol_write_string):
 *    a string holding a NUL byte cannot be written whole.  Such a string is
 *    an error, never silently cut at the NUL.
 *  - The ports map is written by collecting its keys into a g_newa (stack)
 *    array through a GList built by appending, so its cost is quadratic
 *    and its stack use linear in the number of ports: both are bounded.
 *  - Objects are made afresh for every record: reused ones keep stale
 *    __isset_* flags and ports (see the notes on c_glib).
 *  - ThriftMemoryBuffer's finalize (Thrift 0.17) does not chain up, so
 *    each instance leaks its GObject part: a subclass adds the link.
 */
#include "thrift_write.h"

#include <string.h>

#include <thermos_thermos_internal_types.h>
#include <thrift/c_glib/protocol/thrift_binary_protocol.h>
#include <thrift/c_glib/transport/thrift_memory_buffer.h>

#include "core/framing.h"
#include "thrift_buffer.h"

/* More ports than this would make the generated writer's key list slow
 * (quadratic) and its stack array large; real tasks have a handful. */
#define MAX_PORTS 16384

enum { WRITER_ERROR_NUL, WRITER_ERROR_TOO_LARGE, WRITER_ERROR_THRIFT };

static GQuark writer_error_quark(void) {
  return g_quark_from_static_string("td-ckpt-writer-error");
}

/* A NUL-terminated copy of `s`, or NULL with `error` set when `s` holds a
 * NUL byte (`what` names the field in the message). */
static gchar *dup_str(const thermos_str *s, const char *what, GError **error) {
  if (s->len > 0 && memchr(s->data, '\0', s->len) != NULL) {
    g_set_error(error, writer_error_quark(), WRITER_ERROR_NUL,
                "%s: contains a NUL byte, which Thrift's c_glib writer "
                "cannot write",
                what);
    return NULL;
  }
  return g_strndup(s->len > 0 ? s->data : "", s->len);
}

/* Sets a string member and its __isset flag when `bit` is present. */
static int set_str(gchar **member, gboolean *isset, uint32_t present,
                   uint32_t bit, const thermos_str *s, const char *what,
                   GError **error) {
  if (!(present & bit))
    return 0;
  gchar *copy = dup_str(s, what, error);
  if (copy == NULL)
    return -1;
  g_free(*member);
  *member = copy;
  *isset = TRUE;
  return 0;
}

static int fill_process(thermosProcessStatus *o,
                        const thermos_process_status *ps, GError **error) {
  uint32_t p = ps->present;
#define SET(bit, member)                                                       \
  if (p & (bit)) {                                                             \
    o->member = ps->member;                                                    \
    o->__isset_##member = TRUE;                                                \
  }
  SET(THERMOS_PS_SEQ, seq)
  SET(THERMOS_PS_COORDINATOR_PID, coordinator_pid)
  SET(THERMOS_PS_FORK_TIME, fork_time)
  SET(THERMOS_PS_START_TIME, start_time)
  SET(THERMOS_PS_PID, pid)
  SET(THERMOS_PS_STOP_TIME, stop_time)
  SET(THERMOS_PS_RETURN_CODE, return_code)
#undef SET
  if (p & THERMOS_PS_STATE) {
    /* Values outside the enum are kept: the generated writer casts the
     * member back to gint32, and GCC and Clang keep the bits. */
    o->state = (thermosProcessState)ps->state;
    o->__isset_state = TRUE;
  }
  return set_str(&o->process, &o->__isset_process, p, THERMOS_PS_PROCESS,
                 &ps->process, "process_status.process", error);
}

static void fill_task(thermosTaskStatus *o, const thermos_task_status *ts) {
  uint32_t p = ts->present;
  if (p & THERMOS_TS_STATE) {
    o->state = (thermosTaskState)ts->state;
    o->__isset_state = TRUE;
  }
  if (p & THERMOS_TS_TIMESTAMP_MS) {
    o->timestamp_ms = ts->timestamp_ms;
    o->__isset_timestamp_ms = TRUE;
  }
  if (p & THERMOS_TS_RUNNER_PID) {
    o->runner_pid = ts->runner_pid;
    o->__isset_runner_pid = TRUE;
  }
  if (p & THERMOS_TS_RUNNER_UID) {
    o->runner_uid = ts->runner_uid;
    o->__isset_runner_uid = TRUE;
  }
}

static int fill_header(thermosRunnerHeader *o, const thermos_runner_header *rh,
                       GError **error) {
  uint32_t p = rh->present;
  if (set_str(&o->task_id, &o->__isset_task_id, p, THERMOS_RH_TASK_ID,
              &rh->task_id, "header.task_id", error) ||
      set_str(&o->sandbox, &o->__isset_sandbox, p, THERMOS_RH_SANDBOX,
              &rh->sandbox, "header.sandbox", error) ||
      set_str(&o->log_dir, &o->__isset_log_dir, p, THERMOS_RH_LOG_DIR,
              &rh->log_dir, "header.log_dir", error) ||
      set_str(&o->hostname, &o->__isset_hostname, p, THERMOS_RH_HOSTNAME,
              &rh->hostname, "header.hostname", error) ||
      set_str(&o->user, &o->__isset_user, p, THERMOS_RH_USER, &rh->user,
              "header.user", error))
    return -1;
  if (p & THERMOS_RH_LAUNCH_TIME_MS) {
    o->launch_time_ms = rh->launch_time_ms;
    o->__isset_launch_time_ms = TRUE;
  }
  if (p & THERMOS_RH_UID) {
    o->uid = rh->uid;
    o->__isset_uid = TRUE;
  }
  if (p & THERMOS_RH_PORTS) {
    if (rh->n_ports > MAX_PORTS) {
      g_set_error(error, writer_error_quark(), WRITER_ERROR_TOO_LARGE,
                  "header.ports: %zu ports, more than the %d this writer "
                  "supports",
                  rh->n_ports, MAX_PORTS);
      return -1;
    }
    /* The table the generated code made: gchar* -> gint64*, both freed
     * with g_free.  A repeated name keeps the last value, as on reading. */
    for (size_t i = 0; i < rh->n_ports; i++) {
      gchar *name = dup_str(&rh->ports[i].name, "header.ports", error);
      if (name == NULL)
        return -1;
      gint64 *port = g_new(gint64, 1);
      *port = rh->ports[i].port;
      g_hash_table_replace(o->ports, name, port);
    }
    o->__isset_ports = TRUE;
  }
  return 0;
}

/* Bytes of string data in `rec`: a lower bound of its body's size, to
 * refuse an oversized record before building it. */
static uint64_t string_bytes(const td_ckpt *rec) {
  uint64_t n = 0;
  if (rec->has_process && (rec->process.present & THERMOS_PS_PROCESS))
    n += rec->process.process.len;
  if (rec->has_header) {
    const thermos_runner_header *rh = &rec->header;
    const struct {
      uint32_t bit;
      const thermos_str *s;
    } fields[] = {{THERMOS_RH_TASK_ID, &rh->task_id},
                  {THERMOS_RH_SANDBOX, &rh->sandbox},
                  {THERMOS_RH_LOG_DIR, &rh->log_dir},
                  {THERMOS_RH_HOSTNAME, &rh->hostname},
                  {THERMOS_RH_USER, &rh->user}};
    for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
      if (rh->present & fields[i].bit)
        n += fields[i].s->len;
    if (rh->present & THERMOS_RH_PORTS)
      for (size_t i = 0; i < rh->n_ports && i <= MAX_PORTS; i++)
        n += rh->ports[i].name.len;
  }
  return n;
}

static void set_too_large(GError **error, const char *size, uint64_t n) {
  g_set_error(error, writer_error_quark(), WRITER_ERROR_TOO_LARGE,
              "record body of %s%" G_GUINT64_FORMAT
              " bytes exceeds the limit of %u bytes",
              size, n, TD_MAX_RECORD_SIZE_LIMIT);
}

int td_thrift_write(const td_ckpt *rec, GByteArray *out, GError **error) {
  uint64_t lower = string_bytes(rec);
  if (lower > TD_MAX_RECORD_SIZE_LIMIT) {
    set_too_large(error, "at least ", lower);
    return -1;
  }

  thermosRunnerCkpt *ckpt = g_object_new(THERMOS_TYPE_RUNNER_CKPT, NULL);
  int rc = -1;
  if (rec->has_header) {
    if (fill_header(ckpt->runner_header, &rec->header, error))
      goto out;
    ckpt->__isset_runner_header = TRUE;
  }
  if (rec->has_process) {
    if (fill_process(ckpt->process_status, &rec->process, error))
      goto out;
    ckpt->__isset_process_status = TRUE;
  }
  if (rec->has_task) {
    fill_task(ckpt->task_status, &rec->task);
    ckpt->__isset_task_status = TRUE;
  }

  /* The transport appends straight to `out`, after room for the length
   * prefix; it does not own `out`, so it leaves it alone when freed. */
  const guint start = out->len;
  const guint8 zeros[4] = {0, 0, 0, 0};
  g_byte_array_append(out, zeros, sizeof zeros);
  ThriftTransport *transport = g_object_new(td_thrift_buffer_get_type(), "buf",
                                            out, "owner", FALSE, NULL);
  ThriftProtocol *protocol =
      g_object_new(THRIFT_TYPE_BINARY_PROTOCOL, "transport", transport, NULL);
  GError *terr = NULL;
  gint32 written = thrift_struct_write(THRIFT_STRUCT(ckpt), protocol, &terr);
  g_object_unref(protocol);
  g_object_unref(transport);
  if (written < 0) {
    g_set_error(error, writer_error_quark(), WRITER_ERROR_THRIFT,
                "Thrift's c_glib writer failed: %s",
                terr != NULL ? terr->message : "unknown error");
    g_clear_error(&terr);
    g_byte_array_set_size(out, start);
    goto out;
  }
  uint64_t body = (uint64_t)out->len - start - 4;
  if (body > TD_MAX_RECORD_SIZE_LIMIT) {
    set_too_large(error, "", body);
    g_byte_array_set_size(out, start);
    goto out;
  }
  out->data[start] = (guint8)(body >> 24);
  out->data[start + 1] = (guint8)(body >> 16);
  out->data[start + 2] = (guint8)(body >> 8);
  out->data[start + 3] = (guint8)body;
  rc = 0;
out:
  g_object_unref(ckpt);
  return rc;
}
