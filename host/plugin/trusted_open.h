/* Opening a file to run code from, with every directory looked up in and
 * every link followed on its path trusted (handler-abi.md "Loading"). */
#ifndef TD_TRUSTED_OPEN_H
#define TD_TRUSTED_OPEN_H

#include <stdbool.h>

#include <glib.h>

/**
 * Opens the regular file at the absolute `path` for reading, resolving it
 * one component at a time.  Every directory looked up in ("/" included)
 * must be owned by root or the host's user and not writable by group or
 * others unless sticky; every link followed must be owned by root or the
 * host's user; the file itself likewise, checked through the descriptor
 * returned.  Returns the descriptor (close-on-exec), or -1 with `*why`
 * set to "NAME: WHY" (g_free it), NAME the resolved name of what failed
 * (or `path` itself when a lookup failed).
 */
int td_open_trusted(const char *path, char **why);

/** As td_open_trusted; also sets `*absent` (when not NULL) to whether it
 * failed only because the path's last component is not in its directory,
 * every directory on the way having passed: a search may then go on to
 * the next directory.  Any other failure (a missing or untrusted
 * directory, a dangling link) leaves it false. */
int td_open_trusted_ex(const char *path, bool *absent, char **why);

#endif
