/* sim_int.h: what the simulation's files share (internal to the core):
 * the compact drawn orders, the trend state a feed would have shown, the
 * per-arm state (history for features, caps, budget, bandit), the pending
 * events (lines maturing, size returns, returns meeting the exchange
 * offer), an item of a cart as an arm plays it, and the counters. */
#ifndef TRENDGUARD_SIM_INT_H
#define TRENDGUARD_SIM_INT_H

#include "trendguard/sim.h"
#include "trendguard/stats.h"

#define SIM_WINDOW_DAYS 30 /* the return window: history matures after it */
#define SIM_RING 64        /* days of pending events kept: a saved
                              item bought up to 28 days later matures
                              30 days after */

/* A drawn line, compact; shopper_order_finish rebuilds the rest. */
typedef struct sim_line {
    int32_t product, size, ref_trend, cents;
    uint8_t qty, discount;
    double view_minutes, taste;
} sim_line;

/* A drawn order (a cart: what the shopper meant to buy). */
typedef struct sim_order {
    int64_t t;
    int32_t customer, seq;   /* seq: the customer's k-th order */
    uint32_t first;          /* its lines: lines[first .. first + n) */
    uint8_t n, channel, paylater, treat;
} sim_order;

/* A fashion trend's state as the feed showed it, per snapshot day. */
typedef struct sim_tday {
    float growth_24h, growth_7d, log_views_24h;
    int32_t peak_day;
} sim_tday;
typedef struct sim_trend {
    int64_t first, last;     /* snapshot days; first > last: none */
    sim_tday *d;             /* [last - first + 1] */
} sim_trend;

/* What the store's history would say about a shopper, per arm. */
typedef struct sim_hist {
    int32_t orders, price_lines, m_lines, m_returns;
    int32_t s_obs[2], s_sum[2]; /* matured lines per size system and the
                                   sizes they say (estimates.h) */
    double price_sum;
} sim_hist;

/* Pending events, bucketed by day in rings of SIM_RING days. */
typedef struct sim_mature {   /* a line whose window closes */
    int32_t customer, product;
    uint8_t arm, returned;    /* arm TG_SIM_CONTROL: products only */
    int8_t group;             /* size system (0 clothes, 1 shoes), -1 none */
    uint8_t rank, sized;      /* its size; it came back for its size */
} sim_mature;
typedef struct sim_sizeret {  /* a size return, known the day after */
    int32_t customer, product;
    uint8_t arm;
    int8_t group;             /* as sim_mature */
    uint8_t rank, small;      /* its line's size; too small (else large) */
} sim_sizeret;
typedef struct sim_return {   /* a return starting: the exchange offer */
    uint64_t key;             /* the line's draws */
    int32_t customer, order_items;
    uint8_t arm, category;
    float price;              /* unit price x quantity */
} sim_return;

typedef struct sim_vec {
    void *p;
    size_t n, cap, size;
} sim_vec;

/* One arm's state. */
typedef struct sim_arm_state {
    int kind;                 /* TG_SIM_* */
    tg_nudge_catalog cat;     /* the catalogue this arm decides with */
    int orig[TG_NUDGE_MAX];   /* its nudges' indexes in the full one */
    tg_bandit *bandit;        /* what shoppers take up, learned; NULL for
                                 the arms that pick at random */
    int has_return;           /* the catalogue has a return-moment nudge */
    int has_order;            /* ... an order-moment one (pre-ship) */
    int has_restock;          /* ... a restock-moment one (fast route) */
    int fee_nudge;            /* the return fee's index when on, else -1 */
    int64_t *fee_day;         /* [customers] the day a shopper first paid
                                 a return fee (INT64_MAX: never); NULL
                                 without the fee */
    int nudges;               /* it decides (not control or shadow) */
    tg_rng rng;
    tg_nudge_budget budget;
    tg_nudge_shopper *shop;   /* [treated shoppers] */
    sim_hist *hist;           /* [customers] */
    int32_t *p_lines, *p_returns; /* [products] matured, all arms' lines */
    int32_t *p_small, *p_large;   /* [products] of them back too small,
                                     too large */
    /* per category, the size returns known so far (too small, large) */
    int64_t cat_cum[TG_NUM_CATEGORIES][2];
    int32_t *c_lines, *c_returns; /* [customers] bought and returned, for
                                     the bootstrap */
    int32_t *c_orders, *c_sat;    /* [customers] orders, and their
                                     satisfaction in thousandths */
    long day_shown, day_items;
} sim_arm_state;

typedef struct sim_ctx {
    const tg_sim_opts *o;
    const tg_behaviour *b;
    const tg_sim_assume *a;
    tg_world *w;
    int64_t start, end;       /* days */
    int months;
    sim_trend *trends;        /* [w->n_fashion] */
    sim_order *orders;
    size_t n_orders;
    sim_line *lines;
    size_t n_lines;
    int32_t *treat_index;     /* [customers] index among treated, or -1 */
    long n_treat, n_control;
    sim_arm_state arm[TG_SIM_ARMS];
    int playing[TG_SIM_ARMS]; /* the arms this run plays */
    sim_vec mature[SIM_RING], returns[SIM_RING];
    sim_vec sizeret[SIM_RING];
    /* the shadow's outcome of each of the day's treated carts: the lines
     * it returned (bit k: line k), by order index from the day's first */
    uint32_t *shadow_back;
    size_t shadow_cap, day_first;
    /* the model */
    int *map;                 /* model feature -> features.h */
    size_t nf;
    int threads;
    tg_sim_result *r;
} sim_ctx;

/* The engine's lines of one day, with their scores. */
typedef struct batch {
    size_t n, cap;            /* rows (lines) */
    float *x;                 /* [cap][TG_NUM_FEATURES] features.h order */
    float *rows;              /* [cap][nf] model order */
    float *p;                 /* [cap] */
    float *con;               /* [cap][nf + 1] TreeSHAP, where needed */
    int32_t *prod;            /* [cap] the line's product */
    size_t *need;             /* rows to explain */
    size_t *first;            /* [orders + 1]: each order's first row */
    size_t n_orders, cap_orders;
} batch;

/* An item of a cart as an arm plays it: its lines (sizes) in the cart,
 * the nudge shown and what the shopper then did. */
typedef struct sim_item {
    int product, n, lines[TG_ORDER_MAX_LINES];
    int nudge, accepted, context; /* nudge: the arm's catalogue index */
    int lost;                 /* not bought */
    int fee;                  /* its returns pay the return fee */
    int keep_line;            /* the one size kept of several, or -1 */
    int new_size;             /* bought in this size instead, or -1 */
    int later_days;           /* bought this many days later (saved) */
} sim_item;

/* sim_play.c: one cart in one arm. xs, ps, cons: the engine's batch for
 * it (NULL elsewhere: the arm computes its own features). */
int sim_play_order(sim_ctx *s, sim_arm_state *st, const sim_order *so,
                   const float *xs, const float *ps, const float *cons,
                   tg_err *err);
/* The engine's input for item it of the cart o in arm st: the riskiest of
 * its lines (by the model's scores ps, or the rule estimate when ps is
 * NULL), its features from xs, the drivers from cons, the counterfactuals'
 * scorer and the summed risk of its other sizes. What a shop knows only. */
void sim_item_input(const sim_ctx *s, const sim_arm_state *st,
                    const sim_order *so, const tg_order *o,
                    const sim_item *it, const float *xs, const float *ps,
                    const float *cons, tg_nudge_input *in);
/* The key of a cart's random draws: its shopper and their order. */
uint64_t sim_order_key(const sim_order *so);

/* Shows decision d on item x of cart o (caps, the bandit, satisfaction's
 * toll), draws the shopper's answer from idx's draw and, accepted, plays
 * its effect. sess and sh: the contact's caps. */
void sim_show(sim_ctx *s, sim_arm_state *st, const tg_order *o,
              const tg_customer *c, uint64_t key, int idx,
              const tg_nudge_decision *d, tg_nudge_session *sess,
              tg_nudge_shopper *sh, sim_item *x, tg_sim_arm *acc,
              double *penalty);
/* The share of a returned item's value recovered: by its trend's phase
 * (the truth) on the day it is back on sale, `days` after returned_at,
 * and whether it can be sold as new. */
double sim_resale_share(const sim_ctx *s, const tg_product *p,
                        int64_t returned_at, int resellable, double days);
/* Adds one order's satisfaction to arm st's totals and its shopper's. */
void sim_add_satisfaction(const sim_ctx *s, sim_arm_state *st, int customer,
                          double sat, int orders);

/* sim_levers.c: the levers that act around an item's nudge. The
 * pre-ship check: once the cart is ordered, one message for the order in
 * the order-edit window, on the item it is worth most on among those not
 * asked about at the cart and bought now. */
void sim_pre_ship(sim_ctx *s, sim_arm_state *st, const sim_order *so,
                  const tg_order *o, const float *xs, const float *ps,
                  const float *cons, sim_item *it, int ni, tg_sim_arm *acc,
                  double *penalty);
/* The fast restock: the shop decides, from its feed, whether a returned
 * line goes back on sale by the fast route; returns the restock days
 * (fast or usual) and counts the route's cost and what it recovered. */
double sim_restock(sim_ctx *s, sim_arm_state *st, const tg_line *l,
                   const tg_return *ret, double price, tg_sim_arm *acc);
/* The return fee on a line that comes back: the shopper keeps it instead
 * (returns 0) or returns it and pays, and from then on makes fewer
 * orders. */
int sim_fee(sim_ctx *s, sim_arm_state *st, int customer, uint64_t key,
            int orig, const tg_return *ret, tg_sim_arm *acc);
/* Whether a shopper who paid a return fee stays away from this cart. */
int sim_stays_away(const sim_ctx *s, const sim_arm_state *st,
                   const sim_order *so, uint64_t key);
/* The trend state a feed showed at t into x (NaN when none). */
void sim_trend_features(const sim_ctx *s, int trend, int64_t t, float *x);

/* sim_effects.c: what a shopper who accepted decision d on item it of
 * cart o does (the shopper model: it may read the truth). key, idx: the
 * item's random numbers, the same in every arm. */
void sim_effect(const sim_ctx *s, const sim_arm_state *st,
                const tg_nudge_decision *d, const tg_order *o,
                const tg_customer *c, sim_item *it, uint64_t key, int idx);
/* The chance a shopper of this segment accepts a nudge asking action. */
double sim_accept_rate(const sim_ctx *s, int action, int segment);

/* sim_events.c: the day's pending events in every arm that plays. */
void sim_process_mature(sim_ctx *s, sim_vec *v);
void sim_process_sizeret(sim_ctx *s, sim_vec *v);
void sim_process_returns(sim_ctx *s, sim_vec *v, int64_t day);
int sim_push_event(sim_vec *v, const void *e, size_t size, tg_err *err);

/* sim_batch.c: features and scores of the engine's lines for the day's
 * treated carts orders[from, to). */
int sim_engine_batch(sim_ctx *s, size_t from, size_t to, batch *b,
                     tg_err *err);
void sim_batch_free(batch *b);

/* sim_world.c */
uint64_t sim_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
double sim_uniform(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);
int sim_build_world(sim_ctx *s, tg_err *err);
int sim_draw_orders(sim_ctx *s, tg_err *err);
void sim_rebuild(const sim_ctx *s, const sim_order *so, tg_order *o);
void sim_features(const sim_ctx *s, const sim_arm_state *st,
                  const sim_order *so, const tg_order *o, int line,
                  float *x);
void sim_free_world(sim_ctx *s);
int sim_vec_push(sim_vec *v, const void *item, size_t size);

/* sim.c: a run on a world already drawn (the sweep draws it once per
 * seed): arms set up for assumptions a, the days played, the figures. */
int sim_prepare(sim_ctx *s, const tg_sim_opts *o, tg_err *err);
int sim_play(sim_ctx *s, const tg_sim_assume *a, tg_sim_result *r,
             tg_err *err);
void sim_release(sim_ctx *s);

/* sim_report.c */
void sim_report(sim_ctx *s);
int sim_bootstrap(sim_ctx *s, tg_err *err);

#endif
