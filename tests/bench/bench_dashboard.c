/* bench_dashboard.c: the manager dashboard's figures (report_dashboard,
 * what the dashboard's worker computes on every filter change) on a store
 * that tests/bench/run.sh has built, for every period the screen offers
 * and every filter of one category or one channel, and the two parts it
 * reads apart from the lines (the interventions' funnel and the simulated
 * pilot), so that the slow part is seen.
 *
 * usage: bench_dashboard DB
 *
 * Prints one "name seconds" line per measure:
 *   period_N        the slowest filter's time for the last N days (0: all
 *                   data), each filter measured once after one warm-up
 *   slowest         the slowest of every period and filter
 *   interventions_N report_interventions for the last N days, no filter
 *   interventions_scan_N  the same from every intervention (the reference)
 *   pilot_N         report_pilot for the last N days, no filter (the
 *                   figures the pilot kept, when it kept them)
 *   pilot_fresh_N   the same computed from the lines, nothing kept
 *   pilot_warm      report_pilot_warm: every filter the dashboard offers
 *                   computed and kept, as the pilot does once it has run
 * and exits 70 when a figure cannot be computed. What the last two keep
 * is rolled back. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "trendguard/features.h"
#include "trendguard/report.h"
#include "trendguard/store.h"

static const int periods[] = {90, 30, 7, 0};
#define N_PERIODS (int)(sizeof periods / sizeof *periods)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const tg_err *err)
{
    fprintf(stderr, "bench_dashboard: %s: %s\n", what, err->msg);
    exit(70);
}

/* One dashboard for the filter; its seconds. */
static double one(tg_store *s, const tg_report_filter *f, tg_dashboard *d)
{
    tg_err err = {0};
    double t0 = now();
    if (report_dashboard(s, f, d, &err) != TG_OK)
        die("report_dashboard", &err);
    return now() - t0;
}

/* The slowest filter's time for one period: no filter, each category,
 * each channel. */
static double slowest_filter(tg_store *s, int days, tg_dashboard *d)
{
    double worst = 0;
    for (int i = -1; i < TG_NUM_CATEGORIES + TG_NUM_CHANNELS; i++) {
        tg_report_filter f = {.category = -1, .channel = -1,
                              .period_days = days};
        if (i >= 0 && i < TG_NUM_CATEGORIES)
            f.category = i;
        else if (i >= TG_NUM_CATEGORIES)
            f.channel = i - TG_NUM_CATEGORIES;
        double t = one(s, &f, d);
        worst = t > worst ? t : worst;
    }
    return worst;
}

static void exec(tg_store *s, const char *sql)
{
    tg_err err = {0};
    if (store_exec(s, sql, &err) != TG_OK)
        die(sql, &err);
}

/* report_pilot with nothing kept; its seconds. */
static double pilot_fresh(tg_store *s, const tg_report_filter *f,
                          tg_dashboard *d)
{
    tg_err err = {0};
    exec(s, "SAVEPOINT fresh; DELETE FROM pilot_figures");
    double t0 = now();
    if (report_pilot(s, f, NULL, &d->pilot, &err) != TG_OK)
        die("report_pilot", &err);
    double t = now() - t0;
    exec(s, "ROLLBACK TO fresh; RELEASE fresh");
    return t;
}

/* report_pilot_warm; its seconds. */
static double pilot_warm(tg_store *s)
{
    tg_err err = {0};
    exec(s, "SAVEPOINT warm");
    double t0 = now();
    if (report_pilot_warm(s, NULL, NULL, &err) != TG_OK)
        die("report_pilot_warm", &err);
    double t = now() - t0;
    exec(s, "ROLLBACK TO warm; RELEASE warm");
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_dashboard DB\n");
        return TG_EUSAGE;
    }
    tg_err err = {0};
    tg_store *s = store_open(argv[1], 0, &err);
    if (!s)
        die(argv[1], &err);
    tg_dashboard *d = malloc(sizeof *d);
    tg_report_interventions *iv = malloc(sizeof *iv);
    if (!d || !iv) {
        fprintf(stderr, "bench_dashboard: out of memory\n");
        return 70;
    }
    tg_report_filter all = {.category = -1, .channel = -1};
    one(s, &all, d); /* warm-up: the store's pages read once */
    double worst = 0;
    for (int p = 0; p < N_PERIODS; p++) {
        double t = slowest_filter(s, periods[p], d);
        printf("period_%d %.4f\n", periods[p], t);
        worst = t > worst ? t : worst;
    }
    printf("slowest %.4f\n", worst);
    for (int p = 0; p < N_PERIODS; p++) {
        all.period_days = periods[p];
        double t0 = now();
        if (report_interventions(s, &all, NULL, iv, &err) != TG_OK)
            die("report_interventions", &err);
        printf("interventions_%d %.4f\n", periods[p], now() - t0);
        t0 = now();
        if (report_interventions_scan(s, &all, NULL, iv, &err) != TG_OK)
            die("report_interventions_scan", &err);
        printf("interventions_scan_%d %.4f\n", periods[p], now() - t0);
        t0 = now();
        if (report_pilot(s, &all, NULL, &d->pilot, &err) != TG_OK)
            die("report_pilot", &err);
        printf("pilot_%d %.4f\n", periods[p], now() - t0);
        printf("pilot_fresh_%d %.4f\n", periods[p], pilot_fresh(s, &all, d));
    }
    printf("pilot_warm %.4f\n", pilot_warm(s));
    free(iv);
    free(d);
    store_close(s);
    return 0;
}
