/* collective.h: the trainer's use of XGBoost's collective (Rabit in
 * libxgboost 1.7: XGCommunicatorInit and friends): joining the tracker,
 * sums and broadcasts between the workers, and the rules that keep a
 * worker from hanging: Rabit's own timeout on every wait inside a
 * collective call, and a watchdog for the waits Rabit does not bound
 * (joining, leaving, reporting a failure). */
#ifndef TRENDGUARD_COLLECTIVE_H
#define TRENDGUARD_COLLECTIVE_H

#include <stddef.h>

#include "trendguard/util.h"

typedef struct tg_collective_opts {
    const char *host; /* the tracker's address */
    int port;
    int rank;         /* this worker's rank: its shard */
    int world_size;
    int timeout;      /* seconds: the longest wait for the others */
} tg_collective_opts;

/* Joins the tracker and waits for every worker (bounded by the timeout;
 * the watchdog ends the process with 69 past it). TG_EUNAVAIL when the
 * tracker cannot be reached or the collective cannot start, TG_EUSAGE
 * when the tracker ranks this worker differently (two workers with one
 * rank, or a tracker that does not rank by task id). */
int collective_init(const tg_collective_opts *o, tg_err *err);
/* True between a successful collective_init and collective_finalize. */
int collective_active(void);
/* Tells the tracker this worker is done. When the tracker does not answer
 * within a few seconds, says so and ends the process with code (the
 * run's outcome, already decided). */
void collective_finalize(int code);
/* After a failure (already printed): tells the tracker that this worker
 * failed, with message (a tracker started by trendguard-train then ends);
 * past a few seconds the process ends with code. */
void collective_report_failure(const char *message, int code);

/* In-place sums and minimums over all workers, and a broadcast from rank
 * 0. TG_EUNAVAIL (message naming what was being done) when a worker is
 * gone or silent for the timeout. */
int collective_sum_double(double *v, size_t n, const char *what,
                          tg_err *err);
int collective_sum_float(float *v, size_t n, const char *what, tg_err *err);
int collective_sum_int64(long long *v, size_t n, const char *what,
                         tg_err *err);
int collective_min_float(float *v, size_t n, const char *what, tg_err *err);
int collective_broadcast(void *buf, size_t n, const char *what,
                         tg_err *err);

/* The code for a libxgboost failure while the collective is active:
 * TG_EUNAVAIL when the message says a link broke or timed out, else
 * TG_EINTERNAL; and a sentence saying what happened into buf. */
int collective_classify(const char *xgb_message, const char *what,
                        char *buf, size_t n);

/* The watchdog: ends the process with code, after printing
 * "trendguard-train: message" (nothing when message is NULL), unless
 * disarmed within seconds. */
void watchdog_arm(int seconds, const char *message, int code);
void watchdog_disarm(void);

#endif
