/* Writing a whole buffer to a descriptor: shared by the bundled plugins
 * (the logger's output, the metrics textfile). */
#ifndef TD_PLUGIN_WRITE_ALL_H
#define TD_PLUGIN_WRITE_ALL_H

#include <stddef.h>

/** How long a non-blocking descriptor may stay unwritable, with nothing
 * written, before tdp_write_all gives up (ETIMEDOUT): a reader that takes
 * nothing for this long is stuck. */
#define TDP_WRITE_STALL_MS 10000

/** Writes all `n` bytes of `p` to `fd`, through partial writes and a
 * non-blocking descriptor (EAGAIN: waits until it is writable, at most
 * TDP_WRITE_STALL_MS at a time).  A signal that interrupts the
 * write or that wait ends it with EINTR: the host's SIGTERM and SIGINT
 * handlers do not restart system calls, so a stop request gets through a
 * reader that never reads.
 * Returns 0, or the errno value of the failure.  `*written` (if not NULL)
 * is set to the number of bytes written, also on failure. */
int tdp_write_all(int fd, const char *p, size_t n, size_t *written);

#endif
