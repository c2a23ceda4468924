/* schema.h: the store's SQL, one named constant per migration step and per
 * derived-data statement (internal to the core). */
#ifndef TRENDGUARD_SCHEMA_H
#define TRENDGUARD_SCHEMA_H

/* Migrations: schema_migrations[i] takes user_version i to i+1. */
extern const char *const schema_migrations[];
extern const int schema_num_migrations;

/* Rebuilds trend_state for the hashtags listed in temp.dirty_hashtags. */
extern const char *const schema_trend_state_refresh;
/* The same for every hashtag. */
extern const char *const schema_trend_state_rebuild;

#endif
