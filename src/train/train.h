/* train.h: trains the regret-risk model with libxgboost on the store's
 * training set, evaluates it on a later hold-out period, saves XGBoost's
 * JSON and registers it. */
#ifndef TRENDGUARD_TRAIN_H
#define TRENDGUARD_TRAIN_H

#include <stdint.h>

#include "trendguard/metrics.h"
#include "trendguard/util.h"

typedef struct tg_train_opts {
    const char *db;
    const char *out;          /* NULL: next to the store */
    const char *metrics_path; /* NULL: not written */
    int rounds;               /* most boosting rounds */
    int early_stop;           /* rounds without hold-out improvement */
    int max_depth;
    double eta;
    uint64_t seed;
    int valid_days;
    int nthread;
    /* Called after each round: round (0-based), total, and the train and
     * hold-out log loss and AUC. */
    void (*on_round)(void *ud, int round, int total, const double ev[4]);
    void *ud;
    /* Distributed training: a worker trains on shard `rank` of the
     * folder `shards` (trendguard export --training-set) with world_size
     * workers that meet through the tracker; rank 0 evaluates over every
     * shard, writes and registers the model. */
    const char *shards;
    const char *tracker_host;
    int tracker_port;
    int rank, world_size;     /* -1 when not given */
    int timeout;              /* seconds: the longest wait for the others */
    int json;                 /* the summary as JSON: the launcher passes
                               * --json to worker 0 */
} tg_train_opts;

typedef struct tg_train_result {
    int version;
    char model_path[4096];
    long n_train, n_valid;
    int rounds_run, best_iteration;
    double threshold, threshold_f1;
    tg_confusion confusion;
    double accuracy, balanced_accuracy, auc, logloss, brier;
    double precision, recall, f1;
    int has_oracle;
    double oracle_accuracy, oracle_auc;
    double majority_accuracy, prior_accuracy, prior_auc;
    int64_t valid_from, valid_to;
    int workers;        /* 0 on one machine, else the world size */
    char *metrics_json; /* caller frees */
} tg_train_result;

/* Defaults: 600 rounds, early stop 40, depth 6, eta 0.08, seed 1, 30 days,
 * nthread 0 (all cores); not distributed (rank and world size -1), a
 * 120 s timeout. */
void train_defaults(tg_train_opts *o);
/* Trains on one machine from the store, or, with o->shards, as one worker
 * of a distributed run. */
int train_run(const tg_train_opts *o, tg_train_result *r, tg_err *err);

#endif
