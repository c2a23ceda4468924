/* test_report_pilot_cache.c: the pilot's figures kept in the store
 * (report_pilot_cache.c, schema_pilot.c's pilot_figures):
 * - report_pilot_warm keeps, for every filter the dashboard offers, the
 *   bytes a computation from scratch gives, and report_pilot reads them;
 * - every change to what the figures read empties the kept figures, and
 *   a change to anything else leaves them;
 * - figures computed in a snapshot another connection has since moved on
 *   from are not kept, nor by a read-only connection;
 * - a kept row someone edited (its size, its counts) is not read;
 * - other assumptions are other figures;
 * - a load that empties them, or moves the data's end, keeps them
 *   again. */
#include <stddef.h>

#include "demo_store.h"
#include "trendguard/features.h"
#include "trendguard/ingest.h"
#include "trendguard/report.h"

#include "pilot_made_up.h"

static long kept(tg_store *s)
{
    return (long)tu_int(s, "SELECT count(*) FROM pilot_figures");
}

static void figures(tg_store *s, const tg_report_filter *f, tg_report_pilot *o)
{
    tg_err err = {0};
    if (report_pilot(s, f, NULL, o, &err) != TG_OK)
        fail_msg("report_pilot: %s", err.msg);
}

/* The figures of f from scratch: nothing kept for them. */
static void fresh(tg_store *s, const tg_report_filter *f, tg_report_pilot *o)
{
    tu_run(s, "SAVEPOINT fresh");
    tu_run(s, "DELETE FROM pilot_figures");
    figures(s, f, o);
    tu_run(s, "ROLLBACK TO fresh");
    tu_run(s, "RELEASE fresh");
    assert_false(o->cached);
}

static void warm(tg_store *s, int want)
{
    tg_err err = {0};
    int n = -1;
    if (report_pilot_warm(s, NULL, &n, &err) != TG_OK)
        fail_msg("report_pilot_warm: %s", err.msg);
    assert_int_equal(n, want);
    assert_int_equal(kept(s), want);
}

#define VIEWS (4 * (TG_NUM_CATEGORIES + 1) * (TG_NUM_CHANNELS + 1))

static void warm_equals_fresh(void **state)
{
    (void)state;
    tg_store *s = made_up_pilot();
    warm(s, VIEWS);
    static const int periods[] = {0, 90, 30, 7};
    tg_report_pilot *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (int p = 0; p < 4; p++)
        for (int k = -1; k < TG_NUM_CATEGORIES; k++)
            for (int h = -1; h < TG_NUM_CHANNELS; h++) {
                tg_report_filter f = {.category = k, .channel = h,
                                      .period_days = periods[p]};
                memset(a, 0xa5, sizeof *a);
                memset(b, 0x5a, sizeof *b);
                figures(s, &f, a);
                assert_true(a->cached);
                fresh(s, &f, b);
                if (memcmp(a, b, FIGURES_BYTES))
                    fail_msg("period %d, category %d, channel %d: the kept"
                             " figures differ", periods[p], k, h);
            }
    /* a filter the dashboard does not offer is computed, then kept */
    tg_report_filter since = {.category = -1, .channel = -1,
                              .has_since = 1, .since = monday()};
    figures(s, &since, a);
    assert_false(a->cached);
    assert_int_equal(kept(s), VIEWS + 1);
    figures(s, &since, b);
    assert_true(b->cached);
    assert_memory_equal(a, b, FIGURES_BYTES);
    free(a);
    free(b);
    store_close(s);
}

/* Each statement changes what the figures read (emptied) or not (kept). */
static void triggers(void **state)
{
    (void)state;
    tg_store *s = made_up_pilot();
    static const char *const empties[] = {
        "INSERT INTO returns(code,purchase_id,returned_at)"
        " SELECT 'T1', min(purchase_id), 1 FROM pilot_lines",
        "UPDATE returns SET returned_at = returned_at + 1 WHERE rowid ="
        " (SELECT min(r.rowid) FROM returns r JOIN pilot_lines pl"
        " ON pl.purchase_id = r.purchase_id)",
        "DELETE FROM returns WHERE code = 'T1'",
        "UPDATE pilot_lines SET returned = 1 - returned WHERE purchase_id ="
        " (SELECT min(purchase_id) FROM pilot_lines WHERE returned"
        " IS NOT NULL)",
        "UPDATE pilot_runs SET budget_per_day = budget_per_day + 1",
        "INSERT INTO interventions(created_at,nudge,status,source)"
        " VALUES(1,'size_advice','accepted','pilot')",
        "UPDATE interventions SET status = 'declined' WHERE source = 'pilot'"
        " AND purchase_id IS NULL",
        "DELETE FROM interventions WHERE source = 'pilot' AND purchase_id"
        " IS NULL",
        "UPDATE purchases SET channel = 'web' WHERE id ="
        " (SELECT max(purchase_id) FROM pilot_lines)",
        "UPDATE products SET category = 'tops' WHERE id = 1",
        /* a purchase that is no pilot line but holds a pilot decision */
        "UPDATE purchases SET ordered_at = ordered_at + 1 WHERE id ="
        " (SELECT min(id) FROM purchases WHERE id > 200000)",
        "DELETE FROM pilot_lines WHERE purchase_id ="
        " (SELECT max(purchase_id) FROM pilot_lines)",
    };
    static const char *const leaves[] = {
        "INSERT INTO purchases(id,line_code,order_code,product_id,size,"
        "quantity,unit_price,ordered_at,channel) VALUES(900001,'N1','NO1',1,"
        "'M',1,5,1,'web')",
        "INSERT INTO returns(code,purchase_id,returned_at)"
        " VALUES('T2', 900001, 2)",
        "INSERT INTO interventions(created_at,purchase_id,nudge,status,"
        "source) VALUES(1,900001,'size_advice','accepted','live')",
        "UPDATE purchases SET channel = 'app' WHERE id = 900001",
        "UPDATE products SET name = 'Renamed' WHERE id = 2",
    };
    /* what a trigger sees is whether anything is kept */
#define SOMETHING "INSERT INTO pilot_figures VALUES(randomblob(8), x'00')"
    tu_run(s, SOMETHING);
    for (size_t i = 0; i < sizeof leaves / sizeof *leaves; i++) {
        tu_run(s, "%s", leaves[i]);
        if (kept(s) != 1)
            fail_msg("emptied by: %s", leaves[i]);
    }
    for (size_t i = 0; i < sizeof empties / sizeof *empties; i++) {
        tu_run(s, SOMETHING);
        tu_run(s, "%s", empties[i]);
        assert_true(sqlite3_changes(store_db(s)) >= 1);
        if (kept(s) != 0)
            fail_msg("left by: %s", empties[i]);
    }
    store_close(s);
}

/* Computed inside a read transaction, kept afterwards only when no other
 * connection committed in between; never by a read-only connection. */
static void snapshot(void **state)
{
    (void)state;
    tg_store *s = made_up_pilot();
    char path[300];
    snprintf(path, sizeof path, "%s/made_up.db", dir);
    tg_err err = {0};
    tg_store *other = store_open(path, 0, &err);
    tg_store *ro = store_open(path, STORE_READONLY, &err);
    assert_non_null(other);
    assert_non_null(ro);
    tg_report_pilot *a = malloc(sizeof *a);
    assert_non_null(a);
    tg_report_filter f = {.category = -1, .channel = -1};

    int began = store_read_begin(s);
    assert_true(began);
    figures(s, NULL, a);
    tu_run(other, "INSERT INTO customers(id,code) VALUES(9001,'late')");
    store_read_end(s, began);
    assert_int_equal(report_pilot_keep(s, a), 0); /* its snapshot is old */
    assert_int_equal(kept(s), 0);

    began = store_read_begin(s);
    figures(s, &f, a);
    store_read_end(s, began);
    assert_int_equal(report_pilot_keep(s, a), 1);
    assert_int_equal(kept(s), 1);
    assert_int_equal(report_pilot_keep(s, a), 1); /* the same row again */
    assert_int_equal(kept(s), 1);

    tu_run(s, "DELETE FROM pilot_figures");
    figures(ro, &f, a);
    assert_false(a->cached);
    assert_int_equal(report_pilot_keep(ro, a), 0);
    assert_int_equal(kept(s), 0);

    /* another writer: nothing kept, and not waited for (with a minute's
     * busy timeout a wait would show) */
    const char *was = getenv("TRENDGUARD_BUSY_TIMEOUT_MS");
    char *saved = was ? tg_strdup(was) : NULL;
    setenv("TRENDGUARD_BUSY_TIMEOUT_MS", "60000", 1);
    tg_store *patient = store_open(path, 0, &err);
    if (saved)
        setenv("TRENDGUARD_BUSY_TIMEOUT_MS", saved, 1);
    else
        unsetenv("TRENDGUARD_BUSY_TIMEOUT_MS");
    free(saved);
    assert_non_null(patient);
    figures(patient, &f, a);
    assert_int_equal(kept(s), 1); /* kept by report_pilot itself */
    tu_run(s, "DELETE FROM pilot_figures");
    tu_run(other, "BEGIN IMMEDIATE");
    double t0 = tg_now_mono();
    figures(patient, &f, a);
    assert_false(a->cached);
    assert_true(tg_now_mono() - t0 < 30);
    tu_run(other, "COMMIT");
    assert_int_equal(kept(s), 0);
    store_close(patient);
    free(a);
    store_close(ro);
    store_close(other);
    store_close(s);
}

/* A kept row with another size or a count out of bounds is computed
 * again. */
static void edited(void **state)
{
    (void)state;
    tg_store *s = made_up_pilot();
    tg_report_pilot *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    fresh(s, NULL, b);
    figures(s, NULL, a);
    assert_int_equal(kept(s), 1);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s),
                                        "UPDATE pilot_figures SET figures = ?1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    *a = *b;
    a->n_weeks = TG_PILOT_WEEKS + 1;
    sqlite3_bind_blob(st, 1, a, sizeof *a, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    figures(s, NULL, a);
    assert_false(a->cached);
    assert_memory_equal(a, b, FIGURES_BYTES);
    tu_run(s, "UPDATE pilot_figures SET figures = substr(figures, 2)");
    figures(s, NULL, a);
    assert_false(a->cached);
    assert_memory_equal(a, b, FIGURES_BYTES);
    free(a);
    free(b);
    store_close(s);
}

/* Figures of other assumptions are kept apart. */
static void assumptions(void **state)
{
    (void)state;
    tg_store *s = made_up_pilot();
    char base[4096], path[300];
    assert_int_equal(tg_asset_path("assets/simulation.json", base,
                                   sizeof base), 0);
    snprintf(path, sizeof path, "%s/simulation.json", dir);
    size_t len = 0;
    char *text = tg_read_file(base, &len, 1 << 20, NULL);
    assert_non_null(text);
    char *at = strstr(text, "\"margin\"");
    assert_non_null(at);
    char *num = strstr(at, "\"value\":");
    assert_non_null(num);
    num += strlen("\"value\":");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fwrite(text, 1, (size_t)(num - text), fp);
    fprintf(fp, " 0.123%s", strpbrk(num, ",}"));
    fclose(fp);
    free(text);
    tg_report_pilot *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    tg_err err = {0};
    figures(s, NULL, a);
    if (report_pilot(s, NULL, path, b, &err) != TG_OK)
        fail_msg("report_pilot: %s", err.msg);
    assert_false(b->cached);
    assert_true(b->margin == 0.123 && a->margin != 0.123);
    assert_int_equal(kept(s), 2);
    if (report_pilot(s, NULL, path, b, &err) != TG_OK)
        fail_msg("report_pilot: %s", err.msg);
    assert_true(b->cached && b->margin == 0.123);
    free(a);
    free(b);
    store_close(s);
}

/* A load that empties the kept figures (a return of a pilot line) keeps
 * them again; report_pilot_rekeep does nothing while they are kept. */
static void ingest_rekeeps(void **state)
{
    (void)state;
    tg_store *s = made_up_pilot();
    warm(s, VIEWS);
    assert_int_equal(report_pilot_rekeep(s), 0);
    char csv[300];
    snprintf(csv, sizeof csv, "%s/returns.csv", dir);
    FILE *fp = fopen(csv, "w");
    assert_non_null(fp);
    fprintf(fp, "return_id,line_id,returned_at,reason,condition,resellable\n"
                "RX1,L%lld,2026-03-20T10:00:00Z,too_small,new,1\n",
            (long long)tu_int(s, "SELECT min(purchase_id) FROM pilot_lines"));
    fclose(fp);
    char *paths[] = {csv};
    tg_ingest_opts o = {0};
    long rejected = -1;
    tg_err err = {0};
    if (ingest_paths(s, paths, 1, &o, &rejected, &err) != TG_OK)
        fail_msg("ingest_paths: %s", err.msg);
    assert_int_equal(rejected, 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM returns WHERE code ="
                               " 'RX1'"), 1);
    assert_int_equal(kept(s), VIEWS); /* emptied, then kept again */
    tg_report_pilot *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    figures(s, NULL, a);
    assert_true(a->cached);
    fresh(s, NULL, b);
    assert_memory_equal(a, b, FIGURES_BYTES);
    tu_run(s, "DELETE FROM pilot_figures");
    assert_int_equal(report_pilot_rekeep(s), 1);
    assert_int_equal(kept(s), VIEWS);
    /* a line after the data's end moves the periods: kept again */
    tu_run(s, "INSERT INTO purchases(id,line_code,order_code,product_id,size,"
              "quantity,unit_price,ordered_at,channel) SELECT 900002, 'N2',"
              " 'NO2', 1, 'M', 1, 5, t + 86400, 'web' FROM v_data_end");
    assert_int_equal(kept(s), VIEWS);
    tg_report_filter month = {.category = -1, .channel = -1,
                              .period_days = 30};
    figures(s, &month, a);
    assert_false(a->cached);
    assert_int_equal(report_pilot_rekeep(s), 0); /* report kept it */
    tu_run(s, "DELETE FROM pilot_figures WHERE rowid ="
              " (SELECT max(rowid) FROM pilot_figures)");
    assert_int_equal(report_pilot_rekeep(s), 1);
    figures(s, &month, a);
    assert_true(a->cached);
    /* the periods the line did not move kept once, under the same keys */
    assert_true(kept(s) > VIEWS && kept(s) < 2 * VIEWS);
    free(a);
    free(b);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(warm_equals_fresh, setup, teardown),
        cmocka_unit_test_setup_teardown(triggers, setup, teardown),
        cmocka_unit_test_setup_teardown(snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(edited, setup, teardown),
        cmocka_unit_test_setup_teardown(assumptions, setup, teardown),
        cmocka_unit_test_setup_teardown(ingest_rekeeps, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
