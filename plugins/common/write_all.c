#include "write_all.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

/* Waits until fd is writable: 0, or ETIMEDOUT after TDP_WRITE_STALL_MS, or
 * EINTR when a signal arrived (not retried: that is how a stop request
 * reaches a plugin blocked here), or poll's error. */
static int wait_writable(int fd) {
  struct pollfd pfd = {.fd = fd, .events = POLLOUT};
  int r = poll(&pfd, 1, TDP_WRITE_STALL_MS);
  if (r < 0)
    return errno;
  return r == 0 ? ETIMEDOUT : 0;
}

int tdp_write_all(int fd, const char *p, size_t n, size_t *written) {
  size_t done = 0;
  int err = 0;
  while (done < n) {
    ssize_t w = write(fd, p + done, n - done);
    if (w < 0) {
      /* EAGAIN: a non-blocking descriptor inherited from the parent
       * (stdout); wait for it.  EINTR is returned, not retried: only a
       * stop signal interrupts a write (the host installs SIGHUP with
       * SA_RESTART), and retrying would block again on a reader that never
       * reads. */
      if ((errno == EAGAIN || errno == EWOULDBLOCK) &&
          (err = wait_writable(fd)) == 0)
        continue;
      if (err == 0)
        err = errno;
      break;
    }
    if (w == 0) {
      err = EIO; /* write(2) never returns 0 for n > 0; do not spin */
      break;
    }
    done += (size_t)w;
  }
  if (written)
    *written = done;
  return err;
}
