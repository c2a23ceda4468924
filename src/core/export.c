/* export.c: `trendguard export`: writes the star schema of export_tables.c
 * as CSV into a folder, safely. Nothing is written unless every file of the
 * export's names in DIR is vouched for by the manifest; every file is
 * staged under a temporary name and renamed into place only when all are
 * written; the manifest lists old and new contents while the renames run,
 * so an interrupted export can always be run again. */
#include "export_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trendguard/csv.h"
#include "trendguard/features.h"
#include "trendguard/sim.h"

/* The tables, then the README. */
#define NFILES (TG_EXPORT_TABLES + 1)
/* The most entries a manifest of ours can hold: two per file. */
#define MANIFEST_MAX (2 * NFILES)

static const char SQL_DATA_END[] = "SELECT t FROM v_data_end";

typedef struct out_file {
    char name[64];       /* "dim_date.csv" */
    char path[PATH_MAX]; /* DIR/name */
    char tmp[PATH_MAX];  /* the staged file; "" when none */
    char sha[65];        /* of the staged content */
} out_file;

typedef struct manifest {
    int n;
    char name[MANIFEST_MAX][64];
    char sha[MANIFEST_MAX][65];
} manifest;

typedef struct exporter {
    char dir[PATH_MAX];
    char created[PATH_MAX]; /* the shallowest folder open_dir made, or "" */
    char manifest_path[PATH_MAX];
    out_file f[NFILES];
    manifest old;
} exporter;

static int code_of(const tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

/* ---- values ------------------------------------------------------------- */

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};
static const char *const weekday_names[7] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
    "Sunday"};

/* x with `places` fixed decimals, rounded half away from zero, with a '.'
 * whatever the locale; empty when x is not finite or too large. */
static const char *fixed(double x, int places, char *buf, size_t n)
{
    static const double scale[] = {1, 10, 100, 1000, 10000};
    double r = round(x * scale[places]);
    buf[0] = '\0';
    if (!(fabs(r) < 9e18))
        return buf;
    long long v = (long long)r;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v
                                 : (unsigned long long)v;
    unsigned long long sc = (unsigned long long)scale[places];
    if (places == 0)
        snprintf(buf, n, "%lld", v);
    else
        snprintf(buf, n, "%s%llu.%0*llu", v < 0 ? "-" : "", u / sc, places,
                 u % sc);
    return buf;
}

/* A part of the calendar day holding t (UTC seconds). */
static const char *calendar(int64_t t, export_kind k, char *buf, size_t n)
{
    int64_t z = (t - ((t % TG_DAY) + TG_DAY) % TG_DAY) / TG_DAY;
    int y, iy;
    unsigned m, d, im, id;
    tg_civil_from_days(z, &y, &m, &d);
    int wd = (int)(((z % 7) + 7 + 3) % 7) + 1; /* 1970-01-01: Thursday */
    int64_t thursday = z - (wd - 1) + 3;        /* its ISO week's Thursday */
    tg_civil_from_days(thursday, &iy, &im, &id);
    long long week = (thursday - tg_days_from_civil(iy, 1, 1)) / 7 + 1;
    if (k == EX_MONTH_NAME)
        return month_names[m - 1];
    if (k == EX_WEEKDAY_NAME)
        return weekday_names[wd - 1];
    if (k == EX_DATEKEY)
        snprintf(buf, n, "%04d%02u%02u", y, m, d);
    else if (k == EX_YEAR_MONTH)
        snprintf(buf, n, "%04d-%02u", y, m);
    else {
        long long part[EX_NUM_KINDS] = {
            [EX_YEAR] = y, [EX_QUARTER] = (m + 2) / 3, [EX_MONTH] = m,
            [EX_DAY] = d, [EX_ISO_YEAR] = iy, [EX_ISO_WEEK] = week,
            [EX_WEEKDAY] = wd, [EX_WEEKEND] = wd >= 6};
        snprintf(buf, n, "%lld", part[k]);
    }
    return buf;
}

/* Column i of the current row, formatted as kind k. */
static const char *value(sqlite3_stmt *st, int i, export_kind k, char *buf,
                         size_t n)
{
    int null = sqlite3_column_type(st, i) == SQLITE_NULL;
    if (k == EX_PHASE) {
        int ph = null ? TG_TREND_NONE : sqlite3_column_int(st, i);
        return tg_trend_phase_names[ph >= 0 && ph < TG_NUM_TREND_PHASES
                                        ? ph : TG_TREND_NONE];
    }
    if (null)
        return "";
    int64_t v = sqlite3_column_int64(st, i);
    switch (k) {
    case EX_TEXT:
        return (const char *)sqlite3_column_text(st, i);
    case EX_INT:
        snprintf(buf, n, "%lld", (long long)v);
        return buf;
    case EX_FIX1:
    case EX_FIX2:
    case EX_FIX4:
        return fixed(sqlite3_column_double(st, i),
                     k == EX_FIX1 ? 1 : k == EX_FIX2 ? 2 : 4, buf, n);
    case EX_TS:
        return tg_time_format(v, buf, n);
    case EX_DATE:
        return tg_date_format(v, buf, n);
    default:
        return calendar(v, k, buf, n);
    }
}

/* ---- one table ---------------------------------------------------------- */

/* Ends a record; CRLF as RFC 4180 has it. */
static int end_row(FILE *f)
{
    return fputs("\r\n", f) == EOF ? TG_EIO : TG_OK;
}

static int write_header(FILE *f, const export_table *t)
{
    for (int i = 0; i < t->ncols; i++)
        if ((i && putc(',', f) == EOF) ||
            csv_write_field(f, t->cols[i].name) != TG_OK)
            return TG_EIO;
    return end_row(f);
}

static int write_row(FILE *f, const export_table *t, sqlite3_stmt *st)
{
    char buf[64];
    for (int i = 0; i < t->ncols; i++)
        if ((i && putc(',', f) == EOF) ||
            csv_write_field(f, value(st, i, t->cols[i].kind, buf,
                                     sizeof buf)) != TG_OK)
            return TG_EIO;
    return end_row(f);
}

static void bind_params(sqlite3_stmt *st, const export_params *p)
{
    const struct {
        const char *name;
        int64_t v;
    } v[] = {{":since", p->since},
             {":only_used", p->only_used},
             {":window", p->window},
             {":data_end", p->data_end},
             {":none", TG_TREND_NONE},
             {":fading", TG_TREND_FADING}};
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        int i = sqlite3_bind_parameter_index(st, v[k].name);
        if (i > 0)
            sqlite3_bind_int64(st, i, v[k].v);
    }
    const struct {
        const char *name;
        double v;
    } d[] = {{":margin", p->margin},
             {":processing", p->processing},
             {":resale_hot", p->resale_hot},
             {":resale_fading", p->resale_fading},
             {":resale_none", p->resale_none}};
    for (size_t k = 0; k < sizeof d / sizeof *d; k++) {
        int i = sqlite3_bind_parameter_index(st, d[k].name);
        if (i > 0)
            sqlite3_bind_double(st, i, d[k].v);
    }
}

/* The money assumptions a return's cost takes. */
static int read_assumptions(export_params *p, tg_err *err)
{
    tg_sim_assume a;
    int rc = sim_assume_load(NULL, &a, err);
    if (rc != TG_OK)
        return rc;
    p->margin = a.margin;
    p->processing = a.processing_share;
    p->resale_hot = sim_assume_resale(&a, TG_TREND_PEAK);
    p->resale_fading = sim_assume_resale(&a, TG_TREND_FADING);
    p->resale_none = sim_assume_resale(&a, TG_TREND_NONE);
    return TG_OK;
}

/* Writes table t to f; a write error is TG_EIO with the file named. */
static int write_table(tg_store *s, int t, const export_params *p, FILE *f,
                       const out_file *of, long long *rows, tg_err *err)
{
    const export_table *tb = &export_tables[t];
    sqlite3_stmt *st = store_prepare(s, tb->sql, err);
    if (!st)
        return code_of(err);
    if (sqlite3_column_count(st) != tb->ncols) {
        sqlite3_finalize(st);
        return tg_fail(err, TG_EINTERNAL, "%s: the query has %d columns, "
                       "not %d", of->name, sqlite3_column_count(st),
                       tb->ncols);
    }
    bind_params(st, p);
    int rc = write_header(f, tb), step = SQLITE_DONE;
    *rows = 0;
    while (rc == TG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = write_row(f, tb, st);
        ++*rows;
    }
    if (rc != TG_OK)
        rc = tg_fail(err, TG_EIO, "%s: write failed: %s", of->tmp,
                     strerror(errno));
    else if (step != SQLITE_DONE)
        rc = store_fail(s, err, of->name);
    sqlite3_finalize(st);
    return rc;
}

/* ---- the manifest ------------------------------------------------------- */

static int is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Parses "HEX  NAME" lines naming our files; -1 when anything else. */
static int manifest_parse(const exporter *x, char *text, manifest *m)
{
    m->n = 0;
    for (char *line = text, *next; *line; line = next) {
        char *nl = strchr(line, '\n');
        next = nl ? nl + 1 : line + strlen(line);
        if (nl)
            *nl = '\0';
        if (strlen(line) < 67 || !is_hex64(line) || line[64] != ' ' ||
            line[65] != ' ' || m->n == MANIFEST_MAX)
            return -1;
        int known = 0;
        for (int i = 0; i < NFILES; i++)
            known |= strcmp(line + 66, x->f[i].name) == 0;
        if (!known)
            return -1;
        tg_strlcpy(m->sha[m->n], line, 65);
        tg_strlcpy(m->name[m->n], line + 66, sizeof m->name[0]);
        m->n++;
    }
    return 0;
}

static int manifest_vouches(const manifest *m, const char *name,
                            const char *sha)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->name[i], name) == 0 && strcmp(m->sha[i], sha) == 0)
            return 1;
    return 0;
}

static int manifest_read(exporter *x, tg_err *err)
{
    struct stat sb;
    x->old.n = 0;
    if (lstat(x->manifest_path, &sb) != 0)
        return errno == ENOENT ? TG_OK
                               : tg_fail(err, TG_EIO, "%s: %s",
                                         x->manifest_path, strerror(errno));
    char *text = S_ISREG(sb.st_mode)
                     ? tg_read_file(x->manifest_path, NULL, 65536, err)
                     : NULL;
    int bad = !text || manifest_parse(x, text, &x->old) != 0;
    free(text);
    if (bad)
        return tg_fail(err, TG_EDATA, "%s: not a manifest written by "
                       "trendguard export; not writing into %s",
                       x->manifest_path, x->dir);
    return TG_OK;
}

/* Writes the manifest: the old entries when keep_old, then the new. */
static int manifest_write(const exporter *x, int keep_old, tg_err *err)
{
    char text[MANIFEST_MAX * 140];
    size_t n = 0;
    if (keep_old)
        for (int i = 0; i < x->old.n; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s  %s\n",
                                  x->old.sha[i], x->old.name[i]);
    for (int i = 0; i < NFILES; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s  %s\n",
                              x->f[i].sha, x->f[i].name);
    return tg_write_file_atomic(x->manifest_path, text, n, err);
}

/* ---- the folder --------------------------------------------------------- */

static int join_path(char *buf, size_t n, const char *dir, const char *name,
                     tg_err *err)
{
    if ((size_t)snprintf(buf, n, "%s/%s", dir, name) >= n)
        return tg_fail(err, TG_EUSAGE, "%s: path too long", dir);
    return TG_OK;
}

/* Creates the folder, names the files and reads the manifest. */
static int open_dir(exporter *x, const char *out_dir, tg_err *err)
{
    if (!out_dir || !*out_dir)
        return tg_fail(err, TG_EUSAGE, "no output folder given");
    if (strlen(out_dir) >= sizeof x->dir)
        return tg_fail(err, TG_EUSAGE, "%s: path too long", out_dir);
    tg_strlcpy(x->dir, out_dir, sizeof x->dir);
    for (size_t n = strlen(x->dir); n > 1 && x->dir[n - 1] == '/'; n--)
        x->dir[n - 1] = '\0';
    int rc = tg_mkdirs_new(x->dir, x->created, sizeof x->created, err);
    if (rc != TG_OK)
        return rc;
    struct stat sb;
    if (stat(x->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return tg_fail(err, TG_EIO, "%s: not a folder", x->dir);
    for (int i = 0; i < NFILES; i++) {
        out_file *f = &x->f[i];
        if (i < TG_EXPORT_TABLES)
            snprintf(f->name, sizeof f->name, "%s.csv",
                     export_table_names[i]);
        else
            tg_strlcpy(f->name, EXPORT_README, sizeof f->name);
        if ((rc = join_path(f->path, sizeof f->path, x->dir, f->name,
                            err)) != TG_OK)
            return rc;
    }
    if ((rc = join_path(x->manifest_path, sizeof x->manifest_path, x->dir,
                        EXPORT_MANIFEST, err)) != TG_OK)
        return rc;
    return manifest_read(x, err);
}

/* Refuses when a file of ours exists that the manifest does not vouch for
 * with its current content. */
static int check_existing(const exporter *x, tg_err *err)
{
    for (int i = 0; i < NFILES; i++) {
        const out_file *f = &x->f[i];
        struct stat sb;
        if (lstat(f->path, &sb) != 0) {
            if (errno == ENOENT)
                continue;
            return tg_fail(err, TG_EIO, "%s: %s", f->path, strerror(errno));
        }
        char sha[65];
        if (!S_ISREG(sb.st_mode))
            return tg_fail(err, TG_EDATA, "%s: exists and is not a file; "
                           "not overwriting", f->path);
        int rc = tg_sha256_file(f->path, sha, err);
        if (rc != TG_OK)
            return rc;
        if (!manifest_vouches(&x->old, f->name, sha))
            return tg_fail(err, TG_EDATA, "%s: exists and was not written "
                           "by trendguard export (or was changed since); "
                           "not overwriting (remove it or choose another "
                           "--out)", f->path);
    }
    return TG_OK;
}

/* Opens a temporary file for f in the folder. */
static FILE *stage_open(out_file *f, const char *dir, tg_err *err)
{
    if ((size_t)snprintf(f->tmp, sizeof f->tmp, "%s/.%s.tmp.XXXXXX", dir,
                         f->name) >= sizeof f->tmp) {
        f->tmp[0] = '\0';
        tg_fail(err, TG_EUSAGE, "%s: path too long", dir);
        return NULL;
    }
    int fd = mkstemp(f->tmp);
    if (fd < 0) {
        tg_fail(err, TG_EIO, "%s: cannot create a file there: %s", dir,
                strerror(errno));
        f->tmp[0] = '\0';
        return NULL;
    }
    FILE *fp = fchmod(fd, 0644) == 0 ? fdopen(fd, "wb") : NULL;
    if (!fp) {
        tg_fail(err, TG_EIO, "%s: %s", f->tmp, strerror(errno));
        close(fd);
        return NULL;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 18);
    return fp;
}

/* Flushes, syncs and closes a staged file, then hashes it. */
static int stage_close(out_file *f, FILE *fp, int rc, tg_err *err)
{
    if (rc == TG_OK && (fflush(fp) != 0 || ferror(fp) ||
                        fsync(fileno(fp)) != 0))
        rc = tg_fail(err, TG_EIO, "%s: write failed: %s", f->tmp,
                     strerror(errno));
    if (fclose(fp) != 0 && rc == TG_OK)
        rc = tg_fail(err, TG_EIO, "%s: write failed: %s", f->tmp,
                     strerror(errno));
    return rc == TG_OK ? tg_sha256_file(f->tmp, f->sha, err) : rc;
}

static void unstage(exporter *x)
{
    for (int i = 0; i < NFILES; i++)
        if (x->f[i].tmp[0]) {
            unlink(x->f[i].tmp);
            x->f[i].tmp[0] = '\0';
        }
}

/* Writes every table and the README under temporary names, reading the
 * store in one transaction. */
static int stage_all(exporter *x, tg_store *s, const tg_export_opts *o,
                     tg_export_stats *st, tg_export_progress progress,
                     void *ud, tg_err *err)
{
    int rc = store_exec(s, "BEGIN", err);
    if (rc != TG_OK)
        return rc;
    export_params p = {.since = o->has_since ? o->since : INT64_MIN,
                       .only_used = o->has_since != 0,
                       .window = 30 * (int64_t)TG_DAY,
                       .data_end = store_count(s, SQL_DATA_END)};
    rc = money_currency(s, &p.currency, err);
    if (rc == TG_OK)
        rc = read_assumptions(&p, err);
    if (rc == TG_OK)
        rc = export_pilot_stage(s, o, err);
    for (int i = 0; rc == TG_OK && i < NFILES; i++) {
        out_file *f = &x->f[i];
        if (progress)
            progress(ud, (double)i / NFILES, f->name);
        FILE *fp = stage_open(f, x->dir, err);
        if (!fp) {
            rc = code_of(err);
            break;
        }
        if (i < TG_EXPORT_TABLES)
            rc = write_table(s, i, &p, fp, f, &st->rows[i], err);
        else if (export_readme_write(fp, o, &p, st) != TG_OK)
            rc = tg_fail(err, TG_EIO, "%s: write failed: %s", f->tmp,
                         strerror(errno));
        rc = stage_close(f, fp, rc, err);
    }
    if (rc == TG_OK)
        rc = store_exec(s, "COMMIT", err);
    else
        store_rollback(s);
    return rc;
}

/* Renames every staged file into place between two manifests: the first
 * vouches for old and new contents, the last for the new only. */
static int commit_all(exporter *x, tg_err *err)
{
    int rc = manifest_write(x, 1, err);
    for (int i = 0; rc == TG_OK && i < NFILES; i++) {
        out_file *f = &x->f[i];
        if (rename(f->tmp, f->path) != 0)
            rc = tg_fail(err, TG_EIO, "%s: cannot replace: %s", f->path,
                         strerror(errno));
        else
            f->tmp[0] = '\0';
    }
    return rc == TG_OK ? manifest_write(x, 0, err) : rc;
}

int export_run(tg_store *s, const tg_export_opts *o, tg_export_stats *st,
               tg_export_progress progress, void *ud, tg_err *err)
{
    tg_export_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    exporter *x = calloc(1, sizeof *x);
    if (!x)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int rc = open_dir(x, o->out_dir, err);
    if (rc == TG_OK)
        rc = check_existing(x, err);
    if (rc == TG_OK)
        rc = stage_all(x, s, o, st, progress, ud, err);
    if (rc == TG_OK)
        rc = commit_all(x, err);
    unstage(x);
    if (rc != TG_OK) /* folders it made for nothing go again */
        tg_rmdirs_new(x->dir, x->created);
    free(x);
    if (rc == TG_OK && progress)
        progress(ud, 1.0, "done");
    return rc;
}
