/* badges.c: the Trending screen's risk badges priced on a worker with a
 * read-only connection of its own (badges.h). The worker is the only
 * user of that connection, one pricing at a time; the model's scorer is
 * shared with the main thread (risk_probability is safe on several
 * threads at once). What the worker read of the shopper's and the items'
 * history, and the newest trend data, go to the session's shop when the
 * pricing is taken, unless the store changed meanwhile, so opening one of
 * the items reads it from memory as it did when the badges were priced on
 * the main thread. A bulk load's new store file is opened again by the
 * next pricing. */
#include "badges.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/worker.h"

struct badges {
    tg_worker *worker;
    char db[4096];
    tg_store *store;         /* the worker's, opened by its first pricing */
    tg_shop *shop;
    /* the pricing: what it was given, then what it found */
    const tg_risk_scorer *scorer;   /* NULL: the catalogue's rules */
    const tg_nudge_catalog *catalog;
    tg_shop_mark mark;       /* the session's shop when it started */
    int64_t now;
    unsigned gen;
    int n;
    int idx[BADGES_MAX];
    tg_cart cart[BADGES_MAX];  /* each item's cart: it is the last line */
    double p[BADGES_MAX];
    tg_err err;
};

static int open_shop(badges *b)
{
    b->store = store_open(b->db, STORE_READONLY | STORE_MAPPED, &b->err);
    if (b->store && (b->shop = shop_open(b->store, b->now, &b->err)))
        return TG_OK;
    store_close(b->store);
    b->store = NULL;
    return b->err.code ? b->err.code : TG_EINTERNAL;
}

/* The risk of the line x, as session_risk_line works it out. */
static double risk_of(const badges *b, const float *x)
{
    if (b->scorer)
        return risk_probability(b->scorer, x);
    tg_risk r;
    risk_rules(b->catalog, NULL, x, &r);
    return r.p;
}

/* On the worker. */
static void price(void *arg)
{
    badges *b = arg;
    for (int k = 0; k < b->n; k++)
        b->p[k] = NAN;
    if (b->store && store_replaced(b->store)) { /* a bulk load's new file */
        shop_free(b->shop);
        store_close(b->store);
        b->shop = NULL;
        b->store = NULL;
    }
    if (!b->shop && open_shop(b) != TG_OK)
        return;
    if (shop_now(b->shop) != b->now)
        shop_set_now(b->shop, b->now);
    for (int k = 0; k < b->n; k++) {
        const tg_cart *c = &b->cart[k];
        float x[TG_NUM_FEATURES];
        tg_err err = {0};
        if (shop_line_features(b->shop, c, c->n - 1, x, &err) != TG_OK) {
            if (!b->err.code)
                b->err = err;
            continue;
        }
        b->p[k] = risk_of(b, x);
    }
    /* Then, for the session's next item, when the store has moved since
     * the last time: the newest trend data (a pass over the items'
     * trends, 20-50 ms at TrendBuy's scale). */
    int64_t latest;
    tg_err quiet = {0};
    shop_trend_latest(b->shop, &latest, &quiet);
}

int badges_start(badges **bp, const session *s, unsigned gen, const int *idx,
                 int n, tg_err *err)
{
    if (!*bp && !(*bp = calloc(1, sizeof **bp)))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    badges *b = *bp;
    if (b->worker || n <= 0)
        return TG_OK;
    tg_strlcpy(b->db, s->opts->db, sizeof b->db);
    b->scorer = s->scorer;
    b->catalog = &s->catalog;
    b->now = shop_now(s->shop);
    b->gen = gen;
    b->n = n < BADGES_MAX ? n : BADGES_MAX;
    for (int k = 0; k < b->n; k++) {
        const tg_shop_item *it = &s->hot[idx[k]];
        int size = session_usual_size(s, it);
        b->idx[k] = idx[k];
        session_cart_if_added(s, it, size >= 0 ? it->sizes[size] : "", 1, 0,
                              &b->cart[k]);
    }
    memset(&b->err, 0, sizeof b->err);
    tg_err quiet = {0}; /* a failure leaves a mark that shares nothing */
    if (shop_cache_mark(s->shop, &b->mark, &quiet) != TG_OK)
        b->mark.now = -1;
    b->worker = worker_start(price, b, err);
    return b->worker ? TG_OK : err->code;
}

int badges_fd(const badges *b)
{
    return b && b->worker ? worker_fd(b->worker) : -1;
}

int badges_done(const badges *b)
{
    return b && b->worker && worker_done(b->worker);
}

int badges_take(badges *b, tg_shop *shop, unsigned *gen, int *idx,
                double *p, tg_err *err)
{
    if (!b || !b->worker)
        return 0;
    worker_join(b->worker);
    b->worker = NULL;
    if (b->shop)
        shop_cache_share(shop, &b->mark, b->shop);
    *gen = b->gen;
    memcpy(idx, b->idx, (size_t)b->n * sizeof *idx);
    memcpy(p, b->p, (size_t)b->n * sizeof *p);
    if (b->err.code && err)
        *err = b->err;
    return b->n;
}

void badges_free(badges *b)
{
    if (!b)
        return;
    worker_join(b->worker);
    shop_free(b->shop);
    store_close(b->store);
    free(b);
}
