/* demo_store.h: a store filled with generated demo data and, optionally, a
 * quickly trained model, for the tests that need a realistic store. */
#ifndef TRENDGUARD_DEMO_STORE_H
#define TRENDGUARD_DEMO_STORE_H

#include "testutil.h"

#include "train/train.h"
#include "trendguard/gen.h"
#include "trendguard/ingest.h"

/* Generates demo data with seed into dir/gen and loads it into db. */
static inline void tu_demo_store(const char *dir, const char *db,
                                 uint64_t seed)
{
    char gen[4200];
    snprintf(gen, sizeof gen, "%s/gen", dir);
    tg_gen_opts go = {.out_dir = gen, .scale = "demo", .seed = seed};
    tg_err err = {0};
    if (gen_run(&go, NULL, NULL, NULL, &err) != TG_OK)
        fail_msg("gen: %s", err.msg);
    tg_store *s = store_open(db, STORE_CREATE, &err);
    if (!s)
        fail_msg("store_open: %s", err.msg);
    tg_ingest_opts io = {0};
    char *paths[] = {gen};
    long rej;
    if (ingest_paths(s, paths, 1, &io, &rej, &err) != TG_OK)
        fail_msg("ingest: %s", err.msg);
    store_close(s);
}

/* Trains and registers a quick model (eta 0.3) from db into out. */
static inline void tu_demo_model(const char *db, const char *out, int rounds,
                                 int nthread)
{
    tg_train_opts to;
    train_defaults(&to);
    to.db = db;
    to.out = out;
    to.rounds = rounds;
    to.eta = 0.3;
    to.nthread = nthread;
    tg_train_result tr;
    tg_err err = {0};
    if (train_run(&to, &tr, &err) != TG_OK)
        fail_msg("train: %s", err.msg);
    free(tr.metrics_json);
}

#endif
