/* test_explain.c: the shopper-word reasons: ranking by contribution, the
 * first matching rule, value formatting, the fit's reason agreeing with
 * how the shop reads the fit, and broken sentence tables. */
#include "testutil.h"

#include <math.h>

#include "trendguard/estimates.h"
#include "trendguard/explain.h"
#include "trendguard/features.h"

static tg_explainer *shipped(void)
{
    tg_err err = {0};
    tg_explainer *e = explain_load(NULL, &err);
    if (!e)
        fail_msg("%s", err.msg);
    return e;
}

static void sentences_from_values(void **state)
{
    (void)state;
    tg_explainer *e = shipped();
    char buf[160];
    explain_sentence(e, TG_F_sizes_of_item, 2, buf, sizeof buf);
    assert_string_equal(buf, "you picked 2 sizes of this item");
    explain_sentence(e, TG_F_trend_days_since_peak, 9.4f, buf, sizeof buf);
    assert_string_equal(buf, "this trend peaked 9 days ago");
    explain_sentence(e, TG_F_fit_learned, -0.7f, buf, sizeof buf);
    assert_string_equal(buf, "this item runs small");
    explain_sentence(e, TG_F_fit_note, -1, buf, sizeof buf);
    assert_string_equal(buf, "this item is noted to run small");
    explain_sentence(e, TG_F_size_vs_usual, -2, buf, sizeof buf);
    assert_string_equal(buf, "this is about 2 sizes below your size");
    explain_sentence(e, TG_F_size_vs_usual, 0.6f, buf, sizeof buf);
    assert_string_equal(buf, "this is about one size above your size");
    explain_sentence(e, TG_F_cust_prior_return_rate, 0.41f, buf, sizeof buf);
    assert_string_equal(buf, "you have sent back 41% of past orders");
    /* No rule holds, or the value is missing: the label. */
    explain_sentence(e, TG_F_sizes_of_item, 1, buf, sizeof buf);
    assert_string_equal(buf, explain_label(e, TG_F_sizes_of_item));
    explain_sentence(e, TG_F_fit_learned, NAN, buf, sizeof buf);
    assert_string_equal(buf, "the fit");
    explain_free(e);
}

/* A trend's reasons say what its values say: a trend whose views barely
 * moved is never "surging", whatever the model makes of it; a missing
 * value gets a label that claims nothing. */
static void trend_reasons_match_their_values(void **state)
{
    (void)state;
    tg_explainer *e = shipped();
    char buf[160];
    explain_sentence(e, TG_F_trend_growth_24h, 0.001f, buf, sizeof buf);
    assert_string_equal(buf, "this trend's views have almost stopped "
                             "growing");
    explain_sentence(e, TG_F_trend_growth_24h, 0.05f, buf, sizeof buf);
    assert_string_equal(buf, "this trend's views grew only 5% in a day");
    explain_sentence(e, TG_F_trend_growth_24h, 0.8f, buf, sizeof buf);
    assert_string_equal(buf, "this trend's views grew 80% in a day");
    explain_sentence(e, TG_F_trend_growth_7d, 0.4f, buf, sizeof buf);
    assert_string_equal(buf, "this trend's views grew 40% this week");
    explain_sentence(e, TG_F_trend_log_views_24h, 2.5f, buf, sizeof buf);
    assert_string_equal(buf, "a small trend: under a thousand views in a "
                             "day");
    static const char *const claims[] = {"surging", "viral", "hype"};
    for (int f = TG_F_trend_growth_24h; f <= TG_F_trend_log_views_24h; f++)
        for (size_t k = 0; k < sizeof claims / sizeof *claims; k++)
            assert_null(strstr(explain_label(e, f), claims[k]));
    explain_free(e);
}

static void top_reasons_rank_positive_contributions(void **state)
{
    (void)state;
    tg_explainer *e = shipped();
    float x[TG_NUM_FEATURES + 1], c[TG_NUM_FEATURES + 1];
    for (int i = 0; i <= TG_NUM_FEATURES; i++)
        x[i] = 0, c[i] = 0;
    c[TG_F_channel] = 0.2f, x[TG_F_channel] = 2;
    c[TG_F_sizes_of_item] = 0.9f, x[TG_F_sizes_of_item] = 3;
    c[TG_F_fit_learned] = 0.5f, x[TG_F_fit_learned] = 0.8f;
    c[TG_F_price] = -2.0f; /* lowers the risk: never a reason */
    c[TG_NUM_FEATURES] = 5; /* the bias is not a feature */
    tg_reason r[5];
    int n = explain_top(e, x, c, r, 5);
    assert_int_equal(n, 3);
    assert_int_equal(r[0].feature, TG_F_sizes_of_item);
    assert_string_equal(r[0].text, "you picked 3 sizes of this item");
    assert_int_equal(r[1].feature, TG_F_fit_learned);
    assert_string_equal(r[1].text, "this item runs large");
    assert_int_equal(r[2].feature, TG_F_channel);
    assert_float_equal(r[2].contribution, 0.2f, 0);
    assert_int_equal(explain_top(e, x, c, r, 1), 1);
    explain_free(e);
}

/* The reason the fit gives says what the item's words and the size advice
 * read from the same estimate (est_fit_runs): "runs small" exactly when
 * the item runs small, "runs large" when large, else only the label. */
static void fit_reasons_match_the_fit(void **state)
{
    (void)state;
    tg_explainer *e = shipped();
    char buf[160];
    int seen[3] = {0};
    for (int k = -100; k <= 100; k++) {
        float v = (float)k / 100;
        int runs = est_fit_runs(v);
        explain_sentence(e, TG_F_fit_learned, v, buf, sizeof buf);
        const char *want = runs < 0   ? "this item runs small"
                           : runs > 0 ? "this item runs large"
                                      : explain_label(e, TG_F_fit_learned);
        if (strcmp(buf, want) != 0)
            fail_msg("fit %.2f: '%s', not '%s'", (double)v, buf, want);
        seen[runs + 1]++;
    }
    assert_true(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
    explain_free(e);
}

static void broken_tables_are_refused(void **state)
{
    (void)state;
    tg_err err = {0};
    const char *bad[][2] = {
        {"{", "not valid JSON"},
        {"{\"features\": []}", "'features' must be an object"},
        {"{\"features\": {}}", "features.trend_growth_24h is missing"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_null(explain_load_mem(bad[i][0], strlen(bad[i][0]), &err));
        assert_int_equal(err.code, TG_EDATA);
        if (!strstr(err.msg, bad[i][1]))
            fail_msg("'%s' does not say '%s'", err.msg, bad[i][1]);
    }
    /* The shipped table with one bad operator. */
    char path[4096];
    assert_int_equal(tg_asset_path("assets/explain.json", path, sizeof path),
                     0);
    size_t n;
    char *text = tg_read_file(path, &n, 0, &err);
    assert_non_null(text);
    char *op = strstr(text, "\"when\": \">=\"");
    assert_non_null(op);
    memcpy(op + 9, "=>", 2);
    assert_null(explain_load_mem(text, n, &err));
    assert_non_null(strstr(err.msg, ".rules[0].when must be"));
    free(text);
    assert_null(explain_load("/no/such/explain.json", &err));
    assert_int_equal(err.code, TG_ENOINPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sentences_from_values),
        cmocka_unit_test(trend_reasons_match_their_values),
        cmocka_unit_test(top_reasons_rank_positive_contributions),
        cmocka_unit_test(fit_reasons_match_the_fit),
        cmocka_unit_test(broken_tables_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
