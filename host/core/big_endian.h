/* Big-endian integers, as checkpoint streams store them (the framing's
 * length prefix and Thrift's binary protocol), read from bytes that need
 * not be aligned. */
#ifndef TD_BIG_ENDIAN_H
#define TD_BIG_ENDIAN_H

#include <stdint.h>

static inline uint32_t td_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

static inline uint64_t td_be64(const uint8_t *p) {
  return (uint64_t)td_be32(p) << 32 | td_be32(p + 4);
}

#endif
