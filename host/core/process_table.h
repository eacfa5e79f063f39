/* The processes of one stream's reconstructed state: each process's name
 * and runs, in the order they first appeared, and the index from name to
 * process.  The state machine (runner_state.c) decides what goes in; this
 * keeps it small, since a hostile stream may name a million processes. */
#ifndef TD_PROCESS_TABLE_H
#define TD_PROCESS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <thermos/handler.h>

/*
 * A process costs about 150 bytes plus its name (a stream may name a
 * million): its first run lives in the entry itself, the entries in blocks
 * that never move, names in a shared arena, and the index holds 8-byte
 * slots.  Only a process that runs again gets a block of runs.
 */
typedef struct td_process {
  thermos_str name;             /* in the name arena; runs point here */
  uint64_t runs_started;        /* including runs truncate mode dropped */
  size_t n_runs;                /* runs kept */
  GPtrArray *more;              /* runs 1.., 8 to a block; or NULL */
  thermos_process_status first; /* run 0 */
} td_process;

/* Entries in blocks that never move (see process_table.c). */
typedef struct td_process_blocks {
  td_process **blocks;
  size_t n_blocks;
  size_t count;    /* entries in use */
  size_t capacity; /* entries in all blocks */
} td_process_blocks;

/* Process names, copied out of the records into blocks that never move. */
typedef struct td_name_arena {
  GPtrArray *blocks;
  char *next;  /* free space in the current block */
  size_t left; /* bytes free there */
  size_t block_size;
} td_name_arena;

/** The table.  Entries never move: a pointer to one, or to one of its
 * runs, stays valid while others are added. */
typedef struct td_process_table {
  td_process_blocks entries; /* in order of first appearance */
  td_name_arena names;
  uint32_t *slots;       /* name -> entry index + 1 (0: empty) */
  uint32_t *slot_hashes; /* beside each slot, its name's hash */
  size_t mask;           /* slots' size - 1 (a power of two) */
} td_process_table;

void td_process_table_init(td_process_table *pt);
void td_process_table_clear(td_process_table *pt);
/** Entry `i` (< pt->entries.count). */
td_process *td_process_table_at(const td_process_table *pt, size_t i);
/** The index of the process named `name`, or SIZE_MAX. */
size_t td_process_table_find(const td_process_table *pt, thermos_str name);
/** A new process named `name` (copied), with no run, at the end. */
td_process *td_process_table_add(td_process_table *pt, thermos_str name);

/** Run `i` (< e->n_runs) of a process. */
thermos_process_status *td_process_run(const td_process *e, size_t i);
/** Appends a run (truncate: replaces the runs) and returns it. */
thermos_process_status *td_process_append_run(td_process *e, bool truncate);

#endif
