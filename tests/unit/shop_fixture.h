/* shop_fixture.h: the store test_shop.c and test_shop_orders.c share: a
 * demo store with a few odd rows added (anonymous orders, an untagged
 * product, missing sizes and customer facts, two orders in one second),
 * made by setup, a shop on it, and a line's features compared with the
 * training set's row. Include after demo_store.h. */
#ifndef TRENDGUARD_TEST_SHOP_FIXTURE_H
#define TRENDGUARD_TEST_SHOP_FIXTURE_H

#include <math.h>

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


/* ---- a line's features against the training set's row ------------------ */

/* The training set by purchase id. */
typedef struct view_rows {
    tg_dataset d;
    long *row; /* by purchase id, -1 when absent */
    int64_t max_id;
} view_rows;

static inline void view_load(view_rows *v)
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

static inline const float *view_x(const view_rows *v, int64_t id)
{
    if (id < 0 || id > v->max_id || v->row[id] < 0)
        fail_msg("line %lld is not in the training set", (long long)id);
    return v->d.x + (size_t)v->row[id] * v->d.nfeat;
}

static inline void view_free(view_rows *v)
{
    dataset_free(&v->d);
    free(v->row);
}

/* Equal, both missing, or (double-to-float rounding of a sum in another
 * order) within 1e-6 relative; *inexact counts the last kind. */
static inline int same_feature(float a, float b, long *inexact)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (a == b)
        return 1;
    *inexact += 1;
    return fabsf(a - b) <= 1e-6f * fmaxf(fabsf(a), fabsf(b));
}

static inline int compare_row(const float *got, const float *want, int64_t id,
                       long *inexact)
{
    int bad = 0;
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        if (!same_feature(got[f], want[f], inexact) && bad++ < 3)
            print_error("line %lld %s: shop %.9g, view %.9g\n",
                        (long long)id, features_name(f), got[f], want[f]);
    return bad == 0;
}

#endif
