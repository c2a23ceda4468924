/* score.c: scores the store's unscored purchase lines with the embedded
 * model through the one risk path (risk.h) and records the probability
 * and top drivers of each; the store's trigger turns high scores into
 * queued interventions. */
#include "trendguard/score.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trendguard/dataset.h"
#include "trendguard/features.h"
#include "trendguard/risk.h"

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

tg_model *score_open_model(tg_store *s, const char *path,
                           tg_model_info *info, tg_err *err)
{
    char abs[PATH_MAX];
    if (path) {
        if (!realpath(path, abs)) {
            tg_fail(err, TG_ENOINPUT, "%s: no such model file", path);
            return NULL;
        }
        path = abs;
    } else if (registry_latest(s, info, err) != TG_OK) {
        return NULL;
    }
    tg_model *m = model_load(path ? path : info->path, err);
    if (!m)
        return NULL;
    char sha[65];
    if (tg_sha256_file(path ? path : info->path, sha, err) != TG_OK) {
        model_free(m);
        return NULL;
    }
    if (!path) {
        if (strcmp(sha, info->sha256) != 0) {
            tg_fail(err, TG_EDATA, "%s: the file changed since it was "
                                   "registered as model v%d", info->path,
                    info->version);
            model_free(m);
            return NULL;
        }
        return m;
    }
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

/* A chunk of lines scored by worker threads: probabilities and driver
 * JSON per line, then written by the calling thread. */
#define CHUNK 8192
typedef struct chunk_job {
    const tg_risk_scorer *rs;
    const tg_dataset *d;
    size_t from, to;  /* lines of d */
    float *p;         /* to - from */
    char **drivers;   /* to - from, caller frees */
    int rc;
    tg_err err;
} chunk_job;

static void *score_part(void *arg)
{
    chunk_job *j = arg;
    for (size_t i = j->from; i < j->to && j->rc == TG_OK; i++) {
        tg_risk r;
        j->rc = risk_score(j->rs, j->d->x + i * j->d->nfeat, &r, &j->err);
        j->p[i - j->from] = (float)r.p;
        j->drivers[i - j->from] = risk_drivers_json(&r);
    }
    return NULL;
}

/* Scores lines [from, to) on up to two threads. */
static int score_chunk(const tg_risk_scorer *rs, const tg_dataset *d,
                       size_t from, size_t to, float *p, char **drivers,
                       tg_err *err)
{
    size_t mid = from + (to - from) / 2;
    chunk_job jobs[2] = {
        {rs, d, from, mid, p, drivers, TG_OK, {0, ""}},
        {rs, d, mid, to, p + (mid - from), drivers + (mid - from), TG_OK,
         {0, ""}}};
    pthread_t t;
    int threaded = to - from >= 256 && pthread_create(&t, NULL, score_part,
                                                      &jobs[1]) == 0;
    score_part(&jobs[0]);
    if (threaded)
        pthread_join(t, NULL);
    else
        score_part(&jobs[1]);
    for (int k = 0; k < 2; k++)
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

int score_unscored(tg_store *s, const tg_model *m, const tg_model_info *info,
                   const tg_explainer *ex,
                   void (*progress)(void *ud, double frac), void *ud,
                   tg_score_result *r, tg_err *err)
{
    memset(r, 0, sizeof *r);
    r->model_version = info->version;
    float *p = malloc(CHUNK * sizeof *p);
    char **drivers = calloc(CHUNK, sizeof *drivers);
    if (!p || !drivers) {
        free(p), free(drivers);
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
    /* Counted inside the write transaction: another run that scored the
     * same lines first leaves this one's inserts ignored, and its counts
     * say so. */
    if ((rc = store_begin(s, err)) != TG_OK)
        goto out;
    int64_t queued0 = store_count(s, "SELECT count(*) FROM interventions");
    ins = store_prepare(s,
                        "INSERT OR IGNORE INTO scores(purchase_id,"
                        " model_version, p_return, drivers, scored_at)"
                        " VALUES(?,?,?,?,?)",
                        err);
    if (!ins) {
        rc = err->code;
        goto rollback;
    }
    /* The store's clock: its newest purchase or return. */
    int64_t now = store_count(s, "SELECT t FROM v_data_end");
    for (size_t from = 0; from < d.n; from += CHUNK) {
        size_t to = from + CHUNK < d.n ? from + CHUNK : d.n;
        rc = score_chunk(rs, &d, from, to, p, drivers, err);
        for (size_t i = from; i < to && rc == TG_OK; i++) {
            sqlite3_bind_int64(ins, 1, d.id[i]);
            sqlite3_bind_int(ins, 2, info->version);
            sqlite3_bind_double(ins, 3, p[i - from]);
            if (drivers[i - from])
                sqlite3_bind_text(ins, 4, drivers[i - from], -1,
                                  SQLITE_STATIC);
            sqlite3_bind_int64(ins, 5, now);
            int step = sqlite3_step(ins);
            sqlite3_reset(ins);
            sqlite3_clear_bindings(ins);
            if (step != SQLITE_DONE)
                rc = store_fail(s, err, "writing a score");
            else if (sqlite3_changes(store_db(s)) > 0)
                r->scored++;
            else
                r->taken++;
        }
        for (size_t i = 0; i < to - from; i++) {
            free(drivers[i]);
            drivers[i] = NULL;
        }
        if (rc != TG_OK)
            goto rollback;
        if (progress)
            progress(ud, (double)to / (double)d.n);
    }
    sqlite3_finalize(ins);
    ins = NULL;
    r->queued = (long)(store_count(s, "SELECT count(*) FROM interventions") -
                       queued0);
    if ((rc = store_commit(s, err)) == TG_OK)
        goto out;
rollback:
    sqlite3_finalize(ins);
    store_rollback(s);
    r->scored = r->taken = r->queued = 0;
out:
    dataset_free(&d);
    risk_scorer_free(rs);
    free(p), free(drivers);
    return rc;
}
