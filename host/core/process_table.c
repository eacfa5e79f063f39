/*
 * The process table of a stream's state.  A process costs about 150 bytes
 * plus its name (a stream may name a million): its first run lives in its
 * entry, entries in blocks that never move, names in a shared arena, and
 * the index holds 8-byte slots.  Only a process that runs again gets a
 * block of runs.
 */
#include "process_table.h"

#include <string.h>

/* Runs after the first live in fixed blocks rather than one growing array:
 * a long replay keeps every run of a thousand processes, and doubling
 * arrays that grow in turn would copy them again and again and fragment
 * the heap. */
#define RUN_CHUNK 8

thermos_process_status *td_process_run(const td_process *e, size_t i) {
  if (i == 0)
    return (thermos_process_status *)&e->first;
  thermos_process_status *chunk =
      g_ptr_array_index(e->more, (i - 1) / RUN_CHUNK);
  return &chunk[(i - 1) % RUN_CHUNK];
}

/* Appends a run (truncate: replaces the runs) and returns it. */
thermos_process_status *td_process_append_run(td_process *e, bool truncate) {
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
  return td_process_run(e, i);
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

/* Entry `i`, found with a little arithmetic (this is on the per-record
 * path): doubling block b starts at 4 * 2^b - 4. */
static td_process *entry_at(const td_process_blocks *eb, size_t i) {
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
static td_process *entry_append(td_process_blocks *eb) {
  if (eb->count == eb->capacity) {
    size_t size = (size_t)1 << (ENTRY_SHIFT_MIN +
                                MIN(eb->n_blocks, ENTRY_DOUBLING_BLOCKS - 1));
    eb->blocks = g_renew(td_process *, eb->blocks, eb->n_blocks + 1);
    eb->blocks[eb->n_blocks++] = g_new(td_process, size);
    eb->capacity += size;
  }
  td_process *e = entry_at(eb, eb->count++);
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

static const char *name_store(td_name_arena *a, thermos_str name) {
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

size_t td_process_table_find(const td_process_table *pt, thermos_str name) {
  if (!pt->slots)
    return SIZE_MAX;
  uint32_t h = name_hash(name.data, name.len);
  for (size_t i = h & pt->mask;; i = (i + 1) & pt->mask) {
    uint32_t slot = pt->slots[i];
    if (!slot)
      return SIZE_MAX;
    if (pt->slot_hashes[i] != h)
      continue;
    const td_process *e = entry_at(&pt->entries, slot - 1);
    /* (An empty name may have NULL data: memcmp must not see it.) */
    if (e->name.len == name.len &&
        (name.len == 0 || memcmp(e->name.data, name.data, name.len) == 0))
      return slot - 1;
  }
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
static void index_add(td_process_table *pt, size_t index, const td_process *e) {
  size_t n = pt->entries.count; /* e included */
  if (!pt->slots || 2 * n > pt->mask + 1) {
    size_t cap = pt->slots ? 2 * (pt->mask + 1) : 16;
    uint32_t *slots = g_new0(uint32_t, cap);
    uint32_t *hashes = g_new(uint32_t, cap);
    for (size_t i = 0; pt->slots && i <= pt->mask; i++)
      if (pt->slots[i])
        index_put(slots, hashes, cap - 1, pt->slot_hashes[i], pt->slots[i]);
    g_free(pt->slots);
    g_free(pt->slot_hashes);
    pt->slots = slots;
    pt->slot_hashes = hashes;
    pt->mask = cap - 1;
  }
  index_put(pt->slots, pt->slot_hashes, pt->mask,
            name_hash(e->name.data, e->name.len), (uint32_t)(index + 1));
}

void td_process_table_init(td_process_table *pt) {
  memset(pt, 0, sizeof *pt);
  pt->names.blocks = g_ptr_array_new_with_free_func(g_free);
}

void td_process_table_clear(td_process_table *pt) {
  g_free(pt->slots);
  g_free(pt->slot_hashes);
  for (size_t i = 0; i < pt->entries.count; i++) {
    td_process *e = entry_at(&pt->entries, i);
    if (e->more)
      g_ptr_array_free(e->more, TRUE);
  }
  for (size_t b = 0; b < pt->entries.n_blocks; b++)
    g_free(pt->entries.blocks[b]);
  g_free(pt->entries.blocks);
  g_ptr_array_free(pt->names.blocks, TRUE);
  memset(pt, 0, sizeof *pt);
}

td_process *td_process_table_at(const td_process_table *pt, size_t i) {
  return entry_at(&pt->entries, i);
}

td_process *td_process_table_add(td_process_table *pt, thermos_str name) {
  td_process *e = entry_append(&pt->entries);
  e->name.data = name_store(&pt->names, name);
  e->name.len = name.len;
  index_add(pt, pt->entries.count - 1, e);
  return e;
}
