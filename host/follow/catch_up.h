/* Bringing instances a reload added up to date: each stream followed is
 * read again from its start, for them alone, up to where the live reader
 * is, so that they have every stream's whole state before the next live
 * record. */
#ifndef TD_CATCH_UP_H
#define TD_CATCH_UP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dispatcher.h"

/**
 * For each stream open in `d` (td_dispatcher_stream_at), the pending
 * targets get on_stream_open, then every record up to the live reader's
 * position (history = 1); then they are pending no more.  A stream that
 * cannot be read again is reported (one line) and skipped.  Returns false
 * once an instance with on_error = abort failed.
 */
bool td_catch_up(td_dispatcher *d, bool truncate, size_t max_processes,
                 uint32_t max_record_size);

#endif
