/* report_json.c: `trendguard report --json`: the report's figures as one
 * JSON object (rates as fractions rounded to 1e-6, money to cents, NaN as
 * null, times as ISO-8601), the simulated pilot's among them. */
#include "trendguard/report.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

static void num(cJSON *o, const char *k, double v, double unit)
{
    if (!isfinite(v))
        cJSON_AddNullToObject(o, k);
    else
        cJSON_AddNumberToObject(o, k, round(v / unit) * unit);
}

static void when(cJSON *o, const char *k, int64_t t)
{
    char buf[32];
    if (t)
        cJSON_AddStringToObject(o, k, tg_time_format(t, buf, sizeof buf));
    else
        cJSON_AddNullToObject(o, k);
}

static void rate(cJSON *o, const tg_rate *r)
{
    num(o, "lines", (double)r->n, 1);
    num(o, "returned", (double)r->k, 1);
    num(o, "rate", r->rate, 1e-6);
    cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
    if (isfinite(r->lo)) {
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(round(r->lo * 1e6) / 1e6));
        cJSON_AddItemToArray(ci, cJSON_CreateNumber(round(r->hi * 1e6) / 1e6));
    }
}

static cJSON *buckets(const tg_report_bucket *b, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "label", b[i].label);
        rate(o, &b[i].r);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *drivers_json(const tg_report *r)
{
    cJSON *a = cJSON_CreateArray();
    for (int d = 0; d < TG_REPORT_DRIVERS; d++) {
        const tg_report_driver *v = &r->driver[d];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", v->id);
        cJSON_AddStringToObject(o, "title", v->title);
        num(o, "spread", v->spread, 1e-6);
        cJSON_AddItemToObject(o, "buckets", buckets(v->b, v->n));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *model_json(const tg_report_model *m)
{
    cJSON *o = cJSON_CreateObject();
    if (m->version)
        num(o, "version", m->version, 1);
    else
        cJSON_AddNullToObject(o, "version");
    if (m->note[0])
        cJSON_AddStringToObject(o, "note", m->note);
    else
        cJSON_AddNullToObject(o, "note");
    num(o, "lines", (double)m->lines, 1);
    cJSON_AddBoolToObject(o, "scored_only", m->scored_only);
    when(o, "from", m->from);
    when(o, "to", m->to);
    cJSON *a = cJSON_AddArrayToObject(o, "mean_abs_shap");
    for (int i = 0; i < m->n; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "feature", features_name(m->f[i].feature));
        cJSON_AddStringToObject(f, "label", m->f[i].label);
        num(f, "value", m->f[i].mean_abs, 1e-6);
        cJSON_AddItemToArray(a, f);
    }
    return o;
}

static cJSON *trends_json(const tg_report_trends *t)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "hashtags_ranked", (double)t->hashtags, 1);
    cJSON *a = cJSON_AddArrayToObject(o, "top_hashtags");
    for (int i = 0; i < t->n_top; i++) {
        cJSON *h = cJSON_CreateObject();
        cJSON_AddStringToObject(h, "hashtag", t->top[i].name);
        rate(h, &t->top[i].r);
        cJSON_AddItemToArray(a, h);
    }
    cJSON_AddItemToObject(o, "by_days_since_peak",
                          buckets(t->since_peak, t->n_since_peak));
    cJSON_AddItemToObject(o, "by_trend_age", buckets(t->age, t->n_age));
    return o;
}

static cJSON *funnel_json(const tg_report_funnel *f)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "queued", (double)f->queued, 1);
    num(o, "waiting", (double)f->waiting, 1);
    num(o, "skipped", (double)f->skipped, 1);
    num(o, "shown", (double)f->shown, 1);
    num(o, "accepted", (double)f->accepted, 1);
    num(o, "declined", (double)f->declined, 1);
    num(o, "kept", (double)f->kept, 1);
    num(o, "returned", (double)f->returned, 1);
    num(o, "lost", (double)f->lost, 1);
    num(o, "pending", (double)f->pending, 1);
    return o;
}

static cJSON *value_json(const tg_report_value *v)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "settled", (double)v->settled, 1);
    num(o, "expected_returns", v->expected_returns, 1e-4);
    num(o, "returns_avoided", v->returns_avoided, 1e-4);
    num(o, "return_cost_avoided", v->cost_avoided, 0.01);
    num(o, "offer_cost", v->offer_cost, 0.01);
    num(o, "lost_margin", v->lost_margin, 0.01);
    num(o, "money_saved", v->saved, 0.01);
    num(o, "roi", v->roi, 1e-4);
    return o;
}

static cJSON *rows_json(const tg_report_iv_row *rows, int n, const char *key)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        if (rows[i].key[0])
            cJSON_AddStringToObject(o, key, rows[i].key);
        else
            cJSON_AddNullToObject(o, key);
        cJSON_AddItemToObject(o, "funnel", funnel_json(&rows[i].funnel));
        cJSON_AddItemToObject(o, "value", value_json(&rows[i].value));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *iv_json(const tg_report_interventions *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "funnel", funnel_json(&v->funnel));
    cJSON_AddItemToObject(o, "value", value_json(&v->value));
    cJSON_AddItemToObject(o, "by_nudge", rows_json(v->nudge, v->n_nudges,
                                                   "nudge"));
    cJSON_AddItemToObject(o, "by_month", rows_json(v->month, v->n_months,
                                                   "month"));
    cJSON *a = cJSON_AddObjectToObject(o, "assumptions");
    num(a, "margin", v->margin, 1e-6);
    num(a, "processing_share", v->processing_share, 1e-6);
    num(a, "resale_hot", v->resale_hot, 1e-6);
    num(a, "resale_decline", v->resale_decline, 1e-6);
    num(a, "resale_evergreen", v->resale_evergreen, 1e-6);
    return o;
}

static void date(cJSON *o, const char *k, int64_t t)
{
    char buf[16];
    cJSON_AddStringToObject(o, k, tg_date_format(t, buf, sizeof buf));
}

static cJSON *weeks_json(const tg_dashboard *d)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < d->n_weeks; i++) {
        const tg_dash_week *w = &d->week[i];
        cJSON *o = cJSON_CreateObject();
        date(o, "week_start", w->start);
        num(o, "lines", (double)w->lines, 1);
        num(o, "matured", (double)w->matured, 1);
        num(o, "returned", (double)w->returned, 1);
        num(o, "rate", w->rate, 1e-6);
        num(o, "predicted", w->predicted, 1e-6);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *products_json(const tg_dashboard *d)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < d->n_products; i++) {
        const tg_dash_product *p = &d->product[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "category", p->category >= 0
                                ? tg_category_names[p->category] : "");
        num(o, "bought", (double)p->lines, 1);
        rate(o, &p->returns);
        num(o, "mean_risk", p->mean_risk, 1e-6);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* The dashboard's figures that the rest of the report does not have. */
static cJSON *overview_json(const tg_dashboard *d)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "model_version", d->model_version ? d->model_version : NAN, 1);
    num(o, "lines_this_week", (double)d->kpi.lines_week, 1);
    num(o, "scored_this_week", (double)d->kpi.scored_week, 1);
    num(o, "predicted_returns_this_week", d->kpi.predicted_week, 1e-4);
    num(o, "acceptance_rate", d->kpi.acceptance_rate, 1e-6);
    cJSON_AddItemToObject(o, "weekly", weeks_json(d));
    cJSON *h = cJSON_AddArrayToObject(o, "risk_histogram");
    for (int i = 0; i < TG_DASH_BINS; i++)
        cJSON_AddItemToArray(h, cJSON_CreateNumber((double)d->risk_bins[i]));
    cJSON *a = cJSON_AddArrayToObject(o, "top_drivers");
    for (int i = 0; i < d->n_drivers; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "feature",
                                features_name(d->driver[i].feature));
        cJSON_AddStringToObject(f, "label", d->driver[i].label);
        num(f, "first", (double)d->driver[i].first, 1);
        num(f, "share", d->driver[i].share, 1e-6);
        cJSON_AddItemToArray(a, f);
    }
    a = cJSON_AddArrayToObject(o, "return_reasons");
    for (int i = 0; i < d->n_reasons; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "reason", d->reason[i].reason);
        num(f, "returns", (double)d->reason[i].n, 1);
        cJSON_AddItemToArray(a, f);
    }
    cJSON_AddItemToObject(o, "riskiest_products", products_json(d));
    return o;
}

/* ---- the simulated pilot ---------------------------------------------------- */

static void ci(cJSON *o, const char *k, const tg_ci *c, double unit)
{
    cJSON *f = cJSON_AddObjectToObject(o, k);
    num(f, "value", c->value, unit);
    cJSON *a = cJSON_AddArrayToObject(f, "ci95");
    if (isfinite(c->lo) && isfinite(c->hi)) {
        cJSON_AddItemToArray(a, cJSON_CreateNumber(round(c->lo / unit) *
                                                   unit));
        cJSON_AddItemToArray(a, cJSON_CreateNumber(round(c->hi / unit) *
                                                   unit));
    }
}

/* An arm; all: the totals only the whole pilot has. */
static cJSON *pilot_arm_json(const tg_pilot_arm *a, int all)
{
    cJSON *o = cJSON_CreateObject();
    num(o, "lines", (double)a->lines, 1);
    num(o, "settled", (double)a->returns.n, 1);
    num(o, "returned", (double)a->returns.k, 1);
    num(o, "return_rate", a->returns.rate, 1e-6);
    cJSON *r = cJSON_AddArrayToObject(o, "ci95");
    if (isfinite(a->returns.lo)) {
        cJSON_AddItemToArray(r, cJSON_CreateNumber(round(a->returns.lo * 1e6)
                                                   / 1e6));
        cJSON_AddItemToArray(r, cJSON_CreateNumber(round(a->returns.hi * 1e6)
                                                   / 1e6));
    }
    num(o, "recorded_return_rate", a->recorded.rate, 1e-6);
    num(o, "return_cost", a->return_cost, 0.01);
    num(o, "value_lost", a->value_lost, 0.01);
    num(o, "spend", a->spend, 0.01);
    num(o, "orders", (double)a->orders, 1);
    num(o, "satisfaction", a->satisfaction, 1e-6);
    if (!all)
        return o;
    num(o, "customers", (double)a->customers, 1);
    num(o, "amount", a->amount, 0.01);
    num(o, "not_bought", (double)a->not_bought, 1);
    num(o, "exchanged", (double)a->exchanged, 1);
    num(o, "fast_restocked", (double)a->fast_restocked, 1);
    num(o, "offer_cost", a->offer_cost, 0.01);
    num(o, "lost_margin", a->lost_margin, 0.01);
    num(o, "restock_cost", a->restock_cost, 0.01);
    return o;
}

static cJSON *pilot_periods_json(const tg_pilot_period *p, int n,
                                 const char *key)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, key, p[i].key);
        cJSON_AddItemToObject(o, "control", pilot_arm_json(&p[i].arm[0], 0));
        cJSON_AddItemToObject(o, "treatment",
                              pilot_arm_json(&p[i].arm[1], 0));
        ci(o, "returns_avoided", &p[i].returns_avoided, 1e-4);
        ci(o, "net_saving", &p[i].net_saving, 0.01);
        ci(o, "roi", &p[i].roi, 1e-6);
        ci(o, "resale_recovered", &p[i].resale_recovered, 0.01);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *pilot_object(const tg_report_pilot *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "simulated", 1);
    cJSON_AddStringToObject(o, "assumptions", report_pilot_assumptions);
    if (p->note[0])
        cJSON_AddStringToObject(o, "note", p->note);
    else
        cJSON_AddNullToObject(o, "note");
    cJSON_AddBoolToObject(o, "has", p->has);
    if (!p->has)
        return o;
    num(o, "weeks", p->weeks, 1);
    num(o, "holdout", p->holdout, 1e-6);
    num(o, "seed", (double)p->seed, 1);
    num(o, "model_version", p->model_version, 1);
    when(o, "from", p->from);
    when(o, "to", p->to);
    num(o, "budget_per_day", p->budget_per_day, 0.01);
    cJSON_AddItemToObject(o, "control", pilot_arm_json(&p->arm[0], 1));
    cJSON_AddItemToObject(o, "treatment", pilot_arm_json(&p->arm[1], 1));
    ci(o, "returns_avoided", &p->returns_avoided, 1e-4);
    ci(o, "net_saving", &p->net_saving, 0.01);
    ci(o, "roi", &p->roi, 1e-6);
    ci(o, "resale_recovered", &p->resale_recovered, 0.01);
    ci(o, "satisfaction_change", &p->satisfaction_change, 1e-6);
    cJSON *a = cJSON_AddArrayToObject(o, "uptake_by_nudge");
    for (int i = 0; i < p->n_nudges; i++) {
        cJSON *n = cJSON_CreateObject();
        cJSON_AddStringToObject(n, "nudge", p->nudge[i].id);
        num(n, "shown", (double)p->nudge[i].uptake.n, 1);
        num(n, "accepted", (double)p->nudge[i].uptake.k, 1);
        num(n, "rate", p->nudge[i].uptake.rate, 1e-6);
        cJSON *r = cJSON_AddArrayToObject(n, "ci95");
        cJSON_AddItemToArray(r, cJSON_CreateNumber(
                                    round(p->nudge[i].uptake.lo * 1e6) / 1e6));
        cJSON_AddItemToArray(r, cJSON_CreateNumber(
                                    round(p->nudge[i].uptake.hi * 1e6) / 1e6));
        cJSON_AddItemToArray(a, n);
    }
    cJSON_AddItemToObject(o, "by_week",
                          pilot_periods_json(p->week, p->n_weeks, "week"));
    cJSON_AddItemToObject(o, "by_month",
                          pilot_periods_json(p->month, p->n_months, "month"));
    return o;
}

char *report_pilot_json(const tg_report_pilot *p)
{
    cJSON *o = pilot_object(p);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return text;
}

char *report_json(const tg_report *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "currency", r->currency.code);
    when(o, "data_end", r->data_end);
    when(o, "first_purchase", r->first);
    when(o, "last_purchase", r->last);
    num(o, "lines", (double)r->lines, 1);
    num(o, "min_lines", (double)r->min_lines, 1);
    rate(cJSON_AddObjectToObject(o, "matured"), &r->overall);
    cJSON_AddItemToObject(o, "drivers", drivers_json(r));
    cJSON_AddItemToObject(o, "model", model_json(&r->model));
    cJSON_AddItemToObject(o, "trends", trends_json(&r->trends));
    cJSON_AddItemToObject(o, "interventions", iv_json(&r->iv));
    cJSON_AddItemToObject(o, "overview", overview_json(&r->overview));
    cJSON_AddItemToObject(o, "pilot", pilot_object(&r->overview.pilot));
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}
