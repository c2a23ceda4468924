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
 *     pred_contribs on a one-row DMatrix (Saabas too, as an extra line);
 *   - TreeSHAP in a batch (what `score` runs): model_contribs_batch on
 *     2,000 rows against pred_contribs on a DMatrix of 100 rows, per row.
 * Each time is the best of several interleaved runs (the machine may be
 * shared).
 *
 * When $BENCH_MODEL names a model file (what trendguard-train writes), that
 * model is measured the same way as a third block, "trained model", loaded
 * by libxgboost (XGBoosterLoadModel) and by model_load, with its own
 * feature count. Its rows come from $BENCH_ROWS when that names a CSV with
 * a header (columns matched to the model's feature names, or taken in
 * order when the model has none; empty fields are missing), repeated as
 * needed; otherwise they are random: each feature uniform over the range
 * of the model's thresholds on it, a little wider (a category from its
 * sets for a categorical one), and 5% missing.
 *
 * Prints a table and merges records {name, value, unit, reference,
 * reference_value, ratio} into $BENCH_JSON (default build/bench.json),
 * replacing records of the same name; ratio = reference / ours, so above 1
 * means faster. Exits 1 when our results differ from libxgboost's. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xgboost/c_api.h>

#include "trendguard/csv.h"
#include "trendguard/model.h"
#include "trendguard/util.h"

#define NFEAT 8 /* features of the synthetic models */
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

static double ours_one(const tg_model *m, const float *X, size_t nfeat)
{
    volatile float sink = 0;
    double t0 = tg_now_mono();
    for (size_t i = 0; i < ONE_ROWS; i++)
        sink += model_predict(m, X + i * nfeat);
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

static double xgb_batch(BoosterHandle b, const float *X, size_t nfeat,
                        const float **res)
{
    DMatrixHandle d;
    bst_ulong len;
    XGB(XGDMatrixCreateFromMat(X, BATCH_ROWS, (bst_ulong)nfeat, NAN, &d));
    double t0 = tg_now_mono();
    XGB(XGBoosterPredict(b, d, 0, 0, 0, &len, res));
    double t = (tg_now_mono() - t0) / BATCH_ROWS * 1e6;
    XGB(XGDMatrixFree(d));
    return t;
}

static double ours_shap(const tg_model *m, const float *X, size_t nfeat,
                        float *out)
{
    tg_err err = {0};
    double t0 = tg_now_mono();
    for (size_t i = 0; i < SHAP_ROWS; i++)
        if (model_contribs(m, X + i * nfeat, out, &err) != TG_OK) {
            fprintf(stderr, "bench_model: %s\n", err.msg);
            exit(70);
        }
    return (tg_now_mono() - t0) / SHAP_ROWS * 1e6;
}

static double ours_shap_batch(const tg_model *m, const float *X,
                              float *out)
{
    tg_err err = {0};
    double t0 = tg_now_mono();
    if (model_contribs_batch(m, X, SHAP_ROWS, out, &err) != TG_OK) {
        fprintf(stderr, "bench_model: %s\n", err.msg);
        exit(70);
    }
    return (tg_now_mono() - t0) / SHAP_ROWS * 1e6;
}

static double xgb_contribs_batch(BoosterHandle b, DMatrixHandle d)
{
    bst_ulong len;
    const float *p;
    double t0 = tg_now_mono();
    XGB(XGBoosterPredict(b, d, 4, 0, 0, &len, &p));
    return (tg_now_mono() - t0) / XGB_SHAP_ROWS * 1e6;
}

static double ours_approx(const tg_model *m, const float *X, size_t nfeat,
                          float *out)
{
    double t0 = tg_now_mono();
    for (size_t i = 0; i < SHAP_ROWS; i++)
        model_contribs_approx(m, X + i * nfeat, out);
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

/* Measures m (from model_load) against b (the same model in libxgboost,
 * nthread=1) on X, BATCH_ROWS rows of nfeat features: checks that the
 * answers agree, prints the model's lines of the table (`label` in the
 * first column) and records them as model_<key>_*.
 * targets: print the brief's targets (stated for the 100-tree model). */
static void bench(const char *label, const char *key, int targets,
                  BoosterHandle b, const tg_model *m, const float *X,
                  size_t nfeat)
{
    tg_err err = {0};
    char **ifaces = malloc(XGB_ONE_ROWS * sizeof *ifaces);
    float *out = malloc(BATCH_ROWS * sizeof *out);
    float *contrib = malloc((nfeat + 1) * sizeof *contrib);
    float *many = malloc(SHAP_ROWS * (nfeat + 1) * sizeof *many);
    if (!ifaces || !out || !contrib || !many) {
        fprintf(stderr, "bench_model: out of memory\n");
        exit(70);
    }
    /* Inputs for libxgboost, built outside the timed loops. */
    for (size_t i = 0; i < XGB_ONE_ROWS; i++) {
        ifaces[i] = malloc(160);
        snprintf(ifaces[i], 160,
                 "{\"data\":[%llu,true],\"shape\":[1,%zu],\"typestr\":\"<f4\","
                 "\"version\":3}",
                 (unsigned long long)(uintptr_t)(X + i * nfeat), nfeat);
    }
    const char *cfg = "{\"type\":0,\"training\":false,\"iteration_begin\":0,"
                      "\"iteration_end\":0,\"strict_shape\":false,"
                      "\"cache_id\":0,\"missing\":NaN}";
    DMatrixHandle one[XGB_SHAP_ROWS], some;
    for (size_t i = 0; i < XGB_SHAP_ROWS; i++)
        XGB(XGDMatrixCreateFromMat(X + i * nfeat, 1, (bst_ulong)nfeat, NAN,
                                   &one[i]));
    XGB(XGDMatrixCreateFromMat(X, XGB_SHAP_ROWS, (bst_ulong)nfeat, NAN,
                               &some));

    /* Same answers first. */
    const float *res;
    xgb_batch(b, X, nfeat, &res);
    model_predict_batch(m, X, BATCH_ROWS, out, 0);
    for (size_t i = 0; i < BATCH_ROWS; i++)
        if (memcmp(&out[i], &res[i], sizeof *out) != 0 ||
            memcmp(&out[i], &(float){model_predict(m, X + i * nfeat)},
                   sizeof *out) != 0) {
            fprintf(stderr, "bench_model: %s: row %zu: %.9g, libxgboost %.9g\n",
                    key, i, (double)out[i], (double)res[i]);
            mismatches++;
            break;
        }
    /* shap_err (printed) is absolute; the check scales it for values above
     * 1, as the parity tests do, since longer sums round more. */
    double shap_err = 0, shap_rel = 0;
    model_contribs_batch(m, X, XGB_SHAP_ROWS, many, &err);
    for (size_t i = 0; i < XGB_SHAP_ROWS; i++) {
        bst_ulong len;
        const float *p;
        XGB(XGBoosterPredict(b, one[i], 4, 0, 0, &len, &p));
        if (len != nfeat + 1) {
            fprintf(stderr, "bench_model: %s: libxgboost gave %llu "
                    "contributions, expected %zu\n", key,
                    (unsigned long long)len, nfeat + 1);
            exit(70);
        }
        model_contribs(m, X + i * nfeat, contrib, &err);
        if (memcmp(contrib, many + i * (nfeat + 1),
                   (nfeat + 1) * sizeof *contrib) != 0) {
            fprintf(stderr, "bench_model: %s: row %zu: the batch's "
                    "contributions differ from the row's alone\n", key, i);
            mismatches++;
        }
        for (size_t j = 0; j <= nfeat; j++) {
            double e = fabs(contrib[j] - p[j]);
            shap_err = fmax(shap_err, e);
            shap_rel = fmax(shap_rel, e / fmax(1.0, fabs(p[j])));
        }
    }
    if (!(shap_rel <= 1e-5)) {
        fprintf(stderr, "bench_model: %s: contributions differ by %g\n", key,
                shap_err);
        mismatches++;
    }

    double o1 = 1e9, x1 = 1e9, ob = 1e9, xb = 1e9, os = 1e9, xs = 1e9;
    double oa = 1e9, xa = 1e9, osb = 1e9, xsb = 1e9;
    for (int rep = 0; rep < REPEAT; rep++) {
        osb = min2(osb, ours_shap_batch(m, X, many));
        xsb = min2(xsb, xgb_contribs_batch(b, some));
        o1 = min2(o1, ours_one(m, X, nfeat));
        x1 = min2(x1, xgb_one(b, ifaces, cfg));
        ob = min2(ob, ours_batch(m, X, out));
        xb = min2(xb, xgb_batch(b, X, nfeat, &res));
        os = min2(os, ours_shap(m, X, nfeat, contrib));
        xs = min2(xs, xgb_contribs(b, one, 4));
        oa = min2(oa, ours_approx(m, X, nfeat, contrib));
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
    row("", "TreeSHAP, batch, per row", osb, "pred_contribs, 100 rows", xsb,
        "");
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
    snprintf(name, sizeof name, "model_%s_treeshap_batch_us_per_row", key);
    record(name, osb, "us", "libxgboost pred_contribs (DMatrix of 100 rows, "
                            "nthread=1)", xsb);
    snprintf(name, sizeof name, "model_%s_saabas_one_row_us", key);
    record(name, oa, "us", "libxgboost approx_contribs (1-row DMatrix)", xa);

    for (size_t i = 0; i < XGB_SHAP_ROWS; i++)
        XGB(XGDMatrixFree(one[i]));
    XGB(XGDMatrixFree(some));
    free(many);
    for (size_t i = 0; i < XGB_ONE_ROWS; i++)
        free(ifaces[i]);
    free(ifaces);
    free(out);
    free(contrib);
}

static tg_model *load_ours(const char *path)
{
    tg_err err = {0};
    tg_model *m = model_load(path, &err);
    if (!m) {
        fprintf(stderr, "bench_model: %s\n", err.msg);
        exit(err.code ? err.code : 70);
    }
    return m;
}

/* A synthetic model: trained here on Xtrain, ytrain (NFEAT features),
 * measured on X. */
static void bench_synthetic(const char *label, const char *key, int rounds,
                            int depth, int targets, const float *Xtrain,
                            const float *ytrain, const float *X)
{
    char path[] = "/tmp/tgbench.XXXXXX.json";
    int fd = mkstemps(path, 5);
    if (fd < 0) {
        perror("bench_model: mkstemps");
        exit(74);
    }
    close(fd);
    BoosterHandle b = train(rounds, depth, Xtrain, ytrain, path);
    tg_model *m = load_ours(path);
    unlink(path);
    const tg_model_view *v = model_view(m);
    printf("%s: %zu trees, %zu nodes, deepest %d\n", label, v->num_trees,
           v->num_nodes, v->max_depth);
    bench(label, key, targets, b, m, X, NFEAT);
    model_free(m);
    XGB(XGBoosterFree(b));
}

/* Reads up to max rows of m's features from the CSV at path (a header,
 * then one row per record; see the top of the file) into X. Returns the
 * number read; exits on any error. */
static size_t read_rows(const char *path, const tg_model *m, float *X,
                        size_t max)
{
    const size_t nfeat = model_num_features(m);
    tg_err err = {0};
    tg_csv *c = csv_open(path, &err);
    int *col = malloc(nfeat * sizeof *col);
    if (!c || !col) {
        fprintf(stderr, "bench_model: BENCH_ROWS: %s\n",
                c ? "out of memory" : err.msg);
        exit(c ? 70 : err.code);
    }
    int rc = csv_next(c, &err);
    if (rc != 1) {
        fprintf(stderr, "bench_model: %s: %s\n", path,
                rc < 0 ? err.msg : "empty, expected a header");
        exit(rc < 0 ? err.code : 65);
    }
    const size_t ncols = csv_nfields(c);
    for (size_t j = 0; j < nfeat; j++) {
        const char *name = model_feature_name(m, j);
        col[j] = name ? csv_column(c, name) : j < ncols ? (int)j : -1;
        if (col[j] < 0) {
            if (name)
                fprintf(stderr, "bench_model: %s: no column %s\n", path, name);
            else
                fprintf(stderr, "bench_model: %s: %zu columns, the model has "
                        "%zu features\n", path, ncols, nfeat);
            exit(65);
        }
    }
    size_t n = 0;
    while (n < max && (rc = csv_next(c, &err)) == 1) {
        const char *problem = csv_problem(c);
        if (!problem && csv_nfields(c) != ncols)
            problem = "not as many fields as the header";
        if (problem) {
            fprintf(stderr, "bench_model: %s line %ld: %s\n", path,
                    csv_line(c), problem);
            exit(65);
        }
        for (size_t j = 0; j < nfeat; j++) {
            const char *s = csv_field(c, (size_t)col[j]);
            char *end;
            float x = NAN;
            errno = 0;
            if (*s && (x = strtof(s, &end), end == s || *end || errno)) {
                fprintf(stderr, "bench_model: %s line %ld, column %d: not "
                        "a number: %s\n", path, csv_line(c), col[j] + 1, s);
                exit(65);
            }
            X[n * nfeat + j] = x;
        }
        n++;
    }
    if (rc < 0) {
        fprintf(stderr, "bench_model: %s\n", err.msg);
        exit(err.code);
    }
    csv_free(c);
    free(col);
    return n;
}

/* n random rows for m (see the top of the file). */
static void random_rows(const tg_model *m, float *X, size_t n, uint64_t seed)
{
    const tg_model_view *v = model_view(m);
    const size_t nfeat = v->num_features;
    double *lo = malloc(nfeat * sizeof *lo), *hi = malloc(nfeat * sizeof *hi);
    /* A categorical feature's sets hold categories 0 .. ncat - 1. */
    int *ncat = calloc(nfeat, sizeof *ncat);
    if (!lo || !hi || !ncat) {
        fprintf(stderr, "bench_model: out of memory\n");
        exit(70);
    }
    for (size_t j = 0; j < nfeat; j++) {
        lo[j] = INFINITY;
        hi[j] = -INFINITY;
    }
    for (size_t i = 0; i < v->num_nodes; i++) {
        const tg_model_node *nd = &v->nodes[i];
        const size_t f = nd->info & TG_NODE_FEATURE_MASK;
        if ((nd->info & TG_NODE_LEAF) || f >= nfeat)
            continue;
        if (!(nd->info & TG_NODE_CATEGORICAL)) {
            lo[f] = fmin(lo[f], nd->split);
            hi[f] = fmax(hi[f], nd->split);
            continue;
        }
        for (uint32_t w = 0; w < nd->cat_words; w++)
            for (int bit = 31; bit >= 0; bit--)
                if ((v->cat_bits[nd->cat_offset + w] >> bit) & 1u) {
                    int top = (int)(w * 32 + (uint32_t)bit) + 1;
                    if (top > ncat[f])
                        ncat[f] = top;
                    break;
                }
    }
    tg_rng r;
    tg_rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < nfeat; j++) {
            float x;
            if (ncat[j] > 0) /* and one category no set holds */
                x = (float)tg_rng_below(&r, (uint64_t)ncat[j] + 1);
            else if (lo[j] <= hi[j]) {
                double pad = lo[j] < hi[j] ? (hi[j] - lo[j]) / 10
                                           : fmax(fabs(lo[j]), 1) / 2;
                x = (float)(lo[j] - pad +
                            tg_rng_uniform(&r) * (hi[j] - lo[j] + 2 * pad));
            } else
                x = 0; /* no tree splits on it */
            if (tg_rng_uniform(&r) < 0.05)
                x = NAN;
            X[i * nfeat + j] = x;
        }
    free(lo);
    free(hi);
    free(ncat);
}

/* The model at path (what trendguard-train writes), on rows from the CSV
 * at rows_path, or random ones when rows_path is NULL. */
static void bench_trained(const char *path, const char *rows_path)
{
    tg_model *m = load_ours(path);
    BoosterHandle b;
    XGB(XGBoosterCreate(NULL, 0, &b));
    XGB(XGBoosterLoadModel(b, path));
    XGB(XGBoosterSetParam(b, "nthread", "1"));
    const size_t nfeat = model_num_features(m);
    bst_ulong xgb_nfeat;
    XGB(XGBoosterGetNumFeature(b, &xgb_nfeat));
    if (xgb_nfeat != nfeat) {
        fprintf(stderr, "bench_model: %s: %zu features, libxgboost says "
                "%llu\n", path, nfeat, (unsigned long long)xgb_nfeat);
        exit(70);
    }
    float *X = malloc((size_t)BATCH_ROWS * nfeat * sizeof *X);
    if (!X) {
        fprintf(stderr, "bench_model: out of memory\n");
        exit(70);
    }
    size_t n = BATCH_ROWS;
    if (rows_path) {
        n = read_rows(rows_path, m, X, BATCH_ROWS);
        if (n == 0) {
            fprintf(stderr, "bench_model: %s: no rows\n", rows_path);
            exit(65);
        }
        /* Repeated up to BATCH_ROWS. */
        for (size_t i = n; i < BATCH_ROWS; i++)
            memcpy(X + i * nfeat, X + (i % n) * nfeat, nfeat * sizeof *X);
    } else {
        random_rows(m, X, BATCH_ROWS, 3);
    }
    const tg_model_view *v = model_view(m);
    char label[80];
    snprintf(label, sizeof label, "trained model (%zu trees, depth %d)",
             v->num_trees, v->max_depth);
    printf("%s: %zu nodes, %zu features, %s\n", label, v->num_nodes, nfeat,
           path);
    if (rows_path)
        printf("%-20s rows: %zu from %s%s\n", "", n, rows_path,
               n < BATCH_ROWS ? ", repeated" : "");
    else
        printf("%-20s rows: random, over the model's split ranges\n", "");
    bench("trained model", "trained", 0, b, m, X, nfeat);
    free(X);
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
    bench_synthetic("100 trees, depth 6", "100x6", 100, 6, 1, Xt, yt, X);
    bench_synthetic("500 trees, depth 8", "500x8", 500, 8, 0, Xt, yt, X);
    const char *model = getenv("BENCH_MODEL"), *rows = getenv("BENCH_ROWS");
    if (model && *model)
        bench_trained(model, rows && *rows ? rows : NULL);
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
