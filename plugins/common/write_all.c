#include "write_all.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

int tdp_write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      /* A non-blocking descriptor inherited from the parent (stdout). */
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        struct pollfd pfd = {.fd = fd, .events = POLLOUT};
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
          return errno;
        continue;
      }
      return errno;
    }
    if (w == 0)
      return EIO; /* write(2) never returns 0 for n > 0; do not spin */
    p += w;
    n -= (size_t)w;
  }
  return 0;
}
