/* sim_assume.c: loading the simulation's response assumptions
 * (assets/simulation.json): every parameter checked against one table, a
 * value in range with a non-empty source, unknown fields refused, the
 * field at fault named. */
#include "params.h"
#include "trendguard/sim.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ASSUME_BYTES (1u << 20)

static const char *const resale_keys[TG_SIM_RESALE_KINDS] = {
    "hot", "decline", "obsolete", "evergreen"};

typedef struct aparam {
    const char *path;        /* group.name */
    size_t off;              /* into tg_sim_assume */
    const char *const *keys; /* value is an object with these keys */
    int nkeys;
    double lo, hi;
} aparam;

#define OFF(f) offsetof(tg_sim_assume, f)
#define ONE NULL, 0

static const aparam params[] = {
    {"arms.treatment_share", OFF(treatment_share), ONE, 0.05, 0.95},
    {"money.margin", OFF(margin), ONE, 0, 1},
    {"money.processing_share", OFF(processing_share), ONE, 0, 2},
    {"money.resale", OFF(resale), resale_keys, TG_SIM_RESALE_KINDS, 0, 1},
    {"money.unsellable_salvage", OFF(unsellable_salvage), ONE, 0, 1},
    {"money.restock_days", OFF(restock_days), ONE, 0, 60},
    {"money.exchange_keeps", OFF(exchange_keeps), ONE, 0, 1},
    {"money.budget_per_1000_day", OFF(budget_per_1000_day), ONE, 0, 1e6},
    {"money.trendbuy_return_loss", OFF(trendbuy_return_loss), ONE, 1, 1e12},
    {"accept.none", OFF(accept[TG_ACTION_NONE]), ONE, 0, 1},
    {"accept.switch_size", OFF(accept[TG_ACTION_SWITCH_SIZE]), ONE, 0, 1},
    {"accept.keep_one_size", OFF(accept[TG_ACTION_KEEP_ONE_SIZE]), ONE, 0, 1},
    {"accept.save_for_later", OFF(accept[TG_ACTION_SAVE_FOR_LATER]), ONE, 0,
     1},
    {"accept.read_reviews", OFF(accept[TG_ACTION_READ_REVIEWS]), ONE, 0, 1},
    {"accept.exchange", OFF(accept[TG_ACTION_EXCHANGE]), ONE, 0, 1},
    {"accept.badge", OFF(accept[TG_ACTION_BADGE]), ONE, 0, 1},
    {"accept.segment", OFF(accept_segment), tg_segment_names,
     TG_SHOP_SEGMENTS, 0, 5},
    {"effects.size_right", OFF(size_right), ONE, 0, 1},
    {"effects.bracket_drop", OFF(bracket_drop), ONE, 0, 1},
    {"effects.cool_lost", OFF(cool_lost), ONE, 0, 1},
    {"effects.cool_impulse_cut", OFF(cool_impulse_cut), ONE, 0, 1},
    {"effects.reviews_lost", OFF(reviews_lost), ONE, 0, 1},
    {"effects.reviews_quality_cut", OFF(reviews_quality_cut), ONE, 0, 1},
    {"effects.fading_lost", OFF(fading_lost), ONE, 0, 1},
    {"effects.fading_trend_cut", OFF(fading_trend_cut), ONE, 0, 1},
    {"effects.badge_lost", OFF(badge_lost), ONE, 0, 1},
    {"effects.badge_size_fix", OFF(badge_size_fix), ONE, 0, 1},
    {"effects.badge_quality_cut", OFF(badge_quality_cut), ONE, 0, 1},
    {"satisfaction.kept", OFF(sat_kept), ONE, 0, 1},
    {"satisfaction.returned", OFF(sat_returned), ONE, 0, 1},
    {"satisfaction.exchanged", OFF(sat_exchanged), ONE, 0, 1},
    {"satisfaction.saved", OFF(sat_saved), ONE, 0, 1},
    {"satisfaction.shown", OFF(sat_shown), ONE, 0, 1},
    {"satisfaction.declined", OFF(sat_declined), ONE, 0, 1},
};
#define N_PARAMS (sizeof params / sizeof *params)

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

static int load_param(const cJSON *root, const aparam *p, tg_sim_assume *a,
                      const char *name, tg_err *err)
{
    const cJSON *v = NULL;
    int prc = params_entry(root, p->path, name, &v, err);
    if (prc != TG_OK)
        return prc;
    double *dst = (double *)((char *)a + p->off);
    if (!p->keys)
        return number_in(v, name, p->path, p, dst, err);
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
        rc = load_param(root, &params[i], a, name, err);
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
    a->size_right = a->bracket_drop = 0;
    a->cool_lost = a->cool_impulse_cut = 0;
    a->reviews_lost = a->reviews_quality_cut = 0;
    a->fading_lost = a->fading_trend_cut = 0;
    a->badge_lost = a->badge_size_fix = a->badge_quality_cut = 0;
    a->exchange_keeps = 0;
}
