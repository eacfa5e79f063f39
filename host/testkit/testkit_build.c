/* Records built in C: a td_ckpt with presence bits set field by field,
 * its strings owned by the record, written by the host's Thrift writer
 * when fed. */
#include <string.h>

#include "testkit_private.h"

struct thermos_testkit_record {
  td_ckpt ck;
  bool invalid;     /* a setter of another kind was used */
  GPtrArray *owned; /* char *: the strings the record points to */
  GArray *ports;    /* thermos_port */
};

static thermos_testkit_record *record_new(void) {
  thermos_testkit_record *rec = g_new0(thermos_testkit_record, 1);
  rec->owned = g_ptr_array_new_with_free_func(g_free);
  rec->ports = g_array_new(FALSE, TRUE, sizeof(thermos_port));
  return rec;
}

void thermos_testkit_record_free(thermos_testkit_record *rec) {
  if (!rec)
    return;
  g_ptr_array_free(rec->owned, TRUE);
  g_array_free(rec->ports, TRUE);
  g_free(rec);
}

/* A copy the record keeps, as a Thrift string. */
static thermos_str keep(thermos_testkit_record *rec, const char *s) {
  char *copy = g_strdup(s ? s : "");
  g_ptr_array_add(rec->owned, copy);
  thermos_str out = {copy, strlen(copy)};
  return out;
}

bool td_testkit_record_ckpt(thermos_testkit_record *rec, td_ckpt *out) {
  if (rec->invalid)
    return false;
  *out = rec->ck;
  out->header.ports = (const thermos_port *)(void *)rec->ports->data;
  out->header.n_ports = rec->ports->len;
  return true;
}

/* The record when it is of the kind a setter is for, else NULL (and the
 * record is marked invalid). */
static thermos_testkit_record *kind(thermos_testkit_record *rec, bool is_kind) {
  if (!rec)
    return NULL;
  if (!is_kind) {
    rec->invalid = true;
    return NULL;
  }
  return rec;
}
#define HEADER(rec) kind(rec, (rec) && (rec)->ck.has_header)
#define TASK(rec) kind(rec, (rec) && (rec)->ck.has_task)
#define PROCESS(rec) kind(rec, (rec) && (rec)->ck.has_process)

/* One setter of a field: when the record is of the right kind, the
 * field's presence bit set and its value stored (a string copied into the
 * record).  Returns the record, so that calls chain. */
#define SETTER(fn, which, CHECK, type, bit, field, stored)                     \
  thermos_testkit_record *fn(thermos_testkit_record *rec, type value) {        \
    if (CHECK(rec)) {                                                          \
      rec->ck.which.present |= (bit);                                          \
      rec->ck.which.field = stored;                                            \
    }                                                                          \
    return rec;                                                                \
  }

/* --- the header ----------------------------------------------------------- */

thermos_testkit_record *thermos_testkit_header(const char *task_id) {
  thermos_testkit_record *rec = record_new();
  rec->ck.has_header = true;
  rec->ck.header.present = THERMOS_RH_TASK_ID;
  rec->ck.header.task_id = keep(rec, task_id);
  return rec;
}

SETTER(thermos_testkit_header_set_launch_time_ms, header, HEADER, int64_t,
       THERMOS_RH_LAUNCH_TIME_MS, launch_time_ms, value)

SETTER(thermos_testkit_header_set_sandbox, header, HEADER, const char *,
       THERMOS_RH_SANDBOX, sandbox, keep(rec, value))

SETTER(thermos_testkit_header_set_log_dir, header, HEADER, const char *,
       THERMOS_RH_LOG_DIR, log_dir, keep(rec, value))

SETTER(thermos_testkit_header_set_hostname, header, HEADER, const char *,
       THERMOS_RH_HOSTNAME, hostname, keep(rec, value))

SETTER(thermos_testkit_header_set_user, header, HEADER, const char *,
       THERMOS_RH_USER, user, keep(rec, value))

SETTER(thermos_testkit_header_set_uid, header, HEADER, int32_t, THERMOS_RH_UID,
       uid, value)

thermos_testkit_record *
thermos_testkit_header_add_port(thermos_testkit_record *rec, const char *name,
                                int64_t port) {
  if (HEADER(rec)) {
    rec->ck.header.present |= THERMOS_RH_PORTS;
    thermos_port p = {keep(rec, name), port};
    g_array_append_val(rec->ports, p);
  }
  return rec;
}

/* --- task statuses -------------------------------------------------------- */

thermos_testkit_record *thermos_testkit_task(int32_t state,
                                             int64_t timestamp_ms) {
  thermos_testkit_record *rec = record_new();
  rec->ck.has_task = true;
  rec->ck.task.present = THERMOS_TS_STATE | THERMOS_TS_TIMESTAMP_MS;
  rec->ck.task.state = state;
  rec->ck.task.timestamp_ms = timestamp_ms;
  return rec;
}

SETTER(thermos_testkit_task_set_runner_pid, task, TASK, int32_t,
       THERMOS_TS_RUNNER_PID, runner_pid, value)

SETTER(thermos_testkit_task_set_runner_uid, task, TASK, int32_t,
       THERMOS_TS_RUNNER_UID, runner_uid, value)

/* --- process statuses ----------------------------------------------------- */

thermos_testkit_record *thermos_testkit_process(const char *name, int32_t state,
                                                int64_t seq) {
  thermos_testkit_record *rec = record_new();
  rec->ck.has_process = true;
  rec->ck.process.present =
      THERMOS_PS_PROCESS | THERMOS_PS_STATE | THERMOS_PS_SEQ;
  rec->ck.process.process = keep(rec, name);
  rec->ck.process.state = state;
  rec->ck.process.seq = seq;
  return rec;
}

SETTER(thermos_testkit_process_set_fork_time, process, PROCESS, double,
       THERMOS_PS_FORK_TIME, fork_time, value)

SETTER(thermos_testkit_process_set_coordinator_pid, process, PROCESS, int32_t,
       THERMOS_PS_COORDINATOR_PID, coordinator_pid, value)

SETTER(thermos_testkit_process_set_start_time, process, PROCESS, double,
       THERMOS_PS_START_TIME, start_time, value)

SETTER(thermos_testkit_process_set_pid, process, PROCESS, int32_t,
       THERMOS_PS_PID, pid, value)

SETTER(thermos_testkit_process_set_stop_time, process, PROCESS, double,
       THERMOS_PS_STOP_TIME, stop_time, value)

SETTER(thermos_testkit_process_set_return_code, process, PROCESS, int32_t,
       THERMOS_PS_RETURN_CODE, return_code, value)
