/* test_money.c: the store's currency and amounts written in it: a new store
 * is in dollars, the UCI Online Retail data makes it pounds, TrendBuy data
 * is refused into a store in pounds (and the other way round) with the
 * file's rows left out, the setting survives reopening, and amounts are
 * written with their sign, or the code where the terminal has no such
 * sign. */
#include "testutil.h"

#include <math.h>

#include "trendguard/ingest.h"
#include "trendguard/money.h"

#define RETAIL "../shared/datasets/online_retail_sample.csv"
#define TRENDBUY "tests/fixtures/ingest/good/products.csv"

static void formats(void **state)
{
    (void)state;
    tg_currency usd = {"USD"}, gbp = {"GBP"}, eur = {"EUR"}, chf = {"CHF"};
    char b[48];
    assert_string_equal(money_format(12.5, &usd, 0, b, sizeof b), "$12.50");
    assert_string_equal(money_format(1234.4, &usd, 0, b, sizeof b),
                        "$1,234");
    assert_string_equal(money_format(-3, &usd, 1, b, sizeof b), "-$3.00");
    assert_string_equal(money_format(NAN, &usd, 0, b, sizeof b), "-");
    assert_string_equal(money_format(12.5, &gbp, 0, b, sizeof b),
                        "\u00a312.50");
    assert_string_equal(money_format(1234567, &gbp, 0, b, sizeof b),
                        "\u00a31,234,567");
    assert_string_equal(money_format(12.5, &gbp, 1, b, sizeof b),
                        "GBP 12.50");
    assert_string_equal(money_format(2, &eur, 0, b, sizeof b),
                        "\u20ac2.00");
    assert_string_equal(money_format(5, &chf, 0, b, sizeof b), "CHF 5.00");
    assert_string_equal(money_symbol(&gbp, 0), "\u00a3");
    assert_string_equal(money_symbol(&usd, 1), "$");
}

static int load(tg_store *s, const char *path, int format, tg_err *err)
{
    char *paths[] = {(char *)path};
    tg_ingest_opts o = {.format = format};
    long rejected;
    return ingest_paths(s, paths, 1, &o, &rejected, err);
}

static void currency(tg_store *s, const char *want)
{
    tg_currency c;
    tg_err err = {0};
    assert_int_equal(money_currency(s, &c, &err), TG_OK);
    assert_string_equal(c.code, want);
}

static void the_store_keeps_its_currency(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "uk.db");
    tg_err err = {0};
    currency(s, "USD");
    /* A UK retailer's data: pounds. */
    assert_int_equal(load(s, RETAIL, INGEST_ONLINE_RETAIL, &err), TG_OK);
    currency(s, "GBP");
    long long products = tu_int(s, "SELECT COUNT(*) FROM products");
    /* TrendBuy's dollars do not go in with them. */
    assert_int_equal(load(s, TRENDBUY, INGEST_TRENDBUY, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "GBP"));
    assert_non_null(strstr(err.msg, "USD"));
    assert_int_equal(tu_int(s, "SELECT COUNT(*) FROM products"), products);
    store_close(s);
    s = tu_store(dir, "uk.db");
    currency(s, "GBP");
    store_close(s);
    /* and the other way round */
    s = tu_store(dir, "us.db");
    assert_int_equal(load(s, TRENDBUY, INGEST_TRENDBUY, &err), TG_OK);
    currency(s, "USD");
    assert_int_equal(load(s, RETAIL, INGEST_ONLINE_RETAIL, &err), TG_EDATA);
    assert_int_equal(tu_int(s, "SELECT COUNT(*) FROM products WHERE source"
                               " = 'online-retail'"), 0);
    currency(s, "USD");
    assert_int_equal(money_claim(s, "pounds", "x", &err), TG_EUSAGE);
    store_close(s);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats),
        cmocka_unit_test(the_store_keeps_its_currency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
