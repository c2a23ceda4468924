/* test_bandit.c: the intervention engine's bandit against answers worked
 * out by hand: the Beta update with answers, the pooling of a nudge's
 * answers across contexts, and the draws' distribution. Every
 * expected value below is a literal computed on paper from the formulas
 * in nudge.h, never by calling the code under test. */
#include <math.h>

#include "testutil.h"
#include "trendguard/nudge.h"

/* Beta(1, 1) then rewards 0.9 and 0.4: a = 1 + 1.3, b = 1 + 0.7, n = 2.
 * An out-of-range reward or index changes nothing. */
static void update_by_hand(void **state)
{
    (void)state;
    tg_bandit *b = bandit_create(3, 1, 1);
    assert_non_null(b);
    bandit_update(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 1, 0.9);
    bandit_update(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 1, 0.4);
    bandit_update(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 1, 1.5);
    bandit_update(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 3, 1);
    bandit_update(b, TG_NUM_SEGMENTS, TG_DRIVER_SIZE, 1, 1);
    double a, be;
    long n;
    bandit_get(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 1, &a, &be, &n);
    assert_float_equal(a, 2.3, 1e-12);
    assert_float_equal(be, 1.7, 1e-12);
    assert_int_equal(n, 2);
    assert_float_equal(bandit_mean(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 1),
                       2.3 / 4.0, 1e-12);
    /* The other nudges of that context are untouched. */
    bandit_get(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, &a, &be, &n);
    assert_float_equal(a, 1, 0);
    assert_float_equal(be, 1, 0);
    assert_int_equal(n, 0);
    bandit_free(b);
}

/* Pooling: nudge 0 kept 10 times in (casual, size). Another context has
 * seen nothing of its own, so it borrows all 10 (fewer than 20): Beta(1 +
 * 10, 1 + 0) = Beta(11, 1). The context that saw them does not borrow its
 * own outcomes: Beta(11, 1) too. Nudge 1 borrows nothing: Beta(1, 1). */
static void pooling_by_hand_few_outcomes(void **state)
{
    (void)state;
    tg_bandit *b = bandit_create(2, 1, 1);
    for (int i = 0; i < 10; i++)
        bandit_update(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, 1);
    double a, be;
    bandit_posterior(b, TG_SEG_SERIAL_BRACKETER, TG_DRIVER_IMPULSE, 0, &a,
                     &be);
    assert_float_equal(a, 11, 1e-12);
    assert_float_equal(be, 1, 1e-12);
    bandit_posterior(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, &a, &be);
    assert_float_equal(a, 11, 1e-12);
    assert_float_equal(be, 1, 1e-12);
    bandit_posterior(b, TG_SEG_SERIAL_BRACKETER, TG_DRIVER_IMPULSE, 1, &a,
                     &be);
    assert_float_equal(a, 1, 1e-12);
    assert_float_equal(be, 1, 1e-12);
    bandit_free(b);
}

/* Many outcomes elsewhere are shrunk to the weight of 20: nudge 0 kept 75
 * times and returned 25 times in (casual, size) (rewards 1 and 0). An
 * empty context sees oa = 75, ob = 25, w = 20 / 100 = 0.2: Beta(1 + 15,
 * 1 + 5) = Beta(16, 6). A context with its own 2 kept and 2 returned,
 * Beta(3, 3), borrows the same 0.2 of the others: Beta(18, 8). */
static void pooling_by_hand_many_outcomes(void **state)
{
    (void)state;
    tg_bandit *b = bandit_create(2, 1, 1);
    for (int i = 0; i < 100; i++)
        bandit_update(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, i < 75 ? 1 : 0);
    double a, be;
    bandit_posterior(b, TG_SEG_IMPULSIVE_TIKTOK, TG_DRIVER_TREND, 0, &a, &be);
    assert_float_equal(a, 16, 1e-9);
    assert_float_equal(be, 6, 1e-9);
    for (int i = 0; i < 4; i++)
        bandit_update(b, TG_SEG_IMPULSIVE_TIKTOK, TG_DRIVER_TREND, 0, i < 2);
    bandit_posterior(b, TG_SEG_IMPULSIVE_TIKTOK, TG_DRIVER_TREND, 0, &a, &be);
    assert_float_equal(a, 18, 1e-9);
    assert_float_equal(be, 8, 1e-9);
    /* The busy context itself: its own Beta(76, 26) plus all of the 4
     * outcomes elsewhere (fewer than 20, w = 1): Beta(78, 28). */
    bandit_posterior(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, &a, &be);
    assert_float_equal(a, 78, 1e-9);
    assert_float_equal(be, 28, 1e-9);
    bandit_free(b);
}

/* bandit_set (loading a saved arm) keeps the pooled outcomes in step:
 * setting (casual, size, 0) to Beta(5, 3) with 6 outcomes gives every
 * other context (5 - 1, 3 - 1) = (4, 2) to borrow: Beta(5, 3). Setting it
 * again replaces, never adds: Beta(2, 4) leaves (1, 3): Beta(2, 4). */
static void set_keeps_the_pool_in_step(void **state)
{
    (void)state;
    tg_bandit *b = bandit_create(1, 1, 1);
    bandit_set(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, 5, 3, 6);
    double a, be;
    bandit_posterior(b, TG_SEG_CASUAL, TG_DRIVER_PRODUCT, 0, &a, &be);
    assert_float_equal(a, 5, 1e-12);
    assert_float_equal(be, 3, 1e-12);
    bandit_set(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, 2, 4, 4);
    bandit_posterior(b, TG_SEG_CASUAL, TG_DRIVER_PRODUCT, 0, &a, &be);
    assert_float_equal(a, 2, 1e-12);
    assert_float_equal(be, 4, 1e-12);
    bandit_free(b);
}

/* Draws from Beta(a, b) have mean a / (a + b) and variance ab / ((a +
 * b)^2 (a + b + 1)): Beta(2, 6): 0.25 and 12 / (64 x 9) = 0.0208333;
 * Beta(0.5, 0.5): 0.5 and 0.25 / 2 = 0.125; Beta(16, 6): 0.727273 and 96
 * / (484 x 23) = 0.0086238. 40,000 draws: the mean's sd is at most
 * sqrt(0.125 / 40000) = 0.0018. */
static void moments(tg_rng *r, double a, double b, double *mean,
                    double *var)
{
    enum { N = 40000 };
    double s = 0, s2 = 0;
    for (int i = 0; i < N; i++) {
        double x = bandit_beta_draw(r, a, b);
        s += x;
        s2 += x * x;
    }
    *mean = s / N;
    *var = s2 / N - *mean * *mean;
}

static void draws_have_the_beta_moments(void **state)
{
    (void)state;
    tg_rng r;
    tg_rng_seed(&r, 31);
    double m, v;
    moments(&r, 2, 6, &m, &v);
    assert_float_equal(m, 0.25, 0.006);
    assert_float_equal(v, 0.0208333, 0.0012);
    moments(&r, 0.5, 0.5, &m, &v);
    assert_float_equal(m, 0.5, 0.008);
    assert_float_equal(v, 0.125, 0.004);
    moments(&r, 16, 6, &m, &v);
    assert_float_equal(m, 0.727273, 0.003);
    assert_float_equal(v, 0.0086238, 0.0005);
}

/* bandit_sample draws from the pooled posterior: after the 100 outcomes
 * above, an empty context's draws average 16 / 22 = 0.727273, not the
 * 0.5 of its own Beta(1, 1). */
static void samples_come_from_the_pooled_posterior(void **state)
{
    (void)state;
    tg_bandit *b = bandit_create(2, 1, 1);
    for (int i = 0; i < 100; i++)
        bandit_update(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, i < 75 ? 1 : 0);
    tg_rng r;
    tg_rng_seed(&r, 5);
    double s = 0;
    for (int i = 0; i < 20000; i++)
        s += bandit_sample(b, TG_SEG_BARGAIN_HUNTER, TG_DRIVER_SIZE, 0, &r);
    assert_float_equal(s / 20000, 16.0 / 22.0, 0.005);
    assert_true(bandit_sample(b, TG_SEG_BARGAIN_HUNTER, TG_DRIVER_SIZE, 2, &r) == 0);
    bandit_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(update_by_hand),
        cmocka_unit_test(pooling_by_hand_few_outcomes),
        cmocka_unit_test(pooling_by_hand_many_outcomes),
        cmocka_unit_test(set_keeps_the_pool_in_step),
        cmocka_unit_test(draws_have_the_beta_moments),
        cmocka_unit_test(samples_come_from_the_pooled_posterior),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
