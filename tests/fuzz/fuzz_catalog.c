/* fuzz_catalog.c: libFuzzer target for the nudge catalogue loader
 * (src/core/nudge_catalog.c). Any input must load or fail with a message,
 * never crash, leak or hang; a catalogue that loads is then used to decide
 * on a few lines (every moment, band and driver, with facts missing and
 * present), which fills its message templates and runs its conditions and
 * rules. Seeds: the shipped catalogue and small variants, in
 * tests/fuzz/corpus/catalog/. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/nudge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static tg_nudge_catalog c;
    tg_err err;
    tg_err_clear(&err);
    if (nudge_catalog_parse((const char *)data, size, "fuzz.json", &c,
                            &err) != TG_OK) {
        if (err.code == TG_OK || err.msg[0] == '\0')
            abort(); /* a failure must say why */
        return 0;
    }
    if (c.n < 1 || c.n > TG_NUDGE_MAX)
        abort();
    tg_bandit *b = bandit_create(c.n, 1, 1);
    tg_rng r;
    tg_rng_seed(&r, size);
    for (int k = 0; k < 3 * TG_NUM_MOMENTS * TG_NUM_FEATURES; k++) {
        tg_nudge_input in;
        nudge_input_init(&in);
        in.moment = k % TG_NUM_MOMENTS;
        in.now = (int64_t)k * 3600;
        in.segment = k % TG_NUM_SEGMENTS;
        for (int f = 0; f < TG_NUM_FEATURES; f++)
            in.x[f] = (k + f) % 5 == 0 ? NAN : (float)((k * 7 + f) % 9 - 2);
        in.score = k % 3 == 0 ? NAN : (k % 10) / 10.0;
        in.n_drivers = k % 4;
        for (int d = 0; d < in.n_drivers; d++) {
            in.driver[d] = (k + d * 5) % TG_NUM_FEATURES;
            in.contribution[d] = (float)(1.0 - d * 0.3);
        }
        in.size = k % 6;
        in.size_lo = 0;
        in.size_hi = k % 2 ? 5 : -1;
        in.is_shoe = k % 7 == 0;
        in.item = k % 2 ? "Dress" : NULL;
        in.kept_pct = k % 4 ? 73.4 : NAN;
        in.kept_n = k % 4 ? 40 : NAN;
        in.reviews = k % 3 ? 12 : NAN;
        tg_nudge_session s;
        tg_nudge_shopper sh = {0};
        tg_nudge_budget bud = {0};
        nudge_session_init(&s);
        nudge_shopper_roll(&sh, in.now);
        nudge_budget_roll(&bud, in.now, 5);
        tg_nudge_decision d;
        nudge_decide(&c, k % 2 ? b : NULL, &in, &s, &sh, &bud, &r, &d);
        if (d.nudge >= c.n || strlen(d.message) >= sizeof d.message)
            abort();
        if (d.nudge >= 0) {
            nudge_note_shown(&d, &s, &sh);
            nudge_note_answer(&d, k % 2, &s, &bud);
            bandit_update(b, in.segment, d.context, d.nudge, k % 2);
            char buf[64];
            for (int m = 0; m < c.nudges[d.nudge].n_messages; m++)
                nudge_fill(&c, &c.nudges[d.nudge],
                           c.nudges[d.nudge].messages[m].text, &in, buf,
                           sizeof buf);
        }
    }
    bandit_free(b);
    return 0;
}
