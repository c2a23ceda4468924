/* test_risk.c: the one risk path (risk.h): contributions of model features
 * that map to one store feature add up; the drivers' JSON reads back as
 * written; the rule-based estimate names its rules; and on a scored demo
 * store the app's meter (the session's risk of a line, from the shop's
 * live features) gives the same probability and the same drivers as
 * `score` stored for that line, and the Trending screen's badges, priced
 * on a worker with a connection of its own, are the meter's numbers
 * after the cart and the shopper change. */
#include "demo_store.h"

#include <math.h>

#include "trendguard/risk.h"
#include "trendguard/score.h"
#include "tui/badges.h"
#include "tui/session.h"

/* tiny.json (tests/fixtures/models/README.md) with both of its features
 * read from one store feature: at 2, age adds 0.125 and size nothing, so
 * the feature's contribution is their sum, not the last one's. */
static void one_feature_contributions_add_up(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_model *m = model_load("tests/fixtures/models/tiny.json", &err);
    assert_non_null(m);
    int map[2] = {TG_F_price, TG_F_price};
    tg_risk_scorer *rs = risk_scorer_new(m, map, NULL, &err);
    assert_non_null(rs);
    float x[TG_NUM_FEATURES];
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        x[f] = NAN;
    x[TG_F_price] = 2;
    tg_risk r;
    assert_int_equal(risk_score(rs, x, &r, &err), TG_OK);
    float row[2] = {2, 2}, mc[3];
    assert_int_equal(model_contribs(m, row, mc, &err), TG_OK);
    assert_float_equal(r.p, model_predict(m, row), 0);
    assert_true(risk_probability(rs, x) == r.p); /* the badges' figure */
    assert_int_equal(r.n_drivers, 1);
    assert_int_equal(r.driver[0], TG_F_price);
    assert_float_equal(r.contribution[0], mc[0] + mc[1], 1e-7);
    assert_float_equal(r.contribution[0], 0.125, 1e-6);
    assert_int_equal(r.n_reasons, 0); /* no explainer: no words */
    risk_scorer_free(rs);
    model_free(m);
}

static void drivers_json_reads_back(void **state)
{
    (void)state;
    tg_risk r = {0};
    int feats[3] = {TG_F_sizes_of_item, TG_F_view_minutes, TG_F_price};
    float con[3] = {0.51234f, 0.25f, 0.125f};
    for (int i = 0; i < 3; i++) {
        r.reasons[i].feature = feats[i];
        r.reasons[i].contribution = con[i];
        snprintf(r.reasons[i].text, sizeof r.reasons[i].text, "reason %d", i);
    }
    r.n_reasons = 3;
    char *json = risk_drivers_json(&r);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"feature\":\"sizes_of_item\""));
    assert_non_null(strstr(json, "\"contribution\":0.5123"));
    int d[8];
    float c[8];
    assert_int_equal(risk_drivers_read(json, d, c, 8), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(d[i], feats[i]);
        assert_float_equal(c[i], round(con[i] * 1e4) / 1e4, 1e-7);
    }
    assert_int_equal(risk_drivers_read(json, d, c, 2), 2);
    free(json);
    assert_int_equal(risk_drivers_read("[{\"feature\":\"nope\","
                                       "\"contribution\":1}]", d, c, 8), 0);
    assert_int_equal(risk_drivers_read("not json", d, c, 8), 0);
    assert_int_equal(risk_drivers_read(NULL, d, c, 8), 0);
}

static void rules_name_their_drivers(void **state)
{
    (void)state;
    tg_nudge_catalog cat;
    tg_err err = {0};
    assert_int_equal(nudge_catalog_load(NULL, &cat, &err), TG_OK);
    float x[TG_NUM_FEATURES];
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        x[f] = NAN;
    x[TG_F_sizes_of_item] = 3;
    x[TG_F_view_minutes] = 1;
    tg_risk r;
    risk_rules(&cat, NULL, x, &r);
    assert_int_equal(r.from_rules, 1);
    assert_true(r.p > 0 && r.p < 1);
    assert_true(r.n_drivers >= 1);
    assert_int_equal(r.n_reasons, r.n_drivers < 3 ? r.n_drivers : 3);
    assert_int_equal(r.reasons[0].feature, r.driver[0]);
    assert_string_equal(r.reasons[0].text, features_doc(r.driver[0]));
}

/* ---- the app's meter against `score` ---------------------------------- */

static char dir[1024], db[1100];

static const char SQL_ORDER_LINES[] =
    "SELECT q.id, q.product_id, q.size, q.quantity, q.unit_price,"
    " q.discount_pct, q.view_minutes, q.customer_id, q.channel, q.payment,"
    " q.ordered_at, COALESCE(q.ref_hashtag_id, 0)"
    " FROM purchases p JOIN purchases q"
    " ON q.order_code = p.order_code WHERE p.id = ? ORDER BY q.id";

/* The cart of line id's whole order as the app would hold it (the TikTok
 * video the line came from as the cart's), the line's index in it and the
 * order's time. */
static int order_cart(sqlite3_stmt *st, int64_t id, tg_cart *cart,
                      int64_t *at)
{
    memset(cart, 0, sizeof *cart);
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    int me = -1;
    while (sqlite3_step(st) == SQLITE_ROW && cart->n < TG_CART_MAX) {
        tg_cart_line *l = &cart->line[cart->n];
        if (sqlite3_column_int64(st, 0) == id) {
            me = cart->n;
            cart->ref_hashtag_id = sqlite3_column_int64(st, 11);
        }
        l->product_id = sqlite3_column_int64(st, 1);
        const char *size = (const char *)sqlite3_column_text(st, 2);
        tg_strlcpy(l->size, size ? size : "", sizeof l->size);
        l->quantity = sqlite3_column_int(st, 3);
        l->unit_price = sqlite3_column_double(st, 4);
        l->discount_pct = sqlite3_column_double(st, 5);
        l->view_minutes = sqlite3_column_type(st, 6) == SQLITE_NULL
                              ? NAN : sqlite3_column_double(st, 6);
        cart->customer_id = sqlite3_column_int64(st, 7);
        cart->channel = features_code(tg_channel_names, TG_NUM_CHANNELS,
                                      (const char *)sqlite3_column_text(st,
                                                                        8));
        cart->pay_later = strcmp((const char *)sqlite3_column_text(st, 9),
                                 "paylater") == 0;
        *at = sqlite3_column_int64(st, 10);
        cart->n++;
    }
    assert_true(me >= 0);
    return me;
}

static int make_store(void **state)
{
    (void)state;
    tu_tmpdir(dir, sizeof dir);
    snprintf(db, sizeof db, "%s/risk.db", dir);
    char model[1100];
    snprintf(model, sizeof model, "%s/model.json", dir);
    tu_demo_store(dir, db, 11);
    tu_demo_model(db, model, 30, 1);
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    tg_model_info info;
    tg_model *m = s ? score_open_model(s, NULL, &info, &err) : NULL;
    tg_explainer *ex = explain_load(NULL, &err);
    tg_score_result sr;
    if (!m || !ex || score_unscored(s, m, &info, ex, NULL, NULL, &sr,
                                    &err) != TG_OK)
        fail_msg("scoring: %s", err.msg);
    /* The staging went to disk and the connection is back in memory. */
    assert_int_equal(store_count(s, "PRAGMA temp_store"), 2);
    explain_free(ex);
    model_free(m);
    store_close(s);
    return 0;
}

static int drop_store(void **state)
{
    (void)state;
    tu_rmrf(dir);
    return 0;
}

/* The app's session on the scored demo store, with its model (one at a
 * time: it keeps its options). */
static session *open_session(const char *name)
{
    static tui_opts o;
    o = (tui_opts){.db = db, .session = name, .offline = 1};
    tg_err err = {0};
    session *s = session_open(&o, &err);
    if (!s || !s->scorer)
        fail_msg("session: %s", s ? "no model" : err.msg);
    return s;
}

/* Each sampled line: the session's risk of it, as the meter shows it,
 * against the score row; exactly equal where the shop's features equal
 * the training set's (all but a few, see test_shop), within 1e-6 else. */
static void meter_and_score_agree(void **state)
{
    (void)state;
    session *s = open_session("risk-test");
    sqlite3 *h = store_db(s->store);
    sqlite3_stmt *order = NULL, *sample = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, SQL_ORDER_LINES, -1, &order,
                                        NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT purchase_id, p_return,"
                                           " drivers FROM scores"
                                           " WHERE purchase_id % 13 = 0",
                                        -1, &sample, NULL), SQLITE_OK);
    long lines = 0, exact = 0, with_drivers = 0;
    while (sqlite3_step(sample) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(sample, 0), at = 0;
        double p = sqlite3_column_double(sample, 1);
        const char *stored = (const char *)sqlite3_column_text(sample, 2);
        tg_cart cart;
        int i = order_cart(order, id, &cart, &at);
        shop_set_now(s->shop, at);
        line_risk lr;
        session_risk_line(s, &cart, i, &lr);
        char *json = risk_drivers_json(&lr.risk);
        assert_non_null(json);
        int same = lr.risk.p == p && stored && strcmp(json, stored) == 0;
        if (!same) {
            /* The same drivers, the probability within 1e-6. */
            int d1[8], d2[8];
            float c1[8], c2[8];
            int n1 = risk_drivers_read(json, d1, c1, 8);
            int n2 = risk_drivers_read(stored, d2, c2, 8);
            if (fabs(lr.risk.p - p) > 1e-6 || n1 != n2 ||
                memcmp(d1, d2, (size_t)n1 * sizeof *d1) != 0) {
                fail_msg("line %lld: meter %.9g %s, score %.9g %s",
                         (long long)id, lr.risk.p, json, p,
                         stored ? stored : "(none)");
            }
        }
        exact += same;
        with_drivers += lr.risk.n_reasons > 0;
        lines++;
        free(json);
    }
    sqlite3_finalize(sample);
    sqlite3_finalize(order);
    print_message("%ld lines: %ld identical, %ld with reasons\n", lines,
                  exact, with_drivers);
    assert_true(lines >= 1000);
    assert_true(with_drivers >= lines / 2);
    assert_true(exact >= lines - lines / 100);
    session_close(s);
}

/* The badges of the hottest items, priced on the worker, against the
 * session's risk of each added in the shopper's usual size (what the
 * screen priced on its own thread before, read here first, before the
 * worker's reading is handed to the session): identical. Returns how
 * many of them differ from before[], and keeps them there. */
static int badges_are_the_meters(session *s, double *before)
{
    int n = s->n_hot < BADGES_MAX ? s->n_hot : BADGES_MAX, idx[BADGES_MAX];
    double meter[BADGES_MAX];
    for (int k = 0; k < n; k++) {
        idx[k] = n - 1 - k; /* any order: each comes back with its index */
        const tg_shop_item *it = &s->hot[idx[k]];
        int size = session_usual_size(s, it);
        line_risk r;
        session_risk_if_added(s, it, size >= 0 ? it->sizes[size] : "", 1, 0,
                              &r);
        meter[idx[k]] = r.risk.p;
    }
    badges *b = NULL;
    tg_err err = {0};
    assert_int_equal(badges_start(&b, s, 7, idx, n, &err), TG_OK);
    unsigned gen = 0;
    int got_idx[BADGES_MAX];
    double p[BADGES_MAX];
    assert_int_equal(badges_take(b, s->shop, &gen, got_idx, p, &err), n);
    assert_int_equal(err.code, TG_OK);
    assert_int_equal(gen, 7);
    int changed = 0;
    for (int k = 0; k < n; k++) {
        int i = got_idx[k];
        if (p[k] != meter[i])
            fail_msg("item %lld: badge %.17g, meter %.17g",
                     (long long)s->hot[i].product_id, p[k], meter[i]);
        changed += before[i] != p[k];
        before[i] = p[k];
    }
    badges_free(b);
    return changed;
}

static void badges_are_the_meters_numbers(void **state)
{
    (void)state;
    session *s = open_session("badges-test");
    tg_err err = {0};
    tg_persona who[2];
    int got = 0;
    assert_int_equal(shop_personas(s->shop, who, 2, &got, &err), TG_OK);
    assert_int_equal(got, 2);
    session_shop_as(s, &who[0]);
    session_hot_first(s);
    assert_true(s->n_hot >= 10);
    double p[SESSION_MAX_HOT] = {0};
    badges_are_the_meters(s, p);
    /* Two sizes of one item and another item in the cart: the basket's
     * features move most badges. */
    const tg_shop_item *a = &s->hot[0], *c = &s->hot[1];
    assert_true(a->n_sizes >= 2);
    assert_int_equal(session_cart_add(s, a, a->sizes[0], 1, 2), TG_OK);
    assert_int_equal(session_cart_add(s, a, a->sizes[1], 1, 2), TG_OK);
    assert_int_equal(session_cart_add(s, c, "", 2, 1), TG_OK);
    assert_true(badges_are_the_meters(s, p) > 0);
    session_shop_as(s, &who[1]); /* another shopper, the same cart */
    assert_true(badges_are_the_meters(s, p) > 0);
    session_close(s);
}

/* A risk's figure and its band agree: never rounded across a limit. */
static void figures_agree_with_their_bands(void **state)
{
    (void)state;
    tg_nudge_catalog c;
    tg_err err = {0};
    assert_int_equal(nudge_catalog_load(NULL, &c, &err), TG_OK);
    assert_float_equal(c.band_medium, 0.25, 0);
    static const struct {
        double p;
        int decimals;
        double figure;
        int band;
    } cases[] = {
        {0.246, 0, 24, TG_BAND_LOW},  /* not "25% low" */
        {0.2449, 0, 24, TG_BAND_LOW},
        {0.25, 0, 25, TG_BAND_MEDIUM},
        {0.2501, 0, 25, TG_BAND_MEDIUM},
        {0.5499, 0, 54, TG_BAND_MEDIUM},
        {0.55, 0, 55, TG_BAND_HIGH},
        {0.996, 0, 100, TG_BAND_HIGH},
        {0.004, 0, 0, TG_BAND_LOW},
        {0.24996, 1, 24.9, TG_BAND_LOW},
        {0.2496, 1, 25.0 - 0.1, TG_BAND_LOW},
        {0.3333, 1, 33.3, TG_BAND_MEDIUM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int band = -1;
        double f = risk_figure(&c, cases[i].p, cases[i].decimals, &band);
        if (fabs(f - cases[i].figure) > 1e-9 || band != cases[i].band)
            fail_msg("%g: %g%% band %d", cases[i].p, f, band);
    }
    /* every probability: the figure lies in the probability's band */
    for (int k = 0; k <= 1000000; k++) {
        double p = k / 1e6;
        int band;
        for (int d = 0; d <= 1; d++) {
            double f = risk_figure(&c, p, d, &band);
            if (nudge_band(&c, f / 100) != band || fabs(f - p * 100) > 1)
                fail_msg("%.6f: %g%% with %d decimals", p, f, d);
        }
    }
    int band;
    assert_true(isnan(risk_figure(&c, NAN, 0, &band)));
    assert_int_equal(band, TG_BAND_LOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_agree_with_their_bands),
        cmocka_unit_test(one_feature_contributions_add_up),
        cmocka_unit_test(drivers_json_reads_back),
        cmocka_unit_test(rules_name_their_drivers),
        cmocka_unit_test_setup_teardown(meter_and_score_agree, make_store,
                                        drop_store),
        cmocka_unit_test_setup_teardown(badges_are_the_meters_numbers,
                                        make_store, drop_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
