/* sim.h: the offline A/B shopper simulation (`trendguard simulate`).
 *
 * Shoppers drawn from the behaviour model (shopper.h), the same one the
 * data generator uses, live through N months of trends: they browse, fill
 * carts, are nudged or not, buy, keep or return, and come back. They are
 * split at random into a control arm (no nudges) and a treatment arm (the
 * intervention engine, nudge.h, scoring with the current model and
 * learning what shoppers take up). Every treated shopper is also played
 * without nudges on the same random numbers (the shadow arm): the paired
 * reduction against it is the headline, control against treatment the
 * A/B check. On the same treated shoppers and random numbers the
 * simulation also runs three baselines the engine must beat: nudging at
 * random with about the same number of nudges and the same budget, the
 * same engine with the rule estimate in place of the model, and the
 * frequently-returned badge only.
 *
 * The engine decides from what a shop knows (its records, the model, the
 * size and fit learned from them); only the shopper model reads the truth.
 * How shoppers answer each nudge and what they then do are assumptions in
 * assets/simulation.json, each with its source and range or marked an
 * assumption. An accepted nudge acts through the behaviour model: a size
 * advice moves the shopper to the advised size (right or wrong) and the
 * true return probability is worked out again; a saved item is decided
 * again days later, with the trend's heat then; reviews show how an item
 * fits and its quality; ... (sim_effects.c). Around the item's nudge
 * (sim_levers.c): a pre-ship check on the order once it is placed, the
 * shop's fast restock of hot returns, and a return fee as a what-if (off
 * unless the catalogue's what_if_on turns it on) whose payers make fewer
 * later orders. Besides returns it measures satisfaction per order from
 * the shopper model's events and the resale value recovered, split into
 * returns avoided and faster restock. Same seed, same result, whatever
 * the number of threads. */
#ifndef TRENDGUARD_SIM_H
#define TRENDGUARD_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/model.h"
#include "trendguard/nudge.h"
#include "trendguard/shopper.h"
#include "trendguard/store.h"
#include "trendguard/util.h"

/* ---- the response assumptions (assets/simulation.json) ------------------- */

enum { TG_SIM_RESALE_HOT, TG_SIM_RESALE_DECLINE, TG_SIM_RESALE_OBSOLETE,
       TG_SIM_RESALE_EVERGREEN, TG_SIM_RESALE_KINDS };

/* Parameters a file may hold, keyed ones counted once. */
#define TG_SIM_MAX_PARAMS 64

typedef struct tg_sim_assume {
    double treatment_share;          /* arms.treatment_share */
    /* money */
    double margin;                   /* gross margin, share of the price */
    double processing_share;         /* processing cost of a return */
    double resale[TG_SIM_RESALE_KINDS]; /* value recovered, by the trend's
                                           phase when back on sale */
    double unsellable_salvage;       /* value recovered of a damaged item */
    double restock_days;             /* return to back on sale */
    double fast_restock_days;        /* the same by the fast route */
    double fast_restock_cost;        /* what the fast route costs an item */
    double exchange_keeps;           /* margin an exchange keeps */
    double budget_per_1000_day;      /* offer budget per 1000 treated
                                        shoppers a day */
    double trendbuy_return_loss;     /* TrendBuy's annual loss to returns */
    /* answers: accept rate per nudge action, times a segment factor */
    double accept[TG_NUM_ACTIONS];
    double accept_segment[TG_SHOP_SEGMENTS];
    /* a pre-selected size (a default) is kept by more shoppers than take
     * the same size offered as a prompt: the prompt's odds times this */
    double default_odds_ratio;
    /* the return fee (a what-if): money per return, the share of the
     * returns it keeps, the share of later orders lost once one is paid */
    double fee_amount, fee_keeps, fee_later_cut;
    /* what shoppers do once they accept (sim_effects.c) */
    double cool_return;      /* save for later: share who come back to
                                decide again */
    double cool_days;        /* mean days until they do */
    double reviews_min;      /* reviews needed to show how an item fits */
    double reviews_noise;    /* sd of the quality reviews show, in units of
                                the quality's own sd */
    double reviews_drop_below; /* quality shown below which the shopper
                                  drops the item */
    double fading_taste_above; /* trend note: the shopper drops an item
                                  liked less than this (the line's taste
                                  term in sd; positive: more returns) */
    double badge_size_check; /* badge: checks the size guide */
    double badge_reviews;    /* badge: reads the reviews */
    /* satisfaction of an item (an order averages its items) */
    double sat_kept, sat_returned, sat_exchanged, sat_saved;
    double sat_shown, sat_declined; /* taken off per nudge shown/declined */
    double sat_waited;       /* taken off an item bought after waiting */
    double sat_fee;          /* taken off an item whose return paid a fee */
    double sat_stayed_away;  /* an order not made after paying a fee */
    /* Not in the file. effects_off: an accepted nudge changes nothing
     * (sim_assume_zero_effects). range_*: the file's range of each
     * parameter that cites one (by sim_assume_params index). */
    int effects_off;
    unsigned char has_range[TG_SIM_MAX_PARAMS];
    double range_lo[TG_SIM_MAX_PARAMS], range_hi[TG_SIM_MAX_PARAMS];
} tg_sim_assume;

/* Reads and checks the assumptions: every field present with a "value"
 * in range and a non-empty "source", and a "range" [low, high] around the
 * value unless the source is an assumption (it starts with "assumption"
 * or "invented"); unknown fields refused; the error names the field
 * ("simulation.json: accept.size_advice: 1.4 is outside [0, 1]"). path
 * NULL: the shipped assets/simulation.json. */
int sim_assume_load(const char *path, tg_sim_assume *a, tg_err *err);
int sim_assume_parse(const char *json, size_t n, const char *name,
                     tg_sim_assume *a, tg_err *err);
/* Sets every effect of an accepted nudge to none: the shopper answers as
 * before but buys, keeps and returns as without the nudge, and an
 * exchange keeps nothing. */
void sim_assume_zero_effects(tg_sim_assume *a);

/* The chance a shopper of segment (TG_SHOP_SEGMENTS index; other: no
 * segment factor) takes a nudge asking action (TG_ACTION_*): the accept
 * rate times the segment's factor, capped at 1; a pre-selected size at
 * the prompt's odds times the defaults' odds ratio; the shop's own
 * levers always. */
double sim_assume_accept(const tg_sim_assume *a, int action, int segment);
/* The share of a returned item's value recovered by selling it again, by
 * its trend's phase as the shop's feed shows it (features_trend_phase,
 * TG_TREND_*) when it is back on sale: rising or at its peak hot, fading
 * past its peak, none evergreen. */
double sim_assume_resale(const tg_sim_assume *a, int trend_phase);

/* What an assumption can move: returns (and with them everything else),
 * satisfaction, the resale value recovered. */
enum { TG_MOVES_RETURNS = 1, TG_MOVES_SATISFACTION = 2, TG_MOVES_RESALE = 4,
       TG_MOVES_ALL = 7 };

/* One assumption as the sweep moves it: a file parameter, or one key of a
 * keyed one ("accept.segment.careful_repeat"). low and high: its range
 * when the file cites one (sourced), else half and double its value,
 * within what the parameter may hold. moves: TG_MOVES_* bits (0 for the
 * A/B split, which an engine-only run does not use); moves_returns: its
 * TG_MOVES_RETURNS bit. needs_action: the nudge action (TG_ACTION_*)
 * without which it moves nothing (-1: none), such as the fee's what-if. */
typedef struct tg_sim_param {
    char name[64];
    int sourced, moves, moves_returns, needs_action;
    double value, low, high;
} tg_sim_param;
/* Lists the assumptions of a; returns how many (at most max). */
int sim_assume_params(const tg_sim_assume *a, tg_sim_param *out, int max);
/* Sets assumption k (sim_assume_params order) to v. */
void sim_assume_set(tg_sim_assume *a, int k, double v);

/* ---- running ------------------------------------------------------------------ */

/* The arms: control, then the treatment (the engine), the baselines and
 * the shadow (no nudges), all five on the same treated shoppers. */
enum { TG_SIM_CONTROL, TG_SIM_ENGINE, TG_SIM_RANDOM, TG_SIM_RULES,
       TG_SIM_BADGE, TG_SIM_SHADOW, TG_SIM_ARMS };
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
    /* Only the engine and its shadow, every shopper treated, no
     * intervals: the sweep's runs. */
    int engine_only;
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
    long orders_lost;         /* carts not made: the shopper stayed away
                                 after paying a return fee */
    double lost_later_margin; /* their margin */
    long fees_paid;
    double fee_income;
    long fast_restocked;      /* returns routed to the fast restock */
    double restock_cost;      /* the fast route's cost */
    double faster_resale;     /* value the fast route recovered over the
                                 usual one (the shopper model's truth) */
    double carted_margin;     /* margin of every carted line */
    double dropped_margin;    /* of carted lines not bought for a nudge */
    double returned_margin;   /* margin given back by returns */
    double processing;        /* return processing cost */
    double writedown;         /* value lost on returned goods */
    double resale_value;      /* value recovered by reselling them */
    double offer_cost;        /* offers taken up */
    long shown, accepted;     /* nudges */
    long shown_by[TG_NUDGE_MAX], accepted_by[TG_NUDGE_MAX];
    /* against the shadow, item by item, by the nudge taken on the item
     * ([TG_NUDGE_MAX]: what changed on items without one, the basket's
     * other lines): returns and lines bought fewer than the shadow's */
    double fewer_returns_by[TG_NUDGE_MAX + 1];
    double fewer_lines_by[TG_NUDGE_MAX + 1];
    long exchanges_by[TG_NUDGE_MAX];
    /* derived */
    double return_rate, conversion, satisfaction;
    double returns_per_item;  /* returns per item carted */
    long refunds;             /* returns less exchanges */
} tg_sim_arm;

typedef struct tg_sim_roi {
    double saved_return_cost; /* processing and margin no longer given back */
    double resale_recovered;  /* value no longer lost on returned goods */
    double offer_cost;
    double lost_margin;       /* of carted lines not bought for a nudge */
    double restock_cost;      /* the fast route's cost */
    double fee_income;        /* return fees paid */
    double lost_later_margin; /* of carts not made after a fee */
    double net;               /* saved + resale + fees - offers - lost -
                                 restock - lost later */
} tg_sim_roi;

/* The resale value recovered (the value no longer lost on returned goods,
 * against the same shoppers without nudges), split into what fewer
 * returns and the faster restock of hot returns recovered. */
typedef struct tg_sim_resale {
    double total, returns_avoided, faster_restock;
} tg_sim_resale;

typedef struct tg_sim_compare {
    /* against control (the A/B check): other shoppers */
    double relative;          /* 1 - return rate / control's */
    double ci_low, ci_high;   /* 95% cluster bootstrap over shoppers */
    /* paired: the same shoppers without nudges (the shadow) */
    double paired, paired_low, paired_high;
    double vs_engine, vs_engine_low, vs_engine_high; /* the engine's paired
                                 reduction less this arm's */
    double conversion_change; /* against the shadow, points (0.01 = one) */
    /* satisfaction per order against the shadow: relative change (0.01 =
     * 1% higher) with its 95% interval, and in points of the index */
    double satisfaction_change, satisfaction_low, satisfaction_high;
    double satisfaction_points;
    tg_sim_resale resale;
    long refunds_avoided;     /* the shadow's refunds less the arm's */
    long returns_avoided;
    tg_sim_roi roi;           /* against the shadow: the same shoppers */
    double by_nudge[TG_NUDGE_MAX + 1]; /* the paired reduction split by the
                                 nudge taken ([TG_NUDGE_MAX]: other) */
} tg_sim_compare;

typedef struct tg_sim_month {
    long purchases[TG_SIM_ARMS], returns[TG_SIM_ARMS];
    long items_carted[TG_SIM_ARMS], items_bought[TG_SIM_ARMS];
    long shown[TG_SIM_ARMS];
    double revenue[TG_SIM_ARMS];
    double paired;            /* the engine's reduction against the shadow
                                 on the month's carts */
} tg_sim_month;

typedef struct tg_sim_result {
    int months;
    long shoppers;
    uint64_t seed;
    int model_version;        /* 0: rules (no model) */
    int engine_only;          /* only the engine and its shadow ran */
    int64_t start_day, end_day;
    tg_sim_arm arm[TG_SIM_ARMS];
    tg_sim_compare cmp[TG_SIM_ARMS]; /* [TG_SIM_CONTROL] unused */
    tg_sim_month *monthly;    /* [months]; freed by sim_result_free */
    /* scaled to TrendBuy's annual loss to returns (the engine's ROI
     * against its shadow) */
    double scale_shoppers;    /* TrendBuy shoppers this many of ours stand
                                 for */
    double scale_refunds_avoided; /* per year */
    tg_sim_roi scale_roi;     /* per year */
    tg_sim_resale scale_resale; /* per year */
    double scale_returns_avoided; /* per year */
    double scale_return_loss; /* assumed annual loss */
    double seconds;
    char catalog_ids[TG_NUDGE_MAX][32];
    int n_nudges;
    unsigned char what_if[TG_NUDGE_MAX]; /* 0: not a what-if; 1: off;
                                            2: on */
} tg_sim_result;

/* Runs the simulation. Every pointer in o must be set except model,
 * progress and ud. */
int sim_run(const tg_sim_opts *o, tg_sim_result *r, tg_err *err);
void sim_result_free(tg_sim_result *r);
/* The result as JSON text (caller frees): months, control, treatment,
 * shadow, what_if, return_reduction {relative, ci95 (against control),
 * paired {relative, ci95}}, engine_vs_random / _rules / _badge
 * {difference, ci95}, by_nudge, refunds_avoided, returns_per_item,
 * conversion_change, satisfaction {change, ci95, points, target_change},
 * resale_recovered {total, per_month, split, per_year_trendbuy,
 * per_year_trendbuy_split, six_months_trendbuy, ...}, roi, baselines,
 * monthly, scale_to_trendbuy, and more. */
char *sim_result_json(const tg_sim_result *r, const tg_sim_assume *a);

/* ---- the sweep: what the figure hangs on ------------------------------------ */

/* The three figures a sweep follows, each the mean over the seeds: the
 * paired reduction, the relative change of satisfaction and the resale
 * value recovered a year scaled to TrendBuy. */
typedef struct tg_sweep_figures {
    double reduction, satisfaction, resale;
} tg_sweep_figures;

typedef struct tg_sweep_row {
    tg_sim_param p;
    double reduction_low, reduction_high; /* mean paired reduction over the
                                             seeds at low and high */
    tg_sweep_figures at_low, at_high;     /* every figure there */
} tg_sweep_row;

typedef struct tg_sweep {
    int seeds, shoppers, months, model_version;
    double base;                 /* mean paired reduction, the defaults */
    tg_sweep_figures base_all;   /* every figure at the defaults */
    double base_seed[8];         /* per seed */
    char what_if[TG_NUDGE_MAX * 33]; /* the what-ifs turned on, "" */
    char what_if_ids[TG_NUDGE_MAX][32]; /* every what-if of the catalogue */
    unsigned char what_if_on[TG_NUDGE_MAX]; /* 1: turned on */
    int n_what_if;
    tg_sweep_row rows[2 * TG_SIM_MAX_PARAMS];
    int n;                       /* rows, widest swing first */
    tg_sim_param fixed[2 * TG_SIM_MAX_PARAMS]; /* not swept: they move no
                                                  return */
    int n_fixed;
    /* the smallest common multiplier of the accept rates reaching the
     * target (NaN: none up to max_multiplier does), found to within
     * multiplier_step, with the reduction there */
    double target, max_multiplier, multiplier_step;
    double multiplier, reduction_at_multiplier;
    double reduction_at_max;
    double seconds;
} tg_sweep;

/* Runs the sweep: the defaults, then every assumption that can move a
 * return, satisfaction or the resale value (with the nudges it needs on)
 * at its low and its high value, widest swing of the reduction first,
 * each over `seeds` seeds (1 to 8:
 * o->seed, o->seed + 1, ...) with the engine and its shadow only; then
 * the accept multiplier. o as for sim_run (its assume is the defaults);
 * progress gets the fraction done. */
int sim_sweep(const tg_sim_opts *o, int seeds, tg_sweep *sw, tg_err *err);
/* The sweep as JSON (caller frees): base, base_satisfaction, base_resale,
 * seeds, assumptions [{name, sourced, moves, low, high, reduction_low,
 * reduction_high, satisfaction_low, satisfaction_high, resale_low,
 * resale_high}], not_swept, needed_for_25 {acceptance_multiplier (or
 * null), reduction, at_3x}. */
char *sim_sweep_json(const tg_sweep *sw);
/* Keeps a sweep in the store (for `report --html`), made at `now`. */
int sim_sweep_store(tg_store *s, const tg_sweep *sw, int64_t now,
                    tg_err *err);
/* The newest sweep kept in the store: *found 0 when there is none (not an
 * error). */
int sim_sweep_latest(tg_store *s, tg_sweep *sw, int *found, tg_err *err);

#endif
