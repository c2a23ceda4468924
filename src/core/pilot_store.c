/* pilot_store.c: the pilot's rows in the store (pilot_ctx.h): the
 * previous pilot removed, each decision written at its moment (source
 * 'pilot'), the trend as the store's feed had it at a time, and at the
 * end every line of the window with its arm and outcome, the resale value
 * of each return by the day it is back on sale, the decisions' outcomes
 * and the run. */
#include <math.h>
#include <string.h>

#include "pilot_ctx.h"

static const char SQL_CLEAR[] =
    "DELETE FROM interventions WHERE source = 'pilot';"
    "DELETE FROM pilot_lines;"
    "DELETE FROM pilot_runs;";
static const char SQL_LOG[] =
    "INSERT INTO interventions(created_at, purchase_id, customer_id,"
    " model_version, score, nudge, offer, offer_cost, status, decided_at,"
    " why, source, moment) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?1,"
    " ?10, 'pilot', ?11)";
/* The hashtag's newest snapshot by ?2: its features then and its phase. */
static const char SQL_TREND[] =
    "SELECT growth_24h, growth_7d, (?2 - peak_at) / 86400.0,"
    " (?2 - first_at) / 86400.0, CASE WHEN views_24h IS NOT NULL"
    "  THEN log10(views_24h + 1) END,"
    " trend_phase(views_24h, week_views, prev_week_views, best_week_views,"
    "  (?2 - captured_at) / 86400.0)"
    " FROM trend_state WHERE hashtag_id = ?1 AND captured_at <= ?2"
    " ORDER BY captured_at DESC LIMIT 1";
static const char SQL_LINE[] =
    "INSERT INTO pilot_lines(purchase_id, arm, bought, bought_at, returned,"
    " exchanged, returned_at, resale_share, fast_restock, offer_cost, shown,"
    " declined, satisfaction) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_OUTCOMES[] =
    "UPDATE interventions SET outcome = CASE WHEN pl.returned IS NULL"
    "  THEN NULL WHEN pl.bought = 0 THEN 'lost'"
    "  WHEN pl.exchanged THEN 'exchanged'"
    "  WHEN pl.returned THEN 'returned' ELSE 'kept' END"
    " FROM pilot_lines pl WHERE pl.purchase_id = interventions.purchase_id"
    " AND interventions.source = 'pilot'";
static const char SQL_RUN[] =
    "INSERT INTO pilot_runs(id, weeks, holdout, seed, model_version,"
    " from_at, to_at, data_end, budget_per_day)"
    " VALUES(1, ?, ?, ?, ?, ?, ?, ?, ?)";

static const char *const moment_names[TG_NUM_MOMENTS] = {
    [TG_MOMENT_ITEM] = "item", [TG_MOMENT_CART] = "cart",
    [TG_MOMENT_RETURN] = "return", [TG_MOMENT_ORDER] = "order",
    [TG_MOMENT_RESTOCK] = "restock"};

static int code_of(tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

int pilot_store_open(pilot_ctx *c, tg_err *err)
{
    if (store_exec(c->s, SQL_CLEAR, err) != TG_OK)
        return code_of(err);
    c->log = store_prepare(c->s, SQL_LOG, err);
    c->trend = c->log ? store_prepare(c->s, SQL_TREND, err) : NULL;
    return c->trend ? TG_OK : code_of(err);
}

void pilot_store_close(pilot_ctx *c)
{
    sqlite3_finalize(c->log);
    sqlite3_finalize(c->trend);
    c->log = c->trend = NULL;
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

int pilot_store_log(pilot_ctx *c, const pilot_line *l,
                    const tg_nudge_decision *d, int moment, int64_t at,
                    int taken, tg_err *err)
{
    const tg_nudge_def *n = &c->cat->nudges[d->nudge];
    sqlite3_stmt *st = c->log;
    sqlite3_bind_int64(st, 1, at);
    sqlite3_bind_int64(st, 2, l->id);
    if (l->customer > 0)
        sqlite3_bind_int64(st, 3, l->customer);
    sqlite3_bind_int(st, 4, c->r->model_version);
    bind_real(st, 5, l->score);
    sqlite3_bind_text(st, 6, n->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, nudge_offer_names[n->offer], -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 8, d->offer_cost);
    sqlite3_bind_text(st, 9, taken ? "accepted" : "declined", -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 10, d->why, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 11, moment_names[moment], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK : store_fail(c->s, err, "writing a pilot decision");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int pilot_trend_at(pilot_ctx *c, int64_t hashtag, int64_t t, float *x)
{
    sqlite3_stmt *st = c->trend;
    sqlite3_bind_int64(st, 1, hashtag);
    sqlite3_bind_int64(st, 2, t);
    int step = sqlite3_step(st), phase = TG_TREND_NONE;
    static const int feature[5] = {
        TG_F_trend_growth_24h, TG_F_trend_growth_7d,
        TG_F_trend_days_since_peak, TG_F_trend_age_days,
        TG_F_trend_log_views_24h};
    if (step == SQLITE_ROW) {
        for (int k = 0; x && k < 5; k++)
            x[feature[k]] = sqlite3_column_type(st, k) == SQLITE_NULL
                                ? NAN
                                : (float)sqlite3_column_double(st, k);
        phase = sqlite3_column_int(st, 5);
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? phase : -1;
}

/* The share of a returned line's value recovered: by its trend's phase on
 * the day it is back on sale (by the fast route or the usual one), and
 * whether it can be sold as new. */
static int resale_share(pilot_ctx *c, const pilot_line *l, double *share)
{
    double days = l->fast ? c->a.fast_restock_days : c->a.restock_days;
    int phase = TG_TREND_NONE;
    if (l->hashtag &&
        (phase = pilot_trend_at(c, l->hashtag, l->returned_at +
                                (int64_t)(days * TG_DAY), NULL)) < 0)
        return -1;
    *share = sim_assume_resale(&c->a, phase) *
             (l->resellable ? 1 : c->a.unsellable_salvage);
    return 0;
}

static int write_line(pilot_ctx *c, sqlite3_stmt *st, const pilot_line *l,
                      tg_err *err)
{
    double share = NAN;
    if (l->mature && l->returned && resale_share(c, l, &share))
        return store_fail(c->s, err, "reading the trend");
    sqlite3_bind_int64(st, 1, l->id);
    sqlite3_bind_text(st, 2, l->treated ? "treatment" : "control", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(st, 3, !(l->lost || l->dropped));
    sqlite3_bind_int64(st, 4, pilot_bought_at(l));
    if (l->mature)
        sqlite3_bind_int(st, 5, l->returned);
    sqlite3_bind_int(st, 6, l->exchanged);
    if (l->mature && l->returned)
        sqlite3_bind_int64(st, 7, l->returned_at);
    bind_real(st, 8, share);
    sqlite3_bind_int(st, 9, l->fast);
    sqlite3_bind_double(st, 10, l->offer_cost);
    sqlite3_bind_int(st, 11, l->shown);
    sqlite3_bind_int(st, 12, l->declined);
    bind_real(st, 13, l->mature ? pilot_shopper_satisfaction(&c->a, l)
                                : NAN);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK : store_fail(c->s, err, "writing a pilot line");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int write_run(pilot_ctx *c, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(c->s, SQL_RUN, err);
    if (!st)
        return code_of(err);
    sqlite3_bind_int(st, 1, c->o->weeks);
    sqlite3_bind_double(st, 2, c->o->holdout);
    sqlite3_bind_int64(st, 3, (int64_t)c->o->seed);
    sqlite3_bind_int(st, 4, c->r->model_version);
    sqlite3_bind_int64(st, 5, c->from);
    sqlite3_bind_int64(st, 6, c->end);
    sqlite3_bind_int64(st, 7, c->end);
    sqlite3_bind_double(st, 8, c->budget_limit);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK : store_fail(c->s, err, "writing the pilot");
    sqlite3_finalize(st);
    return rc;
}

int pilot_store_finish(pilot_ctx *c, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(c->s, SQL_LINE, err);
    if (!st)
        return code_of(err);
    int rc = TG_OK;
    for (size_t i = 0; rc == TG_OK && i < c->n; i++) {
        const pilot_line *l = &c->line[i];
        rc = write_line(c, st, l, err);
        c->r->settled += l->mature;
        c->r->pending += !l->mature;
        c->r->no_truth += l->treated && !pilot_shopper_has(c->sh, l->id);
    }
    sqlite3_finalize(st);
    if (rc == TG_OK && store_exec(c->s, SQL_OUTCOMES, err) != TG_OK)
        rc = code_of(err);
    return rc == TG_OK ? write_run(c, err) : rc;
}
