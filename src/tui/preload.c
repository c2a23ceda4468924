/* preload.c: loads the persona list and the hottest items on a worker
 * with its own read-only connection (preload.h). */
#include "preload.h"

#include <stdlib.h>
#include <string.h>

#include "trendguard/store.h"
#include "trendguard/worker.h"

struct preload {
    tg_worker *worker;
    char db[4096];
    int64_t now;
    int want_personas;
    tg_persona personas[PRELOAD_MAX_PERSONAS];
    int n_personas;
    tg_shop_item *items;     /* PRELOAD_MAX_ITEMS */
    int n_items;
    int rc;
    tg_err err;
};

static void preload_run(void *arg)
{
    preload *p = arg;
    tg_store *s = store_open(p->db, STORE_READONLY | STORE_MAPPED, &p->err);
    tg_shop *sh = s ? shop_open(s, p->now, &p->err) : NULL;
    p->rc = sh ? TG_OK : p->err.code;
    if (p->rc == TG_OK && p->want_personas)
        p->rc = shop_personas(sh, p->personas, PRELOAD_MAX_PERSONAS,
                              &p->n_personas, &p->err);
    if (p->rc == TG_OK) {
        tg_shop_filter every;
        shop_filter_init(&every);
        p->rc = shop_trending(sh, &every, p->items, PRELOAD_MAX_ITEMS,
                              &p->n_items, &p->err);
    }
    shop_free(sh);
    store_close(s);
}

int preload_start(preload **pp, const char *db, int64_t now, int personas,
                  tg_err *err)
{
    if (!*pp && !(*pp = calloc(1, sizeof **pp)))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    preload *p = *pp;
    if (p->worker)
        return TG_OK;
    if (!p->items && !(p->items = calloc(PRELOAD_MAX_ITEMS, sizeof *p->items)))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    tg_strlcpy(p->db, db, sizeof p->db);
    p->now = now;
    p->want_personas = personas;
    p->n_personas = p->n_items = 0;
    memset(&p->err, 0, sizeof p->err);
    p->worker = worker_start(preload_run, p, err);
    return p->worker ? TG_OK : err->code;
}

int preload_fd(const preload *p)
{
    return p && p->worker ? worker_fd(p->worker) : -1;
}

int preload_done(const preload *p)
{
    return p && p->worker && worker_done(p->worker);
}

int preload_has_personas(const preload *p)
{
    return p && p->want_personas;
}

int preload_take(preload *p, tg_persona *personas, int *n_personas,
                 tg_shop_item **items, int *n_items, tg_err *err)
{
    worker_join(p->worker);
    p->worker = NULL;
    if (p->rc != TG_OK) {
        if (err)
            *err = p->err;
        return p->rc;
    }
    if (p->want_personas) {
        memcpy(personas, p->personas, sizeof p->personas);
        *n_personas = p->n_personas;
    }
    tg_shop_item *t = *items;
    *items = p->items;
    p->items = t;
    *n_items = p->n_items;
    return TG_OK;
}

void preload_free(preload *p)
{
    if (!p)
        return;
    worker_join(p->worker);
    free(p->items);
    free(p);
}
