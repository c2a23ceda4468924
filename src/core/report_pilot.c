/* report_pilot.c: the simulated pilot's figures (report_pilot, defined at
 * the top of its section in report.h), the one place they are computed:
 * the pilot's lines the filter covers, by customer, into each arm's
 * totals in all, by week and by month (report_pilot_read.c); the
 * intervals from a cluster bootstrap over customers (each customer's
 * lines summed once, the resamples on two threads: report_pilot_boot.c);
 * uptake by nudge from the pilot's decisions (report_pilot_uptake.c);
 * and, without a pilot or a settled line, what is missing in words.
 * Figures once computed are kept in the store per filter
 * (report_pilot_cache.c); report_pilot_warm computes those of every
 * filter the dashboard offers from one read of the lines. */
#include "report_pilot_int.h"
#include "trendguard/features.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the run ------------------------------------------------------------------ */

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

/* The run and the assumptions' money into o; 0 and why in o->note
 * without a run. */
static int begin(tg_store *s, const char *assume_path, tg_report_pilot *o,
                 tg_err *err)
{
    if (!read_run(s, o)) {
        why_none(s, o);
        return TG_OK;
    }
    tg_sim_assume a;
    int rc = sim_assume_load(assume_path, &a, err);
    if (rc != TG_OK)
        return rc;
    o->margin = a.margin;
    o->processing_share = a.processing_share;
    o->exchange_keeps = a.exchange_keeps;
    o->fast_restock_cost = a.fast_restock_cost;
    return TG_OK;
}

/* The figures from c's lines: the intervals, the uptake (from d when
 * the decisions were read once), what is missing in words; c's memory
 * freed. */
static int finish(tg_store *s, const tg_report_filter *f, int64_t from,
                  const pilot_decisions *d, pilot_scan *c, int rc,
                  tg_report_pilot *o, tg_err *err)
{
    if (rc == TG_OK)
        rc = pilot_bootstrap(c, o, err);
    if (rc == TG_OK)
        rc = d ? pilot_uptake_of(s, f, from, d, c, o, err)
               : pilot_uptake(s, f, from, c, o, err);
    if (rc == TG_OK && !(o->arm[0].returns.n && o->arm[1].returns.n))
        why_empty(o, f, o->note, sizeof o->note);
    free(c->u);
    free(c->ids);
    return rc;
}

/* The later of the period's start and the pilot's. */
static int64_t first_moment(const tg_report_pilot *o, int64_t start)
{
    return start > o->from ? start : o->from;
}

static int figures(tg_store *s, const tg_report_filter *f,
                   const char *assume_path, tg_report_pilot *o, tg_err *err)
{
    blank(o);
    int64_t end, start;
    int rc = report_period(s, f, &end, &start, err);
    if (rc == TG_OK)
        rc = begin(s, assume_path, o, err);
    if (rc != TG_OK || !o->has)
        return rc;
    int64_t from = first_moment(o, start);
    pilot_key_set(o, f, from);
    if (pilot_kept(s, o))
        return TG_OK;
    o->version = pilot_data_version(s);
    pilot_scan c;
    memset(&c, 0, sizeof c);
    rc = pilot_read_lines(s, f, from, &c, o, err);
    return finish(s, f, from, NULL, &c, rc, o, err);
}

int report_pilot(tg_store *s, const tg_report_filter *f,
                 const char *assume_path, tg_report_pilot *o, tg_err *err)
{
    int began = store_read_begin(s);
    int rc = figures(s, f, assume_path, o, err);
    store_read_end(s, began);
    if (rc == TG_OK && began)
        report_pilot_keep(s, o);
    return rc;
}

/* ---- every filter the dashboard offers at once ----------------------------------- */

static const int warm_periods[] = {0, 90, 30, 7};
#define N_WARM_PERIODS (int)(sizeof warm_periods / sizeof *warm_periods)

/* The lines and decisions read once. */
typedef struct warm_reads {
    pilot_all *lines;
    pilot_decisions *decisions;
} warm_reads;

/* The figures of filter f from what w read, kept; run: o's run and
 * money. */
static int warm_one(tg_store *s, const warm_reads *w,
                    const tg_report_filter *f, const tg_report_pilot *run,
                    tg_report_pilot *o, tg_err *err)
{
    int64_t end, start;
    int rc = report_period(s, f, &end, &start, err);
    if (rc != TG_OK)
        return rc;
    *o = *run;
    int64_t from = first_moment(o, start);
    pilot_key_set(o, f, from);
    pilot_scan c;
    memset(&c, 0, sizeof c);
    rc = pilot_all_lines(w->lines, f, from, &c, o, err);
    rc = finish(s, f, from, w->decisions, &c, rc, o, err);
    return rc == TG_OK ? pilot_keep_row(s, o, err) : rc;
}

/* Every filter's figures from one read of the lines, in the caller's
 * write transaction. */
static int warm_all(tg_store *s, const tg_report_pilot *run,
                    tg_report_pilot *o, int *kept, tg_err *err)
{
    warm_reads w = {0};
    int rc = pilot_all_read(s, run->from, &w.lines, err);
    if (rc == TG_OK)
        rc = pilot_decisions_read(s, &w.decisions, err);
    for (int p = 0; p < N_WARM_PERIODS && rc == TG_OK; p++)
        for (int k = -1; k < TG_NUM_CATEGORIES && rc == TG_OK; k++)
            for (int h = -1; h < TG_NUM_CHANNELS && rc == TG_OK; h++) {
                tg_report_filter f = {.category = k, .channel = h,
                                      .period_days = warm_periods[p]};
                rc = warm_one(s, &w, &f, run, o, err);
                *kept += rc == TG_OK;
            }
    pilot_all_free(w.lines);
    pilot_decisions_free(w.decisions);
    return rc;
}

int report_pilot_warm(tg_store *s, const char *assume_path, int *kept,
                      tg_err *err)
{
    int n = 0, own = sqlite3_get_autocommit(store_db(s));
    tg_report_pilot *run = malloc(sizeof *run), *o = malloc(sizeof *o);
    int rc = !run || !o ? tg_fail(err, TG_EINTERNAL, "out of memory")
             : own      ? store_begin(s, err)
                        : TG_OK;
    if (rc == TG_OK) {
        blank(run);
        rc = begin(s, assume_path, run, err);
        if (rc == TG_OK && run->has)
            rc = warm_all(s, run, o, &n, err);
        if (rc == TG_OK && own)
            rc = store_commit(s, err);
        if (own)
            store_rollback(s);
    }
    free(run);
    free(o);
    if (kept)
        *kept = rc == TG_OK ? n : 0;
    return rc;
}

/* 1 when the store holds a pilot but not the figures of the dashboard's
 * last 30 days with no filter for its data: a load emptied the kept
 * figures, or moved the data's end (and so the periods). */
static int keep_wanted(tg_store *s)
{
    tg_report_pilot *o = malloc(sizeof *o);
    tg_report_filter f = {.category = -1, .channel = -1, .period_days = 30};
    int64_t end, start;
    int want = 0;
    if (o) {
        blank(o);
        want = report_period(s, &f, &end, &start, NULL) == TG_OK &&
               begin(s, NULL, o, NULL) == TG_OK && o->has;
    }
    if (want) {
        pilot_key_set(o, &f, first_moment(o, start));
        want = !pilot_kept(s, o);
    }
    free(o);
    return want;
}

int report_pilot_rekeep(tg_store *s)
{
    if (!sqlite3_get_autocommit(store_db(s)) || !keep_wanted(s))
        return 0;
    int kept = 0;
    return report_pilot_warm(s, NULL, &kept, NULL) == TG_OK && kept > 0;
}
