/* pilot.h: the simulated pilot (`trendguard pilot`): the last weeks of the
 * store's own purchases played again as a live A/B pilot of the nudges.
 *
 * The shoppers with lines in the window are split by customer (anonymous
 * lines by order) into control and treatment, deterministically from the
 * seed and the id. Control's lines keep what the store recorded. For the
 * treatment the engine (nudge_decide, the same code the app and the queue
 * call, reading only the store's records, the newest model and what
 * shoppers have answered) decides at each moment: each item of an order
 * (its cart nudge when it came in several sizes), the order's pre-ship
 * check, each return as it starts (exchange first) and each resellable
 * return reaching the warehouse (the shop's fast restock). The shopper
 * model answers each nudge and, accepting, changes the line (another
 * size, one size kept, bought later or not at all, an exchange), and the
 * line's outcome settles from its true return probability moved by what
 * the shopper did, on the same draw as what the store recorded
 * (shopper_pilot.c: the only part that reads the generator's truth).
 *
 * Every decision is written to `interventions` (source 'pilot', dated at
 * its moment by the store's clock), every line of the window to
 * `pilot_lines` with its arm and outcome, and the run to `pilot_runs`; a
 * rerun replaces the previous pilot in one transaction. Outcomes settle
 * once a line's 30-day window has closed by the store's newest data; a
 * younger line stays pending. What the pilot's figures are is
 * report_pilot (report.h). Nothing here prints. */
#ifndef TRENDGUARD_PILOT_H
#define TRENDGUARD_PILOT_H

#include <stdint.h>

#include "trendguard/nudge.h"
#include "trendguard/store.h"
#include "trendguard/util.h"

#define TG_PILOT_MAX_WEEKS 52

typedef struct tg_pilot_opts {
    int weeks;               /* the window: the last weeks up to the
                                store's newest data (1 to 52) */
    double holdout;          /* share of shoppers in control (0 to 1,
                                exclusive) */
    uint64_t seed;           /* the split and every draw */
    const char *catalog;     /* NULL: assets/nudges.json */
    const char *assume;      /* NULL: assets/simulation.json */
    const char *behaviour;   /* NULL: assets/behaviour.json */
} tg_pilot_opts;

/* The defaults: 12 weeks, a holdout of 0.5, seed 1. */
void pilot_defaults(tg_pilot_opts *o);

typedef struct tg_pilot_result {
    int model_version;
    int64_t from, to;        /* the window: first second, the data end */
    long lines, orders;      /* in the window */
    long customers[2];       /* [0] control, [1] treatment */
    long decided;            /* decisions the engine made (every moment) */
    long shown, accepted;    /* nudges shown to the treatment, taken */
    long settled, pending;   /* lines whose outcome settled; open */
    long no_truth;           /* treatment lines the shopper model had no
                                truth for: played as recorded */
    double budget_per_day;   /* the offer budget the engine had a day */
    int kept_filters;        /* filters whose figures were computed and
                                kept for the dashboard (report_pilot_warm) */
    double seconds;
} tg_pilot_result;

/* Plays the pilot on the store. TG_ENOINPUT without purchases in the
 * window, without a registered model (the pilot decides with it), or
 * without the shopper model's truth for the window's lines (a store of
 * real data: nothing can answer for its shoppers); TG_EUSAGE for options
 * out of range; TG_EDATA for a broken asset file. */
int pilot_run(tg_store *s, const tg_pilot_opts *o, tg_pilot_result *r,
              tg_err *err);

#endif
