/* bandit.c: what shoppers take up, for the intervention engine: one Beta
 * posterior per shopper segment x driver group x nudge of the chance that
 * a shown nudge is accepted, updated with each answer, pooled across
 * contexts for the rare ones; its mean weighs a nudge's value
 * (nudge_value.c) and draws from it serve tests and tools. */
#include "trendguard/nudge.h"

#include <math.h>
#include <stdlib.h>

typedef struct arm {
    double a, b;
    long n;
} arm;

struct tg_bandit {
    int n_nudges;
    double prior_a, prior_b;
    arm *arms;   /* [segment][group][nudge] */
    arm *pooled; /* [nudge]: outcomes over every context, priors left out */
};

/* Each context's posterior borrows from the nudge's outcomes in every
 * other context (empirical-Bayes shrinkage): as if up to POOL_MAX of
 * them had been seen here, so rare contexts start from what the nudge
 * does elsewhere and common ones are led by their own outcomes. */
#define POOL_MAX 20.0

tg_bandit *bandit_create(int n_nudges, double prior_a, double prior_b)
{
    if (n_nudges < 1 || n_nudges > TG_NUDGE_MAX || !(prior_a > 0) ||
        !(prior_b > 0))
        return NULL;
    tg_bandit *b = calloc(1, sizeof *b);
    size_t n = (size_t)TG_NUM_SEGMENTS * TG_NUM_DRIVER_GROUPS *
               (size_t)n_nudges;
    if (!b || !(b->arms = calloc(n, sizeof *b->arms)) ||
        !(b->pooled = calloc((size_t)n_nudges, sizeof *b->pooled))) {
        if (b)
            free(b->arms);
        free(b);
        return NULL;
    }
    b->n_nudges = n_nudges;
    b->prior_a = prior_a;
    b->prior_b = prior_b;
    for (size_t i = 0; i < n; i++)
        b->arms[i] = (arm){prior_a, prior_b, 0};
    return b;
}

void bandit_free(tg_bandit *b)
{
    if (!b)
        return;
    free(b->arms);
    free(b->pooled);
    free(b);
}

int bandit_num_nudges(const tg_bandit *b)
{
    return b ? b->n_nudges : 0;
}

static arm *arm_at(const tg_bandit *b, int seg, int group, int nudge)
{
    if (!b || seg < 0 || seg >= TG_NUM_SEGMENTS || group < 0 ||
        group >= TG_NUM_DRIVER_GROUPS || nudge < 0 || nudge >= b->n_nudges)
        return NULL;
    return &b->arms[((size_t)seg * TG_NUM_DRIVER_GROUPS + (size_t)group) *
                        (size_t)b->n_nudges + (size_t)nudge];
}

void bandit_update(tg_bandit *b, int segment, int group, int nudge,
                   double reward)
{
    arm *a = arm_at(b, segment, group, nudge);
    if (!a || !(reward >= 0 && reward <= 1))
        return;
    a->a += reward;
    a->b += 1 - reward;
    a->n++;
    arm *p = &b->pooled[nudge];
    p->a += reward;
    p->b += 1 - reward;
    p->n++;
}

void bandit_get(const tg_bandit *b, int segment, int group, int nudge,
                double *a, double *beta, long *n)
{
    const arm *x = arm_at(b, segment, group, nudge);
    *a = x ? x->a : NAN;
    *beta = x ? x->b : NAN;
    *n = x ? x->n : 0;
}

void bandit_set(tg_bandit *b, int segment, int group, int nudge, double a,
                double beta, long n)
{
    arm *x = arm_at(b, segment, group, nudge);
    if (!x || !(a > 0 && beta > 0 && isfinite(a) && isfinite(beta) && n >= 0))
        return;
    arm *p = &b->pooled[nudge];
    p->a += (a - b->prior_a) - (x->a - b->prior_a);
    p->b += (beta - b->prior_b) - (x->b - b->prior_b);
    p->n += n - x->n;
    *x = (arm){a, beta, n};
}

double bandit_mean(const tg_bandit *b, int segment, int group, int nudge)
{
    const arm *x = arm_at(b, segment, group, nudge);
    return x ? x->a / (x->a + x->b) : NAN;
}

/* Gamma(k, 1) by Marsaglia and Tsang (k < 1 boosted by U^(1/k)). */
static double gamma_draw(tg_rng *r, double k)
{
    double boost = 1;
    if (k < 1) {
        double u = tg_rng_uniform(r);
        boost = pow(u > 0 ? u : 1e-300, 1 / k);
        k += 1;
    }
    double d = k - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = tg_rng_normal(r), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = tg_rng_uniform(r);
        if (u < 1 - 0.0331 * x * x * x * x ||
            log(u > 0 ? u : 1e-300) < 0.5 * x * x + d * (1 - v + log(v)))
            return d * v * boost;
    }
}

double bandit_beta_draw(tg_rng *r, double a, double b)
{
    double x = gamma_draw(r, a), y = gamma_draw(r, b);
    return x + y > 0 ? x / (x + y) : 0.5;
}

void bandit_posterior(const tg_bandit *b, int segment, int group, int nudge,
                      double *a, double *beta)
{
    const arm *x = arm_at(b, segment, group, nudge);
    if (!x) {
        *a = *beta = NAN;
        return;
    }
    const arm *p = &b->pooled[nudge];
    double oa = p->a - (x->a - b->prior_a), ob = p->b - (x->b - b->prior_b);
    double on = oa + ob, w = on > POOL_MAX ? POOL_MAX / on : 1.0;
    if (!(on > 0))
        w = 0;
    *a = x->a + w * fmax(0, oa);
    *beta = x->b + w * fmax(0, ob);
}

double bandit_sample(const tg_bandit *b, int segment, int group, int nudge,
                     tg_rng *r)
{
    double a, beta;
    bandit_posterior(b, segment, group, nudge, &a, &beta);
    return isnan(a) ? 0 : bandit_beta_draw(r, a, beta);
}
