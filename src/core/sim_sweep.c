/* sim_sweep.c: what the simulation's figure hangs on (`trendguard simulate
 * --sweep`). Each seed's world and carts are drawn once; then the engine
 * and its shadow are played at the default assumptions and with every
 * assumption that can move a return set in turn to its low and its high
 * value (its source's range, or half and double for an invented one), the
 * seeds side by side on threads of their own; each run's figure is the
 * paired reduction, averaged over the seeds. Last, the smallest common
 * multiplier of the accept rates that reaches the target: a coarse step
 * from 1 up to the largest tried, then halving the bracket it falls in. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

enum { SWEEP_MAX_SEEDS = 8, SWEEP_HALVINGS = 3 };

typedef struct seed_run {
    sim_ctx s;
    tg_sim_opts o;
    tg_sim_assume a;
    double reduction;
    int rc;
    tg_err err;
} seed_run;

typedef struct sweep_ctx {
    seed_run *runs;
    int seeds, done, total;
    const tg_sim_opts *o;
} sweep_ctx;

static void *seed_thread(void *arg)
{
    seed_run *x = arg;
    tg_sim_result r;
    x->rc = sim_play(&x->s, &x->a, &r, &x->err);
    if (x->rc == TG_OK)
        x->reduction = r.cmp[TG_SIM_ENGINE].paired;
    sim_result_free(&r);
    return NULL;
}

/* The paired reduction with assumptions a, averaged over the seeds (each
 * in *per when not NULL). */
static int run_all(sweep_ctx *w, const tg_sim_assume *a, double *mean,
                   double *per, tg_err *err)
{
    for (int i = 0; i < w->seeds; i++)
        w->runs[i].a = *a;
    tg_parallel(seed_thread, w->runs, sizeof *w->runs, w->seeds);
    double sum = 0;
    for (int i = 0; i < w->seeds; i++) {
        if (w->runs[i].rc)
            return tg_fail(err, w->runs[i].rc, "%s", w->runs[i].err.msg);
        sum += w->runs[i].reduction;
        if (per)
            per[i] = w->runs[i].reduction;
    }
    *mean = sum / w->seeds;
    w->done++;
    if (w->o->progress)
        w->o->progress(w->o->ud, (double)w->done / w->total, "sweeping");
    return TG_OK;
}

static int cmp_swing(const void *x, const void *y)
{
    const tg_sweep_row *a = x, *b = y;
    double sa = fabs(a->reduction_high - a->reduction_low);
    double sb = fabs(b->reduction_high - b->reduction_low);
    return (sa < sb) - (sa > sb);
}

/* Every assumption that can move a return at its low and high value. */
static int sweep_params(sweep_ctx *w, const tg_sim_param *p, int np,
                        tg_sweep *sw, tg_err *err)
{
    const tg_sim_assume *a0 = w->o->assume;
    for (int k = 0; k < np; k++) {
        if (!p[k].moves_returns) {
            sw->fixed[sw->n_fixed++] = p[k];
            continue;
        }
        tg_sweep_row *row = &sw->rows[sw->n++];
        row->p = p[k];
        tg_sim_assume a = *a0;
        sim_assume_set(&a, k, p[k].low);
        int rc = p[k].low == p[k].value
                     ? (row->reduction_low = sw->base, TG_OK)
                     : run_all(w, &a, &row->reduction_low, NULL, err);
        if (rc)
            return rc;
        a = *a0;
        sim_assume_set(&a, k, p[k].high);
        rc = p[k].high == p[k].value
                 ? (row->reduction_high = sw->base, TG_OK)
                 : run_all(w, &a, &row->reduction_high, NULL, err);
        if (rc)
            return rc;
    }
    qsort(sw->rows, (size_t)sw->n, sizeof *sw->rows, cmp_swing);
    return TG_OK;
}

/* The paired reduction with every accept rate times m. */
static int at_multiplier(sweep_ctx *w, double m, double *out, tg_err *err)
{
    tg_sim_assume a = *w->o->assume;
    for (int k = 0; k < TG_NUM_ACTIONS; k++)
        a.accept[k] = fmin(1, a.accept[k] * m);
    return run_all(w, &a, out, NULL, err);
}

/* The smallest common multiplier of the accept rates reaching the target:
 * steps of 0.5 up to the largest, then halving the bracket. */
static int find_multiplier(sweep_ctx *w, tg_sweep *sw, tg_err *err)
{
    double lo = 1, lo_r = sw->base, hi = NAN, hi_r = NAN;
    int rc = TG_OK;
    sw->multiplier = NAN;
    if (sw->base >= sw->target) {
        sw->multiplier = 1;
        sw->reduction_at_multiplier = sw->base;
    }
    for (double m = 1.5; rc == TG_OK && isnan(sw->multiplier) &&
                         isnan(hi) && m <= sw->max_multiplier + 1e-9;
         m += 0.5) {
        double r;
        rc = at_multiplier(w, m, &r, err);
        if (rc == TG_OK && r >= sw->target) {
            hi = m;
            hi_r = r;
        } else if (rc == TG_OK) {
            lo = m;
            lo_r = r;
        }
        if (m >= sw->max_multiplier - 1e-9)
            sw->reduction_at_max = r;
    }
    if (rc || isnan(hi))
        return rc;
    for (int h = 0; rc == TG_OK && h < SWEEP_HALVINGS; h++) {
        double mid = (lo + hi) / 2, r;
        rc = at_multiplier(w, mid, &r, err);
        if (rc == TG_OK && r >= sw->target)
            hi = mid, hi_r = r;
        else if (rc == TG_OK)
            lo = mid, lo_r = r;
    }
    (void)lo_r;
    sw->multiplier = hi;
    sw->reduction_at_multiplier = hi_r;
    return rc;
}

static void release(sweep_ctx *w)
{
    for (int i = 0; i < w->seeds; i++)
        sim_release(&w->runs[i].s);
    free(w->runs);
}

int sim_sweep(const tg_sim_opts *o, int seeds, tg_sweep *sw, tg_err *err)
{
    double t0 = tg_now_mono();
    memset(sw, 0, sizeof *sw);
    if (seeds < 1 || seeds > SWEEP_MAX_SEEDS)
        return tg_fail(err, TG_EUSAGE, "simulate: a sweep runs 1 to %d "
                       "seeds", SWEEP_MAX_SEEDS);
    sw->seeds = seeds;
    sw->shoppers = o->shoppers;
    sw->months = o->months;
    sw->model_version = o->model ? o->model_version : 0;
    sw->target = 0.25;
    sw->max_multiplier = 3;
    sw->multiplier_step = 0.5 / (1 << SWEEP_HALVINGS);
    sw->reduction_at_max = sw->reduction_at_multiplier = NAN;
    tg_sim_param p[2 * TG_SIM_MAX_PARAMS];
    int np = sim_assume_params(o->assume, p, 2 * TG_SIM_MAX_PARAMS), moving = 0;
    for (int k = 0; k < np; k++)
        moving += p[k].moves_returns;
    sweep_ctx w = {calloc((size_t)seeds, sizeof *w.runs), seeds, 0,
                   1 + 2 * moving + 8, o};
    if (!w.runs)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int rc = TG_OK;
    for (int i = 0; rc == TG_OK && i < seeds; i++) {
        seed_run *x = &w.runs[i];
        x->o = *o;
        x->o.seed = o->seed + (uint64_t)i;
        x->o.engine_only = 1;
        x->o.threads = 1; /* the seeds run side by side */
        x->o.progress = NULL;
        rc = sim_prepare(&x->s, &x->o, err);
    }
    if (rc == TG_OK)
        rc = run_all(&w, o->assume, &sw->base, sw->base_seed, err);
    if (rc == TG_OK)
        rc = sweep_params(&w, p, np, sw, err);
    if (rc == TG_OK)
        rc = find_multiplier(&w, sw, err);
    release(&w);
    sw->seconds = tg_now_mono() - t0;
    return rc;
}

/* ---- JSON -------------------------------------------------------------------- */

static double rnd(double x)
{
    return floor(x * 1e6 + 0.5) / 1e6;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, rnd(v));
    else
        cJSON_AddNullToObject(o, k);
}

char *sim_sweep_json(const tg_sweep *sw)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "seeds", sw->seeds);
    add_num(o, "shoppers", sw->shoppers);
    add_num(o, "months", sw->months);
    if (sw->model_version > 0)
        add_num(o, "model_version", sw->model_version);
    else
        cJSON_AddNullToObject(o, "model_version");
    add_num(o, "base", sw->base);
    cJSON *bs = cJSON_AddArrayToObject(o, "base_by_seed");
    for (int i = 0; i < sw->seeds; i++)
        cJSON_AddItemToArray(bs, cJSON_CreateNumber(rnd(sw->base_seed[i])));
    cJSON *as = cJSON_AddArrayToObject(o, "assumptions");
    for (int i = 0; i < sw->n; i++) {
        const tg_sweep_row *r = &sw->rows[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", r->p.name);
        cJSON_AddBoolToObject(e, "sourced", r->p.sourced);
        add_num(e, "value", r->p.value);
        add_num(e, "low", r->p.low);
        add_num(e, "high", r->p.high);
        add_num(e, "reduction_low", r->reduction_low);
        add_num(e, "reduction_high", r->reduction_high);
        cJSON_AddItemToArray(as, e);
    }
    cJSON *ns = cJSON_AddArrayToObject(o, "not_swept");
    for (int i = 0; i < sw->n_fixed; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", sw->fixed[i].name);
        cJSON_AddBoolToObject(e, "sourced", sw->fixed[i].sourced);
        cJSON_AddStringToObject(e, "why", "moves no return (money counted "
                                          "after the fact, satisfaction, "
                                          "the split, the scale)");
        cJSON_AddItemToArray(ns, e);
    }
    cJSON *nd = cJSON_AddObjectToObject(o, "needed_for_25");
    add_num(nd, "target", sw->target);
    add_num(nd, "acceptance_multiplier", sw->multiplier);
    add_num(nd, "reduction", sw->reduction_at_multiplier);
    add_num(nd, "step", sw->multiplier_step);
    add_num(nd, "largest_tried", sw->max_multiplier);
    add_num(nd, "reduction_at_largest", sw->reduction_at_max);
    add_num(o, "seconds", sw->seconds);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}
