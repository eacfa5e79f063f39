/* SIGINT, SIGTERM and SIGHUP: the handlers only set flags, read between
 * records, and wake an event loop through a pipe. */
#ifndef TD_SIGNALS_H
#define TD_SIGNALS_H

#include <stdbool.h>

/** Installs the handlers (once; later calls do nothing). */
void td_signals_install(void);
/** For a command that never looks at the flags: the default actions
 * back, and a signal that arrived meanwhile raised again. */
void td_signals_default(void);
/** The signal that asked to stop (SIGINT or SIGTERM), or 0. */
int td_signals_stop_requested(void);
/** Whether SIGHUP arrived since the last call. */
bool td_signals_take_hangup(void);
/** A descriptor that becomes readable when a signal arrived (for an event
 * loop); td_signals_drain empties it. */
int td_signals_wakeup_fd(void);
void td_signals_drain(void);

#endif
