/* sim_assume.c: loading the simulation's response assumptions
 * (assets/simulation.json): every parameter checked against one table, a
 * value in range with a non-empty source and, unless it is an assumption,
 * the range its source gives; unknown fields refused, the field at fault
 * named. The same table lists the assumptions for the sweep. */
#include "params.h"
#include "trendguard/sim.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ASSUME_BYTES (1u << 20)


typedef struct aparam {
    const char *path;        /* group.name */
    size_t off;              /* into tg_sim_assume */
    const char *const *keys; /* value is an object with these keys */
    int nkeys;
    double lo, hi;
    int moves;               /* TG_MOVES_*: what it can move */
    int needs;               /* the action it needs on, or -1 */
} aparam;

#define OFF(f) offsetof(tg_sim_assume, f)
#define ONE NULL, 0
#define ALL TG_MOVES_ALL, -1
#define SAT TG_MOVES_SATISFACTION, -1
#define RESALE TG_MOVES_RESALE, -1
#define ACCEPT(a) OFF(accept[a]), ONE, 0, 1, TG_MOVES_ALL, a

/* moves: the split moves nothing in the sweep's engine-only runs; money
 * counted after the fact (resale by phase, salvage, the restock routes,
 * the scale) moves the resale value only; the satisfaction weights move
 * satisfaction only; the rest moves returns and so everything. needs: an
 * assumption of a nudge's action moves nothing while no nudge with that
 * action is on (the fee is a what-if, off by default). */
static const aparam params[] = {
    {"arms.treatment_share", OFF(treatment_share), ONE, 0.05, 0.95, 0, -1},
    {"money.margin", OFF(margin), ONE, 0, 1, ALL},
    {"money.processing_share", OFF(processing_share), ONE, 0, 2, ALL},
    {"money.resale_hot", OFF(resale[TG_SIM_RESALE_HOT]), ONE, 0, 1, RESALE},
    {"money.resale_decline", OFF(resale[TG_SIM_RESALE_DECLINE]), ONE, 0, 1,
     RESALE},
    {"money.resale_obsolete", OFF(resale[TG_SIM_RESALE_OBSOLETE]), ONE, 0, 1,
     RESALE},
    {"money.resale_evergreen", OFF(resale[TG_SIM_RESALE_EVERGREEN]), ONE, 0,
     1, ALL},
    {"money.unsellable_salvage", OFF(unsellable_salvage), ONE, 0, 1, RESALE},
    {"money.restock_days", OFF(restock_days), ONE, 0, 60, RESALE},
    {"money.fast_restock_days", OFF(fast_restock_days), ONE, 0, 60,
     TG_MOVES_RESALE, TG_ACTION_FAST_RESTOCK},
    {"money.fast_restock_cost", OFF(fast_restock_cost), ONE, 0, 1000,
     TG_MOVES_RESALE, TG_ACTION_FAST_RESTOCK},
    {"money.exchange_keeps", OFF(exchange_keeps), ONE, 0, 1, ALL},
    {"money.budget_per_1000_day", OFF(budget_per_1000_day), ONE, 0, 1e6, ALL},
    {"money.trendbuy_return_loss", OFF(trendbuy_return_loss), ONE, 1, 1e12,
     RESALE},
    {"accept.none", ACCEPT(TG_ACTION_NONE)},
    {"accept.switch_size", ACCEPT(TG_ACTION_SWITCH_SIZE)},
    {"accept.keep_one_size", ACCEPT(TG_ACTION_KEEP_ONE_SIZE)},
    {"accept.save_for_later", ACCEPT(TG_ACTION_SAVE_FOR_LATER)},
    {"accept.read_reviews", ACCEPT(TG_ACTION_READ_REVIEWS)},
    {"accept.exchange", ACCEPT(TG_ACTION_EXCHANGE)},
    {"accept.badge", ACCEPT(TG_ACTION_BADGE)},
    {"accept.pre_ship_check", ACCEPT(TG_ACTION_PRE_SHIP)},
    {"accept.segment", OFF(accept_segment), tg_segment_names,
     TG_SHOP_SEGMENTS, 0, 5, ALL},
    {"defaults.keep_odds_ratio", OFF(default_odds_ratio), ONE, 0, 100,
     TG_MOVES_ALL, TG_ACTION_PRESELECT_SIZE},
    {"fee.amount", OFF(fee_amount), ONE, 0, 1000, TG_MOVES_ALL,
     TG_ACTION_RETURN_FEE},
    {"fee.keeps", OFF(fee_keeps), ONE, 0, 1, TG_MOVES_ALL,
     TG_ACTION_RETURN_FEE},
    {"fee.later_cut", OFF(fee_later_cut), ONE, 0, 1, TG_MOVES_ALL,
     TG_ACTION_RETURN_FEE},
    {"effects.cool_return", OFF(cool_return), ONE, 0, 1, ALL},
    {"effects.cool_days", OFF(cool_days), ONE, 0, 60, ALL},
    {"effects.reviews_min", OFF(reviews_min), ONE, 0, 1000, ALL},
    {"effects.reviews_noise", OFF(reviews_noise), ONE, 0, 10, ALL},
    {"effects.reviews_drop_below", OFF(reviews_drop_below), ONE, -10, 10,
     ALL},
    {"effects.fading_taste_above", OFF(fading_taste_above), ONE, -10, 10,
     ALL},
    {"effects.badge_size_check", OFF(badge_size_check), ONE, 0, 1, ALL},
    {"effects.badge_reviews", OFF(badge_reviews), ONE, 0, 1, ALL},
    {"satisfaction.kept", OFF(sat_kept), ONE, 0, 1, SAT},
    {"satisfaction.returned", OFF(sat_returned), ONE, 0, 1, SAT},
    {"satisfaction.exchanged", OFF(sat_exchanged), ONE, 0, 1, SAT},
    {"satisfaction.saved", OFF(sat_saved), ONE, 0, 1, SAT},
    {"satisfaction.shown", OFF(sat_shown), ONE, 0, 1, SAT},
    {"satisfaction.declined", OFF(sat_declined), ONE, 0, 1, SAT},
    {"satisfaction.waited", OFF(sat_waited), ONE, 0, 1, SAT},
    {"satisfaction.fee_paid", OFF(sat_fee), ONE, 0, 1, TG_MOVES_SATISFACTION,
     TG_ACTION_RETURN_FEE},
    {"satisfaction.stayed_away", OFF(sat_stayed_away), ONE, 0, 1,
     TG_MOVES_SATISFACTION, TG_ACTION_RETURN_FEE},
};
#define N_PARAMS (sizeof params / sizeof *params)
_Static_assert(N_PARAMS <= TG_SIM_MAX_PARAMS, "TG_SIM_MAX_PARAMS too small");

static int number_in(const cJSON *v, const char *name, const char *where,
                     const aparam *p, double *out, tg_err *err)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return tg_fail(err, TG_EDATA, "%s: %s: value must be a number", name,
                       where);
    if (v->valuedouble < p->lo || v->valuedouble > p->hi)
        return tg_fail(err, TG_EDATA, "%s: %s: %g is outside [%g, %g]", name,
                       where, v->valuedouble, p->lo, p->hi);
    *out = v->valuedouble;
    return TG_OK;
}

/* An assumption's source says so in its first word. */
static int is_assumption(const char *source)
{
    return strncmp(source, "assumption", 10) == 0 ||
           strncmp(source, "invented", 8) == 0;
}

/* The range a sourced parameter's source gives: [low, high] around its
 * value, within what it may hold. */
static int load_range(const cJSON *r, const aparam *p, const char *name,
                      double value, double *lo, double *hi, tg_err *err)
{
    char where[96];
    snprintf(where, sizeof where, "%s.range", p->path);
    if (p->keys || !cJSON_IsArray(r) || cJSON_GetArraySize(r) != 2)
        return tg_fail(err, TG_EDATA, "%s: %s: must be [low, high]%s", name,
                       where, p->keys ? " of a single value" : "");
    int rc = number_in(cJSON_GetArrayItem(r, 0), name, where, p, lo, err);
    if (rc == TG_OK)
        rc = number_in(cJSON_GetArrayItem(r, 1), name, where, p, hi, err);
    if (rc == TG_OK && !(*lo <= value && value <= *hi))
        rc = tg_fail(err, TG_EDATA, "%s: %s: [%g, %g] does not hold the "
                     "value %g", name, where, *lo, *hi, value);
    return rc;
}

static int load_param(const cJSON *root, size_t pi, tg_sim_assume *a,
                      const char *name, tg_err *err)
{
    const aparam *p = &params[pi];
    const cJSON *v = NULL, *range = NULL;
    const char *source = NULL;
    int prc = params_entry_range(root, p->path, name, &v, &range, &source,
                                 err);
    if (prc != TG_OK)
        return prc;
    double *dst = (double *)((char *)a + p->off);
    if (!range && !is_assumption(source))
        return tg_fail(err, TG_EDATA, "%s: %s: a source that is not an "
                       "assumption gives a \"range\" [low, high]", name,
                       p->path);
    if (!p->keys) {
        int rc = number_in(v, name, p->path, p, dst, err);
        if (rc == TG_OK && range) {
            a->has_range[pi] = 1;
            rc = load_range(range, p, name, *dst, &a->range_lo[pi],
                            &a->range_hi[pi], err);
        }
        return rc;
    }
    if (range)
        return load_range(range, p, name, 0, &a->range_lo[pi],
                          &a->range_hi[pi], err);
    if (!cJSON_IsObject(v))
        return tg_fail(err, TG_EDATA, "%s: %s: value must be an object keyed "
                       "by name", name, p->path);
    int nk = 0;
    for (const cJSON *e = v->child; e; e = e->next)
        nk++;
    for (int k = 0; k < p->nkeys; k++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(v, p->keys[k]);
        char where[96];
        snprintf(where, sizeof where, "%s.%s", p->path, p->keys[k]);
        if (!e)
            return tg_fail(err, TG_EDATA, "%s: %s: missing", name, where);
        int rc = number_in(e, name, where, p, dst + k, err);
        if (rc)
            return rc;
    }
    if (nk != p->nkeys)
        return tg_fail(err, TG_EDATA, "%s: %s: unknown keys (expected "
                       "exactly %d)", name, p->path, p->nkeys);
    return TG_OK;
}

static int check_unknown(const cJSON *root, const char *name, tg_err *err)
{
    for (const cJSON *g = root->child; g; g = g->next) {
        if (!g->string || strcmp(g->string, "about") == 0)
            continue;
        if (!cJSON_IsObject(g))
            return tg_fail(err, TG_EDATA, "%s: %s: unknown field", name,
                           g->string);
        for (const cJSON *f = g->child; f; f = f->next) {
            char path[160];
            snprintf(path, sizeof path, "%.60s.%.60s", g->string,
                     f->string ? f->string : "");
            if (f->string && strcmp(f->string, "about") == 0)
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

int sim_assume_parse(const char *json, size_t n, const char *name,
                     tg_sim_assume *a, tg_err *err)
{
    name = name ? name : "simulation.json";
    memset(a, 0, sizeof *a);
    if (n > MAX_ASSUME_BYTES)
        return tg_fail(err, TG_EDATA, "%s: larger than %u bytes", name,
                       MAX_ASSUME_BYTES);
    cJSON *root = cJSON_ParseWithLength(json, n);
    if (!root)
        return tg_fail(err, TG_EDATA, "%s: not valid JSON", name);
    int rc = TG_OK;
    if (!cJSON_IsObject(root))
        rc = tg_fail(err, TG_EDATA, "%s: must be a JSON object", name);
    if (rc == TG_OK)
        rc = check_unknown(root, name, err);
    for (size_t i = 0; rc == TG_OK && i < N_PARAMS; i++)
        rc = load_param(root, i, a, name, err);
    cJSON_Delete(root);
    if (rc)
        memset(a, 0, sizeof *a);
    return rc;
}

int sim_assume_load(const char *path, tg_sim_assume *a, tg_err *err)
{
    char buf[4096];
    if (!path) {
        if (tg_asset_path("assets/simulation.json", buf, sizeof buf) != 0)
            return tg_fail(err, TG_ENOINPUT,
                           "assets/simulation.json: not found (set "
                           "TRENDGUARD_SHARE to the folder holding assets/)");
        path = buf;
    }
    size_t len = 0;
    char *text = tg_read_file(path, &len, MAX_ASSUME_BYTES + 1, err);
    if (!text)
        return err ? err->code : TG_ENOINPUT;
    const char *base = strrchr(path, '/');
    int rc = sim_assume_parse(text, len, base ? base + 1 : path, a, err);
    free(text);
    return rc;
}

void sim_assume_zero_effects(tg_sim_assume *a)
{
    a->effects_off = 1;
    a->exchange_keeps = 0;
}

/* The value slot of assumption k (a keyed parameter counts once per key)
 * and its table entry. */
static double *slot(tg_sim_assume *a, int k, const aparam **pp, int *key)
{
    for (size_t i = 0; i < N_PARAMS; i++) {
        int n = params[i].keys ? params[i].nkeys : 1;
        if (k < n) {
            *pp = &params[i];
            *key = params[i].keys ? k : -1;
            return (double *)((char *)a + params[i].off) + (k < 0 ? 0 : k);
        }
        k -= n;
    }
    return NULL;
}

void sim_assume_set(tg_sim_assume *a, int k, double v)
{
    const aparam *p;
    int key;
    double *d = k >= 0 ? slot(a, k, &p, &key) : NULL;
    if (d)
        *d = v;
}

int sim_assume_params(const tg_sim_assume *a, tg_sim_param *out, int max)
{
    tg_sim_assume c = *a;
    int n = 0;
    for (int k = 0; n < max; k++) {
        const aparam *p;
        int key;
        double *d = slot(&c, k, &p, &key);
        if (!d)
            break;
        tg_sim_param *o = &out[n++];
        memset(o, 0, sizeof *o);
        if (key >= 0)
            snprintf(o->name, sizeof o->name, "%s.%s", p->path, p->keys[key]);
        else
            snprintf(o->name, sizeof o->name, "%s", p->path);
        size_t i = (size_t)(p - params);
        o->value = *d;
        o->moves = p->moves;
        o->moves_returns = (p->moves & TG_MOVES_RETURNS) != 0;
        o->needs_action = p->needs;
        o->sourced = !p->keys && a->has_range[i];
        double lo = o->sourced ? a->range_lo[i] : *d / 2;
        double hi = o->sourced ? a->range_hi[i] : *d * 2;
        if (lo > hi) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        o->low = lo < p->lo ? p->lo : lo > p->hi ? p->hi : lo;
        o->high = hi < p->lo ? p->lo : hi > p->hi ? p->hi : hi;
    }
    return n;
}

/* A pre-selected size is kept at the odds of the same advice offered as a
 * prompt times the defaults' odds ratio. */
static double as_default(double p, double odds_ratio)
{
    if (p >= 1)
        return 1;
    double odds = p / (1 - p) * odds_ratio;
    return odds / (1 + odds);
}

double sim_assume_accept(const tg_sim_assume *a, int action, int segment)
{
    if (nudge_action_is_the_shops(action))
        return 1;
    int asked = action == TG_ACTION_PRESELECT_SIZE ? TG_ACTION_SWITCH_SIZE
                                                   : action;
    double p = a->accept[asked] *
               (segment >= 0 && segment < TG_SHOP_SEGMENTS
                    ? a->accept_segment[segment] : 1.0);
    p = p > 1 ? 1 : p < 0 ? 0 : p;
    return action == TG_ACTION_PRESELECT_SIZE
               ? as_default(p, a->default_odds_ratio) : p;
}

double sim_assume_resale(const tg_sim_assume *a, int trend_phase)
{
    return trend_phase == TG_TREND_NONE     ? a->resale[TG_SIM_RESALE_EVERGREEN]
           : trend_phase == TG_TREND_FADING ? a->resale[TG_SIM_RESALE_DECLINE]
                                            : a->resale[TG_SIM_RESALE_HOT];
}
