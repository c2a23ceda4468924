/* fuzz_model.c: libFuzzer target for the XGBoost JSON model loader
 * (src/core/model.c). Any input must load or fail with a message, never
 * crash, leak or hang; a model that loads is then scored and explained
 * (one row and batches, TreeSHAP and Saabas) on a few rows, including rows
 * of NaN, infinities and values taken from the input. Seeds: small models
 * saved by libxgboost, in tests/fuzz/corpus/model/. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/model.h"

/* Models declaring more features than this are only loaded: rows that
 * wide would make every run slow without reaching new code. */
#define FUZZ_MAX_FEATURES 4096
#define FUZZ_ROWS 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tg_err err;
    tg_err_clear(&err);
    tg_model *m = model_load_mem((const char *)data, size, &err);
    if (!m) {
        if (err.code == TG_OK || err.msg[0] == '\0')
            abort(); /* a failure must say why */
        return 0;
    }
    const size_t nf = model_num_features(m);
    if (nf > FUZZ_MAX_FEATURES) {
        model_free(m);
        return 0;
    }
    const size_t w = nf + 1;
    float *rows = calloc(FUZZ_ROWS * w, sizeof *rows);
    float *out = calloc(FUZZ_ROWS * w, sizeof *out);
    if (!rows || !out)
        abort();
    static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 3.0f,
                                    1e-45f, 1e30f, -1e30f, INFINITY,
                                    -INFINITY, NAN, 16777216.0f, 7.0f};
    const size_t ns = sizeof special / sizeof *special;
    for (size_t f = 0; f < nf; f++) {
        rows[0 * nf + f] = 0.0f;
        rows[1 * nf + f] = NAN;
        rows[2 * nf + f] = special[f % ns];
        rows[3 * nf + f] = special[(f * 7 + size) % ns];
        /* values from the input's bytes */
        float x = 0.0f;
        if (size >= 4) {
            size_t at = (f * 4) % (size - 3);
            memcpy(&x, data + at, sizeof x);
        }
        rows[4 * nf + f] = x;
    }
    for (size_t r = 0; r < FUZZ_ROWS; r++) {
        const float *row = rows + r * nf;
        float p = model_predict(m, row);
        float mg = model_margin(m, row);
        if (model_transform(m, mg) != p && !(p != p))
            abort(); /* the two paths must agree */
        if (model_contribs(m, row, out, &err) != TG_OK)
            abort();
        model_contribs_approx(m, row, out);
    }
    model_predict_batch(m, rows, FUZZ_ROWS, out, 0);
    for (size_t r = 0; r < FUZZ_ROWS; r++) {
        float p = model_predict(m, rows + r * nf);
        if (memcmp(&p, &out[r], sizeof p) != 0)
            abort(); /* batch and one-row scoring must agree bit for bit */
    }
    if (model_contribs_batch(m, rows, FUZZ_ROWS, out, &err) != TG_OK)
        abort();
    free(rows);
    free(out);
    model_free(m);
    return 0;
}
