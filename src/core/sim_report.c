/* sim_report.c: the simulation's figures, each worked out once here:
 * per-arm rates; each nudging arm against its shadow (the same shoppers
 * without nudges: the paired reduction, its split by nudge, refunds
 * avoided, conversion, satisfaction, the resale value recovered and its
 * split, the money) and against control (the A/B check); the engine's
 * paired reduction less each baseline's; 95% intervals from one cluster
 * bootstrap over shoppers (and satisfaction's from another); and the
 * engine's figures scaled to TrendBuy's annual loss to returns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "trendguard/stats.h"

enum { H_BOOT = 31 };

/* ---- the bootstrap ------------------------------------------------------- */

/* Satisfaction against the shadow, on the same resamples' kind: per
 * shopper, orders (as lines) and satisfaction in thousandths (as
 * returns); the "reduction" of an arm's satisfaction per order is minus
 * its relative change. l and r: room for every shopper's arms. */
static int boot_satisfaction(sim_ctx *s, int32_t *l, int32_t *r,
                             const tg_boot_opts *o, tg_err *err)
{
    size_t n = (size_t)s->w->n_customers, A = TG_SIM_ARMS;
    for (size_t k = 0; k < A; k++)
        for (size_t i = 0; i < n; i++) {
            l[i * A + k] = s->arm[k].c_orders ? s->arm[k].c_orders[i] : 0;
            r[i * A + k] = s->arm[k].c_sat ? s->arm[k].c_sat[i] : 0;
        }
    tg_boot_contrast c[TG_SIM_ARMS];
    int nc = 0;
    for (int k = TG_SIM_ENGINE; k < TG_SIM_SHADOW; k++)
        c[nc++] = (tg_boot_contrast){TG_SIM_SHADOW, k, -1};
    tg_boot_data d = {l, r, n, TG_SIM_ARMS};
    double lo[TG_SIM_ARMS], hi[TG_SIM_ARMS];
    int rc = stats_boot_contrasts(&d, o, c, nc, lo, hi, err);
    for (int k = TG_SIM_ENGINE, i = 0; rc == TG_OK && k < TG_SIM_SHADOW;
         k++, i++) {
        s->r->cmp[k].satisfaction_low = -hi[i];
        s->r->cmp[k].satisfaction_high = -lo[i];
    }
    return rc;
}

/* Per shopper: lines bought and returned in each arm (control shoppers
 * fill arm 0, treated ones the others), for stats_boot_reduction. */
int sim_bootstrap(sim_ctx *s, tg_err *err)
{
    size_t n = (size_t)s->w->n_customers, A = TG_SIM_ARMS;
    int32_t *l = calloc(n * A, sizeof *l), *r = calloc(n * A, sizeof *r);
    if (!l || !r) {
        free(l);
        free(r);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    for (size_t k = 0; k < A; k++)
        for (size_t i = 0; s->arm[k].c_lines && i < n; i++) {
            l[i * A + k] = s->arm[k].c_lines[i];
            r[i * A + k] = s->arm[k].c_returns[i];
        }
    /* against control, against the shadow, the engine less each
     * baseline */
    tg_boot_contrast c[3 * TG_SIM_ARMS];
    int nc = 0;
    for (int k = TG_SIM_ENGINE; k < TG_SIM_SHADOW; k++) {
        c[nc++] = (tg_boot_contrast){TG_SIM_CONTROL, k, -1};
        c[nc++] = (tg_boot_contrast){TG_SIM_SHADOW, k, -1};
        c[nc++] = (tg_boot_contrast){TG_SIM_SHADOW, TG_SIM_ENGINE, k};
    }
    tg_boot_data d = {l, r, n, TG_SIM_ARMS};
    tg_boot_opts o = {s->o->bootstrap > 0 ? s->o->bootstrap : 400, 0.95,
                      sim_hash(s->o->seed, H_BOOT, 0, 0), s->threads};
    double lo[3 * TG_SIM_ARMS], hi[3 * TG_SIM_ARMS];
    int rc = stats_boot_contrasts(&d, &o, c, nc, lo, hi, err);
    if (rc == TG_OK)
        rc = boot_satisfaction(s, l, r, &o, err);
    for (int k = TG_SIM_ENGINE, i = 0; rc == TG_OK && k < TG_SIM_SHADOW;
         k++, i += 3) {
        tg_sim_compare *m = &s->r->cmp[k];
        m->ci_low = lo[i];
        m->ci_high = hi[i];
        m->paired_low = lo[i + 1];
        m->paired_high = hi[i + 1];
        m->vs_engine_low = k == TG_SIM_ENGINE ? 0 : lo[i + 2];
        m->vs_engine_high = k == TG_SIM_ENGINE ? 0 : hi[i + 2];
    }
    free(l);
    free(r);
    return rc;
}

/* ---- the figures ------------------------------------------------------------ */

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

static void arm_rates(tg_sim_arm *a)
{
    a->return_rate = ratio((double)a->returns, (double)a->purchases);
    a->conversion = ratio((double)a->items_bought, (double)a->items_carted);
    a->satisfaction = ratio(a->satisfaction_sum, (double)a->orders);
    a->returns_per_item = ratio((double)a->returns, (double)a->items_carted);
    a->refunds = a->returns - a->exchanges;
}

/* Arm a against shadow h: the same shoppers, nothing to scale. */
static void against_shadow(const tg_sim_arm *h, const tg_sim_arm *a,
                           tg_sim_compare *m)
{
    m->paired = stats_relative_reduction((double)h->returns,
                                         (double)h->purchases,
                                         (double)a->returns,
                                         (double)a->purchases);
    m->conversion_change = a->conversion - h->conversion;
    m->satisfaction_points = a->satisfaction - h->satisfaction;
    m->satisfaction_change = h->satisfaction > 0
                                 ? a->satisfaction / h->satisfaction - 1
                                 : 0;
    m->returns_avoided = h->returns - a->returns;
    m->refunds_avoided = h->refunds - a->refunds;
    m->roi.saved_return_cost = (h->processing + h->returned_margin) -
                               (a->processing + a->returned_margin);
    m->roi.resale_recovered = h->writedown - a->writedown;
    m->roi.offer_cost = a->offer_cost;
    m->roi.lost_margin = a->dropped_margin;
    m->roi.restock_cost = a->restock_cost;
    m->roi.fee_income = a->fee_income;
    m->roi.lost_later_margin = a->lost_later_margin;
    m->roi.net = m->roi.saved_return_cost + m->roi.resale_recovered +
                 m->roi.fee_income - m->roi.offer_cost - m->roi.lost_margin -
                 m->roi.restock_cost - m->roi.lost_later_margin;
    m->resale.total = m->roi.resale_recovered;
    m->resale.faster_restock = a->faster_resale;
    m->resale.returns_avoided = m->resale.total - a->faster_resale;
    /* Each item's returns and lines fewer than the shadow's, weighed at
     * the shadow's return rate, add up to the paired reduction:
     * sum(dR - rs dL) / (rs La) = 1 - (Ra / La) / rs. */
    double rs = ratio((double)h->returns, (double)h->purchases);
    double den = rs * (double)a->purchases;
    for (int n = 0; n <= TG_NUDGE_MAX; n++)
        m->by_nudge[n] = den > 0 ? (a->fewer_returns_by[n] -
                                    rs * a->fewer_lines_by[n]) / den
                                 : 0;
}

/* TrendBuy: its annual loss to returns stands for this many of our
 * shoppers' losses without nudges (the shadow's); the engine's figures
 * against the shadow scaled the same. */
static void scale_to_trendbuy(sim_ctx *s)
{
    tg_sim_result *r = s->r;
    const tg_sim_arm *h = &r->arm[TG_SIM_SHADOW];
    const tg_sim_compare *m = &r->cmp[TG_SIM_ENGINE];
    double years = r->months / 12.0;
    double loss = ratio(h->processing + h->returned_margin + h->writedown,
                        (double)h->shoppers) / years;
    r->scale_return_loss = s->a->trendbuy_return_loss;
    r->scale_shoppers = ratio(s->a->trendbuy_return_loss, loss);
    double per = ratio(r->scale_shoppers, (double)h->shoppers) / years;
    r->scale_roi.saved_return_cost = m->roi.saved_return_cost * per;
    r->scale_roi.resale_recovered = m->roi.resale_recovered * per;
    r->scale_roi.offer_cost = m->roi.offer_cost * per;
    r->scale_roi.lost_margin = m->roi.lost_margin * per;
    r->scale_roi.restock_cost = m->roi.restock_cost * per;
    r->scale_roi.fee_income = m->roi.fee_income * per;
    r->scale_roi.lost_later_margin = m->roi.lost_later_margin * per;
    r->scale_roi.net = m->roi.net * per;
    r->scale_resale.total = m->resale.total * per;
    r->scale_resale.returns_avoided = m->resale.returns_avoided * per;
    r->scale_resale.faster_restock = m->resale.faster_restock * per;
    r->scale_returns_avoided = (double)m->returns_avoided * per;
    r->scale_refunds_avoided = (double)m->refunds_avoided * per;
}

void sim_report(sim_ctx *s)
{
    tg_sim_result *r = s->r;
    for (int k = 0; k < TG_SIM_ARMS; k++)
        arm_rates(&r->arm[k]);
    const tg_sim_arm *c = &r->arm[TG_SIM_CONTROL];
    for (int k = TG_SIM_ENGINE; k < TG_SIM_SHADOW; k++) {
        const tg_sim_arm *a = &r->arm[k];
        tg_sim_compare *m = &r->cmp[k];
        m->relative = stats_relative_reduction(
            (double)c->returns, (double)c->purchases, (double)a->returns,
            (double)a->purchases);
        against_shadow(&r->arm[TG_SIM_SHADOW], a, m);
    }
    for (int i = 0; i < r->months; i++) {
        tg_sim_month *m = &r->monthly[i];
        m->paired = stats_relative_reduction(
            (double)m->returns[TG_SIM_SHADOW],
            (double)m->purchases[TG_SIM_SHADOW],
            (double)m->returns[TG_SIM_ENGINE],
            (double)m->purchases[TG_SIM_ENGINE]);
    }
    for (int k = TG_SIM_ENGINE; k < TG_SIM_SHADOW; k++)
        r->cmp[k].vs_engine = k == TG_SIM_ENGINE
                                  ? 0
                                  : r->cmp[TG_SIM_ENGINE].paired -
                                        r->cmp[k].paired;
    scale_to_trendbuy(s);
}
