/* nudge.h: the intervention engine. Given a shopper, an item and size, the
 * cart, the trend's state, the model's score and its top drivers, it
 * decides on zero or one nudge from the catalogue (assets/nudges.json),
 * with its message, its offer and why it was chosen. It chooses by
 * expected net value: each eligible nudge's counterfactual (the advised
 * size, one size kept, bought a day later...) is scored with the same
 * model, the drop in return risk is weighed by the chance the shopper
 * takes the nudge (learned per segment by the bandit from answers) and
 * valued in money (return costs saved, less offer costs and the margin of
 * sales lost); the best positive one wins. The day's offer budget goes to
 * the offers worth most per unit of budget, whatever the moment.
 *
 * The engine is split in two layers:
 *   - pure functions (nudge_decide, the bandit, the caps and the budget
 *     state) that do no I/O, so the app can call them on every item or cart
 *     view and the simulation millions of times;
 *   - store-backed wrappers (nudge_store_*) that load and save the bandit
 *     and the daily budget, read a shopper's caps from `interventions`, log
 *     every decision there, and decide the queue the scoring trigger fills.
 *
 * Nothing here prints or exits. */
#ifndef TRENDGUARD_NUDGE_H
#define TRENDGUARD_NUDGE_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/features.h"
#include "trendguard/model.h"
#include "trendguard/store.h"
#include "trendguard/util.h"

enum {
    TG_NUDGE_MAX = 32,        /* nudges in a catalogue */
    TG_NUDGE_MAX_DRIVERS = 8, /* top drivers given to the engine */
    TG_NUDGE_MAX_MESSAGES = 6,
    TG_NUDGE_MAX_WHEN = 6,    /* conditions per nudge or message */
    TG_NUDGE_MAX_RULES = 24,  /* terms of the rule-based estimate */
    TG_NUDGE_TEXT = 240,      /* message and why buffers */
    TG_NUDGE_BUDGET_BINS = 48 /* value per unit of budget, for the bar */
};

/* When a nudge can be shown: on the item page, at the cart, when a return
 * is started, in the order-edit window after checkout (before the order
 * ships), and when a returned item reaches the warehouse (the shop's own
 * decision: no shopper sees it). */
enum { TG_MOMENT_ITEM, TG_MOMENT_CART, TG_MOMENT_RETURN, TG_MOMENT_ORDER,
       TG_MOMENT_RESTOCK, TG_NUM_MOMENTS };
/* Risk bands of a score (limits in the catalogue). */
enum { TG_BAND_LOW, TG_BAND_MEDIUM, TG_BAND_HIGH, TG_NUM_BANDS };
/* What accepting a nudge does. */
enum {
    TG_ACTION_NONE,          /* information only (a note) */
    TG_ACTION_SWITCH_SIZE,   /* switch to the suggested size */
    TG_ACTION_KEEP_ONE_SIZE, /* drop the other sizes of the item */
    TG_ACTION_SAVE_FOR_LATER,/* take the item out of the cart, saved */
    TG_ACTION_READ_REVIEWS,  /* open real buyers' reviews and photos */
    TG_ACTION_EXCHANGE,      /* turn a started return into an exchange or
                                store credit */
    TG_ACTION_BADGE,         /* the frequently-returned badge */
    TG_ACTION_PRESELECT_SIZE,/* the advised size pre-selected on the item
                                page (a default), undone with one key */
    TG_ACTION_PRE_SHIP,      /* the pre-ship check: change a size or drop
                                the duplicate sizes before the order
                                ships */
    TG_ACTION_FAST_RESTOCK,  /* a returned item routed to the fast restock
                                while its trend is hot (the shop's) */
    TG_ACTION_RETURN_FEE,    /* a fee on returning the item (a what-if) */
    TG_NUM_ACTIONS
};
/* Offers and what they cost the shop when taken up. */
enum { TG_OFFER_NONE, TG_OFFER_FREE_EXCHANGE, TG_OFFER_BONUS_CREDIT,
       TG_OFFER_BUNDLE_DISCOUNT, TG_NUM_OFFERS };
/* Groups of model features: the bandit's context is the group of the
 * score's top driver. */
enum { TG_DRIVER_SIZE, TG_DRIVER_BRACKET, TG_DRIVER_IMPULSE, TG_DRIVER_TREND,
       TG_DRIVER_PRODUCT, TG_DRIVER_SHOPPER, TG_NUM_DRIVER_GROUPS };
/* Why a decision came out as it did. */
enum {
    TG_WHY_SHOWN,       /* a nudge was chosen */
    TG_WHY_LOW_RISK,    /* the score is in the low band */
    TG_WHY_SESSION_CAP, /* the session had its nudges */
    TG_WHY_SHOPPER_CAP, /* the shopper had today's nudges */
    TG_WHY_NONE_FITS,   /* no nudge answers these drivers (or all were
                           declined, capped, over budget) */
    TG_NUM_WHY
};

extern const char *const nudge_moment_names[TG_NUM_MOMENTS];
extern const char *const nudge_band_names[TG_NUM_BANDS];
extern const char *const nudge_action_names[TG_NUM_ACTIONS];
extern const char *const nudge_offer_names[TG_NUM_OFFERS];
extern const char *const nudge_driver_group_names[TG_NUM_DRIVER_GROUPS];
extern const char *const nudge_why_names[TG_NUM_WHY];

/* Whole size steps the line's size is above (+) or below (-) the one that
 * should fit, as the shop estimates it: size_vs_usual rounded (half away
 * from zero) plus how the item runs, read as its words read it
 * (est_fit_runs of fit_learned); NaN when size_vs_usual is unknown. */
double nudge_size_mismatch(const float *x);

/* The driver group of a features.h feature. */
int nudge_driver_group(int feature);

/* ---- the catalogue ------------------------------------------------------ */

/* A condition on a fact or feature: `name op value`. Names are features.h
 * names or the engine's facts (nudge_fact_names). A condition on a value
 * that is unknown (NaN) does not hold. */
enum { TG_OP_LT, TG_OP_LE, TG_OP_EQ, TG_OP_NE, TG_OP_GE, TG_OP_GT };
typedef struct tg_nudge_cond {
    int fact; /* index into nudge_fact_names */
    int op;
    double value;
} tg_nudge_cond;

typedef struct tg_nudge_message {
    char text[TG_NUDGE_TEXT];     /* with {placeholders} */
    tg_nudge_cond when[TG_NUDGE_MAX_WHEN];
    int n_when;
} tg_nudge_message;

typedef struct tg_nudge_def {
    char id[32];
    char title[64];
    int moment;
    uint32_t drivers;      /* bit f: answers features.h feature f; 0 = any */
    unsigned bands;        /* bit TG_BAND_*: shown in these bands */
    tg_nudge_cond when[TG_NUDGE_MAX_WHEN];
    int n_when;
    tg_nudge_message messages[TG_NUDGE_MAX_MESSAGES]; /* first that fits */
    int n_messages;
    int action;
    int offer;
    double offer_cost;     /* fixed part, money */
    double offer_cost_pct; /* share of the item's price */
    int cap_session;       /* times per session, 0 = never capped */
    int cap_shopper_day;   /* times per shopper per day, 0 = not capped */
    /* What the engine expects an accepted nudge to do where no feature
     * of the line changes (the catalogue's assumptions; the simulation
     * measures what shoppers really do): the share of items then not
     * bought, the share of its drivers' contribution to the risk (in
     * logit) removed, and for save-for-later the days until the shopper
     * decides again. */
    double expect_lost, expect_cut, expect_later_days;
    /* The fast restock: the days a trend the feed shows hot is expected
     * to stay hot (the chance it still is d days on: exp(-d / hot_days)).
     * The return fee: the later sales lost per fee paid, in units of the
     * item's price, and the fee itself (money per return). */
    double expect_hot_days, expect_later_lost, fee;
    /* The chance the engine expects a shopper to take it before any
     * answer: the mean of the bandit's prior (0.5 when the file gives
     * none). */
    double expect_taken;
    /* A what-if: off unless the caller turns it on (what_if_on). */
    int what_if;
} tg_nudge_def;

/* One term of the rule-based estimate used when there is no model: when
 * the condition holds, `add` joins the logit and `driver` (a features.h
 * index) is named as a reason. */
typedef struct tg_nudge_rule {
    tg_nudge_cond cond;
    double add;
    int driver;
} tg_nudge_rule;

typedef struct tg_nudge_catalog {
    double band_medium, band_high; /* lowest score of each band */
    int per_session;               /* nudges per session, all kinds */
    int per_shopper_day;           /* nudges per shopper per day */
    double daily_offer_budget;     /* money a day for offers taken up */
    double order_edit_minutes;     /* an order can be changed this long
                                      after checkout, before it ships (the
                                      pre-ship check's window; 0: never) */
    /* What a nudge is worth, as the shop counts its money (shares of the
     * price paid): the margin of a sale, the cost of processing a return,
     * the share of a returned item's cost recovered by selling it again,
     * and the share of the margin an exchange keeps. */
    double margin, processing_share, resale_share, exchange_keeps;
    /* The restock routes (for the fast restock): days from a return to
     * the item back on sale by the usual route and by the fast one, what
     * the fast one costs an item, and the share of a returned item's cost
     * recovered while its trend is hot and once it has faded. */
    double restock_days, fast_restock_days, fast_restock_cost;
    double resale_hot, resale_faded;
    double rules_base;             /* logit of the rule-based estimate */
    tg_nudge_rule rules[TG_NUDGE_MAX_RULES];
    int n_rules;
    tg_nudge_def nudges[TG_NUDGE_MAX];
    int n;
    /* Not in the file: choose at random among the eligible nudges,
     * whatever their value (the simulation's random and badge-only
     * baselines). */
    int pick_random;
    /* Not in the file: bit i turns on what-if nudge i. */
    uint32_t what_if_on;
} tg_nudge_catalog;

/* Loads and checks a catalogue (path NULL: the shipped assets/nudges.json).
 * Every field is checked; a broken file is refused (TG_EDATA) with the
 * field named ("nudges.json: nudges[2].bands[0]: unknown band 'hot'"),
 * a missing one is TG_ENOINPUT. */
int nudge_catalog_load(const char *path, tg_nudge_catalog *c, tg_err *err);
/* The same from n bytes of JSON; `name` is used in error messages. */
int nudge_catalog_parse(const char *json, size_t n, const char *name,
                        tg_nudge_catalog *c, tg_err *err);
/* Index of the nudge with this id, or -1. */
int nudge_catalog_find(const tg_nudge_catalog *c, const char *id);
/* Whether nudge i may be decided at all: not a what-if left off. */
int nudge_catalog_on(const tg_nudge_catalog *c, int i);
/* Whether the shop, not the shopper, answers nudge action a (a fast
 * restock, a fee): it is taken whenever chosen. */
int nudge_action_is_the_shops(int action);
/* The band (TG_BAND_*) of a probability by the catalogue's limits: the one
 * definition the engine, the app and the reports share (risk_figure
 * writes a probability so that its figure agrees with it). */
int nudge_band(const tg_nudge_catalog *c, double p);

/* ---- facts: what conditions test and messages say --------------------- */

enum {
    TG_FACT_FEATURE0 = 0, /* 0 .. TG_NUM_FEATURES - 1: the features */
    TG_FACT_SIZE_MISMATCH = TG_NUM_FEATURES, /* nudge_size_mismatch */
    TG_FACT_SCORE_PCT,        /* the score in percent */
    TG_FACT_PRODUCT_RETURN_PCT,
    TG_FACT_CUST_RETURN_PCT,
    TG_FACT_KEPT_PCT,         /* buyers of your size who kept the suggested
                                 size, percent (given by the caller) */
    TG_FACT_KEPT_N,           /* how many such buyers */
    TG_FACT_REVIEWS,          /* buyers' reviews of the item */
    TG_FACT_DAYS_SINCE_PEAK,
    TG_FACT_LATE_NIGHT,       /* 1 for an hour of day in 23:00-04:59 */
    TG_FACT_BONUS,            /* the offer's value in money */
    TG_FACT_SIZES,            /* = sizes_of_item */
    TG_FACT_MINUTES,          /* = view_minutes, rounded */
    /* text facts (placeholders only) */
    TG_FACT_SIZE,             /* the size picked */
    TG_FACT_SUGGESTED_SIZE,   /* the size that fits */
    TG_FACT_ITEM,             /* the item's name or category */
    TG_FACT_FIT,              /* "small" / "large" when the item runs so
                                 (est_fit_runs) and size_mismatch moves
                                 the size that way, else no value */
    TG_NUM_FACTS
};
extern const char *const nudge_fact_names[TG_NUM_FACTS];

/* ---- the engine's input and output -------------------------------------- */

/* How the engine scores a line's counterfactuals: with the model (its
 * feature k is features.h feature map[k], as score_feature_map gives
 * them) or, when model is NULL, with the catalogue's rule-based
 * estimate. */
typedef struct tg_nudge_scorer {
    const tg_model *model;
    const int *map;
    size_t nf;
} tg_nudge_scorer;

typedef struct tg_nudge_input {
    int moment;               /* TG_MOMENT_* */
    int64_t now;              /* seconds; its day keys caps and budget */
    int segment;              /* TG_SEG_* (TG_SEG_UNKNOWN when unknown) */
    /* the line: its features in features.h order (NaN: missing), which
     * carry the item (price, category, fit), the size against the usual,
     * the cart (basket_lines, sizes_of_item), the trend's state and the
     * shopper's history */
    float x[TG_NUM_FEATURES];
    /* the model: probability (NaN: no model, use the rule-based estimate)
     * and the top drivers (features.h indexes, largest contribution
     * first; only positive contributions count) */
    double score;
    int n_drivers;
    int driver[TG_NUDGE_MAX_DRIVERS];
    float contribution[TG_NUDGE_MAX_DRIVERS];
    /* sizes: rank of the picked size (XS..XXL 0..5, shoes their number),
     * the range offered (lo == hi == 0 for one size; lo > hi unknown) */
    int size, size_lo, size_hi, is_shoe;
    int size_picked;          /* 1: the shopper picked the size: too late
                                 to pre-select one */
    /* facts for messages; NaN / NULL when unknown */
    const char *item;         /* "Ribbed Midi Dress", or NULL: category */
    double kept_pct;          /* see TG_FACT_KEPT_PCT */
    double kept_n;
    double reviews;
    const char *money;        /* the sign amounts are written with ("$",
                                 "GBP ": money_symbol); NULL: none */
    /* the counterfactuals: the scorer (the model the score came from;
     * none: the rule estimate) and, for a line whose item is in the cart
     * in several sizes, the summed risk of its other sizes (NaN: each as
     * this line's) */
    tg_nudge_scorer scorer;
    double others_p;
} tg_nudge_input;

/* Sets every field to "unknown" (features NaN, score NaN, no drivers). */
void nudge_input_init(tg_nudge_input *in);

typedef struct tg_nudge_decision {
    int nudge;              /* catalogue index, -1: none */
    int why_code;           /* TG_WHY_* */
    int band;               /* TG_BAND_* of the score used */
    double score;           /* the score used (the rule estimate if none) */
    int from_rules;         /* 1 when the score came from the rules */
    int context;            /* TG_DRIVER_* group: the bandit's context */
    int driver;             /* the top driver the nudge answers, or -1 */
    int action, offer;      /* copies from the nudge */
    double offer_cost;      /* money if taken up */
    int suggested_size;     /* for size actions, else -1 */
    double sample;          /* the chance the shopper takes it, from the
                               bandit (NaN: no bandit, the prior's) */
    int candidates;         /* how many nudges were eligible */
    double value;           /* expected money of showing it */
    double p_after;         /* the item's expected returns if taken */
    /* The offer the engine would make if the budget allowed (0: none):
     * its value per unit of expected cost and that cost, for
     * nudge_budget_note. */
    double demand_ratio, demand_cost;
    char message[TG_NUDGE_TEXT];
    char why[TG_NUDGE_TEXT];
} tg_nudge_decision;

/* ---- caps and the budget: state the caller keeps -------------------------- */

/* One shopping session (an app visit, or one order for the queue). */
typedef struct tg_nudge_session {
    int shown;
    unsigned char shown_by[TG_NUDGE_MAX];
    uint32_t declined;      /* bit i: nudge i was declined this session */
} tg_nudge_session;

/* One shopper's nudges on one day. */
typedef struct tg_nudge_shopper {
    int64_t day;            /* days since the epoch */
    int shown;
    unsigned char shown_by[TG_NUDGE_MAX];
} tg_nudge_shopper;

/* The shop's offer budget for one day. An offer is made only when its
 * value per unit of expected cost reaches the day's bar: the value at
 * which the offers the engine wanted to make the day before would have
 * used the budget up, so that the budget goes to the offers worth most,
 * whatever moment they come at, not to the first ones. */
typedef struct tg_nudge_budget {
    int64_t day;
    double limit;           /* money a day; < 0: no limit */
    double spent;
    double bar;             /* value per unit of expected cost (0: any) */
    double bar_share;       /* share of offers at the bar itself made */
    /* today's wanted offers' expected cost by value per unit */
    double demand[TG_NUDGE_BUDGET_BINS];
} tg_nudge_budget;

void nudge_session_init(tg_nudge_session *s);
/* Starts the shopper's counts afresh when `now` is on a new day. */
void nudge_shopper_roll(tg_nudge_shopper *sh, int64_t now);
/* Starts the budget afresh (spent 0, limit) when `now` is on a new day,
 * with the bar the day before's wanted offers give. */
void nudge_budget_roll(tg_nudge_budget *b, int64_t now, double limit);
/* Records the offer a decision wanted to make (its demand_*), met or
 * not, for tomorrow's bar. */
void nudge_budget_note(tg_nudge_budget *b, const tg_nudge_decision *d);
/* The bar the demand recorded so far gives for a limit: the value per
 * unit (the lower edge of its quarter-doubling bin) at which the wanted
 * offers worth most use the limit up, and in *share the part of that
 * bin's offers that fit. */
double nudge_budget_bar(const tg_nudge_budget *b, double limit,
                        double *share);

/* Records that decision d was shown (session and shopper caps). */
void nudge_note_shown(const tg_nudge_decision *d, tg_nudge_session *s,
                      tg_nudge_shopper *sh);
/* Records the shopper's answer: a decline is remembered for the session;
 * an accepted offer spends its cost from the budget (which may be NULL). */
void nudge_note_answer(const tg_nudge_decision *d, int accepted,
                       tg_nudge_session *s, tg_nudge_budget *b);

/* ---- the bandit: what shoppers take, per segment x driver group x nudge -- */

/* Each arm is a Beta posterior of the chance that a shown nudge is taken
 * up, learned from the shoppers' answers; its posterior mean weighs each
 * nudge's value (nudge_decide). */
typedef struct tg_bandit tg_bandit;

/* A bandit for n_nudges arms in every context, each starting at
 * Beta(prior_a, prior_b). Caller frees. */
tg_bandit *bandit_create(int n_nudges, double prior_a, double prior_b);
void bandit_free(tg_bandit *b);
int bandit_num_nudges(const tg_bandit *b);
/* An answer to nudge shown in (segment, group): reward in [0, 1] (1: it
 * was taken up; 0: declined). Out-of-range indexes are ignored. */
void bandit_update(tg_bandit *b, int segment, int group, int nudge,
                   double reward);
/* The Beta that bandit_sample draws from: the arm's own posterior plus
 * the nudge's outcomes in every other context, weighted as if at most 20
 * of them had been seen here (w = min(1, 20 / their count)). NaN for an
 * index out of range. */
void bandit_posterior(const tg_bandit *b, int segment, int group, int nudge,
                      double *a, double *beta);
/* A draw from bandit_posterior's Beta (0 for an index out of range). */
double bandit_sample(const tg_bandit *b, int segment, int group, int nudge,
                     tg_rng *r);
/* The arm's posterior parameters and the number of outcomes seen. */
void bandit_get(const tg_bandit *b, int segment, int group, int nudge,
                double *a, double *beta, long *n);
void bandit_set(tg_bandit *b, int segment, int group, int nudge, double a,
                double beta, long n);
/* The posterior mean a / (a + b). */
double bandit_mean(const tg_bandit *b, int segment, int group, int nudge);
/* Beta(a, b) draw (Marsaglia-Tsang gamma draws), for tests and tools. */
double bandit_beta_draw(tg_rng *r, double a, double b);

/* ---- deciding ------------------------------------------------------------- */

/* The rule-based estimate used when there is no model: the probability
 * and the drivers of the rules that fired (largest first, at most max).
 * Returns how many drivers were written. */
int nudge_rules_estimate(const tg_nudge_catalog *c, const float *x,
                         double *score, int *drivers, float *contribs,
                         int max);

/* What a nudge would be worth on a line (nudge_value). */
typedef struct tg_nudge_value {
    int applies;            /* 0: the nudge has nothing to change here (no
                               other size to advise, one size only...) */
    double p, p_after;      /* the item's expected returns as it is and if
                               the nudge is taken (NaN at a return) */
    double lost;            /* the share of items then not bought */
    double accept;          /* the chance the shopper takes it */
    double gain;            /* money if taken: the return costs saved
                               less the margin of sales lost */
    double cost;            /* the offer's cost if taken */
    double value;           /* accept x (gain - cost) */
    int suggested_size;     /* for size actions, else -1 */
} tg_nudge_value;

/* The value of catalogue nudge i on the input, as nudge_decide weighs it
 * (its moment, band, conditions and caps are not checked): the line is
 * scored again under the nudge's counterfactual with in->scorer (the
 * advised size: size_vs_usual moves by the size step; one size kept: the
 * other sizes leave the basket; saved for later: decided a day later,
 * not at night), or, for a nudge that changes no feature, its drivers'
 * contribution is cut by the catalogue's share; the drop in expected
 * returns is valued at the return's cost (the margin given back, the
 * processing, the value lost on the goods), less the margin of the sales
 * lost and the offer's cost, and weighed by the chance the shopper takes
 * it (the bandit's posterior mean for the segment and the risk's top
 * driver group; 0.5, the prior's, without a bandit). Pure. */
void nudge_value(const tg_nudge_catalog *c, const tg_bandit *bandit,
                 const tg_nudge_input *in, int i, tg_nudge_value *v);

/* The line's return probability from its features with the scorer (the
 * rule-based estimate when its model is NULL). */
double nudge_score(const tg_nudge_catalog *c, const tg_nudge_scorer *sc,
                   const float *x);

/* Decides on zero or one nudge. Pure: reads the catalogue, the bandit
 * (may be NULL: every nudge is taken at the prior's 0.5), the caps and the
 * budget (each may be NULL: not limited) and fills *out. A nudge is
 * eligible at its moment (at a cart, the item nudges too), in its bands,
 * when its conditions hold, its caps allow it, it was not declined this
 * session and, for an offer, the budget has room and its value per unit
 * of expected cost reaches the day's bar; of the eligible ones with a
 * positive value (nudge_value) the most valuable wins (catalogue order
 * on a tie). With the catalogue's pick_random it draws one at random from
 * r instead (r NULL: the first). The bandit's context is the driver group
 * adding most to the risk (size, bracket, impulse, trend, product,
 * shopper). Never fails. */
void nudge_decide(const tg_nudge_catalog *c, const tg_bandit *bandit,
                  const tg_nudge_input *in, const tg_nudge_session *s,
                  const tg_nudge_shopper *sh, const tg_nudge_budget *b,
                  tg_rng *r, tg_nudge_decision *out);

/* Fills a message template's {placeholders} from the input; returns 0, or
 * -1 when a placeholder has no value (then buf holds a partial text). */
int nudge_fill(const tg_nudge_catalog *c, const tg_nudge_def *d,
               const char *tmpl, const tg_nudge_input *in, char *buf,
               size_t n);

/* ---- the store ------------------------------------------------------------- */

/* Loads the bandit's arms for the catalogue's nudges (by nudge id; rows of
 * nudges no longer in the catalogue are ignored) into b. */
int nudge_store_load_bandit(tg_store *s, const tg_nudge_catalog *c,
                            tg_bandit *b, tg_err *err);
/* Saves every arm that has seen an outcome. */
int nudge_store_save_bandit(tg_store *s, const tg_nudge_catalog *c,
                            const tg_bandit *b, tg_err *err);
/* The day's offer budget (spent so far) for `now`. */
int nudge_store_budget(tg_store *s, const tg_nudge_catalog *c, int64_t now,
                       tg_nudge_budget *b, tg_err *err);
/* The shopper's nudges shown on now's day (from `interventions`). */
int nudge_store_shopper(tg_store *s, const tg_nudge_catalog *c,
                        int64_t customer_id, int64_t now,
                        tg_nudge_shopper *sh, tg_err *err);

/* Fills the facts of in that come from the store's history before now:
 * kept_pct and kept_n (buyers whose usual size is the shopper's who bought
 * the item in the size that fits the shopper, and how many kept it; needs
 * in->x, size, size range and is_shoe set) and reviews (how many bought
 * the item). Facts it cannot know stay NaN. */
int nudge_store_facts(tg_store *s, int64_t product_id, int64_t customer_id,
                      int64_t now, tg_nudge_input *in, tg_err *err);

/* Where a decision came from, for the log. */
typedef struct tg_nudge_ref {
    int64_t purchase_id;    /* 0: none (a cart or an item view) */
    const char *cart_ref;   /* session or cart id, may be NULL */
    int64_t customer_id;    /* 0: anonymous */
    int model_version;      /* 0: no model (rules) */
    const char *drivers;    /* JSON text of the drivers, may be NULL */
} tg_nudge_ref;

/* Writes a decision to `interventions`: status 'shown' when a nudge was
 * chosen, else 'skipped', with the nudge, offer, cost, why and the time.
 * *id gets the row's id (may be NULL). */
int nudge_store_log(tg_store *s, const tg_nudge_catalog *c,
                    const tg_nudge_ref *ref, const tg_nudge_decision *d,
                    int64_t now, int64_t *id, tg_err *err);
/* Records the shopper's answer to a shown nudge ('accepted' or
 * 'declined') and teaches the stored bandit (the arm of the decision's
 * segment, driver group and nudge); an accepted offer spends its cost
 * from the day's budget. */
int nudge_store_answer(tg_store *s, int64_t id, int accepted, int64_t now,
                       tg_err *err);
/* Records how a nudged purchase ended ("kept", "returned", "lost"). */
int nudge_store_outcome(tg_store *s, int64_t id, const char *outcome,
                        tg_err *err);

typedef struct tg_nudge_queue_opts {
    int64_t now;            /* decision time of every row; 0: each
                               row's moment, its line's purchase */
    long limit;             /* most rows to decide; 0: all */
    uint64_t seed;          /* random draws (made only for a catalogue
                               that picks at random) */
    int history;            /* TG_NUDGE_HISTORY_*: how "buyers your size
                             * kept it" is counted; the same answers */
} tg_nudge_queue_opts;
enum {
    TG_NUDGE_HISTORY_AUTO,  /* a pass for a queue long next to the store */
    TG_NUDGE_HISTORY_QUERY, /* one statement per row */
    TG_NUDGE_HISTORY_PASS   /* one pass over every line by time */
};

typedef struct tg_nudge_queue_result {
    long decided, shown, skipped;
    long by_nudge[TG_NUDGE_MAX];
    long settled;           /* outcomes recorded for matured purchases */
} tg_nudge_queue_result;

/* Decides every queued intervention (the scoring trigger's queue): reads
 * the purchase's features and drivers, the shopper's caps (one order is a
 * session) and the day's budget, decides with the store's newest model
 * scoring the counterfactuals (the rule estimate when there is none) and
 * the bandit the answers taught, and writes the row ('shown' or
 * 'skipped'). Then settles the outcome of shown nudges whose purchase's
 * 30-day window has closed (kept or returned). One transaction. */
int nudge_store_process_queue(tg_store *s, const tg_nudge_catalog *c,
                              const tg_nudge_queue_opts *o,
                              tg_nudge_queue_result *r, tg_err *err);

#endif
