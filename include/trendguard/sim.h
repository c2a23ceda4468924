/* sim.h: the offline A/B shopper simulation (`trendguard simulate`).
 *
 * Shoppers drawn from the behaviour model (shopper.h), the same one the
 * data generator uses, live through N months of trends: they browse, fill
 * carts, are nudged or not, buy, keep or return, and come back. They are
 * split at random into a control arm (no nudges) and a treatment arm (the
 * intervention engine, nudge.h, scoring with the current model and learning
 * with its bandit). On the same treatment shoppers and the same random
 * numbers the simulation also runs three baselines the engine must beat:
 * nudging at random with the same number of nudges and the same budget,
 * rules only (no model), and the frequently-returned badge only.
 *
 * How shoppers answer each nudge is an assumption kept in
 * assets/simulation.json (each with its source or "assumption"). Accepted
 * nudges act through the behaviour model where they can (an accepted size
 * advice changes the size and shopper_order_finish recomputes the true
 * return probability) and otherwise remove a share of the truth term they
 * answer. Same seed, same result, whatever the number of threads. */
#ifndef TRENDGUARD_SIM_H
#define TRENDGUARD_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/model.h"
#include "trendguard/nudge.h"
#include "trendguard/shopper.h"
#include "trendguard/util.h"

/* ---- the response assumptions (assets/simulation.json) ------------------- */

enum { TG_SIM_RESALE_HOT, TG_SIM_RESALE_DECLINE, TG_SIM_RESALE_OBSOLETE,
       TG_SIM_RESALE_EVERGREEN, TG_SIM_RESALE_KINDS };

typedef struct tg_sim_assume {
    double treatment_share;          /* arms.treatment_share */
    /* money */
    double margin;                   /* gross margin, share of the price */
    double processing_share;         /* processing cost of a return */
    double resale[TG_SIM_RESALE_KINDS]; /* value recovered, by the trend's
                                           phase when back on sale */
    double unsellable_salvage;       /* value recovered of a damaged item */
    double restock_days;             /* return to back on sale */
    double exchange_keeps;           /* margin an exchange keeps */
    double budget_per_1000_day;      /* offer budget per 1000 treated
                                        shoppers a day */
    double trendbuy_return_loss;     /* TrendBuy's annual loss to returns */
    /* answers: accept rate per nudge action, times a segment factor */
    double accept[TG_NUM_ACTIONS];
    double accept_segment[TG_SHOP_SEGMENTS];
    /* effects of an accepted nudge (0 = none) */
    double size_right;      /* size advice: the switch lands on the size
                               that fits */
    double bracket_drop;    /* keep one size: the other sizes are dropped */
    double cool_lost;       /* save for later: never bought */
    double cool_impulse_cut;/* bought later: share of the impulse term gone */
    double reviews_lost;    /* reviews: not bought after all */
    double reviews_quality_cut; /* share of the quality term gone */
    double fading_lost;     /* trend fading: not bought */
    double fading_trend_cut;/* share of the after-peak trend term gone */
    double badge_lost;      /* frequently returned: not bought */
    double badge_size_fix;  /* checks the size guide: size that fits */
    double badge_quality_cut;
    /* satisfaction of an item (an order averages its items) */
    double sat_kept, sat_returned, sat_exchanged, sat_saved;
    double sat_shown, sat_declined; /* taken off per nudge shown/declined */
} tg_sim_assume;

/* Reads and checks the assumptions: every field present with a "value"
 * in range and a non-empty "source"; unknown fields refused; the error
 * names the field ("simulation.json: accept.size_advice: 1.4 is outside
 * [0, 1]"). path NULL: the shipped assets/simulation.json. */
int sim_assume_load(const char *path, tg_sim_assume *a, tg_err *err);
int sim_assume_parse(const char *json, size_t n, const char *name,
                     tg_sim_assume *a, tg_err *err);
/* Sets every effect of an accepted nudge to none (lost sales, term cuts,
 * size changes, dropped sizes, what an exchange keeps). */
void sim_assume_zero_effects(tg_sim_assume *a);

/* ---- running ------------------------------------------------------------------ */

/* The arms: control, then the treatment (the engine) and the baselines,
 * all four on the same treatment shoppers. */
enum { TG_SIM_CONTROL, TG_SIM_ENGINE, TG_SIM_RANDOM, TG_SIM_RULES,
       TG_SIM_BADGE, TG_SIM_ARMS };
extern const char *const sim_arm_names[TG_SIM_ARMS];

typedef struct tg_sim_opts {
    int months;               /* default 6 */
    int shoppers;             /* default 40000 */
    uint64_t seed;
    int threads;              /* 0: 2 */
    int bootstrap;            /* resamples for the intervals; 0: 400 */
    /* The treatment's model and its threshold-free probability; NULL: the
     * treatment runs on the catalogue's rule-based estimate (the engine's
     * fallback without a model). */
    const tg_model *model;
    int model_version;
    const tg_nudge_catalog *catalog;
    const tg_sim_assume *assume;
    const tg_behaviour *behaviour;
    const tg_words *words;
    /* Called now and then with the fraction done and a stage's name. */
    void (*progress)(void *ud, double frac, const char *stage);
    void *ud;
} tg_sim_opts;

/* Totals of one arm. Money is in the shop's currency. */
typedef struct tg_sim_arm {
    long shoppers, orders;
    long items_carted, items_bought;
    long purchases;           /* lines bought */
    long returns;             /* lines returned (exchanges included) */
    long exchanges;           /* returns turned into an exchange or credit */
    double revenue;           /* paid, less refunds */
    double satisfaction_sum;  /* over orders */
    double carted_margin;     /* margin of every carted line */
    double dropped_margin;    /* of carted lines not bought for a nudge */
    double returned_margin;   /* margin given back by returns */
    double processing;        /* return processing cost */
    double writedown;         /* value lost on returned goods */
    double resale_value;      /* value recovered by reselling them */
    double offer_cost;        /* offers taken up */
    long shown, accepted;     /* nudges */
    long shown_by[TG_NUDGE_MAX], accepted_by[TG_NUDGE_MAX];
    /* derived */
    double return_rate, conversion, satisfaction;
} tg_sim_arm;

typedef struct tg_sim_roi {
    double saved_return_cost; /* processing and margin no longer given back */
    double resale_recovered;  /* value no longer lost on returned goods */
    double offer_cost;
    double lost_margin;       /* of carted lines not bought for a nudge */
    double net;               /* saved + resale - offers - lost */
} tg_sim_roi;

typedef struct tg_sim_compare {
    double relative;          /* 1 - return rate / control's */
    double ci_low, ci_high;   /* 95% cluster bootstrap over shoppers */
    double conversion_change; /* points (0.01 = one point) */
    double satisfaction_change;
    tg_sim_roi roi;           /* the arm's shoppers against control's,
                                 scaled to the arm's size */
} tg_sim_compare;

typedef struct tg_sim_month {
    long purchases[TG_SIM_ARMS], returns[TG_SIM_ARMS];
    long items_carted[TG_SIM_ARMS], items_bought[TG_SIM_ARMS];
    long shown[TG_SIM_ARMS];
    double revenue[TG_SIM_ARMS];
} tg_sim_month;

typedef struct tg_sim_result {
    int months;
    long shoppers;
    uint64_t seed;
    int model_version;        /* 0: rules (no model) */
    int64_t start_day, end_day;
    tg_sim_arm arm[TG_SIM_ARMS];
    tg_sim_compare cmp[TG_SIM_ARMS]; /* [TG_SIM_CONTROL] unused */
    tg_sim_month *monthly;    /* [months]; freed by sim_result_free */
    /* scaled to TrendBuy's annual loss to returns (the engine's ROI) */
    double scale_shoppers;    /* TrendBuy shoppers this many of ours stand
                                 for */
    tg_sim_roi scale_roi;     /* per year */
    double scale_returns_avoided; /* per year */
    double scale_return_loss; /* assumed annual loss */
    double seconds;
    char catalog_ids[TG_NUDGE_MAX][32];
    int n_nudges;
} tg_sim_result;

/* Runs the simulation. Every pointer in o must be set except model,
 * progress and ud. */
int sim_run(const tg_sim_opts *o, tg_sim_result *r, tg_err *err);
void sim_result_free(tg_sim_result *r);
/* The result as JSON text (caller frees): months, control, treatment,
 * return_reduction {relative, ci95}, conversion_change,
 * satisfaction_change, resale_recovered, roi, baselines, monthly,
 * scale_to_trendbuy, and more. */
char *sim_result_json(const tg_sim_result *r, const tg_sim_assume *a);

#endif
