/* test_stats.c: the relative return reduction, the difference of two
 * arms' reductions (split and paired) and their cluster-bootstrap
 * intervals against answers worked out independently of the code: by
 * hand, from the delta method, and by coverage over data drawn from a
 * known distribution. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "testutil.h"
#include "trendguard/stats.h"

/* The reduction by hand: 30 of 100 returned in control and 21 of 100
 * treated is 1 - 0.21 / 0.30 = 0.3; 30/100 against 36/120 is 0. */
static void relative_reduction_by_hand(void **state)
{
    (void)state;
    assert_float_equal(stats_relative_reduction(30, 100, 21, 100), 0.3,
                       1e-12);
    assert_float_equal(stats_relative_reduction(30, 100, 36, 120), 0, 1e-12);
    assert_float_equal(stats_relative_reduction(20, 100, 30, 100), -0.5,
                       1e-12);
    assert_float_equal(stats_relative_reduction(10, 50, 0, 40), 1, 1e-12);
    /* Undefined rates give 0, never a division by zero. */
    assert_true(stats_relative_reduction(0, 100, 5, 100) == 0);
    assert_true(stats_relative_reduction(5, 0, 5, 100) == 0);
    assert_true(stats_relative_reduction(5, 100, 0, 0) == 0);
}

/* Type-7 quantiles of 1..5 by hand: h = (n - 1) q. */
static void quantiles_by_hand(void **state)
{
    (void)state;
    const double v[] = {1, 2, 3, 4, 5};
    assert_float_equal(stats_quantile(v, 5, 0), 1, 1e-12);
    assert_float_equal(stats_quantile(v, 5, 0.5), 3, 1e-12);
    assert_float_equal(stats_quantile(v, 5, 0.25), 2, 1e-12);
    assert_float_equal(stats_quantile(v, 5, 0.1), 1.4, 1e-12);
    assert_float_equal(stats_quantile(v, 5, 0.975), 4.9, 1e-12);
    assert_float_equal(stats_quantile(v, 5, 1), 5, 1e-12);
    assert_float_equal(stats_quantile(v, 1, 0.3), 1, 1e-12);
}

/* Units with one line each: the first n0 in control (k0 of them returned),
 * the next n1 in arm 1 (k1 returned). */
/* The branchless draws are stats_poisson1's, number for number, and
 * leave the generator where as many single draws would. */
static void poisson_fill_is_the_same_stream(void **state)
{
    (void)state;
    enum { N = 1 << 18 };
    uint8_t *w = malloc(N);
    assert_non_null(w);
    long seen[10] = {0};
    for (uint64_t seed = 0; seed < 8; seed++) {
        tg_rng a, b;
        tg_rng_seed(&a, tg_mix64(seed));
        b = a;
        size_t n = N - (size_t)seed * 977; /* lengths that end anywhere */
        stats_poisson1_fill(&a, w, n);
        for (size_t i = 0; i < n; i++) {
            int k = stats_poisson1(&b);
            if (w[i] != k)
                fail_msg("seed %d, draw %zu: %d, not %d", (int)seed, i,
                         w[i], k);
            seen[k]++;
        }
        assert_memory_equal(&a, &b, sizeof a);
        assert_true(tg_rng_next(&a) == tg_rng_next(&b));
    }
    for (int k = 0; k <= 6; k++) /* every weight up to 6 was drawn */
        assert_true(seen[k] > 0);
    free(w);
}

static void split_units(int32_t *l, int32_t *r, int n0, int k0, int n1,
                        int k1)
{
    for (int i = 0; i < n0 + n1; i++) {
        int c = i < n0;
        l[2 * i] = c;
        l[2 * i + 1] = !c;
        r[2 * i] = c && i < k0;
        r[2 * i + 1] = !c && i - n0 < k1;
    }
}

/* A treatment identical to its control, unit by unit, is paired: every
 * resample weighs both arms of a unit alike, so every resample's reduction
 * is exactly 0 and so is the interval's width. */
static void identical_pairs_give_exactly_zero(void **state)
{
    (void)state;
    enum { N = 3000 };
    int32_t *l = malloc(2 * N * sizeof *l), *r = malloc(2 * N * sizeof *r);
    tg_rng g;
    tg_rng_seed(&g, 11);
    for (int i = 0; i < N; i++) {
        l[2 * i] = l[2 * i + 1] = 1 + (int32_t)tg_rng_below(&g, 6);
        r[2 * i] = r[2 * i + 1] = (int32_t)tg_rng_below(&g, (uint64_t)l[2 * i] + 1);
    }
    tg_boot_data d = {l, r, N, 2};
    tg_boot_opts o = {500, 0.95, 5, 2};
    double lo[2], hi[2];
    tg_err err = {0};
    assert_int_equal(stats_boot_reduction(&d, &o, lo, hi, &err), TG_OK);
    assert_true(lo[1] == 0 && hi[1] == 0);
    free(l);
    free(r);
}

/* Control 6,000 of 20,000 returned (0.30), treatment 4,200 of 20,000
 * (0.21): the reduction is 0.30. By the delta method the log of the rate
 * ratio has variance (1 - p1)/(n p1) + (1 - p0)/(n p0) = 0.79/4200 +
 * 0.7/6000 = 3.0476e-4, sd 0.017457, so the 95% interval of the reduction
 * is 1 - 0.7 exp(+-1.95996 x 0.017457) = [0.27563, 0.32355], width
 * 0.04791; the 50% interval is 2 x 0.7 sinh(0.67449 x 0.017457) = 0.01649
 * wide. (python3: import math; s = math.sqrt(.79/4200 + .7/6000);
 * 1 - .7 * math.exp(1.959964 * s), 1 - .7 * math.exp(-1.959964 * s).)
 * A bootstrap that did not weigh the returns would see only the lines'
 * spread, sd sqrt(2/20000) = 0.01: 0.0274 wide. */
static void interval_width_and_level_match_the_delta_method(void **state)
{
    (void)state;
    enum { N0 = 20000, N1 = 20000 };
    int32_t *l = malloc(2 * (N0 + N1) * sizeof *l);
    int32_t *r = malloc(2 * (N0 + N1) * sizeof *r);
    split_units(l, r, N0, 6000, N1, 4200);
    tg_boot_data d = {l, r, N0 + N1, 2};
    tg_boot_opts o = {2000, 0.95, 42, 2};
    double lo[2], hi[2];
    tg_err err = {0};
    assert_int_equal(stats_boot_reduction(&d, &o, lo, hi, &err), TG_OK);
    assert_float_equal(lo[1], 0.27563, 0.003);
    assert_float_equal(hi[1], 0.32355, 0.003);
    assert_float_equal(hi[1] - lo[1], 0.04791, 0.004);
    o.level = 0.5;
    assert_int_equal(stats_boot_reduction(&d, &o, lo, hi, &err), TG_OK);
    assert_float_equal(hi[1] - lo[1], 0.01649, 0.0015);
    assert_float_equal((lo[1] + hi[1]) / 2, 0.2996, 0.002);
    free(l);
    free(r);
}

/* Coverage: 150 data sets drawn with true return rates 0.30 and 0.24 (a
 * true reduction of 0.20), 500 shoppers a side with 1 to 3 lines each;
 * the 95% interval should hold 0.20 in about 95% of them (binomial sd
 * 1.8 points) and the 50% interval in about half (sd 4.1 points). */
static double coverage(double level)
{
    enum { N = 1000, SETS = 150 };
    int32_t l[2 * N], r[2 * N];
    tg_rng g;
    tg_rng_seed(&g, 2024);
    int covered = 0;
    for (int s = 0; s < SETS; s++) {
        for (int i = 0; i < N; i++) {
            int c = i < N / 2, n = 1 + (int)tg_rng_below(&g, 3), k = 0;
            for (int j = 0; j < n; j++)
                k += tg_rng_uniform(&g) < (c ? 0.30 : 0.24);
            l[2 * i] = c ? n : 0;
            r[2 * i] = c ? k : 0;
            l[2 * i + 1] = c ? 0 : n;
            r[2 * i + 1] = c ? 0 : k;
        }
        tg_boot_data d = {l, r, N, 2};
        tg_boot_opts o = {300, level, (uint64_t)s, 1};
        double lo[2], hi[2];
        tg_err err = {0};
        assert_int_equal(stats_boot_reduction(&d, &o, lo, hi, &err), TG_OK);
        covered += lo[1] <= 0.20 && 0.20 <= hi[1];
    }
    return (double)covered / SETS;
}

static void intervals_cover_at_their_level(void **state)
{
    (void)state;
    double c95 = coverage(0.95), c50 = coverage(0.5);
    print_message("coverage: 95%% interval %.3f, 50%% interval %.3f\n", c95,
                  c50);
    assert_true(c95 >= 0.89 && c95 <= 0.995);
    assert_true(c50 >= 0.37 && c50 <= 0.63);
}

/* The same seed gives the same interval whatever the number of threads;
 * another seed a slightly different one. */
static void threads_do_not_change_the_interval(void **state)
{
    (void)state;
    enum { N0 = 4000, N1 = 4000 };
    int32_t *l = malloc(2 * (N0 + N1) * sizeof *l);
    int32_t *r = malloc(2 * (N0 + N1) * sizeof *r);
    split_units(l, r, N0, 1200, N1, 1000);
    tg_boot_data d = {l, r, N0 + N1, 2};
    tg_boot_opts o = {400, 0.95, 9, 1};
    double lo1[2], hi1[2], lo3[2], hi3[2], lo9[2], hi9[2];
    tg_err err = {0};
    assert_int_equal(stats_boot_reduction(&d, &o, lo1, hi1, &err), TG_OK);
    o.threads = 3;
    assert_int_equal(stats_boot_reduction(&d, &o, lo3, hi3, &err), TG_OK);
    o.seed = 10;
    assert_int_equal(stats_boot_reduction(&d, &o, lo9, hi9, &err), TG_OK);
    assert_true(lo1[1] == lo3[1] && hi1[1] == hi3[1]);
    assert_true(lo1[1] != lo9[1] || hi1[1] != hi9[1]);
    free(l);
    free(r);
}

/* The difference of two reductions against one control, each arm on its
 * own 20,000 shoppers with one line each: control 6,000 returned (0.30),
 * arm a 4,200 (0.21, a reduction of 0.30), arm b 4,800 (0.24, 0.20); the
 * difference is (pb - pa) / p0 = 0.10. By the delta method its variance
 * is (pa(1 - pa) + pb(1 - pb)) / (n p0^2) + (pb - pa)^2 p0(1 - p0) /
 * (n p0^4) = 1.9467e-4, sd 0.013952: the 95% interval is 0.10 +- 1.95996
 * x 0.013952 = [0.072654, 0.127346]. (python3: import math; v =
 * (1/.3)**2*(.21*.79+.24*.76)/20000 + (.03/.09)**2*.21/20000.) */
static void difference_of_split_arms_matches_the_delta_method(void **state)
{
    (void)state;
    enum { N = 20000, A = 3 };
    int32_t *l = calloc(A * 3 * N, sizeof *l);
    int32_t *r = calloc(A * 3 * N, sizeof *r);
    static const int returned[A] = {6000, 4200, 4800};
    for (int k = 0; k < A; k++)
        for (int i = 0; i < N; i++) {
            size_t u = (size_t)(k * N + i) * A + (size_t)k;
            l[u] = 1;
            r[u] = i < returned[k];
        }
    tg_boot_data d = {l, r, 3 * N, A};
    tg_boot_opts o = {2000, 0.95, 17, 2};
    tg_boot_contrast c[2] = {{0, 1, 2}, {0, 2, -1}};
    double lo[2], hi[2], R[A] = {6000, 4200, 4800}, L[A] = {N, N, N};
    tg_err err = {0};
    assert_float_equal(stats_contrast(&c[0], R, L), 0.10, 1e-12);
    assert_float_equal(stats_contrast(&c[1], R, L), 0.20, 1e-12);
    assert_int_equal(stats_boot_contrasts(&d, &o, c, 2, lo, hi, &err),
                     TG_OK);
    assert_float_equal(lo[0], 0.072654, 0.003);
    assert_float_equal(hi[0], 0.127346, 0.003);
    /* The single reduction is stats_boot_reduction's, to the bit. */
    double rlo[A], rhi[A];
    assert_int_equal(stats_boot_reduction(&d, &o, rlo, rhi, &err), TG_OK);
    assert_true(rlo[2] == lo[1] && rhi[2] == hi[1]);
    free(l);
    free(r);
}

/* The same difference measured paired: every shopper in all three arms
 * with one line. Control returns the first 6,000; arm a avoids the first
 * 1,800 of them (a reduction of 0.30), arm b the first 1,200 (0.20). The
 * difference is the ratio of mean(z - y) to mean(x) (x, y, z: returned in
 * control, a, b), 600 / 6,000 = 0.10; by the delta method its variance is
 * mean(u^2) / (n mean(x)^2) with u = (z - y) - 0.1 x: (1,200 x 0.01 + 600
 * x 0.81 + 4,200 x 0.01) / 20,000 = 0.027, over 20,000 x 0.09: sd
 * 0.0038730, the 95% interval [0.092409, 0.107591], under a third of the
 * split design's width. Identical arms differ by exactly 0. */
static void difference_of_paired_arms_matches_the_delta_method(void **state)
{
    (void)state;
    enum { N = 20000, A = 4 };
    int32_t *l = malloc(A * N * sizeof *l), *r = malloc(A * N * sizeof *r);
    for (int i = 0; i < N; i++) {
        int32_t *li = l + (size_t)i * A, *ri = r + (size_t)i * A;
        li[0] = li[1] = li[2] = li[3] = 1;
        ri[0] = i < 6000;
        ri[1] = i >= 1800 && i < 6000;
        ri[2] = i >= 1200 && i < 6000;
        ri[3] = ri[1];
    }
    tg_boot_data d = {l, r, N, A};
    tg_boot_opts o = {2000, 0.95, 23, 2};
    tg_boot_contrast c[2] = {{0, 1, 2}, {0, 1, 3}};
    double lo[2], hi[2];
    tg_err err = {0};
    assert_int_equal(stats_boot_contrasts(&d, &o, c, 2, lo, hi, &err),
                     TG_OK);
    assert_float_equal(lo[0], 0.092409, 0.0008);
    assert_float_equal(hi[0], 0.107591, 0.0008);
    assert_true(lo[1] == 0 && hi[1] == 0);
    /* Arms out of range are refused. */
    tg_boot_contrast bad = {0, 1, A};
    assert_int_equal(stats_boot_contrasts(&d, &o, &bad, 1, lo, hi, &err),
                     TG_EINTERNAL);
    free(l);
    free(r);
}

static void bad_arguments_refused(void **state)
{
    (void)state;
    int32_t l[2] = {1, 1}, r[2] = {0, 0};
    double lo[2], hi[2];
    tg_err err = {0};
    tg_boot_data d = {l, r, 1, 1};
    tg_boot_opts o = {100, 0.95, 1, 1};
    assert_int_equal(stats_boot_reduction(&d, &o, lo, hi, &err),
                     TG_EINTERNAL);
    d.arms = 2;
    o.level = 1;
    assert_int_equal(stats_boot_reduction(&d, &o, lo, hi, &err),
                     TG_EINTERNAL);
    o.level = 0.9;
    o.resamples = 1;
    assert_int_equal(stats_boot_reduction(&d, &o, lo, hi, &err),
                     TG_EINTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(relative_reduction_by_hand),
        cmocka_unit_test(quantiles_by_hand),
        cmocka_unit_test(poisson_fill_is_the_same_stream),
        cmocka_unit_test(identical_pairs_give_exactly_zero),
        cmocka_unit_test(interval_width_and_level_match_the_delta_method),
        cmocka_unit_test(intervals_cover_at_their_level),
        cmocka_unit_test(threads_do_not_change_the_interval),
        cmocka_unit_test(difference_of_split_arms_matches_the_delta_method),
        cmocka_unit_test(difference_of_paired_arms_matches_the_delta_method),
        cmocka_unit_test(bad_arguments_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
