/* stats.h: the statistics behind the simulation's headline figures: the
 * relative return reduction of an arm against a reference arm (control,
 * or the same shoppers played without nudges), the difference of two
 * arms' reductions, and their percentile intervals from a cluster
 * bootstrap over shoppers. Pure functions, tested against answers worked
 * out independently (tests/unit/test_stats.c). */
#ifndef TRENDGUARD_STATS_H
#define TRENDGUARD_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/util.h"

#define TG_STATS_MAX_ARMS 8

/* 1 - (rk / lk) / (r0 / l0): how much lower arm k's return rate is than
 * control's, as a share of control's. 0 when either rate is undefined or
 * control returned nothing. */
double stats_relative_reduction(double r0, double l0, double rk, double lk);

/* The q-quantile (0 <= q <= 1) of n >= 1 sorted values, interpolated
 * linearly between order statistics (R's type 7). */
double stats_quantile(const double *sorted, size_t n, double q);

/* A Poisson(1) draw: how many times a unit counts in one resample of the
 * Poisson bootstrap (as drawing with replacement does for many units). */
int stats_poisson1(tg_rng *r);

/* n draws of stats_poisson1 into w, the same numbers from the same
 * generator, without a branch per draw (for the bootstraps' weights). */
void stats_poisson1_fill(tg_rng *r, uint8_t *w, size_t n);

/* Units of the cluster bootstrap (shoppers): unit i bought lines[i * arms
 * + k] lines and returned returns[i * arms + k] of them in arm k; arm 0 is
 * control. A unit may sit in several arms (paired: the same shopper played
 * with and without nudges) or in one (split: its other arms are 0). */
typedef struct tg_boot_data {
    const int32_t *lines, *returns;
    size_t n;
    int arms; /* 2 .. TG_STATS_MAX_ARMS */
} tg_boot_data;

typedef struct tg_boot_opts {
    int resamples;  /* B >= 2 */
    double level;   /* e.g. 0.95 */
    uint64_t seed;  /* resample b draws from tg_mix64(tg_mix64(seed) ^ b) */
    int threads;    /* 1 .. 8; the result does not depend on it */
} tg_boot_opts;

/* The Poisson bootstrap: in each resample every unit gets a weight drawn
 * from Poisson(1) that multiplies all of its lines and returns in every
 * arm together (so a paired unit stays paired); the statistic is
 * stats_relative_reduction of each arm k >= 1 against arm 0. lo[k] and
 * hi[k] get the (1 - level) / 2 and (1 + level) / 2 quantiles of the
 * resamples (lo[0] = hi[0] = 0). */
int stats_boot_reduction(const tg_boot_data *d, const tg_boot_opts *o,
                         double *lo, double *hi, tg_err *err);

/* One figure of the bootstrap: arm `arm`'s reduction against arm `ref`,
 * less arm `minus`'s reduction against the same `ref` when minus >= 0.
 * With every arm on the same units (paired) the difference of two arms'
 * reductions is measured on the same shoppers: what they share cancels. */
typedef struct tg_boot_contrast {
    int ref, arm, minus;
} tg_boot_contrast;

/* The contrast on totals: returns R[k] of lines L[k] in arm k. */
double stats_contrast(const tg_boot_contrast *c, const double *R,
                      const double *L);

/* The intervals of n contrasts (lo[i], hi[i]), every one from the same
 * resamples (the Poisson weights of stats_boot_reduction, drawn from the
 * same seeds): stats_boot_reduction is the contrasts {0, k, -1}. Arms out
 * of range are refused. */
int stats_boot_contrasts(const tg_boot_data *d, const tg_boot_opts *o,
                         const tg_boot_contrast *c, int n, double *lo,
                         double *hi, tg_err *err);

#endif
