/* model_load.c: the loader's checks of each tree of an XGBoost JSON model
 * and its flattening into the model's arrays (model.c reads the JSON
 * structure and hands each tree over, as read, to tree_flatten).
 *
 * Flattening: each tree is renumbered in depth-first pre-order (left child
 * next, right child stored), unreachable (pruned) nodes dropped, and every
 * reachable node checked once: indices in range, each node reached exactly
 * once from root 0 (no cycles or shared nodes), thresholds not NaN, leaves
 * finite, categories valid. Leaves step to themselves, so a tree of depth d
 * is walked with d branch-free steps (see model_node_next). */
#include "model_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- checking and flattening one tree -------------------------------------- */

typedef struct {
    int32_t orig, parent_local, depth;
} dfs_item;

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Checks the array lengths of tree t against num_nodes. */
static int tree_check_lengths(loader *L, const raw_tree *t, size_t ti)
{
    struct {
        const char *name;
        size_t n;
        int present, required;
    } arr[] = {
        {"left_children", t->left.n, t->left.present, 1},
        {"right_children", t->right.n, t->right.present, 1},
        {"split_indices", t->index.n, t->index.present, 1},
        {"split_conditions", t->cond.n, t->cond.present, 1},
        {"default_left", t->dleft.n, t->dleft.present, 1},
        {"sum_hessian", t->hess.n, t->hess.present, 1},
        {"split_type", t->stype.n, t->stype.present, 0},
        {"parents", t->parents.n, t->parents.present, 0},
        {"base_weights", t->base_weights.n, t->base_weights.present, 0},
        {"loss_changes", t->loss_changes.n, t->loss_changes.present, 0},
    };
    if (!t->have_param)
        return ld_fail(L, TG_EDATA, "tree %zu: missing tree_param", ti);
    if (t->leaf_vector_bad)
        return ld_fail(L, TG_EDATA,
                       "tree %zu: tree_param.size_leaf_vector is not 0: vector "
                       "leaves (multi-target trees) are not supported",
                       ti);
    if (t->num_nodes < 1)
        return ld_fail(L, TG_EDATA,
                       "tree %zu: tree_param.num_nodes = %lld, expected at least 1",
                       ti, (long long)t->num_nodes);
    for (size_t i = 0; i < sizeof arr / sizeof *arr; i++) {
        if (!arr[i].present) {
            if (arr[i].required)
                return ld_fail(L, TG_EDATA, "tree %zu: missing %s", ti,
                               arr[i].name);
            continue;
        }
        if ((int64_t)arr[i].n != t->num_nodes)
            return ld_fail(L, TG_EDATA,
                           "tree %zu: %s has %zu entries, expected %lld "
                           "(tree_param.num_nodes)",
                           ti, arr[i].name, arr[i].n, (long long)t->num_nodes);
    }
    size_t nc = t->cat_nodes.n;
    if (t->cat_segments.n != nc || t->cat_sizes.n != nc)
        return ld_fail(L, TG_EDATA,
                       "tree %zu: categories_nodes, categories_segments and "
                       "categories_sizes have %zu, %zu and %zu entries; they "
                       "must match",
                       ti, nc, t->cat_segments.n, t->cat_sizes.n);
    return 0;
}

/* Maps each categorical node to its entry in categories_nodes (seg_of),
 * checking every entry. */
static int tree_check_categories(loader *L, const raw_tree *t, size_t ti,
                                 int32_t *seg_of)
{
    int64_t n = t->num_nodes, ncats = (int64_t)t->cats.n;
    for (size_t k = 0; k < t->cat_nodes.n; k++) {
        int64_t node = t->cat_nodes.v[k];
        int64_t beg = t->cat_segments.v[k], size = t->cat_sizes.v[k];
        if (node < 0 || node >= n)
            return ld_fail(L, TG_EDATA,
                           "tree %zu: categories_nodes[%zu] = %lld is out of "
                           "range (%lld nodes)",
                           ti, k, (long long)node, (long long)n);
        if (k > 0 && node <= t->cat_nodes.v[k - 1])
            return ld_fail(L, TG_EDATA,
                           "tree %zu: categories_nodes[%zu] = %lld is not "
                           "greater than the entry before it",
                           ti, k, (long long)node);
        if (size < 1)
            return ld_fail(L, TG_EDATA,
                           "tree %zu: categories_sizes[%zu] = %lld, expected "
                           "at least 1",
                           ti, k, (long long)size);
        if (beg < 0 || beg > ncats || size > ncats - beg)
            return ld_fail(L, TG_EDATA,
                           "tree %zu: categories_segments[%zu] = %lld with "
                           "size %lld runs past categories (%lld entries)",
                           ti, k, (long long)beg, (long long)size,
                           (long long)ncats);
        for (int64_t c = beg; c < beg + size; c++) {
            int64_t cat = t->cats.v[c];
            if (cat < 0 || cat >= (int64_t)TG_MODEL_MAX_CATEGORY)
                return ld_fail(L, TG_EDATA,
                               "tree %zu: categories[%lld] = %lld is not a "
                               "category (0 .. %u)",
                               ti, (long long)c, (long long)cat,
                               TG_MODEL_MAX_CATEGORY - 1);
        }
        seg_of[node] = (int32_t)k;
    }
    return 0;
}

/* Appends node orig's category set to the pool. */
static int tree_add_catset(loader *L, const raw_tree *t, int32_t k,
                           tg_model_node *nd)
{
    tg_model *m = L->m;
    int64_t beg = t->cat_segments.v[k], size = t->cat_sizes.v[k], maxc = 0;
    for (int64_t c = beg; c < beg + size; c++)
        if (t->cats.v[c] > maxc)
            maxc = t->cats.v[c];
    size_t words = (size_t)(maxc / 32 + 1);
    if (m->n_cat_words + words > TG_MODEL_MAX_CAT_WORDS)
        return ld_fail(L, TG_EDATA,
                       "categorical splits need more than %u words of "
                       "category sets; not supported",
                       TG_MODEL_MAX_CAT_WORDS);
    if (model_grow(&m->cat_bits, &m->cat_cap, m->n_cat_words + words,
             sizeof *m->cat_bits) < 0)
        return ld_oom(L);
    uint32_t *w = m->cat_bits + m->n_cat_words;
    memset(w, 0, words * sizeof *w);
    for (int64_t c = beg; c < beg + size; c++) {
        uint32_t cat = (uint32_t)t->cats.v[c];
        w[cat >> 5] |= 1u << (cat & 31);
    }
    nd->cat_offset = (uint32_t)m->n_cat_words;
    nd->cat_words = (uint32_t)words;
    m->n_cat_words += words;
    return 0;
}

/* Checks node u (reached in pre-order as global node g) and fills it. */
static int tree_fill_node(loader *L, const raw_tree *t, size_t ti, int32_t u,
                          size_t g, const int32_t *seg_of)
{
    tg_model *m = L->m;
    tg_model_node *nd = &m->nodes[g];
    int64_t n = t->num_nodes, left = t->left.v[u], right = t->right.v[u];
    float cover = t->hess.v[u];
    if (!(cover >= 0.0f) || isinf(cover))
        return ld_fail(L, TG_EDATA,
                       "tree %zu: sum_hessian[%d] = %g is not a valid cover", ti,
                       u, (double)cover);
    m->cover[g] = cover;
    if (left == -1) {
        float v = t->cond.v[u];
        if (!isfinite(v))
            return ld_fail(L, TG_EDATA,
                           "tree %zu: split_conditions[%d] = %g is not a finite "
                           "leaf value",
                           ti, u, (double)v);
        nd->split = -INFINITY;
        nd->right = (int32_t)g;
        nd->info = TG_NODE_LEAF | TG_NODE_DEFAULT_RIGHT;
        nd->leaf = v;
        return 0;
    }
    if (left < 0 || left >= n)
        return ld_fail(L, TG_EDATA,
                       "tree %zu: left_children[%d] = %lld is out of range "
                       "(%lld nodes)",
                       ti, u, (long long)left, (long long)n);
    if (right < 0 || right >= n)
        return ld_fail(L, TG_EDATA,
                       "tree %zu: right_children[%d] = %lld is out of range "
                       "(%lld nodes)",
                       ti, u, (long long)right, (long long)n);
    int64_t f = t->index.v[u];
    if (f < 0 || f >= (int64_t)TG_MODEL_MAX_FEATURES)
        return ld_fail(L, TG_EDATA,
                       "tree %zu: split_indices[%d] = %lld is out of range", ti,
                       u, (long long)f);
    int64_t dl = t->dleft.v[u];
    if (dl != 0 && dl != 1)
        return ld_fail(L, TG_EDATA, "tree %zu: default_left[%d] = %lld is not 0 or 1",
                       ti, u, (long long)dl);
    int64_t st = t->stype.present ? t->stype.v[u] : 0;
    nd->info = (uint32_t)f | (dl ? 0u : TG_NODE_DEFAULT_RIGHT);
    if (st == 0) {
        float s = t->cond.v[u];
        if (isnan(s))
            return ld_fail(L, TG_EDATA,
                           "tree %zu: split_conditions[%d] is NaN on a "
                           "numerical split",
                           ti, u);
        nd->split = s;
        nd->leaf = 0.0f;
    } else if (st == 1) {
        if (seg_of[u] < 0)
            return ld_fail(L, TG_EDATA,
                           "tree %zu: node %d has a categorical split but is "
                           "not in categories_nodes",
                           ti, u);
        nd->info |= TG_NODE_CATEGORICAL;
        if (tree_add_catset(L, t, seg_of[u], nd) < 0)
            return -1;
    } else {
        return ld_fail(L, TG_EDATA,
                       "tree %zu: split_type[%d] = %lld is not a known split "
                       "type (0 numerical, 1 categorical)",
                       ti, u, (long long)st);
    }
    return 0;
}

/* The split records of a tree for TreeSHAP (see tg_model_split). par:
 * each node's parent, prev: the node whose edge is the nearest above on
 * the same feature, zf: zero fractions, rec: record of each split node;
 * all by position in the tree. */
static int tree_splits(loader *L, tg_model_tree *tr, size_t base, size_t cnt,
                       const int32_t *par, const int32_t *prev,
                       const double *zf, const int32_t *rec, size_t nsplit)
{
    tg_model *m = L->m;
    const tg_model_node *nd = m->nodes;
    if (model_grow(&m->splits, &m->splits_cap, m->n_splits + nsplit,
             sizeof *m->splits) < 0)
        return ld_oom(L);
    tr->split_offset = (uint32_t)m->n_splits;
    tr->n_splits = (uint32_t)nsplit;
    tg_model_split *sp = m->splits + m->n_splits;
    m->n_splits += nsplit;
    const int32_t n = (int32_t)nsplit;
    for (size_t k = 0; k < cnt; k++) {
        const size_t g = base + k;
        if (rec[k] < 0)
            continue;
        tg_model_split *x = &sp[rec[k]];
        x->node = (int32_t)g;
        x->feature = nd[g].info & TG_NODE_FEATURE_MASK;
        for (int side = 0; side < 2; side++) {
            const size_t c = side ? (size_t)nd[g].right - base : k + 1;
            const float z = (float)zf[c];
            x->child[side] = rec[c] >= 0 ? rec[c] : n + side;
            x->leaf[side] = rec[c] < 0 ? nd[base + c].leaf : 0.0f;
            x->zero[side] = z;
            const int32_t pv = prev[c];
            if (pv >= 0) {
                const int32_t pp = par[pv];
                x->prev[side] = 2 * rec[pp] + (pv == pp + 1 ? 0 : 1);
                x->zero_prev[side] = (float)zf[pv];
                x->a[side] = (float)((double)m->cover[base + c] / (double)m->cover[g]);
                x->b[side][0] = x->b[side][1] = 0.0f;
            } else {
                x->prev[side] = 2 * n;
                x->zero_prev[side] = 1.0f;
                x->a[side] = z;
                x->b[side][0] = -z;
                x->b[side][1] = 1.0f - z;
            }
        }
    }
    return 0;
}

/* Per-tree derived data: node means, depth, unique depth, walking
 * strategy, feature list and split records. par: each node's parent by
 * position in the tree (-1 for the root). */
static int tree_derive(loader *L, size_t ti, size_t base, size_t cnt,
                       const int32_t *depth_of, const int32_t *par)
{
    tg_model *m = L->m;
    tg_model_tree *tr = &m->trees[ti];
    tg_model_node *nd = m->nodes;
    int32_t maxd = 0, maxu = 0;
    double wsum = 0, wdepth = 0, lsum = 0, lcount = 0;
    int32_t *uniq = malloc(cnt * sizeof *uniq);
    int32_t *prev = malloc(cnt * sizeof *prev);
    int32_t *rec = malloc(cnt * sizeof *rec);
    double *zf = malloc(cnt * sizeof *zf);
    uint32_t *feats = malloc(cnt * sizeof *feats);
    int rc = -1;
    if (!uniq || !prev || !rec || !zf || !feats) {
        ld_oom(L);
        goto done;
    }
    size_t nf = 0;
    for (size_t k = 0; k < cnt; k++) {
        const size_t g = base + k;
        const int32_t p = par[k];
        prev[k] = -1;
        zf[k] = 1.0;
        uniq[k] = 0;
        if (p >= 0) {
            /* The nearest edge above on the parent's feature (depth is
             * bounded, so walking up is cheap enough). */
            const uint32_t f = nd[base + (size_t)p].info & TG_NODE_FEATURE_MASK;
            for (int32_t x = p; par[x] >= 0; x = par[x]) {
                if ((nd[base + (size_t)par[x]].info & TG_NODE_FEATURE_MASK) == f) {
                    prev[k] = x;
                    break;
                }
            }
            const double r = (double)m->cover[g] / (double)m->cover[base + (size_t)p];
            zf[k] = prev[k] >= 0 ? zf[prev[k]] * r : r;
            uniq[k] = uniq[p] + (prev[k] < 0);
        }
        if (nd[g].info & TG_NODE_LEAF) {
            rec[k] = -1;
            int32_t d = depth_of[k];
            if (d > maxd)
                maxd = d;
            if (uniq[k] > maxu)
                maxu = uniq[k];
            wsum += m->cover[g];
            wdepth += (double)m->cover[g] * d;
            lsum += d;
            lcount += 1;
        } else {
            rec[k] = (int32_t)nf;
            feats[nf++] = nd[g].info & TG_NODE_FEATURE_MASK;
            if (nd[g].info & TG_NODE_CATEGORICAL)
                tr->flags |= TG_TREE_CATEGORICAL;
        }
    }
    /* Records: splits with a split child first, then the bottom ones,
     * each group in pre-order. */
    size_t upper = 0, bottom = 0;
    for (size_t k = 0; k < cnt; k++) {
        const size_t g = base + k;
        if (rec[k] < 0)
            continue;
        const int low = (nd[g + 1].info & TG_NODE_LEAF) &&
                        (nd[nd[g].right].info & TG_NODE_LEAF);
        rec[k] = low ? -2 : (int32_t)upper++;
    }
    for (size_t k = 0; k < cnt; k++)
        if (rec[k] == -2)
            rec[k] = (int32_t)(upper + bottom++);
    tr->n_upper = (uint32_t)upper;
    if (tree_splits(L, tr, base, cnt, par, prev, zf, rec, nf) < 0)
        goto done;
    /* XGBoost's node mean values, in float and in its order: children
     * come after their parent in pre-order, so walk backwards. */
    for (size_t k = cnt; k-- > 0;) {
        size_t g = base + k;
        if (nd[g].info & TG_NODE_LEAF) {
            m->mean[g] = nd[g].leaf;
        } else {
            size_t l = g + 1, r = (size_t)nd[g].right;
            float res = m->mean[l] * m->cover[l];
            res += m->mean[r] * m->cover[r];
            res /= m->cover[g];
            m->mean[g] = res;
        }
    }
    qsort(feats, nf, sizeof *feats, cmp_u32);
    size_t nu = 0;
    for (size_t i = 0; i < nf; i++)
        if (nu == 0 || feats[nu - 1] != feats[i])
            feats[nu++] = feats[i];
    if (model_grow(&m->features, &m->features_cap, m->n_features_list + nu,
             sizeof *m->features) < 0) {
        ld_oom(L);
        goto done;
    }
    if (nu > 0)
        memcpy(m->features + m->n_features_list, feats, nu * sizeof *feats);
    tr->feat_offset = (uint32_t)m->n_features_list;
    tr->n_feats = (uint32_t)nu;
    m->n_features_list += nu;
    tr->depth = maxd;
    tr->unique_depth = maxu;
    /* Walking exactly `depth` steps costs no mispredicted branches but
     * wastes the steps below shallow leaves; stop at leaves instead when
     * the typical row (by cover, else by leaf count) ends far above. */
    double avg = wsum > 0 ? wdepth / wsum : lsum / (lcount > 0 ? lcount : 1);
    if (maxd - avg > 4.0)
        tr->flags |= TG_TREE_EARLY_EXIT;
    rc = 0;
done:
    free(uniq);
    free(prev);
    free(rec);
    free(zf);
    free(feats);
    return rc;
}

/* Checks tree t and appends it to the model in pre-order. */
int tree_flatten(loader *L, const raw_tree *t, size_t ti)
{
    tg_model *m = L->m;
    if (tree_check_lengths(L, t, ti) < 0)
        return -1;
    int64_t n = t->num_nodes;
    if (n > INT32_MAX / 2 || m->v.num_nodes + (size_t)n > (size_t)INT32_MAX / 2)
        return ld_fail(L, TG_EDATA, "tree %zu: too many nodes", ti);
    size_t base = m->v.num_nodes;
    if (model_reserve_nodes(m, base + (size_t)n) < 0)
        return ld_oom(L);
    if (model_grow(&m->trees, &m->trees_cap, ti + 1, sizeof *m->trees) < 0 ||
        model_grow(&L->tree_max_feat, &L->tmf_cap, ti + 1, sizeof *L->tree_max_feat) < 0 ||
        model_grow(&L->tree_max_node, &L->tmn_cap, ti + 1, sizeof *L->tree_max_node) < 0)
        return ld_oom(L);
    int32_t *seg_of = malloc((size_t)n * sizeof *seg_of);
    int32_t *local = malloc((size_t)n * sizeof *local);
    int32_t *orig_of = malloc((size_t)n * sizeof *orig_of);
    int32_t *depth_of = malloc((size_t)n * sizeof *depth_of);
    int32_t *par = malloc((size_t)n * sizeof *par);
    dfs_item *stack = malloc(((size_t)n * 2 + 1) * sizeof *stack);
    int rc = -1;
    if (!seg_of || !local || !orig_of || !depth_of || !par || !stack) {
        ld_oom(L);
        goto done;
    }
    for (int64_t i = 0; i < n; i++) {
        seg_of[i] = -1;
        local[i] = -1;
    }
    if (tree_check_categories(L, t, ti, seg_of) < 0)
        goto done;
    /* Depth-first pre-order from root 0: each node must be reached once.
     * Every node popped for the first time pushes at most two, so the
     * stack holds at most 2n + 1 items. */
    size_t sp = 0, cnt = 0;
    uint32_t max_feat = 0;
    int64_t max_node = -1;
    stack[sp++] = (dfs_item){0, -1, 0};
    while (sp > 0) {
        dfs_item it = stack[--sp];
        if (local[it.orig] >= 0) {
            ld_fail(L, TG_EDATA,
                    "tree %zu: node %d is reached twice (again from node %d): "
                    "the tree has a cycle or a shared node",
                    ti, it.orig, orig_of[it.parent_local]);
            goto done;
        }
        if (it.depth > TG_MODEL_MAX_DEPTH) {
            ld_fail(L, TG_EDATA,
                    "tree %zu: deeper than %d levels (node %d); not supported",
                    ti, TG_MODEL_MAX_DEPTH, it.orig);
            goto done;
        }
        size_t g = base + cnt;
        local[it.orig] = (int32_t)cnt;
        orig_of[cnt] = it.orig;
        depth_of[cnt] = it.depth;
        par[cnt] = it.parent_local;
        if (tree_fill_node(L, t, ti, it.orig, g, seg_of) < 0)
            goto done;
        if (!(m->nodes[g].info & TG_NODE_LEAF)) {
            uint32_t f = m->nodes[g].info & TG_NODE_FEATURE_MASK;
            if (max_node < 0 || f > max_feat) {
                max_feat = f;
                max_node = it.orig;
            }
            stack[sp++] = (dfs_item){(int32_t)t->right.v[it.orig],
                                     (int32_t)cnt, it.depth + 1};
            stack[sp++] = (dfs_item){(int32_t)t->left.v[it.orig],
                                     (int32_t)cnt, it.depth + 1};
        }
        cnt++;
    }
    /* Right children are placed now; left children are next in pre-order. */
    for (size_t k = 0; k < cnt; k++) {
        size_t g = base + k;
        if (!(m->nodes[g].info & TG_NODE_LEAF))
            m->nodes[g].right =
                (int32_t)base + local[t->right.v[orig_of[k]]];
    }
    m->trees[ti] = (tg_model_tree){.root = (int32_t)base,
                                   .n_nodes = (int32_t)cnt};
    m->v.num_nodes = base + cnt;
    L->tree_max_feat[ti] = max_feat;
    L->tree_max_node[ti] = max_node;
    if (tree_derive(L, ti, base, cnt, depth_of, par) < 0)
        goto done;
    m->v.num_trees = ti + 1;
    rc = 0;
done:
    free(seg_of);
    free(local);
    free(orig_of);
    free(depth_of);
    free(par);
    free(stack);
    return rc;
}
