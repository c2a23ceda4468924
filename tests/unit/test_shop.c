/* test_shop.c: the shop the app is built on, on a demo store with a few
 * odd rows added (anonymous orders, an untagged product, missing sizes and
 * customer facts, two orders in one second): a line's live features equal
 * v_training_set's row for ~3,000 real lines and after a checkout; the
 * history cache follows writes here and commits elsewhere; personas mix
 * segments with their return rates; trending items by 24 h views gained
 * with every filter (search text never SQL); the sparkline; checkout is
 * atomic, scores at the threshold queue interventions, order codes are
 * unique in one second; past orders and returns, refused when they should
 * be, and exchanges; an empty store. */
#include "demo_store.h"

#include <math.h>
#include <stddef.h>
#include <time.h>

#include "core/shop_int.h" /* the history caches */
#include "trendguard/dataset.h"
#include "trendguard/shop.h"

static char dir[256];
static tg_store *S;

/* Rows the generator never writes, so that the parity test meets them. */
static const char SQL_ODD_ROWS[] =
    "INSERT INTO products(code, name, category, brand, price, fit_note,"
    " sizes, launched_at) VALUES"
    " ('T-NOTAG', 'Plain Untagged Tee', 'tops', 'Zqxwear', 12.5, 1,"
    "  'XS|S|M', NULL),"
    " ('T-WILD', 'Tee 50%_off', 'tops', 'Promo', 9.99, 0, 'M|S|L', 0);"
    "UPDATE purchases SET product_id = (SELECT id FROM products"
    " WHERE code = 'T-NOTAG') WHERE id % 53 = 0 AND size IN ('XS','S','M');"
    "UPDATE purchases SET view_minutes = NULL WHERE id % 31 = 0;"
    "UPDATE purchases SET size = lower(size) WHERE id % 37 = 0;"
    "UPDATE purchases SET size = NULL WHERE id % 41 = 0;"
    "UPDATE purchases SET ref_hashtag_id = (SELECT MIN(id) FROM hashtags)"
    " WHERE id % 43 = 0;"
    "UPDATE customers SET joined_at = NULL WHERE id % 7 = 0;"
    "UPDATE customers SET usual_size = NULL WHERE id % 11 = 0;"
    "UPDATE customers SET shoe_size = NULL WHERE id % 13 = 0;"
    "UPDATE customers SET age_band = NULL WHERE id % 17 = 0;"
    /* anonymous copies of some orders an hour later */
    "INSERT INTO purchases(line_code, order_code, customer_id, product_id,"
    " size, quantity, unit_price, discount_pct, ordered_at, channel,"
    " view_minutes, payment, ref_hashtag_id, source)"
    " SELECT 'AN-' || line_code, 'AN-' || order_code, NULL, product_id,"
    "  size, quantity, unit_price, discount_pct, ordered_at + 3600, channel,"
    "  view_minutes, payment, ref_hashtag_id, 'test' FROM purchases"
    " WHERE order_code IN (SELECT order_code FROM purchases"
    "  WHERE id % 89 = 0);"
    /* a second order of the same customer in the same second */
    "INSERT INTO purchases(line_code, order_code, customer_id, product_id,"
    " size, quantity, unit_price, discount_pct, ordered_at, channel,"
    " view_minutes, payment, ref_hashtag_id, source)"
    " SELECT 'DUP-' || line_code, 'DUP-' || order_code, customer_id,"
    "  product_id, size, quantity, unit_price + 1, discount_pct, ordered_at,"
    "  channel, view_minutes, payment, ref_hashtag_id, 'test' FROM purchases"
    " WHERE order_code IN (SELECT order_code FROM purchases"
    "  WHERE id % 97 = 0 AND customer_id IS NOT NULL);";

static int setup(void **state)
{
    (void)state;
    char db[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(db, sizeof db, "%s/shop.db", dir);
    tu_demo_store(dir, db, 11);
    tg_err err = {0};
    S = store_open(db, 0, &err);
    if (!S || store_exec(S, SQL_ODD_ROWS, &err) != TG_OK)
        fail_msg("odd rows: %s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(S);
    tu_rmrf(dir);
    return 0;
}

static tg_shop *open_shop(int64_t now)
{
    tg_err err = {0};
    tg_shop *sh = shop_open(S, now, &err);
    if (!sh)
        fail_msg("shop_open: %s", err.msg);
    return sh;
}

/* ---- features: the cart of a stored order against the view ------------ */

/* The training set by purchase id. */
typedef struct view_rows {
    tg_dataset d;
    long *row; /* by purchase id, -1 when absent */
    int64_t max_id;
} view_rows;

static void view_load(view_rows *v)
{
    tg_err err = {0};
    if (dataset_load(S, 0, 0, &v->d, &err) != TG_OK)
        fail_msg("dataset: %s", err.msg);
    v->max_id = tu_int(S, "SELECT MAX(id) FROM purchases");
    v->row = malloc((size_t)(v->max_id + 1) * sizeof *v->row);
    for (int64_t i = 0; i <= v->max_id; i++)
        v->row[i] = -1;
    for (size_t i = 0; i < v->d.n; i++)
        v->row[v->d.id[i]] = (long)i;
}

static const float *view_x(const view_rows *v, int64_t id)
{
    if (id < 0 || id > v->max_id || v->row[id] < 0)
        fail_msg("line %lld is not in the training set", (long long)id);
    return v->d.x + (size_t)v->row[id] * v->d.nfeat;
}

static void view_free(view_rows *v)
{
    dataset_free(&v->d);
    free(v->row);
}

/* Equal, both missing, or (double-to-float rounding of a sum in another
 * order) within 1e-6 relative; *inexact counts the last kind. */
static int same_feature(float a, float b, long *inexact)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (a == b)
        return 1;
    *inexact += 1;
    return fabsf(a - b) <= 1e-6f * fmaxf(fabsf(a), fabsf(b));
}

static int compare_row(const float *got, const float *want, int64_t id,
                       long *inexact)
{
    int bad = 0;
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        if (!same_feature(got[f], want[f], inexact) && bad++ < 3)
            print_error("line %lld %s: shop %.9g, view %.9g\n",
                        (long long)id, features_name(f), got[f], want[f]);
    return bad == 0;
}

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

/* ---- checkout, orders, returns ------------------------------------------ */

static long long count_rows(void)
{
    return tu_int(S, "SELECT (SELECT COUNT(*) FROM purchases) * 1000000 +"
                     " (SELECT COUNT(*) FROM scores) * 1000 +"
                     " (SELECT COUNT(*) FROM interventions)");
}

/* A product of a category with a size, and its price. */
static int64_t product_with(const char *category, const char *size)
{
    long long id = tu_int(S, "SELECT id FROM products WHERE category = '%s'"
                             " AND '|' || sizes || '|' LIKE '%%|%s|%%'"
                             " ORDER BY id LIMIT 1", category, size);
    assert_true(id > 0);
    return id;
}

static tg_cart_line cart_line(int64_t product, const char *size, int qty,
                              double price, double discount, double minutes)
{
    tg_cart_line l = {.product_id = product, .quantity = qty,
                      .unit_price = price, .discount_pct = discount,
                      .view_minutes = minutes};
    tg_strlcpy(l.size, size, sizeof l.size);
    l.category = (int)tu_int(S, "SELECT c.code FROM products p JOIN"
                                " categories c ON c.name = p.category WHERE"
                                " p.id = %lld", (long long)product);
    return l;
}

/* A shopper's cart: a dress in two sizes and two of an accessory. */
static tg_cart bracket_cart(int64_t customer)
{
    tg_cart c = {.customer_id = customer, .channel = TG_CHANNEL_APP,
                 .pay_later = 1, .n = 3};
    int64_t dress = product_with("dresses", "M");
    c.line[0] = cart_line(dress, "M", 1, 31.5, 10, 2.5);
    c.line[1] = cart_line(dress, "L", 1, 31.5, 10, 2.5);
    c.line[2] = cart_line(product_with("accessories", "ONE"), "ONE", 2, 12,
                          0, NAN);
    return c;
}

static int64_t checkout(tg_shop *sh, const tg_cart *cart,
                        const tg_line_score *sc, char *code, int64_t *ids)
{
    tg_err err = {0};
    if (shop_checkout(sh, cart, sc, sc ? 77 : 0, code, 32, ids, &err) !=
        TG_OK)
        fail_msg("checkout: %s", err.msg);
    return ids[0];
}

static void features_of(tg_shop *sh, const tg_cart *cart, float *x)
{
    tg_err err = {0};
    for (int i = 0; i < cart->n; i++)
        if (shop_line_features(sh, cart, i, x + i * TG_NUM_FEATURES, &err) !=
            TG_OK)
            fail_msg("features: %s", err.msg);
}

static void checkout_queues_and_round_trips(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    tg_err err = {0};
    assert_int_equal(store_exec(S, "INSERT INTO model_registry(version,"
                                   " path, sha256, features, threshold,"
                                   " trained_at) VALUES(77, '/m.json', 'x',"
                                   " '[]', 0.5, 0)", &err), TG_OK);
    tg_persona p;
    int got;
    assert_int_equal(shop_personas(sh, &p, 1, &got, &err), TG_OK);
    tg_cart cart = bracket_cart(p.id);
    float x[4][TG_NUM_FEATURES];
    features_of(sh, &cart, x[0]);
    assert_float_equal(x[0][TG_F_sizes_of_item], 2, 0);
    assert_float_equal(x[2][TG_F_basket_lines], 3, 0);
    /* The app's case: one line again and again. */
    double t0 = tg_now_mono();
    for (int k = 0; k < 1000; k++)
        shop_line_features(sh, &cart, 0, x[3], &err);
    print_message("shop_line_features: %.1f us a call (cart of 3, shopper "
                  "with %ld lines)\n", (tg_now_mono() - t0) * 1e3, p.lines);
    long long before = count_rows();
    tg_line_score sc[3] = {{0.8, "[{\"feature\":\"size_vs_usual\"}]"},
                           {0.5, NULL}, /* at the threshold */
                           {NAN, NULL}};
    char code[32], code2[32];
    int64_t ids[4];
    checkout(sh, &cart, sc, code, ids);
    assert_memory_equal(code, "APP-", 4);
    assert_int_equal(count_rows(), before + 3000000 + 2000 + 2);
    assert_int_equal(tu_int(S, "SELECT COUNT(*) FROM purchases WHERE"
                               " order_code = '%s' AND source = 'app' AND"
                               " ordered_at = %lld AND customer_id = %lld"
                               " AND payment = 'paylater' AND channel ="
                               " 'app'", code, now, (long long)p.id), 3);
    assert_int_equal(tu_int(S, "SELECT purchase_id FROM interventions WHERE"
                               " model_version = 77 AND status = 'queued'"
                               " AND score = 0.8 AND created_at = %lld"
                               " AND customer_id = %lld", now,
                            (long long)p.id), ids[0]);
    assert_int_equal(tu_int(S, "SELECT COUNT(*) FROM interventions WHERE"
                               " purchase_id = %lld", (long long)ids[1]), 1);
    /* Another order in the same second: an anonymous shopper from a
     * TikTok video of another trend than the product's. */
    tg_cart anon = {.channel = TG_CHANNEL_TIKTOK, .n = 1};
    anon.line[0] = cart_line(product_with("tops", "S"), "S", 1, 19.99, 0,
                             0.4);
    anon.ref_hashtag_id = tu_int(
        S, "SELECT hashtag_id FROM trend_state WHERE captured_at <= %lld"
           " AND views_24h > 0 AND hashtag_id NOT IN (SELECT hashtag_id FROM"
           " product_tags WHERE product_id = %lld) ORDER BY captured_at DESC"
           " LIMIT 1", now, (long long)anon.line[0].product_id);
    features_of(sh, &anon, x[3]);
    assert_false(isnan(x[3][TG_F_trend_log_views_24h]));
    tg_line_score low = {0.49, NULL}; /* below: scored, nothing queued */
    before = count_rows();
    checkout(sh, &anon, &low, code2, ids + 3);
    assert_int_equal(count_rows(), before + 1000000 + 1000);
    assert_string_not_equal(code, code2);
    assert_int_equal(tu_int(S, "SELECT COUNT(DISTINCT order_code) FROM"
                               " purchases WHERE ordered_at = %lld AND"
                               " source = 'app'", now), 2);
    /* The view gives the stored lines the features they had in the cart. */
    view_rows v;
    view_load(&v);
    long inexact = 0;
    for (int i = 0; i < 4; i++)
        assert_true(compare_row(x[i], view_x(&v, ids[i]), ids[i], &inexact));
    view_free(&v);
    shop_free(sh);
}

static void checkout_is_atomic(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    tg_err err = {0};
    tg_cart cart = bracket_cart(1);
    tg_line_score sc[3] = {{0.9, NULL}, {0.9, NULL}, {0.9, NULL}};
    char code[32] = "untouched";
    int64_t ids[3] = {-1, -1, -1};
    long long before = count_rows();
    /* The last line fails after the first two were written. */
    cart.line[2].product_id = 999999;
    assert_int_equal(shop_checkout(sh, &cart, sc, 77, code, sizeof code, ids,
                                   &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "cart line 3"));
    cart = bracket_cart(1);
    tg_strlcpy(cart.line[1].size, "XXXL", sizeof cart.line[1].size);
    assert_int_equal(shop_checkout(sh, &cart, sc, 77, code, sizeof code, ids,
                                   &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "XXXL"));
    cart = bracket_cart(999999); /* no such customer: a foreign key */
    assert_int_equal(shop_checkout(sh, &cart, sc, 77, code, sizeof code, ids,
                                   &err), TG_EDATA);
    cart = bracket_cart(1);
    cart.line[2].discount_pct = 100;
    assert_int_equal(shop_checkout(sh, &cart, sc, 77, code, sizeof code, ids,
                                   &err), TG_EDATA);
    cart.n = 0;
    assert_int_equal(shop_checkout(sh, &cart, sc, 77, code, sizeof code, ids,
                                   &err), TG_EDATA);
    assert_int_equal(count_rows(), before);
    assert_string_equal(code, "untouched");
    assert_int_equal(ids[0], -1);
    /* Nothing was left open: the next checkout goes through. */
    cart = bracket_cart(1);
    assert_int_equal(shop_checkout(sh, &cart, NULL, 0, NULL, 0, NULL, &err),
                     TG_OK);
    assert_int_equal(count_rows(), before + 3000000);
    shop_free(sh);
}

static tg_order_line ol[1000];

static int orders(tg_shop *sh, int64_t customer)
{
    int got = -1;
    tg_err err = {0};
    if (shop_orders(sh, customer, ol, 1000, &got, &err) != TG_OK)
        fail_msg("orders: %s", err.msg);
    return got;
}

static int find_line(int n, int64_t id)
{
    for (int i = 0; i < n; i++)
        if (ol[i].purchase_id == id)
            return i;
    fail_msg("line %lld is not listed", (long long)id);
    return -1;
}

static void orders_newest_first(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    /* the shopper with most returns recorded by now */
    int64_t c = tu_int(S, "SELECT p.customer_id FROM purchases p JOIN"
                          " returns r ON r.purchase_id = p.id WHERE"
                          " r.returned_at <= %lld GROUP BY p.customer_id"
                          " ORDER BY COUNT(*) DESC LIMIT 1", now);
    tg_cart cart = bracket_cart(c);
    char code[32];
    int64_t ids[3];
    tg_line_score sc[3] = {{0.3, NULL}, {0.6, NULL}, {NAN, NULL}};
    checkout(sh, &cart, sc, code, ids);
    int n = orders(sh, c);
    assert_int_equal(n, tu_int(S, "SELECT COUNT(*) FROM purchases WHERE"
                                  " customer_id = %lld AND ordered_at <="
                                  " %lld", (long long)c, now));
    for (int i = 1; i < n; i++)
        assert_true(ol[i - 1].ordered_at > ol[i].ordered_at ||
                    (ol[i - 1].ordered_at == ol[i].ordered_at &&
                     ol[i - 1].purchase_id > ol[i].purchase_id));
    assert_int_equal(ol[0].purchase_id, ids[2]);
    assert_string_equal(ol[0].order_code, code);
    assert_true(ol[0].returnable && !ol[0].returned);
    assert_true(isnan(ol[0].p_return));
    assert_float_equal(ol[1].p_return, 0.6, 0);
    assert_string_equal(ol[1].size, "L");
    assert_int_equal(ol[0].quantity, 2);
    int returned = 0, expired = 0;
    for (int i = 0; i < n; i++) {
        long long id = (long long)ol[i].purchase_id;
        long long ret = tu_int(S, "SELECT COUNT(*) FROM returns WHERE"
                                  " purchase_id = %lld", id);
        assert_int_equal(ol[i].returned, ret > 0);
        if (ol[i].returned) {
            returned++;
            assert_int_equal(ol[i].returned_at,
                             tu_int(S, "SELECT MIN(returned_at) FROM returns"
                                       " WHERE purchase_id = %lld", id));
            assert_true(ol[i].reason[0] != '\0');
        }
        expired += !ol[i].returned && !ol[i].returnable;
        assert_int_equal(ol[i].returnable,
                         !ret && now <= ol[i].ordered_at + 2592000);
    }
    assert_true(returned >= 2 && expired >= 1);
    shop_free(sh);
}

/* A scorer that keeps the features it was given. */
static float scored_x[TG_NUM_FEATURES];
static void keep_features(void *ctx, const float *x, tg_line_score *out)
{
    (void)ctx;
    memcpy(scored_x, x, sizeof scored_x);
    out->p = 0.61;
    out->drivers = "[]";
}

static void returns_and_exchanges(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    tg_err err = {0};
    tg_cart cart = bracket_cart(2);
    char code[32];
    int64_t ids[3];
    checkout(sh, &cart, NULL, code, ids);
    long long before = count_rows();
    long long returns = tu_int(S, "SELECT COUNT(*) FROM returns");
    /* refused, nothing written */
    assert_int_equal(shop_return(sh, ids[0], "bored", NULL, NULL, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "bored"));
    assert_int_equal(shop_return(sh, ids[0], NULL, NULL, NULL, &err), TG_EDATA);
    assert_int_equal(shop_return(sh, ids[0], "too_large", "XXXL", NULL, &err),
                     TG_EDATA);
    assert_non_null(strstr(err.msg, "XXXL"));
    assert_int_equal(shop_return(sh, 999999, "too_large", NULL, NULL, &err),
                     TG_ENOINPUT);
    long long old = tu_int(S, "SELECT id FROM purchases p WHERE ordered_at <"
                              " %lld AND NOT EXISTS (SELECT 1 FROM returns r"
                              " WHERE r.purchase_id = p.id) LIMIT 1",
                           now - 2592000);
    assert_int_equal(shop_return(sh, old, "quality", NULL, NULL, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "30 days"));
    long long done = tu_int(S, "SELECT purchase_id FROM returns LIMIT 1");
    assert_int_equal(shop_return(sh, done, "quality", NULL, NULL, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "already returned"));
    assert_int_equal(count_rows(), before);
    assert_int_equal(tu_int(S, "SELECT COUNT(*) FROM returns"), returns);
    /* a refund: recorded with its reason, then refused a second time */
    assert_int_equal(shop_return(sh, ids[0], "too_large", NULL, NULL, &err), TG_OK);
    assert_int_equal(tu_int(S, "SELECT COUNT(*) FROM returns WHERE"
                               " purchase_id = %lld AND reason = 'too_large'"
                               " AND returned_at = %lld AND quantity = 1",
                            (long long)ids[0], now), 1);
    assert_int_equal(shop_return(sh, ids[0], "too_large", NULL, NULL, &err),
                     TG_EDATA);
    int n = orders(sh, 2);
    int k = find_line(n, ids[0]);
    assert_true(ol[k].returned && !ol[k].returnable);
    assert_string_equal(ol[k].reason, "too_large");
    assert_int_equal(ol[k].returned_at, now);
    /* two exchanges from one order: "<order>-X", then "<order>-X2" */
    tg_line_scoring scoring = {keep_features, NULL, 77};
    assert_int_equal(shop_return(sh, ids[1], "too_small", "xl", &scoring,
                                 &err), TG_OK);
    assert_int_equal(shop_return(sh, ids[2], "changed_mind", "one", NULL, &err),
                     TG_OK);
    assert_int_equal(tu_int(S, "SELECT COUNT(*) FROM purchases WHERE"
                               " order_code = '%s-X' AND size = 'XL' AND"
                               " source = 'app-exchange' AND unit_price ="
                               " 31.5 AND customer_id = 2 AND product_id ="
                               " %lld AND ordered_at = %lld", code,
                            (long long)cart.line[1].product_id, now), 1);
    assert_int_equal(tu_int(S, "SELECT quantity FROM purchases WHERE"
                               " order_code = '%s-X2' AND size = 'ONE'",
                            code), 2);
    assert_int_equal(tu_int(S, "SELECT COUNT(*) FROM returns WHERE"
                               " purchase_id IN (%lld, %lld)",
                            (long long)ids[1], (long long)ids[2]), 2);
    n = orders(sh, 2);
    assert_true(ol[0].returnable && strstr(ol[0].order_code, "-X2"));
    assert_true(isnan(ol[0].p_return)); /* no scoring asked for */
    /* The replacement is scored from its features as the store holds
     * them, the return included: the training set's row. */
    int x1 = find_line(n, tu_int(S, "SELECT id FROM purchases WHERE"
                                    " order_code = '%s-X'", code));
    assert_float_equal(ol[x1].p_return, 0.61, 1e-12);
    view_rows v;
    view_load(&v);
    long inexact = 0;
    assert_true(compare_row(scored_x, view_x(&v, ol[x1].purchase_id),
                            ol[x1].purchase_id, &inexact));
    view_free(&v);
    /* the window: open on its 30th day, closed one second later */
    checkout(sh, &cart, NULL, code, ids);
    shop_set_now(sh, now + 2592000 + 1);
    assert_int_equal(shop_return(sh, ids[0], "quality", NULL, NULL, &err),
                     TG_EDATA);
    n = orders(sh, 2);
    assert_false(ol[find_line(n, ids[0])].returnable);
    shop_set_now(sh, now + 2592000);
    assert_int_equal(shop_return(sh, ids[0], "quality", NULL, NULL, &err), TG_OK);
    /* not yet ordered at an earlier clock */
    shop_set_now(sh, now - 1);
    assert_int_equal(shop_return(sh, ids[1], "quality", NULL, NULL, &err),
                     TG_EDATA);
    shop_free(sh);
}

/* An old line of the cart's product and shopper with a return, written
 * through store s. */
static void add_old_return(tg_store *s, const tg_cart *cart, long long now,
                           int k)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO purchases(line_code, order_code, customer_id,"
             " product_id, size, quantity, unit_price, ordered_at)"
             " VALUES('OLD-%d', 'OLD-%d', %lld, %lld, 'M', 1, 10, %lld);"
             "INSERT INTO returns(code, purchase_id, returned_at, reason)"
             " VALUES('OLD-R%d', last_insert_rowid(), %lld, 'quality');",
             k, k, (long long)cart->customer_id,
             (long long)cart->line[0].product_id, now - 40 * TG_DAY, k,
             now - 39 * TG_DAY);
    tg_err err = {0};
    if (store_exec(s, sql, &err) != TG_OK)
        fail_msg("old return: %s", err.msg);
}

/* The features of a cached shop equal a fresh shop's. */
static void assert_fresh(tg_shop *sh, const tg_cart *cart, float *x)
{
    float y[TG_NUM_FEATURES];
    tg_shop *fresh = open_shop(shop_now(sh));
    features_of(sh, cart, x);
    features_of(fresh, cart, y);
    long inexact = 0;
    assert_true(compare_row(x, y, 0, &inexact));
    shop_free(fresh);
}

/* History is cached, and the cache follows writes on this connection
 * and commits by another, but outlives the shop's own checkout. */
static void history_cache_follows_the_store(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    tg_cart cart = bracket_cart(3);
    cart.n = 1;
    float a[TG_NUM_FEATURES], b[TG_NUM_FEATURES], c[TG_NUM_FEATURES];
    assert_fresh(sh, &cart, a);
    tg_err err = {0};
    tg_store *other = store_open(store_path(S), 0, &err);
    assert_non_null(other);
    add_old_return(other, &cart, now, 1);
    store_close(other);
    assert_fresh(sh, &cart, b);
    assert_true(b[TG_F_product_prior_return_rate] >
                a[TG_F_product_prior_return_rate]);
    assert_true(b[TG_F_cust_prior_return_rate] >
                a[TG_F_cust_prior_return_rate]);
    add_old_return(S, &cart, now, 2);
    assert_fresh(sh, &cart, c);
    assert_true(c[TG_F_product_prior_return_rate] >
                b[TG_F_product_prior_return_rate]);
    assert_true(c[TG_F_cust_prior_orders] == b[TG_F_cust_prior_orders]);
    /* A checkout at now changes no history at now: the caches stay, and
     * still agree with a fresh shop's reading. */
    char code[32];
    int64_t ids[TG_CART_MAX];
    float d[TG_NUM_FEATURES];
    checkout(sh, &cart, NULL, code, ids);
    assert_int_equal(sh->cust_id, cart.customer_id);
    assert_int_equal(sh->rates[(uint64_t)cart.line[0].product_id %
                               SHOP_RATE_CACHE].product_id,
                     cart.line[0].product_id);
    assert_fresh(sh, &cart, d);
    assert_memory_equal(c, d, sizeof c);
    /* A write of another kind still empties them. */
    add_old_return(S, &cart, now, 3);
    assert_int_equal(shop_cache_check(sh, &err), TG_OK);
    assert_int_equal(sh->cust_id, 0);
    shop_free(sh);
}

/* What a shop on another connection read is taken while neither shop's
 * store has moved since the mark, and agrees with a fresh reading; after
 * a write, nothing is taken. */
static void history_shared_between_shops(void **state)
{
    (void)state;
    tg_shop *sh = open_shop(0);
    long long now = (long long)shop_now(sh);
    tg_err err = {0};
    tg_store *s2 = store_open(store_path(S), STORE_READONLY, &err);
    assert_non_null(s2);
    tg_shop *other = shop_open(s2, now, &err);
    assert_non_null(other);
    tg_cart cart = bracket_cart(3);
    cart.n = 1;
    float x[TG_NUM_FEATURES], y[TG_NUM_FEATURES];
    tg_shop_mark m;
    assert_int_equal(shop_cache_mark(sh, &m, &err), TG_OK);
    features_of(other, &cart, x);
    int64_t latest = 0;
    assert_int_equal(shop_trend_latest(other, &latest, &err), TG_OK);
    assert_int_equal(sh->cust_id, 0);
    shop_cache_share(sh, &m, other);
    assert_int_equal(sh->cust_id, cart.customer_id);
    assert_int_equal(sh->latest_for, now);
    assert_int_equal(sh->latest, latest);
    assert_int_equal(sh->rates[(uint64_t)cart.line[0].product_id %
                               SHOP_RATE_CACHE].product_id,
                     cart.line[0].product_id);
    assert_fresh(sh, &cart, y);
    assert_memory_equal(x, y, sizeof x);
    /* A write after the mark: the other shop's reading is not taken. */
    assert_int_equal(shop_cache_mark(sh, &m, &err), TG_OK);
    add_old_return(S, &cart, now, 4);
    features_of(other, &cart, x);
    shop_cache_share(sh, &m, other);
    assert_int_equal(sh->cust_id, 0);
    shop_free(other);
    store_close(s2);
    shop_free(sh);
}

/* A store with nothing in it: the wall clock, and empty lists. */
static void empty_store(void **state)
{
    (void)state;
    char d[256];
    tu_tmpdir(d, sizeof d);
    tg_store *s = tu_store(d, "empty.db");
    tg_err err = {0};
    int64_t t = (int64_t)time(NULL);
    tg_shop *sh = shop_open(s, 0, &err);
    assert_non_null(sh);
    assert_true(shop_now(sh) >= t && shop_now(sh) <= t + 5);
    int got = -1;
    tg_persona p;
    assert_int_equal(shop_personas(sh, &p, 1, &got, &err), TG_OK);
    assert_int_equal(got, 0);
    assert_int_equal(shop_trending(sh, NULL, it, 10, &got, &err), TG_OK);
    assert_int_equal(got, 0);
    assert_int_equal(shop_orders(sh, 1, ol, 10, &got, &err), TG_OK);
    assert_int_equal(got, 0);
    tg_cart cart = {.n = 1, .line[0] = {.product_id = 1, .quantity = 1}};
    float x[TG_NUM_FEATURES];
    assert_int_equal(shop_line_features(sh, &cart, 0, x, &err), TG_ENOINPUT);
    assert_int_equal(shop_checkout(sh, &cart, NULL, 0, NULL, 0, NULL, &err),
                     TG_EDATA);
    shop_free(sh);
    shop_free(NULL);
    store_close(s);
    tu_rmrf(d);
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
        cmocka_unit_test(checkout_queues_and_round_trips),
        cmocka_unit_test(checkout_is_atomic),
        cmocka_unit_test(orders_newest_first),
        cmocka_unit_test(returns_and_exchanges),
        cmocka_unit_test(history_cache_follows_the_store),
        cmocka_unit_test(history_shared_between_shops),
        cmocka_unit_test(empty_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
