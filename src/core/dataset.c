/* dataset.c: reads the training-set view into dense float arrays for the
 * trainer, batch scoring and the report. */
#include "trendguard/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/features.h"

static int grow(tg_dataset *d, size_t cap)
{
    float *x = realloc(d->x, cap * d->nfeat * sizeof *x);
    if (x)
        d->x = x;
    float *y = realloc(d->y, cap * sizeof *y);
    if (y)
        d->y = y;
    float *tr = realloc(d->truth, cap * sizeof *tr);
    if (tr)
        d->truth = tr;
    int64_t *id = realloc(d->id, cap * sizeof *id);
    if (id)
        d->id = id;
    int64_t *t = realloc(d->t, cap * sizeof *t);
    if (t)
        d->t = t;
    return x && y && tr && id && t ? 0 : -1;
}

/* The rows by purchase time, then id. The view gives them in id order,
 * which is nearly always time order already; sorting here spares SQLite a
 * sort of the wide rows. */
typedef struct row_key {
    int64_t t, id;
    size_t at;
} row_key;

static int cmp_time_id(const void *a, const void *b)
{
    const row_key *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int in_order(const tg_dataset *d)
{
    for (size_t i = 1; i < d->n; i++)
        if (d->t[i - 1] > d->t[i] ||
            (d->t[i - 1] == d->t[i] && d->id[i - 1] > d->id[i]))
            return 0;
    return 1;
}

static int sort_rows(tg_dataset *d)
{
    if (in_order(d))
        return 0;
    row_key *k = malloc(d->n * sizeof *k);
    float *row = malloc(d->nfeat * sizeof *row);
    if (!k || !row) {
        free(k);
        free(row);
        return -1;
    }
    for (size_t i = 0; i < d->n; i++)
        k[i] = (row_key){d->t[i], d->id[i], i};
    qsort(k, d->n, sizeof *k, cmp_time_id);
    /* Row i takes row k[i].at: follow each cycle once, in place. */
    size_t rb = d->nfeat * sizeof *row;
    for (size_t i = 0; i < d->n; i++) {
        if (k[i].at == i)
            continue;
        float y = d->y[i], tr = d->truth[i];
        int64_t id = d->id[i], t = d->t[i];
        memcpy(row, d->x + i * d->nfeat, rb);
        size_t j = i;
        while (k[j].at != i) {
            size_t from = k[j].at;
            d->y[j] = d->y[from];
            d->truth[j] = d->truth[from];
            d->id[j] = d->id[from];
            d->t[j] = d->t[from];
            memcpy(d->x + j * d->nfeat, d->x + from * d->nfeat, rb);
            k[j].at = j;
            j = from;
        }
        d->y[j] = y;
        d->truth[j] = tr;
        d->id[j] = id;
        d->t[j] = t;
        memcpy(d->x + j * d->nfeat, row, rb);
        k[j].at = j;
    }
    free(k);
    free(row);
    return 0;
}

int dataset_load(tg_store *s, int flags, int model_version, tg_dataset *d,
                 tg_err *err)
{
    memset(d, 0, sizeof *d);
    d->nfeat = TG_NUM_FEATURES;
    /* Cache the lines that went stale since the last load. The view is
     * right without it, so a store another writer holds is read as is. */
    int rc = store_features_refresh(s, err);
    if (rc == TG_EUNAVAIL)
        tg_err_clear(err);
    else if (rc != TG_OK)
        return rc;
    char sql[4096];
    int n = snprintf(sql, sizeof sql,
                     "SELECT v.purchase_id, v.ordered_at, v.returned,"
                     " tr.p_return");
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", v.%s",
                      features_name(f));
    n += snprintf(sql + n, sizeof sql - (size_t)n,
                  " FROM v_training_set v LEFT JOIN truth tr"
                  " ON tr.purchase_id = v.purchase_id WHERE 1");
    if (flags & DATASET_MATURE)
        n += snprintf(sql + n, sizeof sql - (size_t)n, " AND v.mature = 1");
    if (flags & DATASET_UNSCORED)
        n += snprintf(sql + n, sizeof sql - (size_t)n,
                      " AND NOT EXISTS (SELECT 1 FROM scores sc WHERE"
                      " sc.purchase_id = v.purchase_id AND"
                      " sc.model_version = ?1)");
    sqlite3_stmt *st = store_prepare(s, sql, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    if (flags & DATASET_UNSCORED)
        sqlite3_bind_int(st, 1, model_version);
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (d->n == cap) {
            cap = cap ? cap * 2 : 4096;
            if (grow(d, cap) != 0) {
                sqlite3_finalize(st);
                dataset_free(d);
                return tg_fail(err, TG_EINTERNAL,
                               "out of memory reading the training set");
            }
        }
        size_t i = d->n++;
        d->id[i] = sqlite3_column_int64(st, 0);
        d->t[i] = sqlite3_column_int64(st, 1);
        d->y[i] = (float)sqlite3_column_int(st, 2);
        if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
            d->truth[i] = NAN;
        } else {
            d->truth[i] = (float)sqlite3_column_double(st, 3);
            d->n_truth++;
        }
        float *row = d->x + i * d->nfeat;
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            row[f] = sqlite3_column_type(st, 4 + f) == SQLITE_NULL
                         ? NAN
                         : (float)sqlite3_column_double(st, 4 + f);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        dataset_free(d);
        return store_fail(s, err, "reading the training set");
    }
    if (sort_rows(d) != 0) {
        dataset_free(d);
        return tg_fail(err, TG_EINTERNAL,
                       "out of memory sorting the training set");
    }
    d->data_end = store_count(s, "SELECT t FROM v_data_end");
    return TG_OK;
}

void dataset_free(tg_dataset *d)
{
    if (!d)
        return;
    free(d->x);
    free(d->y);
    free(d->truth);
    free(d->id);
    free(d->t);
    memset(d, 0, sizeof *d);
}
