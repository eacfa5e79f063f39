#include "inotify.h"

#include <unistd.h>

#include "event_loop.h"

void td_inotify_drain(int fd,
                      void (*fn)(const struct inotify_event *e, void *user),
                      void *user) {
  /* Big enough for a burst of events with names; aligned as the kernel
   * writes them. */
  char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (char *p = buf; p < buf + n;) {
      const struct inotify_event *e = (const struct inotify_event *)p;
      fn(e, user);
      p += sizeof *e + e->len;
    }
  }
}

int td_inotify_watch_file(const char *path) {
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0)
    return -1;
  inotify_add_watch(fd, path,
                    IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF);
  char *dir = g_path_get_dirname(path);
  inotify_add_watch(fd, dir, IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ONLYDIR);
  g_free(dir);
  return fd;
}

/* Whether any event of a batch may mean another file at the path. */
static void note_path_change(const struct inotify_event *e, void *user) {
  bool *moved = user;
  if (e->mask & (IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF | IN_MOVED_TO |
                 IN_CREATE | IN_DELETE))
    *moved = true;
}

static gboolean on_file_events(gint fd, GIOCondition cond, gpointer user) {
  (void)cond;
  td_follower *f = user;
  bool moved = false;
  td_inotify_drain(fd, note_path_change, &moved);
  td_follower_poll(f);
  if (moved)
    td_follower_check_path(f);
  return G_SOURCE_CONTINUE;
}

guint td_inotify_follow(int fd, td_follower *f) {
  return td_add_fd_watch(fd, on_file_events, f);
}
