/* test_model_parity.c: the embedded evaluator (src/core/model.c,
 * model_shap.c) against libxgboost itself. Each case trains a model through
 * XGBoost's C API, saves it as JSON, loads it with model_load and compares,
 * row by row:
 *   - probabilities and margins, bit for bit (memcmp of the float), one row
 *     at a time and in batches, against XGBoosterPredict on a DMatrix and
 *     XGBoosterPredictFromDense (which also takes infinities);
 *   - TreeSHAP contributions against pred_contribs (within 1e-5, scaled
 *     for values above 1), that they sum to the margin, and that a batch
 *     (rows two at a time) gives each row the bits it gets alone;
 *   - Saabas contributions against approx_contribs, bit for bit.
 * Rows: the training rows, rows sitting exactly on every split threshold
 * read from the saved JSON (with cJSON, independently of our parser) and on
 * the floats either side of it, and rows of special values (NaN, +-0,
 * denormals, +-FLT_MAX, +-inf, odd categories). */
#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <xgboost/c_api.h>

#include "trendguard/model.h"
#include "trendguard/util.h"

#define XGB(call)                                                              \
    do {                                                                       \
        if ((call) != 0)                                                       \
            fail_msg("%s: %s", #call, XGBGetLastError());                      \
    } while (0)

/* What a case trains. */
typedef struct {
    const char *objective;
    int nfeat, nrows, rounds, depth;
    double nan_rate;
    const char *base_score; /* NULL: XGBoost's default */
    const char *method;     /* tree_method; NULL: hist */
    int ncat, ncat_values;  /* the first ncat features are categorical */
    int onehot;             /* max_cat_to_onehot */
    int names;              /* set feature names */
    const char *extra;      /* more "key=value;..." booster parameters */
    uint64_t seed;
} spec;

static struct {
    int models;
    long rows, threshold_rows, special_rows;
    double max_err, max_sum_err;
} stats;

static char tmpdir[256];

/* ---- data ------------------------------------------------------------------ */

static float feature_value(tg_rng *r, const spec *s, int j)
{
    if (j < s->ncat)
        return (float)tg_rng_below(r, (uint64_t)s->ncat_values);
    switch (j % 4) {
    case 0: return (float)(tg_rng_uniform(r) * 10.0 - 5.0);
    case 1: return (float)tg_rng_below(r, 10); /* ties: splits on values */
    case 2: return (float)tg_rng_lognormal(r, 0.0, 2.0);
    default: return (float)tg_rng_below(r, 200) / 10.0f - 10.0f;
    }
}

static void make_data(const spec *s, float *X, float *y)
{
    tg_rng r;
    tg_rng_seed(&r, s->seed);
    for (int i = 0; i < s->nrows; i++) {
        double sig = 0.0;
        for (int j = 0; j < s->nfeat; j++) {
            float x = feature_value(&r, s, j);
            if (tg_rng_uniform(&r) < s->nan_rate)
                x = NAN;
            X[(size_t)i * s->nfeat + j] = x;
            if (isnan(x))
                continue;
            if (j < s->ncat)
                sig += ((int)x % 3 == 1) ? 1.2 : -0.4;
            else if (j % 4 == 0)
                sig += x > 0 ? 0.8 : -0.6;
            else if (j % 4 == 1)
                sig += 0.15 * (x - 4.5);
            else
                sig += 0.3 * sin(x);
        }
        sig += 0.5 * tg_rng_normal(&r);
        if (strcmp(s->objective, "binary:logistic") == 0)
            y[i] = tg_rng_uniform(&r) < 1.0 / (1.0 + exp(-sig)) ? 1.0f : 0.0f;
        else if (strcmp(s->objective, "reg:logistic") == 0)
            y[i] = (float)(1.0 / (1.0 + exp(-sig)));
        else
            y[i] = (float)(3.0 * sig) +
                   (s->base_score ? (float)atof(s->base_score) : 0.0f);
    }
}

/* Numerical split thresholds, read from the saved JSON with cJSON (NaN,
 * which XGBoost writes for categorical splits, made null first). */
static size_t json_thresholds(const char *path, int nfeat, int **feat,
                              float **thr)
{
    tg_err err = {0};
    size_t n;
    char *text = tg_read_file(path, &n, 0, &err);
    assert_non_null(text);
    char *clean = malloc(n * 2 + 1), *o = clean;
    for (size_t i = 0; i < n;) {
        if (i + 3 <= n && memcmp(text + i, "NaN", 3) == 0) {
            memcpy(o, "null", 4);
            o += 4;
            i += 3;
        } else {
            *o++ = text[i++];
        }
    }
    *o = '\0';
    free(text);
    cJSON *doc = cJSON_Parse(clean);
    free(clean);
    assert_non_null(doc);
    cJSON *trees = cJSON_GetObjectItem(
        cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "learner"),
                                "gradient_booster"),
            "model"),
        "trees");
    assert_true(cJSON_IsArray(trees));
    size_t cap = 1024, cnt = 0;
    *feat = malloc(cap * sizeof **feat);
    *thr = malloc(cap * sizeof **thr);
    cJSON *t;
    cJSON_ArrayForEach(t, trees)
    {
        cJSON *left = cJSON_GetObjectItem(t, "left_children");
        cJSON *idx = cJSON_GetObjectItem(t, "split_indices");
        cJSON *cond = cJSON_GetObjectItem(t, "split_conditions");
        cJSON *type = cJSON_GetObjectItem(t, "split_type");
        int nn = cJSON_GetArraySize(left);
        for (int i = 0; i < nn; i++) {
            int l = cJSON_GetArrayItem(left, i)->valueint;
            int f = cJSON_GetArrayItem(idx, i)->valueint;
            if (l < 0 || f < 0 || f >= nfeat ||
                (type && cJSON_GetArrayItem(type, i)->valueint != 0))
                continue;
            if (cnt == cap) {
                cap *= 2;
                *feat = realloc(*feat, cap * sizeof **feat);
                *thr = realloc(*thr, cap * sizeof **thr);
            }
            (*feat)[cnt] = f;
            (*thr)[cnt] = (float)cJSON_GetArrayItem(cond, i)->valuedouble;
            cnt++;
        }
    }
    cJSON_Delete(doc);
    return cnt;
}

/* ---- libxgboost ------------------------------------------------------------- */

static void set_params(BoosterHandle b, const spec *s)
{
    char buf[64];
    XGB(XGBoosterSetParam(b, "objective", s->objective));
    snprintf(buf, sizeof buf, "%d", s->depth);
    XGB(XGBoosterSetParam(b, "max_depth", buf));
    XGB(XGBoosterSetParam(b, "tree_method", s->method ? s->method : "hist"));
    XGB(XGBoosterSetParam(b, "nthread", "1"));
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)(s->seed % 100000));
    XGB(XGBoosterSetParam(b, "seed", buf));
    if (s->base_score)
        XGB(XGBoosterSetParam(b, "base_score", s->base_score));
    if (s->onehot) {
        snprintf(buf, sizeof buf, "%d", s->onehot);
        XGB(XGBoosterSetParam(b, "max_cat_to_onehot", buf));
    }
    if (s->extra) {
        char kv[512];
        tg_strlcpy(kv, s->extra, sizeof kv);
        for (char *save = NULL, *p = strtok_r(kv, ";", &save); p;
             p = strtok_r(NULL, ";", &save)) {
            char *eq = strchr(p, '=');
            assert_non_null(eq);
            *eq = '\0';
            XGB(XGBoosterSetParam(b, p, eq + 1));
        }
    }
}

static void set_info(DMatrixHandle d, const spec *s, char **names)
{
    const char *types[2048];
    assert_true(s->nfeat <= 2048);
    if (s->ncat) {
        for (int j = 0; j < s->nfeat; j++)
            types[j] = j < s->ncat ? "c" : "q";
        XGB(XGDMatrixSetStrFeatureInfo(d, "feature_type", types,
                                       (bst_ulong)s->nfeat));
    }
    if (names)
        XGB(XGDMatrixSetStrFeatureInfo(d, "feature_name", (const char **)names,
                                       (bst_ulong)s->nfeat));
}

/* Predictions for n rows through a DMatrix (option_mask as in
 * XGBoosterPredict); copies out (n x width). */
static void xgb_predict(BoosterHandle b, const spec *s, const float *X,
                        size_t n, int mask, float *out, size_t width)
{
    DMatrixHandle d;
    XGB(XGDMatrixCreateFromMat(X, (bst_ulong)n, (bst_ulong)s->nfeat, NAN, &d));
    set_info(d, s, NULL);
    bst_ulong len;
    const float *p;
    XGB(XGBoosterPredict(b, d, mask, 0, 0, &len, &p));
    assert_int_equal(len, n * width);
    memcpy(out, p, n * width * sizeof *out);
    XGB(XGDMatrixFree(d));
}

/* In-place prediction (what a service calls per request). */
static void xgb_inplace(BoosterHandle b, const spec *s, const float *X,
                        size_t n, int margin, float *out)
{
    char ai[256], cfg[256];
    snprintf(ai, sizeof ai,
             "{\"data\":[%llu,true],\"shape\":[%zu,%d],\"typestr\":\"<f4\","
             "\"version\":3}",
             (unsigned long long)(uintptr_t)X, n, s->nfeat);
    snprintf(cfg, sizeof cfg,
             "{\"type\":%d,\"training\":false,\"iteration_begin\":0,"
             "\"iteration_end\":0,\"strict_shape\":false,\"cache_id\":0,"
             "\"missing\":NaN}",
             margin);
    const bst_ulong *shape;
    bst_ulong dim;
    const float *p;
    XGB(XGBoosterPredictFromDense(b, ai, cfg, NULL, &shape, &dim, &p));
    memcpy(out, p, n * sizeof *out);
}

/* ---- one case ---------------------------------------------------------------- */

static void check_bits(const char *what, const spec *s, const float *X,
                       size_t i, float ours, float theirs)
{
    if (memcmp(&ours, &theirs, sizeof ours) != 0) {
        char row[512] = "";
        for (int j = 0; j < s->nfeat && strlen(row) < 400; j++)
            snprintf(row + strlen(row), sizeof row - strlen(row), "%s%.9g",
                     j ? "," : "", (double)X[i * (size_t)s->nfeat + j]);
        fail_msg("%s %s depth %d: row %zu (%s): %s %.9g, libxgboost %.9g",
                 s->objective, s->method ? s->method : "hist", s->depth, i,
                 row, what, (double)ours, (double)theirs);
    }
}

/* Rows on and next to the thresholds, built on training rows. */
static size_t threshold_rows(const spec *s, const float *X, const char *path,
                             float **out)
{
    int *feat;
    float *thr;
    size_t nt = json_thresholds(path, s->nfeat, &feat, &thr);
    size_t step = nt > 1500 ? nt / 1500 + 1 : 1, n = 0;
    *out = malloc((nt / step + 1) * 3 * (size_t)s->nfeat * sizeof **out);
    for (size_t k = 0; k < nt; k += step) {
        const float vals[3] = {thr[k], nextafterf(thr[k], INFINITY),
                               nextafterf(thr[k], -INFINITY)};
        for (int v = 0; v < 3; v++, n++) {
            float *row = *out + n * (size_t)s->nfeat;
            memcpy(row, X + (k % (size_t)s->nrows) * (size_t)s->nfeat,
                   (size_t)s->nfeat * sizeof *row);
            row[feat[k]] = vals[v];
        }
    }
    free(feat);
    free(thr);
    return n;
}

/* Rows of special values; with_inf adds infinities, which a DMatrix
 * refuses. */
static size_t special_rows(const spec *s, const float *X, int with_inf,
                           float **out)
{
    static const float num[] = {0.0f, -0.0f, 1e-45f, -1e-45f, FLT_MIN,
                                FLT_MAX, -FLT_MAX, NAN, 1e30f, -1e30f,
                                INFINITY, -INFINITY};
    static const float cats[] = {-1.0f, -0.0f, -0.5f, 0.5f, 2.7f, 1e9f,
                                 16777215.0f, 16777216.0f, NAN, INFINITY,
                                 -INFINITY};
    const int nnum = with_inf ? 12 : 10, ncats = with_inf ? 11 : 9;
    size_t per = (size_t)(nnum > ncats ? nnum : ncats);
    size_t n = per * (size_t)s->nfeat + 1;
    *out = malloc(n * (size_t)s->nfeat * sizeof **out);
    size_t r = 0;
    for (int j = 0; j < s->nfeat; j++) {
        for (size_t v = 0; v < per; v++, r++) {
            float *row = *out + r * (size_t)s->nfeat;
            memcpy(row, X + (r % (size_t)s->nrows) * (size_t)s->nfeat,
                   (size_t)s->nfeat * sizeof *row);
            row[j] = j < s->ncat ? cats[v % (size_t)ncats] : num[v % (size_t)nnum];
        }
    }
    for (int j = 0; j < s->nfeat; j++) /* all missing */
        (*out)[r * (size_t)s->nfeat + j] = NAN;
    return r + 1;
}

static void compare_rows(BoosterHandle b, const tg_model *m, const spec *s,
                         const float *X, size_t n, int contribs)
{
    const size_t nf = (size_t)s->nfeat, w = nf + 1;
    if (n == 0) /* e.g. no numerical splits, so no threshold rows */
        return;
    float *theirs = malloc(n * w * sizeof *theirs);
    float *ours = malloc(n * w * sizeof *ours);
    /* Margins and probabilities, bit for bit, four ways. */
    for (int margin = 0; margin <= 1; margin++) {
        xgb_predict(b, s, X, n, margin, theirs, 1);
        model_predict_batch(m, X, n, ours, margin);
        for (size_t i = 0; i < n; i++) {
            const float *row = X + i * nf;
            check_bits(margin ? "batch margin" : "batch prediction", s, X, i,
                       ours[i], theirs[i]);
            check_bits(margin ? "margin" : "prediction", s, X, i,
                       margin ? model_margin(m, row) : model_predict(m, row),
                       theirs[i]);
        }
        xgb_inplace(b, s, X, n, margin, theirs);
        for (size_t i = 0; i < n; i++)
            check_bits("in-place", s, X, i, ours[i], theirs[i]);
    }
    if (!contribs)
        goto done;
    /* TreeSHAP. */
    xgb_predict(b, s, X, n, 4, theirs, w);
    tg_err err = {0};
    assert_int_equal(model_contribs_batch(m, X, n, ours, &err), TG_OK);
    for (size_t i = 0; i < n; i++) {
        double sum = 0, mag = 0;
        for (size_t j = 0; j < w; j++) {
            double a = ours[i * w + j], t = theirs[i * w + j];
            double e = fabs(a - t) / (fabs(t) > 1.0 ? fabs(t) : 1.0);
            if (e > stats.max_err)
                stats.max_err = e;
            if (!(e <= 1e-5))
                fail_msg("%s depth %d rounds %d: row %zu contribution %zu: "
                         "%.9g, libxgboost %.9g",
                         s->objective, s->depth, s->rounds, i, j, a, t);
            sum += a;
            mag += fabs(a);
        }
        double mg = model_margin(m, X + i * nf);
        double se = fabs(sum - mg) / (mag > 1.0 ? mag : 1.0);
        if (se > stats.max_sum_err)
            stats.max_sum_err = se;
        if (!(se <= 1e-5))
            fail_msg("row %zu: contributions sum to %.9g, margin %.9g", i, sum, mg);
    }
    /* A batch takes rows two at a time where the CPU allows: the same bits
     * as one row alone. */
    float *one = malloc(w * sizeof *one);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(model_contribs(m, X + i * nf, one, &err), TG_OK);
        if (memcmp(one, ours + i * w, w * sizeof *one) != 0)
            fail_msg("%s depth %d rounds %d: row %zu: the batch's "
                     "contributions differ from the row's alone",
                     s->objective, s->depth, s->rounds, i);
    }
    free(one);
    /* Saabas, bit for bit. */
    xgb_predict(b, s, X, n, 4 | 8, theirs, w);
    for (size_t i = 0; i < n; i++) {
        model_contribs_approx(m, X + i * nf, ours);
        for (size_t j = 0; j < w; j++)
            if (memcmp(&ours[j], &theirs[i * w + j], sizeof(float)) != 0)
                fail_msg("row %zu approx contribution %zu: %.9g, libxgboost "
                         "%.9g",
                         i, j, (double)ours[j], (double)theirs[i * w + j]);
    }
done:
    free(theirs);
    free(ours);
}

static void run_case(const spec *s)
{
    const size_t nf = (size_t)s->nfeat, nr = (size_t)s->nrows;
    float *X = malloc(nr * nf * sizeof *X), *y = malloc(nr * sizeof *y);
    make_data(s, X, y);
    char **names = NULL;
    if (s->names) {
        names = malloc(nf * sizeof *names);
        for (size_t j = 0; j < nf; j++) {
            names[j] = malloc(32);
            snprintf(names[j], 32, j % 2 ? "feat_%zu" : "größe %zu", j);
        }
    }
    DMatrixHandle d;
    XGB(XGDMatrixCreateFromMat(X, (bst_ulong)nr, (bst_ulong)nf, NAN, &d));
    XGB(XGDMatrixSetFloatInfo(d, "label", y, (bst_ulong)nr));
    set_info(d, s, names);
    BoosterHandle b;
    XGB(XGBoosterCreate(&d, 1, &b));
    set_params(b, s);
    if (names)
        XGB(XGBoosterSetStrFeatureInfo(b, "feature_name", (const char **)names,
                                       (bst_ulong)nf));
    for (int it = 0; it < s->rounds; it++)
        XGB(XGBoosterUpdateOneIter(b, it, d));
    char path[512];
    snprintf(path, sizeof path, "%s/model_%d.json", tmpdir, stats.models);
    XGB(XGBoosterSaveModel(b, path));

    tg_err err = {0};
    tg_model *m = model_load(path, &err);
    if (!m)
        fail_msg("model_load: %s", err.msg);
    assert_int_equal(model_num_features(m), nf);
    if (!strstr(s->extra ? s->extra : "", "num_parallel_tree"))
        assert_int_equal(model_num_trees(m), (size_t)s->rounds);
    for (size_t j = 0; j < nf; j++) {
        if (names) {
            assert_string_equal(model_feature_name(m, j), names[j]);
            assert_int_equal(model_feature_index(m, names[j]), (int)j);
        } else {
            assert_null(model_feature_name(m, j));
        }
    }
    if (s->base_score)
        assert_true(model_base_score(m) == strtof(s->base_score, NULL));

    /* Training rows; threshold rows; special rows without and with inf. */
    compare_rows(b, m, s, X, nr, 1);
    float *T;
    size_t nt = threshold_rows(s, X, path, &T);
    compare_rows(b, m, s, T, nt, 1);
    float *S;
    size_t ns = special_rows(s, X, 0, &S);
    compare_rows(b, m, s, S, ns, 1);
    free(S);
    ns = special_rows(s, X, 1, &S);
    float *theirs = malloc(ns * sizeof *theirs);
    for (int margin = 0; margin <= 1; margin++) {
        xgb_inplace(b, s, S, ns, margin, theirs);
        for (size_t i = 0; i < ns; i++)
            check_bits("special", s, S, i,
                       margin ? model_margin(m, S + i * nf)
                              : model_predict(m, S + i * nf),
                       theirs[i]);
    }
    stats.models++;
    stats.rows += (long)(nr + nt + 2 * ns);
    stats.threshold_rows += (long)nt;
    stats.special_rows += (long)(2 * ns);
    free(theirs);
    free(S);
    free(T);
    model_free(m);
    unlink(path);
    XGB(XGBoosterFree(b));
    XGB(XGDMatrixFree(d));
    if (names) {
        for (size_t j = 0; j < nf; j++)
            free(names[j]);
        free(names);
    }
    free(X);
    free(y);
}

/* ---- cases --------------------------------------------------------------------- */

static const char *const objectives[] = {"binary:logistic", "reg:logistic",
                                         "reg:squarederror"};

static void test_objectives_and_depths(void **state)
{
    (void)state;
    static const int depths[] = {1, 2, 3, 4, 6, 8, 10, 12};
    for (int o = 0; o < 3; o++)
        for (size_t k = 0; k < sizeof depths / sizeof *depths; k++) {
            spec s = {.objective = objectives[o], .nfeat = 6, .nrows = 400,
                      .rounds = 12, .depth = depths[k], .nan_rate = 0.1,
                      .seed = 100 + 10 * (uint64_t)o + k};
            run_case(&s);
        }
}

/* Paths that split on more than 7 distinct features need more than four
 * quadrature points: TreeSHAP's general kernel, which shallower trees on
 * few features never reach. */
static void test_deep_paths_on_many_features(void **state)
{
    (void)state;
    static const int depths[] = {9, 12, 16};
    for (size_t k = 0; k < sizeof depths / sizeof *depths; k++) {
        spec s = {.objective = objectives[0], .nfeat = 24, .nrows = 3000,
                  .rounds = 6, .depth = depths[k], .nan_rate = 0.05,
                  .seed = 300 + (uint64_t)k};
        run_case(&s);
    }
}

static void test_tree_counts(void **state)
{
    (void)state;
    static const struct {
        int rounds, depth, rows;
        const char *eta;
    } c[] = {{1, 3, 300, "0.3"}, {2, 6, 300, "0.3"}, {50, 6, 300, "0.1"},
             {200, 4, 200, "0.05"}, {1000, 2, 120, "0.02"}};
    for (size_t k = 0; k < sizeof c / sizeof *c; k++) {
        char extra[64];
        snprintf(extra, sizeof extra, "eta=%s", c[k].eta);
        spec s = {.objective = "binary:logistic", .nfeat = 5,
                  .nrows = c[k].rows, .rounds = c[k].rounds,
                  .depth = c[k].depth, .nan_rate = 0.05, .extra = extra,
                  .seed = 200 + k};
        run_case(&s);
    }
}

static void test_base_scores(void **state)
{
    (void)state;
    static const struct {
        const char *obj, *base;
    } c[] = {{"binary:logistic", "0.01"}, {"binary:logistic", "0.3"},
             {"binary:logistic", "0.9"},  {"reg:logistic", "0.999"},
             {"reg:logistic", "0.1234567"}, {"reg:squarederror", "-7.25"},
             {"reg:squarederror", "1234.5"}};
    for (size_t k = 0; k < sizeof c / sizeof *c; k++) {
        spec s = {.objective = c[k].obj, .nfeat = 4, .nrows = 300,
                  .rounds = 15, .depth = 4, .nan_rate = 0.1,
                  .base_score = c[k].base, .seed = 300 + k};
        run_case(&s);
    }
}

static void test_methods_and_missing(void **state)
{
    (void)state;
    static const char *const methods[] = {"exact", "approx", "hist"};
    static const double nan_rates[] = {0.0, 0.3, 0.9};
    for (int mth = 0; mth < 3; mth++)
        for (int k = 0; k < 3; k++) {
            spec s = {.objective = objectives[(mth + k) % 3], .nfeat = 7,
                      .nrows = 350, .rounds = 10, .depth = 5,
                      .nan_rate = nan_rates[k], .method = methods[mth],
                      .seed = 400 + 3 * (uint64_t)mth + (uint64_t)k};
            run_case(&s);
        }
}

static void test_categorical(void **state)
{
    (void)state;
    static const struct {
        int values, onehot, depth;
        double nan;
    } c[] = {{3, 32, 4, 0.1},  /* one-hot splits only */
             {10, 1, 5, 0.1},  /* partition splits only */
             {40, 1, 6, 0.2},
             {12, 4, 6, 0.0},  /* both kinds */
             {64, 8, 3, 0.3},
             {5, 4, 8, 0.05}};
    for (size_t k = 0; k < sizeof c / sizeof *c; k++) {
        spec s = {.objective = objectives[k % 3], .nfeat = 5, .nrows = 500,
                  .rounds = 12, .depth = c[k].depth, .nan_rate = c[k].nan,
                  .ncat = 2, .ncat_values = c[k].values, .onehot = c[k].onehot,
                  .seed = 500 + k};
        run_case(&s);
    }
}

static void test_names_pruning_shapes(void **state)
{
    (void)state;
    spec cases[] = {
        /* feature names (UTF-8) from XGBoosterSetStrFeatureInfo */
        {.objective = "binary:logistic", .nfeat = 6, .nrows = 300, .rounds = 8,
         .depth = 4, .nan_rate = 0.1, .names = 1, .seed = 600},
        /* exact + prune with gamma: pruned, unreachable nodes */
        {.objective = "reg:squarederror", .nfeat = 4, .nrows = 400, .rounds = 8,
         .depth = 8, .method = "exact", .extra = "gamma=20", .seed = 601},
        {.objective = "binary:logistic", .nfeat = 4, .nrows = 400, .rounds = 8,
         .depth = 8, .method = "exact", .extra = "gamma=2;min_child_weight=0",
         .seed = 602},
        /* lossguide: unbalanced trees, the early-exit walk */
        {.objective = "binary:logistic", .nfeat = 6, .nrows = 600, .rounds = 10,
         .depth = 0, .nan_rate = 0.1,
         .extra = "grow_policy=lossguide;max_leaves=48", .seed = 603},
        {.objective = "reg:squarederror", .nfeat = 3, .nrows = 600, .rounds = 5,
         .depth = 20, .extra = "grow_policy=lossguide;max_leaves=64;eta=1",
         .seed = 604},
        /* a forest: several trees per round */
        {.objective = "binary:logistic", .nfeat = 6, .nrows = 400, .rounds = 6,
         .depth = 5, .nan_rate = 0.1,
         .extra = "num_parallel_tree=4;subsample=0.8;colsample_bynode=0.7",
         .seed = 605},
        /* wide: per-row walks in batches (300), keys off the stack (1100) */
        {.objective = "binary:logistic", .nfeat = 300, .nrows = 150,
         .rounds = 6, .depth = 4, .nan_rate = 0.2, .seed = 606},
        {.objective = "reg:squarederror", .nfeat = 1100, .nrows = 60,
         .rounds = 4, .depth = 3, .nan_rate = 0.2, .seed = 607},
        /* one feature; learning rate 1 and L1 */
        {.objective = "reg:logistic", .nfeat = 1, .nrows = 300, .rounds = 10,
         .depth = 6, .nan_rate = 0.2, .extra = "eta=1;alpha=0.5", .seed = 608},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        run_case(&cases[k]);
}

static void test_summary(void **state)
{
    (void)state;
    print_message("parity: %d models, %ld rows (%ld on or next to thresholds, "
                  "%ld special); largest contribution difference %.3g, "
                  "largest |sum - margin| %.3g (relative to magnitude above 1)\n",
                  stats.models, stats.rows, stats.threshold_rows,
                  stats.special_rows, stats.max_err, stats.max_sum_err);
    assert_true(stats.models >= 50);
}

static int setup(void **state)
{
    (void)state;
    XGB(XGBSetGlobalConfig("{\"verbosity\":0}"));
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/tgparity.XXXXXX",
             base && *base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(tmpdir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_objectives_and_depths),
        cmocka_unit_test(test_deep_paths_on_many_features),
        cmocka_unit_test(test_tree_counts),
        cmocka_unit_test(test_base_scores),
        cmocka_unit_test(test_methods_and_missing),
        cmocka_unit_test(test_categorical),
        cmocka_unit_test(test_names_pruning_shapes),
        cmocka_unit_test(test_summary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
