/* report_iv.c: the report's shared pieces (Wilson intervals, the filter's
 * period) and the interventions of real use (the live rows: the app and
 * the queue, never the simulated pilot's): the funnel from queued to
 * outcome, and what accepted nudges saved (returns avoided, money, ROI) in
 * total, per nudge and per month. How the value is estimated is written
 * at the top of report.h. */
#include "trendguard/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/sim.h"

/* ---- shared ---------------------------------------------------------------- */

tg_rate report_rate(long k, long n)
{
    tg_rate r = {n, k, NAN, NAN, NAN};
    if (n <= 0)
        return r;
    const double z = 1.959963984540054, z2 = z * z, nn = (double)n;
    double p = (double)k / nn;
    double denom = 1 + z2 / nn;
    double centre = (p + z2 / (2 * nn)) / denom;
    double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
    r.rate = p;
    r.lo = fmax(0, centre - half);
    r.hi = fmin(1, centre + half);
    return r;
}

int report_period(tg_store *s, const tg_report_filter *f, int64_t *data_end,
                  int64_t *start, tg_err *err)
{
    if (f && (f->category < -1 || f->category >= TG_NUM_CATEGORIES))
        return tg_fail(err, TG_EUSAGE, "report: no category %d", f->category);
    if (f && (f->channel < -1 || f->channel >= TG_NUM_CHANNELS))
        return tg_fail(err, TG_EUSAGE, "report: no channel %d", f->channel);
    if (f && f->period_days < 0)
        return tg_fail(err, TG_EUSAGE, "report: a period of %d days",
                       f->period_days);
    *data_end = store_count(s, "SELECT t FROM v_data_end");
    *start = f && f->period_days > 0
                 ? *data_end - (int64_t)f->period_days * TG_DAY
                 : INT64_MIN;
    if (f && f->has_since && f->since > *start)
        *start = f->since;
    return TG_OK;
}

void report_bind_filter(sqlite3_stmt *st, int first,
                        const tg_report_filter *f)
{
    if (f && f->category >= 0)
        sqlite3_bind_text(st, first, tg_category_names[f->category], -1,
                          SQLITE_STATIC);
    if (f && f->channel >= 0)
        sqlite3_bind_text(st, first + 1, tg_channel_names[f->channel], -1,
                          SQLITE_STATIC);
}

/* ---- interventions ----------------------------------------------------------- */

/* Every intervention the filter covers: its answer and outcome, nudge,
 * logged score, offer cost, the line's price paid, the time it counts at
 * and, for accepted ones, the line's trend's phase when it was bought
 * (features_trend_phase, through the store's trend_phase; NULL: none),
 * for the resale share. */
#define IV_COLUMNS \
    "SELECT i.status, i.outcome, COALESCE(i.nudge, ''), i.score," \
    " i.offer_cost, p.unit_price * p.quantity," \
    " COALESCE(p.ordered_at, i.created_at)," \
    " CASE WHEN i.status = 'accepted' THEN" \
    "  (SELECT trend_phase(ts.views_24h, ts.week_views," \
    "    ts.prev_week_views, ts.best_week_views," \
    "    (p.ordered_at - ts.captured_at) / 86400.0)" \
    "   FROM trend_state ts" \
    "   WHERE ts.hashtag_id = (SELECT hashtag_id FROM v_line_hashtag" \
    "    WHERE purchase_id = p.id) AND ts.captured_at <= p.ordered_at" \
    "   ORDER BY ts.captured_at DESC LIMIT 1) END"
#define IV_FILTER_FOR(live) \
    " AND (?2 IS NULL OR pr.category = ?2) AND (?3 IS NULL OR p.channel = ?3)" \
    " AND " live " = 'live'"
#define IV_FILTER IV_FILTER_FOR("i.source")
/* All the data: one pass over the interventions. */
static const char SQL_IV_ALL[] =
    IV_COLUMNS
    " FROM interventions i LEFT JOIN purchases p ON p.id = i.purchase_id"
    " LEFT JOIN products pr ON pr.id = p.product_id"
    " WHERE COALESCE(p.ordered_at, i.created_at) >= ?1" IV_FILTER;
/* A period: the same rows from the period's lines by time, plus the
 * cart's interventions that have no line yet (no category or channel, so
 * only without those filters). A foreign key keeps every purchase_id
 * pointing at a line. A 7-day period at full scale: 16 times faster. */
static const char SQL_IV_PERIOD[] =
    IV_COLUMNS
    " FROM purchases p CROSS JOIN interventions i ON i.purchase_id = p.id"
    " LEFT JOIN products pr ON pr.id = p.product_id"
    " WHERE p.ordered_at >= ?1" IV_FILTER
    " UNION ALL " IV_COLUMNS
    " FROM interventions i LEFT JOIN purchases p ON p.id = i.purchase_id"
    " LEFT JOIN products pr ON pr.id = p.product_id"
    " WHERE i.purchase_id IS NULL AND i.created_at >= ?1"
    /* "+": the rows without a line by interventions_by_purchase, not
     * every live row by interventions_by_source (a 7-day period at full
     * scale: 2.0 -> 0.37 s). */
    IV_FILTER_FOR("+i.source");
/* The rollup's path (schema_funnel.c): the accepted ones of the period
 * one by one (by interventions_by_status); the others of whole days from
 * funnel_days, and of the day the period starts in, [?1, ?4), one by
 * one. */
static const char SQL_IV_ACCEPTED[] =
    IV_COLUMNS
    " FROM interventions i LEFT JOIN purchases p ON p.id = i.purchase_id"
    " LEFT JOIN products pr ON pr.id = p.product_id"
    " WHERE i.status = 'accepted'"
    " AND COALESCE(p.ordered_at, i.created_at) >= ?1"
    IV_FILTER_FOR("+i.source");
static const char SQL_IV_DAY[] =
    IV_COLUMNS
    " FROM purchases p CROSS JOIN interventions i ON i.purchase_id = p.id"
    " LEFT JOIN products pr ON pr.id = p.product_id"
    " WHERE p.ordered_at >= ?1 AND p.ordered_at < ?4"
    " AND i.status <> 'accepted'" IV_FILTER
    " UNION ALL " IV_COLUMNS
    " FROM interventions i LEFT JOIN purchases p ON p.id = i.purchase_id"
    " LEFT JOIN products pr ON pr.id = p.product_id"
    " WHERE i.purchase_id IS NULL AND i.created_at >= ?1"
    " AND i.created_at < ?4 AND i.status <> 'accepted'"
    IV_FILTER_FOR("+i.source");
static const char SQL_FUNNEL[] =
    "SELECT day, nudge, status, n FROM funnel_days WHERE day > ?1"
    " AND (?2 IS NULL OR category = ?2) AND (?3 IS NULL OR channel = ?3)";
enum { IV_STATUS, IV_OUTCOME, IV_NUDGE, IV_SCORE, IV_OFFER, IV_PRICE,
       IV_TIME, IV_PHASE };

typedef struct iv_line {
    const char *status, *outcome, *nudge;
    double score, offer, price, phase; /* phase: TG_TREND_*, NaN none */
    int64_t t;
} iv_line;

/* What a returned line costs: the margin given back, the processing and
 * the value lost on the goods that cannot be resold at full value. */
static double return_cost(const tg_report_interventions *o, double price,
                          double trend_phase)
{
    int phase = isnan(trend_phase) ? TG_TREND_NONE : (int)trend_phase;
    double resale = sim_assume_resale(&o->assume, phase);
    return price * (o->margin + o->processing_share +
                    (1 - o->margin) * (1 - resale));
}

/* n interventions of one status through the funnel's steps. */
static void count_status(tg_report_funnel *fu, const char *status, long n)
{
    fu->queued += n;
    if (strcmp(status, "queued") == 0) {
        fu->waiting += n;
        return;
    }
    if (strcmp(status, "skipped") == 0) {
        fu->skipped += n;
        return;
    }
    fu->shown += n;
    if (strcmp(status, "declined") == 0)
        fu->declined += n;
    if (strcmp(status, "accepted") == 0)
        fu->accepted += n;
}

static void add_line(const tg_report_interventions *o, tg_report_funnel *fu,
                     tg_report_value *v, const iv_line *l)
{
    count_status(fu, l->status, 1);
    if (strcmp(l->status, "accepted") != 0)
        return;
    v->offer_cost += l->offer;
    int returned = l->outcome && strcmp(l->outcome, "returned") == 0;
    int lost = l->outcome && strcmp(l->outcome, "lost") == 0;
    int kept = l->outcome && strcmp(l->outcome, "kept") == 0;
    fu->kept += kept;
    fu->returned += returned;
    fu->lost += lost;
    if (!kept && !returned && !lost) {
        fu->pending++;
        return;
    }
    if (isnan(l->score))
        return;
    v->settled++;
    v->expected_returns += l->score;
    v->returns_avoided += l->score - returned;
    if (!isnan(l->price)) {
        v->cost_avoided +=
            (l->score - returned) * return_cost(o, l->price, l->phase);
        if (lost)
            v->lost_margin += o->margin * l->price;
    }
}

static void finish_value(tg_report_value *v)
{
    v->saved = v->cost_avoided - v->offer_cost - v->lost_margin;
    double spent = v->offer_cost + v->lost_margin;
    v->roi = spent > 0 ? v->saved / spent : NAN;
}

static int by_shown(const void *a, const void *b)
{
    const tg_report_iv_row *x = a, *y = b;
    if (!x->key[0] != !y->key[0])
        return !x->key[0] - !y->key[0];
    if (x->funnel.shown != y->funnel.shown)
        return x->funnel.shown < y->funnel.shown ? 1 : -1;
    return strcmp(x->key, y->key);
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const tg_report_iv_row *)a)->key,
                  ((const tg_report_iv_row *)b)->key);
}

/* Nudges and months are collected without a bound, then the most shown
 * nudges and the newest months kept: the same rows in whatever order the
 * interventions are read. */
typedef struct row_list {
    tg_report_iv_row *row;
    int n, cap;
} row_list;

/* The row keyed key, added when missing; NULL when out of memory. */
static tg_report_iv_row *row_for(row_list *m, const char *key)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->row[i].key, key) == 0)
            return &m->row[i];
    if (m->n == m->cap) {
        int nc = m->cap ? m->cap * 2 : 32;
        tg_report_iv_row *nr = realloc(m->row, (size_t)nc * sizeof *nr);
        if (!nr)
            return NULL;
        m->row = nr;
        m->cap = nc;
    }
    tg_report_iv_row *r = &m->row[m->n++];
    memset(r, 0, sizeof *r);
    tg_strlcpy(r->key, key, sizeof r->key);
    return r;
}

static tg_report_iv_row *month_for(row_list *m, int64_t t)
{
    char key[16];
    int y;
    unsigned mo, d;
    tg_civil_from_days(tg_day_of(t), &y, &mo, &d);
    snprintf(key, sizeof key, "%04d-%02u", y, mo);
    return row_for(m, key);
}

/* x's sums added to r's (before finish_value). */
static void add_row(tg_report_iv_row *r, const tg_report_iv_row *x)
{
    tg_report_funnel *f = &r->funnel;
    const tg_report_funnel *g = &x->funnel;
    f->queued += g->queued;
    f->waiting += g->waiting;
    f->skipped += g->skipped;
    f->shown += g->shown;
    f->accepted += g->accepted;
    f->declined += g->declined;
    f->kept += g->kept;
    f->returned += g->returned;
    f->lost += g->lost;
    f->pending += g->pending;
    tg_report_value *v = &r->value;
    const tg_report_value *w = &x->value;
    v->settled += w->settled;
    v->expected_returns += w->expected_returns;
    v->returns_avoided += w->returns_avoided;
    v->cost_avoided += w->cost_avoided;
    v->offer_cost += w->offer_cost;
    v->lost_margin += w->lost_margin;
}

/* The TG_NUDGE_MAX most shown nudges (by key on a tie), the rest summed
 * as "other"; each row's value finished. */
static void keep_nudges(row_list *l, tg_report_interventions *o)
{
    if (!l->n) /* l->row may be NULL: neither qsort nor memcpy takes it */
        return;
    qsort(l->row, (size_t)l->n, sizeof *l->row, by_shown);
    o->n_nudges = l->n < TG_NUDGE_MAX ? l->n : TG_NUDGE_MAX;
    memcpy(o->nudge, l->row, (size_t)o->n_nudges * sizeof *l->row);
    if (l->n > TG_NUDGE_MAX) {
        tg_report_iv_row *other = &o->nudge[o->n_nudges++];
        memset(other, 0, sizeof *other);
        tg_strlcpy(other->key, "other", sizeof other->key);
        for (int i = TG_NUDGE_MAX; i < l->n; i++)
            add_row(other, &l->row[i]);
        qsort(o->nudge, (size_t)o->n_nudges, sizeof *o->nudge, by_shown);
    }
    for (int i = 0; i < o->n_nudges; i++)
        finish_value(&o->nudge[i].value);
}

/* The newest TG_REPORT_MAX_MONTHS months, oldest first. */
static void keep_months(row_list *l, tg_report_interventions *o)
{
    if (!l->n)
        return;
    qsort(l->row, (size_t)l->n, sizeof *l->row, by_key);
    int skip = l->n > TG_REPORT_MAX_MONTHS ? l->n - TG_REPORT_MAX_MONTHS : 0;
    for (int i = skip; i < l->n; i++) {
        o->month[o->n_months] = l->row[i];
        finish_value(&o->month[o->n_months++].value);
    }
}

static int read_assumptions(const char *path, tg_report_interventions *o,
                            tg_err *err)
{
    tg_sim_assume a;
    int rc = sim_assume_load(path, &a, err);
    if (rc != TG_OK)
        return rc;
    o->assume = a;
    o->margin = a.margin;
    o->processing_share = a.processing_share;
    o->resale_hot = a.resale[TG_SIM_RESALE_HOT];
    o->resale_decline = a.resale[TG_SIM_RESALE_DECLINE];
    o->resale_evergreen = a.resale[TG_SIM_RESALE_EVERGREEN];
    return TG_OK;
}

static double column_or_nan(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL
               ? NAN
               : sqlite3_column_double(st, col);
}

/* What the interventions are summed into besides the totals. */
typedef struct iv_lists {
    row_list nudges, months;
} iv_lists;

/* The rows of one nudge and of one month. */
typedef struct iv_rows {
    tg_report_iv_row *nudge, *month;
} iv_rows;

static int rows_of(iv_lists *l, const char *nudge, int64_t t, iv_rows *r)
{
    r->nudge = row_for(&l->nudges, nudge);
    r->month = month_for(&l->months, t);
    return r->nudge && r->month ? 0 : -1;
}

/* Each intervention of sql (?1 from, ?4 to, ?2 and ?3 the filter). */
static int scan(tg_store *s, const char *sql, const tg_report_filter *f,
                int64_t from, int64_t to, tg_report_interventions *o,
                iv_lists *lists, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, sql, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_int64(st, 1, from);
    report_bind_filter(st, 2, f);
    sqlite3_bind_int64(st, 4, to);
    int step, rc = TG_OK;
    while (rc == TG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        iv_line l = {
            (const char *)sqlite3_column_text(st, IV_STATUS),
            (const char *)sqlite3_column_text(st, IV_OUTCOME),
            (const char *)sqlite3_column_text(st, IV_NUDGE),
            column_or_nan(st, IV_SCORE), sqlite3_column_double(st, IV_OFFER),
            column_or_nan(st, IV_PRICE), column_or_nan(st, IV_PHASE),
            sqlite3_column_int64(st, IV_TIME)};
        iv_rows r;
        if (rows_of(lists, l.nudge, l.t, &r)) {
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
            break;
        }
        add_line(o, &o->funnel, &o->value, &l);
        add_line(o, &r.nudge->funnel, &r.nudge->value, &l);
        add_line(o, &r.month->funnel, &r.month->value, &l);
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "reading interventions");
    sqlite3_finalize(st);
    return rc;
}

/* The rollup's whole days after day first (the filter's codes). */
static int scan_rollup(tg_store *s, const tg_report_filter *f, int64_t first,
                       tg_report_interventions *o, iv_lists *lists,
                       tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_FUNNEL, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_int64(st, 1, first);
    if (f && f->category >= 0)
        sqlite3_bind_int(st, 2, f->category);
    if (f && f->channel >= 0)
        sqlite3_bind_int(st, 3, f->channel);
    int step, rc = TG_OK;
    while (rc == TG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(st, 2);
        long n = (long)sqlite3_column_int64(st, 3);
        iv_rows r;
        if (!status || rows_of(lists,
                               (const char *)sqlite3_column_text(st, 1),
                               sqlite3_column_int64(st, 0) * TG_DAY, &r)) {
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
            break;
        }
        count_status(&o->funnel, status, n);
        count_status(&r.nudge->funnel, status, n);
        count_status(&r.month->funnel, status, n);
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "reading the funnel's rollup");
    sqlite3_finalize(st);
    return rc;
}

/* Reference: every intervention one by one. Rollups: the accepted ones
 * one by one, whole days from funnel_days, the first day's rows one by
 * one. */
/* Reference: every intervention one by one. Rollups: the accepted ones
 * one by one, whole days from funnel_days, the first day's rows one by
 * one, all in one snapshot (an answer between two reads would move a row
 * from one to the other). */
static int gather(tg_store *s, const tg_report_filter *f, int64_t from,
                  int reference, tg_report_interventions *o, iv_lists *l,
                  tg_err *err)
{
    int period = f && f->period_days > 0;
    if (reference)
        return scan(s, period ? SQL_IV_PERIOD : SQL_IV_ALL, f, from, 0, o, l,
                    err);
    int began = store_read_begin(s);
    int rc = scan(s, SQL_IV_ACCEPTED, f, from, 0, o, l, err);
    int64_t first = from == INT64_MIN ? INT64_MIN : tg_day_of(from);
    if (rc == TG_OK)
        rc = scan_rollup(s, f, first, o, l, err);
    if (rc == TG_OK && first != INT64_MIN)
        rc = scan(s, SQL_IV_DAY, f, from, (first + 1) * TG_DAY, o, l, err);
    store_read_end(s, began);
    return rc;
}

static int interventions(tg_store *s, const tg_report_filter *f,
                         const char *assume_path, int reference,
                         tg_report_interventions *o, tg_err *err)
{
    memset(o, 0, sizeof *o);
    int64_t end, from;
    int rc = report_period(s, f, &end, &from, err);
    if (rc == TG_OK)
        rc = read_assumptions(assume_path, o, err);
    iv_lists l = {{NULL, 0, 0}, {NULL, 0, 0}};
    if (rc == TG_OK)
        rc = gather(s, f, from, reference, o, &l, err);
    if (rc == TG_OK) {
        finish_value(&o->value);
        keep_nudges(&l.nudges, o);
        keep_months(&l.months, o);
    }
    free(l.nudges.row);
    free(l.months.row);
    return rc;
}

int report_interventions(tg_store *s, const tg_report_filter *f,
                         const char *assume_path,
                         tg_report_interventions *o, tg_err *err)
{
    return interventions(s, f, assume_path, 0, o, err);
}

int report_interventions_scan(tg_store *s, const tg_report_filter *f,
                              const char *assume_path,
                              tg_report_interventions *o, tg_err *err)
{
    return interventions(s, f, assume_path, 1, o, err);
}
