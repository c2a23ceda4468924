/* estimates.h: how the shop estimates a shopper's size and how a product
 * runs from its own records (never from the shopper model's truth). The
 * constants are the estimators' assumptions, all in this one place; the
 * training-set view (schema.c), the app's live features (shop_features.c)
 * and the simulation (sim_world.c) compute with them the same way.
 *
 * A size return is a return for the reason "too small" or "too large"
 * within 30 days of its line; the shop knows it from the moment it
 * arrives.
 *
 * A shopper's size, per size system (clothing letters or shoe numbers):
 * the mean of what their lines in that system say, with the size typed
 * into their profile counted as EST_DECLARED_WEIGHT such sayings. A line
 * says its own size once its 30 days are over without a size return (kept,
 * or returned for another reason); each size return says one size up
 * ("too small") or down ("too large") from the line's size when it
 * arrives:
 *   est = (W * declared + sum(said)) / (W * [declared] + sayings)
 * (unknown when there is neither). The feature size_vs_usual is the
 * line's size minus est; size_history counts the sayings.
 *
 * How a product runs, the SizeFlags idea (RESEARCH.md, Zalando, arXiv
 * 2106.03532): of its size returns so far, the share that said "too
 * small" is theta ~ Beta around q0 with EST_FIT_STRENGTH returns' worth of
 * weight:
 *   theta = (small + K * q0) / (small + large + K)
 *   fit_learned = 1 - 2 theta        (-1 runs small .. +1 runs large)
 * q0 is the fit note's share when the product has a note that it runs
 * small or large, otherwise the category's: the same share over the size
 * returns of the category's lines that arrived before the line's day, with
 * one "too small" and one "too large" added:
 *   qcat = (cat_small + 1) / (cat_small + cat_large + 2).
 *
 * The one reading of that estimate (est_fit_judge) feeds everything that
 * says or acts on how a product runs: the item's words and the counts
 * beside them, the engine's size step (nudge_size_mismatch), a message's
 * {fit} and so the size advice and the pre-selected size. The product runs
 * small when theta reaches EST_FIT_RUNS_SHARE (fit_learned at or below
 * -(2 EST_FIT_RUNS_SHARE - 1)), large when 1 - theta does: its size step.
 * Its own size returns alone, read by the same rule on their raw share,
 * lean the same way or not; a lean the estimate does not reach yet is
 * "may run small, not enough to be sure", never "true to size". */
#ifndef TRENDGUARD_ESTIMATES_H
#define TRENDGUARD_ESTIMATES_H

/* The declared size counts as this many lines of history: assumption
 * (RESEARCH.md: a declared usual size is a rough guide; shoppers know their
 * size within a brand, not across brands). */
#define EST_DECLARED_WEIGHT 2.0
/* Size returns' worth of weight of the prior share: assumption (SizeFlags
 * infers fit from few observations; no published prior strength). */
#define EST_FIT_STRENGTH 8.0
/* Share of size returns that are "too small" for a product noted to run
 * small, and for one noted to run large: assumption (a note is trusted
 * but can be wrong). */
#define EST_NOTE_SMALL_SHARE 0.8
#define EST_NOTE_LARGE_SHARE 0.2
/* A day is a time / 86400 (integer division); the category's share reads
 * the size returns that arrived on days up to the line's day minus this
 * (whole days, all of them before the line). */
#define EST_CATEGORY_LAG_DAYS 1
/* The share of size returns one way at which a product runs that way:
 * assumption (three in four; the SizeFlags paper flags an article from
 * its size-return share without publishing a cut-off). */
#define EST_FIT_RUNS_SHARE 0.75

#define EST_STR_(x) #x
#define EST_STR(x) EST_STR_(x)

/* size_vs_usual: the line's size rank less the estimate from the declared
 * rank (NaN: none) and the matured lines' count and sum of said sizes;
 * NaN when there is neither or the size is unknown (rank NaN). */
double est_size_vs_usual(double rank, double declared, double obs,
                         double sum);
/* fit_learned: note -1, 0, +1 or NaN (none); the product's matured lines
 * that came back too small and too large, and its category's. */
double est_fit_learned(double note, double small, double large, double cs,
                       double cl);

/* How a product runs, as est_fit_judge reads it. */
typedef struct est_fit {
    double learned;    /* est_fit_learned */
    int runs;          /* est_fit_runs(learned): -1 small, +1 large, 0 */
    int lean;          /* what its own size returns alone say by the same
                          rule (-1, +1, or 0: split or none) */
    long small, large; /* its own size returns */
    int from_note;     /* the prior is the fit note's (else the
                          category's) */
} est_fit;

/* -1 when a fit_learned says the product runs small, +1 large, else 0
 * (NaN: 0). A line's size step from how the item runs is -runs. */
int est_fit_runs(double learned);
/* The estimate and its reading, from est_fit_learned's inputs. */
void est_fit_judge(double note, double small, double large, double cs,
                   double cl, est_fit *out);

#endif
