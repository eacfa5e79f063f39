/* A crash names its culprit, and does not loop: on SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL or SIGABRT the host writes one line naming the callback
 * that was running (td_current_callback), then dies of the same signal;
 * with a state directory it also writes the crash record
 * (crash_record.h), and an instance that crashed twice in a row on the
 * same record under the same configuration is disabled at the next start. */
#ifndef TD_CRASH_GUARD_H
#define TD_CRASH_GUARD_H

#include <stdbool.h>

#include "config/config.h"

/** Installs the handlers (on an alternate stack, so that a stack overflow
 * is reported too).  For the commands that dispatch, before anything else
 * can crash. */
void td_crash_guard_install(void);

/** Marks the start and the end of a plugin call that the dispatcher does
 * not make (init, fini), for the crash line. */
void td_crash_guard_enter(const char *instance, const char *callback);
void td_crash_guard_leave(void);

/** For `tail` and `watch` with `[host] state_dir` (created already): opens
 * the directory for the crash record and reads the record; a damaged or
 * unreadable one is a warning, and ignored. */
void td_crash_guard_open(const td_config *cfg);
/** Registers an enabled instance of the configuration (its name is the
 * pointer the dispatcher's site uses).  Returns false, after one error
 * line saying why, when the crash record disables it at start. */
bool td_crash_guard_admit(const td_instance_conf *ic);
/** A reload removed the instance: its name (about to be freed) is no
 * longer looked for, and its slot may serve an instance added later. */
void td_crash_guard_forget(const td_instance_conf *ic);
/** After every instance was admitted: a record that names none of them as
 * they are configured now (the configuration changed) is removed. */
void td_crash_guard_settle(void);
/** Closes the directory.  With `clean` (the host stops without crashing),
 * a record that disabled no instance is removed: the crash did not repeat. */
void td_crash_guard_close(bool clean);

#endif
