/* Starting a worker process: the host's own binary again, in its worker
 * mode, with no descriptor but its channel and progress page (and the
 * standard ones), no signal blocked, and as another user if asked. */
#ifndef TD_ISOLATE_SPAWN_H
#define TD_ISOLATE_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

/** Who the worker runs as: looked up once, before any fork. */
typedef struct td_worker_user {
  bool set;
  uid_t uid;
  gid_t gid;
  int ngroups;
  gid_t *groups;
} td_worker_user;

/** Looks `name` up (NULL: the host's own user).  False with `*why` (g_free
 * it) when the user does not exist or the host cannot switch to it. */
bool td_worker_user_lookup(const char *name, td_worker_user *u, char **why);
void td_worker_user_clear(td_worker_user *u);

/** A started worker. */
typedef struct td_worker_proc {
  pid_t pid;
  int channel;  /**< the host's end, non-blocking, close-on-exec */
  int pidfd;    /**< readable once it exited; -1 if the kernel has none */
  int progress; /**< the page's file */
} td_worker_proc;

/** Starts a worker; false with `*why` set (g_free it). */
bool td_worker_spawn(const td_worker_user *u, td_worker_proc *out, char **why);

#endif
