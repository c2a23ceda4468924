/* explain.h: turns a score's TreeSHAP contributions into the top reasons in
 * shopper words ("you picked 2 sizes of this dress"), through the sentence
 * table in assets/explain.json. */
#ifndef TRENDGUARD_EXPLAIN_H
#define TRENDGUARD_EXPLAIN_H

#include <stddef.h>

#include "trendguard/util.h"

typedef struct tg_explainer tg_explainer;

/* Loads the sentence table (path NULL: the shipped assets/explain.json).
 * Every feature of features.h must have an entry; a broken file is refused
 * with the field at fault named. Caller frees with explain_free. */
tg_explainer *explain_load(const char *path, tg_err *err);
tg_explainer *explain_load_mem(const char *json, size_t n, tg_err *err);
void explain_free(tg_explainer *e);

typedef struct tg_reason {
    int feature;        /* features.h index */
    float value;        /* the feature's value (NaN: missing) */
    float contribution; /* its TreeSHAP contribution to the margin */
    char text[160];     /* the sentence */
} tg_reason;

/* The features that raise the risk most (positive contributions, largest
 * first, at most max), with their sentences. x and contribs are in
 * features.h order (contribs may have a bias term after them, ignored).
 * Returns how many were written. */
int explain_top(const tg_explainer *e, const float *x, const float *contribs,
                tg_reason *out, int max);
/* The sentence for one feature's value. */
void explain_sentence(const tg_explainer *e, int feature, float value,
                      char *buf, size_t n);
/* A short label for a feature ("the size you picked"). */
const char *explain_label(const tg_explainer *e, int feature);

#endif
