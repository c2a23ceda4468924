/* nudge.c: the intervention engine's pure decision: the facts a line
 * offers (size mismatch, suggested size, late night...), the rule-based
 * estimate used without a model, the eligibility of each catalogue nudge
 * (moment, band, conditions, caps, declines, the budget and its bar), the
 * choice of the most valuable one (nudge_value.c), and the message with
 * its placeholders filled. No I/O. */
#include "nudge_int.h"
#include "trendguard/estimates.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const nudge_driver_group_names[TG_NUM_DRIVER_GROUPS] = {
    "size", "bracket", "impulse", "trend", "product", "shopper"};
const char *const nudge_why_names[TG_NUM_WHY] = {
    "shown", "low_risk", "session_cap", "shopper_cap", "none_fits"};

double nudge_size_mismatch(const float *x)
{
    return round(x[TG_F_size_vs_usual]) + est_fit_runs(x[TG_F_fit_learned]);
}

int nudge_driver_group(int f)
{
    switch (f) {
    case TG_F_size_vs_usual:
    case TG_F_size_history:
    case TG_F_fit_note:
    case TG_F_fit_learned:
    case TG_F_fit_returns:
        return TG_DRIVER_SIZE;
    case TG_F_basket_lines:
    case TG_F_sizes_of_item:
    case TG_F_same_category_lines:
        return TG_DRIVER_BRACKET;
    case TG_F_channel:
    case TG_F_hour_of_day:
    case TG_F_day_of_week:
    case TG_F_view_minutes:
    case TG_F_discount_pct:
    case TG_F_price_vs_usual:
    case TG_F_pay_later:
        return TG_DRIVER_IMPULSE;
    case TG_F_trend_growth_24h:
    case TG_F_trend_growth_7d:
    case TG_F_trend_days_since_peak:
    case TG_F_trend_age_days:
    case TG_F_trend_log_views_24h:
    case TG_F_product_age_days:
        return TG_DRIVER_TREND;
    case TG_F_price:
    case TG_F_product_prior_return_rate:
    case TG_F_category:
        return TG_DRIVER_PRODUCT;
    default:
        return TG_DRIVER_SHOPPER;
    }
}

void nudge_input_init(tg_nudge_input *in)
{
    memset(in, 0, sizeof *in);
    for (int i = 0; i < TG_NUM_FEATURES; i++)
        in->x[i] = NAN;
    in->segment = TG_SEG_UNKNOWN;
    in->score = NAN;
    in->size_lo = 1;
    in->size_hi = 0; /* lo > hi: range unknown */
    in->kept_pct = in->kept_n = in->reviews = NAN;
    in->others_p = NAN;
}

/* ---- facts ---------------------------------------------------------------- */

static double fx(const float *x, int f)
{
    return (double)x[f];
}

/* The numeric facts of a line (NaN when unknown); the score and the bonus
 * are filled in by the caller. */
static void line_facts(const float *x, const tg_nudge_input *in, double *f)
{
    for (int i = 0; i < TG_NUM_FEATURES; i++)
        f[i] = fx(x, i);
    for (int i = TG_NUM_FEATURES; i < TG_NUM_FACTS; i++)
        f[i] = NAN;
    if (fx(x, TG_F_category) == TG_CAT_ACCESSORIES ||
        (in && !in->is_shoe && in->size_lo == 0 && in->size_hi == 0))
        f[TG_FACT_SIZE_MISMATCH] = 0;
    else
        f[TG_FACT_SIZE_MISMATCH] = nudge_size_mismatch(x);
    double pr = fx(x, TG_F_product_prior_return_rate);
    f[TG_FACT_PRODUCT_RETURN_PCT] = floor(pr * 100 + 0.5);
    double cr = fx(x, TG_F_cust_prior_return_rate);
    f[TG_FACT_CUST_RETURN_PCT] = floor(cr * 100 + 0.5);
    double dp = fx(x, TG_F_trend_days_since_peak);
    f[TG_FACT_DAYS_SINCE_PEAK] = floor(dp);
    double h = fx(x, TG_F_hour_of_day);
    f[TG_FACT_LATE_NIGHT] = isnan(h) ? NAN : (h >= 23 || h < 5) ? 1 : 0;
    f[TG_FACT_SIZES] = fx(x, TG_F_sizes_of_item);
    double vm = fx(x, TG_F_view_minutes);
    f[TG_FACT_MINUTES] = isnan(vm) ? NAN : fmax(1, floor(vm + 0.5));
    if (in) {
        f[TG_FACT_KEPT_PCT] = floor(in->kept_pct + 0.5);
        f[TG_FACT_KEPT_N] = in->kept_n;
        f[TG_FACT_REVIEWS] = in->reviews;
    }
}

static int cond_holds(const tg_nudge_cond *c, const double *f)
{
    double v = f[c->fact];
    if (isnan(v))
        return 0;
    switch (c->op) {
    case TG_OP_LT: return v < c->value;
    case TG_OP_LE: return v <= c->value;
    case TG_OP_EQ: return v == c->value;
    case TG_OP_NE: return v != c->value;
    case TG_OP_GE: return v >= c->value;
    default: return v > c->value;
    }
}

static int conds_hold(const tg_nudge_cond *c, int n, const double *f)
{
    for (int i = 0; i < n; i++)
        if (!cond_holds(&c[i], f))
            return 0;
    return 1;
}

static double offer_cost(const tg_nudge_def *d, const float *x)
{
    double price = fx(x, TG_F_price);
    return d->offer_cost + d->offer_cost_pct * (isnan(price) ? 0 : price);
}

static void size_name(int s, int is_shoe, char *buf, size_t n)
{
    if (is_shoe)
        snprintf(buf, n, "%d", s);
    else if (s >= 0 && s < tg_num_sizes)
        snprintf(buf, n, "%s", tg_size_names[s]);
    else
        snprintf(buf, n, "?");
}

static const char *item_word(const tg_nudge_input *in)
{
    static const char *const words[TG_NUM_CATEGORIES] = {
        "dress",  "top",            "pair of jeans", "skirt",
        "jacket", "pair of shoes",  "accessory",     "item"};
    if (in->item && in->item[0])
        return in->item;
    double c = (double)in->x[TG_F_category];
    if (isnan(c) || c < 0 || c >= TG_NUM_CATEGORIES)
        return "item";
    return words[(int)c];
}

/* The text of one placeholder into buf; -1 when it has no value. */
static int fact_text(int fact, const tg_nudge_def *d,
                     const tg_nudge_input *in, const double *f, char *buf,
                     size_t n)
{
    double v;
    switch (fact) {
    case TG_FACT_SIZE:
        if (fx(in->x, TG_F_category) == TG_CAT_ACCESSORIES ||
            (!in->is_shoe && in->size_lo == 0 && in->size_hi == 0))
            return -1;
        size_name(in->size, in->is_shoe, buf, n);
        return 0;
    case TG_FACT_SUGGESTED_SIZE: {
        /* the size the decision chose, or the estimate's */
        int s = !isnan(f[fact]) ? (int)f[fact]
                : nudge_suggested_size(in,
                                       d->action == TG_ACTION_KEEP_ONE_SIZE);
        if (s < 0)
            return -1;
        size_name(s, in->is_shoe, buf, n);
        return 0;
    }
    case TG_FACT_ITEM:
        snprintf(buf, n, "%s", item_word(in));
        return 0;
    case TG_FACT_FIT:
        /* how the item runs, as the reason for moving the size: only
         * when it moves it the way the mismatch does */
        v = est_fit_runs(f[TG_F_fit_learned]);
        if (!(v * f[TG_FACT_SIZE_MISMATCH] > 0))
            return -1;
        snprintf(buf, n, "%s", v < 0 ? "small" : "large");
        return 0;
    case TG_FACT_BONUS:
        v = offer_cost(d, in->x);
        if (!(v > 0))
            return -1;
        snprintf(buf, n, "%s%.2f", in->money ? in->money : "", v);
        return 0;
    default:
        v = f[fact];
        if (isnan(v) || isinf(v))
            return -1;
        if (v == floor(v) && fabs(v) < 1e15)
            snprintf(buf, n, "%.0f", v);
        else
            snprintf(buf, n, "%.2f", v);
        return 0;
    }
}

static int fill_with(const tg_nudge_def *d, const char *tmpl,
                     const tg_nudge_input *in, const double *f, char *buf,
                     size_t n)
{
    size_t o = 0;
    int ok = 0;
    if (n == 0)
        return -1;
    for (const char *s = tmpl; *s; s++) {
        char piece[160];
        size_t len;
        const char *src = piece;
        if (*s == '{') {
            const char *e = strchr(s + 1, '}');
            if (!e)
                return -1;
            char name[40];
            size_t nl = (size_t)(e - s - 1);
            if (nl >= sizeof name)
                return -1;
            memcpy(name, s + 1, nl);
            name[nl] = '\0';
            int k = 0;
            while (k < TG_NUM_FACTS && strcmp(nudge_fact_names[k], name) != 0)
                k++;
            if (k == TG_NUM_FACTS ||
                fact_text(k, d, in, f, piece, sizeof piece) != 0)
                ok = -1;
            len = ok ? 0 : strlen(piece);
            s = e;
        } else {
            piece[0] = *s;
            len = 1;
        }
        if (o + len >= n)
            len = n - 1 - o;
        memcpy(buf + o, src, len);
        o += len;
    }
    buf[o] = '\0';
    return ok;
}

static void facts_for(const tg_nudge_input *in, double score, double *f)
{
    line_facts(in->x, in, f);
    f[TG_FACT_SCORE_PCT] = isnan(score) ? NAN : floor(score * 100 + 0.5);
}

int nudge_fill(const tg_nudge_catalog *c, const tg_nudge_def *d,
               const char *tmpl, const tg_nudge_input *in, char *buf,
               size_t n)
{
    (void)c;
    double f[TG_NUM_FACTS];
    facts_for(in, in->score, f);
    return fill_with(d, tmpl, in, f, buf, n);
}

/* ---- the rule-based estimate --------------------------------------------- */

int nudge_rules_estimate(const tg_nudge_catalog *c, const float *x,
                         double *score, int *drivers, float *contribs,
                         int max)
{
    double f[TG_NUM_FACTS];
    line_facts(x, NULL, f);
    double z = c->rules_base, add[TG_NUM_FEATURES] = {0};
    for (int i = 0; i < c->n_rules; i++)
        if (cond_holds(&c->rules[i].cond, f)) {
            z += c->rules[i].add;
            add[c->rules[i].driver] += c->rules[i].add;
        }
    *score = 1.0 / (1.0 + exp(-z));
    int n = 0;
    while (n < max) {
        int best = -1;
        for (int k = 0; k < TG_NUM_FEATURES; k++)
            if (add[k] > 0 && (best < 0 || add[k] > add[best]))
                best = k;
        if (best < 0)
            break;
        drivers[n] = best;
        contribs[n] = (float)add[best];
        add[best] = 0;
        n++;
    }
    return n;
}

int nudge_moment_after_sale(int moment)
{
    return moment == TG_MOMENT_RETURN || moment == TG_MOMENT_RESTOCK;
}

/* ---- caps and budget ------------------------------------------------------- */

void nudge_session_init(tg_nudge_session *s)
{
    memset(s, 0, sizeof *s);
}

void nudge_shopper_roll(tg_nudge_shopper *sh, int64_t now)
{
    int64_t d = tg_day_of(now);
    if (sh->day != d) {
        memset(sh, 0, sizeof *sh);
        sh->day = d;
    }
}

/* The lower edge of bin k of value per unit of expected offer cost:
 * quarter steps of a doubling from 1/16 (the last bin holds all above). */
#define BIN_STEP 1.189207115002721 /* 2^(1/4) */

static double bin_edge(int k)
{
    return pow(2.0, k / 4.0 - 4.0);
}

static int bin_of(double ratio)
{
    int k = (int)floor((log2(ratio) + 4.0) * 4.0);
    return k < 0 ? 0 : k >= TG_NUDGE_BUDGET_BINS ? TG_NUDGE_BUDGET_BINS - 1
                                                  : k;
}

double nudge_budget_bar(const tg_nudge_budget *b, double limit,
                        double *share)
{
    *share = 1;
    if (limit < 0)
        return 0;
    /* From the offers worth most per unit down, until the budget is used:
     * the bin where it runs out is the bar, and that bin's share of
     * offers that fit is what is left over its demand. */
    double cum = 0;
    for (int k = TG_NUDGE_BUDGET_BINS - 1; k >= 0; k--) {
        if (cum + b->demand[k] > limit) {
            *share = (limit - cum) / b->demand[k];
            return bin_edge(k);
        }
        cum += b->demand[k];
    }
    return 0;
}

void nudge_budget_roll(tg_nudge_budget *b, int64_t now, double limit)
{
    int64_t d = tg_day_of(now);
    if (b->day != d) {
        b->bar = nudge_budget_bar(b, limit, &b->bar_share);
        memset(b->demand, 0, sizeof b->demand);
        b->day = d;
        b->spent = 0;
    }
    b->limit = limit;
}

void nudge_budget_note(tg_nudge_budget *b, const tg_nudge_decision *d)
{
    if (b && d->demand_cost > 0 && d->demand_ratio > 0)
        b->demand[bin_of(d->demand_ratio)] += d->demand_cost;
}

void nudge_note_shown(const tg_nudge_decision *d, tg_nudge_session *s,
                      tg_nudge_shopper *sh)
{
    if (d->nudge < 0 || d->nudge >= TG_NUDGE_MAX)
        return;
    if (s) {
        s->shown++;
        if (s->shown_by[d->nudge] < 255)
            s->shown_by[d->nudge]++;
    }
    if (sh) {
        sh->shown++;
        if (sh->shown_by[d->nudge] < 255)
            sh->shown_by[d->nudge]++;
    }
}

void nudge_note_answer(const tg_nudge_decision *d, int accepted,
                       tg_nudge_session *s, tg_nudge_budget *b)
{
    if (d->nudge < 0 || d->nudge >= TG_NUDGE_MAX)
        return;
    if (!accepted && s)
        s->declined |= 1u << d->nudge;
    if (accepted && b)
        b->spent += d->offer_cost;
}

/* ---- deciding -------------------------------------------------------------- */

int nudge_band(const tg_nudge_catalog *c, double p)
{
    if (!(p >= c->band_medium))
        return TG_BAND_LOW;
    return p >= c->band_high ? TG_BAND_HIGH : TG_BAND_MEDIUM;
}

/* The first of the top drivers that nudge d lists (-1: none). */
static int first_answered(const tg_nudge_def *d, const nudge_drivers *dr)
{
    for (int k = 0; k < dr->n; k++)
        if (d->drivers >> dr->f[k] & 1u)
            return k;
    return -1;
}

/* The driver group adding most to the risk (the bandit's context) and
 * what it adds. */
static int top_group(const int *drivers, const float *con, int n,
                     double *top)
{
    double g[TG_NUM_DRIVER_GROUPS] = {0};
    int best = -1;
    for (int k = 0; k < n; k++)
        g[nudge_driver_group(drivers[k])] += con[k];
    for (int k = 0; k < n; k++) {
        int x = nudge_driver_group(drivers[k]);
        if (best < 0 || g[x] > g[best])
            best = x;
    }
    *top = best >= 0 ? g[best] : 0;
    return best >= 0 ? best : TG_DRIVER_SHOPPER;
}

void nudge_drivers_of(const tg_nudge_catalog *c, const tg_nudge_input *in,
                      nudge_drivers *d)
{
    memset(d, 0, sizeof *d);
    d->score = in->score;
    if (isnan(d->score)) {
        d->n = nudge_rules_estimate(c, in->x, &d->score, d->f, d->con,
                                    TG_NUDGE_MAX_DRIVERS);
        d->from_rules = 1;
    } else {
        for (int k = 0; k < in->n_drivers && k < TG_NUDGE_MAX_DRIVERS; k++)
            if (in->contribution[k] > 0 && in->driver[k] >= 0 &&
                in->driver[k] < TG_NUM_FEATURES) {
                d->f[d->n] = in->driver[k];
                d->con[d->n++] = in->contribution[k];
            }
    }
    d->context = top_group(d->f, d->con, d->n, &d->top);
}

/* The first message of d whose conditions hold and that fills. */
static int pick_message(const tg_nudge_def *d, const tg_nudge_input *in,
                        const double *f, char *buf, size_t n)
{
    for (int k = 0; k < d->n_messages; k++) {
        const tg_nudge_message *m = &d->messages[k];
        if (conds_hold(m->when, m->n_when, f) &&
            fill_with(d, m->text, in, f, buf, n) == 0)
            return k;
    }
    return -1;
}

static void set_why(tg_nudge_decision *out, int code, const char *text)
{
    out->why_code = code;
    snprintf(out->why, sizeof out->why, "%s", text);
}

/* Whether nudge i may be shown at all here: moment (item nudges at a cart
 * too), band, declines, caps and conditions. */
static int allowed(const tg_nudge_catalog *c, int i, const tg_nudge_input *in,
                   int band, const tg_nudge_session *s,
                   const tg_nudge_shopper *sh_today, const double *f)
{
    const tg_nudge_def *d = &c->nudges[i];
    /* a size is pre-selected on the item page, before one is picked */
    int moment = d->moment == in->moment ||
                 (in->moment == TG_MOMENT_CART &&
                  d->moment == TG_MOMENT_ITEM &&
                  d->action != TG_ACTION_PRESELECT_SIZE);
    if (!moment || !(d->bands >> band & 1u) || !nudge_catalog_on(c, i) ||
        (d->action == TG_ACTION_PRESELECT_SIZE && in->size_picked))
        return 0;
    if (s && ((s->declined >> i & 1u) ||
              (d->cap_session && s->shown_by[i] >= d->cap_session)))
        return 0;
    if (sh_today && d->cap_shopper_day &&
        sh_today->shown_by[i] >= d->cap_shopper_day)
        return 0;
    return conds_hold(d->when, d->n_when, f);
}

/* The scan's state: the eligible nudges within the budget, what was
 * refused for it, and the offer the engine wants most. */
typedef struct pick {
    int n, over_budget;
    int idx[TG_NUDGE_MAX];
    tg_nudge_value v[TG_NUDGE_MAX];
    double want_value, want_ratio, want_cost; /* ignoring the budget */
} pick;

/* Whether an offer worth ratio per unit of expected cost clears the day's
 * bar: above the bar's bin always, in it with the bin's share (drawn from
 * r; without r, when the share is at least a half). */
static int over_bar(double ratio, double bar, double share, tg_rng *r)
{
    if (!(bar > 0) || ratio >= bar * BIN_STEP)
        return 1;
    if (ratio < bar)
        return 0;
    return r ? tg_rng_uniform(r) < share : share >= 0.5;
}

/* Keeps eligible nudge i with value v when the budget allows it. */
static void weigh(const tg_nudge_catalog *c, int i, const tg_nudge_value *v,
                  double left, double bar, double share, tg_rng *r,
                  pick *pk)
{
    double expected = v->accept * v->cost;
    if (!c->pick_random && v->value > pk->want_value) {
        pk->want_value = v->value;
        pk->want_ratio = expected > 0 ? v->value / expected : 0;
        pk->want_cost = expected;
    }
    if (v->cost > 0 && left >= 0 && v->cost > left + 1e-9) {
        pk->over_budget++;
        return;
    }
    if (!c->pick_random && expected > 0 &&
        !over_bar(v->value / expected, bar, share, r)) {
        pk->over_budget++;
        return;
    }
    pk->idx[pk->n] = i;
    pk->v[pk->n++] = *v;
}

/* The facts f with the size the value chose to advise. */
static void with_size(const double *f, const tg_nudge_value *v, double *fv)
{
    memcpy(fv, f, TG_NUM_FACTS * sizeof *fv);
    fv[TG_FACT_SUGGESTED_SIZE] = v->suggested_size >= 0 ? v->suggested_size
                                                        : NAN;
}

/* Scans the catalogue for the best eligible nudge. */
static void scan(const tg_nudge_catalog *c, const tg_bandit *bandit,
                 const tg_nudge_input *in, const nudge_drivers *dr, int band,
                 const tg_nudge_session *s, const tg_nudge_shopper *sh_today,
                 const tg_nudge_budget *b, tg_rng *r, const double *f,
                 pick *pk)
{
    int64_t today = tg_day_of(in->now);
    double left = -1, bar = 0, share = 1;
    if (b && b->limit >= 0) {
        left = b->limit - (b->day == today ? b->spent : 0);
        bar = b->day == today ? b->bar : 0;
        share = b->bar_share;
    }
    double ref = NAN; /* the scorer's own score of the line */
    pk->n = pk->over_budget = 0;
    pk->want_value = pk->want_ratio = pk->want_cost = 0;
    for (int i = 0; i < c->n; i++) {
        if (!allowed(c, i, in, band, s, sh_today, f))
            continue;
        if (isnan(ref) && !nudge_moment_after_sale(in->moment))
            ref = nudge_score(c, &in->scorer, in->x);
        tg_nudge_value v;
        nudge_value_at(c, bandit, in, dr, ref, i, &v);
        if (!v.applies || (!c->pick_random && !(v.value > 0)))
            continue;
        weigh(c, i, &v, left, bar, share, r, pk);
    }
}

/* Whether candidate k's message fills (into msg). */
static int fills(const tg_nudge_catalog *c, const pick *pk, int k,
                 const tg_nudge_input *in, const double *f, char *msg)
{
    double fv[TG_NUM_FACTS];
    with_size(f, &pk->v[k], fv);
    return pick_message(&c->nudges[pk->idx[k]], in, fv, msg,
                        TG_NUDGE_TEXT) >= 0;
}

/* The candidate shown: the most valuable whose message fills (catalogue
 * order on a tie), or one drawn at random among those whose message
 * fills; -1 for none. */
static int choose(const tg_nudge_catalog *c, pick *pk,
                  const tg_nudge_input *in, const double *f, tg_rng *r)
{
    char msg[TG_NUDGE_TEXT];
    int best = -1, seen = 0;
    if (c->pick_random) {
        for (int k = 0; k < pk->n; k++)
            if (fills(c, pk, k, in, f, msg) &&
                (r ? tg_rng_below(r, (uint64_t)++seen) == 0 : best < 0))
                best = k;
        return best;
    }
    unsigned char tried[TG_NUDGE_MAX] = {0};
    for (int round = 0; round < pk->n; round++) {
        best = -1;
        for (int k = 0; k < pk->n; k++)
            if (!tried[k] && (best < 0 || pk->v[k].value > pk->v[best].value))
                best = k;
        tried[best] = 1;
        if (fills(c, pk, best, in, f, msg))
            return best;
    }
    return -1;
}

static void explain(const tg_nudge_catalog *c, const tg_nudge_input *in,
                    const nudge_drivers *dr, int first,
                    const tg_nudge_value *v, tg_nudge_decision *out)
{
    const tg_nudge_def *d = &c->nudges[out->nudge];
    char drv[96], risk[64] = "";
    if (first >= 0)
        snprintf(drv, sizeof drv, "top driver %s (%+.2f)",
                 features_name(dr->f[first]), dr->con[first]);
    else
        snprintf(drv, sizeof drv, "%s moment",
                 nudge_moment_names[in->moment]);
    if (!isnan(v->p_after))
        snprintf(risk, sizeof risk, "; returns %.2f -> %.2f if taken", v->p,
                 v->p_after);
    snprintf(out->why, sizeof out->why,
             "%.31s: %.60s, %s risk %.0f%%%s; worth %.2f, taken by %.0f%%, "
             "best of %d%.60s", d->id, drv, nudge_band_names[out->band],
             out->score * 100, out->from_rules ? " (rule estimate)" : "",
             v->value, v->accept * 100, out->candidates, risk);
}

void nudge_decide(const tg_nudge_catalog *c, const tg_bandit *bandit,
                  const tg_nudge_input *in, const tg_nudge_session *s,
                  const tg_nudge_shopper *sh, const tg_nudge_budget *b,
                  tg_rng *r, tg_nudge_decision *out)
{
    memset(out, 0, sizeof *out);
    out->nudge = out->driver = out->suggested_size = -1;
    out->sample = out->p_after = NAN;
    nudge_drivers dr;
    nudge_drivers_of(c, in, &dr);
    out->from_rules = dr.from_rules;
    out->score = dr.score;
    out->band = nudge_band(c, dr.score);
    out->context = dr.context;
    if (out->band == TG_BAND_LOW && !nudge_moment_after_sale(in->moment)) {
        char w[TG_NUDGE_TEXT];
        snprintf(w, sizeof w, "low risk (%.0f%% is under %.0f%%)",
                 dr.score * 100, c->band_medium * 100);
        set_why(out, TG_WHY_LOW_RISK, w);
        return;
    }
    if (s && c->per_session > 0 && s->shown >= c->per_session) {
        set_why(out, TG_WHY_SESSION_CAP, "this session already had its "
                                         "nudges");
        return;
    }
    int64_t today = tg_day_of(in->now);
    int sh_today = sh && sh->day == today;
    if (sh_today && c->per_shopper_day > 0 &&
        sh->shown >= c->per_shopper_day) {
        set_why(out, TG_WHY_SHOPPER_CAP, "this shopper already had today's "
                                         "nudges");
        return;
    }
    double f[TG_NUM_FACTS];
    facts_for(in, dr.score, f);
    pick pk;
    scan(c, bandit, in, &dr, out->band, s, sh_today ? sh : NULL, b, r, f,
         &pk);
    int k = choose(c, &pk, in, f, r);
    out->candidates = pk.n;
    out->demand_ratio = pk.want_ratio;
    out->demand_cost = pk.want_cost;
    if (k < 0) {
        set_why(out, TG_WHY_NONE_FITS,
                pk.over_budget ? "no nudge is worth showing within today's "
                                 "offer budget"
                               : "no nudge is worth showing here");
        return;
    }
    const tg_nudge_value *v = &pk.v[k];
    const tg_nudge_def *d = &c->nudges[pk.idx[k]];
    out->nudge = pk.idx[k];
    out->why_code = TG_WHY_SHOWN;
    out->action = d->action;
    out->offer = d->offer;
    out->offer_cost = v->cost;
    out->value = v->value;
    out->p_after = v->p_after;
    out->sample = v->accept;
    int first = first_answered(d, &dr);
    out->driver = first >= 0 ? dr.f[first] : -1;
    if (nudge_size_action(d->action, 1) == TG_ACTION_SWITCH_SIZE ||
        nudge_size_action(d->action, 2) == TG_ACTION_KEEP_ONE_SIZE)
        out->suggested_size = v->suggested_size;
    double fv[TG_NUM_FACTS];
    with_size(f, v, fv);
    pick_message(d, in, fv, out->message, sizeof out->message);
    explain(c, in, &dr, first, v, out);
}
