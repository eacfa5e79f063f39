/* A bounded du of one directory (observer_disk.h). */
#include "observer_disk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct walk {
  dev_t dev; /* the top's filesystem: never left */
  size_t max_entries;
  unsigned max_depth;
  const gint *cancel;
  obs_disk_result *res;
} walk;

/* Whether the walk must stop now; sets `truncated` when it must. */
static bool walk_over(walk *w) {
  if (w->res->entries >= w->max_entries ||
      (w->cancel && g_atomic_int_get(w->cancel))) {
    w->res->truncated = true;
    return true;
  }
  return false;
}

/* Sums the directory open as `fd` (taken: closed here), `depth` levels
 * below the top.  Recursion is bounded by max_depth. */
static void walk_dir(walk *w, int fd, unsigned depth) {
  DIR *d = fdopendir(fd);
  if (!d) {
    close(fd);
    return;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    const char *name = e->d_name;
    if (name[0] == '.' &&
        (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
      continue;
    /* Checked with an entry in hand: a walk that looked at everything
     * exactly at the bound is not cut. */
    if (walk_over(w))
      break;
    w->res->entries++;
    struct stat st;
    /* Never follows: a symlink is counted as what it is (nothing). */
    if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue;
    if (S_ISREG(st.st_mode)) {
      w->res->bytes += (uint64_t)st.st_blocks * 512u;
      continue;
    }
    if (!S_ISDIR(st.st_mode) || st.st_dev != w->dev)
      continue;
    if (depth + 1 > w->max_depth) {
      w->res->truncated = true;
      continue;
    }
    int sub =
        openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub < 0)
      continue;
    /* The entry may have been swapped since the fstatat: enter only the
     * very directory that was looked at. */
    struct stat again;
    if (fstat(sub, &again) != 0 || again.st_dev != st.st_dev ||
        again.st_ino != st.st_ino) {
      close(sub);
      continue;
    }
    walk_dir(w, sub, depth + 1);
  }
  closedir(d);
}

bool obs_disk_usage(const char *path, size_t max_entries, unsigned max_depth,
                    const gint *cancel, obs_disk_result *out) {
  memset(out, 0, sizeof *out);
  if (!path || !*path)
    return false;
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return false;
  }
  walk w = {.dev = st.st_dev,
            .max_entries = max_entries,
            .max_depth = max_depth,
            .cancel = cancel,
            .res = out};
  walk_dir(&w, fd, 0);
  return true;
}
