/* store.h: the SQLite store: one file, WAL, foreign keys on, a busy
 * timeout, created with mode 0600, its schema versioned with
 * PRAGMA user_version and migrated forward on open. */
#ifndef TRENDGUARD_STORE_H
#define TRENDGUARD_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "trendguard/util.h"

typedef struct tg_store tg_store;

/* The schema version this build writes. */
#define STORE_SCHEMA_VERSION 13

enum {
    STORE_CREATE = 1,   /* create the file (and its folder) when missing */
    STORE_READONLY = 2, /* open read-only (no migration) */
    STORE_MAPPED = 4    /* read through a memory map of the file (as much
                           of it as SQLite maps): pages without a copy into
                           the connection's cache, for the app's first
                           frame; the process's resident size then counts
                           the file's pages it read */
};

/* Opens (and with STORE_CREATE creates) the store at path and migrates it
 * to STORE_SCHEMA_VERSION. A missing store without STORE_CREATE is
 * TG_ENOINPUT; a store from a newer build is TG_EDATA. The connection
 * knows one SQL function of the core's: trend_phase(day, week,
 * prev_week, best_week, stale_days), features_trend_phase's code. Caller frees with
 * store_close. */
tg_store *store_open(const char *path, int flags, tg_err *err);
void store_close(tg_store *s);
/* The connection, owned by the store. */
sqlite3 *store_db(tg_store *s);
const char *store_path(const tg_store *s);
/* The schema version found on disk before migration (0 for a new file). */
int store_version_found(const tg_store *s);

/* Runs SQL with no result rows (may hold several statements). */
int store_exec(tg_store *s, const char *sql, tg_err *err);
/* Transactions: BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int store_begin(tg_store *s, tg_err *err);
/* The same without waiting for another writer: TG_EUNAVAIL at once while
 * one holds the store (for work that can be left undone, such as keeping
 * figures computed anyway). */
int store_begin_now(tg_store *s);
int store_commit(tg_store *s, tg_err *err);
void store_rollback(tg_store *s);
/* Reads that must see one snapshot: begins a read transaction when none
 * is open and returns 1 when it did (store_read_end ends only that one);
 * 0 inside the caller's transaction. */
int store_read_begin(tg_store *s);
void store_read_end(tg_store *s, int began);
/* Where the connection's temporary tables and sorts live: on disk (1:
 * staging as big as the data, bounded memory) or in memory (0: the
 * default). Changing it drops the connection's temporary tables, so
 * callers set it before they create theirs; inside a transaction it is
 * left as it is. */
void store_temp_on_disk(tg_store *s, int on);
/* Prepares one statement; errors name the statement's first words. */
sqlite3_stmt *store_prepare(tg_store *s, const char *sql, tg_err *err);
/* Sets err from the connection's last error with a context prefix and
 * returns the mapped code (I/O and full disk -> TG_EIO, else TG_EINTERNAL). */
int store_fail(tg_store *s, tg_err *err, const char *context);
/* The first column of the first row of a query as an integer (0 when no
 * row); for counts. Bound parameters: none. */
int64_t store_count(tg_store *s, const char *sql);

/* Records a rejected input row: the file's name and content hash, the line,
 * the column at fault (NULL for the whole row), the reason and the raw text
 * (bytes that are not UTF-8 are kept as \xNN). Recording the same file,
 * line and reason again adds nothing. */
int store_reject(tg_store *s, const char *file, const char *file_sha256,
                 long line, const char *column, const char *reason,
                 const char *raw, size_t raw_len, tg_err *err);

/* Rebuilds the derived per-hashtag trend state (trend_state) from
 * trend_snapshots, for every hashtag when all is set, else for the
 * hashtags marked dirty in temp.dirty_hashtags. */
int store_refresh_trend_state(tg_store *s, int all, tg_err *err);

/* Brings the training-set cache (line_features) up to date: computes the
 * lines that triggers marked stale (new lines, and lines whose earlier
 * history, basket, customer, product or trend changed) and clears the
 * marks. Costs one small query when nothing is stale. v_training_set is
 * right without it (it works out stale lines itself, which is slow for
 * many); ingest and sync call it after loading, dataset_load before
 * reading. Runs in the caller's transaction when there is one, else in its
 * own; does nothing on a read-only store. Writers need not call it. */
int store_features_refresh(tg_store *s, tg_err *err);
/* 1 when the cache holds every line as v_training_set would compute it
 * (nothing new or stale since the last refresh), else 0. */
int store_features_current(tg_store *s);
/* Builds the whole cache again from scratch (as after a migration). */
int store_features_rebuild(tg_store *s, tg_err *err);

/* ---- bulk builds (store_bulk.c): ingest's path for big loads ----
 * store_bulk_begin takes s's write lock (other writers wait, as for any
 * long transaction) and makes a new store file beside it, PATH.bulk (one
 * a killed build left is removed first): the schema without its secondary
 * indexes and triggers, and s's rows copied (every table but the derived
 * ones). Loads then write to the returned store as to any; it is fast and
 * unsafe (no journal syncs, held alone): a crash only loses PATH.bulk.
 * store_bulk_finish makes the indexes, builds the derived data whole once
 * (fit days, trend state, the training-set cache), makes the triggers,
 * syncs the file and renames it over PATH: s's connection is then on the
 * new file. A kill -9 at any moment leaves the old store or the new one.
 * A connection another process opened on the old store keeps reading it
 * whole; its writes fail with "replaced by a bulk load: open it again"
 * (TG_EUNAVAIL). On failure the build is abandoned and s is as it was.
 * store_bulk_abandon gives the build up (removing its files) and releases
 * s. Both free b. */
tg_store *store_bulk_begin(tg_store *s, tg_err *err);
int store_bulk_finish(tg_store *s, tg_store *b, tg_err *err);
void store_bulk_abandon(tg_store *s, tg_store *b);
/* 1 when the file at the store's path is no longer the one s has open (a
 * bulk load moved a new one into place): s reads the old store and cannot
 * write to it; open the path again for the new one. One stat(). */
int store_replaced(const tg_store *s);
/* The rows s's connection has changed since it opened (inserted,
 * updated or deleted: sqlite3_total_changes64). */
int64_t store_changes(tg_store *s);
/* The file s has open, as its device and inode numbers (0, 0 when not
 * known), to tell whether two connections read the same file. */
void store_file_of(const tg_store *s, int64_t file[2]);
/* Removes the journal, WAL and shared-memory files of the (closed) store
 * at path, and with all the store itself. */
void store_remove_files(const char *path, int all);
/* 1 for a store returned by store_bulk_begin (loads leave the derived
 * data to store_bulk_finish). */
int store_is_bulk(const tg_store *s);
/* The rows loads have filled: products, customers, trend snapshots,
 * purchases, returns and truth (a load of more rows than this is big next
 * to the store). */
int64_t store_loaded_rows(tg_store *s);

/* What the store holds (`trendguard status`): the rows of its main tables
 * (name[i], rows[i]: products, customers, hashtags, trend_snapshots,
 * purchases, orders, returns, rejects, scores, interventions (real use),
 * pilot_decisions (the simulated pilot's), models), the
 * first and last purchase (epoch seconds; 0 without purchases) and the
 * lines returned within 30 days. */
#define STORE_SUMMARY_COUNTS 12
typedef struct tg_store_summary {
    const char *name[STORE_SUMMARY_COUNTS];
    int64_t rows[STORE_SUMMARY_COUNTS];
    int64_t purchases, first_purchase, last_purchase, returned_30d;
} tg_store_summary;
void store_summary(tg_store *s, tg_store_summary *out);

#endif
