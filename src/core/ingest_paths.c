/* ingest_paths.c: loads files and folders of CSV files in dependency
 * order, each file through ingest_file; a load that is big next to the
 * store (its first, or more rows than it holds) goes the bulk path: into a
 * new store file that is moved into place when complete (store.h). */
#include "ingest_int.h"
#include "trendguard/report.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct pending {
    char *path;
    int order;
} pending;

static int cmp_pending(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    if (x->order != y->order)
        return x->order - y->order;
    return strcmp(x->path, y->path);
}

/* The load order of a file: its kind's place, from the header. */
static int file_order(const char *path, int format)
{
    if (format == INGEST_ONLINE_RETAIL)
        return 0;
    tg_csv *c = csv_open(path, NULL);
    int order = ing_num_trendbuy_kinds;
    if (c && csv_next(c, NULL) == 1) {
        int k = ing_header_kind(c);
        if (k >= 0)
            order = k;
    }
    csv_free(c);
    return order;
}

static int add_pending(pending **v, size_t *n, size_t *cap, const char *p,
                       int format)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        pending *nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    if (!((*v)[*n].path = tg_strdup(p)))
        return -1;
    (*v)[*n].order = file_order(p, format);
    (*n)++;
    return 0;
}

static int has_csv_suffix(const char *name)
{
    size_t l = strlen(name);
    return l > 4 && tg_strieq(name + l - 4, ".csv");
}

/* The data lines of a file (its lines but the header): a fast count of
 * line ends, for telling how big a load is. */
static int64_t data_lines(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    static char buf[1 << 16];
    int64_t n = 0;
    ssize_t got;
    char last = '\n';
    while ((got = read(fd, buf, sizeof buf)) > 0) {
        for (const char *p = buf, *end = buf + got;
             (p = memchr(p, '\n', (size_t)(end - p))); p++)
            n++;
        last = buf[got - 1];
    }
    close(fd);
    return n + (last != '\n') - 1;
}

/* Whether the files go the bulk path: always, never, or (auto) when the
 * store holds no loaded rows or fewer than the files have. */
static int bulk_wanted(tg_store *s, const pending *v, size_t nv, int mode)
{
    if (mode != INGEST_BULK_AUTO)
        return mode == INGEST_BULK_ALWAYS;
    int64_t held = store_loaded_rows(s), rows = 0;
    if (held == 0)
        return 1;
    for (size_t i = 0; i < nv && rows <= held; i++)
        rows += data_lines(v[i].path);
    return rows > held;
}

static int load_each(tg_store *s, const pending *v, size_t nv,
                     const tg_ingest_opts *o, long *rejected, tg_err *err)
{
    int rc = TG_OK;
    for (size_t i = 0; i < nv && rc == TG_OK; i++) {
        tg_ingest_result r;
        rc = ingest_file(s, v[i].path, o, &r, err);
        *rejected += r.rejected;
    }
    return rc;
}

/* The bulk path: the files into a new store file, which is finished and
 * moved into place even when a file fails as a whole (the files before it
 * stay loaded, as on the incremental path); when the build itself fails
 * nothing of this run is in the store. */
static int load_bulk(tg_store *s, const pending *v, size_t nv,
                     const tg_ingest_opts *o, long *rejected, tg_err *err)
{
    tg_store *b = store_bulk_begin(s, err);
    if (!b)
        return err && err->code ? err->code : TG_EIO;
    tg_err ferr = {0};
    int frc = load_each(b, v, nv, o, rejected, &ferr);
    static const char step[] = "the new store: indexes, trend state, "
                               "training set";
    if (o->progress)
        o->progress(o->ud, step, 0.0);
    int rc = store_bulk_finish(s, b, err);
    if (o->progress)
        o->progress(o->ud, step, 1.0);
    if (rc != TG_OK && err) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l,
                 "; nothing of this load is in the store");
    }
    if (rc != TG_OK) {
        *rejected = 0;
        return rc;
    }
    if (frc != TG_OK && err)
        *err = ferr;
    return frc;
}

int ingest_paths(tg_store *s, char *const *paths, int n,
                 const tg_ingest_opts *o, long *rejected, tg_err *err)
{
    pending *v = NULL;
    size_t nv = 0, cap = 0;
    int rc = TG_OK;
    *rejected = 0;
    for (int i = 0; i < n && rc == TG_OK; i++) {
        struct stat st;
        if (stat(paths[i], &st) != 0) {
            rc = tg_fail(err, TG_ENOINPUT, "%s: no such file or folder",
                         paths[i]);
            break;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (add_pending(&v, &nv, &cap, paths[i], o->format) != 0)
                rc = tg_fail(err, TG_EINTERNAL, "out of memory");
            continue;
        }
        DIR *d = opendir(paths[i]);
        if (!d) {
            rc = tg_fail(err, TG_EIO, "%s: cannot read the folder", paths[i]);
            break;
        }
        size_t before = nv;
        struct dirent *de;
        while (rc == TG_OK && (de = readdir(d))) {
            if (de->d_name[0] == '.' || !has_csv_suffix(de->d_name))
                continue;
            char full[PATH_MAX];
            snprintf(full, sizeof full, "%s/%s", paths[i], de->d_name);
            if (add_pending(&v, &nv, &cap, full, o->format) != 0)
                rc = tg_fail(err, TG_EINTERNAL, "out of memory");
        }
        closedir(d);
        if (rc == TG_OK && nv == before)
            rc = tg_fail(err, TG_ENOINPUT, "%s: no .csv files in the folder",
                         paths[i]);
    }
    /* Every file readable before any is loaded: a FIFO or device among
     * them stops the run before it changes the store. */
    for (size_t i = 0; i < nv && rc == TG_OK; i++) {
        int fd = tg_open_input(v[i].path, 0, NULL, err);
        if (fd < 0)
            rc = err ? err->code : TG_ENOINPUT;
        else
            close(fd);
    }
    if (rc == TG_OK) {
        qsort(v, nv, sizeof *v, cmp_pending);
        rc = bulk_wanted(s, v, nv, o->bulk)
                 ? load_bulk(s, v, nv, o, rejected, err)
                 : load_each(s, v, nv, o, rejected, err);
    }
    /* The training-set lines the new rows made stale, once for all files. */
    if (rc == TG_OK)
        rc = store_features_refresh(s, err);
    /* The pilot's figures again for the dashboard, when the new rows
     * (returns of its lines) emptied them; without, it computes them. */
    if (rc == TG_OK)
        report_pilot_rekeep(s);
    for (size_t i = 0; i < nv; i++)
        free(v[i].path);
    free(v);
    return rc;
}
