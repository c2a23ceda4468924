/* metrics.c: classifier metrics for the trainer, the report and the
 * simulation: confusion counts, AUC, log loss, Brier, calibration, and the
 * thresholds that maximise accuracy or F1. */
#include "trendguard/metrics.h"

#include <math.h>
#include <stdlib.h>

tg_confusion metrics_confusion(const float *p, const float *y, size_t n,
                               double threshold)
{
    tg_confusion c = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        int pred = p[i] >= threshold, pos = y[i] > 0.5f;
        if (pred && pos)
            c.tp++;
        else if (pred)
            c.fp++;
        else if (pos)
            c.fn++;
        else
            c.tn++;
    }
    return c;
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

double metrics_accuracy(tg_confusion c)
{
    return ratio((double)(c.tp + c.tn), (double)(c.tp + c.tn + c.fp + c.fn));
}

double metrics_balanced_accuracy(tg_confusion c)
{
    return (ratio((double)c.tp, (double)(c.tp + c.fn)) +
            ratio((double)c.tn, (double)(c.tn + c.fp))) / 2;
}

double metrics_precision(tg_confusion c)
{
    return ratio((double)c.tp, (double)(c.tp + c.fp));
}

double metrics_recall(tg_confusion c)
{
    return ratio((double)c.tp, (double)(c.tp + c.fn));
}

double metrics_f1(tg_confusion c)
{
    return ratio(2.0 * (double)c.tp, (double)(2 * c.tp + c.fp + c.fn));
}

typedef struct scored {
    float p, y;
} scored;

static int by_score(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    return (x->p > y->p) - (x->p < y->p);
}

/* A sorted copy (ascending score); NULL on no memory. */
static scored *sorted(const float *p, const float *y, size_t n)
{
    scored *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[i].p = p[i];
        s[i].y = y[i] > 0.5f ? 1.0f : 0.0f;
    }
    qsort(s, n, sizeof *s, by_score);
    return s;
}

double metrics_auc(const float *p, const float *y, size_t n)
{
    scored *s = sorted(p, y, n);
    if (!s)
        return NAN;
    /* Mann-Whitney U with average ranks for ties. */
    double rank_sum = 0, npos = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && s[j].p == s[i].p)
            j++;
        double avg = (double)(i + 1 + j) / 2.0; /* ranks i+1..j */
        for (size_t k = i; k < j; k++)
            if (s[k].y > 0.5f) {
                rank_sum += avg;
                npos++;
            }
        i = j;
    }
    free(s);
    double nneg = (double)n - npos;
    if (npos == 0 || nneg == 0)
        return NAN;
    return (rank_sum - npos * (npos + 1) / 2) / (npos * nneg);
}

double metrics_logloss(const float *p, const float *y, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double q = p[i] < 1e-15 ? 1e-15 : p[i] > 1 - 1e-15 ? 1 - 1e-15 : p[i];
        sum += y[i] > 0.5f ? -log(q) : -log(1 - q);
    }
    return n ? sum / (double)n : 0;
}

double metrics_brier(const float *p, const float *y, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)p[i] - (y[i] > 0.5f ? 1.0 : 0.0);
        sum += d * d;
    }
    return n ? sum / (double)n : 0;
}

void metrics_calibration(const float *p, const float *y, size_t n,
                         tg_calib_bin *bins, int nbins)
{
    for (int b = 0; b < nbins; b++) {
        bins[b].lo = (double)b / nbins;
        bins[b].hi = (double)(b + 1) / nbins;
        bins[b].n = 0;
        bins[b].mean_pred = bins[b].observed = 0;
    }
    for (size_t i = 0; i < n; i++) {
        int b = (int)(p[i] * nbins);
        if (b >= nbins)
            b = nbins - 1;
        if (b < 0)
            b = 0;
        bins[b].n++;
        bins[b].mean_pred += p[i];
        bins[b].observed += y[i] > 0.5f;
    }
    for (int b = 0; b < nbins; b++)
        if (bins[b].n) {
            bins[b].mean_pred /= (double)bins[b].n;
            bins[b].observed /= (double)bins[b].n;
        }
}

/* Sweeps thresholds from high to low: predicting positive for every score
 * >= t. score(tp, fp, tn, fn) is maximised. */
static double best_threshold(const float *p, const float *y, size_t n,
                             int use_f1)
{
    scored *s = sorted(p, y, n);
    if (!s || n == 0) {
        free(s);
        return 0.5;
    }
    long pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += s[i].y > 0.5f;
    tg_confusion c = {0, 0, (long)n - pos, pos}; /* threshold above all */
    double best = use_f1 ? 0 : metrics_accuracy(c), best_t = 1.0;
    for (size_t i = n; i > 0;) {
        size_t j = i;
        float t = s[i - 1].p;
        while (j > 0 && s[j - 1].p == t) {
            if (s[j - 1].y > 0.5f)
                c.tp++, c.fn--;
            else
                c.fp++, c.tn--;
            j--;
        }
        double v = use_f1 ? metrics_f1(c) : metrics_accuracy(c);
        if (v > best + 1e-12 ||
            (fabs(v - best) <= 1e-12 && fabs(t - 0.5) < fabs(best_t - 0.5))) {
            best = v;
            best_t = t;
        }
        i = j;
    }
    free(s);
    return best_t;
}

double metrics_best_threshold_accuracy(const float *p, const float *y,
                                       size_t n)
{
    return best_threshold(p, y, n, 0);
}

double metrics_best_threshold_f1(const float *p, const float *y, size_t n)
{
    return best_threshold(p, y, n, 1);
}
