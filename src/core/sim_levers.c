/* sim_levers.c: the simulation's levers that act around an item's nudge,
 * each decided by the arm's engine (nudge_decide, the same expected-value
 * rule) from what the shop knows, and played in the shopper model:
 *   pre-ship check   once the cart is ordered, one message for the order
 *                    in the order-edit window, on the item it is worth
 *                    most on among those not asked about at the cart
 *   fast restock     a returned item whose trend the shop's feed shows hot
 *                    goes back on sale by the fast route; its value is
 *                    then worked out by the trend's true phase that day
 *   return fee       a what-if: a fee-payer's would-be return is kept
 *                    instead (fee.keeps) or returned and paid for, and the
 *                    shopper then makes fewer later orders
 *                    (fee.later_cut) */
#include <math.h>
#include <string.h>

#include "sim_int.h"

enum { H_FEE_KEEP = 42, H_FEE_LATER };

void sim_pre_ship(sim_ctx *s, sim_arm_state *st, const sim_order *so,
                  const tg_order *o, const float *xs, const float *ps,
                  const float *cons, sim_item *it, int ni, tg_sim_arm *acc,
                  double *penalty)
{
    if (!st->has_order)
        return;
    const tg_customer *c = &s->w->customers[so->customer];
    tg_nudge_shopper *sh = &st->shop[s->treat_index[so->customer]];
    tg_nudge_session sess; /* a contact of its own, after the visit */
    nudge_session_init(&sess);
    tg_nudge_decision best, d;
    int at = -1;
    for (int i = 0; i < ni; i++) {
        if (it[i].nudge >= 0 || it[i].lost || it[i].later_days)
            continue;
        tg_nudge_input in;
        sim_item_input(s, st, so, o, &it[i], xs, ps, cons, &in);
        in.moment = TG_MOMENT_ORDER;
        nudge_decide(&st->cat, st->bandit, &in, &sess, sh, &st->budget,
                     &st->rng, &d);
        if (d.nudge >= 0 && (at < 0 || d.value > best.value)) {
            best = d;
            at = i;
        }
    }
    if (at >= 0) /* its own draws: the item's come after the cart's */
        sim_show(s, st, o, c, sim_order_key(so), TG_ORDER_MAX_LINES + at,
                 &best, &sess, sh, &it[at], acc, penalty);
}

double sim_restock(sim_ctx *s, sim_arm_state *st, const tg_line *l,
                   const tg_return *ret, double price, tg_sim_arm *acc)
{
    const tg_sim_assume *a = s->a;
    const tg_product *p = &s->w->products[l->product];
    if (!ret->resellable || p->trend < 0)
        return a->restock_days; /* nothing to sell fast */
    tg_nudge_input in;
    nudge_input_init(&in);
    in.moment = TG_MOMENT_RESTOCK;
    in.now = ret->t;
    in.score = 0.5; /* after the sale: no risk to read */
    in.x[TG_F_price] = (float)l->unit_price;
    in.x[TG_F_category] = (float)p->category;
    sim_trend_features(s, p->trend, ret->t, in.x);
    tg_nudge_decision d;
    nudge_decide(&st->cat, NULL, &in, NULL, NULL, NULL, &st->rng, &d);
    if (d.nudge < 0)
        return a->restock_days;
    int n = st->orig[d.nudge];
    acc->shown_by[n]++;
    acc->accepted_by[n]++;
    acc->fast_restocked++;
    acc->restock_cost += a->fast_restock_cost;
    double slow = sim_resale_share(s, p, ret->t, 1, a->restock_days);
    double fast = sim_resale_share(s, p, ret->t, 1, a->fast_restock_days);
    acc->faster_resale += (1 - a->margin) * price * (fast - slow);
    return a->fast_restock_days;
}

int sim_fee(sim_ctx *s, sim_arm_state *st, int customer, uint64_t key,
            int orig, const tg_return *ret, tg_sim_arm *acc)
{
    const tg_sim_assume *a = s->a;
    if (sim_uniform(s->o->seed, H_FEE_KEEP, key, (uint64_t)orig) <
        a->fee_keeps)
        return 0; /* kept rather than pay */
    acc->fees_paid++;
    acc->fee_income += a->fee_amount;
    int64_t day = tg_day_of(ret->t);
    if (day < st->fee_day[customer])
        st->fee_day[customer] = day;
    return 1;
}

int sim_stays_away(const sim_ctx *s, const sim_arm_state *st,
                   const sim_order *so, uint64_t key)
{
    return tg_day_of(so->t) > st->fee_day[so->customer] &&
           sim_uniform(s->o->seed, H_FEE_LATER, key, 0) <
               s->a->fee_later_cut;
}
