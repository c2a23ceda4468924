/* nudge_value.c: what a nudge is worth on a line. The line's features are
 * changed as the nudge would change them (the advised size, the shop's
 * estimate of the one that fits; one size kept and the basket without the
 * others; the purchase decided a day later and not at night) and scored
 * with the same model as the line (or the rule estimate); a nudge that
 * changes no feature removes the catalogue's share of its drivers'
 * contribution. The drop in expected returns is valued at
 * what a return costs the shop, less the margin of the sales lost and the
 * offer's cost, and weighed by the chance the shopper takes the nudge.
 * Pure. */
#include "nudge_int.h"

#include <math.h>
#include <string.h>

double nudge_score(const tg_nudge_catalog *c, const tg_nudge_scorer *sc,
                   const float *x)
{
    if (sc && sc->model && sc->map && sc->nf > 0 &&
        sc->nf <= TG_NUM_FEATURES) {
        float row[TG_NUM_FEATURES];
        for (size_t k = 0; k < sc->nf; k++)
            row[k] = x[sc->map[k]];
        return model_predict(sc->model, row);
    }
    double p;
    nudge_rules_estimate(c, x, &p, NULL, NULL, 0);
    return p;
}

int nudge_suggested_size(const tg_nudge_input *in, int same_ok)
{
    double m = in->x[TG_F_category] == TG_CAT_ACCESSORIES ||
                       (!in->is_shoe && in->size_lo == 0 &&
                        in->size_hi == 0)
                   ? 0
                   : nudge_size_mismatch(in->x);
    if (isnan(m) || (m == 0 && !same_ok))
        return -1;
    int s = in->size - (int)m;
    if (in->size_lo <= in->size_hi) {
        if (s < in->size_lo)
            s = in->size_lo;
        if (s > in->size_hi)
            s = in->size_hi;
    }
    if ((s == in->size && !same_ok) || s < 0 || (!in->is_shoe && s > 5))
        return -1;
    return s;
}

/* What one return costs the shop, per unit of the price: the margin given
 * back, the processing, and the share of the goods' cost not recovered. */
static double return_cost(const tg_nudge_catalog *c)
{
    return c->margin + c->processing_share +
           (1 - c->margin) * (1 - c->resale_share);
}

static double logit(double p)
{
    p = p < 1e-6 ? 1e-6 : p > 1 - 1e-6 ? 1 - 1e-6 : p;
    return log(p / (1 - p));
}

/* The line's risk p0 moved as the scorer moves from ref (its own score of
 * the line) to q (its score of the counterfactual): the same when the
 * scorer gave p0; otherwise the rule estimate's change applied, in logit,
 * to the model's score the caller gave without its model. */
static double moved(double p0, double ref, double q)
{
    if (ref == p0)
        return q;
    return 1 / (1 + exp(-(logit(p0) + logit(q) - logit(ref))));
}

static float plus(float v, double d)
{
    return isnan(v) ? v : (float)(v + d);
}

/* The line decided `days` later, as save-for-later has it: the view time
 * grows by those days, a night-time purchase moves to noon, and the ages
 * of the trend, the product and the customer move on (the trend's future
 * heat is unknown: its growth stays). */
static void later(float *x, double days)
{
    double h = x[TG_F_hour_of_day];
    x[TG_F_view_minutes] = plus(x[TG_F_view_minutes], days * 1440);
    if (!isnan(h) && (h >= 23 || h < 5))
        x[TG_F_hour_of_day] = 12;
    float dow = x[TG_F_day_of_week];
    if (!isnan(dow))
        x[TG_F_day_of_week] = (float)fmod(dow + floor(days), 7);
    x[TG_F_trend_days_since_peak] = plus(x[TG_F_trend_days_since_peak], days);
    x[TG_F_trend_age_days] = plus(x[TG_F_trend_age_days], days);
    x[TG_F_product_age_days] = plus(x[TG_F_product_age_days], days);
    x[TG_F_cust_tenure_days] = plus(x[TG_F_cust_tenure_days], days);
}

/* The logit the nudge's drivers add to the risk (positive ones). */
static double drivers_add(const tg_nudge_def *d, const nudge_drivers *dr)
{
    double w = 0;
    for (int k = 0; k < dr->n; k++)
        if (d->drivers >> dr->f[k] & 1u)
            w += dr->con[k];
    return w;
}

/* The expected returns of the item before (v->p) and after (v->p_after)
 * the nudge is taken, and the sales it loses (v->lost of the item, or
 * `dropped` lines); 0 when the nudge changes nothing here. p0: the line's
 * risk (dr->score); ref: the scorer's own score of the line. */
static int counterfactual(const tg_nudge_catalog *c, const tg_nudge_def *d,
                          const tg_nudge_input *in, const nudge_drivers *dr,
                          double ref, tg_nudge_value *v, double *dropped)
{
    double p0 = dr->score;
    float x[TG_NUM_FEATURES];
    memcpy(x, in->x, sizeof x);
    double sizes = in->x[TG_F_sizes_of_item];
    int k = sizes >= 2 ? (int)sizes : 1, s;
    v->p = p0;
    *dropped = 0;
    switch (nudge_size_action(d->action, k)) {
    case TG_ACTION_SWITCH_SIZE:
        s = nudge_suggested_size(in, 0);
        if (k > 1 || s < 0)
            return 0; /* several sizes: keeping one answers */
        x[TG_F_size_vs_usual] = plus(x[TG_F_size_vs_usual], s - in->size);
        v->suggested_size = s;
        break;
    case TG_ACTION_KEEP_ONE_SIZE:
        if (k < 2)
            return 0;
        s = nudge_suggested_size(in, 1);
        if (s >= 0) /* else the size the shopper keeps is theirs */
            x[TG_F_size_vs_usual] =
                plus(x[TG_F_size_vs_usual], s - in->size);
        v->suggested_size = s;
        x[TG_F_sizes_of_item] = 1;
        x[TG_F_basket_lines] = (float)fmax(1, x[TG_F_basket_lines] - (k - 1));
        x[TG_F_same_category_lines] =
            (float)fmax(0, x[TG_F_same_category_lines] - (k - 1));
        v->p += isnan(in->others_p) ? (k - 1) * p0 : in->others_p;
        *dropped = k - 1;
        break;
    case TG_ACTION_SAVE_FOR_LATER:
        later(x, d->expect_later_days);
        v->lost = d->expect_lost;
        break;
    case TG_ACTION_RETURN_FEE: /* a share of the returns kept instead */
        v->lost = d->expect_lost;
        v->p_after = p0 * (1 - d->expect_cut);
        return 1;
    default:
        v->lost = d->expect_lost;
        v->p_after = 1 / (1 + exp(-(logit(p0) -
                                    d->expect_cut * drivers_add(d, dr))));
        return 1;
    }
    v->p_after = moved(p0, ref, nudge_score(c, &in->scorer, x));
    return 1;
}

int nudge_size_action(int action, int sizes)
{
    if (action == TG_ACTION_PRESELECT_SIZE)
        return TG_ACTION_SWITCH_SIZE;
    if (action == TG_ACTION_PRE_SHIP)
        return sizes > 1 ? TG_ACTION_KEEP_ONE_SIZE : TG_ACTION_SWITCH_SIZE;
    return action;
}

/* The fast route for a returned item whose trend the feed shows hot: the
 * chance the trend is still hot when the item is back on sale,
 * exp(-days / hot_days), is higher by the fast route's days; the goods'
 * cost (the price less the margin) recovers resale_hot while it is, and
 * resale_faded after. Less the route's cost. */
static double restock_gain(const tg_nudge_catalog *c, const tg_nudge_def *d,
                           double price)
{
    double h = d->expect_hot_days;
    double hot = exp(-c->fast_restock_days / h) - exp(-c->restock_days / h);
    return (1 - c->margin) * price * (c->resale_hot - c->resale_faded) *
               hot - c->fast_restock_cost;
}

/* The fee charged on the returns still made, less the later sales lost
 * by the shoppers who pay it (per unit of the price). */
static double fee_gain(const tg_nudge_catalog *c, const tg_nudge_def *d,
                       double price, double p_after)
{
    if (d->action != TG_ACTION_RETURN_FEE || isnan(p_after))
        return 0;
    return p_after * (d->fee - d->expect_later_lost * c->margin * price);
}

void nudge_value_at(const tg_nudge_catalog *c, const tg_bandit *bandit,
                    const tg_nudge_input *in, const nudge_drivers *dr,
                    double ref, int i, tg_nudge_value *v)
{
    const tg_nudge_def *d = &c->nudges[i];
    memset(v, 0, sizeof *v);
    v->p = v->p_after = NAN;
    v->suggested_size = -1;
    double price = in->x[TG_F_price];
    if (isnan(price) || price < 0)
        price = 0;
    v->cost = d->offer == TG_OFFER_NONE
                  ? 0
                  : d->offer_cost + d->offer_cost_pct * price;
    /* the bandit's prior, Beta(1, 1), moved to the nudge's expected mean
     * with the same weight: the answers soon outweigh it */
    double taken = d->expect_taken > 0 ? d->expect_taken : 0.5;
    v->accept = taken;
    if (nudge_action_is_the_shops(d->action)) {
        v->accept = 1; /* the shop's own doing: nobody to decline it */
    } else if (bandit) {
        double a, b;
        int seg = in->segment >= 0 && in->segment < TG_NUM_SEGMENTS
                      ? in->segment : TG_SEG_UNKNOWN;
        bandit_posterior(bandit, seg, dr->context, i, &a, &b);
        if (a > 0 && b > 0)
            v->accept = (a + 2 * taken - 1) / (a + b);
    }
    if (d->action == TG_ACTION_EXCHANGE) {
        /* the refund avoided keeps most of the margin */
        v->applies = 1;
        v->gain = c->exchange_keeps * c->margin * price;
    } else if (d->action == TG_ACTION_FAST_RESTOCK) {
        v->applies = 1;
        v->gain = restock_gain(c, d, price);
    } else {
        double dropped;
        v->applies = counterfactual(c, d, in, dr, ref, v, &dropped);
        if (!v->applies)
            return;
        double rc = return_cost(c) * price;
        v->gain = rc * (v->p - (1 - v->lost) * v->p_after) -
                  (v->lost + dropped) * c->margin * price +
                  (1 - v->lost) * fee_gain(c, d, price, v->p_after);
    }
    v->value = v->accept * (v->gain - v->cost);
}

void nudge_value(const tg_nudge_catalog *c, const tg_bandit *bandit,
                 const tg_nudge_input *in, int i, tg_nudge_value *v)
{
    nudge_drivers dr;
    nudge_drivers_of(c, in, &dr);
    double ref = nudge_moment_after_sale(in->moment)
                     ? NAN
                     : nudge_score(c, &in->scorer, in->x);
    if (i < 0 || i >= c->n) {
        memset(v, 0, sizeof *v);
        v->p = v->p_after = NAN;
        v->suggested_size = -1;
        return;
    }
    nudge_value_at(c, bandit, in, &dr, ref, i, v);
}
