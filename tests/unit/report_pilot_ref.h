/* report_pilot_ref.h: the pilot's figures as report_pilot computed them
 * before its read and bootstrap were made faster (one ORDER BY over every
 * line, the resamples one by one), kept as the reference that
 * test_report_pilot_same.c holds the faster path to, field by field and
 * bit by bit. Included by that test only: its public names are renamed to
 * ref_* so that they sit beside the library's. */
#include "trendguard/report.h"

#define report_pilot ref_report_pilot
#define report_pilot_assumptions ref_report_pilot_assumptions
#define report_ci_format ref_report_ci_format

int ref_report_pilot(tg_store *s, const tg_report_filter *f,
                     const char *assume_path, tg_report_pilot *o,
                     tg_err *err);
void ref_report_ci_format(const tg_ci *c, const tg_currency *cur, int ascii,
                          double scale, int places, const char *unit,
                          char out[3][40]);

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/stats.h"

const char report_pilot_assumptions[] =
    "assets/simulation.json, assets/behaviour.json";

void report_ci_format(const tg_ci *c, const tg_currency *cur, int ascii,
                      double scale, int places, const char *unit,
                      char out[3][40])
{
    const double v[3] = {c->value, c->lo, c->hi};
    for (int k = 0; k < 3; k++)
        if (isnan(v[k]))
            snprintf(out[k], 40, "-");
        else if (cur)
            money_format(v[k], cur, ascii, out[k], 40);
        else
            snprintf(out[k], 40, "%.*f%s", places, v[k] * scale, unit);
}

static const char SQL_RUN[] =
    "SELECT weeks, holdout, seed, model_version, from_at, to_at,"
    " budget_per_day FROM pilot_runs WHERE id = 1";
/* The pilot's lines the filter covers, customer by customer (an anonymous
 * order its own), with their price, the store's label and the pilot's
 * outcome. */
static const char SQL_LINES[] =
    "SELECT COALESCE(p.customer_id, 0), p.order_code, p.ordered_at,"
    " pl.arm = 'treatment', pl.returned, l.returned, pl.bought,"
    " pl.exchanged, COALESCE(pl.resale_share, 0), pl.fast_restock,"
    " pl.offer_cost, pl.shown, pl.declined, pl.satisfaction,"
    " p.quantity * p.unit_price"
    " FROM pilot_lines pl JOIN purchases p ON p.id = pl.purchase_id"
    " JOIN products pr ON pr.id = p.product_id"
    " JOIN v_labels l ON l.purchase_id = p.id"
    " WHERE p.ordered_at >= ?1"
    " AND (?2 IS NULL OR pr.category = ?2) AND (?3 IS NULL OR p.channel = ?3)"
    " ORDER BY 1, 2, p.id";
enum { C_CUSTOMER, C_ORDER, C_TIME, C_TREATED, C_RETURNED, C_RECORDED,
       C_BOUGHT, C_EXCHANGED, C_SHARE, C_FAST, C_OFFER, C_SHOWN,
       C_DECLINED, C_SAT, C_PRICE };
static const char SQL_UPTAKE[] =
    "SELECT i.nudge, count(*), sum(i.status = 'accepted')"
    " FROM interventions i JOIN purchases p ON p.id = i.purchase_id"
    " JOIN products pr ON pr.id = p.product_id"
    " WHERE i.source = 'pilot' AND p.ordered_at >= ?1"
    " AND (?2 IS NULL OR pr.category = ?2) AND (?3 IS NULL OR p.channel = ?3)"
    " GROUP BY i.nudge ORDER BY 2 DESC, 1";

static int code_of(tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

/* ---- the lines, as units of the bootstrap ---------------------------------- */

/* What a settled line or an order adds to its arm's sums. */
enum { S_SETTLED, S_RETURNED, S_RECORDED, S_COST, S_LOST, S_SPEND,
       S_ORDERS, S_SAT, S_SUMS };

typedef struct unit {
    uint32_t cluster;
    uint8_t arm;
    int16_t week, month;
    float v[S_SUMS];
} unit;

typedef struct scan {
    int64_t first_week;      /* Monday of week[0] */
    int first_month;         /* year * 12 + month - 1 of month[0] */
    unit *u;
    size_t n, cap;
    uint32_t clusters;
} scan;

static int64_t week_start(int64_t t)
{
    return tg_monday(tg_day_of(t)) * TG_DAY;
}

static int month_index(int64_t t)
{
    int y;
    unsigned m, d;
    tg_civil_from_days(tg_day_of(t), &y, &m, &d);
    return y * 12 + (int)m - 1;
}

static unit *unit_add(scan *c)
{
    if (c->n == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 4096;
        unit *nu = realloc(c->u, nc * sizeof *nu);
        if (!nu)
            return NULL;
        c->u = nu;
        c->cap = nc;
    }
    unit *u = &c->u[c->n++];
    memset(u, 0, sizeof *u);
    return u;
}

/* The money of a settled line (see report.h). */
static void line_money(const tg_report_pilot *o, sqlite3_stmt *st,
                       float *v)
{
    double price = sqlite3_column_double(st, C_PRICE);
    int ret = sqlite3_column_int(st, C_RETURNED);
    double lost = ret ? price * (1 - o->margin) *
                            (1 - sqlite3_column_double(st, C_SHARE))
                      : 0;
    double margin = sqlite3_column_int(st, C_EXCHANGED)
                        ? o->margin * (1 - o->exchange_keeps) : o->margin;
    double cost = ret ? price * (margin + o->processing_share) + lost : 0;
    double spend = sqlite3_column_double(st, C_OFFER) +
                   (sqlite3_column_int(st, C_BOUGHT) ? 0 : o->margin * price)
                   + (sqlite3_column_int(st, C_FAST) ? o->fast_restock_cost
                                                     : 0);
    v[S_COST] = (float)(cost + spend);
    v[S_LOST] = (float)lost;
    v[S_SPEND] = (float)spend;
}

/* Adds the row's line to its arm's totals and, settled, as a unit. */
static int add_line(scan *c, tg_report_pilot *o, sqlite3_stmt *st,
                    unit *order)
{
    int arm = sqlite3_column_int(st, C_TREATED);
    tg_pilot_arm *a = &o->arm[arm];
    a->lines++;
    if (order->week >= 0 && order->week < o->n_weeks)
        o->week[order->week].arm[arm].lines++;
    if (order->month >= 0 && order->month < o->n_months)
        o->month[order->month].arm[arm].lines++;
    if (sqlite3_column_type(st, C_RETURNED) == SQLITE_NULL)
        return 0; /* pending */
    double price = sqlite3_column_double(st, C_PRICE);
    unit *u = unit_add(c);
    if (!u)
        return -1;
    u->cluster = c->clusters;
    u->arm = (uint8_t)arm;
    u->week = order->week;
    u->month = order->month;
    u->v[S_SETTLED] = 1;
    u->v[S_RETURNED] = (float)sqlite3_column_int(st, C_RETURNED);
    u->v[S_RECORDED] = (float)sqlite3_column_int(st, C_RECORDED);
    line_money(o, st, u->v);
    a->not_bought += !sqlite3_column_int(st, C_BOUGHT);
    a->exchanged += sqlite3_column_int(st, C_EXCHANGED);
    a->fast_restocked += sqlite3_column_int(st, C_FAST);
    a->amount += price;
    a->offer_cost += sqlite3_column_double(st, C_OFFER);
    a->restock_cost += sqlite3_column_int(st, C_FAST) ? o->fast_restock_cost
                                                      : 0;
    a->lost_margin += sqlite3_column_int(st, C_BOUGHT) ? 0 : o->margin * price;
    if (sqlite3_column_type(st, C_SAT) != SQLITE_NULL) {
        order->v[S_SAT] += (float)sqlite3_column_double(st, C_SAT);
        order->v[S_SETTLED]++;
    }
    order->v[S_SPEND] += (float)(sqlite3_column_int(st, C_SHOWN) * 0.02 +
                                 sqlite3_column_int(st, C_DECLINED) * 0.03);
    order->arm = (uint8_t)arm;
    order->cluster = c->clusters;
    order->v[S_ORDERS] = 1;
    return 0;
}

/* An order's satisfaction as a unit of its own: the mean of its items'
 * index less the nudges' tolls (kept in S_SPEND while it is gathered). */
static int close_order(scan *c, unit *order)
{
    if (!order->v[S_ORDERS] || !order->v[S_SETTLED])
        return 0;
    unit *u = unit_add(c);
    if (!u)
        return -1;
    *u = *order;
    u->v[S_SAT] = u->v[S_SAT] / u->v[S_SETTLED] - u->v[S_SPEND];
    u->v[S_SETTLED] = u->v[S_SPEND] = 0;
    return 0;
}

static int16_t period_of(const scan *c, int64_t t, int month)
{
    return (int16_t)(month ? month_index(t) - c->first_month
                           : (week_start(t) - c->first_week) / (7 * TG_DAY));
}

static int read_lines(tg_store *s, const tg_report_filter *f, int64_t from,
                      scan *c, tg_report_pilot *o, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_LINES, err);
    if (!st)
        return code_of(err);
    sqlite3_bind_int64(st, 1, from);
    report_bind_filter(st, 2, f);
    int64_t cust = -1, seen[2] = {-1, -1};
    char code[64] = "";
    unit order;
    memset(&order, 0, sizeof order);
    int step, bad = 0;
    while (!bad && (step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t cu = sqlite3_column_int64(st, C_CUSTOMER);
        const char *oc = (const char *)sqlite3_column_text(st, C_ORDER);
        int new_order = strcmp(oc ? oc : "", code) != 0;
        if (new_order || cu != cust) {
            bad |= close_order(c, &order);
            memset(&order, 0, sizeof order);
            int64_t t = sqlite3_column_int64(st, C_TIME);
            order.week = period_of(c, t, 0);
            order.month = period_of(c, t, 1);
            c->clusters += cu != cust || cu == 0;
            tg_strlcpy(code, oc ? oc : "", sizeof code);
            cust = cu;
        }
        int arm = sqlite3_column_int(st, C_TREATED);
        if (seen[arm] != (int64_t)c->clusters) {
            seen[arm] = c->clusters;
            o->arm[arm].customers++;
        }
        bad |= add_line(c, o, st, &order);
    }
    bad |= close_order(c, &order);
    int rc = bad ? tg_fail(err, TG_EINTERNAL, "out of memory")
             : step != SQLITE_DONE ? store_fail(s, err, "reading the pilot")
                                   : TG_OK;
    sqlite3_finalize(st);
    return rc;
}

/* ---- the figures ----------------------------------------------------------- */

enum { F_AVOIDED, F_NET, F_ROI, F_RESALE, F_SAT, F_FIGURES };

/* The figures from two arms' sums (see report.h). */
static void figures(const double *c, const double *t, double *out)
{
    double nc = c[S_SETTLED], nt = t[S_SETTLED];
    for (int k = 0; k < F_FIGURES; k++)
        out[k] = NAN;
    if (nc > 0 && nt > 0) {
        out[F_AVOIDED] = (c[S_RETURNED] / nc - t[S_RETURNED] / nt) * nt;
        out[F_NET] = (c[S_COST] / nc - t[S_COST] / nt) * nt;
        out[F_RESALE] = (c[S_LOST] / nc - t[S_LOST] / nt) * nt;
        out[F_ROI] = t[S_SPEND] > 0 ? out[F_NET] / t[S_SPEND] : NAN;
    }
    if (c[S_ORDERS] > 0 && t[S_ORDERS] > 0)
        out[F_SAT] = t[S_SAT] / t[S_ORDERS] - c[S_SAT] / c[S_ORDERS];
}

/* A cluster's units of one arm, week and month summed. A resample weighs
 * a cluster as a whole, so it adds these (a few per customer) rather than
 * every line and order. Buckets: 0 all, then the weeks, then the months;
 * -1: outside the periods shown. */
typedef struct agg {
    uint32_t cluster;
    int16_t bucket[3];
    uint8_t arm;
    double v[S_SUMS];
} agg;

typedef struct aggs {
    agg *v;
    size_t n;
    uint32_t clusters;
    int buckets;             /* 1 + weeks + months */
} aggs;

static void unit_buckets(const tg_report_pilot *o, const unit *u,
                         int16_t *b)
{
    b[0] = 0;
    b[1] = u->week >= 0 && u->week < o->n_weeks ? (int16_t)(1 + u->week)
                                                : -1;
    b[2] = u->month >= 0 && u->month < o->n_months
               ? (int16_t)(1 + o->n_weeks + u->month) : -1;
}

/* Sums the units of each cluster (contiguous, as read_lines gives them)
 * by arm, week and month. */
static int gather(const scan *c, const tg_report_pilot *o, aggs *g)
{
    g->v = malloc((c->n ? c->n : 1) * sizeof *g->v);
    if (!g->v)
        return -1;
    g->clusters = c->clusters;
    g->buckets = 1 + o->n_weeks + o->n_months;
    size_t first = 0; /* the first agg of the current cluster */
    for (size_t i = 0; i < c->n; i++) {
        const unit *u = &c->u[i];
        int16_t b[3];
        unit_buckets(o, u, b);
        if (!g->n || g->v[g->n - 1].cluster != u->cluster)
            first = g->n;
        size_t k = first;
        while (k < g->n && !(g->v[k].arm == u->arm &&
                             g->v[k].bucket[1] == b[1] &&
                             g->v[k].bucket[2] == b[2]))
            k++;
        agg *a = &g->v[k];
        if (k == g->n) {
            memset(a, 0, sizeof *a);
            a->cluster = u->cluster;
            a->arm = u->arm;
            memcpy(a->bucket, b, sizeof b);
            g->n++;
        }
        for (int j = 0; j < S_SUMS; j++)
            a->v[j] += u->v[j];
    }
    return 0;
}

/* One resample's sums (b == B: every cluster once, the figures). m:
 * [buckets][2][S_SUMS]; w: a weight per cluster. */
static void resample(const aggs *g, uint64_t seed, int b, int B, double *m,
                     int *w)
{
    tg_rng r;
    tg_rng_seed(&r, tg_mix64(tg_mix64(seed) ^ (uint64_t)b));
    for (uint32_t k = 0; k <= g->clusters; k++)
        w[k] = b == B ? 1 : stats_poisson1(&r);
    memset(m, 0, (size_t)g->buckets * 2 * S_SUMS * sizeof *m);
    for (size_t i = 0; i < g->n; i++) {
        const agg *a = &g->v[i];
        double wt = w[a->cluster];
        if (!wt)
            continue;
        for (int k = 0; k < 3; k++)
            if (a->bucket[k] >= 0) {
                double *v = m + ((size_t)a->bucket[k] * 2 + a->arm) * S_SUMS;
                for (int j = 0; j < S_SUMS; j++)
                    v[j] += wt * a->v[j];
            }
    }
}

/* The figures of one resample's sums into stat[bucket][figure][b]. */
static void keep_figures(const aggs *g, const double *m, int b, int B,
                         double *stat)
{
    for (int k = 0; k < g->buckets; k++) {
        double f[F_FIGURES];
        figures(m + (size_t)k * 2 * S_SUMS, m + ((size_t)k * 2 + 1) * S_SUMS,
                f);
        for (int j = 0; j < F_FIGURES; j++)
            stat[((size_t)k * F_FIGURES + j) * (size_t)(B + 1) + b] = f[j];
    }
}

/* The resamples b = from, from + step, ... below B, on a thread. */
typedef struct boot_job {
    const aggs *g;
    uint64_t seed;
    int from, step, B, failed;
    double *stat;
} boot_job;

static void *boot_thread(void *arg)
{
    boot_job *j = arg;
    double *m = malloc((size_t)j->g->buckets * 2 * S_SUMS * sizeof *m);
    int *w = malloc((j->g->clusters + 1) * sizeof *w);
    j->failed = !m || !w;
    for (int b = j->from; !j->failed && b < j->B; b += j->step) {
        resample(j->g, j->seed, b, j->B, m, w);
        keep_figures(j->g, m, b, j->B, j->stat);
    }
    free(m);
    free(w);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The 2.5% and 97.5% quantiles of the finite values of x[0..n) (NaN when
 * fewer than half are finite). */
static void interval(double *x, int n, double *lo, double *hi)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]))
            x[k++] = x[i];
    *lo = *hi = NAN;
    if (k < 2 || k < n / 2)
        return;
    qsort(x, (size_t)k, sizeof *x, cmp_double);
    *lo = stats_quantile(x, (size_t)k, 0.025);
    *hi = stats_quantile(x, (size_t)k, 0.975);
}

static tg_ci *ci_of(tg_report_pilot *o, int bucket, int fig)
{
    tg_pilot_period *p = bucket == 0 ? NULL
                         : bucket <= o->n_weeks ? &o->week[bucket - 1]
                         : &o->month[bucket - 1 - o->n_weeks];
    tg_ci *all[F_FIGURES] = {&o->returns_avoided, &o->net_saving, &o->roi,
                             &o->resale_recovered, &o->satisfaction_change};
    if (!p)
        return all[fig];
    tg_ci *per[F_FIGURES] = {&p->returns_avoided, &p->net_saving, &p->roi,
                             &p->resale_recovered, NULL};
    return per[fig];
}

/* Each arm's totals and rates, in all and per period, from the sums of
 * every cluster once. */
static void arm_totals(tg_report_pilot *o, int nb, const double *m)
{
    for (int k = 0; k < nb; k++)
        for (int a = 0; a < 2; a++) {
            const double *v = m + ((size_t)k * 2 + a) * S_SUMS;
            tg_pilot_arm *arm = k == 0 ? &o->arm[a]
                                : k <= o->n_weeks ? &o->week[k - 1].arm[a]
                                : &o->month[k - 1 - o->n_weeks].arm[a];
            arm->returns = report_rate(lround(v[S_RETURNED]),
                                       lround(v[S_SETTLED]));
            arm->recorded = report_rate(lround(v[S_RECORDED]),
                                        lround(v[S_SETTLED]));
            arm->orders = lround(v[S_ORDERS]);
            arm->satisfaction = v[S_ORDERS] > 0 ? v[S_SAT] / v[S_ORDERS]
                                                : NAN;
            arm->return_cost = v[S_COST] - v[S_SPEND];
            arm->value_lost = v[S_LOST];
            arm->spend = v[S_SPEND];
        }
}

#define BOOT_THREADS 2

/* The figures and their intervals, in all and per period: the resamples
 * on BOOT_THREADS threads (each resample seeded by its number, so the
 * result does not depend on the threads), then every cluster once. */
static int bootstrap(const scan *c, tg_report_pilot *o, tg_err *err)
{
    int B = TG_PILOT_RESAMPLES;
    aggs g = {0};
    int bad = gather(c, o, &g);
    int nb = g.buckets;
    double *stat = bad ? NULL : calloc((size_t)nb * F_FIGURES * (size_t)(B + 1),
                                       sizeof *stat);
    double *m = stat ? malloc((size_t)nb * 2 * S_SUMS * sizeof *m) : NULL;
    int *w = m ? malloc((c->clusters + 1) * sizeof *w) : NULL;
    boot_job jobs[BOOT_THREADS];
    for (int t = 0; w && t < BOOT_THREADS; t++)
        jobs[t] = (boot_job){&g, (uint64_t)o->seed, t, BOOT_THREADS, B, 0,
                             stat};
    if (w)
        tg_parallel(boot_thread, jobs, sizeof *jobs, BOOT_THREADS);
    for (int t = 0; w && t < BOOT_THREADS; t++)
        bad |= jobs[t].failed;
    int rc = w && !bad ? TG_OK : tg_fail(err, TG_EINTERNAL, "out of memory");
    if (rc == TG_OK) {
        resample(&g, (uint64_t)o->seed, B, B, m, w);
        keep_figures(&g, m, B, B, stat);
        for (int k = 0; k < nb; k++)
            for (int j = 0; j < F_FIGURES; j++) {
                tg_ci *ci = ci_of(o, k, j);
                double *x = stat + ((size_t)k * F_FIGURES + j) * (size_t)(B + 1);
                if (!ci)
                    continue;
                ci->value = x[B];
                interval(x, B, &ci->lo, &ci->hi);
            }
        arm_totals(o, nb, m);
    }
    free(g.v);
    free(stat);
    free(m);
    free(w);
    return rc;
}

/* ---- the periods, the uptake, the run ---------------------------------------- */

/* The weeks and months from the later of the pilot's start and the
 * filter's to the pilot's end. */
static void set_periods(scan *c, tg_report_pilot *o, int64_t from)
{
    int64_t last = week_start(o->to);
    c->first_week = week_start(from);
    if (c->first_week < last - (TG_PILOT_WEEKS - 1) * 7 * TG_DAY)
        c->first_week = last - (TG_PILOT_WEEKS - 1) * 7 * TG_DAY;
    o->n_weeks = (int)((last - c->first_week) / (7 * TG_DAY)) + 1;
    for (int w = 0; w < o->n_weeks; w++) {
        o->week[w].start = c->first_week + (int64_t)w * 7 * TG_DAY;
        tg_date_format(o->week[w].start, o->week[w].key,
                       sizeof o->week[w].key);
    }
    c->first_month = month_index(from);
    int lastm = month_index(o->to);
    if (c->first_month < lastm - (TG_PILOT_MONTHS - 1))
        c->first_month = lastm - (TG_PILOT_MONTHS - 1);
    o->n_months = lastm - c->first_month + 1;
    for (int m = 0; m < o->n_months; m++) {
        int mi = c->first_month + m;
        snprintf(o->month[m].key, sizeof o->month[m].key, "%04d-%02d",
                 mi / 12, mi % 12 + 1);
        o->month[m].start = tg_days_from_civil(mi / 12, (unsigned)(mi % 12 + 1),
                                               1) * TG_DAY;
    }
}

static int read_uptake(tg_store *s, const tg_report_filter *f, int64_t from,
                       tg_report_pilot *o, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_UPTAKE, err);
    if (!st)
        return code_of(err);
    sqlite3_bind_int64(st, 1, from);
    report_bind_filter(st, 2, f);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && o->n_nudges <
                                                          TG_NUDGE_MAX) {
        tg_pilot_nudge *n = &o->nudge[o->n_nudges++];
        const char *id = (const char *)sqlite3_column_text(st, 0);
        tg_strlcpy(n->id, id ? id : "", sizeof n->id);
        n->uptake = report_rate((long)sqlite3_column_int64(st, 2),
                                (long)sqlite3_column_int64(st, 1));
    }
    int rc = step == SQLITE_ROW || step == SQLITE_DONE
                 ? TG_OK : store_fail(s, err, "reading the pilot's nudges");
    sqlite3_finalize(st);
    return rc;
}

/* The run in the store; 0 when there is none. */
static int read_run(tg_store *s, tg_report_pilot *o)
{
    sqlite3_stmt *st = store_prepare(s, SQL_RUN, NULL);
    if (!st)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        o->has = 1;
        o->weeks = sqlite3_column_int(st, 0);
        o->holdout = sqlite3_column_double(st, 1);
        o->seed = sqlite3_column_int64(st, 2);
        o->model_version = sqlite3_column_int(st, 3);
        o->from = sqlite3_column_int64(st, 4);
        o->to = sqlite3_column_int64(st, 5);
        o->budget_per_day = sqlite3_column_double(st, 6);
    }
    sqlite3_finalize(st);
    return o->has;
}

/* What keeps the store from having a pilot, in words. */
static void why_none(tg_store *s, tg_report_pilot *o)
{
    int model = store_count(s, "SELECT count(*) FROM model_registry") > 0;
    int truth = store_count(s, "SELECT EXISTS (SELECT 1 FROM truth)") > 0;
    int lines = store_count(s, "SELECT EXISTS (SELECT 1 FROM purchases)")
                > 0;
    snprintf(o->note, sizeof o->note, "%s",
             !lines ? "No simulated pilot: the store holds no purchases yet"
             : !truth && !model
                 ? "No simulated pilot: this store holds real purchases, "
                   "which no shopper model can answer for, and no model "
                   "to decide with (train one with trendguard-train)"
             : !truth ? "No simulated pilot: this store holds real "
                        "purchases, which no shopper model can answer for"
             : !model ? "No simulated pilot: the store has no model to "
                        "decide with (train one with trendguard-train, then "
                        "run trendguard pilot)"
                      : "No simulated pilot yet: run trendguard pilot");
}

/* Why the selection shows no settled line, in words. */
static void why_empty(const tg_report_pilot *o, const tg_report_filter *f,
                      char *buf, size_t n)
{
    char end[16], day[16];
    tg_date_format(o->to, end, sizeof end);
    tg_date_format(o->to - 30 * TG_DAY, day, sizeof day);
    if (!(o->arm[0].lines + o->arm[1].lines))
        snprintf(buf, n, "The pilot has no line in this selection");
    else
        snprintf(buf, n, "No line of this %s has settled yet: a line's "
                 "outcome is known once its 30-day window closes, and the "
                 "data ends %s (lines bought after %s are still open)",
                 f && f->period_days ? "period" : "selection", end, day);
}

/* Every figure unknown (NaN), every rate of no lines. */
static void blank(tg_report_pilot *o)
{
    memset(o, 0, sizeof *o);
    const tg_ci none = {NAN, NAN, NAN};
    o->returns_avoided = o->net_saving = o->roi = none;
    o->resale_recovered = o->satisfaction_change = none;
    for (int a = 0; a < 2; a++) {
        o->arm[a].returns = o->arm[a].recorded = report_rate(0, 0);
        o->arm[a].satisfaction = NAN;
    }
}

int report_pilot(tg_store *s, const tg_report_filter *f,
                 const char *assume_path, tg_report_pilot *o, tg_err *err)
{
    blank(o);
    int64_t end, start;
    int rc = report_period(s, f, &end, &start, err);
    if (rc != TG_OK)
        return rc;
    if (!read_run(s, o)) {
        why_none(s, o);
        return TG_OK;
    }
    tg_sim_assume a;
    if ((rc = sim_assume_load(assume_path, &a, err)) != TG_OK)
        return rc;
    o->margin = a.margin;
    o->processing_share = a.processing_share;
    o->exchange_keeps = a.exchange_keeps;
    o->fast_restock_cost = a.fast_restock_cost;
    int64_t from = start > o->from ? start : o->from;
    scan c;
    memset(&c, 0, sizeof c);
    set_periods(&c, o, from);
    rc = read_lines(s, f, from, &c, o, err);
    if (rc == TG_OK)
        rc = bootstrap(&c, o, err);
    if (rc == TG_OK)
        rc = read_uptake(s, f, from, o, err);
    if (rc == TG_OK && !(o->arm[0].returns.n && o->arm[1].returns.n))
        why_empty(o, f, o->note, sizeof o->note);
    free(c.u);
    return rc;
}
#undef report_pilot
#undef report_pilot_assumptions
#undef report_ci_format
