/* `isolation = process` made available to the commands: the relay
 * registered as td_plugin_set's isolator, and the worker's entry. */
#ifndef TD_ISOLATE_ISOLATION_H
#define TD_ISOLATE_ISOLATION_H

#include <stdbool.h>

/** Registers the relay for every plugin set made from now on. */
void td_isolation_install(void);
/** `replay --recovery`: what workers started from now on are told. */
void td_isolation_set_recovery(bool recovery);

#endif
