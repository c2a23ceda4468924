/* score.h: batch scoring of the store's purchase lines with the embedded
 * model: probability and top drivers per line into `scores`, where the
 * store's trigger queues an intervention for every score at or above the
 * model's threshold. */
#ifndef TRENDGUARD_SCORE_H
#define TRENDGUARD_SCORE_H

#include "trendguard/explain.h"
#include "trendguard/model.h"
#include "trendguard/registry.h"
#include "trendguard/risk.h"
#include "trendguard/store.h"

typedef struct tg_score_result {
    int model_version;
    long scored;  /* lines this run scored */
    long taken;   /* lines another run scored first (while this one ran) */
    long queued;  /* interventions the trigger queued for this run */
} tg_score_result;

/* Maps the model's features to features.h: map[i] = features.h index of the
 * model's feature i. A model without names must have exactly the
 * features.h features in order. TG_EDATA names a feature the store does
 * not provide. map has model_num_features() entries. */
int score_feature_map(const tg_model *m, int *map, tg_err *err);

/* The risk scorer (risk.h) for model m, its features mapped by
 * score_feature_map, its reasons in words from ex (may be NULL). Caller
 * frees with risk_scorer_free. */
tg_risk_scorer *score_scorer(const tg_model *m, const tg_explainer *ex,
                             tg_err *err);

/* Opens the model to score with: path (registering it when it is not yet
 * in the registry, with threshold 0.5) or, when path is NULL, the newest
 * registered one, whose file must still have its registered SHA-256. */
tg_model *score_open_model(tg_store *s, const char *path,
                           tg_model_info *info, tg_err *err);
/* The registered model info names (registry_latest's), its file checked
 * against its registered SHA-256; needs no store, so it may run on a
 * thread of its own. */
tg_model *score_load_registered(const tg_model_info *info, tg_err *err);

/* Scores every line that has no score from info->version yet: all of
 * them or none. The scores are worked out into a temporary table, without
 * the store's write lock, and copied in one short write transaction, so
 * an app's checkout or an ingest meanwhile waits only for the copy.
 * progress (may be NULL) gets the fraction done. */
int score_unscored(tg_store *s, const tg_model *m, const tg_model_info *info,
                   const tg_explainer *ex,
                   void (*progress)(void *ud, double frac), void *ud,
                   tg_score_result *r, tg_err *err);
/* Copies the scores staged in temp.score_new(purchase_id INTEGER PRIMARY
 * KEY, model_version, p_return, drivers, scored_at) into scores in one
 * write transaction (rolled back on failure), the queue's trigger firing
 * for each and the dashboard's rollups taking them summed by cell. A line
 * already scored by a version is left as it is; r counts what was taken
 * (staged - scored), scored and queued. */
int score_copy_staged(tg_store *s, size_t staged, tg_score_result *r,
                      tg_err *err);

#endif
