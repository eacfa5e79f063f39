#include "thrift_buffer.h"

#include <thrift/c_glib/transport/thrift_memory_buffer.h>

typedef struct TdThriftBuffer {
  ThriftMemoryBuffer parent;
} TdThriftBuffer;
typedef struct TdThriftBufferClass {
  ThriftMemoryBufferClass parent;
} TdThriftBufferClass;

G_DEFINE_TYPE(TdThriftBuffer, td_thrift_buffer, THRIFT_TYPE_MEMORY_BUFFER)

static void td_thrift_buffer_finalize(GObject *object) {
  G_OBJECT_CLASS(td_thrift_buffer_parent_class)->finalize(object);
  /* ThriftTransport has no finalize of its own: GObject's is next.  It
   * only clears the object's data list, which a second run (should a later
   * Thrift chain up itself) finds empty.  Were ThriftTransport to gain a
   * finalize, that Thrift would be one that chains up. */
  GObjectClass *transport = g_type_class_peek(THRIFT_TYPE_TRANSPORT);
  GObjectClass *base = g_type_class_peek(G_TYPE_OBJECT);
  if (transport->finalize == base->finalize)
    base->finalize(object);
}

static void td_thrift_buffer_class_init(TdThriftBufferClass *cls) {
  G_OBJECT_CLASS(cls)->finalize = td_thrift_buffer_finalize;
}

static void td_thrift_buffer_init(TdThriftBuffer *self) { (void)self; }
