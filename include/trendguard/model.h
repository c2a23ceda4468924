/* model.h: the embedded XGBoost evaluator. Loads an XGBoost 1.x JSON model
 * (gbtree booster; binary:logistic, reg:logistic or reg:squarederror) into
 * flat arrays and scores rows without libxgboost, matching libxgboost's
 * float32 predictions bit for bit. Explains a row with path-dependent
 * TreeSHAP (libxgboost's pred_contribs) or Saabas contributions
 * (approx_contribs).
 *
 * Rows are arrays of model_num_features() floats in the model's feature
 * order; NaN means missing. A loaded model is immutable: every function
 * taking a `const tg_model *` may be called from many threads at once. */
#ifndef TRENDGUARD_MODEL_H
#define TRENDGUARD_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/util.h"

typedef struct tg_model tg_model;

enum { TG_OBJ_BINARY_LOGISTIC, TG_OBJ_REG_LOGISTIC, TG_OBJ_REG_SQUAREDERROR };

/* Limits on what model_load accepts; larger models are refused with a
 * message naming the limit. */
#define TG_MODEL_MAX_FILE ((size_t)512 << 20) /* bytes of JSON: about 8M nodes */
#define TG_MODEL_MAX_NESTING 64              /* JSON nesting levels */
#define TG_MODEL_MAX_DEPTH 256               /* levels in one tree */
#define TG_MODEL_MAX_FEATURES (1u << 24)     /* learner num_feature */
#define TG_MODEL_MAX_CATEGORY (1u << 24)     /* categories are 0 .. this - 1 */
#define TG_MODEL_MAX_CAT_WORDS (1u << 24)    /* 32-bit words of category sets */

/* Loads an XGBoost 1.x JSON model (what XGBoosterSaveModel writes for a
 * ".json" name). Returns NULL and sets *err (TG_ENOINPUT, TG_EIO, TG_EDATA
 * naming the field at fault, TG_EINTERNAL) on failure. Caller frees. */
tg_model *model_load(const char *path, tg_err *err);
/* The same from n bytes of JSON in memory (need not be NUL-terminated). */
tg_model *model_load_mem(const char *json, size_t n, tg_err *err);
/* Frees m; safe on NULL. */
void model_free(tg_model *m);

size_t model_num_features(const tg_model *m);
/* Name of feature i (valid while m lives), NULL when the model has no
 * feature names or i is out of range. */
const char *model_feature_name(const tg_model *m, size_t i);
/* Index of the first feature called name, -1 when absent or unnamed. */
int model_feature_index(const tg_model *m, const char *name);
size_t model_num_trees(const tg_model *m);
int model_objective(const tg_model *m);
/* "binary:logistic", "reg:logistic" or "reg:squarederror". Static. */
const char *model_objective_name(const tg_model *m);
/* base_score as written in the model (probability space for the logistic
 * objectives), and the margin every prediction starts from. */
float model_base_score(const tg_model *m);
float model_base_margin(const tg_model *m);

/* Raw score: base margin plus each tree's leaf, summed in tree order in
 * float32 like libxgboost. */
float model_margin(const tg_model *m, const float *row);
/* The objective's transform of the margin: XGBoost's sigmoid for the
 * logistic objectives, identity for reg:squarederror. */
float model_transform(const tg_model *m, float margin);
/* model_transform(m, model_margin(m, row)). */
float model_predict(const tg_model *m, const float *row);
/* Batch: rows is nrows x model_num_features() row-major; out has nrows
 * entries. output_margin != 0 gives margins instead of predictions. */
void model_predict_batch(const tg_model *m, const float *rows, size_t nrows,
                         float *out, int output_margin);

/* TreeSHAP, the numbers of libxgboost's pred_contribs (path-dependent,
 * weighted by node covers): out has model_num_features() + 1 entries, the
 * bias (expected value: base margin plus each tree's cover-weighted mean
 * leaf) last; they sum to the margin. Fails only when out of memory. */
int model_contribs(const tg_model *m, const float *row, float *out,
                   tg_err *err);
/* The same for nrows rows; out is nrows x (model_num_features() + 1). */
int model_contribs_batch(const tg_model *m, const float *rows, size_t nrows,
                         float *out, tg_err *err);
/* Saabas contributions (libxgboost's approx_contribs): along the row's
 * path, each split's feature gets the change in the node mean. Same layout
 * and bias as model_contribs; O(depth) per tree. Never fails. */
void model_contribs_approx(const tg_model *m, const float *row, float *out);

/* ---- read-only view of the flattened trees ----------------------------
 * For explainers (src/core/model_shap.c) and anything that draws or walks
 * trees. All arrays are indexed by node and valid while the model lives.
 *
 * Each tree's nodes are contiguous and in depth-first pre-order: a split
 * node's left child is the next node, its right child is `right`. A leaf's
 * `right` is its own index and its `split` is -infinity with missing going
 * right, so stepping from a leaf stays on it: a tree of depth d is walked
 * by exactly d calls to model_node_next. */
#define TG_NODE_FEATURE_MASK 0x1fffffffu
#define TG_NODE_LEAF (1u << 29)
#define TG_NODE_CATEGORICAL (1u << 30)
#define TG_NODE_DEFAULT_RIGHT (1u << 31) /* missing values go right */

typedef struct tg_model_node {
    union {
        float split;         /* numerical: x < split goes left */
        uint32_t cat_offset; /* categorical: set starts at cat_bits[cat_offset] */
    };
    int32_t right;           /* index of the right child; a leaf: itself */
    uint32_t info;           /* feature index | TG_NODE_* flags */
    union {
        float leaf;          /* a leaf's value (learning rate applied) */
        uint32_t cat_words;  /* categorical: the set's length in words */
    };
} tg_model_node;

#define TG_TREE_CATEGORICAL 1u /* the tree has categorical splits */
#define TG_TREE_EARLY_EXIT 2u  /* leaves are much shallower than depth: walk
                                  until a leaf rather than depth steps */
#define TG_TREE_LARGE 4u       /* too many nodes for the compact fast walk */

typedef struct tg_model_tree {
    int32_t root;          /* index of the root node */
    int32_t n_nodes;       /* nodes root .. root + n_nodes - 1 */
    int32_t depth;         /* longest root-to-leaf path, in splits */
    int32_t unique_depth;  /* most distinct features on one such path */
    uint32_t flags;        /* TG_TREE_* */
    uint32_t feat_offset;  /* distinct split features, ascending: */
    uint32_t n_feats;      /*   features[feat_offset .. + n_feats) */
    uint32_t split_offset; /* split records (TreeSHAP): */
    uint32_t n_splits;     /*   splits[split_offset .. + n_splits) */
    uint32_t n_upper;      /* the first n_upper records have a split child;
                              the rest have two leaves */
} tg_model_tree;

/* One split node with what TreeSHAP needs about its two child edges
 * (side 0 left, 1 right); built at load. A tree's records are its splits
 * with a split child in pre-order, then those with two leaves in
 * pre-order, so parents come before children. With n the tree's n_splits, the edge `side` of record k is
 * numbered 2 k + side. Along an edge on feature f: z is the product of
 * the cover ratios of the path's splits on f, this one included (the zero
 * fraction), and o is 1 when the row takes this edge and every earlier
 * edge on f (the one fraction). TreeSHAP's factor for the edge, as a
 * function of f's inclusion probability p, is g = a + b[o] p; or, when o
 * was 1 at the previous edge on f, g = (z + (o - z) p) /
 * (zero_prev + (1 - zero_prev) p). */
typedef struct tg_model_split {
    int32_t node;      /* the split node (index in nodes) */
    uint32_t feature;  /* its feature */
    int32_t child[2];  /* the child's record; a leaf child: n + side */
    int32_t prev[2];   /* the nearest edge above on the same feature;
                          none: 2 n */
    float leaf[2];     /* a leaf child's value */
    float zero[2];     /* z */
    float zero_prev[2]; /* z of the edge prev; 1 when none */
    float a[2];        /* z, or the cover ratio when there is a prev */
    float b[2][2];     /* by o: o - z, or 0 when there is a prev */
} tg_model_split;

typedef struct tg_model_view {
    size_t num_features, num_trees, num_nodes;
    const tg_model_tree *trees;
    const tg_model_node *nodes;
    const uint32_t *cat_bits;   /* category c is in a set when bit c % 32 of
                                   word c / 32 is set */
    const uint32_t *features;   /* per-tree feature lists */
    const tg_model_split *splits;
    const float *cover;         /* sum_hessian of each node */
    const float *mean;          /* cover-weighted mean leaf value below each
                                   node, computed in float like libxgboost */
    float base_margin;
    int objective;
    int max_depth, max_unique_depth;
} tg_model_view;

const tg_model_view *model_view(const tg_model *m);

/* The child of split node i that `row` goes to (libxgboost's decision:
 * missing follows the default; numerical splits go left when x < split;
 * categorical splits go right only when x is a valid category in the
 * node's set). On a leaf it returns i. */
static inline int32_t model_node_next(const tg_model_view *v, int32_t i,
                                      const float *row)
{
    const tg_model_node *n = &v->nodes[i];
    const float x = row[n->info & TG_NODE_FEATURE_MASK];
    uint32_t right;
    if (n->info & TG_NODE_CATEGORICAL) {
        if (x != x) {
            right = n->info >> 31;
        } else if (x >= 0.0f && x < (float)TG_MODEL_MAX_CATEGORY) {
            const uint32_t c = (uint32_t)x;
            right = (c >> 5) < n->cat_words &&
                    ((v->cat_bits[n->cat_offset + (c >> 5)] >> (c & 31)) & 1u);
        } else {
            right = 0;
        }
    } else {
        right = (uint32_t)(x >= n->split) |
                ((uint32_t)(x != x) & (n->info >> 31));
    }
    /* Branch-free: the choice is data-dependent. */
    return (int32_t)((uint32_t)(i + 1) +
                     (((uint32_t)n->right - (uint32_t)(i + 1)) & (0u - right)));
}

#endif
