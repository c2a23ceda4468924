/* test_phase.c: the trend phase (features_trend_phase) on real curves:
 * the 30 TikTok hashtags of ../shared/datasets/tiktok_hashtag_views.csv
 * (four years of views read every few hours, rounded, now and then going
 * down) loaded through the trend-snapshot path (ingest, then trend_state),
 * each tied to a product and labelled by the shop, as the app shows it,
 * every 20 days of its life. Each label is checked against the curve's
 * shape worked out here from the raw file, apart from the store: a curve
 * still climbing (its newest 7 days its busiest yet, and well above the 7
 * days before) is never "fading", one far below its best week (under a
 * quarter of it) never "rising", and at the end of its busiest week ever a
 * trend is rising or at its peak. The store's SQL (trend_phase, used by the
 * report and the export) gives the same labels; so does the rule's own
 * table of cases. */
#include "testutil.h"

#include <math.h>

#include "trendguard/csv.h"
#include "trendguard/ingest.h"
#include "trendguard/shop.h"

#define VIEWS "../shared/datasets/tiktok_hashtag_views.csv"
#define MAX_TAGS 40
#define STEP_DAYS 20
#define WEEK (7 * (int64_t)TG_DAY)

/* One snapshot and the curve's shape at it, from the raw file. */
typedef struct point {
    int64_t t;
    double top;              /* the most views seen so far */
    double week, prev, best; /* views gained in the 7 days up to t, in the
                                7 days before, most in any 7 days so far */
} point;

typedef struct curve {
    char tag[64];
    point *p;
    size_t n, cap;
    int64_t product;
} curve;

static curve curves[MAX_TAGS];
static int n_curves;
static char dir[256];
static tg_store *S;

static curve *curve_of(const char *tag)
{
    for (int i = 0; i < n_curves; i++)
        if (strcmp(curves[i].tag, tag) == 0)
            return &curves[i];
    if (n_curves == MAX_TAGS)
        fail_msg("more than %d hashtags", MAX_TAGS);
    curve *c = &curves[n_curves++];
    tg_strlcpy(c->tag, tag, sizeof c->tag);
    return c;
}

static void add_point(curve *c, int64_t t, double views)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4096;
        c->p = realloc(c->p, c->cap * sizeof *c->p);
        assert_non_null(c->p);
    }
    double top = c->n && c->p[c->n - 1].top > views ? c->p[c->n - 1].top
                                                    : views;
    c->p[c->n++] = (point){t, top, 0, 0, 0};
}

/* The most views seen by time t (the first snapshot's before it). */
static double top_at(const curve *c, size_t upto, int64_t t)
{
    size_t lo = 0, hi = upto; /* the last point with p.t <= t */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (c->p[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? c->p[0].top : c->p[lo - 1].top;
}

static void shape(curve *c)
{
    double best = 0;
    for (size_t i = 0; i < c->n; i++) {
        point *p = &c->p[i];
        double a = top_at(c, i + 1, p->t - WEEK);
        p->week = p->top - a;
        p->prev = a - top_at(c, i + 1, p->t - 2 * WEEK);
        best = fmax(best, p->week);
        p->best = best;
    }
}

/* The raw file, in the order it comes (by hashtag, then time). */
static void read_curves(void)
{
    tg_err err = {0};
    tg_csv *f = csv_open(VIEWS, &err);
    if (!f)
        fail_msg("%s: %s", VIEWS, err.msg);
    int rc = csv_next(f, &err); /* the header */
    assert_int_equal(rc, 1);
    assert_string_equal(csv_field(f, 0), "hashtag");
    while ((rc = csv_next(f, &err)) == 1) {
        int64_t t;
        double v;
        assert_int_equal(tg_time_parse(csv_field(f, 1), &t), 0);
        assert_int_equal(tg_parse_double(csv_field(f, 2), &v), 0);
        add_point(curve_of(csv_field(f, 0)), t, v);
    }
    assert_int_equal(rc, 0);
    csv_free(f);
    for (int i = 0; i < n_curves; i++)
        shape(&curves[i]);
}

/* The file through ingest, and a product on each hashtag. */
static void load_store(void)
{
    char *paths[] = {VIEWS};
    S = tu_store(dir, "phase.db");
    tg_ingest_opts o = {0};
    long rejected = -1;
    tg_err err = {0};
    if (ingest_paths(S, paths, 1, &o, &rejected, &err) != TG_OK)
        fail_msg("ingest: %s", err.msg);
    assert_int_equal(rejected, 0);
    char sql[512];
    for (int i = 0; i < n_curves; i++) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO products(code, name, category, price, sizes)"
                 " VALUES('P-%d', 'Book tee %d', 'tops', 20, 'S|M|L');"
                 "INSERT INTO product_tags(product_id, hashtag_id, rank)"
                 " SELECT last_insert_rowid(), id, 0 FROM hashtags"
                 " WHERE name = '%.63s';", i, i, curves[i].tag);
        if (store_exec(S, sql, &err) != TG_OK)
            fail_msg("%s", err.msg);
        curves[i].product = tu_int(S, "SELECT id FROM products WHERE code ="
                                      " 'P-%d'", i);
    }
}

static int setup(void **state)
{
    (void)state;
    tu_tmpdir(dir, sizeof dir);
    read_curves();
    load_store();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    store_close(S);
    tu_rmrf(dir);
    for (int i = 0; i < n_curves; i++)
        free(curves[i].p);
    return 0;
}

/* The newest point at or before t (NULL before the first). */
static const point *point_at(const curve *c, int64_t t)
{
    const point *at = NULL;
    for (size_t i = 0; i < c->n && c->p[i].t <= t; i++)
        at = &c->p[i];
    return at;
}

static int label(tg_shop *sh, const curve *c, int64_t t)
{
    tg_shop_item it;
    tg_err err = {0};
    shop_set_now(sh, t);
    if (shop_item(sh, c->product, &it, &err) != TG_OK)
        fail_msg("shop_item: %s", err.msg);
    return it.phase;
}

/* trend_phase in the store's SQL, as the report and export ask it. */
static int sql_label(const curve *c, int64_t t)
{
    return (int)tu_int(S, "SELECT trend_phase(ts.views_24h, ts.week_views,"
                          " ts.prev_week_views, ts.best_week_views,"
                          " (%lld - ts.captured_at) / 86400.0)"
                          " FROM trend_state ts JOIN hashtags h"
                          " ON h.id = ts.hashtag_id WHERE h.name = '%s'"
                          " AND ts.captured_at <= %lld"
                          " ORDER BY ts.captured_at DESC LIMIT 1",
                       (long long)t, c->tag, (long long)t);
}

typedef struct tally {
    long labels, by[TG_NUM_TREND_PHASES];
    long climbing, far_below, best_weeks;
} tally;

/* The shape at p, against the label. */
static void check_point(const curve *c, const point *p, int ph, tally *n)
{
    n->labels++;
    n->by[ph]++;
    if (p->week > 0 && p->week >= p->best && p->week >= 1.25 * p->prev) {
        n->climbing++;
        if (ph == TG_TREND_FADING)
            fail_msg("#%s at %lld: still climbing (week %.0f, the week "
                     "before %.0f, best %.0f) but fading", c->tag,
                     (long long)p->t, p->week, p->prev, p->best);
    }
    if (p->week < 0.25 * p->best) {
        n->far_below++;
        if (ph == TG_TREND_RISING)
            fail_msg("#%s at %lld: far below its best (week %.0f, best "
                     "%.0f) but rising", c->tag, (long long)p->t, p->week,
                     p->best);
    }
}

static void real_curves_are_labelled_by_their_shape(void **state)
{
    (void)state;
    assert_int_equal(n_curves, 30);
    tg_err err = {0};
    tg_shop *sh = shop_open(S, 1, &err);
    assert_non_null(sh);
    tally n = {0};
    for (int i = 0; i < n_curves; i++) {
        const curve *c = &curves[i];
        int dates = 0;
        for (int64_t t = c->p[0].t + 14 * TG_DAY; t <= c->p[c->n - 1].t;
             t += STEP_DAYS * TG_DAY, dates++) {
            const point *p = point_at(c, t);
            int ph = label(sh, c, p->t);
            assert_int_equal(sql_label(c, p->t), ph);
            check_point(c, p, ph, &n);
        }
        assert_true(dates >= 10);
        /* The end of its busiest week ever: rising or at its peak. */
        const point *best = &c->p[0];
        for (size_t k = 0; k < c->n; k++)
            if (c->p[k].week > best->week)
                best = &c->p[k];
        int ph = label(sh, c, best->t);
        n.best_weeks++;
        if (ph != TG_TREND_RISING && ph != TG_TREND_PEAK)
            fail_msg("#%s at %lld: its busiest week (%.0f views) but %s",
                     c->tag, (long long)best->t, best->week,
                     tg_trend_phase_names[ph]);
        /* A week after its last snapshot nothing says it lives. */
        assert_int_equal(label(sh, c, c->p[c->n - 1].t + 8 * TG_DAY),
                         TG_TREND_FADING);
    }
    print_message("%ld labels: %ld rising, %ld peak, %ld fading; %ld "
                  "still climbing, %ld far below their best, %ld busiest "
                  "weeks\n", n.labels, n.by[TG_TREND_RISING],
                  n.by[TG_TREND_PEAK], n.by[TG_TREND_FADING], n.climbing,
                  n.far_below, n.best_weeks);
    /* Every phase is met, and so are both shapes. */
    for (int ph = TG_TREND_RISING; ph < TG_NUM_TREND_PHASES; ph++)
        assert_true(n.by[ph] >= 10);
    assert_int_equal(n.by[TG_TREND_NONE], 0);
    assert_true(n.climbing >= 10 && n.far_below >= 100);
    shop_free(sh);
}

/* The rule itself, case by case (the last day, the week, the week
 * before, the best week, days since the newest snapshot). */
static void the_rule_case_by_case(void **state)
{
    (void)state;
    static const struct {
        double day, week, prev, best, stale;
        int phase;
    } cases[] = {
        {1, NAN, 0, 10, 0, TG_TREND_NONE},
        {1, 10, 0, NAN, 0, TG_TREND_NONE},
        {20, 100, 50, 100, 0, TG_TREND_RISING},  /* a new best, growing */
        {20, 100, NAN, 100, 0, TG_TREND_RISING}, /* its first week */
        {NAN, 100, 50, 100, 0, TG_TREND_RISING}, /* no day: the week says */
        {10, 60, 40, 100, 0, TG_TREND_RISING},   /* climbing again */
        {14, 100, 50, 100, 0, TG_TREND_PEAK},    /* a quiet last day */
        {10, 49, 10, 100, 0, TG_TREND_FADING},   /* climbing, far below */
        {15, 100, 95, 100, 0, TG_TREND_PEAK},    /* a plateau at its best */
        {10, 70, 100, 100, 0, TG_TREND_PEAK},    /* just past its best */
        {10, 69, 100, 100, 0, TG_TREND_FADING},
        {20, 100, 0, 100, 7, TG_TREND_RISING},   /* a week without data */
        {20, 100, 0, 100, 7.01, TG_TREND_FADING},/* ... and a moment more */
        {0, 0, 0, 0, 0, TG_TREND_FADING},        /* never a view */
        {0, 0, 50, 100, 0, TG_TREND_FADING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (features_trend_phase(cases[i].day, cases[i].week, cases[i].prev,
                                 cases[i].best, cases[i].stale) !=
            cases[i].phase)
            fail_msg("case %zu: not %s", i,
                     tg_trend_phase_names[cases[i].phase]);
    assert_string_equal(tg_trend_phase_names[TG_TREND_PEAK], "peak");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_curves_are_labelled_by_their_shape),
        cmocka_unit_test(the_rule_case_by_case),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
