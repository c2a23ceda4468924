/* test_pilot.c: the simulated pilot (pilot.h) on a demo store with a
 * quick model: the same seed gives the same rows, a rerun replaces the
 * previous pilot, every row is dated by the store's clock within the
 * purchases' days, control and the untouched treated lines end exactly as
 * the store recorded them, and what it refuses (no model, no truth, bad
 * options). */
#include <math.h>

#include "demo_store.h"
#include "trendguard/pilot.h"

static char dir[256], db[300];

static int setup(void **state)
{
    (void)state;
    char model[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(db, sizeof db, "%s/t.db", dir);
    snprintf(model, sizeof model, "%s/model.json", dir);
    tu_demo_store(dir, db, 7);
    tu_demo_model(db, model, 20, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmrf(dir);
    return 0;
}

static void run_pilot(tg_store *s, int weeks, uint64_t seed,
                      tg_pilot_result *r)
{
    tg_pilot_opts o;
    pilot_defaults(&o);
    o.weeks = weeks;
    o.seed = seed;
    tg_err err = {0};
    if (pilot_run(s, &o, r, &err) != TG_OK)
        fail_msg("pilot: %s", err.msg);
}

/* Every pilot row as text, without the ids SQLite gave them. */
static char *dump(tg_store *s)
{
    static const char sql[] =
        "SELECT group_concat(x, char(10)) FROM (SELECT purchase_id || '|' ||"
        " arm || '|' || bought || '|' || bought_at || '|' ||"
        " ifnull(returned, '-') || '|' || exchanged || '|' ||"
        " ifnull(returned_at, '-') || '|' || ifnull(resale_share, '-') ||"
        " '|' || fast_restock || '|' || offer_cost || '|' || shown || '|' ||"
        " declined || '|' || ifnull(satisfaction, '-') AS x FROM pilot_lines"
        " UNION ALL SELECT created_at || '|' || purchase_id || '|' ||"
        " nudge || '|' || status || '|' || moment || '|' ||"
        " ifnull(outcome, '-') || '|' || why FROM interventions"
        " WHERE source = 'pilot')";
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

/* The same seed, the same rows; a rerun replaces, never adds; another
 * seed splits the shoppers otherwise. */
static void same_seed_same_rows(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    tg_pilot_result a, b, c;
    run_pilot(s, 8, 3, &a);
    assert_true(a.lines > 1000 && a.shown > 100 && a.accepted > 10);
    assert_true(a.customers[0] > 100 && a.customers[1] > 100);
    assert_int_equal(a.settled + a.pending, a.lines);
    assert_int_equal(a.no_truth, 0);
    char *first = dump(s);
    long rows = tu_int(s, "SELECT count(*) FROM interventions WHERE"
                          " source = 'pilot'");
    assert_int_equal(rows, a.shown);
    run_pilot(s, 8, 3, &b);
    char *second = dump(s);
    assert_string_equal(first, second);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE"
                               " source = 'pilot'"), rows);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pilot_lines"), a.lines);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pilot_runs"), 1);
    run_pilot(s, 8, 4, &c);
    char *third = dump(s);
    assert_true(strcmp(first, third) != 0);
    assert_true(c.customers[0] != a.customers[0] ||
                c.customers[1] != a.customers[1]);
    free(first);
    free(second);
    free(third);
    store_close(s);
}

/* Every pilot decision is dated at its moment: within the purchases' days
 * (from the window's first purchase to the store's newest data), at the
 * line's purchase for an item, cart or pre-ship decision. */
static void dated_by_the_store_clock(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    tg_pilot_result r;
    run_pilot(s, 8, 1, &r);
    assert_true(tu_int(s, "SELECT count(*) FROM interventions WHERE source"
                          " = 'pilot' AND moment IN ('return', 'restock')")
                > 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions i WHERE"
                               " source = 'pilot' AND (created_at !="
                               " decided_at OR created_at < (SELECT"
                               " min(ordered_at) FROM purchases) OR"
                               " created_at > (SELECT t FROM v_data_end))"),
                     0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions i JOIN"
                               " purchases p ON p.id = i.purchase_id WHERE"
                               " i.source = 'pilot' AND moment IN ('item',"
                               " 'cart', 'order') AND created_at !="
                               " p.ordered_at"), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pilot_lines pl JOIN"
                               " purchases p ON p.id = pl.purchase_id WHERE"
                               " p.ordered_at < (SELECT from_at FROM"
                               " pilot_runs)"), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pilot_lines WHERE"
                               " returned_at > (SELECT t FROM v_data_end)"),
                     0);
    store_close(s);
}

/* Control's lines end as recorded; so does every settled treated line
 * whose item no nudge touched; a line bought in the last 30 days has no
 * outcome. */
static void untouched_lines_end_as_recorded(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    tg_pilot_result r;
    run_pilot(s, 8, 1, &r);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pilot_lines pl JOIN"
                               " v_labels l ON l.purchase_id ="
                               " pl.purchase_id JOIN purchases p ON p.id ="
                               " pl.purchase_id WHERE pl.returned IS NOT"
                               " NULL AND pl.returned != l.returned AND NOT"
                               " EXISTS (SELECT 1 FROM pilot_lines q JOIN"
                               " purchases pq ON pq.id = q.purchase_id"
                               " WHERE pq.order_code = p.order_code AND"
                               " pq.product_id = p.product_id AND q.shown"
                               " > 0)"), 0);
    assert_true(tu_int(s, "SELECT count(*) FROM pilot_lines pl JOIN"
                          " v_labels l ON l.purchase_id = pl.purchase_id"
                          " WHERE pl.arm = 'treatment' AND pl.returned"
                          " != l.returned") > 10);
    assert_true(tu_int(s, "SELECT count(*) FROM pilot_lines WHERE arm ="
                          " 'control' AND returned IS NOT NULL") > 500);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pilot_lines WHERE"
                               " arm = 'control' AND (shown > 0 OR bought ="
                               " 0)"), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pilot_lines pl JOIN"
                               " purchases p ON p.id = pl.purchase_id WHERE"
                               " (pl.returned IS NULL) != (pl.bought_at +"
                               " 2592000 > (SELECT t FROM v_data_end))"), 0);
    assert_int_equal(r.pending, tu_int(s, "SELECT count(*) FROM pilot_lines"
                                          " WHERE returned IS NULL"));
    /* The nudges changed something: lines not bought, exchanges. */
    assert_true(tu_int(s, "SELECT count(*) FROM pilot_lines WHERE bought ="
                          " 0 OR exchanged = 1") > 0);
    store_close(s);
}

/* Bad options, a store without a model, a store without the truth; a
 * refused run leaves the previous pilot as it was. */
static void refusals(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    tg_pilot_opts o;
    tg_pilot_result r;
    pilot_defaults(&o);
    o.weeks = 0;
    assert_int_equal(pilot_run(s, &o, &r, &err), TG_EUSAGE);
    pilot_defaults(&o);
    o.holdout = 1;
    assert_int_equal(pilot_run(s, &o, &r, &err), TG_EUSAGE);
    store_close(s);
    char copy[400], cmd[900];
    snprintf(copy, sizeof copy, "%s/copy.db", dir);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", db, copy);
    assert_int_equal(system(cmd), 0);
    s = store_open(copy, 0, &err);
    assert_int_equal(store_exec(s, "DELETE FROM model_registry", &err),
                     TG_OK);
    pilot_defaults(&o);
    assert_int_equal(pilot_run(s, &o, &r, &err), TG_ENOINPUT);
    assert_non_null(strstr(err.msg, "no model registered"));
    assert_int_equal(store_exec(s, "DELETE FROM truth", &err), TG_OK);
    assert_int_equal(pilot_run(s, &o, &r, &err), TG_ENOINPUT);
    assert_non_null(strstr(err.msg, "no shopper truth"));
    assert_true(tu_int(s, "SELECT count(*) FROM pilot_lines") > 1000);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pilot_lines"),
                     tu_int(s, "SELECT count(*) FROM pilot_lines pl JOIN"
                               " purchases p ON p.id = pl.purchase_id"
                               " WHERE p.ordered_at >= (SELECT from_at"
                               " FROM pilot_runs)"));
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_rows),
        cmocka_unit_test(dated_by_the_store_clock),
        cmocka_unit_test(untouched_lines_end_as_recorded),
        cmocka_unit_test(refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
