/* shop.h: the shop as a shopper sees it, for the app: the personas to
 * shop as, the items of the trends hot now, an item's details and trend
 * chart, the features of a line that is only in a cart (the training
 * set's definitions, computed live), checkout, past orders and returns.
 *
 * "Now" is the shop's clock: by default the end of the store's data (the
 * demo's today), so a store of last year's data opens on its last day. */
#ifndef TRENDGUARD_SHOP_H
#define TRENDGUARD_SHOP_H

#include <stdint.h>

#include "trendguard/estimates.h"
#include "trendguard/features.h"
#include "trendguard/store.h"
#include "trendguard/util.h"

typedef struct tg_shop tg_shop;

/* Opens the shop on store s (which must outlive it) with its clock at now;
 * now = 0: the end of the store's data (v_data_end), or the wall clock for
 * an empty store. Prepares its statements once. Caller frees. */
tg_shop *shop_open(tg_store *s, int64_t now, tg_err *err);
void shop_free(tg_shop *sh);
int64_t shop_now(const tg_shop *sh);
void shop_set_now(tg_shop *sh, int64_t now);

/* ---- history read by another shop ---------------------------------------- */

/* A shop's view of the store at a moment (its connection's writes and
 * the commits it has seen), its clock, and the file its connection has
 * open (store_file_of). */
typedef struct tg_shop_mark {
    int64_t version, changes, now;
    int64_t file[2];
} tg_shop_mark;

/* Tells sh that its connection's writes that took its count of changes
 * (store_changes) from before to after changed no history it
 * caches (the app's record of a session): its caches stay when nothing
 * else was written meanwhile. */
void shop_cache_unrelated(tg_shop *sh, int64_t before, int64_t after);
/* Marks where sh's view of the store stands now. */
int shop_cache_mark(tg_shop *sh, tg_shop_mark *m, tg_err *err);
/* Takes the shoppers' and products' history and the newest trend data
 * (shop_trend_latest's) that `from`, a shop on
 * another connection to the same store, has read since `to` was marked
 * m: only when nothing was written or committed since (then both read
 * the same data), at the same clock, and with both connections on the
 * file `to` had open when marked (a bulk load moves a new file into
 * place: a connection opened before reads the old one); otherwise
 * nothing. `from` must not be in use on another thread. */
void shop_cache_share(tg_shop *to, const tg_shop_mark *m,
                      const tg_shop *from);

/* ---- personas ------------------------------------------------------------ */

typedef struct tg_persona {
    int64_t id;                 /* customers.id */
    char code[32];
    int segment;                /* TG_SEG_* */
    char label[48];             /* segments.label: "impulsive TikTok buyer" */
    char usual_size[8], shoe_size[8];  /* the shop's estimate of their
                                          sizes (shop_size_estimate) at
                                          now; "" when unknown */
    int age_band;               /* TG_AGE_*, -1 unknown */
    long lines;                 /* purchase lines before now, with lines_before */
    long returns;               /* of them returned, with returns_before */
    double return_rate;         /* returns / lines, NaN without lines */
} tg_persona;

/* Up to n shoppers worth demoing: for every segment in turn, its customers
 * with the longest history before now (so the list mixes segments).
 * *got gets how many were written. */
int shop_personas(tg_shop *sh, tg_persona *out, int n, int *got,
                  tg_err *err);
/* One shopper by customers.id; TG_ENOINPUT when there is none. */
int shop_persona(tg_shop *sh, int64_t customer_id, tg_persona *out,
                 tg_err *err);
/* The persona as one line: "impulsive TikTok buyer, size M, returns 41%". */
void shop_persona_line(const tg_persona *p, char *buf, size_t n);

/* ---- trending items ------------------------------------------------------ */

#define TG_SHOP_SPARK_DAYS 14
#define TG_SHOP_MAX_SIZES 16

typedef struct tg_shop_item {
    int64_t product_id;
    char code[32];
    char name[64];
    char brand[32];
    int category;               /* TG_CAT_* */
    double price;
    int fit_note;               /* the shop's note: -1 runs small, 0 true,
                                   +1 runs large, 2 none */
    /* How it runs (estimates.h): the estimate, -1 small .. +1 large, its
     * reading, and the matured lines that came back too small and too
     * large. */
    est_fit fit;
    int n_sizes;
    char sizes[TG_SHOP_MAX_SIZES][8];  /* in size order */
    int64_t launched_at;        /* 0 unknown */
    double product_return_rate; /* smoothed, as the feature; NaN unknown */
    /* the item's trend: its primary hashtag's state at now */
    int64_t hashtag_id;         /* 0: no trend */
    char hashtag[48];           /* without '#' */
    int phase;                  /* TG_TREND_* (features_trend_phase) */
    int64_t trend_at;           /* its newest snapshot by now, 0 none */
    int trend_fresh;            /* that snapshot is within a day of the
                                   store's newest trend data: views_24h
                                   are today's */
    double views_24h;           /* views in the 24 h before trend_at; NaN */
    double growth_7d;           /* NaN unknown */
    /* views gained per day over the TG_SHOP_SPARK_DAYS days up to now,
     * oldest first; NaN for a day without snapshots */
    double spark[TG_SHOP_SPARK_DAYS];
} tg_shop_item;

typedef struct tg_shop_filter {
    int category;               /* TG_CAT_*, -1 any */
    int phase;                  /* TG_TREND_*, -1 any */
    double min_price, max_price;/* <= 0: no bound */
    const char *search;         /* case-insensitive substring of the name,
                                   brand, category or hashtag; NULL/"": any.
                                   Bound as a parameter, never SQL text. */
} tg_shop_filter;

/* Sets f to "everything". */
void shop_filter_init(tg_shop_filter *f);

/* The items of the trends hot at now, hottest first, at most n, after
 * filtering: the products on sale whose primary trend is fresh (a
 * snapshot within a day of the store's newest trend data by now) and
 * gained views in its last 24 h, by those views. *got gets how many. */
int shop_trending(tg_shop *sh, const tg_shop_filter *f, tg_shop_item *out,
                  int n, int *got, tg_err *err);
/* The newest trend snapshot of the items' hashtags by the shop's now, 0
 * for none (cached while the store and now are unchanged): what an
 * item's trend_fresh is measured against. */
int shop_trend_latest(tg_shop *sh, int64_t *latest, tg_err *err);
/* One item by products.id; TG_ENOINPUT when there is none. */
int shop_item(tg_shop *sh, int64_t product_id, tg_shop_item *out,
              tg_err *err);
/* How the item runs as the shop knows it (its est_fit: the reading the
 * engine's size advice acts on), and where that comes from, in a shopper's
 * words: "Fit: runs small (12 of 15 size returns too small)", "Fit: runs
 * small (the shop's note; no size returns yet)", "Fit: may run small (8
 * size returns, all too small; not enough to be sure)", "Fit: not sure
 * (the shop's note says large; 3 size returns, all too small)", "Fit: true
 * to size (2 too small, 1 too large)"; "" for an item without sizes. */
void shop_fit_story(const tg_shop_item *it, char *buf, size_t n);
/* The shop's estimate of a shopper's size in clothing (is_shoe 0) or shoes
 * (estimates.h): the size ("" when unknown), whether the profile declared
 * one and how many of their lines have said theirs. */
typedef struct tg_size_estimate {
    char size[8];
    int declared;
    long lines;
} tg_size_estimate;
int shop_size_estimate(tg_shop *sh, int64_t customer_id, int is_shoe,
                       tg_size_estimate *out, tg_err *err);
/* The same in a shopper's words ("Your size: M (profile + 4 items)"). */
int shop_size_story(tg_shop *sh, int64_t customer_id, int is_shoe,
                    char *buf, size_t n, tg_err *err);

/* ---- the cart and a line's live features -------------------------------- */

#define TG_CART_MAX 32

typedef struct tg_cart_line {
    int64_t product_id;
    char size[8];               /* "" for none */
    int quantity;               /* >= 1 */
    double unit_price;          /* the price paid (after discount) */
    double discount_pct;        /* 0..<100 */
    double view_minutes;        /* minutes from first view to adding; NaN */
    int category;               /* TG_CAT_* of the product */
} tg_cart_line;

typedef struct tg_cart {
    int64_t customer_id;        /* 0: anonymous */
    int channel;                /* TG_CHANNEL_* (the app: TG_CHANNEL_APP) */
    int pay_later;              /* 1: paid with pay-later */
    int64_t ref_hashtag_id;     /* the TikTok video the shopper came from; 0 */
    int n;
    tg_cart_line line[TG_CART_MAX];
} tg_cart;

/* The features of cart line i as if the cart were ordered at now, with
 * exactly v_training_set's definitions: trend state at now, the shopper's
 * and the product's matured history before now, the basket as the cart
 * holds it. Gives the same row as v_training_set for a line in the store
 * when the cart is its order and now its time. x has TG_NUM_FEATURES
 * entries (NaN: missing). */
int shop_line_features(tg_shop *sh, const tg_cart *cart, int i, float *x,
                       tg_err *err);

/* ---- checkout, orders, returns ----------------------------------------- */

/* A line's score at checkout, written to `scores` so the store's trigger
 * queues an intervention when it is at or above the model's threshold. */
typedef struct tg_line_score {
    double p;                   /* NaN: not scored */
    const char *drivers;        /* JSON text, may be NULL */
} tg_line_score;

/* Writes the cart as one order at now in one transaction: one purchases
 * row per line (order code and line codes "APP-..." made unique, source
 * 'app'), and the scores of model_version (0 or scores NULL: none).
 * order_code (may be NULL, n >= 32) gets the order's code; ids (may be
 * NULL, cart->n entries) get the purchases.id of each line. On any
 * failure nothing is written. TG_EDATA for an empty cart. */
int shop_checkout(tg_shop *sh, const tg_cart *cart,
                  const tg_line_score *scores, int model_version,
                  char *order_code, size_t n, int64_t *ids, tg_err *err);

typedef struct tg_order_line {
    int64_t purchase_id;
    char order_code[40];
    int64_t ordered_at;
    int64_t product_id;
    char name[64];
    char size[8];
    int quantity;
    double unit_price;
    double p_return;            /* newest score, NaN when unscored */
    int returned;               /* 1 when a return is recorded */
    int64_t returned_at;        /* 0 when not returned */
    char reason[20];            /* the return's reason, "" */
    int returnable;             /* not returned and within 30 days of now */
} tg_order_line;

/* The shopper's purchase lines, newest first, at most n. */
int shop_orders(tg_shop *sh, int64_t customer_id, tg_order_line *out, int n,
                int *got, tg_err *err);

/* How the shop scores a line it writes itself: score sets out->p from the
 * line's features x (TG_NUM_FEATURES; NaN: not scored) and out->drivers
 * (may stay NULL; the text is the scorer's until its next call), for
 * model_version. */
typedef struct tg_line_scoring {
    void (*score)(void *ctx, const float *x, tg_line_score *out);
    void *ctx;
    int model_version;
} tg_line_scoring;

/* Records the return of a line at now with reason (one of the returns
 * table's reasons). With exchange_size (not NULL/""): the shopper took the
 * exchange instead of a refund: the return is recorded and a replacement
 * line in that size is ordered (same price, order code "<order>-X", source
 * 'app-exchange') and, with scoring (may be NULL, or model_version 0:
 * none), scored from its features as the store then holds them, so the
 * store's trigger treats it as any ordered line. All in one transaction.
 * TG_EDATA when the line is already returned, its 30 days are over, or
 * the reason or size is unknown; TG_ENOINPUT for no line. */
int shop_return(tg_shop *sh, int64_t purchase_id, const char *reason,
                const char *exchange_size, const tg_line_scoring *scoring,
                tg_err *err);

/* Changes a line of an order in its order-edit window (ordered at most
 * `window` seconds before now, not returned), as a pre-ship check asks:
 * to size (the line's score for model_version, when score is given and
 * not NaN, becomes *score), or, with size NULL, out of the order (its
 * scores go; its follow-ups stay in interventions, about its order). One
 * transaction. TG_EDATA when the window has closed, the line is returned
 * or the item has no such size; TG_ENOINPUT for no line. */
int shop_edit_line(tg_shop *sh, int64_t purchase_id, const char *size,
                   const tg_line_score *score, int model_version,
                   int64_t window, tg_err *err);

#endif
