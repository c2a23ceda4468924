/* shopper.c: the TrendBuy shopper behaviour model: trend life cycles, the
 * catalogue, customers, the per-day demand that orders draw from, orders
 * and their lines, the true return probability of a line and the return
 * itself. Parameters come from assets/behaviour.json (shopper_params.c). */
#include "trendguard/shopper.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const shopper_country_names[TG_SHOP_COUNTRIES] = {
    "UK", "DE", "FR", "IT", "ES", "NL", "IE", "SE", "US"};
const char *const shopper_reason_names[TG_SHOP_REASONS] = {
    "too_small", "too_large",    "not_as_pictured",
    "quality",   "changed_mind", "late_delivery"};
const char *const shopper_condition_names[TG_SHOP_CONDITIONS] = {
    "new", "worn", "damaged"};
const char *const shopper_gender_names[TG_SHOP_GENDERS] = {"F", "M", "X"};
const char *const shopper_fit_names[3] = {"runs_small", "true_to_size",
                                          "runs_large"};
const char *const shopper_phase_names[5] = {"none", "rising", "peak",
                                            "decline", "obsolete"};

/* Per-day demand: evergreen popularity over products launched so far (ids
 * are in launch order, so that is a prefix) and the live fashion trends
 * with products on sale, weighted by that day's views. */
struct tg_demand {
    int n_days;
    double *ever_cum;  /* [n_products] cumulative popularity */
    int *ever_avail;   /* [n_days] products launched by that day */
    int *day_off;      /* [n_days + 1] into day_trend / day_cum */
    int *day_trend;
    double *day_cum;
};

static double clampd(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static const char *pick_word(const tg_wordlist *l, tg_rng *r)
{
    return l->w[tg_rng_below(r, l->n)];
}

static double uniform_in(tg_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * tg_rng_uniform(r);
}

/* ---- catalogue ------------------------------------------------------------ */

typedef struct launch_key {
    int64_t day;
    int idx;
} launch_key;

static int cmp_launch(const void *a, const void *b)
{
    const launch_key *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static void capitalise(char *dst, size_t n, const char *src)
{
    tg_strlcpy(dst, src, n);
    if (dst[0] >= 'a' && dst[0] <= 'z')
        dst[0] = (char)(dst[0] - 'a' + 'A');
}

static void make_product(const tg_world *w, tg_product *p, int cat,
                         const tg_trend *tr, tg_rng *r)
{
    const tg_behaviour *b = w->b;
    const tg_words *wd = w->words;
    memset(p, 0, sizeof *p);
    p->category = cat;
    char first[48] = "";
    if (tr && tr->aesthetic >= 0 && tg_rng_uniform(r) < 0.5)
        capitalise(first, sizeof first, wd->aesthetics.w[tr->aesthetic]);
    else if (tg_rng_uniform(r) < 0.6)
        tg_strlcpy(first, pick_word(&wd->colours, r), sizeof first);
    const char *tex = pick_word(&wd->textures, r);
    const char *sty = pick_word(&wd->styles[cat], r);
    const char *item = pick_word(&wd->items[cat], r);
    snprintf(p->name, sizeof p->name, "%s%s%s %s %s", first,
             first[0] ? " " : "", tex, sty, item);
    p->brand = (int)tg_rng_below(r, wd->brands.n);
    double z = tg_rng_normal(r);
    double price = b->price_median[cat] * exp(b->price_sigma * z);
    p->price = fmax(2.99, floor(price) + 0.99);
    int fit = (int)tg_rng_pick(r, b->fit_mix, 3) - 1;
    p->fit_bias = cat == TG_CAT_ACCESSORIES ? TG_FIT_TRUE : fit;
    if (cat == TG_CAT_SHOES) {
        p->size_lo = 36;
        p->size_hi = 42;
    } else if (cat == TG_CAT_ACCESSORIES) {
        p->size_lo = p->size_hi = 0;
    } else {
        double u = tg_rng_uniform(r);
        p->size_lo = u < 0.1 ? 1 : 0;
        p->size_hi = u < 0.4 ? 5 : 4;
    }
    double c = b->quality_price_corr;
    p->quality = c * z + sqrt(1 - c * c) * tg_rng_normal(r);
    int nt = 0;
    if (tr)
        tg_strlcpy(p->tags[nt++], tr->tag, sizeof p->tags[0]);
    int extra = (int)tg_rng_below(r, 3) + (tr ? 0 : 1);
    const tg_wordlist *gl = &wd->generic_tags[cat];
    while (nt < 3 && extra-- > 0) {
        const char *g = pick_word(gl, r);
        int dup = 0;
        for (int k = 0; k < nt; k++)
            dup |= strcmp(p->tags[k], g) == 0;
        if (!dup)
            tg_strlcpy(p->tags[nt++], g, sizeof p->tags[0]);
    }
    if (nt == 0)
        tg_strlcpy(p->tags[nt++], gl->w[0], sizeof p->tags[0]);
    p->n_tags = nt;
    p->trend = -1;
    p->popularity = exp(b->popularity_sigma * tg_rng_normal(r));
    if (tr)
        p->popularity *= b->trend_product_after_weight;
}

static int make_products(tg_world *w, tg_rng *r, tg_err *err)
{
    const tg_behaviour *b = w->b;
    int np = w->o.n_products;
    tg_product *tmp = calloc((size_t)np, sizeof *tmp);
    int *owner = malloc((size_t)np * sizeof *owner);
    launch_key *keys = malloc((size_t)np * sizeof *keys);
    w->products = calloc((size_t)np, sizeof *w->products);
    w->trend_products = malloc((size_t)np * sizeof *w->trend_products);
    if (!tmp || !owner || !keys || !w->products || !w->trend_products) {
        free(tmp);
        free(owner);
        free(keys);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    int n_linked = (int)floor(np * b->trend_linked_share + 0.5), k = 0;
    for (int t = 0; t < w->n_fashion && k < n_linked; t++) {
        tg_trend *tr = &w->trends[t];
        int m = 1 + tg_rng_poisson(r, b->products_per_trend - 1);
        tr->first_product = k;
        for (int j = 0; j < m && k < n_linked; j++, k++) {
            make_product(w, &tmp[k], tr->category, tr, r);
            owner[k] = t;
            int64_t lag = (int64_t)floor(uniform_in(r, b->launch_lag_days[0],
                                                    b->launch_lag_days[1] + 1));
            tmp[k].launch_day = tr->onset + lag;
        }
        tr->n_products = k - tr->first_product;
    }
    int64_t lo = w->o.start_day - (int64_t)b->evergreen_launch_days,
            hi = w->o.end_day - 7;
    for (; k < np; k++) {
        int cat = (int)tg_rng_pick(r, b->category_mix, TG_SHOP_CATEGORIES);
        make_product(w, &tmp[k], cat, NULL, r);
        owner[k] = -1;
        tmp[k].launch_day = lo + (int64_t)tg_rng_below(r, (uint64_t)(hi - lo));
    }
    for (int i = 0; i < np; i++)
        keys[i] = (launch_key){tmp[i].launch_day, i};
    qsort(keys, (size_t)np, sizeof *keys, cmp_launch);
    int *new_id = malloc((size_t)np * sizeof *new_id);
    if (!new_id) {
        free(tmp);
        free(owner);
        free(keys);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    for (int i = 0; i < np; i++) {
        w->products[i] = tmp[keys[i].idx];
        w->products[i].trend = owner[keys[i].idx];
        new_id[keys[i].idx] = i;
    }
    /* Each trend's products, in id (launch) order. */
    for (int t = 0; t < w->n_fashion; t++) {
        tg_trend *tr = &w->trends[t];
        int *tp = w->trend_products + tr->first_product;
        for (int j = 0; j < tr->n_products; j++)
            tp[j] = new_id[tr->first_product + j];
        for (int a = 1; a < tr->n_products; a++) /* insertion sort */
            for (int c = a; c > 0 && tp[c - 1] > tp[c]; c--) {
                int x = tp[c];
                tp[c] = tp[c - 1];
                tp[c - 1] = x;
            }
    }
    w->n_products = np;
    free(new_id);
    free(tmp);
    free(owner);
    free(keys);
    return TG_OK;
}

/* ---- customers ------------------------------------------------------------ */

static void make_customer(const tg_world *w, tg_customer *c, tg_rng *r)
{
    const tg_behaviour *b = w->b;
    memset(c, 0, sizeof *c);
    c->segment = (int)tg_rng_pick(r, b->segment_share, TG_SHOP_SEGMENTS);
    c->age_band = (int)tg_rng_pick(r, b->age_mix[c->segment],
                                   TG_NUM_AGE_BANDS);
    c->gender = (int)tg_rng_pick(r, b->gender_mix, TG_SHOP_GENDERS);
    int sz = (int)tg_rng_pick(r, b->size_mix, 6);
    if (c->gender == 1 && sz < 5 && tg_rng_uniform(r) < 0.5)
        sz++;
    c->usual_size = sz;
    double shoe = 36.0 + 0.9 * sz + (c->gender == 1 ? 3.0 : 0.0) +
                  0.8 * tg_rng_normal(r);
    c->shoe_size = (int)clampd(floor(shoe + 0.5), 35, 43);
    c->country = (int)tg_rng_pick(r, b->country_mix, TG_SHOP_COUNTRIES);
    if (tg_rng_uniform(r) < b->new_customer_share)
        c->joined_day = w->o.start_day +
                        (int64_t)tg_rng_below(r, (uint64_t)(w->o.end_day -
                                                            w->o.start_day));
    else
        c->joined_day = w->o.start_day - 1 -
                        (int64_t)(tg_rng_uniform(r) * b->tenure_years_max *
                                  365.0);
    c->dev = b->dev_sd * tg_rng_normal(r);
    double sd = b->activity_sd;
    c->activity = exp(sd * tg_rng_normal(r) - 0.5 * sd * sd);
}

/* ---- demand indexes ------------------------------------------------------- */

static int build_demand(tg_world *w, tg_err *err)
{
    struct tg_demand *d = calloc(1, sizeof *d);
    if (!d)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    w->demand = d;
    int nd = (int)(w->o.end_day - w->o.start_day);
    d->n_days = nd;
    d->ever_cum = malloc((size_t)w->n_products * sizeof *d->ever_cum);
    d->ever_avail = malloc((size_t)nd * sizeof *d->ever_avail);
    d->day_off = malloc((size_t)(nd + 1) * sizeof *d->day_off);
    if (!d->ever_cum || !d->ever_avail || !d->day_off)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    double s = 0;
    for (int i = 0; i < w->n_products; i++)
        d->ever_cum[i] = s += w->products[i].popularity;
    int k = 0;
    for (int i = 0; i < nd; i++) {
        while (k < w->n_products &&
               w->products[k].launch_day <= w->o.start_day + i)
            k++;
        d->ever_avail[i] = k;
    }
    /* Two passes over the fashion trends: count, then fill. */
    size_t total = 0, cap = 0;
    for (int pass = 0; pass < 2; pass++) {
        total = 0;
        for (int i = 0; i < nd; i++) {
            int64_t day = w->o.start_day + i;
            d->day_off[i] = (int)total;
            double cum = 0;
            for (int t = 0; t < w->n_fashion; t++) {
                const tg_trend *tr = &w->trends[t];
                if (tr->n_products == 0 || day < tr->onset ||
                    day > tr->last_day ||
                    w->products[w->trend_products[tr->first_product]]
                            .launch_day > day)
                    continue;
                double v = shopper_trend_views(w->b, tr, day);
                if (v <= 0)
                    continue;
                if (pass == 1) {
                    d->day_trend[total] = t;
                    d->day_cum[total] = cum += v;
                }
                total++;
            }
        }
        d->day_off[nd] = (int)total;
        if (pass == 0) {
            cap = total ? total : 1;
            d->day_trend = malloc(cap * sizeof *d->day_trend);
            d->day_cum = malloc(cap * sizeof *d->day_cum);
            if (!d->day_trend || !d->day_cum)
                return tg_fail(err, TG_EINTERNAL, "out of memory");
        }
    }
    return TG_OK;
}

/* ---- what the shop records ------------------------------------------------ */

/* A value one step from v, up or down at random, kept within [lo, hi]. */
static int one_off(int v, int lo, int hi, tg_rng *r)
{
    int s = v + (tg_rng_uniform(r) < 0.5 ? -1 : 1);
    if (s < lo || s > hi)
        s = 2 * v - s;
    return s;
}

/* The shop's records that differ from the truth: sizes typed into profiles
 * (missing for some, one step off for some) and merchandisers' fit notes
 * (on some products, wrong on some). A stream of their own, so the rest of
 * the world is drawn as before. */
static void shop_records(tg_world *w, tg_rng *r)
{
    const tg_behaviour *b = w->b;
    for (int i = 0; i < w->n_products; i++) {
        tg_product *p = &w->products[i];
        p->fit_note = TG_FIT_NONE;
        double u = tg_rng_uniform(r), v = tg_rng_uniform(r);
        if (p->size_lo == p->size_hi || u >= b->fit_note_share)
            continue;
        p->fit_note = p->fit_bias;
        if (v < b->fit_note_wrong) /* one of the two other fits */
            p->fit_note = (p->fit_bias + 2 + (v < b->fit_note_wrong / 2)) %
                              3 - 1;
    }
    for (int i = 0; i < w->n_customers; i++) {
        tg_customer *c = &w->customers[i];
        double u = tg_rng_uniform(r), v1 = tg_rng_uniform(r),
               v2 = tg_rng_uniform(r);
        c->declared_size = c->declared_shoe = -1;
        if (u < b->declared_size_missing[c->segment])
            continue;
        c->declared_size = v1 < b->declared_size_off
                               ? one_off(c->usual_size, 0, 5, r)
                               : c->usual_size;
        c->declared_shoe = v2 < b->declared_size_off
                               ? one_off(c->shoe_size, 35, 43, r)
                               : c->shoe_size;
    }
}

tg_world *shopper_world_create(const tg_behaviour *b, const tg_words *words,
                               const tg_world_opts *o, tg_err *err)
{
    if (o->end_day <= o->start_day || o->n_customers < 1 ||
        o->n_products < 1) {
        tg_fail(err, TG_EUSAGE, "world needs a window, customers and "
                "products");
        return NULL;
    }
    tg_world *w = calloc(1, sizeof *w);
    if (!w) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    w->b = b;
    w->words = words;
    w->o = *o;
    if (w->o.activity_mult <= 0)
        w->o.activity_mult = 1;
    tg_rng rt, rp, rc;
    tg_rng_seed(&rt, o->seed * 0x9E3779B97F4A7C15ull + 1);
    tg_rng_seed(&rp, o->seed * 0x9E3779B97F4A7C15ull + 2);
    tg_rng_seed(&rc, o->seed * 0x9E3779B97F4A7C15ull + 3);
    if (shopper_trends_make(w, &rt, err) || make_products(w, &rp, err))
        goto fail;
    w->customers = calloc((size_t)o->n_customers, sizeof *w->customers);
    if (!w->customers) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        goto fail;
    }
    w->n_customers = o->n_customers;
    for (int i = 0; i < o->n_customers; i++)
        make_customer(w, &w->customers[i], &rc);
    tg_rng rs;
    tg_rng_seed(&rs, o->seed * 0x9E3779B97F4A7C15ull + 4);
    shop_records(w, &rs);
    if (build_demand(w, err))
        goto fail;
    return w;
fail:
    shopper_world_free(w);
    return NULL;
}

void shopper_world_free(tg_world *w)
{
    if (!w)
        return;
    if (w->demand) {
        free(w->demand->ever_cum);
        free(w->demand->ever_avail);
        free(w->demand->day_off);
        free(w->demand->day_trend);
        free(w->demand->day_cum);
        free(w->demand);
    }
    free(w->trends);
    free(w->products);
    free(w->trend_products);
    free(w->customers);
    free(w);
}


/* ---- orders ----------------------------------------------------------------- */

static int day_index(const tg_world *w, int64_t day)
{
    int64_t d = day - w->o.start_day;
    if (d < 0)
        d = 0;
    if (d >= w->demand->n_days)
        d = w->demand->n_days - 1;
    return (int)d;
}

/* First index in cum[lo..hi) whose value exceeds x. */
static int search_cum(const double *cum, int lo, int hi, double x)
{
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A hot fashion trend of the day, weighted by its views, or -1. */
static int pick_trend(const tg_world *w, int64_t day, tg_rng *r)
{
    const struct tg_demand *d = w->demand;
    int i = day_index(w, day), a = d->day_off[i], z = d->day_off[i + 1];
    if (a == z)
        return -1;
    double x = tg_rng_uniform(r) * d->day_cum[z - 1];
    int k = search_cum(d->day_cum, a, z, x);
    return d->day_trend[k < z ? k : z - 1];
}

static int pick_trend_product(const tg_world *w, int t, int64_t day,
                              tg_rng *r)
{
    const tg_trend *tr = &w->trends[t];
    const int *tp = w->trend_products + tr->first_product;
    int n = 0;
    while (n < tr->n_products && w->products[tp[n]].launch_day <= day)
        n++;
    return n ? tp[tg_rng_below(r, (uint64_t)n)] : -1;
}

static int pick_evergreen(const tg_world *w, int64_t day, tg_rng *r)
{
    const struct tg_demand *d = w->demand;
    int n = d->ever_avail[day_index(w, day)];
    if (n == 0)
        return -1;
    double x = tg_rng_uniform(r) * d->ever_cum[n - 1];
    int k = search_cum(d->ever_cum, 0, n, x);
    return k < n ? k : n - 1;
}

double shopper_expected_orders(const tg_world *w, const tg_customer *c,
                               int64_t from_day, int64_t to_day)
{
    if (c->joined_day > from_day)
        from_day = c->joined_day;
    if (to_day <= from_day)
        return 0;
    return (double)(to_day - from_day) / 365.0 *
           w->b->orders_per_year[c->segment] * c->activity *
           w->o.activity_mult;
}

int64_t shopper_draw_day(const tg_world *w, tg_rng *r, int64_t from_day,
                         int64_t to_day)
{
    const double *ww = w->b->weekday_weights;
    double mx = 0;
    for (int i = 0; i < 7; i++)
        mx = fmax(mx, ww[i]);
    if (to_day <= from_day)
        return from_day;
    for (int tries = 0;; tries++) {
        int64_t d = from_day +
                    (int64_t)tg_rng_below(r, (uint64_t)(to_day - from_day));
        int wd = (int)(((d + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
        if (tries > 50 || tg_rng_uniform(r) * mx < ww[wd])
            return d;
    }
}

int shopper_choose_size(const tg_world *w, const tg_customer *c,
                        const tg_product *p, tg_rng *r)
{
    if (p->size_lo == p->size_hi)
        return p->size_lo;
    const tg_behaviour *b = w->b;
    int s = p->category == TG_CAT_SHOES ? c->shoe_size : c->usual_size;
    /* The note the shop shows, right or wrong. */
    if (p->fit_note != TG_FIT_TRUE && p->fit_note != TG_FIT_NONE &&
        tg_rng_uniform(r) < b->fit_note_read[c->segment])
        s -= p->fit_note; /* runs small: size up */
    if (tg_rng_uniform(r) < b->size_error_prob)
        s += tg_rng_uniform(r) < 0.5 ? -1 : 1;
    return s < p->size_lo ? p->size_lo : s > p->size_hi ? p->size_hi : s;
}

/* The sizes of one item: the chosen one, or 2-3 adjacent ones. */
static int item_sizes(const tg_world *w, const tg_customer *c,
                      const tg_product *p, tg_rng *r, int *sizes)
{
    const tg_behaviour *b = w->b;
    int s = shopper_choose_size(w, c, p, r);
    if (p->size_hi == p->size_lo ||
        tg_rng_uniform(r) >= b->bracket_prob[c->segment]) {
        sizes[0] = s;
        return 1;
    }
    int n = (p->size_hi - p->size_lo >= 2 &&
             tg_rng_uniform(r) < b->bracket_three_share) ? 3 : 2;
    int lo = n == 3 ? s - 1 : (tg_rng_uniform(r) < 0.5 ? s - 1 : s);
    if (lo < p->size_lo)
        lo = p->size_lo;
    if (lo + n - 1 > p->size_hi)
        lo = p->size_hi - n + 1;
    for (int i = 0; i < n; i++)
        sizes[i] = lo + i;
    return n;
}

static double round_to(double x, double unit)
{
    return floor(x / unit + 0.5) * unit;
}

void shopper_draw_order(const tg_world *w, const tg_customer *c, int64_t day,
                        tg_rng *r, tg_order *o)
{
    const tg_behaviour *b = w->b;
    int seg = c->segment;
    memset(o, 0, sizeof *o);
    o->channel = (int)tg_rng_pick(r, b->channel_mix[seg], TG_SHOP_CHANNELS);
    int tiktok = o->channel == TG_CHANNEL_TIKTOK;
    if (tiktok && w->demand->day_off[day_index(w, day)] ==
                      w->demand->day_off[day_index(w, day) + 1]) {
        o->channel = TG_CHANNEL_APP; /* nothing trending to link to */
        tiktok = 0;
    }
    int hour = (int)tg_rng_pick(r, b->hour_weights[tiktok], 24);
    o->t = day * TG_DAY + hour * 3600 + (int64_t)tg_rng_below(r, 3600);
    double pl = b->paylater_prob[seg] * b->paylater_age_mult[c->age_band];
    o->paylater = tg_rng_uniform(r) < fmin(pl, 0.95);
    int items = 1 + tg_rng_poisson(r, b->basket_items_mean[seg] - 1);
    if (items > 8)
        items = 8;
    for (int it = 0; it < items; it++) {
        int prod = -1, ref = -1;
        for (int tries = 0; tries < 4 && prod < 0; tries++) {
            if (tiktok || tg_rng_uniform(r) < b->trend_pick_prob[seg]) {
                int t = pick_trend(w, day, r);
                if (t >= 0)
                    prod = pick_trend_product(w, t, day, r);
                if (prod >= 0 && tiktok)
                    ref = t;
            }
            if (prod < 0 && !tiktok)
                prod = pick_evergreen(w, day, r);
            for (int k = 0; prod >= 0 && k < o->n; k++)
                if (o->lines[k].product == prod)
                    prod = ref = -1;
        }
        if (prod < 0)
            continue;
        const tg_product *p = &w->products[prod];
        int sizes[3], ns = item_sizes(w, c, p, r, sizes);
        int disc = 0;
        if (tg_rng_uniform(r) < b->discount_prob[seg]) {
            double e = -log(1.0 - tg_rng_uniform(r));
            disc = (int)round_to(b->discount_mean_pct[seg] * e, 5);
            disc = disc < 5 ? 5 : disc > 70 ? 70 : disc;
        }
        double med = b->view_minutes_median[seg] *
                     (tiktok ? b->tiktok_view_factor : 1.0);
        double vm = fmax(0.1, round_to(med * exp(b->view_minutes_sigma *
                                                 tg_rng_normal(r)), 0.1));
        int qty = ns == 1 && tg_rng_uniform(r) < b->quantity_two_prob ? 2 : 1;
        long long cents = llround(p->price * 100);
        for (int k = 0; k < ns && o->n < TG_ORDER_MAX_LINES; k++) {
            tg_line *l = &o->lines[o->n++];
            l->product = prod;
            l->size = sizes[k];
            l->quantity = qty;
            l->discount_pct = disc;
            l->unit_price = (double)((cents * (100 - disc) + 50) / 100) / 100.0;
            l->ref_trend = ref;
            l->ctx.view_minutes = vm;
            l->ctx.taste = b->t_taste_sd * tg_rng_normal(r);
        }
    }
    shopper_order_finish(w, c, o);
}

void shopper_order_finish(const tg_world *w, const tg_customer *c,
                          tg_order *o)
{
    const tg_behaviour *b = w->b;
    double tday = (double)o->t / TG_DAY;
    int hour = (int)((o->t % TG_DAY + TG_DAY) % TG_DAY / 3600);
    for (int i = 0; i < o->n; i++) {
        tg_line *l = &o->lines[i];
        const tg_product *p = &w->products[l->product];
        tg_line_ctx *x = &l->ctx;
        x->segment = c->segment;
        x->age_band = c->age_band;
        x->country = c->country;
        x->dev = c->dev;
        x->category = p->category;
        x->quality = p->quality;
        x->channel = o->channel;
        x->hour = hour;
        x->paylater = o->paylater;
        x->discount_pct = l->discount_pct;
        x->basket_lines = o->n;
        if (p->size_lo == p->size_hi)
            x->mismatch = 0;
        else
            x->mismatch = l->size + p->fit_bias -
                          (p->category == TG_CAT_SHOES ? c->shoe_size
                                                       : c->usual_size);
        x->inventory_days = fmax(0, tday - (double)p->launch_day);
        x->phase = TG_PHASE_NONE;
        x->days_after_peak = 0;
        if (p->trend >= 0)
            x->phase = shopper_trend_phase(b, &w->trends[p->trend], tday,
                                           &x->days_after_peak);
    }
    /* Brackets: lines of the same product; the best fit is the size with
     * the smallest |mismatch| (the first one on a tie). */
    for (int i = 0; i < o->n; i++) {
        tg_line *l = &o->lines[i];
        int n = 0, best = -1;
        for (int k = 0; k < o->n; k++) {
            if (o->lines[k].product != l->product)
                continue;
            n++;
            if (best < 0 || abs(o->lines[k].ctx.mismatch) <
                                abs(o->lines[best].ctx.mismatch))
                best = k;
        }
        l->ctx.bracketed = n;
        l->ctx.bracket_best = n > 1 && best == i;
    }
    for (int i = 0; i < o->n; i++)
        o->lines[i].p = shopper_return_prob(b, &o->lines[i].ctx);
}

/* ---- truth ------------------------------------------------------------------ */

double shopper_customer_logit(const tg_behaviour *b, const tg_customer *c)
{
    return b->t_segment[c->segment] + c->dev + b->t_age[c->age_band] +
           b->t_country[c->country];
}

double shopper_return_logit(const tg_behaviour *b, const tg_line_ctx *x,
                            tg_truth_terms *terms)
{
    tg_truth_terms t;
    memset(&t, 0, sizeof t);
    t.base = b->t_intercept;
    t.person = b->t_segment[x->segment] + x->dev + b->t_age[x->age_band] +
               b->t_country[x->country];
    t.category = b->t_category[x->category];
    t.quality = -b->t_quality * x->quality;
    int m = abs(x->mismatch);
    t.size = m == 0 ? 0 : m == 1 ? b->t_size_one : b->t_size_two;
    if (x->bracketed > 1)
        t.bracket = x->bracket_best ? b->t_bracket_best : b->t_bracket_other;
    if (x->channel == TG_CHANNEL_TIKTOK)
        t.impulse += b->t_tiktok;
    double lm = log(b->t_impulse_minutes);
    t.impulse += b->t_impulse *
                 clampd((lm - log(fmax(1.0, x->view_minutes))) / lm, 0, 1);
    if (x->hour >= 0 && x->hour < 5)
        t.impulse += b->t_late_night;
    switch (x->phase) {
    case TG_PHASE_RISING:
        t.trend = b->t_trend_rising;
        break;
    case TG_PHASE_PEAK:
        t.trend = b->t_trend_peak;
        break;
    case TG_PHASE_DECLINE:
    case TG_PHASE_OBSOLETE:
        t.trend = b->t_trend_after *
                  fmin(1.0, x->days_after_peak / b->t_trend_after_days);
        if (x->phase == TG_PHASE_OBSOLETE)
            t.trend += b->t_trend_obsolete;
        break;
    default:
        break;
    }
    t.money = b->t_discount * x->discount_pct / 100.0 +
              (x->paylater ? b->t_paylater : 0);
    t.basket = b->t_basket * log(x->basket_lines > 1 ? x->basket_lines : 1);
    t.inventory = b->t_inventory_age *
                  fmin(1.0, x->inventory_days / b->t_inventory_days);
    t.taste = x->taste;
    if (terms)
        *terms = t;
    return b->truth_scale *
           (t.base + t.person + t.category + t.quality + t.size + t.bracket +
            t.impulse + t.trend + t.money + t.basket + t.inventory + t.taste);
}

double shopper_return_prob(const tg_behaviour *b, const tg_line_ctx *x)
{
    return 1.0 / (1.0 + exp(-shopper_return_logit(b, x, NULL)));
}

/* ---- returns ---------------------------------------------------------------- */

int shopper_draw_return(const tg_behaviour *b, const tg_line *line,
                        int64_t ordered_at, tg_rng *r, tg_return *out)
{
    memset(out, 0, sizeof *out);
    double u = tg_rng_uniform(r);
    double del = uniform_in(r, b->delivery_days[0], b->delivery_days[1]);
    double e = -log(1.0 - tg_rng_uniform(r)) * b->return_mean_days;
    double days = fmin(del + e, 29.9);
    if (days < 1.0)
        days = 1.0;
    out->t = ordered_at + (int64_t)(days * TG_DAY);
    /* Why: the base weights plus what drove this line's risk. */
    tg_truth_terms t;
    shopper_return_logit(b, &line->ctx, &t);
    double w[TG_SHOP_REASONS];
    memcpy(w, b->reason_base, sizeof w);
    double size = fmax(0, t.size + (line->ctx.bracket_best ? 0 : t.bracket));
    if (line->ctx.mismatch < 0)
        w[TG_REASON_TOO_SMALL] += size;
    else if (line->ctx.mismatch > 0)
        w[TG_REASON_TOO_LARGE] += size;
    double q = fmax(0, t.quality);
    double nap = line->ctx.channel == TG_CHANNEL_TIKTOK ? 0.7 : 0.4;
    w[TG_REASON_NOT_AS_PICTURED] += nap * q;
    w[TG_REASON_QUALITY] += (1 - nap) * q;
    w[TG_REASON_CHANGED_MIND] +=
        fmax(0, t.impulse + t.trend + t.money + t.basket + t.inventory);
    out->reason = (int)tg_rng_pick(r, w, TG_SHOP_REASONS);
    out->condition = (int)tg_rng_pick(r, b->condition_mix, TG_SHOP_CONDITIONS);
    out->resellable = tg_rng_uniform(r) < b->resellable_prob[out->condition];
    return u < line->p;
}
