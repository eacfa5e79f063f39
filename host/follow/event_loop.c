#include "event_loop.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include <glib-unix.h>

#include "core/diag.h"
#include "service_notify.h"
#include "signals.h"

struct td_follow_loop {
  GMainLoop *loop;
  td_dispatcher *d;
  td_cursors *cursors;
  void (*on_tick)(void *user);
  void *user;
  bool signalled;
  void (*on_reload)(void *user);
  void *reload_user;
  guint sources[2];
  guint watchdog;
};

/* The service manager's status line: streams followed, instances
 * disabled. */
static void notify_status(const td_follow_loop *l, bool ready) {
  char *status = td_notify_status_line(td_dispatcher_stream_count(l->d),
                                       td_dispatcher_disabled_count(l->d));
  if (ready)
    td_notify_ready(status);
  else
    td_notify_status(status);
  g_free(status);
}

guint td_add_fd_watch(int fd,
                      gboolean (*fn)(gint fd, GIOCondition cond, gpointer user),
                      gpointer user) {
  GSource *src = g_unix_fd_source_new(fd, G_IO_IN);
  /* A source that may recurse is left in the poll set while dispatched. */
  g_source_set_can_recurse(src, TRUE);
  g_source_set_callback(src, G_SOURCE_FUNC(fn), user, NULL);
  guint id = g_source_attach(src, NULL);
  g_source_unref(src);
  return id;
}

guint td_timeout_add_seconds(double seconds, GSourceFunc fn, gpointer user) {
  return g_timeout_add((guint)(seconds * 1000 + 0.5), fn, user);
}

double td_realtime_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A signal arrived: the flags say which.  (The same handlers serve the
 * followers' pumps, which stop between two records when asked.) */
static gboolean on_signal(gint fd, GIOCondition cond, gpointer user) {
  (void)fd;
  (void)cond;
  td_follow_loop *l = user;
  td_signals_drain();
  if (td_signals_stop_requested()) {
    l->signalled = true;
    g_main_loop_quit(l->loop);
  }
  /* SIGHUP: the plugins reopen their files, then the configuration is
   * read again.  Only here, between two pumps: a reload inside a pump
   * would change the instances in the middle of a stream's records. */
  if (!l->signalled && td_signals_take_hangup()) {
    td_notify_reloading();
    if (td_dispatch_reopen(l->d) && l->on_reload)
      l->on_reload(l->reload_user);
    if (td_dispatcher_aborted(l->d))
      g_main_loop_quit(l->loop);
    else
      notify_status(l, true);
  }
  return G_SOURCE_CONTINUE;
}

void td_follow_loop_on_reload(td_follow_loop *l, void (*fn)(void *user),
                              void *user) {
  l->on_reload = fn;
  l->reload_user = user;
}

bool td_follow_between_records(void *user) {
  (void)user;
  /* A SIGHUP waits for the loop (on_signal). */
  return !td_signals_stop_requested();
}

bool td_replay_between_records(void *user) {
  td_dispatcher *d = user;
  if (td_signals_stop_requested())
    return false;
  if (td_signals_take_hangup())
    td_dispatch_reopen(d);
  return true;
}

static gboolean on_tick(gpointer user) {
  td_follow_loop *l = user;
  if (l->cursors)
    td_cursors_sync(l->cursors);
  if (l->on_tick)
    l->on_tick(l->user);
  if (!td_dispatch_tick(l->d, td_realtime_now()))
    g_main_loop_quit(l->loop);
  notify_status(l, false);
  return G_SOURCE_CONTINUE;
}

td_follow_loop *td_follow_loop_new(td_dispatcher *d, td_cursors *cursors,
                                   void (*tick)(void *user), void *user) {
  td_follow_loop *l = g_new0(td_follow_loop, 1);
  l->loop = g_main_loop_new(NULL, FALSE);
  l->d = d;
  l->cursors = cursors;
  l->on_tick = tick;
  l->user = user;
  /* Signals arrive as main-loop events: callbacks are never called from a
   * signal handler, and the record in hand is finished first. */
  td_signals_install();
  l->sources[0] = td_add_fd_watch(td_signals_wakeup_fd(), on_signal, l);
  l->sources[1] = g_timeout_add_seconds(1, on_tick, l);
  return l;
}

void td_follow_loop_free(td_follow_loop *l) {
  if (!l)
    return;
  for (size_t i = 0; i < G_N_ELEMENTS(l->sources); i++)
    g_source_remove(l->sources[i]);
  if (l->watchdog)
    g_source_remove(l->watchdog);
  g_main_loop_unref(l->loop);
  g_free(l);
}

void td_follow_loop_run(td_follow_loop *l) {
  /* A signal that came while the streams were first read stops at once. */
  if (td_signals_stop_requested()) {
    l->signalled = true;
    return;
  }
  /* The plugins are initialised and the followers started (each stream's
   * history saved in its cursor): only now does this start count as a run,
   * after which a stream without a cursor appeared while no host ran.  A
   * start that failed before (exit 78, a signal, a kill) leaves the next
   * one a first start, which reads what the streams hold as history. */
  if (l->cursors)
    td_cursors_mark_run(l->cursors);
  /* Ready: plugins initialised, the first scan done, what the streams held
   * read.  The watchdog is pinged from the loop itself, so a wedged loop
   * is seen. */
  notify_status(l, true);
  l->watchdog = td_notify_watchdog_start();
  g_main_loop_run(l->loop);
  td_notify_stopping();
}

void td_follow_loop_quit(td_follow_loop *l) { g_main_loop_quit(l->loop); }

bool td_follow_loop_signalled(const td_follow_loop *l) { return l->signalled; }
