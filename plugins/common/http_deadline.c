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

#include "metrics_http_deadline.h"

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
} conn;

struct mx_deadline {
  gint64 span; /* µs */
  GMutex lock; /* guards conns and stopping */
  GCond wake;
  GHashTable *conns; /* the open connections (a set of conn) */
  bool stopping;
  GThread *thread;
};

static gpointer watch(gpointer data) {
  mx_deadline *d = data;
  g_mutex_lock(&d->lock);
  while (!d->stopping) {
    gint64 now = g_get_monotonic_time();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, d->conns);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
      conn *k = key;
      if (!k->cut && now >= k->due) {
        k->cut = true;
        (void)shutdown(k->fd, SHUT_RDWR);
      }
    }
    g_cond_wait_until(&d->wake, &d->lock, now + CHECK_INTERVAL_US);
  }
  g_mutex_unlock(&d->lock);
  return NULL;
}

mx_deadline *mx_deadline_start(unsigned seconds) {
  mx_deadline *d = g_new0(mx_deadline, 1);
  d->span = (gint64)seconds * G_USEC_PER_SEC;
  g_mutex_init(&d->lock);
  g_cond_init(&d->wake);
  d->conns = g_hash_table_new_full(NULL, NULL, g_free, NULL);
  d->thread = g_thread_try_new("metrics-deadline", watch, d, NULL);
  if (!d->thread) {
    g_hash_table_destroy(d->conns);
    g_cond_clear(&d->wake);
    g_mutex_clear(&d->lock);
    g_free(d);
    return NULL;
  }
  return d;
}

void mx_deadline_notify(void *cls, struct MHD_Connection *c,
                        void **socket_context,
                        enum MHD_ConnectionNotificationCode code) {
  mx_deadline *d = cls;
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

void mx_deadline_rearm(mx_deadline *d, struct MHD_Connection *c) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  conn *k = info ? info->socket_context : NULL;
  if (!k)
    return;
  g_mutex_lock(&d->lock);
  k->due = g_get_monotonic_time() + d->span;
  g_mutex_unlock(&d->lock);
}

void mx_deadline_stop(mx_deadline *d) {
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
