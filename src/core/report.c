/* report.c: `trendguard report`'s figures: the return rate of matured lines
 * by each regret driver (bucketed, with Wilson intervals, the drivers
 * sorted by how far apart their buckets' rates are), the model's view
 * (mean |TreeSHAP| per feature over recent scored lines), the trends whose
 * buyers return most and the return rate over a trend's life, the
 * interventions (report_iv.c) and the dashboard's overview
 * (report_dash.c). */
#include "trendguard/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/dataset.h"
#include "trendguard/explain.h"
#include "trendguard/score.h"

void report_defaults(tg_report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_lines = 30;
    o->shap_days = 30;
    o->shap_lines = 5000;
}

/* ---- the drivers' buckets -------------------------------------------------- */

enum { PAY_CARD, PAY_LATER, PAY_OTHER, PAY_KINDS };
static const char *const pay_names[PAY_KINDS] = {"card", "paylater", "other"};

static const char *const hour_names[] = {
    "00-02h", "03-05h", "06-08h", "09-11h",
    "12-14h", "15-17h", "18-20h", "21-23h"};
static const double view_edges[] = {2, 5, 15, 60, 1440};
static const char *const view_names[] = {
    "under 2 min", "2-5 min", "5-15 min", "15-60 min", "1-24 h",
    "a day or more", "unknown"};
static const double discount_edges[] = {20, 40, 60};
static const char *const discount_names[] = {
    "none", "under 20%", "20-39%", "40-59%", "60% or more"};
static const char *const bracket_names[] = {"one size", "2 sizes",
                                            "3+ sizes"};
static const char *const size_names[] = {
    "2+ smaller", "1 smaller", "usual size", "1 larger", "2+ larger",
    "unknown"};
static const double peak_edges[] = {1, 5, 10, 20, 40};
static const char *const peak_names[] = {
    "under 1 day", "1-5 days", "5-10 days", "10-20 days", "20-40 days",
    "40+ days"};
static const double age_edges[] = {3, 7, 14, 30, 60};
static const char *const age_names[] = {
    "under 3 days", "3-7 days", "7-14 days", "14-30 days", "30-60 days",
    "60+ days"};

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

typedef struct driver_def {
    const char *id, *title;
    const char *const *names;
    int n;
} driver_def;

static const driver_def drivers[TG_REPORT_DRIVERS] = {
    [TG_RD_TREND_PHASE] = {"trend_phase", "trend phase", tg_trend_phase_names,
                           TG_NUM_TREND_PHASES},
    [TG_RD_CHANNEL] = {"channel", "channel", tg_channel_names,
                       TG_NUM_CHANNELS},
    [TG_RD_HOUR] = {"hour_of_day", "hour of day (UTC)", hour_names,
                    COUNT(hour_names)},
    [TG_RD_VIEW_TIME] = {"view_to_buy", "view-to-buy time", view_names,
                         COUNT(view_names)},
    [TG_RD_DISCOUNT] = {"discount", "discount depth", discount_names,
                        COUNT(discount_names)},
    [TG_RD_BRACKETING] = {"bracketing", "sizes of the item in the order",
                          bracket_names, COUNT(bracket_names)},
    [TG_RD_SIZE] = {"size_vs_usual", "size against the shopper's size",
                    size_names, COUNT(size_names)},
    [TG_RD_CATEGORY] = {"category", "category", tg_category_names,
                        TG_NUM_CATEGORIES},
    [TG_RD_PAYMENT] = {"payment", "payment method", pay_names, PAY_KINDS},
    [TG_RD_SEGMENT] = {"segment", "customer segment", tg_segment_names,
                       TG_NUM_SEGMENTS},
};

/* How many edges are at or below v: the bucket of a value cut at edges;
 * -1 for NaN. */
static int cut(double v, const double *edges, int n)
{
    if (isnan(v))
        return -1;
    int b = 0;
    while (b < n && v >= edges[b])
        b++;
    return b;
}

/* A categorical code in [0, n), -1 when missing or out of range. */
static int code(float v, int n)
{
    return !isnan(v) && v >= 0 && v < (float)n ? (int)v : -1;
}

static int clampi(double v, int lo, int hi)
{
    double r = round(v);
    return r < lo ? lo : r > hi ? hi : (int)r;
}

/* The bucket of a line for driver k; -1 when it has none. */
static int bucket_of(int k, const float *x, int payment, int phase)
{
    switch (k) {
    case TG_RD_TREND_PHASE:
        return phase;
    case TG_RD_CHANNEL:
        return code(x[TG_F_channel], TG_NUM_CHANNELS);
    case TG_RD_HOUR: {
        int h = code(x[TG_F_hour_of_day], 24);
        return h < 0 ? -1 : h / 3;
    }
    case TG_RD_VIEW_TIME: {
        int b = cut(x[TG_F_view_minutes], view_edges, COUNT(view_edges));
        return b < 0 ? COUNT(view_names) - 1 : b;
    }
    case TG_RD_DISCOUNT: {
        float d = x[TG_F_discount_pct];
        return isnan(d) ? -1
               : d <= 0 ? 0
                        : 1 + cut(d, discount_edges, COUNT(discount_edges));
    }
    case TG_RD_BRACKETING:
        return isnan(x[TG_F_sizes_of_item])
                   ? -1 : clampi(x[TG_F_sizes_of_item], 1, 3) - 1;
    case TG_RD_SIZE:
        return isnan(x[TG_F_size_vs_usual])
                   ? COUNT(size_names) - 1
                   : clampi(x[TG_F_size_vs_usual], -2, 2) + 2;
    case TG_RD_CATEGORY:
        return code(x[TG_F_category], TG_NUM_CATEGORIES);
    case TG_RD_PAYMENT:
        return payment;
    default: {
        int s = code(x[TG_F_cust_segment], TG_NUM_SEGMENTS);
        return s < 0 ? TG_SEG_UNKNOWN : s;
    }
    }
}

/* Counts per bucket, then the buckets with lines into out. */
typedef struct tally {
    long n[TG_REPORT_MAX_BUCKETS], k[TG_REPORT_MAX_BUCKETS];
} tally;

static int fill_buckets(const tally *t, const char *const *names, int n,
                        tg_report_bucket *out)
{
    int m = 0;
    for (int b = 0; b < n; b++) {
        if (!t->n[b])
            continue;
        tg_strlcpy(out[m].label, names[b], sizeof out[m].label);
        out[m++].r = report_rate(t->k[b], t->n[b]);
    }
    return m;
}

static double spread(const tg_report_driver *d, long min_lines)
{
    double lo = INFINITY, hi = -INFINITY;
    int counted = 0;
    for (int b = 0; b < d->n; b++) {
        if (d->b[b].r.n < min_lines)
            continue;
        lo = fmin(lo, d->b[b].r.rate);
        hi = fmax(hi, d->b[b].r.rate);
        counted++;
    }
    return counted >= 2 ? hi - lo : 0;
}

static int by_spread(const void *a, const void *b)
{
    const tg_report_driver *x = a, *y = b;
    if (fabs(x->spread - y->spread) > 1e-12) /* equal up to rounding */
        return x->spread < y->spread ? 1 : -1;
    return x->kind - y->kind;
}

/* ---- reading the lines ------------------------------------------------------- */

/* What the training set lacks: the payment method, whether the line has
 * a score and its trend's phase when it was bought (features_trend_phase
 * through the store's trend_phase; none without a trend), in the training
 * set's order. */
static const char SQL_LINE_EXTRA[] =
    "SELECT p.id, p.payment, EXISTS (SELECT 1 FROM scores sc"
    " WHERE sc.purchase_id = p.id),"
    " COALESCE((SELECT trend_phase(ts.views_24h, ts.week_views,"
    "   ts.prev_week_views, ts.best_week_views,"
    "   (p.ordered_at - ts.captured_at) / 86400.0)"
    "  FROM trend_state ts WHERE ts.hashtag_id = lh.hashtag_id"
    "  AND ts.captured_at <= p.ordered_at"
    "  ORDER BY ts.captured_at DESC LIMIT 1), 0)"
    " FROM purchases p LEFT JOIN v_line_hashtag lh ON lh.purchase_id = p.id"
    " ORDER BY p.ordered_at, p.id";

typedef struct lines {
    tg_dataset d;
    unsigned char *pay, *scored, *phase;
} lines;

static int load_lines(tg_store *s, lines *l, tg_err *err)
{
    int rc = dataset_load(s, 0, 0, &l->d, err);
    if (rc != TG_OK)
        return rc;
    size_t n = l->d.n;
    l->pay = malloc(n + 1);
    l->scored = malloc(n + 1);
    l->phase = malloc(n + 1);
    if (!l->pay || !l->scored || !l->phase)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    sqlite3_stmt *st = store_prepare(s, SQL_LINE_EXTRA, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    size_t i = 0;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && rc == TG_OK) {
        if (i >= n || sqlite3_column_int64(st, 0) != l->d.id[i]) {
            rc = tg_fail(err, TG_EINTERNAL, "report: the training set and "
                         "the purchases disagree at line %zu", i);
            break;
        }
        int p = features_code(pay_names, PAY_KINDS,
                              (const char *)sqlite3_column_text(st, 1));
        l->pay[i] = (unsigned char)(p < 0 ? PAY_OTHER : p);
        l->scored[i] = (unsigned char)sqlite3_column_int(st, 2);
        l->phase[i++] = (unsigned char)sqlite3_column_int(st, 3);
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "reading purchases");
    else if (rc == TG_OK && i != n)
        rc = tg_fail(err, TG_EINTERNAL, "report: %zu purchases for %zu "
                     "training-set lines", i, n);
    sqlite3_finalize(st);
    return rc;
}

static void free_lines(lines *l)
{
    dataset_free(&l->d);
    free(l->pay);
    free(l->scored);
    free(l->phase);
}

static int mature(const tg_dataset *d, size_t i)
{
    return d->t[i] + 30 * TG_DAY <= d->data_end;
}

/* ---- drivers and the trend's life -------------------------------------------- */

static void count_drivers(const lines *l, long min_lines, tg_report *r)
{
    tally t[TG_REPORT_DRIVERS], peak, age;
    memset(t, 0, sizeof t);
    memset(&peak, 0, sizeof peak);
    memset(&age, 0, sizeof age);
    long n = 0, k = 0;
    for (size_t i = 0; i < l->d.n; i++) {
        if (!mature(&l->d, i))
            continue;
        const float *x = l->d.x + i * l->d.nfeat;
        int y = l->d.y[i] > 0.5f;
        n++, k += y;
        for (int d = 0; d < TG_REPORT_DRIVERS; d++) {
            int b = bucket_of(d, x, l->pay[i], l->phase[i]);
            if (b >= 0)
                t[d].n[b]++, t[d].k[b] += y;
        }
        int bp = cut(x[TG_F_trend_days_since_peak], peak_edges,
                     COUNT(peak_edges));
        int ba = cut(x[TG_F_trend_age_days], age_edges, COUNT(age_edges));
        if (bp >= 0)
            peak.n[bp]++, peak.k[bp] += y;
        if (ba >= 0)
            age.n[ba]++, age.k[ba] += y;
    }
    r->overall = report_rate(k, n);
    for (int d = 0; d < TG_REPORT_DRIVERS; d++) {
        tg_report_driver *o = &r->driver[d];
        o->kind = d;
        o->id = drivers[d].id;
        o->title = drivers[d].title;
        o->n = fill_buckets(&t[d], drivers[d].names, drivers[d].n, o->b);
        o->spread = spread(o, min_lines);
    }
    qsort(r->driver, TG_REPORT_DRIVERS, sizeof *r->driver, by_spread);
    r->trends.n_since_peak = fill_buckets(&peak, peak_names,
                                          COUNT(peak_names),
                                          r->trends.since_peak);
    r->trends.n_age = fill_buckets(&age, age_names, COUNT(age_names),
                                   r->trends.age);
}

/* ---- trends ------------------------------------------------------------------- */

/* Matured lines per trend (the line's TikTok hashtag, else its product's
 * primary tag), highest return rate first. */
static const char SQL_HASHTAGS[] =
    "SELECT h.name, COUNT(*), SUM(l.returned)"
    " FROM v_line_hashtag lh JOIN hashtags h ON h.id = lh.hashtag_id"
    " JOIN v_labels l ON l.purchase_id = lh.purchase_id"
    " WHERE lh.ordered_at + 2592000 <= ?1"
    " GROUP BY lh.hashtag_id HAVING COUNT(*) >= ?2"
    " ORDER BY SUM(l.returned) * 1.0 / COUNT(*) DESC, COUNT(*) DESC, h.name";

static int top_hashtags(tg_store *s, int64_t end, long min_lines,
                        tg_report_trends *t, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_HASHTAGS, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_int64(st, 1, end);
    sqlite3_bind_int64(st, 2, min_lines);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        t->hashtags++;
        if (t->n_top == TG_REPORT_MAX_HASHTAGS)
            continue;
        tg_report_hashtag *h = &t->top[t->n_top++];
        tg_strlcpy(h->name, (const char *)sqlite3_column_text(st, 0),
                   sizeof h->name);
        h->r = report_rate(sqlite3_column_int(st, 2),
                           sqlite3_column_int(st, 1));
    }
    int rc = step == SQLITE_DONE ? TG_OK
                                 : store_fail(s, err, "reading trends");
    sqlite3_finalize(st);
    return rc;
}

/* ---- the model's view ------------------------------------------------------- */

static int by_mean_abs(const void *a, const void *b)
{
    const tg_report_shap *x = a, *y = b;
    if (x->mean_abs != y->mean_abs)
        return x->mean_abs < y->mean_abs ? 1 : -1;
    return x->feature - y->feature;
}

/* The lines to explain: the newest shap_lines of the last shap_days days,
 * those with a score when any has one. Fills idx (newest first) and
 * returns how many. */
static size_t pick_recent(const lines *l, const tg_report_opts *o,
                          size_t *idx, int *scored_only)
{
    int64_t from = l->d.data_end - (int64_t)o->shap_days * TG_DAY;
    size_t n = 0;
    *scored_only = 0;
    for (size_t i = l->d.n; i-- > 0 && l->d.t[i] >= from;)
        if (l->scored[i]) {
            *scored_only = 1;
            break;
        }
    for (size_t i = l->d.n; i-- > 0 && l->d.t[i] >= from &&
                            n < (size_t)o->shap_lines;)
        if (l->scored[i] || !*scored_only)
            idx[n++] = i;
    return n;
}

static int explain_lines(const tg_model *m, const lines *l, const size_t *idx,
                         size_t n, const tg_explainer *ex, tg_report_model *v,
                         tg_err *err)
{
    size_t nf = model_num_features(m);
    int *map = malloc(nf * sizeof *map);
    float *rows = malloc(n * nf * sizeof *rows);
    float *out = malloc(n * (nf + 1) * sizeof *out);
    int rc = !map || !rows || !out
                 ? tg_fail(err, TG_EINTERNAL, "out of memory")
                 : score_feature_map(m, map, err);
    for (size_t i = 0; rc == TG_OK && i < n; i++)
        for (size_t k = 0; k < nf; k++)
            rows[i * nf + k] = l->d.x[idx[i] * l->d.nfeat + (size_t)map[k]];
    if (rc == TG_OK)
        rc = model_contribs_batch(m, rows, n, out, err);
    if (rc == TG_OK) {
        double sum[TG_NUM_FEATURES] = {0};
        int used[TG_NUM_FEATURES] = {0};
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < nf; k++)
                sum[map[k]] += fabs(out[i * (nf + 1) + k]);
        for (size_t k = 0; k < nf; k++)
            used[map[k]] = 1;
        for (int f = 0; f < TG_NUM_FEATURES; f++) {
            if (!used[f])
                continue;
            tg_report_shap *sh = &v->f[v->n++];
            sh->feature = f;
            tg_strlcpy(sh->label, explain_label(ex, f), sizeof sh->label);
            sh->mean_abs = sum[f] / (double)n;
        }
        qsort(v->f, (size_t)v->n, sizeof *v->f, by_mean_abs);
    }
    free(map), free(rows), free(out);
    return rc;
}

static int explain_model(tg_store *s, const lines *l, const tg_report_opts *o,
                      const tg_explainer *ex, tg_report_model *v, tg_err *err)
{
    tg_model_info info;
    tg_err merr = {0};
    tg_model *m = score_open_model(s, NULL, &info, &merr);
    if (!m) {
        if (merr.code == TG_ENOINPUT &&
            store_count(s, "SELECT count(*) FROM model_registry") == 0)
            snprintf(v->note, sizeof v->note, "no model registered (train "
                     "one with trendguard-train)");
        else
            snprintf(v->note, sizeof v->note, "the newest model cannot be "
                     "used: %.200s", merr.msg);
        return TG_OK;
    }
    size_t *idx = malloc(((size_t)o->shap_lines + 1) * sizeof *idx);
    int rc = idx ? TG_OK : tg_fail(err, TG_EINTERNAL, "out of memory");
    size_t n = idx ? pick_recent(l, o, idx, &v->scored_only) : 0;
    if (rc == TG_OK && n == 0) {
        snprintf(v->note, sizeof v->note, "no lines in the last %d days to "
                 "explain", o->shap_days);
    } else if (rc == TG_OK) {
        rc = explain_lines(m, l, idx, n, ex, v, err);
        v->version = info.version;
        v->lines = (long)n;
        v->to = l->d.t[idx[0]];
        v->from = l->d.t[idx[n - 1]];
    }
    free(idx);
    model_free(m);
    return rc;
}

/* ---- the whole report ---------------------------------------------------------- */

int report_build(tg_store *s, const tg_report_opts *o, tg_report *r,
                 tg_err *err)
{
    tg_report_opts def;
    if (!o) {
        report_defaults(&def);
        o = &def;
    }
    memset(r, 0, sizeof *r);
    r->min_lines = o->min_lines;
    tg_explainer *ex = explain_load(o->explain_path, err);
    if (!ex)
        return err ? err->code : TG_EINTERNAL;
    lines l;
    memset(&l, 0, sizeof l);
    int rc = money_currency(s, &r->currency, err);
    if (rc == TG_OK)
        rc = load_lines(s, &l, err);
    if (rc == TG_OK) {
        r->data_end = l.d.data_end;
        r->lines = (long)l.d.n;
        if (l.d.n) {
            r->first = l.d.t[0];
            r->last = l.d.t[l.d.n - 1];
        }
        count_drivers(&l, o->min_lines, r);
        rc = top_hashtags(s, r->data_end, o->min_lines, &r->trends, err);
    }
    if (rc == TG_OK)
        rc = explain_model(s, &l, o, ex, &r->model, err);
    if (rc == TG_OK)
        rc = report_interventions(s, NULL, o->assume_path, &r->iv, err);
    if (rc == TG_OK)
        rc = report_dashboard(s, NULL, &r->overview, err);
    if (rc == TG_OK)
        rc = sim_sweep_latest(s, &r->sweep, &r->has_sweep, err);
    free_lines(&l);
    explain_free(ex);
    return rc;
}

static double top_of(const tg_report_bucket *b, int n, double top)
{
    for (int i = 0; i < n; i++)
        top = fmax(top, b[i].r.hi);
    return top;
}

double report_top_rate(const tg_report *r)
{
    double top = 0;
    for (int d = 0; d < TG_REPORT_DRIVERS; d++)
        top = top_of(r->driver[d].b, r->driver[d].n, top);
    for (int i = 0; i < r->trends.n_top; i++)
        top = fmax(top, r->trends.top[i].r.hi);
    top = top_of(r->trends.since_peak, r->trends.n_since_peak, top);
    top = top_of(r->trends.age, r->trends.n_age, top);
    for (int i = 0; i < r->overview.n_weeks; i++)
        top = fmax(fmax(top, r->overview.week[i].rate),
                   r->overview.week[i].predicted);
    return top > 0 ? top : 1;
}
