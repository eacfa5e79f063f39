/*
 * http-trickle: slow HTTP clients for the tests of the metrics endpoint
 * (tests/test-metrics-slow-clients.sh).
 *
 *   http-trickle -b BIND -n N -t SECONDS [-i INTERVAL_MS] ADDRESS PORT
 *
 * Keeps N connections from the IPv4 address BIND to ADDRESS:PORT, both
 * loopback addresses (127.0.0.0/8: this is a test tool, not a weapon),
 * each sending a request line at once and then one more header line every
 * INTERVAL_MS (default 500), never ending the header: the way a slow
 * client holds a connection against an idle timeout.  A connection the
 * server closes (or refuses) is opened again at the next interval.  Prints
 * `ready` once the first N connections were tried, and at the end, after
 * SECONDS (at most 60), `cut C` with C the number of connections the
 * server closed.  N is at most 100.
 *
 * Exit status: 0, or 1 with a message on stderr (2: usage).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 100
#define MAX_SECONDS 60

static void usage(void) {
  fprintf(stderr, "usage: http-trickle -b BIND -n N -t SECONDS "
                  "[-i INTERVAL_MS] ADDRESS PORT\n");
  exit(2);
}

static long number(const char *s, long lo, long hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi)
    usage();
  return v;
}

static struct in_addr loopback(const char *s) {
  struct in_addr a;
  if (inet_pton(AF_INET, s, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127) {
    fprintf(stderr, "http-trickle: %s: not an IPv4 loopback address\n", s);
    exit(1);
  }
  return a;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A connection from `from` to `to` with the request line sent; -1 when
 * the server refuses it. */
static int open_one(const struct sockaddr_in *from,
                    const struct sockaddr_in *to) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    perror("http-trickle: socket");
    exit(1);
  }
  static const char req[] = "GET /metrics HTTP/1.1\r\nHost: trickle\r\n";
  if (bind(fd, (const struct sockaddr *)from, sizeof *from) != 0 ||
      connect(fd, (const struct sockaddr *)to, sizeof *to) != 0 ||
      send(fd, req, sizeof req - 1, MSG_NOSIGNAL) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* True when the server has closed fd (or answered: a well-behaved server
 * answers a header it will not wait for any longer with an error). */
static int closed(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  if (poll(&p, 1, 0) <= 0)
    return 0;
  char buf[512];
  ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  return r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

int main(int argc, char **argv) {
  const char *bind_s = NULL;
  long n = -1, secs = -1, interval = 500;
  int opt;
  while ((opt = getopt(argc, argv, "b:n:t:i:")) != -1) {
    switch (opt) {
    case 'b':
      bind_s = optarg;
      break;
    case 'n':
      n = number(optarg, 1, MAX_CONNS);
      break;
    case 't':
      secs = number(optarg, 1, MAX_SECONDS);
      break;
    case 'i':
      interval = number(optarg, 10, 10000);
      break;
    default:
      usage();
    }
  }
  if (!bind_s || n < 0 || secs < 0 || argc - optind != 2)
    usage();
  struct sockaddr_in from = {.sin_family = AF_INET,
                             .sin_addr = loopback(bind_s)};
  struct sockaddr_in to = {
      .sin_family = AF_INET,
      .sin_addr = loopback(argv[optind]),
      .sin_port = htons((uint16_t)number(argv[optind + 1], 1, 65535))};
  int fds[MAX_CONNS];
  for (long i = 0; i < n; i++)
    fds[i] = open_one(&from, &to);
  printf("ready\n");
  fflush(stdout);
  long cut = 0;
  double end = now() + (double)secs;
  static const char line[] = "X-Trickle: 1\r\n";
  while (now() < end) {
    usleep((useconds_t)interval * 1000);
    for (long i = 0; i < n; i++) {
      if (fds[i] >= 0 && (closed(fds[i]) || send(fds[i], line, sizeof line - 1,
                                                 MSG_NOSIGNAL) < 0)) {
        close(fds[i]);
        fds[i] = -1;
        cut++;
      }
      if (fds[i] < 0)
        fds[i] = open_one(&from, &to);
    }
  }
  for (long i = 0; i < n; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  printf("cut %ld\n", cut);
  return 0;
}
