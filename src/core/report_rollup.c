/* report_rollup.c: the manager dashboard's figures (report_dashboard) from
 * the rollups the store's triggers keep (schema_rollup.c): a few thousand
 * rows for any period and filter, where report_dashboard_scan reads every
 * line.
 *
 * A rollup row sums whole days, while the figures' boundaries are moments:
 * the period's start S, the maturity cut M (a line is matured when bought
 * at or before the data end less 30 days) and the last 7 days' start W.
 * Every day but the three holding S, M and W lies wholly on one side of
 * each, so its rows add as they are; the lines of those (at most) three
 * days are read one by one, as the scan reads them. Products come from
 * whole weeks, but for the weeks holding one of those days, which come
 * from their days. The sums are the scan's, but for the order in which
 * the scores are added up. Reads only. */
#include "report_dash_int.h"

#include <stdlib.h>
#include <string.h>

#define NO_DAY INT64_MIN

/* The figures' boundaries as days. */
typedef struct bounds {
    int64_t start;           /* day of S; NO_DAY: all data */
    int64_t mature;          /* day of M */
    int64_t week;            /* day of W */
    int64_t from;            /* the first day that counts anywhere */
    int64_t raw[3];          /* the days read line by line, distinct */
    int nraw;
} bounds;

static void set_bounds(const tg_dashboard *d, bounds *b)
{
    memset(b, 0, sizeof *b);
    int64_t w = d->data_end - 7 * TG_DAY;
    b->start = d->period_start == INT64_MIN ? NO_DAY
                                            : tg_day_of(d->period_start);
    b->mature = tg_day_of(d->data_end - 30 * TG_DAY);
    b->week = tg_day_of(w);
    b->from = b->start == NO_DAY ? NO_DAY
              : b->week < b->start ? b->week : b->start;
    int64_t cand[3] = {b->start, b->mature, b->week};
    for (int i = 0; i < 3; i++) {
        int seen = cand[i] == NO_DAY || (b->from != NO_DAY && cand[i] <
                                                                 b->from);
        for (int j = 0; j < b->nraw; j++)
            seen |= b->raw[j] == cand[i];
        if (!seen)
            b->raw[b->nraw++] = cand[i];
    }
}

static int is_raw(const bounds *b, int64_t day)
{
    for (int i = 0; i < b->nraw; i++)
        if (b->raw[i] == day)
            return 1;
    return 0;
}

static int in_period(const bounds *b, int64_t day)
{
    return b->start == NO_DAY || day > b->start;
}

/* A whole day's (or week's, first..last) sum of lines with its sides. */
static dash_sum sum_of(const bounds *b, int64_t first, int64_t last)
{
    return (dash_sum){.t = first * TG_DAY,
                      .in_period = in_period(b, first),
                      .in_week = first > b->week,
                      .mature = last < b->mature};
}

/* The filter's codes as the rollups hold them (categories.code and
 * channels.code are features.h's indexes), at ?first and ?first + 1. */
static void bind_codes(sqlite3_stmt *st, int first, const tg_report_filter *f)
{
    if (f && f->category >= 0)
        sqlite3_bind_int(st, first, f->category);
    if (f && f->channel >= 0)
        sqlite3_bind_int(st, first + 1, f->channel);
}

#define CODES                                                                 \
    " AND (?2 IS NULL OR category = ?2) AND (?3 IS NULL OR channel = ?3)"

/* What one row of a rollup adds; -1 when out of memory. */
typedef int row_fn(dash_scan *c, const bounds *b, sqlite3_stmt *st);

/* Each row of sql (?1 the first day or week, ?4 the last, ?2 and ?3 the
 * filter's codes) handed to fn. */
static int each_row(tg_store *s, const char *sql, const tg_report_filter *f,
                    const bounds *b, int64_t from, int64_t to, row_fn *fn,
                    dash_scan *c, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, sql, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_int64(st, 1, from);
    bind_codes(st, 2, f);
    sqlite3_bind_int64(st, 4, to);
    int step, rc = TG_OK;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(c, b, st)) {
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
            break;
        }
    sqlite3_finalize(st);
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "reading the rollups");
    return rc;
}

/* ---- days: KPIs, weeks, the histogram, drivers, reasons ------------------ */

static int day_row(dash_scan *c, const bounds *b, sqlite3_stmt *st)
{
    int64_t day = sqlite3_column_int64(st, 0);
    if (is_raw(b, day))
        return 0;
    dash_sum x = sum_of(b, day, day);
    x.lines = sqlite3_column_int64(st, 1);
    x.returned = sqlite3_column_int64(st, 2);
    x.scored = sqlite3_column_int64(st, 3);
    x.risk_sum = sqlite3_column_double(st, 4);
    dash_add_day(c, &x);
    for (int i = 0; x.in_period && i < TG_DASH_BINS; i++)
        c->d->risk_bins[i] += sqlite3_column_int64(st, 5 + i);
    return 0;
}

static int driver_row(dash_scan *c, const bounds *b, sqlite3_stmt *st)
{
    int64_t day = sqlite3_column_int64(st, 0);
    if (is_raw(b, day) || !in_period(b, day))
        return 0;
    tg_dashboard *d = c->d;
    int model = sqlite3_column_int(st, 1);
    long n = (long)sqlite3_column_int64(st, 3);
    d->model_version = model > d->model_version ? model : d->model_version;
    int k = features_index((const char *)sqlite3_column_text(st, 2));
    if (k >= 0) {
        c->driver_first[k] += n;
        d->with_drivers += n;
    }
    return 0;
}

static int reason_row(dash_scan *c, const bounds *b, sqlite3_stmt *st)
{
    int64_t day = sqlite3_column_int64(st, 0);
    if (is_raw(b, day) || !in_period(b, day))
        return 0;
    int r = dash_reason((const char *)sqlite3_column_text(st, 1));
    if (r >= 0)
        c->reasons[r] += (long)sqlite3_column_int64(st, 2);
    return 0;
}

/* ---- products: whole weeks, and the days of the weeks cut ---------------- */

/* A product row (key, product_id, lines, returned, scored, risk_sum). */
static int add_product_row(dash_scan *c, sqlite3_stmt *st, dash_sum *x)
{
    x->lines = sqlite3_column_int64(st, 2);
    x->returned = sqlite3_column_int64(st, 3);
    x->scored = sqlite3_column_int64(st, 4);
    x->risk_sum = sqlite3_column_double(st, 5);
    return dash_add_product(c, sqlite3_column_int64(st, 1), x);
}

/* Weeks that hold a day read line by line are read by their days. */
static int is_cut(const bounds *b, int64_t week)
{
    for (int i = 0; i < b->nraw; i++)
        if (tg_monday(b->raw[i]) == week)
            return 1;
    return 0;
}

static int product_week_row(dash_scan *c, const bounds *b, sqlite3_stmt *st)
{
    int64_t week = sqlite3_column_int64(st, 0);
    if (is_cut(b, week) || !in_period(b, week))
        return 0;
    dash_sum x = sum_of(b, week, week + 6);
    return add_product_row(c, st, &x);
}

static int product_day_row(dash_scan *c, const bounds *b, sqlite3_stmt *st)
{
    int64_t day = sqlite3_column_int64(st, 0);
    if (is_raw(b, day) || !in_period(b, day))
        return 0;
    dash_sum x = sum_of(b, day, day);
    return add_product_row(c, st, &x);
}

#define PRODUCT_COLS "product_id, lines, returned, scored, risk_sum"

/* The rollups' figures: days from the first that counts, the period's
 * drivers, reasons and products (whole weeks, and the days of the weeks
 * cut by a boundary day). */
static int read_rollups(tg_store *s, const tg_report_filter *f,
                        const bounds *b, dash_scan *c, tg_err *err)
{
    int64_t from = b->start == NO_DAY ? NO_DAY : b->start + 1;
    int rc = each_row(s,
                      "SELECT day, lines, returned, scored, risk_sum, b0, b1,"
                      " b2, b3, b4, b5, b6, b7, b8, b9 FROM dash_days"
                      " WHERE day >= ?1" CODES,
                      f, b, b->from, 0, day_row, c, err);
    if (rc == TG_OK)
        rc = each_row(s,
                      "SELECT day, model_version, feature, n FROM"
                      " dash_day_drivers WHERE day >= ?1 AND n > 0" CODES,
                      f, b, from, 0, driver_row, c, err);
    if (rc == TG_OK)
        rc = each_row(s,
                      "SELECT day, reason, n FROM dash_day_reasons"
                      " WHERE day >= ?1" CODES,
                      f, b, from, 0, reason_row, c, err);
    if (rc == TG_OK)
        rc = each_row(s,
                      "SELECT week, " PRODUCT_COLS " FROM dash_product_weeks"
                      " WHERE week >= ?1" CODES,
                      f, b, from == NO_DAY ? NO_DAY : tg_monday(from), 0,
                      product_week_row, c, err);
    for (int i = 0; i < b->nraw && rc == TG_OK; i++) {
        int64_t week = tg_monday(b->raw[i]);
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= tg_monday(b->raw[j]) == week;
        if (!seen)
            rc = each_row(s,
                          "SELECT day, " PRODUCT_COLS " FROM"
                          " dash_product_days WHERE day >= ?1"
                          " AND day <= ?4" CODES,
                          f, b, week, week + 6, product_day_row, c, err);
    }
    return rc;
}

/* ---- the boundary days, line by line ------------------------------------- */

/* The lines bought in [?1, ?4) (and the filter), each with its newest
 * score and one row per return, a line's rows together (in time order:
 * through purchases_by_time, not a pass over every line in id order). */
static const char SQL_RAW[] =
    "SELECT p.id, p.ordered_at, p.product_id, r.returned_at, r.reason,"
    " s.model_version, s.p_return, substr(s.drivers, 1, 80)"
    " FROM purchases p JOIN products pr ON pr.id = p.product_id"
    " LEFT JOIN scores s ON s.purchase_id = p.id AND s.model_version ="
    "  (SELECT MAX(o.model_version) FROM scores o WHERE o.purchase_id = p.id)"
    " LEFT JOIN returns r ON r.purchase_id = p.id"
    " WHERE p.ordered_at >= ?1 AND p.ordered_at < ?4"
    " AND (?2 IS NULL OR pr.category = ?2) AND (?3 IS NULL OR p.channel = ?3)"
    " ORDER BY p.ordered_at, p.id";
enum { R_ID, R_TIME, R_PRODUCT, R_RETURNED_AT, R_REASON, R_MODEL, R_SCORE,
       R_DRIVERS };

/* The line of the row st is on, with its score. */
static void start_line(sqlite3_stmt *st, dash_line *l, line_score *ls)
{
    *l = (dash_line){sqlite3_column_int64(st, R_ID),
                     sqlite3_column_int64(st, R_TIME),
                     sqlite3_column_int64(st, R_PRODUCT), 0};
    *ls = (line_score){0, 0, -1, 0};
    if (sqlite3_column_type(st, R_MODEL) != SQLITE_NULL) {
        ls->scored = 1;
        ls->model = sqlite3_column_int(st, R_MODEL);
        ls->p = sqlite3_column_double(st, R_SCORE);
        ls->driver = dash_first_driver(
            (const char *)sqlite3_column_text(st, R_DRIVERS));
    }
}

static int read_raw_day(tg_store *s, const tg_report_filter *f,
                        int64_t from, int64_t to, dash_scan *c, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_RAW, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 4, to);
    report_bind_filter(st, 2, f);
    dash_line l = {.id = INT64_MIN};
    line_score ls;
    int step = SQLITE_DONE, rc = TG_OK;
    while (rc == TG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_int64(st, R_ID) != l.id) {
            if (l.id != INT64_MIN)
                rc = dash_add_line(c, &l, &ls);
            start_line(st, &l, &ls);
        }
        if (sqlite3_column_type(st, R_RETURNED_AT) == SQLITE_NULL)
            continue;
        l.returned |= sqlite3_column_int64(st, R_RETURNED_AT) <=
                      l.t + 30 * TG_DAY;
        int r = dash_reason((const char *)sqlite3_column_text(st, R_REASON));
        if (r >= 0 && l.t >= c->d->period_start)
            c->reasons[r]++;
    }
    if (rc == TG_OK && l.id != INT64_MIN)
        rc = dash_add_line(c, &l, &ls);
    sqlite3_finalize(st);
    if (rc != TG_OK)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    return step == SQLITE_DONE ? TG_OK
                               : store_fail(s, err, "reading purchase lines");
}

/* Each boundary day's lines from the first moment that counts. */
static int read_raw(tg_store *s, const tg_report_filter *f, const bounds *b,
                    dash_scan *c, tg_err *err)
{
    const tg_dashboard *d = c->d;
    int64_t w = d->data_end - 7 * TG_DAY;
    int64_t from = d->period_start < w ? d->period_start : w;
    int rc = TG_OK;
    for (int i = 0; i < b->nraw && rc == TG_OK; i++) {
        int64_t t0 = b->raw[i] * TG_DAY;
        rc = read_raw_day(s, f, t0 > from ? t0 : from, t0 + TG_DAY, c, err);
    }
    return rc;
}

int report_dashboard(tg_store *s, const tg_report_filter *f,
                     tg_dashboard *d, tg_err *err)
{
    dash_scan c;
    /* One snapshot: a write between two reads would count a line in one
     * and not the other. */
    int began = store_read_begin(s);
    int rc = dash_begin(s, f, d, &c, err);
    bounds b = {0};
    if (rc == TG_OK) {
        set_bounds(d, &b);
        rc = read_rollups(s, f, &b, &c, err);
    }
    if (rc == TG_OK)
        rc = read_raw(s, f, &b, &c, err);
    rc = dash_finish(s, f, &c, rc, err);
    store_read_end(s, began);
    if (rc == TG_OK && began) /* the pilot's, for the next time */
        report_pilot_keep(s, &d->pilot);
    return rc;
}
