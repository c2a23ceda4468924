/* dataset.h: the training set (v_training_set) read into dense arrays in
 * model feature order, with labels, purchase times and, where the store has
 * them, the true return probabilities. */
#ifndef TRENDGUARD_DATASET_H
#define TRENDGUARD_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/store.h"

typedef struct tg_dataset {
    size_t n;          /* rows */
    size_t nfeat;      /* TG_NUM_FEATURES */
    float *x;          /* n x nfeat, row-major, NaN = missing */
    float *y;          /* 1 when returned within 30 days */
    float *truth;      /* true probability, NaN when unknown */
    int64_t *id;       /* purchase id */
    int64_t *t;        /* ordered_at */
    int64_t data_end;  /* latest purchase or return in the store */
    size_t n_truth;    /* rows with a known true probability */
} tg_dataset;

enum {
    DATASET_MATURE = 1,   /* only lines whose 30-day window has closed */
    DATASET_UNSCORED = 2  /* only lines with no score for model_version */
};

/* Reads the training set ordered by purchase time. With DATASET_UNSCORED,
 * model_version names the model whose scores count. */
int dataset_load(tg_store *s, int flags, int model_version, tg_dataset *d,
                 tg_err *err);
void dataset_free(tg_dataset *d);

#endif
