/* gen.h: the synthetic TrendBuy data generator. It drives the shopper
 * behaviour model (shopper.h) over a fixed time window ending
 * 2026-11-01T00:00:00Z and writes six CSV files: products, customers,
 * tiktok_trends, purchases, returns and truth (each line's true return
 * probability). Same seed and scale give byte-identical files. */
#ifndef TRENDGUARD_GEN_H
#define TRENDGUARD_GEN_H

#include <stdint.h>

#include "trendguard/util.h"

/* The files, in the order they are written. */
enum { TG_GEN_PRODUCTS, TG_GEN_CUSTOMERS, TG_GEN_TRENDS, TG_GEN_PURCHASES,
       TG_GEN_RETURNS, TG_GEN_TRUTH, TG_GEN_FILES };
extern const char *const gen_file_names[TG_GEN_FILES];   /* "products.csv" */
extern const char *const gen_file_headers[TG_GEN_FILES]; /* no newline */

/* A scale: how big the data set is. */
typedef struct tg_gen_scale {
    const char *name;        /* demo, small, full */
    int days;                /* window length, ending at the data end */
    int customers, products;
    long long trend_rows;    /* trend snapshots to aim at */
    double activity_mult;    /* order-rate multiplier (demo is denser) */
} tg_gen_scale;
/* The scale called name, or NULL. */
const tg_gen_scale *gen_scale(const char *name);

/* The end of every generated data set: 2026-11-01T00:00:00Z, as days and
 * seconds since the epoch. */
int64_t gen_end_day(void);

typedef struct tg_gen_opts {
    const char *out_dir;        /* created if needed */
    const char *scale;          /* "demo" (default when NULL) */
    uint64_t seed;
    const char *behaviour_path; /* NULL: the shipped assets/behaviour.json */
    const char *data_dir;       /* NULL: the shipped data/ word lists */
} tg_gen_opts;

typedef struct tg_gen_stats {
    long long rows[TG_GEN_FILES]; /* data rows written, header excluded */
    long long orders;
    long long returns_drawn;      /* including those after the data end */
    double mean_p;                /* mean true return probability */
    int64_t start, end;           /* window, seconds since the epoch */
} tg_gen_stats;

/* The world options gen_run draws from for a scale and seed: a test can
 * build the same world (shopper_world_create) to read the truth behind the
 * files. TG_EUSAGE for an unknown scale. */
struct tg_world_opts;
int gen_world_opts(const char *scale, uint64_t seed,
                   struct tg_world_opts *out, tg_err *err);

/* Called now and then with the fraction done and the stage's name. */
typedef void (*tg_gen_progress)(void *ud, double frac, const char *stage);

/* Generates a data set into o->out_dir. Each file is written under a
 * temporary name and renamed when complete. st and progress may be NULL. */
int gen_run(const tg_gen_opts *o, tg_gen_stats *st, tg_gen_progress progress,
            void *ud, tg_err *err);

#endif
