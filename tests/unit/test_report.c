/* test_report.c: the report and the dashboard on a hand-made store of ten
 * purchase lines whose every figure is worked out by hand below: return
 * rates by driver with Wilson intervals and spreads, the model's view
 * (TreeSHAP of tests/fixtures/report/model.json), trends, the
 * intervention funnel and value, the dashboard with and without filters,
 * the JSON and the HTML page (well-formed, charts, escaping). */
#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>

#include "testutil.h"
#include "trendguard/explain.h"
#include "trendguard/report.h"
#include "trendguard/sim.h"

#define DAY ((int64_t)TG_DAY)
#define HOUR ((int64_t)3600)
#define MODEL "tests/fixtures/report/model.json"

/* Monday 2026-01-05 00:00 UTC. */
static int64_t t0(void)
{
    return tg_days_from_civil(2026, 1, 5) * DAY;
}

/* The store, line by line (T0 = Monday 2026-01-05; data end T0 + 60 d;
 * matured: bought by T0 + 30 d):
 *
 * line order cust product size price disc time        channel view  pay      returned in 30 d
 *  1   O1    C1   P1      M    50    0    +1d 01:00   tiktok  1     paylater yes (+5d)
 *  2   O1    C1   P1      L    50    0    +1d 01:00   tiktok  1     paylater no
 *  3   O2    C2   P2      S    20    25   +2d 10:00   web     30    card     no
 *  4   O3    C2   P1      S    40    20   +5d 13:00   app     100   card     no
 *  5   O4    -    P2      M    20    0    +4d 22:00   web     -     other    yes (+8d)
 *  6   O5    C1   P2      L    20    50   +10d 02:00  tiktok  3     paylater yes (+12d)
 *  7   O6    C2   P1      XS   50    0    +20d 15:00  app     2000  card     no (returned +55d)
 *  8   O7    C1   P1      M    50    0    +40d        tiktok  5     card     (not matured)
 *  9   O8    C2   P2      S    20    0    +60d        web     20    card     (not matured)
 * 10   O9    C1   P2      M    20    0    +15d 12:00  app     10    card     no
 *
 * C1 is an impulsive TikTok buyer of usual size M, C2 a careful repeat
 * buyer of size S; P1 (dresses) carries #midisummer, whose views jump most
 * on day 3 (rising on day 1, at its peak on day 5, fading on day 20);
 * P2 (tops, named to test escaping) carries a trend with no snapshots. */
static tg_store *hand_store(const char *dir)
{
    tg_store *s = tu_store(dir, "hand.db");
    long long T = (long long)t0();
    tu_run(s, "INSERT INTO hashtags VALUES(1,'midisummer'),"
              "(2,'<i>hot&\"tag');"
              "INSERT INTO products(id,code,name,category,price,sizes,launched_at)"
              " VALUES(1,'P1','Midi Dress','dresses',50,'XS|S|M|L|XL',%lld),"
              "(2,'P2','Tee <script>&\"','tops',20,'XS|S|M|L|XL',%lld);"
              "INSERT INTO product_tags VALUES(1,1,0),(2,2,0);"
              "INSERT INTO customers(id,code,segment,usual_size,age_band)"
              " VALUES(1,'C1','impulsive_tiktok','M','18-24'),"
              "(2,'C2','careful_repeat','S','25-34');",
           T - 10 * DAY, T - 10 * DAY);
    static const long views[21] = {1000, 1100, 1400, 2400, 2900, 3100};
    for (int k = 0; k <= 20; k++)
        tu_run(s, "INSERT INTO trend_snapshots(hashtag_id,captured_at,views)"
                  " VALUES(1,%lld,%ld)", T + k * DAY,
               k <= 5 ? views[k] : 3100 + 50 * (k - 5));
    tg_err err = {0};
    assert_int_equal(store_refresh_trend_state(s, 1, &err), TG_OK);
    static const struct {
        const char *order, *size, *channel, *pay;
        int cust, product;
        double price, disc, view;
        int64_t at;
    } l[10] = {
        {"O1", "M", "tiktok", "paylater", 1, 1, 50, 0, 1, DAY + HOUR},
        {"O1", "L", "tiktok", "paylater", 1, 1, 50, 0, 1, DAY + HOUR},
        {"O2", "S", "web", "card", 2, 2, 20, 25, 30, 2 * DAY + 10 * HOUR},
        {"O3", "S", "app", "card", 2, 1, 40, 20, 100, 5 * DAY + 13 * HOUR},
        {"O4", "M", "web", "other", 0, 2, 20, 0, -1, 4 * DAY + 22 * HOUR},
        {"O5", "L", "tiktok", "paylater", 1, 2, 20, 50, 3, 10 * DAY + 2 * HOUR},
        {"O6", "XS", "app", "card", 2, 1, 50, 0, 2000, 20 * DAY + 15 * HOUR},
        {"O7", "M", "tiktok", "card", 1, 1, 50, 0, 5, 40 * DAY},
        {"O8", "S", "web", "card", 2, 2, 20, 0, 20, 60 * DAY},
        {"O9", "M", "app", "card", 1, 2, 20, 0, 10, 15 * DAY + 12 * HOUR},
    };
    for (int i = 0; i < 10; i++) {
        char cust[16], view[32];
        snprintf(cust, sizeof cust, l[i].cust ? "%d" : "NULL", l[i].cust);
        snprintf(view, sizeof view, l[i].view < 0 ? "NULL" : "%g", l[i].view);
        tu_run(s, "INSERT INTO purchases(id,line_code,order_code,customer_id,"
                  "product_id,size,quantity,unit_price,discount_pct,ordered_at,"
                  "channel,view_minutes,payment) VALUES(%d,'L%d','%s',%s,%d,"
                  "'%s',1,%g,%g,%lld,'%s',%s,'%s')", i + 1, i + 1, l[i].order,
               cust, l[i].product, l[i].size, l[i].price, l[i].disc,
               T + (long long)l[i].at, l[i].channel, view, l[i].pay);
    }
    tu_run(s, "INSERT INTO returns(id,code,purchase_id,returned_at,reason)"
              " VALUES(1,'R1',1,%lld,'too_large'),(2,'R5',5,%lld,'changed_mind'),"
              "(3,'R6',6,%lld,'too_large'),(4,'R7',7,%lld,'quality'),"
              "(5,'R8',8,%lld,'changed_mind')",
           T + 5 * DAY, T + 8 * DAY, T + 12 * DAY, T + 55 * DAY, T + 45 * DAY);
    /* Two registrations of the fixture model; thresholds of 1 so that no
     * score queues an intervention: they are all inserted below. */
    char path[PATH_MAX], sha[65];
    assert_non_null(realpath(MODEL, path));
    assert_int_equal(tg_sha256_file(path, sha, &err), TG_OK);
    tu_run(s, "INSERT INTO model_registry VALUES(1,'%s','%s','[]',1,NULL,0),"
              "(2,'%s','%s','[]',1,NULL,0)", path, sha, path, sha);
    static const struct {
        double p;
        const char *driver;
    } sc[10] = {{0.92, "channel"}, {0.72, "sizes_of_item"},
                {0.12, "discount_pct"}, {0.22, NULL}, {0.52, "channel"},
                {0.82, "channel"}, {0.32, "size_vs_usual"}, {0.62, "channel"},
                {0.45, "sizes_of_item"}, {0.15, "price"}};
    for (int i = 0; i < 10; i++) {
        char drivers[128] = "[]";
        if (sc[i].driver)
            snprintf(drivers, sizeof drivers, "[{\"feature\":\"%s\","
                     "\"contribution\":0.3,\"text\":\"x\"}]", sc[i].driver);
        tu_run(s, "INSERT INTO scores VALUES(%d,1,%g,'%s',0)", i + 1, sc[i].p,
               drivers);
    }
    tu_run(s, "INSERT INTO scores VALUES(1,2,0.95,'[{\"feature\":"
              "\"sizes_of_item\"}]',0)");
    tu_run(s, "INSERT INTO interventions(id,created_at,purchase_id,customer_id,"
              "model_version,score,nudge,offer_cost,status,outcome) VALUES"
              "(1,0,1,1,1,0.9,'bracketing_prompt',2,'accepted','returned'),"
              "(2,0,2,1,1,0.7,'bracketing_prompt',1,'accepted','kept'),"
              "(3,0,6,1,1,0.8,'size_advice',0,'accepted','lost'),"
              "(4,0,5,NULL,1,0.5,'cool_off',0.5,'shown','kept'),"
              "(5,0,3,2,1,0.1,'size_advice',0,'declined',NULL),"
              "(6,0,4,2,1,0.2,NULL,0,'skipped',NULL),"
              "(7,0,8,1,1,0.6,NULL,0,'queued',NULL),"
              "(8,0,9,2,1,0.45,'cool_off',0.5,'accepted',NULL)");
    return s;
}

typedef struct fixture {
    char dir[4096];
    tg_store *s;
    tg_report *r;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tu_tmpdir(f->dir, sizeof f->dir);
    f->s = hand_store(f->dir);
    f->r = malloc(sizeof *f->r);
    tg_report_opts o;
    report_defaults(&o);
    o.min_lines = 2;
    o.shap_days = 60;
    tg_err err = {0};
    if (report_build(f->s, &o, f->r, &err) != TG_OK)
        fail_msg("report_build: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->s);
    tu_rmrf(f->dir);
    free(f->r);
    free(f);
    return 0;
}

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6)

static void check_rate(const tg_rate *r, long k, long n)
{
    assert_int_equal(r->n, n);
    assert_int_equal(r->k, k);
    NEAR(r->rate, (double)k / (double)n);
}

/* ---- Wilson ---------------------------------------------------------------- */

static void test_wilson(void **state)
{
    (void)state;
    /* Wilson 95% intervals, from the formula by hand. */
    tg_rate r = report_rate(3, 8);
    NEAR(r.rate, 0.375);
    assert_true(fabs(r.lo - 0.136844) < 1e-6 && fabs(r.hi - 0.694258) < 1e-6);
    r = report_rate(0, 5);
    assert_true(r.lo == 0 && fabs(r.hi - 0.434482) < 1e-6);
    r = report_rate(1, 1);
    assert_true(fabs(r.lo - 0.206549) < 1e-6 && r.hi == 1);
    r = report_rate(0, 0);
    assert_true(isnan(r.rate) && isnan(r.lo) && isnan(r.hi));
}

/* ---- drivers ---------------------------------------------------------------- */

static const tg_report_driver *driver(const tg_report *r, int kind)
{
    for (int d = 0; d < TG_REPORT_DRIVERS; d++)
        if (r->driver[d].kind == kind)
            return &r->driver[d];
    fail_msg("no driver %d", kind);
    return NULL;
}

/* The buckets of a driver as "label k/n ..." */
static void expect_buckets(const tg_report *r, int kind, const char *want)
{
    const tg_report_driver *d = driver(r, kind);
    char got[512] = "";
    for (int i = 0; i < d->n; i++) {
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%s %ld/%ld", i ? ", " : "",
                 d->b[i].label, d->b[i].r.k, d->b[i].r.n);
        NEAR(d->b[i].r.rate, (double)d->b[i].r.k / (double)d->b[i].r.n);
    }
    assert_string_equal(got, want);
}

static void test_drivers(void **state)
{
    const tg_report *r = ((fixture *)*state)->r;
    assert_int_equal(r->data_end, t0() + 60 * DAY);
    assert_int_equal(r->lines, 10);
    assert_int_equal(r->first, t0() + DAY + HOUR);
    assert_int_equal(r->last, t0() + 60 * DAY);
    /* matured: lines 1-7 and 10; returned within 30 days: 1, 5, 6 (7 came
     * back after 35 days) */
    check_rate(&r->overall, 3, 8);
    assert_true(fabs(r->overall.lo - 0.136844) < 1e-6);
    expect_buckets(r, TG_RD_TREND_PHASE,
                   "none 2/4, rising 1/2, peak 0/1, fading 0/1");
    expect_buckets(r, TG_RD_CHANNEL, "web 1/2, app 0/3, tiktok 2/3");
    expect_buckets(r, TG_RD_HOUR, "00-02h 2/3, 09-11h 0/1, 12-14h 0/2, "
                                  "15-17h 0/1, 21-23h 1/1");
    expect_buckets(r, TG_RD_VIEW_TIME, "under 2 min 1/2, 2-5 min 1/1, "
                   "5-15 min 0/1, 15-60 min 0/1, 1-24 h 0/1, "
                   "a day or more 0/1, unknown 1/1");
    expect_buckets(r, TG_RD_DISCOUNT, "none 2/5, 20-39% 0/2, 40-59% 1/1");
    expect_buckets(r, TG_RD_BRACKETING, "one size 2/6, 2 sizes 1/2");
    expect_buckets(r, TG_RD_SIZE, "1 smaller 0/1, usual size 1/4, "
                                  "1 larger 1/2, unknown 1/1");
    expect_buckets(r, TG_RD_CATEGORY, "dresses 1/4, tops 2/4");
    expect_buckets(r, TG_RD_PAYMENT, "card 0/4, paylater 2/3, other 1/1");
    expect_buckets(r, TG_RD_SEGMENT, "impulsive_tiktok 2/4, "
                                     "careful_repeat 0/3, unknown 1/1");
    /* Spreads over buckets of 2+ lines, largest first, ties in driver
     * order: channel, hour, payment 2/3 - 0; segment 1/2 - 0; discount
     * 2/5 - 0; size 1/2 - 1/4; category 1/2 - 1/4; bracketing 1/2 - 1/3;
     * trend phase 1/2 - 1/2 and view time (one bucket) 0. */
    static const int order[TG_REPORT_DRIVERS] = {
        TG_RD_CHANNEL, TG_RD_HOUR, TG_RD_PAYMENT, TG_RD_SEGMENT,
        TG_RD_DISCOUNT, TG_RD_SIZE, TG_RD_CATEGORY, TG_RD_BRACKETING,
        TG_RD_TREND_PHASE, TG_RD_VIEW_TIME};
    static const double spread[TG_REPORT_DRIVERS] = {
        2.0 / 3, 2.0 / 3, 2.0 / 3, 0.5, 0.4, 0.25, 0.25, 0.5 - 1.0 / 3, 0,
        0};
    for (int d = 0; d < TG_REPORT_DRIVERS; d++) {
        assert_int_equal(r->driver[d].kind, order[d]);
        NEAR(r->driver[d].spread, spread[d]);
    }
    assert_string_equal(driver(r, TG_RD_VIEW_TIME)->id, "view_to_buy");
}

/* ---- the model's view --------------------------------------------------------- */

static void test_model_view(void **state)
{
    const tg_report_model *m = &((fixture *)*state)->r->model;
    assert_string_equal(m->note, "");
    assert_int_equal(m->version, 2);
    assert_int_equal(m->lines, 10);
    assert_int_equal(m->scored_only, 1);
    assert_int_equal(m->from, t0() + DAY + HOUR);
    assert_int_equal(m->to, t0() + 60 * DAY);
    /* |SHAP| of sizes_of_item: 0.45 on the four TikTok lines (1, 2, 6, 8),
     * 0.15 on the other six: 2.7 / 10; channel 0.15 on every line. */
    assert_int_equal(m->n, 2);
    assert_int_equal(m->f[0].feature, TG_F_sizes_of_item);
    assert_true(fabs(m->f[0].mean_abs - 0.27) < 1e-5);
    assert_int_equal(m->f[1].feature, TG_F_channel);
    assert_true(fabs(m->f[1].mean_abs - 0.15) < 1e-5);
    tg_err err = {0};
    tg_explainer *ex = explain_load(NULL, &err);
    assert_non_null(ex);
    assert_string_equal(m->f[1].label, explain_label(ex, TG_F_channel));
    explain_free(ex);
}

/* ---- trends ------------------------------------------------------------------- */

static void test_trends(void **state)
{
    const tg_report_trends *t = &((fixture *)*state)->r->trends;
    assert_int_equal(t->hashtags, 2);
    assert_int_equal(t->n_top, 2);
    assert_string_equal(t->top[0].name, "<i>hot&\"tag");
    check_rate(&t->top[0].r, 2, 4);
    assert_string_equal(t->top[1].name, "midisummer");
    check_rate(&t->top[1].r, 1, 4);
    /* #midisummer's matured lines: 1 and 2 a hour after its busiest day so
     * far (day 1, a day after it was first seen), 4 2.5 days after the day
     * 3 peak, 7 17.6 days after it */
    assert_int_equal(t->n_since_peak, 3);
    assert_string_equal(t->since_peak[0].label, "under 1 day");
    check_rate(&t->since_peak[0].r, 1, 2);
    assert_string_equal(t->since_peak[1].label, "1-5 days");
    check_rate(&t->since_peak[1].r, 0, 1);
    assert_string_equal(t->since_peak[2].label, "10-20 days");
    assert_int_equal(t->n_age, 3);
    assert_string_equal(t->age[0].label, "under 3 days");
    check_rate(&t->age[0].r, 1, 2);
    assert_string_equal(t->age[1].label, "3-7 days");
    assert_string_equal(t->age[2].label, "14-30 days");
}

/* ---- interventions -------------------------------------------------------------- */

/* What a returned line costs with the shipped assumptions and a resale
 * share. */
static double cost(double price, double resale)
{
    tg_sim_assume a;
    tg_err err = {0};
    assert_int_equal(sim_assume_load(NULL, &a, &err), TG_OK);
    return price * (a.margin + a.processing_share +
                    (1 - a.margin) * (1 - resale));
}

static void test_interventions(void **state)
{
    const tg_report_interventions *v = &((fixture *)*state)->r->iv;
    /* 8 rows: 7 waiting, 6 skipped, shown 1-5 and 8, of which 1, 2, 3
     * and 8 accepted (kept, returned, lost, pending) and 5 declined */
    const tg_report_funnel want = {.queued = 8, .waiting = 1, .skipped = 1,
                                   .shown = 6, .accepted = 4, .declined = 1,
                                   .kept = 1, .returned = 1, .lost = 1,
                                   .pending = 1};
    assert_memory_equal(&v->funnel, &want, sizeof want);
    /* Settled accepted nudges: 1 (score 0.9, returned, a line of a rising
     * trend: resale hot), 2 (0.7, kept, hot), 3 (0.8, sale lost, line 6
     * without a trend: evergreen). With the shipped 0.55 margin, 0.3
     * processing, resale 1.0 / 0.85: costs 42.5 and 18.35, avoided cost
     * -0.1 x 42.5 + 0.7 x 42.5 + 0.8 x 18.35 = 40.18; offers 2 + 1 + 0 +
     * 0.5 (the pending one); lost margin 0.55 x 20 = 11; saved 25.68; ROI
     * 25.68 / 14.5. */
    const tg_report_value *x = &v->value;
    assert_int_equal(x->settled, 3);
    NEAR(x->expected_returns, 2.4);
    NEAR(x->returns_avoided, 1.4);
    double avoided = 0.6 * cost(50, v->resale_hot) +
                     0.8 * cost(20, v->resale_evergreen);
    NEAR(x->cost_avoided, avoided);
    NEAR(x->offer_cost, 3.5);
    NEAR(x->lost_margin, v->margin * 20);
    NEAR(x->saved, avoided - 3.5 - v->margin * 20);
    NEAR(x->roi, x->saved / (3.5 + v->margin * 20));
    NEAR(v->margin, 0.55);
    NEAR(x->saved, 25.68);
    NEAR(x->roi, 25.68 / 14.5);
    /* per nudge: most shown first (ties by name), no nudge last */
    assert_int_equal(v->n_nudges, 4);
    assert_string_equal(v->nudge[0].key, "bracketing_prompt");
    assert_string_equal(v->nudge[1].key, "cool_off");
    assert_string_equal(v->nudge[2].key, "size_advice");
    assert_string_equal(v->nudge[3].key, "");
    NEAR(v->nudge[0].value.returns_avoided, 0.6);
    NEAR(v->nudge[0].value.saved, 0.6 * cost(50, v->resale_hot) - 3);
    assert_int_equal(v->nudge[1].funnel.pending, 1);
    NEAR(v->nudge[1].value.roi, -1);
    assert_int_equal(v->nudge[2].funnel.declined, 1);
    assert_int_equal(v->nudge[2].funnel.lost, 1);
    assert_int_equal(v->nudge[3].funnel.queued, 2);
    assert_int_equal(v->nudge[3].funnel.shown, 0);
    /* per month of the purchase */
    assert_int_equal(v->n_months, 3);
    assert_string_equal(v->month[0].key, "2026-01");
    assert_int_equal(v->month[0].funnel.queued, 6);
    NEAR(v->month[0].value.saved, 25.68 + 0.5);
    assert_string_equal(v->month[1].key, "2026-02");
    assert_int_equal(v->month[1].funnel.waiting, 1);
    assert_string_equal(v->month[2].key, "2026-03");
    NEAR(v->month[2].value.saved, -0.5);
}

/* ---- the dashboard ------------------------------------------------------------ */

static void dashboard(tg_store *s, int category, int channel, int days,
                      tg_dashboard *d)
{
    tg_report_filter f = {.category = category, .channel = channel,
                         .period_days = days};
    tg_err err = {0};
    if (report_dashboard(s, &f, d, &err) != TG_OK)
        fail_msg("report_dashboard: %s", err.msg);
}

static void test_dashboard(void **state)
{
    fixture *fx = *state;
    tg_dashboard *d = malloc(sizeof *d);
    dashboard(fx->s, -1, -1, 0, d);
    assert_int_equal(d->data_end, t0() + 60 * DAY);
    assert_int_equal(d->period_start, INT64_MIN);
    assert_int_equal(d->model_version, 2);
    assert_int_equal(d->kpi.lines, 10);
    assert_int_equal(d->kpi.matured, 8);
    assert_int_equal(d->kpi.returned, 3);
    NEAR(d->kpi.return_rate, 0.375);
    /* the last 7 days: line 9 only */
    assert_int_equal(d->kpi.lines_week, 1);
    assert_int_equal(d->kpi.scored_week, 1);
    NEAR(d->kpi.predicted_week, 0.45);
    NEAR(d->value.returns_avoided, 1.4);
    NEAR(d->value.saved, 25.68);
    NEAR(d->value.roi, 25.68 / 14.5);
    NEAR(d->kpi.acceptance_rate, 4.0 / 6);
    /* weeks from Monday T0 to the week of T0 + 60 d (T0 + 56 d) */
    assert_int_equal(d->n_weeks, 9);
    assert_int_equal(d->week[0].start, t0());
    assert_int_equal(d->week[8].start, t0() + 56 * DAY);
    assert_int_equal(d->week[0].lines, 5); /* lines 1-5 */
    assert_int_equal(d->week[0].returned, 2);
    NEAR(d->week[0].rate, 0.4);
    NEAR(d->week[0].predicted, (0.95 + 0.72 + 0.12 + 0.22 + 0.52) / 5);
    assert_int_equal(d->week[1].lines, 1); /* line 6 */
    NEAR(d->week[1].rate, 1);
    assert_int_equal(d->week[2].lines, 2); /* lines 7 and 10 */
    NEAR(d->week[2].rate, 0);
    NEAR(d->week[2].predicted, (0.32 + 0.15) / 2);
    assert_int_equal(d->week[3].lines, 0);
    assert_true(isnan(d->week[3].rate) && isnan(d->week[3].predicted));
    assert_int_equal(d->week[5].lines, 1); /* line 8: not matured */
    assert_int_equal(d->week[5].matured, 0);
    assert_true(isnan(d->week[5].rate));
    NEAR(d->week[5].predicted, 0.62);
    /* newest scores: line 1's is model 2's 0.95 */
    static const long bins[TG_DASH_BINS] = {0, 2, 1, 1, 1, 1, 1, 1, 1, 1};
    for (int i = 0; i < TG_DASH_BINS; i++)
        assert_int_equal(d->risk_bins[i], bins[i]);
    assert_int_equal(d->scored, 10);
    /* first drivers: channel (5, 6, 8), sizes_of_item (1 newest, 2, 9),
     * then discount_pct, price, size_vs_usual once each (line 4 none) */
    assert_int_equal(d->with_drivers, 9);
    assert_int_equal(d->n_drivers, 5);
    static const int feat[5] = {TG_F_channel, TG_F_sizes_of_item,
                                TG_F_discount_pct, TG_F_price,
                                TG_F_size_vs_usual};
    static const long first[5] = {3, 3, 1, 1, 1};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(d->driver[i].feature, feat[i]);
        assert_int_equal(d->driver[i].first, first[i]);
        NEAR(d->driver[i].share, first[i] / 9.0);
        assert_true(d->driver[i].label[0] != '\0');
    }
    assert_int_equal(d->n_reasons, 3);
    assert_string_equal(d->reason[0].reason, "changed_mind");
    assert_int_equal(d->reason[0].n, 2);
    assert_string_equal(d->reason[1].reason, "too_large");
    assert_int_equal(d->reason[1].n, 2);
    assert_string_equal(d->reason[2].reason, "quality");
    assert_int_equal(d->funnel.queued, 8);
    assert_int_equal(d->funnel.shown, 6);
    assert_int_equal(d->funnel.accepted, 4);
    assert_int_equal(d->funnel.kept, 1);
    /* both products have 5 lines; P1's mean risk (0.95 + 0.72 + 0.22 +
     * 0.32 + 0.62) / 5 beats P2's (0.12 + 0.52 + 0.82 + 0.45 + 0.15) / 5 */
    assert_int_equal(d->n_products, 2);
    assert_string_equal(d->product[0].name, "Midi Dress");
    assert_int_equal(d->product[0].category, TG_CAT_DRESSES);
    assert_int_equal(d->product[0].lines, 5);
    check_rate(&d->product[0].returns, 1, 4);
    NEAR(d->product[0].mean_risk, 2.83 / 5);
    assert_string_equal(d->product[1].name, "Tee <script>&\"");
    check_rate(&d->product[1].returns, 2, 4);
    NEAR(d->product[1].mean_risk, 2.06 / 5);

    /* tops only: lines 3, 5, 6, 9, 10; interventions 3, 4, 5, 8 */
    dashboard(fx->s, TG_CAT_TOPS, -1, 0, d);
    assert_int_equal(d->kpi.lines, 5);
    assert_int_equal(d->kpi.matured, 4);
    NEAR(d->kpi.return_rate, 0.5);
    assert_int_equal(d->funnel.queued, 4);
    assert_int_equal(d->funnel.accepted, 2);
    assert_int_equal(d->n_reasons, 2);
    assert_int_equal(d->n_products, 1);
    NEAR(d->kpi.acceptance_rate, 0.5);

    /* TikTok only: lines 1, 2, 6, 8 */
    dashboard(fx->s, -1, TG_CHANNEL_TIKTOK, 0, d);
    assert_int_equal(d->kpi.lines, 4);
    assert_int_equal(d->kpi.matured, 3);
    assert_int_equal(d->kpi.returned, 2);
    assert_int_equal(d->kpi.lines_week, 0);
    NEAR(d->kpi.predicted_week, 0);

    /* the last 7 days: line 9 and its pending accepted nudge */
    dashboard(fx->s, -1, -1, 7, d);
    assert_int_equal(d->period_start, t0() + 53 * DAY);
    assert_int_equal(d->kpi.lines, 1);
    assert_int_equal(d->kpi.matured, 0);
    assert_true(isnan(d->kpi.return_rate));
    assert_int_equal(d->n_weeks, 2);
    assert_int_equal(d->week[0].start, t0() + 49 * DAY);
    assert_int_equal(d->week[1].lines, 1);
    assert_int_equal(d->funnel.accepted, 1);
    assert_int_equal(d->funnel.pending, 1);
    NEAR(d->value.saved, -0.5);
    NEAR(d->value.roi, -1);
    assert_int_equal(d->n_reasons, 0);
    assert_int_equal(d->n_products, 0);
    /* A cart's intervention with no line yet counts in the period of its
     * creation, live only, and in no category's. */
    tu_run(fx->s, "INSERT INTO interventions(id,created_at,purchase_id,"
                  "customer_id,model_version,score,status,source) VALUES"
                  "(20,%lld,NULL,1,1,0.7,'queued','live'),"
                  "(21,%lld,NULL,1,1,0.7,'queued','pilot'),"
                  "(22,%lld,NULL,1,1,0.7,'queued','live')",
           (long long)(t0() + 59 * DAY), (long long)(t0() + 59 * DAY),
           (long long)(t0() + 40 * DAY));
    long queued = d->funnel.queued;
    dashboard(fx->s, -1, -1, 7, d);
    assert_int_equal(d->funnel.queued, queued + 1);
    dashboard(fx->s, TG_CAT_TOPS, -1, 7, d);
    assert_int_equal(d->funnel.queued, 1);
    tu_run(fx->s, "DELETE FROM interventions WHERE id >= 20");

    tg_report_filter bad = {.category = TG_NUM_CATEGORIES, .channel = -1};
    tg_err err = {0};
    assert_int_equal(report_dashboard(fx->s, &bad, d, &err), TG_EUSAGE);
    free(d);
}

/* ---- JSON and HTML ------------------------------------------------------------ */

static void test_json(void **state)
{
    char *text = report_json(((fixture *)*state)->r);
    assert_non_null(text);
    cJSON *o = cJSON_Parse(text);
    assert_non_null(o);
    cJSON *m = cJSON_GetObjectItem(o, "matured");
    assert_int_equal(cJSON_GetObjectItem(m, "lines")->valueint, 8);
    NEAR(cJSON_GetObjectItem(m, "rate")->valuedouble, 0.375);
    cJSON *ci = cJSON_GetObjectItem(m, "ci95");
    NEAR(cJSON_GetArrayItem(ci, 0)->valuedouble, 0.136844);
    cJSON *d0 = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "drivers"), 0);
    assert_string_equal(cJSON_GetObjectItem(d0, "id")->valuestring,
                        "channel");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "drivers")),
                     TG_REPORT_DRIVERS);
    cJSON *iv = cJSON_GetObjectItem(o, "interventions");
    cJSON *val = cJSON_GetObjectItem(iv, "value");
    NEAR(cJSON_GetObjectItem(val, "money_saved")->valuedouble, 25.68);
    cJSON *tags = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "trends"),
                                      "top_hashtags");
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(tags, 0), "hashtag")
            ->valuestring, "<i>hot&\"tag");
    cJSON *ov = cJSON_GetObjectItem(o, "overview");
    NEAR(cJSON_GetObjectItem(ov, "predicted_returns_this_week")->valuedouble,
         0.45);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ov, "weekly")),
                     9);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(
        cJSON_GetArrayItem(cJSON_GetObjectItem(ov, "weekly"), 3), "rate")));
    cJSON *model = cJSON_GetObjectItem(o, "model");
    assert_int_equal(cJSON_GetObjectItem(model, "version")->valueint, 2);
    cJSON_Delete(o);
    free(text);
}

static int is_void(const char *tag, size_t n)
{
    return (n == 4 && strncmp(tag, "meta", 4) == 0) ||
           (n == 2 && strncmp(tag, "br", 2) == 0);
}

/* Checks that every tag is closed in order (void and self-closing tags
 * aside), quotes and comments included; returns the number of <svg>. */
static int check_well_formed(const char *html)
{
    const char *stack[256];
    size_t len[256];
    int depth = 0, svgs = 0;
    for (const char *p = html; (p = strchr(p, '<')) != NULL;) {
        if (strncmp(p, "<!", 2) == 0) {
            p = strchr(p, '>');
            assert_non_null(p);
            continue;
        }
        const char *end = p + 1;
        char quote = 0;
        for (; *end && (quote || *end != '>'); end++)
            if (*end == '"' && !quote)
                quote = '"';
            else if (*end == quote)
                quote = 0;
        assert_int_equal(*end, '>');
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " />\n");
        assert_true(n > 0);
        if (closing) {
            assert_true(depth > 0);
            depth--;
            if (len[depth] != n || strncmp(stack[depth], name, n) != 0)
                fail_msg("</%.*s> closes <%.*s>", (int)n, name,
                         (int)len[depth], stack[depth]);
        } else if (end[-1] != '/' && !is_void(name, n)) {
            assert_true(depth < 256);
            stack[depth] = name;
            len[depth++] = n;
            svgs += n == 3 && strncmp(name, "svg", 3) == 0;
        }
        p = end + 1;
    }
    assert_int_equal(depth, 0);
    return svgs;
}

static void test_html(void **state)
{
    fixture *f = *state;
    char *html = report_html(f->r, "hand <b>.db");
    assert_non_null(html);
    /* drivers (10), model, hashtags, trend life (2), weekly, histogram,
     * reasons, funnel, money per month */
    assert_int_equal(check_well_formed(html), 19);
    assert_non_null(strstr(html, "<!DOCTYPE html>"));
    assert_non_null(strstr(html, "Tee &lt;script&gt;&amp;&quot;"));
    assert_non_null(strstr(html, "#&lt;i&gt;hot&amp;&quot;tag"));
    assert_non_null(strstr(html, "hand &lt;b&gt;.db"));
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<i>"));
    assert_null(strstr(html, "http"));   /* nothing fetched */
    assert_non_null(strstr(html, "<style>"));
    assert_non_null(strstr(html, "class=\"ci\""));
    free(html);
}

/* ---- edges ---------------------------------------------------------------------- */

static void test_empty_store(void **state)
{
    (void)state;
    char dir[4096];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "empty.db");
    tg_report *r = malloc(sizeof *r);
    tg_err err = {0};
    assert_int_equal(report_build(s, NULL, r, &err), TG_OK);
    assert_int_equal(r->lines, 0);
    assert_int_equal(r->overall.n, 0);
    assert_int_equal(r->model.version, 0);
    assert_non_null(strstr(r->model.note, "no model registered"));
    assert_int_equal(r->overview.n_weeks, 0);
    assert_int_equal(r->iv.funnel.queued, 0);
    assert_true(isnan(r->iv.value.roi));
    char *html = report_html(r, "empty");
    assert_non_null(html);
    check_well_formed(html);
    free(html);
    char *json = report_json(r);
    cJSON *o = cJSON_Parse(json);
    assert_non_null(o);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "data_end")));
    cJSON_Delete(o);
    free(json);
    free(r);
    store_close(s);
    tu_rmrf(dir);
}

/* A registered model whose file is gone: no model view, a note why, and
 * the rest of the report as usual. */
static void test_missing_model(void **state)
{
    fixture *f = *state;
    tu_run(f->s, "UPDATE model_registry SET path = '%s/gone.json'", f->dir);
    tg_report *r = malloc(sizeof *r);
    tg_err err = {0};
    assert_int_equal(report_build(f->s, NULL, r, &err), TG_OK);
    assert_int_equal(r->model.version, 0);
    assert_non_null(strstr(r->model.note, "cannot be used"));
    check_rate(&r->overall, 3, 8);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wilson),
        cmocka_unit_test_setup_teardown(test_drivers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interventions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dashboard, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html, setup, teardown),
        cmocka_unit_test(test_empty_store),
        cmocka_unit_test_setup_teardown(test_missing_model, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
