/* sim_world.c: the simulation's world: shoppers and catalogue from the
 * behaviour model, the random split into arms, each shopper's CRM history
 * (as the generator gives it), every cart drawn up front on two threads
 * from per-shopper random streams, the trend state a feed would have shown
 * at each moment, and the features of a simulated line computed as the
 * training-set view computes them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"
#include "trendguard/estimates.h"

/* ---- counter-based randomness: a pure function of its inputs --------- */

uint64_t sim_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return tg_mix64(tg_mix64(tg_mix64(tg_mix64(seed) ^ a) ^ b) ^ c);
}

double sim_uniform(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return (double)(sim_hash(seed, a, b, c) >> 11) * 0x1.0p-53;
}

enum { H_ARM = 1, H_ORDERS, H_HISTORY };

int sim_vec_push(sim_vec *v, const void *item, size_t size)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 64;
        void *np = realloc(v->p, nc * size);
        if (!np)
            return -1;
        v->p = np;
        v->cap = nc;
    }
    memcpy((char *)v->p + v->n * size, item, size);
    v->n++;
    return 0;
}

/* ---- the trend state a feed would have shown --------------------------- */

/* Snapshots are taken at 00:00 each day with the cumulative views of the
 * days before (as gen writes them); trend_state derives views in the last
 * 24 h, growth over 24 h and 7 days and the busiest day so far. */
static int build_trend(const sim_ctx *s, const tg_trend *t, sim_trend *st)
{
    int64_t first, last;
    st->first = 1;
    st->last = 0;
    st->d = NULL;
    if (!shopper_trend_snapshot_days(s->w, t, &first, &last))
        return 0;
    /* Snapshots up to the simulation's end (the world's window). */
    size_t n = (size_t)(last - first + 1);
    double *cum = malloc(n * sizeof *cum);
    st->d = malloc(n * sizeof *st->d);
    if (!cum || !st->d) {
        free(cum);
        return -1;
    }
    double c = 0;
    for (int64_t dd = t->onset; dd < first; dd++)
        c += shopper_trend_views(s->b, t, dd);
    for (size_t i = 0; i < n; i++) {
        if (i)
            c += shopper_trend_views(s->b, t, first + (int64_t)i - 1);
        cum[i] = c;
    }
    double best = -1;
    int64_t peak = first;
    for (size_t i = 0; i < n; i++) {
        sim_tday *d = &st->d[i];
        d->growth_24h = d->growth_7d = d->log_views_24h = NAN;
        if (i >= 1) {
            double gain = cum[i] - cum[i - 1];
            d->log_views_24h = (float)log10(gain + 1);
            if (cum[i - 1] > 0)
                d->growth_24h = (float)(gain / cum[i - 1]);
            if (gain >= best) {
                best = gain;
                peak = first + (int64_t)i;
            }
        }
        if (i >= 7 && cum[i - 7] > 0)
            d->growth_7d = (float)((cum[i] - cum[i - 7]) / cum[i - 7]);
        d->peak_day = (int32_t)peak;
    }
    st->first = first;
    st->last = last;
    free(cum);
    return 0;
}

/* ---- the world --------------------------------------------------------------- */

/* Products for a number of shoppers, between the generator's scales
 * (3,000 -> about 500; 40,000 -> 4,000; 400,000 -> 25,000). */
static int products_for(int shoppers)
{
    double p = 0.83 * pow((double)shoppers, 0.8);
    return p < 200 ? 200 : (int)p;
}

int sim_build_world(sim_ctx *s, tg_err *err)
{
    const tg_sim_opts *o = s->o;
    tg_world_opts wo;
    memset(&wo, 0, sizeof wo);
    wo.start_day = s->start;
    wo.end_day = s->end;
    wo.n_customers = o->shoppers;
    wo.n_products = products_for(o->shoppers);
    wo.trend_rows = 0; /* only the fashion trends matter here */
    wo.activity_mult = 1.0;
    wo.seed = o->seed;
    s->w = shopper_world_create(s->b, o->words, &wo, err);
    if (!s->w)
        return err && err->code ? err->code : TG_EINTERNAL;
    int n = s->w->n_customers;
    s->treat_index = malloc((size_t)n * sizeof *s->treat_index);
    s->trends = calloc((size_t)s->w->n_fashion + 1, sizeof *s->trends);
    if (!s->treat_index || !s->trends)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    for (int i = 0; i < n; i++) {
        int treat = o->engine_only ||
                    sim_uniform(o->seed, H_ARM, (uint64_t)i, 0) <
                        o->assume->treatment_share;
        s->treat_index[i] = treat ? (int32_t)s->n_treat++ : -1;
        s->n_control += !treat;
    }
    for (int t = 0; t < s->w->n_fashion; t++)
        if (build_trend(s, &s->w->trends[t], &s->trends[t]))
            return tg_fail(err, TG_EINTERNAL, "out of memory");
    return TG_OK;
}

void sim_free_world(sim_ctx *s)
{
    if (s->trends && s->w)
        for (int t = 0; t < s->w->n_fashion; t++)
            free(s->trends[t].d);
    free(s->trends);
    free(s->treat_index);
    free(s->orders);
    free(s->lines);
    shopper_world_free(s->w);
    s->trends = NULL;
    s->treat_index = NULL;
    s->orders = NULL;
    s->lines = NULL;
    s->w = NULL;
}

/* ---- carts, drawn up front ------------------------------------------------- */

typedef struct draw_job {
    const sim_ctx *s;
    int from, to;             /* customers */
    sim_order *orders;
    size_t n_orders, cap_orders;
    sim_line *lines;
    size_t n_lines, cap_lines;
    int failed;
} draw_job;

static int job_push(draw_job *j, const tg_order *o, int customer, int seq)
{
    if (j->n_orders == j->cap_orders) {
        size_t nc = j->cap_orders ? j->cap_orders * 2 : 4096;
        sim_order *no = realloc(j->orders, nc * sizeof *no);
        if (!no)
            return -1;
        j->orders = no;
        j->cap_orders = nc;
    }
    if (j->n_lines + (size_t)o->n > j->cap_lines) {
        size_t nc = j->cap_lines ? j->cap_lines * 2 : 8192;
        sim_line *nl = realloc(j->lines, nc * sizeof *nl);
        if (!nl)
            return -1;
        j->lines = nl;
        j->cap_lines = nc;
    }
    sim_order *so = &j->orders[j->n_orders++];
    so->t = o->t;
    so->customer = customer;
    so->seq = seq;
    so->first = (uint32_t)j->n_lines;
    so->n = (uint8_t)o->n;
    so->channel = (uint8_t)o->channel;
    so->paylater = (uint8_t)o->paylater;
    so->treat = (uint8_t)(j->s->treat_index[customer] >= 0);
    for (int k = 0; k < o->n; k++) {
        const tg_line *l = &o->lines[k];
        sim_line *sl = &j->lines[j->n_lines++];
        sl->product = l->product;
        sl->size = l->size;
        sl->ref_trend = l->ref_trend;
        sl->cents = (int32_t)llround(l->unit_price * 100);
        sl->qty = (uint8_t)l->quantity;
        sl->discount = (uint8_t)l->discount_pct;
        sl->view_minutes = l->ctx.view_minutes;
        sl->taste = l->ctx.taste;
    }
    return 0;
}

static void *draw_thread(void *arg)
{
    draw_job *j = arg;
    const sim_ctx *s = j->s;
    const tg_world *w = s->w;
    for (int i = j->from; i < j->to && !j->failed; i++) {
        const tg_customer *c = &w->customers[i];
        tg_rng r;
        tg_rng_seed(&r, sim_hash(s->o->seed, H_ORDERS, (uint64_t)i, 0));
        int64_t from = c->joined_day > s->start ? c->joined_day : s->start;
        int n = tg_rng_poisson(&r, shopper_expected_orders(w, c, s->start,
                                                           s->end));
        for (int k = 0; k < n; k++) {
            tg_order o;
            int64_t day = shopper_draw_day(w, &r, from, s->end);
            shopper_draw_order(w, c, day, &r, &o);
            if (o.n && job_push(j, &o, i, k)) {
                j->failed = 1;
                break;
            }
        }
    }
    return NULL;
}

static int cmp_order(const void *a, const void *b)
{
    const sim_order *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The CRM history before the window (lines_before, returns_before), drawn
 * as the generator draws it: the customer's tenure at the usual rates,
 * each past line returned with the customer's own propensity averaged over
 * the lines their segment buys (the first 256 drawn lines per segment). */
static void draw_history(sim_ctx *s)
{
    enum { OFFS = 256 };
    double offs[TG_SHOP_SEGMENTS][OFFS];
    int n_offs[TG_SHOP_SEGMENTS] = {0};
    tg_world *w = s->w;
    const tg_behaviour *b = s->b;
    for (size_t i = 0; i < s->n_orders; i++) {
        const sim_order *so = &s->orders[i]; /* in customer order here */
        const tg_customer *c = &w->customers[so->customer];
        if (n_offs[c->segment] >= OFFS)
            continue;
        tg_order o;
        sim_rebuild(s, so, &o);
        double cz = shopper_customer_logit(b, c);
        for (int k = 0; k < o.n && n_offs[c->segment] < OFFS; k++) {
            double p = o.lines[k].p;
            offs[c->segment][n_offs[c->segment]++] =
                log(p / (1 - p)) / b->truth_scale - cz;
        }
    }
    double lpo = s->n_orders ? (double)s->n_lines / (double)s->n_orders : 1;
    for (int i = 0; i < w->n_customers; i++) {
        tg_customer *c = &w->customers[i];
        c->lines_before = c->returns_before = 0;
        if (c->joined_day >= s->start)
            continue;
        tg_rng r;
        tg_rng_seed(&r, sim_hash(s->o->seed, H_HISTORY, (uint64_t)i, 0));
        double years = (double)(s->start - c->joined_day) / 365.0;
        int n = tg_rng_poisson(&r, years * b->orders_per_year[c->segment] *
                                       c->activity * lpo);
        if (n > 5000)
            n = 5000;
        int sg = c->segment;
        double cz = shopper_customer_logit(b, c), p = 0;
        if (n_offs[sg] == 0) {
            p = 1 / (1 + exp(-b->truth_scale * cz));
        } else {
            for (int k = 0; k < n_offs[sg]; k++)
                p += 1 / (1 + exp(-b->truth_scale * (cz + offs[sg][k])));
            p /= n_offs[sg];
        }
        int ret = 0;
        for (int k = 0; k < n; k++)
            ret += tg_rng_uniform(&r) < p;
        c->lines_before = n;
        c->returns_before = ret;
    }
}

int sim_draw_orders(sim_ctx *s, tg_err *err)
{
    int nt = s->threads < 1 ? 1 : s->threads > 16 ? 16 : s->threads;
    draw_job jobs[16];
    int n = s->w->n_customers;
    memset(jobs, 0, sizeof jobs);
    for (int t = 0; t < nt; t++) {
        jobs[t].s = s;
        jobs[t].from = (int)((long long)n * t / nt);
        jobs[t].to = (int)((long long)n * (t + 1) / nt);
    }
    tg_parallel(draw_thread, jobs, sizeof *jobs, nt);
    size_t no = 0, nl = 0;
    int failed = 0;
    for (int t = 0; t < nt; t++) {
        no += jobs[t].n_orders;
        nl += jobs[t].n_lines;
        failed |= jobs[t].failed;
    }
    s->orders = failed ? NULL : malloc((no + 1) * sizeof *s->orders);
    s->lines = failed ? NULL : malloc((nl + 1) * sizeof *s->lines);
    if (s->orders && s->lines) {
        size_t ko = 0, kl = 0;
        for (int t = 0; t < nt; t++) {
            for (size_t i = 0; i < jobs[t].n_orders; i++) {
                s->orders[ko] = jobs[t].orders[i];
                s->orders[ko++].first += (uint32_t)kl;
            }
            if (jobs[t].n_lines) /* a thread may have drawn none */
                memcpy(s->lines + kl, jobs[t].lines,
                       jobs[t].n_lines * sizeof *s->lines);
            kl += jobs[t].n_lines;
        }
        s->n_orders = no;
        s->n_lines = nl;
    }
    for (int t = 0; t < nt; t++) {
        free(jobs[t].orders);
        free(jobs[t].lines);
    }
    if (!s->orders || !s->lines)
        return tg_fail(err, TG_EINTERNAL, "out of memory drawing carts");
    draw_history(s);
    qsort(s->orders, s->n_orders, sizeof *s->orders, cmp_order);
    return TG_OK;
}

/* ---- rebuilding an order and its features ------------------------------ */

void sim_rebuild(const sim_ctx *s, const sim_order *so, tg_order *o)
{
    memset(o, 0, sizeof *o);
    o->t = so->t;
    o->channel = so->channel;
    o->paylater = so->paylater;
    o->n = so->n;
    for (int k = 0; k < so->n; k++) {
        const sim_line *sl = &s->lines[so->first + (uint32_t)k];
        tg_line *l = &o->lines[k];
        l->product = sl->product;
        l->size = sl->size;
        l->quantity = sl->qty;
        l->discount_pct = sl->discount;
        l->unit_price = sl->cents / 100.0;
        l->ref_trend = sl->ref_trend;
        l->ctx.view_minutes = sl->view_minutes;
        l->ctx.taste = sl->taste;
    }
    shopper_order_finish(s->w, &s->w->customers[so->customer], o);
}

void sim_trend_features(const sim_ctx *s, int trend, int64_t t, float *x)
{
    x[TG_F_trend_growth_24h] = x[TG_F_trend_growth_7d] = NAN;
    x[TG_F_trend_days_since_peak] = x[TG_F_trend_age_days] = NAN;
    x[TG_F_trend_log_views_24h] = NAN;
    if (trend < 0 || trend >= s->w->n_fashion)
        return;
    const sim_trend *st = &s->trends[trend];
    int64_t day = tg_day_of(t);
    if (st->first > st->last || day < st->first)
        return;
    if (day > st->last)
        day = st->last; /* the latest snapshot before the line */
    const sim_tday *d = &st->d[day - st->first];
    x[TG_F_trend_growth_24h] = d->growth_24h;
    x[TG_F_trend_growth_7d] = d->growth_7d;
    x[TG_F_trend_log_views_24h] = d->log_views_24h;
    x[TG_F_trend_days_since_peak] =
        (float)((double)(t - (int64_t)d->peak_day * TG_DAY) / TG_DAY);
    x[TG_F_trend_age_days] =
        (float)((double)(t - st->first * TG_DAY) / TG_DAY);
}

void sim_features(const sim_ctx *s, const sim_arm_state *st,
                  const sim_order *so, const tg_order *o, int line, float *x)
{
    const tg_world *w = s->w;
    const tg_line *l = &o->lines[line];
    const tg_product *p = &w->products[l->product];
    const tg_customer *c = &w->customers[so->customer];
    const sim_hist *h = &st->hist[so->customer];
    int64_t t = o->t;
    sim_trend_features(s, l->ref_trend >= 0 ? l->ref_trend : p->trend, t, x);
    x[TG_F_channel] = (float)o->channel;
    x[TG_F_hour_of_day] = (float)((t % TG_DAY) / 3600);
    x[TG_F_day_of_week] = (float)(((t / TG_DAY) + 3) % 7);
    x[TG_F_view_minutes] = (float)l->ctx.view_minutes;
    x[TG_F_discount_pct] = (float)l->discount_pct;
    x[TG_F_price] = (float)l->unit_price;
    x[TG_F_price_vs_usual] =
        h->price_lines && h->price_sum > 0
            ? (float)(l->unit_price / (h->price_sum / h->price_lines))
            : NAN;
    int sizes = 0, same_cat = 0;
    for (int k = 0; k < o->n; k++) {
        sizes += o->lines[k].product == l->product;
        same_cat += w->products[o->lines[k].product].category == p->category;
    }
    x[TG_F_basket_lines] = (float)o->n;
    x[TG_F_sizes_of_item] = (float)sizes;
    x[TG_F_same_category_lines] = (float)(same_cat - 1);
    x[TG_F_cust_prior_orders] = (float)h->orders;
    x[TG_F_cust_prior_return_rate] =
        (float)((c->returns_before + h->m_returns + 0.3 * 4.0) /
                (c->lines_before + h->m_lines + 4.0));
    x[TG_F_cust_tenure_days] =
        (float)((double)(t - c->joined_day * TG_DAY) / TG_DAY);
    x[TG_F_cust_segment] = (float)c->segment;
    x[TG_F_cust_age_band] = (float)c->age_band;
    /* What the shop knows: the declared size, the fit note and the
     * history so far (estimates.h), never the sizes that fit. */
    x[TG_F_size_vs_usual] = x[TG_F_size_history] = 0;
    x[TG_F_fit_learned] = 0;
    if (p->category != TG_CAT_ACCESSORIES) {
        int g = p->category == TG_CAT_SHOES;
        int d = g ? c->declared_shoe : c->declared_size;
        x[TG_F_size_vs_usual] = (float)est_size_vs_usual(
            l->size, d >= 0 ? d : NAN, h->s_obs[g], h->s_sum[g]);
        x[TG_F_size_history] = (float)h->s_obs[g];
    }
    double note = p->fit_note == TG_FIT_NONE ? NAN : p->fit_note;
    double small = st->p_small[l->product], large = st->p_large[l->product];
    if (p->category != TG_CAT_ACCESSORIES)
        x[TG_F_fit_learned] = (float)est_fit_learned(
            note, small, large, (double)st->cat_cum[p->category][0],
            (double)st->cat_cum[p->category][1]);
    x[TG_F_pay_later] = (float)o->paylater;
    x[TG_F_fit_note] = (float)note;
    x[TG_F_fit_returns] = (float)(small + large);
    x[TG_F_product_prior_return_rate] =
        (float)((st->p_returns[l->product] + 0.3 * 10.0) /
                (st->p_lines[l->product] + 10.0));
    x[TG_F_product_age_days] =
        (float)((double)(t - p->launch_day * TG_DAY) / TG_DAY);
    x[TG_F_category] = (float)p->category;
}
