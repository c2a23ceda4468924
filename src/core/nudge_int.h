/* nudge_int.h: what the intervention engine's store files share (internal
 * to the core). */
#ifndef TRENDGUARD_NUDGE_INT_H
#define TRENDGUARD_NUDGE_INT_H

#include "trendguard/nudge.h"

/* Writes the bandit context (segment, driver group, band, draw) of the
 * logged decision `id`, so that its outcome teaches the right arm. */
int nudge_write_context(tg_store *s, int64_t id, int segment,
                        const tg_nudge_decision *d, tg_err *err);

/* Prepared statements for settling many outcomes in one transaction:
 * nudge_store_outcome's work without preparing them for each one. */
typedef struct nudge_settler {
    sqlite3_stmt *get, *set, *save;
} nudge_settler;
int nudge_settler_open(tg_store *s, nudge_settler *t, tg_err *err);
int nudge_settler_outcome(nudge_settler *t, tg_store *s,
                          const tg_nudge_catalog *c, tg_bandit *b, int64_t id,
                          const char *outcome, tg_err *err);
void nudge_settler_close(nudge_settler *t);

/* The history of sales and kept sizes for a whole queue in one pass over
 * the lines (nudge_history.c). advance adds the lines bought, and those
 * whose 30-day window closed, by `now` (never earlier than a previous
 * call's); kept answers for `now`
 * exactly what nudge_queue.c's per-row statement would, or returns -1
 * when it cannot (another time, a size too long to key): ask the store. */
typedef struct nudge_history nudge_history;
nudge_history *nudge_history_open(tg_store *s, tg_err *err);
int nudge_history_advance(nudge_history *h, tg_store *s, int64_t now,
                          tg_err *err);
int nudge_history_kept(const nudge_history *h, int64_t now, int64_t product,
                       int shoe, const char *size, const char *buyer,
                       double *n, double *kept);
/* How many lines of product were bought before now; -1 as above. */
int nudge_history_bought(const nudge_history *h, int64_t now,
                         int64_t product, double *n);
void nudge_history_free(nudge_history *h);

#endif
