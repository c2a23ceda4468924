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

/* The day of a moment t in SQL: floor(t / 86400), days since the epoch
 * (UTC), as tg_day_of. */
#define SCHEMA_DAY_OF(t)                                                      \
    "((" t ") - (((" t ") % 86400) + 86400) % 86400) / 86400"

/* Migrations: schema_migrations[i] takes user_version i to i+1. */
extern const char *const schema_migrations[];
extern const int schema_num_migrations;
/* Version 10 (schema_pilot.c): the pilot, and interventions dated by the
 * store's clock. */
extern const char schema_v10[];
/* Version 11 (schema_rollup.c): the dashboard's rollups, their views and
 * the triggers that keep them current. */
extern const char schema_v11[];
/* Version 12 (schema_funnel.c): the funnel of real use's rollup. */
extern const char schema_v12[];
/* Version 13 (schema_pilot.c): the pilot's figures kept per filter. */
extern const char schema_v13[];
/* Empties the rollups and builds them from every line (the bulk path). */
extern const char schema_rollup_build[];
/* Around inserting the scores staged in temp.score_new(purchase_id,
 * model_version, p_return, drivers, scored_at) into scores, in one
 * transaction: their rollup parts summed by cell before, the per-row
 * triggers off until after. */
extern const char schema_rollup_scores_before[];
extern const char schema_rollup_scores_after[];
/* Empties funnel_days and builds it from every intervention. */
extern const char schema_funnel_build[];
/* Around writing the decisions staged in temp.nudge_decided(id, ...) to
 * interventions, in one transaction: the rows' funnel parts summed by cell
 * before and after, the per-row triggers off in between. */
extern const char schema_funnel_decisions_before[];
extern const char schema_funnel_decisions_after[];
/* Inside schema_rollup_scores_before / _after, around the same insert:
 * the newest intervention's id noted, then the rows the scoring trigger
 * queued above it summed by cell. */
extern const char schema_funnel_scores_before[];
extern const char schema_funnel_scores_after[];

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
 * (trend state, training-set cache, fit days, the dashboard's rollups),
 * and the pilot's kept figures, which a new store starts without;
 * NULL-terminated. */
extern const char *const schema_rebuilt_tables[];

#endif
