/* shards_export.c: `trendguard export --training-set --shards N`: the
 * store's mature training set (read as the trainer reads it) split by
 * customer into N shards of LIBSVM files with the hold-out decided once for
 * all of them, a feature map and a manifest with row counts, sizes and
 * SHA-256 (the format is in shards.h). Files are staged and renamed; only
 * files the previous manifest vouches for are replaced or removed. */
#include "trendguard/shards.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trendguard/dataset.h"
#include "trendguard/features.h"

/* A file named with the SHA-256 of its content, from a manifest. */
typedef struct vouched {
    char name[64];
    char sha[65];
} vouched;

typedef struct staged {
    tg_shard_file f;
    char path[PATH_MAX + 80];
    char tmp[PATH_MAX + 96]; /* "" once renamed or removed */
    FILE *fp;
} staged;

/* The forms of recently written values (prices, rates and trend figures
 * repeat from line to line): formatting is most of an export's time. */
#define FORM_SLOTS 65536
typedef struct form_cache {
    uint32_t bits[FORM_SLOTS];
    char text[FORM_SLOTS][32]; /* "" when empty */
} form_cache;

typedef struct shard_writer {
    char dir[PATH_MAX];
    char created[PATH_MAX];
    char manifest[PATH_MAX + 80];
    int n;             /* shards */
    staged *files;     /* n * SHARD_NFILES, then the feature map */
    long long *owners; /* per shard */
    vouched *old;      /* what the manifest in DIR vouches for */
    int nold;
    form_cache *forms;
} shard_writer;

#define NSTAGED(w) ((w)->n * SHARD_NFILES + 1)
#define FEATMAP(w) (&(w)->files[(w)->n * SHARD_NFILES])

static int code_of(const tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

/* ---- the previous manifest ---------------------------------------------- */

/* True for the names this export writes: featmap.txt, shard-K.KIND. */
static int our_name(const char *name)
{
    if (strcmp(name, SHARDS_FEATMAP) == 0)
        return 1;
    int k;
    char canon[64];
    if (sscanf(name, "shard-%d.", &k) != 1 || k < 0 || k >= SHARDS_MAX)
        return 0;
    for (int f = 0; f < SHARD_NFILES; f++) {
        shards_file_name(k, f, canon, sizeof canon);
        if (strcmp(canon, name) == 0)
            return 1;
    }
    return 0;
}

static void vouch_add(shard_writer *w, const cJSON *o, int cap)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "file");
    const cJSON *sha = cJSON_GetObjectItemCaseSensitive(o, "sha256");
    if (w->nold < cap && cJSON_IsString(name) && cJSON_IsString(sha) &&
        our_name(name->valuestring) && strlen(sha->valuestring) == 64) {
        tg_strlcpy(w->old[w->nold].name, name->valuestring, 64);
        tg_strlcpy(w->old[w->nold].sha, sha->valuestring, 65);
        w->nold++;
    }
}

/* Collects what a manifest of ours vouches for: its files and, from an
 * export that did not finish, the files it was replacing. */
static int vouch_collect(shard_writer *w, const cJSON *j)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "shards");
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(j, "replacing");
    int cap = 1 + SHARD_NFILES * cJSON_GetArraySize(arr) +
              cJSON_GetArraySize(rep);
    w->old = calloc((size_t)cap, sizeof *w->old);
    if (!w->old)
        return -1;
    vouch_add(w, cJSON_GetObjectItemCaseSensitive(j, "featmap"), cap);
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
    {
        vouch_add(w, cJSON_GetObjectItemCaseSensitive(e, "train"), cap);
        vouch_add(w, cJSON_GetObjectItemCaseSensitive(e, "valid"), cap);
        vouch_add(w, cJSON_GetObjectItemCaseSensitive(e, "lines"), cap);
    }
    cJSON_ArrayForEach(e, rep) vouch_add(w, e, cap);
    return 0;
}

static int read_old_manifest(shard_writer *w, tg_err *err)
{
    struct stat sb;
    if (lstat(w->manifest, &sb) != 0)
        return errno == ENOENT ? TG_OK
                               : tg_fail(err, TG_EIO, "%s: %s", w->manifest,
                                         strerror(errno));
    char *text = S_ISREG(sb.st_mode)
                     ? tg_read_file(w->manifest, NULL, 64 << 20, err)
                     : NULL;
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(j, "format");
    int ours = cJSON_IsString(fmt) && !strcmp(fmt->valuestring,
                                              SHARDS_FORMAT);
    int rc = !ours ? tg_fail(err, TG_EDATA, "%s: not a manifest written by "
                             "trendguard export --training-set; not writing "
                             "into %s", w->manifest, w->dir)
             : vouch_collect(w, j) != 0
                 ? tg_fail(err, TG_EINTERNAL, "out of memory")
                 : TG_OK;
    cJSON_Delete(j);
    return rc;
}

/* True when the previous manifest lists DIR/name with its content now. */
static int vouched_now(const shard_writer *w, const char *name,
                       const char *path)
{
    char sha[65];
    if (tg_sha256_file(path, sha, NULL) != TG_OK)
        return 0;
    for (int i = 0; i < w->nold; i++)
        if (!strcmp(w->old[i].name, name) && !strcmp(w->old[i].sha, sha))
            return 1;
    return 0;
}

/* Refuses when a file of the new names exists unvouched. */
static int check_existing(const shard_writer *w, tg_err *err)
{
    for (int i = 0; i < NSTAGED(w); i++) {
        const staged *s = &w->files[i];
        struct stat sb;
        if (lstat(s->path, &sb) != 0) {
            if (errno == ENOENT)
                continue;
            return tg_fail(err, TG_EIO, "%s: %s", s->path, strerror(errno));
        }
        if (!S_ISREG(sb.st_mode) || !vouched_now(w, s->f.name, s->path))
            return tg_fail(err, TG_EDATA, "%s: exists and was not written "
                           "by trendguard export --training-set (or was "
                           "changed since); not overwriting (remove it or "
                           "choose another --out)", s->path);
    }
    return TG_OK;
}

/* ---- the folder and the staged files ------------------------------------ */

static int open_dir(shard_writer *w, const tg_shards_opts *o, tg_err *err)
{
    if (!o->out_dir || !*o->out_dir)
        return tg_fail(err, TG_EUSAGE, "no output folder given");
    if (strlen(o->out_dir) + 80 >= sizeof w->dir)
        return tg_fail(err, TG_EUSAGE, "%s: path too long", o->out_dir);
    if (o->nshards < 1 || o->nshards > SHARDS_MAX)
        return tg_fail(err, TG_EUSAGE, "--shards takes 1 to %d, not %d",
                       SHARDS_MAX, o->nshards);
    tg_strlcpy(w->dir, o->out_dir, sizeof w->dir);
    for (size_t n = strlen(w->dir); n > 1 && w->dir[n - 1] == '/'; n--)
        w->dir[n - 1] = '\0';
    w->n = o->nshards;
    w->files = calloc((size_t)NSTAGED(w), sizeof *w->files);
    w->owners = calloc((size_t)w->n, sizeof *w->owners);
    w->forms = calloc(1, sizeof *w->forms);
    if (!w->files || !w->owners || !w->forms)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    for (int i = 0; i < NSTAGED(w); i++) {
        staged *s = &w->files[i];
        if (i < w->n * SHARD_NFILES)
            shards_file_name(i / SHARD_NFILES, i % SHARD_NFILES, s->f.name,
                             sizeof s->f.name);
        else
            tg_strlcpy(s->f.name, SHARDS_FEATMAP, sizeof s->f.name);
        snprintf(s->path, sizeof s->path, "%s/%s", w->dir, s->f.name);
    }
    snprintf(w->manifest, sizeof w->manifest, "%s/%s", w->dir,
             SHARDS_MANIFEST);
    int rc = tg_mkdirs_new(w->dir, w->created, sizeof w->created, err);
    struct stat sb;
    if (rc == TG_OK && (stat(w->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        rc = tg_fail(err, TG_EIO, "%s: not a folder", w->dir);
    if (rc == TG_OK)
        rc = read_old_manifest(w, err);
    return rc == TG_OK ? check_existing(w, err) : rc;
}

static int stage_open(shard_writer *w, staged *s, tg_err *err)
{
    snprintf(s->tmp, sizeof s->tmp, "%s/.%s.tmp.XXXXXX", w->dir, s->f.name);
    int fd = mkstemp(s->tmp);
    if (fd < 0) {
        s->tmp[0] = '\0';
        return tg_fail(err, TG_EIO, "%s: cannot create a file there: %s",
                       w->dir, strerror(errno));
    }
    s->fp = fchmod(fd, 0644) == 0 ? fdopen(fd, "wb") : NULL;
    if (!s->fp) {
        close(fd);
        return tg_fail(err, TG_EIO, "%s: %s", s->tmp, strerror(errno));
    }
    setvbuf(s->fp, NULL, _IOFBF, 1 << 17);
    return TG_OK;
}

/* Flushes, syncs and closes a staged file; notes its size and SHA-256. */
static int stage_close(staged *s, int rc, tg_err *err)
{
    if (!s->fp)
        return rc;
    if (rc == TG_OK && (fflush(s->fp) != 0 || ferror(s->fp) ||
                        fsync(fileno(s->fp)) != 0))
        rc = tg_fail(err, TG_EIO, "%s: write failed: %s", s->tmp,
                     strerror(errno));
    if (fclose(s->fp) != 0 && rc == TG_OK)
        rc = tg_fail(err, TG_EIO, "%s: write failed: %s", s->tmp,
                     strerror(errno));
    s->fp = NULL;
    struct stat sb;
    if (rc == TG_OK && stat(s->tmp, &sb) != 0)
        rc = tg_fail(err, TG_EIO, "%s: %s", s->tmp, strerror(errno));
    s->f.bytes = rc == TG_OK ? (long long)sb.st_size : 0;
    return rc == TG_OK ? tg_sha256_file(s->tmp, s->f.sha256, err) : rc;
}

static void unstage(shard_writer *w)
{
    for (int i = 0; w->files && i < NSTAGED(w); i++) {
        staged *s = &w->files[i];
        if (s->fp)
            fclose(s->fp);
        s->fp = NULL;
        if (s->tmp[0])
            unlink(s->tmp);
        s->tmp[0] = '\0';
    }
}

/* ---- who goes where ----------------------------------------------------- */

static uint64_t fnv1a(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = a; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = b; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

/* Every purchase line's owner (its customer, or its order when anonymous)
 * as a hash, by purchase id: splitmix64 of FNV-1a, so that every bit of
 * the code counts in the shard (the hash modulo shards). */
typedef struct owner_map {
    size_t n;
    int64_t *id;
    uint64_t *owner;
} owner_map;

static int owners_load(tg_store *s, owner_map *om, tg_err *err)
{
    memset(om, 0, sizeof *om);
    size_t cap = 0;
    sqlite3_stmt *st = store_prepare(
        s, "SELECT p.id, c.code, p.order_code FROM purchases p"
           " LEFT JOIN customers c ON c.id = p.customer_id ORDER BY p.id",
        err);
    if (!st)
        return code_of(err);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (om->n == cap) {
            cap = cap ? cap * 2 : 65536;
            int64_t *id = realloc(om->id, cap * sizeof *id);
            uint64_t *ow = id ? realloc(om->owner, cap * sizeof *ow) : NULL;
            om->id = id ? id : om->id;
            om->owner = ow ? ow : om->owner;
            if (!id || !ow) {
                sqlite3_finalize(st);
                return tg_fail(err, TG_EINTERNAL, "out of memory");
            }
        }
        const char *cust = (const char *)sqlite3_column_text(st, 1);
        const char *order = (const char *)sqlite3_column_text(st, 2);
        om->id[om->n] = sqlite3_column_int64(st, 0);
        om->owner[om->n++] = tg_mix64(cust ? fnv1a("customer:", cust)
                                           : fnv1a("order:",
                                                   order ? order : ""));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? TG_OK
                             : store_fail(s, err, "reading purchase owners");
}

static void owners_free(owner_map *om)
{
    free(om->id);
    free(om->owner);
}

/* The owner hash of purchase id (ids are sorted); 0 when unknown. */
static uint64_t owner_of(const owner_map *om, int64_t id)
{
    size_t lo = 0, hi = om->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (om->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < om->n && om->id[lo] == id ? om->owner[lo] : 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Counts the distinct owners of each shard from the rows' owners. */
static int count_owners(shard_writer *w, uint64_t *own, size_t n)
{
    qsort(own, n, sizeof *own, cmp_u64);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || own[i] != own[i - 1])
            w->owners[own[i] % (uint64_t)w->n]++;
    return 0;
}

/* ---- writing the rows --------------------------------------------------- */

/* What XGBoost 1.7's text readers make of s (dmlc-core's ParseFloat
 * for float, which is not correctly rounded): the integer part as a float,
 * plus the fraction's first 19 digits divided in double and rounded to
 * float, then multiplied or divided by a float power of ten for an
 * exponent. */
static float xgb_reads(const char *s)
{
    int neg = *s == '-';
    s += neg || *s == '+';
    uint64_t ip = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        ip = ip * 10 + (uint64_t)(*s - '0');
    float v = (float)ip;
    if (*s == '.') {
        uint64_t fr = 0, p10 = 1;
        for (int k = 0; *++s >= '0' && *s <= '9'; k++)
            if (k < 19)
                fr = fr * 10 + (uint64_t)(*s - '0'), p10 *= 10;
        v += (float)((double)fr / (double)p10);
    }
    if (*s == 'e' || *s == 'E') {
        int down = s[1] == '-';
        unsigned ex = (unsigned)strtoul(s + 1 + (s[1] == '-' || s[1] == '+'),
                                        NULL, 10);
        float scale = 1.0f;
        for (; ex >= 8; ex -= 8)
            scale *= 1e8f;
        for (; ex > 0; ex--)
            scale *= 10.0f;
        v = down ? v / scale : v * scale;
    }
    return neg ? -v : v;
}

/* True when both the worker (strtof) and XGBoost read s as v. */
static int reads_as(const char *s, float v)
{
    return strtof(s, NULL) == v && xgb_reads(s) == v;
}

/* v as the shortest of a few forms that both strtof and XGBoost's own
 * reader take back to the same float: 7 or 9 significant digits, else the
 * integer part and 19 decimals of the fraction (the fraction, a float,
 * comes back whole from 19 decimals, and adding it to the integer part is
 * exact). A value neither reads exactly (only tiny ones could be) keeps 9
 * digits: exact for the worker. */
static const char *fmt_float(float v, char *buf, size_t n)
{
    if (v == truncf(v) && fabsf(v) < 1e9f) {
        snprintf(buf, n, "%ld", (long)v);
        return buf;
    }
    snprintf(buf, n, "%.7g", (double)v);
    if (reads_as(buf, v))
        return buf;
    snprintf(buf, n, "%.9g", (double)v);
    if (reads_as(buf, v))
        return buf;
    double whole = trunc((double)v), frac = fabs((double)v - whole);
    char digits[32];
    snprintf(digits, sizeof digits, "%.19f", frac); /* "0.ddd..." */
    size_t len = strlen(digits);
    while (len > 3 && digits[len - 1] == '0')
        digits[--len] = '\0';
    snprintf(buf, n, "%s%ld.%.19s", v < 0 ? "-" : "", (long)fabs(whole),
             digits + 2);
    if (!reads_as(buf, v))
        snprintf(buf, n, "%.9g", (double)v);
    return buf;
}

static const char *cached_float(form_cache *c, float v)
{
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    size_t at = (size_t)(tg_mix64(bits) % FORM_SLOTS);
    if (!c->text[at][0] || c->bits[at] != bits) {
        char buf[48];
        fmt_float(v, buf, sizeof buf);
        tg_strlcpy(c->text[at], buf, sizeof c->text[at]);
        c->bits[at] = bits;
    }
    return c->text[at];
}

static int write_libsvm(FILE *f, form_cache *c, const float *x, float y)
{
    char line[TG_NUM_FEATURES * 40 + 8];
    size_t k = (size_t)snprintf(line, sizeof line, "%d", y > 0.5f);
    for (int j = 0; j < TG_NUM_FEATURES; j++)
        if (!isnan(x[j]))
            k += (size_t)snprintf(line + k, sizeof line - k, " %d:%s", j,
                                  cached_float(c, x[j]));
    line[k++] = '\n';
    return fwrite(line, 1, k, f) == k ? 0 : -1;
}

static int write_line_row(FILE *f, int64_t id, int valid, long long row,
                          float truth)
{
    char num[32];
    if (!valid)
        return fprintf(f, "%lld,train,,\n", (long long)id) < 0 ? -1 : 0;
    if (isnan(truth))
        num[0] = '\0';
    else
        snprintf(num, sizeof num, "%.9g", (double)truth);
    return fprintf(f, "%lld,valid,%lld,%s\n", (long long)id, row, num) < 0
               ? -1
               : 0;
}

static int write_featmap(staged *s)
{
    for (int j = 0; j < TG_NUM_FEATURES; j++)
        if (fprintf(s->fp, "%d %s q\n", j, features_name(j)) < 0)
            return -1;
    s->f.rows = TG_NUM_FEATURES;
    return 0;
}

/* Writes every row to its shard's files. */
static int write_rows(shard_writer *w, const tg_dataset *d, size_t v0,
                      const uint64_t *own, tg_shards_progress progress,
                      void *ud, tg_err *err)
{
    for (size_t i = 0; i < d->n; i++) {
        int k = (int)(own[i] % (uint64_t)w->n), valid = i >= v0;
        staged *fs = &w->files[k * SHARD_NFILES];
        staged *data = &fs[valid ? SHARD_VALID : SHARD_TRAIN];
        if (write_libsvm(data->fp, w->forms, d->x + i * d->nfeat,
                         d->y[i]) != 0 ||
            write_line_row(fs[SHARD_LINES].fp, d->id[i], valid,
                           (long long)(i - v0), d->truth[i]) != 0)
            return tg_fail(err, TG_EIO, "%s: write failed: %s",
                           ferror(data->fp) ? data->tmp
                                            : fs[SHARD_LINES].tmp,
                           strerror(errno));
        data->f.rows++;
        fs[SHARD_LINES].f.rows++;
        if (progress && (i & 65535) == 0)
            progress(ud, 0.2 + 0.7 * (double)i / (double)d->n,
                     "writing the shards");
    }
    return TG_OK;
}

/* ---- the manifest ------------------------------------------------------- */

static cJSON *file_json(const tg_shard_file *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", f->name);
    cJSON_AddNumberToObject(o, "rows", (double)f->rows);
    cJSON_AddNumberToObject(o, "bytes", (double)f->bytes);
    cJSON_AddStringToObject(o, "sha256", f->sha256);
    return o;
}

static void add_time(cJSON *o, const char *k, int64_t t)
{
    char buf[32];
    cJSON_AddStringToObject(o, k, tg_time_format(t, buf, sizeof buf));
}

static cJSON *manifest_json(const shard_writer *w, const tg_shards_manifest *m,
                            int complete)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "format", SHARDS_FORMAT);
    cJSON_AddNumberToObject(j, "version", SHARDS_VERSION);
    cJSON_AddBoolToObject(j, "complete", complete);
    cJSON_AddStringToObject(j, "label", "returned");
    cJSON *fa = cJSON_AddArrayToObject(j, "features");
    for (int f = 0; f < TG_NUM_FEATURES; f++)
        cJSON_AddItemToArray(fa, cJSON_CreateString(features_name(f)));
    cJSON_AddStringToObject(j, "split", "by customer: splitmix64(FNV-1a 64 "
                            "of \"customer:\" + the customer's code, or "
                            "\"order:\" + the order's code for an anonymous "
                            "line) modulo shards");
    cJSON *ho = cJSON_AddObjectToObject(j, "holdout");
    cJSON_AddNumberToObject(ho, "valid_days", m->valid_days);
    add_time(ho, "cut", m->cut);
    add_time(ho, "from", m->valid_from);
    add_time(ho, "to", m->valid_to);
    add_time(j, "data_end", m->data_end);
    cJSON *rows = cJSON_AddObjectToObject(j, "rows");
    cJSON_AddNumberToObject(rows, "train", (double)m->n_train);
    cJSON_AddNumberToObject(rows, "valid", (double)m->n_valid);
    cJSON_AddItemToObject(j, "featmap", file_json(&FEATMAP(w)->f));
    cJSON *arr = cJSON_AddArrayToObject(j, "shards");
    for (int k = 0; k < w->n; k++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "index", k);
        cJSON_AddNumberToObject(e, "owners", (double)w->owners[k]);
        for (int f = 0; f < SHARD_NFILES; f++)
            cJSON_AddItemToObject(e, f == SHARD_TRAIN   ? "train"
                                     : f == SHARD_VALID ? "valid"
                                                        : "lines",
                                  file_json(&w->files[k * SHARD_NFILES + f].f));
        cJSON_AddItemToArray(arr, e);
    }
    if (!complete) {
        cJSON *rep = cJSON_AddArrayToObject(j, "replacing");
        for (int i = 0; i < w->nold; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "file", w->old[i].name);
            cJSON_AddStringToObject(o, "sha256", w->old[i].sha);
            cJSON_AddItemToArray(rep, o);
        }
    }
    return j;
}

static int manifest_write(const shard_writer *w, const tg_shards_manifest *m,
                          int complete, tg_err *err)
{
    cJSON *j = manifest_json(w, m, complete);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    size_t n = strlen(text);
    text[n] = '\n'; /* replaces the terminator: written by length */
    int rc = tg_write_file_atomic(w->manifest, text, n + 1, err);
    free(text);
    return rc;
}

/* Renames the staged files into place between a manifest that vouches for
 * the old files too and the final one, then removes the old files no
 * longer part of the export (those still as the old manifest had them). */
static int commit_all(shard_writer *w, const tg_shards_manifest *m,
                      tg_err *err)
{
    int rc = manifest_write(w, m, 0, err);
    for (int i = 0; rc == TG_OK && i < NSTAGED(w); i++) {
        staged *s = &w->files[i];
        if (rename(s->tmp, s->path) != 0)
            rc = tg_fail(err, TG_EIO, "%s: cannot replace: %s", s->path,
                         strerror(errno));
        else
            s->tmp[0] = '\0';
    }
    for (int i = 0; rc == TG_OK && i < w->nold; i++) {
        int kept = 0;
        for (int k = 0; k < NSTAGED(w); k++)
            kept |= !strcmp(w->files[k].f.name, w->old[i].name);
        char path[PATH_MAX + 80];
        snprintf(path, sizeof path, "%s/%s", w->dir, w->old[i].name);
        if (!kept && vouched_now(w, w->old[i].name, path))
            unlink(path);
    }
    return rc == TG_OK ? manifest_write(w, m, 1, err) : rc;
}

/* ---- the export --------------------------------------------------------- */

static int check_split(const tg_dataset *d, size_t v0, int valid_days,
                       tg_err *err)
{
    if (d->n == 0)
        return tg_fail(err, TG_EDATA, "no purchase lines with a mature label "
                       "(a line's label is known 30 days after it was "
                       "bought)");
    if (v0 == d->n)
        return tg_fail(err, TG_EDATA, "the hold-out (last %d days of mature "
                       "lines) is empty", valid_days);
    if (v0 == 0)
        return tg_fail(err, TG_EDATA, "every mature line falls in the %d-day "
                       "hold-out; nothing earlier to train on (try "
                       "--valid-days)", valid_days);
    return TG_OK;
}

/* Every shard must get training and hold-out lines. */
static int check_shards(const shard_writer *w, tg_err *err)
{
    for (int k = 0; k < w->n; k++)
        if (w->files[k * SHARD_NFILES + SHARD_TRAIN].f.rows == 0 ||
            w->files[k * SHARD_NFILES + SHARD_VALID].f.rows == 0)
            return tg_fail(err, TG_EDATA, "shard %d would have no %s lines: "
                           "too few customers for %d shards", k,
                           w->files[k * SHARD_NFILES + SHARD_TRAIN].f.rows
                               ? "hold-out"
                               : "training",
                           w->n);
    return TG_OK;
}

/* Stages every file: the rows, then the feature map. */
static int stage_all(shard_writer *w, const tg_dataset *d, size_t v0,
                     const uint64_t *own, tg_shards_progress progress,
                     void *ud, tg_err *err)
{
    int rc = TG_OK;
    for (int i = 0; rc == TG_OK && i < NSTAGED(w); i++)
        rc = stage_open(w, &w->files[i], err);
    for (int k = 0; rc == TG_OK && k < w->n; k++)
        if (fputs("purchase_id,set,row,p_true\n",
                  w->files[k * SHARD_NFILES + SHARD_LINES].fp) == EOF)
            rc = tg_fail(err, TG_EIO, "%s: write failed: %s",
                         w->files[k * SHARD_NFILES + SHARD_LINES].tmp,
                         strerror(errno));
    if (rc == TG_OK)
        rc = write_rows(w, d, v0, own, progress, ud, err);
    if (rc == TG_OK && write_featmap(FEATMAP(w)) != 0)
        rc = tg_fail(err, TG_EIO, "%s: write failed: %s", FEATMAP(w)->tmp,
                     strerror(errno));
    for (int i = 0; i < NSTAGED(w); i++)
        rc = stage_close(&w->files[i], rc, err);
    return rc == TG_OK ? check_shards(w, err) : rc;
}

/* The owner of every row; NULL (err set) when a line has none. */
static uint64_t *row_owners(tg_store *s, const tg_dataset *d, tg_err *err)
{
    owner_map om;
    if (owners_load(s, &om, err) != TG_OK) {
        owners_free(&om);
        return NULL;
    }
    uint64_t *own = malloc((d->n ? d->n : 1) * sizeof *own);
    for (size_t i = 0; own && i < d->n; i++)
        own[i] = owner_of(&om, d->id[i]);
    owners_free(&om);
    if (!own)
        tg_fail(err, TG_EINTERNAL, "out of memory");
    return own;
}

static void fill_manifest(const shard_writer *w, const tg_dataset *d,
                          size_t v0, int64_t cut, int valid_days,
                          tg_shards_manifest *m)
{
    m->nshards = w->n;
    m->valid_days = valid_days;
    m->cut = cut;
    m->valid_from = d->t[v0];
    m->valid_to = d->t[d->n - 1];
    m->data_end = d->data_end;
    m->n_train = (long long)v0;
    m->n_valid = (long long)(d->n - v0);
}

/* Copies the written files into the caller's manifest. */
static int give_manifest(const shard_writer *w, tg_shards_manifest *m,
                         tg_err *err)
{
    m->shard = calloc((size_t)w->n, sizeof *m->shard);
    if (!m->shard)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    m->featmap = FEATMAP(w)->f;
    for (int k = 0; k < w->n; k++) {
        m->shard[k].owners = w->owners[k];
        for (int f = 0; f < SHARD_NFILES; f++)
            m->shard[k].f[f] = w->files[k * SHARD_NFILES + f].f;
    }
    return TG_OK;
}

static int export_data(shard_writer *w, tg_store *s, const tg_shards_opts *o,
                       tg_shards_manifest *m, tg_shards_progress progress,
                       void *ud, tg_err *err)
{
    tg_dataset d;
    if (progress)
        progress(ud, 0, "reading the training set");
    int rc = dataset_load(s, DATASET_MATURE, 0, &d, err);
    if (rc != TG_OK)
        return rc;
    int64_t cut;
    size_t v0 = shards_holdout_start(d.t, d.n, o->valid_days, &cut);
    uint64_t *own = NULL;
    rc = check_split(&d, v0, o->valid_days, err);
    if (rc == TG_OK && !(own = row_owners(s, &d, err)))
        rc = code_of(err);
    if (rc == TG_OK)
        rc = stage_all(w, &d, v0, own, progress, ud, err);
    if (rc == TG_OK) {
        fill_manifest(w, &d, v0, cut, o->valid_days, m);
        count_owners(w, own, d.n);
        if (progress)
            progress(ud, 0.95, "renaming into place");
        rc = commit_all(w, m, err);
    }
    free(own);
    dataset_free(&d);
    return rc;
}

int shards_export(tg_store *s, const tg_shards_opts *o,
                  tg_shards_manifest *m, tg_shards_progress progress,
                  void *ud, tg_err *err)
{
    tg_shards_manifest local;
    if (!m)
        m = &local;
    memset(m, 0, sizeof *m);
    shard_writer *w = calloc(1, sizeof *w);
    if (!w)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int rc = open_dir(w, o, err);
    if (rc == TG_OK)
        rc = export_data(w, s, o, m, progress, ud, err);
    if (rc == TG_OK)
        rc = give_manifest(w, m, err);
    unstage(w);
    if (rc != TG_OK && w->created[0])
        tg_rmdirs_new(w->dir, w->created);
    free(w->files);
    free(w->owners);
    free(w->old);
    free(w->forms);
    free(w);
    if (rc != TG_OK || m == &local)
        shards_manifest_free(m);
    if (rc == TG_OK && progress)
        progress(ud, 1.0, "done");
    return rc;
}
