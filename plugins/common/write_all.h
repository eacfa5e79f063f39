/* Writing a whole buffer to a descriptor: shared by the bundled plugins
 * (the logger's output, the metrics textfile). */
#ifndef TD_PLUGIN_WRITE_ALL_H
#define TD_PLUGIN_WRITE_ALL_H

#include <stddef.h>

/** Writes all `n` bytes of `p` to `fd`, through partial writes, EINTR and
 * a non-blocking descriptor (EAGAIN: waits until it is writable).
 * Returns 0, or the errno value of the failure. */
int tdp_write_all(int fd, const char *p, size_t n);

#endif
