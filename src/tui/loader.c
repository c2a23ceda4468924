/* loader.c: loads what takes long on a big store (the persona list, the
 * hottest items) on a worker thread with its own connection, so the first
 * frame comes at once and the screen stays responsive; the loop takes the
 * results when the worker's pipe becomes readable. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"

struct app_loader {
    pthread_t thread;
    int running;
    atomic_int done;
    int pipe[2];
    char db[4096];
    int64_t now;
    int want_personas;
    tg_persona personas[APP_MAX_PERSONAS];
    int n_personas;
    tg_shop_item *items;     /* APP_MAX_TRENDING */
    int n_items;
    int rc;
    tg_err err;
};

static void *worker(void *arg)
{
    app_loader *l = arg;
    tg_store *s = store_open(l->db, STORE_READONLY, &l->err);
    tg_shop *sh = s ? shop_open(s, l->now, &l->err) : NULL;
    l->rc = sh ? TG_OK : l->err.code;
    if (l->rc == TG_OK && l->want_personas)
        l->rc = shop_personas(sh, l->personas, APP_MAX_PERSONAS,
                              &l->n_personas, &l->err);
    if (l->rc == TG_OK) {
        tg_shop_filter every;
        shop_filter_init(&every);
        l->rc = shop_trending(sh, &every, l->items, APP_MAX_TRENDING,
                              &l->n_items, &l->err);
    }
    shop_free(sh);
    store_close(s);
    atomic_store(&l->done, 1);
    ssize_t w = write(l->pipe[1], "x", 1);
    (void)w;
    return NULL;
}

int loader_start(app *a, int personas)
{
    app_loader *l = a->loader;
    if (!l) {
        l = calloc(1, sizeof *l);
        if (!l)
            return TG_EINTERNAL;
        if (pipe(l->pipe) != 0) {
            free(l);
            return TG_EIO;
        }
        a->loader = l;
    }
    if (l->running)
        return TG_OK;
    if (!l->items && !(l->items = calloc(APP_MAX_TRENDING, sizeof *l->items)))
        return TG_EINTERNAL;
    tg_strlcpy(l->db, a->opts->db, sizeof l->db);
    l->now = shop_now(a->shop);
    l->want_personas = personas;
    l->n_personas = l->n_items = 0;
    atomic_store(&l->done, 0);
    if (pthread_create(&l->thread, NULL, worker, l) != 0)
        return TG_EINTERNAL;
    l->running = 1;
    if (personas)
        snprintf(a->loading, sizeof a->loading, "loading shoppers...");
    return TG_OK;
}

int loader_fd(const app *a)
{
    return a->loader && a->loader->running ? a->loader->pipe[0] : -1;
}

void loader_poll(app *a)
{
    app_loader *l = a->loader;
    if (!l || !l->running || !atomic_load(&l->done))
        return;
    pthread_join(l->thread, NULL);
    l->running = 0;
    char c;
    ssize_t r = read(l->pipe[0], &c, 1);
    (void)r;
    a->loading[0] = 0;
    if (l->rc != TG_OK) {
        app_note(a, "loading: %s", l->err.msg);
        return;
    }
    if (l->want_personas) {
        memcpy(a->personas, l->personas, sizeof a->personas);
        a->n_personas = l->n_personas;
        if (!a->persona.id && a->n_personas > 0)
            app_persona_set(a, &a->personas[0]);
    }
    /* Swap the item buffers: the screen keeps its selection by product. */
    int64_t selected = a->n_items > 0 && a->sel < a->n_items
                           ? a->all[a->view[a->sel]].product_id : 0;
    tg_shop_item *t = a->all;
    a->all = l->items;
    l->items = t;
    a->n_all = l->n_items;
    trending_reprice(a);
    trending_filter(a);
    for (int i = 0; selected && i < a->n_items; i++)
        if (a->all[a->view[i]].product_id == selected)
            a->sel = i;
    a->dirty = 1;
}

void loader_free(app *a)
{
    app_loader *l = a->loader;
    if (!l)
        return;
    if (l->running)
        pthread_join(l->thread, NULL);
    close(l->pipe[0]);
    close(l->pipe[1]);
    free(l->items);
    free(l);
    a->loader = NULL;
}
