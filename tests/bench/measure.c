/* measure: run a command, then report its wall time and peak RSS.
 *
 * Usage: measure [-o FILE] [--] COMMAND [ARG]...
 *
 * Writes one line, "SECONDS MAXRSS_KB CPU_SECONDS", to FILE (default
 * standard error; CPU_SECONDS is user plus system time of the command),
 * so the figures never mix with the command's own output. Exits with the
 * command's status (128 + N if signal N killed it), or 127 if it could not
 * be started.
 *
 * Why not GNU time or bash's `time`: the peak RSS of a child is only known
 * to its parent, through wait4()'s rusage, and GNU time is an extra package
 * that is often missing; this is a few lines with no dependency. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *progname = "measure";

static void usage(void) {
  fprintf(stderr, "usage: %s [-o FILE] [--] COMMAND [ARG]...\n", progname);
  exit(2);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  const char *out_path = NULL;
  int opt;

  /* "+": stop at the first non-option, so COMMAND's own options are
   * left alone even without "--". */
  while ((opt = getopt(argc, argv, "+o:h")) != -1) {
    switch (opt) {
    case 'o':
      out_path = optarg;
      break;
    default:
      usage();
    }
  }
  if (optind >= argc)
    usage();

  /* Open the report first: failing after the run would waste it. */
  FILE *out = stderr;
  if (out_path != NULL) {
    out = fopen(out_path, "w");
    if (out == NULL) {
      fprintf(stderr, "%s: %s: %s\n", progname, out_path, strerror(errno));
      return 127;
    }
  }
  fflush(NULL); /* the child must not inherit unwritten buffers */

  double start = now_seconds();
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "%s: fork: %s\n", progname, strerror(errno));
    return 127;
  }
  if (pid == 0) {
    execvp(argv[optind], argv + optind);
    fprintf(stderr, "%s: %s: %s\n", progname, argv[optind], strerror(errno));
    _exit(127);
  }

  int status;
  struct rusage ru;
  pid_t got;
  do {
    got = wait4(pid, &status, 0, &ru);
  } while (got < 0 && errno == EINTR);
  double elapsed = now_seconds() - start;
  if (got < 0) {
    fprintf(stderr, "%s: wait4: %s\n", progname, strerror(errno));
    return 127;
  }

  /* On Linux ru_maxrss is in kilobytes. */
  double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
               (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
  fprintf(out, "%.6f %ld %.6f\n", elapsed, (long)ru.ru_maxrss, cpu);
  if ((out != stderr && fclose(out) != 0) || ferror(stderr)) {
    fprintf(stderr, "%s: cannot write the report\n", progname);
    return 127;
  }

  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return 127;
}
