/* test_truth.c: what decides never reads what only the shopper model
 * knows. Two stores that differ only in their truth (each line's true
 * return probability) give the same training set, the same app features
 * and the same queue decisions (scored by the store's model, the
 * counterfactuals too) and the same pilot decisions until its first
 * return; a simulated line's features, the engine's input
 * built from them (the riskiest size, the summed risk of the others, the
 * size it would advise) and its decision stay the same when the shopper's
 * true size, the product's true fit and quality and the line's taste
 * change. */
#include <math.h>

#include "demo_store.h"
#include "core/sim_int.h"
#include "trendguard/nudge.h"
#include "trendguard/pilot.h"
#include "trendguard/score.h"
#include "trendguard/shop.h"

static void copy_file(const char *from, const char *to)
{
    char cmd[1000];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    if (system(cmd) != 0)
        fail_msg("cannot copy %s", from);
}

/* Scores the store with its model and decides the queue at `now`. */
static void score_and_decide(const char *db, int64_t now)
{
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    tg_model_info info;
    tg_model *m = score_open_model(s, NULL, &info, &err);
    assert_non_null(m);
    tg_score_result sr;
    tg_explainer *ex = explain_load(NULL, &err);
    assert_non_null(ex);
    assert_int_equal(score_unscored(s, m, &info, ex, NULL, NULL, &sr, &err),
                     TG_OK);
    explain_free(ex);
    tg_nudge_catalog cat;
    assert_int_equal(nudge_catalog_load(NULL, &cat, &err), TG_OK);
    tg_nudge_queue_opts o = {.now = now, .seed = 7};
    tg_nudge_queue_result r;
    assert_int_equal(nudge_store_process_queue(s, &cat, &o, &r, &err), TG_OK);
    if (r.shown < 1)
        fail_msg("%s: %ld decided, none shown", db, r.decided);
    model_free(m);
    store_close(s);
}

/* The live features of the first `n` orders' lines, as carts at their
 * order time. */
static void app_features(const char *db, float *x, int n)
{
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    tg_shop *sh = shop_open(s, 0, &err);
    assert_non_null(sh);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(store_db(s),
        "SELECT p.customer_id, p.product_id, p.size, p.unit_price,"
        " p.ordered_at, cat.code FROM purchases p JOIN products pr"
        " ON pr.id = p.product_id JOIN categories cat ON cat.name ="
        " pr.category ORDER BY p.id LIMIT ?", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int(st, 1, n);
    for (int i = 0; i < n; i++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        tg_cart c = {.customer_id = sqlite3_column_int64(st, 0),
                     .channel = TG_CHANNEL_APP, .n = 1};
        c.line[0].product_id = sqlite3_column_int64(st, 1);
        tg_strlcpy(c.line[0].size, (const char *)sqlite3_column_text(st, 2),
                   sizeof c.line[0].size);
        c.line[0].quantity = 1;
        c.line[0].unit_price = sqlite3_column_double(st, 3);
        c.line[0].view_minutes = NAN;
        c.line[0].category = sqlite3_column_int(st, 5);
        shop_set_now(sh, sqlite3_column_int64(st, 4) + 40 * 86400);
        assert_int_equal(shop_line_features(sh, &c, 0, x + i * TG_NUM_FEATURES,
                                            &err), TG_OK);
    }
    sqlite3_finalize(st);
    shop_free(sh);
    store_close(s);
}

/* The pilot on two stores that differ only in their truth: its engine
 * decides the same at every item, cart and pre-ship check until the first
 * return starts (from then on a return the shopper model settled
 * otherwise may start elsewhere, and its offer spend the day's budget);
 * its shoppers' outcomes differ. */
static void pilot_decisions_ignore_the_truth(const char *a, const char *b)
{
    tg_err err = {0};
    const char *dbs[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        tg_store *s = store_open(dbs[i], 0, &err);
        tg_pilot_opts o;
        pilot_defaults(&o);
        tg_pilot_result r;
        if (pilot_run(s, &o, &r, &err) != TG_OK)
            fail_msg("pilot: %s", err.msg);
        store_close(s);
    }
    tg_store *s = store_open(a, 0, &err);
    char sql[400];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS b", b);
    assert_int_equal(store_exec(s, sql, &err), TG_OK);
    char q[2][500];
    const char *names[2] = {"main", "b"};
    for (int i = 0; i < 2; i++)
        snprintf(q[i], sizeof q[i], "SELECT purchase_id, created_at, nudge,"
                 " status, moment, why FROM %s.interventions WHERE source ="
                 " 'pilot' AND created_at < (SELECT min(created_at) FROM"
                 " (SELECT created_at FROM main.interventions WHERE moment ="
                 " 'return' UNION ALL SELECT created_at FROM b.interventions"
                 " WHERE moment = 'return'))", names[i]);
    assert_true(tu_int(s, "SELECT count(*) FROM (%s)", q[0]) > 20);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM (%s EXCEPT %s)", q[0],
                            q[1]), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM (%s EXCEPT %s)", q[1],
                            q[0]), 0);
    /* Same seed, same draws: only the truth can make an outcome differ
     * (96 of the demo's lines do). */
    assert_true(tu_int(s, "SELECT count(*) FROM main.pilot_lines p JOIN"
                          " b.pilot_lines q USING (purchase_id) WHERE"
                          " p.returned != q.returned") > 0);
    store_close(s);
}

static void store_decisions_ignore_the_truth(void **state)
{
    (void)state;
    char dir[256], a[300], b[300], sql[700];
    tu_tmpdir(dir, sizeof dir);
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "%s/b.db", dir);
    tu_demo_store(dir, a, 4);
    tu_demo_model(a, NULL, 20, 2);
    copy_file(a, b);
    tg_err err = {0};
    tg_store *s = store_open(b, 0, &err);
    /* Only the truth differs: every true probability turned around. */
    assert_int_equal(store_exec(s, "UPDATE truth SET p_return ="
                                   " 1 - p_return", &err), TG_OK);
    store_close(s);
    int64_t now = gen_end_day() * 86400;
    score_and_decide(a, now);
    score_and_decide(b, now);
    s = store_open(a, 0, &err);
    snprintf(sql, sizeof sql, "ATTACH '%s' AS b", b);
    assert_int_equal(store_exec(s, sql, &err), TG_OK);
    /* Everything but the wall-clock times the scoring wrote. */
    static const char *const same[] = {
        "*", "v_training_set",
        "purchase_id, model_version, p_return, drivers", "scores",
        "id, purchase_id, customer_id, score, drivers, nudge, offer,"
        " offer_cost, status, decided_at, why, outcome", "interventions",
        "*", "nudge_context"};
    for (size_t i = 0; i < sizeof same / sizeof *same; i += 2) {
        assert_true(tu_int(s, "SELECT count(*) FROM %s", same[i + 1]) > 0);
        long long d = tu_int(s, "SELECT count(*) FROM (SELECT %s FROM main.%s"
                                " EXCEPT SELECT %s FROM b.%s)", same[i],
                             same[i + 1], same[i], same[i + 1]);
        if (d)
            fail_msg("%lld rows of %s differ", d, same[i + 1]);
    }
    assert_true(tu_int(s, "SELECT count(*) FROM main.truth t JOIN b.truth u"
                          " USING (purchase_id) WHERE t.p_return !="
                          " u.p_return") > 1000);
    store_close(s);
    pilot_decisions_ignore_the_truth(a, b);
    enum { N = 200 };
    float *xa = malloc(N * TG_NUM_FEATURES * sizeof *xa);
    float *xb = malloc(N * TG_NUM_FEATURES * sizeof *xb);
    app_features(a, xa, N);
    app_features(b, xb, N);
    assert_memory_equal(xa, xb, N * TG_NUM_FEATURES * sizeof *xa);
    free(xa);
    free(xb);
    tu_rmrf(dir);
}

/* What the simulation's engine sees of a cart and decides on its first
 * item: each line's features, the engine's input and its decision. */
static void engine_sees(const sim_ctx *s, const sim_arm_state *st,
                        const sim_order *so, const tg_order *o, float *xs,
                        tg_nudge_input *in, tg_nudge_decision *d)
{
    for (int k = 0; k < o->n; k++) {
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            xs[k * TG_NUM_FEATURES + f] = NAN;
        sim_features(s, st, so, o, k, xs + k * TG_NUM_FEATURES);
    }
    sim_item it = {.product = o->lines[0].product, .n = o->n,
                   .lines = {0, 1}, .nudge = -1, .keep_line = -1,
                   .new_size = -1};
    sim_item_input(s, st, so, o, &it, xs, NULL, NULL, in);
    nudge_decide(&st->cat, st->bandit, in, NULL, NULL, NULL, NULL, d);
}

/* A simulated line's features from a world, an arm's history and an
 * order, and what the engine makes of them: the same after every
 * truth-only field of the world changes. */
static void sim_features_ignore_the_truth(void **state)
{
    (void)state;
    tg_behaviour b;
    tg_words words;
    tg_err err = {0};
    assert_int_equal(shopper_behaviour_load("assets/behaviour.json", &b,
                                            &err), TG_OK);
    assert_int_equal(shopper_words_load(&words, NULL, &err), TG_OK);
    tg_world_opts wo = {20000, 20090, 300, 80, 2000, 1, 5};
    tg_world *w = shopper_world_create(&b, &words, &wo, &err);
    assert_non_null(w);
    sim_ctx s;
    memset(&s, 0, sizeof s);
    s.w = w;
    s.b = &b;
    /* No trend data: every trend is "never seen". */
    s.trends = calloc((size_t)w->n_fashion + 1, sizeof *s.trends);
    for (int t = 0; t < w->n_fashion; t++)
        s.trends[t].first = 1, s.trends[t].last = 0;
    sim_arm_state st;
    memset(&st, 0, sizeof st);
    st.hist = calloc((size_t)w->n_customers, sizeof *st.hist);
    st.p_lines = calloc((size_t)w->n_products, sizeof *st.p_lines);
    st.p_returns = calloc((size_t)w->n_products, sizeof *st.p_returns);
    st.p_small = calloc((size_t)w->n_products, sizeof *st.p_small);
    st.p_large = calloc((size_t)w->n_products, sizeof *st.p_large);
    for (int i = 0; i < w->n_products; i++)
        st.p_small[i] = i % 3, st.p_large[i] = i % 2, st.p_lines[i] = 9;
    for (int i = 0; i < w->n_customers; i++)
        st.hist[i].s_obs[0] = i % 4, st.hist[i].s_sum[0] = 2 * (i % 4);
    st.cat_cum[TG_CAT_DRESSES][0] = 30;
    st.cat_cum[TG_CAT_DRESSES][1] = 10;
    tg_nudge_catalog cat;
    assert_int_equal(nudge_catalog_load(NULL, &cat, &err), TG_OK);
    st.kind = TG_SIM_RULES; /* scores with the rule estimate */
    st.cat = cat;
    st.bandit = bandit_create(cat.n, 1, 1);
    for (int i = 0; i < 40; i++) /* answers the bandit has had */
        bandit_update(st.bandit, i % TG_NUM_SEGMENTS, i % 3, i % cat.n,
                      i % 2);
    float x0[TG_NUM_FEATURES], x1[TG_NUM_FEATURES];
    int decided = 0;
    for (int i = 0; i < w->n_customers; i++) {
        int p = (i * 7) % w->n_products;
        sim_order so = {.t = 20050 * TG_DAY + 3600, .customer = i, .n = 1};
        tg_order o;
        memset(&o, 0, sizeof o);
        o.t = so.t;
        o.n = 1;
        o.lines[0].product = p;
        o.lines[0].size = w->products[p].size_lo;
        o.lines[0].ref_trend = -1;
        o.lines[0].unit_price = 20;
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            x0[f] = x1[f] = NAN;
        /* a bracketed item: the same product in the next size too */
        o.n = 1 + (w->products[p].size_hi > w->products[p].size_lo);
        o.lines[1] = o.lines[0];
        o.lines[1].size = o.lines[0].size + 1;
        o.lines[0].ctx.taste = 0.3;
        float xs0[2 * TG_NUM_FEATURES], xs1[2 * TG_NUM_FEATURES];
        tg_nudge_input in0, in1;
        tg_nudge_decision d0, d1;
        engine_sees(&s, &st, &so, &o, xs0, &in0, &d0);
        memcpy(x0, xs0, sizeof x0);
        /* Change what only the shopper model knows. */
        tg_customer *c = &w->customers[i];
        tg_product *pr = &w->products[p];
        c->usual_size = (c->usual_size + 2) % 6;
        c->shoe_size += 3;
        c->dev += 1;
        pr->fit_bias = pr->fit_bias == 1 ? -1 : pr->fit_bias + 1;
        pr->quality = -pr->quality;
        o.lines[0].ctx.taste = -2;
        engine_sees(&s, &st, &so, &o, xs1, &in1, &d1);
        memcpy(x1, xs1, sizeof x1);
        assert_memory_equal(x0, x1, sizeof x0);
        assert_memory_equal(xs0, xs1, (size_t)o.n * sizeof x0);
        assert_memory_equal(&in0, &in1, sizeof in0);
        assert_int_equal(d0.nudge, d1.nudge);
        assert_int_equal(d0.suggested_size, d1.suggested_size);
        assert_true(d0.value == d1.value);
        assert_string_equal(d0.why, d1.why);
        decided += d0.nudge >= 0;
    }
    assert_true(decided > 20);
    bandit_free(st.bandit);
    free(s.trends);
    free(st.hist);
    free(st.p_lines);
    free(st.p_returns);
    free(st.p_small);
    free(st.p_large);
    shopper_world_free(w);
    shopper_words_free(&words);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_decisions_ignore_the_truth),
        cmocka_unit_test(sim_features_ignore_the_truth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
