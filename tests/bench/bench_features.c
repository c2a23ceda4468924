/* bench_features.c: the training-set cache (line_features) against the
 * whole training set computed from scratch (the reference statement, what
 * v_training_set ran on every read before the cache), on a store that
 * tests/bench/run.sh has just ingested.
 *
 * usage: bench_features DB
 *
 * Prints one "name seconds" line per measure, in this order:
 *   noop_refresh   store_features_refresh with nothing stale
 *   reference      one aggregate over every column of the reference
 *   view           the same aggregate over v_training_set (the cache)
 *   dataset_load   dataset_load of the mature lines (what the trainer reads)
 *   day_lines      how many lines the next day adds (a count)
 *   day_refresh    the refresh after a day of new data: the newest day's
 *                  lines again one day later (new codes, same customers
 *                  and products), the returns of that day again a day
 *                  later; in a transaction rolled back afterwards
 *   build          the whole cache built again (as after a migration)
 * and exits 1 when the view's aggregate differs from the reference's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/schema.h"
#include "trendguard/dataset.h"
#include "trendguard/features.h"
#include "trendguard/store.h"

static const char DAY_LINES[] =
    "INSERT INTO purchases(line_code, order_code, customer_id, product_id,"
    " size, quantity, unit_price, discount_pct, ordered_at, channel,"
    " view_minutes, payment, ref_hashtag_id, source)"
    " SELECT line_code || '+1', order_code || '+1', customer_id, product_id,"
    " size, quantity, unit_price, discount_pct, ordered_at + 86400, channel,"
    " view_minutes, payment, ref_hashtag_id, 'bench' FROM purchases"
    " WHERE ordered_at > ?1 - 86400 AND ordered_at <= ?1";
/* A return of a line of that day goes to its copy; a return of an older
 * line comes again a day later. */
static const char DAY_RETURNS[] =
    "INSERT INTO returns(code, purchase_id, returned_at, quantity, reason,"
    " condition, resellable)"
    " SELECT r.code || '+1', COALESCE(np.id, r.purchase_id),"
    " r.returned_at + 86400, r.quantity, r.reason, r.condition, r.resellable"
    " FROM returns r JOIN purchases op ON op.id = r.purchase_id"
    " LEFT JOIN purchases np ON np.line_code = op.line_code || '+1'"
    " WHERE r.returned_at > ?1 - 86400 AND r.returned_at <= ?1";
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const tg_err *err)
{
    fprintf(stderr, "bench_features: %s: %s\n", what, err->msg);
    exit(70);
}

/* count(*), the sum of the label, of `mature` and of every feature. */
static int aggregate(tg_store *s, const char *from, double *out, int *n,
                     tg_err *err)
{
    char sql[16384];
    int k = snprintf(sql, sizeof sql,
                     "SELECT count(*), total(returned), total(mature)");
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        k += snprintf(sql + k, sizeof sql - (size_t)k, ", total(%s)",
                      features_name(f));
    snprintf(sql + k, sizeof sql - (size_t)k, " FROM %s", from);
    sqlite3_stmt *st = store_prepare(s, sql, err);
    if (!st)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return store_fail(s, err, "aggregating"), -1;
    }
    *n = sqlite3_column_count(st);
    for (int c = 0; c < *n; c++)
        out[c] = sqlite3_column_double(st, c);
    sqlite3_finalize(st);
    return 0;
}

static double timed_refresh(tg_store *s)
{
    tg_err err = {0};
    double t0 = now();
    if (store_features_refresh(s, &err) != TG_OK)
        die("refresh", &err);
    return now() - t0;
}

static int run_bound(tg_store *s, const char *sql, int64_t t, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, sql, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, t);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    if (rc)
        store_fail(s, err, "adding a day");
    sqlite3_finalize(st);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_features DB\n");
        return 64;
    }
    tg_err err = {0};
    tg_store *s = store_open(argv[1], 0, &err);
    if (!s)
        die("open", &err);
    timed_refresh(s); /* a store ingested by an older build */
    printf("noop_refresh %.6f\n", timed_refresh(s));

    double ref[64], view[64];
    int nref, nview;
    char from[8192];
    snprintf(from, sizeof from, "(%s)", schema_training_set_reference);
    double t0 = now();
    if (aggregate(s, from, ref, &nref, &err) != 0)
        die("reference", &err);
    printf("reference %.3f\n", now() - t0);
    t0 = now();
    if (aggregate(s, "v_training_set", view, &nview, &err) != 0)
        die("view", &err);
    printf("view %.3f\n", now() - t0);
    int differ = nref != nview;
    for (int c = 0; c < nref && !differ; c++)
        differ = fabs(ref[c] - view[c]) > 1e-9 * fmax(1, fabs(ref[c]));
    if (differ)
        fprintf(stderr, "bench_features: the view differs from the "
                        "reference\n");

    tg_dataset d;
    t0 = now();
    if (dataset_load(s, DATASET_MATURE, 0, &d, &err) != TG_OK)
        die("dataset_load", &err);
    printf("dataset_load %.3f\n", now() - t0);
    dataset_free(&d);

    int64_t last = store_count(s, "SELECT max(ordered_at) FROM purchases");
    if (store_begin(s, &err) != TG_OK ||
        run_bound(s, DAY_LINES, last, &err) != 0 ||
        run_bound(s, DAY_RETURNS, last, &err) != 0)
        die("adding a day", &err);
    printf("day_lines %lld\n",
           (long long)store_count(s, "SELECT count(*) FROM purchases"
                                     " WHERE source = 'bench'"));
    printf("day_refresh %.3f\n", timed_refresh(s));
    store_rollback(s);

    t0 = now();
    if (store_features_rebuild(s, &err) != TG_OK)
        die("rebuild", &err);
    printf("build %.3f\n", now() - t0);
    store_close(s);
    return differ ? 1 : 0;
}
