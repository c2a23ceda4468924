/* sim_events.c: the simulation's pending events, each day in every arm
 * that plays: lines whose 30-day window closed join the history the
 * features read (every arm's shop sees every line of a product, control's
 * too; a shopper's own lines only in their arm), size returns that arrived
 * teach how products and categories run and what size a shopper takes,
 * and returns being started meet the exchange-first offer. */
#include <string.h>

#include "sim_int.h"

enum { H_EXCHANGE = 16 };

int sim_push_event(sim_vec *v, const void *e, size_t size, tg_err *err)
{
    return sim_vec_push(v, e, size) ? tg_fail(err, TG_EINTERNAL,
                                              "out of memory")
                                    : TG_OK;
}

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

/* Whether arm k keeps a shop's history (it decides) and plays. */
static int keeps_history(const sim_ctx *s, int k)
{
    return s->playing[k] && s->arm[k].nudges;
}

void sim_process_mature(sim_ctx *s, sim_vec *v)
{
    const sim_mature *e = v->p;
    for (size_t i = 0; i < v->n; i++)
        for (int k = TG_SIM_ENGINE; k < TG_SIM_ARMS; k++)
            if (keeps_history(s, k) &&
                (e[i].arm == TG_SIM_CONTROL || e[i].arm == k))
                mature_line(&s->arm[k], &e[i], e[i].arm == k);
    v->n = 0;
}

/* Size returns that arrived yesterday: how the product and its category
 * run for every arm, the size the shopper's line says for theirs. */
void sim_process_sizeret(sim_ctx *s, sim_vec *v)
{
    const sim_sizeret *e = v->p;
    for (size_t i = 0; i < v->n; i++) {
        int cat = s->w->products[e[i].product].category, sm = e[i].small;
        for (int k = TG_SIM_ENGINE; k < TG_SIM_ARMS; k++) {
            if (!keeps_history(s, k) ||
                (e[i].arm != TG_SIM_CONTROL && e[i].arm != k))
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

/* One return being started in an arm that offers exchange first. */
static void offer_exchange(sim_ctx *s, const sim_return *e, int64_t day)
{
    const tg_sim_assume *a = s->a;
    sim_arm_state *st = &s->arm[e->arm];
    tg_sim_arm *acc = &s->r->arm[e->arm];
    const tg_customer *c = &s->w->customers[e->customer];
    tg_nudge_input in;
    nudge_input_init(&in);
    in.moment = TG_MOMENT_RETURN;
    in.now = day * TG_DAY + TG_DAY / 2;
    in.segment = c->segment;
    in.score = 0.5;
    in.x[TG_F_price] = e->price;
    in.x[TG_F_category] = e->category;
    tg_nudge_shopper *sh = &st->shop[s->treat_index[e->customer]];
    nudge_shopper_roll(sh, in.now);
    nudge_budget_roll(&st->budget, in.now,
                      a->budget_per_1000_day * (double)s->n_treat / 1000);
    tg_nudge_session sess;
    nudge_session_init(&sess);
    tg_nudge_decision d;
    nudge_decide(&st->cat, st->bandit, &in, &sess, sh, &st->budget,
                 &st->rng, &d);
    nudge_budget_note(&st->budget, &d);
    if (d.nudge < 0)
        return;
    nudge_note_shown(&d, &sess, sh);
    acc->shown++;
    acc->shown_by[st->orig[d.nudge]]++;
    int yes = sim_uniform(s->o->seed, H_EXCHANGE, e->key, 0) <
              sim_accept_rate(s, d.action, c->segment);
    nudge_note_answer(&d, yes, &sess, &st->budget);
    if (st->bandit)
        bandit_update(st->bandit, c->segment, d.context, d.nudge, yes);
    if (!yes)
        return;
    acc->accepted++;
    acc->accepted_by[st->orig[d.nudge]]++;
    acc->exchanges_by[st->orig[d.nudge]]++;
    acc->offer_cost += d.offer_cost;
    acc->exchanges++;
    acc->returned_margin -= a->exchange_keeps * a->margin * e->price;
    acc->revenue += a->exchange_keeps * e->price;
    sim_add_satisfaction(s, st, e->customer,
                         (a->sat_exchanged - a->sat_returned) /
                             (e->order_items ? e->order_items : 1),
                         0);
}

void sim_process_returns(sim_ctx *s, sim_vec *v, int64_t day)
{
    const sim_return *e = v->p;
    for (size_t i = 0; i < v->n; i++)
        offer_exchange(s, &e[i], day);
    v->n = 0;
}
