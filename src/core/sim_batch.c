/* sim_batch.c: the engine's scoring in the simulation: the features of
 * every treated line of a day, scored with the model in one batch split
 * over the threads: the probability of every line, then the model's
 * contributions only where the engine reads drivers (the riskiest line of
 * each item, when at or above the medium band). The contributions are the
 * path ones (Saabas, libxgboost's approx_contribs: like TreeSHAP they add
 * up to the margin, at the cost of a prediction instead of some fifty):
 * TreeSHAP took four fifths of a run; the app and `score` keep TreeSHAP
 * for the reasons they show. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

typedef struct score_job {
    const tg_model *m;
    batch *b;
    size_t nf, from, to;
    int contribs;             /* 0: predict rows; 1: explain b->need[] */
    int failed;
} score_job;

static void *score_thread(void *arg)
{
    score_job *j = arg;
    batch *b = j->b;
    if (j->to <= j->from)
        return NULL;
    if (!j->contribs) {
        model_predict_batch(j->m, b->rows + j->from * j->nf,
                            j->to - j->from, b->p + j->from, 0);
        return NULL;
    }
    size_t nf = j->nf;
    for (size_t k = j->from; k < j->to; k++)
        model_contribs_approx(j->m, b->rows + b->need[k] * nf,
                              b->con + b->need[k] * (nf + 1));
    return NULL;
}

/* Runs the jobs over [0, n) on the threads; returns nonzero on failure. */
static int run_jobs(const sim_ctx *s, batch *b, size_t n, int contribs)
{
    int nt = s->threads < 1 ? 1 : s->threads > 8 ? 8 : s->threads;
    score_job jobs[8];
    for (int t = 0; t < nt; t++)
        jobs[t] = (score_job){s->o->model, b, s->nf, n * (size_t)t / nt,
                              n * (size_t)(t + 1) / nt, contribs, 0};
    tg_parallel(score_thread, jobs, sizeof *jobs, nt);
    int failed = 0;
    for (int t = 0; t < nt; t++)
        failed |= jobs[t].failed;
    return failed;
}

/* The rows whose drivers the engine will read: per order and item, the
 * line with the highest score (the first on a tie, as the engine picks
 * it), when it reaches the medium band. */
static size_t mark_needed(const sim_ctx *s, batch *b)
{
    double band = s->o->catalog->band_medium;
    size_t n = 0;
    for (size_t o = 0; o < b->n_orders; o++) {
        size_t a = b->first[o], z = b->first[o + 1];
        for (size_t i = a; i < z; i++) {
            int seen = 0;
            for (size_t k = a; k < i && !seen; k++)
                seen = b->prod[k] == b->prod[i];
            if (seen)
                continue; /* not the item's first line */
            size_t rep = i;
            for (size_t k = i + 1; k < z; k++)
                if (b->prod[k] == b->prod[i] && b->p[k] > b->p[rep])
                    rep = k;
            if (b->p[rep] >= band)
                b->need[n++] = rep;
        }
    }
    return n;
}

static int batch_room(batch *b, size_t rows, size_t nf)
{
    if (b->n + rows > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 4096;
        while (nc < b->n + rows)
            nc *= 2;
        float *x = realloc(b->x, nc * TG_NUM_FEATURES * sizeof *x);
        if (x)
            b->x = x;
        float *r = realloc(b->rows, nc * (nf ? nf : 1) * sizeof *r);
        if (r)
            b->rows = r;
        float *p = realloc(b->p, nc * sizeof *p);
        if (p)
            b->p = p;
        float *c = realloc(b->con, nc * (nf + 1) * sizeof *c);
        if (c)
            b->con = c;
        int32_t *pr = realloc(b->prod, nc * sizeof *pr);
        if (pr)
            b->prod = pr;
        size_t *nd = realloc(b->need, nc * sizeof *nd);
        if (nd)
            b->need = nd;
        if (!x || !r || !p || !c || !pr || !nd)
            return -1;
        b->cap = nc;
    }
    if (b->n_orders + 2 > b->cap_orders) {
        size_t nc = b->cap_orders ? b->cap_orders * 2 : 1024;
        size_t *f = realloc(b->first, nc * sizeof *f);
        if (!f)
            return -1;
        b->first = f;
        b->cap_orders = nc;
    }
    return 0;
}

/* Features and scores of the engine's lines for the day's treated carts
 * orders[from, to). */
int sim_engine_batch(sim_ctx *s, size_t from, size_t to, batch *b,
                        tg_err *err)
{
    sim_arm_state *st = &s->arm[TG_SIM_ENGINE];
    b->n = b->n_orders = 0;
    /* Room for the closing entry of first[] even on a day without a
     * treated cart. */
    if (batch_room(b, 0, s->nf))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    for (size_t i = from; i < to; i++) {
        const sim_order *so = &s->orders[i];
        if (!so->treat)
            continue;
        if (batch_room(b, so->n, s->nf))
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        b->first[b->n_orders++] = b->n;
        tg_order o;
        sim_rebuild(s, so, &o);
        for (int k = 0; k < o.n; k++) {
            float *x = b->x + b->n * TG_NUM_FEATURES;
            sim_features(s, st, so, &o, k, x);
            float *row = b->rows + b->n * (s->nf ? s->nf : 1);
            for (size_t f = 0; f < s->nf; f++)
                row[f] = x[s->map[f]];
            b->p[b->n] = NAN;
            b->prod[b->n] = o.lines[k].product;
            b->n++;
        }
    }
    b->first[b->n_orders] = b->n;
    if (!s->o->model || b->n == 0)
        return TG_OK;
    if (run_jobs(s, b, b->n, 0) || run_jobs(s, b, mark_needed(s, b), 1))
        return tg_fail(err, TG_EINTERNAL, "out of memory scoring");
    return TG_OK;
}

void sim_batch_free(batch *b)
{
    free(b->x);
    free(b->rows);
    free(b->p);
    free(b->con);
    free(b->first);
    free(b->prod);
    free(b->need);
    memset(b, 0, sizeof *b);
}
