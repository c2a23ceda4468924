/* pilot_ctx.h: the pilot's run as its engine-side files share it
 * (internal to the core): pilot.c reads the window, pilot_moments.c plays
 * the engine at each moment, pilot_store.c writes the result. None of
 * them reads the truth: they hand the shopper's part to shopper_pilot.c
 * (pilot_int.h). */
#ifndef TRENDGUARD_PILOT_CTX_H
#define TRENDGUARD_PILOT_CTX_H

#include "nudge_int.h"
#include "pilot_int.h"
#include "trendguard/risk.h"

typedef struct pilot_ctx {
    tg_store *s;
    const tg_pilot_opts *o;
    tg_pilot_result *r;
    tg_nudge_catalog *cat;
    tg_sim_assume a;
    tg_behaviour b;
    /* the engine: the newest model, what shoppers answered, caps, budget */
    tg_model *model;
    int *map;
    tg_nudge_scorer scorer;
    tg_risk_scorer *risk;
    tg_bandit *bandit;
    tg_rng rng;
    nudge_caps caps;
    tg_nudge_budget budget;
    double budget_limit;
    nudge_line_reader reader;
    /* the shoppers */
    pilot_shopper *sh;
    /* the window and its lines, in time order */
    int64_t from, end;
    pilot_line *line;
    size_t n, cap;
    /* the treatment's returns still to meet: indexes into line, a heap by
     * the time they start */
    size_t *heap;
    size_t nh, caph;
    /* pilot_store.c's statements */
    sqlite3_stmt *log, *trend;
} pilot_ctx;

/* pilot_moments.c: the drivers of a line's risk (TreeSHAP) into in. */
int pilot_drivers(pilot_ctx *c, tg_nudge_input *in, tg_err *err);
/* One order of lines c->line[first .. first + n) with what the engine
 * reads of each (in[], the items' names): for the treatment, the engine
 * at each item and the pre-ship check, the shopper's answers, and every
 * line settled once its window has closed (its return met later). */
int pilot_order(pilot_ctx *c, size_t first, size_t n, tg_nudge_input *in,
                char (*name)[128], tg_err *err);
/* Meets the treatment's returns that start before t: exchange first, and
 * the shop's fast restock of a resellable trend item. */
int pilot_returns_until(pilot_ctx *c, int64_t t, tg_err *err);

/* pilot_store.c: replaces the previous pilot's rows and prepares the
 * statements. */
int pilot_store_open(pilot_ctx *c, tg_err *err);
void pilot_store_close(pilot_ctx *c);
/* Writes a decision shown (or the shop's lever taken) at `at`. */
int pilot_store_log(pilot_ctx *c, const pilot_line *l,
                    const tg_nudge_decision *d, int moment, int64_t at,
                    int taken, tg_err *err);
/* The trend's features at t as the store's feed had them (growth, days
 * since its busiest day, age, views) into x, and its phase
 * (features_trend_phase, TG_TREND_*): TG_TREND_NONE without a snapshot
 * by then. */
int pilot_trend_at(pilot_ctx *c, int64_t hashtag, int64_t t, float *x);
/* Settles the rest (control's lines as recorded), works out each return's
 * resale value by the day it is back on sale, writes every line, the
 * decisions' outcomes and the run. */
int pilot_store_finish(pilot_ctx *c, tg_err *err);

#endif
