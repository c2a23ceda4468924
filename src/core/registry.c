/* registry.c: the model registry in the store: which models were trained,
 * where they are, their checksum, features, threshold and metrics. */
#include "trendguard/registry.h"

#include <string.h>

int registry_next_version(tg_store *s)
{
    return (int)store_count(s, "SELECT COALESCE(MAX(version), 0) + 1 FROM "
                               "model_registry");
}

int registry_add(tg_store *s, int version, const char *path,
                 const char *sha256, const char *features_json,
                 double threshold, const char *metrics_json,
                 int64_t trained_at, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "INSERT INTO model_registry(version, path, sha256, features,"
        " threshold, metrics, trained_at) VALUES(?,?,?,?,?,?,?)",
        err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_int(st, 1, version);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, features_json, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, threshold);
    if (metrics_json)
        sqlite3_bind_text(st, 6, metrics_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, trained_at);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK
                 : store_fail(s, err, "registering the model");
    sqlite3_finalize(st);
    return rc;
}

static int read_one(tg_store *s, sqlite3_stmt *st, tg_model_info *info,
                    tg_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        info->version = sqlite3_column_int(st, 0);
        tg_strlcpy(info->path, (const char *)sqlite3_column_text(st, 1),
                   sizeof info->path);
        tg_strlcpy(info->sha256, (const char *)sqlite3_column_text(st, 2),
                   sizeof info->sha256);
        info->threshold = sqlite3_column_double(st, 3);
        info->trained_at = sqlite3_column_int64(st, 4);
        rc = TG_OK;
    } else if (rc == SQLITE_DONE) {
        rc = tg_fail(err, TG_ENOINPUT, "%s: %s", store_path(s), what);
    } else {
        rc = store_fail(s, err, "reading the model registry");
    }
    sqlite3_finalize(st);
    return rc;
}

int registry_latest(tg_store *s, tg_model_info *info, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT version, path, sha256, threshold, trained_at FROM"
        " model_registry ORDER BY version DESC LIMIT 1",
        err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    return read_one(s, st, info, err,
                    "no model yet (train one with trendguard-train)");
}

int registry_find_path(tg_store *s, const char *path, tg_model_info *info,
                       tg_err *err)
{
    sqlite3_stmt *st = store_prepare(
        s,
        "SELECT version, path, sha256, threshold, trained_at FROM"
        " model_registry WHERE path = ? ORDER BY version DESC LIMIT 1",
        err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    return read_one(s, st, info, err, "that model is not registered");
}
