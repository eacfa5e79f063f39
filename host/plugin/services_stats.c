/* The host table's statistics readers: what the dispatcher counts of each
 * started instance and of each stream read now, for a plugin (the bundled
 * metrics plugin) to export. */
#include <glib.h>

#include "instance.h"
#include "plugin_set.h"

size_t td_services_instance_count(void *handle) {
  const td_instance *in = handle;
  return in->set ? in->set->instances->len : 0;
}

int td_services_instance_stats(void *handle, size_t i,
                               thermos_instance_stats *out) {
  const td_instance *in = handle;
  if (!out || !in->set || i >= in->set->instances->len)
    return 0;
  const td_instance *other = g_ptr_array_index(in->set->instances, (guint)i);
  td_target_stats(&other->target, out);
  return 1;
}

size_t td_services_stream_count(void *handle) {
  const td_instance *in = handle;
  return in->set && in->set->dispatcher
             ? td_dispatcher_stream_count(in->set->dispatcher)
             : 0;
}

int td_services_stream_stats(void *handle, size_t i,
                             thermos_stream_stats *out) {
  const td_instance *in = handle;
  if (!out || !in->set || !in->set->dispatcher)
    return 0;
  return td_dispatcher_stream_stats(in->set->dispatcher, i, out);
}
