/* shop_items.c: the items a shopper browses: the products of the trends
 * hot at now (fresh in the store's newest trend data, by the views their
 * primary hashtag gained over the last 24 h), filtered by category, trend phase, price and a search text, and
 * one item with its sizes, smoothed return rate, trend state and a
 * sparkline of the views its trend gained per day. */
#include "shop_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void shop_filter_init(tg_shop_filter *f)
{
    f->category = -1;
    f->phase = -1;
    f->min_price = f->max_price = 0;
    f->search = NULL;
}

/* spark[d] for the day (start + d days, start + d + 1 days]: the views
 * the trend gained in the 24 h before the day's latest snapshot
 * (trend_state.views_24h); NaN when the day has no snapshot. */
static int read_spark(tg_shop *sh, int64_t hashtag_id, double *spark,
                      tg_err *err)
{
    for (int d = 0; d < TG_SHOP_SPARK_DAYS; d++)
        spark[d] = NAN;
    if (!hashtag_id)
        return TG_OK;
    int64_t start = sh->now - (int64_t)TG_SHOP_SPARK_DAYS * TG_DAY;
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_SPARK);
    sqlite3_bind_int64(st, 1, hashtag_id);
    sqlite3_bind_int64(st, 2, start);
    sqlite3_bind_int64(st, 3, sh->now);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t d = (sqlite3_column_int64(st, 0) - start - 1) / TG_DAY;
        if (d >= 0 && d < TG_SHOP_SPARK_DAYS)
            spark[d] = shop_col(st, 1); /* the latest of the day wins */
    }
    rc = rc == SQLITE_DONE ? TG_OK
                           : shop_fail(sh, err, "reading a trend's days");
    sqlite3_reset(st);
    return rc;
}

static void copy_product(const shop_product *p, tg_shop_item *out)
{
    out->product_id = p->id;
    tg_strlcpy(out->code, p->code, sizeof out->code);
    tg_strlcpy(out->name, p->name, sizeof out->name);
    tg_strlcpy(out->brand, p->brand, sizeof out->brand);
    out->category = p->category;
    out->price = p->price;
    out->fit_note = isnan(p->fit_note) ? 2 : (int)p->fit_note;
    out->n_sizes = p->n_sizes;
    for (int i = 0; i < p->n_sizes; i++)
        tg_strlcpy(out->sizes[i], p->sizes[i], sizeof out->sizes[i]);
    out->launched_at = isnan(p->launched_at) ? 0 : (int64_t)p->launched_at;
    out->hashtag_id = p->hashtag_id;
    tg_strlcpy(out->hashtag, p->hashtag, sizeof out->hashtag);
}

int shop_item(tg_shop *sh, int64_t product_id, tg_shop_item *out,
              tg_err *err)
{
    shop_product p;
    shop_trend t;
    shop_rate f;
    memset(out, 0, sizeof *out);
    int rc = shop_read_product(sh, product_id, &p, err);
    if (rc == TG_OK)
        rc = shop_read_trend(sh, p.hashtag_id, sh->now, &t, err);
    if (rc == TG_OK)
        rc = shop_product_facts(sh, &p, sh->now, &f, err);
    if (rc == TG_OK)
        rc = read_spark(sh, p.hashtag_id, out->spark, err);
    if (rc != TG_OK)
        return rc;
    copy_product(&p, out);
    out->product_return_rate = f.rate;
    out->fit_learned = f.fit_learned;
    out->fit_small = (long)f.small;
    out->fit_large = (long)f.large;
    out->phase = shop_trend_phase(&t, sh->now);
    out->trend_at = t.known ? (int64_t)t.captured_at : 0;
    int64_t latest = 0;
    if (t.known && (rc = shop_trend_latest(sh, &latest, err)) != TG_OK)
        return rc;
    out->trend_fresh = t.known && t.captured_at > (double)(latest - TG_DAY);
    out->views_24h = t.views_24h;
    out->growth_7d = t.growth_7d;
    return TG_OK;
}

void shop_fit_story(const tg_shop_item *it, char *buf, size_t n)
{
    buf[0] = '\0';
    if (it->category == TG_CAT_ACCESSORIES || it->n_sizes < 2)
        return;
    long s = it->fit_small, l = it->fit_large, all = s + l;
    double f = it->fit_learned;
    const char *how = f <= -0.5 ? "runs small" : f >= 0.5 ? "runs large"
                                                          : "true to size";
    if (all == 0 && it->fit_note == 2)
        snprintf(buf, n, "Fit: no note, no size returns yet");
    else if (all == 0)
        snprintf(buf, n, "Fit: %s (the shop's note)", how);
    else if (f <= -0.5 || f >= 0.5)
        snprintf(buf, n, "Fit: %s (%ld of %ld size returns too %s)", how,
                 f < 0 ? s : l, all, f < 0 ? "small" : "large");
    else
        snprintf(buf, n, "Fit: %s (%ld too small, %ld too large)", how, s, l);
}

/* A price bound, 0 for none (a NaN would bind as NULL and match nothing). */
static double bound(double price)
{
    return price > 0 && !isinf(price) ? price : 0;
}

/* f may be NULL: everything. */
static void bind_filter(sqlite3_stmt *st, int64_t now, int64_t latest,
                        const tg_shop_filter *f)
{
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 6, latest);
    sqlite3_bind_int(st, 2, f && f->category >= 0 ? f->category : -1);
    sqlite3_bind_double(st, 3, f ? bound(f->min_price) : 0);
    sqlite3_bind_double(st, 4, f ? bound(f->max_price) : 0);
    if (f && f->search && *f->search)
        sqlite3_bind_text(st, 5, f->search, -1, SQLITE_TRANSIENT);
}

/* The products in order, after the filters SQL applies; the phase (a C
 * rule) is checked here. */
static int trending_ids(tg_shop *sh, const tg_shop_filter *f, int64_t *ids,
                        int n, int *got, tg_err *err)
{
    int64_t latest;
    *got = 0;
    int rc = shop_trend_latest(sh, &latest, err);
    if (rc != TG_OK)
        return rc;
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_TRENDING);
    bind_filter(st, sh->now, latest, f);
    rc = SQLITE_DONE;
    while (*got < n && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        shop_trend t = {.known = 1, .week = shop_col(st, 1),
                        .prev_week = shop_col(st, 2),
                        .best_week = shop_col(st, 3),
                        .captured_at = shop_col(st, 4),
                        .views_24h = shop_col(st, 5)};
        if (f && f->phase >= 0 && shop_trend_phase(&t, sh->now) != f->phase)
            continue;
        ids[(*got)++] = sqlite3_column_int64(st, 0);
    }
    rc = *got == n || rc == SQLITE_DONE
             ? TG_OK
             : shop_fail(sh, err, "listing the trending items");
    sqlite3_reset(st);
    return rc;
}

int shop_trending(tg_shop *sh, const tg_shop_filter *f, tg_shop_item *out,
                  int n, int *got, tg_err *err)
{
    *got = 0;
    if (n <= 0)
        return TG_OK;
    int64_t *ids = malloc((size_t)n * sizeof *ids);
    if (!ids)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int k = 0, rc = trending_ids(sh, f, ids, n, &k, err);
    for (int i = 0; rc == TG_OK && i < k; i++)
        if ((rc = shop_item(sh, ids[i], &out[i], err)) == TG_OK)
            *got = i + 1;
    free(ids);
    return rc;
}
