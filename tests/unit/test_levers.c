/* test_levers.c: the engine's levers beyond the first catalogue and their
 * simulation. The catalogue's new nudges are checked (a what-if off until
 * turned on, each action at its own moment, a fast restock needing a
 * faster route); the pre-selected size is preferred where a size may be
 * pre-selected and never at the cart; a pre-selected size the shopper
 * undoes leaves the line as it was; the fast route is worth something
 * only for an item whose trend the feed shows hot, and raises the resale
 * value only for items whose trend is still hot; the fee lowers later
 * spending in the shopper model; the JSON carries every lever,
 * satisfaction with its interval and the resale value with its split;
 * the sweep covers the new assumptions; the same seed gives the same
 * result with every lever on; an order changed in its order-edit window
 * (a size, a line out) keeps the store whole and refuses once shipped. Expected numbers are worked out by hand
 * from the formulas in nudge.h and sim.h. */
#include "demo_store.h"
#include "nudge_input.h"
#include "sim_fixture.h"

#include "core/sim_int.h"

#include <cjson/cJSON.h>
#include <math.h>

#include "trendguard/shop.h"
#include "trendguard/sim.h"

static tg_nudge_catalog full; /* the shipped catalogue, every nudge */
static tg_behaviour beh;
static tg_words words;
static tg_sim_assume shipped;

static int setup(void **state)
{
    tg_err err = {0};
    load_shipped(state);
    if (nudge_catalog_load(NULL, &full, &err))
        fail_msg("%s", err.msg);
    tu_sim_load(&shipped, &beh, &words);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    shopper_words_free(&words);
    return 0;
}

static int find(const char *id)
{
    int k = nudge_catalog_find(&full, id);
    if (k < 0)
        fail_msg("the catalogue has no '%s'", id);
    return k;
}

/* The shipped text with `from` replaced by `to` refused, naming `field`. */
static void refused(const char *text, const char *from, const char *to,
                    const char *field)
{
    const char *at = strstr(text, from);
    if (!at)
        fail_msg("'%s' is not in the shipped catalogue", from);
    size_t pre = (size_t)(at - text);
    char *bad = malloc(strlen(text) + strlen(to) + 1);
    memcpy(bad, text, pre);
    strcpy(bad + pre, to);
    strcat(bad, at + strlen(from));
    tg_nudge_catalog c;
    tg_err err = {0};
    int rc = nudge_catalog_parse(bad, strlen(bad), "nudges.json", &c, &err);
    if (rc != TG_EDATA || !strstr(err.msg, field))
        fail_msg("'%s' -> '%s': rc %d, '%s' does not name %s", from, to, rc,
                 err.msg, field);
    free(bad);
}

static void catalogue_levers(void **state)
{
    (void)state;
    const tg_nudge_def *pre = &full.nudges[find("preselect_size")];
    assert_int_equal(pre->moment, TG_MOMENT_ITEM);
    assert_int_equal(pre->action, TG_ACTION_PRESELECT_SIZE);
    assert_float_equal(pre->expect_taken, 0.77, 1e-12);
    assert_int_equal(full.nudges[find("pre_ship_check")].moment,
                     TG_MOMENT_ORDER);
    const tg_nudge_def *fast = &full.nudges[find("fast_restock")];
    assert_int_equal(fast->moment, TG_MOMENT_RESTOCK);
    assert_float_equal(fast->expect_hot_days, 7, 1e-12);
    assert_true(full.fast_restock_days < full.restock_days);
    int fee = find("return_fee");
    assert_true(full.nudges[fee].what_if);
    assert_float_equal(full.nudges[fee].fee, 3.0, 1e-12);
    assert_false(nudge_catalog_on(&full, fee)); /* off by default */
    tg_nudge_catalog on = full;
    on.what_if_on = 1u << fee;
    assert_true(nudge_catalog_on(&on, fee));
    assert_true(nudge_catalog_on(&full, find("preselect_size")));
    assert_true(nudge_action_is_the_shops(TG_ACTION_FAST_RESTOCK));
    assert_false(nudge_action_is_the_shops(TG_ACTION_PRESELECT_SIZE));
    char *text = tg_read_file("assets/nudges.json", NULL, 0, NULL);
    assert_non_null(text);
    refused(text, "\"hot_days\": 7", "\"hot_days\": 0", "hot_days");
    refused(text, "\"fee\": 3.0,", "", "fee");
    refused(text, "\"what_if\": true", "\"what_if\": 1", "what_if");
    refused(text, "\"fast_restock_days\": 2", "\"fast_restock_days\": 9",
            "fast_restock_days");
    refused(text, "\"title\": \"Pre-selected size\",\n      \"moment\": "
                  "\"item\"",
            "\"title\": \"Pre-selected size\",\n      \"moment\": \"cart\"",
            "item moment");
    refused(text, "\"action\": \"fast_restock\"", "\"action\": \"badge\"",
            "restock moment");
    free(text);
}

/* The engine prefers pre-selecting the advised size on the item page (the
 * same counterfactual, kept more often: its prior is 0.77, not 0.5), never
 * at the cart, and charges a fee only with the what-if on. */
static void preselect_where_a_size_may_be_preselected(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    tg_nudge_decision d;
    nudge_decide(&full, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, find("preselect_size"));
    assert_int_equal(d.action, TG_ACTION_PRESELECT_SIZE);
    assert_int_equal(d.suggested_size, 2); /* M */
    assert_float_equal(d.sample, 0.77, 1e-12);
    assert_non_null(strstr(d.message, "We picked M:"));
    tg_nudge_value pv, sv;
    nudge_value(&full, NULL, &in, find("preselect_size"), &pv);
    nudge_value(&full, NULL, &in, find("size_advice"), &sv);
    assert_float_equal(pv.gain, sv.gain, 1e-9); /* the same change */
    assert_float_equal(pv.value, 0.77 * pv.gain, 1e-9);
    in.moment = TG_MOMENT_CART;
    nudge_decide(&full, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, find("size_advice"));
    in.moment = TG_MOMENT_ITEM; /* the shopper has picked: too late */
    in.size_picked = 1;
    nudge_decide(&full, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, find("size_advice"));
    /* A serial returner: the fee only as a what-if turned on. */
    tg_nudge_catalog fee = full;
    catalog_without(&fee, "preselect_size");
    catalog_without(&fee, "size_advice");
    size_input(&in);
    in.x[TG_F_cust_prior_return_rate] = 0.8f;
    in.driver[0] = TG_F_cust_prior_return_rate;
    int k = nudge_catalog_find(&fee, "return_fee");
    for (int on = 0; on < 2; on++) {
        fee.what_if_on = on ? 1u << k : 0;
        int seen = 0;
        for (int i = 0; i < fee.n; i++) {
            tg_nudge_catalog one = fee;
            one.n = 1;
            one.nudges[0] = fee.nudges[i];
            one.what_if_on = on && i == k;
            nudge_decide(&one, NULL, &in, NULL, NULL, NULL, NULL, &d);
            seen += i == k && d.nudge == 0;
        }
        assert_int_equal(seen, on);
    }
}

/* A world, and a simulation context on it with assumptions a. */
static tg_world *test_world(sim_ctx *s, tg_sim_opts *o, const tg_sim_assume *a)
{
    tg_err err = {0};
    tg_world_opts wo = {20000, 20180, 300, 120, 0, 1, 5};
    tg_world *w = shopper_world_create(&beh, &words, &wo, &err);
    if (!w)
        fail_msg("world: %s", err.msg);
    memset(o, 0, sizeof *o);
    o->seed = 5;
    o->assume = a;
    memset(s, 0, sizeof *s);
    s->w = w;
    s->b = &beh;
    s->a = a;
    s->o = o;
    return w;
}

/* A shopper who undoes a pre-selected size buys the line as it was: the
 * same size, the same true risk; one who keeps it buys the advised size.
 * The share who keep it: the prompt's odds times the defaults' ratio. */
static void preselect_undone_leaves_the_line(void **state)
{
    (void)state;
    tg_sim_assume a = shipped;
    sim_ctx s;
    tg_sim_opts o;
    tg_world *w = test_world(&s, &o, &a);
    /* 0.45 x 1.0 (casual): odds 0.8182 x 3.43 = 2.8064 -> 0.7373 */
    double keep = sim_accept_rate(&s, TG_ACTION_PRESELECT_SIZE, TG_SEG_CASUAL);
    assert_float_equal(keep, 2.80636 / 3.80636, 1e-4);
    assert_float_equal(sim_accept_rate(&s, TG_ACTION_FAST_RESTOCK, 0), 1,
                       0);
    sim_arm_state st;
    memset(&st, 0, sizeof st);
    tg_sim_result r;
    memset(&r, 0, sizeof r);
    s.r = &r;
    int checked = 0;
    for (int i = 0; i < w->n_customers && checked < 30; i++) {
        const tg_customer *c = &w->customers[i];
        const tg_product *pr = &w->products[(i * 7) % w->n_products];
        int fits = c->usual_size - pr->fit_bias;
        if (pr->category == TG_CAT_SHOES || fits <= pr->size_lo ||
            fits >= pr->size_hi)
            continue;
        tg_order ord;
        memset(&ord, 0, sizeof ord);
        ord.t = 20050 * TG_DAY + 14 * 3600;
        ord.n = 1;
        ord.lines[0] = (tg_line){.product = (int)(pr - w->products),
                                 .size = fits, .quantity = 1,
                                 .unit_price = 30, .ref_trend = -1};
        shopper_order_finish(w, c, &ord);
        double before = ord.lines[0].p;
        tg_nudge_decision d;
        memset(&d, 0, sizeof d);
        d.action = TG_ACTION_PRESELECT_SIZE;
        d.suggested_size = fits + 1;
        for (int keeps = 0; keeps < 2; keeps++) {
            a.accept[TG_ACTION_SWITCH_SIZE] = keeps; /* 0: all undo */
            sim_item it = {.product = ord.lines[0].product, .n = 1,
                           .nudge = -1, .keep_line = -1, .new_size = -1};
            double penalty = 0;
            sim_show(&s, &st, &ord, c, 1, 0, &d, NULL, NULL, &it,
                     &r.arm[TG_SIM_ENGINE], &penalty);
            tg_order after = ord;
            if (it.new_size >= 0)
                after.lines[0].size = it.new_size;
            shopper_order_finish(w, c, &after);
            if (!keeps) {
                assert_false(it.accepted);
                assert_int_equal(it.new_size, -1);
                assert_int_equal(it.keep_line, -1);
                assert_false(it.lost || it.later_days);
                assert_true(after.lines[0].p == before);
                assert_float_equal(penalty, a.sat_shown + a.sat_declined,
                                   1e-12);
            } else {
                assert_true(it.accepted);
                assert_int_equal(it.new_size, fits + 1);
                assert_true(after.lines[0].p > before);
            }
        }
        checked++;
    }
    assert_int_equal(checked, 30);
    shopper_world_free(w);
}

/* The engine routes a return fast only when the feed shows its trend hot
 * and the item is worth the route: 0.45 x 40 x (1.0 - 0.7) x (exp(-2/7) -
 * exp(-7/7)) - 1.00 = 1.0714; the shopper model then finds the fast route
 * worth more only where the trend is still hot on the day the item is
 * back on sale and has faded by the usual route's day. */
static void fast_route_only_for_hot_trends(void **state)
{
    (void)state;
    tg_nudge_input in;
    nudge_input_init(&in);
    in.moment = TG_MOMENT_RESTOCK;
    in.score = 0.5;
    in.x[TG_F_price] = 40;
    in.x[TG_F_category] = TG_CAT_DRESSES;
    in.x[TG_F_trend_days_since_peak] = 1;
    tg_nudge_decision d;
    nudge_decide(&full, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, find("fast_restock"));
    assert_float_equal(d.value, 5.4 * (exp(-2.0 / 7) - exp(-1.0)) - 1,
                       1e-9);
    assert_float_equal(d.sample, 1, 0); /* the shop's own choice */
    in.x[TG_F_trend_days_since_peak] = 5; /* faded: nothing to gain */
    nudge_decide(&full, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, -1);
    in.x[TG_F_trend_days_since_peak] = NAN; /* evergreen */
    nudge_decide(&full, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, -1);
    in.x[TG_F_trend_days_since_peak] = 0;
    in.x[TG_F_price] = 5; /* not worth the route's cost */
    nudge_decide(&full, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, -1);
    /* The shopper model, by the trend's true phase. */
    sim_ctx s;
    tg_sim_opts o;
    tg_world *w = test_world(&s, &o, &shipped);
    double fast = shipped.fast_restock_days, slow = shipped.restock_days;
    int raised = 0, faded = 0, evergreen = 0;
    for (int k = 0; k < w->n_products; k++) {
        const tg_product *p = &w->products[k];
        for (int64_t day = 20000; day < 20180; day++) {
            int64_t t = day * TG_DAY;
            double vf = sim_resale_share(&s, p, t, 1, fast);
            double vs = sim_resale_share(&s, p, t, 1, slow);
            assert_true(vf >= vs);
            if (p->trend < 0) {
                assert_true(vf == vs);
                evergreen++;
                continue;
            }
            double dap;
            const tg_trend *tr = &w->trends[p->trend];
            int pf = shopper_trend_phase(&beh, tr, (double)day + fast, &dap);
            int ps = shopper_trend_phase(&beh, tr, (double)day + slow, &dap);
            int hot_fast = pf == TG_PHASE_RISING || pf == TG_PHASE_PEAK;
            if (pf == TG_PHASE_DECLINE && ps == TG_PHASE_DECLINE) {
                assert_true(vf == vs); /* past its peak all along */
                faded++;
            }
            if (hot_fast && ps == TG_PHASE_DECLINE) {
                assert_true(vf > vs);
                raised++;
            }
            if (vf > vs)
                assert_true(hot_fast || ps == TG_PHASE_OBSOLETE);
        }
    }
    assert_true(raised > 0 && faded > 0 && evergreen > 0);
    shopper_world_free(w);
}

/* A run of 6 months with catalogue c and assumptions a. */
static void run(const tg_nudge_catalog *c, const tg_sim_assume *a,
                int shoppers, uint64_t seed, tg_sim_result *r)
{
    tg_sim_opts o;
    memset(&o, 0, sizeof o);
    o.months = 6;
    o.shoppers = shoppers;
    o.seed = seed;
    o.threads = 2;
    o.bootstrap = 100;
    o.catalog = c;
    o.assume = a;
    o.behaviour = &beh;
    o.words = &words;
    tg_err err = {0};
    if (sim_run(&o, r, &err) != TG_OK)
        fail_msg("sim: %s", err.msg);
}

/* The full catalogue with the fee turned on, its threshold lowered so
 * that a small run has fee-payers. */
static void fee_catalog(tg_nudge_catalog *c)
{
    *c = full;
    int k = nudge_catalog_find(c, "return_fee");
    c->what_if_on = 1u << k;
    c->nudges[k].when[0].value = 0.4;
}

/* A shopper who paid a fee stays away from later carts (the share
 * fee.later_cut), never from earlier ones; in a run, the fee-payers' lost
 * orders lower the purchases and their margin counts against the net.
 * Off by default, the fee is never charged. */
static void fee_lowers_later_spending(void **state)
{
    (void)state;
    tg_sim_assume a = shipped;
    sim_ctx s;
    tg_sim_opts o;
    tg_world *w = test_world(&s, &o, &a);
    int64_t fee_day[1] = {20050};
    sim_arm_state st;
    memset(&st, 0, sizeof st);
    st.fee_day = fee_day;
    sim_order so = {.t = 20049 * TG_DAY, .customer = 0};
    a.fee_later_cut = 1;
    assert_false(sim_stays_away(&s, &st, &so, 9)); /* before the fee */
    so.t = 20051 * TG_DAY;
    assert_true(sim_stays_away(&s, &st, &so, 9));
    a.fee_later_cut = 0;
    assert_false(sim_stays_away(&s, &st, &so, 9));
    shopper_world_free(w);
    tg_nudge_catalog c;
    fee_catalog(&c);
    tg_sim_result cut, kept, off;
    a = shipped;
    a.fee_keeps = 0;
    a.fee_later_cut = 1;
    run(&c, &a, 3000, 4, &cut);
    a.fee_later_cut = 0;
    run(&c, &a, 3000, 4, &kept);
    run(&full, &shipped, 3000, 4, &off);
    const tg_sim_arm *t1 = &cut.arm[TG_SIM_ENGINE], *t0 = &kept.arm[TG_SIM_ENGINE];
    print_message("fees paid %ld, orders lost %ld (margin %.0f); purchases "
                  "%ld against %ld\n", t1->fees_paid, t1->orders_lost,
                  t1->lost_later_margin, t1->purchases, t0->purchases);
    assert_true(t1->fees_paid > 10);
    assert_true(t1->orders_lost > 0 && t1->lost_later_margin > 0);
    assert_int_equal(t0->orders_lost, 0);
    assert_true(t1->purchases < t0->purchases);
    assert_true(cut.cmp[TG_SIM_ENGINE].roi.lost_later_margin > 0);
    assert_true(cut.cmp[TG_SIM_ENGINE].roi.net <
                kept.cmp[TG_SIM_ENGINE].roi.net);
    assert_true(t1->fee_income > 0 &&
                fabs(t1->fee_income - 3.0 * (double)t1->fees_paid) < 1e-6);
    assert_int_equal(off.arm[TG_SIM_ENGINE].fees_paid, 0);
    assert_int_equal(off.arm[TG_SIM_ENGINE].orders_lost, 0);
    sim_result_free(&cut);
    sim_result_free(&kept);
    sim_result_free(&off);
}

static double num(const cJSON *o, const char *path)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *v = o;
    for (char *k = strtok(buf, "."); k; k = strtok(NULL, "."))
        v = cJSON_GetObjectItemCaseSensitive(v, k);
    if (!cJSON_IsNumber(v))
        fail_msg("no number at %s", path);
    return v->valuedouble;
}

/* Every lever in by_nudge and nudges, satisfaction's change inside its
 * interval, the resale value recovered split into returns avoided and
 * the fast restock (adding up, here and scaled to TrendBuy); the same
 * seed the same JSON with every lever on. */
static void json_carries_the_levers(void **state)
{
    (void)state;
    tg_nudge_catalog c;
    fee_catalog(&c);
    tg_sim_result r1, r2;
    run(&c, &shipped, 4000, 2, &r1);
    run(&c, &shipped, 4000, 2, &r2);
    char *a = sim_result_json(&r1, &shipped), *b = sim_result_json(&r2,
                                                                   &shipped);
    assert_string_equal(a, b);
    cJSON *j = cJSON_Parse(a);
    assert_non_null(j);
    static const char *const ids[] = {"preselect_size", "pre_ship_check",
                                      "fast_restock", "return_fee"};
    for (size_t i = 0; i < 4; i++) {
        char p[64];
        snprintf(p, sizeof p, "by_nudge.%s", ids[i]);
        num(j, p);
        snprintf(p, sizeof p, "nudges.%s.shown", ids[i]);
        if (!(num(j, p) > 0))
            fail_msg("%s: never chosen", ids[i]);
    }
    double ch = num(j, "satisfaction.change");
    cJSON *ci = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "satisfaction"),
                                    "ci95");
    assert_int_equal(cJSON_GetArraySize(ci), 2);
    double lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
    double hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
    assert_true(lo <= ch && ch <= hi && lo < hi);
    assert_float_equal(num(j, "satisfaction.target_change"), 0.28, 1e-9);
    assert_float_equal(
        ch, num(j, "satisfaction.treatment") /
                    num(j, "satisfaction.without_nudges") - 1, 2e-5);
    double y = num(j, "resale_recovered.per_year_trendbuy");
    assert_float_equal(
        y, num(j, "resale_recovered.per_year_trendbuy_split.returns_avoided") +
               num(j, "resale_recovered.per_year_trendbuy_split."
                      "faster_restock"), 0.05);
    assert_float_equal(num(j, "resale_recovered.total"),
                       num(j, "resale_recovered.split.returns_avoided") +
                           num(j, "resale_recovered.split.faster_restock"),
                       0.05);
    assert_true(num(j, "resale_recovered.split.faster_restock") != 0);
    assert_float_equal(num(j, "resale_recovered.per_month") * 6,
                       num(j, "resale_recovered.total"), 0.1);
    assert_float_equal(num(j, "resale_recovered.six_months_trendbuy") * 2, y,
                       0.05);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(
        cJSON_GetObjectItem(j, "what_if"), "return_fee")));
    cJSON_Delete(j);
    free(a);
    free(b);
    sim_result_free(&r1);
    sim_result_free(&r2);
}

static const tg_sweep_row *row(const tg_sweep *sw, const char *name)
{
    for (int i = 0; i < sw->n; i++)
        if (!strcmp(sw->rows[i].p.name, name))
            return &sw->rows[i];
    return NULL;
}

/* The sweep moves the new assumptions and follows satisfaction and the
 * resale value too: a satisfaction weight moves satisfaction, never a
 * return; a restock route moves the resale value; the fee's assumptions
 * wait for the what-if. */
static void sweep_covers_the_levers(void **state)
{
    (void)state;
    tg_sim_opts o;
    memset(&o, 0, sizeof o);
    o.months = 2;
    o.shoppers = 600;
    o.seed = 3;
    o.catalog = &full;
    o.assume = &shipped;
    o.behaviour = &beh;
    o.words = &words;
    static tg_sweep sw;
    tg_err err = {0};
    assert_int_equal(sim_sweep(&o, 1, &sw, &err), TG_OK);
    static const char *const swept[] = {
        "defaults.keep_odds_ratio", "accept.pre_ship_check",
        "money.fast_restock_days", "money.fast_restock_cost",
        "satisfaction.waited", "satisfaction.kept", "money.resale_decline"};
    for (size_t i = 0; i < sizeof swept / sizeof *swept; i++)
        if (!row(&sw, swept[i]))
            fail_msg("the sweep left out %s", swept[i]);
    assert_null(row(&sw, "fee.later_cut")); /* the what-if is off */
    int fixed = 0;
    for (int i = 0; i < sw.n_fixed; i++)
        fixed += !strcmp(sw.fixed[i].name, "fee.later_cut");
    assert_int_equal(fixed, 1);
    const tg_sweep_row *k = row(&sw, "satisfaction.kept");
    assert_true(k->reduction_low == k->reduction_high);
    assert_true(k->at_low.satisfaction != k->at_high.satisfaction);
    const tg_sweep_row *h = row(&sw, "money.resale_decline");
    assert_true(h->reduction_low == h->reduction_high);
    assert_true(h->at_low.resale != h->at_high.resale);
    char *text = sim_sweep_json(&sw);
    cJSON *j = cJSON_Parse(text);
    cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "assumptions"),
                                      0);
    assert_non_null(cJSON_GetObjectItem(first, "satisfaction_low"));
    assert_non_null(cJSON_GetObjectItem(first, "resale_high"));
    assert_non_null(cJSON_GetObjectItem(j, "base_satisfaction"));
    cJSON_Delete(j);
    free(text);
}

static long long one(tg_store *s, const char *fmt, long long id)
{
    return tu_int(s, fmt, id);
}

/* The store side of the pre-ship check: a line's size changed with its
 * new score, a duplicate size taken out of the order (its follow-ups kept
 * about the order), the store whole; refused for an unknown size, a
 * returned line and once the window has closed. */
static void order_edit_window(void **state)
{
    (void)state;
    char dir[256], db[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(db, sizeof db, "%s/t.db", dir);
    tu_demo_store(dir, db, 3);
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    assert_non_null(s);
    assert_int_equal(store_exec(s, "INSERT INTO model_registry(version, "
                                   "path, sha256, features, threshold, "
                                   "trained_at) VALUES(5, '/m', 'x', '[]', "
                                   "0.5, 0)", &err), TG_OK);
    tg_shop *sh = shop_open(s, 0, &err);
    assert_non_null(sh);
    int64_t product = tu_int(s, "SELECT id FROM products WHERE category = "
                                "'dresses' AND '|' || sizes || '|' LIKE "
                                "'%%|S|M|L|%%' LIMIT 1");
    int64_t customer = tu_int(s, "SELECT id FROM customers LIMIT 1");
    tg_cart c = {.customer_id = customer, .channel = TG_CHANNEL_APP, .n = 2};
    for (int i = 0; i < 2; i++) {
        c.line[i] = (tg_cart_line){.product_id = product, .quantity = 1,
                                   .unit_price = 30, .view_minutes = 2,
                                   .category = TG_CAT_DRESSES};
        tg_strlcpy(c.line[i].size, i ? "L" : "M", sizeof c.line[i].size);
    }
    tg_line_score sc[2] = {{0.8, NULL}, {0.7, NULL}};
    int64_t ids[2];
    char code[40];
    assert_int_equal(shop_checkout(sh, &c, sc, 5, code, sizeof code, ids,
                                   &err), TG_OK);
    assert_int_equal(one(s, "SELECT count(*) FROM interventions WHERE "
                            "purchase_id = %lld", (long long)ids[1]), 1);
    tg_line_score now = {0.4, "[]"};
    assert_int_equal(shop_edit_line(sh, ids[0], "42", &now, 5, 3600, &err),
                     TG_EDATA);
    assert_non_null(strstr(err.msg, "42"));
    assert_int_equal(shop_edit_line(sh, ids[0], "S", &now, 5, 3600, &err),
                     TG_OK);
    assert_int_equal(one(s, "SELECT size = 'S' FROM purchases WHERE id = "
                            "%lld", (long long)ids[0]), 1);
    assert_int_equal(one(s, "SELECT p_return * 10 FROM scores WHERE "
                            "purchase_id = %lld", (long long)ids[0]), 4);
    assert_int_equal(shop_edit_line(sh, ids[1], NULL, NULL, 0, 3600, &err),
                     TG_OK);
    assert_int_equal(one(s, "SELECT count(*) FROM purchases WHERE id = "
                            "%lld", (long long)ids[1]), 0);
    assert_int_equal(one(s, "SELECT count(*) FROM scores WHERE purchase_id "
                            "= %lld", (long long)ids[1]), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE "
                               "purchase_id IS NULL AND cart_ref = '%s'",
                            code), 1);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM pragma_foreign_key_check"),
                     0);
    assert_int_equal(shop_edit_line(sh, ids[1], "S", NULL, 0, 3600, &err),
                     TG_ENOINPUT);
    shop_set_now(sh, 7200 + one(s, "SELECT ordered_at FROM purchases WHERE "
                                   "id = %lld", (long long)ids[0]));
    /* two hours later: shipped */
    assert_int_equal(shop_edit_line(sh, ids[0], "M", NULL, 0, 3600, &err),
                     TG_EDATA);
    assert_non_null(strstr(err.msg, "shipped"));
    assert_int_equal(shop_return(sh, ids[0], "too_small", NULL, NULL, &err),
                     TG_OK);
    assert_int_equal(shop_edit_line(sh, ids[0], "M", NULL, 0, 1000000000,
                                    &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "returned"));
    shop_free(sh);
    store_close(s);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_levers),
        cmocka_unit_test(preselect_where_a_size_may_be_preselected),
        cmocka_unit_test(preselect_undone_leaves_the_line),
        cmocka_unit_test(fast_route_only_for_hot_trends),
        cmocka_unit_test(fee_lowers_later_spending),
        cmocka_unit_test(json_carries_the_levers),
        cmocka_unit_test(sweep_covers_the_levers),
        cmocka_unit_test(order_edit_window),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
