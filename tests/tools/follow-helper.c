/*
 * follow-helper: small tools for the tests of `tail`, `watch` and cursors
 * (tests/test-tail-*.sh, tests/test-watch-*.sh, tests/test-cursor-*.sh).
 *
 *   follow-helper append [-s SEED] [-d MAXPAUSE_MS] [-f] SRC DST FROM [TO]
 *     Appends the bytes [FROM, TO) of SRC (TO: its size) to DST (created
 *     if missing, opened with O_APPEND) the way a runner being watched
 *     might appear to: in writes of random sizes chosen against SRC's
 *     framing (a few bytes, half a length prefix, up to the middle of a
 *     body, to the end of a record, many records at once, any size), each
 *     followed half of the time by a random pause of 0 to MAXPAUSE_MS
 *     milliseconds (default 3).  -f: fsync after every write.  The same
 *     SEED (default 1) gives the same writes.
 *
 *   follow-helper spawn PIDFILE RCFILE COMMAND [ARG]...
 *     Runs COMMAND in a child with the signal dispositions a daemon gets
 *     (SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE default, nothing blocked:
 *     a shell starts its background jobs with SIGINT ignored), writes the
 *     child's pid to PIDFILE, waits for it, then writes its status to
 *     RCFILE: the exit status, or 128 + the signal that ended it, as a
 *     shell says.  Both files appear whole (written aside, then renamed),
 *     so a test polls for RCFILE instead of relying on `kill -0`, which
 *     does not tell a zombie from a live process.
 *
 *   follow-helper truncate FILE SIZE
 *     truncate(2), for a file that shrinks under a reader.
 *
 *   follow-helper offset FILE RECORD
 *     Prints the byte offset of record RECORD (0-based) of the stream FILE,
 *     read from its framing only; RECORD may be the record count (prints
 *     the file's size).
 *
 *   follow-helper now
 *     Prints CLOCK_MONOTONIC in milliseconds.
 *
 *   follow-helper stuck-stdout COMMAND [ARG]...
 *     Execs COMMAND (same pid) with its stdout a non-blocking pipe that
 *     nobody reads: the read end stays open in COMMAND itself, so writes
 *     fill the pipe and then fail with EAGAIN (a reader that is stuck).
 *
 * Exit status: 0, or 1 with a message on stderr (2: usage).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *progname = "follow-helper";

static void die(const char *what, const char *why) {
  fprintf(stderr, "%s: %s: %s\n", progname, what, why);
  exit(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: %s append [-s SEED] [-d MAXPAUSE_MS] [-f] SRC DST FROM "
          "[TO]\n"
          "       %s spawn PIDFILE RCFILE COMMAND [ARG]...\n"
          "       %s truncate FILE SIZE\n"
          "       %s offset FILE RECORD\n"
          "       %s now\n"
          "       %s stuck-stdout COMMAND [ARG]...\n",
          progname, progname, progname, progname, progname, progname);
  exit(2);
}

static uint64_t parse_u64(const char *s, const char *what) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || end == s || *end || s[0] == '-')
    die(what, "not a number");
  return (uint64_t)v;
}

/* --- reading a whole file ------------------------------------------------- */

static unsigned char *read_all(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    die(path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0)
    die(path, strerror(errno));
  size_t cap = st.st_size > 0 ? (size_t)st.st_size : 1;
  unsigned char *buf = malloc(cap);
  if (!buf)
    die(path, "out of memory");
  size_t n = 0;
  for (;;) {
    if (n == cap) {
      cap *= 2;
      unsigned char *nb = realloc(buf, cap);
      if (!nb)
        die(path, "out of memory");
      buf = nb;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) {
      if (errno == EINTR)
        continue;
      die(path, strerror(errno));
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  *len = n;
  return buf;
}

/* The record starts of a stream, from its framing: starts[0] = 0, ...,
 * starts[count] = the end of the last whole record (or of the file, when
 * the last record is torn: then the last "record" ends at the file's end). */
static size_t *record_starts(const unsigned char *buf, size_t len,
                             size_t *count) {
  size_t cap = 64, n = 0;
  size_t *starts = malloc(cap * sizeof *starts);
  if (!starts)
    die("framing", "out of memory");
  size_t pos = 0;
  starts[n++] = 0;
  while (pos < len) {
    size_t next;
    if (len - pos < 4) {
      next = len;
    } else {
      uint32_t body = (uint32_t)buf[pos] << 24 | (uint32_t)buf[pos + 1] << 16 |
                      (uint32_t)buf[pos + 2] << 8 | (uint32_t)buf[pos + 3];
      next = len - pos - 4 < body ? len : pos + 4 + body;
    }
    if (n == cap) {
      cap *= 2;
      size_t *ns = realloc(starts, cap * sizeof *starts);
      if (!ns)
        die("framing", "out of memory");
      starts = ns;
    }
    starts[n++] = next;
    pos = next;
  }
  *count = n - 1;
  return starts;
}

/* --- PRNG: splitmix64 ----------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void) {
  uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* In [0, n), n > 0. */
static uint64_t rng_below(uint64_t n) { return rng_next() % n; }

static void sleep_us(uint64_t us) {
  struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static void write_all(int fd, const char *path, const unsigned char *p,
                      size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      die(path, strerror(errno));
    }
    p += w;
    n -= (size_t)w;
  }
}

/* --- append --------------------------------------------------------------- */

/* The index of the record holding byte pos: starts[i] <= pos < starts[i+1]. */
static size_t record_at(const size_t *starts, size_t count, size_t pos) {
  size_t lo = 0, hi = count; /* starts[lo] <= pos < starts[hi] */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (starts[mid] <= pos)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

/* Where the next write ends, from pos (< to). */
static size_t next_cut(const size_t *starts, size_t count, size_t pos,
                       size_t to) {
  size_t i = record_at(starts, count, pos);
  size_t s = starts[i], e = starts[i + 1];
  size_t cut = pos;
  switch (rng_below(8)) {
  case 0: /* a few bytes */
    cut = pos + 1 + (size_t)rng_below(3);
    break;
  case 1: /* half a length prefix */
    cut = s + 2;
    break;
  case 2: /* up to the middle of the body */
    cut = s + 4 + (e > s + 4 ? (e - s - 4) / 2 : 0);
    break;
  case 3: /* to the end of the record */
  case 4:
    cut = e;
    break;
  case 5: { /* many records at once */
    size_t k = i + 2 + (size_t)rng_below(20);
    cut = starts[k < count ? k : count];
    break;
  }
  case 6: /* many records and a part of the next */
  {
    size_t k = i + 1 + (size_t)rng_below(10);
    cut = (k < count ? starts[k] : starts[count]) + (size_t)rng_below(40);
    break;
  }
  default: /* any size */
    cut = pos + 1 + (size_t)rng_below(2048);
    break;
  }
  if (cut <= pos)
    cut = e > pos ? e : pos + 1;
  if (cut > to)
    cut = to;
  return cut;
}

static int cmd_append(int argc, char **argv) {
  uint64_t seed = 1, max_pause_ms = 3;
  int do_fsync = 0;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (strcmp(argv[i], "-f") == 0) {
      do_fsync = 1;
    } else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
      seed = parse_u64(argv[++i], "-s");
    } else if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
      max_pause_ms = parse_u64(argv[++i], "-d");
    } else {
      usage();
    }
  }
  if (argc - i != 3 && argc - i != 4)
    usage();
  const char *src = argv[i], *dst = argv[i + 1];
  size_t len;
  unsigned char *buf = read_all(src, &len);
  size_t from = (size_t)parse_u64(argv[i + 2], "FROM");
  size_t to = argc - i == 4 ? (size_t)parse_u64(argv[i + 3], "TO") : len;
  if (from > to || to > len)
    die(src, "FROM and TO must be within the file, FROM <= TO");
  size_t count;
  size_t *starts = record_starts(buf, len, &count);
  rng_state = seed;
  int fd = open(dst, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    die(dst, strerror(errno));
  size_t pos = from;
  while (pos < to) {
    size_t cut = count ? next_cut(starts, count, pos, to) : to;
    write_all(fd, dst, buf + pos, cut - pos);
    if (do_fsync && fsync(fd) != 0)
      die(dst, strerror(errno));
    pos = cut;
    if (pos < to && max_pause_ms && rng_below(2))
      sleep_us(rng_below(max_pause_ms * 1000 + 1));
  }
  if (close(fd) != 0)
    die(dst, strerror(errno));
  free(starts);
  free(buf);
  return 0;
}

/* --- spawn ---------------------------------------------------------------- */

/* Writes TEXT to PATH whole: into PATH.tmp, then renamed. */
static void write_whole(const char *path, const char *text) {
  size_t n = strlen(path) + 5;
  char *tmp = malloc(n);
  if (!tmp)
    die(path, "out of memory");
  snprintf(tmp, n, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    die(tmp, strerror(errno));
  write_all(fd, tmp, (const unsigned char *)text, strlen(text));
  if (close(fd) != 0)
    die(tmp, strerror(errno));
  if (rename(tmp, path) != 0)
    die(path, strerror(errno));
  free(tmp);
}

static int cmd_spawn(int argc, char **argv) {
  if (argc < 4)
    usage();
  const char *pidfile = argv[1], *rcfile = argv[2];
  /* Nothing reaches this process but its child's end. */
  pid_t pid = fork();
  if (pid < 0)
    die("fork", strerror(errno));
  if (pid == 0) {
    static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE};
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
      signal(sigs[k], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(argv[3], argv + 3);
    fprintf(stderr, "%s: %s: %s\n", progname, argv[3], strerror(errno));
    _exit(127);
  }
  char text[64];
  snprintf(text, sizeof text, "%ld\n", (long)pid);
  write_whole(pidfile, text);
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      die("waitpid", strerror(errno));
  }
  int rc = WIFEXITED(status)     ? WEXITSTATUS(status)
           : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                 : 255;
  snprintf(text, sizeof text, "%d\n", rc);
  write_whole(rcfile, text);
  return 0;
}

/* --- truncate, offset ----------------------------------------------------- */

static int cmd_truncate(int argc, char **argv) {
  if (argc != 3)
    usage();
  uint64_t size = parse_u64(argv[2], "SIZE");
  if (truncate(argv[1], (off_t)size) != 0)
    die(argv[1], strerror(errno));
  return 0;
}

static int cmd_offset(int argc, char **argv) {
  if (argc != 3)
    usage();
  size_t len, count;
  unsigned char *buf = read_all(argv[1], &len);
  size_t *starts = record_starts(buf, len, &count);
  uint64_t rec = parse_u64(argv[2], "RECORD");
  if (rec > count)
    die(argv[1], "no such record");
  printf("%zu\n", starts[rec]);
  free(starts);
  free(buf);
  return 0;
}

static int cmd_now(int argc, char **argv) {
  (void)argv;
  if (argc != 1)
    usage();
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
    die("clock_gettime", strerror(errno));
  printf("%lld\n", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
  return 0;
}

static int cmd_stuck_stdout(int argc, char **argv) {
  if (argc < 2)
    usage();
  int p[2];
  if (pipe(p) != 0)
    die("pipe", strerror(errno));
  int fl = fcntl(p[1], F_GETFL);
  if (fl < 0 || fcntl(p[1], F_SETFL, fl | O_NONBLOCK) != 0 ||
      dup2(p[1], STDOUT_FILENO) < 0)
    die("stdout", strerror(errno));
  close(p[1]);
  execvp(argv[1], argv + 1);
  die(argv[1], strerror(errno));
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 2)
    usage();
  const char *cmd = argv[1];
  if (strcmp(cmd, "append") == 0)
    return cmd_append(argc - 1, argv + 1);
  if (strcmp(cmd, "spawn") == 0)
    return cmd_spawn(argc - 1, argv + 1);
  if (strcmp(cmd, "truncate") == 0)
    return cmd_truncate(argc - 1, argv + 1);
  if (strcmp(cmd, "offset") == 0)
    return cmd_offset(argc - 1, argv + 1);
  if (strcmp(cmd, "now") == 0)
    return cmd_now(argc - 1, argv + 1);
  if (strcmp(cmd, "stuck-stdout") == 0)
    return cmd_stuck_stdout(argc - 1, argv + 1);
  usage();
  return 2;
}
