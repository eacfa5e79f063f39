/* /proc/<pid>/stat, /proc/stat's btime, and one walk of /proc per sampling
 * pass (observer_proc.h). */
#include "observer_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A stat line is well under 1 KiB; the command name is at most 64 bytes
 * (TASK_COMM_LEN is 16), so 4 KiB holds any. */
#define STAT_BUF 4096

/* Reads a small file below `dir_fd` into buf (terminated).  -1 on error. */
static ssize_t read_small(int dir_fd, const char *path, char *buf,
                          size_t size) {
  int fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  size_t got = 0;
  while (got < size - 1) {
    ssize_t n = read(fd, buf + got, size - 1 - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      close(fd);
      return -1;
    }
    if (n == 0)
      break;
    got += (size_t)n;
  }
  close(fd);
  buf[got] = '\0';
  return (ssize_t)got;
}

/* Parses an unsigned decimal field; false when there is none. */
static bool field_u64(const char **p, const char *end, uint64_t *out) {
  const char *s = *p;
  while (s < end && *s == ' ')
    s++;
  uint64_t v = 0;
  const char *start = s;
  while (s < end && *s >= '0' && *s <= '9') {
    v = v * 10 + (uint64_t)(*s - '0');
    s++;
  }
  if (s == start)
    return false;
  *p = s;
  *out = v;
  return true;
}

static bool field_i64(const char **p, const char *end, int64_t *out) {
  const char *s = *p;
  while (s < end && *s == ' ')
    s++;
  bool neg = s < end && *s == '-';
  if (neg)
    s++;
  uint64_t v;
  if (!field_u64(&s, end, &v))
    return false;
  *p = s;
  *out = neg ? -(int64_t)v : (int64_t)v;
  return true;
}

bool obs_proc_parse_stat(const char *buf, size_t len, long page_size,
                         obs_proc_stat *out) {
  const char *end = buf + len;
  const char *p = buf;
  int64_t pid;
  if (!field_i64(&p, end, &pid) || pid <= 0 || pid > INT32_MAX)
    return false;
  /* The name is "(...)" and may hold anything but a NUL: its end is the
   * last ')' of the line. */
  const char *close = NULL;
  for (const char *q = end; q > p; q--)
    if (q[-1] == ')') {
      close = q - 1;
      break;
    }
  if (!close || close + 2 >= end || close[1] != ' ')
    return false;
  p = close + 2;
  char state = *p++;
  int64_t v[22]; /* fields 4..25 as numbers; only some are used */
  for (int f = 4; f <= 24; f++) {
    if (!field_i64(&p, end, &v[f - 4])) {
      /* A field that is not a number where a number belongs. */
      return false;
    }
  }
  memset(out, 0, sizeof *out);
  out->pid = (int32_t)pid;
  out->ppid = (int32_t)CLAMP(v[4 - 4], 0, INT32_MAX);
  out->state = state;
  out->utime = (uint64_t)MAX(v[14 - 4], 0);
  out->stime = (uint64_t)MAX(v[15 - 4], 0);
  out->nice = (int32_t)CLAMP(v[19 - 4], -100, 100);
  out->threads = (int32_t)CLAMP(v[20 - 4], 0, INT32_MAX);
  out->starttime = (uint64_t)MAX(v[22 - 4], 0);
  out->vsize = (uint64_t)MAX(v[23 - 4], 0);
  out->rss = (uint64_t)MAX(v[24 - 4], 0) * (uint64_t)MAX(page_size, 0);
  return true;
}

/* Asked each time rather than kept in a static: several threads (tests
 * run more than one sampler) may read stats at once, and both are cheap. */
static long page_size(void) {
  long s = sysconf(_SC_PAGESIZE);
  return s > 0 ? s : 4096;
}

static double clock_ticks(void) {
  long t = sysconf(_SC_CLK_TCK);
  return t > 0 ? (double)t : 100.0;
}

bool obs_proc_read_stat(int proc_fd, int32_t pid, obs_proc_stat *out) {
  char path[32];
  char buf[STAT_BUF];
  g_snprintf(path, sizeof path, "%d/stat", (int)pid);
  ssize_t n = read_small(proc_fd, path, buf, sizeof buf);
  if (n <= 0)
    return false;
  return obs_proc_parse_stat(buf, (size_t)n, page_size(), out) &&
         out->pid == pid;
}

double obs_proc_boot_time(int proc_fd) {
  /* btime comes after the per-CPU lines and the "intr" line, which on a
   * large machine run to tens of kilobytes: read it all (up to a bound). */
  int fd = openat(proc_fd, "stat", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return -1;
  GString *text = g_string_sized_new(16384);
  char chunk[8192];
  ssize_t n;
  while (text->len < 4u << 20) {
    n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    g_string_append_len(text, chunk, n);
  }
  close(fd);
  double boot = -1;
  const char *line = strstr(text->str, "\nbtime ");
  if (line) {
    const char *p = line + 7;
    uint64_t v;
    if (field_u64(&p, text->str + text->len, &v))
      boot = (double)v;
  }
  g_string_free(text, TRUE);
  return boot;
}

double obs_proc_start_time(const obs_proc_stat *st, double boot_time) {
  return boot_time + (double)st->starttime / clock_ticks();
}

const char *obs_proc_status_name(char state) {
  switch (state) {
  case 'R':
    return "running";
  case 'S':
    return "sleeping";
  case 'D':
    return "disk-sleep";
  case 'T':
    return "stopped";
  case 't':
    return "tracing-stop";
  case 'Z':
    return "zombie";
  case 'X':
  case 'x':
    return "dead";
  case 'K':
    return "wake-kill";
  case 'W':
    return "waking";
  case 'I':
    return "idle";
  case 'P':
    return "parked";
  default:
    return "unknown";
  }
}

/* The snapshot: stats sorted by pid, and for each its first child and next
 * sibling as indices (-1: none), so a tree is walked without searching. */
struct obs_proc_table {
  GArray *stats; /* obs_proc_stat, by pid */
  int *first_child;
  int *next_sibling;
  /* Which indices this tree walk has seen: mark[i] == walk; a counter
   * instead of clearing, since a pass walks one tree per tracked process. */
  guint32 *mark;
  guint32 walk;
};

static int by_pid(const void *a, const void *b) {
  const obs_proc_stat *x = a, *y = b;
  return (x->pid > y->pid) - (x->pid < y->pid);
}

static int index_of(const obs_proc_table *t, int32_t pid) {
  size_t lo = 0, hi = t->stats->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int32_t p = g_array_index(t->stats, obs_proc_stat, mid).pid;
    if (p == pid)
      return (int)mid;
    if (p < pid)
      lo = mid + 1;
    else
      hi = mid;
  }
  return -1;
}

obs_proc_table *obs_proc_table_new(int proc_fd) {
  obs_proc_table *t = g_new0(obs_proc_table, 1);
  t->stats = g_array_new(FALSE, FALSE, sizeof(obs_proc_stat));
  int fd = dup(proc_fd);
  DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
  if (!d && fd >= 0)
    close(fd);
  if (d) {
    rewinddir(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      const char *name = e->d_name;
      if (name[0] < '1' || name[0] > '9')
        continue;
      char *endp;
      long pid = strtol(name, &endp, 10);
      if (*endp || pid <= 0 || pid > INT32_MAX)
        continue;
      obs_proc_stat st;
      if (obs_proc_read_stat(proc_fd, (int32_t)pid, &st))
        g_array_append_val(t->stats, st);
    }
    closedir(d);
  }
  g_array_sort(t->stats, by_pid);
  size_t n = t->stats->len;
  t->first_child = g_new(int, n + 1);
  t->next_sibling = g_new(int, n + 1);
  t->mark = g_new0(guint32, n + 1);
  for (size_t i = 0; i < n; i++)
    t->first_child[i] = t->next_sibling[i] = -1;
  /* Backwards, so each list of children comes out in pid order. */
  for (size_t i = n; i-- > 0;) {
    const obs_proc_stat *st = &g_array_index(t->stats, obs_proc_stat, i);
    int parent = st->ppid > 0 ? index_of(t, st->ppid) : -1;
    if (parent < 0 || (size_t)parent == i)
      continue;
    t->next_sibling[i] = t->first_child[parent];
    t->first_child[parent] = (int)i;
  }
  return t;
}

void obs_proc_table_free(obs_proc_table *t) {
  if (!t)
    return;
  g_array_free(t->stats, TRUE);
  g_free(t->first_child);
  g_free(t->next_sibling);
  g_free(t->mark);
  g_free(t);
}

size_t obs_proc_table_size(const obs_proc_table *t) { return t->stats->len; }

const obs_proc_stat *obs_proc_table_get(const obs_proc_table *t, int32_t pid) {
  int i = index_of(t, pid);
  return i < 0 ? NULL : &g_array_index(t->stats, obs_proc_stat, (size_t)i);
}

void obs_proc_table_tree(obs_proc_table *t, int32_t pid, GPtrArray *out) {
  int root = index_of(t, pid);
  if (root < 0)
    return;
  /* The links come from reads at slightly different moments, so a reused
   * pid could in principle close a loop: each index is visited once. */
  if (++t->walk == 0) {
    memset(t->mark, 0, (t->stats->len + 1) * sizeof *t->mark);
    t->walk = 1;
  }
  guint32 *seen = t->mark;
  const guint32 w = t->walk;
  GArray *stack = g_array_new(FALSE, FALSE, sizeof(int));
  g_array_append_val(stack, root);
  seen[root] = w;
  while (stack->len) {
    int i = g_array_index(stack, int, stack->len - 1);
    g_array_set_size(stack, stack->len - 1);
    g_ptr_array_add(out, &g_array_index(t->stats, obs_proc_stat, (size_t)i));
    for (int c = t->first_child[i]; c >= 0; c = t->next_sibling[c]) {
      if (seen[c] == w)
        continue;
      seen[c] = w;
      g_array_append_val(stack, c);
    }
  }
  g_array_free(stack, TRUE);
}
