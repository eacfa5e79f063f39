/* The worker process of an isolated instance: the host's own core
 * (framing, decoder, state machine, dispatcher) run on the records the
 * host sends, for the one instance it loads. */
#ifndef TD_ISOLATE_WORKER_H
#define TD_ISOLATE_WORKER_H

/** The worker's main: reads its channel until STOP or the host is gone;
 * returns the exit status (64 when not started by a host). */
int td_worker_main(void);

#endif
