/* test_metrics.c: classifier metrics against values worked out by hand. */
#include "testutil.h"

#include <math.h>

#include "trendguard/metrics.h"

static const float P[] = {0.9f, 0.8f, 0.7f, 0.6f, 0.4f, 0.3f, 0.2f, 0.1f};
static const float Y[] = {1, 1, 0, 1, 0, 1, 0, 0};

static void confusion_and_rates(void **state)
{
    (void)state;
    tg_confusion c = metrics_confusion(P, Y, 8, 0.5);
    assert_int_equal(c.tp, 3);
    assert_int_equal(c.fp, 1);
    assert_int_equal(c.tn, 3);
    assert_int_equal(c.fn, 1);
    assert_float_equal(metrics_accuracy(c), 0.75, 1e-12);
    assert_float_equal(metrics_precision(c), 0.75, 1e-12);
    assert_float_equal(metrics_recall(c), 0.75, 1e-12);
    assert_float_equal(metrics_f1(c), 0.75, 1e-12);
    c = metrics_confusion(P, Y, 8, 0.85);
    assert_float_equal(metrics_balanced_accuracy(c), (0.25 + 1.0) / 2, 1e-12);
    /* A score exactly at the threshold is predicted positive. */
    c = metrics_confusion(P, Y, 8, 0.6f);
    assert_int_equal(c.tp, 3);
    assert_int_equal(c.fp, 1);
    assert_int_equal(c.fn, 1);
    /* Nothing predicted positive: precision and F1 are 0, not NaN. */
    c = metrics_confusion(P, Y, 8, 2.0);
    assert_float_equal(metrics_precision(c), 0, 0);
    assert_float_equal(metrics_f1(c), 0, 0);
}

static void auc_by_hand(void **state)
{
    (void)state;
    /* Positives at ranks 8,7,5,3 of 8: U = 23 - 10 = 13 of 16 pairs. */
    assert_float_equal(metrics_auc(P, Y, 8), 13.0 / 16.0, 1e-12);
    /* Ties count half. */
    const float p2[] = {0.5f, 0.5f, 0.5f, 0.5f};
    const float y2[] = {1, 0, 1, 0};
    assert_float_equal(metrics_auc(p2, y2, 4), 0.5, 1e-12);
    const float y3[] = {1, 1, 1, 1};
    assert_true(isnan(metrics_auc(p2, y3, 4)));
}

static void losses_by_hand(void **state)
{
    (void)state;
    const float p[] = {0.8f, 0.25f};
    const float y[] = {1, 0};
    assert_float_equal(metrics_logloss(p, y, 2),
                       -(log(0.8f) + log(1 - 0.25f)) / 2, 1e-7);
    assert_float_equal(metrics_brier(p, y, 2),
                       ((1 - 0.8f) * (1 - 0.8f) + 0.25f * 0.25f) / 2, 1e-7);
    const float one[] = {1.0f};
    const float zero[] = {0};
    assert_true(isfinite(metrics_logloss(one, zero, 1)));
    /* A confident miss costs its full -ln(p): 1e-6 for a return is
     * 13.8155, never cut to what a coarse clip would give. */
    const float tiny[] = {1e-6f};
    assert_float_equal(metrics_logloss(tiny, one, 1), -log(1e-6f), 1e-6);
    /* A certain miss is clipped at 1e-15: 34.54. */
    assert_float_equal(metrics_logloss(zero, one, 1), -log(1e-15), 1e-9);
}

static void calibration_bins(void **state)
{
    (void)state;
    tg_calib_bin b[10];
    metrics_calibration(P, Y, 8, b, 10);
    assert_int_equal(b[9].n, 1);
    assert_int_equal(b[8].n, 1);
    assert_int_equal(b[0].n, 0);
    assert_int_equal(b[1].n, 1);
    assert_float_equal(b[3].observed, 1.0, 0);
    assert_float_equal(b[4].observed, 0.0, 0);
    const float edge[] = {1.0f, 0.0f};
    metrics_calibration(edge, Y, 2, b, 10);
    assert_int_equal(b[9].n, 1);
    assert_int_equal(b[0].n, 1);
}

static void best_thresholds(void **state)
{
    (void)state;
    /* Accuracy peaks at 0.75 for t in {0.8 (6/8), 0.6 (6/8), 0.3 (6/8)}:
     * the one nearest 0.5 wins. */
    double t = metrics_best_threshold_accuracy(P, Y, 8);
    assert_float_equal(t, 0.6f, 1e-7);
    /* F1: t=0.3 gives tp 4, fp 2, fn 0: F1 = 8/10, the best. */
    assert_float_equal(metrics_best_threshold_f1(P, Y, 8), 0.3f, 1e-7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(confusion_and_rates),
        cmocka_unit_test(auc_by_hand),
        cmocka_unit_test(losses_by_hand),
        cmocka_unit_test(calibration_bins),
        cmocka_unit_test(best_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
