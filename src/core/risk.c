/* risk.c: one line's regret risk (risk.h): the model's probability and
 * TreeSHAP contributions back in features.h order, the drivers and the
 * reasons in words, or the rule-based estimate; and the drivers' JSON of
 * the scores table. */
#include "trendguard/risk.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tg_risk_scorer {
    const tg_model *m;
    const tg_explainer *ex;
    size_t nf;
    int map[];
};

double risk_figure(const tg_nudge_catalog *c, double p, int decimals,
                   int *band)
{
    int b = nudge_band(c, p);
    if (band)
        *band = b;
    if (isnan(p))
        return NAN;
    double scale = pow(10, decimals), v = p * 100 * scale;
    double f = round(v) / scale;
    if (nudge_band(c, f / 100) != b) /* rounded over a limit: stay short */
        f = (f / 100 > p ? floor(v) : ceil(v)) / scale;
    return f;
}

tg_risk_scorer *risk_scorer_new(const tg_model *m, const int *map,
                                const tg_explainer *ex, tg_err *err)
{
    size_t nf = model_num_features(m);
    tg_risk_scorer *r = malloc(sizeof *r + nf * sizeof r->map[0]);
    if (!r) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    r->m = m;
    r->ex = ex;
    r->nf = nf;
    memcpy(r->map, map, nf * sizeof r->map[0]);
    return r;
}

void risk_scorer_free(tg_risk_scorer *r)
{
    free(r);
}

/* The largest positive contributions (features.h order in c), largest
 * first, the lower index on a tie. */
static void pick_drivers(const float *c, tg_risk *out)
{
    int used[TG_NUM_FEATURES] = {0};
    while (out->n_drivers < TG_NUDGE_MAX_DRIVERS) {
        int best = -1;
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            if (!used[f] && c[f] > 0 && (best < 0 || c[f] > c[best]))
                best = f;
        if (best < 0)
            break;
        used[best] = 1;
        out->driver[out->n_drivers] = best;
        out->contribution[out->n_drivers++] = c[best];
    }
}

/* The first drivers as reasons, in words. */
static void fill_reasons(const tg_explainer *ex, const float *x,
                         tg_risk *out)
{
    out->n_reasons = 0;
    for (int i = 0; i < out->n_drivers && i < TG_RISK_REASONS; i++) {
        tg_reason *re = &out->reasons[out->n_reasons++];
        re->feature = out->driver[i];
        re->value = x[re->feature];
        re->contribution = out->contribution[i];
        if (ex)
            explain_sentence(ex, re->feature, re->value, re->text,
                             sizeof re->text);
        else
            tg_strlcpy(re->text, features_doc(re->feature), sizeof re->text);
    }
}

/* The model's probability for x (features.h order), its row in the
 * model's feature order written to row (nf entries). */
static double predict_row(const tg_risk_scorer *r, const float *x,
                          float *row)
{
    for (size_t k = 0; k < r->nf; k++)
        row[k] = x[r->map[k]];
    return model_predict(r->m, row);
}

int risk_score_batch(const tg_risk_scorer *r, const float *x, size_t n,
                     tg_risk *out, tg_err *err)
{
    const size_t nf = r->nf;
    if (n == 0)
        return TG_OK;
    float *row = malloc(n * nf * sizeof *row);
    float *mc = malloc(n * (nf + 1) * sizeof *mc);
    if (!row || !mc) {
        free(row);
        free(mc);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].p = predict_row(r, x + i * TG_NUM_FEATURES, row + i * nf);
    }
    int rc = model_contribs_batch(r->m, row, n, mc, err);
    for (size_t i = 0; rc == TG_OK && i < n; i++) {
        float c[TG_NUM_FEATURES] = {0};
        for (size_t k = 0; k < nf; k++)
            c[r->map[k]] += mc[i * (nf + 1) + k];
        pick_drivers(c, &out[i]);
        if (r->ex)
            fill_reasons(r->ex, x + i * TG_NUM_FEATURES, &out[i]);
    }
    free(row);
    free(mc);
    return rc;
}

int risk_score(const tg_risk_scorer *r, const float *x, tg_risk *out,
               tg_err *err)
{
    return risk_score_batch(r, x, 1, out, err);
}

double risk_probability(const tg_risk_scorer *r, const float *x)
{
    float *row = malloc(r->nf * sizeof *row);
    double p = row ? predict_row(r, x, row) : NAN;
    free(row);
    return p;
}

void risk_rules(const tg_nudge_catalog *c, const tg_explainer *ex,
                const float *x, tg_risk *out)
{
    memset(out, 0, sizeof *out);
    out->from_rules = 1;
    out->n_drivers = nudge_rules_estimate(c, x, &out->p, out->driver,
                                          out->contribution,
                                          TG_NUDGE_MAX_DRIVERS);
    fill_reasons(ex, x, out);
}

char *risk_drivers_json(const tg_risk *r)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; a && i < r->n_reasons; i++) {
        const tg_reason *re = &r->reasons[i];
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(a, o) ||
            !cJSON_AddStringToObject(o, "feature",
                                     features_name(re->feature)) ||
            !cJSON_AddNumberToObject(o, "contribution",
                                     round(re->contribution * 1e4) / 1e4) ||
            !cJSON_AddStringToObject(o, "text", re->text)) {
            cJSON_Delete(a);
            return NULL;
        }
    }
    char *s = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    return s;
}

int risk_drivers_read(const char *json, int *driver, float *contribution,
                      int max)
{
    int n = 0;
    cJSON *a = json ? cJSON_Parse(json) : NULL;
    for (const cJSON *e = cJSON_IsArray(a) ? a->child : NULL; e && n < max;
         e = e->next) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "feature");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "contribution");
        int k = cJSON_IsString(f) ? features_index(f->valuestring) : -1;
        if (k < 0 || !cJSON_IsNumber(c))
            continue;
        driver[n] = k;
        contribution[n++] = (float)c->valuedouble;
    }
    cJSON_Delete(a);
    return n;
}
