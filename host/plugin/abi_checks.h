/* The checks of a plugin's table that ABI 1.1 added to the loader's
 * (host/loader.c): the minor version the plugin needs, and the types of
 * the options it declares.  Each returns NULL when the table passes, else
 * the reason it is refused, "PATH: WHY" (g_free it), as the loader's own
 * refusals read. */
#ifndef TD_ABI_CHECKS_H
#define TD_ABI_CHECKS_H

#include <thermos/handler.h>

/** After the major's handshake, before anything else of the table is
 * read: a table whose struct_size covers min_host_minor, asking for a
 * minor above this host's (THERMOS_HANDLER_ABI_MINOR), is refused. */
char *td_abi_check_minor(const thermos_handler_v1 *t, const char *path);

/** The declared options: with options_ex (which then replaces `options`)
 * every entry is ABI 1.1's size at least, has a key, a type and flags
 * this host knows, a range only on an int or double option and not an
 * empty one (nor NaN), no default when required, and a default that
 * passes its own check; with `options` only, every type is one this host
 * knows (an unknown type would otherwise be read as a string).  After the
 * name is checked. */
char *td_abi_check_option_types(const thermos_handler_v1 *t, const char *path);

#endif
