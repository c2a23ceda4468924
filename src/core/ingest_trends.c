/* ingest_trends.c: the TrendBuy trend snapshots file (tiktok_trends.csv):
 * its columns and the validation of each row; the rows go in in key order
 * (hashtag, time) while the file has them in time order, and the derived
 * trend state of the hashtags a file changed is rebuilt after it. On a
 * bulk build the rows are staged and inserted sorted by SQLite's external
 * sort, and the trend state is left to the build's end. */
#include <stdlib.h>

#include "ingest_int.h"

enum { T_AT, T_TAG, T_VIEWS, T_CREATOR, T_LIKES, T_SHARES, T_COMMENTS };
static const char *const trend_cols[] = {"captured_at", "hashtag", "views",
                                         "creator",     "likes",   "shares",
                                         "comments",    NULL};
#define SNAP_COLS                                                             \
    "hashtag_id, captured_at, creator, views, likes, shares, comments"
static const char *const trend_sql[] = {
    "INSERT INTO trend_snapshots(" SNAP_COLS ", source)"
    " VALUES(?,?,?,?,?,?,?,'csv')"
    " ON CONFLICT(hashtag_id, captured_at) DO NOTHING",
    NULL};
#define MAX_COUNT 9007199254740991LL /* 2^53 - 1, as in the feed: exact in every consumer */

/* Snapshots arrive in time order while their key is (hashtag, time):
 * inserted as they come, each goes to another hashtag's part of the
 * B-tree. They are held SNAP_CHUNK at a time and inserted in key order
 * (the same rows: a stable sort keeps the file's first of two with one key
 * first, and the conflict keeps it as before). */
#define SNAP_CHUNK 262144
typedef struct snap {
    int64_t hid, at, views, likes, shares, comments;
    char *creator; /* NULL: none */
    size_t seq;    /* place in the file */
} snap;
/* On a bulk build they are staged as they come instead (temp.snap_stage,
 * in file order) and inserted at the file's end sorted by key and place in
 * the file, by SQLite's external sort: nothing held in memory, and every
 * insert appends to the B-tree however many hashtags a chunk would span. */
typedef struct snap_buf {
    snap *v;
    size_t n;
    long inserted; /* in all, by this file */
    sqlite3_stmt *dirty; /* hashtags whose state is stale */
    sqlite3_stmt *stage; /* a bulk build's staging */
    long staged;
} snap_buf;

static int snap_cmp(const void *a, const void *b)
{
    const snap *x = a, *y = b;
    if (x->hid != y->hid)
        return x->hid < y->hid ? -1 : 1;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void snap_clear(snap_buf *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i].creator);
    b->n = 0;
}

static void trend_cleanup(ing *g)
{
    snap_buf *b = g->extra;
    if (!b)
        return;
    snap_clear(b);
    sqlite3_finalize(b->dirty);
    sqlite3_finalize(b->stage);
    free(b->v);
    free(b);
    g->extra = NULL;
}

/* The hashtags of the rows inserted are marked in temp.dirty_hashtags,
 * made empty for the file on its first use. */
static sqlite3_stmt *dirty_stmt(ing *g, tg_err *err)
{
    snap_buf *b = g->extra;
    if (!b->dirty &&
        store_exec(g->s,
                   "CREATE TEMP TABLE IF NOT EXISTS dirty_hashtags("
                   "hashtag_id INTEGER PRIMARY KEY);"
                   "DELETE FROM temp.dirty_hashtags;",
                   err) == TG_OK)
        b->dirty = store_prepare(
            g->s, "INSERT OR IGNORE INTO temp.dirty_hashtags VALUES(?)", err);
    return b->dirty;
}

/* A snapshot's columns (SNAP_COLS) bound to st. */
static void bind_snap(sqlite3_stmt *st, const snap *x)
{
    sqlite3_bind_int64(st, 1, x->hid);
    sqlite3_bind_int64(st, 2, x->at);
    ing_bind_text(st, 3, x->creator ? x->creator : "");
    sqlite3_bind_int64(st, 4, x->views);
    sqlite3_bind_int64(st, 5, x->likes);
    sqlite3_bind_int64(st, 6, x->shares);
    sqlite3_bind_int64(st, 7, x->comments);
}

/* The file's state: its chunk, or on a bulk build its staging table. */
static snap_buf *snap_state(ing *g, tg_err *err)
{
    snap_buf *b = g->extra;
    if (b)
        return b;
    if (!(b = g->extra = calloc(1, sizeof *b))) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    if (store_is_bulk(g->s)) {
        if (store_exec(g->s,
                       "CREATE TEMP TABLE IF NOT EXISTS snap_stage(" SNAP_COLS
                       "); DELETE FROM temp.snap_stage",
                       err) == TG_OK)
            b->stage = store_prepare(
                g->s, "INSERT INTO temp.snap_stage VALUES(?,?,?,?,?,?,?)",
                err);
        if (!b->stage)
            b = NULL;
    } else if (!(b->v = malloc(SNAP_CHUNK * sizeof *b->v))) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        b = NULL;
    }
    if (!b)
        trend_cleanup(g);
    return b;
}

/* The staged rows into trend_snapshots in key order, the file's first of
 * two with one key kept; the others were counted as loaded when read and
 * move to the duplicates. */
static int stage_flush(ing *g, snap_buf *b, tg_err *err)
{
    if (b->staged == 0)
        return 0;
    if (store_exec(g->s,
                   "INSERT INTO trend_snapshots(" SNAP_COLS ", source)"
                   " SELECT " SNAP_COLS ", 'csv' FROM temp.snap_stage"
                   " WHERE 1 ORDER BY hashtag_id, captured_at, rowid"
                   " ON CONFLICT(hashtag_id, captured_at) DO NOTHING",
                   err) != TG_OK)
        return -1;
    long dups = b->staged - (long)sqlite3_changes(store_db(g->s));
    g->r->loaded -= dups;
    g->r->duplicates += dups;
    b->staged = 0;
    return store_exec(g->s, "DELETE FROM temp.snap_stage", err) == TG_OK
               ? 0
               : -1;
}

/* Inserts the held rows in key order. A row the store already had was
 * counted as loaded when it was read: it moves to the duplicates. */
static int snap_flush(ing *g, tg_err *err)
{
    snap_buf *b = g->extra;
    if (!b || b->n == 0)
        return 0;
    sqlite3_stmt *dirty = dirty_stmt(g, err);
    if (!dirty)
        return -1;
    qsort(b->v, b->n, sizeof *b->v, snap_cmp);
    sqlite3_stmt *st = g->st[0];
    int64_t last = 0;
    for (size_t i = 0; i < b->n; i++) {
        const snap *x = &b->v[i];
        bind_snap(st, x);
        int rc = ing_step_insert(g, st, err);
        if (rc == ROW_FAIL)
            return -1;
        if (rc == ROW_DUP) {
            g->r->loaded--;
            g->r->duplicates++;
            continue;
        }
        b->inserted++;
        if (x->hid == last)
            continue;
        last = x->hid;
        sqlite3_bind_int64(dirty, 1, x->hid);
        int step = sqlite3_step(dirty);
        sqlite3_reset(dirty);
        if (step != SQLITE_DONE)
            return store_fail(g->s, err, "marking hashtags"), -1;
    }
    snap_clear(b);
    return 0;
}

static int trend_row(ing *g, tg_err *err)
{
    int64_t at, views, likes, shares, comments;
    const char *creator;
    char tag[128];
    if (ing_time(g, T_AT, 1, &at, NULL) ||
        ing_hashtag(g, T_TAG, ing_field(g, T_TAG), tag, sizeof tag) ||
        ing_integer(g, T_VIEWS, 1, 0, MAX_COUNT, 0, &views) ||
        ing_text(g, T_CREATOR, 0, 100, &creator) ||
        ing_integer(g, T_LIKES, 0, 0, MAX_COUNT, 0, &likes) ||
        ing_integer(g, T_SHARES, 0, 0, MAX_COUNT, 0, &shares) ||
        ing_integer(g, T_COMMENTS, 0, 0, MAX_COUNT, 0, &comments))
        return ROW_BAD;
    int64_t hid = ing_hashtag_id(g, tag, err);
    if (hid <= 0)
        return ROW_FAIL;
    snap_buf *b = snap_state(g, err);
    if (!b)
        return ROW_FAIL;
    if (b->stage) {
        snap x = {hid, at, views, likes, shares, comments, (char *)creator,
                  0};
        bind_snap(b->stage, &x);
        if (ing_step_insert(g, b->stage, err) == ROW_FAIL)
            return ROW_FAIL;
        b->staged++;
        return ROW_OK; /* a duplicate is told at the file's end */
    }
    snap *x = &b->v[b->n];
    *x = (snap){hid, at, views, likes, shares, comments, NULL,
                (size_t)g->r->rows};
    if (*creator && !(x->creator = tg_strdup(creator)))
        return tg_fail(err, TG_EINTERNAL, "out of memory"), ROW_FAIL;
    if (++b->n == SNAP_CHUNK && snap_flush(g, err) != 0)
        return ROW_FAIL;
    return ROW_OK; /* counted as loaded; a duplicate is told at the flush */
}

/* Inserts what is held, then rebuilds the derived trend state of the
 * hashtags this file changed (a bulk build does it for all at its end). */
static int trend_finish(ing *g, tg_err *err)
{
    snap_buf *sb = g->extra;
    if (sb && sb->stage)
        return stage_flush(g, sb, err);
    if (snap_flush(g, err) != 0)
        return -1;
    const snap_buf *b = g->extra;
    if (!b || b->inserted == 0)
        return 0;
    return store_refresh_trend_state(g->s, 0, err) == TG_OK ? 0 : -1;
}

static const char *const trend_ident[] = {"captured_at", "hashtag", NULL};
const ing_kind ing_trends_kind = {"trends", "tiktok_trends.csv", trend_cols, trend_ident, 3, trend_sql, trend_row, trend_finish, trend_cleanup};

