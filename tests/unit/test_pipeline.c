/* test_pipeline.c: the training-set views: features worked out by hand on
 * the fixture store; the no-look-ahead rule (loading later rows never
 * changes an earlier line's features); and the training-set cache
 * (line_features): whatever arrives (later data, back-filled lines, a late
 * return, a trend snapshot in the past, changed customers and products,
 * removed lines), v_training_set equals the whole training set computed
 * from scratch (the reference statement) row for row and value for value,
 * before the cache is refreshed (the view works stale lines out itself)
 * and after; a refresh with nothing stale writes nothing. */
#include "testutil.h"

#include <math.h>

#include "core/schema.h"
#include "demo_store.h"
#include "trendguard/csv.h"
#include "trendguard/dataset.h"
#include "trendguard/features.h"
#include "trendguard/gen.h"
#include "trendguard/ingest.h"

static void load_dir(tg_store *s, const char *dir)
{
    tg_ingest_opts o = {0};
    char *paths[] = {(char *)dir};
    long rejected = -1;
    tg_err err = {0};
    if (ingest_paths(s, paths, 1, &o, &rejected, &err) != TG_OK)
        fail_msg("ingest: %s", err.msg);
    assert_int_equal(rejected, 0);
}

/* The features of one line, by line code. */
static void line_features(tg_store *s, const char *line, float *x)
{
    tg_dataset d;
    tg_err err = {0};
    assert_int_equal(dataset_load(s, 0, 0, &d, &err), TG_OK);
    int64_t id = tu_int(s, "SELECT id FROM purchases WHERE line_code='%s'",
                        line);
    for (size_t i = 0; i < d.n; i++)
        if (d.id[i] == id)
            memcpy(x, d.x + i * d.nfeat, d.nfeat * sizeof *x);
    dataset_free(&d);
}

#define F(name) x[TG_F_##name]

static void features_by_hand(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    load_dir(s, "tests/fixtures/ingest/good");
    float x[TG_NUM_FEATURES];
    /* L0000002: C000001 bought P000001 in S and M at 22:15 from TikTok. */
    line_features(s, "L0000002", x);
    assert_float_equal(F(channel), TG_CHANNEL_TIKTOK, 0);
    assert_float_equal(F(hour_of_day), 22, 0);
    assert_float_equal(F(day_of_week), 0, 0); /* 2026-06-01 is a Monday */
    assert_float_equal(F(view_minutes), 3.5, 1e-6);
    assert_float_equal(F(pay_later), 1, 0);
    assert_float_equal(F(basket_lines), 2, 0);
    assert_float_equal(F(sizes_of_item), 2, 0);
    assert_float_equal(F(same_category_lines), 1, 0);
    /* M against the declared S, no history yet: (2 x 1 + 0) / (2 + 0). */
    assert_float_equal(F(size_vs_usual), 1, 0);
    assert_float_equal(F(size_history), 0, 0);
    assert_float_equal(F(fit_note), -1, 0);       /* noted: runs small */
    /* No size returns yet: 1 - 2 x (0 + 8 x 0.8) / (0 + 0 + 8). */
    assert_float_equal(F(fit_learned), -0.6, 1e-6);
    assert_float_equal(F(fit_returns), 0, 0);
    assert_float_equal(F(category), TG_CAT_DRESSES, 0);
    assert_float_equal(F(cust_segment), TG_SEG_IMPULSIVE_TIKTOK, 0);
    assert_float_equal(F(cust_age_band), TG_AGE_18_24, 0);
    assert_float_equal(F(cust_prior_orders), 0, 0);
    /* (6 returns before + 0.3 x 4) / (12 lines before + 4) */
    assert_float_equal(F(cust_prior_return_rate), 7.2 / 16, 1e-6);
    assert_float_equal(F(product_prior_return_rate), 0.3, 1e-6);
    assert_true(isnan(F(price_vs_usual)));        /* no earlier purchase */
    /* #midisummer at the 06-01 snapshot: 20,000 views, 5,000 a day
     * before; busiest day so far 06-01 (15,000), first seen 05-30. */
    assert_float_equal(F(trend_growth_24h), 3.0, 1e-6);
    assert_float_equal(F(trend_log_views_24h), log10(15001), 1e-5);
    assert_float_equal(F(trend_days_since_peak), 22.25 / 24, 1e-5);
    assert_float_equal(F(trend_age_days), 2 + 22.25 / 24, 1e-5);
    assert_true(isnan(F(trend_growth_7d)));
    assert_float_equal(F(product_age_days), 31 + 22.25 / 24, 1e-4);
    /* L0000003: careful buyer, web, 20% off, denimcore primary tag. */
    line_features(s, "L0000003", x);
    assert_float_equal(F(channel), TG_CHANNEL_WEB, 0);
    assert_float_equal(F(discount_pct), 20, 0);
    assert_float_equal(F(price), 47.2, 1e-4);
    assert_float_equal(F(size_vs_usual), 0, 0);
    assert_float_equal(F(cust_prior_return_rate), (4 + 1.2) / 44, 1e-6);
    assert_float_equal(F(trend_growth_24h), 10000.0 / 500000, 1e-6);
    /* L0000004: shoes in the customer's shoe size; L0000005 accessory. */
    line_features(s, "L0000004", x);
    assert_float_equal(F(size_vs_usual), 0, 0);
    assert_float_equal(F(basket_lines), 2, 0);
    assert_float_equal(F(same_category_lines), 0, 0);
    assert_true(isnan(F(trend_growth_24h))); /* #loafertok never seen */
    line_features(s, "L0000005", x);
    assert_float_equal(F(size_vs_usual), 0, 0);
    /* L0000006: anonymous: no customer features at all. */
    line_features(s, "L0000006", x);
    assert_true(isnan(F(cust_prior_orders)));
    assert_true(isnan(F(cust_prior_return_rate)));
    assert_true(isnan(F(cust_segment)));
    assert_true(isnan(F(size_vs_usual)) == 0); /* ONE size: 0 */
    /* Labels: L0000002 returned in 7 days, L0000004 in 18. */
    assert_int_equal(tu_int(s, "SELECT returned FROM v_training_set WHERE "
                               "line_code='L0000002'"), 1);
    assert_int_equal(tu_int(s, "SELECT returned FROM v_training_set WHERE "
                               "line_code='L0000004'"), 1);
    assert_int_equal(tu_int(s, "SELECT returned FROM v_training_set WHERE "
                               "line_code='L0000001'"), 0);
    store_close(s);
    tu_rmrf(dir);
}

/* Which rows of a generated file go into a piece: a time window (on
 * time_col) and, with parity >= 0, the parity of the line number (on
 * line_col: "L0000123"). */
typedef struct piece {
    const char *time_col, *line_col;
    int64_t from, to;
    int parity;
} piece;

static void copy_piece(const char *gen, const char *out, const char *file,
                       const piece *p)
{
    char src[600], dst[600];
    snprintf(src, sizeof src, "%s/%s", gen, file);
    snprintf(dst, sizeof dst, "%s/%s", out, file);
    tg_err err = {0};
    tg_csv *c = csv_open(src, &err);
    assert_non_null(c);
    FILE *f = fopen(dst, "wb");
    assert_non_null(f);
    assert_int_equal(csv_next(c, &err), 1);
    size_t n = csv_nfields(c);
    const char *fields[32];
    assert_true(n <= 32);
    for (size_t i = 0; i < n; i++)
        fields[i] = csv_field(c, i);
    csv_write_row(f, fields, n);
    int kt = p->time_col ? csv_column(c, p->time_col) : -1;
    int kl = p->line_col ? csv_column(c, p->line_col) : -1;
    while (csv_next(c, &err) == 1) {
        if (kt >= 0) {
            int64_t t;
            assert_int_equal(tg_time_parse(csv_field(c, (size_t)kt), &t), 0);
            if (t < p->from || t >= p->to)
                continue;
        }
        if (kl >= 0 && p->parity >= 0 &&
            atol(csv_field(c, (size_t)kl) + 1) % 2 != p->parity)
            continue;
        for (size_t i = 0; i < n; i++)
            fields[i] = csv_field(c, i);
        csv_write_row(f, fields, n);
    }
    fclose(f);
    csv_free(c);
}

/* Writes the piece of every generated file into dir/name: reference files
 * whole when `refs`, trends in [from, to), purchase lines and returns in
 * [from, to) of the given parity (-1: all). */
static void make_piece(const char *gen, const char *dir, const char *name,
                       int refs, int64_t from, int64_t to, int parity,
                       int trends, char *out, size_t outn)
{
    snprintf(out, outn, "%s/%s", dir, name);
    tg_err err = {0};
    assert_int_equal(tg_mkdirs(out, &err), TG_OK);
    piece all = {NULL, NULL, 0, 0, -1};
    if (refs) {
        copy_piece(gen, out, "products.csv", &all);
        copy_piece(gen, out, "customers.csv", &all);
    }
    if (trends) {
        piece t = {"captured_at", NULL, from, to, -1};
        copy_piece(gen, out, "tiktok_trends.csv", &t);
    }
    piece pu = {"ordered_at", "line_id", from, to, parity};
    copy_piece(gen, out, "purchases.csv", &pu);
    piece re = {"returned_at", "line_id", from, to, parity};
    copy_piece(gen, out, "returns.csv", &re);
}

static int same_float(float a, float b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void later_rows_never_change_earlier_features(void **state)
{
    (void)state;
    char dir[256], gen[300], a[400], b[400];
    tu_tmpdir(dir, sizeof dir);
    snprintf(gen, sizeof gen, "%s/gen", dir);
    tg_gen_opts o = {.out_dir = gen, .scale = "demo", .seed = 7};
    tg_gen_stats st;
    tg_err err = {0};
    if (gen_run(&o, &st, NULL, NULL, &err) != TG_OK)
        fail_msg("gen: %s", err.msg);
    int64_t cut = st.start + 50 * TG_DAY;
    make_piece(gen, dir, "a", 1, INT64_MIN, cut, -1, 1, a, sizeof a);
    make_piece(gen, dir, "b", 0, cut, INT64_MAX, -1, 1, b, sizeof b);
    tg_store *s = tu_store(dir, "t.db");
    load_dir(s, a);
    tg_dataset before, after;
    assert_int_equal(dataset_load(s, 0, 0, &before, &err), TG_OK);
    assert_true(before.n > 5000);
    load_dir(s, b);
    assert_int_equal(dataset_load(s, 0, 0, &after, &err), TG_OK);
    assert_true(after.n > before.n);
    /* Both are ordered by time then id: the earlier lines come first. */
    size_t changed = 0, returned_later = 0;
    for (size_t i = 0; i < before.n; i++) {
        assert_int_equal(before.id[i], after.id[i]);
        for (size_t f = 0; f < before.nfeat; f++)
            if (!same_float(before.x[i * before.nfeat + f],
                            after.x[i * after.nfeat + f])) {
                if (changed++ < 5)
                    print_error("line %lld feature %s: %g then %g\n",
                                (long long)before.id[i], features_name((int)f),
                                before.x[i * before.nfeat + f],
                                after.x[i * after.nfeat + f]);
            }
        returned_later += before.y[i] != after.y[i];
    }
    assert_int_equal(changed, 0);
    /* The later files did carry returns of earlier lines (labels move,
     * features do not). */
    assert_true(returned_later > 100);
    dataset_free(&before);
    dataset_free(&after);
    store_close(s);
    tu_rmrf(dir);
}

/* ---- the training-set cache: comparing with the reference ------------------ */

static sqlite3_stmt *prepare(tg_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("SQL error: %s", sqlite3_errmsg(store_db(s)));
    return st;
}

/* Same type and same value (doubles bit for bit). */
static int same_value(sqlite3_stmt *a, sqlite3_stmt *b, int c)
{
    int ta = sqlite3_column_type(a, c), tb = sqlite3_column_type(b, c);
    if (ta != tb)
        return 0;
    switch (ta) {
    case SQLITE_NULL:
        return 1;
    case SQLITE_INTEGER:
        return sqlite3_column_int64(a, c) == sqlite3_column_int64(b, c);
    case SQLITE_FLOAT: {
        double x = sqlite3_column_double(a, c), y = sqlite3_column_double(b, c);
        return memcmp(&x, &y, sizeof x) == 0;
    }
    default: {
        int n = sqlite3_column_bytes(a, c);
        return n == sqlite3_column_bytes(b, c) &&
               memcmp(sqlite3_column_blob(a, c), sqlite3_column_blob(b, c),
                      (size_t)n) == 0;
    }
    }
}

/* Fails unless v_training_set equals the reference statement; returns the
 * number of rows. */
static long same_as_reference(tg_store *s, const char *when)
{
    char ref[8192];
    snprintf(ref, sizeof ref, "SELECT * FROM (%s) ORDER BY purchase_id",
             schema_training_set_reference);
    sqlite3_stmt *a = prepare(s, "SELECT * FROM v_training_set"
                                 " ORDER BY purchase_id");
    sqlite3_stmt *b = prepare(s, ref);
    int nc = sqlite3_column_count(a);
    assert_int_equal(nc, sqlite3_column_count(b));
    for (int c = 0; c < nc; c++)
        assert_string_equal(sqlite3_column_name(a, c),
                            sqlite3_column_name(b, c));
    long rows = 0, bad = 0;
    for (;;) {
        int ra = sqlite3_step(a), rb = sqlite3_step(b);
        if (ra != rb)
            fail_msg("%s: %ld rows, then one side ends", when, rows);
        if (ra != SQLITE_ROW)
            break;
        rows++;
        for (int c = 0; c < nc; c++)
            if (!same_value(a, b, c) && bad++ < 5)
                print_error("%s: line %lld, %s: %s (type %d) against %s "
                            "(type %d)\n", when,
                            (long long)sqlite3_column_int64(b, 0),
                            sqlite3_column_name(a, c),
                            (const char *)sqlite3_column_text(a, c),
                            sqlite3_column_type(a, c),
                            (const char *)sqlite3_column_text(b, c),
                            sqlite3_column_type(b, c));
    }
    sqlite3_finalize(a);
    sqlite3_finalize(b);
    if (bad)
        fail_msg("%s: %ld values differ from the reference", when, bad);
    return rows;
}

static long stale_lines(tg_store *s)
{
    return tu_int(s, "SELECT count(*) FROM purchases p WHERE"
                     " NOT EXISTS (SELECT 1 FROM line_features f"
                     "  WHERE f.purchase_id = p.id)") +
           tu_int(s, "SELECT count(*) FROM features_stale_line") +
           tu_int(s, "SELECT count(*) FROM features_stale_customer") +
           tu_int(s, "SELECT count(*) FROM features_stale_product") +
           tu_int(s, "SELECT count(*) FROM features_stale_hashtag");
}

static void refresh(tg_store *s)
{
    tg_err err = {0};
    if (store_features_refresh(s, &err) != TG_OK)
        fail_msg("refresh: %s", err.msg);
}

/* The view is right with stale lines (worked out on read) and after the
 * refresh (cached); afterwards every line is cached and nothing is stale. */
static void check_both_ways(tg_store *s, const char *what)
{
    char when[128];
    snprintf(when, sizeof when, "%s, before the refresh", what);
    long n = same_as_reference(s, when);
    assert_int_equal(store_features_current(s), stale_lines(s) == 0);
    refresh(s);
    snprintf(when, sizeof when, "%s, cached", what);
    assert_int_equal(same_as_reference(s, when), n);
    assert_int_equal(stale_lines(s), 0);
    assert_int_equal(store_features_current(s), 1);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM line_features"),
                     tu_int(s, "SELECT count(*) FROM purchases"));
}

/* A refresh with nothing stale changes nothing. */
static void refresh_is_free(tg_store *s)
{
    assert_int_equal(stale_lines(s), 0);
    sqlite3_int64 before = sqlite3_total_changes64(store_db(s));
    refresh(s);
    assert_true(sqlite3_total_changes64(store_db(s)) == before);
    assert_int_equal(sqlite3_get_autocommit(store_db(s)), 1);
}

static void exec(tg_store *s, const char *sql)
{
    tg_err err = {0};
    if (store_exec(s, sql, &err) != TG_OK)
        fail_msg("%s: %s", sql, err.msg);
}

/* ---- a store from before the cache ---------------------------------------- */

static void migrated_store_fills_its_cache(void **state)
{
    (void)state;
    char dir[256], demo[300], old[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(demo, sizeof demo, "%s/demo.db", dir);
    snprintf(old, sizeof old, "%s/old.db", dir);
    tu_demo_store(dir, demo, 5);
    /* A version 3 store holding the demo data. */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(old, &db), SQLITE_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sqlite3_exec(db, schema_migrations[i], NULL, NULL,
                                      NULL), SQLITE_OK);
    char sql[1024];
    snprintf(sql, sizeof sql, "PRAGMA user_version = 3; ATTACH '%s' AS d;",
             demo);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    static const char *const tables[] = {
        "hashtags", "product_tags", "customers", "trend_snapshots",
        "purchases", "returns"};
    /* Before version 5 every product had a fit (0 when nothing was
     * known); the migration makes it the product's note. */
    assert_int_equal(sqlite3_exec(db, "INSERT INTO main.products(id, code,"
        " name, category, brand, price, fit_bias, sizes, launched_at, source)"
        " SELECT id, code, name, category, brand, price, COALESCE(fit_note,"
        " 0), sizes, launched_at, source FROM d.products", NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO main.truth SELECT"
        " purchase_id, p_return FROM d.truth", NULL, NULL, NULL), SQLITE_OK);
    /* trend_state as version 3 had it; version 7 rebuilds it with its
     * weeks. */
    assert_int_equal(sqlite3_exec(db, "INSERT INTO main.trend_state SELECT"
        " hashtag_id, captured_at, views, views_24h, growth_24h, growth_7d,"
        " peak_at, first_at FROM d.trend_state", NULL, NULL, NULL),
        SQLITE_OK);
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        snprintf(sql, sizeof sql, "INSERT INTO main.%s SELECT * FROM d.%s",
                 tables[i], tables[i]);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
            fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    }
    sqlite3_close(db);

    tg_err err = {0};
    tg_store *s = store_open(old, 0, &err);
    assert_non_null(s);
    assert_int_equal(store_version_found(s), 3);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM line_features"), 0);
    /* The category counts the migration took from the store's returns are
     * the ones the triggers kept while the demo store was loaded. */
    snprintf(sql, sizeof sql, "ATTACH '%s' AS d", demo);
    exec(s, sql);
    assert_true(tu_int(s, "SELECT count(*) FROM fit_category_days") > 100);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM (SELECT * FROM"
                               " fit_category_days EXCEPT SELECT * FROM"
                               " d.fit_category_days WHERE small OR large)"),
                     0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM (SELECT * FROM"
                               " d.fit_category_days WHERE small OR large"
                               " EXCEPT SELECT * FROM fit_category_days)"), 0);
    /* Version 7 rebuilt the trends' weeks as ingest works them out. */
    assert_int_equal(tu_int(s, "SELECT count(*) FROM (SELECT * FROM"
                               " trend_state EXCEPT SELECT * FROM"
                               " d.trend_state)"), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM trend_state"),
                     tu_int(s, "SELECT count(*) FROM d.trend_state"));
    assert_int_equal(tu_int(s, "SELECT count(*) FROM store_settings WHERE"
                               " key = 'currency' AND value = 'USD'"), 1);
    exec(s, "DETACH d");
    assert_true(stale_lines(s) > 0);
    long n = same_as_reference(s, "migrated, nothing cached");
    assert_true(n > 10000);
    /* dataset_load caches the stale lines before reading. */
    tg_dataset d;
    assert_int_equal(dataset_load(s, 0, 0, &d, &err), TG_OK);
    assert_int_equal((long)d.n, n);
    for (size_t i = 1; i < d.n; i++)
        assert_true(d.t[i - 1] < d.t[i] ||
                    (d.t[i - 1] == d.t[i] && d.id[i - 1] < d.id[i]));
    dataset_free(&d);
    assert_int_equal(stale_lines(s), 0);
    assert_int_equal(same_as_reference(s, "migrated, cached"), n);
    refresh_is_free(s);
    store_close(s);

    /* A store ingested at version 4 is cached by the ingest itself. */
    s = store_open(demo, 0, &err);
    assert_non_null(s);
    assert_int_equal(stale_lines(s), 0);
    assert_int_equal(same_as_reference(s, "ingested"), n);
    refresh_is_free(s);
    store_close(s);
    tu_rmrf(dir);
}

/* One file, without the refresh ingest_paths ends with. */
static void ingest_one(tg_store *s, const char *dir, const char *file)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    tg_ingest_opts o = {0};
    tg_ingest_result r;
    tg_err err = {0};
    if (ingest_file(s, path, &o, &r, &err) != TG_OK)
        fail_msg("ingest %s: %s", path, err.msg);
    assert_int_equal(r.rejected, 0);
    assert_true(r.loaded > 0);
}

static void cache_follows_every_change(void **state)
{
    (void)state;
    char dir[256], gen[300], a[400], b[400], c[400];
    tu_tmpdir(dir, sizeof dir);
    snprintf(gen, sizeof gen, "%s/gen", dir);
    tg_gen_opts go = {.out_dir = gen, .scale = "demo", .seed = 11};
    tg_gen_stats st;
    tg_err err = {0};
    if (gen_run(&go, &st, NULL, NULL, &err) != TG_OK)
        fail_msg("gen: %s", err.msg);
    int64_t cut = st.start + 60 * TG_DAY, end = INT64_MAX;
    /* a: everything before the cut but the odd lines; b: the odd lines
     * before the cut (a back-fill); c: everything from the cut on. */
    make_piece(gen, dir, "a", 1, INT64_MIN, cut, 0, 1, a, sizeof a);
    make_piece(gen, dir, "b", 0, INT64_MIN, cut, 1, 0, b, sizeof b);
    make_piece(gen, dir, "c", 0, cut, end, -1, 1, c, sizeof c);
    tg_store *s = tu_store(dir, "t.db");

    load_dir(s, a);
    assert_int_equal(stale_lines(s), 0);
    assert_true(same_as_reference(s, "first load") > 5000);
    refresh_is_free(s);

    /* The odd lines of the same months: their customers' and products'
     * later lines, and their orders, change. */
    ingest_one(s, b, "purchases.csv");
    ingest_one(s, b, "returns.csv");
    assert_true(stale_lines(s) > 0);
    check_both_ways(s, "back-filled lines");

    /* Later months: new lines, and returns of earlier ones. */
    ingest_one(s, c, "tiktok_trends.csv");
    ingest_one(s, c, "purchases.csv");
    ingest_one(s, c, "returns.csv");
    check_both_ways(s, "later data");
    refresh_is_free(s);

    /* A return arrives for an old line whose customer and product bought
     * again more than 30 days later. */
    long long p = tu_int(
        s, "SELECT p.id FROM purchases p WHERE p.customer_id IS NOT NULL"
           " AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.purchase_id = p.id)"
           " AND EXISTS (SELECT 1 FROM purchases q WHERE q.customer_id ="
           "  p.customer_id AND q.ordered_at >= p.ordered_at + 2592000)"
           " AND EXISTS (SELECT 1 FROM purchases q WHERE q.product_id ="
           "  p.product_id AND q.ordered_at >= p.ordered_at + 2592000)"
           " ORDER BY p.id LIMIT 1");
    assert_true(p > 0);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO returns(code, purchase_id, returned_at, reason)"
             " SELECT 'R-late', id, ordered_at + 5 * 86400, 'quality'"
             " FROM purchases WHERE id = %lld", p);
    exec(s, sql);
    assert_true(tu_int(s, "SELECT count(*) FROM features_stale_customer") +
                    tu_int(s, "SELECT count(*) FROM features_stale_product") ==
                2);
    check_both_ways(s, "a late return");
    assert_int_equal(tu_int(s, "SELECT returned FROM v_training_set WHERE"
                               " purchase_id = %lld", p), 1);
    /* A return after the 30 days changes no label: nothing goes stale. */
    snprintf(sql, sizeof sql,
             "INSERT INTO returns(code, purchase_id, returned_at, reason)"
             " SELECT 'R-later', id, ordered_at + 40 * 86400, 'late_delivery'"
             " FROM purchases WHERE id = %lld", p);
    exec(s, sql);
    refresh_is_free(s);
    exec(s, "DELETE FROM returns WHERE code = 'R-late'");
    check_both_ways(s, "a return taken back");
    assert_int_equal(tu_int(s, "SELECT returned FROM v_training_set WHERE"
                               " purchase_id = %lld", p), 0);

    /* A trend snapshot in the past: its hashtag's lines from then on. */
    long long h = tu_int(s, "SELECT p.ref_hashtag_id FROM purchases p"
                            " WHERE p.ref_hashtag_id IS NOT NULL"
                            " GROUP BY 1 ORDER BY count(*) DESC LIMIT 1");
    long long t = tu_int(s, "SELECT ordered_at FROM purchases"
                            " WHERE ref_hashtag_id = %lld"
                            " ORDER BY ordered_at LIMIT 1 OFFSET 5", h);
    snprintf(sql, sizeof sql,
             "INSERT INTO trend_snapshots(hashtag_id, captured_at, views)"
             " VALUES(%lld, %lld, 50000000);"
             "CREATE TEMP TABLE IF NOT EXISTS dirty_hashtags("
             " hashtag_id INTEGER PRIMARY KEY);"
             "DELETE FROM temp.dirty_hashtags;"
             "INSERT INTO temp.dirty_hashtags VALUES(%lld);",
             h, t - 3600, h);
    exec(s, sql);
    assert_int_equal(store_refresh_trend_state(s, 0, &err), TG_OK);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM features_stale_hashtag"),
                     1);
    check_both_ways(s, "a trend snapshot in the past");

    /* Customer and product facts, a product's primary tag. */
    exec(s, "UPDATE customers SET segment = 'casual', usual_size = 'XL',"
            " lines_before = lines_before + 3 WHERE id ="
            " (SELECT customer_id FROM purchases WHERE customer_id IS NOT NULL"
            "  ORDER BY id LIMIT 1 OFFSET 100)");
    exec(s, "UPDATE products SET category = 'tops', fit_note = 1,"
            " launched_at = NULL WHERE id = (SELECT product_id FROM purchases"
            "  WHERE order_code IN (SELECT order_code FROM purchases"
            "   GROUP BY 1 HAVING count(*) > 2)"
            "  ORDER BY id LIMIT 1 OFFSET 50)");
    exec(s, "DELETE FROM product_tags WHERE rank = 0 AND product_id ="
            " (SELECT product_id FROM purchases WHERE ref_hashtag_id IS NULL"
            "  ORDER BY id LIMIT 1 OFFSET 200)");
    assert_true(stale_lines(s) > 0);
    check_both_ways(s, "customers and products changed");

    /* A line taken out, another changed. */
    exec(s, "CREATE TEMP TABLE gone AS SELECT id FROM purchases p"
            " WHERE NOT EXISTS (SELECT 1 FROM returns r"
            "  WHERE r.purchase_id = p.id)"
            " AND (SELECT count(*) FROM purchases q"
            "  WHERE q.order_code = p.order_code) > 1"
            " ORDER BY id LIMIT 1 OFFSET 300;"
            "DELETE FROM truth WHERE purchase_id IN (SELECT id FROM gone);"
            "DELETE FROM purchases WHERE id IN (SELECT id FROM gone);"
            "UPDATE purchases SET unit_price = unit_price + 7.31,"
            " ordered_at = ordered_at - 86400, size = 'XS'"
            " WHERE id = (SELECT id FROM purchases ORDER BY id"
            "  LIMIT 1 OFFSET 400);");
    check_both_ways(s, "lines removed and changed");
    refresh_is_free(s);
    store_close(s);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(features_by_hand),
        cmocka_unit_test(later_rows_never_change_earlier_features),
        cmocka_unit_test(migrated_store_fills_its_cache),
        cmocka_unit_test(cache_follows_every_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
