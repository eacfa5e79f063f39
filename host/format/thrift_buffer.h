/* ThriftMemoryBuffer with the finalize chain-up that Thrift 0.17's own
 * lacks (each instance would otherwise leak its GObject part): the memory
 * transport of every use of the c_glib generated code. */
#ifndef TD_THRIFT_BUFFER_H
#define TD_THRIFT_BUFFER_H

#include <glib-object.h>

/** A subclass of ThriftMemoryBuffer: create it with g_object_new, with
 * the same properties ("buf", "owner", "buf_size"). */
GType td_thrift_buffer_get_type(void);

#endif
