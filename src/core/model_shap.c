/* model_shap.c: explains a prediction of the embedded XGBoost evaluator
 * (model.c) feature by feature, from the model's public tree view and the
 * split records model_load.c builds at load.
 *
 * model_contribs gives the numbers of libxgboost's pred_contribs: the
 * path-dependent TreeSHAP of Lundberg et al., where a feature left out of a
 * coalition sends a row down both sides of its splits in proportion to the
 * node covers. libxgboost evaluates it with the original recursive
 * algorithm, O(leaves x depth^2) per tree: about 0.5 ms for 100 trees of
 * depth 6. We compute the same values in O(nodes x depth/8) vector
 * operations per tree (about 30 us for those 100 trees):
 *
 *   For one tree, let F(p) be the multilinear extension of the TreeSHAP
 *   value function: F(p) = sum over leaves of value * prod over the
 *   leaf's distinct path features i of a_i(p_i), with
 *   a_i(p) = z_i (1 - p) + o_i p, where z_i is the product of the cover
 *   ratios of the path's splits on i (the zero fraction) and o_i is 1 when
 *   the row follows all of them (the one fraction). The Shapley value of
 *   feature j is then phi_j = integral over u in [0, 1] of dF/dp_j at
 *   p = (u, ..., u) (Owen, 1972). The integrand is a polynomial of degree
 *   below the tree's unique depth k, so Gauss-Legendre quadrature with
 *   ceil(k/2) points is exact. At each point a forward pass gives every
 *   node's reach weight R (product of edge factors g from the root), a
 *   backward pass the value D below it, and each edge adds
 *   R(parent) * dg/dp * D(child) to its feature (reverse-mode
 *   differentiation). An edge on a feature already split on above uses
 *   g = a_now / a_before, so the product telescopes to one factor per
 *   feature, as TreeSHAP's unwinding does.
 *
 * The points go four at a time through SSE registers in float (libxgboost
 * works in float too); each tree's sum per feature is taken in double,
 * rounded to float and added in tree order like libxgboost. Differences
 * from libxgboost stay near 1e-6. The bias (each tree's mean value in
 * float, then the base margin) is libxgboost's bit for bit. Splits whose
 * children are both leaves (half of a full tree) are finished in one pass.
 *
 * What does not depend on the row, each edge's denominators at the points,
 * is worked out once when the model is loaded (model_build_shap). A batch
 * goes through the trees 32 rows at a time, so that a tree's records are
 * read once for them; on a CPU with AVX, eight rows at a time go through a
 * tree in the lanes of one register per point (model_shap_rows.c), with
 * the same bits as one row alone.
 *
 * model_contribs_approx repeats libxgboost's Saabas walk in float, operation
 * for operation. */
#include "trendguard/model.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model_int.h"

/* ---- Gauss-Legendre nodes and weights on [0, 1] ---------------------------- */

#define GL_TABLE_MAX 32 /* point counts kept in the shared table */

static double gl_u_tab[GL_TABLE_MAX * (GL_TABLE_MAX + 1) / 2];
static double gl_w_tab[GL_TABLE_MAX * (GL_TABLE_MAX + 1) / 2];
static pthread_once_t gl_once = PTHREAD_ONCE_INIT;

/* Nodes u[0..q) and weights w[0..q) of q-point Gauss-Legendre on [0, 1],
 * by Newton's method on the Legendre polynomial P_q. */
static void gauss_legendre(int q, double *u, double *w)
{
    for (int i = 0; i < (q + 1) / 2; i++) {
        double x = cos(M_PI * (i + 0.75) / (q + 0.5)), dp = 1.0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1.0, p1 = 0.0;
            for (int k = 1; k <= q; k++) {
                double p2 = p1;
                p1 = p0;
                p0 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p2) / k;
            }
            dp = q * (x * p0 - p1) / (x * x - 1.0);
            double dx = p0 / dp;
            x -= dx;
            if (fabs(dx) < 1e-16)
                break;
        }
        double wt = 1.0 / ((1.0 - x * x) * dp * dp); /* 2/(..) halved */
        u[i] = (1.0 - x) / 2.0;
        u[q - 1 - i] = (1.0 + x) / 2.0;
        w[i] = w[q - 1 - i] = wt;
    }
}

static void gl_init(void)
{
    for (int q = 1; q <= GL_TABLE_MAX; q++) {
        size_t off = (size_t)(q - 1) * (size_t)q / 2;
        gauss_legendre(q, gl_u_tab + off, gl_w_tab + off);
    }
}

/* ---- TreeSHAP ---------------------------------------------------------------- */

/* Four quadrature points at a time (GCC and Clang vector extension: SSE
 * on x86-64). Point counts are multiples of 4. */
typedef float v4f __attribute__((vector_size(16)));

typedef struct {
    v4f *R, *D;          /* per split and group of points: reach, value below */
    v4f *G, *GP;         /* per edge: factor and derivative */
    v4f *acc;            /* this tree's dF/dp per feature and group */
    unsigned char *on;   /* per edge: one fraction of the edge's feature */
    double *gl;          /* quadrature for counts above GL_TABLE_MAX */
    int gl_q;
    shap_rows *rows;     /* eight rows at a time; NULL: one at a time */
} shap_scratch;

/* ceil(k/2) points integrate exactly; rounding up to whole vectors only
 * adds accuracy. */
static int tree_points(const tg_model_tree *t)
{
    int q = (t->unique_depth + 1) / 2;
    return q < 4 ? 4 : (q + 3) & ~3;
}

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE v4f splat(float x)
{
    return (v4f){x, x, x, x};
}

/* The general kernel, for trees needing more than four points: QV groups
 * of four. Same steps as tree_shap4 below. */
static void tree_shap_n(const tg_model_view *v, const tg_model_tree *t,
                        const float *row, shap_scratch *s, const v4f *U,
                        const v4f *INV, const int QV)
{
    const tg_model_split *sp = v->splits + t->split_offset;
    const int32_t ns = (int32_t)t->n_splits, none = 2 * ns;
    v4f *R = s->R, *D = s->D, *G = s->G, *GP = s->GP;
    unsigned char *on = s->on;
    on[none] = 1;
    for (int j = 0; j < QV; j++)
        R[j] = splat(1.0f);
    for (int32_t k = 0; k < ns; k++) {
        const tg_model_split *x = &sp[k];
        const int right = model_node_next(v, x->node, row) != x->node + 1;
        for (int side = 0; side < 2; side++) {
            const int32_t e = 2 * k + side, prev = x->prev[side];
            const int op = on[prev], o = (side == right) & op;
            v4f *Ge = G + (size_t)e * QV, *GPe = GP + (size_t)e * QV;
            on[e] = (unsigned char)o;
            if ((prev != none) & op) {
                const float z = x->zero[side], zp = x->zero_prev[side];
                const v4f d = splat((float)o - z), dp = splat(1.0f - zp);
                const v4f *inv = INV + (size_t)e * QV;
                for (int j = 0; j < QV; j++) {
                    Ge[j] = (splat(z) + d * U[j]) * inv[j];
                    GPe[j] = (d - Ge[j] * dp) * inv[j];
                }
            } else {
                const v4f bb = splat(x->b[side][o]), aa = splat(x->a[side]);
                for (int j = 0; j < QV; j++) {
                    Ge[j] = aa + bb * U[j];
                    GPe[j] = bb;
                }
            }
            v4f *Rc = R + (size_t)x->child[side] * QV;
            const v4f *Rk = R + (size_t)k * QV;
            for (int j = 0; j < QV; j++)
                Rc[j] = Rk[j] * Ge[j];
        }
    }
    for (int32_t k = ns - 1; k >= 0; k--) {
        const tg_model_split *x = &sp[k];
        v4f *Dk = D + (size_t)k * QV, *acc = s->acc + (size_t)x->feature * QV;
        const v4f *Rk = R + (size_t)k * QV;
        for (int side = 0; side < 2; side++)
            for (int j = 0; j < QV; j++)
                D[(size_t)(ns + side) * QV + j] = splat(x->leaf[side]);
        const v4f *D0 = D + (size_t)x->child[0] * QV;
        const v4f *D1 = D + (size_t)x->child[1] * QV;
        const v4f *G0 = G + (size_t)(2 * k) * QV, *G1 = G0 + QV;
        const v4f *P0 = GP + (size_t)(2 * k) * QV, *P1 = P0 + QV;
        for (int j = 0; j < QV; j++) {
            const v4f d0 = D0[j], d1 = D1[j];
            Dk[j] = G0[j] * d0 + G1[j] * d1;
            acc[j] += Rk[j] * (P0[j] * d0 + P1[j] * d1);
        }
    }
}

/* The side (1 right, 0 left) split node i sends row to. Numerical trees
 * skip model_node_next's categorical test and its child arithmetic. */
static ALWAYS_INLINE int goes_right(const tg_model_view *v, int32_t i,
                                    const float *row, int categorical)
{
    if (categorical)
        return model_node_next(v, i, row) != i + 1;
    const tg_model_node *n = &v->nodes[i];
    const float x = row[n->info & TG_NODE_FEATURE_MASK];
    return (x >= n->split) | ((x != x) & (int)(n->info >> 31));
}

/* One edge for the four-point kernel: factor and derivative (see
 * tg_model_split). on[2 n] is a slot that is always 1. */
static ALWAYS_INLINE void edge4(const tg_model_split *x, int side, int hot,
                                const unsigned char *on, int32_t none, v4f U,
                                const v4f *INV, v4f *G, v4f *GP,
                                unsigned char *o_out)
{
    const int32_t prev = x->prev[side];
    const int op = on[prev];
    const int o = hot & op;
    *o_out = (unsigned char)o;
    if ((prev != none) & op) {
        const float z = x->zero[side], zp = x->zero_prev[side];
        const v4f d = splat((float)o - z), dp = splat(1.0f - zp);
        const v4f inv = *INV;
        *G = (splat(z) + d * U) * inv;
        *GP = (d - *G * dp) * inv;
    } else {
        const v4f bb = splat(x->b[side][o]);
        *G = splat(x->a[side]) + bb * U;
        *GP = bb;
    }
}

/* The kernel for trees needing at most four points (unique depth up to
 * 8): everything for one split in registers. Adds dF/dp by feature, at
 * the points, into s->acc. */
static void tree_shap4(const tg_model_view *v, const tg_model_tree *t,
                       const float *row, shap_scratch *s, v4f U,
                       const v4f *INV)
{
    const tg_model_split *sp = v->splits + t->split_offset;
    const int32_t ns = (int32_t)t->n_splits, nu = (int32_t)t->n_upper;
    const int32_t none = 2 * ns;
    const int cat = (t->flags & TG_TREE_CATEGORICAL) != 0;
    v4f *R = s->R, *D = s->D, *G = s->G, *GP = s->GP;
    unsigned char *on = s->on, dummy[2];
    on[none] = 1;
    R[0] = splat(1.0f);
    /* Forward, parents first: factors of the upper splits' edges and the
     * reach of their children (a leaf child's slot, ns + side, is
     * scratch). */
    for (int32_t k = 0; k < nu; k++) {
        const tg_model_split *x = &sp[k];
        const int right = goes_right(v, x->node, row, cat);
        const v4f Rk = R[k];
        edge4(x, 0, !right, on, none, U, &INV[2 * k], &G[2 * k], &GP[2 * k],
              &on[2 * k]);
        edge4(x, 1, right, on, none, U, &INV[2 * k + 1], &G[2 * k + 1],
              &GP[2 * k + 1], &on[2 * k + 1]);
        R[x->child[0]] = Rk * G[2 * k];
        R[x->child[1]] = Rk * G[2 * k + 1];
    }
    /* Bottom splits (two leaves): finished at once. */
    for (int32_t k = nu; k < ns; k++) {
        const tg_model_split *x = &sp[k];
        const int right = goes_right(v, x->node, row, cat);
        v4f g0, p0, g1, p1;
        edge4(x, 0, !right, on, none, U, &INV[2 * k], &g0, &p0, &dummy[0]);
        edge4(x, 1, right, on, none, U, &INV[2 * k + 1], &g1, &p1,
              &dummy[1]);
        const v4f l0 = splat(x->leaf[0]), l1 = splat(x->leaf[1]);
        D[k] = g0 * l0 + g1 * l1;
        s->acc[x->feature] += R[k] * (p0 * l0 + p1 * l1);
    }
    /* Backward, children first: value below each upper split, and each
     * edge's R(parent) dg/dp D(child). A leaf child's value goes in its
     * slot. */
    for (int32_t k = nu - 1; k >= 0; k--) {
        const tg_model_split *x = &sp[k];
        D[ns] = splat(x->leaf[0]);
        D[ns + 1] = splat(x->leaf[1]);
        const v4f d0 = D[x->child[0]];
        const v4f d1 = D[x->child[1]];
        D[k] = G[2 * k] * d0 + G[2 * k + 1] * d1;
        s->acc[x->feature] += R[k] * (GP[2 * k] * d0 + GP[2 * k + 1] * d1);
    }
}

static void tree_shap(const tg_model_view *v, const tg_model_tree *t,
                      const float *row, shap_scratch *s, const v4f *U,
                      const v4f *INV, int Q)
{
    switch (Q) {
    case 4: tree_shap4(v, t, row, s, U[0], INV); break;
    default: tree_shap_n(v, t, row, s, U, INV, Q / 4); break;
    }
}

static void scratch_free(shap_scratch *s)
{
    free(s->R);
    free(s->acc);
    free(s->on);
    free(s->gl);
    shap_rows_free(s->rows);
}

static int scratch_init(const tg_model_view *v, shap_scratch *s, int batch,
                        tg_err *err)
{
    size_t splits = 1, per = 1;
    int qmax = 4;
    memset(s, 0, sizeof *s);
    for (size_t t = 0; t < v->num_trees; t++) {
        const tg_model_tree *tr = &v->trees[t];
        const size_t qv = (size_t)tree_points(tr) / 4;
        if (tr->n_splits > splits)
            splits = tr->n_splits;
        if ((tr->n_splits + 2) * qv > per)
            per = (tr->n_splits + 2) * qv;
        if (tree_points(tr) > qmax)
            qmax = tree_points(tr);
    }
    /* R and D per split plus two dummy slots; G and GP per edge. */
    s->R = malloc(6 * per * sizeof *s->R);
    s->acc = calloc((v->num_features + 1) * (size_t)(qmax / 4), sizeof *s->acc);
    s->on = malloc(2 * splits + 1);
    if (batch && shap_rows_supported() && !(s->rows = shap_rows_new(v)))
        s->on = (free(s->on), NULL); /* out of memory */
    if (qmax > GL_TABLE_MAX) {
        /* One set of points for every count up to qmax. */
        s->gl = malloc((size_t)qmax * (size_t)(qmax + 1) * sizeof *s->gl);
        s->gl_q = qmax;
    }
    if (!s->R || !s->acc || !s->on || (s->gl_q && !s->gl)) {
        scratch_free(s);
        return tg_fail(err, TG_EINTERNAL, "out of memory explaining a row");
    }
    s->D = s->R + per;
    s->G = s->D + per;
    s->GP = s->G + 2 * per;
    if (s->gl) {
        for (int q = 1; q <= qmax; q++) {
            size_t off = (size_t)(q - 1) * (size_t)q;
            gauss_legendre(q, s->gl + off, s->gl + off + q);
        }
    }
    pthread_once(&gl_once, gl_init);
    return TG_OK;
}

/* Tree t's Q points and weights, in groups of four. */
static void tree_quadrature(const shap_scratch *s, int Q, v4f *U, v4f *W)
{
    const double *u, *w;
    if (Q <= GL_TABLE_MAX) {
        size_t off = (size_t)(Q - 1) * (size_t)Q / 2;
        u = gl_u_tab + off;
        w = gl_w_tab + off;
    } else {
        u = s->gl + (size_t)(Q - 1) * (size_t)Q;
        w = u + Q;
    }
    for (int j = 0; j < Q / 4; j++)
        for (int l = 0; l < 4; l++) {
            U[j][l] = (float)u[4 * j + l];
            W[j][l] = (float)w[4 * j + l];
        }
}

/* The points' sum of one feature's four accumulated values, in double:
 * rounded to float per tree and added in tree order, like libxgboost. */
static ALWAYS_INLINE double points_sum(v4f p)
{
    return ((double)p[0] + p[1]) + ((double)p[2] + p[3]);
}

/* Tree t's denominators, per edge and group of points. */
static const v4f *tree_inv(const tg_model *m, size_t t)
{
    return (const v4f *)(const void *)(m->shap_inv + m->shap_at[t]);
}

/* Tree t's contributions for one row, added into out. */
static void tree_contribs(const tg_model *m, size_t t, const float *row,
                          float *out, shap_scratch *s)
{
    const tg_model_view *v = &m->v;
    const tg_model_tree *tr = &v->trees[t];
    const int Q = tree_points(tr), QV = Q / 4;
    v4f U[QV], W[QV];
    tree_quadrature(s, Q, U, W);
    tree_shap(v, tr, row, s, U, tree_inv(m, t), Q);
    const uint32_t *f = v->features + tr->feat_offset;
    for (uint32_t i = 0; i < tr->n_feats; i++) {
        v4f *a = s->acc + (size_t)f[i] * QV;
        double c = 0.0;
        for (int j = 0; j < QV; j++) {
            c += points_sum(W[j] * a[j]);
            a[j] = splat(0.0f);
        }
        out[f[i]] += (float)c;
    }
}

/* Rows go through each tree a block at a time, so that a tree's records
 * are read from memory once for the block, not once per row; each row
 * gets its trees in order, as alone. */
#define BLOCK_ROWS (8 * SHAP_ROW_GROUPS)

static void contribs_block(const tg_model *m, const float *rows, size_t n,
                           float *out, shap_scratch *s)
{
    const tg_model_view *v = &m->v;
    const size_t nf = v->num_features, w = nf + 1;
    memset(out, 0, n * w * sizeof *out);
    for (size_t r = 0; s->rows && r < n; r += 8)
        shap_rows_load(s->rows, (int)(r / 8), rows + r * nf,
                       n - r < 8 ? n - r : 8);
    for (size_t t = 0; t < v->num_trees; t++) {
        const tg_model_tree *tr = &v->trees[t];
        if (tr->n_splits > 0 && s->rows && tree_points(tr) == 4) {
            v4f U, W;
            tree_quadrature(s, 4, &U, &W);
            const float u[4] = {U[0], U[1], U[2], U[3]};
            const float wt[4] = {W[0], W[1], W[2], W[3]};
            for (size_t r = 0; r < n; r += 8)
                shap_rows_tree(s->rows, (int)(r / 8), v, tr, u, wt,
                               m->shap_inv + m->shap_at[t], out + r * w, w,
                               n - r < 8 ? n - r : 8);
        } else if (tr->n_splits > 0) {
            for (size_t r = 0; r < n; r++)
                tree_contribs(m, t, rows + r * nf, out + r * w, s);
        }
        for (size_t r = 0; r < n; r++)
            out[r * w + nf] += v->mean[tr->root];
    }
    for (size_t r = 0; r < n; r++)
        out[r * w + nf] += v->base_margin;
}

int model_build_shap(tg_model *m)
{
    const tg_model_view *v = &m->v;
    size_t total = 0;
    int qmax = 4;
    if (!(m->shap_at = malloc((v->num_trees + 1) * sizeof *m->shap_at)))
        return -1;
    for (size_t t = 0; t < v->num_trees; t++) {
        const tg_model_tree *tr = &v->trees[t];
        m->shap_at[t] = total;
        total += 2 * (size_t)tr->n_splits * (size_t)tree_points(tr);
        if (tree_points(tr) > qmax)
            qmax = tree_points(tr);
    }
    double *u = malloc(2 * (size_t)qmax * sizeof *u);
    if (!u || !(m->shap_inv = malloc((total ? total : 1) * sizeof(float)))) {
        free(u);
        return -1;
    }
    pthread_once(&gl_once, gl_init);
    for (size_t t = 0; t < v->num_trees; t++) {
        const tg_model_tree *tr = &v->trees[t];
        const int Q = tree_points(tr);
        if (Q <= GL_TABLE_MAX)
            memcpy(u, gl_u_tab + (size_t)(Q - 1) * (size_t)Q / 2,
                   (size_t)Q * sizeof *u);
        else
            gauss_legendre(Q, u, u + Q);
        float *inv = m->shap_inv + m->shap_at[t];
        for (uint32_t e = 0; e < 2 * tr->n_splits; e++) {
            /* The kernels' own float operations, point by point. */
            const float zp = v->splits[tr->split_offset + e / 2].zero_prev[e % 2];
            const float dp = 1.0f - zp;
            for (int j = 0; j < Q; j++)
                inv[(size_t)e * (size_t)Q + (size_t)j] =
                    1.0f / (zp + dp * (float)u[j]);
        }
    }
    free(u);
    return 0;
}

int model_contribs_batch(const tg_model *m, const float *rows, size_t nrows,
                         float *out, tg_err *err)
{
    const tg_model_view *v = model_view(m);
    const size_t nf = v->num_features;
    shap_scratch s;
    /* One row: the one-row kernel (the app's meter). */
    if (scratch_init(v, &s, nrows > 1, err) != TG_OK)
        return TG_EINTERNAL;
    for (size_t r = 0; r < nrows; r += BLOCK_ROWS)
        contribs_block(m, rows + r * nf,
                       nrows - r < BLOCK_ROWS ? nrows - r : BLOCK_ROWS,
                       out + r * (nf + 1), &s);
    scratch_free(&s);
    return TG_OK;
}

int model_contribs(const tg_model *m, const float *row, float *out,
                   tg_err *err)
{
    return model_contribs_batch(m, row, 1, out, err);
}

/* ---- Saabas ---------------------------------------------------------------- */

void model_contribs_approx(const tg_model *m, const float *row, float *out)
{
    const tg_model_view *v = model_view(m);
    const tg_model_node *nd = v->nodes;
    const size_t nf = v->num_features;
    uint32_t feat[TG_MODEL_MAX_DEPTH + 1];
    float sum[TG_MODEL_MAX_DEPTH + 1];
    memset(out, 0, (nf + 1) * sizeof *out);
    for (size_t t = 0; t < v->num_trees; t++) {
        int32_t i = v->trees[t].root;
        float node_value = v->mean[i];
        uint32_t split = 0;
        size_t np = 0;
        /* This tree's sums per feature gather in (feat, sum), in float and
         * in path order like libxgboost's per-tree buffer, then join the
         * totals. The last step adds leaf - mean(leaf), which is 0. */
        for (int last = nd[i].info & TG_NODE_LEAF ? 1 : 0; !last;) {
            float delta;
            if (nd[i].info & TG_NODE_LEAF) {
                delta = nd[i].leaf - node_value;
                last = 1;
            } else {
                split = nd[i].info & TG_NODE_FEATURE_MASK;
                i = model_node_next(v, i, row);
                delta = v->mean[i] - node_value;
                node_value = v->mean[i];
            }
            size_t k = 0;
            while (k < np && feat[k] != split)
                k++;
            if (k == np) {
                feat[np] = split;
                sum[np++] = 0.0f;
            }
            sum[k] += delta;
        }
        for (size_t k = 0; k < np; k++)
            out[feat[k]] += sum[k];
        out[nf] += v->mean[v->trees[t].root];
    }
    out[nf] += v->base_margin;
}
