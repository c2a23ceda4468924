/* nudge_store.c: the intervention engine's store-backed side: the bandit's
 * arms and the daily offer budget in the store (so learning survives
 * restarts), a shopper's caps read from `interventions`, every decision
 * logged there with its bandit context, answers recorded (each teaching
 * the bandit what shoppers take up) and outcomes recorded. */
#include "trendguard/nudge.h"

#include "nudge_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char SQL_BANDIT_LOAD[] =
    "SELECT segment, driver, nudge, alpha, beta, outcomes FROM nudge_bandit";
static const char SQL_BANDIT_SAVE[] =
    "INSERT INTO nudge_bandit(segment, driver, nudge, alpha, beta, outcomes,"
    " updated_at) VALUES(?,?,?,?,?,?,?)"
    " ON CONFLICT(segment, driver, nudge) DO UPDATE SET alpha = excluded.alpha,"
    " beta = excluded.beta, outcomes = excluded.outcomes,"
    " updated_at = excluded.updated_at";
static const char SQL_BUDGET_GET[] =
    "SELECT spent FROM nudge_budget WHERE day = ?";
static const char SQL_BUDGET_SPEND[] =
    "INSERT INTO nudge_budget(day, spent) VALUES(?, ?)"
    " ON CONFLICT(day) DO UPDATE SET spent = spent + excluded.spent";
static const char SQL_SHOPPER_DAY[] =
    "SELECT nudge, COUNT(*) FROM interventions WHERE customer_id = ?"
    " AND decided_at >= ? AND decided_at < ? AND source = 'live'"
    " AND status IN ('shown', 'accepted', 'declined') GROUP BY nudge";
static const char SQL_LOG[] =
    "INSERT INTO interventions(created_at, purchase_id, cart_ref,"
    " customer_id, model_version, score, drivers, nudge, offer, offer_cost,"
    " status, decided_at, why) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_CONTEXT[] =
    "INSERT OR REPLACE INTO nudge_context(intervention_id, segment, driver,"
    " band, sample) VALUES(?,?,?,?,?)";
static const char SQL_ANSWER_GET[] =
    "SELECT status, offer_cost FROM interventions WHERE id = ?";
static const char SQL_ANSWER_SET[] =
    "UPDATE interventions SET status = ? WHERE id = ?";
/* An answer teaches the arm of the decision's context; a new arm starts
 * from the prior every bandit starts from, Beta(1, 1). */
static const char SQL_ANSWER_TEACH[] =
    "INSERT INTO nudge_bandit(segment, driver, nudge, alpha, beta, outcomes,"
    " updated_at) SELECT c.segment, c.driver, i.nudge, 1 + ?1, 2 - ?1, 1, ?2"
    " FROM interventions i JOIN nudge_context c ON c.intervention_id = i.id"
    " WHERE i.id = ?3 AND i.nudge IS NOT NULL"
    " ON CONFLICT(segment, driver, nudge) DO UPDATE SET"
    " alpha = alpha + ?1, beta = beta + 1 - ?1, outcomes = outcomes + 1,"
    " updated_at = ?2";
static const char SQL_OUTCOME_GET[] =
    "SELECT i.outcome FROM interventions i"
    " JOIN nudge_context c ON c.intervention_id = i.id WHERE i.id = ?";
static const char SQL_OUTCOME_SET[] =
    "UPDATE interventions SET outcome = ? WHERE id = ?";
static int fail_code(tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

static int segment_code(const char *name)
{
    int k = name ? features_code(tg_segment_names, TG_NUM_SEGMENTS, name)
                 : -1;
    return k < 0 ? TG_SEG_UNKNOWN : k;
}

static int group_code(const char *name)
{
    for (int g = 0; name && g < TG_NUM_DRIVER_GROUPS; g++)
        if (strcmp(nudge_driver_group_names[g], name) == 0)
            return g;
    return -1;
}

/* ---- the bandit ------------------------------------------------------------ */

int nudge_store_load_bandit(tg_store *s, const tg_nudge_catalog *c,
                            tg_bandit *b, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_BANDIT_LOAD, err);
    if (!st)
        return fail_code(err);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *seg = (const char *)sqlite3_column_text(st, 0);
        const char *drv = (const char *)sqlite3_column_text(st, 1);
        const char *nud = (const char *)sqlite3_column_text(st, 2);
        int k = nud ? nudge_catalog_find(c, nud) : -1;
        int g = group_code(drv);
        int sg = seg ? features_code(tg_segment_names, TG_NUM_SEGMENTS, seg)
                     : -1;
        if (k < 0 || g < 0 || sg < 0)
            continue; /* a nudge no longer in the catalogue */
        bandit_set(b, sg, g, k, sqlite3_column_double(st, 3),
                   sqlite3_column_double(st, 4),
                   (long)sqlite3_column_int64(st, 5));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TG_OK
                             : store_fail(s, err, "reading the bandit");
}

static int save_arm(sqlite3_stmt *st, const tg_nudge_catalog *c,
                    const tg_bandit *b, int sg, int g, int k, int64_t now)
{
    double a, be;
    long n;
    bandit_get(b, sg, g, k, &a, &be, &n);
    sqlite3_bind_text(st, 1, tg_segment_names[sg], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, nudge_driver_group_names[g], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c->nudges[k].id, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, a);
    sqlite3_bind_double(st, 5, be);
    sqlite3_bind_int64(st, 6, n);
    sqlite3_bind_int64(st, 7, now);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int nudge_store_save_bandit(tg_store *s, const tg_nudge_catalog *c,
                            const tg_bandit *b, tg_err *err)
{
    if (store_exec(s, "SAVEPOINT nudge_bandit_save", err) != TG_OK)
        return fail_code(err);
    sqlite3_stmt *st = store_prepare(s, SQL_BANDIT_SAVE, err);
    int rc = st ? TG_OK : fail_code(err);
    int64_t now = (int64_t)time(NULL);
    int nn = bandit_num_nudges(b) < c->n ? bandit_num_nudges(b) : c->n;
    for (int sg = 0; rc == TG_OK && sg < TG_NUM_SEGMENTS; sg++)
        for (int g = 0; rc == TG_OK && g < TG_NUM_DRIVER_GROUPS; g++)
            for (int k = 0; rc == TG_OK && k < nn; k++) {
                double a, be;
                long n;
                bandit_get(b, sg, g, k, &a, &be, &n);
                if (n > 0 && save_arm(st, c, b, sg, g, k, now) != 0)
                    rc = store_fail(s, err, "saving the bandit");
            }
    sqlite3_finalize(st);
    if (rc == TG_OK)
        return store_exec(s, "RELEASE nudge_bandit_save", err);
    tg_err ignore = {0};
    store_exec(s, "ROLLBACK TO nudge_bandit_save", &ignore);
    store_exec(s, "RELEASE nudge_bandit_save", &ignore);
    return rc;
}

/* ---- caps and budget ---------------------------------------------------------- */

int nudge_store_budget(tg_store *s, const tg_nudge_catalog *c, int64_t now,
                       tg_nudge_budget *b, tg_err *err)
{
    memset(b, 0, sizeof *b);
    b->day = tg_day_of(now);
    b->limit = c->daily_offer_budget;
    sqlite3_stmt *st = store_prepare(s, SQL_BUDGET_GET, err);
    if (!st)
        return fail_code(err);
    sqlite3_bind_int64(st, 1, b->day);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        b->spent = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? TG_OK
               : store_fail(s, err, "reading the offer budget");
}

int nudge_store_shopper(tg_store *s, const tg_nudge_catalog *c,
                        int64_t customer_id, int64_t now,
                        tg_nudge_shopper *sh, tg_err *err)
{
    memset(sh, 0, sizeof *sh);
    sh->day = tg_day_of(now);
    if (customer_id <= 0)
        return TG_OK;
    sqlite3_stmt *st = store_prepare(s, SQL_SHOPPER_DAY, err);
    if (!st)
        return fail_code(err);
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, sh->day * TG_DAY);
    sqlite3_bind_int64(st, 3, (sh->day + 1) * TG_DAY);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        int n = sqlite3_column_int(st, 1);
        sh->shown += n;
        int k = id ? nudge_catalog_find(c, id) : -1;
        if (k >= 0)
            sh->shown_by[k] = (unsigned char)(n > 255 ? 255 : n);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TG_OK
                             : store_fail(s, err, "reading the shopper's "
                                                  "nudges");
}

/* ---- logging, answers and outcomes ------------------------------------------- */

static void bind_opt_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

int nudge_write_context(tg_store *s, int64_t id, int segment,
                        const tg_nudge_decision *d, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_CONTEXT, err);
    if (!st)
        return fail_code(err);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, tg_segment_names[segment], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, nudge_driver_group_names[d->context], -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 4, nudge_band_names[d->band], -1, SQLITE_STATIC);
    if (isnan(d->sample))
        sqlite3_bind_null(st, 5);
    else
        sqlite3_bind_double(st, 5, d->sample);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK
                 : store_fail(s, err, "writing a decision's context");
    sqlite3_finalize(st);
    return rc;
}

/* The segment a logged decision was made for: the customer's, else
 * unknown. */
static int customer_segment(tg_store *s, int64_t customer_id)
{
    if (customer_id <= 0)
        return TG_SEG_UNKNOWN;
    sqlite3_stmt *st = store_prepare(
        s, "SELECT segment FROM customers WHERE id = ?", NULL);
    if (!st)
        return TG_SEG_UNKNOWN;
    sqlite3_bind_int64(st, 1, customer_id);
    int seg = TG_SEG_UNKNOWN;
    if (sqlite3_step(st) == SQLITE_ROW)
        seg = segment_code((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return seg;
}

int nudge_store_log(tg_store *s, const tg_nudge_catalog *c,
                    const tg_nudge_ref *ref, const tg_nudge_decision *d,
                    int64_t now, int64_t *id, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_LOG, err);
    if (!st)
        return fail_code(err);
    const tg_nudge_def *n = d->nudge >= 0 && d->nudge < c->n
                                ? &c->nudges[d->nudge] : NULL;
    sqlite3_bind_int64(st, 1, now);
    bind_opt_id(st, 2, ref->purchase_id);
    if (ref->cart_ref)
        sqlite3_bind_text(st, 3, ref->cart_ref, -1, SQLITE_STATIC);
    bind_opt_id(st, 4, ref->customer_id);
    if (ref->model_version > 0)
        sqlite3_bind_int(st, 5, ref->model_version);
    sqlite3_bind_double(st, 6, d->score);
    if (ref->drivers)
        sqlite3_bind_text(st, 7, ref->drivers, -1, SQLITE_STATIC);
    if (n) {
        sqlite3_bind_text(st, 8, n->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 9, nudge_offer_names[n->offer], -1,
                          SQLITE_STATIC);
    }
    sqlite3_bind_double(st, 10, d->offer_cost);
    sqlite3_bind_text(st, 11, n ? "shown" : "skipped", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, now);
    sqlite3_bind_text(st, 13, d->why, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK
                 : store_fail(s, err, "logging a nudge decision");
    sqlite3_finalize(st);
    if (rc != TG_OK)
        return rc;
    int64_t row = sqlite3_last_insert_rowid(store_db(s));
    if (id)
        *id = row;
    if (!n)
        return TG_OK;
    return nudge_write_context(s, row,
                               customer_segment(s, ref->customer_id), d, err);
}

int nudge_store_answer(tg_store *s, int64_t id, int accepted, int64_t now,
                       tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_ANSWER_GET, err);
    if (!st)
        return fail_code(err);
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    char status[16] = "";
    double cost = 0;
    if (step == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        tg_strlcpy(status, t ? t : "", sizeof status);
        cost = sqlite3_column_double(st, 1);
    }
    sqlite3_finalize(st);
    if (step == SQLITE_DONE)
        return tg_fail(err, TG_ENOINPUT, "intervention %lld: no such "
                       "decision", (long long)id);
    if (step != SQLITE_ROW)
        return store_fail(s, err, "reading a decision");
    if (strcmp(status, "shown") != 0)
        return tg_fail(err, TG_EDATA, "intervention %lld: is '%s', not "
                       "'shown'", (long long)id, status);
    if (store_exec(s, "SAVEPOINT nudge_answer", err) != TG_OK)
        return fail_code(err);
    int rc = TG_OK;
    st = store_prepare(s, SQL_ANSWER_SET, err);
    if (!st)
        rc = fail_code(err);
    if (rc == TG_OK) {
        sqlite3_bind_text(st, 1, accepted ? "accepted" : "declined", -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, id);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store_fail(s, err, "recording an answer");
        sqlite3_finalize(st);
    }
    if (rc == TG_OK) {
        st = store_prepare(s, SQL_ANSWER_TEACH, err);
        if (!st)
            rc = fail_code(err);
    }
    if (rc == TG_OK) {
        sqlite3_bind_int(st, 1, accepted ? 1 : 0);
        sqlite3_bind_int64(st, 2, now);
        sqlite3_bind_int64(st, 3, id);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = store_fail(s, err, "teaching the bandit");
        sqlite3_finalize(st);
    }
    if (rc == TG_OK && accepted && cost > 0) {
        st = store_prepare(s, SQL_BUDGET_SPEND, err);
        if (!st)
            rc = fail_code(err);
        if (rc == TG_OK) {
            sqlite3_bind_int64(st, 1, tg_day_of(now));
            sqlite3_bind_double(st, 2, cost);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = store_fail(s, err, "spending the offer budget");
            sqlite3_finalize(st);
        }
    }
    tg_err ignore = {0};
    if (rc != TG_OK)
        store_exec(s, "ROLLBACK TO nudge_answer", &ignore);
    store_exec(s, "RELEASE nudge_answer", rc == TG_OK ? err : &ignore);
    return rc;
}

int nudge_settler_open(tg_store *s, nudge_settler *t, tg_err *err)
{
    t->get = store_prepare(s, SQL_OUTCOME_GET, err);
    t->set = t->get ? store_prepare(s, SQL_OUTCOME_SET, err) : NULL;
    if (t->set)
        return TG_OK;
    nudge_settler_close(t);
    return fail_code(err);
}

void nudge_settler_close(nudge_settler *t)
{
    sqlite3_finalize(t->get);
    sqlite3_finalize(t->set);
    t->get = t->set = NULL;
}

int nudge_settler_outcome(nudge_settler *t, tg_store *s, int64_t id,
                          const char *outcome, tg_err *err)
{
    if (!outcome || (strcmp(outcome, "kept") != 0 &&
                     strcmp(outcome, "returned") != 0 &&
                     strcmp(outcome, "lost") != 0))
        return tg_fail(err, TG_EUSAGE, "an outcome is kept, returned or "
                                       "lost");
    sqlite3_stmt *st = t->get;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step == SQLITE_DONE)
        return tg_fail(err, TG_ENOINPUT, "intervention %lld: no shown "
                       "nudge to settle", (long long)id);
    if (step != SQLITE_ROW)
        return store_fail(s, err, "reading a decision");
    st = t->set;
    sqlite3_bind_text(st, 1, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK
                 : store_fail(s, err, "recording an outcome");
    sqlite3_reset(st);
    return rc;
}

int nudge_store_outcome(tg_store *s, int64_t id, const char *outcome,
                        tg_err *err)
{
    nudge_settler t;
    int rc = nudge_settler_open(s, &t, err);
    if (rc == TG_OK)
        rc = nudge_settler_outcome(&t, s, id, outcome, err);
    nudge_settler_close(&t);
    return rc;
}
