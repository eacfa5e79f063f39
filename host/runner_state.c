/*
 * The reconstructed RunnerState and the rules of dispatch-semantics.md.
 *
 * Every record is validated completely before anything changes, so an
 * error leaves the state exactly as it was (the reference may leave a blank
 * run behind; nothing reads the state after an error there either).
 */
#include "runner_state.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "diag.h"
#include "json_form.h"

/*
 * A process costs about 150 bytes plus its name (a stream may name a
 * million): its first run lives in the entry itself, the entries in blocks
 * that never move, names in a shared arena, and the index holds 8-byte
 * slots.  Only a process that runs again gets a block of runs.
 */
typedef struct process_entry {
  thermos_str name;             /* in the name arena; runs point here */
  uint64_t runs_started;        /* including runs truncate mode dropped */
  size_t n_runs;                /* runs kept */
  GPtrArray *more;              /* runs 1.., RUN_CHUNK to a block; or NULL */
  thermos_process_status first; /* run 0 */
} process_entry;

/* Runs after the first live in fixed blocks rather than one growing array:
 * a long replay keeps every run of a thousand processes, and doubling
 * arrays that grow in turn would copy them again and again and fragment
 * the heap. */
#define RUN_CHUNK 8

static thermos_process_status *run_at(const process_entry *e, size_t i) {
  if (i == 0)
    return (thermos_process_status *)&e->first;
  thermos_process_status *chunk =
      g_ptr_array_index(e->more, (i - 1) / RUN_CHUNK);
  return &chunk[(i - 1) % RUN_CHUNK];
}

/* Appends a run (truncate: replaces the runs) and returns it. */
static thermos_process_status *append_run(process_entry *e, bool truncate) {
  if (truncate)
    e->n_runs = 0;
  size_t i = e->n_runs;
  if (i > 0 && (i - 1) % RUN_CHUNK == 0) {
    if (!e->more)
      e->more = g_ptr_array_new_with_free_func(g_free);
    if ((i - 1) / RUN_CHUNK == e->more->len)
      g_ptr_array_add(e->more, g_new(thermos_process_status, RUN_CHUNK));
  }
  e->n_runs++;
  return run_at(e, i);
}

/*
 * Entries live in blocks that never move (a reader's pointer to a run stays
 * valid while others are added): 4 entries in the first block, twice as
 * many in each next one up to 1024, then 1024 a block, so that a small
 * task costs little and a huge one wastes at most one block.
 */
#define ENTRY_SHIFT_MIN 2  /* the first block: 4 entries */
#define ENTRY_SHIFT_MAX 10 /* the largest: 1024 */
#define ENTRY_DOUBLING_BLOCKS (ENTRY_SHIFT_MAX - ENTRY_SHIFT_MIN + 1)
/* Entries in the doubling blocks: 4 + 8 + ... + 1024. */
#define ENTRY_DOUBLING_TOTAL                                                   \
  (((size_t)2 << ENTRY_SHIFT_MAX) - ((size_t)1 << ENTRY_SHIFT_MIN))

typedef struct entry_blocks {
  process_entry **blocks;
  size_t n_blocks;
  size_t count;    /* entries in use */
  size_t capacity; /* entries in all blocks */
} entry_blocks;

/* Entry `i`, found with a little arithmetic (this is on the per-record
 * path): doubling block b starts at 4 * 2^b - 4. */
static process_entry *entry_at(const entry_blocks *eb, size_t i) {
  const size_t first = (size_t)1 << ENTRY_SHIFT_MIN;
  if (i < ENTRY_DOUBLING_TOTAL) {
    unsigned b = g_bit_storage(i + first) - 1 - ENTRY_SHIFT_MIN;
    size_t start = (first << b) - first;
    return &eb->blocks[b][i - start];
  }
  size_t k = (i - ENTRY_DOUBLING_TOTAL) >> ENTRY_SHIFT_MAX;
  size_t start = ENTRY_DOUBLING_TOTAL + (k << ENTRY_SHIFT_MAX);
  return &eb->blocks[ENTRY_DOUBLING_BLOCKS + k][i - start];
}

/* A new zeroed entry at the end. */
static process_entry *entry_append(entry_blocks *eb) {
  if (eb->count == eb->capacity) {
    size_t size = (size_t)1 << (ENTRY_SHIFT_MIN +
                                MIN(eb->n_blocks, ENTRY_DOUBLING_BLOCKS - 1));
    eb->blocks = g_renew(process_entry *, eb->blocks, eb->n_blocks + 1);
    eb->blocks[eb->n_blocks++] = g_new(process_entry, size);
    eb->capacity += size;
  }
  process_entry *e = entry_at(eb, eb->count++);
  memset(e, 0, sizeof *e);
  return e;
}

/*
 * Process names, copied out of the records into an arena of blocks that
 * never move: a name costs its bytes, not a heap chunk's header and
 * rounding.  A name larger than a block gets a block of its own.
 */
#define NAME_BLOCK_MIN 64
#define NAME_BLOCK_MAX 65536

typedef struct name_arena {
  GPtrArray *blocks;
  char *next;  /* free space in the current block */
  size_t left; /* bytes free there */
  size_t block_size;
} name_arena;

static const char *name_store(name_arena *a, thermos_str name) {
  if (name.len == 0)
    return ""; /* never NULL: readers may hand it to memcmp or printf */
  if (name.len > a->left) {
    if (a->block_size < NAME_BLOCK_MAX)
      a->block_size = a->block_size ? a->block_size * 2 : NAME_BLOCK_MIN;
    size_t size = MAX(a->block_size, name.len);
    char *block = g_malloc(size);
    g_ptr_array_add(a->blocks, block);
    a->next = block;
    a->left = size;
  }
  char *copy = a->next;
  if (name.len)
    memcpy(copy, name.data, name.len);
  a->next += name.len;
  a->left -= name.len;
  return copy;
}

struct thermos_runner_state {
  bool truncate;
  bool recovery;
  bool has_header;
  thermos_runner_header header; /* strings and ports in header_blob */
  char *header_blob;
  bool has_statuses;
  GArray *statuses;       /* thermos_task_status */
  entry_blocks processes; /* in order of first appearance */
  name_arena names;
  size_t max_processes;
  uint32_t *slots;       /* name -> entry index + 1, see index_find */
  uint32_t *slot_hashes; /* beside each slot, its name's hash */
  size_t mask;           /* slots' size - 1 (a power of two) */
};

/*
 * The name -> process index.  Every process record looks a name up, so this
 * is on the per-record path: open addressing with the hash kept beside
 * each slot costs a third of GHashTable's three indirect calls per lookup,
 * and a slot is two 4-byte words (an entry's index, plus one, and the
 * hash), not a pointer and a hash.
 */
static uint32_t name_hash(const char *data, size_t len) {
  /* Eight bytes a step; names carry no terminator. */
  uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, data + i, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  for (size_t k = 0; i + k < len; k++) /* a byte loop: no call for <8 */
    tail |= (uint64_t)(unsigned char)data[i + k] << (8 * k);
  h = (h ^ tail) * 0xC4CEB9FE1A85EC53ull;
  return (uint32_t)(h ^ (h >> 29));
}

/* The index of the process named `name`, or SIZE_MAX. */
static size_t index_lookup(const thermos_runner_state *st, thermos_str name) {
  if (!st->slots)
    return SIZE_MAX;
  uint32_t h = name_hash(name.data, name.len);
  for (size_t i = h & st->mask;; i = (i + 1) & st->mask) {
    uint32_t slot = st->slots[i];
    if (!slot)
      return SIZE_MAX;
    if (st->slot_hashes[i] != h)
      continue;
    const process_entry *e = entry_at(&st->processes, slot - 1);
    /* (An empty name may have NULL data: memcmp must not see it.) */
    if (e->name.len == name.len &&
        (name.len == 0 || memcmp(e->name.data, name.data, name.len) == 0))
      return slot - 1;
  }
}

static process_entry *index_find(const thermos_runner_state *st,
                                 thermos_str name) {
  size_t i = index_lookup(st, name);
  return i == SIZE_MAX ? NULL : entry_at(&st->processes, i);
}

static void index_put(uint32_t *slots, uint32_t *hashes, size_t mask,
                      uint32_t h, uint32_t slot) {
  size_t i = h & mask;
  while (slots[i])
    i = (i + 1) & mask;
  slots[i] = slot;
  hashes[i] = h;
}

/* Adds entry `index` (the last), keeping the load at most one half. */
static void index_add(thermos_runner_state *st, size_t index,
                      const process_entry *e) {
  size_t n = st->processes.count; /* e included */
  if (!st->slots || 2 * n > st->mask + 1) {
    size_t cap = st->slots ? 2 * (st->mask + 1) : 16;
    uint32_t *slots = g_new0(uint32_t, cap);
    uint32_t *hashes = g_new(uint32_t, cap);
    for (size_t i = 0; st->slots && i <= st->mask; i++)
      if (st->slots[i])
        index_put(slots, hashes, cap - 1, st->slot_hashes[i], st->slots[i]);
    g_free(st->slots);
    g_free(st->slot_hashes);
    st->slots = slots;
    st->slot_hashes = hashes;
    st->mask = cap - 1;
  }
  index_put(st->slots, st->slot_hashes, st->mask,
            name_hash(e->name.data, e->name.len), (uint32_t)(index + 1));
}

thermos_runner_state *td_runner_state_new(bool truncate, bool recovery) {
  thermos_runner_state *st = g_new0(thermos_runner_state, 1);
  st->truncate = truncate;
  st->recovery = recovery;
  st->statuses = g_array_new(FALSE, FALSE, sizeof(thermos_task_status));
  st->names.blocks = g_ptr_array_new_with_free_func(g_free);
  st->max_processes = TD_MAX_PROCESSES_LIMIT;
  return st;
}

void td_runner_state_set_max_processes(thermos_runner_state *st, size_t max) {
  st->max_processes = MIN(max, (size_t)TD_MAX_PROCESSES_LIMIT);
}

void td_runner_state_free(thermos_runner_state *st) {
  if (!st)
    return;
  g_free(st->slots);
  g_free(st->slot_hashes);
  for (size_t i = 0; i < st->processes.count; i++) {
    process_entry *e = entry_at(&st->processes, i);
    if (e->more)
      g_ptr_array_free(e->more, TRUE);
  }
  for (size_t b = 0; b < st->processes.n_blocks; b++)
    g_free(st->processes.blocks[b]);
  g_free(st->processes.blocks);
  g_ptr_array_free(st->names.blocks, TRUE);
  g_array_free(st->statuses, TRUE);
  g_free(st->header_blob);
  g_free(st);
}

static int failf(char *reason, size_t reason_len, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
static int failf(char *reason, size_t reason_len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, reason_len, fmt, ap);
  va_end(ap);
  return -1;
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

static bool is_terminal(int32_t state) {
  return state == THERMOS_PROCESS_SUCCESS || state == THERMOS_PROCESS_FAILED ||
         state == THERMOS_PROCESS_KILLED || state == THERMOS_PROCESS_LOST;
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
                      td_transition *out, char *reason, size_t reason_len) {
  if (!(u->present & THERMOS_TS_STATE))
    return failf(reason, reason_len, "missing field state");
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
 * `reason` filled in. */
static uint32_t check_transition(bool new_run, int32_t from,
                                 const thermos_process_status *u, char *reason,
                                 size_t reason_len) {
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
    failf(reason, reason_len, "unknown process state %" PRId32, u->state);
    return 0;
  }
  if (!allowed) {
    char old[32], new[32];
    state_label(old, sizeof old, from);
    state_label(new, sizeof new, u->state);
    failf(reason, reason_len, "invalid transition %s => %s", old, new);
    return 0;
  }
  for (const field_rule *r = copies; r->bit; r++) {
    if (!(u->present & r->bit)) {
      failf(reason, reason_len, "missing field %s", r->name);
      return 0;
    }
    bits |= r->bit;
  }
  return bits;
}

static process_entry *add_process(thermos_runner_state *st, thermos_str name) {
  process_entry *e = entry_append(&st->processes);
  e->name.data = name_store(&st->names, name);
  e->name.len = name.len;
  index_add(st, st->processes.count - 1, e);
  return e;
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
                         char *reason, size_t reason_len) {
  if (!(u->present & THERMOS_PS_PROCESS))
    return failf(reason, reason_len, "missing field process");
  process_entry *e = index_find(st, u->process);
  thermos_process_status *cur =
      e && e->n_runs ? run_at(e, e->n_runs - 1) : NULL;

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
    return failf(reason, reason_len,
                 "out of order sequence number %" PRId64 " => %s", cur->seq,
                 new);
  }

  bool new_run = false;
  if ((u->present & THERMOS_PS_STATE) && u->state == THERMOS_PROCESS_WAITING) {
    if (cur && !is_terminal(cur->state)) {
      char *name = printable(u->process);
      char label[32];
      state_label(label, sizeof label, cur->state);
      failf(reason, reason_len, "new run of %s while its last run is %s", name,
            label);
      g_free(name);
      return -1;
    }
    new_run = true;
  }
  if (!cur && !new_run) {
    char *name = printable(u->process);
    failf(reason, reason_len, "update for unknown process %s", name);
    g_free(name);
    return -1;
  }
  if (!(u->present & THERMOS_PS_SEQ))
    return failf(reason, reason_len, "missing field seq");
  if (!(u->present & THERMOS_PS_STATE))
    return failf(reason, reason_len, "missing field state");
  uint32_t bits =
      check_transition(new_run, cur ? cur->state : -1, u, reason, reason_len);
  if (!bits)
    return -1;

  if (!e && st->processes.count >= st->max_processes)
    return failf(reason, reason_len, "more than %zu processes",
                 st->max_processes);

  /* Valid: now change the state. */
  if (new_run) {
    thermos_process_status blank = {0};
    blank.present = THERMOS_PS_SEQ;
    blank.seq = cur ? cur->seq : -1;
    if (!e)
      e = add_process(st, u->process);
    cur = append_run(e, st->truncate);
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
                          td_transition *out, char *reason, size_t reason_len) {
  memset(out, 0, sizeof *out);
  /* One case per record, in this order: a union with several members is
   * handled as its first (the header wins). */
  if (rec->has_header) {
    if (st->has_header)
      return failf(reason, reason_len, "second runner header");
    store_header(st, &rec->header);
    out->kind = TD_TRANSITION_INITIALIZATION;
    out->header = &rec->header;
    return 0;
  }
  if (rec->has_task)
    return apply_task(st, &rec->task, out, reason, reason_len);
  if (rec->has_process)
    return apply_process(st, &rec->process, out, reason, reason_len);
  return failf(reason, reason_len, "empty RunnerCkpt");
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
  return st->processes.count;
}

thermos_str td_runner_state_process_name(const thermos_runner_state *st,
                                         size_t i) {
  thermos_str none = {NULL, 0};
  if (i >= st->processes.count)
    return none;
  return entry_at(&st->processes, i)->name;
}

size_t td_runner_state_run_count_at(const thermos_runner_state *st, size_t i) {
  if (i >= st->processes.count)
    return 0;
  return entry_at(&st->processes, i)->n_runs;
}

const thermos_process_status *
td_runner_state_run_at(const thermos_runner_state *st, size_t i, size_t run) {
  if (i >= st->processes.count)
    return NULL;
  const process_entry *e = entry_at(&st->processes, i);
  if (run >= e->n_runs)
    return NULL;
  return run_at(e, run);
}

uint64_t td_runner_state_runs_started_at(const thermos_runner_state *st,
                                         size_t i) {
  if (i >= st->processes.count)
    return 0;
  return entry_at(&st->processes, i)->runs_started;
}

size_t td_runner_state_find_process(const thermos_runner_state *st,
                                    thermos_str name) {
  return index_lookup(st, name);
}
