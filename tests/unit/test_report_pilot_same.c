/* test_report_pilot_same.c: report_pilot gives, bit for bit, the
 * tg_report_pilot that its earlier, slower form gave (kept in
 * report_pilot_ref.h: one ORDER BY over every line, the resamples one by
 * one), for every filter and period, on two stores: a made-up pilot with
 * the awkward cases in numbers (anonymous orders, order codes out of step
 * with the lines' ids and times, codes longer than 63 characters, several
 * returns of a line, pending lines, lines without satisfaction or resale
 * share, weeks and months cut by the period), and the pilot that
 * `trendguard pilot` plays on a demo store with a quick model. */
#include <math.h>

#include "demo_store.h"
#include "trendguard/features.h"
#include "trendguard/pilot.h"
#include "trendguard/report.h"

#include "report_pilot_ref.h"

#define DAY ((int64_t)TG_DAY)

static char dir[256];

static int setup(void **state)
{
    (void)state;
    tu_tmpdir(dir, sizeof dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf(dir);
    return 0;
}

/* ---- the made-up pilot ------------------------------------------------------ */

/* Monday 2026-03-02 00:00 UTC. */
static int64_t monday(void)
{
    return tg_days_from_civil(2026, 3, 2) * DAY;
}

static void step_done(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        fail_msg("insert: %s", sqlite3_errmsg(db));
    sqlite3_reset(st);
}

/* An order code: mostly short and shuffled against the lines' ids, now
 * and then longer than 63 characters, two of them alike in their first
 * 63. */
static void order_code(tg_rng *r, int order, char *out, size_t n)
{
    static const char pad[] =
        "a-rather-long-order-reference-from-the-marketplace-feed-";
    uint64_t kind = tg_rng_below(r, 20);
    if (kind == 0)
        snprintf(out, n, "%s%08d-%d", pad, 0, order % 7);
    else if (kind == 1)
        snprintf(out, n, "%s%08d", pad, order);
    else
        snprintf(out, n, "O%05d", (int)((order * 7919) % 100000));
}

/* The customers, products, lines and their returns. */
static void made_up_lines(tg_store *s, tg_rng *r, int n)
{
    sqlite3 *db = store_db(s);
    sqlite3_stmt *pu, *pl, *re;
    const char *sql[3] = {
        "INSERT INTO purchases(id,line_code,order_code,customer_id,"
        "product_id,size,quantity,unit_price,ordered_at,channel)"
        " VALUES(?,?,?,?,?,'M',?,?,?,?)",
        "INSERT INTO pilot_lines(purchase_id,arm,bought,bought_at,returned,"
        "exchanged,returned_at,resale_share,fast_restock,offer_cost,shown,"
        "declined,satisfaction) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "INSERT INTO returns(code,purchase_id,returned_at) VALUES(?,?,?)"};
    sqlite3_stmt **st[3] = {&pu, &pl, &re};
    for (int k = 0; k < 3; k++)
        assert_int_equal(sqlite3_prepare_v2(db, sql[k], -1, st[k], NULL),
                         SQLITE_OK);
    int64_t end = monday() + 70 * DAY, order = 0, cust = 0, at = 0;
    int returns = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || tg_rng_below(r, 3) == 0) { /* a new order */
            order++;
            cust = tg_rng_below(r, 10) == 0 ? 0 : 1 + (int64_t)tg_rng_below(r, 300);
            at = monday() - 20 * DAY + (int64_t)tg_rng_below(r, 90 * 86400);
        }
        int id = 1 + (int)((i * 4099L + 17) % 100003); /* ids out of step */
        char code[96], lc[32];
        order_code(r, (int)order, code, sizeof code);
        snprintf(lc, sizeof lc, "L%d", id);
        sqlite3_bind_int(pu, 1, id);
        sqlite3_bind_text(pu, 2, lc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(pu, 3, code, -1, SQLITE_TRANSIENT);
        if (cust)
            sqlite3_bind_int64(pu, 4, cust);
        else
            sqlite3_bind_null(pu, 4);
        sqlite3_bind_int(pu, 5, 1 + (int)tg_rng_below(r, TG_NUM_CATEGORIES));
        sqlite3_bind_int(pu, 6, 1 + (int)tg_rng_below(r, 3));
        sqlite3_bind_double(pu, 7, (double)(99 + tg_rng_below(r, 12000)) / 100);
        sqlite3_bind_int64(pu, 8, at);
        sqlite3_bind_text(pu, 9, tg_channel_names[tg_rng_below(r, TG_NUM_CHANNELS)],
                          -1, SQLITE_STATIC);
        step_done(db, pu);
        int pending = at > end - 30 * DAY && tg_rng_below(r, 4) != 0;
        int ret = !pending && tg_rng_below(r, 3) == 0;
        sqlite3_bind_int(pl, 1, id);
        sqlite3_bind_text(pl, 2, tg_rng_below(r, 2) ? "treatment" : "control",
                          -1, SQLITE_STATIC);
        sqlite3_bind_int(pl, 3, tg_rng_below(r, 10) != 0);
        sqlite3_bind_int64(pl, 4, at);
        if (pending)
            sqlite3_bind_null(pl, 5);
        else
            sqlite3_bind_int(pl, 5, ret);
        sqlite3_bind_int(pl, 6, ret && tg_rng_below(r, 4) == 0);
        if (ret)
            sqlite3_bind_int64(pl, 7, at + 3 * DAY);
        else
            sqlite3_bind_null(pl, 7);
        if (ret && tg_rng_below(r, 5) != 0)
            sqlite3_bind_double(pl, 8, tg_rng_uniform(r));
        else
            sqlite3_bind_null(pl, 8);
        sqlite3_bind_int(pl, 9, tg_rng_below(r, 6) == 0);
        sqlite3_bind_double(pl, 10, tg_rng_below(r, 4) == 0
                                        ? (double)tg_rng_below(r, 500) / 100 : 0);
        int shown = (int)tg_rng_below(r, 3);
        sqlite3_bind_int(pl, 11, shown);
        sqlite3_bind_int(pl, 12, shown ? (int)tg_rng_below(r, (uint64_t)shown + 1)
                                       : 0);
        if (tg_rng_below(r, 8) == 0)
            sqlite3_bind_null(pl, 13);
        else
            sqlite3_bind_double(pl, 13, tg_rng_uniform(r));
        step_done(db, pl);
        /* the store's own returns: none, one, or two (the later first) */
        for (int k = (int)tg_rng_below(r, 4); k > 0 && k < 3; k--) {
            char rc[32];
            snprintf(rc, sizeof rc, "R%d", ++returns);
            sqlite3_bind_text(re, 1, rc, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(re, 2, id);
            int64_t back = at + (int64_t)tg_rng_below(r, 50) * DAY;
            sqlite3_bind_int64(re, 3, back < end ? back : end);
            step_done(db, re);
        }
    }
    for (int k = 0; k < 3; k++)
        sqlite3_finalize(*st[k]);
}

/* Decisions the pilot never writes, which the uptake must still treat as
 * one query over decisions and purchases would: pilot decisions on
 * purchases that are no pilot line (in and out of the filters), without a
 * nudge or without a purchase, and real use's on the pilot's lines. */
static void other_decisions(tg_store *s)
{
    tu_run(s, "INSERT INTO purchases(id,line_code,order_code,customer_id,"
              "product_id,size,quantity,unit_price,ordered_at,channel)"
              " SELECT 200000 + id, 'X' || id, 'XO' || id, customer_id,"
              " 1 + (id * 7) %% %d, 'M', 1, 5, ordered_at,"
              " CASE id %% 3 WHEN 0 THEN 'web' ELSE 'app' END"
              " FROM purchases WHERE id %% 11 = 0",
           TG_NUM_CATEGORIES);
    tu_run(s, "INSERT INTO interventions(created_at,purchase_id,nudge,status,"
              "source,moment) SELECT ordered_at, id, CASE id %% 4 WHEN 0 THEN"
              " NULL WHEN 1 THEN 'size_advice' WHEN 2 THEN 'only_here'"
              " ELSE 'exchange_first' END, CASE id %% 3 WHEN 0 THEN"
              " 'accepted' ELSE 'declined' END, 'pilot', 'cart'"
              " FROM purchases WHERE id > 200000");
    tu_run(s, "INSERT INTO interventions(created_at,purchase_id,nudge,status,"
              "source,moment) VALUES(%lld,NULL,'size_advice','accepted',"
              "'pilot','cart')", (long long)monday());
    tu_run(s, "INSERT INTO interventions(created_at,purchase_id,nudge,status,"
              "source) SELECT bought_at, purchase_id, 'size_advice',"
              " 'accepted', 'live' FROM pilot_lines WHERE purchase_id %% 5 = 0");
}

static tg_store *made_up_pilot(void)
{
    tg_store *s = tu_store(dir, "made_up.db");
    tg_rng r;
    tg_rng_seed(&r, 42);
    tu_run(s, "BEGIN");
    for (int c = 1; c <= 300; c++)
        tu_run(s, "INSERT INTO customers(id,code) VALUES(%d,'C%d')", c, c);
    for (int p = 0; p < TG_NUM_CATEGORIES; p++)
        tu_run(s, "INSERT INTO products(id,code,name,category,price)"
                  " VALUES(%d,'P%d','Item','%s',10)",
               p + 1, p + 1, tg_category_names[p]);
    int64_t end = monday() + 70 * DAY;
    tu_run(s, "INSERT INTO pilot_runs VALUES(1, 13, 0.5, 11, 1, %lld, %lld,"
              " %lld, 4)", (long long)(monday() - 20 * DAY), (long long)end,
           (long long)end);
    made_up_lines(s, &r, 3000);
    tu_run(s, "INSERT INTO interventions(created_at,purchase_id,nudge,status,"
              "source,moment) SELECT bought_at, purchase_id, CASE purchase_id"
              " %% 3 WHEN 0 THEN 'size_advice' WHEN 1 THEN 'exchange_first'"
              " ELSE 'bracketing_prompt' END, CASE WHEN purchase_id %% 4 = 0"
              " THEN 'accepted' ELSE 'declined' END, 'pilot', 'cart'"
              " FROM pilot_lines WHERE shown > 0");
    other_decisions(s);
    tu_run(s, "COMMIT");
    return s;
}

/* ---- the comparison --------------------------------------------------------- */

static int same_ci(const tg_ci *a, const tg_ci *b)
{
    return !memcmp(a, b, sizeof *a);
}

/* Names the first part that differs (for the failure's message). */
static const char *first_difference(const tg_report_pilot *a,
                                    const tg_report_pilot *b)
{
    if (memcmp(a->arm, b->arm, sizeof a->arm))
        return "the arms' totals";
    if (!same_ci(&a->returns_avoided, &b->returns_avoided) ||
        !same_ci(&a->net_saving, &b->net_saving) ||
        !same_ci(&a->roi, &b->roi) ||
        !same_ci(&a->resale_recovered, &b->resale_recovered) ||
        !same_ci(&a->satisfaction_change, &b->satisfaction_change))
        return "a figure or its interval";
    if (a->n_weeks != b->n_weeks || memcmp(a->week, b->week, sizeof a->week))
        return "the weeks";
    if (a->n_months != b->n_months ||
        memcmp(a->month, b->month, sizeof a->month))
        return "the months";
    if (a->n_nudges != b->n_nudges || memcmp(a->nudge, b->nudge,
                                             sizeof a->nudge))
        return "the uptake";
    if (strcmp(a->note, b->note))
        return "the note";
    return "the run or the assumptions";
}

/* Every filter of one category, one channel, both and none, with or
 * without a start, over each period: report_pilot and the reference give
 * the same bytes. Returns how many selections had settled lines in both
 * arms. */
static int compare_all(tg_store *s)
{
    int64_t since = tu_int(s, "SELECT from_at FROM pilot_runs") + 9 * DAY +
                    3600;
    static const int periods[] = {0, 90, 60, 30, 14, 7, 1};
    tg_report_pilot *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    int full = 0;
    for (size_t p = 0; p < sizeof periods / sizeof *periods; p++)
        for (int i = -1; i < TG_NUM_CATEGORIES + TG_NUM_CHANNELS + 2; i++) {
            tg_report_filter f = {.category = -1, .channel = -1,
                                  .period_days = periods[p]};
            if (i >= 0 && i < TG_NUM_CATEGORIES)
                f.category = i;
            else if (i >= TG_NUM_CATEGORIES &&
                     i < TG_NUM_CATEGORIES + TG_NUM_CHANNELS)
                f.channel = i - TG_NUM_CATEGORIES;
            else if (i == TG_NUM_CATEGORIES + TG_NUM_CHANNELS)
                f.category = 1, f.channel = 2;
            else if (i > 0) {
                f.has_since = 1;
                f.since = since;
            }
            tg_err err = {0};
            memset(a, 0xa5, sizeof *a);
            memset(b, 0x5a, sizeof *b);
            assert_int_equal(report_pilot(s, &f, NULL, a, &err), TG_OK);
            assert_int_equal(ref_report_pilot(s, &f, NULL, b, &err), TG_OK);
            if (memcmp(a, b, sizeof *a))
                fail_msg("period %d, filter %d: %s differ", periods[p], i,
                         first_difference(a, b));
            full += a->arm[0].returns.n > 0 && a->arm[1].returns.n > 0;
        }
    free(a);
    free(b);
    return full;
}

static void made_up(void **state)
{
    (void)state;
    tg_store *s = made_up_pilot();
    tg_report_pilot *p = malloc(sizeof *p);
    tg_err err = {0};
    assert_int_equal(report_pilot(s, NULL, NULL, p, &err), TG_OK);
    /* the cases the comparison is meant to hold */
    assert_true(p->has);
    assert_true(p->n_weeks > 10 && p->n_months >= 3);
    assert_true(p->arm[0].returns.n > 500 && p->arm[1].returns.n > 500);
    assert_true(isfinite(p->net_saving.lo) && isfinite(p->roi.hi));
    assert_true(p->n_nudges == 5); /* 3 on the pilot's lines, 1 off them, none */
    free(p);
    assert_true(tu_int(s, "SELECT count(*) FROM purchases WHERE customer_id"
                          " IS NULL") > 100);
    assert_true(tu_int(s, "SELECT count(*) FROM purchases WHERE"
                          " length(order_code) > 63") > 50);
    assert_true(tu_int(s, "SELECT count(*) FROM (SELECT purchase_id FROM"
                          " returns GROUP BY 1 HAVING count(*) > 1)") > 50);
    assert_true(compare_all(s) > 60);
    store_close(s);
}

/* The pilot of `trendguard pilot` on a demo store. */
static void played(void **state)
{
    (void)state;
    char db[300], model[300];
    snprintf(db, sizeof db, "%s/demo.db", dir);
    snprintf(model, sizeof model, "%s/model.json", dir);
    tu_demo_store(dir, db, 5);
    tu_demo_model(db, model, 20, 1);
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    assert_non_null(s);
    tg_pilot_opts o;
    pilot_defaults(&o);
    o.weeks = 8;
    tg_pilot_result r;
    if (pilot_run(s, &o, &r, &err) != TG_OK)
        fail_msg("pilot: %s", err.msg);
    assert_true(compare_all(s) > 30); /* the last 30 days are pending */
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(made_up),
        cmocka_unit_test(played),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
