/* metrics.h: how good a probabilistic classifier is: accuracy at a
 * threshold, AUC, log loss, Brier score, the confusion matrix, calibration
 * bins and the thresholds that maximise accuracy or F1. Pure functions. */
#ifndef TRENDGUARD_METRICS_H
#define TRENDGUARD_METRICS_H

#include <stddef.h>

typedef struct tg_confusion {
    long tp, fp, tn, fn;
} tg_confusion;

typedef struct tg_calib_bin {
    double lo, hi;        /* predicted-probability range */
    long n;
    double mean_pred;     /* mean predicted probability in the bin */
    double observed;      /* share of positives in the bin */
} tg_calib_bin;

/* y[i] is 0 or 1, p[i] a probability. */
tg_confusion metrics_confusion(const float *p, const float *y, size_t n,
                               double threshold);
double metrics_accuracy(tg_confusion c);
double metrics_balanced_accuracy(tg_confusion c);
double metrics_precision(tg_confusion c);
double metrics_recall(tg_confusion c);
double metrics_f1(tg_confusion c);
/* Area under the ROC curve with ties counted half; NAN when one class is
 * missing. Sorts a copy: O(n log n). */
double metrics_auc(const float *p, const float *y, size_t n);
double metrics_logloss(const float *p, const float *y, size_t n);
double metrics_brier(const float *p, const float *y, size_t n);
/* nbins equal-width bins over [0, 1]. */
void metrics_calibration(const float *p, const float *y, size_t n,
                         tg_calib_bin *bins, int nbins);
/* The threshold that maximises accuracy (or F1) over the distinct scores;
 * ties go to the threshold nearest 0.5. */
double metrics_best_threshold_accuracy(const float *p, const float *y,
                                       size_t n);
double metrics_best_threshold_f1(const float *p, const float *y, size_t n);

#endif
