/* features.c: the feature table and the categorical code tables shared by
 * the training-set view, the trainer, live scoring and explanations. */
#include "trendguard/features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/util.h"

static const char *const names[TG_NUM_FEATURES] = {
#define TG_FEATURE_NAME(name, doc) #name,
    TG_FEATURES(TG_FEATURE_NAME)
#undef TG_FEATURE_NAME
};

static const char *const docs[TG_NUM_FEATURES] = {
#define TG_FEATURE_DOC(name, doc) doc,
    TG_FEATURES(TG_FEATURE_DOC)
#undef TG_FEATURE_DOC
};

const char *const tg_channel_names[TG_NUM_CHANNELS] = {"web", "app", "tiktok",
                                                       "store"};
const char *const tg_category_names[TG_NUM_CATEGORIES] = {
    "dresses", "tops", "jeans", "skirts", "outerwear", "shoes", "accessories",
    "other"};
const char *const tg_segment_names[TG_NUM_SEGMENTS] = {
    "impulsive_tiktok", "serial_bracketer", "careful_repeat",
    "bargain_hunter",   "casual",           "unknown"};
const char *const tg_age_band_names[TG_NUM_AGE_BANDS] = {"18-24", "25-34",
                                                         "35-44", "45+"};
const char *const tg_size_names[] = {"XS", "S", "M", "L", "XL", "XXL"};
const int tg_num_sizes = 6;

const char *features_name(int i)
{
    return i >= 0 && i < TG_NUM_FEATURES ? names[i] : NULL;
}

const char *features_doc(int i)
{
    return i >= 0 && i < TG_NUM_FEATURES ? docs[i] : NULL;
}

int features_index(const char *name)
{
    for (int i = 0; i < TG_NUM_FEATURES; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int features_code(const char *const *table, int n, const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < n; i++)
        if (tg_strieq(table[i], name))
            return i;
    return -1;
}

int features_size_rank(const char *size, int *is_shoe)
{
    if (is_shoe)
        *is_shoe = 0;
    if (!size)
        return -1;
    for (int i = 0; i < tg_num_sizes; i++)
        if (tg_strieq(tg_size_names[i], size))
            return i;
    if (tg_strieq(size, "ONE"))
        return 0;
    int64_t v;
    if (tg_parse_int64(size, &v) == 0 && v >= 34 && v <= 46) {
        if (is_shoe)
            *is_shoe = 1;
        return (int)v;
    }
    return -1;
}

const char *const tg_trend_phase_names[TG_NUM_TREND_PHASES] = {
    "none", "rising", "peak", "fading"};

int features_trend_phase(double day, double week, double prev_week,
                         double best_week, double stale_days)
{
    if (isnan(week) || isnan(best_week))
        return TG_TREND_NONE;
    if (stale_days > TG_TREND_STALE_DAYS || !(week > 0) || !(best_week > 0))
        return TG_TREND_FADING;
    if (isnan(prev_week))
        prev_week = 0;
    if (week >= TG_TREND_GROWING * prev_week &&
        week >= TG_TREND_RISING_SHARE * best_week && !(day * 7 < week))
        return TG_TREND_RISING;
    return week >= TG_TREND_PEAK_SHARE * best_week ? TG_TREND_PEAK
                                                   : TG_TREND_FADING;
}
