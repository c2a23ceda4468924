/* nudge_int.h: what the intervention engine's files share (internal to
 * the core): the drivers a decision reads, the value of one nudge, and the
 * store files' helpers. */
#ifndef TRENDGUARD_NUDGE_INT_H
#define TRENDGUARD_NUDGE_INT_H

#include "trendguard/nudge.h"

/* The risk a decision works from: the score (the model's, or the rule
 * estimate's when there is none), its positive drivers (features.h
 * indexes, largest first) and the driver group adding most (the bandit's
 * context) with what it adds. */
typedef struct nudge_drivers {
    double score;
    int from_rules;
    int n, f[TG_NUDGE_MAX_DRIVERS];
    float con[TG_NUDGE_MAX_DRIVERS];
    int context;
    double top;
} nudge_drivers;
void nudge_drivers_of(const tg_nudge_catalog *c, const tg_nudge_input *in,
                      nudge_drivers *d);

/* nudge_value for drivers already worked out and ref, the scorer's own
 * score of the line (nudge_score of in->x). */
void nudge_value_at(const tg_nudge_catalog *c, const tg_bandit *bandit,
                    const tg_nudge_input *in, const nudge_drivers *dr,
                    double ref, int i, tg_nudge_value *v);

/* The size change an action asks for on an item with `sizes` sizes in
 * the cart: a pre-selected size is an advised size, a pre-ship check keeps
 * one of several sizes or advises another; any other action is itself. */
int nudge_size_action(int action, int sizes);
/* Whether a moment comes after the sale (a return, a restock): no risk
 * band gates it and no line is scored again. */
int nudge_moment_after_sale(int moment);

/* The size to advise: the picked size less the estimated mismatch, within
 * the sizes offered; -1 when there is none, or (unless same_ok) when it is
 * the picked one. */
int nudge_suggested_size(const tg_nudge_input *in, int same_ok);

/* Writes the bandit context (segment, driver group, band, the chance it
 * was taken at) of the logged decision `id`, so that its answer teaches
 * the right arm. */
int nudge_write_context(tg_store *s, int64_t id, int segment,
                        const tg_nudge_decision *d, tg_err *err);

/* Prepared statements for settling many outcomes in one transaction:
 * nudge_store_outcome's work without preparing them for each one. */
typedef struct nudge_settler {
    sqlite3_stmt *get, *set;
} nudge_settler;
int nudge_settler_open(tg_store *s, nudge_settler *t, tg_err *err);
int nudge_settler_outcome(nudge_settler *t, tg_store *s, int64_t id,
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

/* ---- a bought line as the engine reads it (nudge_line.c) ---------------- */

/* The columns a line's engine input is read from, in this order, then
 * every features.h feature from the training-set cache: p the purchase,
 * pr its product, c its customer (may be missing), v its line_features
 * row. */
#define NUDGE_LINE_FEATURE(name, doc) ", v." #name
#define NUDGE_LINE_COLUMNS                                                    \
    " p.order_code, p.size, p.ordered_at, p.product_id, pr.name, pr.sizes,"  \
    " COALESCE(c.segment, 'unknown'), c.usual_size, c.shoe_size"            \
    TG_FEATURES(NUDGE_LINE_FEATURE)
enum { NL_ORDER, NL_SIZE, NL_ORDERED_AT, NL_PRODUCT, NL_NAME, NL_SIZES,
       NL_SEGMENT, NL_USUAL, NL_SHOE, NL_FEATURES };

/* The statements (and, for many lines in time order, the history pass)
 * that answer a line's facts. */
typedef struct nudge_line_reader {
    sqlite3_stmt *kept, *reviews;
    nudge_history *hist; /* NULL: one statement per line */
} nudge_line_reader;
/* pass: read the history in one pass (lines must then come in time
 * order). */
int nudge_line_open(nudge_line_reader *r, tg_store *s, int pass,
                    tg_err *err);
void nudge_line_close(nudge_line_reader *r);
/* The engine's input for the line in row, whose NUDGE_LINE_COLUMNS start
 * at column `first`: now (its purchase), segment, features, size and the
 * range offered, the item's name (valid until the row steps), and the
 * facts from the store's history before it. Score, drivers, scorer and
 * moment are the caller's. */
int nudge_line_input(nudge_line_reader *r, tg_store *s, sqlite3_stmt *row,
                     int first, tg_nudge_input *in, tg_err *err);
/* The range of size ranks of "XS|S|M", "36|37" ("ONE": 0..0; none: lo >
 * hi). */
void nudge_size_range(const char *sizes, int *lo, int *hi);

/* Each shopper's nudges of the day, by customer id. */
typedef struct nudge_caps {
    struct nudge_cap_slot *slot;
    size_t cap, used;
} nudge_caps;
/* The counts of a customer (> 0), added when new; NULL when out of
 * memory. */
tg_nudge_shopper *nudge_caps_get(nudge_caps *m, int64_t customer);
void nudge_caps_free(nudge_caps *m);

#endif
