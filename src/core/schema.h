/* schema.h: the store's SQL, one named constant per migration step and per
 * derived-data statement (internal to the core). */
#ifndef TRENDGUARD_SCHEMA_H
#define TRENDGUARD_SCHEMA_H

/* The queue trigger's condition since version 8: a line's first score
 * (under any model) at or above its model's threshold. */
#define SCHEMA_QUEUE_ONCE                                                     \
    " WHEN NEW.p_return >= (SELECT threshold FROM model_registry"            \
    "                       WHERE version = NEW.model_version)"              \
    "  AND NOT EXISTS (SELECT 1 FROM scores o"                                \
    "                  WHERE o.purchase_id = NEW.purchase_id"                 \
    "                  AND o.model_version <> NEW.model_version)"

/* Migrations: schema_migrations[i] takes user_version i to i+1. */
extern const char *const schema_migrations[];
extern const int schema_num_migrations;
/* Version 10 (schema_pilot.c): the pilot, and interventions dated by the
 * store's clock. */
extern const char schema_v10[];
/* Version 11 (schema_rollup.c): the dashboard's rollups, their views and
 * the triggers that keep them current. */
extern const char schema_v11[];
/* Empties the rollups and builds them from every line (the bulk path). */
extern const char schema_rollup_build[];
/* Around inserting the scores staged in temp.score_new(purchase_id,
 * model_version, p_return, drivers, scored_at) into scores, in one
 * transaction: their rollup parts summed by cell before, the per-row
 * triggers off until after. */
extern const char schema_rollup_scores_before[];
extern const char schema_rollup_scores_after[];

/* Rebuilds trend_state for every hashtag with window functions: the
 * reference store_refresh_trend_state (store_trend.c) is tested against. */
extern const char *const schema_trend_state_reference;

/* The whole training set computed from scratch in one statement (the view
 * before the cache; v_training_set must equal it row for row). */
extern const char *const schema_training_set_reference;
/* One row, one column: 1 when some training-set line is stale. */
extern const char *const schema_features_pending;
/* Computes the stale lines into line_features and clears the markers. */
extern const char *const schema_features_refresh;
/* The same for an empty cache (every line stale), from the reference. */
extern const char *const schema_features_build;
/* Empties the cache (every line new again). */
extern const char *const schema_features_drop;
/* One row, one column: 1 when nothing is cached. */
extern const char *const schema_features_empty;

/* Counts every size return in fit_category_days again from scratch. */
extern const char *const schema_fit_days_rebuild;
/* The tables that are derived data, built whole by the statements above
 * (trend state, training-set cache, fit days, the dashboard's rollups);
 * NULL-terminated. */
extern const char *const schema_rebuilt_tables[];

#endif
