/* launch.h: the tracker (XGBoost's own, from python3-xgboost) and the
 * one-machine launcher: `trendguard-train --run-tracker HOST:PORT
 * --world-size N` and `trendguard-train --workers N`. */
#ifndef TRENDGUARD_LAUNCH_H
#define TRENDGUARD_LAUNCH_H

#include "train.h"

/* Runs the tracker in the foreground until every worker has finished (0),
 * a worker reports a failure (69), not all have joined timeout (+5) s
 * after the first (69), or it cannot start (69). Replaces the process with
 * Python; returns only on failure, with err set. */
int launch_tracker(const char *host, int port, int world_size, int timeout,
                   tg_err *err);

/* The most workers --workers starts. */
#define LAUNCH_MAX_WORKERS 64

/* What a local run took. */
typedef struct tg_launch_stats {
    double export_seconds;  /* 0 with given shards */
    double train_seconds;   /* from starting the tracker to the last exit */
    long peak_kib[LAUNCH_MAX_WORKERS]; /* each worker's peak memory */
} tg_launch_stats;

/* Trains with n local workers: exports n shards of o->db into a temporary
 * folder (or uses o->shards, checked first), starts the tracker on
 * 127.0.0.1 and the workers (this program, --rank 0..n-1; rank 0 prints
 * the summary), waits for all of them and stops the tracker. Returns 0,
 * or the first failed worker's exit code (69 for one ended by a signal)
 * with err naming how each worker ended. st may be NULL. */
int launch_workers(const tg_train_opts *o, int n, tg_launch_stats *st,
                   tg_err *err);

#endif
