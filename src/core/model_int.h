/* model_int.h: what the files of the model runtime share (internal to the
 * core): the storage behind tg_model, the loader's state, the calls
 * between the JSON-structure reader (model.c) and the tree checks and
 * flattening (model_load.c), and the build of prediction's fast nodes
 * (model_predict.c). */
#ifndef TRENDGUARD_MODEL_INT_H
#define TRENDGUARD_MODEL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "model_json.h"
#include "trendguard/model.h"

struct tg_model {
    tg_model_view v;
    tg_model_node *nodes;
    float *cover, *mean;
    size_t nodes_cap;
    tg_model_tree *trees;
    size_t trees_cap;
    uint32_t *cat_bits;
    size_t n_cat_words, cat_cap;
    uint32_t *features;
    size_t n_features_list, features_cap;
    tg_model_split *splits;
    size_t n_splits, splits_cap;
    char **names;
    size_t n_names;
    float base_score;
    struct fast_node *fast; /* prediction's copy of the nodes */
    /* TreeSHAP's row-independent part (model_shap.c): per tree, from
     * shap_at[t], per edge and quadrature point, 1 / (zp + (1 - zp) u). */
    float *shap_inv;
    size_t *shap_at;
};

/* Grows *p (elements of size elt) to hold at least need; 0 or -1. */
int model_grow(void *pp, size_t *cap, size_t need, size_t elt);
/* Grows nodes, cover and mean together to hold need nodes; 0 or -1. */
int model_reserve_nodes(tg_model *m, size_t need);

/* ---- the loader (model.c reads, model_load.c checks and flattens) ---- */

/* An array as read, and whether its key was there. */
typedef struct {
    int64_t *v;
    size_t n, cap;
    int present;
} ivec;

typedef struct {
    float *v;
    size_t n, cap;
    int present;
} fvec;

/* One tree as read, before checking and flattening. */
typedef struct {
    int64_t num_nodes;
    int have_param, leaf_vector_bad;
    ivec left, right, parents, index, dleft, stype;
    ivec cat_nodes, cat_segments, cat_sizes, cats;
    fvec cond, hess, base_weights, loss_changes;
} raw_tree;

/* The state of one load. */
typedef struct {
    jp j;
    tg_err *err;
    tg_model *m;
    /* per-tree facts checked once num_feature is known */
    uint32_t *tree_max_feat;
    int64_t *tree_max_node;
    size_t tmf_cap, tmn_cap;
    /* what the learner says */
    int have_version, have_learner, have_booster_model, have_trees;
    int64_t version[3];
    char *objective, *booster, *base_score, *num_feature, *num_class,
        *num_target, *num_trees, *size_leaf_vector;
    ivec tree_info;
    char **names;
    size_t n_names, names_cap;
    int have_names;
} loader;

/* Record the first error (later ones are dropped) and return -1: a
 * semantic error (the message names the field), and out of memory. */
int ld_fail(loader *L, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ld_oom(loader *L);

/* Checks tree t (tree number ti, as read) and appends it to the model in
 * pre-order; 0 or -1 (model_load.c). */
int tree_flatten(loader *L, const raw_tree *t, size_t ti);

/* ---- prediction (model_predict.c) ---- */

/* Builds m->fast, prediction's compact copy of the nodes, once the model is
 * complete (and flags trees too large for it); 0, or -1 out of memory. */
int model_build_fast(tg_model *m);
/* Builds TreeSHAP's per-edge denominators once the model is complete;
 * 0 or -1 (out of memory). */
int model_build_shap(tg_model *m);

/* ---- TreeSHAP eight rows at a time (model_shap_rows.c, AVX) ---- */
#define SHAP_ROW_GROUPS 4 /* groups of up to eight rows held at once */
typedef struct shap_rows shap_rows;
/* 1 when this CPU runs the kernel. */
int shap_rows_supported(void);
/* Scratch for model v's trees; NULL when out of memory (or unsupported). */
shap_rows *shap_rows_new(const tg_model_view *v);
void shap_rows_free(shap_rows *r);
/* Holds rows[0..n) (1 to 8 rows of num_features) as group g. */
void shap_rows_load(shap_rows *r, int g, const float *rows, size_t n);
/* Adds tree t's contributions to group g's rows: out[l * stride + f] for
 * row l. The tree has four points (u, w) and its denominators inv (four a
 * edge). */
void shap_rows_tree(shap_rows *r, int g, const tg_model_view *v,
                    const tg_model_tree *t, const float *u, const float *w,
                    const float *inv, float *out, size_t stride, size_t n);

#endif
