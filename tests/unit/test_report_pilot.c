/* test_report_pilot.c: the simulated pilot's figures (report_pilot) on
 * hand-made pilots whose every figure is worked out by hand below: the
 * arms' return rates with their Wilson intervals, returns avoided, net
 * saving, ROI, resale recovered, satisfaction and uptake by nudge, by week
 * and by month; the bootstrap interval of returns avoided against the
 * delta method's; the JSON and the HTML page; a period with nothing
 * settled and a store without a pilot said in words. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>

#include "testutil.h"
#include "trendguard/report.h"

#define DAY ((int64_t)TG_DAY)
#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)

/* Monday 2026-03-02 00:00 UTC. */
static int64_t t0(void)
{
    return tg_days_from_civil(2026, 3, 2) * DAY;
}

static void base(tg_store *s)
{
    tu_run(s, "INSERT INTO products(id,code,name,category,price)"
              " VALUES(1,'P1','Dress','dresses',10);"
              "INSERT INTO pilot_runs VALUES(1, 12, 0.5, 7, 1, %lld, %lld, %lld,"
              " 4);", (long long)(t0() - 20 * DAY),
           (long long)(t0() + 60 * DAY), (long long)(t0() + 60 * DAY));
}

/* One line: id, customer (0: none), order, days after T0, then its
 * pilot row. */
static void line(tg_store *s, int id, int cust, const char *order,
                 int day, const char *pilot)
{
    char who[16] = "NULL";
    if (cust) {
        tu_run(s, "INSERT OR IGNORE INTO customers(id,code) VALUES(%d,'C%d')",
               cust, cust);
        snprintf(who, sizeof who, "%d", cust);
    }
    tu_run(s, "INSERT INTO purchases(id,line_code,order_code,customer_id,"
              "product_id,size,quantity,unit_price,ordered_at,channel)"
              " VALUES(%d,'L%d','%s',%s,1,'M',1,10,%lld,'app');"
              "INSERT INTO pilot_lines(purchase_id,arm,bought,bought_at,"
              "returned,exchanged,returned_at,resale_share,fast_restock,"
              "offer_cost,shown,declined,satisfaction) VALUES(%d,%s)",
           id, id, order, who, (long long)(t0() + day * DAY), id, pilot);
}

/* The hand-made pilot, every line bought on Tuesday 2026-03-03 (one week,
 * one month), settled; the store's money from assets/simulation.json:
 * margin 0.55, processing 0.3, an exchange keeps 0.9 of the margin, the
 * fast route costs 1.
 *
 * line cust order arm        bought returned exch share fast offer shown
 *                                                                   declined sat
 *  1   1    O1    control    1      1        0    0.85  0    0     0 0  0.3
 *  2   1    O1    control    1      0        0    -     0    0     0 0  1.0
 *  3   2    O2    control    1      0        0    -     0    0     0 0  1.0
 *  4   3    O3    treatment  1      0        0    -     0    2.1   1 0  1.0
 *  5   3    O3    treatment  0      0        0    -     0    0     1 1  0.8
 *  6   4    O4    treatment  1      0        0    -     0    0     0 0  1.0
 *  7   4    O4    treatment  1      1        1    0.7   1    0     1 0  0.6
 *
 * control: 3 settled, 1 returned: 1/3. A return of a 10 line costs
 * 10 x (0.55 + 0.3) = 8.5 and the goods' value not recovered,
 * 10 x 0.45 x (1 - 0.85) = 0.675: 9.175, 3.058333 a line; value lost
 * 0.225 a line.
 * treatment: 4 settled, 1 returned: 1/4. Line 7 exchanged: 10 x (0.55 x
 * 0.1 + 0.3) = 3.55 and 10 x 0.45 x 0.3 = 1.35 lost: 4.9; spend: line 5
 * not bought 5.5, line 4's offer 2.1, line 7's fast route 1: 8.6;
 * (4.9 + 8.6) / 4 = 3.375 a line; value lost 0.3375 a line.
 * returns avoided (1/3 - 1/4) x 4 = 1/3; net saving (3.058333 - 3.375) x
 * 4 = -1.266667; ROI -1.266667 / 8.6; resale recovered (0.225 - 0.3375)
 * x 4 = -0.45.
 * satisfaction per order: O1 0.65, O2 1.0 (control 0.825); O3 (1.0 + 0.8)
 * / 2 less 2 shown x 0.02 and 1 declined x 0.03 = 0.83, O4 0.8 - 0.02 =
 * 0.78 (treatment 0.805): -0.02.
 * uptake: bracketing_prompt 1 of 2, exchange_first 1 of 1. */
static tg_store *hand_pilot(const char *dir)
{
    tg_store *s = tu_store(dir, "pilot.db");
    base(s);
    const char *c = "'control',1", *t = "'treatment',";
    char b[300];
    long long at = (long long)(t0() + DAY);
    snprintf(b, sizeof b, "%s,%lld,1,0,%lld,0.85,0,0,0,0,0.3", c, at,
             at + 5 * DAY);
    line(s, 1, 1, "O1", 1, b);
    snprintf(b, sizeof b, "%s,%lld,0,0,NULL,NULL,0,0,0,0,1.0", c, at);
    line(s, 2, 1, "O1", 1, b);
    line(s, 3, 2, "O2", 1, b);
    snprintf(b, sizeof b, "%s1,%lld,0,0,NULL,NULL,0,2.1,1,0,1.0", t, at);
    line(s, 4, 3, "O3", 1, b);
    snprintf(b, sizeof b, "%s0,%lld,0,0,NULL,NULL,0,0,1,1,0.8", t, at);
    line(s, 5, 3, "O3", 1, b);
    snprintf(b, sizeof b, "%s1,%lld,0,0,NULL,NULL,0,0,0,0,1.0", t, at);
    line(s, 6, 4, "O4", 1, b);
    snprintf(b, sizeof b, "%s1,%lld,1,1,%lld,0.7,1,0,1,0,0.6", t, at,
             at + 9 * DAY);
    line(s, 7, 4, "O4", 1, b);
    tu_run(s, "INSERT INTO interventions(created_at,purchase_id,nudge,status,"
              "source,moment) VALUES(%lld,4,'bracketing_prompt','accepted',"
              "'pilot','cart'),(%lld,5,'bracketing_prompt','declined','pilot',"
              "'cart'),(%lld,7,'exchange_first','accepted','pilot','return'),"
              "(%lld,7,'size_advice','accepted','live',NULL)",
           at, at, at + 9 * DAY, at);
    return s;
}

static void check_hand(const tg_report_pilot *p)
{
    assert_true(p->has);
    assert_string_equal(p->note, "");
    NEAR(p->margin, 0.55);
    NEAR(p->processing_share, 0.3);
    NEAR(p->exchange_keeps, 0.9);
    NEAR(p->fast_restock_cost, 1.0);
    assert_int_equal(p->arm[0].returns.n, 3);
    assert_int_equal(p->arm[0].returns.k, 1);
    assert_int_equal(p->arm[1].returns.n, 4);
    assert_int_equal(p->arm[1].returns.k, 1);
    /* Wilson, 1 of 3: (1/3 + z^2/6) / (1 + z^2/3) -+ ... */
    NEAR(p->arm[0].returns.lo, 0.06149194472039621);
    NEAR(p->arm[0].returns.hi, 0.7923403991979522);
    assert_int_equal(p->arm[0].customers, 2);
    assert_int_equal(p->arm[1].customers, 2);
    assert_int_equal(p->arm[1].not_bought, 1);
    assert_int_equal(p->arm[1].exchanged, 1);
    assert_int_equal(p->arm[1].fast_restocked, 1);
    NEAR(p->arm[0].return_cost, 9.175);
    NEAR(p->arm[1].return_cost, 4.9);
    NEAR(p->arm[1].spend, 8.6);
    NEAR(p->arm[1].lost_margin, 5.5);
    NEAR(p->returns_avoided.value, 1.0 / 3);
    NEAR(p->net_saving.value, (9.175 / 3 - 13.5 / 4) * 4);
    NEAR(p->roi.value, (9.175 / 3 - 13.5 / 4) * 4 / 8.6);
    NEAR(p->resale_recovered.value, -0.45);
    NEAR(p->arm[0].satisfaction, 0.825);
    NEAR(p->arm[1].satisfaction, 0.805);
    NEAR(p->satisfaction_change.value, -0.02);
    assert_int_equal(p->n_nudges, 2);
    assert_string_equal(p->nudge[0].id, "bracketing_prompt");
    assert_int_equal(p->nudge[0].uptake.n, 2);
    assert_int_equal(p->nudge[0].uptake.k, 1);
    assert_string_equal(p->nudge[1].id, "exchange_first");
    /* Every interval holds its figure. */
    const tg_ci *ci[] = {&p->returns_avoided, &p->net_saving, &p->roi,
                         &p->resale_recovered, &p->satisfaction_change};
    for (size_t i = 0; i < sizeof ci / sizeof *ci; i++)
        assert_true(ci[i]->lo <= ci[i]->value && ci[i]->value <= ci[i]->hi);
}

static void by_hand(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = hand_pilot(dir);
    tg_report_pilot *p = malloc(sizeof *p);
    tg_err err = {0};
    assert_int_equal(report_pilot(s, NULL, NULL, p, &err), TG_OK);
    check_hand(p);
    /* One week, one month: the same figures. */
    int w = -1, m = -1;
    for (int i = 0; i < p->n_weeks; i++)
        if (p->week[i].arm[0].returns.n)
            w = i;
    for (int i = 0; i < p->n_months; i++)
        if (p->month[i].arm[0].returns.n)
            m = i;
    assert_string_equal(p->week[w].key, "2026-03-02");
    assert_string_equal(p->month[m].key, "2026-03");
    NEAR(p->week[w].returns_avoided.value, 1.0 / 3);
    NEAR(p->month[m].net_saving.value, p->net_saving.value);
    NEAR(p->month[m].roi.value, p->roi.value);
    NEAR(p->month[m].resale_recovered.value, -0.45);
    assert_int_equal(p->month[m].arm[1].returns.k, 1);
    NEAR(p->month[m].arm[1].spend, 8.6);
    assert_string_equal(p->month[0].key, "2026-02");
    assert_int_equal(p->month[0].arm[0].lines, 0);
    /* The filter: a category without lines says so. */
    tg_report_filter f = {.category = TG_CAT_TOPS, .channel = -1};
    assert_int_equal(report_pilot(s, &f, NULL, p, &err), TG_OK);
    assert_true(p->has);
    assert_string_equal(p->note, "The pilot has no line in this selection");
    assert_true(isnan(p->returns_avoided.value));
    free(p);
    store_close(s);
    tu_rmrf(dir);
}

/* The JSON and the HTML page say what the struct holds, labelled
 * simulated, with where the assumptions are. */
static void json_and_html(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = hand_pilot(dir);
    tg_report *r = calloc(1, sizeof *r);
    tg_err err = {0};
    assert_int_equal(report_pilot(s, NULL, NULL, &r->overview.pilot, &err),
                     TG_OK);
    char *json = report_pilot_json(&r->overview.pilot);
    cJSON *j = cJSON_Parse(json);
    assert_non_null(j);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "simulated")));
    cJSON *ra = cJSON_GetObjectItem(j, "returns_avoided");
    NEAR(cJSON_GetObjectItem(ra, "value")->valuedouble, 0.3333);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ra, "ci95")), 2);
    cJSON *t = cJSON_GetObjectItem(j, "treatment");
    NEAR(cJSON_GetObjectItem(t, "return_rate")->valuedouble, 0.25);
    NEAR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "roi"),
                             "value")->valuedouble,
         round((9.175 / 3 - 13.5 / 4) * 4 / 8.6 * 1e6) / 1e6);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
                         j, "uptake_by_nudge")), 2);
    assert_non_null(strstr(json, "\"month\":\"2026-03\""));
    cJSON_Delete(j);
    free(json);
    tg_strlcpy(r->currency.code, "USD", sizeof r->currency.code);
    char *html = report_html(r, "pilot.db");
    assert_non_null(strstr(html, "<h2>Simulated pilot</h2>"));
    assert_non_null(strstr(html, "Simulated, not measured"));
    assert_non_null(strstr(html, "assets/simulation.json"));
    assert_non_null(strstr(html, "2026-03-02 control"));
    assert_non_null(strstr(html, "33.3% of 3"));
    assert_non_null(strstr(html, "bracketing_prompt"));
    assert_non_null(strstr(html, "Interventions in real use"));
    free(html);
    free(r);
    store_close(s);
    tu_rmrf(dir);
}

/* 2,000 shoppers an arm with one line each: control returns 40%,
 * treatment 30%. Returns avoided = Rc Nt / Nc - Rt = 200; under Poisson
 * weights the delta method gives its variance: control's part 800 +
 * 0.4^2 x 2000 - 2 x 0.4 x 800 = 480, treatment's 0.4^2 x 2000 + 600 -
 * 2 x 0.4 x 600 = 440; sd sqrt(920) = 30.33, so 200 -+ 59.45. */
static void interval_against_the_delta_method(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "big.db");
    base(s);
    tu_run(s, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n"
              " WHERE i < 3999)"
              " INSERT INTO customers(id,code) SELECT i + 1, 'C' || i FROM n;"
              "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n"
              " WHERE i < 3999)"
              " INSERT INTO purchases(id,line_code,order_code,customer_id,"
              "product_id,quantity,unit_price,ordered_at) SELECT i + 1,"
              " 'L' || i, 'O' || i, i + 1, 1, 1, 10, %lld FROM n;"
              "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n"
              " WHERE i < 3999)"
              " INSERT INTO pilot_lines(purchase_id,arm,bought_at,returned,"
              "resale_share,satisfaction) SELECT i + 1, CASE WHEN i < 2000 THEN"
              " 'control' ELSE 'treatment' END, %lld, CASE WHEN i < 2000 THEN"
              " i %% 5 < 2 ELSE i %% 10 < 3 END, 1, 1 FROM n;",
           (long long)(t0() + DAY), (long long)(t0() + DAY));
    tg_report_pilot *p = malloc(sizeof *p);
    tg_err err = {0};
    assert_int_equal(report_pilot(s, NULL, NULL, p, &err), TG_OK);
    NEAR(p->returns_avoided.value, 200);
    double half = 1.959964 * sqrt(920);
    if (fabs(p->returns_avoided.lo - (200 - half)) > 10 ||
        fabs(p->returns_avoided.hi - (200 + half)) > 10)
        fail_msg("interval %.1f-%.1f, the delta method %.1f-%.1f",
                 p->returns_avoided.lo, p->returns_avoided.hi, 200 - half,
                 200 + half);
    /* The resamples run on threads, each seeded by its number: the same
     * store gives the same interval, to the bit. */
    tg_report_pilot *q = malloc(sizeof *q);
    assert_int_equal(report_pilot(s, NULL, NULL, q, &err), TG_OK);
    assert_memory_equal(&p->returns_avoided, &q->returns_avoided,
                        sizeof p->returns_avoided);
    assert_memory_equal(&p->net_saving, &q->net_saving, sizeof p->net_saving);
    free(q);
    free(p);
    store_close(s);
    tu_rmrf(dir);
}

/* A period whose lines are all younger than 30 days says why there is
 * nothing; a store without a pilot says what is missing. */
static void missing_said_in_words(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "young.db");
    base(s);
    line(s, 1, 1, "O1", 50, "'control',1,0,NULL,0,NULL,NULL,0,0,0,0,NULL");
    line(s, 2, 2, "O2", 55, "'treatment',1,0,NULL,0,NULL,NULL,0,0,0,0,NULL");
    tg_report_pilot *p = malloc(sizeof *p);
    tg_err err = {0};
    tg_report_filter f = {.category = -1, .channel = -1,
                         .period_days = 30};
    assert_int_equal(report_pilot(s, &f, NULL, p, &err), TG_OK);
    assert_true(p->has);
    assert_non_null(strstr(p->note, "No line of this period has settled"));
    assert_non_null(strstr(p->note, "30-day window"));
    assert_int_equal(p->arm[1].lines, 1);
    assert_true(isnan(p->returns_avoided.value));
    tu_run(s, "DELETE FROM pilot_runs");
    assert_int_equal(report_pilot(s, NULL, NULL, p, &err), TG_OK);
    assert_false(p->has);
    assert_non_null(strstr(p->note, "real purchases"));
    assert_non_null(strstr(p->note, "no model"));
    free(p);
    store_close(s);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(by_hand),
        cmocka_unit_test(json_and_html),
        cmocka_unit_test(interval_against_the_delta_method),
        cmocka_unit_test(missing_said_in_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
