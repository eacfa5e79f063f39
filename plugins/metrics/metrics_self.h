/* The host's own statistics (ABI 1.1: instance_stats, stream_stats) as the
 * thermos_dispatch_* families: read in a callback (the plugin's tick, on
 * the dispatch thread), kept as a snapshot, rendered with the rest of the
 * exposition.  Internal to the plugin (hidden visibility). */
#ifndef METRICS_SELF_H
#define METRICS_SELF_H

#include <stdbool.h>

#include <glib.h>
#include <thermos/handler.h>

typedef struct mx_self mx_self;

/** `per_stream`: also one series per open stream (else only the sum). */
mx_self *mx_self_new(bool per_stream);
void mx_self_free(mx_self *s);

/** Whether the host offers the statistics readers (a 1.1 host or later). */
bool mx_self_available(const thermos_host_v1 *host);

/** Replaces the snapshot with what the host counts now.  From a callback
 * only (the readers are not for other threads). */
void mx_self_read(mx_self *s, const thermos_host_v1 *host);

/** Appends the families to `out`; nothing before the first read. */
void mx_self_render(const mx_self *s, GString *out);

#endif
