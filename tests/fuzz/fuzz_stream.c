/* Fuzz target: a whole checkpoint stream through framing, decoder and the
 * state machine, as `state` reads it, in normal, truncate and recovery
 * modes.  The input goes to a memfd so the framing reads it with read(2),
 * as it reads a file. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/decoder.h"
#include "core/framing.h"
#include "fuzz.h"
#include "core/runner_state.h"

/* The record size limit (`max_record_size`) of the runs: the format's own
 * 64 MiB, the default.  The framing's buffer grows with the bytes that
 * arrive, so a mutated length prefix costs no more than the input's size;
 * a prefix over 64 MiB (first byte above 4) reaches the limit's path. */
#define FUZZ_MAX_RECORD_SIZE TD_MAX_RECORD_SIZE_LIMIT

/* One memfd for the whole run (creating one per input costs more than the
 * target), refilled with each input: the descriptor, positioned at the
 * start of `size` bytes of `data`, or -1. */
static int input_fd(const uint8_t *data, size_t size) {
  static int fd = -1;
  if (fd < 0)
    fd = memfd_create("fuzz-stream", MFD_CLOEXEC);
  if (fd < 0 || ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
    return -1;
  size_t off = 0;
  while (off < size) {
    ssize_t n = write(fd, data + off, size - off);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return -1;
    off += (size_t)n;
  }
  return fd;
}

/* Reads the state back the way `state` prints it, touching every run. */
static void walk_state(const thermos_runner_state *st) {
  volatile size_t sink = 0;
  const thermos_runner_header *h = td_runner_state_header(st);
  if (h)
    sink += h->n_ports;
  sink += td_runner_state_has_statuses(st);
  size_t nt = td_runner_state_task_status_count(st);
  for (size_t i = 0; i < nt; i++)
    sink += (size_t)td_runner_state_task_status(st, i)->state;
  size_t np = td_runner_state_process_count(st);
  for (size_t i = 0; i < np; i++) {
    thermos_str name = td_runner_state_process_name(st, i);
    if (td_runner_state_find_process(st, name) != i)
      __builtin_trap(); /* names are unique: the first match is `i` */
    size_t nr = td_runner_state_run_count_at(st, i);
    if (nr > td_runner_state_runs_started_at(st, i))
      __builtin_trap();
    for (size_t r = 0; r < nr; r++)
      sink += (size_t)td_runner_state_run_at(st, i, r)->state;
  }
  (void)sink;
}

static void run(int fd, bool truncate, bool recovery) {
  td_framing *fr = td_framing_new(fd, FUZZ_MAX_RECORD_SIZE);
  td_decoder dec;
  td_decoder_init(&dec);
  thermos_runner_state *st = td_runner_state_new(truncate, recovery);
  td_err err;
  uint64_t expect = 0;
  for (;;) {
    td_record rec;
    td_frame_status s = td_framing_next(fr, &rec, &err);
    if (s == TD_FRAME_INTERRUPTED)
      continue;
    if (s != TD_FRAME_OK)
      break;
    if (rec.index != expect++)
      __builtin_trap();
    td_ckpt ck;
    if (td_decode_ckpt(&dec, rec.body, rec.len, &ck, &err))
      continue; /* the state machine never sees an undecodable record */
    td_transition tr;
    /* On an error the state is unchanged: go on, to reach more states. */
    (void)td_runner_state_apply(st, &ck, &tr, &err);
  }
  walk_state(st);
  td_runner_state_free(st);
  td_decoder_clear(&dec);
  td_framing_free(fr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = input_fd(data, size);
  if (fd < 0)
    abort();
  static const bool modes[3][2] = {
      {false, false}, {true, false}, {false, true}};
  for (int m = 0; m < 3; m++) {
    if (lseek(fd, 0, SEEK_SET) != 0)
      abort();
    run(fd, modes[m][0], modes[m][1]);
  }
  return 0;
}
