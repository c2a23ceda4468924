/* worker.h: one job on a thread of its own, for event loops that must
 * never block: the job runs fn(arg); a descriptor becomes readable when it
 * has returned, so a loop can poll() it beside the keyboard. The feed's
 * job and the app's background loads run on it. */
#ifndef TRENDGUARD_WORKER_H
#define TRENDGUARD_WORKER_H

#include "trendguard/util.h"

typedef struct tg_worker tg_worker;

/* Starts fn(arg) on a new thread. arg must stay valid until worker_join.
 * NULL on failure (err set; fn was not run). */
tg_worker *worker_start(void (*fn)(void *arg), void *arg, tg_err *err);
/* Becomes readable when fn has returned; for poll(). */
int worker_fd(const tg_worker *w);
/* Non-zero once fn has returned (never blocks). */
int worker_done(const tg_worker *w);
/* Waits for fn to return, then frees the worker. Safe on NULL. */
void worker_join(tg_worker *w);

#endif
