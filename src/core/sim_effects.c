/* sim_effects.c: what a shopper does after accepting a nudge, in the
 * shopper model (which alone may read the truth: the sizes that fit, how
 * an item really runs, its quality, the shopper's own taste for it). Each
 * effect changes the cart; the true return probability of what is bought
 * is then worked out again (sim_play.c), so a wrong size advice shows as
 * harm. With the effects off (sim_assume_zero_effects) nothing changes.
 *   size advice      the shopper takes the advised size, right or wrong
 *                    (a pre-selected size kept, a pre-ship check taken on
 *                    one size: the same)
 *   keep one size    the advised size stays, the other sizes go (no advice:
 *                    the size the shopper would have picked alone; a
 *                    pre-ship check taken on several sizes: the same)
 *   save for later   the item leaves the cart; cool_return of shoppers come
 *                    back cool_days later (on average) and buy it with the
 *                    trend's heat then against its heat now
 *   reviews          with reviews_min earlier buyers, reviews say how the
 *                    item runs (the reader takes the size that fits) and
 *                    show its quality with noise: below reviews_drop_below
 *                    the reader drops it
 *   trend fading     the shopper drops an item liked less than
 *                    fading_taste_above (the line's taste term, in sd)
 *   badge            badge_size_check check the size guide (the size the
 *                    guide and the shop's fit note give), badge_reviews
 *                    read the reviews
 *   return fee       the item's returns pay the fee (sim_levers.c) */
#include <math.h>

#include "nudge_int.h"
#include "sim_int.h"

enum { H_EFFECT = 21, H_EFFECT2, H_EFFECT3, H_EFFECT4 };

double sim_accept_rate(const sim_ctx *s, int action, int segment)
{
    return sim_assume_accept(s->a, action, segment);
}

static double u_of(const sim_ctx *s, int what, uint64_t key, int idx)
{
    return sim_uniform(s->o->seed, (uint64_t)what, key, (uint64_t)idx);
}

/* A standard normal from two of the item's draws (Box-Muller). */
static double normal_of(const sim_ctx *s, int what, uint64_t key, int idx)
{
    double u1 = u_of(s, what, key, 2 * idx), u2 = u_of(s, what, key,
                                                       2 * idx + 1);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int clamp_size(const tg_product *p, int size)
{
    return size < p->size_lo ? p->size_lo
           : size > p->size_hi ? p->size_hi : size;
}

static int usual_for(const tg_product *p, const tg_customer *c)
{
    return p->category == TG_CAT_SHOES ? c->shoe_size : c->usual_size;
}

/* Keeps the line of the cart's item in size `size` if there is one, else
 * the item's line `fallback` switched to that size. */
static void keep_size(const tg_order *o, sim_item *it, int size,
                      int fallback)
{
    it->keep_line = it->lines[fallback];
    it->new_size = -1;
    for (int k = 0; k < it->n; k++)
        if (o->lines[it->lines[k]].size == size) {
            it->keep_line = it->lines[k];
            return;
        }
    it->new_size = size;
}

/* The size a single-size item ends up in. */
static void resize(const tg_order *o, sim_item *it, int size)
{
    if (it->n == 1 && size != o->lines[it->lines[0]].size)
        it->new_size = size;
}

/* Reading the reviews: how the item runs, and its quality. */
static void read_reviews(const sim_ctx *s, const sim_arm_state *st,
                         const tg_order *o, const tg_customer *c,
                         sim_item *it, uint64_t key, int idx, int what)
{
    const tg_sim_assume *a = s->a;
    const tg_product *p = &s->w->products[it->product];
    if (!st->p_lines || st->p_lines[it->product] < a->reviews_min)
        return; /* too few buyers have said anything yet */
    if (p->size_lo != p->size_hi && p->fit_bias != TG_FIT_TRUE)
        resize(o, it, clamp_size(p, usual_for(p, c) - p->fit_bias));
    double shown = p->quality + a->reviews_noise * normal_of(s, what, key,
                                                             idx);
    if (shown < a->reviews_drop_below)
        it->lost = 1;
}

/* Save for later: back some days later, or never. */
static void save_for_later(const sim_ctx *s, const tg_order *o, sim_item *it,
                           uint64_t key, int idx)
{
    const tg_sim_assume *a = s->a;
    it->lost = 1;
    if (u_of(s, H_EFFECT, key, idx) >= a->cool_return)
        return;
    double u = u_of(s, H_EFFECT2, key, idx);
    int days = (int)ceil(-a->cool_days * log(1 - u));
    it->later_days = days < 1 ? 1 : days > 28 ? 28 : days;
    const tg_product *p = &s->w->products[it->product];
    if (p->trend >= 0) {
        const tg_trend *t = &s->w->trends[p->trend];
        double now = (double)o->t / TG_DAY, then = now + it->later_days;
        double h0 = shopper_trend_level(t, now);
        double h1 = then > (double)t->last_day + 1
                        ? 0 : shopper_trend_level(t, then);
        if (h0 > 0 && u_of(s, H_EFFECT3, key, idx) >= h1 / h0)
            return; /* the trend has cooled: not wanted any more */
    }
    it->lost = 0;
}

void sim_effect(const sim_ctx *s, const sim_arm_state *st,
                const tg_nudge_decision *d, const tg_order *o,
                const tg_customer *c, sim_item *it, uint64_t key, int idx)
{
    const tg_sim_assume *a = s->a;
    const tg_product *p = &s->w->products[it->product];
    const tg_line *first = &o->lines[it->lines[0]];
    if (a->effects_off)
        return;
    switch (nudge_size_action(d->action, it->n)) {
    case TG_ACTION_SWITCH_SIZE:
        if (d->suggested_size >= 0)
            resize(o, it, d->suggested_size);
        break;
    case TG_ACTION_KEEP_ONE_SIZE:
        if (it->n < 2)
            break;
        if (d->suggested_size >= 0)
            keep_size(o, it, d->suggested_size, 0);
        else /* the one picked alone: the middle, or either of two */
            it->keep_line = it->lines[it->n == 3 ? 1 :
                              u_of(s, H_EFFECT, key, idx) < 0.5 ? 0 : 1];
        break;
    case TG_ACTION_SAVE_FOR_LATER:
        save_for_later(s, o, it, key, idx);
        break;
    case TG_ACTION_READ_REVIEWS:
        read_reviews(s, st, o, c, it, key, idx, H_EFFECT4);
        break;
    case TG_ACTION_NONE:
        if (s->b->t_taste_sd > 0 &&
            first->ctx.taste / s->b->t_taste_sd > a->fading_taste_above)
            it->lost = 1;
        break;
    case TG_ACTION_BADGE:
        if (u_of(s, H_EFFECT, key, idx) < a->badge_size_check &&
            p->size_lo != p->size_hi) {
            int note = p->fit_note == TG_FIT_NONE ? 0 : p->fit_note;
            resize(o, it, clamp_size(p, usual_for(p, c) - note));
        }
        if (u_of(s, H_EFFECT2, key, idx) < a->badge_reviews)
            read_reviews(s, st, o, c, it, key, idx, H_EFFECT4);
        break;
    case TG_ACTION_RETURN_FEE:
        it->fee = 1;
        break;
    default:
        break;
    }
}
