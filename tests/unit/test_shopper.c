/* test_shopper.c: unit tests of the shopper behaviour model: the
 * behaviour.json loader and its refusals, the truth function's direction
 * in every driver, trend life cycles, the world and orders drawn from it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trendguard/shopper.h"

static tg_behaviour B;
static tg_words W;
static char *json_text;

static int setup(void **state)
{
    (void)state;
    char path[4096];
    tg_err err = {0};
    if (tg_asset_path("assets/behaviour.json", path, sizeof path) != 0)
        return -1;
    json_text = tg_read_file(path, NULL, 1 << 20, &err);
    if (!json_text || shopper_behaviour_load(path, &B, &err) != TG_OK) {
        fprintf(stderr, "behaviour: %s\n", err.msg);
        return -1;
    }
    if (shopper_words_load(&W, NULL, &err) != TG_OK) {
        fprintf(stderr, "words: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shopper_words_free(&W);
    free(json_text);
    return 0;
}

/* ---- behaviour.json ---------------------------------------------------- */

/* Parses json_text with the first occurrence of `from` replaced by `to`
 * and returns the error (code 0 when accepted). */
static tg_err parse_edited(const char *from, const char *to)
{
    const char *at = strstr(json_text, from);
    assert_non_null(at);
    size_t pre = (size_t)(at - json_text), fl = strlen(from), tl = strlen(to);
    char *buf = malloc(strlen(json_text) - fl + tl + 1);
    assert_non_null(buf);
    memcpy(buf, json_text, pre);
    memcpy(buf + pre, to, tl);
    strcpy(buf + pre + tl, at + fl);
    tg_behaviour b;
    tg_err err = {0};
    shopper_behaviour_parse(buf, "behaviour.json", &b, &err);
    free(buf);
    return err;
}

static void test_behaviour_loads(void **state)
{
    (void)state;
    assert_true(B.truth_scale > 0);
    assert_true(B.t_category[TG_CAT_DRESSES] > B.t_category[TG_CAT_ACCESSORIES]);
    assert_true(B.t_taste_sd > 0 && B.t_taste_sd <= 0.5);
    double s = 0;
    for (int i = 0; i < TG_SHOP_SEGMENTS; i++)
        s += B.segment_share[i];
    assert_true(fabs(s - 1) < 1e-9);
    tg_err e = parse_edited("\"customers\"", "\"customers\"");
    assert_int_equal(e.code, TG_OK);
}

static void test_behaviour_refused(void **state)
{
    (void)state;
    tg_err e = parse_edited("\"dresses\":", "\"dressez\":");
    assert_int_equal(e.code, TG_EDATA);
    assert_non_null(strstr(e.msg, "category_mix")); /* first keyed use */
    assert_non_null(strstr(e.msg, "dresses"));

    e = parse_edited("\"scale\": {\"value\": ", "\"scale\": {\"value\": -");
    assert_int_equal(e.code, TG_EDATA);
    assert_non_null(strstr(e.msg, "truth.scale"));

    e = parse_edited("\"taste_sd\": {\"value\"", "\"taste_sd\": {\"valu\"");
    assert_int_equal(e.code, TG_EDATA);
    assert_non_null(strstr(e.msg, "truth.taste_sd: missing 'value'"));

    e = parse_edited("\"source\"", "\"sauce\"");
    assert_int_equal(e.code, TG_EDATA);
    assert_non_null(strstr(e.msg, "customers.segment_share: missing "
                                  "'source'"));

    e = parse_edited("\"late_night\":", "\"late_nite\":");
    assert_int_equal(e.code, TG_EDATA);
    assert_non_null(strstr(e.msg, "truth.late_night: missing"));

    e = parse_edited("\"truth\": {", "\"truth\": {\"bogus\": 1, ");
    assert_int_equal(e.code, TG_EDATA);
    assert_non_null(strstr(e.msg, "truth.bogus: unknown field"));

    e = parse_edited("\"web_app\": [", "\"web_app\": [1, ");
    assert_int_equal(e.code, TG_EDATA);
    assert_non_null(strstr(e.msg, "orders.hour_weights.web_app"));

    e = parse_edited("{", "{{");
    assert_int_equal(e.code, TG_EDATA);
    assert_non_null(strstr(e.msg, "not valid JSON"));

    tg_behaviour b;
    assert_int_equal(shopper_behaviour_load("/nonexistent/behaviour.json",
                                            &b, &e),
                     TG_ENOINPUT);
    assert_non_null(strstr(e.msg, "/nonexistent/behaviour.json"));
}

/* ---- the truth function ------------------------------------------------ */

static tg_line_ctx base_ctx(void)
{
    tg_line_ctx x;
    memset(&x, 0, sizeof x);
    x.segment = TG_SEG_CASUAL;
    x.category = TG_CAT_TOPS;
    x.age_band = TG_AGE_25_34;
    x.channel = TG_CHANNEL_WEB;
    x.bracketed = 1;
    x.view_minutes = 120;
    x.hour = 14;
    x.basket_lines = 1;
    x.inventory_days = 30;
    return x;
}

#define Z(x) shopper_return_logit(&B, &(x), NULL)

static void test_truth_monotone(void **state)
{
    (void)state;
    tg_line_ctx a = base_ctx(), b;
    double z0 = Z(a);
    double p0 = shopper_return_prob(&B, &a);
    assert_true(fabs(p0 - 1 / (1 + exp(-z0))) < 1e-12);

    b = a, b.dev = 0.5;                     assert_true(Z(b) > z0);
    b = a, b.quality = -1;                  assert_true(Z(b) > z0);
    b = a, b.taste = 0.3;                   assert_true(Z(b) > z0);
    b = a, b.category = TG_CAT_DRESSES;     assert_true(Z(b) > z0);
    b = a, b.category = TG_CAT_ACCESSORIES; assert_true(Z(b) < z0);
    b = a, b.segment = TG_SEG_SERIAL_BRACKETER; assert_true(Z(b) > z0);
    b = a, b.segment = TG_SEG_CAREFUL_REPEAT;   assert_true(Z(b) < z0);
    /* size mismatch: 0 < 1 step < 2 steps, either direction */
    double zs[4];
    for (int m = 0; m <= 3; m++) {
        b = a, b.mismatch = m;
        zs[m] = Z(b);
        b.mismatch = -m;
        assert_true(fabs(Z(b) - zs[m]) < 1e-12);
    }
    assert_true(zs[1] > zs[0] + 1 && zs[2] > zs[1] + 1 && zs[3] >= zs[2]);
    /* bracketing: the other sizes far above the kept one */
    b = a, b.bracketed = 2, b.bracket_best = 1;
    double zb = Z(b);
    b.bracket_best = 0;
    assert_true(Z(b) > zb + 2);
    b = a, b.channel = TG_CHANNEL_TIKTOK;   assert_true(Z(b) > z0);
    b = a, b.channel = TG_CHANNEL_APP;      assert_true(fabs(Z(b) - z0) < 1e-12);
    /* impulse: shorter view-to-buy never lowers it */
    double prev = -1e9;
    for (double vm = 10000; vm >= 0.1; vm /= 2) {
        b = a, b.view_minutes = vm;
        assert_true(Z(b) >= prev);
        prev = Z(b);
    }
    b = a, b.view_minutes = 0.5;            assert_true(Z(b) > z0);
    b = a, b.hour = 2;                      assert_true(Z(b) > z0);
    b = a, b.hour = 23;                     assert_true(fabs(Z(b) - z0) < 1e-12);
    /* trend phase: rising < peak < well after the peak < obsolete */
    b = a, b.phase = TG_PHASE_RISING;
    double zr = Z(b);
    b.phase = TG_PHASE_PEAK;
    double zp = Z(b);
    b.phase = TG_PHASE_DECLINE, b.days_after_peak = 30;
    double zd = Z(b);
    b.phase = TG_PHASE_OBSOLETE;
    assert_true(zr < zp && zp < zd && zd < Z(b));
    prev = -1e9;
    for (double d = 0; d < 60; d += 3) {
        b = a, b.phase = TG_PHASE_DECLINE, b.days_after_peak = d;
        assert_true(Z(b) >= prev);
        prev = Z(b);
    }
    b = a, b.discount_pct = 50;             assert_true(Z(b) > z0);
    b = a, b.paylater = 1;                  assert_true(Z(b) > z0);
    b = a, b.basket_lines = 6;              assert_true(Z(b) > z0);
    /* older stock: about twice the odds at full age */
    b = a, b.inventory_days = 0;
    double zi0 = Z(b);
    b.inventory_days = B.t_inventory_days * 2;
    assert_true(Z(b) - zi0 > log(1.6) && Z(b) - zi0 < log(4.0));
    /* terms add up to z / scale */
    tg_truth_terms t;
    b = a, b.channel = TG_CHANNEL_TIKTOK, b.mismatch = 1, b.discount_pct = 30;
    double z = shopper_return_logit(&B, &b, &t);
    double sum = t.base + t.person + t.category + t.quality + t.size +
                 t.bracket + t.impulse + t.trend + t.money + t.basket +
                 t.inventory + t.taste;
    assert_true(fabs(z - B.truth_scale * sum) < 1e-9);
}

/* ---- trends -------------------------------------------------------------- */

static void test_trend_cycle(void **state)
{
    (void)state;
    tg_trend t;
    memset(&t, 0, sizeof t);
    t.onset = 20000;
    t.rise = 8;
    t.plateau = 4;
    t.half_life = 5;
    t.peak_views = 1e6;
    t.rates[0] = 0.1, t.rates[1] = 0.01, t.rates[2] = 0.005;
    t.last_day = 20000 + 8 + 4 + 30;
    t.noise_key = 42;
    assert_true(shopper_trend_level(&t, 19999) == 0);
    double prev = 0;
    for (double d = 20000; d < 20008; d += 0.5) {
        assert_true(shopper_trend_level(&t, d) > prev);
        prev = shopper_trend_level(&t, d);
    }
    assert_true(fabs(shopper_trend_level(&t, 20010) - 1e6) < 1e-6);
    assert_true(fabs(shopper_trend_level(&t, 20017) - 5e5) < 1e-3);
    double after;
    assert_int_equal(shopper_trend_phase(&B, &t, 20002, &after),
                     TG_PHASE_RISING);
    assert_int_equal(shopper_trend_phase(&B, &t, 20010, &after),
                     TG_PHASE_PEAK);
    assert_int_equal(shopper_trend_phase(&B, &t, 20020, &after),
                     TG_PHASE_DECLINE);
    assert_true(fabs(after - 8) < 1e-9);
    assert_int_equal(shopper_trend_phase(&B, &t, 20050, &after),
                     TG_PHASE_OBSOLETE);
    assert_int_equal(shopper_trend_phase(&B, &t, 19990, &after),
                     TG_PHASE_NONE);
    /* a day's counts: pure, non-negative, engagement below views */
    int64_t v1[4], v2[4];
    shopper_trend_day(&B, &t, 20010, v1);
    shopper_trend_day(&B, &t, 20010, v2);
    assert_memory_equal(v1, v2, sizeof v1);
    assert_true(v1[0] > 5e5 && v1[0] < 2e6);
    assert_true(v1[1] > 0 && v1[1] < v1[0] && v1[2] < v1[1]);
    shopper_trend_day(&B, &t, 19000, v1);
    assert_true(v1[0] == 0 && v1[1] == 0);
    int c = shopper_trend_top_creator(&t, 20010);
    assert_true(c >= 0 && c < 3);
}

/* ---- the world and orders ------------------------------------------------ */

static tg_world *small_world(uint64_t seed)
{
    tg_world_opts o = {20300, 20390, 300, 80, 5000, 3.0, seed};
    tg_err err = {0};
    tg_world *w = shopper_world_create(&B, &W, &o, &err);
    if (!w)
        fail_msg("world: %s", err.msg);
    return w;
}

static void test_world(void **state)
{
    (void)state;
    tg_world *w = small_world(7);
    assert_int_equal(w->n_products, 80);
    assert_int_equal(w->n_customers, 300);
    assert_true(w->n_fashion > 0 && w->n_trends > w->n_fashion);
    for (int i = 1; i < w->n_products; i++)
        assert_true(w->products[i].launch_day >= w->products[i - 1].launch_day);
    int linked = 0;
    for (int i = 0; i < w->n_products; i++) {
        const tg_product *p = &w->products[i];
        assert_true(p->price > 0 && p->n_tags >= 1 && p->n_tags <= 3);
        assert_null(strchr(p->name, ','));
        if (p->trend >= 0) {
            const tg_trend *t = &w->trends[p->trend];
            linked++;
            assert_string_equal(p->tags[0], t->tag);
            assert_true(p->launch_day >= t->onset + (int64_t)B.launch_lag_days[0]);
            assert_true(p->launch_day <= t->onset + (int64_t)B.launch_lag_days[1]);
            int found = 0;
            for (int k = 0; k < t->n_products; k++)
                found |= w->trend_products[t->first_product + k] == i;
            assert_true(found);
        }
    }
    assert_true(linked > 10 && linked < 50);
    for (int i = 0; i < w->n_trends; i++) {
        assert_true(w->trends[i].tag[0] != '\0');
        assert_null(strchr(w->trends[i].tag, ','));
        assert_true(w->trends[i].creators[0][0] == '@');
        for (int j = i + 1; j < i + 50 && j < w->n_trends; j++)
            assert_string_not_equal(w->trends[i].tag, w->trends[j].tag);
    }
    /* same seed, same world */
    tg_world *w2 = small_world(7);
    assert_int_equal(w2->n_trends, w->n_trends);
    assert_string_equal(w2->products[5].name, w->products[5].name);
    assert_string_equal(w2->trends[w->n_trends - 1].tag,
                        w->trends[w->n_trends - 1].tag);
    shopper_world_free(w2);
    shopper_world_free(w);
}

static void test_orders(void **state)
{
    (void)state;
    tg_world *w = small_world(3);
    tg_rng r;
    tg_rng_seed(&r, 99);
    int n = 0, tiktok = 0, bracketed = 0;
    for (int i = 0; i < w->n_customers; i++) {
        const tg_customer *c = &w->customers[i];
        for (int k = 0; k < 3; k++) {
            tg_order o;
            int64_t day = shopper_draw_day(w, &r, 20300, 20390);
            assert_true(day >= 20300 && day < 20390);
            shopper_draw_order(w, c, day, &r, &o);
            assert_true(o.t >= day * TG_DAY && o.t < (day + 1) * TG_DAY);
            for (int j = 0; j < o.n; j++) {
                const tg_line *l = &o.lines[j];
                const tg_product *p = &w->products[l->product];
                n++;
                assert_true(p->launch_day <= day);
                assert_true(l->size >= p->size_lo && l->size <= p->size_hi);
                assert_true(l->p > 0 && l->p < 1);
                assert_true(l->unit_price <= p->price + 1e-9);
                assert_int_equal(l->ctx.basket_lines, o.n);
                if (o.channel == TG_CHANNEL_TIKTOK) {
                    tiktok++;
                    assert_true(l->ref_trend >= 0);
                    assert_int_equal(p->trend, l->ref_trend);
                } else {
                    assert_int_equal(l->ref_trend, -1);
                }
                if (l->ctx.bracketed > 1)
                    bracketed++;
            }
        }
    }
    assert_true(n > 900);
    assert_true(tiktok > n / 10);
    assert_true(bracketed > 0 && bracketed < n / 2);
    shopper_world_free(w);
}

static void test_size_choice(void **state)
{
    (void)state;
    tg_world *w = small_world(5);
    tg_customer careful, impulsive;
    memset(&careful, 0, sizeof careful);
    careful.segment = TG_SEG_CAREFUL_REPEAT;
    careful.usual_size = 2;
    careful.shoe_size = 38;
    impulsive = careful;
    impulsive.segment = TG_SEG_IMPULSIVE_TIKTOK;
    tg_product p;
    memset(&p, 0, sizeof p);
    p.category = TG_CAT_DRESSES;
    p.size_lo = 0, p.size_hi = 5, p.fit_bias = TG_FIT_RUNS_SMALL;
    p.fit_note = TG_FIT_RUNS_SMALL; /* what shoppers read */
    tg_rng r;
    tg_rng_seed(&r, 1);
    int up_c = 0, up_i = 0;
    for (int i = 0; i < 2000; i++) {
        up_c += shopper_choose_size(w, &careful, &p, &r) == 3;
        up_i += shopper_choose_size(w, &impulsive, &p, &r) == 3;
    }
    assert_true(up_c > 1400);       /* careful buyers read the fit note */
    assert_true(up_i < up_c / 2);
    p.category = TG_CAT_ACCESSORIES, p.size_lo = p.size_hi = 0;
    assert_int_equal(shopper_choose_size(w, &careful, &p, &r), 0);
    shopper_world_free(w);
}

static void test_returns(void **state)
{
    (void)state;
    tg_line l;
    memset(&l, 0, sizeof l);
    l.ctx = base_ctx();
    l.ctx.mismatch = -2;
    l.p = 0.999;
    tg_rng r;
    tg_rng_seed(&r, 11);
    int small = 0, large = 0, n = 0, early = 0;
    for (int i = 0; i < 2000; i++) {
        tg_return ret;
        int64_t t0 = 1780000000;
        if (!shopper_draw_return(&B, &l, t0, &r, &ret))
            continue;
        n++;
        assert_true(ret.t > t0 + TG_DAY && ret.t <= t0 + 30 * TG_DAY);
        early += ret.t < t0 + 10 * TG_DAY;
        small += ret.reason == TG_REASON_TOO_SMALL;
        large += ret.reason == TG_REASON_TOO_LARGE;
        assert_true(ret.condition >= 0 && ret.condition < 3);
        if (ret.condition == 2)
            assert_int_equal(ret.resellable, 0);
    }
    assert_true(n > 1980);
    assert_true(small > n / 2);  /* too small dominates a size-down line */
    assert_true(large < small / 5);
    assert_true(early > n / 2);  /* skewed early */
    l.p = 0.0;
    tg_return ret;
    assert_int_equal(shopper_draw_return(&B, &l, 0, &r, &ret), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_behaviour_loads),
        cmocka_unit_test(test_behaviour_refused),
        cmocka_unit_test(test_truth_monotone),
        cmocka_unit_test(test_trend_cycle),
        cmocka_unit_test(test_world),
        cmocka_unit_test(test_orders),
        cmocka_unit_test(test_size_choice),
        cmocka_unit_test(test_returns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
