/*
 * A test module that must never be loaded: its constructor, which runs
 * as soon as the file is mapped (before any check of its table could
 * refuse it), creates the file named by $TD_TEST_MARKER.  The race test
 * plants it where a swapped link may point.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void marker_loaded(void) {
  const char *path = getenv("TD_TEST_MARKER");
  if (!path)
    return;
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0)
    close(fd);
}
