/* inotify, as the followers use it: the one read loop that drains a
 * descriptor's events, and the watch `tail` keeps on its file. */
#ifndef TD_INOTIFY_H
#define TD_INOTIFY_H

#include <sys/inotify.h>

#include <glib.h>

#include "follower.h"

/** Reads every event queued on the non-blocking inotify descriptor `fd`
 * and calls `fn` for each, in order. */
void td_inotify_drain(int fd,
                      void (*fn)(const struct inotify_event *e, void *user),
                      void *user);

/** A new non-blocking inotify descriptor watching the file at `path` (its
 * changes) and its directory (a file moved in, created or removed there);
 * -1 if inotify is unavailable, when the one-second tick does its work. */
int td_inotify_watch_file(const char *path);

/** Follows `f` through `fd` (from td_inotify_watch_file): each batch of
 * events reads what was appended, and a rename, removal or new file at
 * the path is checked.  Returns the main-loop source. */
guint td_inotify_follow(int fd, td_follower *f);

#endif
