/* risk.c: the app's live regret risk: a cart line's features from the
 * shop, scored by the newest registered model (embedded evaluator, TreeSHAP
 * reasons in shopper words) or, when the model is missing or broken, by
 * the catalogue's rule-based estimate, with the problem kept for the
 * status bar. Also loads the nudge engine's catalogue and bandit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "trendguard/score.h"

int risk_open(app *a)
{
    tg_err err = {0};
    if (nudge_catalog_load(NULL, &a->catalog, &err) != TG_OK) {
        app_note(a, "nudge catalogue: %s", err.msg);
        a->catalog.n = 0;
        a->catalog.band_medium = 0.25;
        a->catalog.band_high = 0.55;
    }
    a->explainer = explain_load(NULL, &err);
    a->bandit = bandit_create(a->catalog.n > 0 ? a->catalog.n : 1, 1, 1);
    if (a->bandit && a->catalog.n > 0)
        nudge_store_load_bandit(a->store, &a->catalog, a->bandit, &err);
    a->model = score_open_model(a->store, NULL, &a->model_info, &err);
    if (a->model) {
        a->feature_map = malloc(model_num_features(a->model) *
                                sizeof *a->feature_map);
        if (!a->feature_map ||
            score_feature_map(a->model, a->feature_map, &err) != TG_OK) {
            model_free(a->model);
            a->model = NULL;
        }
    }
    if (!a->model) {
        free(a->feature_map);
        a->feature_map = NULL;
        tg_strlcpy(a->model_problem, err.msg[0] ? err.msg : "no model",
                   sizeof a->model_problem);
    }
    tg_rng_seed(&a->rng, (uint64_t)time(NULL));
    nudge_session_init(&a->nudge_session);
    return TG_OK;
}

void risk_close(app *a)
{
    model_free(a->model);
    a->model = NULL;
    free(a->feature_map);
    a->feature_map = NULL;
    explain_free(a->explainer);
    a->explainer = NULL;
    bandit_free(a->bandit);
    a->bandit = NULL;
}

static int band_of(const app *a, double p)
{
    if (!(p >= a->catalog.band_medium))
        return TG_BAND_LOW;
    return p >= a->catalog.band_high ? TG_BAND_HIGH : TG_BAND_MEDIUM;
}

int risk_element(const app *a, double p)
{
    static const int el[TG_NUM_BANDS] = {EL_RISK_LOW, EL_RISK_MEDIUM,
                                         EL_RISK_HIGH};
    return el[band_of(a, p)];
}

static void by_model(const app *a, app_risk *r)
{
    size_t nf = model_num_features(a->model);
    float row[TG_NUM_FEATURES * 2], mc[TG_NUM_FEATURES * 2 + 1];
    if (nf > TG_NUM_FEATURES * 2)
        nf = TG_NUM_FEATURES * 2;
    for (size_t k = 0; k < nf; k++)
        row[k] = r->x[a->feature_map[k]];
    r->p = model_predict(a->model, row);
    float tc[TG_NUM_FEATURES + 1] = {0};
    if (model_contribs(a->model, row, mc, NULL) == TG_OK)
        for (size_t k = 0; k < nf; k++)
            tc[a->feature_map[k]] += mc[k];
    if (a->explainer)
        r->n_reasons = explain_top(a->explainer, r->x, tc, r->reasons, 3);
    /* The engine gets the largest positive contributions. */
    int used[TG_NUM_FEATURES] = {0};
    while (r->n_drivers < TG_NUDGE_MAX_DRIVERS) {
        int best = -1;
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            if (!used[f] && tc[f] > 0 && (best < 0 || tc[f] > tc[best]))
                best = f;
        if (best < 0)
            break;
        used[best] = 1;
        r->driver[r->n_drivers] = best;
        r->contribution[r->n_drivers++] = tc[best];
    }
}

static void by_rules(const app *a, app_risk *r)
{
    r->from_rules = 1;
    r->n_drivers = nudge_rules_estimate(&a->catalog, r->x, &r->p, r->driver,
                                        r->contribution,
                                        TG_NUDGE_MAX_DRIVERS);
    for (int i = 0; i < r->n_drivers && r->n_reasons < 3; i++) {
        tg_reason *re = &r->reasons[r->n_reasons++];
        re->feature = r->driver[i];
        re->value = r->x[r->driver[i]];
        re->contribution = r->contribution[i];
        if (a->explainer)
            explain_sentence(a->explainer, re->feature, re->value, re->text,
                             sizeof re->text);
        else
            tg_strlcpy(re->text, features_doc(re->feature),
                       sizeof re->text);
    }
}

void risk_of_line(app *a, const tg_cart *cart, int i, app_risk *r)
{
    memset(r, 0, sizeof *r);
    tg_err err = {0};
    if (shop_line_features(a->shop, cart, i, r->x, &err) != TG_OK) {
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            r->x[f] = NAN;
        app_note(a, "%s", err.msg);
    }
    if (a->model)
        by_model(a, r);
    else
        by_rules(a, r);
    r->band = band_of(a, r->p);
}

void risk_nudge_input(const app *a, const app_risk *r, int moment,
                      const tg_shop_item *it, const char *size,
                      tg_nudge_input *in)
{
    nudge_input_init(in);
    in->moment = moment;
    in->now = shop_now(a->shop);
    in->segment = a->persona.id ? a->persona.segment : TG_SEG_UNKNOWN;
    memcpy(in->x, r->x, sizeof in->x);
    in->score = r->from_rules ? NAN : r->p;
    if (!r->from_rules && a->model && a->feature_map) /* counterfactuals */
        in->scorer = (tg_nudge_scorer){a->model, a->feature_map,
                                       model_num_features(a->model)};
    in->n_drivers = r->n_drivers;
    memcpy(in->driver, r->driver, sizeof in->driver);
    memcpy(in->contribution, r->contribution, sizeof in->contribution);
    int shoe = 0, rank = size && *size ? features_size_rank(size, &shoe) : -1;
    in->size = rank < 0 ? 0 : rank;
    in->is_shoe = shoe;
    in->size_lo = 1, in->size_hi = 0;
    if (it && it->n_sizes > 0) {
        int lo = features_size_rank(it->sizes[0], NULL);
        int hi = features_size_rank(it->sizes[it->n_sizes - 1], NULL);
        if (lo >= 0 && hi >= lo)
            in->size_lo = lo, in->size_hi = hi;
    }
    in->item = it ? it->name : NULL;
    tg_err err = {0};
    if (it)
        nudge_store_facts(a->store, it->product_id, a->persona.id, in->now,
                          in, &err);
}
