/* store_trend.c: the derived trend state (trend_state, store.h): for each
 * snapshot what was known at that moment, worked out in one pass over each
 * hashtag's snapshots in time order (the store's key order, so nothing is
 * sorted) and written in key order. It equals, value for value, the window
 * statement schema_trend_state_reference (tested), which took twenty times
 * as long.
 *
 * Per snapshot at t with views v: v1, v7 and v14 are the most views seen
 * at or before t - 24 h, 7 and 14 days (none: NULL); gain = v - v1 (the
 * 24 h views); growth_24h and growth_7d = (v - v1) / v1 and (v - v7) / v7
 * when those are positive; a week's views = the running maximum - (v7, or
 * the first snapshot's views), the week before = (v7 or first) - (v14 or
 * first); the busiest day is the latest snapshot whose gain equals the
 * largest gain so far (peak_at, else the first snapshot), the busiest week
 * the largest week so far. */
#include "store_int.h"

#include <stdlib.h>

typedef struct tsnap {
    int64_t at, views;
} tsnap;

/* A running maximum of the views at or before a moving bound. */
typedef struct trail {
    size_t next;
    int64_t max;
    int seen;
} trail;

static void trail_upto(trail *w, const tsnap *r, size_t n, int64_t bound)
{
    for (; w->next < n && r[w->next].at <= bound; w->next++) {
        if (!w->seen || r[w->next].views > w->max)
            w->max = r[w->next].views;
        w->seen = 1;
    }
}

static int insert_state(tg_store *s, sqlite3_stmt *ins, tg_err *err)
{
    int rc = sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    return rc == SQLITE_DONE ? TG_OK
                             : store_fail(s, err, "writing the trend state");
}

/* The state of one hashtag's n snapshots r (in time order). */
static int hashtag_state(tg_store *s, sqlite3_stmt *ins, int64_t hid,
                         const tsnap *r, size_t n, tg_err *err)
{
    trail d1 = {0}, d7 = {0}, d14 = {0};
    int64_t v0 = r[0].views, first = r[0].at, vmax = r[0].views;
    int64_t best = 0, best_week = 0, peak = first;
    int have_best = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t t = r[i].at, v = r[i].views;
        trail_upto(&d1, r, n, t - 86400);
        trail_upto(&d7, r, n, t - 604800);
        trail_upto(&d14, r, n, t - 1209600);
        if (v > vmax)
            vmax = v;
        int64_t base7 = d7.seen ? d7.max : v0;
        int64_t week = vmax - base7;
        if (i == 0 || week > best_week)
            best_week = week;
        sqlite3_bind_int64(ins, 1, hid);
        sqlite3_bind_int64(ins, 2, t);
        sqlite3_bind_int64(ins, 3, v);
        if (d1.seen) {
            int64_t gain = v - d1.max;
            if (!have_best || gain > best)
                best = gain;
            have_best = 1;
            if (gain == best)
                peak = t;
            sqlite3_bind_int64(ins, 4, gain);
            if (d1.max > 0)
                sqlite3_bind_double(ins, 5, (double)(v - d1.max) /
                                                (double)d1.max);
        }
        if (d7.seen && d7.max > 0)
            sqlite3_bind_double(ins, 6, (double)(v - d7.max) /
                                            (double)d7.max);
        sqlite3_bind_int64(ins, 7, peak);
        sqlite3_bind_int64(ins, 8, first);
        sqlite3_bind_int64(ins, 9, week);
        sqlite3_bind_int64(ins, 10, base7 - (d14.seen ? d14.max : v0));
        sqlite3_bind_int64(ins, 11, best_week);
        if (insert_state(s, ins, err) != TG_OK)
            return err ? err->code : TG_EIO;
    }
    return TG_OK;
}

/* Reads the snapshots of sel (hashtag, time, views in key order) and
 * writes each hashtag's state. */
static int build_states(tg_store *s, sqlite3_stmt *sel, sqlite3_stmt *ins,
                        tg_err *err)
{
    tsnap *r = NULL;
    size_t n = 0, cap = 0;
    int64_t hid = 0;
    int rc = TG_OK, step;
    while (rc == TG_OK && (step = sqlite3_step(sel)) == SQLITE_ROW) {
        int64_t h = sqlite3_column_int64(sel, 0);
        if (n > 0 && h != hid) {
            rc = hashtag_state(s, ins, hid, r, n, err);
            n = 0;
        }
        hid = h;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 4096;
            tsnap *nr = realloc(r, nc * sizeof *nr);
            if (!nr) {
                rc = tg_fail(err, TG_EINTERNAL, "out of memory");
                break;
            }
            r = nr;
            cap = nc;
        }
        r[n++] = (tsnap){sqlite3_column_int64(sel, 1),
                         sqlite3_column_int64(sel, 2)};
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "reading the trend snapshots");
    if (rc == TG_OK && n > 0)
        rc = hashtag_state(s, ins, hid, r, n, err);
    free(r);
    return rc;
}

int store_refresh_trend_state(tg_store *s, int all, tg_err *err)
{
    static const char *const which[] = {
        "DELETE FROM trend_state WHERE hashtag_id IN"
        " (SELECT hashtag_id FROM temp.dirty_hashtags)",
        "DELETE FROM trend_state"};
    static const char *const read[] = {
        "SELECT hashtag_id, captured_at, views FROM trend_snapshots"
        " WHERE hashtag_id IN (SELECT hashtag_id FROM temp.dirty_hashtags)"
        " ORDER BY hashtag_id, captured_at",
        "SELECT hashtag_id, captured_at, views FROM trend_snapshots"
        " ORDER BY hashtag_id, captured_at"};
    all = all != 0;
    if (store_exec(s, which[all], err) != TG_OK)
        return err ? err->code : TG_EIO;
    sqlite3_stmt *sel = store_prepare(s, read[all], err);
    sqlite3_stmt *ins = sel ? store_prepare(
                                  s,
                                  "INSERT INTO trend_state(hashtag_id,"
                                  " captured_at, views, views_24h,"
                                  " growth_24h, growth_7d, peak_at, first_at,"
                                  " week_views, prev_week_views,"
                                  " best_week_views)"
                                  " VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                                  err)
                            : NULL;
    int rc = sel && ins ? build_states(s, sel, ins, err)
                        : (err ? err->code : TG_EINTERNAL);
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    return rc;
}
