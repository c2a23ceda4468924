/* sim_sweep.c: what the simulation's figure hangs on (`trendguard simulate
 * --sweep`). Each seed's world and carts are drawn once; then the engine
 * and its shadow are played at the default assumptions and with every
 * assumption that can move a figure set in turn to its low and its high
 * value (its source's range, or half and double for an invented one), the
 * seeds side by side on threads of their own; each run's figure is the
 * paired reduction, the change of satisfaction and the resale value
 * recovered, averaged over the seeds. Last, the smallest common
 * multiplier of the accept rates that reaches the target: a coarse step
 * from 1 up to the largest tried, then halving the bracket it falls in. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

enum { SWEEP_MAX_SEEDS = 8, SWEEP_HALVINGS = 3 };

typedef struct seed_run {
    sim_ctx s;
    tg_sim_opts o;
    tg_sim_assume a;
    tg_sweep_figures f;
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
    if (x->rc == TG_OK) {
        x->f.reduction = r.cmp[TG_SIM_ENGINE].paired;
        x->f.satisfaction = r.cmp[TG_SIM_ENGINE].satisfaction_change;
        x->f.resale = r.scale_resale.total;
    }
    sim_result_free(&r);
    return NULL;
}

/* The figures with assumptions a, averaged over the seeds (each seed's
 * paired reduction in *per when not NULL). */
static int run_all(sweep_ctx *w, const tg_sim_assume *a, tg_sweep_figures *mean,
                   double *per, tg_err *err)
{
    for (int i = 0; i < w->seeds; i++)
        w->runs[i].a = *a;
    tg_parallel(seed_thread, w->runs, sizeof *w->runs, w->seeds);
    tg_sweep_figures sum = {0, 0, 0};
    for (int i = 0; i < w->seeds; i++) {
        const seed_run *x = &w->runs[i];
        if (x->rc)
            return tg_fail(err, x->rc, "%s", x->err.msg);
        sum.reduction += x->f.reduction;
        sum.satisfaction += x->f.satisfaction;
        sum.resale += x->f.resale;
        if (per)
            per[i] = x->f.reduction;
    }
    mean->reduction = sum.reduction / w->seeds;
    mean->satisfaction = sum.satisfaction / w->seeds;
    mean->resale = sum.resale / w->seeds;
    w->done++;
    if (w->o->progress)
        w->o->progress(w->o->ud, (double)w->done / w->total, "sweeping");
    return TG_OK;
}

/* Whether assumption p can move a figure of this sweep: it moves one,
 * and the action it needs (if any) is on in the catalogue. */
static int sweepable(const tg_nudge_catalog *c, const tg_sim_param *p)
{
    if (!p->moves)
        return 0;
    if (p->needs_action < 0)
        return 1;
    for (int i = 0; i < c->n; i++)
        if (c->nudges[i].action == p->needs_action && nudge_catalog_on(c, i))
            return 1;
    return 0;
}

/* Assumption k at v: the figures there (the defaults' when v is its
 * value). */
static int run_at(sweep_ctx *w, const tg_sim_param *p, int k, double v,
                  const tg_sweep *sw, tg_sweep_figures *out, tg_err *err)
{
    if (v == p->value) {
        *out = sw->base_all;
        return TG_OK;
    }
    tg_sim_assume a = *w->o->assume;
    sim_assume_set(&a, k, v);
    return run_all(w, &a, out, NULL, err);
}

static int cmp_swing(const void *x, const void *y)
{
    const tg_sweep_row *a = x, *b = y;
    double sa = fabs(a->reduction_high - a->reduction_low);
    double sb = fabs(b->reduction_high - b->reduction_low);
    return (sa < sb) - (sa > sb);
}

/* Every assumption that can move a figure at its low and high value. */
static int sweep_params(sweep_ctx *w, const tg_sim_param *p, int np,
                        tg_sweep *sw, tg_err *err)
{
    for (int k = 0; k < np; k++) {
        if (!sweepable(w->o->catalog, &p[k])) {
            sw->fixed[sw->n_fixed++] = p[k];
            continue;
        }
        tg_sweep_row *row = &sw->rows[sw->n++];
        row->p = p[k];
        int rc = run_at(w, &p[k], k, p[k].low, sw, &row->at_low, err);
        if (rc == TG_OK)
            rc = run_at(w, &p[k], k, p[k].high, sw, &row->at_high, err);
        if (rc)
            return rc;
        row->reduction_low = row->at_low.reduction;
        row->reduction_high = row->at_high.reduction;
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
    tg_sweep_figures f;
    int rc = run_all(w, &a, &f, NULL, err);
    *out = f.reduction;
    return rc;
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
        moving += sweepable(o->catalog, &p[k]);
    for (int i = 0; i < o->catalog->n; i++) {
        if (!o->catalog->nudges[i].what_if)
            continue;
        int on = nudge_catalog_on(o->catalog, i);
        tg_strlcpy(sw->what_if_ids[sw->n_what_if], o->catalog->nudges[i].id,
                   sizeof sw->what_if_ids[0]);
        sw->what_if_on[sw->n_what_if++] = (unsigned char)on;
        if (on)
            snprintf(sw->what_if + strlen(sw->what_if),
                     sizeof sw->what_if - strlen(sw->what_if), "%s%s",
                     sw->what_if[0] ? "," : "", o->catalog->nudges[i].id);
    }
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
        rc = run_all(&w, o->assume, &sw->base_all, sw->base_seed, err);
    sw->base = sw->base_all.reduction;
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

/* Why an assumption was not swept. */
static const char *fixed_why(const tg_sim_param *p)
{
    if (!p->moves)
        return "moves no figure here (the sweep treats every shopper)";
    return "needs a nudge that is off (a what-if: simulate --what-if)";
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
    add_num(o, "base_satisfaction", sw->base_all.satisfaction);
    add_num(o, "base_resale", sw->base_all.resale);
    /* The same shape as a simulation's what_if. */
    cJSON *wi = cJSON_AddObjectToObject(o, "what_if");
    for (int i = 0; i < sw->n_what_if; i++)
        cJSON_AddBoolToObject(wi, sw->what_if_ids[i], sw->what_if_on[i]);
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
        add_num(e, "satisfaction_low", r->at_low.satisfaction);
        add_num(e, "satisfaction_high", r->at_high.satisfaction);
        add_num(e, "resale_low", r->at_low.resale);
        add_num(e, "resale_high", r->at_high.resale);
        cJSON *mv = cJSON_AddArrayToObject(e, "moves");
        static const char *const what[] = {"returns", "satisfaction",
                                           "resale"};
        for (int b = 0; b < 3; b++)
            if (r->p.moves >> b & 1)
                cJSON_AddItemToArray(mv, cJSON_CreateString(what[b]));
        cJSON_AddItemToArray(as, e);
    }
    cJSON *ns = cJSON_AddArrayToObject(o, "not_swept");
    for (int i = 0; i < sw->n_fixed; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", sw->fixed[i].name);
        cJSON_AddBoolToObject(e, "sourced", sw->fixed[i].sourced);
        cJSON_AddStringToObject(e, "why", fixed_why(&sw->fixed[i]));
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
