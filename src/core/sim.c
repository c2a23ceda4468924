/* sim.c: the simulation's set-up and day loop. The world and every cart
 * are drawn once (sim_world.c); then each day: lines whose return window
 * closed join the history the features read, size returns that arrived
 * teach size and fit, returns being started meet the exchange-first offer
 * (sim_events.c); then every cart of the day is played (sim_play.c):
 * control's as drawn, each treated one first without nudges (the shadow)
 * and then in the engine's arm (scored by the model in one batch over two
 * threads, sim_batch.c) and each baseline's, on the same random numbers.
 * At the end the figures and their intervals (sim_report.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "trendguard/gen.h"
#include "trendguard/score.h"

const char *const sim_arm_names[TG_SIM_ARMS] = {
    "control", "treatment", "random", "rules", "badge", "shadow"};

enum { H_ARM_RNG = 17 };

/* ---- the arms ----------------------------------------------------------------- */

/* The catalogue arm k decides with: the engine's, its money the
 * simulation's own (the shop knows its margin and costs); the badge arm
 * has the badge only; the random and badge arms pick at random among the
 * eligible nudges. */
static void arm_catalog(sim_ctx *s, sim_arm_state *st, int k)
{
    const tg_nudge_catalog *cat = s->o->catalog;
    const tg_sim_assume *a = s->a;
    st->cat = *cat;
    st->cat.margin = a->margin;
    st->cat.processing_share = a->processing_share;
    st->cat.resale_share = a->resale[TG_SIM_RESALE_EVERGREEN];
    st->cat.exchange_keeps = a->exchange_keeps;
    st->cat.restock_days = a->restock_days;
    st->cat.fast_restock_days = a->fast_restock_days;
    st->cat.fast_restock_cost = a->fast_restock_cost;
    st->cat.resale_hot = a->resale[TG_SIM_RESALE_HOT];
    st->cat.resale_faded = a->resale[TG_SIM_RESALE_DECLINE];
    for (int i = 0; i < cat->n; i++)
        if (cat->nudges[i].action == TG_ACTION_RETURN_FEE)
            st->cat.nudges[i].fee = a->fee_amount;
    st->cat.pick_random = k == TG_SIM_RANDOM || k == TG_SIM_BADGE;
    for (int i = 0; i < cat->n; i++)
        st->orig[i] = i;
    if (k == TG_SIM_BADGE) {
        st->cat.n = 0;
        for (int i = 0; i < cat->n && st->cat.n == 0; i++)
            if (cat->nudges[i].action == TG_ACTION_BADGE) {
                st->cat.nudges[0] = cat->nudges[i];
                st->cat.n = 1;
                st->orig[0] = i;
            }
    }
    st->fee_nudge = -1;
    for (int i = 0; i < st->cat.n; i++) {
        const tg_nudge_def *d = &st->cat.nudges[i];
        if (!nudge_catalog_on(&st->cat, i))
            continue;
        st->has_return |= d->moment == TG_MOMENT_RETURN;
        st->has_order |= d->moment == TG_MOMENT_ORDER;
        st->has_restock |= d->moment == TG_MOMENT_RESTOCK;
        if (d->action == TG_ACTION_RETURN_FEE && st->fee_nudge < 0)
            st->fee_nudge = i;
    }
}

/* The state of an arm that decides: the shop's history its features read,
 * caps, the budget, what shoppers take up. */
static int arm_decides(sim_ctx *s, sim_arm_state *st, int k, tg_err *err)
{
    size_t nc = (size_t)s->w->n_customers, np = (size_t)s->w->n_products;
    st->nudges = 1;
    st->hist = calloc(nc, sizeof *st->hist);
    st->p_lines = calloc(np, sizeof *st->p_lines);
    st->p_returns = calloc(np, sizeof *st->p_returns);
    st->p_small = calloc(np, sizeof *st->p_small);
    st->p_large = calloc(np, sizeof *st->p_large);
    st->shop = calloc((size_t)s->n_treat + 1, sizeof *st->shop);
    if (!st->hist || !st->p_lines || !st->p_returns || !st->p_small ||
        !st->p_large || !st->shop)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    for (long i = 0; i <= s->n_treat; i++)
        st->shop[i].day = INT64_MIN;
    st->budget.day = INT64_MIN;
    tg_rng_seed(&st->rng, sim_hash(s->o->seed, H_ARM_RNG, (uint64_t)k, 0));
    arm_catalog(s, st, k);
    if (st->fee_nudge >= 0) {
        st->fee_day = malloc(nc * sizeof *st->fee_day);
        if (!st->fee_day)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        for (size_t i = 0; i < nc; i++)
            st->fee_day[i] = INT64_MAX;
    }
    if (!st->cat.pick_random) {
        st->bandit = bandit_create(st->cat.n, 1, 1);
        if (!st->bandit)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    return TG_OK;
}

static int arms_init(sim_ctx *s, tg_err *err)
{
    size_t nc = (size_t)s->w->n_customers;
    for (int k = 0; k < TG_SIM_ARMS; k++) {
        sim_arm_state *st = &s->arm[k];
        memset(st, 0, sizeof *st);
        st->kind = k;
        s->r->arm[k].shoppers = k == TG_SIM_CONTROL ? s->n_control
                                                    : s->n_treat;
        if (!s->playing[k])
            continue;
        st->c_lines = calloc(nc, sizeof *st->c_lines);
        st->c_returns = calloc(nc, sizeof *st->c_returns);
        st->c_orders = calloc(nc, sizeof *st->c_orders);
        st->c_sat = calloc(nc, sizeof *st->c_sat);
        if (!st->c_lines || !st->c_returns || !st->c_orders || !st->c_sat)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        if (k != TG_SIM_CONTROL && k != TG_SIM_SHADOW) {
            int rc = arm_decides(s, st, k, err);
            if (rc)
                return rc;
        }
    }
    for (int i = 0; i < SIM_RING; i++)
        s->mature[i].n = s->returns[i].n = s->sizeret[i].n = 0;
    return TG_OK;
}

static void arms_free(sim_ctx *s)
{
    for (int k = 0; k < TG_SIM_ARMS; k++) {
        sim_arm_state *st = &s->arm[k];
        free(st->c_lines);
        free(st->c_returns);
        free(st->c_orders);
        free(st->c_sat);
        free(st->fee_day);
        free(st->hist);
        free(st->p_lines);
        free(st->p_returns);
        free(st->p_small);
        free(st->p_large);
        free(st->shop);
        bandit_free(st->bandit);
        memset(st, 0, sizeof *st);
    }
}

static void progress(const sim_ctx *s, double f, const char *stage)
{
    if (s->o->progress)
        s->o->progress(s->o->ud, f, stage);
}

/* ---- the days ------------------------------------------------------------------ */

/* One arm's treated carts of the day; the engine reads its batch. */
static int play_arm(sim_ctx *s, int k, size_t from, size_t to,
                    const batch *bt, tg_err *err)
{
    size_t t = 0;
    int rc = TG_OK;
    for (size_t i = from; rc == TG_OK && i < to; i++) {
        if (!s->orders[i].treat)
            continue;
        const float *xs = NULL, *ps = NULL, *cons = NULL;
        if (k == TG_SIM_ENGINE) {
            size_t r0 = bt->first[t];
            xs = bt->x + r0 * TG_NUM_FEATURES;
            if (s->o->model) {
                ps = bt->p + r0;
                cons = bt->con + r0 * (s->nf + 1);
            }
        }
        t++;
        rc = sim_play_order(s, &s->arm[k], &s->orders[i], xs, ps, cons, err);
    }
    return rc;
}

/* One day's carts orders[from, to) in every arm that plays. */
static int play_day(sim_ctx *s, size_t from, size_t to, batch *bt,
                    tg_err *err)
{
    int rc = sim_engine_batch(s, from, to, bt, err);
    for (size_t i = from; rc == TG_OK && i < to; i++)
        if (!s->orders[i].treat && s->playing[TG_SIM_CONTROL])
            rc = sim_play_order(s, &s->arm[TG_SIM_CONTROL], &s->orders[i],
                                NULL, NULL, NULL, err);
    if (rc == TG_OK && to - from > s->shadow_cap) {
        size_t nc = (to - from) * 2;
        uint32_t *nb = realloc(s->shadow_back, nc * sizeof *nb);
        if (!nb)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        s->shadow_back = nb;
        s->shadow_cap = nc;
    }
    s->day_first = from;
    if (rc == TG_OK)
        rc = play_arm(s, TG_SIM_SHADOW, from, to, bt, err);
    s->arm[TG_SIM_ENGINE].day_shown = s->arm[TG_SIM_ENGINE].day_items = 0;
    for (int k = TG_SIM_ENGINE; rc == TG_OK && k < TG_SIM_SHADOW; k++)
        if (s->playing[k])
            rc = play_arm(s, k, from, to, bt, err);
    return rc;
}

static int run_days(sim_ctx *s, tg_err *err)
{
    batch bt;
    memset(&bt, 0, sizeof bt);
    size_t i = 0;
    int rc = TG_OK;
    int64_t last = s->end + SIM_RING;
    for (int64_t day = s->start; rc == TG_OK && day < last; day++) {
        int rg = (int)((day - s->start) % SIM_RING);
        sim_process_mature(s, &s->mature[rg]);
        sim_process_sizeret(s, &s->sizeret[rg]);
        sim_process_returns(s, &s->returns[rg], day);
        if (day >= s->end)
            continue;
        size_t j = i;
        while (j < s->n_orders && tg_day_of(s->orders[j].t) == day)
            j++;
        rc = play_day(s, i, j, &bt, err);
        i = j;
        if ((day - s->start) % 4 == 0)
            progress(s, 0.15 + 0.75 * (double)(day - s->start) /
                                (double)(s->end - s->start),
                     "simulating");
    }
    sim_batch_free(&bt);
    return rc;
}

/* ---- setting up and running ------------------------------------------------------ */

static int check_opts(const tg_sim_opts *o, tg_err *err)
{
    if (!o->catalog || !o->assume || !o->behaviour || !o->words)
        return tg_fail(err, TG_EUSAGE, "simulate: catalogue, assumptions, "
                       "behaviour and words are needed");
    if (o->months < 1 || o->months > 60)
        return tg_fail(err, TG_EUSAGE, "simulate: months must be 1 to 60");
    if (o->shoppers < 1 || o->shoppers > 5000000)
        return tg_fail(err, TG_EUSAGE, "simulate: shoppers must be 1 to "
                       "5,000,000");
    return TG_OK;
}

int sim_prepare(sim_ctx *s, const tg_sim_opts *o, tg_err *err)
{
    memset(s, 0, sizeof *s);
    int rc = check_opts(o, err);
    if (rc)
        return rc;
    s->o = o;
    s->b = o->behaviour;
    s->a = o->assume;
    s->months = o->months;
    s->threads = o->threads > 0 ? o->threads : 2;
    s->start = gen_end_day();
    s->end = s->start + (int64_t)floor(o->months * 30.4375 + 0.5);
    for (int k = 0; k < TG_SIM_ARMS; k++)
        s->playing[k] = !o->engine_only || k == TG_SIM_ENGINE ||
                        k == TG_SIM_SHADOW;
    if (o->model) {
        s->nf = model_num_features(o->model);
        s->map = malloc(s->nf * sizeof *s->map + 1);
        if (!s->map)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        if ((rc = score_feature_map(o->model, s->map, err)))
            return rc;
    }
    progress(s, 0, "world");
    if ((rc = sim_build_world(s, err)))
        return rc;
    progress(s, 0.05, "carts");
    return sim_draw_orders(s, err);
}

/* The result's header for a run of s. */
static int result_start(const sim_ctx *s, tg_sim_result *r, tg_err *err)
{
    const tg_sim_opts *o = s->o;
    memset(r, 0, sizeof *r);
    r->monthly = calloc((size_t)o->months, sizeof *r->monthly);
    if (!r->monthly)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    r->months = o->months;
    r->shoppers = o->shoppers;
    r->seed = o->seed;
    r->model_version = o->model ? o->model_version : 0;
    r->engine_only = o->engine_only;
    r->start_day = s->start;
    r->end_day = s->end;
    r->n_nudges = o->catalog->n;
    for (int i = 0; i < o->catalog->n; i++) {
        tg_strlcpy(r->catalog_ids[i], o->catalog->nudges[i].id,
                   sizeof r->catalog_ids[i]);
        if (o->catalog->nudges[i].what_if)
            r->what_if[i] = nudge_catalog_on(o->catalog, i) ? 2 : 1;
    }
    return TG_OK;
}

int sim_play(sim_ctx *s, const tg_sim_assume *a, tg_sim_result *r,
             tg_err *err)
{
    double t0 = tg_now_mono();
    s->a = a;
    s->r = r;
    int rc = result_start(s, r, err);
    if (rc == TG_OK)
        rc = arms_init(s, err);
    if (rc == TG_OK)
        rc = run_days(s, err);
    progress(s, 0.9, "bootstrap");
    if (rc == TG_OK && !s->o->engine_only)
        rc = sim_bootstrap(s, err);
    if (rc == TG_OK)
        sim_report(s);
    arms_free(s);
    if (rc != TG_OK) {
        sim_result_free(r);
        return rc;
    }
    r->seconds = tg_now_mono() - t0;
    return TG_OK;
}

void sim_release(sim_ctx *s)
{
    for (int i = 0; i < SIM_RING; i++) {
        free(s->mature[i].p);
        free(s->returns[i].p);
        free(s->sizeret[i].p);
    }
    free(s->shadow_back);
    sim_free_world(s);
    free(s->map);
    memset(s, 0, sizeof *s);
}

int sim_run(const tg_sim_opts *o, tg_sim_result *r, tg_err *err)
{
    double t0 = tg_now_mono();
    memset(r, 0, sizeof *r);
    sim_ctx *s = calloc(1, sizeof *s);
    if (!s)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int rc = sim_prepare(s, o, err);
    if (rc == TG_OK)
        rc = sim_play(s, o->assume, r, err);
    sim_release(s);
    free(s);
    if (rc != TG_OK)
        return rc;
    r->seconds = tg_now_mono() - t0;
    if (o->progress)
        o->progress(o->ud, 1, "done");
    return TG_OK;
}

void sim_result_free(tg_sim_result *r)
{
    if (!r)
        return;
    free(r->monthly);
    r->monthly = NULL;
}
