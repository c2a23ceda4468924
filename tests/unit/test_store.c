/* test_store.c: the store file: created private, WAL, foreign keys on,
 * migrated on open (from every older version), refused when newer, out of
 * range, not a database or not a regular file, the trigger that
 * queues interventions, rejects kept byte for byte, and the busy timeout. */
#include "testutil.h"

#include <math.h>
#include <sys/stat.h>

#include "core/schema.h"
#include "trendguard/features.h"

static void creates_a_private_wal_store(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/a/b/t.db", dir);
    tg_err err = {0};
    assert_null(store_open(path, 0, &err));
    assert_int_equal(err.code, TG_ENOINPUT);
    tg_store *s = store_open(path, STORE_CREATE, &err);
    assert_non_null(s);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(store_version_found(s), 0);
    assert_int_equal(tu_int(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    assert_int_equal(tu_int(s, "PRAGMA foreign_keys"), 1);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), "PRAGMA journal_mode", -1,
                                        &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    for (const char *t = "products customers trend_snapshots purchases "
                         "returns rejects scores interventions model_registry "
                         "ui_events truth"; *t;) {
        char name[64];
        int n = 0;
        while (*t && *t != ' ')
            name[n++] = *t++;
        name[n] = '\0';
        while (*t == ' ')
            t++;
        if (tu_int(s, "SELECT count(*) FROM sqlite_schema WHERE type='table' "
                      "AND name='%s'", name) != 1)
            fail_msg("table %s is missing", name);
    }
    /* A foreign key holds: a purchase of an unknown product fails. */
    assert_int_not_equal(
        store_exec(s, "INSERT INTO purchases(line_code, order_code,"
                      " product_id, quantity, unit_price, ordered_at)"
                      " VALUES('L1','O1',42,1,1.0,0)", &err), TG_OK);
    store_close(s);
    /* Reopening does not migrate again. */
    s = store_open(path, 0, &err);
    assert_non_null(s);
    assert_int_equal(store_version_found(s), STORE_SCHEMA_VERSION);
    store_close(s);
    tu_rmrf(dir);
}

static void refuses_newer_and_foreign_files(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.db", dir);
    tg_err err = {0};
    tg_store *s = store_open(path, STORE_CREATE, &err);
    assert_int_equal(store_exec(s, "PRAGMA user_version = 99", &err), TG_OK);
    store_close(s);
    assert_null(store_open(path, 0, &err));
    assert_int_equal(err.code, TG_EDATA);
    assert_non_null(strstr(err.msg, "newer"));
    tu_write(dir, "junk.db", "this is not a database, just text\n");
    snprintf(path, sizeof path, "%s/junk.db", dir);
    assert_null(store_open(path, 0, &err));
    assert_true(err.code == TG_EDATA || err.code == TG_EIO);
    assert_null(store_open(dir, 0, &err));
    assert_int_equal(err.code, TG_EUSAGE);
    tu_rmrf(dir);
}

/* Any program can set a store's version to any 32-bit number: each is
 * refused (65) with advice that can work, read-only or not, and nothing
 * outside the migrations is run. */
static void versions_out_of_range(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/t.db", dir);
    static const struct {
        const char *v, *says;
    } cases[] = {{"-1", "is not one TrendGuard writes"},
                 {"-2147483648", "is not one TrendGuard writes"},
                 {"0", "has tables but no schema version"},
                 {"7000", "newer than this build's"},
                 {"2147483647", "newer than this build's"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tg_err err = {0};
        tg_store *s = store_open(path, STORE_CREATE, &err);
        assert_non_null(s);
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %s", cases[i].v);
        assert_int_equal(store_exec(s, sql, &err), TG_OK);
        store_close(s);
        for (int ro = 0; ro < 2; ro++) {
            assert_null(store_open(path, ro ? STORE_READONLY : 0, &err));
            assert_int_equal(err.code, TG_EDATA);
            if (!strstr(err.msg, cases[i].says) ||
                strstr(err.msg, "read-write to migrate"))
                fail_msg("version %s%s: %s", cases[i].v, ro ? " (ro)" : "",
                         err.msg);
        }
        unlink(path);
    }
    tg_err err = {0};
    char fifo[320];
    snprintf(fifo, sizeof fifo, "%s/fifo.db", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_null(store_open(fifo, 0, &err)); /* at once, not blocked */
    assert_int_equal(err.code, TG_ENOINPUT);
    assert_non_null(strstr(err.msg, "is a pipe (FIFO)"));
    tu_rmrf(dir);
}

/* A store written by every older version opens at this one: each
 * migration runs after the ones before it, version 6's sweeps are kept,
 * version 7 adds the store's currency, version 10 dates a queued
 * intervention at its line's purchase and a score no later than the
 * store's newest data, and version 11 fills the dashboard's rollups. */
static void migrates_from_every_older_version(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir);
    for (int v = 1; v < STORE_SCHEMA_VERSION; v++) {
        snprintf(path, sizeof path, "%s/v%d.db", dir, v);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        for (int i = 0; i < v; i++)
            assert_int_equal(sqlite3_exec(db, schema_migrations[i], NULL,
                                          NULL, NULL), SQLITE_OK);
        char sql[128];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        if (v >= 6)
            assert_int_equal(sqlite3_exec(db, "INSERT INTO sim_sweeps("
                                              "created_at, json) VALUES(1,"
                                              " '{}')", NULL, NULL, NULL),
                             SQLITE_OK);
        /* A line queued and decided at the time a command ran, a score
         * stamped after the newest data. */
        assert_int_equal(sqlite3_exec(db,
            "INSERT INTO products(id, code, name, category, price)"
            " VALUES(1, 'P1', 'p', 'tops', 10);"
            "INSERT INTO purchases(id, line_code, order_code, product_id,"
            " quantity, unit_price, ordered_at) VALUES(1, 'L1', 'O1', 1, 1,"
            " 10, 1000);"
            "INSERT INTO interventions(created_at, purchase_id, status,"
            " decided_at) VALUES(999999, 1, 'skipped', 999999);"
            "INSERT INTO model_registry(version, path, sha256, features,"
            " threshold, trained_at) VALUES(1, 'm', 'x', '', 0.99, 1);"
            "INSERT INTO scores(purchase_id, model_version, p_return,"
            " scored_at) VALUES(1, 1, 0.1, 999999);", NULL, NULL, NULL),
            SQLITE_OK);
        sqlite3_close(db);
        tg_err err = {0};
        tg_store *s = store_open(path, 0, &err);
        if (!s)
            fail_msg("version %d: %s", v, err.msg);
        assert_int_equal(store_version_found(s), v);
        assert_int_equal(tu_int(s, "PRAGMA user_version"),
                         STORE_SCHEMA_VERSION);
        assert_int_equal(tu_int(s, "SELECT count(*) FROM sim_sweeps"),
                         v >= 6 ? 1 : 0);
        assert_int_equal(tu_int(s, "SELECT count(*) FROM store_settings"
                                   " WHERE key = 'currency' AND value ="
                                   " 'USD'"), 1);
        assert_int_equal(tu_int(s, "SELECT count(*) FROM pragma_table_info("
                                   "'trend_state') WHERE name ="
                                   " 'best_week_views'"), 1);
        /* (a store already at version 10 keeps its dates) */
        assert_int_equal(tu_int(s, "SELECT created_at + decided_at FROM"
                                   " interventions"),
                         v < 10 ? 2000 : 1999998);
        assert_int_equal(tu_int(s, "SELECT scored_at FROM scores"),
                         v < 10 ? 1000 : 999999);
        /* version 11 sums the lines there are into the rollups */
        assert_int_equal(tu_int(s, "SELECT lines * 100 + scored * 10 + b1"
                                   " FROM dash_days WHERE day = 0 AND"
                                   " category = 1 AND channel = 0"), 111);
        assert_int_equal(tu_int(s, "SELECT lines FROM dash_product_weeks"
                                   " WHERE week = -3 AND product_id = 1"),
                         1);
        assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions"
                                   " WHERE source = 'live'"), 1);
        store_close(s);
    }
    tu_rmrf(dir);
}

static void code_tables_match_the_features(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    for (int i = 0; i < TG_NUM_CATEGORIES; i++)
        assert_int_equal(tu_int(s, "SELECT code FROM categories WHERE name="
                                   "'%s'", tg_category_names[i]), i);
    for (int i = 0; i < TG_NUM_CHANNELS; i++)
        assert_int_equal(tu_int(s, "SELECT code FROM channels WHERE name='%s'",
                                tg_channel_names[i]), i);
    for (int i = 0; i < TG_NUM_SEGMENTS; i++)
        assert_int_equal(tu_int(s, "SELECT code FROM segments WHERE name='%s'",
                                tg_segment_names[i]), i);
    for (int i = 0; i < TG_NUM_AGE_BANDS; i++)
        assert_int_equal(tu_int(s, "SELECT code FROM age_bands WHERE name="
                                   "'%s'", tg_age_band_names[i]), i);
    for (int i = 0; i < tg_num_sizes; i++)
        assert_int_equal(tu_int(s, "SELECT rank FROM sizes WHERE name='%s'",
                                tg_size_names[i]),
                         features_size_rank(tg_size_names[i], NULL));
    /* The training-set view has every feature, by name, in model order. */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(store_db(s),
                                        "SELECT * FROM v_training_set", -1, &q,
                                        NULL), SQLITE_OK);
    int first = -1;
    for (int i = 0; i < sqlite3_column_count(q); i++)
        if (strcmp(sqlite3_column_name(q, i), features_name(0)) == 0)
            first = i;
    assert_true(first > 0);
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        assert_string_equal(sqlite3_column_name(q, first + f),
                            features_name(f));
    sqlite3_finalize(q);
    store_close(s);
    tu_rmrf(dir);
}

/* trend_state's weeks by hand: views gained over the 7 days up to each
 * snapshot (a count that went down takes nothing back; a trend younger
 * than a week counts from its first snapshot), the 7 days before, the best
 * week so far; and SQL's trend_phase on them. */
static void trend_weeks_and_phases(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    assert_int_equal(
        store_exec(s, "INSERT INTO hashtags(id, name) VALUES(1, 'wk');"
                      "INSERT INTO trend_snapshots(hashtag_id, captured_at,"
                      " views) VALUES(1, 0, 100), (1, 86400, 200),"
                      " (1, 259200, 150), (1, 691200, 500),"
                      " (1, 1296000, 600);", &err), TG_OK);
    assert_int_equal(store_refresh_trend_state(s, 1, &err), TG_OK);
    static const long long want[][5] = {
        /* day, week, week before, best week, phase */
        {0, 0, 0, 0, TG_TREND_FADING},
        {1, 100, 0, 100, TG_TREND_RISING},
        {3, 100, 0, 100, TG_TREND_PEAK}, /* its last day went down */
        {8, 300, 100, 300, TG_TREND_RISING},
        {15, 100, 300, 300, TG_TREND_FADING},
    };
    for (int i = 0; i < 5; i++) {
        long long t = want[i][0] * 86400;
        assert_int_equal(tu_int(s, "SELECT week_views FROM trend_state"
                                   " WHERE captured_at = %lld", t),
                         want[i][1]);
        assert_int_equal(tu_int(s, "SELECT prev_week_views FROM"
                                   " trend_state WHERE captured_at = %lld",
                                t), want[i][2]);
        assert_int_equal(tu_int(s, "SELECT best_week_views FROM"
                                   " trend_state WHERE captured_at = %lld",
                                t), want[i][3]);
        assert_int_equal(tu_int(s, "SELECT trend_phase(views_24h,"
                                   " week_views, prev_week_views,"
                                   " best_week_views, 0)"
                                   " FROM trend_state WHERE captured_at ="
                                   " %lld", t), want[i][4]);
    }
    /* NULLs are unknown: no trend data. */
    assert_int_equal(tu_int(s, "SELECT trend_phase(NULL, NULL, NULL,"
                               " NULL, 0)"), TG_TREND_NONE);
    assert_int_equal(tu_int(s, "SELECT trend_phase(50, 300, 100, 300, 8)"),
                     TG_TREND_FADING);
    store_close(s);
    tu_rmrf(dir);
}

/* A score at or above its model's threshold queues an intervention, on a
 * line's first score only. */
static void high_scores_queue_interventions(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    assert_int_equal(
        store_exec(s,
                   "INSERT INTO products(code,name,category,price) VALUES"
                   " ('P1','Dress','dresses',30);"
                   "INSERT INTO customers(code) VALUES('C1');"
                   "INSERT INTO purchases(line_code,order_code,customer_id,"
                   " product_id,quantity,unit_price,ordered_at) VALUES"
                   " ('L1','O1',1,1,1,30,100),('L2','O1',1,1,1,30,100);"
                   "INSERT INTO model_registry(version,path,sha256,features,"
                   " threshold,trained_at) VALUES(1,'m.json','x','[]',0.6,0);"
                   "INSERT INTO scores VALUES(1,1,0.59,NULL,200);"
                   "INSERT INTO scores VALUES(2,1,0.60,'[\"size\"]',200);",
                   &err),
        TG_OK);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions"), 1);
    assert_int_equal(tu_int(s, "SELECT purchase_id FROM interventions WHERE "
                               "status='queued' AND customer_id=1 AND "
                               "model_version=1"), 2);
    /* Re-scored under a second model (the same file registered again):
     * a line's first score was its moment, nothing is queued again, not
     * even the line the first model left below its threshold. A new line
     * is queued as before. */
    assert_int_equal(
        store_exec(s,
                   "INSERT INTO model_registry(version,path,sha256,features,"
                   " threshold,trained_at) VALUES(2,'m.json','x','[]',0.5,0);"
                   "INSERT INTO scores VALUES(1,2,0.59,NULL,300);"
                   "INSERT INTO scores VALUES(2,2,0.90,NULL,300);"
                   "INSERT INTO purchases(line_code,order_code,customer_id,"
                   " product_id,quantity,unit_price,ordered_at) VALUES"
                   " ('L3','O2',1,1,1,30,300);"
                   "INSERT INTO scores VALUES(3,2,0.70,NULL,300);",
                   &err),
        TG_OK);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions"), 2);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE "
                               "purchase_id=3 AND model_version=2"), 1);
    store_close(s);
    tu_rmrf(dir);
}

static void rejects_keep_every_byte(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    const char raw[] = "a,\xe9t\xe9,\0nul,ok \xf0\x9f\x98\x80";
    assert_int_equal(store_reject(s, "f.csv", "abc", 7, "name", "bad",
                                  raw, sizeof raw - 1, &err), TG_OK);
    /* Same file, line and reason: recorded once. */
    assert_int_equal(store_reject(s, "f.csv", "abc", 7, "name", "bad",
                                  raw, sizeof raw - 1, &err), TG_OK);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM rejects"), 1);
    assert_int_equal(tu_int(s, "SELECT raw = 'a,\\xe9t\\xe9,\\x00nul,ok ' ||"
                               " char(128512) FROM rejects"), 1);
    store_close(s);
    tu_rmrf(dir);
}

/* Another writer is waited for 5 s; TRENDGUARD_BUSY_TIMEOUT_MS changes it
 * for slow runs (tests/valgrind.sh); a value that is not a positive number
 * keeps 5 s. */
static void busy_timeout_from_the_environment(void **state)
{
    (void)state;
    char dir[256], *saved = getenv("TRENDGUARD_BUSY_TIMEOUT_MS");
    saved = saved ? strdup(saved) : NULL;
    tu_tmpdir(dir, sizeof dir);
    const struct { const char *env; long long ms; } cases[] = {
        {NULL, 5000}, {"120000", 120000}, {"0", 5000}, {"-3", 5000},
        {"soon", 5000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].env)
            setenv("TRENDGUARD_BUSY_TIMEOUT_MS", cases[i].env, 1);
        else
            unsetenv("TRENDGUARD_BUSY_TIMEOUT_MS");
        tg_store *s = tu_store(dir, "t.db");
        assert_int_equal(tu_int(s, "PRAGMA busy_timeout"), cases[i].ms);
        store_close(s);
    }
    if (saved)
        setenv("TRENDGUARD_BUSY_TIMEOUT_MS", saved, 1);
    else
        unsetenv("TRENDGUARD_BUSY_TIMEOUT_MS");
    free(saved);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(creates_a_private_wal_store),
        cmocka_unit_test(refuses_newer_and_foreign_files),
        cmocka_unit_test(versions_out_of_range),
        cmocka_unit_test(migrates_from_every_older_version),
        cmocka_unit_test(code_tables_match_the_features),
        cmocka_unit_test(trend_weeks_and_phases),
        cmocka_unit_test(high_scores_queue_interventions),
        cmocka_unit_test(rejects_keep_every_byte),
        cmocka_unit_test(busy_timeout_from_the_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
