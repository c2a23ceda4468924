/* store_bulk.c: bulk builds, ingest's path for big loads (store.h): a new
 * store file beside the store with the store's rows, loaded before its
 * secondary indexes and triggers exist, its derived data built whole once,
 * then synced and renamed over the store; and the marks that keep the
 * replaced file from taking writes that would be lost. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"

void store_remove_files(const char *path, int all)
{
    static const char *const side[] = {"-journal", "-wal", "-shm"};
    char p[PATH_MAX];
    if (all)
        unlink(path);
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", path, side[i]);
        unlink(p);
    }
}

/* Appends a copy of text to a list. */
static int push(char ***v, int *n, const char *text)
{
    char **nv = realloc(*v, (size_t)(*n + 1) * sizeof *nv);
    if (!nv)
        return -1;
    *v = nv;
    if (!(nv[*n] = tg_strdup(text)))
        return -1;
    (*n)++;
    return 0;
}

static void free_list(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Every row's first column of sql (text, NULL skipped), in order. */
static int rows_of(tg_store *s, const char *sql, char ***v, int *n,
                   tg_err *err)
{
    *v = NULL;
    *n = 0;
    sqlite3_stmt *st = store_prepare(s, sql, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t && push(v, n, t) != 0) {
            sqlite3_finalize(st);
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TG_OK : store_fail(s, err, "reading the schema");
}

/* Runs fmt (sqlite3_mprintf's: %w, %q) with one argument per %. */
static int exec_fmt(tg_store *s, tg_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    if (!sql)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int rc = store_exec(s, sql, err);
    sqlite3_free(sql);
    return rc;
}

/* ---- the marks on a replaced file ------------------------------------ */

#define MARK_PREFIX "store_replaced_"

/* Every table of s refuses writes with STORE_REPLACED_MSG; the table
 * store_replaced says so. In the caller's transaction. */
static int mark_replaced(tg_store *s, tg_err *err)
{
    static const char *const ops[] = {"INSERT", "UPDATE", "DELETE"};
    char **t;
    int n, rc = rows_of(s,
                        "SELECT name FROM sqlite_schema WHERE type = 'table'"
                        " AND name NOT LIKE 'sqlite_%'",
                        &t, &n, err);
    for (int i = 0; i < n && rc == TG_OK; i++)
        for (int k = 0; k < 3 && rc == TG_OK; k++)
            rc = exec_fmt(s, err,
                          "CREATE TRIGGER \"" MARK_PREFIX "%w_%d\" BEFORE %s"
                          " ON \"%w\" BEGIN SELECT RAISE(ABORT, '%q'); END",
                          t[i], k, ops[k], t[i], STORE_REPLACED_MSG);
    free_list(t, n);
    if (rc == TG_OK)
        rc = store_exec(s, "CREATE TABLE store_replaced(note TEXT)", err);
    return rc;
}

/* Drops the marks, in the caller's transaction. */
static int unmark(tg_store *s, tg_err *err)
{
    char **t;
    int n, rc = rows_of(s,
                        "SELECT name FROM sqlite_schema WHERE type ="
                        " 'trigger' AND substr(name, 1, 15) = '" MARK_PREFIX
                        "'",
                        &t, &n, err);
    for (int i = 0; i < n && rc == TG_OK; i++)
        rc = exec_fmt(s, err, "DROP TRIGGER \"%w\"", t[i]);
    free_list(t, n);
    if (rc == TG_OK)
        rc = store_exec(s, "DROP TABLE IF EXISTS store_replaced", err);
    return rc;
}

int store_bulk_heal(tg_store *s, tg_err *err)
{
    if (!store_count(s, "SELECT count(*) FROM sqlite_schema"
                        " WHERE name = 'store_replaced'"))
        return TG_OK;
    int rc = store_begin(s, err);
    if (rc == TG_OK)
        rc = unmark(s, err);
    if (rc == TG_OK)
        rc = store_commit(s, err);
    if (rc != TG_OK)
        store_rollback(s);
    return rc;
}

/* ---- the new file ----------------------------------------------------- */

int store_is_bulk(const tg_store *s)
{
    return s && (s->flags & STORE_BULK_BUILD) != 0;
}

/* Drops b's secondary indexes (not those that keep a column unique: the
 * loads' conflicts need them) and triggers, keeping their SQL. */
static int defer_schema(tg_store *b, tg_err *err)
{
#define DEFERRED                                                              \
    " FROM sqlite_schema WHERE (type = 'index' AND sql IS NOT NULL"          \
    " AND sql NOT LIKE 'CREATE UNIQUE%') OR type = 'trigger' ORDER BY rowid"
    char **names = NULL;
    int n = 0, rc = rows_of(b, "SELECT sql" DEFERRED, &b->deferred,
                            &b->ndeferred, err);
    if (rc == TG_OK)
        rc = rows_of(b,
                     "SELECT type || ' \"' || replace(name, '\"', '\"\"')"
                     " || '\"'" DEFERRED,
                     &names, &n, err);
    for (int i = 0; i < n && rc == TG_OK; i++)
        rc = exec_fmt(b, err, "DROP %s", names[i]);
    free_list(names, n);
    return rc;
}

static int is_rebuilt(const char *table)
{
    for (int i = 0; schema_rebuilt_tables[i]; i++)
        if (strcmp(schema_rebuilt_tables[i], table) == 0)
            return 1;
    return 0;
}

/* Copies table t (its rowids too) from old into b, replacing what the
 * schema put there (the code tables, the store's settings). */
static int copy_table(tg_store *b, const char *t, int rowid, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(
        b,
        "SELECT group_concat('\"' || replace(name, '\"', '\"\"') || '\"',"
        " ', ') FROM pragma_table_info(?1, 'main')",
        err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)
                 ? TG_OK
                 : store_fail(b, err, "reading a table's columns");
    if (rc == TG_OK) {
        const char *cols = (const char *)sqlite3_column_text(st, 0);
        const char *rid = rowid ? "rowid, " : "";
        rc = exec_fmt(b, err,
                      "DELETE FROM main.\"%w\";"
                      "INSERT INTO main.\"%w\"(%s%s) SELECT %s%s"
                      " FROM old.\"%w\"",
                      t, t, rid, cols, rid, cols, t);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Copies every table of the store at path but the derived ones into b. */
static int copy_store(tg_store *b, const char *path, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(b, "ATTACH ?1 AS old", err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK
                 : store_fail(b, err, "reading the store");
    sqlite3_finalize(st);
    if (rc != TG_OK)
        return rc;
    char **t, **wr;
    int n, nw;
    static const char list[] =
        "SELECT %s FROM pragma_table_list WHERE schema = 'main' AND type ="
        " 'table' AND name NOT LIKE 'sqlite_%%' ORDER BY name";
    char sql[256];
    snprintf(sql, sizeof sql, list, "name");
    rc = rows_of(b, sql, &t, &n, err);
    snprintf(sql, sizeof sql, list, "wr");
    if (rc == TG_OK && (rc = rows_of(b, sql, &wr, &nw, err)) != TG_OK)
        free_list(t, n);
    if (rc != TG_OK)
        return rc;
    /* The rows are as they were in a consistent store. */
    rc = store_exec(b, "PRAGMA foreign_keys = OFF", err);
    if (rc == TG_OK) /* deferred: the old store's write lock is s's */
        rc = store_exec(b, "BEGIN", err);
    for (int i = 0; i < n && rc == TG_OK; i++)
        if (!is_rebuilt(t[i]))
            rc = copy_table(b, t[i], strcmp(wr[i], "0") == 0, err);
    if (rc == TG_OK)
        rc = store_commit(b, err);
    store_rollback(b);
    free_list(t, n);
    free_list(wr, nw);
    if (rc == TG_OK)
        rc = store_exec(b, "PRAGMA foreign_keys = ON; DETACH old", err);
    return rc;
}

tg_store *store_bulk_begin(tg_store *s, tg_err *err)
{
    if (store_begin(s, err) != TG_OK)
        return NULL;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s.bulk", s->path);
    store_remove_files(path, 1); /* what a killed build left */
    tg_store *b = calloc(1, sizeof *b);
    if (!b || !(b->path = tg_strdup(path))) {
        free(b);
        store_rollback(s);
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    if (store_create_file(path, err) != TG_OK ||
        store_connect(b, STORE_BULK_BUILD, err) != TG_OK ||
        defer_schema(b, err) != TG_OK || copy_store(b, s->path, err) != TG_OK) {
        store_bulk_abandon(s, b);
        return NULL;
    }
    return b;
}

void store_bulk_abandon(tg_store *s, tg_store *b)
{
    if (b) {
        char path[PATH_MAX];
        tg_strlcpy(path, b->path, sizeof path);
        store_close(b);
        store_remove_files(path, 1);
    }
    store_rollback(s);
}

/* ---- finishing and moving into place --------------------------------- */

static int is_trigger(const char *sql)
{
    return strncmp(sql, "CREATE TRIGGER", 14) == 0;
}

/* The indexes, the derived data whole, then the triggers. Each sort below
 * may hold the cache's size in memory, several at once in the training
 * set's statement: with a 64 MiB cache the full data set's build peaks at
 * about 400 MiB (1.2 GiB with the loads' 256 MiB), no slower. */
static int build_rest(tg_store *b, tg_err *err)
{
    int rc = store_exec(b, "PRAGMA cache_size = -65536", err);
    if (rc == TG_OK)
        rc = store_begin(b, err);
    for (int i = 0; i < b->ndeferred && rc == TG_OK; i++)
        if (!is_trigger(b->deferred[i]))
            rc = store_exec(b, b->deferred[i], err);
    if (rc == TG_OK)
        rc = store_exec(b, schema_fit_days_rebuild, err);
    if (rc == TG_OK)
        rc = store_refresh_trend_state(b, 1, err);
    if (rc == TG_OK)
        rc = store_exec(b, schema_features_drop, err);
    if (rc == TG_OK)
        rc = store_exec(b, schema_features_build, err);
    if (rc == TG_OK)
        rc = store_exec(b, schema_rollup_build, err);
    if (rc == TG_OK)
        rc = store_exec(b, schema_funnel_build, err);
    for (int i = 0; i < b->ndeferred && rc == TG_OK; i++)
        if (is_trigger(b->deferred[i]))
            rc = store_exec(b, b->deferred[i], err);
    if (rc == TG_OK)
        rc = store_commit(b, err);
    store_rollback(b);
    /* A store's own mode: WAL, its file alone no more. */
    if (rc == TG_OK)
        rc = store_exec(b, "PRAGMA main.locking_mode = NORMAL;"
                           "PRAGMA main.journal_mode = WAL",
                        err);
    return rc;
}

/* fsync of a file or folder by path. */
static int sync_path(const char *path, int dir, tg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    if (fd < 0 || fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return tg_fail(err, TG_EIO, "%s: cannot sync: %s", path,
                       strerror(e));
    }
    close(fd);
    return TG_OK;
}

/* The folder holding path, for its fsync. */
static void folder_of(const char *path, char *dir, size_t n)
{
    tg_strlcpy(dir, path, n);
    char *slash = strrchr(dir, '/');
    if (!slash)
        tg_strlcpy(dir, ".", n);
    else
        slash[slash == dir] = '\0';
}

/* With the folder locked (no store opened meanwhile): s's file marked
 * replaced and checkpointed whole, its WAL and shared memory unlinked (a
 * connection still open keeps them, and the old file, to itself), then
 * the new file renamed over it. On failure s is as it was. */
static int swap_locked(tg_store *s, const char *newpath, tg_err *err)
{
    int rc = mark_replaced(s, err);
    if (rc == TG_OK)
        rc = store_commit(s, err);
    if (rc != TG_OK) {
        store_rollback(s);
        return rc;
    }
    int ck = sqlite3_wal_checkpoint_v2(s->db, "main",
                                       SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    if (ck != SQLITE_OK) {
        rc = store_fail(s, err, "readers kept the store busy; nothing "
                                "changed");
        store_bulk_heal(s, NULL);
        return rc;
    }
    char side[PATH_MAX];
    snprintf(side, sizeof side, "%s-wal", s->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", s->path);
    unlink(side);
    sqlite3_close_v2(s->db);
    s->db = NULL;
    if (rename(newpath, s->path) != 0) {
        /* The old file is whole: opening it again removes its marks. */
        return tg_fail(err, TG_EIO, "%s: cannot move %s into place: %s",
                       s->path, newpath, strerror(errno));
    }
    char dir[PATH_MAX];
    folder_of(s->path, dir, sizeof dir);
    return sync_path(dir, 1, err);
}

int store_bulk_finish(tg_store *s, tg_store *b, tg_err *err)
{
    char path[PATH_MAX];
    tg_strlcpy(path, b->path, sizeof path);
    struct stat st;
    int rc = build_rest(b, err);
    if (rc != TG_OK) {
        store_bulk_abandon(s, b);
        return rc;
    }
    store_close(b);
    store_remove_files(path, 0);
    if (stat(s->path, &st) == 0)
        chmod(path, st.st_mode & 07777);
    rc = sync_path(path, 0, err);
    if (rc != TG_OK) {
        store_bulk_abandon(s, NULL);
        store_remove_files(path, 1);
        return rc;
    }
    int lock = store_dir_lock(s->path, LOCK_EX);
    rc = swap_locked(s, path, err);
    store_dir_unlock(lock);
    if (!s->db) { /* moved (or not): the file at s->path, opened again */
        tg_err again = {0};
        int crc = store_connect(s, s->flags, &again);
        if (crc != TG_OK && rc == TG_OK)
            rc = tg_fail(err, crc, "%s", again.msg);
    }
    if (rc != TG_OK)
        store_remove_files(path, 1);
    return rc;
}
