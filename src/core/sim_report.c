/* sim_report.c: the simulation's figures: per-arm rates, each arm against
 * control (relative return reduction with a 95% interval from a cluster
 * bootstrap over shoppers, conversion and satisfaction changes, the money
 * as saved return costs, resale recovered, offer costs and lost margin),
 * the same scaled to TrendBuy's annual loss to returns, and the JSON. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "trendguard/stats.h"

enum { H_BOOT = 31 };

/* ---- the bootstrap ------------------------------------------------------- */

/* Per shopper: lines bought and returned in each arm (control shoppers
 * fill arm 0, treated ones the others), for stats_boot_reduction. */
int sim_bootstrap(sim_ctx *s, tg_err *err)
{
    size_t n = (size_t)s->w->n_customers, A = TG_SIM_ARMS;
    int32_t *l = malloc(n * A * sizeof *l), *r = malloc(n * A * sizeof *r);
    if (!l || !r) {
        free(l);
        free(r);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < A; k++) {
            l[i * A + k] = s->arm[k].c_lines[i];
            r[i * A + k] = s->arm[k].c_returns[i];
        }
    tg_boot_data d = {l, r, n, TG_SIM_ARMS};
    tg_boot_opts o = {s->o->bootstrap > 0 ? s->o->bootstrap : 400, 0.95,
                      sim_hash(s->o->seed, H_BOOT, 0, 0), s->threads};
    double lo[TG_SIM_ARMS], hi[TG_SIM_ARMS];
    int rc = stats_boot_reduction(&d, &o, lo, hi, err);
    for (int k = 1; rc == TG_OK && k < TG_SIM_ARMS; k++) {
        s->r->cmp[k].ci_low = lo[k];
        s->r->cmp[k].ci_high = hi[k];
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

void sim_report(sim_ctx *s)
{
    tg_sim_result *r = s->r;
    for (int k = 0; k < TG_SIM_ARMS; k++) {
        tg_sim_arm *a = &r->arm[k];
        a->return_rate = ratio((double)a->returns, (double)a->purchases);
        a->conversion = ratio((double)a->items_bought,
                              (double)a->items_carted);
        a->satisfaction = ratio(a->satisfaction_sum, (double)a->orders);
    }
    const tg_sim_arm *c = &r->arm[TG_SIM_CONTROL];
    for (int k = 1; k < TG_SIM_ARMS; k++) {
        const tg_sim_arm *a = &r->arm[k];
        tg_sim_compare *m = &r->cmp[k];
        double f = ratio((double)a->shoppers, (double)c->shoppers);
        m->relative = stats_relative_reduction(
            (double)c->returns, (double)c->purchases, (double)a->returns,
            (double)a->purchases);
        m->conversion_change = a->conversion - c->conversion;
        m->satisfaction_change = a->satisfaction - c->satisfaction;
        m->roi.saved_return_cost = f * (c->processing + c->returned_margin) -
                                   (a->processing + a->returned_margin);
        m->roi.resale_recovered = f * c->writedown - a->writedown;
        m->roi.offer_cost = a->offer_cost;
        m->roi.lost_margin = a->dropped_margin;
        m->roi.net = m->roi.saved_return_cost + m->roi.resale_recovered -
                     m->roi.offer_cost - m->roi.lost_margin;
    }
    /* TrendBuy: its annual loss to returns stands for this many of our
     * control shoppers' losses; the engine's figures scaled the same. */
    double years = r->months / 12.0;
    double loss = ratio(c->processing + c->returned_margin + c->writedown,
                        (double)c->shoppers) / years;
    const tg_sim_arm *t = &r->arm[TG_SIM_ENGINE];
    const tg_sim_roi *roi = &r->cmp[TG_SIM_ENGINE].roi;
    r->scale_return_loss = s->a->trendbuy_return_loss;
    r->scale_shoppers = ratio(s->a->trendbuy_return_loss, loss);
    double per = ratio(r->scale_shoppers, (double)t->shoppers) / years;
    r->scale_roi.saved_return_cost = roi->saved_return_cost * per;
    r->scale_roi.resale_recovered = roi->resale_recovered * per;
    r->scale_roi.offer_cost = roi->offer_cost * per;
    r->scale_roi.lost_margin = roi->lost_margin * per;
    r->scale_roi.net = roi->net * per;
    double f = ratio((double)t->shoppers, (double)c->shoppers);
    r->scale_returns_avoided = (f * (double)c->returns - (double)t->returns) *
                               per;
}

/* ---- JSON ------------------------------------------------------------------------ */

static double rnd(double x, double unit)
{
    return isfinite(x) ? floor(x / unit + 0.5) * unit : 0;
}

static void add_num(cJSON *o, const char *k, double v, double unit)
{
    cJSON_AddNumberToObject(o, k, rnd(v, unit));
}

static cJSON *arm_json(const tg_sim_result *r, int k)
{
    const tg_sim_arm *a = &r->arm[k];
    cJSON *o = cJSON_CreateObject();
    add_num(o, "shoppers", (double)a->shoppers, 1);
    add_num(o, "orders", (double)a->orders, 1);
    add_num(o, "purchases", (double)a->purchases, 1);
    add_num(o, "returns", (double)a->returns, 1);
    add_num(o, "return_rate", a->return_rate, 1e-6);
    add_num(o, "conversion", a->conversion, 1e-6);
    add_num(o, "satisfaction", a->satisfaction, 1e-6);
    add_num(o, "revenue", a->revenue, 0.01);
    add_num(o, "items_carted", (double)a->items_carted, 1);
    add_num(o, "items_bought", (double)a->items_bought, 1);
    add_num(o, "exchanges", (double)a->exchanges, 1);
    add_num(o, "return_processing", a->processing, 0.01);
    add_num(o, "resale_value", a->resale_value, 0.01);
    add_num(o, "resale_share", ratio(a->resale_value,
                                     a->resale_value + a->writedown), 1e-6);
    add_num(o, "nudges_shown", (double)a->shown, 1);
    add_num(o, "nudges_accepted", (double)a->accepted, 1);
    if (k != TG_SIM_CONTROL) {
        cJSON *by = cJSON_AddObjectToObject(o, "by_nudge");
        for (int i = 0; i < r->n_nudges; i++) {
            if (!a->shown_by[i])
                continue;
            cJSON *n = cJSON_AddObjectToObject(by, r->catalog_ids[i]);
            add_num(n, "shown", (double)a->shown_by[i], 1);
            add_num(n, "accepted", (double)a->accepted_by[i], 1);
        }
    }
    return o;
}

static cJSON *roi_json(const tg_sim_roi *m)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "saved_return_cost", m->saved_return_cost, 0.01);
    add_num(o, "resale_recovered", m->resale_recovered, 0.01);
    add_num(o, "offer_cost", m->offer_cost, 0.01);
    add_num(o, "lost_margin", m->lost_margin, 0.01);
    add_num(o, "net", m->net, 0.01);
    return o;
}

static cJSON *reduction_json(const tg_sim_compare *m)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "relative", m->relative, 1e-6);
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(rnd(m->ci_low, 1e-6)));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(rnd(m->ci_high, 1e-6)));
    return o;
}

static cJSON *month_arm(const tg_sim_month *m, int k)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "purchases", (double)m->purchases[k], 1);
    add_num(o, "returns", (double)m->returns[k], 1);
    add_num(o, "return_rate",
            ratio((double)m->returns[k], (double)m->purchases[k]), 1e-6);
    add_num(o, "conversion",
            ratio((double)m->items_bought[k], (double)m->items_carted[k]),
            1e-6);
    add_num(o, "revenue", m->revenue[k], 0.01);
    add_num(o, "nudges_shown", (double)m->shown[k], 1);
    return o;
}

char *sim_result_json(const tg_sim_result *r, const tg_sim_assume *a)
{
    (void)a;
    cJSON *o = cJSON_CreateObject();
    add_num(o, "months", r->months, 1);
    add_num(o, "shoppers", (double)r->shoppers, 1);
    add_num(o, "seed", (double)r->seed, 1);
    if (r->model_version > 0)
        add_num(o, "model_version", r->model_version, 1);
    else
        cJSON_AddNullToObject(o, "model_version");
    cJSON_AddStringToObject(o, "scoring",
                            r->model_version > 0 ? "model" : "rules");
    char d0[16], d1[16];
    cJSON_AddStringToObject(o, "from",
                            tg_date_format(r->start_day * TG_DAY, d0, 16));
    cJSON_AddStringToObject(o, "to",
                            tg_date_format(r->end_day * TG_DAY, d1, 16));
    cJSON_AddItemToObject(o, "control", arm_json(r, TG_SIM_CONTROL));
    cJSON_AddItemToObject(o, "treatment", arm_json(r, TG_SIM_ENGINE));
    const tg_sim_compare *e = &r->cmp[TG_SIM_ENGINE];
    cJSON_AddItemToObject(o, "return_reduction", reduction_json(e));
    add_num(o, "conversion_change", e->conversion_change, 1e-6);
    add_num(o, "satisfaction_change", e->satisfaction_change, 1e-6);
    add_num(o, "resale_recovered", e->roi.resale_recovered, 0.01);
    cJSON_AddItemToObject(o, "roi", roi_json(&e->roi));
    cJSON *bl = cJSON_AddObjectToObject(o, "baselines");
    for (int k = TG_SIM_RANDOM; k < TG_SIM_ARMS; k++) {
        cJSON *b = cJSON_AddObjectToObject(bl, sim_arm_names[k]);
        cJSON_AddItemToObject(b, "return_reduction",
                              reduction_json(&r->cmp[k]));
        cJSON_AddItemToObject(b, "roi", roi_json(&r->cmp[k].roi));
        add_num(b, "conversion_change", r->cmp[k].conversion_change, 1e-6);
        add_num(b, "satisfaction_change", r->cmp[k].satisfaction_change,
                1e-6);
        add_num(b, "nudges_shown", (double)r->arm[k].shown, 1);
        add_num(b, "return_rate", r->arm[k].return_rate, 1e-6);
    }
    cJSON *mo = cJSON_AddArrayToObject(o, "monthly");
    for (int i = 0; i < r->months; i++) {
        cJSON *m = cJSON_CreateObject();
        add_num(m, "month", i + 1, 1);
        cJSON_AddItemToObject(m, "control",
                              month_arm(&r->monthly[i], TG_SIM_CONTROL));
        cJSON_AddItemToObject(m, "treatment",
                              month_arm(&r->monthly[i], TG_SIM_ENGINE));
        cJSON_AddItemToArray(mo, m);
    }
    cJSON *sc = cJSON_AddObjectToObject(o, "scale_to_trendbuy");
    add_num(sc, "annual_return_loss", r->scale_return_loss, 0.01);
    add_num(sc, "shoppers", r->scale_shoppers, 1);
    add_num(sc, "returns_avoided", r->scale_returns_avoided, 1);
    add_num(sc, "saved_return_cost", r->scale_roi.saved_return_cost, 0.01);
    add_num(sc, "resale_recovered", r->scale_roi.resale_recovered, 0.01);
    add_num(sc, "offer_cost", r->scale_roi.offer_cost, 0.01);
    add_num(sc, "lost_margin", r->scale_roi.lost_margin, 0.01);
    add_num(sc, "net", r->scale_roi.net, 0.01);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}
