/* report_pilot_boot.c: the pilot's figures and their intervals from the
 * units of report_pilot_read.c: a cluster bootstrap over customers, 400
 * resamples on two threads, resample b weighing every cluster by a
 * Poisson(1) draw from its own generator seeded by b, so the interval does
 * not depend on the threads.
 *
 * Each thread goes over the clusters once, in blocks small enough to stay
 * in the cache, and adds each block into all of its resamples' sums (each
 * resample's generator drawing the block's weights in turn), rather than
 * going over every cluster once per resample. Every sum still receives the
 * same terms in the same order, each a weight times the same sum of a
 * cluster's units, so the figures are the same to the bit as one
 * resample at a time gives them. */
#include "report_pilot_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/stats.h"

enum { F_AVOIDED, F_NET, F_ROI, F_RESALE, F_SAT, F_FIGURES };

/* Two doubles added or multiplied lane by lane, each lane exactly as the
 * same operation on one double (the build is ISO C11, whose compilers
 * fuse no multiply with an add across statements). */
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2i __attribute__((vector_size(16)));

/* A cluster's units of one arm, week and month summed: a resample weighs
 * a cluster as a whole, so it adds these (a few per customer) rather than
 * every line and order. at: where its sums go among a resample's slots
 * (bucket * 2 + arm: bucket 0 all, then the weeks, then the months; the
 * spare slots past them take a week or month outside those shown). */
typedef struct agg {
    uint32_t cluster;
    uint16_t at[3];
    v2d v[S_SUMS / 2];
} agg;

/* Each arm's aggs in the order of their clusters (an arm's sums take
 * nothing from the other's, so the arms are added apart). */
typedef struct aggs {
    agg *v[2];
    size_t n[2];
    uint32_t clusters;
    int buckets;             /* 1 + weeks + months */
    int slots;               /* (buckets + 1) * 2 */
} aggs;

/* A cluster's unit's slots (see agg). */
static void unit_slots(const tg_report_pilot *o, const aggs *g,
                       const pilot_unit *u, uint16_t *at)
{
    int spare = g->slots - 2 + u->arm;
    at[0] = (uint16_t)u->arm;
    at[1] = (uint16_t)(u->week >= 0 && u->week < o->n_weeks
                           ? (1 + u->week) * 2 + u->arm : spare);
    at[2] = (uint16_t)(u->month >= 0 && u->month < o->n_months
                           ? (1 + o->n_weeks + u->month) * 2 + u->arm
                           : spare);
}

/* Sums the units of each cluster (contiguous, as pilot_read_lines gives
 * them) by arm, week and month, in the order the units come. */
static int gather(const pilot_scan *c, const tg_report_pilot *o, aggs *g)
{
    for (int a = 0; a < 2; a++)
        if (!(g->v[a] = malloc((c->n ? c->n : 1) * sizeof *g->v[a])))
            return -1;
    g->clusters = c->clusters;
    g->buckets = 1 + o->n_weeks + o->n_months;
    g->slots = (g->buckets + 1) * 2;
    size_t first[2] = {0, 0}; /* each arm's first agg of the cluster */
    for (size_t i = 0; i < c->n; i++) {
        const pilot_unit *u = &c->u[i];
        uint16_t at[3];
        unit_slots(o, g, u, at);
        agg *v = g->v[u->arm];
        size_t *n = &g->n[u->arm];
        if (!*n || v[*n - 1].cluster != u->cluster)
            first[u->arm] = *n;
        size_t k = first[u->arm];
        while (k < *n && memcmp(v[k].at, at, sizeof at))
            k++;
        if (k == *n) {
            memset(&v[k], 0, sizeof v[k]);
            v[k].cluster = u->cluster;
            memcpy(v[k].at, at, sizeof at);
            (*n)++;
        }
        for (int j = 0; j < S_SUMS; j++)
            v[k].v[j / 2][j % 2] += u->v[j];
    }
    return 0;
}

/* Adds one arm's aggs v[0..n) into the sums s ([slot][S_SUMS]), cluster k
 * weighed w[k - base], without a branch on the weights (which would be
 * unforeseeable): an agg of a cluster weighed 0 adds a zero (its terms
 * masked off), which leaves a sum as it is: a sum starts at +0 and so is
 * never -0, and x + +0 is x (a NaN or an infinity too). The sums thus get
 * the same terms, in the same order, as when such a cluster is skipped.
 * The arm's sum of all, which every agg adds to, is held in registers. */
static void add_arm(const agg *v, size_t n, const uint8_t *w, uint32_t base,
                    int arm, double *s)
{
    v2d all[S_SUMS / 2];
    memcpy(all, s + arm * S_SUMS, sizeof all);
    for (size_t i = 0; i < n; i++) {
        const agg *a = &v[i];
        unsigned wt = w[a->cluster - base];
        v2d dw = {(double)wt, (double)wt};
        int64_t on = wt ? -1 : 0;
        v2i nz = {on, on};
        double *x1 = s + (size_t)a->at[1] * S_SUMS;
        double *x2 = s + (size_t)a->at[2] * S_SUMS;
#pragma GCC unroll 4
        for (int j = 0; j < S_SUMS / 2; j++) {
            v2d p = (v2d)((v2i)(dw * a->v[j]) & nz);
            all[j] += p;
            *(v2d *)(x1 + 2 * j) += p;
            *(v2d *)(x2 + 2 * j) += p;
        }
    }
    memcpy(s + arm * S_SUMS, all, sizeof all);
}

/* A block of clusters: each arm's aggs [from[a], to[a]), their clusters
 * up to last; about BLOCK aggs, small enough to stay in the cache while
 * every resample of a thread adds them. */
#define BLOCK 1024
typedef struct block {
    size_t from[2], to[2];
    uint32_t last;
} block;

/* The block after b (b->to: where it starts); 0 when there is none. */
static int next_block(const aggs *g, block *b)
{
    int lead = b->to[0] < g->n[0] ? 0 : 1;
    if (b->to[lead] >= g->n[lead])
        return 0;
    size_t end = b->to[lead] + BLOCK / 2;
    b->last = g->v[lead][(end < g->n[lead] ? end : g->n[lead]) - 1].cluster;
    for (int a = 0; a < 2; a++) {
        b->from[a] = b->to[a];
        while (b->to[a] < g->n[a] && g->v[a][b->to[a]].cluster <= b->last)
            b->to[a]++;
    }
    return 1;
}

/* Adds the block's aggs into s. */
static void add_block(const aggs *g, const block *b, const uint8_t *w,
                      uint32_t base, double *s)
{
    for (int a = 0; a < 2; a++)
        add_arm(g->v[a] + b->from[a], b->to[a] - b->from[a], w, base, a, s);
}

/* ---- the figures ----------------------------------------------------------- */

/* The figures from two arms' sums (see report.h). */
static void figures(const double *c, const double *t, double *out)
{
    double nc = c[S_SETTLED], nt = t[S_SETTLED];
    for (int k = 0; k < F_FIGURES; k++)
        out[k] = NAN;
    if (nc > 0 && nt > 0) {
        out[F_AVOIDED] = (c[S_RETURNED] / nc - t[S_RETURNED] / nt) * nt;
        out[F_NET] = (c[S_COST] / nc - t[S_COST] / nt) * nt;
        out[F_RESALE] = (c[S_LOST] / nc - t[S_LOST] / nt) * nt;
        out[F_ROI] = t[S_SPEND] > 0 ? out[F_NET] / t[S_SPEND] : NAN;
    }
    if (c[S_ORDERS] > 0 && t[S_ORDERS] > 0)
        out[F_SAT] = t[S_SAT] / t[S_ORDERS] - c[S_SAT] / c[S_ORDERS];
}

/* The figures of one resample's sums into stat[bucket][figure][b]. */
static void keep_figures(const aggs *g, const double *m, int b, int B,
                         double *stat)
{
    for (int k = 0; k < g->buckets; k++) {
        double f[F_FIGURES];
        figures(m + (size_t)k * 2 * S_SUMS, m + ((size_t)k * 2 + 1) * S_SUMS,
                f);
        for (int j = 0; j < F_FIGURES; j++)
            stat[((size_t)k * F_FIGURES + j) * (size_t)(B + 1) + b] = f[j];
    }
}

/* ---- the resamples --------------------------------------------------------- */

/* The resamples b = from, from + step, ... below B, on a thread. */
typedef struct boot_job {
    const aggs *g;
    uint64_t seed;
    int from, step, B, failed;
    double *stat;
} boot_job;

/* A thread's resamples: a generator and the sums ([slot][S_SUMS]) of
 * each, and a block's weights. */
typedef struct boot_set {
    int n;
    tg_rng *rng;
    double *sums;
    uint8_t *w;
} boot_set;

static size_t sums_size(const aggs *g)
{
    return (size_t)g->slots * S_SUMS;
}

static int set_alloc(boot_set *t, const boot_job *j)
{
    t->n = j->from < j->B ? (j->B - j->from + j->step - 1) / j->step : 0;
    size_t nr = t->n ? (size_t)t->n : 1;
    t->rng = malloc(nr * sizeof *t->rng);
    t->sums = calloc(nr * sums_size(j->g), sizeof *t->sums);
    t->w = malloc((size_t)j->g->clusters + 1);
    if (!t->rng || !t->sums || !t->w)
        return -1;
    for (int r = 0; r < t->n; r++)
        tg_rng_seed(&t->rng[r], tg_mix64(tg_mix64(j->seed) ^
                                         (uint64_t)(j->from + r * j->step)));
    return 0;
}

static void *boot_thread(void *arg)
{
    boot_job *j = arg;
    const aggs *g = j->g;
    boot_set t = {0};
    j->failed = set_alloc(&t, j) != 0;
    uint32_t drawn = 0; /* the clusters below have had their weights */
    block b = {{0, 0}, {0, 0}, 0};
    while (!j->failed && next_block(g, &b)) {
        for (int r = 0; r < t.n; r++) {
            stats_poisson1_fill(&t.rng[r], t.w, b.last + 1 - drawn);
            add_block(g, &b, t.w, drawn, t.sums + r * sums_size(g));
        }
        drawn = b.last + 1;
    }
    for (int r = 0; !j->failed && r < t.n; r++)
        keep_figures(g, t.sums + r * sums_size(g), j->from + r * j->step,
                     j->B, j->stat);
    free(t.rng);
    free(t.sums);
    free(t.w);
    return NULL;
}

/* Every cluster once, into m ([slot][S_SUMS]): the figures themselves. */
static int every_cluster(const aggs *g, double *m)
{
    uint8_t *w = malloc((size_t)g->clusters + 1);
    if (!w)
        return -1;
    memset(w, 1, (size_t)g->clusters + 1);
    block b = {{0, 0}, {g->n[0], g->n[1]}, g->clusters};
    add_block(g, &b, w, 0, m);
    free(w);
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The 2.5% and 97.5% quantiles of the finite values of x[0..n) (NaN when
 * fewer than half are finite). */
static void interval(double *x, int n, double *lo, double *hi)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]))
            x[k++] = x[i];
    *lo = *hi = NAN;
    if (k < 2 || k < n / 2)
        return;
    qsort(x, (size_t)k, sizeof *x, cmp_double);
    *lo = stats_quantile(x, (size_t)k, 0.025);
    *hi = stats_quantile(x, (size_t)k, 0.975);
}

static tg_ci *ci_of(tg_report_pilot *o, int bucket, int fig)
{
    tg_pilot_period *p = bucket == 0 ? NULL
                         : bucket <= o->n_weeks ? &o->week[bucket - 1]
                         : &o->month[bucket - 1 - o->n_weeks];
    tg_ci *all[F_FIGURES] = {&o->returns_avoided, &o->net_saving, &o->roi,
                             &o->resale_recovered, &o->satisfaction_change};
    if (!p)
        return all[fig];
    tg_ci *per[F_FIGURES] = {&p->returns_avoided, &p->net_saving, &p->roi,
                             &p->resale_recovered, NULL};
    return per[fig];
}

/* Each arm's totals and rates, in all and per period, from the sums of
 * every cluster once. */
static void arm_totals(tg_report_pilot *o, int nb, const double *m)
{
    for (int k = 0; k < nb; k++)
        for (int a = 0; a < 2; a++) {
            const double *v = m + ((size_t)k * 2 + a) * S_SUMS;
            tg_pilot_arm *arm = k == 0 ? &o->arm[a]
                                : k <= o->n_weeks ? &o->week[k - 1].arm[a]
                                : &o->month[k - 1 - o->n_weeks].arm[a];
            arm->returns = report_rate(lround(v[S_RETURNED]),
                                       lround(v[S_SETTLED]));
            arm->recorded = report_rate(lround(v[S_RECORDED]),
                                        lround(v[S_SETTLED]));
            arm->orders = lround(v[S_ORDERS]);
            arm->satisfaction = v[S_ORDERS] > 0 ? v[S_SAT] / v[S_ORDERS]
                                                : NAN;
            arm->return_cost = v[S_COST] - v[S_SPEND];
            arm->value_lost = v[S_LOST];
            arm->spend = v[S_SPEND];
        }
}

#define BOOT_THREADS 2

/* The figures, their intervals and the arms' rates from the resamples and
 * from every cluster once. */
static void conclude(tg_report_pilot *o, const aggs *g, double *stat,
                     const double *m, int B)
{
    for (int k = 0; k < g->buckets; k++)
        for (int j = 0; j < F_FIGURES; j++) {
            tg_ci *ci = ci_of(o, k, j);
            double *x = stat + ((size_t)k * F_FIGURES + j) * (size_t)(B + 1);
            if (!ci)
                continue;
            ci->value = x[B];
            interval(x, B, &ci->lo, &ci->hi);
        }
    arm_totals(o, g->buckets, m);
}

int pilot_bootstrap(const pilot_scan *c, tg_report_pilot *o, tg_err *err)
{
    int B = TG_PILOT_RESAMPLES;
    aggs g = {0};
    int bad = gather(c, o, &g);
    int nb = g.buckets;
    double *stat = bad ? NULL : calloc((size_t)nb * F_FIGURES * (size_t)(B + 1),
                                       sizeof *stat);
    double *m = stat ? calloc(sums_size(&g), sizeof *m) : NULL;
    boot_job jobs[BOOT_THREADS];
    for (int t = 0; m && t < BOOT_THREADS; t++)
        jobs[t] = (boot_job){&g, (uint64_t)o->seed, t, BOOT_THREADS, B, 0,
                             stat};
    if (m)
        tg_parallel(boot_thread, jobs, sizeof *jobs, BOOT_THREADS);
    for (int t = 0; m && t < BOOT_THREADS; t++)
        bad |= jobs[t].failed;
    bad |= !m || every_cluster(&g, m);
    int rc = bad ? tg_fail(err, TG_EINTERNAL, "out of memory") : TG_OK;
    if (rc == TG_OK) {
        keep_figures(&g, m, B, B, stat);
        conclude(o, &g, stat, m, B);
    }
    free(g.v[0]);
    free(g.v[1]);
    free(stat);
    free(m);
    return rc;
}
