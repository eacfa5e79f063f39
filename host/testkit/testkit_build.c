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

/* --- the header ----------------------------------------------------------- */

thermos_testkit_record *thermos_testkit_header(const char *task_id) {
  thermos_testkit_record *rec = record_new();
  rec->ck.has_header = true;
  rec->ck.header.present = THERMOS_RH_TASK_ID;
  rec->ck.header.task_id = keep(rec, task_id);
  return rec;
}

thermos_testkit_record *
thermos_testkit_header_set_launch_time_ms(thermos_testkit_record *rec,
                                          int64_t ms) {
  if (HEADER(rec)) {
    rec->ck.header.present |= THERMOS_RH_LAUNCH_TIME_MS;
    rec->ck.header.launch_time_ms = ms;
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_header_set_sandbox(thermos_testkit_record *rec,
                                   const char *sandbox) {
  if (HEADER(rec)) {
    rec->ck.header.present |= THERMOS_RH_SANDBOX;
    rec->ck.header.sandbox = keep(rec, sandbox);
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_header_set_log_dir(thermos_testkit_record *rec,
                                   const char *log_dir) {
  if (HEADER(rec)) {
    rec->ck.header.present |= THERMOS_RH_LOG_DIR;
    rec->ck.header.log_dir = keep(rec, log_dir);
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_header_set_hostname(thermos_testkit_record *rec,
                                    const char *hostname) {
  if (HEADER(rec)) {
    rec->ck.header.present |= THERMOS_RH_HOSTNAME;
    rec->ck.header.hostname = keep(rec, hostname);
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_header_set_user(thermos_testkit_record *rec, const char *user) {
  if (HEADER(rec)) {
    rec->ck.header.present |= THERMOS_RH_USER;
    rec->ck.header.user = keep(rec, user);
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_header_set_uid(thermos_testkit_record *rec, int32_t uid) {
  if (HEADER(rec)) {
    rec->ck.header.present |= THERMOS_RH_UID;
    rec->ck.header.uid = uid;
  }
  return rec;
}

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

thermos_testkit_record *
thermos_testkit_task_set_runner_pid(thermos_testkit_record *rec, int32_t pid) {
  if (TASK(rec)) {
    rec->ck.task.present |= THERMOS_TS_RUNNER_PID;
    rec->ck.task.runner_pid = pid;
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_task_set_runner_uid(thermos_testkit_record *rec, int32_t uid) {
  if (TASK(rec)) {
    rec->ck.task.present |= THERMOS_TS_RUNNER_UID;
    rec->ck.task.runner_uid = uid;
  }
  return rec;
}

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

thermos_testkit_record *
thermos_testkit_process_set_fork_time(thermos_testkit_record *rec,
                                      double seconds) {
  if (PROCESS(rec)) {
    rec->ck.process.present |= THERMOS_PS_FORK_TIME;
    rec->ck.process.fork_time = seconds;
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_process_set_coordinator_pid(thermos_testkit_record *rec,
                                            int32_t pid) {
  if (PROCESS(rec)) {
    rec->ck.process.present |= THERMOS_PS_COORDINATOR_PID;
    rec->ck.process.coordinator_pid = pid;
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_process_set_start_time(thermos_testkit_record *rec,
                                       double seconds) {
  if (PROCESS(rec)) {
    rec->ck.process.present |= THERMOS_PS_START_TIME;
    rec->ck.process.start_time = seconds;
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_process_set_pid(thermos_testkit_record *rec, int32_t pid) {
  if (PROCESS(rec)) {
    rec->ck.process.present |= THERMOS_PS_PID;
    rec->ck.process.pid = pid;
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_process_set_stop_time(thermos_testkit_record *rec,
                                      double seconds) {
  if (PROCESS(rec)) {
    rec->ck.process.present |= THERMOS_PS_STOP_TIME;
    rec->ck.process.stop_time = seconds;
  }
  return rec;
}

thermos_testkit_record *
thermos_testkit_process_set_return_code(thermos_testkit_record *rec,
                                        int32_t code) {
  if (PROCESS(rec)) {
    rec->ck.process.present |= THERMOS_PS_RETURN_CODE;
    rec->ck.process.return_code = code;
  }
  return rec;
}
