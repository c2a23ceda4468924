/* estimates.h: how the shop estimates a shopper's size and how a product
 * runs from its own records (never from the shopper model's truth). The
 * constants are the estimators' assumptions, all in this one place; the
 * training-set view (schema.c), the app's live features (shop_features.c)
 * and the simulation (sim_world.c) compute with them the same way.
 *
 * A shopper's size, per size system (clothing letters or shoe numbers):
 * the mean of what their matured lines in that system say, with the size
 * typed into their profile counted as EST_DECLARED_WEIGHT such lines.
 * A line says its own size when it was kept or returned for a reason that
 * is not its size, one size up when it came back "too small", one down
 * when it came back "too large":
 *   est = (W * declared + sum(said)) / (W * [declared] + lines)
 * (unknown when there is neither). The feature size_vs_usual is the
 * line's size minus est.
 *
 * How a product runs, the SizeFlags idea (RESEARCH.md, Zalando, arXiv
 * 2106.03532): of its matured lines' size returns, the share that came back
 * "too small" is theta ~ Beta around q0 with EST_FIT_STRENGTH returns'
 * worth of weight:
 *   theta = (small + K * q0) / (small + large + K)
 *   fit_learned = 1 - 2 theta        (-1 runs small .. +1 runs large)
 * q0 is the fit note's share when the product has a note that it runs
 * small or large, otherwise the category's: the same share over every
 * matured line of the category up to 31 days before the line's day, with
 * one "too small" and one "too large" added:
 *   qcat = (cat_small + 1) / (cat_small + cat_large + 2). */
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
/* A line's day is its time / 86400 (integer division); the category's
 * share reads days up to the line's day minus this, whose lines' return
 * windows have all closed. */
#define EST_CATEGORY_LAG_DAYS 31

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

#endif
