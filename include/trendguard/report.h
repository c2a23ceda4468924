/* report.h: the regret-driver analysis of a store (`trendguard report`) and
 * the manager dashboard's figures. Everything is computed into plain
 * structs; nothing here prints. report_json and report_html turn a report
 * into text for the front ends.
 *
 * Return rates count a line as returned when a return of it arrives within
 * 30 days (the training set's label) and use matured lines only: lines
 * whose 30-day window has closed by the end of the store's data
 * (v_data_end), as v_training_set's `mature` column.
 *
 * What the nudges saved is an estimate from the interventions table, for
 * accepted nudges whose outcome is known (settled):
 *   returns avoided   = sum over them of (the score logged when the nudge
 *                       was chosen - 1 if the line was returned, else 0);
 *                       a lost sale ('lost': not bought after all) counts
 *                       as not returned;
 *   return cost       = what a returned line costs the shop, from the
 *                       simulation's money assumptions
 *                       (assets/simulation.json): price paid x (margin +
 *                       processing share + (1 - margin) x (1 - resale
 *                       share)), the resale share by the line's trend
 *                       phase at purchase (rising or peak: hot, fading:
 *                       decline, no trend: evergreen);
 *   money saved (net) = sum of (score - returned) x return cost
 *                       - offer costs of every accepted nudge (settled or
 *                         not: they are spent when accepted)
 *                       - margin of the sales lost;
 *   ROI               = money saved / (offer costs + lost margin), NaN when
 *                       nothing was spent.
 * The logged score is the model's probability without the nudge, so the
 * estimate is only as good as the model's calibration; the A/B simulation
 * (sim.h) is the controlled measurement. */
#ifndef TRENDGUARD_REPORT_H
#define TRENDGUARD_REPORT_H

#include <stdint.h>

#include "trendguard/features.h"
#include "trendguard/money.h"
#include "trendguard/nudge.h"
#include "trendguard/store.h"
#include "trendguard/sim.h"
#include "trendguard/util.h"

/* ---- shared pieces ------------------------------------------------------- */

/* k of n lines returned, with the 95% Wilson score interval. n = 0: rate,
 * lo and hi are NaN. */
typedef struct tg_rate {
    long n, k;
    double rate, lo, hi;
} tg_rate;
tg_rate report_rate(long k, long n);

/* Which lines and interventions a figure covers. */
typedef struct tg_report_filter {
    int category;    /* TG_CAT_* (features.h), or -1 for any */
    int channel;     /* TG_CHANNEL_*, or -1 for any */
    int period_days; /* 0: all data; else the period_days days that end at
                        the store's data end (v_data_end) */
    int has_since;   /* 1: and no line bought before since (the export's
                        --since) */
    int64_t since;
} tg_report_filter;

/* Checks the filter (NULL: everything; a code out of range is TG_EUSAGE)
 * and gives the store's data end and the first second of the period
 * (INT64_MIN for all data). */
int report_period(tg_store *s, const tg_report_filter *f, int64_t *data_end,
                  int64_t *start, tg_err *err);
/* Binds the filter's category and channel names (NULL for any) to the
 * statement's parameters first and first + 1, for SQL written as
 * "(?2 IS NULL OR pr.category = ?2) AND (?3 IS NULL OR p.channel = ?3)". */
void report_bind_filter(sqlite3_stmt *st, int first,
                        const tg_report_filter *f);

/* The intervention funnel. Every row of `interventions` was queued by the
 * scoring trigger or logged by the app; a row counts in the period of its
 * purchase (or of its creation when it has no purchase line). */
typedef struct tg_report_funnel {
    long queued;    /* all interventions */
    long waiting;   /* still queued: not decided yet */
    long skipped;   /* decided: no nudge fitted (low risk, caps, ...) */
    long shown;     /* a nudge was shown: status shown, accepted or
                       declined */
    long accepted, declined; /* the shopper's answer (shown - accepted -
                                declined gave none) */
    long kept, returned, lost; /* outcomes of accepted nudges */
    long pending;   /* accepted, outcome not known yet */
} tg_report_funnel;

/* What accepted nudges saved; see the top of this file. Money is in the
 * shop's currency. */
typedef struct tg_report_value {
    long settled;            /* accepted with a known outcome and score */
    double expected_returns; /* sum of their logged scores */
    double returns_avoided;  /* expected_returns - returned */
    double cost_avoided;     /* sum of (score - returned) x return cost */
    double offer_cost;       /* offers of every accepted nudge */
    double lost_margin;      /* margin of sales lost ('lost' outcomes) */
    double saved;            /* cost_avoided - offer_cost - lost_margin */
    double roi;              /* saved / (offer_cost + lost_margin); NaN */
} tg_report_value;

/* One row of a funnel-and-value table: per nudge or per month. */
typedef struct tg_report_iv_row {
    char key[32];            /* nudge id ("" for no nudge), or "YYYY-MM" */
    tg_report_funnel funnel;
    tg_report_value value;
} tg_report_iv_row;

#define TG_REPORT_MAX_MONTHS 24

typedef struct tg_report_interventions {
    tg_report_funnel funnel;
    tg_report_value value;
    int n_nudges;            /* most shown first; no-nudge rows last */
    tg_report_iv_row nudge[TG_NUDGE_MAX + 1];
    int n_months;            /* oldest first; the newest
                                TG_REPORT_MAX_MONTHS months */
    tg_report_iv_row month[TG_REPORT_MAX_MONTHS];
    /* the assumptions the value used */
    tg_sim_assume assume;
    double margin, processing_share;
    double resale_hot, resale_decline, resale_evergreen;
} tg_report_interventions;

/* The funnel and value of the interventions the filter covers. assume_path:
 * the money assumptions (NULL: the shipped assets/simulation.json). */
int report_interventions(tg_store *s, const tg_report_filter *f,
                         const char *assume_path,
                         tg_report_interventions *out, tg_err *err);
/* The same from every intervention of the period, one by one (the rollup
 * aside): the reference report_interventions is tested against. */
int report_interventions_scan(tg_store *s, const tg_report_filter *f,
                              const char *assume_path,
                              tg_report_interventions *out, tg_err *err);

/* ---- the simulated pilot's figures (report_pilot.c) ---------------------- */

/* The figures of the pilot the store holds (`trendguard pilot`, pilot.h),
 * one definition each, over the settled lines the filter covers (a
 * line's 30-day window closed by the data end; younger lines are
 * pending and count in no rate), arm by arm (control, treatment):
 *   return rate       returned / settled lines (a line the shopper did not
 *                     buy after a nudge counts as not returned), with its
 *                     95% Wilson interval;
 *   returns avoided   (control's rate - treatment's) x treatment's settled
 *                     lines;
 *   cost of a line    what returns and nudges cost: a return gives back
 *                     the margin (an exchange only 1 - exchange_keeps of
 *                     it), costs the processing and loses the value of
 *                     the goods not recovered when they are back on sale
 *                     (resale share by the trend's phase that day, less
 *                     for a worn item); a line not bought loses its
 *                     margin; the offers taken and the fast restock's
 *                     route cost; all from assets/simulation.json;
 *   net saving        (control's cost per settled line - treatment's) x
 *                     treatment's settled lines;
 *   ROI               net saving / what the treatment spent (offers, lost
 *                     margin, fast restock); NaN when it spent nothing;
 *   resale recovered  (control's value lost on returned goods per settled
 *                     line - treatment's) x treatment's settled lines;
 *   satisfaction      per order, the mean of its settled items' index
 *                     (kept 1, returned 0.3, exchanged 0.6, not bought
 *                     0.8, less 0.05 bought after waiting) less 0.02 per
 *                     nudge shown and 0.03 more per one declined; the
 *                     change is treatment's mean less control's, in points;
 *   uptake by nudge   taken / shown, per nudge, with its Wilson interval.
 * The intervals of returns avoided, net saving, ROI, resale recovered and
 * satisfaction are percentile intervals of a cluster bootstrap over
 * customers (an anonymous order its own cluster): 400 resamples, each
 * customer's lines and orders weighted together by a Poisson(1) weight.
 * The same figures by week (Monday to Sunday) and month of the purchase.
 * recorded (per arm): the same lines' return rate as the store recorded
 * them, without the nudges: control's is its rate; treatment's against
 * its played rate is the nudges' own effect on those shoppers, while the
 * A/B difference also holds how the two arms differ by chance. */

#define TG_PILOT_WEEKS 54
#define TG_PILOT_MONTHS 14
#define TG_PILOT_RESAMPLES 400
#define TG_PILOT_KEY_BYTES 112

/* A figure and its 95% interval (NaN: none). */
typedef struct tg_ci {
    double value, lo, hi;
} tg_ci;

/* One arm over the lines a figure covers. Money in the shop's currency,
 * over settled lines. */
typedef struct tg_pilot_arm {
    long lines;              /* lines covered, settled or pending */
    tg_rate returns;         /* settled lines (n) and their returns (k) */
    tg_rate recorded;        /* the same lines as the store recorded them */
    double return_cost;      /* what their returns cost (see above) */
    double value_lost;       /* of it, the goods' value not recovered */
    double spend;            /* offers, lost margin and fast restock */
    long orders;             /* with a settled line */
    double satisfaction;     /* mean per order; NaN without orders */
    /* in all only (not per period): */
    long customers;          /* with a line covered */
    long not_bought, exchanged, fast_restocked;
    double amount;           /* paid for the settled lines */
    double lost_margin, offer_cost, restock_cost; /* spend's parts */
} tg_pilot_arm;

typedef struct tg_pilot_period {
    char key[16];            /* "2026-09", or the week's Monday */
    int64_t start;
    tg_pilot_arm arm[2];     /* [0] control, [1] treatment */
    tg_ci returns_avoided, net_saving, roi, resale_recovered;
} tg_pilot_period;

typedef struct tg_pilot_nudge {
    char id[32];
    tg_rate uptake;          /* n shown, k taken */
} tg_pilot_nudge;

typedef struct tg_report_pilot {
    int has;                 /* the store holds a pilot */
    char note[400];          /* why a figure is missing, in words; "" */
    /* the run (pilot_runs) */
    int weeks, model_version;
    double holdout, budget_per_day;
    long long seed;
    int64_t from, to;
    tg_pilot_arm arm[2];     /* [0] control, [1] treatment */
    tg_ci returns_avoided, net_saving, roi, resale_recovered;
    tg_ci satisfaction_change; /* points of the index */
    int n_nudges;            /* most shown first */
    tg_pilot_nudge nudge[TG_NUDGE_MAX];
    int n_weeks, n_months;   /* oldest first */
    tg_pilot_period week[TG_PILOT_WEEKS];
    tg_pilot_period month[TG_PILOT_MONTHS];
    /* the assumptions the money used */
    double margin, processing_share, exchange_keeps, fast_restock_cost;
    /* kept figures (report_pilot_cache.c): cached is 1 when these were
     * read from the store's pilot_figures; else version (the store's
     * PRAGMA data_version when they were read) and key are what
     * report_pilot_keep needs */
    int cached;
    long long version;
    unsigned char key[TG_PILOT_KEY_BYTES];
} tg_report_pilot;

/* A figure and its interval as text, out[0] the figure, out[1] and
 * out[2] the interval's ends: money in cur (money_format, ascii as it
 * says) when cur is given, else times scale with `places` decimals and
 * unit; "-" for NaN. */
void report_ci_format(const tg_ci *c, const tg_currency *cur, int ascii,
                      double scale, int places, const char *unit,
                      char out[3][40]);

/* Where the pilot's assumptions are, for every screen that shows it. */
extern const char report_pilot_assumptions[];

/* The pilot's figures for the filter (NULL: everything); without a pilot
 * has is 0 and note says what is missing (no model, no shopper truth, no
 * run yet). assume_path: the money (NULL: assets/simulation.json). Read
 * from the store's kept figures when it holds those of the same filter,
 * period, assumptions and data; else computed from one snapshot of the
 * store and, outside a transaction, kept (report_pilot_keep). */
int report_pilot(tg_store *s, const tg_report_filter *f,
                 const char *assume_path, tg_report_pilot *out, tg_err *err);
/* Keeps figures report_pilot computed (not read from the kept ones) so
 * that the next report_pilot of the same filter reads them, when nothing
 * was committed to the store since their snapshot; outside a
 * transaction. Best effort: a read-only or busy store keeps nothing.
 * 1 when kept. */
int report_pilot_keep(tg_store *s, const tg_report_pilot *p);
/* Computes and keeps the figures of every filter the dashboard offers
 * (each category or any, each channel or any, each period: all data, 90,
 * 30 and 7 days) from one read of the pilot's lines, as pilot_run does
 * once it has played; in the caller's transaction, or in one of its own
 * outside one. The count kept in *kept (NULL: not wanted). */
int report_pilot_warm(tg_store *s, const char *assume_path, int *kept,
                      tg_err *err);
/* report_pilot_warm with the shipped assumptions (the dashboard's) when
 * the store holds a pilot but not its figures for the data it holds now
 * (a load emptied them or moved the data's end, and with it the
 * periods), as ingest does after a load; best effort: 1 when it kept
 * them. */
int report_pilot_rekeep(tg_store *s);

/* ---- the report ---------------------------------------------------------- */

/* The regret drivers: features of a line whose buckets' return rates are
 * compared. */
enum {
    TG_RD_TREND_PHASE, /* features_trend_phase at purchase */
    TG_RD_CHANNEL,
    TG_RD_HOUR,        /* hour of day (UTC), in 3-hour blocks */
    TG_RD_VIEW_TIME,   /* minutes from first view to purchase */
    TG_RD_DISCOUNT,    /* discount depth */
    TG_RD_BRACKETING,  /* sizes of the item in the order (sizes_of_item) */
    TG_RD_SIZE,        /* size steps against the usual size */
    TG_RD_CATEGORY,
    TG_RD_PAYMENT,     /* card, paylater, other */
    TG_RD_SEGMENT,     /* customer segment */
    TG_REPORT_DRIVERS
};
#define TG_REPORT_MAX_BUCKETS 10

typedef struct tg_report_bucket {
    char label[24];          /* "rising", "00-02h", "2 sizes", ... */
    tg_rate r;               /* matured lines in the bucket */
} tg_report_bucket;

typedef struct tg_report_driver {
    int kind;                /* TG_RD_* */
    const char *id;          /* "trend_phase" (static) */
    const char *title;       /* "trend phase" (static) */
    int n;                   /* buckets with lines, in their natural order */
    tg_report_bucket b[TG_REPORT_MAX_BUCKETS];
    double spread;           /* highest - lowest rate among buckets with at
                                least min_lines lines; 0 with fewer than
                                two such buckets */
} tg_report_driver;

/* The model's view: mean |TreeSHAP| per feature (margin units). */
typedef struct tg_report_shap {
    int feature;             /* features.h index */
    char label[64];          /* explain_label ("the size you picked") */
    double mean_abs;
} tg_report_shap;

typedef struct tg_report_model {
    int version;             /* the model explained; 0: none */
    char note[256];          /* why there is no view (no model registered,
                                its file missing...), else "" */
    long lines;              /* lines explained */
    int scored_only;         /* 1: lines with a score; 0: no line had one,
                                so the newest lines */
    int64_t from, to;        /* their purchase times */
    int n;                   /* features, largest mean |SHAP| first */
    tg_report_shap f[TG_NUM_FEATURES];
} tg_report_model;

#define TG_REPORT_MAX_HASHTAGS 10

typedef struct tg_report_hashtag {
    char name[128];
    tg_rate r;               /* matured lines of the trend */
} tg_report_hashtag;

typedef struct tg_report_trends {
    long hashtags;           /* trends with at least min_lines matured
                                lines */
    int n_top;               /* the highest return rates first (ties: more
                                lines first) */
    tg_report_hashtag top[TG_REPORT_MAX_HASHTAGS];
    /* return rate over a trend's life: by days since its busiest day so far
     * and by days since it was first seen, at purchase; lines of a trend */
    int n_since_peak;
    tg_report_bucket since_peak[TG_REPORT_MAX_BUCKETS];
    int n_age;
    tg_report_bucket age[TG_REPORT_MAX_BUCKETS];
} tg_report_trends;

typedef struct tg_report_opts {
    long min_lines;          /* lines a bucket or trend needs to count in a
                                spread or ranking (default 30) */
    int shap_days;           /* model view: lines of the last shap_days
                                days before the data end (default 30), */
    long shap_lines;         /* the newest shap_lines of them (5000) */
    const char *assume_path; /* NULL: assets/simulation.json */
    const char *explain_path;/* NULL: assets/explain.json */
} tg_report_opts;
void report_defaults(tg_report_opts *o);

/* ---- the manager dashboard ----------------------------------------------- */

#define TG_DASH_WEEKS 52
#define TG_DASH_BINS 10
#define TG_DASH_DRIVERS 8
#define TG_DASH_REASONS 8
#define TG_DASH_PRODUCTS 10

typedef struct tg_dash_kpis {
    long lines;              /* lines bought in the period */
    long matured;            /* of them, with their 30-day window closed */
    long returned;           /* of the matured, returned within 30 days */
    double return_rate;      /* returned / matured; NaN when none */
    long lines_week;         /* lines of the last 7 days of data */
    long scored_week;        /* of them, with a score */
    double predicted_week;   /* sum of their newest scores: the returns
                                the model expects from this week's lines */
    double acceptance_rate;  /* real use: accepted / shown; NaN when none
                                shown */
} tg_dash_kpis;

typedef struct tg_dash_week {
    int64_t start;           /* Monday 00:00 UTC */
    long lines;              /* bought in the week (and the period) */
    long matured, returned;  /* matured lines, returned within 30 days */
    double rate;             /* returned / matured; NaN when none matured */
    double predicted;        /* mean newest score of the week's scored
                                lines; NaN when none */
} tg_dash_week;

typedef struct tg_dash_driver {
    int feature;             /* features.h index */
    char label[64];          /* explain_label */
    long first;              /* lines whose newest score names it first */
    double share;            /* first / lines with drivers */
} tg_dash_driver;

typedef struct tg_dash_reason {
    const char *reason;      /* "too_small", ... (static) */
    long n;                  /* returns of lines bought in the period */
} tg_dash_reason;

typedef struct tg_dash_product {
    int64_t id;              /* products.id */
    char name[128];
    int category;            /* TG_CAT_* */
    long lines;              /* bought in the period */
    tg_rate returns;         /* matured lines */
    double mean_risk;        /* mean newest score; NaN when unscored */
} tg_dash_product;

typedef struct tg_dashboard {
    int64_t data_end;        /* v_data_end; 0 for an empty store */
    int64_t period_start;    /* lines bought at or after this count */
    int model_version;       /* newest model with scores; 0 none */
    tg_dash_kpis kpi;
    /* weekly return rate: the weeks of the period, at most the last
     * TG_DASH_WEEKS, oldest first */
    int n_weeks;
    tg_dash_week week[TG_DASH_WEEKS];
    /* newest scores of the period's lines: bin i holds [i/10, (i+1)/10),
     * the last bin includes 1 */
    long risk_bins[TG_DASH_BINS];
    long scored;             /* lines with a score */
    /* the features most often the top driver of the newest scores */
    int n_drivers;           /* most often first first */
    tg_dash_driver driver[TG_DASH_DRIVERS];
    long with_drivers;       /* scored lines whose score names a driver */
    int n_reasons;           /* most returns first; reasons with none left
                                out */
    tg_dash_reason reason[TG_DASH_REASONS];
    tg_report_funnel funnel;  /* real use: the live rows */
    tg_report_value value;    /* what real use's accepted nudges saved */
    tg_report_pilot pilot;    /* the simulated pilot's figures */
    /* products with at least 5 lines in the period: highest mean risk
     * first (by return rate when nothing is scored) */
    int n_products;
    tg_dash_product product[TG_DASH_PRODUCTS];
} tg_dashboard;

/* Fills *d for the filter (NULL: everything) from the dashboard's
 * rollups (schema version 11) and the lines of at most three boundary
 * days. Reads only; safe to call from a worker thread on its own store
 * connection. Loads the feature labels (assets/explain.json) and money
 * assumptions (assets/simulation.json) on each call. */
int report_dashboard(tg_store *s, const tg_report_filter *f,
                     tg_dashboard *d, tg_err *err);
/* The same figures from one pass over every line of the period with its
 * returns and scores (the rollups aside): the reference report_dashboard
 * is tested against, seconds at full scale. */
int report_dashboard_scan(tg_store *s, const tg_report_filter *f,
                          tg_dashboard *d, tg_err *err);

/* ---- the whole report ----------------------------------------------------- */

typedef struct tg_report {
    tg_currency currency;    /* every amount's (money.h) */
    int64_t data_end;        /* v_data_end; 0 for an empty store */
    int64_t first, last;     /* first and last purchase */
    long lines;              /* purchase lines */
    tg_rate overall;         /* matured lines */
    long min_lines;          /* the option used */
    /* sorted by spread, largest first (ties: TG_RD_* order) */
    tg_report_driver driver[TG_REPORT_DRIVERS];
    tg_report_model model;
    tg_report_trends trends;
    tg_report_interventions iv;
    /* the dashboard's figures over all data: this week's predicted
     * returns, the weekly series, risk histogram, top drivers, return
     * reasons and the riskiest products */
    tg_dashboard overview;
    /* the newest sweep `simulate --sweep` kept in the store, if any: what
     * the simulation's figure hangs on */
    int has_sweep;
    tg_sweep sweep;
} tg_report;

/* Computes the whole report. The model view uses the newest registered
 * model (score_open_model); without one, or when it cannot be loaded,
 * model.version is 0 and model.note says why (not an error). Large: about
 * 60 KB; allocate it rather than put it on a small stack. */
int report_build(tg_store *s, const tg_report_opts *o, tg_report *r,
                 tg_err *err);

/* The highest rate the report draws (upper interval ends, weekly rates
 * and predictions): one bar scale for all its charts; 1 when none. */
double report_top_rate(const tg_report *r);

/* The report as one JSON object (caller frees; NULL when out of memory).
 * Rates are fractions; NaN becomes null. */
char *report_json(const tg_report *r);
/* The pilot's figures as the JSON object `report --json` holds under
 * "pilot" (caller frees; NULL when out of memory). */
char *report_pilot_json(const tg_report_pilot *p);
/* The report as one self-contained HTML page: inline CSS and SVG charts, no
 * scripts, nothing fetched; every text from the store escaped. title names
 * the store (escaped too). Caller frees; NULL when out of memory. */
char *report_html(const tg_report *r, const char *title);

#endif
