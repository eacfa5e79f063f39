/* The worker's life as the relay sees it: started, watched from the
 * host's event loop, found dead or silent, restarted with backoff, or
 * given up on. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "core/diag.h"
#include "core/exit_codes.h"
#include "relay_private.h"

/* The longest pause between restarts, and the window max_restarts
 * counts in. */
#define BACKOFF_MAX 60.0
#define RESTART_WINDOW 60.0

double td_relay_now(void) { return (double)g_get_monotonic_time() / 1e6; }

static void forget_worker(td_relay *r) {
  td_relay_unwatch(r);
  if (r->page) {
    munmap(r->page, sizeof *r->page);
    r->page = NULL;
  }
  if (r->proc.channel >= 0)
    close(r->proc.channel);
  if (r->proc.pidfd >= 0)
    close(r->proc.pidfd);
  if (r->proc.progress >= 0)
    close(r->proc.progress);
  r->proc.channel = r->proc.pidfd = r->proc.progress = -1;
  r->running = false;
  r->ready = false;
}

bool td_relay_spawn(td_relay *r) {
  char *why = NULL;
  r->restart_at = 0;
  if (!td_worker_spawn(&r->user, &r->proc, &why)) {
    td_error("%s: cannot start its worker: %s", r->name, why);
    g_free(why);
    r->proc.channel = r->proc.pidfd = r->proc.progress = -1;
    return false;
  }
  r->page = mmap(NULL, sizeof *r->page, PROT_READ | PROT_WRITE, MAP_SHARED,
                 r->proc.progress, 0);
  if (r->page == MAP_FAILED) {
    r->page = NULL;
    kill(r->proc.pid, SIGKILL);
    waitpid(r->proc.pid, NULL, 0);
    forget_worker(r);
    td_error("%s: cannot start its worker: mmap: %s", r->name,
             g_strerror(errno));
    return false;
  }
  r->running = true;
  r->ready = false;
  r->started_at = r->last_answer = td_relay_now();
  r->last_beat = 0;
  /* The new worker gets every stream from its start. */
  td_relay_requeue(r);
  g_byte_array_append(r->out, r->hello->data, r->hello->len);
  r->next_seq = 1;
  td_relay_watch(r);
  return true;
}

/* "at SOURCE record N (byte B)", "in tick", ...: where it was. */
static char *site(const td_relay *r) {
  const td_progress_page *p = r->page;
  const char *source = NULL;
  for (guint i = 0; i < r->streams->len; i++) {
    const relay_stream *rs = g_ptr_array_index(r->streams, i);
    if (rs->sid == p->sid)
      source = rs->source;
  }
  switch (p->doing) {
  case TD_DOING_RECORD:
    return g_strdup_printf(" at %s record %" PRIu64 " (byte %" PRIu64 ")",
                           source ? source : "?", (uint64_t)p->next_record,
                           (uint64_t)p->done_end);
  case TD_DOING_OPEN:
    return g_strdup_printf(" in on_stream_open of %s", source ? source : "?");
  case TD_DOING_CLOSE:
    return g_strdup_printf(" in on_stream_close of %s", source ? source : "?");
  case TD_DOING_ERROR:
    return g_strdup_printf(" in on_stream_error of %s", source ? source : "?");
  case TD_DOING_TICK:
    return g_strdup(" in tick");
  case TD_DOING_REOPEN:
    return g_strdup(" in reopen");
  case TD_DOING_INIT:
    return g_strdup(" in init");
  case TD_DOING_FINI:
    return g_strdup(" in fini");
  default:
    return g_strdup("");
  }
}

/* Reaps the worker: it exited, or is made to. */
static int reap(td_relay *r, bool kill_it) {
  int status = 0;
  if (kill_it)
    kill(r->proc.pid, SIGKILL);
  pid_t w = waitpid(r->proc.pid, &status, WNOHANG);
  if (w == 0) {
    /* Its channel closed: it is on its way out, or closed it itself. */
    struct pollfd pfd = {r->proc.pidfd, POLLIN, 0};
    if (r->proc.pidfd >= 0)
      poll(&pfd, 1, 1000);
    else
      g_usleep(100000);
    w = waitpid(r->proc.pid, &status, WNOHANG);
    if (w == 0) {
      kill(r->proc.pid, SIGKILL);
      waitpid(r->proc.pid, &status, 0);
    }
  }
  return status;
}

static char *cause(int status, bool timed_out, double timeout) {
  if (timed_out)
    return g_strdup_printf("no answer for %g s", timeout);
  if (WIFSIGNALED(status))
    return g_strdup_printf(
        "worker killed by SIG%s",
        sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
  return g_strdup_printf("worker exited with status %d", WEXITSTATUS(status));
}

static void add_stats(td_worker_stats *to, const td_worker_stats *from) {
  to->events += from->events;
  to->callbacks += from->callbacks;
  to->failures += from->failures;
  to->suppressed += from->suppressed;
  to->callback_seconds += from->callback_seconds;
  for (int i = 0; i < 8; i++)
    to->buckets[i] += from->buckets[i];
}

void td_relay_died(td_relay *r, bool timed_out) {
  int status = reap(r, timed_out);
  td_relay_settle_page(r);
  char *where = site(r);
  char *what = cause(status, timed_out, r->callback_timeout);
  bool in_callback = r->page && r->page->doing != TD_DOING_IDLE;
  forget_worker(r);
  if (r->starting || r->stopping) {
    /* Not restarted: a refused init (the worker said why when it could),
     * or the end.  Only what the worker could not say is said here. */
    bool said = WIFEXITED(status) && !timed_out &&
                (WEXITSTATUS(status) == 0 ||
                 (r->starting && WEXITSTATUS(status) == TD_EXIT_CONFIG));
    if (!said)
      td_error("%s: %s%s", r->name, what, where);
    g_free(where);
    g_free(what);
    return;
  }
  add_stats(&r->base, &r->cur);
  memset(&r->cur, 0, sizeof r->cur);
  /* A death in a callback is that callback failing: it counts. */
  if (in_callback || timed_out)
    r->base.failures++;
  td_relay_apply_stats(r);
  td_relay_clear_queues(r);

  double now = td_relay_now();
  /* A worker that ran a minute starts the backoff over. */
  if (now - r->started_at >= RESTART_WINDOW)
    r->backoff = 0;
  while (r->restarts->len &&
         now - g_array_index(r->restarts, double, 0) >= RESTART_WINDOW)
    g_array_remove_index(r->restarts, 0);
  if (r->restarts->len >= r->max_restarts) {
    char *why = g_strdup_printf(
        "%s: %s%s; instance disabled (%u restart%s within a minute: "
        "max_restarts)",
        r->name, what, where, r->restarts->len,
        r->restarts->len == 1 ? "" : "s");
    td_relay_disable(r, why);
    g_free(why);
  } else {
    double delay = MIN(BACKOFF_MAX, (double)(1u << MIN(r->backoff, 6u)));
    r->backoff++;
    r->restart_at = now + delay;
    g_array_append_val(r->restarts, now);
    td_error("%s: %s%s; restarting it in %g s", r->name, what, where, delay);
  }
  g_free(where);
  g_free(what);
}

void td_relay_disable(td_relay *r, const char *why) {
  if (why)
    td_error("%s", why);
  r->disabled = true;
  r->in->target.disabled = true;
  r->restart_at = 0;
  r->backlog = 0;
  td_relay_clear_queues(r);
  while (r->streams->len)
    td_relay_stream_free(r, g_ptr_array_index(r->streams, 0));
  /* A worker still up is stopped in order (fini) when the host stops. */
}

/* ---- the host's event loop ---- */

static gboolean on_event(gint fd, GIOCondition cond, gpointer user) {
  (void)fd;
  (void)cond;
  td_relay_service(user, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean on_timer(gpointer user) {
  td_relay_service(user, 0);
  return G_SOURCE_CONTINUE;
}

void td_relay_watch(td_relay *r) {
  td_relay_unwatch(r);
  r->io_source = g_unix_fd_add(r->proc.channel, G_IO_IN | G_IO_HUP | G_IO_ERR,
                               on_event, r);
  if (r->proc.pidfd >= 0)
    r->pid_source = g_unix_fd_add(r->proc.pidfd, G_IO_IN, on_event, r);
  if (!r->timer_source)
    r->timer_source = g_timeout_add(250, on_timer, r);
}

static gboolean on_writable(gint fd, GIOCondition cond, gpointer user) {
  (void)fd;
  (void)cond;
  td_relay *r = user;
  td_relay_service(r, 0);
  if (r->out_source && !td_relay_wants_write(r)) {
    r->out_source = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

void td_relay_sync_out(td_relay *r) {
  /* Written when the channel has room: the loop wakes for it only while
   * something waits to be written. */
  if (r->running && td_relay_wants_write(r) && !r->out_source)
    r->out_source = g_unix_fd_add(r->proc.channel, G_IO_OUT, on_writable, r);
}

void td_relay_unwatch(td_relay *r) {
  if (r->io_source)
    g_source_remove(r->io_source);
  if (r->pid_source)
    g_source_remove(r->pid_source);
  if (r->out_source)
    g_source_remove(r->out_source);
  r->io_source = r->pid_source = r->out_source = 0;
}
