/*
 * swap-link LINK TARGET1 TARGET2: points LINK at TARGET1, then TARGET2,
 * then TARGET1 again, ..., as fast as it can until killed.  Each swap is
 * atomic (a new link renamed over the old), so LINK always resolves.  For
 * the race test of module loading (tests/test-plugin-race.sh): a shell
 * loop swaps too slowly to hit the window between a check and a load.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 4) {
    fputs("usage: swap-link LINK TARGET1 TARGET2\n", stderr);
    return 64;
  }
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.swap", argv[1]) >= (int)sizeof tmp)
    return 64;
  for (unsigned long i = 0;; i++) {
    (void)unlink(tmp);
    if (symlink(argv[2 + i % 2], tmp) != 0 || rename(tmp, argv[1]) != 0) {
      perror("swap-link");
      return 1;
    }
  }
}
