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

/* The item of product p with its facts f: its trend's state and days at
 * now. */
static int item_from(tg_shop *sh, const shop_product *p, const shop_rate *f,
                     tg_shop_item *out, tg_err *err)
{
    shop_trend t;
    memset(out, 0, sizeof *out);
    int rc = shop_read_trend(sh, p->hashtag_id, sh->now, &t, err);
    if (rc == TG_OK)
        rc = read_spark(sh, p->hashtag_id, out->spark, err);
    if (rc != TG_OK)
        return rc;
    copy_product(p, out);
    out->product_return_rate = f->rate;
    out->fit = f->fit;
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

int shop_item(tg_shop *sh, int64_t product_id, tg_shop_item *out,
              tg_err *err)
{
    shop_product p;
    shop_rate f;
    memset(out, 0, sizeof *out);
    int rc = shop_read_product(sh, product_id, &p, err);
    if (rc == TG_OK)
        rc = shop_product_facts(sh, &p, sh->now, &f, err);
    return rc == TG_OK ? item_from(sh, &p, &f, out, err) : rc;
}

static const char *way_word(int way)
{
    return way < 0 ? "small" : "large";
}

/* The item's own size returns, leaning `way` (-1 small, +1 large): "8 size
 * returns, all too small", "1 size return, too small", "7 of 9 size
 * returns too small"; way 0: "2 too small, 1 too large". */
static void returns_words(const est_fit *f, int way, char *buf, size_t n)
{
    long all = f->small + f->large, with = way < 0 ? f->small : f->large;
    if (way == 0)
        snprintf(buf, n, "%ld too small, %ld too large", f->small, f->large);
    else if (all == 1)
        snprintf(buf, n, "1 size return, too %s", way_word(way));
    else if (with == all)
        snprintf(buf, n, "%ld size returns, all too %s", all, way_word(way));
    else
        snprintf(buf, n, "%ld of %ld size returns too %s", with, all,
                 way_word(way));
}

/* An estimate its own returns do not carry: from the note or the
 * category, and what returns there are. */
static void prior_story(const tg_shop_item *it, char *buf, size_t n)
{
    const est_fit *f = &it->fit;
    char ret[64] = "no size returns yet";
    if (f->small + f->large > 0)
        returns_words(f, 0, ret, sizeof ret);
    if (f->from_note)
        snprintf(buf, n, "Fit: runs %s (the shop's note; %s)",
                 way_word(f->runs), ret);
    else
        snprintf(buf, n, "Fit: runs %s (like most %s here; %s)",
                 way_word(f->runs), tg_category_names[it->category], ret);
}

void shop_fit_story(const tg_shop_item *it, char *buf, size_t n)
{
    const est_fit *f = &it->fit;
    char ret[64];
    buf[0] = '\0';
    if (it->category == TG_CAT_ACCESSORIES || it->n_sizes < 2)
        return;
    int way = f->runs ? f->runs : f->lean;
    returns_words(f, way, ret, sizeof ret);
    if (f->runs && f->lean == f->runs)
        snprintf(buf, n, "Fit: runs %s (%s)", way_word(way), ret);
    else if (f->runs)
        prior_story(it, buf, n);
    else if (way && it->fit_note == -way)
        snprintf(buf, n, "Fit: not sure (the shop's note says %s; %s)",
                 way_word(-way), ret);
    else if (way)
        snprintf(buf, n, "Fit: may run %s (%s; not enough to be sure)",
                 way_word(way), ret);
    else if (f->small + f->large > 0)
        snprintf(buf, n, "Fit: true to size (%s)", ret);
    else if (it->fit_note == 0)
        snprintf(buf, n, "Fit: true to size (the shop's note)");
    else if (it->fit_note == 2)
        snprintf(buf, n, "Fit: no note, no size returns yet");
    else /* a note the estimate does not reach */
        snprintf(buf, n, "Fit: not sure (the shop's note says %s; no size"
                         " returns yet)", way_word(it->fit_note));
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
    shop_product *ps = malloc((size_t)n * sizeof *ps);
    shop_rate *fs = malloc((size_t)n * sizeof *fs);
    int k = 0, rc = ids && ps && fs
                        ? trending_ids(sh, f, ids, n, &k, err)
                        : tg_fail(err, TG_EINTERNAL, "out of memory");
    for (int i = 0; rc == TG_OK && i < k; i++)
        rc = shop_read_product(sh, ids[i], &ps[i], err);
    /* Their history in one statement, not one an item. */
    if (rc == TG_OK)
        rc = shop_product_facts_many(sh, ps, k, sh->now, fs, err);
    for (int i = 0; rc == TG_OK && i < k; i++)
        if ((rc = item_from(sh, &ps[i], &fs[i], &out[i], err)) == TG_OK)
            *got = i + 1;
    free(ids);
    free(ps);
    free(fs);
    return rc;
}
