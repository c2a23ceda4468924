/* export_int.h: what the export's files share: the tables as data (SQL,
 * columns with their format and meaning) and the README's writer. Not
 * public.
 * Relationships are not listed: a fact's *_key column joins the table whose
 * first column has that name (see export_readme.c). */
#ifndef TRENDGUARD_EXPORT_INT_H
#define TRENDGUARD_EXPORT_INT_H

#include <stdint.h>
#include <stdio.h>

#include "trendguard/export.h"
#include "trendguard/money.h"

/* How a column's value is written. Each takes the SQL value of the column
 * (NULL is an empty field, except for EX_PHASE). The date kinds take UTC
 * seconds. */
typedef enum export_kind {
    EX_INT,       /* whole number */
    EX_TEXT,      /* text as stored */
    EX_FIX1,      /* decimal, 1 place */
    EX_FIX2,      /* decimal, 2 places (money, days) */
    EX_FIX4,      /* decimal, 4 places (probabilities) */
    EX_TS,        /* YYYY-MM-DDTHH:MM:SSZ */
    EX_DATE,      /* YYYY-MM-DD */
    EX_DATEKEY,   /* yyyymmdd as a whole number: joins dim_date */
    EX_PHASE,     /* a trend_phase() code -> its phase name */
    EX_YEAR,      /* calendar parts of a day, for dim_date */
    EX_QUARTER,
    EX_MONTH,
    EX_MONTH_NAME,
    EX_YEAR_MONTH,
    EX_DAY,
    EX_ISO_YEAR,
    EX_ISO_WEEK,
    EX_WEEKDAY,   /* 1 Monday .. 7 Sunday */
    EX_WEEKDAY_NAME,
    EX_WEEKEND,   /* 1 on Saturday and Sunday */
    EX_NUM_KINDS
} export_kind;

/* How a kind is described in the README ("decimal, 2 places"). */
extern const char *const export_kind_docs[EX_NUM_KINDS];

typedef struct export_col {
    const char *name;
    export_kind kind;
    const char *doc;
} export_col;

/* One table: its SQL (one row per data row, columns in order; named
 * parameters :since, :only_used, :window and :data_end, see export.c),
 * its columns and what one row is. */
typedef struct export_table {
    const char *grain;
    const char *sql;
    const export_col *cols;
    int ncols;
} export_table;

extern const export_table export_tables[TG_EXPORT_TABLES];

/* The values bound to the tables' named parameters. */
typedef struct export_params {
    int64_t since;    /* facts of lines ordered from here on */
    int only_used;    /* dimensions: only the rows the facts use */
    int64_t window;   /* the return window, seconds */
    int64_t data_end; /* the newest purchase or return in the store */
    tg_currency currency; /* every amount's (money.h) */
    /* what a return costs (assets/simulation.json): the margin, the
     * processing share and the share of the goods resold by the trend's
     * phase at purchase (hot: rising or peak, fading, none) */
    double margin, processing, resale_hot, resale_fading, resale_none;
} export_params;

/* Stages the simulated pilot's figures (export_pilot.c) in the temporary
 * tables fact_pilot_measures and fact_pilot_intervals read, for the lines
 * the export covers. */
int export_pilot_stage(tg_store *s, const tg_export_opts *o, tg_err *err);

/* Writes DIR/README.md's text to f: every table, column and relationship,
 * the options used, row counts, and the suggested DAX measures. */
int export_readme_write(FILE *f, const tg_export_opts *o,
                        const export_params *p, const tg_export_stats *st);

#endif
