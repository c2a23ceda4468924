/* stats.c: the relative return reduction, the difference of two arms'
 * reductions and their cluster-bootstrap intervals (stats.h). Resamples are spread over threads by index and each
 * draws from its own seed, so the interval does not depend on the number
 * of threads. */
#include "trendguard/stats.h"

#include <math.h>
#include <stdlib.h>

double stats_relative_reduction(double r0, double l0, double rk, double lk)
{
    if (!(l0 > 0) || !(lk > 0) || !(r0 > 0))
        return 0;
    return 1 - (rk / lk) / (r0 / l0);
}

double stats_quantile(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

/* Poisson(1) weights (each unit drawn w times, as in resampling with
 * replacement for large samples); cdf[k] = P(W <= k). */
static const double poisson1_cdf[] = {
    0.36787944117144233, 0.7357588823428847, 0.9196986029286058,
    0.9810118431238462,  0.9963401531726563, 0.9994058151824183,
    0.9999167588507401,  0.9999897508033575, 0.9999988747974347};
#define POISSON1_STEPS 9

int stats_poisson1(tg_rng *r)
{
    double u = tg_rng_uniform(r);
    int k = 0;
    while (k < POISSON1_STEPS && u >= poisson1_cdf[k])
        k++;
    return k;
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* The draws of stats_poisson1 without its unforeseeable branches: a
 * uniform is m * 2^-53 for the top 53 bits m of tg_rng_next's number, so
 * u >= cdf[k] exactly when m >= ceil(cdf[k] * 2^53) (both sides scaled by
 * a power of two, m whole), and the draw is how many of those bounds m
 * reaches: the first three counted without a branch, the rest (one draw
 * in fifty) past one. The generator's step is tg_rng_next's, on the
 * state held in registers. */
void stats_poisson1_fill(tg_rng *r, uint8_t *w, size_t n)
{
    uint64_t bound[POISSON1_STEPS];
    for (int k = 0; k < POISSON1_STEPS; k++)
        bound[k] = (uint64_t)ceil(poisson1_cdf[k] * 0x1p53);
    uint64_t s0 = r->s[0], s1 = r->s[1], s2 = r->s[2], s3 = r->s[3];
    for (size_t i = 0; i < n; i++) {
        uint64_t m = (rotl64(s1 * 5, 7) * 9) >> 11;
        uint64_t t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl64(s3, 45);
        unsigned k = (m >= bound[0]) + (m >= bound[1]) + (m >= bound[2]);
        if (m >= bound[3])
            for (int j = 3; j < POISSON1_STEPS; j++)
                k += m >= bound[j];
        w[i] = (uint8_t)k;
    }
    r->s[0] = s0;
    r->s[1] = s1;
    r->s[2] = s2;
    r->s[3] = s3;
}

double stats_contrast(const tg_boot_contrast *c, const double *R,
                      const double *L)
{
    double v = stats_relative_reduction(R[c->ref], L[c->ref], R[c->arm],
                                        L[c->arm]);
    if (c->minus >= 0)
        v -= stats_relative_reduction(R[c->ref], L[c->ref], R[c->minus],
                                      L[c->minus]);
    return v;
}

typedef struct boot_job {
    const tg_boot_data *d;
    const tg_boot_opts *o;
    const tg_boot_contrast *c;
    int nc;
    int from, step;
    double *stat; /* [contrasts][resamples] */
} boot_job;

static void *boot_thread(void *arg)
{
    const boot_job *j = arg;
    const tg_boot_data *d = j->d;
    int B = j->o->resamples, A = d->arms;
    for (int b = j->from; b < B; b += j->step) {
        tg_rng r;
        tg_rng_seed(&r, tg_mix64(tg_mix64(j->o->seed) ^ (uint64_t)b));
        double L[TG_STATS_MAX_ARMS] = {0}, R[TG_STATS_MAX_ARMS] = {0};
        for (size_t i = 0; i < d->n; i++) {
            int w = stats_poisson1(&r);
            if (!w)
                continue;
            const int32_t *l = d->lines + i * (size_t)A;
            const int32_t *t = d->returns + i * (size_t)A;
            for (int k = 0; k < A; k++) {
                L[k] += w * l[k];
                R[k] += w * t[k];
            }
        }
        for (int k = 0; k < j->nc; k++)
            j->stat[(size_t)k * (size_t)B + (size_t)b] =
                stats_contrast(&j->c[k], R, L);
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int contrasts_ok(const tg_boot_data *d, const tg_boot_contrast *c,
                        int n)
{
    for (int i = 0; i < n; i++)
        if (c[i].ref < 0 || c[i].ref >= d->arms || c[i].arm < 0 ||
            c[i].arm >= d->arms || c[i].minus >= d->arms)
            return 0;
    return 1;
}

int stats_boot_contrasts(const tg_boot_data *d, const tg_boot_opts *o,
                         const tg_boot_contrast *c, int n, double *lo,
                         double *hi, tg_err *err)
{
    if (!d || !o || !c || n < 1 || d->arms < 2 ||
        d->arms > TG_STATS_MAX_ARMS || o->resamples < 2 ||
        !(o->level > 0 && o->level < 1) ||
        (d->n && (!d->lines || !d->returns)) || !contrasts_ok(d, c, n))
        return tg_fail(err, TG_EINTERNAL, "bootstrap: bad arguments");
    size_t B = (size_t)o->resamples;
    double *stat = calloc((size_t)n * B, sizeof *stat);
    if (!stat)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int nt = o->threads < 1 ? 1 : o->threads > 8 ? 8 : o->threads;
    boot_job jobs[8];
    for (int t = 0; t < nt; t++)
        jobs[t] = (boot_job){d, o, c, n, t, nt, stat};
    tg_parallel(boot_thread, jobs, sizeof *jobs, nt);
    for (int k = 0; k < n; k++) {
        double *v = stat + (size_t)k * B;
        qsort(v, B, sizeof *v, cmp_double);
        lo[k] = stats_quantile(v, B, (1 - o->level) / 2);
        hi[k] = stats_quantile(v, B, (1 + o->level) / 2);
    }
    free(stat);
    return TG_OK;
}

int stats_boot_reduction(const tg_boot_data *d, const tg_boot_opts *o,
                         double *lo, double *hi, tg_err *err)
{
    if (!d || d->arms < 2 || d->arms > TG_STATS_MAX_ARMS)
        return tg_fail(err, TG_EINTERNAL, "bootstrap: bad arguments");
    tg_boot_contrast c[TG_STATS_MAX_ARMS];
    for (int k = 1; k < d->arms; k++)
        c[k - 1] = (tg_boot_contrast){0, k, -1};
    int rc = stats_boot_contrasts(d, o, c, d->arms - 1, lo + 1, hi + 1, err);
    if (rc == TG_OK)
        lo[0] = hi[0] = 0;
    return rc;
}
