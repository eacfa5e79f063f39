#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>

#include "protocol.h"

bool td_worker_user_lookup(const char *name, td_worker_user *u, char **why) {
  memset(u, 0, sizeof *u);
  if (!name)
    return true;
  struct passwd *pw = getpwnam(name);
  if (!pw) {
    *why = g_strdup_printf("no such user '%s'", name);
    return false;
  }
  if (geteuid() != 0 && pw->pw_uid != geteuid()) {
    *why = g_strdup_printf("the host does not run as root: it cannot start "
                           "a worker as '%s'",
                           name);
    return false;
  }
  u->set = true;
  u->uid = pw->pw_uid;
  u->gid = pw->pw_gid;
  /* The user's groups, found here: the child of a fork may only make
   * async-signal-safe calls. */
  int n = 32;
  u->groups = g_new(gid_t, (gsize)n);
  if (getgrouplist(name, pw->pw_gid, u->groups, &n) < 0) {
    u->groups = g_renew(gid_t, u->groups, (gsize)n);
    if (getgrouplist(name, pw->pw_gid, u->groups, &n) < 0)
      n = 0;
  }
  u->ngroups = n;
  return true;
}

void td_worker_user_clear(td_worker_user *u) {
  g_free(u->groups);
  memset(u, 0, sizeof *u);
}

/* The host's own binary, opened once: a worker is always the very
 * program of its host, even after a package upgrade replaced the file. */
static int self_exe(void) {
  static int fd = -1;
  if (fd < 0)
    fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  return fd;
}

static int pidfd_of(pid_t pid) {
#ifdef SYS_pidfd_open
  int fd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0)
    fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
#else
  (void)pid;
  return -1;
#endif
}

/* In the child: only async-signal-safe calls, and _exit on failure (the
 * host sees the channel close and says so). */
static void child(int channel, int progress, int exe, const td_worker_user *u) {
  /* Dies with the host: a worker alone has nobody to answer to. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int null = open("/dev/null", O_RDWR);
  /* Move the two descriptors above the ones they are to become, then
   * into place (either could be 3 or 4 now). */
  int c = fcntl(channel, F_DUPFD, 10);
  int p = fcntl(progress, F_DUPFD, 10);
  int e = fcntl(exe, F_DUPFD, 10);
  if (null < 0 || c < 0 || p < 0 || e < 0 || dup2(null, 0) < 0 ||
      dup2(c, TD_WORKER_CHANNEL_FD) < 0 || dup2(p, TD_WORKER_PROGRESS_FD) < 0 ||
      dup2(e, TD_WORKER_PROGRESS_FD + 1) < 0)
    _exit(127);
  e = TD_WORKER_PROGRESS_FD + 1;
  /* Nothing else of the host's: no stream, no socket, no state file. */
  if (close_range((unsigned)e + 1, ~0u, 0) < 0)
    for (int fd = e + 1; fd < 65536; fd++)
      close(fd);
  fcntl(e, F_SETFD, FD_CLOEXEC);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (u->set) {
    if (setgroups((size_t)u->ngroups, u->groups) < 0 || setgid(u->gid) < 0 ||
        setuid(u->uid) < 0)
      _exit(126);
  }
  char *argv[] = {(char *)"thermos-dispatch", (char *)TD_WORKER_COMMAND, NULL};
  extern char **environ;
  fexecve(e, argv, environ);
  _exit(127);
}

bool td_worker_spawn(const td_worker_user *u, td_worker_proc *out, char **why) {
  int exe = self_exe();
  if (exe < 0) {
    *why = g_strdup_printf("/proc/self/exe: %s", g_strerror(errno));
    return false;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
    *why = g_strdup_printf("socketpair: %s", g_strerror(errno));
    return false;
  }
  int page = memfd_create("thermos-dispatch-progress", MFD_CLOEXEC);
  if (page < 0 || ftruncate(page, sizeof(td_progress_page)) < 0) {
    *why = g_strdup_printf("memfd_create: %s", g_strerror(errno));
    if (page >= 0)
      close(page);
    close(sv[0]);
    close(sv[1]);
    return false;
  }
  /* Big buffers: records go in batches of a quarter megabyte. */
  int size = 1 << 20;
  setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  pid_t pid = fork();
  if (pid < 0) {
    *why = g_strdup_printf("fork: %s", g_strerror(errno));
    close(page);
    close(sv[0]);
    close(sv[1]);
    return false;
  }
  if (pid == 0)
    child(sv[1], page, exe, u);
  close(sv[1]);
  fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
  out->pid = pid;
  out->channel = sv[0];
  out->pidfd = pidfd_of(pid);
  out->progress = page;
  return true;
}
