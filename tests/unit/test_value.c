/* test_value.c: what the intervention engine finds a nudge worth and what
 * it then chooses: the value's parts worked out by hand (the counterfactual
 * scored again, what a return costs, the margin of sales lost, the offer,
 * the chance the shopper takes it), the choice following what drives the
 * risk (size advice for size, saving for later for a night-time impulse,
 * reviews or the badge for an often-returned item, nothing when nothing
 * pays), the budget's bar keeping the offers worth most per unit, and the
 * bandit learning what shoppers take up. Every expected number is worked
 * out from the formulas in nudge.h, never by calling the code under test. */
#include <math.h>

#include "nudge_input.h"

/* Two nudges worth the same when taken; shoppers always decline one and
 * take the other: the bandit learns the chance each is taken and the
 * engine turns to the one shoppers take. */
static void bandit_learns_what_shoppers_take(void **state)
{
    (void)state;
    tg_nudge_catalog c = cat;
    int reviews = nudge_catalog_find(&cat, "real_reviews");
    c.n = 2;
    c.nudges[0] = c.nudges[1] = cat.nudges[reviews];
    strcpy(c.nudges[0].id, "reviews_a");
    strcpy(c.nudges[1].id, "reviews_b");
    tg_bandit *b = bandit_create(c.n, 1, 1);
    assert_non_null(b);
    tg_nudge_input in;
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.x[TG_F_channel] = TG_CHANNEL_TIKTOK;
    in.driver[0] = TG_F_channel;
    in.n_drivers = 1;
    tg_nudge_decision d;
    nudge_decide(&c, b, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, 0); /* a tie: catalogue order */
    assert_float_equal(d.sample, 0.5, 1e-12); /* the prior's mean */
    int picks_b = 0;
    for (int round = 0; round < 60; round++) {
        nudge_decide(&c, b, &in, NULL, NULL, NULL, NULL, &d);
        assert_true(d.nudge == 0 || d.nudge == 1);
        bandit_update(b, in.segment, d.context, d.nudge, d.nudge == 1);
        if (round >= 10)
            picks_b += d.nudge == 1;
    }
    assert_int_equal(picks_b, 50);
    assert_true(bandit_mean(b, in.segment, TG_DRIVER_IMPULSE, 1) > 0.9);
    assert_true(bandit_mean(b, in.segment, TG_DRIVER_IMPULSE, 0) < 0.5);
    /* The value weighs the gain by the posterior mean the bandit holds. */
    tg_nudge_value v;
    nudge_value(&c, b, &in, 1, &v);
    double a, be;
    bandit_posterior(b, in.segment, TG_DRIVER_IMPULSE, 1, &a, &be);
    assert_float_equal(v.accept, a / (a + be), 1e-12);
    assert_float_equal(v.value, v.accept * (v.gain - v.cost), 1e-9);
    nudge_decide(&c, b, &in, NULL, NULL, NULL, NULL, &d);
    assert_float_equal(d.sample, v.accept, 1e-12);
    assert_float_equal(d.value, v.value, 1e-12);
    /* Another segment has learned nothing of its own. */
    long n;
    bandit_get(b, TG_SEG_CASUAL, TG_DRIVER_IMPULSE, 1, &a, &be, &n);
    assert_int_equal(n, 0);
    /* Beta draws have the right mean. */
    tg_rng r;
    tg_rng_seed(&r, 7);
    double sum = 0;
    for (int i = 0; i < 20000; i++)
        sum += bandit_beta_draw(&r, 2, 6);
    assert_float_equal(sum / 20000, 0.25, 0.01);
    bandit_free(b);
}

/* The value's parts by hand, with the rule estimate scoring (base -4.2):
 * the size_input line adds size mismatch 2.2, a decision under 10
 * minutes 0.8 and a dress 1.0: logit -0.2, p = 0.450166; in the advised
 * size it loses the 2.2: logit -2.4, p = 0.083173. The given score 0.72
 * moves by the rule estimate's change in logit: logit(0.72) = 0.944462,
 * less 2.2: p_after = 0.221743. A return costs 0.55 + 0.3 + 0.45 x 0.15 =
 * 0.9175 of the price (40), 36.7: gain 36.7 x (0.72 - 0.221743) =
 * 18.286036; at the prior's 0.5, value 9.143018. (python3: s = lambda z:
 * 1 / (1 + math.exp(-z)); l = lambda p: math.log(p / (1 - p)).) */
static void value_by_hand(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    int sa = nudge_catalog_find(&cat, "size_advice");
    tg_nudge_value v;
    nudge_value(&cat, NULL, &in, sa, &v);
    assert_true(v.applies);
    assert_int_equal(v.suggested_size, 2);
    assert_float_equal(v.p, 0.72, 1e-12);
    assert_float_equal(v.p_after, 0.221743, 1e-6);
    assert_float_equal(v.gain, 18.286036, 1e-5);
    assert_float_equal(v.cost, 0, 1e-12);
    assert_float_equal(v.accept, 0.5, 1e-12);
    assert_float_equal(v.value, 9.143018, 1e-5);
    /* Scored by the rules themselves (no score given). */
    in.score = NAN;
    nudge_value(&cat, NULL, &in, sa, &v);
    assert_float_equal(v.p, 0.450166, 1e-6);
    assert_float_equal(v.p_after, 0.083173, 1e-6);
    /* Keeping one of two sizes: the bracket's 2.6 goes too, logit 0.2 to
     * -2.4: p_after = s(0.944462 - 2.6) = 0.160362; the two sizes' 0.72 +
     * 0.72 against it, less the margin of the size not bought: gain = 36.7
     * x (1.44 - 0.160362) - 0.55 x 40 = 24.962721; less the free
     * exchange's 2.1, at 0.5: 11.431361. */
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.x[TG_F_sizes_of_item] = 2;
    in.size = 2;
    int kb = nudge_catalog_find(&cat, "bracketing_prompt");
    nudge_value(&cat, NULL, &in, kb, &v);
    assert_float_equal(v.p, 1.44, 1e-12);
    assert_float_equal(v.p_after, 0.160362, 1e-6);
    assert_float_equal(v.gain, 24.962721, 1e-5);
    assert_float_equal(v.value, 11.431361, 1e-5);
    /* The summed risk of the other sizes when the caller knows it. */
    in.others_p = 0.9;
    nudge_value(&cat, NULL, &in, kb, &v);
    assert_float_equal(v.p, 1.62, 1e-12);
    /* An exchange keeps 0.9 of the margin (0.55 x 40) for a 10% bonus. */
    in.moment = TG_MOMENT_RETURN;
    nudge_value(&cat, NULL, &in, nudge_catalog_find(&cat, "exchange_first"),
                &v);
    assert_float_equal(v.gain, 19.8, 1e-9);
    assert_float_equal(v.cost, 4.0, 1e-9);
    assert_float_equal(v.value, 7.9, 1e-9);
    assert_true(isnan(v.p));
}

/* The choice follows what drives the risk: with size the top driver and a
 * mismatch, size advice; the same shopper on a well-fitting size bought
 * at 1 am on TikTok, saving it for later; a line whose risk is the item
 * itself (often returned), the badge or the reviews; nothing at all when
 * no nudge would change the risk enough to pay for what it costs. */
static void choice_follows_the_risk(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    tg_nudge_decision d;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, nudge_catalog_find(&cat, "size_advice"));
    assert_true(d.value > 0);
    assert_true(d.p_after < in.score);
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.x[TG_F_hour_of_day] = 1;
    in.x[TG_F_channel] = TG_CHANNEL_TIKTOK;
    in.driver[0] = TG_F_channel;
    in.driver[1] = TG_F_hour_of_day;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, nudge_catalog_find(&cat, "cool_off"));
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.x[TG_F_view_minutes] = 240;
    in.x[TG_F_product_prior_return_rate] = 0.55f;
    in.driver[0] = TG_F_product_prior_return_rate;
    in.driver[1] = TG_F_category;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_true(d.nudge == nudge_catalog_find(&cat, "real_reviews") ||
                d.nudge == nudge_catalog_find(&cat, "frequently_returned"));
    /* A cheap, well-fitting top with little risk from anything a nudge
     * answers: nothing is worth showing. */
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.x[TG_F_view_minutes] = 240;
    in.x[TG_F_category] = TG_CAT_TOPS;
    in.driver[0] = TG_F_cust_prior_return_rate;
    in.driver[1] = TG_F_cust_age_band;
    in.score = 0.3;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, -1);
    assert_int_equal(d.why_code, TG_WHY_NONE_FITS);
    assert_non_null(strstr(d.why, "worth"));
}

/* The budget goes to the offers worth most per unit: a day of wanted
 * offers (bracketing prompts worth (24.962721 - 2.1) / 2.1 = 10.887 per
 * unit of expected cost, exchanges (19.8 - 4) / 4 = 3.95) that would have
 * used up more than the budget sets the next day's bar between them:
 * exchanges wait, prompts go on. */
static void budget_bar_keeps_the_best_offers(void **state)
{
    (void)state;
    tg_nudge_input cart, ret;
    size_input(&cart);
    cart.moment = TG_MOMENT_CART;
    cart.x[TG_F_sizes_of_item] = 2;
    cart.x[TG_F_size_vs_usual] = 0;
    cart.size = 2;
    cart.driver[0] = TG_F_sizes_of_item;
    size_input(&ret);
    ret.moment = TG_MOMENT_RETURN;
    ret.x[TG_F_price] = 100;
    tg_nudge_budget b;
    memset(&b, 0, sizeof b);
    nudge_budget_roll(&b, cart.now, 10);
    tg_nudge_decision dc, dr;
    nudge_decide(&cat, NULL, &cart, NULL, NULL, &b, NULL, &dc);
    nudge_decide(&cat, NULL, &ret, NULL, NULL, &b, NULL, &dr);
    assert_int_equal(dc.nudge, nudge_catalog_find(&cat, "bracketing_prompt"));
    assert_int_equal(dr.nudge, nudge_catalog_find(&cat, "exchange_first"));
    assert_float_equal(dr.demand_ratio, 3.95, 1e-9);
    assert_float_equal(dr.demand_cost, 5.0, 1e-9); /* 0.5 x 10.00 */
    assert_float_equal(dc.demand_ratio, 10.887010, 1e-5);
    assert_float_equal(dc.demand_cost, 1.05, 1e-9);
    for (int i = 0; i < 10; i++) {
        nudge_budget_note(&b, &dc);
        nudge_budget_note(&b, &dr);
    }
    /* 10 prompts want 10.5 of the 10: the bar is the prompts' bin */
    assert_true(b.bar == 0);
    nudge_budget_roll(&b, cart.now + TG_DAY, 10);
    assert_true(b.bar > 3.95 && b.bar <= dc.demand_ratio);
    assert_float_equal(b.bar_share, 10 / 10.5, 1e-9); /* what fits of it */
    cart.now += TG_DAY;
    ret.now += TG_DAY;
    nudge_decide(&cat, NULL, &cart, NULL, NULL, &b, NULL, &dc);
    nudge_decide(&cat, NULL, &ret, NULL, NULL, &b, NULL, &dr);
    assert_int_equal(dc.nudge, nudge_catalog_find(&cat, "bracketing_prompt"));
    assert_int_equal(dr.nudge, -1);
    assert_non_null(strstr(dr.why, "budget"));
    /* The prompts' bin with room for a third of them, the exchanges below:
     * drawn from r, about a third of the prompts go on. */
    tg_nudge_budget third;
    memset(&third, 0, sizeof third);
    nudge_budget_roll(&third, cart.now, 10);
    for (int i = 0; i < 30; i++)
        nudge_budget_note(&third, &dc);
    nudge_budget_roll(&third, cart.now + TG_DAY, 10.5);
    assert_float_equal(third.bar_share, 10.5 / 31.5, 1e-9);
    tg_rng r;
    tg_rng_seed(&r, 3);
    int made = 0;
    cart.now += TG_DAY;
    for (int i = 0; i < 3000; i++) {
        nudge_decide(&cat, NULL, &cart, NULL, NULL, &third, &r, &dc);
        made += dc.nudge == nudge_catalog_find(&cat, "bracketing_prompt");
    }
    assert_true(made > 900 && made < 1100); /* 1000 +- 3.5 sd */
    /* A day that wanted less than the budget sets no bar. */
    nudge_budget_note(&b, &dc);
    nudge_budget_roll(&b, cart.now + TG_DAY, 10);
    assert_true(b.bar == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(value_by_hand),
        cmocka_unit_test(choice_follows_the_risk),
        cmocka_unit_test(budget_bar_keeps_the_best_offers),
        cmocka_unit_test(bandit_learns_what_shoppers_take),
    };
    return cmocka_run_group_tests(tests, load_shipped, NULL);
}
