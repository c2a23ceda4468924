/* bench_model.c: the embedded XGBoost evaluator (src/core/model.c,
 * model_shap.c) against libxgboost, measured in the same run, one thread.
 *
 * Trains two binary:logistic models on 8 features through XGBoost's C API
 * (100 trees of depth 6; 500 trees of depth 8), saves and loads them, then
 * times for each:
 *   - one row: model_predict against XGBoosterPredictFromDense on one row;
 *   - batch: model_predict_batch on 100k rows against XGBoosterPredict on a
 *     DMatrix with nthread=1 (a fresh DMatrix per run: XGBoost caches
 *     predictions per DMatrix; building it is not timed);
 *   - one row's TreeSHAP: model_contribs against XGBoosterPredict with
 *     pred_contribs on a one-row DMatrix (Saabas too, as an extra line).
 * Each time is the best of several interleaved runs (the machine may be
 * shared). Prints a table and merges records {name, value, unit, reference,
 * reference_value, ratio} into $BENCH_JSON (default build/bench.json),
 * replacing records of the same name; ratio = reference / ours, so above 1
 * means faster. Exits 1 when our results differ from libxgboost's. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xgboost/c_api.h>

#include "trendguard/model.h"
#include "trendguard/util.h"

#define NFEAT 8
#define TRAIN_ROWS 20000
#define BATCH_ROWS 100000
#define ONE_ROWS 20000   /* rows scored one at a time (ours) */
#define XGB_ONE_ROWS 2000 /* (libxgboost: ~25 us each) */
#define SHAP_ROWS 2000
#define XGB_SHAP_ROWS 100
#define REPEAT 5

#define XGB(call)                                                              \
    do {                                                                       \
        if ((call) != 0) {                                                     \
            fprintf(stderr, "bench_model: %s: %s\n", #call, XGBGetLastError()); \
            exit(70);                                                          \
        }                                                                      \
    } while (0)

static cJSON *records;
static int mismatches;

static void make_rows(float *X, float *y, size_t n, uint64_t seed)
{
    tg_rng r;
    tg_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < NFEAT; j++) {
            float x = (float)(tg_rng_normal(&r) * (1 + j % 3));
            if (tg_rng_uniform(&r) < 0.05)
                x = NAN;
            X[i * NFEAT + j] = x;
            if (!isnan(x))
                s += (j % 2 ? sin(x) : 0.4 * x) * (1.0 + 0.2 * j);
        }
        if (y)
            y[i] = tg_rng_uniform(&r) < 1 / (1 + exp(-s)) ? 1.0f : 0.0f;
    }
}

static BoosterHandle train(int rounds, int depth, const float *X,
                           const float *y, const char *path)
{
    DMatrixHandle d;
    BoosterHandle b;
    char buf[16];
    XGB(XGDMatrixCreateFromMat(X, TRAIN_ROWS, NFEAT, NAN, &d));
    XGB(XGDMatrixSetFloatInfo(d, "label", y, TRAIN_ROWS));
    XGB(XGBoosterCreate(&d, 1, &b));
    XGB(XGBoosterSetParam(b, "objective", "binary:logistic"));
    XGB(XGBoosterSetParam(b, "tree_method", "hist"));
    snprintf(buf, sizeof buf, "%d", depth);
    XGB(XGBoosterSetParam(b, "max_depth", buf));
    XGB(XGBoosterSetParam(b, "eta", "0.1"));
    XGB(XGBoosterSetParam(b, "min_child_weight", "0.1"));
    for (int i = 0; i < rounds; i++)
        XGB(XGBoosterUpdateOneIter(b, i, d));
    XGB(XGBoosterSaveModel(b, path));
    XGB(XGDMatrixFree(d));
    /* Everything timed runs in one thread. */
    XGB(XGBoosterSetParam(b, "nthread", "1"));
    return b;
}

static void record(const char *name, double value, const char *unit,
                   const char *ref, double ref_value)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "name", name);
    cJSON_AddNumberToObject(r, "value", value);
    cJSON_AddStringToObject(r, "unit", unit);
    if (ref) {
        cJSON_AddStringToObject(r, "reference", ref);
        cJSON_AddNumberToObject(r, "reference_value", ref_value);
        cJSON_AddNumberToObject(r, "ratio", value > 0 ? ref_value / value : 0);
    } else {
        cJSON_AddNullToObject(r, "reference");
        cJSON_AddNullToObject(r, "reference_value");
        cJSON_AddNullToObject(r, "ratio");
    }
    cJSON_AddItemToArray(records, r);
}

static void row(const char *model, const char *what, double ours,
                const char *ref, double theirs, const char *target)
{
    if (ref)
        printf("%-20s %-24s %10.3f us %-34s %10.3f us %8.1fx  %s\n", model, what,
               ours, ref, theirs, theirs / ours, target);
    else
        printf("%-20s %-24s %10.3f us %-34s %13s %9s  %s\n", model, what, ours,
               "", "", "", target);
}

/* ---- the timed pieces (each returns microseconds per row) ------------------- */

static double ours_one(const tg_model *m, const float *X)
{
    volatile float sink = 0;
    double t0 = tg_now_mono();
    for (size_t i = 0; i < ONE_ROWS; i++)
        sink += model_predict(m, X + i * NFEAT);
    (void)sink;
    return (tg_now_mono() - t0) / ONE_ROWS * 1e6;
}

static double xgb_one(BoosterHandle b, char **ifaces, const char *cfg)
{
    const bst_ulong *shape;
    bst_ulong dim;
    const float *p;
    double t0 = tg_now_mono();
    for (size_t i = 0; i < XGB_ONE_ROWS; i++)
        XGB(XGBoosterPredictFromDense(b, ifaces[i], cfg, NULL, &shape, &dim, &p));
    return (tg_now_mono() - t0) / XGB_ONE_ROWS * 1e6;
}

static double ours_batch(const tg_model *m, const float *X, float *out)
{
    double t0 = tg_now_mono();
    model_predict_batch(m, X, BATCH_ROWS, out, 0);
    return (tg_now_mono() - t0) / BATCH_ROWS * 1e6;
}

static double xgb_batch(BoosterHandle b, const float *X, const float **res)
{
    DMatrixHandle d;
    bst_ulong len;
    XGB(XGDMatrixCreateFromMat(X, BATCH_ROWS, NFEAT, NAN, &d));
    double t0 = tg_now_mono();
    XGB(XGBoosterPredict(b, d, 0, 0, 0, &len, res));
    double t = (tg_now_mono() - t0) / BATCH_ROWS * 1e6;
    XGB(XGDMatrixFree(d));
    return t;
}

static double ours_shap(const tg_model *m, const float *X, float *out)
{
    tg_err err = {0};
    double t0 = tg_now_mono();
    for (size_t i = 0; i < SHAP_ROWS; i++)
        if (model_contribs(m, X + i * NFEAT, out, &err) != TG_OK) {
            fprintf(stderr, "bench_model: %s\n", err.msg);
            exit(70);
        }
    return (tg_now_mono() - t0) / SHAP_ROWS * 1e6;
}

static double ours_approx(const tg_model *m, const float *X, float *out)
{
    double t0 = tg_now_mono();
    for (size_t i = 0; i < SHAP_ROWS; i++)
        model_contribs_approx(m, X + i * NFEAT, out);
    return (tg_now_mono() - t0) / SHAP_ROWS * 1e6;
}

static double xgb_contribs(BoosterHandle b, DMatrixHandle *one, int mask)
{
    bst_ulong len;
    const float *p;
    double t0 = tg_now_mono();
    for (size_t i = 0; i < XGB_SHAP_ROWS; i++)
        XGB(XGBoosterPredict(b, one[i], mask, 0, 0, &len, &p));
    return (tg_now_mono() - t0) / XGB_SHAP_ROWS * 1e6;
}

static double min2(double a, double b) { return a < b ? a : b; }

/* ---- one model ------------------------------------------------------------------ */

/* targets: print the brief's targets (stated for the 100-tree model). */
static void bench(const char *label, const char *key, int rounds, int depth,
                  int targets, const float *Xtrain, const float *ytrain,
                  const float *X)
{
    char path[] = "/tmp/tgbench.XXXXXX.json";
    int fd = mkstemps(path, 5);
    if (fd < 0) {
        perror("bench_model: mkstemps");
        exit(74);
    }
    close(fd);
    BoosterHandle b = train(rounds, depth, Xtrain, ytrain, path);
    tg_err err = {0};
    tg_model *m = model_load(path, &err);
    unlink(path);
    if (!m) {
        fprintf(stderr, "bench_model: %s\n", err.msg);
        exit(70);
    }
    const tg_model_view *v = model_view(m);
    printf("%s: %zu trees, %zu nodes, deepest %d\n", label, v->num_trees,
           v->num_nodes, v->max_depth);

    /* Inputs for libxgboost, built outside the timed loops. */
    char **ifaces = malloc(XGB_ONE_ROWS * sizeof *ifaces);
    for (size_t i = 0; i < XGB_ONE_ROWS; i++) {
        ifaces[i] = malloc(160);
        snprintf(ifaces[i], 160,
                 "{\"data\":[%llu,true],\"shape\":[1,%d],\"typestr\":\"<f4\","
                 "\"version\":3}",
                 (unsigned long long)(uintptr_t)(X + i * NFEAT), NFEAT);
    }
    const char *cfg = "{\"type\":0,\"training\":false,\"iteration_begin\":0,"
                      "\"iteration_end\":0,\"strict_shape\":false,"
                      "\"cache_id\":0,\"missing\":NaN}";
    DMatrixHandle one[XGB_SHAP_ROWS];
    for (size_t i = 0; i < XGB_SHAP_ROWS; i++)
        XGB(XGDMatrixCreateFromMat(X + i * NFEAT, 1, NFEAT, NAN, &one[i]));
    float *out = malloc(BATCH_ROWS * sizeof *out);
    float contrib[NFEAT + 1];

    /* Same answers first. */
    const float *res;
    xgb_batch(b, X, &res);
    model_predict_batch(m, X, BATCH_ROWS, out, 0);
    for (size_t i = 0; i < BATCH_ROWS; i++)
        if (memcmp(&out[i], &res[i], sizeof *out) != 0 ||
            memcmp(&out[i], &(float){model_predict(m, X + i * NFEAT)},
                   sizeof *out) != 0) {
            fprintf(stderr, "bench_model: row %zu: %.9g, libxgboost %.9g\n", i,
                    (double)out[i], (double)res[i]);
            mismatches++;
            break;
        }
    double shap_err = 0;
    for (size_t i = 0; i < XGB_SHAP_ROWS; i++) {
        bst_ulong len;
        const float *p;
        XGB(XGBoosterPredict(b, one[i], 4, 0, 0, &len, &p));
        model_contribs(m, X + i * NFEAT, contrib, &err);
        for (int j = 0; j <= NFEAT; j++)
            shap_err = fmax(shap_err, fabs(contrib[j] - p[j]));
    }
    if (shap_err > 1e-5) {
        fprintf(stderr, "bench_model: contributions differ by %g\n", shap_err);
        mismatches++;
    }

    double o1 = 1e9, x1 = 1e9, ob = 1e9, xb = 1e9, os = 1e9, xs = 1e9;
    double oa = 1e9, xa = 1e9;
    for (int rep = 0; rep < REPEAT; rep++) {
        o1 = min2(o1, ours_one(m, X));
        x1 = min2(x1, xgb_one(b, ifaces, cfg));
        ob = min2(ob, ours_batch(m, X, out));
        xb = min2(xb, xgb_batch(b, X, &res));
        os = min2(os, ours_shap(m, X, contrib));
        xs = min2(xs, xgb_contribs(b, one, 4));
        oa = min2(oa, ours_approx(m, X, contrib));
        xa = min2(xa, xgb_contribs(b, one, 4 | 8));
    }
    row(label, "one row", o1, "XGBoosterPredictFromDense, 1 row", x1,
        !targets ? "" : x1 / o1 >= 20 ? "(target >= 20x: met)"
                                      : "(target >= 20x: MISSED)");
    row("", "batch of 100k, per row", ob, "XGBoosterPredict, nthread=1", xb,
        !targets ? "" : xb / ob >= 1 ? "(target >= 1x: met)"
                                     : "(target >= 1x: MISSED)");
    row("", "TreeSHAP, one row", os, "pred_contribs, 1-row DMatrix", xs,
        !targets ? "" : os < 50 ? "(target < 50 us: met)"
                                : "(target < 50 us: MISSED)");
    row("", "Saabas, one row", oa, "approx_contribs, 1-row DMatrix", xa, "");
    printf("%-20s TreeSHAP largest difference from libxgboost: %.3g\n", "",
           shap_err);

    char name[128];
    snprintf(name, sizeof name, "model_%s_predict_one_row_us", key);
    record(name, o1, "us", "libxgboost XGBoosterPredictFromDense (1 row)", x1);
    snprintf(name, sizeof name, "model_%s_predict_batch_100k_us_per_row", key);
    record(name, ob, "us", "libxgboost XGBoosterPredict (DMatrix, nthread=1)", xb);
    snprintf(name, sizeof name, "model_%s_treeshap_one_row_us", key);
    record(name, os, "us", "libxgboost pred_contribs (1-row DMatrix)", xs);
    snprintf(name, sizeof name, "model_%s_saabas_one_row_us", key);
    record(name, oa, "us", "libxgboost approx_contribs (1-row DMatrix)", xa);

    for (size_t i = 0; i < XGB_SHAP_ROWS; i++)
        XGB(XGDMatrixFree(one[i]));
    for (size_t i = 0; i < XGB_ONE_ROWS; i++)
        free(ifaces[i]);
    free(ifaces);
    free(out);
    model_free(m);
    XGB(XGBoosterFree(b));
}

/* Merges our records into the JSON list at path, by name. */
static int save_records(const char *path)
{
    tg_err err = {0};
    char *text = tg_read_file(path, NULL, 0, &err);
    cJSON *list = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsArray(list)) {
        cJSON_Delete(list);
        list = cJSON_CreateArray();
    }
    cJSON *r;
    cJSON_ArrayForEach(r, records)
    {
        const char *name = cJSON_GetObjectItem(r, "name")->valuestring;
        for (int i = cJSON_GetArraySize(list) - 1; i >= 0; i--) {
            cJSON *n = cJSON_GetObjectItem(cJSON_GetArrayItem(list, i), "name");
            if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
                cJSON_DeleteItemFromArray(list, i);
        }
        cJSON_AddItemToArray(list, cJSON_Duplicate(r, 1));
    }
    char *out = cJSON_Print(list);
    cJSON_Delete(list);
    if (!out)
        return tg_fail(&err, TG_EINTERNAL, "out of memory");
    int rc = tg_write_file_atomic(path, out, strlen(out), &err);
    free(out);
    if (rc != TG_OK)
        fprintf(stderr, "bench_model: %s\n", err.msg);
    return rc;
}

int main(void)
{
    XGB(XGBSetGlobalConfig("{\"verbosity\":0}"));
    records = cJSON_CreateArray();
    float *Xt = malloc((size_t)TRAIN_ROWS * NFEAT * sizeof *Xt);
    float *yt = malloc(TRAIN_ROWS * sizeof *yt);
    float *X = malloc((size_t)BATCH_ROWS * NFEAT * sizeof *X);
    make_rows(Xt, yt, TRAIN_ROWS, 1);
    make_rows(X, NULL, BATCH_ROWS, 2);
    double load[1] = {0};
    if (getloadavg(load, 1) < 1)
        load[0] = -1;
    printf("embedded evaluator against libxgboost, one thread, best of %d "
           "(%ld cores, load average %.2f)\n",
           REPEAT, sysconf(_SC_NPROCESSORS_ONLN), load[0]);
    printf("%-20s %-24s %13s %-34s %13s %9s\n", "model", "measure", "ours",
           "reference", "reference", "ratio");
    bench("100 trees, depth 6", "100x6", 100, 6, 1, Xt, yt, X);
    bench("500 trees, depth 8", "500x8", 500, 8, 0, Xt, yt, X);
    const char *path = getenv("BENCH_JSON");
    if (!path || !*path)
        path = "build/bench.json";
    int rc = save_records(path);
    printf("records: %s\n", path);
    cJSON_Delete(records);
    free(Xt);
    free(yt);
    free(X);
    if (mismatches)
        return 1;
    return rc == TG_OK ? 0 : 74;
}
