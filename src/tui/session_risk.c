/* session_risk.c: the live regret risk of a line (features from the shop,
 * then the core's one risk path: the newest registered model, or the
 * catalogue's rules when it is missing or broken, with the problem kept
 * for the status bar), its figure and band, and the nudge engine: its
 * catalogue, bandit, caps (lifted in demo mode) and budget, and the one
 * sequence every screen's nudge goes through. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "session.h"
#include "trendguard/registry.h"
#include "trendguard/score.h"
#include "trendguard/worker.h"

/* The newest registered model, loading on a worker. */
struct model_job {
    tg_worker *worker;       /* NULL: not started (load when taken) */
    tg_model_info info;
    int found;               /* the registry named one */
    tg_model *model;
    tg_err err;
};

static void load_model(void *arg)
{
    struct model_job *j = arg;
    j->model = score_load_registered(&j->info, &j->err);
}

void session_risk_start(session *s)
{
    struct model_job *j = calloc(1, sizeof *j);
    if (!j)
        return; /* session_risk_open loads it itself */
    j->found = registry_latest(s->store, &j->info, &j->err) == TG_OK;
    tg_err quiet = {0};
    if (j->found)
        j->worker = worker_start(load_model, j, &quiet);
    s->model_job = j;
}

/* The model session_risk_start is loading (waiting for it), or, without
 * one, the newest registered model loaded now. */
static tg_model *take_model(session *s, tg_err *err)
{
    struct model_job *j = s->model_job;
    if (!j)
        return score_open_model(s->store, NULL, &s->model_info, err);
    s->model_job = NULL;
    if (j->worker)
        worker_join(j->worker);
    else if (j->found)
        load_model(j);
    tg_model *m = j->model;
    s->model_info = j->info;
    *err = j->err;
    free(j);
    return m;
}

static void open_catalog(session *s, tg_err *err)
{
    if (nudge_catalog_load(NULL, &s->catalog, err) != TG_OK) {
        session_note(s, "nudge catalogue: %s", err->msg);
        s->catalog.n = 0;
        s->catalog.band_medium = 0.25;
        s->catalog.band_high = 0.55;
    }
    s->bandit = bandit_create(s->catalog.n > 0 ? s->catalog.n : 1, 1, 1);
    if (s->bandit && s->catalog.n > 0)
        nudge_store_load_bandit(s->store, &s->catalog, s->bandit, err);
    s->cap_visit = s->catalog.per_session;
    s->cap_day = s->catalog.per_shopper_day;
    for (int i = 0; i < s->catalog.n; i++) {
        s->nudge_cap[i][0] = s->catalog.nudges[i].cap_session;
        s->nudge_cap[i][1] = s->catalog.nudges[i].cap_shopper_day;
    }
}

void session_caps(session *s)
{
    tg_nudge_catalog *c = &s->catalog;
    int on = s->config.demo, tips = s->config.tips_per_visit;
    c->per_session = on ? 0 : tips > 0 ? tips : s->cap_visit;
    c->per_shopper_day = on ? 0 : s->cap_day;
    for (int i = 0; i < c->n; i++) {
        c->nudges[i].cap_session = on ? 0 : s->nudge_cap[i][0];
        c->nudges[i].cap_shopper_day = on ? 0 : s->nudge_cap[i][1];
    }
}

void session_demo(session *s, int on)
{
    s->config.demo = on != 0;
    session_caps(s);
    session_save_config(s);
    session_event(s, "demo", "%s", on ? "on" : "off");
    s->gen_shopper++; /* what was held back by a cap may show now */
}

void session_risk_open(session *s)
{
    tg_err err = {0};
    open_catalog(s, &err);
    s->explainer = explain_load(NULL, &err);
    s->model = take_model(s, &err);
    if (s->model && (!(s->scorer = score_scorer(s->model, s->explainer,
                                                &err)) ||
                     !(s->feature_map = malloc(model_num_features(s->model) *
                                               sizeof *s->feature_map)) ||
                     score_feature_map(s->model, s->feature_map, &err))) {
        risk_scorer_free(s->scorer);
        s->scorer = NULL;
        free(s->feature_map);
        s->feature_map = NULL;
        model_free(s->model);
        s->model = NULL;
    }
    if (!s->model)
        tg_strlcpy(s->model_problem, err.msg[0] ? err.msg : "no model",
                   sizeof s->model_problem);
    /* The engine's draws (ties, the budget's bar) differ run to run, as a
     * shop's would; TRENDGUARD_SEED fixes them for a scripted session. */
    const char *seed = getenv("TRENDGUARD_SEED");
    char *end = NULL;
    unsigned long long v = seed && *seed ? strtoull(seed, &end, 10) : 0;
    tg_rng_seed(&s->rng, end && !*end ? (uint64_t)v : (uint64_t)time(NULL));
    nudge_session_init(&s->visit);
}

void session_risk_close(session *s)
{
    if (s->model_job) { /* opened no further than session_risk_start */
        tg_err err;
        model_free(take_model(s, &err));
    }
    risk_scorer_free(s->scorer);
    s->scorer = NULL;
    free(s->feature_map);
    s->feature_map = NULL;
    model_free(s->model);
    s->model = NULL;
    explain_free(s->explainer);
    s->explainer = NULL;
    bandit_free(s->bandit);
    s->bandit = NULL;
}

int session_band(const session *s, double p)
{
    return nudge_band(&s->catalog, p);
}

double session_figure(const session *s, double p, int *band)
{
    return risk_figure(&s->catalog, p, 0, band);
}

void session_risk_line(session *s, const tg_cart *cart, int i, line_risk *r)
{
    tg_err err = {0};
    if (shop_line_features(s->shop, cart, i, r->x, &err) != TG_OK) {
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            r->x[f] = NAN;
        session_note(s, "%s", err.msg);
    }
    if (s->scorer)
        risk_score(s->scorer, r->x, &r->risk, NULL);
    else
        risk_rules(&s->catalog, s->explainer, r->x, &r->risk);
    r->band = session_band(s, r->risk.p);
}

void session_cart_if_added(const session *s, const tg_shop_item *it,
                           const char *size, int qty, double minutes,
                           tg_cart *c)
{
    *c = s->cart;
    if (c->n >= TG_CART_MAX)
        c->n = TG_CART_MAX - 1;
    tg_cart_line *l = &c->line[c->n++];
    memset(l, 0, sizeof *l);
    l->product_id = it->product_id;
    tg_strlcpy(l->size, size ? size : "", sizeof l->size);
    l->quantity = qty;
    l->unit_price = it->price;
    l->view_minutes = minutes;
    l->category = it->category;
}

void session_risk_if_added(session *s, const tg_shop_item *it,
                           const char *size, int qty, double minutes,
                           line_risk *r)
{
    tg_cart c;
    session_cart_if_added(s, it, size, qty, minutes, &c);
    session_risk_line(s, &c, c.n - 1, r);
}

int session_usual_size(const session *s, const tg_shop_item *it)
{
    if (it->n_sizes == 0)
        return -1;
    const char *usual = it->category == TG_CAT_SHOES ? s->persona.shoe_size
                                                     : s->persona.usual_size;
    for (int i = 0; i < it->n_sizes; i++)
        if (usual[0] && tg_strieq(it->sizes[i], usual))
            return i;
    return it->n_sizes / 2;
}

void session_nudge_input(session *s, const line_risk *r, int moment,
                         const tg_shop_item *it, const char *size,
                         tg_nudge_input *in)
{
    nudge_input_init(in);
    in->moment = moment;
    in->now = shop_now(s->shop);
    in->segment = s->persona.id ? s->persona.segment : TG_SEG_UNKNOWN;
    memcpy(in->x, r->x, sizeof in->x);
    in->score = r->risk.from_rules ? NAN : r->risk.p;
    if (!r->risk.from_rules && s->model && s->feature_map) /* counterfactuals */
        in->scorer = (tg_nudge_scorer){s->model, s->feature_map,
                                       model_num_features(s->model)};
    in->n_drivers = r->risk.n_drivers;
    memcpy(in->driver, r->risk.driver, sizeof in->driver);
    memcpy(in->contribution, r->risk.contribution, sizeof in->contribution);
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
    in->money = money_symbol(&s->currency, s->ascii);
    tg_err err = {0};
    if (it)
        nudge_store_facts(s->store, it->product_id, s->persona.id, in->now,
                          in, &err);
}

int session_nudge_show(session *s, const tg_nudge_input *in,
                       int64_t purchase_id, int own_visit, const char *about,
                       session_nudge *n)
{
    n->state = NUDGE_NONE;
    n->id = 0;
    n->own_visit = own_visit;
    n->d.nudge = -1;
    if (s->catalog.n == 0)
        return TG_WHY_NONE_FITS;
    tg_nudge_session alone, *visit = own_visit ? &alone : &s->visit;
    nudge_session_init(&alone);
    nudge_decide(&s->catalog, s->bandit, in, visit, &s->caps, &s->budget,
                 &s->rng, &n->d);
    if (n->d.nudge < 0)
        return n->d.why_code;
    n->state = NUDGE_SHOWN;
    nudge_note_shown(&n->d, visit, &s->caps);
    tg_nudge_ref ref = {purchase_id, uilog_session(s->log), s->persona.id,
                        s->model ? s->model_info.version : 0, NULL};
    tg_err err = {0};
    if (nudge_store_log(s->store, &s->catalog, &ref, &n->d, in->now, &n->id,
                        &err) != TG_OK)
        session_note(s, "could not record the nudge: %s", err.msg);
    session_event(s, "nudge_shown", "%s score=%.3f driver=%s%s%s",
                  s->catalog.nudges[n->d.nudge].id, n->d.score,
                  n->d.driver >= 0 ? features_name(n->d.driver) : "-",
                  about ? " " : "", about ? about : "");
    return TG_WHY_SHOWN;
}

void session_nudge_answer(session *s, session_nudge *n, int accepted)
{
    if (n->state != NUDGE_SHOWN || n->d.nudge < 0)
        return;
    nudge_note_answer(&n->d, accepted, n->own_visit ? NULL : &s->visit,
                      &s->budget);
    tg_err err = {0};
    if (n->id && nudge_store_answer(s->store, n->id, accepted,
                                    shop_now(s->shop), &err) != TG_OK)
        session_note(s, "could not record the answer: %s", err.msg);
    session_event(s, "nudge_answer", "%s %s",
                  s->catalog.nudges[n->d.nudge].id,
                  accepted ? "accepted" : "declined");
    n->state = accepted ? NUDGE_ACCEPTED : NUDGE_DECLINED;
}
