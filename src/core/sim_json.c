/* sim_json.c: the simulation's result as JSON (sim_result_json): every
 * figure as sim_report.c worked it out, rounded for reading: the arms,
 * the reductions, the split by nudge, satisfaction, the resale value
 * recovered, the money, the baselines, the months and the scale. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#include "sim_int.h"

static double rnd(double x, double unit)
{
    return isfinite(x) ? floor(x / unit + 0.5) * unit : 0;
}

static void add_num(cJSON *o, const char *k, double v, double unit)
{
    cJSON_AddNumberToObject(o, k, rnd(v, unit));
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

static void add_ci(cJSON *o, const char *k, double lo, double hi)
{
    cJSON *ci = cJSON_AddArrayToObject(o, k);
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(rnd(lo, 1e-6)));
    cJSON_AddItemToArray(ci, cJSON_CreateNumber(rnd(hi, 1e-6)));
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
    add_num(o, "returns_per_item", a->returns_per_item, 1e-6);
    add_num(o, "refunds", (double)a->refunds, 1);
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
    add_num(o, "fast_restocked", (double)a->fast_restocked, 1);
    add_num(o, "fees_paid", (double)a->fees_paid, 1);
    add_num(o, "orders_lost_after_a_fee", (double)a->orders_lost, 1);
    if (k != TG_SIM_CONTROL && k != TG_SIM_SHADOW) {
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
    add_num(o, "restock_cost", m->restock_cost, 0.01);
    add_num(o, "fee_income", m->fee_income, 0.01);
    add_num(o, "lost_later_margin", m->lost_later_margin, 0.01);
    add_num(o, "net", m->net, 0.01);
    return o;
}

static cJSON *split_json(const tg_sim_resale *x)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "returns_avoided", x->returns_avoided, 0.01);
    add_num(o, "faster_restock", x->faster_restock, 0.01);
    return o;
}

/* The resale value recovered against the same shoppers without nudges:
 * in the simulation's money over its months and per month, and scaled to
 * TrendBuy a year and six months next to the seed's $2.1M in six months,
 * each split into returns avoided and the faster restock. */
static cJSON *resale_json(const tg_sim_result *r)
{
    const tg_sim_compare *e = &r->cmp[TG_SIM_ENGINE];
    const tg_sim_arm *t = &r->arm[TG_SIM_ENGINE];
    cJSON *o = cJSON_CreateObject();
    add_num(o, "total", e->resale.total, 0.01);
    add_num(o, "per_month", e->resale.total / r->months, 0.01);
    cJSON_AddItemToObject(o, "split", split_json(&e->resale));
    add_num(o, "fast_restocked", (double)t->fast_restocked, 1);
    add_num(o, "fast_route_cost", t->restock_cost, 0.01);
    add_num(o, "per_year_trendbuy", r->scale_resale.total, 0.01);
    cJSON_AddItemToObject(o, "per_year_trendbuy_split",
                          split_json(&r->scale_resale));
    add_num(o, "six_months_trendbuy", r->scale_resale.total / 2, 0.01);
    add_num(o, "target_six_months_trendbuy", 2100000, 0.01);
    return o;
}

/* Satisfaction per order against the same shoppers without nudges: the
 * relative change with its interval, in points, next to the seed's +28%. */
static cJSON *satisfaction_json(const tg_sim_result *r)
{
    const tg_sim_compare *e = &r->cmp[TG_SIM_ENGINE];
    cJSON *o = cJSON_CreateObject();
    add_num(o, "change", e->satisfaction_change, 1e-6);
    add_ci(o, "ci95", e->satisfaction_low, e->satisfaction_high);
    add_num(o, "points", e->satisfaction_points, 1e-6);
    add_num(o, "treatment", r->arm[TG_SIM_ENGINE].satisfaction, 1e-6);
    add_num(o, "without_nudges", r->arm[TG_SIM_SHADOW].satisfaction, 1e-6);
    add_num(o, "target_change", 0.28, 1e-6);
    return o;
}

/* {relative, ci95} against control and {paired: {relative, ci95}}. */
static cJSON *reduction_json(const tg_sim_compare *m)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "relative", m->relative, 1e-6);
    add_ci(o, "ci95", m->ci_low, m->ci_high);
    cJSON *p = cJSON_AddObjectToObject(o, "paired");
    add_num(p, "relative", m->paired, 1e-6);
    add_ci(p, "ci95", m->paired_low, m->paired_high);
    return o;
}

static cJSON *difference_json(const tg_sim_compare *m)
{
    cJSON *o = cJSON_CreateObject();
    add_num(o, "difference", m->vs_engine, 1e-6);
    add_ci(o, "ci95", m->vs_engine_low, m->vs_engine_high);
    return o;
}

/* The engine's paired reduction by the nudge taken, and each nudge's
 * counts. */
static void nudges_json(cJSON *o, const tg_sim_result *r)
{
    const tg_sim_arm *t = &r->arm[TG_SIM_ENGINE];
    const tg_sim_compare *e = &r->cmp[TG_SIM_ENGINE];
    cJSON *by = cJSON_AddObjectToObject(o, "by_nudge");
    cJSON *ns = cJSON_AddObjectToObject(o, "nudges");
    for (int i = 0; i < r->n_nudges; i++) {
        add_num(by, r->catalog_ids[i], e->by_nudge[i], 1e-6);
        cJSON *n = cJSON_AddObjectToObject(ns, r->catalog_ids[i]);
        add_num(n, "shown", (double)t->shown_by[i], 1);
        add_num(n, "accepted", (double)t->accepted_by[i], 1);
        add_num(n, "reduction", e->by_nudge[i], 1e-6);
        add_num(n, "returns_avoided", t->fewer_returns_by[i], 0.01);
        add_num(n, "lines_not_bought", t->fewer_lines_by[i], 0.01);
        add_num(n, "exchanges", (double)t->exchanges_by[i], 1);
    }
    add_num(by, "other", e->by_nudge[TG_NUDGE_MAX], 1e-6);
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

static cJSON *monthly_json(const tg_sim_result *r)
{
    cJSON *mo = cJSON_CreateArray();
    for (int i = 0; i < r->months; i++) {
        const tg_sim_month *m = &r->monthly[i];
        cJSON *o = cJSON_CreateObject();
        add_num(o, "month", i + 1, 1);
        add_num(o, "paired_reduction", m->paired, 1e-6);
        cJSON_AddItemToObject(o, "control", month_arm(m, TG_SIM_CONTROL));
        cJSON_AddItemToObject(o, "treatment", month_arm(m, TG_SIM_ENGINE));
        cJSON_AddItemToObject(o, "shadow", month_arm(m, TG_SIM_SHADOW));
        cJSON_AddItemToArray(mo, o);
    }
    return mo;
}

static cJSON *baselines_json(const tg_sim_result *r)
{
    cJSON *bl = cJSON_CreateObject();
    for (int k = TG_SIM_RANDOM; k < TG_SIM_SHADOW; k++) {
        const tg_sim_compare *m = &r->cmp[k];
        cJSON *b = cJSON_AddObjectToObject(bl, sim_arm_names[k]);
        cJSON_AddItemToObject(b, "return_reduction", reduction_json(m));
        cJSON_AddItemToObject(b, "engine_minus_this", difference_json(m));
        cJSON_AddItemToObject(b, "roi", roi_json(&m->roi));
        add_num(b, "conversion_change", m->conversion_change, 1e-6);
        add_num(b, "satisfaction_change", m->satisfaction_change, 1e-6);
        add_num(b, "refunds_avoided", (double)m->refunds_avoided, 1);
        add_num(b, "nudges_shown", (double)r->arm[k].shown, 1);
        add_num(b, "return_rate", r->arm[k].return_rate, 1e-6);
    }
    return bl;
}

static cJSON *scale_json(const tg_sim_result *r)
{
    cJSON *sc = cJSON_CreateObject();
    add_num(sc, "annual_return_loss", r->scale_return_loss, 0.01);
    add_num(sc, "shoppers", r->scale_shoppers, 1);
    add_num(sc, "reduction", r->cmp[TG_SIM_ENGINE].paired, 1e-6);
    add_num(sc, "target_reduction", 0.25, 1e-6);
    add_num(sc, "returns_avoided", r->scale_returns_avoided, 1);
    add_num(sc, "refunds_avoided", r->scale_refunds_avoided, 1);
    add_num(sc, "saved_return_cost", r->scale_roi.saved_return_cost, 0.01);
    add_num(sc, "resale_recovered", r->scale_roi.resale_recovered, 0.01);
    add_num(sc, "offer_cost", r->scale_roi.offer_cost, 0.01);
    add_num(sc, "lost_margin", r->scale_roi.lost_margin, 0.01);
    add_num(sc, "restock_cost", r->scale_roi.restock_cost, 0.01);
    add_num(sc, "fee_income", r->scale_roi.fee_income, 0.01);
    add_num(sc, "lost_later_margin", r->scale_roi.lost_later_margin, 0.01);
    add_num(sc, "net", r->scale_roi.net, 0.01);
    return sc;
}

/* The what-ifs of the catalogue and whether this run turned them on. */
static cJSON *what_if_json(const tg_sim_result *r)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < r->n_nudges; i++)
        if (r->what_if[i])
            cJSON_AddBoolToObject(o, r->catalog_ids[i], r->what_if[i] > 1);
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
    cJSON_AddItemToObject(o, "what_if", what_if_json(r));
    cJSON_AddItemToObject(o, "control", arm_json(r, TG_SIM_CONTROL));
    cJSON_AddItemToObject(o, "treatment", arm_json(r, TG_SIM_ENGINE));
    cJSON_AddItemToObject(o, "shadow", arm_json(r, TG_SIM_SHADOW));
    const tg_sim_compare *e = &r->cmp[TG_SIM_ENGINE];
    cJSON_AddItemToObject(o, "return_reduction", reduction_json(e));
    cJSON_AddItemToObject(o, "engine_vs_random",
                          difference_json(&r->cmp[TG_SIM_RANDOM]));
    cJSON_AddItemToObject(o, "engine_vs_rules",
                          difference_json(&r->cmp[TG_SIM_RULES]));
    cJSON_AddItemToObject(o, "engine_vs_badge",
                          difference_json(&r->cmp[TG_SIM_BADGE]));
    nudges_json(o, r);
    add_num(o, "returns_avoided", (double)e->returns_avoided, 1);
    add_num(o, "refunds_avoided", (double)e->refunds_avoided, 1);
    add_num(o, "conversion_change", e->conversion_change, 1e-6);
    cJSON_AddItemToObject(o, "satisfaction", satisfaction_json(r));
    cJSON_AddItemToObject(o, "resale_recovered", resale_json(r));
    cJSON_AddItemToObject(o, "roi", roi_json(&e->roi));
    cJSON_AddItemToObject(o, "baselines", baselines_json(r));
    cJSON_AddItemToObject(o, "monthly", monthly_json(r));
    cJSON_AddItemToObject(o, "scale_to_trendbuy", scale_json(r));
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}
