/*
 * Opening a file the host will run code from so that no other user can
 * choose which file that is.  Resolving the path first (realpath) and
 * opening it afterwards leaves a window in which a link on the path can
 * be re-pointed; so the path is resolved here one component at a time,
 * each lookup made through a descriptor of a directory already checked,
 * each link followed checked as well, and the file is checked through the
 * descriptor that is returned: the caller maps exactly that file.
 */
#include "trusted_open.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the kernel allows (MAXSYMLINKS) before ELOOP. */
#define MAX_LINKS 40

/* A directory reached so far: its descriptor and the length of its
 * resolved name in the walk's `real`. */
typedef struct level {
  int fd;
  size_t len;
} level;

typedef struct walk {
  const char *path; /* as given, for lookup errors */
  GArray *stack;    /* level: "/" first, the current directory last */
  GString *real;    /* the resolved name of the current directory */
  GQueue todo;      /* char *: the components still to look up */
  const char *last; /* the path's own last component, in `todo` */
  bool *absent;     /* set when that component is not there */
  char **why;
} walk;

static bool owner_trusted(const struct stat *sb) {
  return sb->st_uid == 0 || sb->st_uid == geteuid();
}

/* Owned by root or the host's user, and not writable by anyone else.  A
 * sticky directory (/tmp) cannot have others' entries replaced, so its
 * write bits are fine. */
static bool check_trust(const struct stat *sb, const char *name, char **why) {
  if (!owner_trusted(sb)) {
    *why = g_strdup_printf("%s: owned by uid %u, not root or the host's user",
                           name, (unsigned)sb->st_uid);
    return false;
  }
  if ((sb->st_mode & (S_IWGRP | S_IWOTH)) &&
      !(S_ISDIR(sb->st_mode) && (sb->st_mode & S_ISVTX))) {
    *why = g_strdup_printf("%s: writable by group or others", name);
    return false;
  }
  return true;
}

static bool fail_errno(walk *w, int err) {
  *w->why = g_strdup_printf("%s: %s", w->path, g_strerror(err));
  return false;
}

static const char *display(const GString *real) {
  return real->len ? real->str : "/";
}

static bool push_dir(walk *w, int fd) {
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    int err = errno;
    close(fd);
    return fail_errno(w, err);
  }
  level l = {fd, w->real->len};
  g_array_append_val(w->stack, l);
  return check_trust(&sb, display(w->real), w->why);
}

static int top_fd(const walk *w) {
  return g_array_index(w->stack, level, w->stack->len - 1).fd;
}

static void pop_dir(walk *w) {
  level *l = &g_array_index(w->stack, level, w->stack->len - 1);
  close(l->fd);
  g_array_set_size(w->stack, w->stack->len - 1);
  l = &g_array_index(w->stack, level, w->stack->len - 1);
  g_string_truncate(w->real, l->len);
}

/* Queues the components of `path` ahead of those still to look up. */
static void queue_front(walk *w, const char *path) {
  gchar **parts = g_strsplit(path, "/", -1);
  guint n = g_strv_length(parts);
  for (guint i = n; i-- > 0;) {
    if (*parts[i])
      g_queue_push_head(&w->todo, parts[i]);
    else
      g_free(parts[i]);
  }
  g_free(parts);
}

/* A link is an entry of a checked directory, but its owner may re-point
 * it (even in a sticky one): it must be trusted as well. */
static bool follow_link(walk *w, const char *comp, const struct stat *sb,
                        int *links) {
  char *name = g_strdup_printf("%s/%s", w->real->str, comp);
  bool ok = owner_trusted(sb);
  if (!ok)
    *w->why = g_strdup_printf("%s: link owned by uid %u, not root or the "
                              "host's user",
                              name, (unsigned)sb->st_uid);
  g_free(name);
  if (!ok)
    return false;
  if (++*links > MAX_LINKS)
    return fail_errno(w, ELOOP);
  char target[PATH_MAX];
  ssize_t n = readlinkat(top_fd(w), comp, target, sizeof target - 1);
  if (n < 0)
    return fail_errno(w, errno);
  target[n] = '\0';
  if (target[0] == '/')
    while (w->stack->len > 1)
      pop_dir(w);
  queue_front(w, target);
  return true;
}

/* The last component: opened (never followed: a link was resolved above),
 * then checked through the descriptor. */
static int open_file(walk *w, const char *comp) {
  /* O_NONBLOCK: a FIFO planted there must not block the open. */
  int fd = openat(top_fd(w), comp,
                  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    fail_errno(w, errno);
    return -1;
  }
  g_string_append_printf(w->real, "/%s", comp);
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    fail_errno(w, errno);
  } else if (!S_ISREG(sb.st_mode)) {
    *w->why = g_strdup_printf("%s: not a regular file", w->path);
  } else if (check_trust(&sb, w->real->str, w->why)) {
    return fd;
  }
  close(fd);
  return -1;
}

/* One step: looks `comp` up in the current directory.  Returns false on a
 * refusal; sets *fd when the file is open. */
static bool step(walk *w, const char *comp, int *links, int *fd) {
  if (strcmp(comp, ".") == 0)
    return true;
  if (strcmp(comp, "..") == 0) {
    if (w->stack->len > 1)
      pop_dir(w);
    return true;
  }
  struct stat sb;
  if (fstatat(top_fd(w), comp, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
    /* Only the file named by the path itself, missing from a directory
     * that passed: not a missing directory, nor a dangling link. */
    if (errno == ENOENT && comp == w->last && w->absent)
      *w->absent = true;
    return fail_errno(w, errno);
  }
  if (S_ISLNK(sb.st_mode))
    return follow_link(w, comp, &sb, links);
  if (g_queue_is_empty(&w->todo)) {
    *fd = open_file(w, comp);
    return *fd >= 0;
  }
  int dfd =
      openat(top_fd(w), comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return fail_errno(w, errno);
  g_string_append_printf(w->real, "/%s", comp);
  return push_dir(w, dfd);
}

int td_open_trusted(const char *path, char **why) {
  return td_open_trusted_ex(path, NULL, why);
}

int td_open_trusted_ex(const char *path, bool *absent, char **why) {
  if (absent)
    *absent = false;
  if (!g_path_is_absolute(path)) {
    *why = g_strdup_printf("%s: not an absolute path", path);
    return -1;
  }
  walk w = {.path = path, .absent = absent, .why = why};
  w.stack = g_array_new(FALSE, FALSE, sizeof(level));
  w.real = g_string_new(NULL);
  g_queue_init(&w.todo);
  queue_front(&w, path);
  w.last = g_queue_peek_tail(&w.todo);
  int fd = -1;
  int links = 0;
  int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  bool ok = root >= 0 ? push_dir(&w, root) : fail_errno(&w, errno);
  if (ok && g_queue_is_empty(&w.todo))
    ok = fail_errno(&w, EISDIR);
  while (ok && fd < 0) {
    char *comp = g_queue_pop_head(&w.todo);
    if (!comp) {
      /* The path ended on a directory ("x/.." or a link to one). */
      ok = fail_errno(&w, EISDIR);
      break;
    }
    ok = step(&w, comp, &links, &fd);
    g_free(comp);
  }
  g_queue_clear_full(&w.todo, g_free);
  while (w.stack->len > 0) {
    close(g_array_index(w.stack, level, w.stack->len - 1).fd);
    g_array_set_size(w.stack, w.stack->len - 1);
  }
  g_array_free(w.stack, TRUE);
  g_string_free(w.real, TRUE);
  return fd;
}
