/* report_dash_int.h: what the dashboard's two readers share: the figures
 * being summed (dash_scan), how one line or a sum of lines adds to them,
 * and the finishing steps (rates, rankings, labels, the interventions and
 * the pilot). report_dash.c reads every line (report_dashboard_scan, the
 * reference); report_rollup.c reads the rollups (report_dashboard). Not
 * public. */
#ifndef TRENDGUARD_REPORT_DASH_INT_H
#define TRENDGUARD_REPORT_DASH_INT_H

#include <stdint.h>

#include "trendguard/features.h"
#include "trendguard/report.h"

/* The reasons the schema allows (returns.reason). */
#define DASH_N_REASONS 7

/* One product's lines in the period. */
typedef struct dash_product {
    int64_t id;              /* INT64_MIN: an empty slot */
    long lines, matured, returned, scored;
    double risk_sum;
} dash_product;

/* The products seen, by id (open addressing). */
typedef struct dash_products {
    dash_product *v;
    size_t n, cap;
} dash_products;

typedef struct dash_scan {
    tg_dashboard *d;
    int64_t first_week;      /* Monday of week[0] */
    long driver_first[TG_NUM_FEATURES];
    long week_scored[TG_DASH_WEEKS];
    long reasons[DASH_N_REASONS];
    dash_products products;
    int reference;           /* the interventions by the reference scan */
} dash_scan;

/* A line's newest score. */
typedef struct line_score {
    int scored, model, driver; /* driver: features.h index, -1 none */
    double p;
} line_score;

/* One line as a reader gathers it from its rows. */
typedef struct dash_line {
    int64_t id, t, product;
    int returned;
} dash_line;

/* A sum of whole days' lines of one cell (a day, a product's day or
 * week): on which side of the data end's boundaries they all are. */
typedef struct dash_sum {
    int64_t t;               /* a moment of the first day (its week) */
    int in_period, in_week, mature;
    long lines, returned, scored;
    double risk_sum;
} dash_sum;

/* Checks the filter, sets the period and its weeks. */
int dash_begin(tg_store *s, const tg_report_filter *f, tg_dashboard *d,
               dash_scan *c, tg_err *err);
/* The first feature named in a score's drivers JSON (its first 80
 * characters as read), -1 when none. */
int dash_first_driver(const char *json);
/* A return reason's index (0..DASH_N_REASONS-1), -1 when unknown. */
int dash_reason(const char *name);
/* One line, with its newest score. */
int dash_add_line(dash_scan *c, const dash_line *l, const line_score *ls);
/* Lines of one day (KPIs, weeks, the score's totals; not the products,
 * nor the bins). */
void dash_add_day(dash_scan *c, const dash_sum *x);
/* Lines of one product. */
int dash_add_product(dash_scan *c, int64_t id, const dash_sum *x);
/* Rates, rankings and labels, then the interventions and the pilot; frees
 * what c holds (also on failure). */
int dash_finish(tg_store *s, const tg_report_filter *f, dash_scan *c,
                int rc, tg_err *err);

#endif
