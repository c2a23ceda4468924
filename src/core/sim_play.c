/* sim_play.c: one cart in one arm. The arm's engine decides a nudge per
 * item from what the shop knows (its records, the model's scores and
 * drivers, the size and fit learned so far); the shopper answers with the
 * accept rate of the assumptions and, accepting, acts in the shopper model
 * (sim_effects.c); what is bought is finished by the behaviour model
 * (its true return probability worked out again) and each line kept or
 * returned with the same draws in every arm, the shadow's included. Items
 * are then compared with the shadow's same cart, so that every return
 * avoided is put down to the nudge on its item. */
#include <math.h>
#include <string.h>

#include "sim_int.h"

/* Purposes of the counter-based draws, so each is its own stream. */
enum { H_SELECT = 11, H_ACCEPT = 12, H_RETURN = 15 };

static int month_of(const sim_ctx *s, int64_t day)
{
    int m = (int)((day - s->start) * s->months / (s->end - s->start));
    return m < 0 ? 0 : m >= s->months ? s->months - 1 : m;
}

static int ring_of(const sim_ctx *s, int64_t day)
{
    return (int)((day - s->start) % SIM_RING);
}

uint64_t sim_order_key(const sim_order *so)
{
    return (uint64_t)so->customer << 20 | (uint64_t)so->seq;
}

/* ---- the engine's input ----------------------------------------------------- */

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

/* The risk of line l as the arm sees it: the model's score, or the rule
 * estimate for the arms that score by rules. */
static double line_risk(const sim_arm_state *st, const float *xs,
                        const float *ps, int l)
{
    if (ps)
        return ps[l];
    if (st->kind != TG_SIM_RULES && st->kind != TG_SIM_ENGINE)
        return 0;
    double sc;
    nudge_rules_estimate(&st->cat, xs + (size_t)l * TG_NUM_FEATURES, &sc,
                         NULL, NULL, 0);
    return sc;
}

void sim_item_input(const sim_ctx *s, const sim_arm_state *st,
                    const sim_order *so, const tg_order *o,
                    const sim_item *it, const float *xs, const float *ps,
                    const float *cons, tg_nudge_input *in)
{
    const tg_customer *c = &s->w->customers[so->customer];
    double risk[TG_ORDER_MAX_LINES], best = -1, sum = 0;
    int rep = it->lines[0];
    for (int k = 0; k < it->n; k++) {
        int l = it->lines[k];
        risk[k] = line_risk(st, xs, ps, l);
        sum += risk[k];
        if (risk[k] > best) {
            best = risk[k];
            rep = l;
        }
    }
    nudge_input_init(in);
    memcpy(in->x, xs + (size_t)rep * TG_NUM_FEATURES, sizeof in->x);
    in->now = o->t;
    in->segment = c->segment;
    const tg_line *l = &o->lines[rep];
    const tg_product *p = &s->w->products[l->product];
    in->size = l->size;
    in->size_lo = p->size_lo;
    in->size_hi = p->size_hi;
    in->is_shoe = p->category == TG_CAT_SHOES;
    in->moment = in->x[TG_F_sizes_of_item] >= 2 ? TG_MOMENT_CART
                                                : TG_MOMENT_ITEM;
    if (st->kind == TG_SIM_RANDOM || st->kind == TG_SIM_BADGE) {
        in->score = 0.99; /* risk is not what these arms look at */
        return;
    }
    if (it->n > 1)
        in->others_p = sum - best;
    if (st->kind == TG_SIM_ENGINE && ps) {
        in->score = ps[rep];
        in->scorer = (tg_nudge_scorer){s->o->model, s->map, s->nf};
        if (in->score >= st->cat.band_medium)
            engine_drivers(s, cons + (size_t)rep * (s->nf + 1), in);
    }
}

/* ---- deciding -------------------------------------------------------------- */

/* The order in which the cart's items meet the engine: at a checkout it
 * sees them all, so the ones a nudge is worth most on come first and the
 * session's caps go to them (the arms that pick at random take them as
 * carted). */
static void rank_items(sim_ctx *s, sim_arm_state *st, const sim_order *so,
                       const tg_order *o, const float *xs, const float *ps,
                       const float *cons, const sim_item *it, int ni,
                       const tg_nudge_shopper *sh, int *order)
{
    double worth[TG_ORDER_MAX_LINES];
    for (int i = 0; i < ni; i++) {
        order[i] = i;
        worth[i] = 0;
        if (ni < 2 || st->cat.pick_random)
            continue;
        tg_nudge_input in;
        sim_item_input(s, st, so, o, &it[i], xs, ps, cons, &in);
        tg_nudge_decision d;
        nudge_decide(&st->cat, st->bandit, &in, NULL, sh, &st->budget,
                     &st->rng, &d);
        worth[i] = d.nudge >= 0 ? d.value : 0;
    }
    for (int i = 1; i < ni; i++) /* by worth, carted order on a tie */
        for (int j = i; j > 0 && worth[order[j]] > worth[order[j - 1]];
             j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

/* Decides the nudges of a cart in arm st and plays the shopper's answers
 * and what they then do. */
static void decide_items(sim_ctx *s, sim_arm_state *st, const sim_order *so,
                         const tg_order *o, const float *xs, const float *ps,
                         const float *cons, sim_item *it, int ni,
                         tg_sim_arm *acc, double *penalty)
{
    const tg_customer *c = &s->w->customers[so->customer];
    tg_nudge_shopper *sh = &st->shop[s->treat_index[so->customer]];
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
    uint64_t key = sim_order_key(so);
    int order[TG_ORDER_MAX_LINES];
    rank_items(s, st, so, o, xs, ps, cons, it, ni, sh, order);
    for (int r = 0; r < ni; r++) {
        int i = order[r];
        sim_item *x = &it[i];
        if (st->kind == TG_SIM_RANDOM &&
            sim_uniform(s->o->seed, H_SELECT, key, (uint64_t)i) >= q)
            continue;
        tg_nudge_input in;
        sim_item_input(s, st, so, o, x, xs, ps, cons, &in);
        tg_nudge_decision d;
        nudge_decide(&st->cat, st->bandit, &in, &sess, sh, &st->budget,
                     &st->rng, &d);
        nudge_budget_note(&st->budget, &d);
        if (d.nudge >= 0)
            sim_show(s, st, o, c, key, i, &d, &sess, sh, x, acc, penalty);
    }
}

void sim_show(sim_ctx *s, sim_arm_state *st, const tg_order *o,
              const tg_customer *c, uint64_t key, int idx,
              const tg_nudge_decision *d, tg_nudge_session *sess,
              tg_nudge_shopper *sh, sim_item *x, tg_sim_arm *acc,
              double *penalty)
{
    nudge_note_shown(d, sess, sh);
    st->day_shown++;
    acc->shown++;
    acc->shown_by[st->orig[d->nudge]]++;
    *penalty += s->a->sat_shown;
    x->nudge = d->nudge;
    x->context = d->context;
    double u = sim_uniform(s->o->seed, H_ACCEPT, key, (uint64_t)idx);
    int yes = u < sim_accept_rate(s, d->action, c->segment);
    nudge_note_answer(d, yes, sess, &st->budget);
    if (st->bandit)
        bandit_update(st->bandit, c->segment, d->context, d->nudge, yes);
    if (!yes) {
        *penalty += s->a->sat_declined;
        return;
    }
    x->accepted = 1;
    acc->accepted++;
    acc->accepted_by[st->orig[d->nudge]]++;
    acc->offer_cost += d->offer_cost;
    sim_effect(s, st, d, o, c, x, key, idx);
}

/* ---- what is bought -------------------------------------------------------- */

/* Lines of one purchase: the order, each line's line in the cart and its
 * item. */
typedef struct bought {
    tg_order o;
    int orig[TG_ORDER_MAX_LINES], of_item[TG_ORDER_MAX_LINES];
} bought;

static void bought_add(bought *b, const tg_line *l, int size, int orig,
                       int item)
{
    b->o.lines[b->o.n] = *l;
    if (size >= 0)
        b->o.lines[b->o.n].size = size;
    b->orig[b->o.n] = orig;
    b->of_item[b->o.n++] = item;
}

/* The cart as bought now after the nudges: lost items and dropped sizes
 * out (their margin counted as lost), saved items that come back out too
 * (bought later), sizes switched. */
static void bought_now(const sim_ctx *s, const tg_order *o, const sim_item *it,
                       int ni, bought *b, tg_sim_arm *acc)
{
    memset(b, 0, sizeof *b);
    b->o.t = o->t;
    b->o.channel = o->channel;
    b->o.paylater = o->paylater;
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
            if (!it[i].later_days)
                bought_add(b, ol, it[i].new_size, l, i);
        }
}

/* A saved item bought days later: alone, from the saved items (no longer
 * through TikTok), at the same hour unless that was at night (then noon),
 * after days of thought. */
static void bought_later(const tg_order *o, const sim_item *it, int i,
                         bought *b)
{
    memset(b, 0, sizeof *b);
    int64_t t = o->t + (int64_t)it->later_days * TG_DAY;
    int64_t in_day = ((t % TG_DAY) + TG_DAY) % TG_DAY;
    if (in_day / 3600 >= 23 || in_day / 3600 < 5)
        t += 12 * 3600 - in_day + in_day % 3600;
    b->o.t = t;
    b->o.channel = o->channel == TG_CHANNEL_TIKTOK ? TG_CHANNEL_APP
                                                   : o->channel;
    b->o.paylater = o->paylater;
    for (int k = 0; k < it->n; k++) {
        int l = it->lines[k];
        if (it->keep_line >= 0 && l != it->keep_line)
            continue;
        bought_add(b, &o->lines[l], it->new_size, l, i);
        b->o.lines[b->o.n - 1].ctx.view_minutes += it->later_days * 1440.0;
    }
}

/* ---- keeping or returning ----------------------------------------------------- */

double sim_resale_share(const sim_ctx *s, const tg_product *p,
                        int64_t returned_at, int resellable, double days)
{
    const tg_sim_assume *a = s->a;
    double v = a->resale[TG_SIM_RESALE_EVERGREEN];
    if (p->trend >= 0) {
        double dap, day = (double)returned_at / TG_DAY + days;
        int ph = shopper_trend_phase(s->b, &s->w->trends[p->trend], day, &dap);
        v = ph == TG_PHASE_DECLINE    ? a->resale[TG_SIM_RESALE_DECLINE]
            : ph == TG_PHASE_OBSOLETE ? a->resale[TG_SIM_RESALE_OBSOLETE]
                                      : a->resale[TG_SIM_RESALE_HOT];
    }
    return resellable ? v : v * a->unsellable_salvage;
}

/* One cart's play in one arm: the order, the month's counters and, per
 * item, its lines bought, returned, satisfaction and earliest return. */
typedef struct play {
    const sim_order *so;
    sim_arm_state *st;
    tg_sim_arm *acc;
    tg_sim_month *mo;
    int arm, ni;
    const sim_item *it;       /* the cart's items */
    uint64_t key;
    uint32_t back;            /* cart lines returned */
    double isat[TG_ORDER_MAX_LINES];
    int ilines[TG_ORDER_MAX_LINES], iret[TG_ORDER_MAX_LINES];
} play;

/* The events a bought line leaves: a return starting (the exchange
 * offer), a size return arriving, the line maturing. */
static int line_events(sim_ctx *s, const play *pl, const tg_line *l,
                       int orig, int64_t day, int back, const tg_return *ret,
                       tg_err *err)
{
    if (pl->arm == TG_SIM_SHADOW)
        return TG_OK; /* the shadow is nobody's history */
    const tg_product *p = &s->w->products[l->product];
    int rc = TG_OK;
    if (back && pl->st->has_return) {
        sim_return e = {pl->key << 5 | (uint64_t)orig, pl->so->customer,
                        pl->ni, (uint8_t)pl->arm, (uint8_t)p->category,
                        (float)(l->unit_price * l->quantity)};
        rc = sim_push_event(&s->returns[ring_of(s, tg_day_of(ret->t))], &e,
                            sizeof e, err);
    }
    int8_t group = p->category == TG_CAT_ACCESSORIES
                       ? -1 : (int8_t)(p->category == TG_CAT_SHOES);
    int sized = back && (ret->reason == TG_REASON_TOO_SMALL ||
                         ret->reason == TG_REASON_TOO_LARGE);
    if (rc == TG_OK && sized) {
        sim_sizeret e = {pl->so->customer, l->product, (uint8_t)pl->arm,
                         group, (uint8_t)l->size,
                         (uint8_t)(ret->reason == TG_REASON_TOO_SMALL)};
        rc = sim_push_event(&s->sizeret[ring_of(s, tg_day_of(ret->t) + 1)],
                            &e, sizeof e, err);
    }
    sim_mature m = {pl->so->customer, l->product, (uint8_t)pl->arm,
                    (uint8_t)back, group, (uint8_t)l->size, (uint8_t)sized};
    if (rc == TG_OK)
        rc = sim_push_event(&s->mature[ring_of(s, day + SIM_WINDOW_DAYS)],
                            &m, sizeof m, err);
    return rc;
}

/* Keeps or returns every line of a purchase, with the draws of its line in
 * the cart (the same in every arm). */
static int play_lines(sim_ctx *s, play *pl, bought *b, tg_err *err)
{
    const tg_sim_assume *a = s->a;
    const tg_customer *c = &s->w->customers[pl->so->customer];
    if (!b->o.n)
        return TG_OK;
    shopper_order_finish(s->w, c, &b->o);
    int64_t day = tg_day_of(b->o.t);
    sim_hist *h = pl->st->hist ? &pl->st->hist[pl->so->customer] : NULL;
    for (int j = 0; j < b->o.n; j++) {
        const tg_line *l = &b->o.lines[j];
        double price = l->unit_price * l->quantity;
        tg_rng r;
        tg_rng_seed(&r, sim_hash(s->o->seed, H_RETURN, pl->key,
                                 (uint64_t)b->orig[j]));
        tg_return ret;
        int back = shopper_draw_return(s->b, l, b->o.t, &r, &ret);
        int i = b->of_item[j];
        if (back && pl->it[i].fee && pl->st->fee_day &&
            (back = sim_fee(s, pl->st, pl->so->customer, pl->key,
                            b->orig[j], &ret, pl->acc)))
            pl->isat[i] -= a->sat_fee;
        pl->ilines[i]++;
        pl->acc->purchases++;
        pl->mo->purchases[pl->arm]++;
        pl->acc->revenue += price;
        pl->mo->revenue[pl->arm] += price;
        pl->st->c_lines[pl->so->customer]++;
        if (h) {
            h->price_sum += l->unit_price;
            h->price_lines++;
        }
        if (back) {
            const tg_product *p = &s->w->products[l->product];
            double days = pl->st->has_restock
                              ? sim_restock(s, pl->st, l, &ret, price, pl->acc)
                              : a->restock_days;
            double rs = sim_resale_share(s, p, ret.t, ret.resellable, days);
            pl->back |= 1u << b->orig[j];
            pl->acc->returns++;
            pl->mo->returns[pl->arm]++;
            pl->acc->revenue -= price;
            pl->mo->revenue[pl->arm] -= price;
            pl->acc->returned_margin += a->margin * price;
            pl->acc->processing += a->processing_share * price;
            pl->acc->writedown += (1 - a->margin) * price * (1 - rs);
            pl->acc->resale_value += (1 - a->margin) * price * rs;
            pl->st->c_returns[pl->so->customer]++;
            pl->isat[i] += a->sat_returned;
            pl->iret[i]++;
        } else {
            pl->isat[i] += a->sat_kept;
        }
        if (pl->it[i].later_days)
            pl->isat[i] -= a->sat_waited;
        int rc = line_events(s, pl, l, b->orig[j], day, back, &ret, err);
        if (rc)
            return rc;
    }
    if (h)
        h->orders++;
    return TG_OK;
}

/* ---- against the shadow ---------------------------------------------------- */

static int bits(uint32_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* Every item's returns and lines bought fewer than the shadow's same cart,
 * put down to the nudge taken on it; what changed on items without one
 * (the basket's other lines) is shared among the cart's nudges taken. */
static void against_shadow(const sim_ctx *s, const play *pl,
                           const sim_item *it)
{
    size_t idx = (size_t)(pl->so - s->orders) - s->day_first;
    uint32_t shadow = s->shadow_back[idx];
    double rest_r = 0, rest_l = 0;
    int takers = 0;
    tg_sim_arm *acc = pl->acc;
    for (int i = 0; i < pl->ni; i++) {
        uint32_t mask = 0;
        for (int k = 0; k < it[i].n; k++)
            mask |= 1u << it[i].lines[k];
        double dr = bits(shadow & mask) - pl->iret[i];
        double dl = it[i].n - pl->ilines[i];
        if (it[i].accepted) {
            int n = pl->st->orig[it[i].nudge];
            acc->fewer_returns_by[n] += dr;
            acc->fewer_lines_by[n] += dl;
            takers++;
        } else {
            rest_r += dr;
            rest_l += dl;
        }
    }
    if (rest_r == 0 && rest_l == 0)
        return;
    for (int i = 0; i < pl->ni; i++)
        if (it[i].accepted) {
            int n = pl->st->orig[it[i].nudge];
            acc->fewer_returns_by[n] += rest_r / takers;
            acc->fewer_lines_by[n] += rest_l / takers;
        }
    if (!takers) {
        acc->fewer_returns_by[TG_NUDGE_MAX] += rest_r;
        acc->fewer_lines_by[TG_NUDGE_MAX] += rest_l;
    }
}

/* ---- one cart --------------------------------------------------------------- */

static void new_item(sim_item *x, int product)
{
    memset(x, 0, sizeof *x);
    x->product = product;
    x->nudge = x->keep_line = x->new_size = -1;
}

static int items_of(const tg_order *o, sim_item *it)
{
    int ni = 0;
    for (int k = 0; k < o->n; k++) {
        int i = 0;
        while (i < ni && it[i].product != o->lines[k].product)
            i++;
        if (i == ni)
            new_item(&it[ni++], o->lines[k].product);
        it[i].lines[it[i].n++] = k;
    }
    return ni;
}

/* The cart's satisfaction (items averaged, less the nudges' toll). */
static void cart_done(const sim_ctx *s, play *pl, double penalty)
{
    double sat = 0;
    for (int i = 0; i < pl->ni; i++) {
        if (pl->ilines[i]) {
            pl->acc->items_bought++;
            pl->mo->items_bought[pl->arm]++;
            sat += pl->isat[i] / pl->ilines[i];
        } else {
            sat += s->a->sat_saved;
        }
    }
    sat = sat / (pl->ni ? pl->ni : 1) - penalty;
    sim_add_satisfaction(s, pl->st, pl->so->customer,
                         sat < 0 ? 0 : sat > 1 ? 1 : sat, 1);
}

void sim_add_satisfaction(const sim_ctx *s, sim_arm_state *st, int customer,
                          double sat, int orders)
{
    s->r->arm[st->kind].satisfaction_sum += sat;
    st->c_sat[customer] += (int32_t)lround(sat * 1000);
    st->c_orders[customer] += orders;
}

/* A cart the shopper did not make, having paid a return fee: its margin
 * lost, satisfaction at its least, and against the shadow's same cart
 * every line and return fewer, put down to the fee. */
static void stayed_away(sim_ctx *s, play *pl, const tg_order *o)
{
    tg_sim_arm *acc = pl->acc;
    double value = 0;
    for (int k = 0; k < o->n; k++)
        value += o->lines[k].unit_price * o->lines[k].quantity;
    acc->orders_lost++;
    acc->lost_later_margin += s->a->margin * value;
    sim_add_satisfaction(s, pl->st, pl->so->customer, s->a->sat_stayed_away,
                         1);
    size_t idx = (size_t)(pl->so - s->orders) - s->day_first;
    int n = pl->st->orig[pl->st->fee_nudge];
    acc->fewer_returns_by[n] += bits(s->shadow_back[idx]);
    acc->fewer_lines_by[n] += o->n;
}

int sim_play_order(sim_ctx *s, sim_arm_state *st, const sim_order *so,
                   const float *xs, const float *ps, const float *cons,
                   tg_err *err)
{
    play pl;
    memset(&pl, 0, sizeof pl);
    pl.so = so;
    pl.st = st;
    pl.arm = st->kind;
    pl.acc = &s->r->arm[pl.arm];
    pl.mo = &s->r->monthly[month_of(s, tg_day_of(so->t))];
    pl.key = sim_order_key(so);
    tg_order o;
    sim_rebuild(s, so, &o);
    sim_item it[TG_ORDER_MAX_LINES];
    pl.ni = items_of(&o, it);
    pl.acc->orders++;
    pl.acc->items_carted += pl.ni;
    pl.mo->items_carted[pl.arm] += pl.ni;
    for (int k = 0; k < o.n; k++)
        pl.acc->carted_margin +=
            s->a->margin * o.lines[k].unit_price * o.lines[k].quantity;
    pl.it = it;
    if (st->fee_day && sim_stays_away(s, st, so, pl.key)) {
        stayed_away(s, &pl, &o);
        return TG_OK;
    }
    double penalty = 0;
    long shown_before = pl.acc->shown;
    float xbuf[TG_ORDER_MAX_LINES * TG_NUM_FEATURES];
    if (st->nudges) {
        if (!xs) {
            for (int k = 0; k < o.n; k++)
                sim_features(s, st, so, &o, k, xbuf + k * TG_NUM_FEATURES);
            xs = xbuf;
        }
        decide_items(s, st, so, &o, xs, ps, cons, it, pl.ni, pl.acc,
                     &penalty);
        sim_pre_ship(s, st, so, &o, xs, ps, cons, it, pl.ni, pl.acc,
                     &penalty);
    }
    bought b;
    bought_now(s, &o, it, pl.ni, &b, pl.acc);
    int rc = play_lines(s, &pl, &b, err);
    for (int i = 0; rc == TG_OK && i < pl.ni; i++)
        if (it[i].later_days && !it[i].lost) {
            bought_later(&o, &it[i], i, &b);
            rc = play_lines(s, &pl, &b, err);
        }
    if (rc)
        return rc;
    cart_done(s, &pl, penalty);
    pl.mo->shown[pl.arm] += pl.acc->shown - shown_before;
    if (pl.arm == TG_SIM_SHADOW)
        s->shadow_back[(size_t)(so - s->orders) - s->day_first] = pl.back;
    else if (st->nudges)
        against_shadow(s, &pl, it);
    return TG_OK;
}
