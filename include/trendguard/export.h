/* export.h: the store as a Power BI-ready star schema: eleven RFC 4180
 * CSV files (seven facts, four dimensions) with keys that join, a
 * README.md that describes every table, column and relationship and gives
 * the DAX measures that compute the app's figures, and a manifest of what
 * was written. No cell holds JSON: a score's reasons are rows of their
 * own.
 *
 * The files: UTF-8 without a byte order mark, CRLF line ends, a header
 * row, fields quoted (quotes doubled) only when they hold a comma, a quote,
 * CR or LF or begin or end with a space; timestamps "YYYY-MM-DDTHH:MM:SSZ"
 * and dates "YYYY-MM-DD", both UTC; numbers with fixed decimals and a '.'
 * whatever the locale; an empty field for a missing value.
 *
 * Safety: only the fixed file names below are ever written, each to a
 * temporary file in DIR that is then renamed over its name. A file that
 * already exists is replaced only when the manifest DIR/.trendguard-export
 * (sha256sum format: "HEX  NAME" lines) lists it with its current content;
 * otherwise nothing at all is written. The same store gives the same bytes
 * every time: rows in key order, nothing about the run itself. */
#ifndef TRENDGUARD_EXPORT_H
#define TRENDGUARD_EXPORT_H

#include <stdint.h>

#include "trendguard/store.h"
#include "trendguard/util.h"

/* The tables, in the order they are written. */
enum {
    TG_EXPORT_FACT_PURCHASE_LINES,
    TG_EXPORT_FACT_RETURNS,
    TG_EXPORT_FACT_INTERVENTIONS,
    TG_EXPORT_FACT_SCORES,
    TG_EXPORT_FACT_SCORE_DRIVERS,  /* a bridge: a score's reasons as rows */
    TG_EXPORT_FACT_PILOT_MEASURES, /* the simulated pilot by month and arm */
    TG_EXPORT_FACT_PILOT_INTERVALS,/* its figures' 95% intervals */
    TG_EXPORT_DIM_PRODUCT,
    TG_EXPORT_DIM_CUSTOMER,
    TG_EXPORT_DIM_DATE,
    TG_EXPORT_DIM_TREND,
    TG_EXPORT_TABLES
};

/* "fact_purchase_lines", ... by table; the file is NAME.csv. */
extern const char *const export_table_names[TG_EXPORT_TABLES];
/* The manifest's file name in DIR. */
#define EXPORT_MANIFEST ".trendguard-export"
/* The description written beside the tables. */
#define EXPORT_README "README.md"

typedef struct tg_export_opts {
    const char *out_dir; /* created (with its parents) when missing */
    int has_since;       /* keep only facts of lines from `since` on */
    int64_t since;       /* UTC seconds (a day's 00:00 from the front end) */
} tg_export_opts;

typedef struct tg_export_stats {
    long long rows[TG_EXPORT_TABLES]; /* data rows per table (no header) */
} tg_export_stats;

/* Progress: frac in [0, 1] and the table being written. */
typedef void (*tg_export_progress)(void *ud, double frac, const char *stage);

/* Writes the star schema of the store into o->out_dir, reading the store
 * in one read transaction (a consistent snapshot). Errors: TG_EDATA when
 * DIR holds a file of one of the export's names that the manifest does not
 * vouch for (nothing is written), TG_EIO when DIR cannot be created or
 * written (temporary files are removed), a store error otherwise. st and
 * progress may be NULL. */
int export_run(tg_store *s, const tg_export_opts *o, tg_export_stats *st,
               tg_export_progress progress, void *ud, tg_err *err);

#endif
