/* sim.c: the simulation's day loop. Each day: lines whose return window
 * closed join the history the features read; returns being started meet
 * the exchange-first offer; the bandit learns the outcomes that arrived;
 * then every cart of the day is played in each arm: control buys it as
 * drawn; the engine scores it (the model in one batch over two threads),
 * decides a nudge per item, and the shopper answers; the random, rules and
 * badge baselines do the same on the same carts and random numbers. An
 * accepted nudge changes the cart (a size, a dropped size, an item saved
 * for later) and shopper_order_finish recomputes the true return
 * probability, or it removes a share of the truth term it answers; then
 * each line is kept or returned with the same uniform draw in every arm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_int.h"
#include "trendguard/gen.h"
#include "trendguard/score.h"

const char *const sim_arm_names[TG_SIM_ARMS] = {"control", "treatment",
                                                "random", "rules", "badge"};

/* Purposes of the counter-based draws, so each is its own stream. */
enum { H_SELECT = 11, H_ACCEPT, H_EFFECT, H_LOST, H_RETURN, H_EXCHANGE,
       H_ARM_RNG };

/* ---- one cart in one arm ---------------------------------------------------- */

typedef struct item {
    int product, n, lines[TG_ORDER_MAX_LINES];
    int nudge, accepted, lost, keep_line, new_size, context;
    double score;             /* the risk the nudge was chosen at */
    double cut_impulse, cut_quality, cut_trend;
} item;

static int month_of(const sim_ctx *s, int64_t day)
{
    int m = (int)((day - s->start) * s->months / (s->end - s->start));
    return m < 0 ? 0 : m >= s->months ? s->months - 1 : m;
}

static int ring_of(const sim_ctx *s, int64_t day)
{
    return (int)((day - s->start) % SIM_RING);
}

static double accept_rate(const sim_ctx *s, int action, int segment)
{
    double p = s->a->accept[action] *
               (segment >= 0 && segment < TG_SHOP_SEGMENTS
                    ? s->a->accept_segment[segment] : 1.0);
    return p > 1 ? 1 : p;
}

/* Top positive TreeSHAP contributions in features.h indexes. */
static void engine_drivers(const sim_ctx *s, const float *con,
                           tg_nudge_input *in)
{
    in->n_drivers = 0;
    float used[TG_NUM_FEATURES] = {0};
    for (size_t f = 0; f < s->nf; f++)
        used[s->map[f]] += con[f];
    while (in->n_drivers < TG_NUDGE_MAX_DRIVERS) {
        int best = -1;
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            if (used[f] > 0 && (best < 0 || used[f] > used[best]))
                best = f;
        if (best < 0)
            break;
        in->driver[in->n_drivers] = best;
        in->contribution[in->n_drivers++] = used[best];
        used[best] = 0;
    }
}

static void size_range(const tg_product *p, tg_nudge_input *in)
{
    in->size_lo = p->size_lo;
    in->size_hi = p->size_hi;
    in->is_shoe = p->category == TG_CAT_SHOES;
}

/* What an accepted nudge does to an item (u1, u2: the item's draws). */
static void apply_effect(const sim_ctx *s, const tg_nudge_decision *d,
                         const tg_order *o, item *it, double u1, double u2)
{
    const tg_sim_assume *a = s->a;
    const tg_line *l = &o->lines[it->lines[0]];
    const tg_product *p = &s->w->products[l->product];
    switch (d->action) {
    case TG_ACTION_SWITCH_SIZE:
        if (it->n == 1) {
            if (u1 < a->size_right && d->suggested_size >= 0)
                it->new_size = d->suggested_size;
            break;
        }
        /* several sizes of the item: switching means keeping the one */
        if (u1 < a->size_right && d->suggested_size >= 0) {
            it->keep_line = it->lines[0];
            for (int k = 0; k < it->n; k++)
                if (o->lines[it->lines[k]].size == d->suggested_size)
                    it->keep_line = it->lines[k];
            it->new_size = d->suggested_size;
        }
        break;
    case TG_ACTION_KEEP_ONE_SIZE:
        if (u1 < a->bracket_drop && d->suggested_size >= 0) {
            it->keep_line = it->lines[0];
            for (int k = 0; k < it->n; k++)
                if (o->lines[it->lines[k]].size == d->suggested_size)
                    it->keep_line = it->lines[k];
            it->new_size = d->suggested_size;
        }
        break;
    case TG_ACTION_SAVE_FOR_LATER:
        if (u1 < a->cool_lost)
            it->lost = 1;
        else
            it->cut_impulse = a->cool_impulse_cut;
        break;
    case TG_ACTION_READ_REVIEWS:
        if (u1 < a->reviews_lost)
            it->lost = 1;
        else
            it->cut_quality = a->reviews_quality_cut;
        break;
    case TG_ACTION_BADGE:
        if (u1 < a->badge_lost) {
            it->lost = 1;
            break;
        }
        it->cut_quality = a->badge_quality_cut;
        if (u2 < a->badge_size_fix && p->size_lo != p->size_hi)
            it->new_size = -2; /* the size that fits, set by the caller */
        break;
    case TG_ACTION_NONE:
        if (u1 < a->fading_lost)
            it->lost = 1;
        else
            it->cut_trend = a->fading_trend_cut;
        break;
    default:
        break;
    }
}

static int fitting_size(const tg_product *p, const tg_customer *c)
{
    int s = (p->category == TG_CAT_SHOES ? c->shoe_size : c->usual_size) -
            p->fit_bias;
    return s < p->size_lo ? p->size_lo : s > p->size_hi ? p->size_hi : s;
}

/* The resale value share of a returned item: by its trend's phase when it
 * is back on sale, and whether it can be sold as new. */
static double resale_share(const sim_ctx *s, const tg_product *p,
                           int64_t returned_at, int resellable)
{
    const tg_sim_assume *a = s->a;
    double v = a->resale[TG_SIM_RESALE_EVERGREEN];
    if (p->trend >= 0) {
        double dap, day = (double)returned_at / TG_DAY + a->restock_days;
        int ph = shopper_trend_phase(s->b, &s->w->trends[p->trend], day, &dap);
        v = ph == TG_PHASE_DECLINE    ? a->resale[TG_SIM_RESALE_DECLINE]
            : ph == TG_PHASE_OBSOLETE ? a->resale[TG_SIM_RESALE_OBSOLETE]
                                      : a->resale[TG_SIM_RESALE_HOT];
    }
    return resellable ? v : v * a->unsellable_salvage;
}

static int push_event(sim_vec *v, const void *e, size_t size, tg_err *err)
{
    return sim_vec_push(v, e, size) ? tg_fail(err, TG_EINTERNAL,
                                              "out of memory")
                                    : TG_OK;
}

/* Decides the nudges of a cart in arm st. xs: the lines' features; ps,
 * cons: the engine's scores and contributions (NULL elsewhere). */
static void decide_items(sim_ctx *s, sim_arm_state *st, const sim_order *so,
                         const tg_order *o, const float *xs, const float *ps,
                         const float *cons, item *it, int ni,
                         tg_sim_arm *acc, double *penalty)
{
    const tg_customer *c = &s->w->customers[so->customer];
    int32_t ti = s->treat_index[so->customer];
    tg_nudge_shopper *sh = &st->shop[ti];
    nudge_shopper_roll(sh, o->t);
    nudge_budget_roll(&st->budget, o->t,
                      s->a->budget_per_1000_day * (double)s->n_treat / 1000);
    tg_nudge_session sess;
    nudge_session_init(&sess);
    double q = 0;
    if (st->kind == TG_SIM_RANDOM) {
        const sim_arm_state *e = &s->arm[TG_SIM_ENGINE];
        q = e->day_items ? (double)e->day_shown / (double)e->day_items : 0;
    }
    st->day_items += ni;
    for (int i = 0; i < ni; i++) {
        item *x = &it[i];
        uint64_t key = (uint64_t)so->customer << 20 | (uint64_t)so->seq;
        if (st->kind == TG_SIM_RANDOM &&
            sim_uniform(s->o->seed, H_SELECT, key, (uint64_t)i) >= q)
            continue;
        int rep = x->lines[0];
        double best = -1;
        for (int k = 0; k < x->n; k++) {
            int l = x->lines[k];
            double sc;
            if (ps)
                sc = ps[l];
            else if (st->kind == TG_SIM_RULES || st->kind == TG_SIM_ENGINE) {
                int dr[1];
                float cn[1];
                nudge_rules_estimate(&st->cat, xs + l * TG_NUM_FEATURES, &sc,
                                     dr, cn, 1);
            } else
                sc = 0;
            if (sc > best) {
                best = sc;
                rep = l;
            }
        }
        tg_nudge_input in;
        nudge_input_init(&in);
        memcpy(in.x, xs + rep * TG_NUM_FEATURES, sizeof in.x);
        in.now = o->t;
        in.segment = c->segment;
        const tg_line *l = &o->lines[rep];
        in.size = l->size;
        size_range(&s->w->products[l->product], &in);
        if (st->kind == TG_SIM_ENGINE && ps) {
            in.score = ps[rep];
            if (in.score >= st->cat.band_medium)
                engine_drivers(s, cons + (size_t)rep * (s->nf + 1), &in);
        } else if (st->kind == TG_SIM_RANDOM || st->kind == TG_SIM_BADGE) {
            in.score = 0.99; /* risk is not what these arms look at */
        }
        tg_nudge_decision d;
        in.moment = in.x[TG_F_sizes_of_item] >= 2 ? TG_MOMENT_CART
                                                  : TG_MOMENT_ITEM;
        nudge_decide(&st->cat, st->bandit, &in, &sess, sh, &st->budget,
                     &st->rng, &d);
        if (d.nudge < 0 && in.moment == TG_MOMENT_CART &&
            d.why_code == TG_WHY_NONE_FITS) {
            in.moment = TG_MOMENT_ITEM;
            nudge_decide(&st->cat, st->bandit, &in, &sess, sh, &st->budget,
                         &st->rng, &d);
        }
        if (d.nudge < 0)
            continue;
        nudge_note_shown(&d, &sess, sh);
        st->day_shown++;
        acc->shown++;
        acc->shown_by[st->orig[d.nudge]]++;
        *penalty += s->a->sat_shown;
        x->nudge = d.nudge;
        x->context = d.context;
        x->score = d.score;
        double u = sim_uniform(s->o->seed, H_ACCEPT, key, (uint64_t)i);
        int yes = u < accept_rate(s, d.action, c->segment);
        nudge_note_answer(&d, yes, &sess, &st->budget);
        if (!yes) {
            *penalty += s->a->sat_declined;
            continue;
        }
        x->accepted = 1;
        acc->accepted++;
        acc->accepted_by[st->orig[d.nudge]]++;
        acc->offer_cost += d.offer_cost;
        apply_effect(s, &d, o, x,
                     sim_uniform(s->o->seed, H_EFFECT, key, (uint64_t)i),
                     sim_uniform(s->o->seed, H_LOST, key, (uint64_t)i));
        if (x->new_size == -2)
            x->new_size = fitting_size(&s->w->products[x->product], c);
    }
}


static int64_t day_of(int64_t t)
{
    return t >= 0 ? t / TG_DAY : -((-t + TG_DAY - 1) / TG_DAY);
}

static void new_item(item *x, int product)
{
    memset(x, 0, sizeof *x);
    x->product = product;
    x->nudge = x->keep_line = x->new_size = -1;
}

/* The cart as bought after the nudges: lost items and dropped sizes
 * taken out (their margin counted as lost), sizes switched; orig[] maps
 * each bought line to its line in the cart, cut[] its term cuts. */
static void bought_cart(const sim_ctx *s, const tg_order *o, const item *it,
                        int ni, tg_order *b, int *orig, int *of_item,
                        double (*cut)[3], tg_sim_arm *acc)
{
    memset(b, 0, sizeof *b);
    b->t = o->t;
    b->channel = o->channel;
    b->paylater = o->paylater;
    for (int i = 0; i < ni; i++)
        for (int k = 0; k < it[i].n; k++) {
            int l = it[i].lines[k];
            const tg_line *ol = &o->lines[l];
            if (it[i].lost || (it[i].keep_line >= 0 &&
                               l != it[i].keep_line)) {
                acc->dropped_margin +=
                    s->a->margin * ol->unit_price * ol->quantity;
                continue;
            }
            b->lines[b->n] = *ol;
            if (it[i].new_size >= 0)
                b->lines[b->n].size = it[i].new_size;
            orig[b->n] = l;
            of_item[b->n] = i;
            cut[b->n][0] = it[i].cut_impulse;
            cut[b->n][1] = it[i].cut_quality;
            cut[b->n][2] = it[i].cut_trend;
            b->n++;
        }
}

/* Plays one cart in one arm. xs, ps, cons: the engine's batch (NULL
 * elsewhere: the arm computes its own features). */
static int play_order(sim_ctx *s, sim_arm_state *st, const sim_order *so,
                      const float *xs, const float *ps, const float *cons,
                      tg_err *err)
{
    const tg_sim_assume *a = s->a;
    const tg_customer *c = &s->w->customers[so->customer];
    int arm = st->kind;
    tg_sim_arm *acc = &s->r->arm[arm];
    int64_t day = day_of(so->t);
    tg_sim_month *mo = &s->r->monthly[month_of(s, day)];
    uint64_t key = (uint64_t)so->customer << 20 | (uint64_t)so->seq;
    tg_order o;
    sim_rebuild(s, so, &o);
    item it[TG_ORDER_MAX_LINES];
    int ni = 0;
    for (int k = 0; k < o.n; k++) {
        int i = 0;
        while (i < ni && it[i].product != o.lines[k].product)
            i++;
        if (i == ni)
            new_item(&it[ni++], o.lines[k].product);
        it[i].lines[it[i].n++] = k;
    }
    acc->orders++;
    acc->items_carted += ni;
    mo->items_carted[arm] += ni;
    for (int k = 0; k < o.n; k++)
        acc->carted_margin +=
            a->margin * o.lines[k].unit_price * o.lines[k].quantity;
    double penalty = 0;
    long shown_before = acc->shown;
    float xbuf[TG_ORDER_MAX_LINES * TG_NUM_FEATURES];
    if (arm != TG_SIM_CONTROL) {
        if (!xs) {
            for (int k = 0; k < o.n; k++)
                sim_features(s, st, so, &o, k, xbuf + k * TG_NUM_FEATURES);
            xs = xbuf;
        }
        decide_items(s, st, so, &o, xs, ps, cons, it, ni, acc, &penalty);
    }
    tg_order b;
    int orig[TG_ORDER_MAX_LINES], of_item[TG_ORDER_MAX_LINES];
    double cut[TG_ORDER_MAX_LINES][3];
    bought_cart(s, &o, it, ni, &b, orig, of_item, cut, acc);
    if (b.n)
        shopper_order_finish(s->w, c, &b);
    double isat[TG_ORDER_MAX_LINES] = {0};
    int ilines[TG_ORDER_MAX_LINES] = {0}, iret[TG_ORDER_MAX_LINES] = {0};
    int64_t iret_day[TG_ORDER_MAX_LINES];
    sim_hist *h = st->hist ? &st->hist[so->customer] : NULL;
    for (int j = 0; j < b.n; j++) {
        tg_line *l = &b.lines[j];
        if (cut[j][0] > 0 || cut[j][1] > 0 || cut[j][2] > 0) {
            tg_truth_terms tt;
            double z = shopper_return_logit(s->b, &l->ctx, &tt);
            z -= s->b->truth_scale *
                 (cut[j][0] * fmax(0, tt.impulse) +
                  cut[j][1] * fmax(0, tt.quality) +
                  cut[j][2] * fmax(0, tt.trend));
            l->p = 1 / (1 + exp(-z));
        }
        double price = l->unit_price * l->quantity;
        tg_rng r;
        tg_rng_seed(&r, sim_hash(s->o->seed, H_RETURN, key,
                                 (uint64_t)orig[j]));
        tg_return ret;
        int back = shopper_draw_return(s->b, l, b.t, &r, &ret);
        int i = of_item[j];
        ilines[i]++;
        acc->purchases++;
        mo->purchases[arm]++;
        acc->revenue += price;
        mo->revenue[arm] += price;
        st->c_lines[so->customer]++;
        if (h) {
            h->price_sum += l->unit_price;
            h->price_lines++;
        }
        if (back) {
            const tg_product *p = &s->w->products[l->product];
            double rs = resale_share(s, p, ret.t, ret.resellable);
            acc->returns++;
            mo->returns[arm]++;
            acc->revenue -= price;
            mo->revenue[arm] -= price;
            acc->returned_margin += a->margin * price;
            acc->processing += a->processing_share * price;
            acc->writedown += (1 - a->margin) * price * (1 - rs);
            acc->resale_value += (1 - a->margin) * price * rs;
            st->c_returns[so->customer]++;
            isat[i] += a->sat_returned;
            if (!iret[i] || day_of(ret.t) < iret_day[i])
                iret_day[i] = day_of(ret.t);
            iret[i] = 1;
            if (st->has_return) {
                sim_return e = {key << 5 | (uint64_t)orig[j], so->customer,
                                ni, (uint8_t)arm, (uint8_t)p->category,
                                (float)price};
                int rc = push_event(&s->returns[ring_of(s, day_of(ret.t))],
                                    &e, sizeof e, err);
                if (rc)
                    return rc;
            }
        } else {
            isat[i] += a->sat_kept;
        }
        const tg_product *lp = &s->w->products[l->product];
        int8_t group = lp->category == TG_CAT_ACCESSORIES
                           ? -1 : (int8_t)(lp->category == TG_CAT_SHOES);
        int sized = back && (ret.reason == TG_REASON_TOO_SMALL ||
                             ret.reason == TG_REASON_TOO_LARGE);
        if (sized) {
            sim_sizeret e = {so->customer, l->product, (uint8_t)arm, group,
                             (uint8_t)l->size,
                             (uint8_t)(ret.reason == TG_REASON_TOO_SMALL)};
            int rc = push_event(&s->sizeret[ring_of(s, day_of(ret.t) + 1)],
                                &e, sizeof e, err);
            if (rc)
                return rc;
        }
        sim_mature m = {so->customer, l->product, (uint8_t)arm,
                        (uint8_t)back, group, (uint8_t)l->size,
                        (uint8_t)sized};
        int rc = push_event(&s->mature[ring_of(s, day + SIM_WINDOW_DAYS)],
                            &m, sizeof m, err);
        if (rc)
            return rc;
    }
    if (b.n && h)
        h->orders++;
    double sat = 0;
    for (int i = 0; i < ni; i++) {
        if (ilines[i]) {
            acc->items_bought++;
            mo->items_bought[arm]++;
            sat += isat[i] / ilines[i];
        } else {
            sat += a->sat_saved;
        }
        if (it[i].nudge < 0 || !st->learn)
            continue;
        sim_reward rw = {(uint8_t)c->segment, (uint8_t)it[i].context,
                         (uint8_t)it[i].nudge,
                         (float)bandit_reward(ilines[i] && !iret[i],
                                              it[i].score)};
        int64_t due = !ilines[i] ? day + 1
                      : iret[i]  ? iret_day[i]
                                 : day + SIM_WINDOW_DAYS;
        int rc = push_event(&s->rewards[ring_of(s, due)], &rw, sizeof rw,
                            err);
        if (rc)
            return rc;
    }
    sat = sat / (ni ? ni : 1) - penalty;
    acc->satisfaction_sum += sat < 0 ? 0 : sat > 1 ? 1 : sat;
    mo->shown[arm] += acc->shown - shown_before;
    return TG_OK;
}

/* ---- events ------------------------------------------------------------------- */

/* One matured line in arm st's history: the shop's product facts for every
 * arm (control lines too), the shopper's own for theirs; a line kept (or
 * returned for another reason than its size) says its size. */
static void mature_line(sim_arm_state *st, const sim_mature *e, int own)
{
    st->p_lines[e->product]++;
    st->p_returns[e->product] += e->returned;
    if (!own)
        return;
    sim_hist *h = &st->hist[e->customer];
    h->m_lines++;
    h->m_returns += e->returned;
    if (e->group >= 0 && !e->sized) {
        h->s_obs[e->group]++;
        h->s_sum[e->group] += e->rank;
    }
}

/* Lines whose return window closed: the history features read. */
static void process_mature(sim_ctx *s, sim_vec *v)
{
    const sim_mature *e = v->p;
    for (size_t i = 0; i < v->n; i++)
        for (int k = TG_SIM_ENGINE; k < TG_SIM_ARMS; k++)
            if (e[i].arm == TG_SIM_CONTROL || e[i].arm == k)
                mature_line(&s->arm[k], &e[i], e[i].arm == k);
    v->n = 0;
}

/* Size returns that arrived yesterday: how the product and its category
 * run for every arm, the size the shopper's line says for theirs. */
static void process_sizeret(sim_ctx *s, sim_vec *v)
{
    const sim_sizeret *e = v->p;
    for (size_t i = 0; i < v->n; i++) {
        int cat = s->w->products[e[i].product].category, sm = e[i].small;
        for (int k = TG_SIM_ENGINE; k < TG_SIM_ARMS; k++) {
            if (e[i].arm != TG_SIM_CONTROL && e[i].arm != k)
                continue;
            sim_arm_state *st = &s->arm[k];
            st->p_small[e[i].product] += sm;
            st->p_large[e[i].product] += !sm;
            st->cat_cum[cat][!sm]++;
            if (e[i].arm != k || e[i].group < 0)
                continue;
            sim_hist *h = &st->hist[e[i].customer];
            h->s_obs[e[i].group]++;
            h->s_sum[e[i].group] += e[i].rank + (sm ? 1 : -1);
        }
    }
    v->n = 0;
}

static void process_rewards(sim_ctx *s, sim_vec *v)
{
    const sim_reward *e = v->p;
    for (size_t i = 0; i < v->n; i++)
        bandit_update(s->arm[TG_SIM_ENGINE].bandit, e[i].segment, e[i].group,
                      e[i].nudge, e[i].reward);
    v->n = 0;
}

/* Returns being started today meet the exchange-first offer. */
static void process_returns(sim_ctx *s, sim_vec *v, int64_t day)
{
    const sim_return *e = v->p;
    const tg_sim_assume *a = s->a;
    for (size_t i = 0; i < v->n; i++) {
        sim_arm_state *st = &s->arm[e[i].arm];
        tg_sim_arm *acc = &s->r->arm[e[i].arm];
        const tg_customer *c = &s->w->customers[e[i].customer];
        tg_nudge_input in;
        nudge_input_init(&in);
        in.moment = TG_MOMENT_RETURN;
        in.now = day * TG_DAY + TG_DAY / 2;
        in.segment = c->segment;
        in.score = 0.5;
        in.x[TG_F_price] = e[i].price;
        in.x[TG_F_category] = e[i].category;
        tg_nudge_shopper *sh = &st->shop[s->treat_index[e[i].customer]];
        nudge_shopper_roll(sh, in.now);
        nudge_budget_roll(&st->budget, in.now,
                          a->budget_per_1000_day * (double)s->n_treat / 1000);
        tg_nudge_session sess;
        nudge_session_init(&sess);
        tg_nudge_decision d;
        nudge_decide(&st->cat, st->bandit, &in, &sess, sh, &st->budget,
                     &st->rng, &d);
        if (d.nudge < 0)
            continue;
        nudge_note_shown(&d, &sess, sh);
        acc->shown++;
        acc->shown_by[st->orig[d.nudge]]++;
        int yes = sim_uniform(s->o->seed, H_EXCHANGE, e[i].key, 0) <
                  accept_rate(s, d.action, c->segment);
        nudge_note_answer(&d, yes, &sess, &st->budget);
        if (!yes)
            continue;
        acc->accepted++;
        acc->accepted_by[st->orig[d.nudge]]++;
        acc->offer_cost += d.offer_cost;
        acc->exchanges++;
        acc->returned_margin -= a->exchange_keeps * a->margin * e[i].price;
        acc->revenue += a->exchange_keeps * e[i].price;
        acc->satisfaction_sum += (a->sat_exchanged - a->sat_returned) /
                                 (e[i].order_items ? e[i].order_items : 1);
    }
    v->n = 0;
}

/* ---- setting up and running -------------------------------------------------- */

static int arms_init(sim_ctx *s, tg_err *err)
{
    const tg_nudge_catalog *cat = s->o->catalog;
    size_t nc = (size_t)s->w->n_customers, np = (size_t)s->w->n_products;
    for (int k = 0; k < TG_SIM_ARMS; k++) {
        sim_arm_state *st = &s->arm[k];
        st->kind = k;
        st->c_lines = calloc(nc, sizeof *st->c_lines);
        st->c_returns = calloc(nc, sizeof *st->c_returns);
        if (!st->c_lines || !st->c_returns)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        s->r->arm[k].shoppers = k == TG_SIM_CONTROL ? s->n_control
                                                    : s->n_treat;
        if (k == TG_SIM_CONTROL)
            continue;
        st->hist = calloc(nc, sizeof *st->hist);
        st->p_lines = calloc(np, sizeof *st->p_lines);
        st->p_returns = calloc(np, sizeof *st->p_returns);
        st->p_small = calloc(np, sizeof *st->p_small);
        st->p_large = calloc(np, sizeof *st->p_large);
        st->shop = calloc((size_t)s->n_treat + 1, sizeof *st->shop);
        if (!st->hist || !st->p_lines || !st->p_returns || !st->p_small ||
            !st->p_large || !st->shop)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        for (long i = 0; i <= s->n_treat; i++)
            st->shop[i].day = INT64_MIN;
        st->budget.day = INT64_MIN;
        tg_rng_seed(&st->rng, sim_hash(s->o->seed, H_ARM_RNG, (uint64_t)k,
                                       0));
        st->cat = *cat;
        for (int i = 0; i < cat->n; i++)
            st->orig[i] = i;
        if (k == TG_SIM_BADGE) {
            st->cat.n = 0;
            for (int i = 0; i < cat->n; i++)
                if (cat->nudges[i].action == TG_ACTION_BADGE &&
                    st->cat.n == 0) {
                    st->cat.nudges[0] = cat->nudges[i];
                    st->cat.nudges[0].drivers = 0;
                    st->cat.n = 1;
                    st->orig[0] = i;
                }
        }
        if (k == TG_SIM_RANDOM)
            for (int i = 0; i < st->cat.n; i++)
                st->cat.nudges[i].drivers = 0;
        if (k == TG_SIM_ENGINE || k == TG_SIM_RANDOM) {
            st->bandit = bandit_create(cat->n, 1, 1);
            if (!st->bandit)
                return tg_fail(err, TG_EINTERNAL, "out of memory");
        }
        st->learn = k == TG_SIM_ENGINE;
        for (int i = 0; i < st->cat.n; i++)
            st->has_return |= st->cat.nudges[i].moment == TG_MOMENT_RETURN;
    }
    return TG_OK;
}

static void arms_free(sim_ctx *s)
{
    for (int k = 0; k < TG_SIM_ARMS; k++) {
        sim_arm_state *st = &s->arm[k];
        free(st->c_lines);
        free(st->c_returns);
        free(st->hist);
        free(st->p_lines);
        free(st->p_returns);
        free(st->p_small);
        free(st->p_large);
        free(st->shop);
        bandit_free(st->bandit);
    }
    for (int i = 0; i < SIM_RING; i++) {
        free(s->mature[i].p);
        free(s->rewards[i].p);
        free(s->returns[i].p);
        free(s->sizeret[i].p);
    }
}

static void progress(const sim_ctx *s, double f, const char *stage)
{
    if (s->o->progress)
        s->o->progress(s->o->ud, f, stage);
}

/* One day's carts orders[from, to) in every arm. */
static int play_day(sim_ctx *s, size_t from, size_t to, batch *bt,
                    tg_err *err)
{
    int rc = sim_engine_batch(s, from, to, bt, err);
    for (size_t i = from; rc == TG_OK && i < to; i++)
        if (!s->orders[i].treat)
            rc = play_order(s, &s->arm[TG_SIM_CONTROL], &s->orders[i], NULL,
                            NULL, NULL, err);
    s->arm[TG_SIM_ENGINE].day_shown = s->arm[TG_SIM_ENGINE].day_items = 0;
    for (int k = TG_SIM_ENGINE; rc == TG_OK && k < TG_SIM_ARMS; k++) {
        size_t t = 0;
        for (size_t i = from; rc == TG_OK && i < to; i++) {
            if (!s->orders[i].treat)
                continue;
            const float *xs = NULL, *ps = NULL, *cons = NULL;
            if (k == TG_SIM_ENGINE) {
                size_t r0 = bt->first[t];
                xs = bt->x + r0 * TG_NUM_FEATURES;
                if (s->o->model) {
                    ps = bt->p + r0;
                    cons = bt->con + r0 * (s->nf + 1);
                }
            }
            t++;
            rc = play_order(s, &s->arm[k], &s->orders[i], xs, ps, cons, err);
        }
    }
    return rc;
}

static int run_days(sim_ctx *s, tg_err *err)
{
    batch bt;
    memset(&bt, 0, sizeof bt);
    size_t i = 0;
    int rc = TG_OK;
    int64_t last = s->end + SIM_RING;
    for (int64_t day = s->start; rc == TG_OK && day < last; day++) {
        int rg = ring_of(s, day);
        process_mature(s, &s->mature[rg]);
        process_sizeret(s, &s->sizeret[rg]);
        process_rewards(s, &s->rewards[rg]);
        process_returns(s, &s->returns[rg], day);
        if (day >= s->end)
            continue;
        size_t j = i;
        while (j < s->n_orders && day_of(s->orders[j].t) == day)
            j++;
        rc = play_day(s, i, j, &bt, err);
        i = j;
        if ((day - s->start) % 4 == 0)
            progress(s, 0.15 + 0.75 * (double)(day - s->start) /
                                (double)(s->end - s->start),
                     "simulating");
    }
    sim_batch_free(&bt);
    return rc;
}

static int check_opts(const tg_sim_opts *o, tg_err *err)
{
    if (!o->catalog || !o->assume || !o->behaviour || !o->words)
        return tg_fail(err, TG_EUSAGE, "simulate: catalogue, assumptions, "
                       "behaviour and words are needed");
    if (o->months < 1 || o->months > 60)
        return tg_fail(err, TG_EUSAGE, "simulate: months must be 1 to 60");
    if (o->shoppers < 1 || o->shoppers > 5000000)
        return tg_fail(err, TG_EUSAGE, "simulate: shoppers must be 1 to "
                       "5,000,000");
    return TG_OK;
}

int sim_run(const tg_sim_opts *o, tg_sim_result *r, tg_err *err)
{
    double t0 = tg_now_mono();
    memset(r, 0, sizeof *r);
    int rc = check_opts(o, err);
    if (rc)
        return rc;
    sim_ctx *s = calloc(1, sizeof *s);
    r->monthly = calloc((size_t)o->months, sizeof *r->monthly);
    if (!s || !r->monthly) {
        free(s);
        sim_result_free(r);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    r->months = o->months;
    r->shoppers = o->shoppers;
    r->seed = o->seed;
    r->model_version = o->model ? o->model_version : 0;
    r->n_nudges = o->catalog->n;
    for (int i = 0; i < o->catalog->n; i++)
        tg_strlcpy(r->catalog_ids[i], o->catalog->nudges[i].id,
                   sizeof r->catalog_ids[i]);
    s->o = o;
    s->b = o->behaviour;
    s->a = o->assume;
    s->r = r;
    s->months = o->months;
    s->threads = o->threads > 0 ? o->threads : 2;
    s->start = gen_end_day();
    s->end = s->start + (int64_t)floor(o->months * 30.4375 + 0.5);
    r->start_day = s->start;
    r->end_day = s->end;
    if (o->model) {
        s->nf = model_num_features(o->model);
        s->map = malloc(s->nf * sizeof *s->map + 1);
        if (!s->map)
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
        else
            rc = score_feature_map(o->model, s->map, err);
    }
    progress(s, 0, "world");
    if (rc == TG_OK)
        rc = sim_build_world(s, err);
    progress(s, 0.05, "carts");
    if (rc == TG_OK)
        rc = sim_draw_orders(s, err);
    if (rc == TG_OK)
        rc = arms_init(s, err);
    if (rc == TG_OK)
        rc = run_days(s, err);
    progress(s, 0.9, "bootstrap");
    if (rc == TG_OK)
        rc = sim_bootstrap(s, err);
    if (rc == TG_OK)
        sim_report(s);
    arms_free(s);
    sim_free_world(s);
    free(s->map);
    free(s);
    if (rc != TG_OK) {
        sim_result_free(r);
        return rc;
    }
    r->seconds = tg_now_mono() - t0;
    if (o->progress)
        o->progress(o->ud, 1, "done");
    return TG_OK;
}

void sim_result_free(tg_sim_result *r)
{
    if (!r)
        return;
    free(r->monthly);
    r->monthly = NULL;
}
