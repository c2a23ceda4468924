/* sim_fixture.h: what the simulation's tests load first: the shipped
 * assumptions (assets/simulation.json), the behaviour model and the word
 * lists. Header-only, static. */
#ifndef TRENDGUARD_TEST_SIM_FIXTURE_H
#define TRENDGUARD_TEST_SIM_FIXTURE_H

#include "testutil.h"
#include "trendguard/sim.h"

static inline void tu_sim_load(tg_sim_assume *a, tg_behaviour *b,
                               tg_words *w)
{
    tg_err err = {0};
    char path[4096];
    if (sim_assume_load(NULL, a, &err))
        fail_msg("%s", err.msg);
    if (tg_asset_path("assets/behaviour.json", path, sizeof path) ||
        shopper_behaviour_load(path, b, &err) ||
        shopper_words_load(w, NULL, &err))
        fail_msg("behaviour: %s", err.msg);
}

#endif
