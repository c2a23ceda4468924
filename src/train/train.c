/* train.c: the batch trainer. Reads the mature training set, splits it by
 * time (the last valid_days are the hold-out), boosts with libxgboost's C
 * API and early stopping on the hold-out, picks the decision threshold,
 * computes the metrics (with the oracle and baselines), writes the model as
 * XGBoost JSON atomically and registers it. The steps are shared with the
 * distributed worker (worker.c) through train_int.h. */
#include "train_int.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xgboost/c_api.h>

#include "collective.h"
#include "trendguard/dataset.h"
#include "trendguard/features.h"
#include "trendguard/registry.h"
#include "trendguard/shards.h"

void train_defaults(tg_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->rounds = 600;
    o->early_stop = 40;
    o->max_depth = 6;
    o->eta = 0.08;
    o->seed = 1;
    o->valid_days = 30;
    o->nthread = 0;
    o->rank = o->world_size = -1;
    o->timeout = 120;
}

/* libxgboost's last error without the stack trace it appends: errors are
 * one line. Valid until the next call on the thread. */
static const char *xgb_error(void)
{
    static _Thread_local char line[400];
    const char *e = XGBGetLastError();
    size_t n = strcspn(e ? e : "", "\r\n");
    snprintf(line, sizeof line, "%.*s", (int)n, e ? e : "");
    return line;
}

int train_xgb_fail(tg_err *err, const char *what)
{
    if (collective_active()) {
        char buf[512];
        int code = collective_classify(XGBGetLastError(), what, buf,
                                       sizeof buf);
        return tg_fail(err, code, "%s", buf);
    }
    return tg_fail(err, TG_EINTERNAL, "libxgboost: %s: %s", what,
                   xgb_error());
}
#define xgb_fail train_xgb_fail

int train_matrix(const float *x, const float *y, size_t n,
                 DMatrixHandle *out, tg_err *err)
{
    const char *names[TG_NUM_FEATURES], *types[TG_NUM_FEATURES];
    for (int f = 0; f < TG_NUM_FEATURES; f++) {
        names[f] = features_name(f);
        types[f] = "q";
    }
    if (XGDMatrixCreateFromMat(x, (bst_ulong)n, TG_NUM_FEATURES, NAN, out) ||
        XGDMatrixSetFloatInfo(*out, "label", y, (bst_ulong)n) ||
        XGDMatrixSetStrFeatureInfo(*out, "feature_name", names,
                                   TG_NUM_FEATURES) ||
        XGDMatrixSetStrFeatureInfo(*out, "feature_type", types,
                                   TG_NUM_FEATURES))
        return xgb_fail(err, "building the data matrix");
    return TG_OK;
}

/* Reads "valid-logloss:0.123" style values out of an eval string. */
static double eval_value(const char *s, const char *key)
{
    const char *p = strstr(s, key);
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

static int set_params(BoosterHandle b, const tg_train_opts *o, tg_err *err)
{
    char eta[32], depth[16], seed[32], nthread[16];
    snprintf(eta, sizeof eta, "%g", o->eta);
    snprintf(depth, sizeof depth, "%d", o->max_depth);
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed);
    snprintf(nthread, sizeof nthread, "%d", o->nthread);
    const char *kv[][2] = {
        {"objective", "binary:logistic"}, {"tree_method", "hist"},
        {"eta", eta}, {"max_depth", depth}, {"seed", seed},
        {"nthread", nthread}, {"min_child_weight", "2"},
        {"subsample", "0.9"}, {"colsample_bytree", "0.9"},
        {"lambda", "1.5"}, {"max_bin", "256"},
        {"eval_metric", "logloss"}, {"eval_metric", "auc"},
        {"verbosity", "0"}};
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++)
        if (XGBoosterSetParam(b, kv[i][0], kv[i][1]) != 0)
            return xgb_fail(err, "setting parameters");
    return TG_OK;
}

int train_booster(DMatrixHandle mats[2], const tg_train_opts *o,
                  BoosterHandle *out, tg_err *err)
{
    if (XGBoosterCreate(mats, 2, out) != 0) {
        *out = NULL;
        return xgb_fail(err, "creating the booster");
    }
    return set_params(*out, o, err);
}

int train_boost(BoosterHandle b, DMatrixHandle mats[2],
                const tg_train_opts *o, train_agree_fn agree,
                tg_train_result *r, tg_err *err)
{
    const char *evnames[2] = {"train", "valid"};
    double best_loss = INFINITY;
    int since_best = 0, rc;
    char what[64];
    for (int it = 0; it < o->rounds; it++) {
        snprintf(what, sizeof what, "boosting round %d", it + 1);
        if (XGBoosterUpdateOneIter(b, it, mats[0]) != 0)
            return xgb_fail(err, what);
        const char *ev = NULL;
        snprintf(what, sizeof what, "evaluating round %d", it + 1);
        if (XGBoosterEvalOneIter(b, it, mats, evnames, 2, &ev) != 0)
            return xgb_fail(err, what);
        double e[4] = {eval_value(ev, "train-logloss:"),
                       eval_value(ev, "train-auc:"),
                       eval_value(ev, "valid-logloss:"),
                       eval_value(ev, "valid-auc:")};
        r->rounds_run = it + 1;
        if (o->on_round)
            o->on_round(o->ud, it, o->rounds, e);
        int state[2] = {r->best_iteration, 0};
        if (e[2] < best_loss - 1e-7) {
            best_loss = e[2];
            state[0] = it;
            since_best = 0;
        } else if (++since_best >= o->early_stop) {
            state[1] = 1;
        }
        if (agree && (rc = agree(state, err)) != TG_OK)
            return rc;
        r->best_iteration = state[0];
        if (state[1])
            break;
    }
    return TG_OK;
}

int train_best(BoosterHandle b, int best_iteration, BoosterHandle *out,
               tg_err *err)
{
    if (XGBoosterSlice(b, 0, best_iteration + 1, 1, out) != 0) {
        *out = NULL;
        return xgb_fail(err, "keeping the best rounds");
    }
    /* A sliced booster does not carry the names: set them for the saved
     * JSON (the app matches features by name) and for importance. */
    const char *names[TG_NUM_FEATURES], *types[TG_NUM_FEATURES];
    for (int f = 0; f < TG_NUM_FEATURES; f++) {
        names[f] = features_name(f);
        types[f] = "q";
    }
    if (XGBoosterSetStrFeatureInfo(*out, "feature_name", names,
                                   TG_NUM_FEATURES) != 0)
        return xgb_fail(err, "naming the features");
    if (XGBoosterSetStrFeatureInfo(*out, "feature_type", types,
                                   TG_NUM_FEATURES) != 0)
        return xgb_fail(err, "typing the features");
    return TG_OK;
}

int train_predict(BoosterHandle b, DMatrixHandle m, size_t n, float **p,
                  tg_err *err)
{
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *res = NULL;
    *p = NULL;
    if (XGBoosterPredictFromDMatrix(
            b, m,
            "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, "
            "\"iteration_end\": 0, \"strict_shape\": false}",
            &shape, &dim, &res) != 0)
        return xgb_fail(err, "predicting the hold-out");
    if (!(*p = malloc((n ? n : 1) * sizeof **p)))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    if (n)
        memcpy(*p, res, n * sizeof **p);
    return TG_OK;
}
/* The directory part of path ("." when none). */
static void dir_of(const char *path, char *buf, size_t n)
{
    tg_strlcpy(buf, path, n);
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    else
        tg_strlcpy(buf, ".", n);
}

/* Removes the temporary models of trainers that were killed while saving
 * (.tg-model-PID.tmp.json whose PID is no longer running). */
static void remove_stale_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid;
        int end = 0;
        if (sscanf(e->d_name, ".tg-model-%ld.tmp.json%n", &pid, &end) != 1 ||
            e->d_name[end] != '\0' || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            char p[PATH_MAX + 300];
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    closedir(d);
}

/* Saves the booster as JSON under a temporary name in the same folder and
 * renames it over path, so a failed write never replaces a good model. */
static int save_model(BoosterHandle b, const char *path, tg_err *err)
{
    char dir[PATH_MAX], tmp[PATH_MAX + 64];
    dir_of(path, dir, sizeof dir);
    if (tg_mkdirs(dir, err) != TG_OK)
        return err->code;
    remove_stale_temporaries(dir);
    snprintf(tmp, sizeof tmp, "%s/.tg-model-%ld.tmp.json", dir,
             (long)getpid());
    if (access(dir, W_OK) != 0)
        return tg_fail(err, TG_EIO, "%s: cannot write the model there", dir);
    if (XGBoosterSaveModel(b, tmp) != 0) {
        unlink(tmp);
        return tg_fail(err, TG_EIO, "%s: cannot save the model: %s", path,
                       xgb_error());
    }
    FILE *f = fopen(tmp, "rb");
    int ok = f && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (f)
        fclose(f);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return tg_fail(err, TG_EIO, "%s: cannot write the model", path);
    }
    return TG_OK;
}

static cJSON *confusion_json(tg_confusion c)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "tp", (double)c.tp);
    cJSON_AddNumberToObject(o, "fp", (double)c.fp);
    cJSON_AddNumberToObject(o, "tn", (double)c.tn);
    cJSON_AddNumberToObject(o, "fn", (double)c.fn);
    return o;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

/* Fills r's metrics from the hold-out's predictions and builds the JSON. */
static cJSON *evaluate(const tg_holdout *h, tg_train_result *r)
{
    size_t nv = h->n;
    const float *y = h->y, *p = h->p;
    r->threshold = metrics_best_threshold_accuracy(p, y, nv);
    r->threshold_f1 = metrics_best_threshold_f1(p, y, nv);
    r->confusion = metrics_confusion(p, y, nv, r->threshold);
    r->accuracy = metrics_accuracy(r->confusion);
    r->balanced_accuracy = metrics_balanced_accuracy(r->confusion);
    r->precision = metrics_precision(r->confusion);
    r->recall = metrics_recall(r->confusion);
    r->f1 = metrics_f1(r->confusion);
    r->auc = metrics_auc(p, y, nv);
    r->logloss = metrics_logloss(p, y, nv);
    r->brier = metrics_brier(p, y, nv);

    cJSON *m = cJSON_CreateObject();
    add_num(m, "accuracy", r->accuracy);
    add_num(m, "balanced_accuracy", r->balanced_accuracy);
    add_num(m, "auc", r->auc);
    add_num(m, "logloss", r->logloss);
    add_num(m, "brier", r->brier);
    add_num(m, "precision", r->precision);
    add_num(m, "recall", r->recall);
    add_num(m, "f1", r->f1);
    add_num(m, "threshold", r->threshold);
    cJSON_AddStringToObject(m, "threshold_rule",
                            "maximises hold-out accuracy (ties: nearest 0.5)");
    add_num(m, "threshold_f1", r->threshold_f1);
    tg_confusion cf1 = metrics_confusion(p, y, nv, r->threshold_f1);
    add_num(m, "f1_at_threshold_f1", metrics_f1(cf1));
    add_num(m, "accuracy_at_threshold_f1", metrics_accuracy(cf1));
    add_num(m, "n_train", (double)r->n_train);
    add_num(m, "n_valid", (double)r->n_valid);
    cJSON_AddItemToObject(m, "confusion", confusion_json(r->confusion));
    tg_calib_bin bins[10];
    metrics_calibration(p, y, nv, bins, 10);
    cJSON *cal = cJSON_AddArrayToObject(m, "calibration");
    for (int b = 0; b < 10; b++) {
        cJSON *o = cJSON_CreateObject();
        add_num(o, "lo", bins[b].lo);
        add_num(o, "hi", bins[b].hi);
        add_num(o, "n", (double)bins[b].n);
        add_num(o, "mean_predicted", bins[b].n ? bins[b].mean_pred : NAN);
        add_num(o, "observed", bins[b].n ? bins[b].observed : NAN);
        cJSON_AddItemToArray(cal, o);
    }
    return m;
}

/* The oracle (true probabilities, where known) and the baselines. */
static void add_references(cJSON *m, const tg_holdout *h, double t,
                           tg_train_result *r)
{
    size_t nv = h->n, k = 0;
    const float *y = h->y;
    float *pt = malloc((nv ? nv : 1) * sizeof *pt);
    float *yt = malloc((nv ? nv : 1) * sizeof *yt);
    if (!pt || !yt) {
        free(pt), free(yt);
        return;
    }
    for (size_t i = 0; i < nv; i++)
        if (!isnan(h->truth[i])) {
            pt[k] = h->truth[i];
            yt[k++] = y[i];
        }
    if (k == nv && k > 0) {
        r->has_oracle = 1;
        r->oracle_accuracy =
            metrics_accuracy(metrics_confusion(pt, yt, k, 0.5));
        r->oracle_auc = metrics_auc(pt, yt, k);
        cJSON *o = cJSON_AddObjectToObject(m, "oracle");
        add_num(o, "accuracy", r->oracle_accuracy);
        add_num(o, "auc", r->oracle_auc);
        cJSON_AddStringToObject(o, "rule", "true probability >= 0.5");
    } else {
        cJSON_AddNullToObject(m, "oracle");
    }
    long pos = 0;
    for (size_t i = 0; i < nv; i++)
        pos += y[i] > 0.5f;
    r->majority_accuracy =
        (double)(pos * 2 >= (long)nv ? pos : (long)nv - pos) / (double)nv;
    /* The product's prior return rate alone, its threshold t picked on the
     * training period. */
    r->prior_accuracy =
        metrics_accuracy(metrics_confusion(h->prior, y, nv, t));
    r->prior_auc = metrics_auc(h->prior, y, nv);
    cJSON *b = cJSON_AddObjectToObject(m, "baselines");
    cJSON *mj = cJSON_AddObjectToObject(b, "majority");
    add_num(mj, "accuracy", r->majority_accuracy);
    cJSON *pr = cJSON_AddObjectToObject(b, "product_prior_rate");
    add_num(pr, "accuracy", r->prior_accuracy);
    add_num(pr, "auc", r->prior_auc);
    add_num(pr, "threshold", t);
    free(pt), free(yt);
}

static void add_importance(cJSON *m, BoosterHandle b)
{
    bst_ulong nf = 0, dim = 0;
    const char **names = NULL;
    const bst_ulong *shape = NULL;
    const float *scores = NULL;
    cJSON *imp = cJSON_AddArrayToObject(m, "importance_gain");
    if (XGBoosterFeatureScore(b, "{\"importance_type\": \"gain\"}", &nf,
                              &names, &dim, &shape, &scores) != 0)
        return;
    /* Sorted by gain, largest first (selection: nf is small). */
    int used[TG_NUM_FEATURES] = {0};
    for (bst_ulong k = 0; k < nf && k < TG_NUM_FEATURES; k++) {
        bst_ulong best = nf;
        for (bst_ulong i = 0; i < nf && i < TG_NUM_FEATURES; i++)
            if (!used[i] && (best == nf || scores[i] > scores[best]))
                best = i;
        used[best] = 1;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "feature", names[best]);
        add_num(o, "gain", scores[best]);
        cJSON_AddItemToArray(imp, o);
    }
}

static char *features_json(void)
{
    cJSON *a = cJSON_CreateArray();
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        cJSON_AddItemToArray(a, cJSON_CreateString(features_name(f)));
    char *s = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    return s;
}


int train_check_counts(long n_train, long pos_train, long n_valid,
                       long pos_valid, const char *where, int valid_days,
                       tg_err *err)
{
    if (n_train + n_valid == 0)
        return tg_fail(err, TG_EDATA,
                       "%s: no purchase lines with a mature label (a line's "
                       "label is known 30 days after it was bought)", where);
    if (n_valid == 0)
        return tg_fail(err, TG_EDATA,
                       "%s: the hold-out (last %d days of mature lines) is "
                       "empty", where, valid_days);
    if (n_train == 0)
        return tg_fail(err, TG_EDATA,
                       "%s: every mature line falls in the %d-day hold-out; "
                       "nothing earlier to train on (try --valid-days)",
                       where, valid_days);
    if (pos_train == 0 || pos_train == n_train)
        return tg_fail(err, TG_EDATA,
                       "%s: the training period has one class only (%s); "
                       "a model needs both kept and returned lines", where,
                       pos_train ? "every line returned" : "no returns");
    if (pos_valid == 0 || pos_valid == n_valid)
        return tg_fail(err, TG_EDATA,
                       "%s: the hold-out has one class only; it cannot be "
                       "evaluated", where);
    return TG_OK;
}

static long positives(const float *y, size_t n)
{
    long pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += y[i] > 0.5f;
    return pos;
}

/* The default model path: models/model-vN.json next to the store. */
static void default_path(const char *db, int version, char *buf, size_t n)
{
    char dir[PATH_MAX];
    if (!strchr(db, '/'))
        tg_strlcpy(dir, "models", sizeof dir);
    else {
        dir_of(db, dir, sizeof dir);
        if (strlen(dir) + 8 < sizeof dir)
            strcat(dir, "/models");
    }
    if ((size_t)snprintf(buf, n, "%s/model-v%d.json", dir, version) >= n)
        snprintf(buf, n, "model-v%d.json", version);
}

int train_check_out(const tg_train_opts *o, tg_err *err)
{
    if (o->out) {
        size_t l = strlen(o->out);
        if (l < 6 || strcmp(o->out + l - 5, ".json") != 0)
            return tg_fail(err, TG_EUSAGE, "%s: the model path must end in "
                                           ".json", o->out);
    }
    return TG_OK;
}

cJSON *train_evaluate(const tg_holdout *h, double prior_threshold,
                      BoosterHandle b, const tg_train_opts *o,
                      tg_train_result *r)
{
    cJSON *m = evaluate(h, r);
    add_references(m, h, prior_threshold, r);
    add_importance(m, b);
    add_num(m, "rounds_run", r->rounds_run);
    add_num(m, "best_iteration", r->best_iteration);
    cJSON *par = cJSON_AddObjectToObject(m, "params");
    add_num(par, "max_depth", o->max_depth);
    add_num(par, "eta", o->eta);
    add_num(par, "seed", (double)o->seed);
    add_num(par, "valid_days", o->valid_days);
    add_num(par, "rounds", o->rounds);
    char tbuf[32];
    cJSON_AddStringToObject(m, "valid_from",
                            tg_time_format(r->valid_from, tbuf, sizeof tbuf));
    cJSON_AddStringToObject(m, "valid_to",
                            tg_time_format(r->valid_to, tbuf, sizeof tbuf));
    if (r->workers)
        add_num(m, "workers", r->workers);
    return m;
}

int train_register(tg_store *s, BoosterHandle b, cJSON *m,
                   const tg_train_opts *o, tg_train_result *r, tg_err *err)
{
    r->version = registry_next_version(s);
    if (o->out)
        tg_strlcpy(r->model_path, o->out, sizeof r->model_path);
    else
        default_path(o->db, r->version, r->model_path, sizeof r->model_path);
    if (r->model_path[0] != '/') {
        char cwd[PATH_MAX], abs[PATH_MAX + 4096];
        if (getcwd(cwd, sizeof cwd)) {
            snprintf(abs, sizeof abs, "%s/%s", cwd, r->model_path);
            tg_strlcpy(r->model_path, abs, sizeof r->model_path);
        }
    }
    int64_t now = (int64_t)time(NULL);
    char tbuf[32];
    cJSON_AddNumberToObject(m, "version", r->version);
    cJSON_AddStringToObject(m, "trained_at",
                            tg_time_format(now, tbuf, sizeof tbuf));
    r->metrics_json = cJSON_Print(m);
    char *feat = features_json(), sha[65];
    int rc = TG_OK;
    if (!r->metrics_json || !feat)
        rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    /* The metrics first, then the model, then the registry: a failure at
     * any step leaves neither a model nor metrics that nothing registered
     * (a file the model replaced is the one loss, as with any --out). */
    int wrote_metrics = 0, saved = 0;
    if (rc == TG_OK && o->metrics_path)
        wrote_metrics = (rc = tg_write_file_atomic(
                             o->metrics_path, r->metrics_json,
                             strlen(r->metrics_json), err)) == TG_OK;
    if (rc == TG_OK)
        saved = (rc = save_model(b, r->model_path, err)) == TG_OK;
    if (rc == TG_OK)
        rc = tg_sha256_file(r->model_path, sha, err);
    if (rc == TG_OK)
        rc = registry_add(s, r->version, r->model_path, sha, feat,
                          r->threshold, r->metrics_json, now, err);
    if (rc != TG_OK && saved)
        unlink(r->model_path);
    if (rc != TG_OK && wrote_metrics)
        unlink(o->metrics_path);
    free(feat);
    return rc;
}

/* The product prior rate's accuracy-optimal threshold on the training
 * period. */
static double prior_threshold(const tg_dataset *d, size_t v0)
{
    float *prior = malloc((v0 ? v0 : 1) * sizeof *prior);
    if (!prior)
        return 0.5;
    for (size_t i = 0; i < v0; i++)
        prior[i] = d->x[i * d->nfeat + (size_t)TG_F_product_prior_return_rate];
    double t = metrics_best_threshold_accuracy(prior, d->y, v0);
    free(prior);
    return t;
}

/* Evaluates the best booster on the hold-out rows v0.. of d. */
static cJSON *evaluate_local(const tg_dataset *d, size_t v0, const float *p,
                             BoosterHandle best, const tg_train_opts *o,
                             tg_train_result *r)
{
    size_t nv = d->n - v0;
    float *prior = malloc((nv ? nv : 1) * sizeof *prior);
    if (!prior)
        return NULL;
    for (size_t i = 0; i < nv; i++)
        prior[i] = d->x[(v0 + i) * d->nfeat +
                        (size_t)TG_F_product_prior_return_rate];
    tg_holdout h = {nv, p, d->y + v0, d->truth + v0, prior};
    cJSON *m = train_evaluate(&h, prior_threshold(d, v0), best, o, r);
    free(prior);
    return m;
}

/* Boosts on d (rows before v0 to fit, the rest held out), evaluates and
 * registers in s. */
static int train_local(tg_store *s, const tg_dataset *d, size_t v0,
                       const tg_train_opts *o, tg_train_result *r,
                       tg_err *err)
{
    DMatrixHandle mats[2] = {NULL, NULL};
    BoosterHandle b = NULL, best = NULL;
    cJSON *m = NULL;
    float *p = NULL;
    int rc = train_matrix(d->x, d->y, v0, &mats[0], err);
    if (rc == TG_OK)
        rc = train_matrix(d->x + v0 * d->nfeat, d->y + v0, d->n - v0,
                          &mats[1], err);
    if (rc == TG_OK)
        rc = train_booster(mats, o, &b, err);
    if (rc == TG_OK)
        rc = train_boost(b, mats, o, NULL, r, err);
    if (rc == TG_OK)
        rc = train_best(b, r->best_iteration, &best, err);
    if (rc == TG_OK)
        rc = train_predict(best, mats[1], d->n - v0, &p, err);
    if (rc == TG_OK && !(m = evaluate_local(d, v0, p, best, o, r)))
        rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    if (rc == TG_OK)
        rc = train_register(s, best, m, o, r, err);
    free(p);
    cJSON_Delete(m);
    if (best)
        XGBoosterFree(best);
    if (b)
        XGBoosterFree(b);
    for (int i = 0; i < 2; i++)
        if (mats[i])
            XGDMatrixFree(mats[i]);
    return rc;
}

int train_run(const tg_train_opts *o, tg_train_result *r, tg_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = train_check_out(o, err);
    if (rc != TG_OK)
        return rc;
    if (o->shards)
        return train_worker_run(o, r, err);
    tg_store *s = store_open(o->db, 0, err);
    if (!s)
        return err->code;
    tg_dataset d;
    if ((rc = dataset_load(s, DATASET_MATURE, 0, &d, err)) != TG_OK) {
        store_close(s);
        return rc;
    }
    size_t v0 = shards_holdout_start(d.t, d.n, o->valid_days, NULL);
    rc = train_check_counts((long)v0, positives(d.y, v0), (long)(d.n - v0),
                            positives(d.y + v0, d.n - v0), o->db,
                            o->valid_days, err);
    if (rc == TG_OK) {
        r->n_train = (long)v0;
        r->n_valid = (long)(d.n - v0);
        r->valid_from = d.t[v0];
        r->valid_to = d.t[d.n - 1];
        rc = train_local(s, &d, v0, o, r, err);
    }
    dataset_free(&d);
    store_close(s);
    if (rc != TG_OK) {
        free(r->metrics_json);
        r->metrics_json = NULL;
    }
    return rc;
}
