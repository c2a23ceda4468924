/* test_nudge.c: the intervention engine: the shipped catalogue and the
 * refusal of broken ones (field named), the choices (low risk gets
 * nothing, size advice when size drives the risk with its message filled
 * from the data, the bracketing prompt, the return moment), caps per
 * session and per shopper, declines, the daily offer budget, the
 * rule-based estimate without a model, and the store side: persistence
 * across reopening, logging, answers (accepted and declined) teaching
 * the stored bandit one at a time, outcomes and
 * `nudge --process-queue` on a scored demo store. How a nudge is valued is
 * in test_value.c. */
#include "demo_store.h"

#include "core/nudge_int.h"

#include <math.h>

#include "train/train.h"
#include "trendguard/gen.h"
#include "trendguard/ingest.h"
#include "trendguard/nudge.h"
#include "trendguard/score.h"

#include "nudge_input.h"

static void shipped_catalogue(void **state)
{
    (void)state;
    const char *ids[] = {"size_advice",  "bracketing_prompt",
                         "cool_off",     "real_reviews",
                         "trend_fading", "exchange_first",
                         "frequently_returned"};
    assert_true(cat.n >= 7);
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        int k = nudge_catalog_find(&cat, ids[i]);
        if (k < 0)
            fail_msg("the catalogue has no '%s'", ids[i]);
        assert_true(cat.nudges[k].n_messages >= 1);
        assert_true(cat.nudges[k].bands != 0);
    }
    int ex = nudge_catalog_find(&cat, "exchange_first");
    assert_int_equal(cat.nudges[ex].moment, TG_MOMENT_RETURN);
    assert_int_equal(cat.nudges[ex].offer, TG_OFFER_BONUS_CREDIT);
    assert_true(cat.band_medium > 0 && cat.band_high > cat.band_medium);
    assert_true(cat.per_session > 0 && cat.per_shopper_day > 0);
    assert_true(cat.daily_offer_budget > 0);
    assert_true(cat.n_rules > 0);
}

/* Each broken catalogue is refused and the message names the field. */
static void broken_catalogues_refused(void **state)
{
    (void)state;
    char *good = tg_read_file("assets/nudges.json", NULL, 0, NULL);
    assert_non_null(good);
    static const struct {
        const char *from, *to, *field;
    } cases[] = {
        {"\"bands\": [\"medium\", \"high\"],\n      \"when\": [{\"name\": "
         "\"size_mismatch\"",
         "\"bands\": [\"hot\"],\n      \"when\": [{\"name\": "
         "\"size_mismatch\"",
         "nudges[0].bands[0]"},
        {"\"bands\": [\"medium\", \"high\"],\n      \"when\": [{\"name\": "
         "\"size_mismatch\"",
         "\"bands\": [\"low\", \"high\"],\n      \"when\": [{\"name\": "
         "\"size_mismatch\"",
         "nudges[0].bands[0]"},
        {"\"id\": \"cool_off\"", "\"id\": \"size_advice\"", "nudges[2]"},
        {"{item}. Switch to {suggested_size}?\", \"when\"",
         "{itme}. Switch to {suggested_size}?\", \"when\"",
         "nudges[0].messages[0]"},
        {"\"moment\": \"cart\"", "\"moment\": \"checkout\"",
         "nudges[1].moment"},
        {"\"drivers\": [\"size_vs_usual\", \"fit_learned\"",
         "\"drivers\": [\"size_vs_usual\", \"fit\"", "nudges[0].drivers[1]"},
        {"\"kind\": \"bonus_credit\"", "\"kind\": \"voucher\"",
         "nudges[6].offer.kind"},
        {"\"per_session\": 2,\n    \"per_shopper_day\": 4",
         "\"per_session\": -2,\n    \"per_shopper_day\": 4",
         "limits.per_session"},
        {"\"high\": 0.55}", "\"high\": 0.2}", "bands.high"},
        {"\"action\": \"switch_size\"", "\"action\": \"teleport\"",
         "nudges[0].action"},
        {"\"caps\": {\"per_session\": 2, \"per_shopper_day\": 3}",
         "\"caps\": {\"per_session\": 2}", "per_shopper_day"},
        {"\"title\": \"Size advice\",", "\"title\": \"Size advice\", "
         "\"colour\": 1,", "unknown field 'colour'"},
        {"{\"kind\": \"none\", \"cost\": 0}", "{\"kind\": \"none\", \"cost\": 3}",
         "nudges[0].offer"},
        {"\"driver\": \"size_vs_usual\"", "\"driver\": \"sizzle\"",
         "rules.terms[0].driver"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *at = strstr(good, cases[i].from);
        if (!at)
            fail_msg("case %zu: '%s' not in the shipped file", i,
                     cases[i].from);
        size_t n = strlen(good) + strlen(cases[i].to) + 1;
        char *bad = malloc(n);
        size_t pre = (size_t)(at - good);
        memcpy(bad, good, pre);
        strcpy(bad + pre, cases[i].to);
        strcat(bad, at + strlen(cases[i].from));
        tg_nudge_catalog c;
        tg_err err = {0};
        int rc = nudge_catalog_parse(bad, strlen(bad), "nudges.json", &c,
                                     &err);
        if (rc != TG_EDATA || !strstr(err.msg, cases[i].field))
            fail_msg("case %zu: rc %d, '%s' does not name %s", i, rc,
                     err.msg, cases[i].field);
        free(bad);
    }
    free(good);
    tg_nudge_catalog c;
    tg_err err = {0};
    assert_int_equal(nudge_catalog_parse("{", 1, "x.json", &c, &err),
                     TG_EDATA);
    assert_non_null(strstr(err.msg, "x.json"));
    assert_int_equal(nudge_catalog_load("/nonexistent/n.json", &c, &err),
                     TG_ENOINPUT);
}

static void low_risk_gets_nothing(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    in.score = cat.band_medium - 0.01;
    tg_nudge_decision d;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, -1);
    assert_int_equal(d.why_code, TG_WHY_LOW_RISK);
    assert_int_equal(d.band, TG_BAND_LOW);
    /* The same at a cart. */
    in.moment = TG_MOMENT_CART;
    in.x[TG_F_sizes_of_item] = 2;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.why_code, TG_WHY_LOW_RISK);
}

static void size_advice_for_size_risk(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    tg_nudge_decision d;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, nudge_catalog_find(&cat, "size_advice"));
    assert_int_equal(d.why_code, TG_WHY_SHOWN);
    assert_int_equal(d.band, TG_BAND_HIGH);
    assert_int_equal(d.context, TG_DRIVER_SIZE);
    assert_int_equal(d.driver, TG_F_size_vs_usual);
    assert_int_equal(d.suggested_size, 2); /* M */
    assert_int_equal(d.action, TG_ACTION_SWITCH_SIZE);
    assert_int_equal(d.offer, TG_OFFER_NONE);
    assert_non_null(strstr(d.message, "size M"));
    assert_non_null(strstr(d.message, "Ribbed Midi Dress"));
    assert_non_null(strstr(d.why, "size_vs_usual"));
    /* With the store's history: "73% of buyers your size kept size M". */
    in.kept_pct = 72.6;
    in.kept_n = 41;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_non_null(strstr(d.message, "73% of buyers your size kept size M"));
    /* Too few buyers: the widget needs 20 (RESEARCH.md, ReturnShield). */
    in.kept_n = 5;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_null(strstr(d.message, "73%"));
    /* A runs-small item in the usual size: size up. */
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.x[TG_F_fit_learned] = -0.6f;
    in.size = 2;
    in.driver[0] = TG_F_fit_learned;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.suggested_size, 3);
    assert_non_null(strstr(d.message, "runs small"));
    /* No mismatch: no size advice (the next driver answers). */
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.size = 2;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_not_equal(d.nudge, nudge_catalog_find(&cat, "size_advice"));
}

static void bracketing_and_return_moments(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    in.moment = TG_MOMENT_CART;
    in.x[TG_F_sizes_of_item] = 2;
    in.x[TG_F_size_vs_usual] = 0;
    in.size = 2;
    in.driver[0] = TG_F_sizes_of_item;
    tg_nudge_decision d;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, nudge_catalog_find(&cat, "bracketing_prompt"));
    assert_int_equal(d.offer, TG_OFFER_FREE_EXCHANGE);
    assert_true(d.offer_cost > 0);
    assert_non_null(strstr(d.message, "2 sizes"));
    assert_non_null(strstr(d.message, "Keep size M"));
    /* A return being started: the exchange-first offer, whatever the
     * risk, with a bonus of 10% of the price. */
    size_input(&in);
    in.moment = TG_MOMENT_RETURN;
    in.score = 0.05;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, nudge_catalog_find(&cat, "exchange_first"));
    assert_float_equal(d.offer_cost, 4.0, 1e-9);
    assert_non_null(strstr(d.message, "4.00 bonus"));
    /* A late-night impulse buy with high risk: the cool-off's late-night
     * message. */
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.x[TG_F_hour_of_day] = 1;
    in.driver[0] = TG_F_hour_of_day;
    in.n_drivers = 1;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, nudge_catalog_find(&cat, "cool_off"));
    assert_non_null(strstr(d.message, "It's late"));
    /* A fading trend, on an item looked at for two hours (saving it for
     * later would change little). */
    size_input(&in);
    in.x[TG_F_size_vs_usual] = 0;
    in.x[TG_F_view_minutes] = 120;
    in.x[TG_F_trend_days_since_peak] = 9.4f;
    in.driver[0] = TG_F_trend_days_since_peak;
    in.n_drivers = 1;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, nudge_catalog_find(&cat, "trend_fading"));
    assert_non_null(strstr(d.message, "peaked 9 days ago"));
    /* The frequently-returned badge for the item. */
    in.x[TG_F_trend_days_since_peak] = NAN;
    in.x[TG_F_product_prior_return_rate] = 0.52f;
    in.driver[0] = TG_F_product_prior_return_rate;
    tg_nudge_catalog c = cat;
    c.nudges[nudge_catalog_find(&c, "real_reviews")].drivers = 0;
    c.nudges[nudge_catalog_find(&c, "real_reviews")].moment = TG_MOMENT_CART;
    nudge_decide(&c, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(d.nudge, nudge_catalog_find(&c, "frequently_returned"));
    assert_non_null(strstr(d.message, "52% of buyers"));
}

static void caps_and_declines(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    tg_nudge_session s;
    tg_nudge_shopper sh = {0};
    nudge_session_init(&s);
    nudge_shopper_roll(&sh, in.now);
    tg_nudge_decision d;
    int size_advice = nudge_catalog_find(&cat, "size_advice");
    /* Session cap: per_session nudges, then none. */
    for (int i = 0; i < cat.per_session; i++) {
        nudge_decide(&cat, NULL, &in, &s, &sh, NULL, NULL, &d);
        assert_int_equal(d.nudge, size_advice);
        nudge_note_shown(&d, &s, &sh);
    }
    nudge_decide(&cat, NULL, &in, &s, &sh, NULL, NULL, &d);
    assert_int_equal(d.nudge, -1);
    assert_int_equal(d.why_code, TG_WHY_SESSION_CAP);
    /* A declined nudge is not asked again in the session, but is in the
     * next one. */
    nudge_session_init(&s);
    nudge_decide(&cat, NULL, &in, &s, &sh, NULL, NULL, &d);
    assert_int_equal(d.nudge, size_advice);
    nudge_note_shown(&d, &s, &sh);
    nudge_note_answer(&d, 0, &s, NULL);
    nudge_decide(&cat, NULL, &in, &s, &sh, NULL, NULL, &d);
    assert_int_not_equal(d.nudge, size_advice);
    nudge_session_init(&s);
    /* The shopper has had 3 size advices today: its own cap (3). */
    nudge_decide(&cat, NULL, &in, &s, &sh, NULL, NULL, &d);
    assert_int_not_equal(d.nudge, size_advice);
    /* Every nudge shown today counted for the shopper (2 + 1). */
    assert_int_equal(sh.shown, cat.per_session + 1);
    /* The shopper's daily cap over all nudges. */
    sh.shown = cat.per_shopper_day;
    nudge_decide(&cat, NULL, &in, &s, &sh, NULL, NULL, &d);
    assert_int_equal(d.why_code, TG_WHY_SHOPPER_CAP);
    /* A new day starts afresh. */
    in.now += TG_DAY;
    nudge_shopper_roll(&sh, in.now);
    assert_int_equal(sh.shown, 0);
    nudge_decide(&cat, NULL, &in, &s, &sh, NULL, NULL, &d);
    assert_int_equal(d.nudge, size_advice);
}

static void daily_offer_budget(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    in.moment = TG_MOMENT_RETURN;
    in.x[TG_F_price] = 100; /* a bonus of 10.00 */
    tg_nudge_budget b = {0};
    nudge_budget_roll(&b, in.now, 25);
    tg_nudge_decision d;
    int accepted = 0;
    for (int i = 0; i < 5; i++) {
        tg_nudge_session s;
        nudge_session_init(&s);
        nudge_decide(&cat, NULL, &in, &s, NULL, &b, NULL, &d);
        if (d.nudge < 0)
            break;
        nudge_note_answer(&d, 1, &s, &b);
        accepted++;
    }
    assert_int_equal(accepted, 2);
    assert_float_equal(b.spent, 20, 1e-9);
    assert_int_equal(d.why_code, TG_WHY_NONE_FITS);
    assert_non_null(strstr(d.why, "budget"));
    /* A cheaper item still fits in what is left. */
    in.x[TG_F_price] = 40;
    nudge_decide(&cat, NULL, &in, NULL, NULL, &b, NULL, &d);
    assert_true(d.nudge >= 0);
    /* Declined offers cost nothing; the next day starts with the whole
     * budget. */
    nudge_note_answer(&d, 0, NULL, &b);
    assert_float_equal(b.spent, 20, 1e-9);
    in.x[TG_F_price] = 100;
    in.now += TG_DAY;
    nudge_budget_roll(&b, in.now, 25);
    assert_float_equal(b.spent, 0, 1e-9);
    nudge_decide(&cat, NULL, &in, NULL, NULL, &b, NULL, &d);
    assert_true(d.nudge >= 0);
}

static void rules_without_a_model(void **state)
{
    (void)state;
    tg_nudge_input in;
    size_input(&in);
    in.score = NAN;
    in.n_drivers = 0;
    in.x[TG_F_channel] = TG_CHANNEL_TIKTOK;
    tg_nudge_decision d;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_true(d.from_rules);
    assert_true(d.score > cat.band_medium);
    assert_int_equal(d.nudge, nudge_catalog_find(&cat, "size_advice"));
    assert_non_null(strstr(d.why, "rule estimate"));
    /* A plain well-fitting top on the web: low risk. */
    float x[TG_NUM_FEATURES];
    for (int i = 0; i < TG_NUM_FEATURES; i++)
        x[i] = NAN;
    x[TG_F_category] = TG_CAT_TOPS;
    x[TG_F_size_vs_usual] = 0;
    x[TG_F_fit_learned] = 0;
    x[TG_F_channel] = TG_CHANNEL_WEB;
    x[TG_F_view_minutes] = 120;
    double p;
    int drv[4];
    float con[4];
    int n = nudge_rules_estimate(&cat, x, &p, drv, con, 4);
    assert_int_equal(n, 0);
    assert_true(p < cat.band_medium);
    x[TG_F_sizes_of_item] = 3;
    x[TG_F_channel] = TG_CHANNEL_TIKTOK;
    n = nudge_rules_estimate(&cat, x, &p, drv, con, 4);
    assert_int_equal(n, 2);
    assert_int_equal(drv[0], TG_F_sizes_of_item);
    assert_int_equal(drv[1], TG_F_channel);
    assert_true(p > cat.band_medium);
}

/* ---- the store ------------------------------------------------------------ */

/* The exchange-first offer at a return, decided for nudge_input.h's
 * line. */
static void return_decision(tg_nudge_input *in, tg_nudge_decision *d)
{
    size_input(in);
    in->moment = TG_MOMENT_RETURN;
    nudge_decide(&cat, NULL, in, NULL, NULL, NULL, NULL, d);
    assert_true(d->nudge >= 0);
}

static void state_survives_reopening(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "n.db");
    tg_err err = {0};
    tg_bandit *b = bandit_create(cat.n, 1, 1);
    for (int i = 0; i < 30; i++)
        bandit_update(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, i % 3 != 0);
    bandit_update(b, TG_SEG_SERIAL_BRACKETER, TG_DRIVER_BRACKET, 1, 0);
    assert_int_equal(nudge_store_save_bandit(s, &cat, b, &err), TG_OK);
    /* A logged decision, accepted (spends the budget), then its outcome. */
    tg_nudge_input in;
    tg_nudge_decision d;
    return_decision(&in, &d);
    tg_nudge_ref ref = {0, "session-1", 0, 0, NULL};
    int64_t id = 0;
    assert_int_equal(nudge_store_log(s, &cat, &ref, &d, in.now, &id, &err),
                     TG_OK);
    assert_true(id > 0);
    assert_int_equal(nudge_store_answer(s, id, 1, in.now, &err), TG_OK);
    assert_int_equal(nudge_store_answer(s, id, 1, in.now, &err), TG_EDATA);
    assert_int_equal(nudge_store_outcome(s, id, "kept", &err), TG_OK);
    assert_int_equal(nudge_store_outcome(s, id, "maybe", &err), TG_EUSAGE);
    /* A skipped decision is logged too. */
    size_input(&in);
    in.score = 0.1;
    nudge_decide(&cat, NULL, &in, NULL, NULL, NULL, NULL, &d);
    assert_int_equal(nudge_store_log(s, &cat, &ref, &d, in.now, NULL, &err),
                     TG_OK);
    store_close(s);
    bandit_free(b);

    s = tu_store(dir, "n.db");
    assert_int_equal(store_version_found(s), STORE_SCHEMA_VERSION);
    b = bandit_create(cat.n, 1, 1);
    assert_int_equal(nudge_store_load_bandit(s, &cat, b, &err), TG_OK);
    double a, be;
    long n;
    bandit_get(b, TG_SEG_CASUAL, TG_DRIVER_SIZE, 0, &a, &be, &n);
    assert_int_equal(n, 30);
    assert_float_equal(a, 21, 1e-9);
    assert_float_equal(be, 11, 1e-9);
    bandit_get(b, TG_SEG_SERIAL_BRACKETER, TG_DRIVER_BRACKET, 1, &a, &be, &n);
    assert_int_equal(n, 1);
    int ex = nudge_catalog_find(&cat, "exchange_first");
    bandit_get(b, TG_SEG_UNKNOWN, TG_DRIVER_SIZE, ex, &a, &be, &n);
    assert_int_equal(n, 1);
    /* the answer taught it: taken up (the outcome teaches nothing) */
    assert_float_equal(a, 2, 1e-9);
    assert_float_equal(be, 1, 1e-9);
    tg_nudge_budget bud;
    assert_int_equal(nudge_store_budget(s, &cat, in.now, &bud, &err), TG_OK);
    assert_float_equal(bud.spent, 4.0, 1e-9);
    assert_float_equal(bud.limit, cat.daily_offer_budget, 1e-9);
    assert_int_equal(nudge_store_budget(s, &cat, in.now + TG_DAY, &bud, &err),
                     TG_OK);
    assert_float_equal(bud.spent, 0, 1e-9);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions"), 2);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE "
                               "status = 'skipped' AND nudge IS NULL"), 1);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE "
                               "status = 'accepted' AND outcome = 'kept'"),
                     1);
    bandit_free(b);
    store_close(s);
    tu_rmrf(dir);
}

/* Answers recorded through nudge_store_answer teach the stored arm of the
 * decision's context one answer at a time: a first decline starts the arm
 * at Beta(1, 2), an acceptance adds to alpha only, a decline to beta only,
 * and the posterior mean moves up and down with them. */
static void answers_teach_the_stored_bandit(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "a.db");
    tg_err err = {0};
    tg_nudge_input in;
    tg_nudge_decision d;
    return_decision(&in, &d);
    tg_nudge_ref ref = {0, "session-a", 0, 0, NULL};
    const int answers[] = {0, 1, 1, 0, 0, 1};
    double a = 1, be = 1, mean = 0.5; /* the prior, Beta(1, 1) */
    for (int k = 0; k < 6; k++) {
        int64_t id = 0;
        assert_int_equal(nudge_store_log(s, &cat, &ref, &d, in.now, &id,
                                         &err), TG_OK);
        assert_int_equal(nudge_store_answer(s, id, answers[k], in.now, &err),
                         TG_OK);
        a += answers[k];
        be += 1 - answers[k];
        tg_bandit *b = bandit_create(cat.n, 1, 1);
        assert_int_equal(nudge_store_load_bandit(s, &cat, b, &err), TG_OK);
        double sa, sb;
        long n;
        bandit_get(b, TG_SEG_UNKNOWN, d.context, d.nudge, &sa, &sb, &n);
        assert_int_equal(n, k + 1);
        assert_float_equal(sa, a, 1e-9);
        assert_float_equal(sb, be, 1e-9);
        double now_mean = bandit_mean(b, TG_SEG_UNKNOWN, d.context, d.nudge);
        assert_true(answers[k] ? now_mean > mean : now_mean < mean);
        mean = now_mean;
        bandit_free(b);
    }
    assert_int_equal(tu_int(s, "SELECT count(*) FROM nudge_bandit"), 1);
    store_close(s);
    tu_rmrf(dir);
}

/* Scores every line of s with its registered model (the trigger queues
 * the risky ones). */
static void score_store(tg_store *s, tg_score_result *sr)
{
    tg_err err = {0};
    tg_model_info info;
    tg_model *m = score_open_model(s, NULL, &info, &err);
    tg_explainer *ex = explain_load(NULL, &err);
    assert_non_null(m);
    assert_non_null(ex);
    assert_int_equal(score_unscored(s, m, &info, ex, NULL, NULL, sr, &err),
                     TG_OK);
    explain_free(ex);
    model_free(m);
}

/* A scored demo store: the trigger's queue decided, each decision written
 * with its why; outcomes settled; the bandit saved; a second run finds
 * nothing queued. */
static void process_queue(void **state)
{
    (void)state;
    char dir[256], db[300], model[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(db, sizeof db, "%s/t.db", dir);
    snprintf(model, sizeof model, "%s/model.json", dir);
    tg_err err = {0};
    tu_demo_store(dir, db, 5);
    tu_demo_model(db, model, 30, 1);
    tg_store *s = store_open(db, 0, &err);
    tg_score_result sr;
    score_store(s, &sr);
    assert_true(sr.queued > 100);
    /* The store's clock, never the time the command ran: a score at the
     * newest data, its queued intervention at the line's purchase. */
    assert_int_equal(tu_int(s, "SELECT count(*) FROM scores WHERE scored_at"
                               " != (SELECT t FROM v_data_end)"), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions i JOIN"
                               " purchases p ON p.id = i.purchase_id WHERE"
                               " i.created_at != p.ordered_at"), 0);
    /* Without a time, each decision is dated at its line's purchase. */
    tg_nudge_queue_opts o = {.limit = 40, .seed = 1};
    tg_nudge_queue_result r, r0;
    assert_int_equal(nudge_store_process_queue(s, &cat, &o, &r0, &err),
                     TG_OK);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions i JOIN"
                               " purchases p ON p.id = i.purchase_id WHERE"
                               " i.decided_at = p.ordered_at"), 40);
    /* The rest decided at the data's end: the last 30 days' outcomes are
     * open. */
    const int64_t end = gen_end_day() * TG_DAY;
    o = (tg_nudge_queue_opts){.now = end, .seed = 1};
    if (nudge_store_process_queue(s, &cat, &o, &r, &err) != TG_OK)
        fail_msg("process queue: %s", err.msg);
    r.decided += r0.decided;
    r.shown += r0.shown;
    r.skipped += r0.skipped;
    r.settled += r0.settled;
    assert_int_equal(r.decided, sr.queued);
    assert_int_equal(r.shown + r.skipped, r.decided);
    assert_true(r.shown > r.decided / 2);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE "
                               "status = 'queued'"), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE "
                               "status = 'shown' AND (nudge IS NULL OR why "
                               "IS NULL OR decided_at NOT IN (%lld,"
                               " (SELECT ordered_at FROM purchases p"
                               "  WHERE p.id = purchase_id)))",
                            (long long)end), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions i JOIN "
                               "nudge_context c ON c.intervention_id = i.id"),
                     r.shown);
    /* No order has more nudges than the session cap. */
    assert_true(tu_int(s, "SELECT max(n) FROM (SELECT count(*) n FROM "
                          "interventions i JOIN purchases p ON p.id = "
                          "i.purchase_id WHERE i.status = 'shown' GROUP BY "
                          "p.order_code)") <= cat.per_session);
    /* Every shown bracketing prompt is on an item bought in 2+ sizes. */
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions i JOIN "
                               "v_training_set v ON v.purchase_id = "
                               "i.purchase_id WHERE i.nudge = "
                               "'bracketing_prompt' AND v.sizes_of_item < 2"),
                     0);
    assert_true(r.settled > 0);
    /* Settled: exactly the shown nudges whose line's 30 days are over by
     * the store's own clock (its newest row). */
    assert_int_equal(r.settled, tu_int(s, "SELECT count(*) FROM interventions"
                                          " i JOIN purchases p ON p.id ="
                                          " i.purchase_id WHERE i.status ="
                                          " 'shown' AND p.ordered_at +"
                                          " 2592000 <= (SELECT t FROM"
                                          " v_data_end)"));
    assert_true(tu_int(s, "SELECT count(*) FROM interventions i JOIN"
                          " purchases p ON p.id = i.purchase_id WHERE"
                          " i.status = 'shown' AND i.outcome IS NULL") > 0);
    /* Nobody answered the queue's nudges: the bandit learned nothing. */
    assert_int_equal(tu_int(s, "SELECT count(*) FROM nudge_bandit"), 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM interventions WHERE "
                               "outcome IS NOT NULL"), r.settled);
    /* Facts for messages from the store's history: "N% of buyers your
     * size kept size M". */
    long long prod = tu_int(s, "SELECT q.product_id FROM purchases q JOIN "
                               "products pr ON pr.id = q.product_id WHERE "
                               "pr.category IN ('dresses', 'tops') GROUP BY "
                               "1 ORDER BY count(*) DESC, 1 LIMIT 1");
    long long cust = tu_int(s, "SELECT id FROM customers WHERE usual_size "
                               "= 'M' ORDER BY id LIMIT 1");
    tg_nudge_input in;
    nudge_input_init(&in);
    in.x[TG_F_size_vs_usual] = 1;
    in.x[TG_F_fit_learned] = 0;
    in.size = 3; /* L, one above M */
    in.size_lo = 0;
    in.size_hi = 5;
    assert_int_equal(nudge_store_facts(s, prod, cust, 2000000000, &in, &err),
                     TG_OK);
    assert_float_equal(in.reviews, (double)tu_int(s, "SELECT count(*) FROM "
                       "purchases WHERE product_id = %lld", prod), 1e-9);
    long long n = tu_int(s, "SELECT count(*) FROM purchases q JOIN "
                            "customers c ON c.id = q.customer_id WHERE "
                            "q.product_id = %lld AND q.size = 'M' AND "
                            "c.usual_size = 'M'", prod);
    assert_float_equal(in.kept_n, (double)n, 1e-9);
    if (n > 0)
        assert_true(in.kept_pct >= 0 && in.kept_pct <= 100);
    /* Nothing left: a second run decides and settles nothing. */
    assert_int_equal(nudge_store_process_queue(s, &cat, &o, &r, &err), TG_OK);
    assert_int_equal(r.decided, 0);
    assert_int_equal(r.settled, 0);
    store_close(s);
    tu_rmrf(dir);
}

/* Everything a table holds, in id order, as one string. */
static char *dump(tg_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL),
                     SQLITE_OK);
    size_t n = 0, cap = 1 << 16;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            size_t len = strlen(v ? v : "NULL") + 2;
            if (n + len >= cap) {
                cap = (n + len) * 2;
                out = realloc(out, cap);
                assert_non_null(out);
            }
            n += (size_t)snprintf(out + n, cap - n, "%s%c", v ? v : "NULL",
                                  c + 1 < sqlite3_column_count(st) ? '|'
                                                                   : '\n');
        }
    sqlite3_finalize(st);
    return out;
}

/* The queue's one pass over the history answers "buyers your size kept
 * size M" exactly as the per-row statement does, for every size of the
 * item, both size kinds, at every moment; a whole queue decided either way
 * gives the same decisions, outcomes and bandit. */
static void history_pass_equals_queries(void **state)
{
    (void)state;
    char dir[256], db[300], db2[300], model[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(db, sizeof db, "%s/t.db", dir);
    snprintf(db2, sizeof db2, "%s/t2.db", dir);
    snprintf(model, sizeof model, "%s/model.json", dir);
    tg_err err = {0};
    tu_demo_store(dir, db, 7);
    tu_demo_model(db, model, 20, 1);
    tg_store *s = store_open(db, 0, &err);
    assert_non_null(s);

    /* Known answers from an independent statement. */
    static const char ask[] =
        "SELECT COUNT(*), TOTAL(NOT EXISTS (SELECT 1 FROM returns r"
        "  WHERE r.purchase_id = q.id"
        "  AND r.returned_at - q.ordered_at <= 2592000))"
        " FROM purchases q JOIN customers qc ON qc.id = q.customer_id"
        " WHERE q.product_id = ?1 AND q.size = ?2"
        " AND q.ordered_at + 2592000 <= ?3"
        " AND (CASE WHEN ?5 THEN qc.shoe_size ELSE qc.usual_size END) = ?4";
    sqlite3_stmt *lines = NULL, *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(store_db(s),
        "SELECT q.ordered_at, q.product_id, qc.usual_size, qc.shoe_size,"
        " pr.sizes FROM purchases q JOIN customers qc ON qc.id ="
        " q.customer_id JOIN products pr ON pr.id = q.product_id"
        " WHERE q.id % 7 = 0 ORDER BY q.ordered_at", -1, &lines, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(store_db(s), ask, -1, &st, NULL),
                     SQLITE_OK);
    nudge_history *h = nudge_history_open(s, &err);
    assert_non_null(h);
    long asked = 0, nonzero = 0, refused = 0;
    while (sqlite3_step(lines) == SQLITE_ROW) {
        /* the moment this line's own window closes: it counts */
        int64_t now = sqlite3_column_int64(lines, 0) + 2592000;
        int64_t product = sqlite3_column_int64(lines, 1);
        assert_int_equal(nudge_history_advance(h, s, now, &err), TG_OK);
        char sizes[256];
        const char *sz = (const char *)sqlite3_column_text(lines, 4);
        tg_strlcpy(sizes, sz ? sz : "", sizeof sizes);
        char *save = NULL;
        for (char *t = strtok_r(sizes, "|", &save); t;
             t = strtok_r(NULL, "|", &save))
            for (int shoe = 0; shoe < 2; shoe++) {
                const char *buyer =
                    (const char *)sqlite3_column_text(lines, 2 + shoe);
                if (!buyer)
                    continue;
                double n = -1, k = -1;
                if (nudge_history_kept(h, now, product, shoe, t, buyer, &n,
                                       &k) != 0) {
                    refused++;
                    continue;
                }
                sqlite3_bind_int64(st, 1, product);
                sqlite3_bind_text(st, 2, t, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 3, now);
                sqlite3_bind_text(st, 4, buyer, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int(st, 5, shoe);
                assert_int_equal(sqlite3_step(st), SQLITE_ROW);
                assert_float_equal(n, sqlite3_column_double(st, 0), 0);
                assert_float_equal(k, sqlite3_column_double(st, 1), 0);
                sqlite3_reset(st);
                asked++;
                nonzero += n > 0;
            }
    }
    /* An earlier moment than the pass has reached: it says ask the store. */
    double n, k;
    assert_int_equal(nudge_history_bought(h, 1, 1, &n), -1);
    assert_int_equal(nudge_history_kept(h, 1, 1, 0, "M", "M", &n, &k), -1);
    sqlite3_finalize(lines);
    sqlite3_finalize(st);
    nudge_history_free(h);
    assert_int_equal(refused, 0);
    assert_true(asked > 5000);
    assert_true(nonzero > asked / 10);
    /* "N bought it": the lines bought before the moment, not at it. */
    assert_int_equal(sqlite3_prepare_v2(store_db(s),
        "SELECT ordered_at, product_id FROM purchases WHERE id % 5 = 0"
        " ORDER BY ordered_at", -1, &lines, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(store_db(s),
        "SELECT COUNT(*) FROM purchases WHERE product_id = ?"
        " AND ordered_at < ?", -1, &st, NULL), SQLITE_OK);
    assert_non_null(h = nudge_history_open(s, &err));
    asked = nonzero = 0;
    while (sqlite3_step(lines) == SQLITE_ROW) {
        int64_t now = sqlite3_column_int64(lines, 0);
        int64_t product = sqlite3_column_int64(lines, 1);
        assert_int_equal(nudge_history_advance(h, s, now, &err), TG_OK);
        assert_int_equal(nudge_history_bought(h, now, product, &n), 0);
        sqlite3_bind_int64(st, 1, product);
        sqlite3_bind_int64(st, 2, now);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_float_equal(n, sqlite3_column_double(st, 0), 0);
        sqlite3_reset(st);
        asked++;
        nonzero += n > 0;
    }
    sqlite3_finalize(lines);
    sqlite3_finalize(st);
    nudge_history_free(h);
    assert_true(asked > 1000);
    assert_true(nonzero > asked / 2);

    /* The same queue decided both ways. */
    tg_score_result sr;
    score_store(s, &sr);
    assert_true(sr.queued > 100);
    char sql[400];
    snprintf(sql, sizeof sql, "VACUUM INTO '%s'", db2);
    assert_int_equal(store_exec(s, sql, &err), TG_OK);
    tg_store *s2 = store_open(db2, 0, &err);
    assert_non_null(s2);
    tg_nudge_queue_opts o = {.now = 2000000000, .seed = 3,
                             .history = TG_NUDGE_HISTORY_QUERY};
    tg_nudge_queue_result r1, r2;
    assert_int_equal(nudge_store_process_queue(s, &cat, &o, &r1, &err),
                     TG_OK);
    o.history = TG_NUDGE_HISTORY_PASS;
    assert_int_equal(nudge_store_process_queue(s2, &cat, &o, &r2, &err),
                     TG_OK);
    assert_int_equal(r1.decided, sr.queued);
    assert_memory_equal(&r1, &r2, sizeof r1);
    static const char *const tables[] = {
        "SELECT id, status, nudge, offer, offer_cost, why, outcome"
        " FROM interventions ORDER BY id",
        "SELECT * FROM nudge_context ORDER BY intervention_id",
        "SELECT segment, driver, nudge, alpha, beta, outcomes"
        " FROM nudge_bandit ORDER BY 1, 2, 3",
        "SELECT * FROM nudge_budget ORDER BY 1"};
    for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
        char *a = dump(s, tables[t]), *b = dump(s2, tables[t]);
        assert_true(strlen(a) > 0 || t >= 2); /* no answers, no offers */
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    store_close(s2);
    store_close(s);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_catalogue),
        cmocka_unit_test(broken_catalogues_refused),
        cmocka_unit_test(low_risk_gets_nothing),
        cmocka_unit_test(size_advice_for_size_risk),
        cmocka_unit_test(bracketing_and_return_moments),
        cmocka_unit_test(caps_and_declines),
        cmocka_unit_test(daily_offer_budget),
        cmocka_unit_test(rules_without_a_model),
        cmocka_unit_test(state_survives_reopening),
        cmocka_unit_test(answers_teach_the_stored_bandit),
        cmocka_unit_test(process_queue),
        cmocka_unit_test(history_pass_equals_queries),
    };
    return cmocka_run_group_tests(tests, load_shipped, NULL);
}
