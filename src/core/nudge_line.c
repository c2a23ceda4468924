/* nudge_line.c: a bought line as the engine reads it from the store,
 * shared by the queue (nudge_queue.c) and the pilot (pilot.c): its
 * columns (the line, its product, its shopper and its features from the
 * training-set cache), the facts from the store's history before it
 * ("buyers your size kept size M", how many bought the item) through the
 * history pass or one statement each, and each shopper's caps by day. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nudge_int.h"

/* Buyers whose usual (or shoe) size is the shopper's who bought this
 * product in a size, with their lines' 30-day windows closed: how many,
 * and how many kept it. */
static const char SQL_KEPT[] =
    "SELECT COUNT(*), COALESCE(SUM(NOT EXISTS (SELECT 1 FROM returns r"
    "  WHERE r.purchase_id = q.id"
    "  AND r.returned_at <= q.ordered_at + 2592000)), 0)"
    " FROM purchases q JOIN customers qc ON qc.id = q.customer_id"
    " WHERE q.product_id = ?1 AND q.size = ?2"
    " AND q.ordered_at <= ?3 - 2592000"
    " AND CASE WHEN ?5 THEN qc.shoe_size ELSE qc.usual_size END = ?4";
static const char SQL_REVIEWS[] =
    "SELECT COUNT(*) FROM purchases WHERE product_id = ? AND ordered_at < ?";
static const char SQL_CUSTOMER_SIZES[] =
    "SELECT usual_size, shoe_size FROM customers WHERE id = ?";

static int fail_code(tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

/* ---- per-shopper caps: customer id -> today's counts ------------------- */

struct nudge_cap_slot {
    int64_t customer;
    tg_nudge_shopper sh;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

tg_nudge_shopper *nudge_caps_get(nudge_caps *m, int64_t customer)
{
    if (m->used * 2 >= m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 1024;
        struct nudge_cap_slot *ns = calloc(nc, sizeof *ns);
        if (!ns)
            return NULL;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slot[i].customer) {
                size_t j = mix((uint64_t)m->slot[i].customer) & (nc - 1);
                while (ns[j].customer)
                    j = (j + 1) & (nc - 1);
                ns[j] = m->slot[i];
            }
        free(m->slot);
        m->slot = ns;
        m->cap = nc;
    }
    size_t j = mix((uint64_t)customer) & (m->cap - 1);
    while (m->slot[j].customer && m->slot[j].customer != customer)
        j = (j + 1) & (m->cap - 1);
    if (!m->slot[j].customer) {
        m->slot[j].customer = customer;
        m->slot[j].sh.day = INT64_MIN;
        m->used++;
    }
    return &m->slot[j].sh;
}

void nudge_caps_free(nudge_caps *m)
{
    free(m->slot);
    memset(m, 0, sizeof *m);
}

/* ---- reading a line ---------------------------------------------------------- */

/* The sizes a product is offered in ("XS|S|M", "36|37", "ONE"): the range
 * of their ranks. */
void nudge_size_range(const char *sizes, int *lo, int *hi)
{
    *lo = 1;
    *hi = 0;
    if (!sizes)
        return;
    char buf[256];
    tg_strlcpy(buf, sizes, sizeof buf);
    char *save = NULL;
    for (char *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|",
                                                               &save)) {
        int shoe = 0, r = features_size_rank(t, &shoe);
        if (r < 0)
            continue;
        if (*lo > *hi) {
            *lo = *hi = r;
        } else {
            *lo = r < *lo ? r : *lo;
            *hi = r > *hi ? r : *hi;
        }
    }
}

/* "Buyers your size kept size {suggested_size}" and how many bought the
 * item, from the store's history before `now`. usual: the shopper's usual
 * (or shoe) size as stored. hist: the queue's pass over the history, or
 * NULL. */
static void history_facts(sqlite3_stmt *kept, sqlite3_stmt *reviews,
                          const nudge_history *hist, int64_t product,
                          const char *usual, int64_t now, tg_nudge_input *in)
{
    if (!hist || nudge_history_bought(hist, now, product, &in->reviews)) {
        sqlite3_bind_int64(reviews, 1, product);
        sqlite3_bind_int64(reviews, 2, now);
        if (sqlite3_step(reviews) == SQLITE_ROW)
            in->reviews = sqlite3_column_double(reviews, 0);
        sqlite3_reset(reviews);
    }
    double m = nudge_size_mismatch(in->x);
    if (isnan(m) || !usual || (m == 0 && !(in->x[TG_F_sizes_of_item] >= 2)))
        return; /* no other size to suggest */
    int s = in->size - (int)m;
    if (in->size_lo <= in->size_hi)
        s = s < in->size_lo ? in->size_lo : s > in->size_hi ? in->size_hi : s;
    char name[16];
    if (in->is_shoe)
        snprintf(name, sizeof name, "%d", s);
    else if (s >= 0 && s < tg_num_sizes)
        snprintf(name, sizeof name, "%s", tg_size_names[s]);
    else
        return;
    double n = 0, k = 0;
    if (!hist || nudge_history_kept(hist, now, product, in->is_shoe, name,
                                    usual, &n, &k) != 0) {
        sqlite3_bind_int64(kept, 1, product);
        sqlite3_bind_text(kept, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(kept, 3, now);
        sqlite3_bind_text(kept, 4, usual, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(kept, 5, in->is_shoe);
        int step = sqlite3_step(kept);
        if (step == SQLITE_ROW) {
            n = sqlite3_column_double(kept, 0);
            k = sqlite3_column_double(kept, 1);
        }
        sqlite3_reset(kept);
        if (step != SQLITE_ROW)
            return;
    }
    in->kept_n = n;
    if (n > 0)
        in->kept_pct = 100.0 * k / n;
}

int nudge_store_facts(tg_store *s, int64_t product_id, int64_t customer_id,
                      int64_t now, tg_nudge_input *in, tg_err *err)
{
    sqlite3_stmt *kept = store_prepare(s, SQL_KEPT, err);
    sqlite3_stmt *rev = kept ? store_prepare(s, SQL_REVIEWS, err) : NULL;
    sqlite3_stmt *cu = rev ? store_prepare(s, SQL_CUSTOMER_SIZES, err)
                           : NULL;
    int rc = cu ? TG_OK : fail_code(err);
    if (rc == TG_OK) {
        sqlite3_bind_int64(cu, 1, customer_id);
        const char *usual = NULL;
        if (sqlite3_step(cu) == SQLITE_ROW)
            usual = (const char *)sqlite3_column_text(cu, in->is_shoe);
        history_facts(kept, rev, NULL, product_id, usual, now, in);
    }
    sqlite3_finalize(kept);
    sqlite3_finalize(rev);
    sqlite3_finalize(cu);
    return rc;
}

int nudge_line_open(nudge_line_reader *r, tg_store *s, int pass,
                    tg_err *err)
{
    memset(r, 0, sizeof *r);
    r->kept = store_prepare(s, SQL_KEPT, err);
    r->reviews = r->kept ? store_prepare(s, SQL_REVIEWS, err) : NULL;
    if (r->reviews && pass)
        r->hist = nudge_history_open(s, err);
    if (r->reviews && (!pass || r->hist))
        return TG_OK;
    nudge_line_close(r);
    return fail_code(err);
}

void nudge_line_close(nudge_line_reader *r)
{
    sqlite3_finalize(r->kept);
    sqlite3_finalize(r->reviews);
    nudge_history_free(r->hist);
    memset(r, 0, sizeof *r);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

int nudge_line_input(nudge_line_reader *r, tg_store *s, sqlite3_stmt *row,
                     int first, tg_nudge_input *in, tg_err *err)
{
    nudge_input_init(in);
    in->now = sqlite3_column_int64(row, first + NL_ORDERED_AT);
    if (r->hist && nudge_history_advance(r->hist, s, in->now, err) != TG_OK)
        return fail_code(err);
    in->segment = features_code(tg_segment_names, TG_NUM_SEGMENTS,
                                col_text(row, first + NL_SEGMENT));
    if (in->segment < 0)
        in->segment = TG_SEG_UNKNOWN;
    for (int f = 0; f < TG_NUM_FEATURES; f++) {
        int c = first + NL_FEATURES + f;
        in->x[f] = sqlite3_column_type(row, c) == SQLITE_NULL
                       ? NAN : (float)sqlite3_column_double(row, c);
    }
    const char *size = col_text(row, first + NL_SIZE);
    int shoe = 0, rank = size ? features_size_rank(size, &shoe) : -1;
    in->size = rank < 0 ? 0 : rank;
    in->is_shoe = shoe;
    nudge_size_range(col_text(row, first + NL_SIZES), &in->size_lo,
                     &in->size_hi);
    in->item = col_text(row, first + NL_NAME);
    history_facts(r->kept, r->reviews, r->hist,
                  sqlite3_column_int64(row, first + NL_PRODUCT),
                  col_text(row, first + (in->is_shoe ? NL_SHOE : NL_USUAL)),
                  in->now, in);
    return TG_OK;
}
