/* preload.h: what takes long on a big store (the persona list, the
 * hottest items) loaded on a worker (the core's worker.h) with its own
 * read-only connection, so the first frame comes at once and the screen
 * stays responsive; the session takes the results when the worker's
 * descriptor becomes readable. */
#ifndef TRENDGUARD_TUI_PRELOAD_H
#define TRENDGUARD_TUI_PRELOAD_H

#include <stdint.h>

#include "trendguard/shop.h"

#define PRELOAD_MAX_PERSONAS 30
#define PRELOAD_MAX_ITEMS 600

typedef struct preload preload;

/* Starts loading the hottest items at now from the store at db (and with
 * personas, the persona list) unless a load runs. *p is created on first
 * use. */
int preload_start(preload **p, const char *db, int64_t now, int personas,
                  tg_err *err);
/* Readable when the load ended; -1 when none runs. */
int preload_fd(const preload *p);
/* Non-zero when a load has ended and waits to be taken. */
int preload_done(const preload *p);
/* Non-zero when the load waiting to be taken has the persona list. */
int preload_has_personas(const preload *p);
/* Takes the ended load: the personas (when asked for) into personas and
 * *n_personas, and the items by swapping buffers with *items
 * (PRELOAD_MAX_ITEMS entries, or NULL) and *n_items. Returns the load's
 * result (err set on failure). */
int preload_take(preload *p, tg_persona *personas, int *n_personas,
                 tg_shop_item **items, int *n_items, tg_err *err);
/* Waits for a running load and frees it all. Safe on NULL. */
void preload_free(preload *p);

#endif
