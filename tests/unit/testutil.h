/* testutil.h: small helpers shared by the unit tests: temporary folders and
 * stores, and running SQL for one number. Header-only, static. */
#ifndef TRENDGUARD_TESTUTIL_H
#define TRENDGUARD_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "trendguard/store.h"

/* A fresh temporary folder; the path is static storage per call site. */
static inline char *tu_tmpdir(char *buf, size_t n)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, n, "%s/tgtest.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf))
        fail_msg("mkdtemp failed");
    return buf;
}

static inline void tu_rmrf(const char *path)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

/* Opens (creating) a store in dir/name. */
static inline tg_store *tu_store(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tg_err err = {0};
    tg_store *s = store_open(path, STORE_CREATE, &err);
    if (!s)
        fail_msg("store_open: %s", err.msg);
    return s;
}

/* Prepares printf-style SQL and steps to its first row (NULL on no row). */
static inline sqlite3_stmt *tu_first_row(tg_store *s, const char *fmt,
                                         va_list ap)
{
    char sql[2048];
    vsnprintf(sql, sizeof sql, fmt, ap);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("SQL error: %s in %s", sqlite3_errmsg(store_db(s)), sql);
    if (sqlite3_step(st) == SQLITE_ROW)
        return st;
    sqlite3_finalize(st);
    return NULL;
}

/* One integer from SQL (printf-style); -1 when there is no row. */
static inline long long tu_int(tg_store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = tu_first_row(s, fmt, ap);
    va_end(ap);
    long long v = st ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static inline double tu_double(tg_store *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sqlite3_stmt *st = tu_first_row(s, fmt, ap);
    va_end(ap);
    double v = st ? sqlite3_column_double(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* Runs printf-style SQL on the store; fails the test on an error. */
static inline void tu_run(tg_store *s, const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    tg_err err = {0};
    if (store_exec(s, sql, &err) != TG_OK)
        fail_msg("%s in %s", err.msg, sql);
}

/* Writes text to dir/name. */
static inline void tu_write(const char *dir, const char *name,
                            const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

#endif
