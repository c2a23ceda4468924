/* shards.c: the training-set shards as a worker reads them: the hold-out
 * rule, the manifest (read and checked), and one shard's files checked
 * against it (size, SHA-256, rows) and parsed into arrays. Writing them is
 * shards_export.c. */
#include "trendguard/shards.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "trendguard/features.h"

static const char *const file_kinds[SHARD_NFILES] = {
    "train.libsvm", "valid.libsvm", "lines.csv"};
static const char *const file_keys[SHARD_NFILES] = {"train", "valid",
                                                    "lines"};

size_t shards_holdout_start(const int64_t *t, size_t n, int valid_days,
                            int64_t *cut)
{
    int64_t c = n ? t[n - 1] - (int64_t)valid_days * TG_DAY : 0;
    size_t v0 = 0;
    while (v0 < n && t[v0] <= c)
        v0++;
    if (cut)
        *cut = c;
    return v0;
}

void shards_file_name(int k, int f, char *buf, size_t n)
{
    snprintf(buf, n, "shard-%d.%s", k, file_kinds[f]);
}

/* ---- the manifest ------------------------------------------------------- */

static int bad(tg_err *err, const char *path, const char *what)
{
    return tg_fail(err, TG_EDATA, "%s: %s", path, what);
}

static int is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return 0;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* A whole number from 0 to 2^53 at key k of o; -1 when not one. */
static long long count_at(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 ||
        v->valuedouble > 9007199254740992.0 ||
        v->valuedouble != floor(v->valuedouble))
        return -1;
    return (long long)v->valuedouble;
}

/* A time "YYYY-MM-DDTHH:MM:SSZ" at key k; -1 when missing or malformed. */
static int time_at(const cJSON *o, const char *k, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && tg_time_parse(v->valuestring, out) == 0
               ? 0
               : -1;
}

/* {"file": NAME, "rows": N, "bytes": N, "sha256": HEX} with the expected
 * name. */
static int file_entry(const cJSON *o, const char *expect, tg_shard_file *f)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "file");
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(o, "sha256");
    if (!cJSON_IsString(name) || strcmp(name->valuestring, expect) != 0 ||
        !cJSON_IsString(sha) || !is_hex64(sha->valuestring))
        return -1;
    tg_strlcpy(f->name, expect, sizeof f->name);
    tg_strlcpy(f->sha256, sha->valuestring, sizeof f->sha256);
    f->rows = count_at(o, "rows");
    f->bytes = count_at(o, "bytes");
    /* A row takes two bytes at least ("0\n"). */
    return f->rows < 0 || f->bytes < 0 || f->rows > f->bytes / 2 ? -1 : 0;
}

static int check_features(const cJSON *feats)
{
    if (!cJSON_IsArray(feats) ||
        cJSON_GetArraySize(feats) != TG_NUM_FEATURES)
        return -1;
    int i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, feats)
    {
        if (!cJSON_IsString(v) || strcmp(v->valuestring, features_name(i)))
            return -1;
        i++;
    }
    return 0;
}

static int read_shard_entries(const cJSON *arr, tg_shards_manifest *m)
{
    long long train = 0, valid = 0;
    for (int k = 0; k < m->nshards; k++) {
        const cJSON *e = cJSON_GetArrayItem(arr, k);
        tg_shard_entry *se = &m->shard[k];
        if (!cJSON_IsObject(e) || count_at(e, "index") != k)
            return -1;
        se->owners = count_at(e, "owners");
        for (int f = 0; f < SHARD_NFILES; f++) {
            char name[64];
            shards_file_name(k, f, name, sizeof name);
            if (file_entry(cJSON_GetObjectItemCaseSensitive(e, file_keys[f]),
                           name, &se->f[f]) != 0)
                return -1;
        }
        if (se->owners < 1 || se->f[SHARD_LINES].rows !=
                                  se->f[SHARD_TRAIN].rows +
                                      se->f[SHARD_VALID].rows)
            return -1;
        train += se->f[SHARD_TRAIN].rows;
        valid += se->f[SHARD_VALID].rows;
    }
    return train == m->n_train && valid == m->n_valid ? 0 : -1;
}

/* Fills m from the parsed manifest; a short reason on failure. */
static const char *manifest_from_json(const cJSON *j, tg_shards_manifest *m)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
    if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, SHARDS_FORMAT))
        return "not a manifest of training-set shards";
    if (count_at(j, "version") != SHARDS_VERSION)
        return "a manifest version this program does not read";
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "complete")))
        return "the export that wrote it did not finish; run it again";
    if (check_features(cJSON_GetObjectItemCaseSensitive(j, "features")))
        return "its features are not this program's (another version?)";
    const cJSON *ho = cJSON_GetObjectItemCaseSensitive(j, "holdout");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "rows");
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "shards");
    long long vd = count_at(ho, "valid_days");
    m->n_train = count_at(rows, "train");
    m->n_valid = count_at(rows, "valid");
    if (vd < 1 || vd > 3650 || time_at(ho, "cut", &m->cut) ||
        time_at(ho, "from", &m->valid_from) ||
        time_at(ho, "to", &m->valid_to) ||
        time_at(j, "data_end", &m->data_end) || m->n_train < 1 ||
        m->n_valid < 1)
        return "its hold-out or row counts are missing or malformed";
    m->valid_days = (int)vd;
    if (file_entry(cJSON_GetObjectItemCaseSensitive(j, "featmap"),
                   SHARDS_FEATMAP, &m->featmap))
        return "its featmap entry is malformed";
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (n < 1 || n > SHARDS_MAX)
        return "it lists no shards, or too many";
    m->nshards = n;
    m->shard = calloc((size_t)n, sizeof *m->shard);
    if (!m->shard)
        return "out of memory";
    if (read_shard_entries(arr, m) != 0)
        return "a shard's entry is malformed or the row counts do not add "
               "up";
    return NULL;
}

int shards_manifest_read(const char *dir, tg_shards_manifest *m,
                         tg_err *err)
{
    memset(m, 0, sizeof *m);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, SHARDS_MANIFEST);
    char *text = tg_read_file(path, NULL, 64 << 20, err);
    if (!text)
        return err && err->code ? err->code : TG_EIO;
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!j)
        return bad(err, path, "not JSON");
    const char *why = manifest_from_json(j, m);
    cJSON_Delete(j);
    if (why) {
        shards_manifest_free(m);
        return strcmp(why, "out of memory")
                   ? bad(err, path, why)
                   : tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    return TG_OK;
}

void shards_manifest_free(tg_shards_manifest *m)
{
    if (!m)
        return;
    free(m->shard);
    memset(m, 0, sizeof *m);
}

/* ---- one shard ---------------------------------------------------------- */

/* Size and SHA-256 of DIR/f against the manifest. */
static int verify_file(const char *dir, const tg_shard_file *f, char *path,
                       size_t n, tg_err *err)
{
    snprintf(path, n, "%s/%s", dir, f->name);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return tg_fail(err, errno == ENOENT ? TG_ENOINPUT : TG_EIO,
                       "%s: %s (the manifest lists it)", path,
                       strerror(errno));
    if (!S_ISREG(sb.st_mode) || (long long)sb.st_size != f->bytes)
        return tg_fail(err, TG_EDATA, "%s: %lld bytes, the manifest says "
                       "%lld: the shard does not match its manifest; "
                       "refusing it", path, (long long)sb.st_size, f->bytes);
    char sha[65];
    int rc = tg_sha256_file(path, sha, err);
    if (rc != TG_OK)
        return rc;
    if (strcmp(sha, f->sha256) != 0)
        return tg_fail(err, TG_EDATA, "%s: its SHA-256 is not the one in "
                       "the manifest: the shard does not match its "
                       "manifest; refusing it", path);
    return TG_OK;
}

int shards_verify(const char *dir, const tg_shards_manifest *m, tg_err *err)
{
    char path[4200];
    int rc = verify_file(dir, &m->featmap, path, sizeof path, err);
    for (int k = 0; rc == TG_OK && k < m->nshards; k++)
        for (int f = 0; rc == TG_OK && f < SHARD_NFILES; f++)
            rc = verify_file(dir, &m->shard[k].f[f], path, sizeof path, err);
    return rc;
}

/* A LIBSVM line "label idx:value..." into y and row (NaN where absent);
 * NULL, or what is wrong with it. */
static const char *parse_libsvm(char *s, float *y, float *row)
{
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        row[f] = NAN;
    if ((s[0] != '0' && s[0] != '1') || (s[1] != ' ' && s[1] != '\n'))
        return "the label is not 0 or 1";
    *y = (float)(s[0] - '0');
    s++;
    long last = -1;
    while (*s == ' ') {
        char *end;
        errno = 0;
        long idx = strtol(s + 1, &end, 10);
        if (end == s + 1 || *end != ':' || idx <= last ||
            idx >= TG_NUM_FEATURES)
            return "a feature index is missing, out of range or out of order";
        s = end + 1;
        float v = strtof(s, &end);
        if (end == s || (*end != ' ' && *end != '\n' && *end) || isnan(v))
            return "a feature value is not a number";
        row[idx] = v;
        last = idx;
        s = end;
    }
    return *s == '\n' && s[1] == '\0' ? NULL : "a line that does not end";
}

/* "purchase_id,set,row,p_true" for hold-out line j (set "valid"), or a
 * training line (set "train", row empty). */
static const char *parse_line_row(char *s, int valid, int64_t *row,
                                  float *truth)
{
    char *c1 = strchr(s, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    char *c3 = c2 ? strchr(c2 + 1, ',') : NULL, *end;
    if (!c3 || c1 == s || strcspn(c3 + 1, ",") != strlen(c3 + 1))
        return "not 4 fields";
    *c1 = *c2 = *c3 = '\0';
    if (strcmp(c1 + 1, valid ? "valid" : "train") != 0)
        return valid ? "a training line among the hold-out's"
                     : "a hold-out line among the training lines";
    if (!valid)
        return *(c2 + 1) ? "a training line with a hold-out row" : NULL;
    long long r = strtoll(c2 + 1, &end, 10);
    if (end == c2 + 1 || *end || r < 0)
        return "its hold-out row is not a number";
    *row = r;
    char *p = c3 + 1;
    p[strcspn(p, "\r\n")] = '\0';
    *truth = NAN;
    if (*p) {
        *truth = strtof(p, &end);
        if (*end || !(*truth >= 0 && *truth <= 1))
            return "p_true is not a probability";
    }
    return NULL;
}

typedef struct reader {
    FILE *f;
    char *line;
    size_t cap;
    long long lineno;
    const char *path;
} reader;

static int reader_open(reader *r, const char *path, tg_err *err)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->f = tg_fopen_input(path, 0, err);
    return r->f ? TG_OK : err ? err->code : TG_EIO;
}

/* The next line (with its '\n'); NULL at the end. */
static char *reader_next(reader *r)
{
    if (getline(&r->line, &r->cap, r->f) < 0)
        return NULL;
    r->lineno++;
    return r->line;
}

static void reader_close(reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->line);
}

/* Reads n LIBSVM rows into x and y. */
static int read_libsvm(const char *path, long long n, float *x, float *y,
                       tg_err *err)
{
    reader r;
    int rc = reader_open(&r, path, err);
    char *s;
    while (rc == TG_OK && (s = reader_next(&r))) {
        const char *why = r.lineno <= n ? parse_libsvm(
                                              s, &y[r.lineno - 1],
                                              &x[(r.lineno - 1) *
                                                 TG_NUM_FEATURES])
                                        : "more rows than the manifest says";
        if (why)
            rc = tg_fail(err, TG_EDATA, "%s:%lld: %s", path, r.lineno, why);
    }
    if (rc == TG_OK && r.lineno != n)
        rc = tg_fail(err, TG_EDATA, "%s: %lld rows, the manifest says %lld",
                     path, r.lineno, n);
    reader_close(&r);
    return rc;
}

/* Reads the lines file: the training lines, then the hold-out's. */
static int read_lines(const char *path, const tg_shard_entry *e,
                      tg_shard *sh, tg_err *err)
{
    reader r;
    int rc = reader_open(&r, path, err);
    char *s = rc == TG_OK ? reader_next(&r) : NULL;
    if (rc == TG_OK && (!s || strcmp(s, "purchase_id,set,row,p_true\n")))
        rc = tg_fail(err, TG_EDATA, "%s:1: not the header "
                     "purchase_id,set,row,p_true", path);
    long long nt = e->f[SHARD_TRAIN].rows, i = 0;
    while (rc == TG_OK && (s = reader_next(&r))) {
        int valid = i >= nt;
        size_t j = valid ? (size_t)(i - nt) : 0;
        const char *why = i >= e->f[SHARD_LINES].rows
                              ? "more rows than the manifest says"
                              : parse_line_row(s, valid, &sh->row[j],
                                               &sh->truth[j]);
        if (why)
            rc = tg_fail(err, TG_EDATA, "%s:%lld: %s", path, r.lineno, why);
        i++;
    }
    if (rc == TG_OK && i != e->f[SHARD_LINES].rows)
        rc = tg_fail(err, TG_EDATA, "%s: %lld rows, the manifest says %lld",
                     path, i, e->f[SHARD_LINES].rows);
    reader_close(&r);
    return rc;
}

static int shard_alloc(tg_shard *sh, size_t nt, size_t nv)
{
    size_t nf = TG_NUM_FEATURES;
    sh->n_train = nt;
    sh->n_valid = nv;
    sh->x_train = malloc((nt ? nt : 1) * nf * sizeof(float));
    sh->y_train = malloc((nt ? nt : 1) * sizeof(float));
    sh->x_valid = malloc((nv ? nv : 1) * nf * sizeof(float));
    sh->y_valid = malloc((nv ? nv : 1) * sizeof(float));
    sh->truth = malloc((nv ? nv : 1) * sizeof(float));
    sh->row = malloc((nv ? nv : 1) * sizeof(int64_t));
    return sh->x_train && sh->y_train && sh->x_valid && sh->y_valid &&
                   sh->truth && sh->row
               ? 0
               : -1;
}

int shards_load(const char *dir, const tg_shards_manifest *m, int k,
                tg_shard *sh, tg_err *err)
{
    memset(sh, 0, sizeof *sh);
    if (k < 0 || k >= m->nshards)
        return tg_fail(err, TG_EUSAGE, "%s: there is no shard %d (the "
                       "manifest has %d)", dir, k, m->nshards);
    const tg_shard_entry *e = &m->shard[k];
    char path[SHARD_NFILES][4200];
    int rc = TG_OK;
    for (int f = 0; rc == TG_OK && f < SHARD_NFILES; f++)
        rc = verify_file(dir, &e->f[f], path[f], sizeof path[f], err);
    if (rc != TG_OK)
        return rc;
    if (shard_alloc(sh, (size_t)e->f[SHARD_TRAIN].rows,
                    (size_t)e->f[SHARD_VALID].rows) != 0) {
        shards_free(sh);
        return tg_fail(err, TG_EINTERNAL, "out of memory reading %s",
                       path[SHARD_TRAIN]);
    }
    rc = read_libsvm(path[SHARD_TRAIN], e->f[SHARD_TRAIN].rows, sh->x_train,
                     sh->y_train, err);
    if (rc == TG_OK)
        rc = read_libsvm(path[SHARD_VALID], e->f[SHARD_VALID].rows,
                         sh->x_valid, sh->y_valid, err);
    if (rc == TG_OK)
        rc = read_lines(path[SHARD_LINES], e, sh, err);
    for (size_t j = 0; rc == TG_OK && j < sh->n_valid; j++)
        if (sh->row[j] >= m->n_valid)
            rc = tg_fail(err, TG_EDATA, "%s: hold-out row %lld is past the "
                         "hold-out's %lld lines", path[SHARD_LINES],
                         (long long)sh->row[j], m->n_valid);
    if (rc != TG_OK)
        shards_free(sh);
    return rc;
}

void shards_free(tg_shard *sh)
{
    if (!sh)
        return;
    free(sh->x_train);
    free(sh->y_train);
    free(sh->x_valid);
    free(sh->y_valid);
    free(sh->truth);
    free(sh->row);
    memset(sh, 0, sizeof *sh);
}
