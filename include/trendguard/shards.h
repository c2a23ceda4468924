/* shards.h: the mature training set split into shards for training on
 * several machines, and read back by each worker.
 *
 * `trendguard export --training-set --shards N --out DIR` writes, per
 * shard K (0..N-1):
 *   shard-K.train.libsvm  the lines bought up to the hold-out cut
 *   shard-K.valid.libsvm  the hold-out: the later lines
 *   shard-K.lines.csv     one row per line of the two files, in their
 *                         order: purchase_id,set,row,p_true
 * and featmap.txt (XGBoost's feature map: "index name q") and
 * manifest.json (features, the split, row counts, sizes and SHA-256 of
 * every file).
 *
 * The LIBSVM files are what XGBoost reads directly ("label idx:value...",
 * 0-based feature indices in model order, a missing value left out, every
 * present value written, zeros included, so that missing and 0 stay
 * apart; floats written so that they read back to the same float32).
 * Lines are split by customer: every line of a customer is in the same
 * shard (FNV-1a of the customer's code modulo N; an anonymous line goes by
 * its order's code). The hold-out is decided once for the whole set, as
 * the one-machine trainer decides it: the lines bought in the last
 * valid_days before the newest mature line. `row` numbers each hold-out
 * line's place in the whole hold-out ordered by time then purchase id, so
 * the workers' predictions can be put back in the one-machine order.
 *
 * Safety as for the star-schema export: only these names are written, each
 * staged under a temporary name and renamed; a file of one of these names
 * that exists is replaced only when the manifest in DIR lists it with its
 * current content; the manifest says "complete": false while files are
 * being renamed. The same store gives the same bytes. */
#ifndef TRENDGUARD_SHARDS_H
#define TRENDGUARD_SHARDS_H

#include <stddef.h>
#include <stdint.h>

#include "trendguard/store.h"
#include "trendguard/util.h"

#define SHARDS_MANIFEST "manifest.json"
#define SHARDS_FEATMAP "featmap.txt"
#define SHARDS_FORMAT "trendguard-training-shards"
#define SHARDS_VERSION 1
#define SHARDS_MAX 256

/* A shard's files. */
enum { SHARD_TRAIN, SHARD_VALID, SHARD_LINES, SHARD_NFILES };

typedef struct tg_shard_file {
    char name[64];        /* "shard-3.train.libsvm" */
    long long rows;       /* data rows (lines.csv: without its header) */
    long long bytes;
    char sha256[65];
} tg_shard_file;

typedef struct tg_shard_entry {
    tg_shard_file f[SHARD_NFILES];
    long long owners;     /* customers (and anonymous orders) in it */
} tg_shard_entry;

typedef struct tg_shards_manifest {
    int nshards;
    int valid_days;
    int64_t cut;          /* training lines were bought at or before it */
    int64_t valid_from, valid_to; /* the hold-out's first and last line */
    int64_t data_end;     /* the newest purchase or return in the store */
    long long n_train, n_valid;
    tg_shard_file featmap;
    tg_shard_entry *shard; /* nshards entries */
} tg_shards_manifest;

/* The one hold-out rule, shared with the trainer: of rows sorted by time
 * t[0..n-1], those bought after the newest one's time less valid_days are
 * the hold-out. Returns the first hold-out index; *cut gets that time. */
size_t shards_holdout_start(const int64_t *t, size_t n, int valid_days,
                            int64_t *cut);

/* The name of shard k's file f ("shard-3.valid.libsvm") into buf. */
void shards_file_name(int k, int f, char *buf, size_t n);

/* ---- writing ----------------------------------------------------------- */

typedef struct tg_shards_opts {
    const char *out_dir;  /* created (with its parents) when missing */
    int nshards;          /* 1..SHARDS_MAX */
    int valid_days;       /* the hold-out: the last valid_days */
} tg_shards_opts;

/* Progress: frac in [0, 1] and what is being done. */
typedef void (*tg_shards_progress)(void *ud, double frac, const char *stage);

/* Writes the shards of the store's mature training set into o->out_dir and
 * fills m (when non-NULL; free it with shards_manifest_free). Errors:
 * TG_EDATA when there is nothing to split (no mature line, an empty
 * hold-out or training period, a shard left empty) or DIR holds a file of
 * ours the manifest does not vouch for (nothing is written), TG_EIO when
 * DIR cannot be created or written (no temporary file is left). */
int shards_export(tg_store *s, const tg_shards_opts *o,
                  tg_shards_manifest *m, tg_shards_progress progress,
                  void *ud, tg_err *err);

/* ---- reading ----------------------------------------------------------- */

/* Reads and checks DIR/manifest.json: our format and version, complete,
 * this program's features in this order, the expected file names, counts
 * that add up. TG_ENOINPUT when it is missing, TG_EDATA when it is not
 * right. */
int shards_manifest_read(const char *dir, tg_shards_manifest *m,
                         tg_err *err);
void shards_manifest_free(tg_shards_manifest *m);

/* One shard in memory, in file order. */
typedef struct tg_shard {
    size_t n_train, n_valid;
    float *x_train, *y_train; /* n_train x nfeat, NaN = missing */
    float *x_valid, *y_valid; /* n_valid x nfeat */
    float *truth;             /* per hold-out line; NaN when unknown */
    int64_t *row;             /* per hold-out line: its place in the hold-out */
} tg_shard;

/* Checks shard k's files against the manifest (size, SHA-256, rows) and
 * reads them. TG_ENOINPUT for a missing file, TG_EDATA for a file that
 * does not match the manifest or does not parse (file and line named),
 * TG_EINTERNAL without memory. Nothing of a refused shard is kept. */
int shards_load(const char *dir, const tg_shards_manifest *m, int k,
                tg_shard *sh, tg_err *err);
/* Only the size and SHA-256 checks of shards_load, for every shard. */
int shards_verify(const char *dir, const tg_shards_manifest *m, tg_err *err);
void shards_free(tg_shard *sh);

#endif
