/* model_shap_rows.c: TreeSHAP (model_shap.c) for eight rows at a time, on
 * a CPU with AVX: each of a tree's four quadrature points is one register
 * whose lanes are the rows, so where a row goes at a split, and whether it
 * still follows the split's feature, are lane masks instead of branches.
 * Every lane does the operations model_shap.c's one-row kernel does for
 * that row and point, in the same order, so each row gets the same bits
 * as alone. */
#include "model_int.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

#define ROWS_TARGET __attribute__((target("avx")))
#define INLINE inline __attribute__((always_inline))
#define NP 4 /* points */

struct shap_rows {
    v8f *x;          /* per group: the rows by feature (nf x 8) */
    v8f *R, *D;      /* per split (and two leaf slots), per point */
    v8f *G, *GP;     /* per edge, per point */
    v8f *acc;        /* per feature, per point */
    v8i *on;         /* per edge: the lanes whose row follows it all */
    const float *rows[SHAP_ROW_GROUPS]; /* per group: its rows, as given */
    size_t n[SHAP_ROW_GROUPS];
    size_t nf;
    void *mem;
};

int shap_rows_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx");
}

shap_rows *shap_rows_new(const tg_model_view *v)
{
    size_t splits = 1;
    for (size_t t = 0; t < v->num_trees; t++)
        if (v->trees[t].n_splits > splits)
            splits = v->trees[t].n_splits;
    shap_rows *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->nf = v->num_features;
    const size_t nx = SHAP_ROW_GROUPS * r->nf, ns = (splits + 2) * NP;
    const size_t nacc = (r->nf + 1) * NP, non = 2 * splits + 1;
    const size_t n = nx + 6 * ns + nacc + non;
    if (!(r->mem = aligned_alloc(32, n * sizeof(v8f)))) {
        free(r);
        return NULL;
    }
    r->x = r->mem;
    r->R = r->x + nx;
    r->D = r->R + ns;
    r->G = r->D + ns;
    r->GP = r->G + 2 * ns;
    r->acc = r->GP + 2 * ns;
    r->on = (v8i *)(void *)(r->acc + nacc);
    memset(r->acc, 0, nacc * sizeof *r->acc); /* kept at 0 between trees */
    return r;
}

void shap_rows_free(shap_rows *r)
{
    if (r)
        free(r->mem);
    free(r);
}

void shap_rows_load(shap_rows *r, int g, const float *rows, size_t n)
{
    float *x = (float *)(void *)(r->x + (size_t)g * r->nf);
    r->rows[g] = rows;
    r->n[g] = n;
    for (size_t f = 0; f < r->nf; f++)
        for (size_t l = 0; l < 8; l++) /* spare lanes repeat the last row */
            x[f * 8 + l] = rows[(l < n ? l : n - 1) * r->nf + f];
}

static ROWS_TARGET INLINE v8f splat(float x)
{
    return (v8f){x, x, x, x, x, x, x, x};
}

static ROWS_TARGET INLINE v8i splati(int32_t x)
{
    return (v8i){x, x, x, x, x, x, x, x};
}

/* a where m is 0, b where it is all ones. */
static ROWS_TARGET INLINE v8f pick(v8f a, v8f b, v8i m)
{
    return (v8f)(((v8i)b & m) | ((v8i)a & ~m));
}

/* The lanes whose row goes right at split node i (model_node_next; a
 * categorical tree asks it row by row). */
static ROWS_TARGET INLINE v8i go_right(const shap_rows *r, int g,
                                       const tg_model_view *v, int32_t i,
                                       const v8f *x, int categorical)
{
    const tg_model_node *n = &v->nodes[i];
    if (categorical) {
        v8i m;
        for (size_t l = 0; l < 8; l++) {
            const float *row = r->rows[g] +
                               (l < r->n[g] ? l : r->n[g] - 1) * r->nf;
            m[l] = -(model_node_next(v, i, row) != i + 1);
        }
        return m;
    }
    const v8f xv = x[n->info & TG_NODE_FEATURE_MASK];
    const v8i ge = (v8i)(xv >= splat(n->split));
    const v8i nan = (v8i)(xv != xv);
    return ge | (nan & splati(-(int32_t)(n->info >> 31)));
}

/* One edge for the rows: factor and derivative per point, as edge4 in
 * model_shap.c works them out for each row. */
static ROWS_TARGET INLINE void edge(const tg_model_split *x, int side,
                                    v8i hot, v8i *on, int32_t none,
                                    const v8f *U, const float *inv, v8f *G,
                                    v8f *GP, v8i *o_out)
{
    const int32_t prev = x->prev[side];
    const v8i op = on[prev], o = hot & op;
    *o_out = o;
    const v8f bb = pick(splat(x->b[side][0]), splat(x->b[side][1]), o);
    const v8f aa = splat(x->a[side]);
    if (prev == none) {
        for (int j = 0; j < NP; j++) {
            G[j] = aa + bb * U[j];
            GP[j] = bb;
        }
        return;
    }
    const float z = x->zero[side], zp = x->zero_prev[side];
    const v8f d = pick(splat(0.0f - z), splat(1.0f - z), o);
    const v8f dp = splat(1.0f - zp), zz = splat(z);
    for (int j = 0; j < NP; j++) {
        const v8f iv = splat(inv[j]);
        const v8f g = (zz + d * U[j]) * iv;
        G[j] = pick(aa + bb * U[j], g, op);
        GP[j] = pick(bb, (d - g * dp) * iv, op);
    }
}

/* tree_shap4 for the rows of group g, into r->acc. */
static ROWS_TARGET void rows_tree(shap_rows *r, int g, const tg_model_view *v,
                                  const tg_model_tree *t, const v8f *U,
                                  const float *inv)
{
    const tg_model_split *sp = v->splits + t->split_offset;
    const int32_t ns = (int32_t)t->n_splits, nu = (int32_t)t->n_upper;
    const int32_t none = 2 * ns;
    const int cat = (t->flags & TG_TREE_CATEGORICAL) != 0;
    const v8f *x = r->x + (size_t)g * r->nf;
    v8f *R = r->R, *D = r->D, *G = r->G, *GP = r->GP, *acc = r->acc;
    v8i *on = r->on, dummy[2];
    on[none] = splati(-1);
    for (int j = 0; j < NP; j++)
        R[j] = splat(1.0f);
    for (int32_t k = 0; k < nu; k++) {
        const tg_model_split *s = &sp[k];
        const v8i right = go_right(r, g, v, s->node, x, cat);
        edge(s, 0, ~right, on, none, U, inv + 8 * k, &G[2 * k * NP],
             &GP[2 * k * NP], &on[2 * k]);
        edge(s, 1, right, on, none, U, inv + 8 * k + 4, &G[(2 * k + 1) * NP],
             &GP[(2 * k + 1) * NP], &on[2 * k + 1]);
        for (int j = 0; j < NP; j++) {
            R[s->child[0] * NP + j] = R[k * NP + j] * G[2 * k * NP + j];
            R[s->child[1] * NP + j] = R[k * NP + j] * G[(2 * k + 1) * NP + j];
        }
    }
    for (int32_t k = nu; k < ns; k++) {
        const tg_model_split *s = &sp[k];
        const v8i right = go_right(r, g, v, s->node, x, cat);
        v8f g0[NP], p0[NP], g1[NP], p1[NP];
        edge(s, 0, ~right, on, none, U, inv + 8 * k, g0, p0, &dummy[0]);
        edge(s, 1, right, on, none, U, inv + 8 * k + 4, g1, p1, &dummy[1]);
        const v8f l0 = splat(s->leaf[0]), l1 = splat(s->leaf[1]);
        for (int j = 0; j < NP; j++) {
            D[k * NP + j] = g0[j] * l0 + g1[j] * l1;
            acc[s->feature * NP + j] += R[k * NP + j] * (p0[j] * l0 + p1[j] * l1);
        }
    }
    for (int32_t k = nu - 1; k >= 0; k--) {
        const tg_model_split *s = &sp[k];
        for (int j = 0; j < NP; j++) {
            D[ns * NP + j] = splat(s->leaf[0]);
            D[(ns + 1) * NP + j] = splat(s->leaf[1]);
        }
        const v8f *d0 = &D[s->child[0] * NP], *d1 = &D[s->child[1] * NP];
        const v8f *G0 = &G[2 * k * NP], *G1 = G0 + NP;
        const v8f *P0 = &GP[2 * k * NP], *P1 = P0 + NP;
        for (int j = 0; j < NP; j++) {
            const v8f a = d0[j], b = d1[j];
            D[k * NP + j] = G0[j] * a + G1[j] * b;
            acc[s->feature * NP + j] += R[k * NP + j] * (P0[j] * a + P1[j] * b);
        }
    }
}

/* Lanes l (and l + 4 in hi) of v as doubles. */
static ROWS_TARGET INLINE v4d lo_d(v8f v)
{
    return (v4d){v[0], v[1], v[2], v[3]};
}

static ROWS_TARGET INLINE v4d hi_d(v8f v)
{
    return (v4d){v[4], v[5], v[6], v[7]};
}

ROWS_TARGET void shap_rows_tree(shap_rows *r, int g, const tg_model_view *v,
                                const tg_model_tree *t, const float *u,
                                const float *w, const float *inv, float *out,
                                size_t stride, size_t n)
{
    const v8f U[NP] = {splat(u[0]), splat(u[1]), splat(u[2]), splat(u[3])};
    rows_tree(r, g, v, t, U, inv);
    /* Per row: the points' values times their weights, summed in double
     * ((p0 + p1) + (p2 + p3)), rounded to float and added, as alone. */
    const uint32_t *f = v->features + t->feat_offset;
    for (uint32_t i = 0; i < t->n_feats; i++) {
        v8f *a = &r->acc[f[i] * NP];
        v8f p[NP];
        for (int j = 0; j < NP; j++) {
            p[j] = splat(w[j]) * a[j];
            a[j] = splat(0.0f);
        }
        const v4d zero = {0.0, 0.0, 0.0, 0.0};
        const v4d c_lo = zero + ((lo_d(p[0]) + lo_d(p[1])) +
                                 (lo_d(p[2]) + lo_d(p[3])));
        const v4d c_hi = zero + ((hi_d(p[0]) + hi_d(p[1])) +
                                 (hi_d(p[2]) + hi_d(p[3])));
        for (size_t l = 0; l < n; l++)
            out[l * stride + f[i]] += (float)(l < 4 ? c_lo[l] : c_hi[l - 4]);
    }
}

#else /* no AVX kernel on this platform */

int shap_rows_supported(void)
{
    return 0;
}

shap_rows *shap_rows_new(const tg_model_view *v)
{
    (void)v;
    return NULL;
}

void shap_rows_free(shap_rows *r)
{
    (void)r;
}

void shap_rows_load(shap_rows *r, int g, const float *rows, size_t n)
{
    (void)r, (void)g, (void)rows, (void)n;
}

void shap_rows_tree(shap_rows *r, int g, const tg_model_view *v,
                    const tg_model_tree *t, const float *u, const float *w,
                    const float *inv, float *out, size_t stride, size_t n)
{
    (void)r, (void)g, (void)v, (void)t, (void)u, (void)w, (void)inv;
    (void)out, (void)stride, (void)n;
}

#endif
