/*
 * The request deadline: libmicrohttpd 0.9 has no option for a total time
 * to receive a request, so a thread of our own looks at the open
 * connections a few times a second and shuts down the socket of each one
 * past its deadline; the daemon then sees the connection end and closes
 * it as any other.  The socket is shut down under the lock that the close
 * notification also takes, and libmicrohttpd notifies before it closes the
 * descriptor: the number shut down is never one already reused.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include "http_deadline.h"

#include <stdbool.h>
#include <sys/socket.h>

#include <glib.h>

/* How often the thread looks: a late connection lives at most this much
 * past its deadline. */
#define CHECK_INTERVAL_US (G_USEC_PER_SEC / 4)

typedef struct conn {
  int fd;
  gint64 due; /* monotonic time, µs */
  bool cut;   /* shut down already: once is enough */
  bool held;  /* streaming on purpose: no deadline */
} conn;

struct tdp_deadline {
  gint64 span; /* µs */
  GMutex lock; /* guards conns and stopping */
  GCond wake;
  GHashTable *conns; /* the open connections (a set of conn) */
  bool stopping;
  GThread *thread;
};

static gpointer watch(gpointer data) {
  tdp_deadline *d = data;
  g_mutex_lock(&d->lock);
  while (!d->stopping) {
    gint64 now = g_get_monotonic_time();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, d->conns);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
      conn *k = key;
      if (!k->cut && !k->held && now >= k->due) {
        k->cut = true;
        (void)shutdown(k->fd, SHUT_RDWR);
      }
    }
    g_cond_wait_until(&d->wake, &d->lock, now + CHECK_INTERVAL_US);
  }
  g_mutex_unlock(&d->lock);
  return NULL;
}

tdp_deadline *tdp_deadline_start(unsigned seconds) {
  tdp_deadline *d = g_new0(tdp_deadline, 1);
  d->span = (gint64)seconds * G_USEC_PER_SEC;
  g_mutex_init(&d->lock);
  g_cond_init(&d->wake);
  d->conns = g_hash_table_new_full(NULL, NULL, g_free, NULL);
  d->thread = g_thread_try_new("http-deadline", watch, d, NULL);
  if (!d->thread) {
    g_hash_table_destroy(d->conns);
    g_cond_clear(&d->wake);
    g_mutex_clear(&d->lock);
    g_free(d);
    return NULL;
  }
  return d;
}

static conn *conn_of(struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info ? info->socket_context : NULL;
}

void tdp_deadline_notify(void *cls, struct MHD_Connection *c,
                         void **socket_context,
                         enum MHD_ConnectionNotificationCode code) {
  tdp_deadline *d = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!info)
      return;
    conn *k = g_new0(conn, 1);
    k->fd = info->connect_fd;
    k->due = g_get_monotonic_time() + d->span;
    g_mutex_lock(&d->lock);
    g_hash_table_add(d->conns, k);
    g_mutex_unlock(&d->lock);
    *socket_context = k;
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
    g_mutex_lock(&d->lock);
    g_hash_table_remove(d->conns, *socket_context); /* frees it */
    g_mutex_unlock(&d->lock);
    *socket_context = NULL;
  }
}

void tdp_deadline_rearm(tdp_deadline *d, struct MHD_Connection *c) {
  conn *k = conn_of(c);
  if (!k)
    return;
  g_mutex_lock(&d->lock);
  k->due = g_get_monotonic_time() + d->span;
  g_mutex_unlock(&d->lock);
}

void tdp_deadline_hold(tdp_deadline *d, struct MHD_Connection *c) {
  conn *k = conn_of(c);
  if (!k)
    return;
  g_mutex_lock(&d->lock);
  k->held = true;
  g_mutex_unlock(&d->lock);
}

void tdp_deadline_stop(tdp_deadline *d) {
  if (!d)
    return;
  g_mutex_lock(&d->lock);
  d->stopping = true;
  g_cond_signal(&d->wake);
  g_mutex_unlock(&d->lock);
  g_thread_join(d->thread);
  g_hash_table_destroy(d->conns);
  g_cond_clear(&d->wake);
  g_mutex_clear(&d->lock);
  g_free(d);
}
