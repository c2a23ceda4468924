/* nudge_history.c: "buyers your size kept size M" and "N bought it" for a
 * whole queue in one pass. The queue is decided in purchase-time order, so
 * the lines bought, and those whose 30-day window has closed, by each
 * decision only ever grow: two cursors over every line by time feed them
 * into one table keyed by product (bought) and by product, size bought and
 * the buyer's usual or shoe size (kept), and each decision looks its counts
 * up instead of asking the store (nudge_queue.c's SQL_REVIEWS and
 * SQL_KEPT, whose answers these equal exactly). */
#include <stdlib.h>
#include <string.h>

#include "nudge_int.h"

/* Lines by time with what SQL_KEPT asks of each: kept = not returned
 * within its 30 days. */
static const char SQL_LINES[] =
    "SELECT q.ordered_at, q.product_id, q.size, qc.usual_size, qc.shoe_size,"
    " NOT EXISTS (SELECT 1 FROM returns r WHERE r.purchase_id = q.id"
    "  AND r.returned_at <= q.ordered_at + 2592000)"
    " FROM purchases q JOIN customers qc ON qc.id = q.customer_id"
    " WHERE q.size IS NOT NULL ORDER BY q.ordered_at";
enum { H_TIME, H_PRODUCT, H_SIZE, H_USUAL, H_SHOE, H_KEPT };
/* Every line by time: how many bought each product before a moment. */
static const char SQL_BOUGHT[] =
    "SELECT ordered_at, product_id FROM purchases ORDER BY ordered_at";

#define KEY_TEXT 16 /* sizes as stored ("M", "38", "44.5"); longer: ask */

/* One table holds both counts: a product's lines bought (kind BOUGHT, no
 * sizes) and its lines kept per size bought and buyer's usual or shoe
 * size. */
enum { KIND_USUAL, KIND_SHOE, KIND_BOUGHT };

typedef struct hist_slot {
    int64_t product;     /* 0: empty */
    unsigned char kind;
    char size[KEY_TEXT], buyer[KEY_TEXT];
    long n, kept;
} hist_slot;

struct nudge_history {
    sqlite3_stmt *st, *bt;
    int at_row, bt_row;  /* st, bt hold a line not yet added */
    int64_t upto;        /* kept: lines with ordered_at + 30 days <= upto;
                          * bought: lines with ordered_at < upto */
    hist_slot *slot;
    size_t cap, used;
};

static uint64_t hash_key(int64_t product, int kind, const char *size,
                         const char *buyer)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)product ^
                 ((uint64_t)kind << 62);
    for (const char *p = size; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *p = buyer; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h ^= h >> 29;
    return h;
}

static hist_slot *find(hist_slot *slot, size_t cap, int64_t product,
                       int kind, const char *size, const char *buyer)
{
    size_t j = hash_key(product, kind, size, buyer) & (cap - 1);
    while (slot[j].product &&
           (slot[j].product != product || slot[j].kind != kind ||
            strcmp(slot[j].size, size) != 0 ||
            strcmp(slot[j].buyer, buyer) != 0))
        j = (j + 1) & (cap - 1);
    return &slot[j];
}

static int grow(nudge_history *h)
{
    size_t nc = h->cap ? h->cap * 2 : 1 << 14;
    hist_slot *ns = calloc(nc, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < h->cap; i++)
        if (h->slot[i].product) {
            const hist_slot *o = &h->slot[i];
            *find(ns, nc, o->product, o->kind, o->size, o->buyer) = *o;
        }
    free(h->slot);
    h->slot = ns;
    h->cap = nc;
    return 0;
}

static int fits(const char *s)
{
    return s && strlen(s) < KEY_TEXT;
}

/* One line counted under its key. */
static int add(nudge_history *h, int64_t product, int kind, const char *size,
               const char *buyer, int kept)
{
    if (!fits(size) || !fits(buyer) || product == 0)
        return 0; /* no lookup can use it: those ask the store */
    if ((h->used + 1) * 2 > h->cap && grow(h) != 0)
        return -1;
    hist_slot *e = find(h->slot, h->cap, product, kind, size, buyer);
    if (!e->product) {
        e->product = product;
        e->kind = (unsigned char)kind;
        memcpy(e->size, size, strlen(size) + 1);
        memcpy(e->buyer, buyer, strlen(buyer) + 1);
        h->used++;
    }
    e->n++;
    e->kept += kept != 0;
    return 0;
}

/* Prepares sql and steps to its first row. */
static sqlite3_stmt *cursor(tg_store *s, const char *sql, int *at_row,
                            tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, sql, err);
    int step = st ? sqlite3_step(st) : SQLITE_ERROR;
    if (st && step != SQLITE_ROW && step != SQLITE_DONE) {
        store_fail(s, err, "reading purchase lines");
        sqlite3_finalize(st);
        return NULL;
    }
    *at_row = step == SQLITE_ROW;
    return st;
}

nudge_history *nudge_history_open(tg_store *s, tg_err *err)
{
    nudge_history *h = calloc(1, sizeof *h);
    if (!h || grow(h) != 0) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        nudge_history_free(h);
        return NULL;
    }
    h->upto = INT64_MIN;
    if (!(h->st = cursor(s, SQL_LINES, &h->at_row, err)) ||
        !(h->bt = cursor(s, SQL_BOUGHT, &h->bt_row, err))) {
        nudge_history_free(h);
        return NULL;
    }
    return h;
}

void nudge_history_free(nudge_history *h)
{
    if (!h)
        return;
    sqlite3_finalize(h->st);
    sqlite3_finalize(h->bt);
    free(h->slot);
    free(h);
}

static int step_on(tg_store *s, sqlite3_stmt *st, int *at_row, tg_err *err)
{
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return store_fail(s, err, "reading purchase lines");
    *at_row = step == SQLITE_ROW;
    return TG_OK;
}

int nudge_history_advance(nudge_history *h, tg_store *s, int64_t now,
                          tg_err *err)
{
    if (now <= h->upto)
        return TG_OK;
    while (h->at_row &&
           sqlite3_column_int64(h->st, H_TIME) <= now - 2592000) {
        sqlite3_stmt *st = h->st;
        int64_t product = sqlite3_column_int64(st, H_PRODUCT);
        const char *size = (const char *)sqlite3_column_text(st, H_SIZE);
        int kept = sqlite3_column_int(st, H_KEPT);
        const char *usual = (const char *)sqlite3_column_text(st, H_USUAL);
        if (usual && add(h, product, KIND_USUAL, size, usual, kept) != 0)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        const char *shoe = (const char *)sqlite3_column_text(st, H_SHOE);
        if (shoe && add(h, product, KIND_SHOE, size, shoe, kept) != 0)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        int rc = step_on(s, st, &h->at_row, err);
        if (rc != TG_OK)
            return rc;
    }
    while (h->bt_row && sqlite3_column_int64(h->bt, 0) < now) {
        if (add(h, sqlite3_column_int64(h->bt, 1), KIND_BOUGHT, "", "", 0))
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        int rc = step_on(s, h->bt, &h->bt_row, err);
        if (rc != TG_OK)
            return rc;
    }
    h->upto = now;
    return TG_OK;
}

int nudge_history_bought(const nudge_history *h, int64_t now,
                         int64_t product, double *n)
{
    if (now != h->upto || product == 0)
        return -1;
    const hist_slot *e = find(h->slot, h->cap, product, KIND_BOUGHT, "", "");
    *n = e->product ? (double)e->n : 0;
    return 0;
}

int nudge_history_kept(const nudge_history *h, int64_t now, int64_t product,
                       int shoe, const char *size, const char *buyer,
                       double *n, double *kept)
{
    if (now != h->upto || !fits(size) || !fits(buyer) || product == 0)
        return -1;
    const hist_slot *e = find(h->slot, h->cap, product,
                              shoe ? KIND_SHOE : KIND_USUAL, size, buyer);
    *n = e->product ? (double)e->n : 0;
    *kept = e->product ? (double)e->kept : 0;
    return 0;
}
