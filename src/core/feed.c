/* feed.c: loads a fetched and parsed trend feed into the store in one
 * transaction (hashtags, snapshots, rejects, trend state, the document's
 * hash and the URL's validators); feed_sync, which chains the validators,
 * the transfer (feed_http.c), the parse (feed_parse.c) and the load; and
 * the worker thread that runs the transfer and parse off an event loop. */
#include "trendguard/feed.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trendguard/worker.h"

const char *feed_format_name(int format)
{
    switch (format) {
    case FEED_NATIVE:
        return "feed";
    case FEED_TIKTOK:
        return "tiktok-scraper";
    default:
        return "auto";
    }
}

int feed_format_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "auto") == 0)
        return FEED_AUTO;
    if (strcmp(s, "feed") == 0)
        return FEED_NATIVE;
    if (strcmp(s, "tiktok-scraper") == 0 || strcmp(s, "tiktok") == 0)
        return FEED_TIKTOK;
    return -1;
}

/* Validators per URL (table feed_sources, schema version 3). */
static const char sql_source_get[] =
    "SELECT etag, last_modified FROM feed_sources WHERE url = ?";
static const char sql_source_put[] =
    "INSERT INTO feed_sources(url, etag, last_modified, last_sync,"
    " last_status) VALUES(?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT(url) DO UPDATE SET"
    "  etag = CASE WHEN ?6 THEN etag ELSE ?2 END,"
    "  last_modified = CASE WHEN ?6 THEN last_modified ELSE ?3 END,"
    "  last_sync = ?4, last_status = ?5";
static const char sql_temp[] =
    "CREATE TEMP TABLE IF NOT EXISTS dirty_hashtags("
    " hashtag_id INTEGER PRIMARY KEY);"
    "DELETE FROM temp.dirty_hashtags;"
    "CREATE TEMP TABLE IF NOT EXISTS feed_hashtags("
    " hashtag_id INTEGER PRIMARY KEY);"
    "DELETE FROM temp.feed_hashtags;";
static const char sql_loaded[] =
    "SELECT 1 FROM ingest_files WHERE sha256 = ?";
static const char sql_file[] =
    "INSERT OR REPLACE INTO ingest_files(sha256, name, kind, rows_loaded,"
    " rows_rejected, loaded_at) VALUES(?,?,?,?,?,?)";
static const char sql_tag_add[] =
    "INSERT INTO hashtags(name) VALUES(?) ON CONFLICT(name) DO NOTHING";
static const char sql_tag_get[] = "SELECT id FROM hashtags WHERE name = ?";
static const char sql_seen[] =
    "INSERT OR IGNORE INTO temp.feed_hashtags VALUES(?)";
static const char sql_dirty[] =
    "INSERT OR IGNORE INTO temp.dirty_hashtags VALUES(?)";
static const char sql_snap[] =
    "INSERT INTO trend_snapshots(hashtag_id, captured_at, creator, views,"
    " likes, shares, comments, source) VALUES(?,?,?,?,?,?,?,?)"
    " ON CONFLICT(hashtag_id, captured_at) DO NOTHING";
static const char sql_matched_products[] =
    "SELECT count(DISTINCT product_id) FROM product_tags"
    " WHERE hashtag_id IN (SELECT hashtag_id FROM temp.feed_hashtags)";
static const char sql_matched_tags[] =
    "SELECT count(*) FROM temp.feed_hashtags f WHERE EXISTS"
    " (SELECT 1 FROM product_tags t WHERE t.hashtag_id = f.hashtag_id)";

int feed_validators_get(tg_store *s, const char *url, tg_feed_validators *v,
                        tg_err *err)
{
    memset(v, 0, sizeof *v);
    char *key = feed_url_redact(url);
    sqlite3_stmt *st = key ? store_prepare(s, sql_source_get, err) : NULL;
    if (!st) {
        free(key);
        return key ? (err ? err->code : TG_EINTERNAL)
                   : tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *e = (const char *)sqlite3_column_text(st, 0);
        const char *m = (const char *)sqlite3_column_text(st, 1);
        if (e && strlen(e) < sizeof v->etag)
            tg_strlcpy(v->etag, e, sizeof v->etag);
        if (m && strlen(m) < sizeof v->last_modified)
            tg_strlcpy(v->last_modified, m, sizeof v->last_modified);
    }
    sqlite3_finalize(st);
    free(key);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, err, "reading feed_sources");
    return TG_OK;
}

static const char sql_last_url[] =
    "SELECT url FROM feed_sources ORDER BY last_sync DESC LIMIT 1";

int feed_last_url(tg_store *s, char *url, size_t n, tg_err *err)
{
    if (n)
        url[0] = 0;
    sqlite3_stmt *st = store_prepare(s, sql_last_url, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
        tg_strlcpy(url, (const char *)sqlite3_column_text(st, 0), n);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(s, err, "reading feed_sources");
    return TG_OK;
}

/* ---- the load ----------------------------------------------------------- */

enum { ST_TAG_ADD, ST_TAG_GET, ST_SEEN, ST_DIRTY, ST_SNAP, ST_N };

typedef struct loader {
    tg_store *s;
    sqlite3_stmt *st[ST_N];
    tg_feed_result *r;
    tg_err *err;
} loader;

static int step_done(loader *g, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return store_fail(g->s, g->err, what);
    return TG_OK;
}

/* The id of a hashtag, created when add is set; 0 when absent. */
static int64_t hashtag_id(loader *g, const char *name, int add)
{
    sqlite3 *db = store_db(g->s);
    if (add) {
        sqlite3_bind_text(g->st[ST_TAG_ADD], 1, name, -1, SQLITE_STATIC);
        if (step_done(g, g->st[ST_TAG_ADD], "adding a hashtag") != TG_OK)
            return -1;
        g->r->hashtags_added += sqlite3_changes(db);
    }
    sqlite3_stmt *q = g->st[ST_TAG_GET];
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(g->s, g->err, "looking up a hashtag"), -1;
    if (add && id <= 0)
        return tg_fail(g->err, TG_EINTERNAL, "hashtag '%s' vanished", name),
               -1;
    return id;
}

static int mark(loader *g, int slot, int64_t id, const char *what)
{
    sqlite3_bind_int64(g->st[slot], 1, id);
    return step_done(g, g->st[slot], what);
}

static int load_snapshot(loader *g, const tg_feed_doc *d,
                         const tg_feed_snapshot *sn)
{
    int64_t hid = hashtag_id(g, sn->hashtag, 1);
    if (hid < 0)
        return g->err ? g->err->code : TG_EINTERNAL;
    if (mark(g, ST_SEEN, hid, "noting a hashtag") != TG_OK)
        return g->err ? g->err->code : TG_EINTERNAL;
    sqlite3_stmt *st = g->st[ST_SNAP];
    sqlite3_bind_int64(st, 1, hid);
    sqlite3_bind_int64(st, 2, sn->captured_at);
    if (sn->creator)
        sqlite3_bind_text(st, 3, sn->creator, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, sn->views);
    sqlite3_bind_int64(st, 5, sn->likes);
    sqlite3_bind_int64(st, 6, sn->shares);
    sqlite3_bind_int64(st, 7, sn->comments);
    sqlite3_bind_text(st, 8, feed_format_name(d->format), -1, SQLITE_STATIC);
    if (step_done(g, st, "adding a snapshot") != TG_OK)
        return g->err ? g->err->code : TG_EINTERNAL;
    if (sqlite3_changes(store_db(g->s)) == 0)
        return TG_OK; /* already there: the first load wins */
    g->r->snapshots_added++;
    return mark(g, ST_DIRTY, hid, "marking a hashtag");
}

/* The validators and status of url. keep: leave the validators as they
 * are (a 304). */
static int record_source(loader *g, const tg_feed_fetch *f, int keep,
                         const char *status)
{
    sqlite3_stmt *st = store_prepare(g->s, sql_source_put, g->err);
    if (!st)
        return g->err ? g->err->code : TG_EINTERNAL;
    sqlite3_bind_text(st, 1, f->url, -1, SQLITE_STATIC);
    if (f->etag)
        sqlite3_bind_text(st, 2, f->etag, -1, SQLITE_STATIC);
    if (f->last_modified)
        sqlite3_bind_text(st, 3, f->last_modified, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, f->fetched_at);
    sqlite3_bind_text(st, 5, status, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, keep);
    int rc = step_done(g, st, "recording the feed source");
    sqlite3_finalize(st);
    return rc;
}

static int record_file(loader *g, const tg_feed_fetch *f,
                       const tg_feed_doc *d)
{
    sqlite3_stmt *st = store_prepare(g->s, sql_file, g->err);
    if (!st)
        return g->err ? g->err->code : TG_EINTERNAL;
    sqlite3_bind_text(st, 1, d->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, feed_format_name(d->format), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, g->r->snapshots_added);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)d->nrejects);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
    int rc = step_done(g, st, "recording the document");
    sqlite3_finalize(st);
    return rc;
}

static int is_loaded(loader *g, const char *sha)
{
    sqlite3_stmt *st = store_prepare(g->s, sql_loaded, g->err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(g->s, g->err, "looking up the document"), -1;
    return rc == SQLITE_ROW;
}

/* Everything but the transaction around it. */
static int load_doc(loader *g, const tg_feed_fetch *f, const tg_feed_doc *d)
{
    int rc;
    if ((rc = store_exec(g->s, sql_temp, g->err)) != TG_OK)
        return rc;
    static const char *const sql[ST_N] = {sql_tag_add, sql_tag_get, sql_seen,
                                          sql_dirty, sql_snap};
    for (int i = 0; i < ST_N; i++)
        if (!(g->st[i] = store_prepare(g->s, sql[i], g->err)))
            return g->err ? g->err->code : TG_EINTERNAL;
    int loaded = is_loaded(g, d->sha256);
    if (loaded < 0)
        return g->err ? g->err->code : TG_EINTERNAL;
    g->r->already_loaded = loaded;
    if (loaded) {
        /* Nothing to add; only find which of its hashtags we know. */
        for (size_t i = 0; i < d->nsnaps; i++) {
            int64_t id = hashtag_id(g, d->snaps[i].hashtag, 0);
            if (id < 0 ||
                (id > 0 && mark(g, ST_SEEN, id, "noting a hashtag")))
                return g->err ? g->err->code : TG_EINTERNAL;
        }
    } else {
        for (size_t i = 0; i < d->nsnaps; i++)
            if ((rc = load_snapshot(g, d, &d->snaps[i])) != TG_OK)
                return rc;
        for (size_t i = 0; i < d->nrejects; i++) {
            const tg_feed_reject *x = &d->rejects[i];
            if ((rc = store_reject(g->s, f->url, d->sha256, x->item,
                                   x->field, x->reason, x->raw,
                                   strlen(x->raw), g->err)) != TG_OK)
                return rc;
        }
        g->r->rejected = (long)d->nrejects;
        if (g->r->snapshots_added > 0 &&
            (rc = store_refresh_trend_state(g->s, 0, g->err)) != TG_OK)
            return rc;
        if ((rc = record_file(g, f, d)) != TG_OK)
            return rc;
    }
    g->r->matched_products = (long)store_count(g->s, sql_matched_products);
    g->r->matched_hashtags = (long)store_count(g->s, sql_matched_tags);
    char status[64];
    if (loaded)
        snprintf(status, sizeof status, "already loaded");
    else
        snprintf(status, sizeof status, "ok: %ld added, %zu rejected",
                 g->r->snapshots_added, d->nrejects);
    return record_source(g, f, 0, status);
}

static void result_from(tg_feed_result *r, const tg_feed_fetch *f,
                        const tg_feed_doc *d)
{
    r->status = f->status;
    r->bytes = (int64_t)f->len;
    r->attempts = f->attempts;
    r->redirects = f->redirects;
    r->seconds = f->seconds;
    if (!d)
        return;
    r->format = d->format;
    r->items = d->items;
    r->videos = d->videos;
    r->duplicates = d->duplicates;
    r->hashtags = d->hashtags;
    r->snapshots = (long)d->nsnaps;
    r->captured_at = d->format == FEED_TIKTOK ? d->captured_at : 0;
    memcpy(r->sha256, d->sha256, sizeof r->sha256);
}

int feed_apply(tg_store *s, const tg_feed_fetch *f, const tg_feed_doc *d,
               tg_feed_result *r, tg_err *err)
{
    tg_feed_result local;
    if (!r)
        r = &local;
    memset(r, 0, sizeof *r);
    if (!f || !f->url || (f->status != 304 && !d))
        return tg_fail(err, TG_EUSAGE,
                       "feed_apply: needs a fetch with its URL and, for a "
                       "200, its document");
    result_from(r, f, f->status == 304 ? NULL : d);
    loader g = {.s = s, .r = r, .err = err};
    int rc = store_begin(s, err);
    if (rc != TG_OK)
        return rc;
    if (f->status == 304) {
        r->not_modified = 1;
        rc = record_source(&g, f, 1, "not modified");
    } else {
        rc = load_doc(&g, f, d);
    }
    for (int i = 0; i < ST_N; i++)
        sqlite3_finalize(g.st[i]);
    /* New snapshots at or before existing lines make their trend stale. */
    if (rc == TG_OK && f->status != 304)
        rc = store_features_refresh(s, err);
    if (rc == TG_OK)
        rc = store_commit(s, err);
    if (rc != TG_OK) {
        store_rollback(s);
        long keep_status = r->status;
        memset(r, 0, sizeof *r);
        r->status = keep_status;
    }
    return rc;
}

/* Fetches url and, for a 200, parses the body. On TG_OK *f and (for a
 * 200) *d are set; on failure nothing is, and a parse error names the
 * URL (and a Content-Type that is not JSON). */
static int fetch_and_parse(const char *url, const tg_feed_opts *o,
                           const tg_feed_validators *v, tg_feed_fetch **f,
                           tg_feed_doc **d, tg_err *err)
{
    *d = NULL;
    int rc = feed_fetch(url, o, v, f, err);
    if (rc != TG_OK || (*f)->status != 200)
        return rc;
    const char *lms = (*f)->last_modified;
    time_t lm = lms ? curl_getdate(lms, NULL) : -1;
    *d = feed_parse((*f)->body, (*f)->len, o->format, (*f)->fetched_at,
                    lm > 0 ? (int64_t)lm : 0, err);
    if (*d)
        return TG_OK;
    rc = err && err->code ? err->code : TG_EDATA;
    if (err) {
        char m[sizeof err->msg];
        tg_strlcpy(m, err->msg, sizeof m);
        const char *ct = (*f)->content_type;
        if (ct && !strstr(ct, "json") && rc == TG_EDATA)
            tg_fail(err, rc, "%s: %s (Content-Type %s)", (*f)->url, m, ct);
        else
            tg_fail(err, rc, "%s: %s", (*f)->url, m);
    }
    feed_fetch_free(*f);
    *f = NULL;
    return rc;
}

int feed_sync(tg_store *s, const char *url, const tg_feed_opts *o,
              tg_feed_result *r, tg_err *err)
{
    static const tg_feed_opts none;
    tg_feed_result local;
    if (!r)
        r = &local;
    memset(r, 0, sizeof *r);
    if (!o)
        o = &none;
    tg_feed_validators v;
    int rc = feed_validators_get(s, url, &v, err);
    if (rc != TG_OK)
        return rc;
    tg_feed_fetch *f = NULL;
    tg_feed_doc *d = NULL;
    if ((rc = fetch_and_parse(url, o, &v, &f, &d, err)) != TG_OK)
        return rc;
    rc = feed_apply(s, f, d, r, err);
    feed_doc_free(d);
    feed_fetch_free(f);
    return rc;
}

/* ---- a worker thread ---------------------------------------------------- */

struct tg_feed_job {
    tg_worker *worker;
    atomic_int cancel;
    int finished, have_v;
    char *url;
    tg_feed_opts o;
    tg_feed_validators v;
    tg_feed_fetch *fetch;
    tg_feed_doc *doc;
    tg_err err;
    int rc;
};

static void job_main(void *arg)
{
    tg_feed_job *j = arg;
    j->rc = fetch_and_parse(j->url, &j->o, j->have_v ? &j->v : NULL,
                            &j->fetch, &j->doc, &j->err);
}

tg_feed_job *feed_job_start(const char *url, const tg_feed_opts *o,
                            const tg_feed_validators *v, tg_err *err)
{
    tg_feed_job *j = calloc(1, sizeof *j);
    if (!j || !(j->url = tg_strdup(url ? url : ""))) {
        free(j);
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    if (o)
        j->o = *o;
    j->o.cancel = &j->cancel;
    if (v) {
        j->v = *v;
        j->have_v = 1;
    }
    atomic_init(&j->cancel, 0);
    if (!(j->worker = worker_start(job_main, j, err))) {
        free(j->url);
        free(j);
        return NULL;
    }
    return j;
}

int feed_job_fd(const tg_feed_job *j)
{
    return j->worker ? worker_fd(j->worker) : -1;
}

int feed_job_done(const tg_feed_job *j)
{
    return j->worker ? worker_done(j->worker) : 1; /* finished */
}

static void job_join(tg_feed_job *j)
{
    worker_join(j->worker);
    j->worker = NULL;
}

int feed_job_finish(tg_feed_job *j, tg_feed_fetch **f, tg_feed_doc **doc,
                    tg_err *err)
{
    *f = NULL;
    *doc = NULL;
    if (j->finished)
        return tg_fail(err, TG_EUSAGE, "feed job already finished");
    job_join(j);
    j->finished = 1;
    if (j->rc != TG_OK) {
        if (err)
            *err = j->err;
        return j->rc;
    }
    *f = j->fetch;
    *doc = j->doc;
    j->fetch = NULL;
    j->doc = NULL;
    return TG_OK;
}

void feed_job_free(tg_feed_job *j)
{
    if (!j)
        return;
    atomic_store(&j->cancel, 1);
    job_join(j);
    feed_fetch_free(j->fetch);
    feed_doc_free(j->doc);
    free(j->url);
    free(j);
}
