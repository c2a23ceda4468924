/* report_pilot_int.h: what the pilot's figures (report_pilot.c) share
 * between reading the lines into units (report_pilot_read.c) and the
 * cluster bootstrap over them (report_pilot_boot.c). */
#ifndef TRENDGUARD_REPORT_PILOT_INT_H
#define TRENDGUARD_REPORT_PILOT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/report.h"

/* What a settled line or an order adds to its arm's sums. SETTLED,
 * RETURNED, RECORDED and ORDERS are counts; the others money or the
 * satisfaction index. */
enum { S_SETTLED, S_RETURNED, S_RECORDED, S_COST, S_LOST, S_SPEND,
       S_ORDERS, S_SAT, S_SUMS };

/* A settled line or an order, in its cluster (a customer, or an anonymous
 * order), its arm and its week and month (from the first of the periods
 * shown; outside them when negative or past the last). */
typedef struct pilot_unit {
    uint32_t cluster;
    uint8_t arm;
    int16_t week, month;
    float v[S_SUMS];
} pilot_unit;

/* The units of the lines the filter covers, cluster by cluster in the
 * order of customer, order code and line (clusters numbered from 1), and
 * the lines' ids in order. */
typedef struct pilot_scan {
    int64_t first_week;      /* Monday of week[0] */
    int first_month;         /* year * 12 + month - 1 of month[0] */
    pilot_unit *u;
    size_t n, cap;
    uint32_t clusters;
    int64_t *ids;
    size_t n_ids;
} pilot_scan;

/* The filter's category (?2) and channel (?3) on purchases p, the
 * product's category looked up once rather than per line (every purchase
 * has its product: the store keeps its foreign keys). */
#define PILOT_FILTER                                                          \
    " AND (?2 IS NULL OR p.product_id IN"                                     \
    "  (SELECT id FROM products WHERE category = ?2))"                        \
    " AND (?3 IS NULL OR p.channel = ?3)"

/* 1 when the lines from `from` on are most of the pilot's: then a read
 * goes over the pilot's own rows; else over the purchases of the period,
 * by time. The same rows either way. */
static inline int pilot_most(const tg_report_pilot *o, int64_t from)
{
    return o->to - from > (o->to - o->from) / 2;
}

/* Reads the pilot's lines the filter covers from `from` on into c's units
 * and o's arms' counts and money (o's periods and assumptions set). */
int pilot_read_lines(tg_store *s, const tg_report_filter *f, int64_t from,
                     pilot_scan *c, tg_report_pilot *o, tg_err *err);

/* Every line of the pilot from `from` on, read once with what a filter
 * asks of it, for the figures of many filters (report_pilot_warm). */
typedef struct pilot_all pilot_all;
int pilot_all_read(tg_store *s, int64_t from, pilot_all **out, tg_err *err);
/* The same as pilot_read_lines from a's lines (from at or after a's). */
int pilot_all_lines(const pilot_all *a, const tg_report_filter *f,
                    int64_t from, pilot_scan *c, tg_report_pilot *o,
                    tg_err *err);
void pilot_all_free(pilot_all *a);

/* The figures' key (report_pilot_cache.c): what they are computed from,
 * set in o->key from o's run and assumptions. */
void pilot_key_set(tg_report_pilot *o, const tg_report_filter *f,
                   int64_t from);
/* 1 and o the kept figures of o->key, when the store holds them. */
int pilot_kept(tg_store *s, tg_report_pilot *o);
/* The store's PRAGMA data_version (-1 when it cannot be read). */
long long pilot_data_version(tg_store *s);
/* Keeps p under its key, inside the caller's write transaction. */
int pilot_keep_row(tg_store *s, const tg_report_pilot *p, tg_err *err);

/* The uptake by nudge of the purchases the filter covers from `from` on,
 * c the lines pilot_read_lines read. */
int pilot_uptake(tg_store *s, const tg_report_filter *f, int64_t from,
                 const pilot_scan *c, tg_report_pilot *o, tg_err *err);

/* The pilot's decisions read once, for the uptake of many filters. */
typedef struct pilot_decisions pilot_decisions;
int pilot_decisions_read(tg_store *s, pilot_decisions **out, tg_err *err);
void pilot_decisions_free(pilot_decisions *d);
/* What pilot_uptake gives, from d. */
int pilot_uptake_of(tg_store *s, const tg_report_filter *f, int64_t from,
                    const pilot_decisions *d, const pilot_scan *c,
                    tg_report_pilot *o, tg_err *err);

/* The figures, their intervals and the arms' rates, in all and per
 * period, from c's units. */
int pilot_bootstrap(const pilot_scan *c, tg_report_pilot *o, tg_err *err);

#endif
