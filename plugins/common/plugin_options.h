/* Reading a bundled plugin's declared options through the host table:
 * shared by the bundled plugins (a small internal library, linked into
 * each, never copied). */
#ifndef TD_PLUGIN_OPTIONS_H
#define TD_PLUGIN_OPTIONS_H

#include <stdbool.h>

#include <thermos/handler.h>

/** A declared key's value (the host supplies the default), or `fallback`
 * when the host has none. */
const char *tdp_option(const thermos_host_v1 *host, const char *key,
                       const char *fallback);

/** A THERMOS_OPT_BOOL key.  The host checked the value against its type;
 * this turns it into a flag, and reports (config_error, false) what a host
 * that did not check would let through. */
bool tdp_option_bool(const thermos_host_v1 *host, const char *key,
                     const char *fallback, bool *out);

/** Whether the plugin only validates: the host runs in THERMOS_MODE_CHECK,
 * or in a mode this plugin does not know (a later minor's), which the ABI
 * says to treat as check. */
static inline bool tdp_check_mode(const thermos_host_v1 *host) {
  return host->mode != THERMOS_MODE_REPLAY && host->mode != THERMOS_MODE_TAIL &&
         host->mode != THERMOS_MODE_WATCH;
}

/** The longest duration a bundled plugin's option takes, in seconds (30
 * days, as the host's own keys): anything longer is a mistake, and every
 * accepted value converts to a timer or an integer without overflow. */
#define TDP_SECONDS_MAX 2592000.0

/** A number of seconds above 0 and at most TDP_SECONDS_MAX (the host
 * checked only that it is a finite number); anything else is reported
 * (config_error, with the value and the range) and false returned. */
bool tdp_option_seconds(const thermos_host_v1 *host, const char *key,
                        const char *fallback, double *out);

#endif
