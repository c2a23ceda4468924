/* train_int.h: the steps the one-machine trainer (train.c) and a worker of
 * the distributed one (worker.c) share: the data matrices, the booster and
 * its parameters, the boosting loop with early stopping, the best rounds,
 * the hold-out's evaluation and the model's saving and registration. Not
 * public. */
#ifndef TRENDGUARD_TRAIN_INT_H
#define TRENDGUARD_TRAIN_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <xgboost/c_api.h>

#include "train.h"
#include "trendguard/store.h"

/* A libxgboost failure as an error: the last error's first line (a
 * collective failure is TG_EUNAVAIL, see collective_classify). */
int train_xgb_fail(tg_err *err, const char *what);

/* A DMatrix of n rows of the model's features, labelled, named, typed. */
int train_matrix(const float *x, const float *y, size_t n,
                 DMatrixHandle *out, tg_err *err);

/* A booster over mats (train, valid) with the trainer's parameters. */
int train_booster(DMatrixHandle mats[2], const tg_train_opts *o,
                  BoosterHandle *out, tg_err *err);

/* Called after each round's evaluation on every worker with
 * state = {best round, stop}: makes every worker take rank 0's decision. */
typedef int (*train_agree_fn)(int state[2], tg_err *err);

/* Boosts up to o->rounds, early stopping on the hold-out log loss; sets
 * r->rounds_run and r->best_iteration. agree may be NULL. */
int train_boost(BoosterHandle b, DMatrixHandle mats[2],
                const tg_train_opts *o, train_agree_fn agree,
                tg_train_result *r, tg_err *err);

/* The first best_iteration + 1 rounds of b as a booster of their own,
 * with the feature names (the app matches features by name). */
int train_best(BoosterHandle b, int best_iteration, BoosterHandle *out,
               tg_err *err);

/* Predictions of b on m (n rows) into a new array *p. */
int train_predict(BoosterHandle b, DMatrixHandle m, size_t n, float **p,
                  tg_err *err);

/* The hold-out, in the one-machine order: predictions, labels, the true
 * probabilities (NaN unknown) and the product_prior_return_rate feature. */
typedef struct tg_holdout {
    size_t n;
    const float *p, *y, *truth, *prior;
} tg_holdout;

/* The metrics of the hold-out (into r, and as JSON): the model's, the
 * oracle's, the baselines (the product prior rate alone at
 * prior_threshold, picked on the training period), the importance of b's
 * features and the parameters. NULL without memory. */
cJSON *train_evaluate(const tg_holdout *h, double prior_threshold,
                      BoosterHandle b, const tg_train_opts *o,
                      tg_train_result *r);

/* Numbers the model, writes it (o->out or next to the store) and the
 * metrics, and registers both in s. */
int train_register(tg_store *s, BoosterHandle b, cJSON *m,
                   const tg_train_opts *o, tg_train_result *r, tg_err *err);

/* Checks before the work: the model path ends in .json. */
int train_check_out(const tg_train_opts *o, tg_err *err);

/* Refuses a split with an empty side or one class only, from counts. */
int train_check_counts(long n_train, long pos_train, long n_valid,
                       long pos_valid, const char *where, int valid_days,
                       tg_err *err);

/* The prior-rate baseline's threshold over every shard (worker.c): a
 * histogram of PRIOR_BINS bins over [0, 1] (negatives and positives per
 * bin, 2 * PRIOR_BINS counts) with the lowest rate of each bin (start at
 * INFINITY), which the workers sum and take the minimum of; the threshold
 * is metrics_best_threshold_accuracy's sweep over the bins, each bin's
 * lowest rate its candidate: the same answer whenever no bin holds two
 * distinct rates. NaN rates are left out. */
#define PRIOR_BINS 65536
void train_hist_add(long long *hist, float *lo, float v, int pos);
double train_hist_threshold(const long long *hist, const float *lo);

/* The worker (worker.c). */
int train_worker_run(const tg_train_opts *o, tg_train_result *r,
                     tg_err *err);

#endif
