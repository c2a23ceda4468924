/* test_rollup.c: the dashboard's rollups against the full recomputation.
 * A random store (lines spread over 200 days, many of them on the exact
 * moments where a period starts, a line matures or the last 7 days
 * begin; returns inside and outside 30 days, some lines with two; scores
 * of two model versions with drivers that name a feature, none, an
 * unknown one or a name too long) is changed at random: lines added,
 * moved and deleted, returns added, moved and deleted, scores added,
 * changed and deleted, a product moved to another category. After each
 * round every figure report_dashboard reads from the rollups must equal
 * report_dashboard_scan's, for many periods and filters; the rollups a
 * store holds must equal the ones built whole from its lines; a dropped
 * trigger must be noticed; a batch of scores copied as score_unscored
 * does must leave what the triggers would. The same for the funnel of
 * real use (funnel_days, report_interventions against
 * report_interventions_scan): interventions of lines and of carts, live
 * and the pilot's, added, answered, moved to another nudge, detached from
 * a cancelled line and deleted, queued by the scoring trigger one by one
 * and in a batch, and decided as the queue writes its decisions; more
 * nudge names than a report keeps rows for; periods and a since moment.
 * No change reads every live intervention (query plans). */
#include "testutil.h"

#include <math.h>

#include "core/schema.h"
#include "trendguard/features.h"
#include "trendguard/report.h"
#include "trendguard/score.h"

#define DAY ((int64_t)TG_DAY)
/* The data end: a Wednesday, 13:27:11 UTC. */
#define T_END ((int64_t)1780000000 + 13 * 3600 + 27 * 60 + 11)
#define N_PRODUCTS 24

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int pick(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

/* ---- the random store ---------------------------------------------------- */

/* A moment near one of the figures' boundaries, or anywhere in 200 days. */
static int64_t some_time(void)
{
    static const int64_t edges[] = {7, 30, 90, 1, 45, 60};
    int64_t base = T_END - edges[pick(6)] * DAY;
    switch (pick(6)) {
    case 0:
        return base;
    case 1:
        return base + pick(3) - 1;
    case 2:
        return base - pick(86400);
    case 3:
        return base + pick(86400);
    default:
        return T_END - pick(200 * 86400);
    }
}

static const char *const reasons[] = {"too_small", "too_large", "quality",
                                      "changed_mind", "unknown"};

static void add_line(tg_store *s, long id)
{
    tu_run(s,
        "INSERT INTO purchases(id, line_code, order_code, product_id, size,"
        " quantity, unit_price, ordered_at, channel) VALUES(%ld, 'L%ld',"
        " 'O%ld', %d, 'M', 1, 20, %lld, '%s')",
        id, id, id / 3, 1 + pick(N_PRODUCTS), (long long)some_time(),
        tg_channel_names[pick(TG_NUM_CHANNELS)]);
}

static long next_return = 1;

/* A return of line id: within 30 days, after, or exactly at 30 days. */
static void add_return(tg_store *s, long id)
{
    int64_t t = tu_int(s, "SELECT ordered_at FROM purchases WHERE id = %ld",
                       id);
    int64_t at = pick(3) == 0   ? t + 30 * DAY + pick(2)
                 : pick(2) == 0 ? t + pick(30 * 86400)
                                : t + 31 * DAY + pick(20 * 86400);
    if (at > T_END)
        at = T_END - pick(1000);
    long r = next_return++;
    tu_run(s,
        "INSERT INTO returns(id, code, purchase_id, returned_at, reason)"
        " VALUES(%ld, 'R%ld', %ld, %lld, '%s')",
        r, r, id, (long long)at, reasons[pick(5)]);
}

static void drivers_json(char *out, size_t n)
{
    switch (pick(8)) {
    case 0:
        snprintf(out, n, "[]");
        return;
    case 6: /* the name crosses the 80th character */
        snprintf(out, n, "[{\"text\":\"%s\",\"feature\":\"size_vs_usual\"}]",
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        return;
    case 7: /* a name of 63 or 64 characters */
        snprintf(out, n, "[{\"feature\":\"%.*s\"}]", 63 + pick(2),
                 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
                 "yyyyyyyyyyyy");
        return;
    case 1:
        snprintf(out, n, "[{\"feature\":\"no_such_feature\"}]");
        return;
    case 2:
        snprintf(out, n, "[{\"contribution\":0.12345678901234567,"
                         "\"text\":\"x\",\"feature\":\"channel\"}]");
        return;
    default:
        snprintf(out, n,
                 "[{\"feature\":\"%s\",\"contribution\":0.3,"
                 "\"text\":\"x\"}]",
                 features_name(pick(TG_NUM_FEATURES)));
    }
}

/* ---- interventions ------------------------------------------------------ */

static const char *const statuses[] = {"queued", "shown", "accepted",
                                       "declined", "skipped"};
/* A nudge: none, or one of more names than a report keeps a row for. */
static const char *some_nudge(char *buf, size_t n)
{
    if (pick(6) == 0)
        return "NULL";
    snprintf(buf, n, "'nudge_%d'", pick(TG_NUDGE_MAX + 8));
    return buf;
}
static const char *const outcomes[] = {"'kept'", "'returned'", "'lost'",
                                       "NULL"};

/* An intervention of line id (0: a cart's, with no line): any answer and
 * outcome, now and then the pilot's or without a score. */
static void add_iv(tg_store *s, long id)
{
    char line[32], nb[40];
    snprintf(line, sizeof line, id ? "%ld" : "NULL", id);
    tu_run(s,
        "INSERT INTO interventions(created_at, purchase_id, cart_ref, score,"
        " nudge, offer_cost, status, outcome, source) VALUES(%lld, %s, %s,"
        " %s, %s, %d, '%s', %s, '%s')",
        (long long)some_time(), line, id ? "NULL" : "'cart'",
        pick(8) ? "0.4" : "NULL", some_nudge(nb, sizeof nb),
        pick(3), statuses[pick(5)], outcomes[pick(4)],
        pick(8) ? "live" : "pilot");
}

static long some_iv(tg_store *s)
{
    long long n = tu_int(s, "SELECT count(*) FROM interventions");
    return n > 0 ? (long)tu_int(s, "SELECT id FROM interventions ORDER BY id"
                                   " LIMIT 1 OFFSET %d", pick((int)n))
                 : 0;
}

/* One random change of the interventions. */
static void change_iv(tg_store *s, long line)
{
    long iv = some_iv(s);
    char nb[40];
    switch (pick(6)) {
    case 0:
    case 1:
        add_iv(s, pick(4) ? line : 0);
        break;
    case 2: /* answered, or moved to another nudge */
        tu_run(s, "UPDATE interventions SET status = '%s', nudge = %s,"
               " outcome = %s WHERE id = %ld", statuses[pick(5)],
            some_nudge(nb, sizeof nb), outcomes[pick(4)], iv);
        break;
    case 3:
        tu_run(s, "DELETE FROM interventions WHERE id = %ld", iv);
        break;
    case 4: /* a cancelled line's follow-ups */
        tu_run(s, "UPDATE interventions SET purchase_id = NULL,"
               " cart_ref = 'cancelled' WHERE purchase_id = %ld", line);
        break;
    default:
        tu_run(s, "UPDATE interventions SET source = '%s' WHERE id = %ld",
            pick(2) ? "live" : "pilot", iv);
    }
}

/* A score of line id by model version m (a new one, or changed). */
static void put_score(tg_store *s, long id, int m)
{
    char dj[256];
    drivers_json(dj, sizeof dj);
    double p = pick(20) == 0 ? (double)pick(11) / 10.0
                             : (double)(rnd() % 1000000) / 1e6;
    if (tu_int(s, "SELECT count(*) FROM scores WHERE purchase_id = %ld AND"
                  " model_version = %d", id, m) > 0)
        tu_run(s, "UPDATE scores SET p_return = %.17g, drivers = '%s'"
               " WHERE purchase_id = %ld AND model_version = %d",
            p, dj, id, m);
    else
        tu_run(s, "INSERT OR IGNORE INTO scores(purchase_id, model_version,"
               " p_return, drivers, scored_at) VALUES(%ld, %d, %.17g, '%s',"
               " 0)",
            id, m, p, dj);
}

/* A line of the store at random; 0 when it has none. */
static long some_line(tg_store *s)
{
    long long n = tu_int(s, "SELECT count(*) FROM purchases");
    if (n <= 0)
        return 0;
    return (long)tu_int(s, "SELECT id FROM purchases ORDER BY id LIMIT 1"
                           " OFFSET %d", pick((int)n));
}

static void build(tg_store *s, long lines)
{
    for (int i = 1; i <= N_PRODUCTS; i++)
        tu_run(s, "INSERT INTO products(id, code, name, category, price)"
               " VALUES(%d, 'P%d', 'Product %d', '%s', 20)",
            i, i, i, tg_category_names[i % 3 == 0 ? 0 : i % TG_NUM_CATEGORIES]);
    /* the scoring trigger queues lines scored 0.5 and above */
    tu_run(s, "INSERT INTO model_registry(version, path, sha256, features,"
              " threshold, trained_at) VALUES(1, 'm', 'x', '[]', 0.5, 0),"
              " (2, 'm', 'x', '[]', 0.5, 0), (3, 'm', 'x', '[]', 0.5, 0)");
    tu_run(s, "BEGIN");
    for (long id = 1; id <= lines; id++)
        add_line(s, id);
    /* the data end */
    tu_run(s, "UPDATE purchases SET ordered_at = %lld WHERE id = 1",
        (long long)T_END);
    for (long id = 1; id <= lines; id++) {
        if (pick(3) == 0)
            add_return(s, id);
        if (pick(10) == 0)
            add_return(s, id);
        if (pick(10) < 7)
            put_score(s, id, 1);
        if (pick(10) < 3)
            put_score(s, id, 2);
        if (pick(10) < 3)
            add_iv(s, pick(5) ? id : 0);
    }
    tu_run(s, "COMMIT");
}

/* One random change of the facts. */
static void change(tg_store *s, long *next_id)
{
    long id = some_line(s);
    switch (pick(11)) {
    case 0:
        add_line(s, (*next_id)++);
        break;
    case 1: /* moved in time, to another product or channel */
        if (id > 1)
            tu_run(s, "UPDATE purchases SET ordered_at = %lld, product_id = %d,"
                   " channel = '%s' WHERE id = %ld",
                (long long)some_time(), 1 + pick(N_PRODUCTS),
                tg_channel_names[pick(TG_NUM_CHANNELS)], id);
        break;
    case 2: /* deleted with what refers to it */
        if (id > 1) {
            tu_run(s, "DELETE FROM interventions WHERE purchase_id = %ld", id);
            tu_run(s, "DELETE FROM scores WHERE purchase_id = %ld", id);
            tu_run(s, "DELETE FROM returns WHERE purchase_id = %ld", id);
            tu_run(s, "DELETE FROM purchases WHERE id = %ld", id);
        }
        break;
    case 3:
        if (id)
            add_return(s, id);
        break;
    case 4:
        tu_run(s, "DELETE FROM returns WHERE id = (SELECT id FROM returns"
               " ORDER BY id LIMIT 1 OFFSET %d)", pick(50));
        break;
    case 5:
        if (id)
            tu_run(s, "UPDATE returns SET returned_at = returned_at - %d,"
                   " reason = '%s', purchase_id = %ld WHERE id = (SELECT id"
                   " FROM returns ORDER BY id LIMIT 1 OFFSET %d)",
                pick(40) * 86400, reasons[pick(5)], id, pick(50));
        break;
    case 6:
    case 7:
        if (id)
            put_score(s, id, 1 + pick(3));
        break;
    case 8:
        if (id)
            tu_run(s, "DELETE FROM scores WHERE purchase_id = %ld AND"
                   " model_version = %d", id, 1 + pick(3));
        break;
    case 9:
        tu_run(s, "UPDATE products SET category = '%s' WHERE id = %d",
            tg_category_names[pick(TG_NUM_CATEGORIES)], 1 + pick(N_PRODUCTS));
        break;
    default: /* a score moved to another model version */
        if (id)
            tu_run(s, "UPDATE OR ABORT scores SET model_version = 7"
                   " WHERE purchase_id = %ld AND model_version = 1"
                   " AND NOT EXISTS (SELECT 1 FROM scores WHERE"
                   " purchase_id = %ld AND model_version = 7)", id, id);
    }
}

/* ---- comparing the figures ----------------------------------------------- */

static int differ;

static void same_long(const char *what, int i, long a, long b)
{
    if (a != b && differ++ < 20)
        print_message("differs: %s[%d]: %ld (rollups) %ld (scan)\n", what, i,
                      a, b);
}

static void same_double(const char *what, int i, double a, double b)
{
    int same = (isnan(a) && isnan(b)) ||
               fabs(a - b) <= 1e-9 * (1 + fabs(b));
    if (!same && differ++ < 20)
        print_message("differs: %s[%d]: %.17g (rollups) %.17g (scan)\n",
                      what, i, a, b);
}

static void same_rate(const char *what, int i, const tg_rate *a,
                      const tg_rate *b)
{
    same_long(what, i, a->n, b->n);
    same_long(what, i, a->k, b->k);
    same_double(what, i, a->rate, b->rate);
}

static void same_weeks(const tg_dashboard *a, const tg_dashboard *b)
{
    same_long("n_weeks", 0, a->n_weeks, b->n_weeks);
    for (int i = 0; i < a->n_weeks && i < b->n_weeks; i++) {
        const tg_dash_week *x = &a->week[i], *y = &b->week[i];
        same_long("week.start", i, (long)x->start, (long)y->start);
        same_long("week.lines", i, x->lines, y->lines);
        same_long("week.matured", i, x->matured, y->matured);
        same_long("week.returned", i, x->returned, y->returned);
        same_double("week.rate", i, x->rate, y->rate);
        same_double("week.predicted", i, x->predicted, y->predicted);
    }
}

static void same_kpis(const tg_dashboard *a, const tg_dashboard *b)
{
    same_long("data_end", 0, (long)a->data_end, (long)b->data_end);
    same_long("period_start", 0, (long)a->period_start,
              (long)b->period_start);
    same_long("model_version", 0, a->model_version, b->model_version);
    same_long("lines", 0, a->kpi.lines, b->kpi.lines);
    same_long("matured", 0, a->kpi.matured, b->kpi.matured);
    same_long("returned", 0, a->kpi.returned, b->kpi.returned);
    same_double("return_rate", 0, a->kpi.return_rate, b->kpi.return_rate);
    same_long("lines_week", 0, a->kpi.lines_week, b->kpi.lines_week);
    same_long("scored_week", 0, a->kpi.scored_week, b->kpi.scored_week);
    same_double("predicted_week", 0, a->kpi.predicted_week,
                b->kpi.predicted_week);
    same_double("acceptance_rate", 0, a->kpi.acceptance_rate,
                b->kpi.acceptance_rate);
    for (int i = 0; i < TG_DASH_BINS; i++)
        same_long("risk_bins", i, a->risk_bins[i], b->risk_bins[i]);
    same_long("scored", 0, a->scored, b->scored);
}

static void same_lists(const tg_dashboard *a, const tg_dashboard *b)
{
    same_long("n_drivers", 0, a->n_drivers, b->n_drivers);
    same_long("with_drivers", 0, a->with_drivers, b->with_drivers);
    for (int i = 0; i < a->n_drivers && i < b->n_drivers; i++) {
        same_long("driver.feature", i, a->driver[i].feature,
                  b->driver[i].feature);
        same_long("driver.first", i, a->driver[i].first, b->driver[i].first);
        same_double("driver.share", i, a->driver[i].share,
                    b->driver[i].share);
        same_long("driver.label", i,
                  strcmp(a->driver[i].label, b->driver[i].label), 0);
    }
    same_long("n_reasons", 0, a->n_reasons, b->n_reasons);
    for (int i = 0; i < a->n_reasons && i < b->n_reasons; i++) {
        same_long("reason", i, strcmp(a->reason[i].reason,
                                      b->reason[i].reason), 0);
        same_long("reason.n", i, a->reason[i].n, b->reason[i].n);
    }
    same_long("n_products", 0, a->n_products, b->n_products);
    for (int i = 0; i < a->n_products && i < b->n_products; i++) {
        const tg_dash_product *x = &a->product[i], *y = &b->product[i];
        same_long("product.id", i, (long)x->id, (long)y->id);
        same_long("product.name", i, strcmp(x->name, y->name), 0);
        same_long("product.category", i, x->category, y->category);
        same_long("product.lines", i, x->lines, y->lines);
        same_rate("product.returns", i, &x->returns, &y->returns);
        same_double("product.mean_risk", i, x->mean_risk, y->mean_risk);
    }
}

static void same_funnel(int i, const tg_report_funnel *a,
                        const tg_report_funnel *b)
{
    const long x[] = {a->queued, a->waiting, a->skipped, a->shown,
                      a->accepted, a->declined, a->kept, a->returned,
                      a->lost, a->pending};
    const long y[] = {b->queued, b->waiting, b->skipped, b->shown,
                      b->accepted, b->declined, b->kept, b->returned,
                      b->lost, b->pending};
    for (int k = 0; k < 10; k++)
        same_long("funnel", i * 100 + k, x[k], y[k]);
}

static void same_value(int i, const tg_report_value *a,
                       const tg_report_value *b)
{
    same_long("value.settled", i, a->settled, b->settled);
    same_double("value.expected", i, a->expected_returns,
                b->expected_returns);
    same_double("value.cost_avoided", i, a->cost_avoided, b->cost_avoided);
    same_double("value.offer_cost", i, a->offer_cost, b->offer_cost);
    same_double("value.saved", i, a->saved, b->saved);
    same_double("value.roi", i, a->roi, b->roi);
}

static void same_rows(const char *what, int n, const tg_report_iv_row *a,
                      const tg_report_iv_row *b)
{
    for (int i = 0; i < n; i++) {
        same_long(what, i, strcmp(a[i].key, b[i].key), 0);
        same_funnel(i + 1, &a[i].funnel, &b[i].funnel);
        same_value(i + 1, &a[i].value, &b[i].value);
    }
}

/* The funnel of real use from its rollup against every intervention. */
static void same_interventions(tg_store *s, const tg_report_filter *f)
{
    static tg_report_interventions a, b;
    tg_err err = {0};
    if (report_interventions(s, f, NULL, &a, &err) != TG_OK)
        fail_msg("report_interventions: %s", err.msg);
    if (report_interventions_scan(s, f, NULL, &b, &err) != TG_OK)
        fail_msg("report_interventions_scan: %s", err.msg);
    same_funnel(0, &a.funnel, &b.funnel);
    same_value(0, &a.value, &b.value);
    same_long("n_nudges", 0, a.n_nudges, b.n_nudges);
    same_long("n_months", 0, a.n_months, b.n_months);
    if (a.n_nudges == b.n_nudges)
        same_rows("nudge", a.n_nudges, a.nudge, b.nudge);
    if (a.n_months == b.n_months)
        same_rows("month", a.n_months, a.month, b.month);
}

static const int periods[] = {0, 7, 30, 90, 1, 2, 31, 45, 200};

/* Every figure for every period and several filters; the number of
 * figures that differ. */
static int compare_all(tg_store *s)
{
    static const int filters[][2] = {{-1, -1}, {0, -1}, {1, -1}, {3, -1},
                                     {-1, 0},  {-1, 2}, {0, 1},  {1, 3}};
    tg_dashboard *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    differ = 0;
    for (size_t p = 0; p < sizeof periods / sizeof *periods; p++)
        for (size_t k = 0; k < sizeof filters / sizeof *filters; k++) {
            tg_report_filter f = {.category = filters[k][0],
                                  .channel = filters[k][1],
                                  .period_days = periods[p]};
            tg_err err = {0};
            if (report_dashboard(s, &f, a, &err) != TG_OK)
                fail_msg("report_dashboard: %s", err.msg);
            if (report_dashboard_scan(s, &f, b, &err) != TG_OK)
                fail_msg("report_dashboard_scan: %s", err.msg);
            int before = differ;
            same_kpis(a, b);
            same_weeks(a, b);
            same_lists(a, b);
            same_interventions(s, &f);
            /* and from a moment on (the export's since) */
            f.has_since = 1;
            f.since = some_time();
            same_interventions(s, &f);
            if (differ > before && before < 20)
                print_message("  (period %d days, category %d, channel"
                              " %d)\n", periods[p], f.category, f.channel);
        }
    free(a);
    free(b);
    return differ;
}

/* The rollups the triggers kept against the ones built whole: rows that
 * differ (risk sums within 1e-9: they are added in another order). */
static long long rollups_differ(tg_store *s)
{
    static const char *const t[] = {"dash_days", "dash_day_drivers",
                                    "dash_day_reasons", "dash_product_days",
                                    "dash_product_weeks", "funnel_days"};
    for (int i = 0; i < 6; i++)
        tu_run(s, "DROP TABLE IF EXISTS temp.kept_%d;"
               "CREATE TEMP TABLE kept_%d AS SELECT * FROM %s", i, i, t[i]);
    tg_err err = {0};
    if (store_exec(s, schema_rollup_build, &err) != TG_OK)
        fail_msg("rebuilding: %s", err.msg);
    if (store_exec(s, schema_funnel_build, &err) != TG_OK)
        fail_msg("rebuilding the funnel: %s", err.msg);
    long long n = 0;
    for (int i = 0; i < 6; i++) {
        const char *rs = i == 1 || i == 2 || i == 5 ? "0"
                                                    : "round(risk_sum, 9)";
        const char *cols = i == 5 ? "day, category, channel, nudge, status, n"
                           : i == 1 ? "day, category, channel, model_version,"
                                    " feature, n"
                           : i == 2 ? "day, category, channel, reason, n"
                           : i == 0 ? "day, category, channel, lines,"
                                      " returned, scored, b0, b1, b2, b3, b4,"
                                      " b5, b6, b7, b8, b9"
                           : i == 3 ? "day, category, channel, product_id,"
                                      " lines, returned, scored"
                                    : "week, category, channel, product_id,"
                                      " lines, returned, scored";
        n += tu_int(s, "SELECT count(*) FROM (SELECT %s, %s FROM %s EXCEPT"
                       " SELECT %s, %s FROM temp.kept_%d)", cols, rs, t[i],
                    cols, rs, i);
        n += tu_int(s, "SELECT count(*) FROM (SELECT %s, %s FROM temp.kept_%d"
                       " EXCEPT SELECT %s, %s FROM %s)", cols, rs, i, cols,
                    rs, t[i]);
    }
    return n;
}

/* ---- the tests ----------------------------------------------------------- */

typedef struct fixture {
    char dir[256];
    tg_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tu_tmpdir(f->dir, sizeof f->dir);
    f->s = tu_store(f->dir, "roll.db");
    if (!getenv("TRENDGUARD_SHARE"))
        setenv("TRENDGUARD_SHARE", ".", 1);
    rng_state = 0x9E3779B97F4A7C15ULL;
    next_return = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->s);
    tu_rmrf(f->dir);
    free(f);
    return 0;
}

static void rollups_equal_the_scan_after_random_changes(void **state)
{
    fixture *f = *state;
    build(f->s, 700);
    assert_true(tu_int(f->s, "SELECT count(*) FROM scores WHERE"
                             " model_version = 2") > 100);
    assert_int_equal(compare_all(f->s), 0);
    long next_id = 1000;
    for (int round = 0; round < 6; round++) {
        tu_run(f->s, "BEGIN");
        for (int i = 0; i < 40; i++) {
            change(f->s, &next_id);
            change_iv(f->s, some_line(f->s));
        }
        tu_run(f->s, "COMMIT");
        assert_int_equal(compare_all(f->s), 0);
        assert_int_equal(rollups_differ(f->s), 0);
    }
}

/* The empty store, and one whose lines were all deleted: no row left. */
static void an_emptied_store_has_no_rollups(void **state)
{
    fixture *f = *state;
    assert_int_equal(compare_all(f->s), 0);
    build(f->s, 50);
    tu_run(f->s, "DELETE FROM interventions; DELETE FROM scores;"
              " DELETE FROM returns; DELETE FROM purchases");
    assert_int_equal(compare_all(f->s), 0);
    assert_int_equal(tu_int(f->s, "SELECT (SELECT count(*) FROM dash_days)"
                                  " + (SELECT count(*) FROM dash_day_drivers)"
                                  " + (SELECT count(*) FROM dash_day_reasons)"
                                  " + (SELECT count(*) FROM"
                                  " dash_product_days) + (SELECT count(*)"
                                  " FROM dash_product_weeks)"),
                     0);
}

/* The comparison can fail: without one trigger the figures drift. */
static void a_dropped_trigger_is_noticed(void **state)
{
    static const char *const triggers[] = {
        "dash_return_added", "dash_score_displaced", "dash_purchase_changed",
        "dash_score_removing", "funnel_iv_added", "funnel_iv_changed",
        "funnel_line_changing", "funnel_product_moved"};
    fixture *f = *state;
    build(f->s, 300);
    for (int i = 0; i < 8; i++) {
        tu_run(f->s, "SAVEPOINT drop_one; DROP TRIGGER %s", triggers[i]);
        long next_id = 5000 + 1000 * i;
        for (int k = 0; k < 60; k++) {
            change(f->s, &next_id);
            change_iv(f->s, some_line(f->s));
        }
        for (long id = 2; id < 40; id++) {
            if (tu_int(f->s, "SELECT count(*) FROM purchases WHERE id = %ld",
                       id) == 0)
                continue;
            add_return(f->s, id);
            put_score(f->s, id, 9 + i);
        }
        tu_run(f->s, "UPDATE purchases SET ordered_at = ordered_at - 86400"
                  " WHERE id BETWEEN 2 AND 20");
        tu_run(f->s, "DELETE FROM scores WHERE model_version = %d AND"
                  " purchase_id < 10", 9 + i);
        int n = compare_all(f->s);
        print_message("without %s: %d figures differ\n", triggers[i], n);
        assert_true(n > 0);
        tu_run(f->s, "ROLLBACK TO drop_one; RELEASE drop_one");
        assert_int_equal(compare_all(f->s), 0);
    }
}

/* A batch of scores as score_unscored copies them (summed by cell, the
 * per-score triggers off) leaves the rollups the triggers would: first
 * scores of lines, newer versions displacing older ones, older versions
 * displacing nothing, and scores already there (ignored). */
static void a_batch_of_scores_equals_the_triggers(void **state)
{
    fixture *f = *state;
    build(f->s, 500);
    tu_run(f->s, "CREATE TEMP TABLE score_new(purchase_id INTEGER PRIMARY"
              " KEY, model_version INTEGER, p_return REAL, drivers TEXT,"
              " scored_at INTEGER)");
    long staged = 0;
    for (long id = 1; id <= 500; id += 1 + pick(2)) {
        char dj[256];
        drivers_json(dj, sizeof dj);
        int m = pick(4) == 0 ? 1 : pick(3) == 0 ? 2 : 3;
        tu_run(f->s, "INSERT INTO temp.score_new VALUES(%ld, %d, %.17g, '%s',"
                  " 0)", id, m, (double)(rnd() % 1000000) / 1e6, dj);
        staged++;
    }
    tg_score_result r = {0};
    tg_err err = {0};
    assert_int_equal(score_copy_staged(f->s, (size_t)staged, &r, &err),
                     TG_OK);
    print_message("%ld staged: %ld scored, %ld taken, %ld queued\n",
                  staged, r.scored, r.taken, r.queued);
    assert_true(r.scored > 100 && r.taken > 10 && r.queued > 10);
    assert_int_equal(tu_int(f->s, "SELECT active FROM dash_batch"), 0);
    assert_int_equal(compare_all(f->s), 0);
    assert_int_equal(rollups_differ(f->s), 0);
}

/* The queue's decisions written in one statement, their funnel parts
 * summed by cell around it, leave what the triggers would. */
static void a_batch_of_decisions_equals_the_triggers(void **state)
{
    fixture *f = *state;
    build(f->s, 500);
    tu_run(f->s, "CREATE TEMP TABLE nudge_decided(id INTEGER PRIMARY KEY,"
              " nudge TEXT, status TEXT)");
    long long queued = tu_int(f->s, "SELECT count(*) FROM interventions"
                                    " WHERE status = 'queued'");
    for (long iv = 1; iv <= 600; iv++)
        if (pick(3))
            tu_run(f->s, "INSERT INTO temp.nudge_decided SELECT id, %s, '%s'"
                      " FROM interventions WHERE id = %ld",
                pick(3) ? "'cool_off'" : "NULL",
                statuses[pick(2) ? 1 : 4], iv);
    print_message("%lld queued, %lld decided\n", queued,
                  tu_int(f->s, "SELECT count(*) FROM temp.nudge_decided"));
    tg_err err = {0};
    tu_run(f->s, "BEGIN");
    assert_int_equal(store_exec(f->s, schema_funnel_decisions_before, &err),
                     TG_OK);
    tu_run(f->s, "UPDATE interventions SET nudge = d.nudge, status ="
              " d.status FROM temp.nudge_decided d WHERE interventions.id ="
              " d.id");
    assert_int_equal(store_exec(f->s, schema_funnel_decisions_after, &err),
                     TG_OK);
    tu_run(f->s, "COMMIT");
    assert_int_equal(tu_int(f->s, "SELECT active FROM dash_batch"), 0);
    assert_int_equal(compare_all(f->s), 0);
    assert_int_equal(rollups_differ(f->s), 0);
}

/* Whether the query plan of sql (each of its statements, with the
 * triggers they fire) reads the interventions by source or in full. */
static int plan_scans_interventions(tg_store *s, const char *sql)
{
    sqlite3 *db = store_db(s);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRIGGER_EQP, 1, NULL);
    int found = 0;
    while (sql && *sql) {
        char eqp[8192];
        const char *end = strchr(sql, ';');
        int len = end ? (int)(end - sql) : (int)strlen(sql);
        snprintf(eqp, sizeof eqp, "EXPLAIN QUERY PLAN %.*s", len, sql);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, eqp, -1, &st, NULL) != SQLITE_OK)
            fail_msg("%s: %s", eqp, sqlite3_errmsg(db));
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *d = (const char *)sqlite3_column_text(st, 3);
            if (d && (strstr(d, "interventions_by_source") ||
                      strncmp(d, "SCAN i", 6) == 0)) {
                print_message("plan: %s\n", d);
                found = 1;
            }
        }
        sqlite3_finalize(st);
        sql = end ? end + 1 : NULL;
    }
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRIGGER_EQP, 0, NULL);
    return found;
}

/* A line's or a product's interventions are found by line, a batch's by
 * id, never by a pass over every live one (one intervention's triggers
 * read only the row itself). */
static void a_change_reads_only_its_interventions(void **state)
{
    fixture *f = *state;
    build(f->s, 50);
    tu_run(f->s, "CREATE TEMP TABLE nudge_decided(id INTEGER PRIMARY KEY,"
              " nudge TEXT, status TEXT)");
    const char *const sql[] = {
        "UPDATE purchases SET channel = 'tiktok' WHERE id = 5",
        "DELETE FROM purchases WHERE id = 5",
        "UPDATE products SET category = 'tops' WHERE id = 2",
        schema_funnel_decisions_before, schema_funnel_decisions_after,
        schema_funnel_scores_after};
    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++)
        if (plan_scans_interventions(f->s, sql[i]))
            fail_msg("reads every intervention: %.60s", sql[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            rollups_equal_the_scan_after_random_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(an_emptied_store_has_no_rollups,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_dropped_trigger_is_noticed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_batch_of_scores_equals_the_triggers,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_batch_of_decisions_equals_the_triggers, setup, teardown),
        cmocka_unit_test_setup_teardown(a_change_reads_only_its_interventions,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
