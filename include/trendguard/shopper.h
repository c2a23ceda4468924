/* shopper.h: the TrendBuy shopper behaviour model. It draws trends,
 * products, customers, orders and order lines from a tg_rng, and gives the
 * true return probability of a line. The synthetic data generator (gen.h)
 * and the offline A/B simulation both draw from it, so they agree.
 *
 * Every number of the model lives in assets/behaviour.json (one place, each
 * with its source); shopper_behaviour_load reads and checks it. */
#ifndef TRENDGUARD_SHOPPER_H
#define TRENDGUARD_SHOPPER_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/features.h"
#include "trendguard/util.h"

/* Sizes of the fixed tables the model uses. */
enum {
    TG_SHOP_SEGMENTS = 5,    /* tg_segment_names[0..4], no "unknown" */
    TG_SHOP_CATEGORIES = 7,  /* tg_category_names[0..6], no "other" */
    TG_SHOP_CHANNELS = 3,    /* web, app, tiktok (TG_CHANNEL_* codes) */
    TG_SHOP_COUNTRIES = 9,   /* shopper_country_names */
    TG_SHOP_REASONS = 6,     /* shopper_reason_names */
    TG_SHOP_CONDITIONS = 3,  /* new, worn, damaged */
    TG_SHOP_GENDERS = 3      /* F, M, X */
};

/* Fit bias of a product: how its sizes run. A fit note (what the shop
 * says) may also be TG_FIT_NONE: no note. */
enum { TG_FIT_RUNS_SMALL = -1, TG_FIT_TRUE = 0, TG_FIT_RUNS_LARGE = 1,
       TG_FIT_NONE = 2 };
/* Return reasons, in shopper_reason_names order. */
enum { TG_REASON_TOO_SMALL, TG_REASON_TOO_LARGE, TG_REASON_NOT_AS_PICTURED,
       TG_REASON_QUALITY, TG_REASON_CHANGED_MIND, TG_REASON_LATE_DELIVERY };
/* Phase of a trend's life cycle at a moment. */
enum { TG_PHASE_NONE, TG_PHASE_RISING, TG_PHASE_PEAK, TG_PHASE_DECLINE,
       TG_PHASE_OBSOLETE };

extern const char *const shopper_country_names[TG_SHOP_COUNTRIES];
extern const char *const shopper_reason_names[TG_SHOP_REASONS];
extern const char *const shopper_condition_names[TG_SHOP_CONDITIONS];
extern const char *const shopper_gender_names[TG_SHOP_GENDERS];
extern const char *const shopper_fit_names[3]; /* index fit_bias + 1 */
extern const char *const shopper_phase_names[5];

/* All parameters of the model (assets/behaviour.json). Per-segment arrays
 * are indexed by TG_SEG_*, per-category ones by TG_CAT_*, channel ones by
 * TG_CHANNEL_* (web, app, tiktok). Logit terms are before truth_scale. */
typedef struct tg_behaviour {
    /* customers */
    double segment_share[TG_SHOP_SEGMENTS];
    double orders_per_year[TG_SHOP_SEGMENTS];
    double activity_sd;          /* sd of log personal activity */
    double age_mix[TG_SHOP_SEGMENTS][TG_NUM_AGE_BANDS];
    double gender_mix[TG_SHOP_GENDERS];
    double size_mix[6];          /* XS..XXL */
    double country_mix[TG_SHOP_COUNTRIES];
    double new_customer_share;   /* joined inside the window */
    double tenure_years_max;
    double dev_sd;               /* personal return-propensity deviation */
    double declared_size_missing[TG_SHOP_SEGMENTS]; /* no size in profile */
    double declared_size_off;    /* a declared size one step off */
    /* orders */
    double channel_mix[TG_SHOP_SEGMENTS][TG_SHOP_CHANNELS];
    double basket_items_mean[TG_SHOP_SEGMENTS]; /* distinct items, >= 1 */
    double bracket_prob[TG_SHOP_SEGMENTS];
    double bracket_three_share;
    double fit_note_read[TG_SHOP_SEGMENTS];
    double size_error_prob;
    double paylater_prob[TG_SHOP_SEGMENTS];
    double paylater_age_mult[TG_NUM_AGE_BANDS];
    double discount_prob[TG_SHOP_SEGMENTS];
    double discount_mean_pct[TG_SHOP_SEGMENTS];
    double trend_pick_prob[TG_SHOP_SEGMENTS];
    double view_minutes_median[TG_SHOP_SEGMENTS];
    double view_minutes_sigma;
    double tiktok_view_factor;
    double quantity_two_prob;
    double hour_weights[2][24]; /* [0] web/app, [1] tiktok */
    double weekday_weights[7];  /* Monday..Sunday */
    double popularity_sigma;    /* sd of log evergreen demand */
    double trend_product_after_weight; /* evergreen weight of trend items */
    /* catalogue */
    double category_mix[TG_SHOP_CATEGORIES];
    double price_median[TG_SHOP_CATEGORIES];
    double price_sigma;
    double fit_mix[3]; /* runs_small, true_to_size, runs_large */
    double fit_note_share;       /* products with a fit note */
    double fit_note_wrong;       /* notes that say another fit */
    double quality_price_corr;
    double trend_linked_share;
    double products_per_trend;
    double launch_lag_days[2]; /* min, max days after the trend's onset */
    double evergreen_launch_days;
    /* trends */
    double rise_days[2];
    double plateau_days[2];
    double half_life_days[2];
    double peak_views_min;
    double peak_views_alpha;
    double peak_views_max;
    double obsolete_fraction;
    double views_noise_sd;
    double engagement_rate[3]; /* likes, shares, comments per view */
    double engagement_sd;
    double lead_days;          /* snapshots before the window start */
    /* returns */
    double delivery_days[2];
    double return_mean_days;
    double condition_mix[TG_SHOP_CONDITIONS];
    double resellable_prob[TG_SHOP_CONDITIONS];
    double reason_base[TG_SHOP_REASONS];
    /* truth: z = truth_scale * (sum of terms) */
    double truth_scale;
    double t_intercept;
    double t_segment[TG_SHOP_SEGMENTS];
    double t_category[TG_SHOP_CATEGORIES];
    double t_age[TG_NUM_AGE_BANDS];
    double t_country[TG_SHOP_COUNTRIES];
    double t_quality;          /* per unit of latent quality (subtracted) */
    double t_size_one;         /* |effective mismatch| == 1 */
    double t_size_two;         /* |effective mismatch| >= 2 */
    double t_bracket_other;    /* a bracketed size that is not the best fit */
    double t_bracket_best;     /* the best-fitting size of a bracket */
    double t_tiktok;
    double t_impulse;          /* full at <= 1 minute, 0 at impulse_minutes */
    double t_impulse_minutes;
    double t_late_night;       /* ordered 00:00-04:59 */
    double t_trend_rising;
    double t_trend_peak;
    double t_trend_after;      /* reached after_days past the peak */
    double t_trend_after_days;
    double t_trend_obsolete;   /* extra once the trend is dead */
    double t_discount;         /* per 100% discount */
    double t_paylater;
    double t_basket;           /* per natural log of the order's lines */
    double t_inventory_age;    /* reached at inventory_days of stock age */
    double t_inventory_days;
    double t_taste_sd;         /* unobserved per-line term */
} tg_behaviour;

/* Reads and checks a behaviour file: every parameter present, a number (or
 * the right array / keyed object) within its range, with a non-empty
 * "source". The error names the file and the field ("truth.category:
 * missing key 'dresses'"). */
int shopper_behaviour_load(const char *path, tg_behaviour *b, tg_err *err);
/* The same from a JSON text; `name` is used in error messages. */
int shopper_behaviour_parse(const char *json, const char *name,
                            tg_behaviour *b, tg_err *err);

/* Word lists from data/ for product names, brands, hashtags and creator
 * handles. */
typedef struct tg_wordlist {
    char **w;
    size_t n;
} tg_wordlist;
typedef struct tg_words {
    tg_wordlist colours, textures, brands, aesthetics, topics, suffixes,
        creators;
    tg_wordlist styles[TG_SHOP_CATEGORIES];   /* from data/styles.txt */
    tg_wordlist items[TG_SHOP_CATEGORIES];    /* from data/items.txt */
    tg_wordlist tagwords[TG_SHOP_CATEGORIES]; /* hashtag item words */
    tg_wordlist generic_tags[TG_SHOP_CATEGORIES];
} tg_words;
/* Loads the lists from the shipped data/ folder (tg_asset_path), or from
 * `dir` when non-NULL. Fails naming the file that is missing or empty. */
int shopper_words_load(tg_words *w, const char *dir, tg_err *err);
void shopper_words_free(tg_words *w);

/* A hashtag and its life cycle (days are days since the epoch). */
typedef struct tg_trend {
    char tag[48];
    char creators[3][32];
    int category;          /* linked category, or -1 for unlinked hashtags */
    int64_t onset;         /* first day with views */
    double rise, plateau;  /* days */
    double half_life;      /* days, in decline */
    double peak_views;     /* daily views at the peak */
    double rates[3];       /* likes, shares, comments per view */
    int64_t last_day;      /* last day with views (obsolescence after) */
    uint64_t noise_key;    /* keys the day-to-day noise */
    int aesthetic;         /* words.aesthetics index, or -1 */
    int first_product, n_products; /* into tg_world.trend_products */
} tg_trend;

typedef struct tg_product {
    char name[96];
    int category;
    int brand;           /* index into words.brands */
    double price;        /* full price, 2 decimals */
    int fit_bias;        /* TG_FIT_*: how it really runs (truth) */
    int fit_note;        /* TG_FIT_*: what the shop's note says, or
                            TG_FIT_NONE; what shoppers read and the shop
                            records */
    int size_lo, size_hi;/* ranks (XS=0..XXL=5), shoe numbers, 0..0 ONE */
    double quality;      /* latent, about N(0,1); higher is better */
    int trend;           /* linked trend or -1 */
    char tags[3][48];
    int n_tags;
    int64_t launch_day;
    double popularity;   /* evergreen demand weight */
} tg_product;

typedef struct tg_customer {
    int segment, usual_size, shoe_size, age_band, gender, country;
    /* What the shopper typed into the profile (-1: nothing): the shop's
     * record; usual_size and shoe_size are the truth. */
    int declared_size, declared_shoe;
    int64_t joined_day;
    double dev;          /* latent personal return-propensity deviation */
    double activity;     /* personal activity multiplier */
    int lines_before, returns_before;
} tg_customer;

/* Everything a line's return probability depends on. */
typedef struct tg_line_ctx {
    int segment, category, age_band, country, channel;
    double dev, quality, taste;
    int mismatch;        /* chosen size + fit bias - usual size */
    int bracketed;       /* sizes of this item in the order, 1 = single */
    int bracket_best;    /* the best-fitting size of its bracket */
    double view_minutes;
    int hour;
    int phase;           /* TG_PHASE_* of the product's trend at purchase */
    double days_after_peak;
    int discount_pct;
    int paylater;
    int basket_lines;
    double inventory_days;
} tg_line_ctx;

/* Per-term contributions to z (before truth_scale), for explanations and
 * for choosing a return reason. */
typedef struct tg_truth_terms {
    double base, person, category, quality, size, bracket, impulse, trend,
        money, basket, inventory, taste;
} tg_truth_terms;

/* z and p = sigmoid(z) of a line; terms may be NULL. */
double shopper_return_logit(const tg_behaviour *b, const tg_line_ctx *x,
                            tg_truth_terms *terms);
double shopper_return_prob(const tg_behaviour *b, const tg_line_ctx *x);

/* Trend life cycle: smooth daily views (no noise), the noisy daily views
 * the feed reports, and the phase at time t (days, fractional). */
double shopper_trend_level(const tg_trend *t, double day);
double shopper_trend_views(const tg_behaviour *b, const tg_trend *t,
                           int64_t day);
/* One day of a trend as a feed counts it: views, likes, shares and
 * comments during that day (out[0..3]), and which of its three creators
 * led that day. Pure functions of the trend and the day. */
void shopper_trend_day(const tg_behaviour *b, const tg_trend *t, int64_t day,
                       int64_t out[4]);
int shopper_trend_top_creator(const tg_trend *t, int64_t day);
int shopper_trend_phase(const tg_behaviour *b, const tg_trend *t, double day,
                        double *days_after_peak);

/* The world: catalogue, trends and customers over a time window, with the
 * per-day demand indexes orders draw from. */
typedef struct tg_world_opts {
    int64_t start_day, end_day; /* window [start, end), days since epoch */
    int n_customers, n_products;
    long long trend_rows;       /* snapshot rows to aim at */
    double activity_mult;       /* scales every customer's order rate */
    uint64_t seed;
} tg_world_opts;

typedef struct tg_world tg_world;
struct tg_world {
    const tg_behaviour *b;
    const tg_words *words;
    tg_world_opts o;
    tg_trend *trends;
    int n_trends, n_fashion;    /* fashion trends come first */
    tg_product *products;       /* ids in launch order */
    int n_products;
    int *trend_products;        /* products of each fashion trend */
    tg_customer *customers;
    int n_customers;
    /* demand indexes, private to shopper.c */
    struct tg_demand *demand;
};

/* Builds the world: trends, then products, then customers, each from its
 * own stream derived from o->seed. b and words must outlive it. Caller
 * frees with shopper_world_free. */
tg_world *shopper_world_create(const tg_behaviour *b, const tg_words *words,
                               const tg_world_opts *o, tg_err *err);
void shopper_world_free(tg_world *w);
/* A step of shopper_world_create: draws the fashion trends (enough for
 * the catalogue's trend-linked share) and then unlinked hashtags until the
 * snapshot rows reach o.trend_rows. */
int shopper_trends_make(tg_world *w, tg_rng *r, tg_err *err);
/* First and last snapshot day of a trend (inclusive), clipped to the feed
 * range [start - lead_days, end]; returns 0 when it has none. */
int shopper_trend_snapshot_days(const tg_world *w, const tg_trend *t,
                                int64_t *first, int64_t *last);

/* One purchase line as drawn. */
typedef struct tg_line {
    int product;
    int size;            /* rank, shoe number or 0 for ONE */
    int quantity;
    int discount_pct;
    double unit_price;   /* after discount, 2 decimals */
    int ref_trend;       /* trend of the TikTok video, or -1 */
    tg_line_ctx ctx;
    double p;            /* true return probability */
} tg_line;

/* An order: a basket of lines bought at one moment. */
enum { TG_ORDER_MAX_LINES = 32 };
typedef struct tg_order {
    int64_t t;           /* seconds since the epoch */
    int channel;         /* TG_CHANNEL_WEB/APP/TIKTOK */
    int paylater;
    int n;
    tg_line lines[TG_ORDER_MAX_LINES];
} tg_order;

/* Expected orders of a customer over [from_day, to_day), and one order of
 * that customer on `day` (the time of day is drawn too). */
double shopper_expected_orders(const tg_world *w, const tg_customer *c,
                               int64_t from_day, int64_t to_day);
/* Draws a day in [from_day, to_day) with the weekday pattern. */
int64_t shopper_draw_day(const tg_world *w, tg_rng *r, int64_t from_day,
                         int64_t to_day);
void shopper_draw_order(const tg_world *w, const tg_customer *c, int64_t day,
                        tg_rng *r, tg_order *out);
/* The size a customer picks for a product before any bracketing. */
int shopper_choose_size(const tg_world *w, const tg_customer *c,
                        const tg_product *p, tg_rng *r);
/* Fills the ctx of every line of an order (basket size, brackets) and its
 * p (each line's taste is drawn once, by draw_order); draw_order calls
 * it, a simulation may call it again after changing lines. */
void shopper_order_finish(const tg_world *w, const tg_customer *c,
                          tg_order *o);

/* A return as drawn for a returned line. */
typedef struct tg_return {
    int64_t t;           /* returned_at, seconds */
    int reason, condition, resellable;
} tg_return;
/* Draws whether a line comes back (with probability line->p) and, if so,
 * when, why and in what condition. Returns 1 when returned. */
int shopper_draw_return(const tg_behaviour *b, const tg_line *line,
                        int64_t ordered_at, tg_rng *r, tg_return *out);

/* The customer part of z (segment, deviation, age, country), before
 * truth_scale, used to give a customer a consistent history. */
double shopper_customer_logit(const tg_behaviour *b, const tg_customer *c);

#endif
