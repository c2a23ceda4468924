/* test_shop_orders.c: the shop's writes and caches, on the shop
 * fixture's demo store (shop_fixture.h): checkout is atomic, scores at
 * the threshold queue interventions, order codes are unique in one
 * second; past orders and returns, refused when they should be, and
 * exchanges; the history cache follows writes here and commits
 * elsewhere, survives the shop's own checkout and is shared between
 * shops only when nothing was written between and both read the same
 * file (not across a bulk load's new one); an empty store. */
#include "demo_store.h"

#include <math.h>
#include <stddef.h>
#include <time.h>

#include "core/shop_int.h" /* the history caches */
#include "trendguard/dataset.h"
#include "trendguard/shop.h"

#include "shop_fixture.h"

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
    /* The session's record written on the same connection, told as
     * such: the caches stay; not told: they go. */
    sqlite3 *db = store_db(S);
    for (int told = 1; told >= 0; told--) {
        features_of(sh, &cart, d);
        assert_int_equal(shop_cache_check(sh, &err), TG_OK);
        assert_int_equal(sh->cust_id, cart.customer_id);
        int64_t before = sqlite3_total_changes64(db);
        tu_run(S, "INSERT INTO ui_events(session, at_ms, kind, screen)"
                  " VALUES('cache-test', %lld, 'key', 'trending')", now);
        if (told)
            shop_cache_unrelated(sh, before, sqlite3_total_changes64(db));
        assert_int_equal(shop_cache_check(sh, &err), TG_OK);
        assert_int_equal(sh->cust_id, told ? cart.customer_id : 0);
    }
    /* A write of another kind still empties them. */
    features_of(sh, &cart, d);
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

/* A copy of the fixture's store at path. */
static void copy_store(const char *path)
{
    tu_run(S, "PRAGMA wal_checkpoint(TRUNCATE)");
    size_t len = 0;
    tg_err err = {0};
    char *bytes = tg_read_file(store_path(S), &len, (size_t)1 << 31, &err);
    assert_non_null(bytes);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
    free(bytes);
}

/* A connection opened before a bulk load moved a new file into place
 * reads the old file: what it read is not taken by a shop on the new
 * one, though neither has seen a write or a commit. */
static void history_not_shared_across_a_replaced_file(void **state)
{
    (void)state;
    char path[300], next[300];
    snprintf(path, sizeof path, "%s/replaced.db", dir);
    snprintf(next, sizeof next, "%s/replaced.next.db", dir);
    copy_store(path);
    copy_store(next);
    tg_err err = {0};
    tg_store *old = store_open(path, STORE_READONLY, &err);
    assert_non_null(old);
    tg_shop *worker = shop_open(old, 0, &err);
    assert_non_null(worker);
    assert_int_equal(rename(next, path), 0); /* as a bulk load moves it */
    assert_true(store_replaced(old));
    tg_store *cur = store_open(path, 0, &err);
    assert_non_null(cur);
    tg_shop *sh = shop_open(cur, shop_now(worker), &err);
    assert_non_null(sh);
    tg_shop_mark m;
    assert_int_equal(shop_cache_mark(sh, &m, &err), TG_OK);
    tg_cart cart = bracket_cart(3);
    cart.n = 1;
    float x[TG_NUM_FEATURES];
    features_of(worker, &cart, x);
    shop_cache_share(sh, &m, worker);
    assert_int_equal(sh->cust_id, 0);
    /* the same on a connection to the new file: taken */
    tg_store *again = store_open(path, STORE_READONLY, &err);
    assert_non_null(again);
    tg_shop *fresh = shop_open(again, shop_now(worker), &err);
    assert_non_null(fresh);
    features_of(fresh, &cart, x);
    shop_cache_share(sh, &m, fresh);
    assert_int_equal(sh->cust_id, cart.customer_id);
    shop_free(fresh);
    store_close(again);
    shop_free(sh);
    store_close(cur);
    shop_free(worker);
    store_close(old);
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
    tg_shop_item items[10];
    assert_int_equal(shop_trending(sh, NULL, items, 10, &got, &err), TG_OK);
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
        cmocka_unit_test(checkout_queues_and_round_trips),
        cmocka_unit_test(checkout_is_atomic),
        cmocka_unit_test(orders_newest_first),
        cmocka_unit_test(returns_and_exchanges),
        cmocka_unit_test(history_cache_follows_the_store),
        cmocka_unit_test(history_shared_between_shops),
        cmocka_unit_test(history_not_shared_across_a_replaced_file),
        cmocka_unit_test(empty_store),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
