/* model.c: loads XGBoost 1.x JSON models into flat arrays (model_predict.c
 * scores rows with them, matching libxgboost's float32 predictions bit for
 * bit).
 *
 * The JSON is read with the strict pull reader of model_json.c, never as a
 * document tree: tree arrays are read straight into per-tree buffers, which
 * model_load.c checks and flattens one tree at a time. Every float is
 * converted once, from its decimal text to float32 with a correctly
 * rounded strtof in the C locale, so it is exactly the float XGBoost wrote
 * (XGBoost writes shortest round-trip text). Going through a double first
 * could round twice. */
#include "model_int.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the model ------------------------------------------------------------ */

/* Grows *p (elements of size elt) to hold at least need; 0 or -1. */
int model_grow(void *pp, size_t *cap, size_t need, size_t elt)
{
    void **p = pp;
    if (need <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) {
        if (c > SIZE_MAX / 2 / elt)
            return -1;
        c *= 2;
    }
    void *n = realloc(*p, c * elt);
    if (!n)
        return -1;
    *p = n;
    *cap = c;
    return 0;
}

/* The per-node arrays grow together (model_grow is deterministic, so from
 * the same capacity they reach the same one). */
int model_reserve_nodes(tg_model *m, size_t need)
{
    size_t c1 = m->nodes_cap, c2 = c1, c3 = c1;
    if (model_grow(&m->nodes, &c1, need, sizeof *m->nodes) < 0 ||
        model_grow(&m->cover, &c2, need, sizeof *m->cover) < 0 ||
        model_grow(&m->mean, &c3, need, sizeof *m->mean) < 0)
        return -1;
    m->nodes_cap = c1;
    return 0;
}

void model_free(tg_model *m)
{
    if (!m)
        return;
    free(m->nodes);
    free(m->cover);
    free(m->mean);
    free(m->splits);
    free(m->trees);
    free(m->cat_bits);
    free(m->features);
    free(m->fast);
    free(m->shap_inv);
    free(m->shap_at);
    for (size_t i = 0; i < m->n_names; i++)
        free(m->names[i]);
    free(m->names);
    free(m);
}

/* ---- loader state --------------------------------------------------------- */

/* Records the first error; returns -1. */
__attribute__((format(printf, 3, 0))) static int
ld_vfail(loader *L, int code, const char *fmt, va_list ap)
{
    if (!L->j.failed) {
        char msg[sizeof L->err->msg];
        vsnprintf(msg, sizeof msg, fmt, ap);
        tg_fail(L->err, code, "%s", msg);
        L->j.failed = 1;
    }
    return -1;
}

/* A semantic error (the message names the field). */
int ld_fail(loader *L, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ld_vfail(L, code, fmt, ap);
    va_end(ap);
    return -1;
}

/* A value of the wrong type; at the end of the input, the JSON is cut
 * short instead. */
__attribute__((format(printf, 2, 3))) static int ld_type(loader *L,
                                                         const char *fmt, ...)
{
    if (jp_peek(&L->j) < 0)
        return jp_syntax(&L->j, "expected a value");
    va_list ap;
    va_start(ap, fmt);
    ld_vfail(L, TG_EDATA, fmt, ap);
    va_end(ap);
    return -1;
}

int ld_oom(loader *L)
{
    return ld_fail(L, TG_EINTERNAL, "out of memory loading the model");
}

static int ivec_push(loader *L, ivec *a, int64_t x)
{
    if (model_grow(&a->v, &a->cap, a->n + 1, sizeof *a->v) < 0)
        return ld_oom(L);
    a->v[a->n++] = x;
    return 0;
}

static int fvec_push(loader *L, fvec *a, float x)
{
    if (model_grow(&a->v, &a->cap, a->n + 1, sizeof *a->v) < 0)
        return ld_oom(L);
    a->v[a->n++] = x;
    return 0;
}

static int is_number_start(int c)
{
    return c == '-' || (c >= '0' && c <= '9') || c == 'N' || c == 'I';
}

/* Reads an array of integers (booleans count as 0/1 when allow_bool). */
static int read_int_array(loader *L, ivec *out, const char *where,
                          const char *field, int allow_bool)
{
    jp *j = &L->j;
    char tok[JP_MAX_NUMBER + 1];
    int first = 1, r, is_int;
    if (out->present)
        return ld_fail(L, TG_EDATA, "%s: duplicate key \"%s\"", where, field);
    out->present = 1;
    if (jp_peek(j) != '[')
        return ld_type(L, "%s: %s must be an array of integers",
                       where, field);
    if (jp_arr_open(j) < 0)
        return -1;
    while ((r = jp_arr_next(j, &first)) == 1) {
        int c = jp_peek(j);
        int64_t v;
        if (allow_bool && (c == 't' || c == 'f')) {
            if (jp_literal(j, c == 't' ? "true" : "false") < 0)
                return -1;
            v = c == 't';
        } else if (is_number_start(c)) {
            if (jp_number(j, tok, &is_int) < 0)
                return -1;
            if (!is_int)
                return ld_fail(L, TG_EDATA, "%s: %s[%zu] = %s is not an integer",
                               where, field, out->n, tok);
            errno = 0;
            v = strtoll(tok, NULL, 10);
            if (errno == ERANGE)
                return ld_fail(L, TG_EDATA, "%s: %s[%zu] = %s is out of range",
                               where, field, out->n, tok);
        } else {
            return ld_type(L, "%s: %s[%zu] is not an integer", where, field,
                           out->n);
        }
        if (ivec_push(L, out, v) < 0)
            return -1;
    }
    return r;
}

static int read_float_array(loader *L, fvec *out, const char *where,
                            const char *field)
{
    jp *j = &L->j;
    char tok[JP_MAX_NUMBER + 1];
    int first = 1, r, is_int;
    if (out->present)
        return ld_fail(L, TG_EDATA, "%s: duplicate key \"%s\"", where, field);
    out->present = 1;
    if (jp_peek(j) != '[')
        return ld_type(L, "%s: %s must be an array of numbers", where,
                       field);
    if (jp_arr_open(j) < 0)
        return -1;
    while ((r = jp_arr_next(j, &first)) == 1) {
        if (!is_number_start(jp_peek(j)))
            return ld_type(L, "%s: %s[%zu] is not a number", where,
                           field, out->n);
        if (jp_number(j, tok, &is_int) < 0)
            return -1;
        /* strtof is correctly rounded and reads NaN and Infinity; the
         * caller has switched to the C locale. */
        if (fvec_push(L, out, strtof(tok, NULL)) < 0)
            return -1;
    }
    return r;
}

/* A string value, copied (caller frees). */
static int read_string(loader *L, char **out, const char *where,
                       const char *field)
{
    if (*out)
        return ld_fail(L, TG_EDATA, "%s: duplicate key \"%s\"", where, field);
    if (jp_peek(&L->j) != '"')
        return ld_type(L, "%s.%s must be a string", where, field);
    if (jp_string(&L->j) < 0)
        return -1;
    if (!(*out = tg_strndup(L->j.str, L->j.str_len)))
        return ld_oom(L);
    return 0;
}

/* ---- reading the JSON structure ------------------------------------------- */

static void raw_tree_free(raw_tree *t)
{
    ivec *iv[] = {&t->left,      &t->right,        &t->parents,
                  &t->index,     &t->dleft,        &t->stype,
                  &t->cat_nodes, &t->cat_segments, &t->cat_sizes,
                  &t->cats};
    fvec *fv[] = {&t->cond, &t->hess, &t->base_weights, &t->loss_changes};
    for (size_t i = 0; i < sizeof iv / sizeof *iv; i++)
        free(iv[i]->v);
    for (size_t i = 0; i < sizeof fv / sizeof *fv; i++)
        free(fv[i]->v);
}

/* A string holding a whole integer, such as tree_param's "num_nodes". */
static int read_int_string(loader *L, int64_t *out, const char *where,
                           const char *field)
{
    char *s = NULL;
    if (read_string(L, &s, where, field) < 0)
        return -1;
    int bad = tg_parse_int64(s, out) != 0;
    if (bad)
        ld_fail(L, TG_EDATA, "%s.%s = \"%s\" is not an integer", where, field,
                s);
    free(s);
    return bad ? -1 : 0;
}

static int read_tree_param(loader *L, raw_tree *t, const char *where)
{
    jp *j = &L->j;
    int first = 1, r;
    int64_t v;
    if (t->have_param)
        return ld_fail(L, TG_EDATA, "%s: duplicate key \"tree_param\"", where);
    t->have_param = 1;
    t->num_nodes = -1;
    if (jp_peek(j) != '{')
        return ld_type(L, "%s: tree_param must be an object", where);
    if (jp_obj_open(j) < 0)
        return -1;
    int have_nodes = 0;
    while ((r = jp_obj_key(j, &first)) == 1) {
        if (strcmp(j->str, "num_nodes") == 0) {
            if (have_nodes++)
                return ld_fail(L, TG_EDATA, "%s: duplicate key \"num_nodes\"",
                               where);
            if (read_int_string(L, &t->num_nodes, where, "tree_param.num_nodes") < 0)
                return -1;
        } else if (strcmp(j->str, "size_leaf_vector") == 0) {
            if (read_int_string(L, &v, where, "tree_param.size_leaf_vector") < 0)
                return -1;
            t->leaf_vector_bad |= v != 0;
        } else if (jp_skip(j) < 0) {
            return -1;
        }
    }
    if (r == 0 && !have_nodes)
        return ld_fail(L, TG_EDATA, "%s: missing tree_param.num_nodes", where);
    return r;
}

static int read_tree(loader *L, size_t ti)
{
    jp *j = &L->j;
    raw_tree t;
    char where[48];
    int first = 1, r;
    memset(&t, 0, sizeof t);
    snprintf(where, sizeof where, "tree %zu", ti);
    if (jp_peek(j) != '{')
        return ld_type(L, "%s must be an object", where);
    if (jp_obj_open(j) < 0)
        return -1;
    while ((r = jp_obj_key(j, &first)) == 1) {
        const char *k = j->str;
        struct {
            const char *key;
            ivec *iv;
            fvec *fv;
            int boolean;
        } fields[] = {
            {"left_children", &t.left, NULL, 0},
            {"right_children", &t.right, NULL, 0},
            {"parents", &t.parents, NULL, 0},
            {"split_indices", &t.index, NULL, 0},
            {"default_left", &t.dleft, NULL, 1},
            {"split_type", &t.stype, NULL, 0},
            {"categories_nodes", &t.cat_nodes, NULL, 0},
            {"categories_segments", &t.cat_segments, NULL, 0},
            {"categories_sizes", &t.cat_sizes, NULL, 0},
            {"categories", &t.cats, NULL, 0},
            {"split_conditions", NULL, &t.cond, 0},
            {"sum_hessian", NULL, &t.hess, 0},
            {"base_weights", NULL, &t.base_weights, 0},
            {"loss_changes", NULL, &t.loss_changes, 0},
        };
        size_t i;
        for (i = 0; i < sizeof fields / sizeof *fields; i++)
            if (strcmp(k, fields[i].key) == 0)
                break;
        if (i < sizeof fields / sizeof *fields) {
            r = fields[i].iv ? read_int_array(L, fields[i].iv, where,
                                              fields[i].key, fields[i].boolean)
                             : read_float_array(L, fields[i].fv, where,
                                                fields[i].key);
        } else if (strcmp(k, "tree_param") == 0) {
            r = read_tree_param(L, &t, where);
        } else {
            r = jp_skip(j);
        }
        if (r < 0)
            break;
    }
    if (r == 0)
        r = tree_flatten(L, &t, ti);
    raw_tree_free(&t);
    return r;
}

static int read_trees(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    size_t ti = 0;
    if (L->have_trees)
        return ld_fail(L, TG_EDATA,
                       "learner.gradient_booster.model: duplicate key \"trees\"");
    L->have_trees = 1;
    if (jp_peek(j) != '[')
        return ld_type(L, "learner.gradient_booster.model.trees must be an array");
    if (jp_arr_open(j) < 0)
        return -1;
    while ((r = jp_arr_next(j, &first)) == 1)
        if (read_tree(L, ti++) < 0)
            return -1;
    return r;
}

static int read_gbtree_param(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    const char *where = "learner.gradient_booster.model.gbtree_model_param";
    if (jp_peek(j) != '{')
        return ld_type(L, "%s must be an object", where);
    if (jp_obj_open(j) < 0)
        return -1;
    while ((r = jp_obj_key(j, &first)) == 1) {
        if (strcmp(j->str, "num_trees") == 0)
            r = read_string(L, &L->num_trees, where, "num_trees");
        else if (strcmp(j->str, "size_leaf_vector") == 0)
            r = read_string(L, &L->size_leaf_vector, where, "size_leaf_vector");
        else
            r = jp_skip(j);
        if (r < 0)
            return -1;
    }
    return r;
}

static int read_booster_model(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    if (L->have_booster_model++)
        return ld_fail(L, TG_EDATA,
                       "learner.gradient_booster: duplicate key \"model\"");
    if (jp_peek(j) != '{')
        return ld_type(L, "learner.gradient_booster.model must be an object");
    if (jp_obj_open(j) < 0)
        return -1;
    while ((r = jp_obj_key(j, &first)) == 1) {
        if (strcmp(j->str, "trees") == 0)
            r = read_trees(L);
        else if (strcmp(j->str, "tree_info") == 0)
            r = read_int_array(L, &L->tree_info, "learner.gradient_booster.model",
                               "tree_info", 0);
        else if (strcmp(j->str, "gbtree_model_param") == 0)
            r = read_gbtree_param(L);
        else
            r = jp_skip(j);
        if (r < 0)
            return -1;
    }
    return r;
}

static int read_booster(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    const char *where = "learner.gradient_booster";
    if (jp_peek(j) != '{')
        return ld_type(L, "%s must be an object", where);
    if (jp_obj_open(j) < 0)
        return -1;
    while ((r = jp_obj_key(j, &first)) == 1) {
        if (strcmp(j->str, "name") == 0)
            r = read_string(L, &L->booster, where, "name");
        else if (strcmp(j->str, "model") == 0)
            r = read_booster_model(L);
        else
            r = jp_skip(j);
        if (r < 0)
            return -1;
    }
    return r;
}

static int read_model_param(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    const char *where = "learner.learner_model_param";
    if (jp_peek(j) != '{')
        return ld_type(L, "%s must be an object", where);
    if (jp_obj_open(j) < 0)
        return -1;
    while ((r = jp_obj_key(j, &first)) == 1) {
        char **dst = NULL;
        if (strcmp(j->str, "base_score") == 0)
            dst = &L->base_score;
        else if (strcmp(j->str, "num_feature") == 0)
            dst = &L->num_feature;
        else if (strcmp(j->str, "num_class") == 0)
            dst = &L->num_class;
        else if (strcmp(j->str, "num_target") == 0)
            dst = &L->num_target;
        char key[32];
        tg_strlcpy(key, j->str, sizeof key);
        r = dst ? read_string(L, dst, where, key) : jp_skip(j);
        if (r < 0)
            return -1;
    }
    return r;
}

static int read_objective(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    if (jp_peek(j) != '{')
        return ld_type(L, "learner.objective must be an object");
    if (jp_obj_open(j) < 0)
        return -1;
    while ((r = jp_obj_key(j, &first)) == 1) {
        r = strcmp(j->str, "name") == 0
                ? read_string(L, &L->objective, "learner.objective", "name")
                : jp_skip(j);
        if (r < 0)
            return -1;
    }
    return r;
}

static int read_names(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    if (L->have_names++)
        return ld_fail(L, TG_EDATA, "learner: duplicate key \"feature_names\"");
    if (jp_peek(j) != '[')
        return ld_type(L, "learner.feature_names must be an array of strings");
    if (jp_arr_open(j) < 0)
        return -1;
    while ((r = jp_arr_next(j, &first)) == 1) {
        size_t i = L->n_names;
        if (jp_peek(j) != '"')
            return ld_type(L, "learner.feature_names[%zu] is not a string", i);
        if (jp_string(j) < 0)
            return -1;
        if (!tg_utf8_valid(j->str, j->str_len))
            return ld_fail(L, TG_EDATA,
                           "learner.feature_names[%zu] is not valid UTF-8 "
                           "or holds a NUL",
                           i);
        for (size_t c = 0; c < j->str_len; c++)
            if ((unsigned char)j->str[c] < 0x20 || j->str[c] == 0x7f)
                return ld_fail(L, TG_EDATA,
                               "learner.feature_names[%zu] holds a control "
                               "character",
                               i);
        if (model_grow(&L->names, &L->names_cap, i + 1, sizeof *L->names) < 0 ||
            !(L->names[i] = tg_strndup(j->str, j->str_len)))
            return ld_oom(L);
        L->n_names++;
    }
    return r;
}

static int read_learner(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    if (L->have_learner++)
        return ld_fail(L, TG_EDATA, "duplicate key \"learner\"");
    if (jp_peek(j) != '{')
        return ld_type(L, "learner must be an object");
    if (jp_obj_open(j) < 0)
        return -1;
    while ((r = jp_obj_key(j, &first)) == 1) {
        if (strcmp(j->str, "gradient_booster") == 0)
            r = read_booster(L);
        else if (strcmp(j->str, "learner_model_param") == 0)
            r = read_model_param(L);
        else if (strcmp(j->str, "objective") == 0)
            r = read_objective(L);
        else if (strcmp(j->str, "feature_names") == 0)
            r = read_names(L);
        else
            r = jp_skip(j);
        if (r < 0)
            return -1;
    }
    return r;
}

static int read_version(loader *L)
{
    jp *j = &L->j;
    char tok[JP_MAX_NUMBER + 1];
    int first = 1, r, is_int;
    size_t n = 0;
    if (L->have_version++)
        return ld_fail(L, TG_EDATA, "duplicate key \"version\"");
    if (jp_peek(j) != '[')
        return ld_type(L, "version must be an array of 3 integers");
    if (jp_arr_open(j) < 0)
        return -1;
    while ((r = jp_arr_next(j, &first)) == 1) {
        if (!is_number_start(jp_peek(j)))
            return ld_type(L, "version[%zu] is not an integer", n);
        if (jp_number(j, tok, &is_int) < 0)
            return -1;
        if (!is_int || n >= 3)
            return ld_fail(L, TG_EDATA, "version must be an array of 3 integers");
        L->version[n++] = strtoll(tok, NULL, 10);
    }
    if (r == 0 && n != 3)
        return ld_fail(L, TG_EDATA, "version must be an array of 3 integers");
    return r;
}

static int read_document(loader *L)
{
    jp *j = &L->j;
    int first = 1, r;
    if (jp_peek(j) < 0)
        return ld_fail(L, TG_EDATA, "empty model file");
    if (jp_peek(j) != '{')
        return ld_type(L, "not an XGBoost JSON model: expected a JSON object");
    if (jp_obj_open(j) < 0)
        return -1;
    while ((r = jp_obj_key(j, &first)) == 1) {
        if (strcmp(j->str, "learner") == 0)
            r = read_learner(L);
        else if (strcmp(j->str, "version") == 0)
            r = read_version(L);
        else
            r = jp_skip(j);
        if (r < 0)
            return -1;
    }
    if (r < 0)
        return -1;
    if (jp_peek(j) >= 0)
        return jp_syntax(j, "text after the end of the model");
    return 0;
}

/* ---- checks that need the whole learner ----------------------------------- */

static int parse_count(loader *L, const char *s, const char *field, int64_t *out)
{
    if (tg_parse_int64(s, out) != 0 || *out < 0)
        return ld_fail(L, TG_EDATA, "%s = \"%s\" is not a count", field, s);
    return 0;
}

static int finish(loader *L)
{
    tg_model *m = L->m;
    int64_t v;
    const char *lmp = "learner.learner_model_param";
    if (!L->have_version)
        return ld_fail(L, TG_EDATA,
                       "missing version: not an XGBoost JSON model");
    if (L->version[0] != 1)
        return ld_fail(L, TG_EDATA,
                       "model written by XGBoost %lld.%lld.%lld; only 1.x JSON "
                       "models are supported",
                       (long long)L->version[0], (long long)L->version[1],
                       (long long)L->version[2]);
    if (!L->have_learner)
        return ld_fail(L, TG_EDATA, "missing learner");
    if (!L->objective)
        return ld_fail(L, TG_EDATA, "missing learner.objective.name");
    if (strcmp(L->objective, "binary:logistic") == 0)
        m->v.objective = TG_OBJ_BINARY_LOGISTIC;
    else if (strcmp(L->objective, "reg:logistic") == 0)
        m->v.objective = TG_OBJ_REG_LOGISTIC;
    else if (strcmp(L->objective, "reg:squarederror") == 0)
        m->v.objective = TG_OBJ_REG_SQUAREDERROR;
    else
        return ld_fail(L, TG_EDATA,
                       "learner.objective.name \"%s\" is not supported "
                       "(binary:logistic, reg:logistic, reg:squarederror)",
                       L->objective);
    if (!L->booster)
        return ld_fail(L, TG_EDATA, "missing learner.gradient_booster.name");
    if (strcmp(L->booster, "gbtree") != 0)
        return ld_fail(L, TG_EDATA,
                       "learner.gradient_booster.name \"%s\" is not supported "
                       "(gbtree only)",
                       L->booster);
    if (L->num_class && parse_count(L, L->num_class, "learner_model_param.num_class", &v) < 0)
        return -1;
    if (L->num_class && v > 1)
        return ld_fail(L, TG_EDATA,
                       "%s.num_class = %lld: multi-class models are not supported",
                       lmp, (long long)v);
    if (L->num_target && parse_count(L, L->num_target, "learner_model_param.num_target", &v) < 0)
        return -1;
    if (L->num_target && v > 1)
        return ld_fail(L, TG_EDATA,
                       "%s.num_target = %lld: multi-target models are not supported",
                       lmp, (long long)v);
    if (L->size_leaf_vector &&
        (tg_parse_int64(L->size_leaf_vector, &v) != 0 || v != 0))
        return ld_fail(L, TG_EDATA,
                       "gbtree_model_param.size_leaf_vector = \"%s\": vector "
                       "leaves are not supported",
                       L->size_leaf_vector);
    if (!L->num_feature)
        return ld_fail(L, TG_EDATA, "missing %s.num_feature", lmp);
    if (parse_count(L, L->num_feature, "learner_model_param.num_feature", &v) < 0)
        return -1;
    if (v > (int64_t)TG_MODEL_MAX_FEATURES)
        return ld_fail(L, TG_EDATA,
                       "%s.num_feature = %lld is more than the %u supported",
                       lmp, (long long)v, TG_MODEL_MAX_FEATURES);
    m->v.num_features = (size_t)v;
    if (!L->have_booster_model || !L->have_trees)
        return ld_fail(L, TG_EDATA, "missing learner.gradient_booster.model.trees");
    if (L->num_trees) {
        if (parse_count(L, L->num_trees, "gbtree_model_param.num_trees", &v) < 0)
            return -1;
        if ((size_t)v != m->v.num_trees)
            return ld_fail(L, TG_EDATA,
                           "gbtree_model_param.num_trees = %lld but the model "
                           "has %zu trees",
                           (long long)v, m->v.num_trees);
    }
    if (L->tree_info.present) {
        if (L->tree_info.n != m->v.num_trees)
            return ld_fail(L, TG_EDATA,
                           "tree_info has %zu entries, expected %zu (one per tree)",
                           L->tree_info.n, m->v.num_trees);
        for (size_t i = 0; i < L->tree_info.n; i++)
            if (L->tree_info.v[i] != 0)
                return ld_fail(L, TG_EDATA,
                               "tree_info[%zu] = %lld: trees for more than one "
                               "output group (multi-class) are not supported",
                               i, (long long)L->tree_info.v[i]);
    }
    for (size_t t = 0; t < m->v.num_trees; t++)
        if (L->tree_max_node[t] >= 0 && L->tree_max_feat[t] >= m->v.num_features)
            return ld_fail(L, TG_EDATA,
                           "tree %zu: split_indices[%lld] = %u is out of range "
                           "(num_feature %zu)",
                           t, (long long)L->tree_max_node[t],
                           L->tree_max_feat[t], m->v.num_features);
    if (L->n_names > 0 && L->n_names != m->v.num_features)
        return ld_fail(L, TG_EDATA,
                       "learner.feature_names has %zu names, expected %zu "
                       "(num_feature)",
                       L->n_names, m->v.num_features);
    if (!L->base_score)
        return ld_fail(L, TG_EDATA, "missing %s.base_score", lmp);
    char *end;
    errno = 0;
    float bs = strtof(L->base_score, &end);
    if (end == L->base_score || *end != '\0' || !isfinite(bs))
        return ld_fail(L, TG_EDATA, "%s.base_score = \"%s\" is not a number",
                       lmp, L->base_score);
    m->base_score = bs;
    if (m->v.objective == TG_OBJ_REG_SQUAREDERROR) {
        m->v.base_margin = bs;
    } else {
        if (!(bs > 0.0f && bs < 1.0f))
            return ld_fail(L, TG_EDATA,
                           "%s.base_score = %s is outside (0, 1) for %s", lmp,
                           L->base_score, L->objective);
        /* XGBoost's ProbToMargin for logistic losses, in float. */
        m->v.base_margin = -logf(1.0f / bs - 1.0f);
    }
    m->names = L->names;
    m->n_names = L->n_names;
    L->names = NULL;
    L->n_names = 0;
    for (size_t t = 0; t < m->v.num_trees; t++) {
        if (m->trees[t].depth > m->v.max_depth)
            m->v.max_depth = m->trees[t].depth;
        if (m->trees[t].unique_depth > m->v.max_unique_depth)
            m->v.max_unique_depth = m->trees[t].unique_depth;
    }
    m->v.trees = m->trees;
    m->v.nodes = m->nodes;
    m->v.cat_bits = m->cat_bits;
    m->v.features = m->features;
    m->v.cover = m->cover;
    m->v.mean = m->mean;
    m->v.splits = m->splits;
    return 0;
}

static void loader_free(loader *L)
{
    free(L->j.str);
    free(L->tree_max_feat);
    free(L->tree_max_node);
    free(L->objective);
    free(L->booster);
    free(L->base_score);
    free(L->num_feature);
    free(L->num_class);
    free(L->num_target);
    free(L->num_trees);
    free(L->size_leaf_vector);
    free(L->tree_info.v);
    for (size_t i = 0; i < L->n_names; i++)
        free(L->names[i]);
    free(L->names);
}

tg_model *model_load_mem(const char *json, size_t n, tg_err *err)
{
    loader L;
    memset(&L, 0, sizeof L);
    L.err = err;
    L.j.s = L.j.p = json;
    L.j.end = json + n;
    L.j.err = err;
    if (!json && n > 0) {
        tg_fail(err, TG_EINTERNAL, "model_load_mem: no buffer");
        return NULL;
    }
    /* The lists are never NULL, even when empty, so views can index them. */
    if (!(L.m = calloc(1, sizeof *L.m)) ||
        model_grow(&L.m->features, &L.m->features_cap, 1, sizeof *L.m->features) < 0 ||
        model_grow(&L.m->cat_bits, &L.m->cat_cap, 1, sizeof *L.m->cat_bits) < 0 ||
        model_grow(&L.m->trees, &L.m->trees_cap, 1, sizeof *L.m->trees) < 0 ||
        model_grow(&L.m->splits, &L.m->splits_cap, 1, sizeof *L.m->splits) < 0 ||
        model_reserve_nodes(L.m, 1) < 0) {
        model_free(L.m);
        tg_fail(err, TG_EINTERNAL, "out of memory loading the model");
        return NULL;
    }
    /* Numbers are read with strtof, which follows LC_NUMERIC; the app may
     * have set a locale with a decimal comma. */
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (!c_locale) {
        model_free(L.m);
        tg_fail(err, TG_EINTERNAL, "cannot create the C locale");
        return NULL;
    }
    locale_t old = uselocale(c_locale);
    int rc = read_document(&L);
    if (rc == 0)
        rc = finish(&L);
    if (rc == 0 && (model_build_fast(L.m) < 0 || model_build_shap(L.m) < 0))
        rc = ld_oom(&L);
    uselocale(old);
    freelocale(c_locale);
    loader_free(&L);
    if (rc < 0) {
        model_free(L.m);
        return NULL;
    }
    return L.m;
}

tg_model *model_load(const char *path, tg_err *err)
{
    tg_err e;
    tg_err_clear(&e);
    size_t n = 0;
    char *buf = tg_read_file(path, &n, TG_MODEL_MAX_FILE, &e);
    tg_model *m = buf ? model_load_mem(buf, n, &e) : NULL;
    free(buf);
    if (!m) {
        if (buf)
            tg_fail(err, e.code, "%s: %s", path, e.msg);
        else
            tg_fail(err, e.code, "%s", e.msg);
    }
    return m;
}

/* ---- accessors -------------------------------------------------------------- */

size_t model_num_features(const tg_model *m) { return m->v.num_features; }
size_t model_num_trees(const tg_model *m) { return m->v.num_trees; }
int model_objective(const tg_model *m) { return m->v.objective; }
float model_base_score(const tg_model *m) { return m->base_score; }
float model_base_margin(const tg_model *m) { return m->v.base_margin; }
const tg_model_view *model_view(const tg_model *m) { return &m->v; }

const char *model_objective_name(const tg_model *m)
{
    switch (m->v.objective) {
    case TG_OBJ_BINARY_LOGISTIC: return "binary:logistic";
    case TG_OBJ_REG_LOGISTIC: return "reg:logistic";
    default: return "reg:squarederror";
    }
}

const char *model_feature_name(const tg_model *m, size_t i)
{
    return i < m->n_names ? m->names[i] : NULL;
}

int model_feature_index(const tg_model *m, const char *name)
{
    for (size_t i = 0; name && i < m->n_names; i++)
        if (strcmp(m->names[i], name) == 0)
            return (int)i;
    return -1;
}
