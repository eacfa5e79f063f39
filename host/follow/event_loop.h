/* The event loop of the followers (`tail`, `watch`): GLib's main loop,
 * SIGINT/SIGTERM to stop, SIGHUP to reopen and reload, and a tick about once a
 * second (plugins' tick, cursor fsync, the owner's periodic work). */
#ifndef TD_EVENT_LOOP_H
#define TD_EVENT_LOOP_H

#include <stdbool.h>

#include <glib.h>

#include "cursor.h"
#include "core/dispatcher.h"

typedef struct td_follow_loop td_follow_loop;

td_follow_loop *td_follow_loop_new(td_dispatcher *d, td_cursors *cursors,
                                   void (*on_tick)(void *user), void *user);
void td_follow_loop_free(td_follow_loop *l);
/** Runs until td_follow_loop_quit or a stop signal; to be called once the
 * followers are started: unless a stop was asked already, it first records
 * in the state directory that a host ran (td_cursors_mark_run). */
void td_follow_loop_run(td_follow_loop *l);
void td_follow_loop_quit(td_follow_loop *l);
/** Whether SIGINT or SIGTERM stopped it. */
bool td_follow_loop_signalled(const td_follow_loop *l);

/** On SIGHUP, after the plugins' reopen: `fn(user)` (`tail` and `watch`
 * reload their configuration), from the loop, never inside a pump. */
void td_follow_loop_on_reload(td_follow_loop *l, void (*fn)(void *user),
                              void *user);

/** For td_session_pump in a follower: false once SIGINT or SIGTERM asked
 * to stop.  A SIGHUP is left for the loop. */
bool td_follow_between_records(void *user);
/** For `replay`'s td_session_pump, with the dispatcher as `user`: false
 * once SIGINT or SIGTERM asked to stop; plugins' reopen on SIGHUP. */
bool td_replay_between_records(void *user);

/** Like g_unix_fd_add(fd, G_IO_IN, ...), without GLib taking the
 * descriptor out of its poll set around every dispatch (a system call or
 * four for each append a follower sees). */
guint td_add_fd_watch(int fd,
                      gboolean (*fn)(gint fd, GIOCondition cond, gpointer user),
                      gpointer user);

/** g_timeout_add for a number of seconds, rounded to the millisecond: the
 * configuration bounds every duration (TD_SECONDS_MAX), so it fits. */
guint td_timeout_add_seconds(double seconds, GSourceFunc fn, gpointer user);

/** CLOCK_REALTIME in seconds, as plugins' tick receives it. */
double td_realtime_now(void);

#endif
