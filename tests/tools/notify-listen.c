/*
 * notify-listen SOCKET OUT: the service manager's end of sd_notify(3) for
 * the tests: binds a datagram socket at SOCKET and appends every message
 * received to OUT, one line per message, its newlines written as '|'
 * (flushed at once, so a test can wait for a line).  Runs until killed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: notify-listen SOCKET OUT\n");
    return 64;
  }
  struct sockaddr_un sa;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (strlen(argv[1]) >= sizeof sa.sun_path) {
    fprintf(stderr, "notify-listen: %s: path too long\n", argv[1]);
    return 64;
  }
  strcpy(sa.sun_path, argv[1]);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    fprintf(stderr, "notify-listen: %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  FILE *out = fopen(argv[2], "a");
  if (!out) {
    fprintf(stderr, "notify-listen: %s: %s\n", argv[2], strerror(errno));
    return 1;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fprintf(stderr, "notify-listen: recv: %s\n", strerror(errno));
      return 1;
    }
    for (ssize_t i = 0; i < n; i++)
      if (buf[i] == '\n')
        buf[i] = '|';
    buf[n] = '\0';
    fprintf(out, "%s\n", buf);
    fflush(out);
  }
}
