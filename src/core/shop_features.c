/* shop_features.c: the features of a line that is only in a cart,
 * computed live with v_training_set's definitions (schema.c) as if the
 * cart were ordered at the shop's now: the trend's state at now, the
 * shopper's and the product's history before now (matured lines only for
 * return rates), the basket as the cart holds it. A NULL of the view is a
 * NaN here, and NaN flows through the same arithmetic as NULL does. */
#include "shop_int.h"
#include "trendguard/estimates.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static double size_rank_or_nan(const tg_shop *sh, const char *name)
{
    int shoe, r = shop_size_rank(sh, name, &shoe);
    return r < 0 ? NAN : r;
}

/* customers row: a missing one leaves every fact NULL, as the view's
 * LEFT JOIN does. */
static int read_customer(tg_shop *sh, int64_t id, shop_cust *c,
                         tg_err *err)
{
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_CUSTOMER);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c->segment = shop_col(st, 1);
        c->usual_rank = size_rank_or_nan(
            sh, (const char *)sqlite3_column_text(st, 3));
        c->shoe_rank = size_rank_or_nan(
            sh, (const char *)sqlite3_column_text(st, 4));
        c->age_band = shop_col(st, 5);
        c->joined_at = shop_col(st, 6);
        c->lines_before = shop_col(st, 7);
        c->returns_before = shop_col(st, 8);
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? TG_OK
             : shop_fail(sh, err, "reading a customer");
    sqlite3_reset(st);
    return rc;
}

/* The customer's lines before now (purchases_by_customer). */
static int read_history(tg_shop *sh, int64_t id, shop_cust *c, tg_err *err)
{
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_CUST_HISTORY);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, sh->now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c->c_lines = (double)sqlite3_column_int64(st, 0);
        c->c_returns = (double)sqlite3_column_int64(st, 1); /* COALESCE 0 */
        c->mean_price = shop_col(st, 2);
        c->prior_orders = (double)sqlite3_column_int64(st, 3);
        for (int g = 0; g < 2; g++) { /* SUM of none: 0, as COALESCE */
            c->s_obs[g] = (double)sqlite3_column_int64(st, 4 + 2 * g);
            c->s_sum[g] = (double)sqlite3_column_int64(st, 5 + 2 * g);
        }
    }
    rc = rc == SQLITE_ROW ? TG_OK
                          : shop_fail(sh, err, "reading a customer's history");
    sqlite3_reset(st);
    return rc;
}

/* The customer's facts at now (cached while the store is unchanged). */
static int customer_facts(tg_shop *sh, int64_t id, shop_cust *c,
                          tg_err *err)
{
    static const shop_cust unknown = {NAN, NAN, NAN, NAN, NAN, NAN, NAN,
                                      NAN, NAN, NAN, NAN, {NAN, NAN},
                                      {NAN, NAN}};
    *c = unknown;
    int rc = id ? shop_cache_check(sh, err) : TG_OK;
    if (rc != TG_OK || !id)
        return rc;
    if (sh->cust_id == id && sh->cust_at == sh->now) {
        *c = sh->cust;
        return TG_OK;
    }
    if ((rc = read_customer(sh, id, c, err)) != TG_OK ||
        (rc = read_history(sh, id, c, err)) != TG_OK)
        return rc;
    sh->cust = *c;
    sh->cust_id = id;
    sh->cust_at = sh->now;
    return TG_OK;
}

int shop_size_estimate(tg_shop *sh, int64_t customer_id, int is_shoe,
                       tg_size_estimate *out, tg_err *err)
{
    shop_cust c;
    memset(out, 0, sizeof *out);
    int rc = customer_facts(sh, customer_id, &c, err);
    if (rc != TG_OK)
        return rc;
    int g = is_shoe ? 1 : 0;
    double decl = g ? c.shoe_rank : c.usual_rank, obs = c.s_obs[g];
    if (isnan(obs))
        obs = 0;
    out->declared = !isnan(decl);
    out->lines = (long)obs;
    /* The estimate is the size that est_size_vs_usual puts at 0. */
    double est = -est_size_vs_usual(0, decl, obs, obs ? c.s_sum[g] : 0);
    if (isnan(est))
        return TG_OK;
    long r = lround(est);
    if (g)
        snprintf(out->size, sizeof out->size, "%ld", r);
    else
        snprintf(out->size, sizeof out->size, "%s",
                 tg_size_names[r < 0 ? 0 : r >= tg_num_sizes ? tg_num_sizes - 1
                                                              : r]);
    return TG_OK;
}

int shop_size_story(tg_shop *sh, int64_t customer_id, int is_shoe,
                    char *buf, size_t n, tg_err *err)
{
    tg_size_estimate e;
    int rc = shop_size_estimate(sh, customer_id, is_shoe, &e, err);
    if (rc != TG_OK)
        return rc;
    const char *what = is_shoe ? "shoe " : "";
    if (!e.size[0])
        snprintf(buf, n, "Your %ssize: not known yet", what);
    else if (e.lines > 0 && e.declared)
        snprintf(buf, n, "Your %ssize: %s (profile + %ld item%s)", what,
                 e.size, e.lines, e.lines == 1 ? "" : "s");
    else if (e.lines > 0)
        snprintf(buf, n, "Your %ssize: %s (from %ld item%s)", what, e.size,
                 e.lines, e.lines == 1 ? "" : "s");
    else
        snprintf(buf, n, "Your %ssize: %s (your profile)", what, e.size);
    return TG_OK;
}

static void trend_features(const shop_trend *t, int64_t now, float *x)
{
    x[TG_F_trend_growth_24h] = (float)t->growth_24h;
    x[TG_F_trend_growth_7d] = (float)t->growth_7d;
    x[TG_F_trend_days_since_peak] =
        (float)(((double)now - t->peak_at) / 86400.0);
    x[TG_F_trend_age_days] = (float)(((double)now - t->first_at) / 86400.0);
    /* SQLite's log10 of a value <= 0 is NULL. */
    double v = t->views_24h + 1;
    x[TG_F_trend_log_views_24h] = v > 0 ? (float)log10(v) : NAN;
}

static int same_size(const char *a, const char *b)
{
    return strncmp(a, b, sizeof ((tg_cart_line *)0)->size) == 0;
}

/* Lines in the order, distinct sizes of this item (binary compare, ""
 * for none) and other lines of the same category. */
static int basket_features(tg_shop *sh, const tg_cart *cart, int i,
                           int category, float *x, tg_err *err)
{
    const tg_cart_line *li = &cart->line[i];
    int sizes = 0, same = 0;
    for (int k = 0; k < cart->n; k++) {
        const tg_cart_line *l = &cart->line[k];
        if (l->product_id == li->product_id) {
            int seen = 0;
            for (int j = 0; j < k && !seen; j++)
                seen = cart->line[j].product_id == li->product_id &&
                       same_size(cart->line[j].size, l->size);
            sizes += !seen;
            same++;
            continue;
        }
        shop_product p;
        int rc = shop_read_product(sh, l->product_id, &p, err);
        if (rc != TG_OK)
            return rc;
        same += p.category == category;
    }
    x[TG_F_basket_lines] = (float)cart->n;
    x[TG_F_sizes_of_item] = (float)sizes;
    x[TG_F_same_category_lines] = (float)(same - 1);
    return TG_OK;
}

static void customer_features(const shop_cust *c, const tg_cart_line *l,
                              int64_t now, float *x)
{
    x[TG_F_price_vs_usual] =
        c->mean_price > 0 ? (float)(l->unit_price / c->mean_price) : NAN;
    x[TG_F_cust_prior_orders] = (float)c->prior_orders;
    /* (returns before + returns of matured lines + 0.3 x 4)
     * / (lines before + matured lines + 4) */
    x[TG_F_cust_prior_return_rate] =
        (float)((c->returns_before + c->c_returns + 0.3 * 4.0) /
                (c->lines_before + c->c_lines + 4.0));
    x[TG_F_cust_tenure_days] =
        (float)(((double)now - c->joined_at) / 86400.0);
    x[TG_F_cust_segment] = (float)c->segment;
    x[TG_F_cust_age_band] = (float)c->age_band;
}

/* The size against the shop's estimate of the shopper's size in the
 * size's system (estimates.h): accessories and one size 0, an anonymous
 * shopper NaN; an unknown size has no system (NaN, no history). */
static void size_features(const tg_shop *sh, const shop_cust *c,
                          int customer, const char *size, int category,
                          float *x)
{
    int shoe, r = shop_size_rank(sh, size, &shoe);
    if (category == TG_CAT_ACCESSORIES || (r >= 0 && tg_strieq(size, "ONE"))) {
        x[TG_F_size_vs_usual] = x[TG_F_size_history] = 0;
        return;
    }
    if (!customer)
        return; /* NaN */
    if (r < 0) {
        x[TG_F_size_history] = 0;
        return;
    }
    int g = shoe ? 1 : 0;
    x[TG_F_size_vs_usual] = (float)est_size_vs_usual(
        r, shoe ? c->shoe_rank : c->usual_rank, c->s_obs[g], c->s_sum[g]);
    x[TG_F_size_history] = (float)c->s_obs[g];
}

static int check_cart(const tg_cart *cart, int i, tg_err *err)
{
    if (!cart || cart->n < 1 || cart->n > TG_CART_MAX)
        return tg_fail(err, TG_EUSAGE, "a cart holds 1 to %d lines",
                       TG_CART_MAX);
    if (i < 0 || i >= cart->n)
        return tg_fail(err, TG_EUSAGE, "the cart has no line %d", i);
    if (cart->channel < 0 || cart->channel >= TG_NUM_CHANNELS)
        return tg_fail(err, TG_EUSAGE, "unknown channel %d", cart->channel);
    return TG_OK;
}

int shop_line_features(tg_shop *sh, const tg_cart *cart, int i, float *x,
                       tg_err *err)
{
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        x[f] = NAN;
    int rc = check_cart(cart, i, err);
    if (rc != TG_OK)
        return rc;
    const tg_cart_line *l = &cart->line[i];
    int64_t now = sh->now;
    shop_product p;
    shop_trend t;
    shop_cust c;
    if ((rc = shop_read_product(sh, l->product_id, &p, err)) != TG_OK ||
        (rc = shop_read_trend(sh, cart->ref_hashtag_id ? cart->ref_hashtag_id
                                                       : p.hashtag_id,
                              now, &t, err)) != TG_OK ||
        (rc = basket_features(sh, cart, i, p.category, x, err)) != TG_OK ||
        (rc = customer_facts(sh, cart->customer_id, &c, err)) != TG_OK)
        return rc;
    shop_rate pf;
    if ((rc = shop_product_facts(sh, &p, now, &pf, err)) != TG_OK)
        return rc;
    trend_features(&t, now, x);
    x[TG_F_channel] = (float)cart->channel;
    x[TG_F_hour_of_day] = (float)((now % 86400) / 3600);
    x[TG_F_day_of_week] = (float)(((now / 86400) + 3) % 7);
    x[TG_F_view_minutes] = (float)l->view_minutes;
    x[TG_F_discount_pct] = (float)l->discount_pct;
    x[TG_F_price] = (float)l->unit_price;
    if (cart->customer_id)
        customer_features(&c, l, now, x);
    size_features(sh, &c, cart->customer_id != 0, l->size, p.category, x);
    x[TG_F_pay_later] = cart->pay_later ? 1.0f : 0.0f;
    x[TG_F_fit_note] = (float)p.fit_note;
    x[TG_F_fit_learned] = (float)pf.fit.learned;
    x[TG_F_fit_returns] = (float)(pf.fit.small + pf.fit.large);
    x[TG_F_product_prior_return_rate] = (float)pf.rate;
    x[TG_F_product_age_days] =
        (float)(((double)now - p.launched_at) / 86400.0);
    x[TG_F_category] = (float)p.category;
    return TG_OK;
}
