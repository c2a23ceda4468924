/* test_report_pilot_same.c: report_pilot gives, bit for bit, the
 * tg_report_pilot that its earlier, slower form gave (kept in
 * report_pilot_ref.h: one ORDER BY over every line, the resamples one by
 * one), for every filter and period, on two stores: a made-up pilot with
 * the awkward cases in numbers (anonymous orders, order codes out of step
 * with the lines' ids and times, codes longer than 63 characters, several
 * returns of a line, pending lines, lines without satisfaction or resale
 * share, weeks and months cut by the period), and the pilot that
 * `trendguard pilot` plays on a demo store with a quick model (whose
 * figures of the dashboard's filters are those the pilot kept). */
#include <math.h>
#include <stddef.h>

#include "demo_store.h"
#include "trendguard/features.h"
#include "trendguard/pilot.h"
#include "trendguard/report.h"

#include "pilot_made_up.h"
#include "report_pilot_ref.h"

/* ---- the comparison --------------------------------------------------------- */


static int same_ci(const tg_ci *a, const tg_ci *b)
{
    return !memcmp(a, b, sizeof *a);
}

/* Names the first part that differs (for the failure's message). */
static const char *first_difference(const tg_report_pilot *a,
                                    const tg_report_pilot *b)
{
    if (memcmp(a->arm, b->arm, sizeof a->arm))
        return "the arms' totals";
    if (!same_ci(&a->returns_avoided, &b->returns_avoided) ||
        !same_ci(&a->net_saving, &b->net_saving) ||
        !same_ci(&a->roi, &b->roi) ||
        !same_ci(&a->resale_recovered, &b->resale_recovered) ||
        !same_ci(&a->satisfaction_change, &b->satisfaction_change))
        return "a figure or its interval";
    if (a->n_weeks != b->n_weeks || memcmp(a->week, b->week, sizeof a->week))
        return "the weeks";
    if (a->n_months != b->n_months ||
        memcmp(a->month, b->month, sizeof a->month))
        return "the months";
    if (a->n_nudges != b->n_nudges || memcmp(a->nudge, b->nudge,
                                             sizeof a->nudge))
        return "the uptake";
    if (strcmp(a->note, b->note))
        return "the note";
    return "the run or the assumptions";
}

/* Every filter of one category, one channel, both and none, with or
 * without a start, over each period: report_pilot and the reference give
 * the same bytes. Returns how many selections had settled lines in both
 * arms. */
static int compare_all(tg_store *s)
{
    int64_t since = tu_int(s, "SELECT from_at FROM pilot_runs") + 9 * DAY +
                    3600;
    static const int periods[] = {0, 90, 60, 30, 14, 7, 1};
    tg_report_pilot *a = malloc(sizeof *a), *b = malloc(sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    int full = 0;
    for (size_t p = 0; p < sizeof periods / sizeof *periods; p++)
        for (int i = -1; i < TG_NUM_CATEGORIES + TG_NUM_CHANNELS + 2; i++) {
            tg_report_filter f = {.category = -1, .channel = -1,
                                  .period_days = periods[p]};
            if (i >= 0 && i < TG_NUM_CATEGORIES)
                f.category = i;
            else if (i >= TG_NUM_CATEGORIES &&
                     i < TG_NUM_CATEGORIES + TG_NUM_CHANNELS)
                f.channel = i - TG_NUM_CATEGORIES;
            else if (i == TG_NUM_CATEGORIES + TG_NUM_CHANNELS)
                f.category = 1, f.channel = 2;
            else if (i > 0) {
                f.has_since = 1;
                f.since = since;
            }
            tg_err err = {0};
            memset(a, 0xa5, sizeof *a);
            memset(b, 0x5a, sizeof *b);
            assert_int_equal(report_pilot(s, &f, NULL, a, &err), TG_OK);
            assert_int_equal(ref_report_pilot(s, &f, NULL, b, &err), TG_OK);
            if (memcmp(a, b, FIGURES_BYTES))
                fail_msg("period %d, filter %d: %s differ", periods[p], i,
                         first_difference(a, b));
            full += a->arm[0].returns.n > 0 && a->arm[1].returns.n > 0;
        }
    free(a);
    free(b);
    return full;
}

static void made_up(void **state)
{
    (void)state;
    tg_store *s = made_up_pilot();
    tg_report_pilot *p = malloc(sizeof *p);
    tg_err err = {0};
    assert_int_equal(report_pilot(s, NULL, NULL, p, &err), TG_OK);
    /* the cases the comparison is meant to hold */
    assert_true(p->has);
    assert_true(p->n_weeks > 10 && p->n_months >= 3);
    assert_true(p->arm[0].returns.n > 500 && p->arm[1].returns.n > 500);
    assert_true(isfinite(p->net_saving.lo) && isfinite(p->roi.hi));
    assert_true(p->n_nudges == 5); /* 3 on the pilot's lines, 1 off them, none */
    free(p);
    assert_true(tu_int(s, "SELECT count(*) FROM purchases WHERE customer_id"
                          " IS NULL") > 100);
    assert_true(tu_int(s, "SELECT count(*) FROM purchases WHERE"
                          " length(order_code) > 63") > 50);
    assert_true(tu_int(s, "SELECT count(*) FROM (SELECT purchase_id FROM"
                          " returns GROUP BY 1 HAVING count(*) > 1)") > 50);
    assert_true(compare_all(s) > 60);
    store_close(s);
}

/* The pilot of `trendguard pilot` on a demo store. */
static void played(void **state)
{
    (void)state;
    char db[300], model[300];
    snprintf(db, sizeof db, "%s/demo.db", dir);
    snprintf(model, sizeof model, "%s/model.json", dir);
    tu_demo_store(dir, db, 5);
    tu_demo_model(db, model, 20, 1);
    tg_err err = {0};
    tg_store *s = store_open(db, 0, &err);
    assert_non_null(s);
    tg_pilot_opts o;
    pilot_defaults(&o);
    o.weeks = 8;
    tg_pilot_result r;
    if (pilot_run(s, &o, &r, &err) != TG_OK)
        fail_msg("pilot: %s", err.msg);
    assert_true(compare_all(s) > 30); /* the last 30 days are pending */
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(made_up),
        cmocka_unit_test(played),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
