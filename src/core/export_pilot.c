/* export_pilot.c: the simulated pilot's figures staged for the export:
 * report_pilot (the one definition the dashboard and the report use) for
 * the lines the export covers, written into two temporary tables that
 * fact_pilot_measures (each arm's sums by month, from which the README's
 * DAX computes the figures) and fact_pilot_intervals (each figure's 95%
 * interval) read. */
#include "export_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/report.h"

static const char SQL_TEMP[] =
    "CREATE TEMP TABLE IF NOT EXISTS pilot_measures(date_key INTEGER,"
    " month_start INTEGER, month TEXT, arm TEXT, lines INTEGER,"
    " settled INTEGER, returned INTEGER, recorded INTEGER, return_cost REAL,"
    " value_lost REAL, spend REAL, orders INTEGER, satisfaction_sum REAL);"
    "CREATE TEMP TABLE IF NOT EXISTS pilot_intervals(period TEXT,"
    " measure TEXT, value REAL, ci_low REAL, ci_high REAL);"
    "DELETE FROM temp.pilot_measures; DELETE FROM temp.pilot_intervals;";
static const char SQL_MEASURE[] =
    "INSERT INTO temp.pilot_measures VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_INTERVAL[] =
    "INSERT INTO temp.pilot_intervals VALUES(?,?,?,?,?)";

static const char *const arm_names[2] = {"control", "treatment"};

static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static int step(tg_store *s, sqlite3_stmt *st, tg_err *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK : store_fail(s, err, "staging the pilot's figures");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Each arm of each month with a line. */
static int stage_measures(tg_store *s, const tg_report_pilot *p,
                          sqlite3_stmt *st, tg_err *err)
{
    int rc = TG_OK;
    for (int m = 0; rc == TG_OK && m < p->n_months; m++)
        for (int a = 0; rc == TG_OK && a < 2; a++) {
            const tg_pilot_period *pm = &p->month[m];
            const tg_pilot_arm *r = &pm->arm[a];
            if (!r->lines)
                continue;
            sqlite3_bind_int64(st, 1, pm->start); /* written yyyymmdd */
            sqlite3_bind_int64(st, 2, pm->start);
            sqlite3_bind_text(st, 3, pm->key, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, arm_names[a], -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 5, r->lines);
            sqlite3_bind_int64(st, 6, r->returns.n);
            sqlite3_bind_int64(st, 7, r->returns.k);
            sqlite3_bind_int64(st, 8, r->recorded.k);
            sqlite3_bind_double(st, 9, r->return_cost);
            sqlite3_bind_double(st, 10, r->value_lost);
            sqlite3_bind_double(st, 11, r->spend);
            sqlite3_bind_int64(st, 12, r->orders);
            sqlite3_bind_double(st, 13, r->orders ? r->satisfaction *
                                                        (double)r->orders
                                                  : 0);
            rc = step(s, st, err);
        }
    return rc;
}

static int stage_interval(tg_store *s, sqlite3_stmt *st, const char *period,
                          const char *measure, const tg_ci *c, tg_err *err)
{
    if (isnan(c->value))
        return TG_OK;
    sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, measure, -1, SQLITE_STATIC);
    bind_real(st, 3, c->value);
    bind_real(st, 4, c->lo);
    bind_real(st, 5, c->hi);
    return step(s, st, err);
}

/* The whole pilot's figures, then each month's. */
static int stage_intervals(tg_store *s, const tg_report_pilot *p,
                           sqlite3_stmt *st, tg_err *err)
{
    const char *names[5] = {"returns_avoided", "net_saving", "roi",
                            "resale_recovered", "satisfaction_change"};
    const tg_ci *all[5] = {&p->returns_avoided, &p->net_saving, &p->roi,
                           &p->resale_recovered, &p->satisfaction_change};
    int rc = TG_OK;
    for (int k = 0; rc == TG_OK && k < 5; k++)
        rc = stage_interval(s, st, "all", names[k], all[k], err);
    for (int m = 0; rc == TG_OK && m < p->n_months; m++) {
        const tg_pilot_period *pm = &p->month[m];
        const tg_ci *per[4] = {&pm->returns_avoided, &pm->net_saving,
                               &pm->roi, &pm->resale_recovered};
        for (int k = 0; rc == TG_OK && k < 4; k++)
            rc = stage_interval(s, st, pm->key, names[k], per[k], err);
    }
    return rc;
}

int export_pilot_stage(tg_store *s, const tg_export_opts *o, tg_err *err)
{
    if (store_exec(s, SQL_TEMP, err) != TG_OK)
        return err->code;
    tg_report_filter f = {-1, -1, 0, o->has_since, o->since};
    tg_report_pilot *p = malloc(sizeof *p);
    int rc = p ? report_pilot(s, &f, NULL, p, err)
               : tg_fail(err, TG_EINTERNAL, "out of memory");
    sqlite3_stmt *ms = rc == TG_OK ? store_prepare(s, SQL_MEASURE, err)
                                   : NULL;
    sqlite3_stmt *is = ms ? store_prepare(s, SQL_INTERVAL, err) : NULL;
    if (rc == TG_OK && !is)
        rc = err->code;
    if (rc == TG_OK && p->has)
        rc = stage_measures(s, p, ms, err);
    if (rc == TG_OK && p->has)
        rc = stage_intervals(s, p, is, err);
    sqlite3_finalize(ms);
    sqlite3_finalize(is);
    free(p);
    return rc;
}
