/* worker.c: trendguard-train as one worker of a distributed run. It checks
 * and reads its shard (trendguard export --training-set), joins XGBoost's
 * collective through the tracker, boosts with the one-machine trainer's
 * parameters (libxgboost sums the histograms of every shard each round),
 * takes rank 0's early-stopping decision, and then gathers the whole
 * hold-out's predictions: every worker puts its hold-out lines' values in
 * their one-machine places of a zeroed buffer and the collective sums the
 * buffers, so rank 0 evaluates, picks the threshold, writes and registers
 * the model from exactly the numbers one machine would have. The prior-rate
 * baseline's threshold comes from a histogram of the training period
 * summed over the shards. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collective.h"
#include "train_int.h"
#include "trendguard/features.h"
#include "trendguard/registry.h"
#include "trendguard/shards.h"

#define PRIOR_F ((size_t)TG_F_product_prior_return_rate)

typedef struct worker {
    const tg_train_opts *o;
    tg_train_opts opts;        /* o with the manifest's hold-out */
    tg_shards_manifest man;
    tg_shard sh;
    tg_store *s;               /* rank 0: where the model is registered */
    long long counts[4];       /* n_train, pos_train, n_valid, pos_valid */
    long long *hist;           /* PRIOR_BINS x (negatives, positives) */
    float *hist_lo;            /* the lowest prior rate in each bin */
    float *prior_valid;        /* the hold-out lines' prior rates */
    DMatrixHandle mats[2];
    BoosterHandle b, best;
    float *p;                  /* the local hold-out's predictions */
    float *all;                /* the whole hold-out: 5 blocks of n_valid */
} worker;

/* The round watchdog: a round that takes longer than the timeout plus
 * four times the slowest round so far (the first: three timeouts; it
 * sketches the data too) is a hang Rabit did not catch. */
static struct {
    int rank, timeout, round;
    double started, slowest;
} pace;

static void pace_round(void)
{
    double now = tg_now_mono();
    if (pace.round > 0 && now - pace.started > pace.slowest)
        pace.slowest = now - pace.started;
    pace.started = now;
    pace.round++;
    int limit = pace.round == 1 ? 3 * pace.timeout
                                : pace.timeout + (int)(4 * pace.slowest) + 1;
    char msg[200];
    snprintf(msg, sizeof msg, "worker %d: round %d made no progress in %d s: "
             "a worker or the network hangs (--timeout %d)", pace.rank,
             pace.round, limit, pace.timeout);
    watchdog_arm(limit, msg, TG_EUNAVAIL);
}

static int agree(int state[2], tg_err *err)
{
    int rc = collective_broadcast(state, 2 * sizeof *state,
                                  "agreeing on early stopping", err);
    if (rc == TG_OK && !state[1])
        pace_round();
    return rc;
}

void train_hist_add(long long *hist, float *lo, float v, int pos)
{
    if (isnan(v))
        return;
    int b = (int)(v * PRIOR_BINS);
    b = b < 0 ? 0 : b >= PRIOR_BINS ? PRIOR_BINS - 1 : b;
    hist[2 * b + (pos != 0)]++;
    if (v < lo[b])
        lo[b] = v;
}

double train_hist_threshold(const long long *hist, const float *lo)
{
    long pos = 0, neg = 0;
    for (int b = 0; b < PRIOR_BINS; b++) {
        neg += (long)hist[2 * b];
        pos += (long)hist[2 * b + 1];
    }
    tg_confusion c = {0, 0, neg, pos};
    double best = metrics_accuracy(c), best_t = 1.0;
    for (int b = PRIOR_BINS - 1; b >= 0; b--) {
        long bn = (long)hist[2 * b], bp = (long)hist[2 * b + 1];
        if (bn + bp == 0)
            continue;
        c.tp += bp, c.fn -= bp, c.fp += bn, c.tn -= bn;
        double v = metrics_accuracy(c);
        float t = lo[b];
        if (v > best + 1e-12 ||
            (fabs(v - best) <= 1e-12 && fabs(t - 0.5) < fabs(best_t - 0.5))) {
            best = v;
            best_t = t;
        }
    }
    return best_t;
}

/* The local counts and prior-rate histogram of the training period, and
 * the hold-out's prior rates: all the worker keeps of its shard's rows
 * once the matrices hold them. */
static int local_summaries(worker *w, tg_err *err)
{
    const tg_shard *sh = &w->sh;
    w->hist = calloc(2 * PRIOR_BINS, sizeof *w->hist);
    w->hist_lo = malloc(PRIOR_BINS * sizeof *w->hist_lo);
    w->prior_valid = malloc((sh->n_valid ? sh->n_valid : 1) * sizeof(float));
    if (!w->hist || !w->hist_lo || !w->prior_valid)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    for (int b = 0; b < PRIOR_BINS; b++)
        w->hist_lo[b] = INFINITY;
    w->counts[0] = (long long)sh->n_train;
    w->counts[2] = (long long)sh->n_valid;
    for (size_t i = 0; i < sh->n_train; i++) {
        int pos = sh->y_train[i] > 0.5f;
        w->counts[1] += pos;
        train_hist_add(w->hist, w->hist_lo,
                       sh->x_train[i * TG_NUM_FEATURES + PRIOR_F], pos);
    }
    for (size_t j = 0; j < sh->n_valid; j++) {
        w->counts[3] += sh->y_valid[j] > 0.5f;
        w->prior_valid[j] = sh->x_valid[j * TG_NUM_FEATURES + PRIOR_F];
    }
    return TG_OK;
}

/* The matrices of the shard; the rows are then freed (libxgboost keeps its
 * own copy). Every worker builds both: building one is collective. */
static int build_matrices(worker *w, tg_err *err)
{
    tg_shard *sh = &w->sh;
    int rc = train_matrix(sh->x_train, sh->y_train, sh->n_train,
                          &w->mats[0], err);
    if (rc == TG_OK)
        rc = train_matrix(sh->x_valid, sh->y_valid, sh->n_valid,
                          &w->mats[1], err);
    free(sh->x_train);
    free(sh->x_valid);
    sh->x_train = sh->x_valid = NULL;
    return rc;
}

/* Puts the local hold-out in its places and sums over every worker; each
 * place must then be filled once. */
static int gather_holdout(worker *w, tg_holdout *h, tg_err *err)
{
    size_t n = (size_t)w->man.n_valid;
    const tg_shard *sh = &w->sh;
    if (!(w->all = calloc(5 * n, sizeof *w->all)))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    for (size_t j = 0; j < sh->n_valid; j++) {
        size_t at = (size_t)sh->row[j];
        w->all[at] = w->p[j];
        w->all[n + at] = sh->y_valid[j];
        w->all[2 * n + at] = sh->truth[j];
        w->all[3 * n + at] = w->prior_valid[j];
        w->all[4 * n + at] += 1;
    }
    int rc = collective_sum_float(w->all, 5 * n,
                                  "gathering the hold-out's predictions",
                                  err);
    for (size_t i = 0; rc == TG_OK && i < n; i++)
        if (w->all[4 * n + i] != 1)
            rc = tg_fail(err, TG_EDATA, "%s: hold-out row %zu is in %g "
                         "shards, not one: the shards are not one export's",
                         w->o->shards, i, (double)w->all[4 * n + i]);
    *h = (tg_holdout){n, w->all, w->all + n, w->all + 2 * n, w->all + 3 * n};
    return rc;
}

/* Rank 0: evaluates, writes and registers. */
static int finish(worker *w, const tg_holdout *h, tg_train_result *r,
                  tg_err *err)
{
    cJSON *m = train_evaluate(h, train_hist_threshold(w->hist, w->hist_lo),
                              w->best, &w->opts, r);
    int rc = m ? train_register(w->s, w->best, m, &w->opts, r, err)
               : tg_fail(err, TG_EINTERNAL, "out of memory");
    cJSON_Delete(m);
    return rc;
}

static int finish_together(worker *w, tg_train_result *r, tg_err *err);

/* Everything after joining: every step is collective until the end. */
static int train_together(worker *w, tg_train_result *r, tg_err *err)
{
    int rc = build_matrices(w, err);
    if (rc == TG_OK)
        rc = collective_sum_int64(w->counts, 4, "counting the lines", err);
    if (rc == TG_OK)
        rc = train_check_counts((long)w->counts[0], (long)w->counts[1],
                                (long)w->counts[2], (long)w->counts[3],
                                w->o->shards, w->man.valid_days, err);
    if (rc == TG_OK)
        rc = train_booster(w->mats, &w->opts, &w->b, err);
    pace.rank = w->o->rank;
    pace.timeout = w->o->timeout;
    pace_round();
    if (rc == TG_OK)
        rc = train_boost(w->b, w->mats, &w->opts, agree, r, err);
    char msg[200];
    snprintf(msg, sizeof msg, "worker %d: finishing made no progress in %d "
             "s: a worker or the network hangs", w->o->rank,
             3 * w->o->timeout);
    watchdog_arm(3 * w->o->timeout, msg, TG_EUNAVAIL);
    rc = rc == TG_OK ? finish_together(w, r, err) : rc;
    watchdog_disarm();
    return rc;
}

/* After boosting: the best rounds, the hold-out gathered, rank 0's
 * evaluation and registration, and its outcome for every worker. */
static int finish_together(worker *w, tg_train_result *r, tg_err *err)
{
    int rc = train_best(w->b, r->best_iteration, &w->best, err);
    if (rc == TG_OK)
        rc = train_predict(w->best, w->mats[1], w->sh.n_valid, &w->p, err);
    if (rc == TG_OK)
        rc = collective_sum_int64(w->hist, 2 * PRIOR_BINS,
                                  "summing the baseline's histogram", err);
    if (rc == TG_OK)
        rc = collective_min_float(w->hist_lo, PRIOR_BINS,
                                  "summing the baseline's histogram", err);
    tg_holdout h;
    if (rc == TG_OK)
        rc = gather_holdout(w, &h, err);
    if (rc != TG_OK)
        return rc;
    /* Rank 0 finishes; every worker then ends with its outcome. */
    int outcome[2] = {TG_OK, 0};
    if (w->o->rank == 0) {
        rc = finish(w, &h, r, err);
        outcome[0] = rc;
        outcome[1] = r->version;
    }
    int brc = collective_broadcast(outcome, sizeof outcome,
                                   "hearing how worker 0 finished", err);
    if (rc != TG_OK || brc != TG_OK)
        return rc != TG_OK ? rc : brc;
    r->version = outcome[1];
    if (outcome[0] != TG_OK)
        return tg_fail(err, outcome[0], "worker 0 could not write or "
                       "register the model (exit %d; see its error)",
                       outcome[0]);
    return TG_OK;
}

static void worker_free(worker *w)
{
    if (w->best)
        XGBoosterFree(w->best);
    if (w->b)
        XGBoosterFree(w->b);
    for (int i = 0; i < 2; i++)
        if (w->mats[i])
            XGDMatrixFree(w->mats[i]);
    free(w->hist);
    free(w->hist_lo);
    free(w->prior_valid);
    free(w->p);
    free(w->all);
    shards_free(&w->sh);
    shards_manifest_free(&w->man);
    if (w->s)
        store_close(w->s);
}

/* What is checked before joining, so that a worker that cannot take part
 * fails at once: its options against the manifest, rank 0's store, its
 * shard. */
static int prepare(worker *w, tg_err *err)
{
    const tg_train_opts *o = w->o;
    int rc = shards_manifest_read(o->shards, &w->man, err);
    if (rc != TG_OK)
        return rc;
    w->opts = *o;
    w->opts.valid_days = w->man.valid_days;
    if (o->world_size < 0)
        w->opts.world_size = w->man.nshards;
    else if (o->world_size != w->man.nshards)
        return tg_fail(err, TG_EUSAGE, "%s holds %d shards: the world size "
                       "must be %d, not %d", o->shards, w->man.nshards,
                       w->man.nshards, o->world_size);
    if (o->rank < 0 || o->rank >= w->man.nshards)
        return tg_fail(err, TG_EUSAGE, "the rank must be 0 to %d, not %d",
                       w->man.nshards - 1, o->rank);
    if (o->rank == 0 && !(w->s = store_open(o->db, 0, err)))
        return err->code;
    rc = shards_load(o->shards, &w->man, o->rank, &w->sh, err);
    return rc == TG_OK ? local_summaries(w, err) : rc;
}

int train_worker_run(const tg_train_opts *o, tg_train_result *r,
                     tg_err *err)
{
    worker w;
    memset(&w, 0, sizeof w);
    w.o = o;
    int rc = prepare(&w, err);
    if (rc == TG_OK) {
        tg_collective_opts co = {o->tracker_host, o->tracker_port, o->rank,
                                 w.opts.world_size, o->timeout};
        rc = collective_init(&co, err);
    }
    if (rc == TG_OK) {
        r->workers = w.opts.world_size;
        r->n_train = (long)w.man.n_train;
        r->n_valid = (long)w.man.n_valid;
        r->valid_from = w.man.valid_from;
        r->valid_to = w.man.valid_to;
        rc = train_together(&w, r, err);
    }
    worker_free(&w);
    if (rc == TG_OK)
        collective_finalize(TG_OK);
    else {
        free(r->metrics_json);
        r->metrics_json = NULL;
    }
    return rc;
}
