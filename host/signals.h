/* SIGINT, SIGTERM and SIGHUP for the commands that run without a main
 * loop (replay): the handlers only set flags, read between records. */
#ifndef TD_SIGNALS_H
#define TD_SIGNALS_H

#include <stdbool.h>

void td_signals_install(void);
/** The signal that asked to stop (SIGINT or SIGTERM), or 0. */
int td_signals_stop_requested(void);
/** Whether SIGHUP arrived since the last call. */
bool td_signals_take_hangup(void);

#endif
