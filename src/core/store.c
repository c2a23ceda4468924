/* store.c: opens, creates and migrates the SQLite store, and the small
 * helpers every module uses to talk to it (transactions, prepared
 * statements, errors mapped to the core's codes, rejects). */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "schema.h"
#include "trendguard/features.h"

int store_fail(tg_store *s, tg_err *err, const char *context)
{
    int rc = s && s->db ? sqlite3_extended_errcode(s->db) : SQLITE_ERROR;
    int primary = rc & 0xff;
    int code = TG_EINTERNAL;
    if (primary == SQLITE_IOERR || primary == SQLITE_FULL ||
        primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY ||
        primary == SQLITE_PERM)
        code = TG_EIO;
    else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
        code = TG_EDATA;
    else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        code = TG_EUNAVAIL;
    else if (rc == SQLITE_CONSTRAINT_TRIGGER &&
             strstr(sqlite3_errmsg(s->db), STORE_REPLACED_MSG))
        code = TG_EUNAVAIL;
    return tg_fail(err, code, "%s: %s: %s", s ? s->path : "store", context,
                   s && s->db ? sqlite3_errmsg(s->db) : "no connection");
}

int store_exec(tg_store *s, const char *sql, tg_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        char ctx[64];
        snprintf(ctx, sizeof ctx, "%.40s", sql);
        sqlite3_free(msg);
        return store_fail(s, err, ctx);
    }
    return TG_OK;
}

void store_temp_on_disk(tg_store *s, int on)
{
    if (sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, on ? "PRAGMA temp_store = FILE"
                               : "PRAGMA temp_store = MEMORY",
                     NULL, NULL, NULL);
}

int store_begin(tg_store *s, tg_err *err)
{
    return store_exec(s, "BEGIN IMMEDIATE", err);
}

int store_begin_now(tg_store *s)
{
    sqlite3_busy_timeout(s->db, 0);
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    sqlite3_busy_timeout(s->db, s->busy_ms);
    return rc == SQLITE_OK ? TG_OK : TG_EUNAVAIL;
}

int store_commit(tg_store *s, tg_err *err)
{
    return store_exec(s, "COMMIT", err);
}

void store_rollback(tg_store *s)
{
    if (s && s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_read_begin(tg_store *s)
{
    return sqlite3_get_autocommit(s->db) &&
           sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

void store_read_end(tg_store *s, int began)
{
    if (began && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

sqlite3_stmt *store_prepare(tg_store *s, const char *sql, tg_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        char ctx[64];
        snprintf(ctx, sizeof ctx, "preparing '%.40s'", sql);
        store_fail(s, err, ctx);
        return NULL;
    }
    return st;
}

int64_t store_count(tg_store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

sqlite3 *store_db(tg_store *s)
{
    return s->db;
}

const char *store_path(const tg_store *s)
{
    return s->path;
}

int store_version_found(const tg_store *s)
{
    return s->version_found;
}

/* Creates the file with mode 0600 before SQLite opens it, so the store is
 * never readable by others, whatever the umask. */
int store_create_file(const char *path, tg_err *err)
{
    char dir[PATH_MAX];
    tg_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        if (tg_mkdirs(dir, err) != TG_OK)
            return err ? err->code : TG_EIO;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
        return tg_fail(err, TG_EIO, "%s: cannot create the store: %s", path,
                       strerror(errno));
    if (fd >= 0)
        close(fd);
    return TG_OK;
}

/* The store's schema version (PRAGMA user_version, which any program can
 * set to any 32-bit number) against what this build knows; a read-only
 * open cannot migrate, so an older store is an error there too. */
static int check_version(tg_store *s, int readonly, tg_err *err)
{
    long long v = store_count(s, "PRAGMA user_version");
    s->version_found = v < 0 || v > INT_MAX ? -1 : (int)v;
    if (v < 0)
        return tg_fail(err, TG_EDATA,
                       "%s: schema version %lld is not one TrendGuard writes "
                       "(0 to %d): the file is damaged or not a TrendGuard "
                       "store; restore it from a backup or give the path "
                       "of a new store",
                       s->path, v, schema_num_migrations);
    if (v == 0 && store_count(s, "SELECT count(*) FROM sqlite_schema") > 0)
        return tg_fail(err, TG_EDATA,
                       "%s: has tables but no schema version: not a "
                       "TrendGuard store, or a damaged one; restore it from "
                       "a backup or give the path of a new store",
                       s->path);
    if (v > schema_num_migrations)
        return tg_fail(err, TG_EDATA,
                       "%s: schema version %lld, newer than this build's %d: "
                       "open it with the trendguard that wrote it",
                       s->path, v, schema_num_migrations);
    if (readonly && v < schema_num_migrations)
        return tg_fail(err, TG_EDATA,
                       "%s: schema version %lld, this build needs %d (open it "
                       "once read-write to migrate)",
                       s->path, v, schema_num_migrations);
    return TG_OK;
}

static int migrate(tg_store *s, tg_err *err)
{
    if (check_version(s, 0, err) != TG_OK)
        return err ? err->code : TG_EDATA;
    int v = s->version_found;
    if (v == schema_num_migrations)
        return TG_OK;
    if (store_begin(s, err) != TG_OK)
        return err ? err->code : TG_EINTERNAL;
    for (int i = v; i < schema_num_migrations; i++) {
        if (store_exec(s, schema_migrations[i], err) != TG_OK) {
            store_rollback(s);
            return err ? err->code : TG_EINTERNAL;
        }
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
             schema_num_migrations);
    if (store_exec(s, sql, err) != TG_OK || store_commit(s, err) != TG_OK) {
        store_rollback(s);
        return err ? err->code : TG_EINTERNAL;
    }
    return TG_OK;
}

static double arg_or_nan(sqlite3_value *v)
{
    return sqlite3_value_type(v) == SQLITE_NULL ? NAN
                                                : sqlite3_value_double(v);
}

/* trend_phase(day, week, prev_week, best_week, stale_days): the trend's
 * phase code (TG_TREND_*) by features_trend_phase, so SQL that labels
 * trends uses the one rule. */
static void sql_trend_phase(sqlite3_context *c, int argc, sqlite3_value **v)
{
    (void)argc;
    sqlite3_result_int(c, features_trend_phase(
                              arg_or_nan(v[0]), arg_or_nan(v[1]),
                              arg_or_nan(v[2]), arg_or_nan(v[3]),
                              arg_or_nan(v[4])));
}

tg_store *store_open(const char *path, int flags, tg_err *err)
{
    struct stat st;
    int exists = stat(path, &st) == 0;
    if (!exists && !(flags & STORE_CREATE)) {
        tg_fail(err, TG_ENOINPUT,
                "%s: no store here (run 'trendguard' once to create a demo "
                "store, or 'trendguard ingest' to load data)", path);
        return NULL;
    }
    if (exists && S_ISDIR(st.st_mode)) {
        tg_fail(err, TG_EUSAGE, "%s: is a folder, not a store", path);
        return NULL;
    }
    if (exists && !S_ISREG(st.st_mode)) { /* a FIFO would block SQLite */
        tg_fail(err, TG_ENOINPUT, "%s: is %s, not a store file", path,
                tg_file_kind(st.st_mode));
        return NULL;
    }
    if (!exists && store_create_file(path, err) != TG_OK)
        return NULL;
    tg_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = tg_strdup(path))) {
        free(s);
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    if (store_connect(s, flags, err) != TG_OK) {
        store_close(s);
        return NULL;
    }
    return s;
}

int store_dir_lock(const char *path, int how)
{
    char dir[PATH_MAX];
    tg_strlcpy(dir, path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (!slash)
        tg_strlcpy(dir, ".", sizeof dir);
    else
        slash[slash == dir] = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while (flock(fd, how) != 0)
        if (errno != EINTR) {
            close(fd);
            return -1;
        }
    return fd;
}

void store_dir_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* a folder: no SQLite lock lives on it */
}

/* The connection's settings: a store's (WAL) or a bulk build's. */
static int configure(tg_store *s, int flags, tg_err *err)
{
    if (flags & STORE_BULK_BUILD)
        return store_exec(s, "PRAGMA foreign_keys = ON;"
                             "PRAGMA main.journal_mode = TRUNCATE;"
                             "PRAGMA main.synchronous = OFF;"
                             "PRAGMA main.locking_mode = EXCLUSIVE;"
                             /* Sorts and index builds spill to files, so
                              * memory stays bounded whatever the load. */
                             "PRAGMA temp_store = FILE;"
                             "PRAGMA cache_size = -262144",
                          err);
    /* A file that is not a database fails on the first read. */
    if (store_exec(s, "PRAGMA foreign_keys = ON", err) != TG_OK ||
        (!(flags & STORE_READONLY) &&
         store_exec(s, "PRAGMA journal_mode = WAL", err) != TG_OK))
        return err ? err->code : TG_EIO;
    if ((flags & STORE_MAPPED) &&
        store_exec(s, "PRAGMA mmap_size = 68719476736", err) != TG_OK)
        return err ? err->code : TG_EIO;
    return store_exec(s, "PRAGMA synchronous = NORMAL;"
                         "PRAGMA temp_store = MEMORY;"
                         "PRAGMA cache_size = -65536;"
                         /* After a checkpoint the WAL file is cut back to
                          * 64 MiB, so a store that a reader keeps open
                          * while big loads run does not keep a big file. */
                         "PRAGMA journal_size_limit = 67108864",
                      err);
}

static int connect_unlocked(tg_store *s, int flags, tg_err *err)
{
    s->flags = flags;
    int oflags = (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
                                          : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(s->path, &s->db, oflags | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return store_fail(s, err, "cannot open");
    struct stat st; /* no bulk load moves a file here meanwhile */
    if (stat(s->path, &st) == 0) {
        s->dev = st.st_dev;
        s->ino = st.st_ino;
    }
    /* Another writer's transaction is waited for 5 s, or for
     * TRENDGUARD_BUSY_TIMEOUT_MS (runs many times slower than native, such
     * as tests/valgrind.sh, where one transaction can take longer). */
    const char *busy = getenv("TRENDGUARD_BUSY_TIMEOUT_MS");
    int busy_ms = busy ? atoi(busy) : 0;
    s->busy_ms = busy_ms > 0 ? busy_ms : 5000;
    sqlite3_busy_timeout(s->db, s->busy_ms);
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_create_function(s->db, "trend_phase", 5,
                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_trend_phase, NULL, NULL);
    if (configure(s, flags, err) != TG_OK)
        return err ? err->code : TG_EIO;
    if (store_count(s, "SELECT count(*) FROM sqlite_schema") < 0)
        return store_fail(s, err, "not a TrendGuard store");
    if (flags & STORE_READONLY)
        return check_version(s, 1, err);
    if (migrate(s, err) != TG_OK)
        return err ? err->code : TG_EIO;
    return (flags & STORE_BULK_BUILD) ? TG_OK : store_bulk_heal(s, err);
}

int store_connect(tg_store *s, int flags, tg_err *err)
{
    int lock = (flags & STORE_BULK_BUILD) ? -1
                                          : store_dir_lock(s->path, LOCK_SH);
    int rc = connect_unlocked(s, flags, err);
    store_dir_unlock(lock);
    if (rc != TG_OK && s->db) {
        sqlite3_close_v2(s->db);
        s->db = NULL;
    }
    return rc;
}

int store_replaced(const tg_store *s)
{
    struct stat st;
    return s && stat(s->path, &st) == 0 &&
           (st.st_dev != s->dev || st.st_ino != s->ino);
}

int64_t store_changes(tg_store *s)
{
    return s && s->db ? sqlite3_total_changes64(s->db) : 0;
}

void store_file_of(const tg_store *s, int64_t file[2])
{
    file[0] = s ? (int64_t)s->dev : 0;
    file[1] = s ? (int64_t)s->ino : 0;
}

void store_close(tg_store *s)
{
    if (!s)
        return;
    if (s->db) {
        store_rollback(s);
        sqlite3_close_v2(s->db);
    }
    for (int i = 0; i < s->ndeferred; i++)
        free(s->deferred[i]);
    free(s->deferred);
    free(s->path);
    free(s);
}

/* Raw text is stored as valid UTF-8: bytes that are not become \xNN, so a
 * reject of Latin-1 or binary input keeps every byte recoverable. */
static char *escape_raw(const char *raw, size_t n)
{
    char *out = malloc(n * 4 + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)raw[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2
                               : (c & 0xF0) == 0xE0 ? 3
                               : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (c != 0 && len && i + len <= n && tg_utf8_valid(raw + i, len)) {
            memcpy(out + o, raw + i, len);
            o += len;
            i += len;
        } else {
            static const char hex[] = "0123456789abcdef";
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

int store_reject(tg_store *s, const char *file, const char *file_sha256,
                 long line, const char *column, const char *reason,
                 const char *raw, size_t raw_len, tg_err *err)
{
    static const char sql[] =
        "INSERT OR IGNORE INTO rejects(at, file, line, column_name, reason,"
        " raw, file_sha256) VALUES(?, ?, ?, ?, ?, ?, ?)";
    sqlite3_stmt *st = store_prepare(s, sql, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    char *esc = escape_raw(raw ? raw : "", raw ? raw_len : 0);
    if (!esc) {
        sqlite3_finalize(st);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 2, file, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, line);
    if (column)
        sqlite3_bind_text(st, 4, column, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, esc, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, file_sha256 ? file_sha256 : "", -1,
                      SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK
                 : store_fail(s, err, "recording a reject");
    sqlite3_finalize(st);
    free(esc);
    return rc;
}

/* Runs the refresh (after `first`, when given) in the caller's transaction
 * or in its own. */
static int features_update(tg_store *s, const char *first, tg_err *err)
{
    int own = sqlite3_get_autocommit(s->db);
    if (own && store_begin(s, err) != TG_OK)
        return err ? err->code : TG_EINTERNAL;
    int rc = first ? store_exec(s, first, err) : TG_OK;
    if (rc == TG_OK)
        rc = store_exec(s, store_count(s, schema_features_empty)
                               ? schema_features_build
                               : schema_features_refresh,
                        err);
    if (rc == TG_OK && own)
        rc = store_commit(s, err);
    if (rc != TG_OK && own)
        store_rollback(s);
    return rc;
}

int store_features_refresh(tg_store *s, tg_err *err)
{
    if (store_count(s, schema_features_pending) == 0 ||
        sqlite3_db_readonly(s->db, "main") == 1)
        return TG_OK;
    return features_update(s, NULL, err);
}

int store_features_current(tg_store *s)
{
    return store_count(s, schema_features_pending) == 0;
}

int store_features_rebuild(tg_store *s, tg_err *err)
{
    return features_update(s, schema_features_drop, err);
}
