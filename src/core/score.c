/* score.c: scores the store's unscored purchase lines with the embedded
 * model through the one risk path (risk.h) and records the probability
 * and top drivers of each; the store's trigger turns high scores into
 * queued interventions. */
#include "trendguard/score.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trendguard/dataset.h"
#include "trendguard/features.h"
#include "trendguard/risk.h"
#include "schema.h"

int score_feature_map(const tg_model *m, int *map, tg_err *err)
{
    size_t nf = model_num_features(m);
    if (!model_feature_name(m, 0)) {
        if (nf != TG_NUM_FEATURES)
            return tg_fail(err, TG_EDATA,
                           "the model has %zu unnamed features; the store "
                           "provides %d", nf, TG_NUM_FEATURES);
        for (size_t i = 0; i < nf; i++)
            map[i] = (int)i;
        return TG_OK;
    }
    for (size_t i = 0; i < nf; i++) {
        map[i] = features_index(model_feature_name(m, i));
        if (map[i] < 0)
            return tg_fail(err, TG_EDATA,
                           "the model's feature '%s' is not one the store "
                           "provides", model_feature_name(m, i));
    }
    return TG_OK;
}

static char *model_features_json(const tg_model *m)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < model_num_features(m); i++) {
        const char *n = model_feature_name(m, i);
        cJSON_AddItemToArray(a, cJSON_CreateString(n ? n : features_name(
                                                           (int)i)));
    }
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}

/* The model at path and the SHA-256 of the very bytes it was parsed from
 * (the file read once), with model_load's messages. */
static tg_model *load_hashed(const char *path, char sha[65], tg_err *err)
{
    tg_err e;
    tg_err_clear(&e);
    size_t n = 0;
    char *buf = tg_read_file(path, &n, TG_MODEL_MAX_FILE, &e);
    if (!buf) {
        tg_fail(err, e.code, "%s", e.msg);
        return NULL;
    }
    tg_sha256_buf(buf, n, sha);
    tg_model *m = model_load_mem(buf, n, &e);
    free(buf);
    if (!m)
        tg_fail(err, e.code, "%s: %s", path, e.msg);
    return m;
}

tg_model *score_load_registered(const tg_model_info *info, tg_err *err)
{
    char sha[65];
    tg_model *m = load_hashed(info->path, sha, err);
    if (m && strcmp(sha, info->sha256) != 0) {
        tg_fail(err, TG_EDATA, "%s: the file changed since it was "
                               "registered as model v%d", info->path,
                info->version);
        model_free(m);
        return NULL;
    }
    return m;
}

tg_model *score_open_model(tg_store *s, const char *path,
                           tg_model_info *info, tg_err *err)
{
    char abs[PATH_MAX];
    if (!path)
        return registry_latest(s, info, err) == TG_OK
                   ? score_load_registered(info, err)
                   : NULL;
    if (!realpath(path, abs)) {
        tg_fail(err, TG_ENOINPUT, "%s: no such model file", path);
        return NULL;
    }
    path = abs;
    char sha[65];
    tg_model *m = load_hashed(path, sha, err);
    if (!m)
        return NULL;
    int rc = registry_find_path(s, path, info, err);
    if (rc == TG_OK && strcmp(sha, info->sha256) == 0)
        return m;
    /* New, or changed since it was registered: a new version. */
    char *feat = model_features_json(m);
    memset(info, 0, sizeof *info);
    info->version = registry_next_version(s);
    tg_strlcpy(info->path, path, sizeof info->path);
    tg_strlcpy(info->sha256, sha, sizeof info->sha256);
    info->threshold = 0.5;
    info->trained_at = (int64_t)time(NULL);
    rc = feat ? registry_add(s, info->version, path, sha, feat, 0.5, NULL,
                             info->trained_at, err)
              : tg_fail(err, TG_EINTERNAL, "out of memory");
    free(feat);
    if (rc != TG_OK) {
        model_free(m);
        return NULL;
    }
    return m;
}

/* Lines are scored in chunks by two threads while the calling thread
 * writes the chunk before: a job is half a chunk to score, or a chunk to
 * write. Rows go to risk_score_batch a group at a time. */
#define CHUNK 8192
#define GROUP 64
typedef struct chunk_buf {
    size_t from, to;  /* lines of the dataset */
    float p[CHUNK];
    char *drivers[CHUNK]; /* driver JSON, freed once written */
} chunk_buf;

typedef struct score_job {
    int write;        /* 1: write buf; 0: score lines [from, to) into buf */
    const tg_risk_scorer *rs;
    const tg_dataset *d;
    chunk_buf *buf;
    size_t from, to;
    /* writing */
    tg_store *s;
    sqlite3_stmt *ins;
    int version;
    int64_t now;
    tg_score_result *r;
    int rc;
    tg_err err;
} score_job;

static void score_lines(score_job *j)
{
    tg_risk risk[GROUP];
    for (size_t i = j->from; i < j->to && j->rc == TG_OK; i += GROUP) {
        size_t n = j->to - i < GROUP ? j->to - i : GROUP;
        j->rc = risk_score_batch(j->rs, j->d->x + i * j->d->nfeat, n, risk,
                                 &j->err);
        for (size_t k = 0; k < n && j->rc == TG_OK; k++) {
            j->buf->p[i + k - j->buf->from] = (float)risk[k].p;
            j->buf->drivers[i + k - j->buf->from] =
                risk_drivers_json(&risk[k]);
        }
    }
}

/* One insert per line of the chunk into the staging table, in the
 * caller's transaction. */
static void write_lines(score_job *j)
{
    const chunk_buf *b = j->buf;
    for (size_t i = b->from; i < b->to && j->rc == TG_OK; i++) {
        sqlite3_bind_int64(j->ins, 1, j->d->id[i]);
        sqlite3_bind_int(j->ins, 2, j->version);
        sqlite3_bind_double(j->ins, 3, b->p[i - b->from]);
        if (b->drivers[i - b->from])
            sqlite3_bind_text(j->ins, 4, b->drivers[i - b->from], -1,
                              SQLITE_STATIC);
        sqlite3_bind_int64(j->ins, 5, j->now);
        int step = sqlite3_step(j->ins);
        sqlite3_reset(j->ins);
        sqlite3_clear_bindings(j->ins);
        if (step != SQLITE_DONE)
            j->rc = store_fail(j->s, &j->err, "staging a score");
    }
}

static void *score_job_run(void *arg)
{
    score_job *j = arg;
    if (j->write)
        write_lines(j);
    else
        score_lines(j);
    return NULL;
}

/* Scores the lines of next (NULL: none left) on two threads while this
 * one writes done (NULL: nothing yet); then frees done's JSON. */
static int score_step(score_job *proto, chunk_buf *done, chunk_buf *next,
                      tg_err *err)
{
    score_job jobs[3];
    int n = 0;
    if (done) {
        jobs[n] = *proto;
        jobs[n].write = 1;
        jobs[n++].buf = done;
    }
    if (next) {
        size_t mid = next->from + (next->to - next->from) / 2;
        for (int h = 0; h < 2; h++) {
            jobs[n] = *proto;
            jobs[n].write = 0;
            jobs[n].buf = next;
            jobs[n].from = h ? mid : next->from;
            jobs[n++].to = h ? next->to : mid;
        }
    }
    tg_parallel(score_job_run, jobs, sizeof *jobs, n);
    if (done)
        for (size_t i = 0; i < done->to - done->from; i++) {
            free(done->drivers[i]);
            done->drivers[i] = NULL;
        }
    for (int k = 0; k < n; k++)
        if (jobs[k].rc != TG_OK) {
            if (err)
                *err = jobs[k].err;
            return jobs[k].rc;
        }
    return TG_OK;
}

tg_risk_scorer *score_scorer(const tg_model *m, const tg_explainer *ex,
                             tg_err *err)
{
    int *map = malloc(model_num_features(m) * sizeof *map + 1);
    if (!map) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    tg_risk_scorer *rs = score_feature_map(m, map, err) == TG_OK
                             ? risk_scorer_new(m, map, ex, err) : NULL;
    free(map);
    return rs;
}

/* Frees both buffers and whatever JSON they still hold. */
static void free_bufs(chunk_buf *b[2])
{
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; b[k] && i < CHUNK; i++)
            free(b[k]->drivers[i]);
        free(b[k]);
    }
}

/* The staging table, emptied, and the transaction that fills it: writing
 * only to the temporary database, it takes no lock on the store. */
static const char SQL_STAGE[] =
    "CREATE TEMP TABLE IF NOT EXISTS score_new(purchase_id INTEGER PRIMARY"
    " KEY, model_version INTEGER, p_return REAL, drivers TEXT,"
    " scored_at INTEGER);"
    "DELETE FROM temp.score_new;"
    "BEGIN";

int score_copy_staged(tg_store *s, size_t staged, tg_score_result *r,
                      tg_err *err)
{
    int rc = store_begin(s, err);
    if (rc != TG_OK)
        return rc;
    /* The dashboard's rollups take the batch summed by cell, not a
     * trigger per score. */
    rc = store_exec(s, schema_rollup_scores_before, err);
    if (rc == TG_OK)
        rc = store_exec(s, schema_funnel_scores_before, err);
    if (rc == TG_OK)
        rc = store_exec(s,
                        "INSERT OR IGNORE INTO scores(purchase_id,"
                        " model_version, p_return, drivers, scored_at)"
                        " SELECT purchase_id, model_version, p_return,"
                        " drivers, scored_at FROM temp.score_new"
                        " ORDER BY purchase_id",
                        err);
    long inserted = (long)sqlite3_changes(store_db(s));
    if (rc == TG_OK)
        rc = store_exec(s, schema_funnel_scores_after, err);
    if (rc == TG_OK)
        rc = store_exec(s, schema_rollup_scores_after, err);
    if (rc == TG_OK) {
        r->scored = inserted;
        r->taken = (long)staged - r->scored;
        /* the rows the scoring trigger added: above the newest id the
         * batch began at */
        r->queued = (long)store_count(s, "SELECT count(*) FROM interventions"
                                         " WHERE id > (SELECT funnel_from"
                                         " FROM dash_batch)");
        rc = store_commit(s, err);
    }
    if (rc != TG_OK)
        store_rollback(s);
    return rc;
}

int score_unscored(tg_store *s, const tg_model *m, const tg_model_info *info,
                   const tg_explainer *ex,
                   void (*progress)(void *ud, double frac), void *ud,
                   tg_score_result *r, tg_err *err)
{
    memset(r, 0, sizeof *r);
    r->model_version = info->version;
    chunk_buf *buf[2] = {calloc(1, sizeof *buf[0]), calloc(1, sizeof *buf[1])};
    if (!buf[0] || !buf[1]) {
        free_bufs(buf);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    tg_risk_scorer *rs = score_scorer(m, ex, err);
    int rc = rs ? TG_OK : err->code;
    tg_dataset d = {0};
    sqlite3_stmt *ins = NULL;
    if (rc == TG_OK)
        rc = dataset_load(s, DATASET_UNSCORED, info->version, &d, err);
    if (rc != TG_OK)
        goto out;
    /* Scores are staged in a temporary table (the store's write lock is
     * not taken) and copied into scores in one short write transaction,
     * so a checkout waits for the copy, never for the scoring. The
     * staging (its drivers' JSON: about 300 bytes a line) is on disk. */
    store_temp_on_disk(s, 1);
    if ((rc = store_exec(s, SQL_STAGE, err)) != TG_OK)
        goto rollback;
    ins = store_prepare(s,
                        "INSERT INTO temp.score_new(purchase_id,"
                        " model_version, p_return, drivers, scored_at)"
                        " VALUES(?,?,?,?,?)",
                        err);
    if (!ins) {
        rc = err->code;
        goto rollback;
    }
    /* The store's clock: its newest purchase or return. */
    score_job proto = {.rs = rs, .d = &d, .s = s, .ins = ins,
                       .version = info->version,
                       .now = store_count(s, "SELECT t FROM v_data_end"),
                       .r = r, .rc = TG_OK};
    chunk_buf *done = NULL;
    for (size_t from = 0, k = 0; rc == TG_OK && (from < d.n || done);
         from += CHUNK, k++) {
        chunk_buf *next = from < d.n ? buf[k % 2] : NULL;
        if (next) {
            next->from = from;
            next->to = from + CHUNK < d.n ? from + CHUNK : d.n;
        }
        rc = score_step(&proto, done, next, err);
        if (rc == TG_OK && done && progress)
            progress(ud, (double)done->to / (double)d.n);
        done = next;
    }
    sqlite3_finalize(ins);
    ins = NULL;
    if (rc == TG_OK && (rc = store_commit(s, err)) == TG_OK)
        rc = score_copy_staged(s, d.n, r, err);
rollback:
    sqlite3_finalize(ins);
    store_rollback(s);
    if (rc != TG_OK)
        r->scored = r->taken = r->queued = 0;
    store_exec(s, "DROP TABLE IF EXISTS temp.score_new", NULL);
    store_temp_on_disk(s, 0);
out:
    dataset_free(&d);
    risk_scorer_free(rs);
    free_bufs(buf);
    return rc;
}
