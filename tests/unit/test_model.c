/* test_model.c: unit tests of the embedded XGBoost evaluator's loader,
 * walker and explainers (src/core/model.c, src/core/model_shap.c) on
 * hand-made models: the tiny fixture checked by hand, one broken file per
 * loader error, every truncation and many corruptions of a model, hostile
 * sizes and nesting, and the fast walk against the plain one on awkward
 * floats. Parity with libxgboost itself is in test_model_parity.c. */
#include <locale.h>
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

#include "trendguard/model.h"
#include "trendguard/util.h"

#define FIX "tests/fixtures/models/"

/* ---- helpers --------------------------------------------------------------- */

static const char *fixture(const char *name)
{
    static char buf[4096];
    char rel[512];
    snprintf(rel, sizeof rel, FIX "%s", name);
    if (tg_asset_path(rel, buf, sizeof buf) != 0)
        snprintf(buf, sizeof buf, "%s", rel);
    return buf;
}

static char *slurp(const char *name, size_t *n)
{
    tg_err err = {0};
    char *s = tg_read_file(fixture(name), n, 0, &err);
    if (!s)
        fail_msg("%s", err.msg);
    return s;
}

static tg_model *load_ok(const char *json, size_t n)
{
    tg_err err = {0};
    tg_model *m = model_load_mem(json, n, &err);
    if (!m)
        fail_msg("load failed: %s", err.msg);
    return m;
}

static void expect_fail(const char *json, size_t n, int code, ...)
{
    tg_err err = {0};
    tg_model *m = model_load_mem(json, n, &err);
    if (m) {
        model_free(m);
        fail_msg("loaded a model that should fail");
    }
    assert_int_equal(err.code, code);
    va_list ap;
    va_start(ap, code);
    for (const char *s; (s = va_arg(ap, const char *));)
        if (!strstr(err.msg, s))
            fail_msg("message \"%s\" lacks \"%s\"", err.msg, s);
    va_end(ap);
}

static int same_float(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* A model JSON with the given trees (JSON objects joined by commas). */
static char *model_text(const char *trees, int ntrees, int nfeat,
                        const char *objective, const char *base_score)
{
    size_t n = strlen(trees) + 1024;
    char *s = malloc(n);
    assert_non_null(s);
    char info[4096] = "";
    for (int i = 0; i < ntrees && strlen(info) < sizeof info - 4; i++)
        strcat(info, i ? ",0" : "0");
    snprintf(s, n,
             "{\"learner\":{\"feature_names\":[],\"gradient_booster\":{\"model\":"
             "{\"gbtree_model_param\":{\"num_trees\":\"%d\",\"size_leaf_vector\":"
             "\"0\"},\"tree_info\":[%s],\"trees\":[%s]},\"name\":\"gbtree\"},"
             "\"learner_model_param\":{\"base_score\":\"%s\",\"num_class\":\"0\","
             "\"num_feature\":\"%d\",\"num_target\":\"1\"},\"objective\":{\"name\":"
             "\"%s\"}},\"version\":[1,7,4]}",
             ntrees, info, trees, base_score, nfeat, objective);
    return s;
}

/* Appends printf output to a growing string. */
static void cat(char **s, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (*len + (size_t)k + 1 > *cap) {
        *cap = (*len + (size_t)k + 1) * 2;
        *s = realloc(*s, *cap);
        assert_non_null(*s);
    }
    va_start(ap, fmt);
    vsnprintf(*s + *len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)k;
}

/* One tree's JSON from parallel arrays (cond holds thresholds and leaf
 * values as JSON number text). */
typedef struct {
    int n;
    const int *left, *right, *index, *dleft, *stype;
    const char *const *cond;
    const double *hess;
    const char *cats; /* the four categories_* members, or NULL */
} tree_spec;

static char *tree_text(const tree_spec *t)
{
    char *s = NULL;
    size_t len = 0, cap = 0;
    cat(&s, &len, &cap, "{");
    const char *names[] = {"left_children", "right_children", "split_indices",
                           "default_left", "split_type"};
    const int *arrs[] = {t->left, t->right, t->index, t->dleft, t->stype};
    for (int a = 0; a < 5; a++) {
        cat(&s, &len, &cap, "\"%s\":[", names[a]);
        for (int i = 0; i < t->n; i++)
            cat(&s, &len, &cap, "%s%d", i ? "," : "", arrs[a] ? arrs[a][i] : 0);
        cat(&s, &len, &cap, "],");
    }
    cat(&s, &len, &cap, "\"split_conditions\":[");
    for (int i = 0; i < t->n; i++)
        cat(&s, &len, &cap, "%s%s", i ? "," : "", t->cond[i]);
    cat(&s, &len, &cap, "],\"sum_hessian\":[");
    for (int i = 0; i < t->n; i++)
        cat(&s, &len, &cap, "%s%.17g", i ? "," : "", t->hess ? t->hess[i] : 1.0);
    cat(&s, &len, &cap, "],%s\"tree_param\":{\"num_nodes\":\"%d\"}}",
        t->cats ? t->cats : "", t->n);
    return s;
}

/* The plain walk, straight from the public view. */
static float reference_margin(const tg_model *m, const float *row)
{
    const tg_model_view *v = model_view(m);
    float acc = v->base_margin;
    for (size_t t = 0; t < v->num_trees; t++) {
        int32_t i = v->trees[t].root;
        while (!(v->nodes[i].info & TG_NODE_LEAF))
            i = model_node_next(v, i, row);
        acc += v->nodes[i].leaf;
    }
    return acc;
}

/* ---- the tiny fixture, checked by hand ----------------------------------- */

static void test_tiny_load(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_model *m = model_load(fixture("tiny.json"), &err);
    if (!m)
        fail_msg("%s", err.msg);
    assert_int_equal(model_num_features(m), 2);
    assert_int_equal(model_num_trees(m), 2);
    assert_int_equal(model_objective(m), TG_OBJ_BINARY_LOGISTIC);
    assert_string_equal(model_objective_name(m), "binary:logistic");
    assert_string_equal(model_feature_name(m, 0), "age");
    assert_string_equal(model_feature_name(m, 1), "size");
    assert_null(model_feature_name(m, 2));
    assert_int_equal(model_feature_index(m, "size"), 1);
    assert_int_equal(model_feature_index(m, "weight"), -1);
    assert_true(model_base_score(m) == 0.5f);
    /* -logf(1/0.5 - 1) = -0.0f, exactly as XGBoost computes it. */
    assert_true(same_float(model_base_margin(m), -0.0f));
    /* Pre-order: node 0, its left subtree (old 1, 3, 4), then old 2. */
    const tg_model_view *v = model_view(m);
    assert_int_equal(v->num_nodes, 6);
    assert_int_equal(v->trees[0].root, 0);
    assert_int_equal(v->trees[0].n_nodes, 5);
    assert_int_equal(v->trees[0].depth, 2);
    assert_int_equal(v->trees[0].unique_depth, 2);
    assert_int_equal(v->nodes[0].right, 4);
    assert_true(v->nodes[0].split == 1.5f);
    assert_int_equal(v->nodes[0].info, 0u); /* feature 0, missing left */
    assert_int_equal(v->nodes[1].info, 1u | TG_NODE_DEFAULT_RIGHT);
    assert_int_equal(v->nodes[1].right, 3);
    assert_true(v->nodes[2].leaf == 0.5f && v->nodes[3].leaf == -0.5f);
    assert_true(v->nodes[4].leaf == 0.25f && v->nodes[5].leaf == 0.125f);
    assert_true(v->mean[0] == 0.125f && v->mean[1] == 0.0f);
    /* Split records: node 0 (age) then node 1 (size). */
    assert_int_equal(v->trees[0].n_splits, 2);
    assert_int_equal(v->trees[0].n_upper, 1); /* node 1 has two leaves */
    assert_int_equal(v->trees[1].n_splits, 0);
    const tg_model_split *sp = v->splits + v->trees[0].split_offset;
    assert_int_equal(sp[0].node, 0);
    assert_int_equal(sp[0].feature, 0);
    assert_int_equal(sp[0].child[0], 1);     /* the size split */
    assert_int_equal(sp[0].child[1], 2 + 1); /* a leaf: n + side */
    assert_true(sp[0].leaf[1] == 0.25f);
    assert_int_equal(sp[0].prev[0], 4);      /* none: 2 n */
    assert_true(sp[0].zero[0] == 0.5f && sp[0].zero[1] == 0.5f);
    assert_true(sp[0].a[1] == 0.5f && sp[0].b[1][0] == -0.5f &&
                sp[0].b[1][1] == 0.5f);
    assert_int_equal(sp[1].node, 1);
    assert_int_equal(sp[1].feature, 1);
    assert_int_equal(sp[1].child[0], 2);
    assert_int_equal(sp[1].child[1], 3);
    assert_true(sp[1].leaf[0] == 0.5f && sp[1].leaf[1] == -0.5f);
    model_free(m);
    model_free(NULL);
}

static void test_tiny_predict(void **state)
{
    (void)state;
    size_t n;
    char *json = slurp("tiny.json", &n);
    tg_model *m = load_ok(json, n);
    const float rows[][2] = {{1, 1}, {NAN, NAN}, {2, 100}, {1.5f, 3}, {1, 3},
                             {1, NAN}, {-INFINITY, INFINITY}};
    const float want[] = {0.625f, -0.375f, 0.375f, 0.375f, -0.375f, -0.375f,
                          -0.375f};
    float batch[7], batch_m[7];
    model_predict_batch(m, &rows[0][0], 7, batch, 0);
    model_predict_batch(m, &rows[0][0], 7, batch_m, 1);
    for (int i = 0; i < 7; i++) {
        float mg = model_margin(m, rows[i]);
        if (!same_float(mg, want[i]))
            fail_msg("row %d: margin %.9g, want %.9g", i, mg, want[i]);
        float p = 1.0f / (expf(-want[i]) + 1.0f + 1e-16f);
        assert_true(same_float(model_predict(m, rows[i]), p));
        assert_true(same_float(batch[i], p));
        assert_true(same_float(batch_m[i], want[i]));
    }
    /* The sigmoid's clamp: exp(88.7) at most, never inf. */
    assert_true(model_transform(m, -1000.0f) > 0.0f);
    assert_true(model_transform(m, 1000.0f) == 1.0f);
    free(json);
    model_free(m);
}

static void test_tiny_contribs(void **state)
{
    (void)state;
    size_t n;
    char *json = slurp("tiny.json", &n);
    tg_model *m = load_ok(json, n);
    const float row[2] = {1, 1};
    float c[3];
    tg_err err = {0};
    assert_int_equal(model_contribs(m, row, c, &err), TG_OK);
    /* By hand (see tests/fixtures/models/README.md). */
    assert_float_equal(c[0], 0.0f, 1e-7);
    assert_float_equal(c[1], 0.375f, 1e-7);
    assert_true(c[2] == 0.25f);
    model_contribs_approx(m, row, c);
    assert_true(c[0] == -0.125f && c[1] == 0.5f && c[2] == 0.25f);
    /* Missing values: f0 follows the default (left), f1 too (right). */
    const float miss[2] = {NAN, NAN};
    assert_int_equal(model_contribs(m, miss, c, &err), TG_OK);
    assert_float_equal(c[0] + c[1] + c[2], -0.375f, 1e-6);
    float rows[4] = {1, 1, NAN, NAN}, cb[6];
    assert_int_equal(model_contribs_batch(m, rows, 2, cb, &err), TG_OK);
    assert_true(memcmp(cb + 3, c, sizeof c) == 0);
    free(json);
    model_free(m);
}

/* ---- loader errors ----------------------------------------------------------- */

static void test_bad_fixtures(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *want[3];
    } cases[] = {
        {"bad_syntax.json", {"JSON error at line 10", "expected ',' or '}'"}},
        {"bad_truncated.json", {"JSON ends too early"}},
        {"bad_empty.json", {"empty model file"}},
        {"bad_not_object.json", {"not an XGBoost JSON model"}},
        {"bad_trailing.json", {"text after the end"}},
        {"bad_type.json", {"tree 0: left_children must be an array"}},
        {"bad_element_type.json", {"tree 0: left_children[1] = 3.5 is not an integer"}},
        {"bad_duplicate_key.json", {"tree 0: duplicate key \"left_children\""}},
        {"bad_child_range.json",
         {"tree 0: left_children[1] = 9000 is out of range (5 nodes)"}},
        {"bad_cycle.json", {"tree 0: node 0 is reached twice", "cycle"}},
        {"bad_shared_child.json", {"tree 0: node 2 is reached twice", "shared"}},
        {"bad_length.json",
         {"tree 0: split_conditions has 4 entries, expected 5"}},
        {"bad_missing_array.json", {"tree 0: missing sum_hessian"}},
        {"bad_huge_num_nodes.json", {"expected 99999999999999"}},
        {"bad_nan_threshold.json",
         {"tree 0: split_conditions[0] is NaN on a numerical split"}},
        {"bad_leaf_value.json", {"tree 0: split_conditions[2] = inf", "leaf"}},
        {"bad_cover.json", {"tree 0: sum_hessian[1] = -2"}},
        {"bad_feature_range.json",
         {"tree 0: split_indices[1] = 7 is out of range (num_feature 2)"}},
        {"bad_split_type.json", {"tree 0: split_type[0] = 2 is not a known split type"}},
        {"bad_default_left.json", {"tree 0: default_left[1] = 2"}},
        {"bad_category_missing.json", {"tree 0: node 1 has a categorical split"}},
        {"bad_category_value.json", {"tree 0: categories[1] = -1 is not a category"}},
        {"bad_category_segment.json", {"categories_segments[0] = 1", "runs past"}},
        {"bad_num_trees.json", {"num_trees = 3 but the model has 2 trees"}},
        {"bad_tree_info.json", {"tree_info[1] = 1", "multi-class"}},
        {"bad_leaf_vector.json", {"size_leaf_vector", "not supported"}},
        {"bad_dart.json", {"\"dart\" is not supported", "gbtree only"}},
        {"bad_gblinear.json", {"\"gblinear\" is not supported"}},
        {"bad_objective.json", {"\"count:poisson\" is not supported"}},
        {"bad_multiclass.json", {"num_class = 3", "multi-class"}},
        {"bad_num_target.json", {"num_target = 2", "multi-target"}},
        {"bad_base_score.json", {"base_score = 1.5 is outside (0, 1)"}},
        {"bad_base_score_text.json", {"base_score = \"[5E-1]\" is not a number"}},
        {"bad_num_feature_huge.json", {"num_feature = 4000000000"}},
        {"bad_names.json", {"feature_names has 1 names, expected 2"}},
        {"bad_version.json", {"XGBoost 2.1.0", "only 1.x"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tg_err err = {0};
        const char *path = fixture(cases[i].file);
        tg_model *m = model_load(path, &err);
        if (m)
            fail_msg("%s loaded", cases[i].file);
        if (err.code != TG_EDATA)
            fail_msg("%s: code %d (%s)", cases[i].file, err.code, err.msg);
        /* model_load names the file first. */
        if (strncmp(err.msg, path, strlen(path)) != 0)
            fail_msg("%s: message \"%s\" does not start with the path",
                     cases[i].file, err.msg);
        for (int k = 0; k < 3 && cases[i].want[k]; k++)
            if (!strstr(err.msg, cases[i].want[k]))
                fail_msg("%s: message \"%s\" lacks \"%s\"", cases[i].file,
                         err.msg, cases[i].want[k]);
    }
}

static void test_missing_file(void **state)
{
    (void)state;
    tg_err err = {0};
    assert_null(model_load("/nonexistent/model.json", &err));
    assert_int_equal(err.code, TG_ENOINPUT);
    assert_non_null(strstr(err.msg, "/nonexistent/model.json"));
    assert_null(model_load("/nonexistent/model.json", NULL));
}

/* Every proper prefix of a model is an error, never a crash, and the
 * buffer is never read past its end (ASan checks the exact-size copy). */
static void test_truncations(void **state)
{
    (void)state;
    size_t n;
    char *json = slurp("tiny.json", &n);
    for (size_t k = 0; k < n; k++) {
        char *cut = malloc(k ? k : 1);
        memcpy(cut, json, k);
        tg_err err = {0};
        tg_model *m = model_load_mem(cut, k, &err);
        /* Only whitespace may be dropped from the end. */
        size_t t = n;
        while (t > 0 && (json[t - 1] == '\n' || json[t - 1] == ' '))
            t--;
        if (k >= t) {
            assert_non_null(m);
        } else {
            if (m)
                fail_msg("prefix of %zu bytes loaded", k);
            assert_int_equal(err.code, TG_EDATA);
            /* a cut model is a JSON problem, not a wrong field */
            if (strncmp(err.msg, "JSON ends too early", 19) != 0 &&
                strcmp(err.msg, "empty model file") != 0)
                fail_msg("prefix of %zu bytes: \"%s\"", k, err.msg);
        }
        model_free(m);
        free(cut);
    }
    free(json);
}

/* Single-byte corruptions either load (and then score and explain
 * safely) or fail with TG_EDATA. */
static void test_corruptions(void **state)
{
    (void)state;
    size_t n;
    char *json = slurp("tiny.json", &n);
    const char subst[] = "x\"[]{},:9-.eN\\ \0";
    const float rows[3][2] = {{1, 1}, {NAN, NAN}, {-1e30f, 1e30f}};
    int loaded = 0;
    for (size_t k = 0; k < n; k++) {
        for (size_t j = 0; j < sizeof subst - 1; j++) {
            char *c = malloc(n);
            memcpy(c, json, n);
            c[k] = subst[j];
            tg_err err = {0};
            tg_model *m = model_load_mem(c, n, &err);
            if (m) {
                loaded++;
                size_t nf = model_num_features(m);
                float *row = calloc(nf + 1, sizeof *row);
                float *out = calloc(nf + 1, sizeof *out);
                for (int r = 0; r < 3; r++) {
                    for (size_t f = 0; f < nf; f++)
                        row[f] = rows[r][f % 2];
                    (void)model_predict(m, row);
                    assert_int_equal(model_contribs(m, row, out, &err), TG_OK);
                    model_contribs_approx(m, row, out);
                }
                free(row);
                free(out);
                model_free(m);
            } else {
                assert_true(err.code == TG_EDATA);
            }
            free(c);
        }
    }
    assert_true(loaded > 0); /* e.g. digits changed inside numbers */
    free(json);
}

/* 100 MB of '[' fails at the nesting limit, fast. */
static void test_deep_nesting(void **state)
{
    (void)state;
    const size_t big = 100u << 20;
    const char *prefixes[] = {"", "{\"learner\":{\"attributes\":",
                              "{\"x\":", "{\"learner\":{\"feature_names\":[\"a\","};
    for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
        size_t pl = strlen(prefixes[p]);
        char *s = malloc(pl + big);
        assert_non_null(s);
        memcpy(s, prefixes[p], pl);
        memset(s + pl, p == 2 ? '{' : '[', big);
        if (p == 2) /* {"x":{"x":{"x":... */
            for (size_t i = pl; i + 5 < pl + big; i += 5)
                memcpy(s + i, "{\"x\":", 5);
        double t0 = tg_now_mono();
        tg_err err = {0};
        assert_null(model_load_mem(s, pl + big, &err));
        double dt = tg_now_mono() - t0;
        assert_int_equal(err.code, TG_EDATA);
        if (p == 0)
            assert_non_null(strstr(err.msg, "not an XGBoost JSON model"));
        else if (p != 3)
            assert_non_null(strstr(err.msg, "nested deeper than 64 levels"));
        if (dt > 1.0)
            fail_msg("took %.2f s to refuse", dt);
        free(s);
    }
}

/* ---- built models: edge cases of size and value -------------------------- */

/* A chain: node k < D splits f0 at D - k - 0.5, going deeper on the left;
 * its right child is a leaf worth k. */
static char *chain_tree(int D)
{
    int n = 2 * D + 1;
    int *left = malloc(n * sizeof *left), *right = malloc(n * sizeof *right);
    const char **cond = malloc(n * sizeof *cond);
    char (*num)[32] = malloc((size_t)n * 32);
    double *hess = malloc(n * sizeof *hess);
    for (int k = 0; k < D; k++) {
        left[k] = k + 1 < D ? k + 1 : 2 * D;
        right[k] = D + k;
        snprintf(num[k], 32, "%d.5", D - k - 1);
        cond[k] = num[k];
        hess[k] = 1.0;
        left[D + k] = right[D + k] = -1;
        snprintf(num[D + k], 32, "%d", k);
        cond[D + k] = num[D + k];
        hess[D + k] = 0.5;
    }
    left[2 * D] = right[2 * D] = -1;
    cond[2 * D] = "-1";
    hess[2 * D] = 0.5;
    tree_spec t = {.n = n, .left = left, .right = right, .cond = cond, .hess = hess};
    char *s = tree_text(&t);
    free(left);
    free(right);
    free(cond);
    free(num);
    free(hess);
    return s;
}

static void test_deep_trees(void **state)
{
    (void)state;
    char *tree = chain_tree(TG_MODEL_MAX_DEPTH);
    char *json = model_text(tree, 1, 1, "reg:squarederror", "0");
    tg_model *m = load_ok(json, strlen(json));
    const tg_model_view *v = model_view(m);
    assert_int_equal(v->trees[0].depth, TG_MODEL_MAX_DEPTH);
    assert_int_equal(v->trees[0].unique_depth, 1);
    /* Most rows stop near the top: the walk stops at leaves. */
    assert_true(v->trees[0].flags & TG_TREE_EARLY_EXIT);
    const float xs[] = {1000, 255.5f, 3, 0.5f, 0, -5, NAN};
    const float want[] = {0, 0, 253, 255, -1, -1, 0}; /* NaN: right at once */
    for (int i = 0; i < 7; i++) {
        float row[1] = {xs[i]}, c[2];
        assert_true(model_margin(m, row) == want[i]);
        tg_err err = {0};
        assert_int_equal(model_contribs(m, row, c, &err), TG_OK);
        assert_float_equal(c[0] + c[1], want[i], 1e-3);
    }
    model_free(m);
    free(json);
    free(tree);

    tree = chain_tree(TG_MODEL_MAX_DEPTH + 1);
    json = model_text(tree, 1, 1, "reg:squarederror", "0");
    expect_fail(json, strlen(json), TG_EDATA, "tree 0: deeper than 256", NULL);
    free(json);
    free(tree);
}

/* Category sets are bitsets sized by the largest category: a huge one is
 * fine, but not one per node without bound. */
static void test_category_memory(void **state)
{
    (void)state;
    static const int left[] = {1, -1, -1}, right[] = {2, -1, -1};
    static const int stype[] = {1, 0, 0}, dleft[] = {0, 0, 0};
    static const char *const cond[] = {"NaN", "1", "2"};
    tree_spec t = {.n = 3, .left = left, .right = right, .stype = stype,
                   .dleft = dleft, .cond = cond,
                   .cats = "\"categories\":[3,16777215],\"categories_nodes\":[0],"
                           "\"categories_segments\":[0],\"categories_sizes\":[2],"};
    char *one = tree_text(&t);
    char *json = model_text(one, 1, 1, "reg:squarederror", "0");
    tg_model *m = load_ok(json, strlen(json));
    const float xs[] = {3, 3.9f, 16777215, 16777216, 4, -1, NAN, 1e20f, -0.0f};
    const float want[] = {2, 2, 2, 1, 1, 1, 2, 1, 1};
    for (int i = 0; i < 9; i++) {
        float row[1] = {xs[i]};
        if (model_margin(m, row) != want[i])
            fail_msg("x = %g: %g, want %g", (double)xs[i],
                     (double)model_margin(m, row), (double)want[i]);
    }
    model_free(m);
    free(json);
    /* 40 such trees need 80 MiB of sets: refused. */
    char *s = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < 40; i++)
        cat(&s, &len, &cap, "%s%s", i ? "," : "", one);
    json = model_text(s, 40, 1, "reg:squarederror", "0");
    expect_fail(json, strlen(json), TG_EDATA, "words of category sets", NULL);
    free(json);
    free(s);
    free(one);
}

/* Pruned nodes are unreachable: their contents do not matter. */
static void test_pruned_nodes(void **state)
{
    (void)state;
    static const int left[] = {1, -1, -1, 77, -1};
    static const int right[] = {2, -1, -1, 3, -1};
    static const int index[] = {0, 0, 0, 2147483647, 5};
    static const char *const cond[] = {"0.5", "1", "2", "NaN", "Infinity"};
    tree_spec t = {.n = 5, .left = left, .right = right, .index = index,
                   .cond = cond};
    char *tree = tree_text(&t);
    char *json = model_text(tree, 1, 1, "reg:squarederror", "0.25");
    tg_model *m = load_ok(json, strlen(json));
    assert_int_equal(model_view(m)->num_nodes, 3);
    float row[1] = {0.7f};
    assert_true(model_margin(m, row) == 2.25f);
    model_free(m);
    free(json);
    free(tree);
}

/* Trees that are single leaves (no splits, no features) and a model with
 * no trees at all. */
static void test_leaf_only(void **state)
{
    (void)state;
    static const int left[] = {-1}, right[] = {-1};
    static const char *const cond[] = {"0.75"};
    tree_spec t = {.n = 1, .left = left, .right = right, .cond = cond};
    char *leaf = tree_text(&t);
    char trees[512];
    snprintf(trees, sizeof trees, "%s,%s", leaf, leaf);
    const char *objs[] = {"binary:logistic", "reg:squarederror"};
    for (int o = 0; o < 2; o++) {
        for (int nt = 0; nt <= 2; nt++) {
            const char *body = nt == 0 ? "" : nt == 1 ? leaf : trees;
            char *json = model_text(body, nt, 2, objs[o], "0.5");
            tg_model *m = load_ok(json, strlen(json));
            float row[2] = {NAN, 1}, c[3], out[1];
            /* base margin (-0 for logistic at 0.5), then each leaf */
            float want = o ? 0.5f : -0.0f;
            for (int k = 0; k < nt; k++)
                want += 0.75f;
            assert_true(same_float(model_margin(m, row), want));
            model_predict_batch(m, row, 1, out, 1);
            assert_true(same_float(out[0], want));
            tg_err err = {0};
            assert_int_equal(model_contribs(m, row, c, &err), TG_OK);
            assert_true(c[0] == 0 && c[1] == 0 && c[2] == want);
            model_contribs_approx(m, row, c);
            assert_true(c[0] == 0 && c[1] == 0 && c[2] == want);
            model_free(m);
            free(json);
        }
    }
    free(leaf);
}

/* The parser: key order, unknown members, escapes, special numbers. */
static void test_json_details(void **state)
{
    (void)state;
    const char *json =
        "  {\"version\":[1,7,0],\"extra\":{\"a\":[1,2,{\"b\":null}],\"c\":true},"
        "\"learner\":{\"objective\":{\"name\":\"reg:logistic\"},"
        "\"learner_model_param\":{\"num_feature\":\"2\",\"base_score\":\"0.25\"},"
        "\"feature_names\":[\"caf\\u00e9 \\\"x\\\"\",\"\\ud83d\\ude00\"],"
        "\"gradient_booster\":{\"name\":\"gbtree\",\"model\":{\"trees\":[{"
        "\"tree_param\":{\"num_nodes\":\"3\",\"size_leaf_vector\":\"0\"},"
        "\"left_children\":[1,-1,-1],\"right_children\":[2,-1,-1],"
        "\"split_indices\":[1,0,0],\"default_left\":[true,false,false],"
        "\"split_conditions\":[-0.0,1E-45,-3.4028235E38],"
        "\"sum_hessian\":[2,1,1]}]}}}}\n\t ";
    tg_model *m = load_ok(json, strlen(json));
    assert_string_equal(model_feature_name(m, 0), "caf\xc3\xa9 \"x\"");
    assert_string_equal(model_feature_name(m, 1), "\xf0\x9f\x98\x80");
    assert_int_equal(model_objective(m), TG_OBJ_REG_LOGISTIC);
    const tg_model_view *v = model_view(m);
    assert_true(v->nodes[1].leaf == 1e-45f); /* the smallest denormal */
    assert_true(v->nodes[2].leaf == -3.4028235e38f);
    /* split at -0.0: +0 and -0 both go right (x < -0 is false). */
    float row[2] = {0, 0.0f};
    float right = model_margin(m, row);
    row[1] = -0.0f;
    assert_true(same_float(model_margin(m, row), right));
    row[1] = -1e-45f;
    assert_true(model_margin(m, row) != right);
    model_free(m);

    static const struct {
        const char *json, *want;
    } bad[] = {
        {"{\"learner\":{\"feature_names\":[\"a\\u0001\"]}}", "control character"},
        {"{\"learner\":{\"feature_names\":[\"\\ud800x\"]}}", "surrogate"},
        {"{\"learner\":{\"feature_names\":[\"\xff\"]}}", "UTF-8"},
        {"{\"learner\":{\"feature_names\":[7]}}", "feature_names[0] is not a string"},
        {"{\"a\":01}", "JSON error"},
        {"{\"a\":1.}", "digits must follow"},
        {"{\"a\":1e}", "digits must follow the exponent"},
        {"{\"a\":-}", "bad number"},
        {"{\"a\":[1,]}", "trailing ','"},
        {"{\"a\" 1}", "expected ':'"},
        {"{\"a\":1,}", "expected a string key"},
        {"{\"a\":nul}", "unknown literal"},
        {"{\"a\":\"\\q\"}", "bad escape"},
        {"{\"a\":\"x\nx\"}", "control character in a string"},
        {"{\"a\":\"\\u12\"}", "bad \\u escape"},
        {"{\"a\":[1 2]}", "expected ',' or ']'"},
        {"{}", "missing version"},
        {"{\"version\":[1,7]}", "version must be an array of 3 integers"},
        {"{\"version\":[1,7,4],\"learner\":7}", "learner must be an object"},
        {"{\"version\":[1,7,4],\"learner\":{}}", "missing learner.objective.name"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_fail(bad[i].json, strlen(bad[i].json), TG_EDATA, bad[i].want, NULL);
}

/* Numbers are read in the C locale whatever the program's locale (the
 * app sets one for ncursesw). A decimal-comma locale is compiled into a
 * temporary folder when the system has none. */
static void test_locale(void **state)
{
    (void)state;
    char dir[] = "/tmp/tgloc.XXXXXX", cmd[512];
    int made = mkdtemp(dir) != NULL;
    const char *loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");
    if (!loc && made) {
        snprintf(cmd, sizeof cmd,
                 "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >/dev/null 2>&1", dir);
        if (system(cmd) == 0) {
            setenv("LOCPATH", dir, 1);
            loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");
        }
    }
    if (made) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            print_message("could not remove %s\n", dir);
    }
    if (!loc)
        skip();
    assert_true(strtod("0.5", NULL) == 0.0); /* the locale is in force */
    size_t n;
    char *json = slurp("tiny.json", &n);
    tg_model *m = load_ok(json, n);
    const float row[2] = {1, 1};
    assert_true(model_margin(m, row) == 0.625f);
    assert_true(model_base_score(m) == 0.5f);
    model_free(m);
    free(json);
}

static int restore_locale(void **state)
{
    (void)state;
    setlocale(LC_NUMERIC, "C");
    unsetenv("LOCPATH");
    return 0;
}

/* The fast walk (integer keys, trees side by side, blocks of rows) must
 * take exactly the plain walk's path on awkward values. */
static void test_fast_walk(void **state)
{
    (void)state;
    static const char *const thr[] = {
        "-0.0", "0", "1E-45", "-1E-45", "1.1754944E-38", "-3.4028235E38",
        "3.4028235E38", "Infinity", "-Infinity", "0.1", "-2.5", "16777216"};
    static const float vals[] = {
        0.0f, -0.0f, 1e-45f, -1e-45f, 1.1754944e-38f, 1.1754942e-38f,
        -3.4028235e38f, 3.4028235e38f, INFINITY, -INFINITY, NAN, 0.1f,
        0.099999994f, -2.5f, -2.4999998f, 16777216.0f, 1.0f, -1.0f};
    const int nthr = (int)(sizeof thr / sizeof *thr);
    const int nval = (int)(sizeof vals / sizeof *vals);
    tg_rng rng;
    tg_rng_seed(&rng, 7);
    /* 40 random full trees of depth 4 over 3 features. */
    char *trees = NULL;
    size_t len = 0, cap = 0;
    int ntrees = 40;
    for (int t = 0; t < ntrees; t++) {
        int left[31], right[31], index[31], dleft[31];
        const char *cond[31];
        char leafs[31][32];
        for (int i = 0; i < 31; i++) {
            if (i < 15) {
                left[i] = 2 * i + 1;
                right[i] = 2 * i + 2;
                index[i] = (int)tg_rng_below(&rng, 3);
                dleft[i] = (int)tg_rng_below(&rng, 2);
                cond[i] = thr[tg_rng_below(&rng, (uint64_t)nthr)];
            } else {
                left[i] = right[i] = -1;
                index[i] = dleft[i] = 0;
                snprintf(leafs[i], sizeof leafs[i], "%d", (int)tg_rng_below(&rng, 1000) - 500);
                cond[i] = leafs[i];
            }
        }
        tree_spec ts = {.n = 31, .left = left, .right = right, .index = index,
                        .dleft = dleft, .cond = cond};
        char *one = tree_text(&ts);
        cat(&trees, &len, &cap, "%s%s", t ? "," : "", one);
        free(one);
    }
    char *json = model_text(trees, ntrees, 3, "reg:squarederror", "0.5");
    tg_model *m = load_ok(json, strlen(json));
    int nrows = nval * nval * nval;
    float *rows = malloc((size_t)nrows * 3 * sizeof *rows);
    float *out = malloc((size_t)nrows * sizeof *out);
    for (int i = 0; i < nrows; i++) {
        rows[3 * i] = vals[i % nval];
        rows[3 * i + 1] = vals[i / nval % nval];
        rows[3 * i + 2] = vals[i / nval / nval];
    }
    model_predict_batch(m, rows, (size_t)nrows, out, 1);
    for (int i = 0; i < nrows; i++) {
        float want = reference_margin(m, rows + 3 * i);
        if (!same_float(model_margin(m, rows + 3 * i), want) ||
            !same_float(out[i], want))
            fail_msg("row %d (%g, %g, %g): fast %g / batch %g, plain %g", i,
                     (double)rows[3 * i], (double)rows[3 * i + 1],
                     (double)rows[3 * i + 2],
                     (double)model_margin(m, rows + 3 * i), (double)out[i],
                     (double)want);
    }
    free(rows);
    free(out);
    free(json);
    free(trees);
    model_free(m);
}

/* A full tree of depth 15 (65535 nodes: too many for the compact walk)
 * searching feature 0: leaf j covers [j, j + 1). */
static void test_large_tree(void **state)
{
    (void)state;
    const int D = 15, n = (1 << (D + 1)) - 1, nleaf = 1 << D;
    int *left = malloc(n * sizeof *left), *right = malloc(n * sizeof *right);
    const char **cond = malloc(n * sizeof *cond);
    char (*num)[24] = malloc((size_t)n * 24);
    double *hess = malloc(n * sizeof *hess);
    for (int i = 0; i < n; i++) {
        /* heap order: children 2i+1, 2i+2; node i at depth d covers a
         * range of leaves split at its middle, one unit of cover each */
        int d = 0;
        while ((2 << d) - 1 <= i)
            d++;
        const int first = (1 << d) - 1, pos = i - first;
        const int width = nleaf >> d;
        hess[i] = width;
        if (d < D) {
            left[i] = 2 * i + 1;
            right[i] = 2 * i + 2;
            snprintf(num[i], 24, "%d", pos * width + width / 2);
        } else {
            left[i] = right[i] = -1;
            snprintf(num[i], 24, "%d", pos);
        }
        cond[i] = num[i];
    }
    tree_spec t = {.n = n, .left = left, .right = right, .cond = cond,
                   .hess = hess};
    char *tree = tree_text(&t);
    char *json = model_text(tree, 1, 2, "reg:squarederror", "0");
    tg_model *m = load_ok(json, strlen(json));
    const tg_model_view *v = model_view(m);
    assert_int_equal(v->trees[0].n_nodes, n);
    assert_true(v->mean[0] == (nleaf - 1) / 2.0f);
    assert_true(v->trees[0].flags & TG_TREE_LARGE);
    float rows[64][2], out[64], c[3];
    tg_rng r;
    tg_rng_seed(&r, 3);
    for (int i = 0; i < 64; i++) {
        rows[i][0] = (float)(tg_rng_uniform(&r) * (nleaf + 10) - 5);
        rows[i][1] = 0;
    }
    rows[0][0] = NAN;
    model_predict_batch(m, &rows[0][0], 64, out, 1);
    for (int i = 0; i < 64; i++) {
        float x = rows[i][0], want;
        if (x != x)
            want = (float)(nleaf - 1); /* missing goes right all the way */
        else
            want = x < 0 ? 0 : x >= nleaf ? (float)(nleaf - 1) : floorf(x);
        assert_true(model_margin(m, rows[i]) == want);
        assert_true(out[i] == want);
        tg_err err = {0};
        assert_int_equal(model_contribs(m, rows[i], c, &err), TG_OK);
        assert_true(c[2] == (nleaf - 1) / 2.0f && c[1] == 0.0f);
        assert_float_equal(c[0] + c[2], want, 1e-2);
        model_contribs_approx(m, rows[i], c);
        assert_float_equal(c[0] + c[2], want, 1e-2);
    }
    model_free(m);
    free(json);
    free(tree);
    free(left);
    free(right);
    free(cond);
    free(num);
    free(hess);
}

/* Many features: the walks that do not fit keys on the stack. */
static void test_wide_model(void **state)
{
    (void)state;
    static const int left[] = {1, -1, -1}, right[] = {2, -1, -1};
    static const char *const cond[] = {"0.5", "-1", "1"};
    const int nf = 3000;
    char *trees = NULL;
    size_t len = 0, cap = 0;
    for (int t = 0; t < 10; t++) {
        int index[3] = {t * 299, 0, 0};
        tree_spec ts = {.n = 3, .left = left, .right = right, .index = index,
                        .cond = cond};
        char *one = tree_text(&ts);
        cat(&trees, &len, &cap, "%s%s", t ? "," : "", one);
        free(one);
    }
    char *json = model_text(trees, 10, nf, "reg:squarederror", "0");
    tg_model *m = load_ok(json, strlen(json));
    float *rows = calloc((size_t)nf * 3, sizeof *rows), out[3], c[3001];
    for (int t = 0; t < 10; t++)
        rows[nf + t * 299] = 1; /* row 1: every tree goes right */
    rows[2 * nf + 299] = NAN;
    model_predict_batch(m, rows, 3, out, 1);
    assert_true(out[0] == -10 && out[1] == 10 && out[2] == -8);
    assert_true(model_margin(m, rows + nf) == 10);
    tg_err err = {0};
    assert_int_equal(model_contribs(m, rows + nf, c, &err), TG_OK);
    assert_float_equal(c[299], 1.0f, 1e-6);
    assert_float_equal(c[nf], 0.0f, 1e-6);
    free(rows);
    free(json);
    free(trees);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_load),
        cmocka_unit_test(test_tiny_predict),
        cmocka_unit_test(test_tiny_contribs),
        cmocka_unit_test(test_bad_fixtures),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_corruptions),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_deep_trees),
        cmocka_unit_test(test_category_memory),
        cmocka_unit_test(test_pruned_nodes),
        cmocka_unit_test(test_leaf_only),
        cmocka_unit_test(test_json_details),
        cmocka_unit_test_teardown(test_locale, restore_locale),
        cmocka_unit_test(test_fast_walk),
        cmocka_unit_test(test_wide_model),
        cmocka_unit_test(test_large_tree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
