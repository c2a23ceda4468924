/* risk.h: one purchase line's regret risk from its features, the one path
 * that `score`, the intervention queue and the app's meter share: the
 * model's probability, its TreeSHAP contributions summed back into
 * features.h order, the drivers the engine weighs (the largest positive
 * contributions) and the top reasons in shopper words; or, without a
 * model, the nudge catalogue's rule-based estimate. Also the drivers' JSON
 * as the scores table keeps them, written and read back here only. */
#ifndef TRENDGUARD_RISK_H
#define TRENDGUARD_RISK_H

#include "trendguard/explain.h"
#include "trendguard/features.h"
#include "trendguard/model.h"
#include "trendguard/nudge.h"

#define TG_RISK_REASONS 3 /* reasons a score keeps and the meter shows */

typedef struct tg_risk {
    double p;                /* probability of a return */
    int from_rules;          /* 1: the rule-based estimate (no model) */
    int n_reasons;           /* the first drivers, in words */
    tg_reason reasons[TG_RISK_REASONS];
    int n_drivers;           /* features.h indexes, largest first */
    int driver[TG_NUDGE_MAX_DRIVERS];
    float contribution[TG_NUDGE_MAX_DRIVERS];
} tg_risk;

typedef struct tg_risk_scorer tg_risk_scorer;

/* A scorer for model m whose feature i is features.h feature map[i]
 * (score_feature_map; map is copied), with reasons in words from ex (may
 * be NULL: no reasons). m and ex must outlive it. Caller frees. */
tg_risk_scorer *risk_scorer_new(const tg_model *m, const int *map,
                                const tg_explainer *ex, tg_err *err);
void risk_scorer_free(tg_risk_scorer *r);

/* The risk of the line whose features (features.h order, NaN missing) are
 * x. Contributions of model features that map to one store feature add
 * up. Safe to call from several threads at once. */
int risk_score(const tg_risk_scorer *r, const float *x, tg_risk *out,
               tg_err *err);
/* risk_score for n lines at once (x: n rows of TG_NUM_FEATURES), the same
 * results for each: the contributions are worked out as one batch
 * (model_contribs_batch). */
int risk_score_batch(const tg_risk_scorer *r, const float *x, size_t n,
                     tg_risk *out, tg_err *err);
/* risk_score's probability alone (out->p, the same number), without the
 * contributions, drivers and reasons: for a figure that needs no reasons
 * (the Trending screen's badges). NaN when out of memory. Safe to call
 * from several threads at once. */
double risk_probability(const tg_risk_scorer *r, const float *x);

/* The catalogue's rule-based estimate for x, with the rules that fired as
 * drivers and reasons (in words from ex, or the features' descriptions
 * when ex is NULL). */
void risk_rules(const tg_nudge_catalog *c, const tg_explainer *ex,
                const float *x, tg_risk *out);

/* A probability as a percentage to `decimals` places that agrees with its
 * band (nudge_band, set in *band when band is not NULL): rounded to the
 * nearest, except never across a band's limit (0.246 under a limit of
 * 0.25 is 24%, low, not 25%). NaN for NaN (band low). Every screen and
 * report that prints a risk beside its band prints this figure. */
double risk_figure(const tg_nudge_catalog *c, double p, int decimals,
                   int *band);

/* The reasons as the scores table keeps them:
 * [{"feature": name, "contribution": x (4 decimals), "text": words}...].
 * Caller frees; NULL when out of memory. */
char *risk_drivers_json(const tg_risk *r);
/* Reads that JSON back: up to max features.h indexes and contributions,
 * in order, skipping entries it does not know. Returns how many. */
int risk_drivers_read(const char *json, int *driver, float *contribution,
                      int max);

#endif
