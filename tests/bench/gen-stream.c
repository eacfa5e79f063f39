/* gen-stream: write a large, valid Thermos checkpoint stream for `make bench`.
 *
 * Standalone on purpose: it hand-encodes Thrift's binary protocol instead of
 * using the project's writer, so the benchmark input does not depend on the
 * code under test, and generating a million records takes well under a second.
 *
 * The stream looks like a real runner's (tests/fixtures/aurora): record 0 is
 * a task status ACTIVE, record 1 the header, then process updates interleaved
 * across the processes, each process cycling through legal runs, and last a
 * task status SUCCESS. It has exactly -n records, and every process run is
 * finished (terminal) before the final task status. The same arguments always
 * give the same bytes: the clock and the PRNG are both synthetic. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Thrift binary protocol type bytes. */
enum {
  T_STOP = 0,
  T_DOUBLE = 4,
  T_I32 = 8,
  T_I64 = 10,
  T_STRING = 11,
  T_STRUCT = 12,
  T_MAP = 13,
};

enum proc_state {
  P_WAITING = 0,
  P_FORKED = 1,
  P_RUNNING = 2,
  P_SUCCESS = 3,
  P_KILLED = 4,
  P_FAILED = 5,
  P_LOST = 6,
  /* Not on the wire: a process with no run yet. */
  P_NONE = -1,
};

enum { TASK_ACTIVE = 0, TASK_SUCCESS = 1 };

/* Output buffer size, and the most one record may need: records are flushed
 * whole, so the buffer always has this much room before one is encoded. */
#define OUT_BUF_SIZE (4u << 20)
#define MAX_RECORD 4096u

struct out {
  int fd;
  const char *path;
  unsigned char *buf;
  size_t len;
  size_t record_start; /* offset of the current record's length prefix */
};

struct proc {
  int64_t seq; /* seq of its last record; -1 before the first */
  int state;   /* enum proc_state */
  char name[24];
  uint32_t name_len;
};

static const char *progname = "gen-stream";

static void die(const char *what, const char *why) {
  fprintf(stderr, "%s: %s: %s\n", progname, what, why);
  exit(EXIT_FAILURE);
}

static void usage(void) {
  fprintf(stderr,
          "usage: %s [-n RECORDS] [-p PROCESSES] [-s SEED] OUTPUT\n"
          "  -n RECORDS    records in the stream, at least 3 "
          "(default 1000000)\n"
          "  -p PROCESSES  distinct process names (default 1000)\n"
          "  -s SEED       PRNG seed (default 1)\n"
          "  OUTPUT        file to write, or - for standard output\n",
          progname);
  exit(2);
}

/* ---- PRNG: splitmix64, tiny and good enough to shuffle the interleaving. */

static uint64_t rng_state;

static uint64_t rng_next(void) {
  uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for n far below 2^32. */
static uint32_t rng_below(uint32_t n) {
  return (uint32_t)(((rng_next() >> 32) * n) >> 32);
}

/* ---- Output. */

static void out_flush(struct out *o) {
  size_t done = 0;
  while (done < o->len) {
    ssize_t w = write(o->fd, o->buf + done, o->len - done);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      die(o->path, strerror(errno));
    }
    done += (size_t)w;
  }
  o->len = 0;
}

static void put_u8(struct out *o, unsigned v) {
  o->buf[o->len++] = (unsigned char)v;
}

static void put_be16(struct out *o, uint16_t v) {
  put_u8(o, v >> 8);
  put_u8(o, v & 0xff);
}

static void put_be32(struct out *o, uint32_t v) {
  put_u8(o, v >> 24);
  put_u8(o, (v >> 16) & 0xff);
  put_u8(o, (v >> 8) & 0xff);
  put_u8(o, v & 0xff);
}

static void put_be64(struct out *o, uint64_t v) {
  put_be32(o, (uint32_t)(v >> 32));
  put_be32(o, (uint32_t)v);
}

static void field(struct out *o, unsigned type, int16_t id) {
  put_u8(o, type);
  put_be16(o, (uint16_t)id);
}

static void field_i32(struct out *o, int16_t id, int32_t v) {
  field(o, T_I32, id);
  put_be32(o, (uint32_t)v);
}

static void field_i64(struct out *o, int16_t id, int64_t v) {
  field(o, T_I64, id);
  put_be64(o, (uint64_t)v);
}

static void field_double(struct out *o, int16_t id, double v) {
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits); /* IEEE 754 bits, sent big-endian */
  field(o, T_DOUBLE, id);
  put_be64(o, bits);
}

static void put_string(struct out *o, const char *s, uint32_t len) {
  put_be32(o, len);
  memcpy(o->buf + o->len, s, len);
  o->len += len;
}

static void field_string(struct out *o, int16_t id, const char *s) {
  field(o, T_STRING, id);
  put_string(o, s, (uint32_t)strlen(s));
}

/* Starts a record whose body is the RunnerCkpt union with member `member`
 * (a struct); the length prefix is patched by record_end. */
static void record_begin(struct out *o, int16_t member) {
  if (OUT_BUF_SIZE - o->len < MAX_RECORD)
    out_flush(o);
  o->record_start = o->len;
  o->len += 4;
  field(o, T_STRUCT, member);
}

static void record_end(struct out *o) {
  put_u8(o, T_STOP); /* end of the member struct */
  put_u8(o, T_STOP); /* end of the union */
  size_t body = o->len - o->record_start - 4;
  size_t end = o->len;
  o->len = o->record_start;
  put_be32(o, (uint32_t)body);
  o->len = end;
}

/* ---- Records. */

enum { CKPT_HEADER = 1, CKPT_PROCESS = 2, CKPT_TASK = 3 };

#define RUNNER_PID 4242
#define RUNNER_UID 1000

static void task_status(struct out *o, int32_t state, int64_t now_ms) {
  record_begin(o, CKPT_TASK);
  field_i32(o, 1, state);
  field_i64(o, 2, now_ms);
  field_i32(o, 3, RUNNER_PID);
  field_i32(o, 4, RUNNER_UID);
  record_end(o);
}

static void runner_header(struct out *o, int64_t now_ms, uint64_t seed) {
  char task_id[64];
  snprintf(task_id, sizeof task_id, "bench-%" PRIu64 "-gen-stream-0", seed);

  record_begin(o, CKPT_HEADER);
  /* Fields in id order, as Thrift's Python writer emits them. */
  field_string(o, 1, task_id);
  field_i64(o, 2, now_ms);
  field_string(o, 3, "/var/lib/thermos/sandbox/bench");
  field_string(o, 4, "bench-host");
  field_string(o, 5, "bench");
  field(o, T_MAP, 6);
  put_u8(o, T_STRING);
  put_u8(o, T_I64);
  put_be32(o, 2);
  put_string(o, "http", 4);
  put_be64(o, 31337);
  put_string(o, "health", 6);
  put_be64(o, 31338);
  field_string(o, 7, "/var/lib/thermos/sandbox/bench/.logs");
  field_i32(o, 8, RUNNER_UID);
  record_end(o);
}

static bool is_live(int state) {
  return state == P_WAITING || state == P_FORKED || state == P_RUNNING;
}

/* The most records a live run can still take before it is terminal
 * (WAITING -> FORKED -> RUNNING -> SUCCESS); the fewest is always one. */
static unsigned max_steps_left(int state) {
  switch (state) {
  case P_WAITING:
    return 3;
  case P_FORKED:
    return 2;
  case P_RUNNING:
    return 1;
  default:
    return 0;
  }
}

/* Picks the next state of a process at random, weighted so most runs
 * succeed and every legal transition still shows up. */
static int random_next(int state) {
  uint32_t r = rng_below(32);
  switch (state) {
  case P_WAITING:
    return r < 31 ? P_FORKED : P_FAILED;
  case P_FORKED:
    return r < 30 ? P_RUNNING : r < 31 ? P_KILLED : P_LOST;
  case P_RUNNING:
    return r < 26 ? P_SUCCESS : r < 30 ? P_FAILED : r < 31 ? P_KILLED : P_LOST;
  default:
    return P_WAITING;
  }
}

/* The transitions tried, in order, when the random one does not fit the
 * remaining record budget (see fits()). */
static int alternative(int state, int i) {
  static const int from_waiting[] = {P_FORKED, P_FAILED};
  static const int from_forked[] = {P_RUNNING, P_KILLED};
  switch (state) {
  case P_WAITING:
    return i < 2 ? from_waiting[i] : -1;
  case P_FORKED:
    return i < 2 ? from_forked[i] : -1;
  case P_RUNNING:
    return i < 1 ? P_SUCCESS : -1;
  default:
    return i < 1 ? P_WAITING : -1;
  }
}

/* Budget bookkeeping so the stream has exactly the requested number of
 * process records and ends with every run terminal. With `remaining` records
 * left, `live` live runs and `slack` extra records they could absorb (sum of
 * max_steps_left - 1), the end is reachable iff remaining >= live, and
 * remaining != live + 1 unless slack > 0: a new run takes 2 to 4 records, so
 * any larger surplus can be spent. */
struct budget {
  uint64_t remaining;
  uint64_t live;
  uint64_t slack;
};

static bool reachable(const struct budget *b) {
  if (b->remaining < b->live)
    return false;
  return b->remaining != b->live + 1 || b->slack > 0;
}

static void budget_apply(struct budget *b, int from, int to) {
  b->remaining--;
  if (is_live(from)) {
    b->live--;
    b->slack -= max_steps_left(from) - 1;
  }
  if (is_live(to)) {
    b->live++;
    b->slack += max_steps_left(to) - 1;
  }
}

static bool fits(const struct budget *b, int from, int to) {
  struct budget after = *b;
  budget_apply(&after, from, to);
  return reachable(&after);
}

struct clock {
  int64_t now_ms;
  int32_t next_pid;
};

static void process_update(struct out *o, struct proc *p, int to,
                           struct clock *c) {
  record_begin(o, CKPT_PROCESS);
  field_i64(o, 1, p->seq + 1);
  field(o, T_STRING, 3);
  put_string(o, p->name, p->name_len);
  field_i32(o, 5, to);
  double now = (double)c->now_ms / 1000.0;
  /* Only the fields the transition copies (dispatch-semantics.md), in
   * id order. */
  switch (to) {
  case P_FORKED:
    field_i32(o, 10, c->next_pid++);
    field_double(o, 11, now);
    break;
  case P_RUNNING:
    field_double(o, 6, now);
    field_i32(o, 7, c->next_pid++);
    break;
  case P_SUCCESS:
    field_double(o, 8, now);
    field_i32(o, 9, 0);
    break;
  case P_KILLED:
    field_double(o, 8, now);
    field_i32(o, 9, -15);
    break;
  case P_FAILED:
    if (p->state == P_RUNNING) {
      field_double(o, 8, now);
      field_i32(o, 9, 1);
    }
    break;
  default: /* WAITING, LOST: nothing more */
    break;
  }
  record_end(o);
  p->seq++;
  p->state = to;
  /* Keep pids in a plausible range however long the stream is. */
  if (c->next_pid > 4000000)
    c->next_pid = 5000;
}

/* Emits one process record: a random process and transition when they fit
 * the budget, else the first process (scanning on from the random one) with
 * a transition that does. reachable() guarantees one exists. */
static void step(struct out *o, struct proc *procs, uint32_t nprocs,
                 struct budget *b, struct clock *c) {
  uint32_t start = rng_below(nprocs);
  int want = random_next(procs[start].state);
  for (uint32_t k = 0; k < nprocs; k++) {
    struct proc *p = &procs[(start + k) % nprocs];
    int to = k == 0 ? want : -1;
    for (int i = 0; to < 0 || !fits(b, p->state, to); i++) {
      to = alternative(p->state, i);
      if (to < 0)
        break;
    }
    if (to >= 0) {
      budget_apply(b, p->state, to);
      process_update(o, p, to, c);
      return;
    }
  }
  die("internal error", "no transition fits the record budget");
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t min,
                          uint64_t max) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < min ||
      v > max) {
    char what[32];
    snprintf(what, sizeof what, "option -%s", opt);
    char why[96];
    snprintf(why, sizeof why,
             "'%s' is not a number from %" PRIu64 " to %" PRIu64, s, min, max);
    die(what, why);
  }
  return (uint64_t)v;
}

int main(int argc, char **argv) {
  uint64_t nrecords = 1000000;
  uint64_t nprocs = 1000;
  uint64_t seed = 1;
  int opt;

  while ((opt = getopt(argc, argv, "n:p:s:h")) != -1) {
    switch (opt) {
    case 'n':
      nrecords = parse_u64("n", optarg, 3, UINT64_C(1000000000000));
      break;
    case 'p':
      nprocs = parse_u64("p", optarg, 1, 1000000);
      break;
    case 's':
      seed = parse_u64("s", optarg, 0, UINT64_MAX);
      break;
    default:
      usage();
    }
  }
  if (optind != argc - 1)
    usage();
  /* One process record can only be a WAITING, and the stream is to end
   * with every run finished. */
  if (nrecords == 4)
    die("option -n", "4 records cannot hold a whole process run; use 3 or 5 "
                     "or more");

  struct out o = {.path = argv[optind]};
  if (strcmp(o.path, "-") == 0) {
    o.fd = STDOUT_FILENO;
    o.path = "standard output";
  } else {
    o.fd = open(o.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (o.fd < 0)
      die(o.path, strerror(errno));
  }
  o.buf = malloc(OUT_BUF_SIZE);
  struct proc *procs = calloc(nprocs, sizeof *procs);
  if (o.buf == NULL || procs == NULL)
    die("out of memory", strerror(ENOMEM));
  for (uint64_t i = 0; i < nprocs; i++) {
    procs[i].seq = -1;
    procs[i].state = P_NONE;
    int n = snprintf(procs[i].name, sizeof procs[i].name, "proc_%04" PRIu64, i);
    procs[i].name_len = (uint32_t)n;
  }

  rng_state = seed;
  /* A fixed synthetic clock (2023-11-14T22:13:20Z) keeps output
   * reproducible. */
  struct clock c = {.now_ms = INT64_C(1700000000000), .next_pid = 5000};
  task_status(&o, TASK_ACTIVE, c.now_ms);
  runner_header(&o, c.now_ms, seed);

  struct budget b = {.remaining = nrecords - 3};
  while (b.remaining > 0) {
    c.now_ms += rng_below(20);
    step(&o, procs, (uint32_t)nprocs, &b, &c);
  }
  task_status(&o, TASK_SUCCESS, c.now_ms + 1);

  out_flush(&o);
  if (o.fd != STDOUT_FILENO && close(o.fd) != 0)
    die(o.path, strerror(errno));
  free(o.buf);
  free(procs);
  return EXIT_SUCCESS;
}
