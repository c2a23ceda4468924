/* shopper_trend.c: the hashtag side of the shopper behaviour model: trend
 * life cycles (onset, rise, peak, plateau, decline, obsolescence), the
 * daily views a feed reports, the phase at a moment, and drawing the
 * world's unique hashtags with their creators. */
#include "trendguard/shopper.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double uniform_in(tg_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * tg_rng_uniform(r);
}

/* ---- counter-based noise (a pure function of key and index) ----------- */

static double hash_uniform(uint64_t key, uint64_t i)
{
    return (double)(tg_mix64(key ^ tg_mix64(i)) >> 11) * 0x1.0p-53;
}

static double hash_normal(uint64_t key, uint64_t i)
{
    double u1 = hash_uniform(key, 2 * i), u2 = hash_uniform(key, 2 * i + 1);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* ---- trends --------------------------------------------------------------- */

double shopper_trend_level(const tg_trend *t, double day)
{
    double a = day - (double)t->onset;
    if (a < 0)
        return 0;
    if (a < t->rise) /* exponential growth from 1% of the peak */
        return t->peak_views * exp(4.605170185988091 * (a / t->rise - 1.0));
    a -= t->rise;
    if (a < t->plateau)
        return t->peak_views;
    a -= t->plateau;
    return t->peak_views * exp2(-a / t->half_life);
}

double shopper_trend_views(const tg_behaviour *b, const tg_trend *t,
                           int64_t day)
{
    if (day < t->onset || day > t->last_day)
        return 0;
    double sd = b->views_noise_sd;
    double v = shopper_trend_level(t, (double)day + 0.5) *
               exp(sd * hash_normal(t->noise_key, (uint64_t)day) -
                   0.5 * sd * sd);
    return floor(v + 0.5);
}

void shopper_trend_day(const tg_behaviour *b, const tg_trend *t, int64_t day,
                       int64_t out[4])
{
    double v = shopper_trend_views(b, t, day), sd = b->views_noise_sd;
    out[0] = (int64_t)v;
    for (int k = 0; k < 3; k++) {
        double n = hash_normal(t->noise_key + 0x51ED27u * (uint64_t)(k + 1),
                               (uint64_t)day);
        out[k + 1] = (int64_t)floor(v * t->rates[k] *
                                        exp(sd * n - 0.5 * sd * sd) + 0.5);
    }
}

int shopper_trend_top_creator(const tg_trend *t, int64_t day)
{
    double u = hash_uniform(t->noise_key ^ 0xC4EA7035u, (uint64_t)day);
    return u < 0.6 ? 0 : u < 0.9 ? 1 : 2;
}

int shopper_trend_phase(const tg_behaviour *b, const tg_trend *t, double day,
                        double *days_after_peak)
{
    (void)b;
    double a = day - (double)t->onset, pe = t->rise + t->plateau;
    *days_after_peak = 0;
    if (a < 0)
        return TG_PHASE_NONE;
    if (a < t->rise - 1)
        return TG_PHASE_RISING;
    if (a < pe + 1) /* the hype days around the peak */
        return TG_PHASE_PEAK;
    *days_after_peak = a - pe;
    return day >= (double)t->last_day + 1 ? TG_PHASE_OBSOLETE
                                          : TG_PHASE_DECLINE;
}

int shopper_trend_snapshot_days(const tg_world *w, const tg_trend *t,
                                int64_t *first, int64_t *last)
{
    int64_t lo = w->o.start_day - (int64_t)w->b->lead_days;
    int64_t f = t->onset + 1, l = t->last_day + 1;
    if (f < lo)
        f = lo;
    if (l > w->o.end_day - 1)
        l = w->o.end_day - 1;
    *first = f;
    *last = l;
    return l >= f;
}

/* An open-addressing set of trend tags, to keep hashtags unique. */
typedef struct tagset {
    int *slot; /* trend index + 1, 0 = empty */
    size_t cap, n;
} tagset;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static int tagset_has(const tagset *ts, const tg_trend *tr, const char *tag)
{
    if (ts->cap == 0)
        return 0;
    for (size_t i = str_hash(tag) & (ts->cap - 1);; i = (i + 1) & (ts->cap - 1)) {
        if (!ts->slot[i])
            return 0;
        if (strcmp(tr[ts->slot[i] - 1].tag, tag) == 0)
            return 1;
    }
}

static int tagset_add(tagset *ts, const tg_trend *tr, int idx)
{
    if (2 * (ts->n + 1) > ts->cap) {
        size_t nc = ts->cap ? ts->cap * 2 : 1024;
        int *ns = calloc(nc, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < ts->cap; i++) {
            if (!ts->slot[i])
                continue;
            size_t j = str_hash(tr[ts->slot[i] - 1].tag) & (nc - 1);
            while (ns[j])
                j = (j + 1) & (nc - 1);
            ns[j] = ts->slot[i];
        }
        free(ts->slot);
        ts->slot = ns;
        ts->cap = nc;
    }
    size_t j = str_hash(tr[idx].tag) & (ts->cap - 1);
    while (ts->slot[j])
        j = (j + 1) & (ts->cap - 1);
    ts->slot[j] = idx + 1;
    ts->n++;
    return 0;
}

static const char *pick_word(const tg_wordlist *l, tg_rng *r)
{
    return l->w[tg_rng_below(r, l->n)];
}

/* Draws the life cycle of a trend with its onset. */
static void trend_cycle(const tg_behaviour *b, tg_trend *t, int64_t onset,
                        tg_rng *r)
{
    t->onset = onset;
    t->rise = uniform_in(r, b->rise_days[0], b->rise_days[1]);
    t->plateau = uniform_in(r, b->plateau_days[0], b->plateau_days[1]);
    t->half_life = uniform_in(r, b->half_life_days[0], b->half_life_days[1]);
    double u = 1.0 - tg_rng_uniform(r);
    t->peak_views = floor(fmin(b->peak_views_max,
                               b->peak_views_min *
                                   pow(u, -1.0 / b->peak_views_alpha)));
    for (int k = 0; k < 3; k++)
        t->rates[k] = b->engagement_rate[k] *
                      exp(b->engagement_sd * tg_rng_normal(r));
    t->last_day = onset + (int64_t)ceil(t->rise + t->plateau +
                                        t->half_life *
                                            log2(1.0 / b->obsolete_fraction));
    t->noise_key = tg_rng_next(r);
}

static void make_handle(const tg_words *wd, char *out, size_t n, tg_rng *r)
{
    static const char *const seps[] = {"", ".", "_", ""};
    const char *a = pick_word(&wd->creators, r), *c = pick_word(&wd->creators, r);
    const char *sep = seps[tg_rng_below(r, 4)];
    if (tg_rng_uniform(r) < 0.4)
        snprintf(out, n, "@%s%s%s%u", a, sep, c,
                 (unsigned)tg_rng_below(r, 100));
    else
        snprintf(out, n, "@%s%s%s", a, sep, c);
}

/* Writes a unique hashtag for trend idx: fashion ones are aesthetic +
 * item word (+ suffix), the others topic + topic or suffix. */
static int make_tag(tg_world *w, tagset *ts, int idx, tg_rng *r)
{
    const tg_words *wd = w->words;
    tg_trend *t = &w->trends[idx];
    char tag[sizeof t->tag];
    for (int attempt = 0;; attempt++) {
        if (t->category >= 0) {
            t->aesthetic = (int)tg_rng_below(r, wd->aesthetics.n);
            snprintf(tag, sizeof tag, "%s%s%s", wd->aesthetics.w[t->aesthetic],
                     pick_word(&wd->tagwords[t->category], r),
                     tg_rng_uniform(r) < 0.35 ? pick_word(&wd->suffixes, r)
                                              : "");
        } else {
            /* topic + topic (+ suffix), or topic + suffix */
            int two = tg_rng_uniform(r) < 0.6;
            const char *a = pick_word(&wd->topics, r);
            const char *c = two ? pick_word(&wd->topics, r)
                                : pick_word(&wd->suffixes, r);
            const char *d = two && tg_rng_uniform(r) < 0.3
                                ? pick_word(&wd->suffixes, r) : "";
            if (strcmp(a, c) == 0)
                continue;
            snprintf(tag, sizeof tag, "%s%s%s", a, c, d);
        }
        if (attempt >= 40) { /* crowded: add a short number */
            size_t l = strlen(tag);
            if (l > sizeof tag - 4)
                l = sizeof tag - 4;
            snprintf(tag + l, sizeof tag - l, "%u",
                     (unsigned)(10 + tg_rng_below(r, 90)));
        }
        if (!tagset_has(ts, w->trends, tag))
            break;
    }
    memcpy(t->tag, tag, sizeof tag);
    for (int k = 0; k < 3; k++)
        make_handle(wd, t->creators[k], sizeof t->creators[k], r);
    return tagset_add(ts, w->trends, idx);
}

int shopper_trends_make(tg_world *w, tg_rng *r, tg_err *err)
{
    const tg_behaviour *b = w->b;
    int64_t lead = (int64_t)b->lead_days;
    double linked = w->o.n_products * b->trend_linked_share;
    int n_fashion = (int)ceil(linked / b->products_per_trend);
    size_t cap = (size_t)n_fashion + 1024;
    w->trends = calloc(cap, sizeof *w->trends);
    tagset ts = {0};
    if (!w->trends)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    long long rows = 0;
    int64_t f_lo = w->o.start_day - lead - 20,
            f_hi = w->o.end_day - (int64_t)b->launch_lag_days[1] - 2;
    if (f_hi <= f_lo)
        f_hi = f_lo + 1;
    int n = 0;
    for (;; n++) {
        int fashion = n < n_fashion;
        if (!fashion && (rows >= w->o.trend_rows ||
                         n >= n_fashion + w->o.trend_rows + 16))
            break;
        if ((size_t)n == cap) {
            tg_trend *nt = realloc(w->trends, 2 * cap * sizeof *nt);
            if (!nt) {
                free(ts.slot);
                return tg_fail(err, TG_EINTERNAL, "out of memory");
            }
            memset(nt + cap, 0, cap * sizeof *nt);
            w->trends = nt;
            cap *= 2;
        }
        tg_trend *t = &w->trends[n];
        t->category = fashion ? (int)tg_rng_pick(r, b->category_mix,
                                                 TG_SHOP_CATEGORIES)
                              : -1;
        t->aesthetic = -1;
        int64_t onset = fashion
            ? f_lo + (int64_t)tg_rng_below(r, (uint64_t)(f_hi - f_lo))
            : w->o.start_day - lead - 40 +
                  (int64_t)tg_rng_below(r, (uint64_t)(w->o.end_day -
                                                      w->o.start_day +
                                                      lead + 39));
        trend_cycle(b, t, onset, r);
        if (make_tag(w, &ts, n, r)) {
            free(ts.slot);
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        }
        int64_t d0, d1;
        if (shopper_trend_snapshot_days(w, t, &d0, &d1))
            rows += d1 - d0 + 1;
    }
    free(ts.slot);
    w->n_trends = n;
    w->n_fashion = n_fashion;
    return TG_OK;
}

