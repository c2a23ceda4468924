/* report_pilot.c: the simulated pilot's figures (report_pilot, defined at
 * the top of its section in report.h), the one place they are computed:
 * the pilot's lines the filter covers, by customer, into each arm's
 * totals in all, by week and by month (report_pilot_read.c); the
 * intervals from a cluster bootstrap over customers (each customer's
 * lines summed once, the resamples on two threads: report_pilot_boot.c);
 * uptake by nudge from the pilot's decisions (report_pilot_uptake.c);
 * and, without a pilot or a settled line, what is missing in words. */
#include "report_pilot_int.h"

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
    pilot_scan c;
    memset(&c, 0, sizeof c);
    rc = pilot_read_lines(s, f, from, &c, o, err);
    if (rc == TG_OK)
        rc = pilot_bootstrap(&c, o, err);
    if (rc == TG_OK)
        rc = pilot_uptake(s, f, from, &c, o, err);
    if (rc == TG_OK && !(o->arm[0].returns.n && o->arm[1].returns.n))
        why_empty(o, f, o->note, sizeof o->note);
    free(c.u);
    free(c.ids);
    return rc;
}
