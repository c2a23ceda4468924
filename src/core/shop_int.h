/* shop_int.h: what the shop's files share (internal to the core): the
 * shop handle with its prepared statements, the sizes table, and readers of
 * a product, a trend's state and a product's matured history at a moment. */
#ifndef TRENDGUARD_SHOP_INT_H
#define TRENDGUARD_SHOP_INT_H

#include "trendguard/shop.h"

/* A line's 30-day return window, in seconds. */
#define SHOP_WINDOW 2592000

/* The shop's statements, prepared once in shop_open (SQL in shop.c). */
enum {
    SHOP_Q_PRODUCT,
    SHOP_Q_TREND_AT,
    SHOP_Q_TREND_LATEST,
    SHOP_Q_CUSTOMER,
    SHOP_Q_CUST_HISTORY,
    SHOP_Q_PRODUCT_HISTORY,
    SHOP_Q_CATEGORY_FIT,
    SHOP_Q_PERSONA_RANK,
    SHOP_Q_PERSONA_LINES,
    SHOP_Q_TRENDING,
    SHOP_Q_SPARK,
    SHOP_Q_ORDER_EXISTS,
    SHOP_Q_INSERT_LINE,
    SHOP_Q_INSERT_SCORE,
    SHOP_Q_ORDERS,
    SHOP_Q_LINE,
    SHOP_Q_INSERT_RETURN,
    SHOP_Q_DATA_VERSION,
    SHOP_NUM_Q
};

/* One row of the sizes table (its names compare case-insensitively). */
typedef struct shop_size {
    char name[8];
    int rank, is_shoe;
} shop_size;

#define SHOP_MAX_SIZE_ROWS 64

/* A customer's facts and history at a moment; NaN where the training set
 * has NULL. */
typedef struct shop_cust {
    double returns_before, lines_before, joined_at, segment, age_band;
    double usual_rank, shoe_rank;     /* declared sizes' ranks, NaN none */
    double c_lines, c_returns;        /* matured lines and their labels */
    double mean_price, prior_orders;  /* over lines strictly before */
    /* matured lines per size system (0 clothing, 1 shoes) and the sum of
     * the sizes they say (estimates.h) */
    double s_obs[2], s_sum[2];
} shop_cust;

/* A product's matured history at a moment: the smoothed prior return
 * rate, and its size returns and how it runs (estimates.h). */
typedef struct shop_rate {
    int64_t product_id, at;           /* product_id 0: empty */
    double rate;
    est_fit fit;
} shop_rate;

#define SHOP_RATE_CACHE 64

struct tg_shop {
    tg_store *s;
    int64_t now;
    sqlite3_stmt *q[SHOP_NUM_Q];
    shop_size sizes[SHOP_MAX_SIZE_ROWS];
    int n_sizes;
    /* History is cached while the store is unchanged: no write on this
     * connection (total changes) and no commit by another (data_version). */
    int64_t seen_changes, seen_version;
    shop_rate rates[SHOP_RATE_CACHE];
    int64_t cust_id, cust_at;         /* cust_id 0: empty */
    shop_cust cust;
    /* the newest trend snapshot by latest_for (-1: not read) */
    int64_t latest, latest_for;
};

/* A product as the shop reads it; NaN for a missing number. */
typedef struct shop_product {
    int64_t id;
    char code[32], name[64], brand[32];
    int category;                /* categories.code */
    double price;
    double fit_note;             /* -1, 0, +1; NaN: no note */
    int n_sizes;
    char sizes[TG_SHOP_MAX_SIZES][8];
    double launched_at;          /* NaN unknown */
    int64_t hashtag_id;          /* the primary tag, 0 none */
    char hashtag[48];
} shop_product;

/* A trend_state row; known = 0 when there is none (all NaN). */
typedef struct shop_trend {
    int known;
    double views_24h, growth_24h, growth_7d, peak_at, first_at;
    double captured_at, week, prev_week, best_week;
} shop_trend;

/* The statement q, reset with its bindings cleared. */
sqlite3_stmt *shop_stmt(tg_shop *sh, int q);
/* Binds id to statement q and steps to its row: TG_OK with *row on it
 * (the caller resets it), TG_ENOINPUT "no <what> <id>" when there is
 * none, or an error (the statement reset). */
int shop_row_by_id(tg_shop *sh, int q, int64_t id, const char *what,
                   sqlite3_stmt **row, tg_err *err);
/* Column k as a double, NaN for NULL. */
double shop_col(sqlite3_stmt *st, int k);
/* Copies column k's text ("" for NULL) into buf. */
void shop_col_text(sqlite3_stmt *st, int k, char *buf, size_t n);
/* Sets err from the connection (constraint failures are TG_EDATA). */
int shop_fail(tg_shop *sh, tg_err *err, const char *context);

/* Empties the history caches when the store changed since they were
 * filled. */
int shop_cache_check(tg_shop *sh, tg_err *err);
/* Keeps the history caches over this connection's own write of lines
 * ordered at now (checkout), checked (shop_cache_check) just before it:
 * history at or before now reads lines ordered before now (a return
 * rate, their matured lines; a shopper's spend, strictly before), and
 * returns and size returns that arrived by now, and a line ordered at
 * now has neither; the store's triggers on it write only rollups that
 * history does not read. History cached for a later moment goes. */
void shop_cache_keep(tg_shop *sh);

/* The rank of a size in the sizes table (-1 unknown), like a join on it. */
int shop_size_rank(const tg_shop *sh, const char *name, int *is_shoe);
/* Reads product id: TG_OK, TG_ENOINPUT when there is none, or an error. */
int shop_read_product(tg_shop *sh, int64_t id, shop_product *p,
                      tg_err *err);
/* The index of size in p's sizes (case-insensitive), -1 when not offered. */
int shop_product_size(const shop_product *p, const char *size);
/* The latest trend_state row of hashtag_id at or before at. */
int shop_read_trend(tg_shop *sh, int64_t hashtag_id, int64_t at,
                    shop_trend *t, tg_err *err);
/* A trend's phase at `at` (features_trend_phase). */
int shop_trend_phase(const shop_trend *t, int64_t at);
/* The product's matured history at `at`, as the training set has it
 * (cached): the smoothed prior return rate from its lines whose 30-day
 * window had closed and their labels, their size returns and the fit
 * estimate with its category's share up to 31 days before. */
int shop_product_facts(tg_shop *sh, const shop_product *p, int64_t at,
                       shop_rate *out, tg_err *err);
/* shop_product_facts of the n products ps into out, those not cached
 * read in one statement. */
int shop_product_facts_many(tg_shop *sh, const shop_product *ps, int n,
                            int64_t at, shop_rate *out, tg_err *err);

#endif
