/* sim_batch.c: the engine's scoring in the simulation: the features of
 * every treated line of a day, scored with the model in one batch split
 * over the threads (probability for every line, TreeSHAP contributions for
 * those at or above the medium band, where the engine needs its drivers). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

typedef struct score_job {
    const tg_model *m;
    batch *b;
    size_t nf, from, to;
    double band;
    int failed;
} score_job;

static void *score_thread(void *arg)
{
    score_job *j = arg;
    batch *b = j->b;
    if (j->to <= j->from)
        return NULL;
    model_predict_batch(j->m, b->rows + j->from * j->nf, j->to - j->from,
                        b->p + j->from, 0);
    for (size_t i = j->from; i < j->to; i++) {
        if (!(b->p[i] >= j->band))
            continue;
        tg_err e = {0};
        if (model_contribs(j->m, b->rows + i * j->nf,
                           b->con + i * (j->nf + 1), &e) != TG_OK)
            j->failed = 1;
    }
    return NULL;
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
        if (!x || !r || !p || !c)
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
            b->n++;
        }
    }
    b->first[b->n_orders] = b->n;
    if (!s->o->model || b->n == 0)
        return TG_OK;
    int nt = s->threads < 1 ? 1 : s->threads > 8 ? 8 : s->threads;
    score_job jobs[8];
    pthread_t tid[8];
    int started[8] = {0};
    for (int t = 0; t < nt; t++) {
        jobs[t] = (score_job){s->o->model, b, s->nf, b->n * (size_t)t / nt,
                              b->n * (size_t)(t + 1) / nt,
                              s->o->catalog->band_medium, 0};
        if (t > 0)
            started[t] = pthread_create(&tid[t], NULL, score_thread,
                                        &jobs[t]) == 0;
    }
    score_thread(&jobs[0]);
    int failed = jobs[0].failed;
    for (int t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            score_thread(&jobs[t]);
        failed |= jobs[t].failed;
    }
    return failed ? tg_fail(err, TG_EINTERNAL, "out of memory scoring")
                  : TG_OK;
}

void sim_batch_free(batch *b)
{
    free(b->x);
    free(b->rows);
    free(b->p);
    free(b->con);
    free(b->first);
    memset(b, 0, sizeof *b);
}
