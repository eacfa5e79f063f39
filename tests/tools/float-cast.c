/* Converts its argument, a number of seconds, to whole milliseconds in an
 * unsigned int, as a careless timer conversion would: with 1e300 that is
 * undefined behaviour the sanitizer build must report
 * (tests/test-sanitizer-checks.sh). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  double seconds = strtod(argv[1], NULL);
  unsigned ms = (unsigned)(seconds * 1000);
  printf("%u\n", ms);
  return 0;
}
