/* store_int.h: the store handle's insides, shared by store.c (opening,
 * migrating, the helpers) and store_bulk.c (building a new store file and
 * moving it into place); internal to the core. */
#ifndef TRENDGUARD_STORE_INT_H
#define TRENDGUARD_STORE_INT_H

#include <sys/types.h>

#include "trendguard/store.h"

/* How a bulk build's connection is opened: no WAL, no syncs, the file
 * held alone (store_bulk.c). */
#define STORE_BULK_BUILD 0x100

struct tg_store {
    sqlite3 *db;
    char *path;
    int version_found;
    int flags; /* what it was opened with (STORE_*) */
    int busy_ms; /* how long another writer's transaction is waited for */
    dev_t dev; /* the file it has open */
    ino_t ino;
    /* A bulk build: the secondary indexes and triggers are dropped while
     * the rows go in; their SQL, in the order they were made. */
    char **deferred;
    int ndeferred;
};

/* Opens s->path into s->db with flags (the pragmas, the version check or
 * migration); with the store's folder locked shared, so that no store is
 * moved into place meanwhile (store_bulk.c). s->db is NULL on failure. */
int store_connect(tg_store *s, int flags, tg_err *err);
/* Creates path (and its folder) with mode 0600 when missing. */
int store_create_file(const char *path, tg_err *err);

/* A lock on the folder that holds path: shared while a store is opened,
 * exclusive while a bulk build moves its file into place (how: LOCK_SH or
 * LOCK_EX). Returns a descriptor for store_dir_unlock, or -1 when the
 * folder cannot be locked (opening then goes on without it). */
int store_dir_lock(const char *path, int how);
void store_dir_unlock(int fd);

/* The text a write to a store that a bulk load replaced fails with. */
#define STORE_REPLACED_MSG                                                    \
    "the store was replaced by a bulk load while open: open it again"
/* A store file left marked replaced by a bulk load killed before its new
 * file was moved into place is its old self: the marks are removed
 * (store_bulk.c). */
int store_bulk_heal(tg_store *s, tg_err *err);

#endif
