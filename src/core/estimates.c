/* estimates.c: the shop's size and fit estimates (estimates.h) for the
 * app's live features and the simulation; the training-set view computes
 * the same expressions in SQL, operation for operation, so that the two
 * agree to the bit (test_shop compares them). */
#include "trendguard/estimates.h"

#include <math.h>

double est_size_vs_usual(double rank, double declared, double obs,
                         double sum)
{
    int has = !isnan(declared);
    double den = EST_DECLARED_WEIGHT * has + obs;
    if (!(den != 0))
        return NAN; /* SQLite's x / 0 is NULL */
    return rank - (EST_DECLARED_WEIGHT * (has ? declared : 0) + sum) / den;
}

double est_fit_learned(double note, double small, double large, double cs,
                       double cl)
{
    double q0 = note == -1   ? EST_NOTE_SMALL_SHARE
                : note == 1 ? EST_NOTE_LARGE_SHARE
                            : (cs + 1.0) / (cs + cl + 2.0);
    return 1 - 2 * (small + EST_FIT_STRENGTH * q0) /
                   (small + large + EST_FIT_STRENGTH);
}
