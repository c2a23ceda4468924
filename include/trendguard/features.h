/* features.h: the model's features, in model order, and the codes used for
 * categorical values. The training-set view, the trainer, live scoring in
 * the app and the explanations all use this one table. */
#ifndef TRENDGUARD_FEATURES_H
#define TRENDGUARD_FEATURES_H

#include <stddef.h>

/* X(name, what it measures). Missing values are NaN. */
#define TG_FEATURES(X)                                                        \
    X(trend_growth_24h, "growth of the trend's views over the 24 h before")   \
    X(trend_growth_7d, "growth of the trend's views over the 7 days before")  \
    X(trend_days_since_peak, "days since the trend's busiest day so far")     \
    X(trend_age_days, "days since the trend was first seen")                  \
    X(trend_log_views_24h, "log10 of the trend's views in the last 24 h")     \
    X(channel, "0 web, 1 app, 2 TikTok link, 3 store")                        \
    X(hour_of_day, "local hour of the purchase, 0-23")                        \
    X(day_of_week, "0 Monday .. 6 Sunday")                                    \
    X(view_minutes, "minutes from first view to purchase")                    \
    X(discount_pct, "discount on the line, percent")                          \
    X(price, "unit price paid")                                               \
    X(price_vs_usual, "unit price / the customer's mean past unit price")    \
    X(basket_lines, "lines in the order")                                     \
    X(sizes_of_item, "distinct sizes of this item in the order")              \
    X(same_category_lines, "other lines of the same category in the order")   \
    X(cust_prior_orders, "the customer's orders before this one")             \
    X(cust_prior_return_rate, "smoothed return rate of matured past lines")   \
    X(cust_tenure_days, "days since the customer joined")                     \
    X(cust_segment, "customer segment code")                                  \
    X(cust_age_band, "0 18-24, 1 25-34, 2 35-44, 3 45+")                      \
    X(size_vs_usual, "size steps above (+) or below (-) the shopper's size " \
                     "as the shop estimates it (estimates.h)")                \
    X(size_history, "the shopper's matured lines in this size system")       \
    X(pay_later, "1 when paid with pay-later")                                \
    X(fit_note, "the shop's fit note: -1 runs small, 0 true, +1 runs large")  \
    X(fit_learned, "how the item runs from its size returns, -1 small .. +1 " \
                   "large (estimates.h)")                                     \
    X(fit_returns, "size returns among the item's matured lines")            \
    X(product_prior_return_rate, "smoothed return rate of matured lines")     \
    X(product_age_days, "days since the product launched")                    \
    X(category, "category code")

enum {
#define TG_FEATURE_ENUM(name, doc) TG_F_##name,
    TG_FEATURES(TG_FEATURE_ENUM)
#undef TG_FEATURE_ENUM
    TG_NUM_FEATURES
};

/* Feature name by index (static string), and index by name (-1). */
const char *features_name(int i);
const char *features_doc(int i);
int features_index(const char *name);

/* Categorical codes. Each table is indexed by code; *_code returns -1 for
 * an unknown name (compared case-insensitively). */
enum { TG_CHANNEL_WEB, TG_CHANNEL_APP, TG_CHANNEL_TIKTOK, TG_CHANNEL_STORE,
       TG_NUM_CHANNELS };
enum { TG_CAT_DRESSES, TG_CAT_TOPS, TG_CAT_JEANS, TG_CAT_SKIRTS,
       TG_CAT_OUTERWEAR, TG_CAT_SHOES, TG_CAT_ACCESSORIES, TG_CAT_OTHER,
       TG_NUM_CATEGORIES };
enum { TG_SEG_IMPULSIVE_TIKTOK, TG_SEG_SERIAL_BRACKETER, TG_SEG_CAREFUL_REPEAT,
       TG_SEG_BARGAIN_HUNTER, TG_SEG_CASUAL, TG_SEG_UNKNOWN, TG_NUM_SEGMENTS };
enum { TG_AGE_18_24, TG_AGE_25_34, TG_AGE_35_44, TG_AGE_45_UP,
       TG_NUM_AGE_BANDS };

extern const char *const tg_channel_names[TG_NUM_CHANNELS];
extern const char *const tg_category_names[TG_NUM_CATEGORIES];
extern const char *const tg_segment_names[TG_NUM_SEGMENTS];
extern const char *const tg_age_band_names[TG_NUM_AGE_BANDS];
int features_code(const char *const *table, int n, const char *name);

/* A trend's phase at a moment, from the views it gained in the 24 h up to
 * its newest snapshot (day), in the 7 days up to it (week), in the 7 days
 * before those (prev_week) and in its busiest 7 days so far (best_week,
 * the most of any week up to that snapshot, this one included), and how
 * many days before the moment that snapshot was taken (stale_days):
 *   rising  its week beats the week before by TG_TREND_GROWING, is at
 *           least TG_TREND_RISING_SHARE of its best week, and its last day
 *           is no quieter than the week's average day;
 *   peak    not rising, and its week is at least TG_TREND_PEAK_SHARE of its
 *           best week;
 *   fading  otherwise, also when it never gained a view and once
 *           TG_TREND_STALE_DAYS have passed without a snapshot;
 *   none    without trend data (week or best_week NaN).
 * Weeks, not days: real counts are read every few hours, rounded ("2.3M")
 * and now and then go down, so one day's views are noise; a week's are
 * not (tested on 30 real TikTok hashtags' four years of views,
 * test_phase.c). The last day only holds a week's climb back from
 * "rising" once the views stop growing. The thresholds are assumptions.
 * The app, the report and the export share this one rule; the store
 * offers it to SQL as trend_phase(day, week, prev_week, best_week,
 * stale_days) (store.c) over trend_state's views_24h, week_views,
 * prev_week_views and best_week_views. */
enum { TG_TREND_NONE, TG_TREND_RISING, TG_TREND_PEAK, TG_TREND_FADING,
       TG_NUM_TREND_PHASES };
#define TG_TREND_GROWING 1.1
#define TG_TREND_RISING_SHARE 0.5
#define TG_TREND_PEAK_SHARE 0.7
#define TG_TREND_STALE_DAYS 7.0
extern const char *const tg_trend_phase_names[TG_NUM_TREND_PHASES];
int features_trend_phase(double day, double week, double prev_week,
                         double best_week, double stale_days);

/* Clothing sizes in order, for size arithmetic; shoe sizes are numbers. */
extern const char *const tg_size_names[];
extern const int tg_num_sizes;
/* Position of a size on a common scale: XS..XXL -> 0..5, shoe sizes
 * 34..46 -> their number, "ONE" -> 0. Returns -1 for an unknown size. */
int features_size_rank(const char *size, int *is_shoe);

#endif
