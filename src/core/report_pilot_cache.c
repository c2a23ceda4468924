/* report_pilot_cache.c: the pilot's figures kept in the store once
 * computed (pilot_figures, schema_pilot.c), so that the dashboard's
 * filters read them instead of every line of the pilot again.
 *
 * Figures are kept under a key of everything they are computed from
 * besides the store's rows: the filter (category, channel, whether a
 * period or the export's --since bounded it), the first moment its period
 * covers (the later of the period's start and the pilot's), the four
 * assumptions the money uses, the build (its version and a digest of the
 * sources that compute the figures) and the figures' layout. The rows they read empty the table by triggers when they change
 * (schema_pilot.c), and figures are kept only when nothing was committed
 * between their snapshot and the write that keeps them (PRAGMA
 * data_version), so kept figures are those a new computation would give,
 * bit for bit.
 *
 * The table is the store's, and a store is a file someone may have edited:
 * kept figures are read only at their exact size and with every count and
 * text inside its bounds. */
#include "report_pilot_int.h"

#include <stdlib.h>
#include <string.h>

/* A digest of the sources that compute the figures (the Makefile's
 * PILOT_FIGURES_SRC), so that figures an older build kept are not read as
 * this one's; and the layout, raised with a change to how a figure is
 * computed that the digest does not see (a build without the digest). */
#ifndef TG_PILOT_DIGEST
#define TG_PILOT_DIGEST ""
#endif
#ifndef TG_VERSION
#define TG_VERSION "0.0.0"
#endif
#define PILOT_FIGURES_LAYOUT 1
/* At most this many filters' figures are kept (the oldest go first). */
#define PILOT_KEPT_MOST "512"

/* Every field eight bytes wide: no padding, so equal keys are equal
 * bytes. */
typedef struct pilot_key {
    int64_t layout, size, version;
    int64_t category, channel, period_days, has_since, from;
    double margin, processing_share, exchange_keeps, fast_restock_cost;
    int64_t zero[2];
} pilot_key;
_Static_assert(sizeof(pilot_key) == TG_PILOT_KEY_BYTES,
               "TG_PILOT_KEY_BYTES is the key's size");

/* The build as a number (FNV-1a of its version and digest). */
static int64_t build_version(void)
{
    static const char build[] = TG_VERSION " " TG_PILOT_DIGEST;
    uint64_t h = 1469598103934665603ull;
    for (const char *p = build; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return (int64_t)(h >> 1);
}

void pilot_key_set(tg_report_pilot *o, const tg_report_filter *f,
                   int64_t from)
{
    pilot_key k;
    memset(&k, 0, sizeof k);
    k.layout = PILOT_FIGURES_LAYOUT;
    k.size = (int64_t)sizeof *o;
    k.version = build_version();
    k.category = f ? f->category : -1;
    k.channel = f ? f->channel : -1;
    k.period_days = f ? f->period_days : 0;
    k.has_since = f ? f->has_since : 0;
    k.from = from;
    k.margin = o->margin;
    k.processing_share = o->processing_share;
    k.exchange_keeps = o->exchange_keeps;
    k.fast_restock_cost = o->fast_restock_cost;
    memcpy(o->key, &k, sizeof k);
}

long long pilot_data_version(tg_store *s)
{
    return store_count(s, "PRAGMA data_version");
}

/* 1 when kept figures are within their bounds (their texts ended, their
 * counts within their arrays) and are the figures of a pilot. */
static int sane(tg_report_pilot *p)
{
    p->note[sizeof p->note - 1] = 0;
    for (int i = 0; i < TG_NUDGE_MAX; i++)
        p->nudge[i].id[sizeof p->nudge[i].id - 1] = 0;
    for (int i = 0; i < TG_PILOT_WEEKS; i++)
        p->week[i].key[sizeof p->week[i].key - 1] = 0;
    for (int i = 0; i < TG_PILOT_MONTHS; i++)
        p->month[i].key[sizeof p->month[i].key - 1] = 0;
    return p->has == 1 && p->n_nudges >= 0 && p->n_nudges <= TG_NUDGE_MAX &&
           p->n_weeks >= 0 && p->n_weeks <= TG_PILOT_WEEKS &&
           p->n_months >= 0 && p->n_months <= TG_PILOT_MONTHS;
}

int pilot_kept(tg_store *s, tg_report_pilot *o)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT figures FROM pilot_figures WHERE key = ?1", NULL);
    if (!st)
        return 0;
    sqlite3_bind_blob(st, 1, o->key, sizeof o->key, SQLITE_STATIC);
    tg_report_pilot *p = NULL;
    if (sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_bytes(st, 0) == (int)sizeof *p &&
        (p = malloc(sizeof *p))) {
        memcpy(p, sqlite3_column_blob(st, 0), sizeof *p);
        if (!sane(p) || memcmp(p->key, o->key, sizeof o->key) != 0) {
            free(p);
            p = NULL;
        }
    }
    sqlite3_finalize(st);
    if (!p)
        return 0;
    *o = *p;
    o->cached = 1;
    free(p);
    return 1;
}

int pilot_keep_row(tg_store *s, const tg_report_pilot *p, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(
        s, "INSERT OR REPLACE INTO pilot_figures(key, figures)"
           " VALUES(?1, ?2)", err);
    if (!st)
        return err && err->code ? err->code : TG_EINTERNAL;
    tg_report_pilot *k = malloc(sizeof *k);
    if (!k) {
        sqlite3_finalize(st);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    *k = *p;
    k->cached = 0;
    k->version = 0;
    sqlite3_bind_blob(st, 1, k->key, sizeof k->key, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, k, sizeof *k, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK : store_fail(s, err, "keeping the pilot's figures");
    sqlite3_finalize(st);
    free(k);
    if (rc == TG_OK)
        rc = store_exec(s,
                        "DELETE FROM pilot_figures WHERE rowid <="
                        " (SELECT max(rowid) FROM pilot_figures) - "
                        PILOT_KEPT_MOST,
                        err);
    return rc;
}

int report_pilot_keep(tg_store *s, const tg_report_pilot *p)
{
    sqlite3 *db = store_db(s);
    if (!p->has || p->cached || !sqlite3_get_autocommit(db) ||
        sqlite3_db_readonly(db, "main") != 0 ||
        pilot_data_version(s) != p->version)
        return 0;
    /* never waiting on a writer: what it commits would leave these
     * figures out of date anyway */
    if (store_begin_now(s) != TG_OK)
        return 0;
    int kept = pilot_data_version(s) == p->version &&
               pilot_keep_row(s, p, NULL) == TG_OK &&
               store_commit(s, NULL) == TG_OK;
    store_rollback(s);
    return kept;
}
