/*
 * The reconstructed RunnerState and the rules of dispatch-semantics.md.
 *
 * Every record is validated completely before anything changes, so an
 * error leaves the state exactly as it was (the reference may leave a blank
 * run behind; nothing reads the state after an error there either).
 */
#include "runner_state.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "diag.h"
#include "states.h"
#include "process_table.h"

struct thermos_runner_state {
  bool truncate;
  bool recovery;
  bool has_header;
  thermos_runner_header header; /* strings and ports in header_blob */
  char *header_blob;
  bool has_statuses;
  GArray *statuses; /* thermos_task_status */
  td_process_table processes;
  size_t max_processes;
};

thermos_runner_state *td_runner_state_new(bool truncate, bool recovery) {
  thermos_runner_state *st = g_new0(thermos_runner_state, 1);
  st->truncate = truncate;
  st->recovery = recovery;
  st->statuses = g_array_new(FALSE, FALSE, sizeof(thermos_task_status));
  td_process_table_init(&st->processes);
  st->max_processes = TD_MAX_PROCESSES_LIMIT;
  return st;
}

void td_runner_state_set_max_processes(thermos_runner_state *st, size_t max) {
  st->max_processes = MIN(max, (size_t)TD_MAX_PROCESSES_LIMIT);
}

void td_runner_state_free(thermos_runner_state *st) {
  if (!st)
    return;
  td_process_table_clear(&st->processes);
  g_array_free(st->statuses, TRUE);
  g_free(st->header_blob);
  g_free(st);
}

/* A process name as messages show it: non-printable bytes as \xHH. */
static char *printable(thermos_str s) {
  GString *out = g_string_sized_new(s.len + 1);
  td_escape_bytes(out, s.data, s.len);
  return g_string_free(out, FALSE);
}

/* A process state as messages show it: its name, or its number. */
static void state_label(char *buf, size_t len, int32_t state) {
  const char *name = td_process_state_name(state);
  if (name)
    snprintf(buf, len, "%s", name);
  else
    snprintf(buf, len, "%" PRId32, state);
}

/* Copies the strings and ports of a decoded header (which point into the
 * record) into one block the state owns. */
static void store_header(thermos_runner_state *st,
                         const thermos_runner_header *h) {
  thermos_str *const fields[] = {&st->header.task_id, &st->header.sandbox,
                                 &st->header.log_dir, &st->header.hostname,
                                 &st->header.user};
  size_t size = h->n_ports * sizeof(thermos_port);
  st->header = *h;
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++)
    size += fields[i]->len;
  for (size_t i = 0; i < h->n_ports; i++)
    size += h->ports[i].name.len;
  st->header_blob = g_malloc(size ? size : 1);
  thermos_port *ports = (thermos_port *)st->header_blob;
  char *p = st->header_blob + h->n_ports * sizeof(thermos_port);
  for (size_t i = 0; i < G_N_ELEMENTS(fields); i++) {
    if (fields[i]->len)
      memcpy(p, fields[i]->data, fields[i]->len);
    fields[i]->data = p;
    p += fields[i]->len;
  }
  for (size_t i = 0; i < h->n_ports; i++) {
    ports[i].port = h->ports[i].port;
    ports[i].name.len = h->ports[i].name.len;
    ports[i].name.data = p;
    if (h->ports[i].name.len)
      memcpy(p, h->ports[i].name.data, h->ports[i].name.len);
    p += h->ports[i].name.len;
  }
  st->header.ports = h->n_ports ? ports : NULL;
  st->has_header = true;
}

static int apply_task(thermos_runner_state *st, const thermos_task_status *u,
                      td_transition *out, td_err *err) {
  if (!(u->present & THERMOS_TS_STATE))
    return td_err_set(err, "missing field state");
  if (st->truncate)
    g_array_set_size(st->statuses, 0);
  g_array_append_val(st->statuses, *u);
  st->has_statuses = true;
  out->kind = TD_TRANSITION_TASK;
  out->state = u->state;
  out->task = u;
  return 0;
}

/* The fields a transition copies beyond seq and state (the table of
 * dispatch-semantics.md), in the order they are checked. */
typedef struct field_rule {
  uint32_t bit;
  const char *name;
} field_rule;

static const field_rule FORKED_COPIES[] = {
    {THERMOS_PS_FORK_TIME, "fork_time"},
    {THERMOS_PS_COORDINATOR_PID, "coordinator_pid"},
    {0, NULL}};
static const field_rule RUNNING_COPIES[] = {
    {THERMOS_PS_START_TIME, "start_time"}, {THERMOS_PS_PID, "pid"}, {0, NULL}};
static const field_rule STOPPED_COPIES[] = {
    {THERMOS_PS_STOP_TIME, "stop_time"},
    {THERMOS_PS_RETURN_CODE, "return_code"},
    {0, NULL}};
static const field_rule NO_COPIES[] = {{0, NULL}};

/* Checks that the transition `from` => u->state is allowed and that `u`
 * carries what it copies; returns the set of bits to copy, or 0 with
 * `err` set. */
static uint32_t check_transition(bool new_run, int32_t from,
                                 const thermos_process_status *u, td_err *err) {
  const field_rule *copies;
  uint32_t bits = THERMOS_PS_SEQ | THERMOS_PS_STATE;
  bool allowed;
  switch (u->state) {
  case THERMOS_PROCESS_WAITING:
    allowed = new_run;
    copies = NO_COPIES;
    bits |= THERMOS_PS_PROCESS;
    break;
  case THERMOS_PROCESS_FORKED:
    allowed = !new_run && from == THERMOS_PROCESS_WAITING;
    copies = FORKED_COPIES;
    break;
  case THERMOS_PROCESS_RUNNING:
    allowed = !new_run && from == THERMOS_PROCESS_FORKED;
    copies = RUNNING_COPIES;
    break;
  case THERMOS_PROCESS_SUCCESS:
    allowed = !new_run && from == THERMOS_PROCESS_RUNNING;
    copies = STOPPED_COPIES;
    break;
  case THERMOS_PROCESS_FAILED:
    allowed = !new_run && (from == THERMOS_PROCESS_WAITING ||
                           from == THERMOS_PROCESS_RUNNING);
    copies = NO_COPIES;
    /* Deliberate difference 1: keep the exit of a run that failed. */
    if (from == THERMOS_PROCESS_RUNNING)
      bits |= u->present & (THERMOS_PS_STOP_TIME | THERMOS_PS_RETURN_CODE);
    break;
  case THERMOS_PROCESS_KILLED:
    allowed = !new_run && (from == THERMOS_PROCESS_FORKED ||
                           from == THERMOS_PROCESS_RUNNING);
    copies = STOPPED_COPIES;
    break;
  case THERMOS_PROCESS_LOST:
    allowed = !new_run && (from == THERMOS_PROCESS_FORKED ||
                           from == THERMOS_PROCESS_RUNNING);
    copies = NO_COPIES;
    break;
  default:
    td_err_set(err, "unknown process state %" PRId32, u->state);
    return 0;
  }
  if (!allowed) {
    char old[32], new[32];
    state_label(old, sizeof old, from);
    state_label(new, sizeof new, u->state);
    td_err_set(err, "invalid transition %s => %s", old, new);
    return 0;
  }
  for (const field_rule *r = copies; r->bit; r++) {
    if (!(u->present & r->bit)) {
      td_err_set(err, "missing field %s", r->name);
      return 0;
    }
    bits |= r->bit;
  }
  return bits;
}

static void copy_fields(thermos_process_status *run,
                        const thermos_process_status *u, uint32_t bits) {
  run->present |= bits;
  run->seq = u->seq;
  run->state = u->state;
  if (bits & THERMOS_PS_COORDINATOR_PID)
    run->coordinator_pid = u->coordinator_pid;
  if (bits & THERMOS_PS_FORK_TIME)
    run->fork_time = u->fork_time;
  if (bits & THERMOS_PS_START_TIME)
    run->start_time = u->start_time;
  if (bits & THERMOS_PS_PID)
    run->pid = u->pid;
  if (bits & THERMOS_PS_STOP_TIME)
    run->stop_time = u->stop_time;
  if (bits & THERMOS_PS_RETURN_CODE)
    run->return_code = u->return_code;
}

static int apply_process(thermos_runner_state *st,
                         const thermos_process_status *u, td_transition *out,
                         td_err *err) {
  if (!(u->present & THERMOS_PS_PROCESS))
    return td_err_set(err, "missing field process");
  size_t at = td_process_table_find(&st->processes, u->process);
  td_process *e =
      at == SIZE_MAX ? NULL : td_process_table_at(&st->processes, at);
  thermos_process_status *cur =
      e && e->n_runs ? td_process_run(e, e->n_runs - 1) : NULL;

  if (cur && (!(u->present & THERMOS_PS_SEQ) || cur->seq == INT64_MAX ||
              u->seq != cur->seq + 1)) {
    if (st->recovery) {
      out->kind = TD_TRANSITION_NONE;
      return 0;
    }
    char new[24];
    if (u->present & THERMOS_PS_SEQ)
      snprintf(new, sizeof new, "%" PRId64, u->seq);
    else
      snprintf(new, sizeof new, "none");
    return td_err_set(err, "out of order sequence number %" PRId64 " => %s",
                      cur->seq, new);
  }

  bool new_run = false;
  if ((u->present & THERMOS_PS_STATE) && u->state == THERMOS_PROCESS_WAITING) {
    if (cur && !td_process_state_terminal(cur->state)) {
      char *name = printable(u->process);
      char label[32];
      state_label(label, sizeof label, cur->state);
      td_err_set(err, "new run of %s while its last run is %s", name, label);
      g_free(name);
      return -1;
    }
    new_run = true;
  }
  if (!cur && !new_run) {
    char *name = printable(u->process);
    td_err_set(err, "update for unknown process %s", name);
    g_free(name);
    return -1;
  }
  if (!(u->present & THERMOS_PS_SEQ))
    return td_err_set(err, "missing field seq");
  if (!(u->present & THERMOS_PS_STATE))
    return td_err_set(err, "missing field state");
  uint32_t bits = check_transition(new_run, cur ? cur->state : -1, u, err);
  if (!bits)
    return -1;

  if (!e && st->processes.entries.count >= st->max_processes)
    return td_err_set(err, "more than %zu processes", st->max_processes);

  /* Valid: now change the state. */
  if (new_run) {
    thermos_process_status blank = {0};
    blank.present = THERMOS_PS_SEQ;
    blank.seq = cur ? cur->seq : -1;
    if (!e)
      e = td_process_table_add(&st->processes, u->process);
    cur = td_process_append_run(e, st->truncate);
    *cur = blank;
    e->runs_started++;
  }
  copy_fields(cur, u, bits);
  if (bits & THERMOS_PS_PROCESS)
    cur->process = e->name;
  out->kind = TD_TRANSITION_PROCESS;
  out->state = u->state;
  out->process = u;
  return 0;
}

int td_runner_state_apply(thermos_runner_state *st, const td_ckpt *rec,
                          td_transition *out, td_err *err) {
  memset(out, 0, sizeof *out);
  /* One case per record, in this order: a union with several members is
   * handled as its first (the header wins). */
  if (rec->has_header) {
    if (st->has_header)
      return td_err_set(err, "second runner header");
    store_header(st, &rec->header);
    out->kind = TD_TRANSITION_INITIALIZATION;
    out->header = &rec->header;
    return 0;
  }
  if (rec->has_task)
    return apply_task(st, &rec->task, out, err);
  if (rec->has_process)
    return apply_process(st, &rec->process, out, err);
  return td_err_set(err, "empty RunnerCkpt");
}

const thermos_runner_header *
td_runner_state_header(const thermos_runner_state *st) {
  return st->has_header ? &st->header : NULL;
}

bool td_runner_state_has_statuses(const thermos_runner_state *st) {
  return st->has_statuses;
}

size_t td_runner_state_task_status_count(const thermos_runner_state *st) {
  return st->statuses->len;
}

const thermos_task_status *
td_runner_state_task_status(const thermos_runner_state *st, size_t i) {
  if (i >= st->statuses->len)
    return NULL;
  return &g_array_index(st->statuses, thermos_task_status, i);
}

size_t td_runner_state_process_count(const thermos_runner_state *st) {
  return st->processes.entries.count;
}

thermos_str td_runner_state_process_name(const thermos_runner_state *st,
                                         size_t i) {
  thermos_str none = {NULL, 0};
  if (i >= st->processes.entries.count)
    return none;
  return td_process_table_at(&st->processes, i)->name;
}

size_t td_runner_state_run_count_at(const thermos_runner_state *st, size_t i) {
  if (i >= st->processes.entries.count)
    return 0;
  return td_process_table_at(&st->processes, i)->n_runs;
}

const thermos_process_status *
td_runner_state_run_at(const thermos_runner_state *st, size_t i, size_t run) {
  if (i >= st->processes.entries.count)
    return NULL;
  const td_process *e = td_process_table_at(&st->processes, i);
  if (run >= e->n_runs)
    return NULL;
  return td_process_run(e, run);
}

uint64_t td_runner_state_runs_started_at(const thermos_runner_state *st,
                                         size_t i) {
  if (i >= st->processes.entries.count)
    return 0;
  return td_process_table_at(&st->processes, i)->runs_started;
}

size_t td_runner_state_find_process(const thermos_runner_state *st,
                                    thermos_str name) {
  return td_process_table_find(&st->processes, name);
}
