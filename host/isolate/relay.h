/* The host's side of an isolated instance: a dispatcher target that
 * forwards each stream's records to the instance's worker process, counts
 * what the worker acknowledged, and restarts it (with backoff) when it
 * dies or stops answering, so that nothing is lost. */
#ifndef TD_ISOLATE_RELAY_H
#define TD_ISOLATE_RELAY_H

#include <stdbool.h>

#include "config/config.h"
#include "plugin/instance.h"

typedef struct td_relay td_relay;

/** Starts the worker of `in` (isolation = process) and waits for its
 * init; makes `in->target` the relay.  False once reported (the worker
 * says what was wrong with the instance; the host, what was wrong with
 * the worker). */
bool td_relay_start(td_instance *in, const td_config *cfg, bool recovery);

/** Delivers everything queued (restarting a dead worker if need be),
 * then fini in the worker, and waits for it to exit. */
void td_relay_stop(td_instance *in);

/** Delivers everything queued (restarting a dead worker if need be) and
 * waits for the worker's acknowledgements. */
void td_relay_drain(td_instance *in);

/** Frees the relay of `in` (killing a worker still running). */
void td_relay_free(td_instance *in);

#endif
