/* test_shop.c: the shop the app is built on, on the shop fixture's demo
 * store with its odd rows (shop_fixture.h): a line's live features equal
 * v_training_set's row for ~3,000 real lines; personas mix segments with
 * their return rates; trending items by 24 h views gained with every
 * filter (search text never SQL); the item and its sparkline. Checkout,
 * orders, returns and the history cache: test_shop_orders.c. */
#include "demo_store.h"

#include <math.h>
#include <stddef.h>
#include <time.h>

#include "core/shop_int.h" /* the history caches */
#include "trendguard/dataset.h"
#include "trendguard/shop.h"

#include "shop_fixture.h"

/* ---- features: the cart of a stored order against the view ------------ */

static const char SQL_ORDER_LINES[] =
    "SELECT q.id, q.product_id, q.size, q.quantity, q.unit_price,"
    " q.discount_pct, q.view_minutes, q.customer_id, q.channel, q.payment,"
    " q.ordered_at FROM purchases p JOIN purchases q"
    " ON q.order_code = p.order_code WHERE p.id = ? ORDER BY q.id";

/* The cart of line id's whole order, the line's index in it and its time;
 * the order's lines share customer, channel and payment. */
static int order_cart(sqlite3_stmt *st, int64_t id, tg_cart *cart,
                      int64_t *at)
{
    memset(cart, 0, sizeof *cart);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    int me = -1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_true(cart->n < TG_CART_MAX);
        tg_cart_line *l = &cart->line[cart->n];
        if (sqlite3_column_int64(st, 0) == id)
            me = cart->n;
        l->product_id = sqlite3_column_int64(st, 1);
        const char *size = (const char *)sqlite3_column_text(st, 2);
        tg_strlcpy(l->size, size ? size : "", sizeof l->size);
        l->quantity = sqlite3_column_int(st, 3);
        l->unit_price = sqlite3_column_double(st, 4);
        l->discount_pct = sqlite3_column_double(st, 5);
        l->view_minutes = sqlite3_column_type(st, 6) == SQLITE_NULL
                              ? NAN
                              : sqlite3_column_double(st, 6);
        int64_t cust = sqlite3_column_int64(st, 7);
        int ch = features_code(tg_channel_names, TG_NUM_CHANNELS,
                               (const char *)sqlite3_column_text(st, 8));
        int pl = strcmp((const char *)sqlite3_column_text(st, 9),
                        "paylater") == 0;
        if (cart->n > 0)
            assert_true(cust == cart->customer_id && ch == cart->channel &&
                        pl == cart->pay_later &&
                        *at == sqlite3_column_int64(st, 10));
        cart->customer_id = cust;
        cart->channel = ch;
        cart->pay_later = pl;
        *at = sqlite3_column_int64(st, 10);
        cart->n++;
    }
    assert_true(me >= 0);
    cart->ref_hashtag_id = tu_int(S, "SELECT COALESCE(ref_hashtag_id, 0)"
                                     " FROM purchases WHERE id = %lld",
                                  (long long)id);
    return me;
}

/* What the sample covered. */
typedef struct coverage {
    long lines, anonymous, no_trend, shoes, accessories, no_size_match;
    long ref_other, first_order, repeat;
} coverage;

static void count_coverage(coverage *c, const tg_cart *cart, int i,
                           const float *x)
{
    c->lines++;
    c->anonymous += cart->customer_id == 0;
    c->no_trend += isnan(x[TG_F_trend_age_days]);
    c->shoes += x[TG_F_category] == TG_CAT_SHOES;
    c->accessories += x[TG_F_category] == TG_CAT_ACCESSORIES;
    c->no_size_match += isnan(x[TG_F_size_vs_usual]);
    c->first_order += cart->customer_id && x[TG_F_cust_prior_orders] == 0;
    c->repeat += x[TG_F_cust_prior_orders] >= 3;
    c->ref_other +=
        cart->ref_hashtag_id &&
        tu_int(S, "SELECT COUNT(*) FROM product_tags WHERE product_id ="
                  " %lld AND hashtag_id = %lld AND rank = 0",
               (long long)cart->line[i].product_id,
               (long long)cart->ref_hashtag_id) == 0;
}

static void features_match_the_training_set(void **state)
{
    (void)state;
    view_rows v;
    view_load(&v);
    tg_shop *sh = open_shop(0);
    sqlite3_stmt *order = NULL, *sample = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(S), SQL_ORDER_LINES, -1,
                                        &order, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(store_db(S),
                           "SELECT p.id FROM purchases p JOIN products pr"
                           " ON pr.id = p.product_id WHERE p.id % 11 = 0"
                           " OR p.source = 'test' OR pr.code = 'T-NOTAG'",
                           -1, &sample, NULL), SQLITE_OK);
    coverage cov = {0};
    long bad = 0, inexact = 0;
    double spent = 0;
    while (sqlite3_step(sample) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(sample, 0), at = 0;
        tg_cart cart;
        int i = order_cart(order, id, &cart, &at);
        shop_set_now(sh, at);
        float x[TG_NUM_FEATURES];
        tg_err err = {0};
        double t0 = tg_now_mono();
        if (shop_line_features(sh, &cart, i, x, &err) != TG_OK)
            fail_msg("line %lld: %s", (long long)id, err.msg);
        spent += tg_now_mono() - t0;
        bad += !compare_row(x, view_x(&v, id), id, &inexact);
        count_coverage(&cov, &cart, i, x);
    }
    sqlite3_finalize(sample);
    sqlite3_finalize(order);
    print_message("%ld lines, %ld features within 1e-6 but not equal, "
                  "%.1f us a line; %ld anonymous, %ld without trend, %ld "
                  "shoes, %ld accessories, %ld unknown size, %ld other "
                  "trend, %ld first orders, %ld repeat\n",
                  cov.lines, inexact, 1e6 * spent / (double)cov.lines,
                  cov.anonymous, cov.no_trend, cov.shoes, cov.accessories,
                  cov.no_size_match, cov.ref_other, cov.first_order,
                  cov.repeat);
    assert_int_equal(bad, 0);
    assert_true(cov.lines >= 1500);
    assert_true(cov.anonymous >= 50 && cov.no_trend >= 50);
    assert_true(cov.shoes >= 50 && cov.accessories >= 50);
    assert_true(cov.no_size_match >= 20 && cov.ref_other >= 10);
    assert_true(cov.first_order >= 50 && cov.repeat >= 100);
    assert_true(inexact <= cov.lines / 100);
    shop_free(sh);
    view_free(&v);
}

/* Bad carts are refused without a crash; x is all NaN then. */
static void features_refuse_bad_carts(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    tg_cart cart = {.customer_id = 1, .channel = TG_CHANNEL_APP, .n = 1};
    cart.line[0] = (tg_cart_line){.product_id = 1, .size = "M",
                                  .quantity = 1, .unit_price = 10,
                                  .view_minutes = NAN};
    float x[TG_NUM_FEATURES];
    tg_err err = {0};
    assert_int_equal(shop_line_features(sh, &cart, 1, x, &err), TG_EUSAGE);
    assert_true(isnan(x[TG_F_price]));
    cart.channel = 9;
    assert_int_equal(shop_line_features(sh, &cart, 0, x, &err), TG_EUSAGE);
    cart.channel = TG_CHANNEL_APP;
    cart.line[0].product_id = 999999;
    assert_int_equal(shop_line_features(sh, &cart, 0, x, &err),
                     TG_ENOINPUT);
    assert_non_null(strstr(err.msg, "999999"));
    shop_free(sh);
}

/* ---- personas --------------------------------------------------------- */

static void personas_mix_segments(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    int64_t now = shop_now(sh);
    assert_int_equal(now, tu_int(S, "SELECT t FROM v_data_end"));
    tg_persona p[12];
    int got = 0;
    tg_err err = {0};
    assert_int_equal(shop_personas(sh, p, 12, &got, &err), TG_OK);
    assert_int_equal(got, 12);
    int seen[TG_NUM_SEGMENTS] = {0};
    for (int i = 0; i < 5; i++)
        seen[p[i].segment]++;
    for (int sg = 0; sg < 5; sg++)
        assert_int_equal(seen[sg], 1);
    for (int i = 0; i < got; i++) {
        long long id = (long long)p[i].id;
        long long lines = tu_int(
            S, "SELECT c.lines_before + COUNT(DISTINCT p.id) FROM customers"
               " c LEFT JOIN purchases p ON p.customer_id = c.id AND"
               " p.ordered_at <= %lld WHERE c.id = %lld", (long long)now, id);
        long long returns = tu_int(
            S, "SELECT c.returns_before + COUNT(DISTINCT r.purchase_id)"
               " FROM customers c LEFT JOIN purchases p ON p.customer_id ="
               " c.id AND p.ordered_at <= %lld LEFT JOIN returns r ON"
               " r.purchase_id = p.id AND r.returned_at <= %lld"
               " WHERE c.id = %lld", (long long)now, (long long)now, id);
        assert_int_equal(p[i].lines, lines);
        assert_int_equal(p[i].returns, returns);
        assert_float_equal(p[i].return_rate, (double)returns / lines, 1e-12);
        assert_int_equal(p[i].segment,
                         tu_int(S, "SELECT sg.code FROM customers c JOIN"
                                   " segments sg ON sg.name = c.segment"
                                   " WHERE c.id = %lld", id));
        assert_true(p[i].label[0] != '\0');
        /* The first of its segment has the longest history in it. */
        if (i < 5)
            assert_int_equal(
                tu_int(S, "SELECT COUNT(*) FROM customers c WHERE"
                          " c.segment = (SELECT segment FROM customers"
                          " WHERE id = %lld) AND c.lines_before + (SELECT"
                          " COUNT(*) FROM purchases q WHERE q.customer_id"
                          " = c.id AND q.ordered_at <= %lld) > %ld",
                       id, (long long)now, p[i].lines), 0);
    }
    char line[128];
    shop_persona_line(&p[0], line, sizeof line);
    assert_non_null(strstr(line, p[0].label));
    assert_non_null(strstr(line, "returns "));
    tg_persona one;
    assert_int_equal(shop_persona(sh, p[3].id, &one, &err), TG_OK);
    assert_memory_equal(&one, &p[3], sizeof one);
    assert_int_equal(shop_persona(sh, 999999, &one, &err), TG_ENOINPUT);
    shop_free(sh);
}

/* ---- trending items ---------------------------------------------------- */

/* A column of a product's primary trend's state at a time, by hand. */
#define HAND_STATE(col)                                                       \
    "SELECT COALESCE((SELECT ts." col " FROM product_tags pt JOIN"            \
    " trend_state ts ON ts.hashtag_id = pt.hashtag_id WHERE pt.product_id ="  \
    " %lld AND pt.rank = 0 AND ts.captured_at <= %lld ORDER BY"               \
    " ts.captured_at DESC LIMIT 1), -1)"

/* The hot products at %1$lld by hand: on sale, their primary trend's
 * newest state within a day of the newest snapshot of any item's primary
 * trend and gaining views; then AND the condition that follows. */
#define HOT                                                                   \
    "SELECT COUNT(*) FROM products pr JOIN product_tags pt ON"               \
    " pt.product_id = pr.id AND pt.rank = 0 JOIN trend_state ts ON"          \
    " ts.hashtag_id = pt.hashtag_id AND ts.captured_at = (SELECT"           \
    " MAX(captured_at) FROM trend_state s WHERE s.hashtag_id ="              \
    " pt.hashtag_id AND s.captured_at <= %1$lld) WHERE ts.captured_at >"    \
    " (SELECT MAX(s.captured_at) FROM product_tags t JOIN trend_snapshots s" \
    " ON s.hashtag_id = t.hashtag_id WHERE t.rank = 0 AND s.captured_at <="  \
    " %1$lld) - 86400 AND ts.views_24h > 0 AND (pr.launched_at IS NULL OR"  \
    " pr.launched_at <= %1$lld) AND "

static int trending(tg_shop *sh, const tg_shop_filter *f, tg_shop_item *out,
                    int n)
{
    int got = -1;
    tg_err err = {0};
    if (shop_trending(sh, f, out, n, &got, &err) != TG_OK)
        fail_msg("shop_trending: %s", err.msg);
    return got;
}

#define MAX_ITEMS 600
static tg_shop_item it[MAX_ITEMS];

/* Each item's trend state is its primary tag's at now, its phase the
 * rule's on it. */
static void check_state(const tg_shop_item *item, long long now)
{
    long long id = (long long)item->product_id;
    assert_float_equal(item->views_24h,
                       tu_double(S, HAND_STATE("views_24h"), id, now), 0);
    double at = tu_double(S, HAND_STATE("captured_at"), id, now);
    assert_int_equal(item->trend_at, (int64_t)at);
    assert_int_equal(item->phase,
                     features_trend_phase(
                         item->views_24h,
                         tu_double(S, HAND_STATE("week_views"), id, now),
                         tu_double(S, HAND_STATE("prev_week_views"), id, now),
                         tu_double(S, HAND_STATE("best_week_views"), id, now),
                         (now - at) / 86400.0));
}

static void trending_is_what_is_hot(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    int n = trending(sh, NULL, it, MAX_ITEMS); /* NULL: no filter */
    assert_int_equal(n, tu_int(S, HOT "1", now));
    assert_true(n >= 20);
    for (int i = 0; i < n; i++) {
        check_state(&it[i], now);
        assert_true(it[i].trend_fresh && it[i].views_24h > 0);
        if (i > 0) /* hottest first */
            assert_true(it[i - 1].views_24h >= it[i].views_24h);
    }
    /* What is not: products without a trend, with a trend whose data
     * stopped, with a trend that gained nothing. */
    long long stale = tu_int(S, "SELECT COUNT(*) FROM products pr JOIN"
                                " product_tags pt ON pt.product_id = pr.id"
                                " AND pt.rank = 0 WHERE (SELECT"
                                " MAX(captured_at) FROM trend_state s WHERE"
                                " s.hashtag_id = pt.hashtag_id) < %lld -"
                                " 14 * 86400", now);
    assert_true(stale > 0);
    tg_shop_item one;
    tg_err err = {0};
    long long old = tu_int(S, "SELECT pr.id FROM products pr JOIN"
                              " product_tags pt ON pt.product_id = pr.id"
                              " AND pt.rank = 0 WHERE (SELECT"
                              " MAX(captured_at) FROM trend_state s WHERE"
                              " s.hashtag_id = pt.hashtag_id) < %lld -"
                              " 14 * 86400 LIMIT 1", now);
    for (int i = 0; i < n; i++) {
        assert_true(it[i].product_id != old);
        assert_true(strcmp(it[i].code, "T-NOTAG") != 0);
    }
    /* Its item page knows the data is old. */
    assert_int_equal(shop_item(sh, old, &one, &err), TG_OK);
    check_state(&one, now);
    assert_false(one.trend_fresh);
    assert_int_equal(one.phase, TG_TREND_FADING);
    /* Every phase is on the list. */
    int by[TG_NUM_TREND_PHASES] = {0};
    for (int i = 0; i < n; i++)
        by[it[i].phase]++;
    print_message("%d hot items: %d rising, %d peak, %d fading\n", n,
                  by[TG_TREND_RISING], by[TG_TREND_PEAK],
                  by[TG_TREND_FADING]);
    assert_int_equal(by[TG_TREND_NONE], 0);
    assert_true(by[TG_TREND_RISING] > 0 && by[TG_TREND_FADING] > 0);
    assert_true(by[TG_TREND_PEAK] > 0);
    shop_free(sh);
    /* Five days on, newer data of a hashtag no item follows makes no
     * item's trend old. */
    long long later = now + 5 * 86400;
    sh = open_shop(later);
    int before = trending(sh, NULL, it, MAX_ITEMS);
    shop_free(sh);
    assert_true(before > 0);
    char *e = NULL;
    char sql[512];
    snprintf(sql, sizeof sql,
             "BEGIN; INSERT INTO hashtags(name) VALUES('nobodysitem');"
             " INSERT INTO trend_state(hashtag_id, captured_at, views,"
             " views_24h, first_at) VALUES(last_insert_rowid(), %lld, 9, 9,"
             " %lld)", later, later);
    assert_int_equal(sqlite3_exec(store_db(S), sql, NULL, NULL, &e),
                     SQLITE_OK);
    sh = open_shop(later);
    assert_int_equal(trending(sh, NULL, it, MAX_ITEMS), before);
    shop_free(sh);
    assert_int_equal(sqlite3_exec(store_db(S), "ROLLBACK", NULL, NULL, &e),
                     SQLITE_OK);
}

static void trending_filters(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    tg_shop_filter f;
    shop_filter_init(&f);
    int all = trending(sh, &f, it, MAX_ITEMS);
    /* category */
    f.category = TG_CAT_DRESSES;
    int n = trending(sh, &f, it, MAX_ITEMS);
    assert_int_equal(n, tu_int(S, HOT "pr.category = 'dresses'", now));
    assert_true(n > 0 && n < all);
    for (int i = 0; i < n; i++)
        assert_int_equal(it[i].category, TG_CAT_DRESSES);
    /* phase: the phases part the list */
    shop_filter_init(&f);
    int sum = 0;
    for (int ph = 0; ph < TG_NUM_TREND_PHASES; ph++) {
        f.phase = ph;
        n = trending(sh, &f, it, MAX_ITEMS);
        for (int i = 0; i < n; i++)
            assert_int_equal(it[i].phase, ph);
        sum += n;
        assert_true(ph == TG_TREND_NONE ? n == 0 : n > 0);
    }
    assert_int_equal(sum, all);
    /* price bounds, and n caps the list */
    shop_filter_init(&f);
    f.min_price = 20;
    f.max_price = 40;
    n = trending(sh, &f, it, MAX_ITEMS);
    assert_int_equal(n, tu_int(S, HOT "pr.price BETWEEN 20 AND 40", now));
    assert_true(n >= 3);
    for (int i = 0; i < n; i++)
        assert_true(it[i].price >= 20 && it[i].price <= 40);
    assert_int_equal(trending(sh, &f, it, 3), 3);
    shop_filter_init(&f);
    f.max_price = 20;
    n = trending(sh, &f, it, MAX_ITEMS);
    assert_int_equal(n, tu_int(S, HOT "pr.price <= 20", now));
    shop_free(sh);
}

static int search(tg_shop *sh, const char *text)
{
    tg_shop_filter f;
    shop_filter_init(&f);
    f.search = text;
    return trending(sh, &f, it, MAX_ITEMS);
}

static void trending_search_is_plain_text(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    /* A product on the hottest trend whose name holds SQL's wildcards. */
    assert_int_equal(trending(sh, NULL, it, 1), 1);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO products(code, name, category, brand, price,"
             " sizes) VALUES('T-HOT', 'Tee 50%%_off Hot', 'tops', 'Zqxhot',"
             " 9.99, 'S|M'); INSERT INTO product_tags(product_id,"
             " hashtag_id, rank) VALUES(last_insert_rowid(), %lld, 0)",
             (long long)it[0].hashtag_id);
    if (store_exec(S, sql, &err) != TG_OK)
        fail_msg("%s", err.msg);
    int all = search(sh, "");
    assert_int_equal(search(sh, "Zqxhot"), 1);
    /* Not SQL, and no wildcards: only the product whose name holds them
     * (T-WILD holds them too, but is on no trend). */
    assert_int_equal(search(sh, "%' OR 1=1 --"), 0);
    assert_int_equal(search(sh, "' OR ''='"), 0);
    assert_int_equal(search(sh, "0%_O"), 1);
    assert_string_equal(it[0].code, "T-HOT");
    assert_int_equal(search(sh, "%"), 1);
    assert_int_equal(search(sh, "_"), 1);
    /* Name, brand, category and hashtag, in any case; only hot items. */
    assert_int_equal(search(sh, "tee 50%_OFF hot"), 1);
    assert_int_equal(search(sh, "pLAIN untagged"), 0);
    int n = search(sh, "Dresses");
    assert_int_equal(n, tu_int(S, HOT "(pr.category = 'dresses' OR"
                                  " instr(lower(pr.name || ' ' ||"
                                  " COALESCE(pr.brand, '')), 'dresses'))",
                               now));
    long long tag = tu_int(S, "SELECT hashtag_id FROM product_tags WHERE"
                              " product_id = (SELECT id FROM products WHERE"
                              " code = 'T-HOT')");
    char text[64];
    sqlite3_stmt *st;
    sqlite3_prepare_v2(store_db(S), "SELECT '#' || upper(name) FROM hashtags"
                       " WHERE id = ?", -1, &st, NULL);
    sqlite3_bind_int64(st, 1, tag);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    tg_strlcpy(text, (const char *)sqlite3_column_text(st, 0), sizeof text);
    sqlite3_finalize(st);
    n = search(sh, text);
    /* every hot product carrying it (some tags' names hold another's) */
    assert_true(n >= 2);
    assert_true(n < all);
    shop_free(sh);
}

static void item_and_sparkline(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    assert_int_equal(trending(sh, NULL, it, 1), 1);
    tg_shop_item one;
    tg_err err = {0};
    assert_int_equal(shop_item(sh, it[0].product_id, &one, &err), TG_OK);
    assert_memory_equal(&one, &it[0], offsetof(tg_shop_item, spark));
    /* The sparkline: day d's latest snapshot's views over its 24 h. */
    long long start = now - TG_SHOP_SPARK_DAYS * (long long)TG_DAY;
    int days = 0;
    for (int d = 0; d < TG_SHOP_SPARK_DAYS; d++) {
        double v = tu_double(S, "SELECT COALESCE((SELECT views_24h FROM"
                                " trend_state WHERE hashtag_id = %lld AND"
                                " captured_at > %lld AND captured_at <= %lld"
                                " ORDER BY captured_at DESC LIMIT 1), -1)",
                             (long long)one.hashtag_id, start + d * TG_DAY,
                             start + (d + 1) * TG_DAY);
        if (v < 0) {
            assert_true(isnan(one.spark[d]));
        } else {
            assert_float_equal(one.spark[d], v, 0);
            days++;
        }
    }
    assert_true(days >= 13);
    assert_float_equal(one.spark[TG_SHOP_SPARK_DAYS - 1], one.views_24h, 0);
    /* Sizes in size order, the smoothed return rate as the feature. */
    for (int i = 1; i < one.n_sizes; i++) {
        int shoe;
        assert_true(features_size_rank(one.sizes[i - 1], &shoe) <
                    features_size_rank(one.sizes[i], &shoe));
    }
    double lines = tu_double(S, "SELECT COUNT(*) FROM purchases WHERE"
                                " product_id = %lld AND ordered_at <= %lld",
                             (long long)one.product_id, now - 2592000);
    double returned = tu_double(
        S, "SELECT COUNT(*) FROM purchases p WHERE product_id = %lld AND"
           " ordered_at <= %lld AND EXISTS (SELECT 1 FROM returns r WHERE"
           " r.purchase_id = p.id AND r.returned_at <= p.ordered_at +"
           " 2592000)", (long long)one.product_id, now - 2592000);
    assert_float_equal(one.product_return_rate, (returned + 3) / (lines + 10),
                       1e-12);
    /* "M|S|L" comes back in size order. */
    assert_int_equal(shop_item(sh, tu_int(S, "SELECT id FROM products WHERE"
                                             " code = 'T-WILD'"), &one, &err),
                     TG_OK);
    assert_int_equal(one.n_sizes, 3);
    assert_string_equal(one.sizes[0], "S");
    assert_string_equal(one.sizes[2], "L");
    assert_true(isnan(one.views_24h) && isnan(one.spark[0]));
    assert_int_equal(shop_item(sh, 999999, &one, &err), TG_ENOINPUT);
    /* timing */
    double t0 = tg_now_mono();
    for (int k = 0; k < 10; k++)
        trending(sh, NULL, it, 50);
    double t1 = tg_now_mono();
    for (int k = 0; k < 10; k++)
        trending(sh, NULL, it, MAX_ITEMS);
    print_message("shop_trending: %.1f ms for 50 items, %.1f ms for all\n",
                  (t1 - t0) * 100, (tg_now_mono() - t1) * 100);
    shop_free(sh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(features_match_the_training_set),
        cmocka_unit_test(features_refuse_bad_carts),
        cmocka_unit_test(personas_mix_segments),
        cmocka_unit_test(trending_is_what_is_hot),
        cmocka_unit_test(trending_filters),
        cmocka_unit_test(trending_search_is_plain_text),
        cmocka_unit_test(item_and_sparkline),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
