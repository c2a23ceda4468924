/* ingest.h: cleans, validates and loads CSV exports into the store. Each
 * file loads in one transaction (all of its good rows or none), every bad
 * row goes to `rejects` with its line, column, reason and raw text, and a
 * file already loaded (same content) is skipped. */
#ifndef TRENDGUARD_INGEST_H
#define TRENDGUARD_INGEST_H

#include "trendguard/store.h"

enum { INGEST_TRENDBUY, INGEST_ONLINE_RETAIL };
/* When ingest_paths takes the bulk path (store.h, store_bulk_begin). */
enum { INGEST_BULK_AUTO, INGEST_BULK_ALWAYS, INGEST_BULK_NEVER };

typedef struct tg_ingest_result {
    char path[4096];
    const char *kind;    /* "products", ..., "online-retail"; static */
    long rows;           /* data records read */
    long loaded;         /* rows that added something */
    long duplicates;     /* rows already in the store (same key) */
    long rejected;       /* rows recorded in rejects */
    long purchases;      /* online-retail: lines loaded as purchases */
    long returns;        /* online-retail: lines loaded as returns */
    int already_loaded;  /* the same file content was loaded before */
    int strict_refused;  /* --strict: nothing loaded because of rejects */
} tg_ingest_result;

typedef struct tg_ingest_opts {
    int format;     /* INGEST_TRENDBUY or INGEST_ONLINE_RETAIL */
    int strict;     /* a file with any bad row loads nothing */
    int bulk;       /* INGEST_BULK_*: auto (0) when the store has no
                     * loaded rows or the files have more than it has */
    /* Optional callbacks: progress through a file (0..1), warnings (an
     * unknown column...), and a finished file. */
    void (*progress)(void *ud, const char *path, double fraction);
    void (*warn)(void *ud, const char *path, const char *msg);
    void (*done)(void *ud, const tg_ingest_result *r);
    void *ud;
} tg_ingest_opts;

/* Loads one CSV file. Returns TG_OK (rows may still have been rejected:
 * see r->rejected) or an error for the whole file (unreadable, unknown
 * layout, a required column missing, the store failing), in which case the
 * store is as it was. */
int ingest_file(tg_store *s, const char *path, const tg_ingest_opts *o,
                tg_ingest_result *r, tg_err *err);

/* Loads files and folders of *.csv in dependency order (products,
 * customers, trends, purchases, returns, truth). Stops at the first
 * whole-file error (the files before it stay loaded). *rejected receives
 * the total of rejected rows. On the bulk path (o->bulk) the files go into
 * a new store file moved into place when complete, with the same rows,
 * rejects and counts as file by file; s is then on the new file. A
 * failure of the build leaves the store as it was, none of the files
 * loaded (the error says so). */
int ingest_paths(tg_store *s, char *const *paths, int n,
                 const tg_ingest_opts *o, long *rejected, tg_err *err);

/* The kind of a TrendBuy file from its header, or NULL. */
const char *ingest_detect_kind(const char *const *header, int n);

#endif
