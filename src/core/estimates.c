/* estimates.c: the shop's size and fit estimates (estimates.h) for the
 * app's live features and the simulation; the training-set view computes
 * the same expressions in SQL, operation for operation, so that the two
 * agree to the bit (test_shop compares them); and the one reading of how
 * a product runs that its words and the engine's size step share. */
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

int est_fit_runs(double learned)
{
    double cut = 2 * EST_FIT_RUNS_SHARE - 1;
    return learned <= -cut ? -1 : learned >= cut ? 1 : 0; /* NaN: 0 */
}

void est_fit_judge(double note, double small, double large, double cs,
                   double cl, est_fit *out)
{
    out->learned = est_fit_learned(note, small, large, cs, cl);
    /* read as the features carry it (a float), so that the words and the
     * engine's step never differ by a rounding */
    out->runs = est_fit_runs((double)(float)out->learned);
    out->lean = small + large > 0
                    ? est_fit_runs(1 - 2 * small / (small + large))
                    : 0;
    out->small = (long)small;
    out->large = (long)large;
    out->from_note = note == -1 || note == 1;
}
