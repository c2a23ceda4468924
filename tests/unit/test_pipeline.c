/* test_pipeline.c: the training-set views: features worked out by hand on
 * the fixture store, and the no-look-ahead rule: loading later rows never
 * changes an earlier line's features. */
#include "testutil.h"

#include <math.h>

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
    assert_float_equal(F(size_vs_usual), 1, 0);   /* M against usual S */
    assert_float_equal(F(fit_bias), -1, 0);       /* runs small */
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

/* Copies the rows of src whose time column is before (or, with after, at
 * or after) cut into dst; header kept. Files without the column are
 * copied whole into the "before" part. */
static void split_file(const char *src, const char *dst, const char *col,
                       int64_t cut, int after)
{
    tg_err err = {0};
    tg_csv *c = csv_open(src, &err);
    assert_non_null(c);
    FILE *f = fopen(dst, "wb");
    assert_non_null(f);
    assert_int_equal(csv_next(c, &err), 1);
    size_t n = csv_nfields(c);
    const char *fields[32];
    for (size_t i = 0; i < n; i++)
        fields[i] = csv_field(c, i);
    csv_write_row(f, fields, n);
    int k = col ? csv_column(c, col) : -1;
    while (csv_next(c, &err) == 1) {
        int keep = !after;
        if (k >= 0) {
            int64_t t;
            assert_int_equal(tg_time_parse(csv_field(c, (size_t)k), &t), 0);
            keep = after ? t >= cut : t < cut;
        }
        if (!keep)
            continue;
        for (size_t i = 0; i < n; i++)
            fields[i] = csv_field(c, i);
        csv_write_row(f, fields, n);
    }
    fclose(f);
    csv_free(c);
}

static int same_float(float a, float b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static void later_rows_never_change_earlier_features(void **state)
{
    (void)state;
    char dir[256], gen[300], a[300], b[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(gen, sizeof gen, "%s/gen", dir);
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    tg_gen_opts o = {.out_dir = gen, .scale = "demo", .seed = 7};
    tg_gen_stats st;
    tg_err err = {0};
    if (gen_run(&o, &st, NULL, NULL, &err) != TG_OK)
        fail_msg("gen: %s", err.msg);
    assert_int_equal(tg_mkdirs(a, &err), TG_OK);
    assert_int_equal(tg_mkdirs(b, &err), TG_OK);
    int64_t cut = st.start + 50 * TG_DAY;
    static const struct {
        const char *file, *col;
    } files[] = {{"products.csv", NULL},
                 {"customers.csv", NULL},
                 {"tiktok_trends.csv", "captured_at"},
                 {"purchases.csv", "ordered_at"},
                 {"returns.csv", "returned_at"}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char src[400], da[400], db[400];
        snprintf(src, sizeof src, "%s/%s", gen, files[i].file);
        snprintf(da, sizeof da, "%s/%s", a, files[i].file);
        snprintf(db, sizeof db, "%s/%s", b, files[i].file);
        split_file(src, da, files[i].col, cut, 0);
        if (files[i].col)
            split_file(src, db, files[i].col, cut, 1);
    }
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(features_by_hand),
        cmocka_unit_test(later_rows_never_change_earlier_features),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
