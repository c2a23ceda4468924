/* ingest_int.h: what the ingest loaders share (internal to the core): the
 * per-file context, field validators that record why a row is bad, and a
 * small string-keyed cache of ids. */
#ifndef TRENDGUARD_INGEST_INT_H
#define TRENDGUARD_INGEST_INT_H

#include <stdint.h>

#include "trendguard/csv.h"
#include "trendguard/ingest.h"

/* A string -> (id, extra text) cache: product codes, customer codes,
 * hashtags. Open addressing; keys and extras copied. */
typedef struct idmap_entry {
    char *key;
    int64_t id;
    char *extra;
    int flag;
} idmap_entry;
typedef struct idmap {
    idmap_entry *slots;
    size_t cap, len;
} idmap;
void idmap_free(idmap *m);
idmap_entry *idmap_get(idmap *m, const char *key);
/* Adds key (which must be absent); NULL on no memory. */
idmap_entry *idmap_put(idmap *m, const char *key, int64_t id,
                       const char *extra);

enum { ROW_OK, ROW_DUP, ROW_BAD, ROW_FAIL };
#define ING_MAX_COLS 16
#define ING_MAX_STMTS 12

typedef struct ing_reject {
    long line;
    char *column;
    char *reason;
    char *raw;
    size_t raw_len;
} ing_reject;

typedef struct ing ing;
typedef struct ing_kind {
    const char *kind;
    const char *file;                /* usual file name */
    const char *const *cols;         /* NULL-terminated */
    const char *const *ident;        /* columns that tell the kind apart */
    int nrequired;                   /* the first n columns are required */
    const char *const *stmts;        /* SQL, NULL-terminated */
    int (*row)(ing *g, tg_err *err); /* ROW_* */
    int (*finish)(ing *g, tg_err *err);
    void (*cleanup)(ing *g); /* frees g->extra, also after a failure */
} ing_kind;

struct ing {
    tg_store *s;
    tg_csv *csv;
    const tg_ingest_opts *o;
    tg_ingest_result *r;
    const ing_kind *k;
    const char *name; /* file name as given */
    char sha[65];
    int col[ING_MAX_COLS];
    char *fbuf[ING_MAX_COLS];
    size_t fcap[ING_MAX_COLS];
    sqlite3_stmt *st[ING_MAX_STMTS];
    /* why the current row is bad */
    const char *bad_col;
    char why[400];
    idmap products, customers, hashtags;
    ing_reject *rejects;
    size_t nrej, caprej;
    void *extra; /* loader-specific state */
};

/* The trimmed text of spec column k of the current row ("" when the file
 * has no such column). Valid until the next call for the same k. */
const char *ing_field(ing *g, int k);
int ing_has(const ing *g, int k);
/* Marks the row bad: column k (or -1 for the whole row) and a reason. */
int ing_bad(ing *g, int k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Validators: on a bad value they call ing_bad and return -1. */
int ing_text(ing *g, int k, int required, size_t maxlen, const char **out);
int ing_number(ing *g, int k, int required, double lo, double hi,
               double dflt, double *out);
int ing_integer(ing *g, int k, int required, int64_t lo, int64_t hi,
                int64_t dflt, int64_t *out);
int ing_time(ing *g, int k, int required, int64_t *out, int *present);
/* One of names[0..n-1] (case-insensitive); *out gets the table's spelling
 * or dflt when the field is empty and not required. */
int ing_choice(ing *g, int k, int required, const char *const *names, int n,
               const char *dflt, const char **out);
/* A hashtag: leading '#' dropped, lower-cased into buf; no spaces. */
int ing_hashtag(ing *g, int k, const char *value, char *buf, size_t n);

/* Id lookups, cached: products by code (extra: sizes), customers by code,
 * hashtags by name (created when missing). 0 when absent. */
int64_t ing_product_id(ing *g, const char *code, const char **sizes,
                       tg_err *err);
int64_t ing_customer_id(ing *g, const char *code, tg_err *err);
int64_t ing_hashtag_id(ing *g, const char *name, tg_err *err);
/* Remembers a product or customer created by this file. */
int ing_cache_product(ing *g, const char *code, int64_t id,
                      const char *sizes);
int ing_cache_customer(ing *g, const char *code, int64_t id);
/* The file's amounts are in currency code (money.h): 0, or -1 with err
 * naming the file when the store keeps another. */
int ing_claim_currency(ing *g, const char *code, const char *source,
                       tg_err *err);

/* Runs st (already bound) to completion: ROW_OK when it changed a row,
 * ROW_DUP when a conflict left the store as it was, ROW_FAIL on error. */
int ing_step_insert(ing *g, sqlite3_stmt *st, tg_err *err);

/* Queues a rejected row (written with the file's rows, or alone under
 * --strict). -1 on no memory. */
int ing_reject_row(ing *g, long line, const char *column, const char *reason,
                   const char *raw, size_t raw_len);
/* Binds text, or NULL when v is empty. */
void ing_bind_text(sqlite3_stmt *st, int i, const char *v);

/* The load-order index of the TrendBuy kind whose identifying columns the
 * current record (a header) has, or -1. */
int ing_header_kind(const tg_csv *c);

/* The TrendBuy loaders (ingest_rows.c), in dependency order, and the
 * Online Retail loader (ingest_retail.c). */
extern const ing_kind *const ing_trendbuy_kinds[];
extern const int ing_num_trendbuy_kinds;
/* The trend snapshots, one of them (ingest_trends.c). */
extern const ing_kind ing_trends_kind;
/* The Online Retail loader (ingest_retail.c). */
extern const ing_kind ing_retail_kind;

#endif
