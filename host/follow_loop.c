#include "follow_loop.h"

#include <signal.h>
#include <time.h>

#include <glib-unix.h>

struct td_follow_loop {
  GMainLoop *loop;
  td_dispatcher *d;
  td_cursors *cursors;
  void (*on_tick)(void *user);
  void *user;
  bool signalled;
  guint sources[4];
};

double td_realtime_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static gboolean on_stop(gpointer user) {
  td_follow_loop *l = user;
  l->signalled = true;
  g_main_loop_quit(l->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean on_hangup(gpointer user) {
  td_follow_loop *l = user;
  if (!td_dispatch_reopen(l->d))
    g_main_loop_quit(l->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean on_tick(gpointer user) {
  td_follow_loop *l = user;
  if (l->cursors)
    td_cursors_sync(l->cursors);
  if (l->on_tick)
    l->on_tick(l->user);
  if (!td_dispatch_tick(l->d, td_realtime_now()))
    g_main_loop_quit(l->loop);
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
  l->sources[0] = g_unix_signal_add(SIGINT, on_stop, l);
  l->sources[1] = g_unix_signal_add(SIGTERM, on_stop, l);
  l->sources[2] = g_unix_signal_add(SIGHUP, on_hangup, l);
  l->sources[3] = g_timeout_add_seconds(1, on_tick, l);
  return l;
}

void td_follow_loop_free(td_follow_loop *l) {
  if (!l)
    return;
  for (size_t i = 0; i < G_N_ELEMENTS(l->sources); i++)
    g_source_remove(l->sources[i]);
  g_main_loop_unref(l->loop);
  g_free(l);
}

void td_follow_loop_run(td_follow_loop *l) { g_main_loop_run(l->loop); }

void td_follow_loop_quit(td_follow_loop *l) { g_main_loop_quit(l->loop); }

bool td_follow_loop_signalled(const td_follow_loop *l) { return l->signalled; }
