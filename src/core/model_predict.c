/* model_predict.c: scores rows with a loaded model (model.c): the margin
 * and prediction of one row and of a batch, the objective's transform, and
 * the compact copy of the nodes (fast_node) that the walks read, built once
 * at load time. Matches libxgboost's float32 predictions bit for bit. */
#include "model_int.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The two hot entry points start on a 64-byte boundary, so their inner
 * loops sit the same way in the instruction cache wherever the linker
 * places this file. Left to chance, the batch walk ran 15-20% slower at
 * some placements (AMD EPYC), set by the size of the code linked before. */
#define TG_HOT_ALIGN __attribute__((aligned(64)))

float model_transform(const tg_model *m, float margin)
{
    if (m->v.objective == TG_OBJ_REG_SQUAREDERROR)
        return margin;
    /* XGBoost's common::Sigmoid, operation for operation. */
    float x = -margin;
    if (88.7f < x)
        x = 88.7f;
    return 1.0f / (expf(x) + 1.0f + 1e-16f);
}

/* Fast walking. A row's values become order-preserving unsigned keys, so
 * a numerical split is one integer compare: key(x) >= key(split) exactly
 * when x >= split (with -0 made +0, as -0 == +0 in float). Each feature
 * gets two keys: for NaN, 0 (compares below every bound: goes left) and
 * UINT32_MAX (above every bound: goes right); a node reads the one for its
 * default direction. Nodes take 8 bytes. A leaf reads the extra key slot
 * 2 n (always UINT32_MAX), so it always "goes right", to itself, and its
 * bound holds the leaf value's bits (finite, so never UINT32_MAX). */
typedef struct fast_node {
    uint32_t bound; /* goes right when keys[key] > bound; a leaf's value */
    uint16_t key;   /* 2 * feature + (missing goes right); leaves: 2 n */
    int16_t skip;   /* nodes from the left child to the right child */
} fast_node;

#define TG_KEY_STACK 1024       /* features whose keys fit on the stack */
#define TG_FAST_MAX_NODES 32767 /* nodes per tree the skip can span */

static inline uint32_t float_key(float x)
{
    uint32_t b;
    if (x == 0.0f)
        x = 0.0f;
    memcpy(&b, &x, sizeof b);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

/* keys: 2 nf + 1 entries. */
static inline void row_keys(const float *row, size_t nf, uint32_t *keys)
{
    for (size_t f = 0; f < nf; f++) {
        const float x = row[f];
        const uint32_t k = float_key(x);
        keys[2 * f] = x != x ? 0u : k;
        keys[2 * f + 1] = x != x ? UINT32_MAX : k;
    }
    keys[2 * nf] = UINT32_MAX;
}

/* Positions are byte offsets into the node array, which keeps a shift off
 * the walk's critical path. Branch-free: the choice is data-dependent and
 * a branch would mispredict half the time (compilers ignore hints here). */
static inline size_t fast_step(const char *fn, size_t at, const uint32_t *keys)
{
    const fast_node *n = (const fast_node *)(const void *)(fn + at);
    const size_t mask = (size_t)0 - (size_t)(keys[n->key] > n->bound);
    const size_t skip = (size_t)((ptrdiff_t)n->skip * (ptrdiff_t)sizeof(fast_node));
    return at + sizeof(fast_node) + (skip & mask);
}

static inline float fast_leaf(const char *fn, size_t at)
{
    float v;
    memcpy(&v, &((const fast_node *)(const void *)(fn + at))->bound, sizeof v);
    return v;
}

#define FAST_AT(i) ((size_t)(i) * sizeof(fast_node))

/* Builds the fast nodes once the model is complete. */
int model_build_fast(tg_model *m)
{
    const tg_model_view *v = &m->v;
    if (!(m->fast = malloc((v->num_nodes ? v->num_nodes : 1) * sizeof *m->fast)))
        return -1;
    const uint16_t leaf_key =
        (uint16_t)(v->num_features <= TG_KEY_STACK ? 2 * v->num_features : 0);
    for (size_t t = 0; t < v->num_trees; t++) {
        tg_model_tree *tr = &m->trees[t];
        if (tr->n_nodes > TG_FAST_MAX_NODES)
            tr->flags |= TG_TREE_LARGE;
        for (int32_t k = 0; k < tr->n_nodes; k++) {
            const size_t i = (size_t)tr->root + (size_t)k;
            const tg_model_node *n = &v->nodes[i];
            fast_node *f = &m->fast[i];
            if (n->info & TG_NODE_LEAF) {
                memcpy(&f->bound, &n->leaf, sizeof f->bound);
                f->key = leaf_key;
                f->skip = -1;
            } else {
                /* Categorical and large trees take the general walk. */
                f->key = (uint16_t)(2 * (n->info & TG_NODE_FEATURE_MASK) +
                                    (n->info >> 31));
                f->bound = n->info & TG_NODE_CATEGORICAL
                               ? 0
                               : float_key(n->split) - 1;
                f->skip = (int16_t)(tr->flags & TG_TREE_LARGE
                                        ? 0
                                        : n->right - (int32_t)i - 1);
            }
        }
    }
    return 0;
}

/* The leaf of tree t for row, by the general walk. */
static inline int32_t tree_leaf(const tg_model_view *v, const tg_model_tree *t,
                                const float *row)
{
    int32_t i = t->root;
    if (t->flags & TG_TREE_EARLY_EXIT) {
        while (!(v->nodes[i].info & TG_NODE_LEAF))
            i = model_node_next(v, i, row);
    } else {
        for (int32_t d = t->depth; d > 0; d--)
            i = model_node_next(v, i, row);
    }
    return i;
}

#define TG_GROUP 16 /* trees walked side by side for one row */

static float margin_keys(const tg_model *m, const float *row,
                         const uint32_t *keys)
{
    const tg_model_view *v = &m->v;
    const char *fn = (const char *)m->fast;
    const size_t nt = v->num_trees;
    float acc = v->base_margin;
    size_t t = 0;
    while (t < nt) {
        if (v->trees[t].flags) {
            acc += v->nodes[tree_leaf(v, &v->trees[t], row)].leaf;
            t++;
            continue;
        }
        size_t idx[TG_GROUP];
        int32_t maxd = 0;
        size_t g = 0;
        for (; g < TG_GROUP && t + g < nt && !v->trees[t + g].flags; g++) {
            idx[g] = FAST_AT(v->trees[t + g].root);
            if (v->trees[t + g].depth > maxd)
                maxd = v->trees[t + g].depth;
        }
        if (g == TG_GROUP) {
            /* Independent walks overlap; leaves absorb the extra steps. */
            for (int32_t d = 0; d < maxd; d++)
                for (size_t k = 0; k < TG_GROUP; k++)
                    idx[k] = fast_step(fn, idx[k], keys);
        } else {
            for (size_t k = 0; k < g; k++)
                for (int32_t d = v->trees[t + k].depth; d > 0; d--)
                    idx[k] = fast_step(fn, idx[k], keys);
        }
        for (size_t k = 0; k < g; k++)
            acc += fast_leaf(fn, idx[k]);
        t += g;
    }
    return acc;
}

TG_HOT_ALIGN float model_margin(const tg_model *m, const float *row)
{
    const tg_model_view *v = &m->v;
    const size_t nf = v->num_features;
    if (nf <= TG_KEY_STACK) {
        uint32_t keys[2 * TG_KEY_STACK + 1];
        row_keys(row, nf, keys);
        return margin_keys(m, row, keys);
    }
    float acc = v->base_margin;
    for (size_t t = 0; t < v->num_trees; t++)
        acc += v->nodes[tree_leaf(v, &v->trees[t], row)].leaf;
    return acc;
}

float model_predict(const tg_model *m, const float *row)
{
    return model_transform(m, model_margin(m, row));
}

/* Rows go through the trees in blocks: one tree at a time for the whole
 * block, so the tree stays in cache and the rows' independent walks
 * overlap in the pipeline. Each row still sums its trees in order. */
#define TG_BLOCK 16
#define TG_BLOCK_KEYS 8208 /* key words per block kept on the stack */

TG_HOT_ALIGN void model_predict_batch(const tg_model *m, const float *rows,
                                      size_t nrows, float *out,
                                      int output_margin)
{
    const tg_model_view *v = &m->v;
    const char *fn = (const char *)m->fast;
    const size_t nf = v->num_features;
    const size_t kw = 2 * nf + 1; /* key words per row */
    if (kw * TG_BLOCK > TG_BLOCK_KEYS) {
        for (size_t r = 0; r < nrows; r++) {
            float a = model_margin(m, rows + r * nf);
            out[r] = output_margin ? a : model_transform(m, a);
        }
        return;
    }
    uint32_t keys[TG_BLOCK_KEYS];
    for (size_t r0 = 0; r0 < nrows; r0 += TG_BLOCK) {
        const size_t nb = nrows - r0 < TG_BLOCK ? nrows - r0 : TG_BLOCK;
        const uint32_t *kp[TG_BLOCK];
        float acc[TG_BLOCK];
        size_t idx[TG_BLOCK];
        for (size_t r = 0; r < nb; r++) {
            row_keys(rows + (r0 + r) * nf, nf, keys + r * kw);
            kp[r] = keys + r * kw;
            acc[r] = v->base_margin;
        }
        for (size_t t = 0; t < v->num_trees; t++) {
            const tg_model_tree *tr = &v->trees[t];
            if (tr->flags == 0 && nb == TG_BLOCK) {
                for (size_t r = 0; r < TG_BLOCK; r++)
                    idx[r] = FAST_AT(tr->root);
                for (int32_t d = tr->depth; d > 0; d--)
                    for (size_t r = 0; r < TG_BLOCK; r++)
                        idx[r] = fast_step(fn, idx[r], kp[r]);
                for (size_t r = 0; r < TG_BLOCK; r++)
                    acc[r] += fast_leaf(fn, idx[r]);
            } else if (tr->flags == 0) {
                for (size_t r = 0; r < nb; r++) {
                    size_t at = FAST_AT(tr->root);
                    for (int32_t d = tr->depth; d > 0; d--)
                        at = fast_step(fn, at, kp[r]);
                    acc[r] += fast_leaf(fn, at);
                }
            } else {
                for (size_t r = 0; r < nb; r++)
                    acc[r] += v->nodes[tree_leaf(v, tr, rows + (r0 + r) * nf)].leaf;
            }
        }
        for (size_t r = 0; r < nb; r++)
            out[r0 + r] = output_margin ? acc[r] : model_transform(m, acc[r]);
    }
}
