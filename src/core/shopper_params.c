/* shopper_params.c: loading the shopper behaviour model's inputs: the
 * parameters in assets/behaviour.json (checked field by field against one
 * table) and the word lists in data/ that name products, brands, hashtags
 * and creators. */
#include "params.h"
#include "trendguard/shopper.h"

#include <cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the parameter table ------------------------------------------------ */

static const char *const hour_keys[2] = {"web_app", "tiktok"};
static const char *const weekday_keys[7] = {"mon", "tue", "wed", "thu",
                                            "fri", "sat", "sun"};
static const char *const minmax_keys[2] = {"min", "max"};
static const char *const engagement_keys[3] = {"likes", "shares",
                                               "comments"};

enum { CHK_NONE = 0, CHK_MIX = 1, CHK_ORDERED = 2 };

typedef struct param {
    const char *path;         /* group.name */
    size_t off;               /* into tg_behaviour */
    const char *const *keys;  /* value is an object with these keys */
    int nkeys;
    int n;                    /* numbers per key (or in the array) */
    double lo, hi;
    int check;
} param;

#define OFF(f) offsetof(tg_behaviour, f)
#define SEG tg_segment_names, TG_SHOP_SEGMENTS
#define CAT tg_category_names, TG_SHOP_CATEGORIES
#define AGE tg_age_band_names, TG_NUM_AGE_BANDS
#define CTRY shopper_country_names, TG_SHOP_COUNTRIES
#define MINMAX minmax_keys, 2
#define ONE NULL, 0

static const param params[] = {
    /* customers */
    {"customers.segment_share", OFF(segment_share), SEG, 1, 0, 1, CHK_MIX},
    {"customers.orders_per_year", OFF(orders_per_year), SEG, 1, 0, 100, 0},
    {"customers.activity_sd", OFF(activity_sd), ONE, 1, 0, 3, 0},
    {"customers.age_mix", OFF(age_mix), SEG, TG_NUM_AGE_BANDS, 0, 1, CHK_MIX},
    {"customers.gender_mix", OFF(gender_mix), shopper_gender_names,
     TG_SHOP_GENDERS, 1, 0, 1, CHK_MIX},
    {"customers.size_mix", OFF(size_mix), tg_size_names, 6, 1, 0, 1, CHK_MIX},
    {"customers.country_mix", OFF(country_mix), CTRY, 1, 0, 1, CHK_MIX},
    {"customers.new_customer_share", OFF(new_customer_share), ONE, 1, 0, 1,
     0},
    {"customers.tenure_years_max", OFF(tenure_years_max), ONE, 1, 0, 30, 0},
    {"customers.dev_sd", OFF(dev_sd), ONE, 1, 0, 5, 0},
    {"customers.declared_size_missing", OFF(declared_size_missing), SEG, 1, 0,
     1, 0},
    {"customers.declared_size_off", OFF(declared_size_off), ONE, 1, 0, 1, 0},
    /* orders */
    {"orders.channel_mix", OFF(channel_mix), SEG, TG_SHOP_CHANNELS, 0, 1,
     CHK_MIX},
    {"orders.basket_items_mean", OFF(basket_items_mean), SEG, 1, 1, 10, 0},
    {"orders.bracket_prob", OFF(bracket_prob), SEG, 1, 0, 1, 0},
    {"orders.bracket_three_share", OFF(bracket_three_share), ONE, 1, 0, 1, 0},
    {"orders.fit_note_read", OFF(fit_note_read), SEG, 1, 0, 1, 0},
    {"orders.size_error_prob", OFF(size_error_prob), ONE, 1, 0, 1, 0},
    {"orders.paylater_prob", OFF(paylater_prob), SEG, 1, 0, 1, 0},
    {"orders.paylater_age_mult", OFF(paylater_age_mult), AGE, 1, 0, 5, 0},
    {"orders.discount_prob", OFF(discount_prob), SEG, 1, 0, 1, 0},
    {"orders.discount_mean_pct", OFF(discount_mean_pct), SEG, 1, 5, 90, 0},
    {"orders.trend_pick_prob", OFF(trend_pick_prob), SEG, 1, 0, 1, 0},
    {"orders.view_minutes_median", OFF(view_minutes_median), SEG, 1, 0.1,
     100000, 0},
    {"orders.view_minutes_sigma", OFF(view_minutes_sigma), ONE, 1, 0, 5, 0},
    {"orders.tiktok_view_factor", OFF(tiktok_view_factor), ONE, 1, 0.001, 10,
     0},
    {"orders.quantity_two_prob", OFF(quantity_two_prob), ONE, 1, 0, 1, 0},
    {"orders.hour_weights", OFF(hour_weights), hour_keys, 2, 24, 0, 1000,
     CHK_MIX},
    {"orders.weekday_weights", OFF(weekday_weights), weekday_keys, 7, 1, 0.01,
     10, 0},
    {"orders.popularity_sigma", OFF(popularity_sigma), ONE, 1, 0, 3, 0},
    {"orders.trend_product_after_weight", OFF(trend_product_after_weight),
     ONE, 1, 0, 10, 0},
    /* catalogue */
    {"catalogue.category_mix", OFF(category_mix), CAT, 1, 0, 1, CHK_MIX},
    {"catalogue.price_median", OFF(price_median), CAT, 1, 1, 1000, 0},
    {"catalogue.price_sigma", OFF(price_sigma), ONE, 1, 0, 2, 0},
    {"catalogue.fit_mix", OFF(fit_mix), shopper_fit_names, 3, 1, 0, 1,
     CHK_MIX},
    {"catalogue.fit_note_share", OFF(fit_note_share), ONE, 1, 0, 1, 0},
    {"catalogue.fit_note_wrong", OFF(fit_note_wrong), ONE, 1, 0, 1, 0},
    {"catalogue.quality_price_corr", OFF(quality_price_corr), ONE, 1, -1, 1,
     0},
    {"catalogue.trend_linked_share", OFF(trend_linked_share), ONE, 1, 0, 1,
     0},
    {"catalogue.products_per_trend", OFF(products_per_trend), ONE, 1, 1, 50,
     0},
    {"catalogue.launch_lag_days", OFF(launch_lag_days), MINMAX, 1, 0, 60,
     CHK_ORDERED},
    {"catalogue.evergreen_launch_days", OFF(evergreen_launch_days), ONE, 1,
     1, 3650, 0},
    /* trends */
    {"trends.rise_days", OFF(rise_days), MINMAX, 1, 1, 120, CHK_ORDERED},
    {"trends.plateau_days", OFF(plateau_days), MINMAX, 1, 0, 120,
     CHK_ORDERED},
    {"trends.half_life_days", OFF(half_life_days), MINMAX, 1, 0.5, 120,
     CHK_ORDERED},
    {"trends.peak_views_min", OFF(peak_views_min), ONE, 1, 100, 1e9, 0},
    {"trends.peak_views_alpha", OFF(peak_views_alpha), ONE, 1, 0.5, 5, 0},
    {"trends.peak_views_max", OFF(peak_views_max), ONE, 1, 100, 1e12, 0},
    {"trends.obsolete_fraction", OFF(obsolete_fraction), ONE, 1, 1e-4, 0.5,
     0},
    {"trends.views_noise_sd", OFF(views_noise_sd), ONE, 1, 0, 1, 0},
    {"trends.engagement_rate", OFF(engagement_rate), engagement_keys, 3, 1, 0,
     1, 0},
    {"trends.engagement_sd", OFF(engagement_sd), ONE, 1, 0, 2, 0},
    {"trends.lead_days", OFF(lead_days), ONE, 1, 0, 365, 0},
    /* returns */
    {"returns.delivery_days", OFF(delivery_days), MINMAX, 1, 0, 14,
     CHK_ORDERED},
    {"returns.return_mean_days", OFF(return_mean_days), ONE, 1, 0.5, 28, 0},
    {"returns.condition_mix", OFF(condition_mix), shopper_condition_names,
     TG_SHOP_CONDITIONS, 1, 0, 1, CHK_MIX},
    {"returns.resellable_prob", OFF(resellable_prob), shopper_condition_names,
     TG_SHOP_CONDITIONS, 1, 0, 1, 0},
    {"returns.reason_base", OFF(reason_base), shopper_reason_names,
     TG_SHOP_REASONS, 1, 0, 10, CHK_MIX},
    /* truth */
    {"truth.scale", OFF(truth_scale), ONE, 1, 0.01, 20, 0},
    {"truth.intercept", OFF(t_intercept), ONE, 1, -20, 20, 0},
    {"truth.segment", OFF(t_segment), SEG, 1, -10, 10, 0},
    {"truth.category", OFF(t_category), CAT, 1, -10, 10, 0},
    {"truth.age_band", OFF(t_age), AGE, 1, -10, 10, 0},
    {"truth.country", OFF(t_country), CTRY, 1, -10, 10, 0},
    {"truth.quality", OFF(t_quality), ONE, 1, 0, 10, 0},
    {"truth.size_one_step", OFF(t_size_one), ONE, 1, 0, 10, 0},
    {"truth.size_two_plus", OFF(t_size_two), ONE, 1, 0, 20, 0},
    {"truth.bracket_other", OFF(t_bracket_other), ONE, 1, 0, 10, 0},
    {"truth.bracket_best", OFF(t_bracket_best), ONE, 1, -10, 10, 0},
    {"truth.tiktok", OFF(t_tiktok), ONE, 1, 0, 10, 0},
    {"truth.impulse", OFF(t_impulse), ONE, 1, 0, 10, 0},
    {"truth.impulse_minutes", OFF(t_impulse_minutes), ONE, 1, 1.5, 100000,
     0},
    {"truth.late_night", OFF(t_late_night), ONE, 1, 0, 10, 0},
    {"truth.trend_rising", OFF(t_trend_rising), ONE, 1, -10, 10, 0},
    {"truth.trend_peak", OFF(t_trend_peak), ONE, 1, -10, 10, 0},
    {"truth.trend_after_peak", OFF(t_trend_after), ONE, 1, 0, 10, 0},
    {"truth.trend_after_peak_days", OFF(t_trend_after_days), ONE, 1, 0.5,
     365, 0},
    {"truth.trend_obsolete", OFF(t_trend_obsolete), ONE, 1, 0, 10, 0},
    {"truth.discount", OFF(t_discount), ONE, 1, 0, 10, 0},
    {"truth.paylater", OFF(t_paylater), ONE, 1, 0, 10, 0},
    {"truth.basket", OFF(t_basket), ONE, 1, 0, 10, 0},
    {"truth.inventory_age", OFF(t_inventory_age), ONE, 1, 0, 10, 0},
    {"truth.inventory_days", OFF(t_inventory_days), ONE, 1, 1, 3650, 0},
    {"truth.taste_sd", OFF(t_taste_sd), ONE, 1, 0, 5, 0},
};
#define N_PARAMS (sizeof params / sizeof *params)

/* ---- loading ------------------------------------------------------------ */

static int get_numbers(const cJSON *v, int n, double *out, const char *name,
                       const char *path, const char *key, const param *p,
                       tg_err *err)
{
    char where[160];
    if (key)
        snprintf(where, sizeof where, "%s.%s", path, key);
    else
        snprintf(where, sizeof where, "%s", path);
    if (n == 1 && !cJSON_IsArray(v)) {
        if (!cJSON_IsNumber(v))
            return tg_fail(err, TG_EDATA, "%s: %s: value must be a number",
                           name, where);
        out[0] = v->valuedouble;
    } else {
        if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != n)
            return tg_fail(err, TG_EDATA,
                           "%s: %s: value must be an array of %d numbers",
                           name, where, n);
        for (int i = 0; i < n; i++) {
            const cJSON *e = cJSON_GetArrayItem(v, i);
            if (!cJSON_IsNumber(e))
                return tg_fail(err, TG_EDATA,
                               "%s: %s[%d]: must be a number", name, where,
                               i);
            out[i] = e->valuedouble;
        }
    }
    for (int i = 0; i < n; i++)
        if (!(out[i] >= p->lo && out[i] <= p->hi))
            return tg_fail(err, TG_EDATA,
                           "%s: %s: %g is outside [%g, %g]", name, where,
                           out[i], p->lo, p->hi);
    if (p->check & CHK_MIX) {
        double s = 0;
        for (int i = 0; i < n; i++)
            s += out[i];
        if (n > 1 && !(s > 0))
            return tg_fail(err, TG_EDATA, "%s: %s: weights are all zero",
                           name, where);
    }
    return TG_OK;
}

static int load_param(const cJSON *root, const param *p, tg_behaviour *b,
                      const char *name, tg_err *err)
{
    const cJSON *v = NULL;
    int rc = params_entry(root, p->path, name, &v, err);
    if (rc != TG_OK)
        return rc;
    double *dst = (double *)((char *)b + p->off);
    if (!p->keys) {
        rc = get_numbers(v, p->n, dst, name, p->path, NULL, p, err);
    } else {
        if (!cJSON_IsObject(v))
            return tg_fail(err, TG_EDATA, "%s: %s: value must be an object "
                           "keyed by name", name, p->path);
        for (int k = 0; k < p->nkeys; k++) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(v, p->keys[k]);
            if (!e)
                return tg_fail(err, TG_EDATA, "%s: %s: missing key '%s'",
                               name, p->path, p->keys[k]);
            rc = get_numbers(e, p->n, dst + k * p->n, name, p->path,
                             p->keys[k], p, err);
            if (rc)
                return rc;
        }
        int nk = 0;
        for (const cJSON *e = v->child; e; e = e->next)
            nk++;
        if (nk != p->nkeys)
            return tg_fail(err, TG_EDATA, "%s: %s: unknown keys (expected "
                           "exactly %d)", name, p->path, p->nkeys);
        rc = TG_OK;
        if ((p->check & CHK_MIX) && p->n == 1) {
            double s = 0;
            for (int k = 0; k < p->nkeys; k++)
                s += dst[k];
            if (!(s > 0))
                return tg_fail(err, TG_EDATA, "%s: %s: weights are all zero",
                               name, p->path);
        }
    }
    if (rc)
        return rc;
    if ((p->check & CHK_ORDERED) && dst[0] > dst[1])
        return tg_fail(err, TG_EDATA, "%s: %s: min is above max", name,
                       p->path);
    return TG_OK;
}

/* Every field of every group must be a known parameter (catches typos). */
static int check_unknown(const cJSON *root, const char *name, tg_err *err)
{
    for (const cJSON *g = root->child; g; g = g->next) {
        if (!g->string || strncmp(g->string, "about", 5) == 0)
            continue;
        if (!cJSON_IsObject(g))
            return tg_fail(err, TG_EDATA, "%s: %s: unknown field", name,
                           g->string);
        for (const cJSON *f = g->child; f; f = f->next) {
            char path[160];
            snprintf(path, sizeof path, "%s.%s", g->string,
                     f->string ? f->string : "");
            if (f->string && strncmp(f->string, "about", 5) == 0)
                continue;
            size_t i = 0;
            while (i < N_PARAMS && strcmp(params[i].path, path) != 0)
                i++;
            if (i == N_PARAMS)
                return tg_fail(err, TG_EDATA, "%s: %s: unknown field", name,
                               path);
        }
    }
    return TG_OK;
}

int shopper_behaviour_parse(const char *json, const char *name,
                            tg_behaviour *b, tg_err *err)
{
    memset(b, 0, sizeof *b);
    cJSON *root = cJSON_Parse(json);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at && at >= json ? (size_t)(at - json) : 0;
        return tg_fail(err, TG_EDATA, "%s: not valid JSON (near byte %zu)",
                       name, off);
    }
    int rc = TG_OK;
    if (!cJSON_IsObject(root))
        rc = tg_fail(err, TG_EDATA, "%s: must be a JSON object", name);
    for (size_t i = 0; rc == TG_OK && i < N_PARAMS; i++)
        rc = load_param(root, &params[i], b, name, err);
    if (rc == TG_OK)
        rc = check_unknown(root, name, err);
    cJSON_Delete(root);
    return rc;
}

int shopper_behaviour_load(const char *path, tg_behaviour *b, tg_err *err)
{
    char *text = tg_read_file(path, NULL, 1 << 20, err);
    if (!text)
        return err && err->code ? err->code : TG_EIO;
    int rc = shopper_behaviour_parse(text, path, b, err);
    free(text);
    return rc;
}

/* ---- word lists --------------------------------------------------------- */

static int list_add(tg_wordlist *l, const char *s, size_t n, size_t *cap)
{
    if (l->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **nw = realloc(l->w, nc * sizeof *nw);
        if (!nw)
            return -1;
        l->w = nw;
        *cap = nc;
    }
    char *c = tg_strndup(s, n);
    if (!c)
        return -1;
    l->w[l->n++] = c;
    return 0;
}

static void list_free(tg_wordlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->w[i]);
    free(l->w);
    l->w = NULL;
    l->n = 0;
}

/* Reads data/<file>. With `per_cat`, lines are "category|text" and go to
 * per_cat[category]; otherwise each line goes to `one`. Empty lines and
 * lines starting with '#' are skipped. */
static int load_list(const char *dir, const char *file, tg_wordlist *one,
                     tg_wordlist *per_cat, tg_err *err)
{
    char rel[128], path[4096];
    snprintf(rel, sizeof rel, "data/%s", file);
    if (dir)
        snprintf(path, sizeof path, "%s/%s", dir, file);
    else if (tg_asset_path(rel, path, sizeof path) != 0)
        return tg_fail(err, TG_ENOINPUT, "%s: not found (set "
                       "TRENDGUARD_SHARE to the folder holding data/)", rel);
    char *text = tg_read_file(path, NULL, 1 << 22, err);
    if (!text)
        return err && err->code ? err->code : TG_EIO;
    size_t cap1 = 0, capc[TG_SHOP_CATEGORIES] = {0};
    int lineno = 0, rc = TG_OK;
    char *save = NULL;
    for (char *ln = strtok_r(text, "\n", &save); ln && rc == TG_OK;
         ln = strtok_r(NULL, "\n", &save)) {
        lineno++;
        tg_trim(ln);
        if (!*ln || *ln == '#')
            continue;
        if (!per_cat) {
            if (list_add(one, ln, strlen(ln), &cap1))
                rc = tg_fail(err, TG_EINTERNAL, "out of memory");
            continue;
        }
        char *bar = strchr(ln, '|');
        if (!bar) {
            rc = tg_fail(err, TG_EDATA, "%s: line %d: expected "
                         "'category|text'", path, lineno);
            break;
        }
        *bar = '\0';
        int c = features_code(tg_category_names, TG_SHOP_CATEGORIES, ln);
        if (c < 0) {
            rc = tg_fail(err, TG_EDATA, "%s: line %d: unknown category '%s'",
                         path, lineno, ln);
            break;
        }
        char *txt = tg_trim(bar + 1);
        if (list_add(&per_cat[c], txt, strlen(txt), &capc[c]))
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    free(text);
    if (rc)
        return rc;
    if (!per_cat && one->n == 0)
        return tg_fail(err, TG_EDATA, "%s: no words", path);
    if (per_cat)
        for (int c = 0; c < TG_SHOP_CATEGORIES; c++)
            if (per_cat[c].n == 0)
                return tg_fail(err, TG_EDATA, "%s: no words for category "
                               "'%s'", path, tg_category_names[c]);
    return TG_OK;
}

int shopper_words_load(tg_words *w, const char *dir, tg_err *err)
{
    memset(w, 0, sizeof *w);
    struct {
        const char *file;
        tg_wordlist *one, *per_cat;
    } files[] = {
        {"colours.txt", &w->colours, NULL},
        {"textures.txt", &w->textures, NULL},
        {"brands.txt", &w->brands, NULL},
        {"aesthetics.txt", &w->aesthetics, NULL},
        {"topics.txt", &w->topics, NULL},
        {"tag_suffixes.txt", &w->suffixes, NULL},
        {"creators.txt", &w->creators, NULL},
        {"styles.txt", NULL, w->styles},
        {"items.txt", NULL, w->items},
        {"tagwords.txt", NULL, w->tagwords},
        {"category_tags.txt", NULL, w->generic_tags},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        int rc = load_list(dir, files[i].file, files[i].one, files[i].per_cat,
                           err);
        if (rc) {
            shopper_words_free(w);
            return rc;
        }
    }
    return TG_OK;
}

void shopper_words_free(tg_words *w)
{
    if (!w)
        return;
    list_free(&w->colours);
    list_free(&w->textures);
    list_free(&w->brands);
    list_free(&w->aesthetics);
    list_free(&w->topics);
    list_free(&w->suffixes);
    list_free(&w->creators);
    for (int c = 0; c < TG_SHOP_CATEGORIES; c++) {
        list_free(&w->styles[c]);
        list_free(&w->items[c]);
        list_free(&w->tagwords[c]);
        list_free(&w->generic_tags[c]);
    }
}
