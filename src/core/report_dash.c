/* report_dash.c: the manager dashboard's figures summed line by line and
 * finished: how a line (or a day's or a product's sum of lines) adds to
 * the KPIs, the weekly series, the risk histogram, the top drivers, the
 * return reasons and the riskiest products, and the ranking, labels,
 * intervention funnel (real use) and simulated pilot (report_pilot) that
 * complete them. report_dashboard_scan reads every line of the filtered
 * period with its label and newest score in one pass: the reference the
 * rollups (report_rollup.c, report_dashboard) are tested against. Reads
 * only, keeps no state between calls. */
#include "report_dash_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/explain.h"

/* Each line bought from ?1 on (and the filter's category and channel), in
 * id order: time, product and its returns, one row per return (a line
 * without one comes once with NULLs): the label (v_labels' rule: returned
 * within 30 days) and the return reasons in the same pass. */
static const char SQL_LINES[] =
    "SELECT p.id, p.ordered_at, p.product_id, r.returned_at, r.reason"
    " FROM purchases p JOIN products pr ON pr.id = p.product_id"
    " LEFT JOIN returns r ON r.purchase_id = p.id"
    " WHERE p.ordered_at >= ?1"
    " AND (?2 IS NULL OR pr.category = ?2) AND (?3 IS NULL OR p.channel = ?3)"
    " ORDER BY p.id";
enum { L_ID, L_TIME, L_PRODUCT, L_RETURNED_AT, L_REASON };
/* Every score in the same order, a line's newest last: merged with the
 * lines, one sequential pass instead of a lookup per line. Only the start
 * of the drivers' JSON is read, for the first feature. */
static const char SQL_SCORES[] =
    "SELECT purchase_id, model_version, p_return, substr(drivers, 1, 80)"
    " FROM scores WHERE purchase_id >= (SELECT MIN(id) FROM purchases"
    "  WHERE ordered_at >= ?1)"
    " ORDER BY purchase_id, model_version";
enum { S_ID, S_MODEL, S_SCORE, S_DRIVERS };

static const char SQL_PRODUCT[] =
    "SELECT name, category FROM products WHERE id = ?";

/* The reasons the schema allows (returns.reason). */
static const char *const reason_names[] = {
    "too_small", "too_large", "not_as_pictured", "quality", "changed_mind",
    "late_delivery", "unknown"};
#define N_REASONS ((int)(sizeof reason_names / sizeof *reason_names))
_Static_assert(N_REASONS == DASH_N_REASONS, "the reasons' count");

/* A product needs this many lines in the period to be ranked. */
#define DASH_MIN_PRODUCT_LINES 5

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Monday 00:00 UTC of the week holding t. */
static int64_t week_start(int64_t t)
{
    return tg_monday(tg_day_of(t)) * TG_DAY;
}

/* ---- products: summed by id, then ranked --------------------------------- */

static size_t slot_of(const dash_products *m, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL;
    size_t i = (size_t)(h >> 20) & (m->cap - 1);
    while (m->v[i].id != INT64_MIN && m->v[i].id != id)
        i = (i + 1) & (m->cap - 1);
    return i;
}

static int grow(dash_products *m)
{
    dash_products g = {NULL, 0, m->cap ? m->cap * 2 : 1024};
    g.v = malloc(g.cap * sizeof *g.v);
    if (!g.v)
        return -1;
    for (size_t i = 0; i < g.cap; i++)
        g.v[i].id = INT64_MIN;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].id != INT64_MIN)
            g.v[slot_of(&g, m->v[i].id)] = m->v[i];
    g.n = m->n;
    free(m->v);
    *m = g;
    return 0;
}

int dash_add_product(dash_scan *c, int64_t id, const dash_sum *x)
{
    dash_products *m = &c->products;
    if (2 * (m->n + 1) > m->cap && grow(m))
        return -1;
    dash_product *p = &m->v[slot_of(m, id)];
    if (p->id == INT64_MIN) {
        *p = (dash_product){id, 0, 0, 0, 0, 0};
        m->n++;
    }
    p->lines += x->lines;
    p->matured += x->mature ? x->lines : 0;
    p->returned += x->mature ? x->returned : 0;
    p->scored += x->scored;
    p->risk_sum += x->risk_sum;
    return 0;
}

static double mean_risk(const dash_product *p)
{
    return p->scored ? p->risk_sum / (double)p->scored : NAN;
}

static double matured_rate(const dash_product *p)
{
    return p->matured ? (double)p->returned / (double)p->matured : -1;
}

/* Riskier first: mean risk (unscored last), matured return rate, lines. */
static int riskier(const dash_product *a, const dash_product *b)
{
    double ra = mean_risk(a), rb = mean_risk(b);
    if (isnan(ra) != isnan(rb))
        return isnan(ra) ? -1 : 1;
    if (!isnan(ra) && ra != rb)
        return ra > rb ? 1 : -1;
    double qa = matured_rate(a), qb = matured_rate(b);
    if (qa != qb)
        return qa > qb ? 1 : -1;
    if (a->lines != b->lines)
        return a->lines > b->lines ? 1 : -1;
    return a->id < b->id ? 1 : -1;
}

/* Keeps the TG_DASH_PRODUCTS riskiest of products with enough lines in
 * top (riskiest first); returns how many. */
static int keep_riskiest(const dash_product *p, dash_product *top, int n)
{
    if (p->lines < DASH_MIN_PRODUCT_LINES)
        return n;
    int j = n < TG_DASH_PRODUCTS ? n++ : TG_DASH_PRODUCTS;
    if (j == TG_DASH_PRODUCTS && riskier(p, &top[j - 1]) <= 0)
        return n;
    if (j == TG_DASH_PRODUCTS)
        j--;
    while (j > 0 && riskier(p, &top[j - 1]) > 0) {
        top[j] = top[j - 1];
        j--;
    }
    top[j] = *p;
    return n;
}

/* Ranks each product's totals. */
static int pick_products(const dash_products *m, dash_product *top)
{
    int n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].id != INT64_MIN)
            n = keep_riskiest(&m->v[i], top, n);
    return n;
}

static int name_products(tg_store *s, const dash_product *top, int n,
                         tg_dashboard *d, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_PRODUCT, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    for (int i = 0; i < n; i++) {
        tg_dash_product *o = &d->product[i];
        o->id = top[i].id;
        o->lines = top[i].lines;
        o->returns = report_rate(top[i].returned, top[i].matured);
        o->mean_risk = mean_risk(&top[i]);
        sqlite3_bind_int64(st, 1, o->id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            tg_strlcpy(o->name, (const char *)sqlite3_column_text(st, 0),
                       sizeof o->name);
            o->category = features_code(
                tg_category_names, TG_NUM_CATEGORIES,
                (const char *)sqlite3_column_text(st, 1));
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    d->n_products = n;
    return TG_OK;
}

/* ---- the pass over the lines --------------------------------------------- */

/* ([{"feature":"channel",...}...]) */
int dash_first_driver(const char *json)
{
    static const char key[] = "\"feature\":\"";
    const char *k = json ? strstr(json, key) : NULL;
    if (!k)
        return -1;
    k += sizeof key - 1;
    const char *q = strchr(k, '"');
    char name[64];
    if (!q || (size_t)(q - k) >= sizeof name)
        return -1;
    memcpy(name, k, (size_t)(q - k));
    name[q - k] = '\0';
    return features_index(name);
}

/* Moves the scores cursor (at_row: it holds a row) up to line id and
 * takes that line's last, newest, score. */
static int newest_score(sqlite3_stmt *sc, int *at_row, int64_t id,
                        line_score *out)
{
    memset(out, 0, sizeof *out);
    out->driver = -1;
    while (*at_row && sqlite3_column_int64(sc, S_ID) <= id) {
        if (sqlite3_column_int64(sc, S_ID) == id) {
            out->scored = 1;
            out->model = sqlite3_column_int(sc, S_MODEL);
            out->p = sqlite3_column_double(sc, S_SCORE);
            out->driver = dash_first_driver(
                (const char *)sqlite3_column_text(sc, S_DRIVERS));
        }
        int step = sqlite3_step(sc);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return -1;
        *at_row = step == SQLITE_ROW;
    }
    return 0;
}

int dash_reason(const char *name)
{
    return features_code(reason_names, N_REASONS, name);
}

/* Where week w of the series starts, -1 when t's week is not in it. */
static int week_of(const dash_scan *c, int64_t t)
{
    int64_t w = floor_div(week_start(t) - c->first_week, 7 * TG_DAY);
    return w >= 0 && w < c->d->n_weeks ? (int)w : -1;
}

void dash_add_day(dash_scan *c, const dash_sum *x)
{
    tg_dashboard *d = c->d;
    if (x->in_week) {
        d->kpi.lines_week += x->lines;
        d->kpi.scored_week += x->scored;
        d->kpi.predicted_week += x->risk_sum;
    }
    if (!x->in_period)
        return;
    d->kpi.lines += x->lines;
    d->kpi.matured += x->mature ? x->lines : 0;
    d->kpi.returned += x->mature ? x->returned : 0;
    int w = week_of(c, x->t);
    if (w >= 0) {
        tg_dash_week *wk = &d->week[w];
        wk->lines += x->lines;
        wk->matured += x->mature ? x->lines : 0;
        wk->returned += x->mature ? x->returned : 0;
        c->week_scored[w] += x->scored;
        wk->predicted += x->risk_sum;
    }
    d->scored += x->scored;
}

int dash_add_line(dash_scan *c, const dash_line *l, const line_score *ls)
{
    tg_dashboard *d = c->d;
    dash_sum x = {l->t, l->t >= d->period_start,
                  l->t > d->data_end - 7 * TG_DAY,
                  l->t + 30 * TG_DAY <= d->data_end,
                  1, l->returned, ls->scored, ls->scored ? ls->p : 0};
    dash_add_day(c, &x);
    if (!x.in_period)
        return TG_OK;
    if (ls->scored) {
        int b = (int)(ls->p * TG_DASH_BINS);
        d->risk_bins[b < 0 ? 0 : b >= TG_DASH_BINS ? TG_DASH_BINS - 1 : b]++;
        d->model_version = ls->model > d->model_version ? ls->model
                                                        : d->model_version;
        if (ls->driver >= 0) {
            c->driver_first[ls->driver]++;
            d->with_drivers++;
        }
    }
    return dash_add_product(c, l->product, &x) ? TG_EINTERNAL : TG_OK;
}

/* A line's gathered rows are complete: its newest score, then its
 * figures. */
static int flush_line(tg_store *s, dash_scan *c, sqlite3_stmt *sc,
                      int *at_row, const dash_line *l, tg_err *err)
{
    line_score ls;
    if (newest_score(sc, at_row, l->id, &ls))
        return store_fail(s, err, "reading scores");
    if (dash_add_line(c, l, &ls) != TG_OK)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    return TG_OK;
}

static int scan_lines(tg_store *s, const tg_report_filter *f, dash_scan *c,
                      tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_LINES, err);
    sqlite3_stmt *sc = st ? store_prepare(s, SQL_SCORES, err) : NULL;
    if (!sc) {
        sqlite3_finalize(st);
        return err ? err->code : TG_EINTERNAL;
    }
    int64_t week_from = c->d->data_end - 7 * TG_DAY;
    int64_t from = c->d->period_start < week_from ? c->d->period_start
                                                  : week_from;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(sc, 1, from);
    report_bind_filter(st, 2, f);
    int step = sqlite3_step(sc), rc = TG_OK;
    int at_row = step == SQLITE_ROW;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = store_fail(s, err, "reading scores");
    dash_line l = {.id = INT64_MIN};
    while (rc == TG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, L_ID);
        if (id != l.id) {
            if (l.id != INT64_MIN)
                rc = flush_line(s, c, sc, &at_row, &l, err);
            l = (dash_line){id, sqlite3_column_int64(st, L_TIME),
                            sqlite3_column_int64(st, L_PRODUCT), 0};
        }
        if (sqlite3_column_type(st, L_RETURNED_AT) == SQLITE_NULL)
            continue; /* not returned */
        l.returned |= sqlite3_column_int64(st, L_RETURNED_AT) <=
                      l.t + 30 * TG_DAY;
        int r = dash_reason((const char *)sqlite3_column_text(st, L_REASON));
        if (r >= 0 && l.t >= c->d->period_start)
            c->reasons[r]++;
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "reading purchase lines");
    if (rc == TG_OK && l.id != INT64_MIN)
        rc = flush_line(s, c, sc, &at_row, &l, err);
    sqlite3_finalize(st);
    sqlite3_finalize(sc);
    return rc;
}

/* The weeks of the period that end at the data end, at most
 * TG_DASH_WEEKS. */
static void set_weeks(tg_store *s, dash_scan *c)
{
    tg_dashboard *d = c->d;
    int64_t first = store_count(s, "SELECT MIN(ordered_at) FROM purchases");
    int64_t from = d->period_start > first ? d->period_start : first;
    int64_t last = week_start(d->data_end);
    int64_t earliest = last - (TG_DASH_WEEKS - 1) * 7 * TG_DAY;
    c->first_week = week_start(from) > earliest ? week_start(from) : earliest;
    d->n_weeks = d->data_end
                     ? (int)((last - c->first_week) / (7 * TG_DAY)) + 1 : 0;
    for (int w = 0; w < d->n_weeks; w++)
        d->week[w].start = c->first_week + (int64_t)w * 7 * TG_DAY;
}

static void finish_weeks(dash_scan *c)
{
    for (int w = 0; w < c->d->n_weeks; w++) {
        tg_dash_week *wk = &c->d->week[w];
        wk->rate = wk->matured ? (double)wk->returned / (double)wk->matured
                               : NAN;
        wk->predicted = c->week_scored[w]
                            ? wk->predicted / (double)c->week_scored[w]
                            : NAN;
    }
}

static int top_drivers(const dash_scan *c, tg_dashboard *d, tg_err *err)
{
    tg_explainer *ex = explain_load(NULL, err);
    if (!ex)
        return err ? err->code : TG_EINTERNAL;
    for (int f = 0; f < TG_NUM_FEATURES; f++) {
        long n = c->driver_first[f];
        if (!n)
            continue;
        int j = d->n_drivers < TG_DASH_DRIVERS ? d->n_drivers++
                                               : TG_DASH_DRIVERS;
        if (j == TG_DASH_DRIVERS && n <= d->driver[j - 1].first)
            continue;
        if (j == TG_DASH_DRIVERS)
            j--;
        while (j > 0 && n > d->driver[j - 1].first) {
            d->driver[j] = d->driver[j - 1];
            j--;
        }
        d->driver[j].feature = f;
        d->driver[j].first = n;
        tg_strlcpy(d->driver[j].label, explain_label(ex, f),
                   sizeof d->driver[j].label);
    }
    for (int i = 0; i < d->n_drivers; i++)
        d->driver[i].share = (double)d->driver[i].first /
                             (double)d->with_drivers;
    explain_free(ex);
    return TG_OK;
}

/* The reasons with returns, most first (by name on a tie). */
static void return_reasons(const dash_scan *c, tg_dashboard *d)
{
    int used[N_REASONS] = {0};
    while (d->n_reasons < TG_DASH_REASONS) {
        int best = -1;
        for (int r = 0; r < N_REASONS; r++)
            if (!used[r] && c->reasons[r] > 0 &&
                (best < 0 || c->reasons[r] > c->reasons[best] ||
                 (c->reasons[r] == c->reasons[best] &&
                  strcmp(reason_names[r], reason_names[best]) < 0)))
                best = r;
        if (best < 0)
            break;
        used[best] = 1;
        d->reason[d->n_reasons].reason = reason_names[best];
        d->reason[d->n_reasons++].n = c->reasons[best];
    }
}

int dash_begin(tg_store *s, const tg_report_filter *f, tg_dashboard *d,
               dash_scan *c, tg_err *err)
{
    memset(d, 0, sizeof *d);
    memset(c, 0, sizeof *c);
    c->d = d;
    int rc = report_period(s, f, &d->data_end, &d->period_start, err);
    if (rc == TG_OK)
        set_weeks(s, c);
    return rc;
}

/* The funnel and value of real use, and the acceptance rate. */
static int add_interventions(tg_store *s, const tg_report_filter *f,
                             tg_dashboard *d, int reference, tg_err *err)
{
    tg_report_interventions *iv = malloc(sizeof *iv);
    if (!iv)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int rc = reference ? report_interventions_scan(s, f, NULL, iv, err)
                       : report_interventions(s, f, NULL, iv, err);
    if (rc == TG_OK) {
        d->funnel = iv->funnel;
        d->value = iv->value;
        d->kpi.acceptance_rate = iv->funnel.shown
                                     ? (double)iv->funnel.accepted /
                                       (double)iv->funnel.shown
                                     : NAN;
    }
    free(iv);
    return rc;
}

int dash_finish(tg_store *s, const tg_report_filter *f, dash_scan *c,
                int rc, tg_err *err)
{
    tg_dashboard *d = c->d;
    if (rc == TG_OK) {
        finish_weeks(c);
        d->kpi.return_rate = d->kpi.matured ? (double)d->kpi.returned /
                                              (double)d->kpi.matured
                                            : NAN;
        dash_product top[TG_DASH_PRODUCTS];
        rc = name_products(s, top, pick_products(&c->products, top), d, err);
    }
    free(c->products.v);
    c->products = (dash_products){0};
    if (rc == TG_OK)
        rc = top_drivers(c, d, err);
    if (rc == TG_OK)
        return_reasons(c, d);
    if (rc == TG_OK)
        rc = add_interventions(s, f, d, c->reference, err);
    if (rc == TG_OK)
        rc = report_pilot(s, f, NULL, &d->pilot, err);
    return rc;
}

int report_dashboard_scan(tg_store *s, const tg_report_filter *f,
                          tg_dashboard *d, tg_err *err)
{
    dash_scan c;
    int rc = dash_begin(s, f, d, &c, err);
    c.reference = 1;
    if (rc == TG_OK)
        rc = scan_lines(s, f, &c, err);
    return dash_finish(s, f, &c, rc, err);
}
