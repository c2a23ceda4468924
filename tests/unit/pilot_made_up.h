/* pilot_made_up.h: a made-up pilot in a new store for the pilot's
 * figures' tests, with the awkward cases in numbers (anonymous orders,
 * order codes out of step with the lines' ids and times, codes longer
 * than 63 characters, several returns of a line, pending lines, lines
 * without satisfaction or resale share, decisions the pilot never writes),
 * in a folder of its own for each test (setup, teardown). Include after
 * testutil.h (through demo_store.h). */
#ifndef TRENDGUARD_TEST_PILOT_MADE_UP_H
#define TRENDGUARD_TEST_PILOT_MADE_UP_H

#include <stddef.h>

#include "trendguard/features.h"
#include "trendguard/report.h"

#define DAY ((int64_t)TG_DAY)

/* A pilot's figures, without what says whether they were kept (the
 * figures of the dashboard's filters are read from those the pilot
 * kept). */
#define FIGURES_BYTES offsetof(tg_report_pilot, cached)

/* Each test's own folder. */
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

#endif
