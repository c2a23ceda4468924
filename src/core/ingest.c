/* ingest.c: loads TrendBuy CSV exports into the store: finds each file's
 * kind from its header, validates every field, loads a file's good rows in
 * one transaction, records bad rows in `rejects`, and skips files already
 * loaded. The Online Retail layout lives in ingest_retail.c. */
#include "ingest_int.h"
#include "trendguard/money.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "trendguard/features.h"

/* ---- id cache ---------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void idmap_free(idmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slots[i].key);
        free(m->slots[i].extra);
    }
    free(m->slots);
    memset(m, 0, sizeof *m);
}

idmap_entry *idmap_get(idmap *m, const char *key)
{
    if (!m->cap)
        return NULL;
    for (size_t i = hash_str(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (!m->slots[i].key)
            return NULL;
        if (strcmp(m->slots[i].key, key) == 0)
            return &m->slots[i];
    }
}

static int idmap_grow(idmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 1024;
    idmap_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        size_t j = hash_str(m->slots[i].key) & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

idmap_entry *idmap_put(idmap *m, const char *key, int64_t id,
                       const char *extra)
{
    if ((m->len + 1) * 2 > m->cap && idmap_grow(m) != 0)
        return NULL;
    size_t i = hash_str(key) & (m->cap - 1);
    while (m->slots[i].key)
        i = (i + 1) & (m->cap - 1);
    idmap_entry *e = &m->slots[i];
    e->key = tg_strdup(key);
    e->extra = extra ? tg_strdup(extra) : NULL;
    if (!e->key || (extra && !e->extra)) {
        free(e->key);
        free(e->extra);
        e->key = e->extra = NULL;
        return NULL;
    }
    e->id = id;
    e->flag = 0;
    m->len++;
    return e;
}

/* ---- fields and validation --------------------------------------------- */

int ing_has(const ing *g, int k)
{
    return g->col[k] >= 0;
}

const char *ing_field(ing *g, int k)
{
    if (g->col[k] < 0)
        return "";
    const char *f = csv_field(g->csv, (size_t)g->col[k]);
    size_t n = csv_field_len(g->csv, (size_t)g->col[k]);
    while (n > 0 && isspace((unsigned char)*f)) {
        f++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)f[n - 1]))
        n--;
    if (n + 1 > g->fcap[k]) {
        size_t cap = n + 64;
        char *nb = realloc(g->fbuf[k], cap);
        if (!nb)
            return "";
        g->fbuf[k] = nb;
        g->fcap[k] = cap;
    }
    memcpy(g->fbuf[k], f, n);
    g->fbuf[k][n] = '\0';
    return g->fbuf[k];
}

int ing_bad(ing *g, int k, const char *fmt, ...)
{
    g->bad_col = k >= 0 ? g->k->cols[k] : NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->why, sizeof g->why, fmt, ap);
    va_end(ap);
    return -1;
}

/* Shortens a value for quoting in a reason. */
static const char *clip(const char *v, char *buf, size_t n)
{
    size_t l = strlen(v);
    if (l < n)
        return v;
    snprintf(buf, n, "%.*s...", (int)(n - 4), v);
    return buf;
}

int ing_text(ing *g, int k, int required, size_t maxlen, const char **out)
{
    const char *v = ing_field(g, k);
    *out = v;
    if (!*v) {
        if (required)
            return ing_bad(g, k, "%s is empty", g->k->cols[k]);
        return 0;
    }
    if (strlen(v) > maxlen)
        return ing_bad(g, k, "%s is longer than %zu bytes of UTF-8",
                       g->k->cols[k], maxlen);
    /* Line breaks and tabs inside a quoted field become one space; other
     * control characters make the value bad. The buffer is ours. */
    if (tg_text_fold(g->fbuf[k]) != 0)
        return ing_bad(g, k, "%s has a control character", g->k->cols[k]);
    return 0;
}

int ing_number(ing *g, int k, int required, double lo, double hi,
               double dflt, double *out)
{
    const char *v = ing_field(g, k);
    char c[48];
    if (!*v) {
        if (required)
            return ing_bad(g, k, "%s is empty", g->k->cols[k]);
        *out = dflt;
        return 0;
    }
    double d;
    if (tg_parse_double(v, &d) != 0)
        return ing_bad(g, k, "%s '%s' is not a number", g->k->cols[k],
                       clip(v, c, sizeof c));
    if (d < lo || d > hi)
        return ing_bad(g, k, "%s %s is outside %g..%g", g->k->cols[k],
                       clip(v, c, sizeof c), lo, hi);
    *out = d;
    return 0;
}

int ing_integer(ing *g, int k, int required, int64_t lo, int64_t hi,
                int64_t dflt, int64_t *out)
{
    const char *v = ing_field(g, k);
    char c[48];
    if (!*v) {
        if (required)
            return ing_bad(g, k, "%s is empty", g->k->cols[k]);
        *out = dflt;
        return 0;
    }
    int64_t x;
    if (tg_parse_int64(v, &x) != 0) {
        /* Exports often write whole numbers as "12.0". */
        double d;
        if (tg_parse_double(v, &d) != 0 || !tg_literal_whole(v, strlen(v)) ||
            d != floor(d) || fabs(d) > 9e15)
            return ing_bad(g, k, "%s '%s' is not a whole number",
                           g->k->cols[k], clip(v, c, sizeof c));
        x = (int64_t)d;
    }
    if (x < lo || x > hi)
        return ing_bad(g, k, "%s %s is outside %lld..%lld", g->k->cols[k],
                       clip(v, c, sizeof c), (long long)lo, (long long)hi);
    *out = x;
    return 0;
}

int ing_time(ing *g, int k, int required, int64_t *out, int *present)
{
    const char *v = ing_field(g, k);
    char c[48];
    if (present)
        *present = *v != '\0';
    if (!*v) {
        if (required)
            return ing_bad(g, k, "%s is empty", g->k->cols[k]);
        *out = 0;
        return 0;
    }
    if (tg_time_parse(v, out) != 0)
        return ing_bad(g, k, "%s '%s' is not an ISO-8601 date or time",
                       g->k->cols[k], clip(v, c, sizeof c));
    return 0;
}

int ing_choice(ing *g, int k, int required, const char *const *names, int n,
               const char *dflt, const char **out)
{
    const char *v = ing_field(g, k);
    if (!*v) {
        if (required)
            return ing_bad(g, k, "%s is empty", g->k->cols[k]);
        *out = dflt;
        return 0;
    }
    for (int i = 0; i < n; i++) {
        if (tg_strieq(names[i], v)) {
            *out = names[i];
            return 0;
        }
    }
    char list[256] = "", c[48];
    for (int i = 0; i < n; i++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? ", " : "", names[i]);
    }
    return ing_bad(g, k, "%s '%s' is not one of %s", g->k->cols[k],
                   clip(v, c, sizeof c), list);
}

int ing_hashtag(ing *g, int k, const char *v, char *buf, size_t n)
{
    char c[48];
    if (*v == '#')
        v++;
    size_t l = strlen(v);
    if (l == 0 || l >= n || l > 100)
        return ing_bad(g, k, "hashtag '%s' is empty or too long",
                       clip(v, c, sizeof c));
    for (size_t i = 0; i < l; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (isspace(ch) || ch == '#' || ch == ',' || ch == '|' || ch < 0x20)
            return ing_bad(g, k, "hashtag '%s' has a space or separator",
                           clip(v, c, sizeof c));
        buf[i] = (char)(ch < 0x80 ? tolower(ch) : ch);
    }
    buf[l] = '\0';
    return 0;
}

/* ---- cached lookups ------------------------------------------------------ */

static sqlite3_stmt *lookup_stmt(ing *g, int slot, const char *sql,
                                 tg_err *err)
{
    /* The last three statement slots belong to lookups. */
    if (!g->st[slot])
        g->st[slot] = store_prepare(g->s, sql, err);
    return g->st[slot];
}
#define SLOT_PRODUCT (ING_MAX_STMTS - 1)
#define SLOT_CUSTOMER (ING_MAX_STMTS - 2)
#define SLOT_HASHTAG (ING_MAX_STMTS - 3)
#define SLOT_HASHTAG_ADD (ING_MAX_STMTS - 4)

int64_t ing_product_id(ing *g, const char *code, const char **sizes,
                       tg_err *err)
{
    idmap_entry *e = idmap_get(&g->products, code);
    if (!e) {
        sqlite3_stmt *st = lookup_stmt(
            g, SLOT_PRODUCT, "SELECT id, sizes FROM products WHERE code = ?",
            err);
        if (!st)
            return -1;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            e = idmap_put(&g->products, code, sqlite3_column_int64(st, 0),
                          (const char *)sqlite3_column_text(st, 1));
        else if (rc != SQLITE_DONE)
            return store_fail(g->s, err, "looking up a product"), -1;
        sqlite3_reset(st);
        if (rc == SQLITE_DONE)
            return 0;
        if (!e)
            return tg_fail(err, TG_EINTERNAL, "out of memory"), -1;
    }
    if (sizes)
        *sizes = e->extra ? e->extra : "";
    return e->id;
}

int64_t ing_customer_id(ing *g, const char *code, tg_err *err)
{
    idmap_entry *e = idmap_get(&g->customers, code);
    if (e)
        return e->id;
    sqlite3_stmt *st = lookup_stmt(
        g, SLOT_CUSTOMER, "SELECT id FROM customers WHERE code = ?", err);
    if (!st)
        return -1;
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(g->s, err, "looking up a customer"), -1;
    if (id && !idmap_put(&g->customers, code, id, NULL))
        return tg_fail(err, TG_EINTERNAL, "out of memory"), -1;
    return id;
}

int64_t ing_hashtag_id(ing *g, const char *name, tg_err *err)
{
    idmap_entry *e = idmap_get(&g->hashtags, name);
    if (e)
        return e->id;
    sqlite3_stmt *add = lookup_stmt(
        g, SLOT_HASHTAG_ADD, "INSERT OR IGNORE INTO hashtags(name) VALUES(?)",
        err);
    sqlite3_stmt *st = lookup_stmt(
        g, SLOT_HASHTAG, "SELECT id FROM hashtags WHERE name = ?", err);
    if (!add || !st)
        return -1;
    sqlite3_reset(add);
    sqlite3_bind_text(add, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(add) != SQLITE_DONE) {
        sqlite3_reset(add);
        return store_fail(g->s, err, "adding a hashtag"), -1;
    }
    sqlite3_reset(add);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
                                                : 0;
    sqlite3_reset(st);
    if (!id)
        return store_fail(g->s, err, "looking up a hashtag"), -1;
    if (!idmap_put(&g->hashtags, name, id, NULL))
        return tg_fail(err, TG_EINTERNAL, "out of memory"), -1;
    return id;
}

int ing_cache_product(ing *g, const char *code, int64_t id,
                      const char *sizes)
{
    return idmap_put(&g->products, code, id, sizes) ? 0 : -1;
}

int ing_cache_customer(ing *g, const char *code, int64_t id)
{
    return idmap_put(&g->customers, code, id, NULL) ? 0 : -1;
}

int ing_claim_currency(ing *g, const char *code, const char *source,
                       tg_err *err)
{
    tg_err why = {0};
    if (money_claim(g->s, code, source, &why) == TG_OK)
        return 0;
    tg_fail(err, why.code, "%s: %s", g->r->path, why.msg);
    return -1;
}

int ing_step_insert(ing *g, sqlite3_stmt *st, tg_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return store_fail(g->s, err, "inserting a row"), ROW_FAIL;
    return sqlite3_changes(sqlite3_db_handle(st)) > 0 ? ROW_OK : ROW_DUP;
}

void ing_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* ---- one file ------------------------------------------------------------ */

int ing_reject_row(ing *g, long line, const char *column,
                   const char *reason, const char *raw, size_t rl)
{
    if (g->nrej == g->caprej) {
        size_t ncap = g->caprej ? g->caprej * 2 : 64;
        ing_reject *n = realloc(g->rejects, ncap * sizeof *n);
        if (!n)
            return -1;
        g->rejects = n;
        g->caprej = ncap;
    }
    ing_reject *r = &g->rejects[g->nrej];
    r->line = line;
    r->column = column ? tg_strdup(column) : NULL;
    r->reason = tg_strdup(reason);
    r->raw = tg_strndup(raw ? raw : "", raw ? rl : 0);
    r->raw_len = raw ? rl : 0;
    if (!r->reason || !r->raw || (column && !r->column)) {
        free(r->column);
        free(r->reason);
        free(r->raw);
        return -1;
    }
    g->nrej++;
    return 0;
}

static int write_rejects(ing *g, tg_err *err)
{
    for (size_t i = 0; i < g->nrej; i++) {
        ing_reject *r = &g->rejects[i];
        if (store_reject(g->s, g->name, g->sha, r->line, r->column, r->reason,
                         r->raw, r->raw_len, err) != TG_OK)
            return -1;
    }
    return 0;
}

static void ing_cleanup(ing *g)
{
    if (g->k && g->k->cleanup)
        g->k->cleanup(g);
    for (int i = 0; i < ING_MAX_STMTS; i++) {
        sqlite3_finalize(g->st[i]);
        g->st[i] = NULL;
    }
    for (int i = 0; i < ING_MAX_COLS; i++)
        free(g->fbuf[i]);
    for (size_t i = 0; i < g->nrej; i++) {
        free(g->rejects[i].column);
        free(g->rejects[i].reason);
        free(g->rejects[i].raw);
    }
    free(g->rejects);
    idmap_free(&g->products);
    idmap_free(&g->customers);
    idmap_free(&g->hashtags);
    csv_free(g->csv);
}

/* Kinds are recognised most specific first (a purchases file also has a
 * customer_id column); this is not the load order. */
static const int detect_order[] = {3, 4, 5, 2, 0, 1};

/* The load-order index of the kind whose identifying columns the current
 * record (a header) has, or -1. Missing required columns are reported
 * once the kind is known. */
int ing_header_kind(const tg_csv *c)
{
    for (int d = 0; d < ing_num_trendbuy_kinds; d++) {
        const ing_kind *ik = ing_trendbuy_kinds[detect_order[d]];
        int ok = 1;
        for (int i = 0; ik->ident[i] && ok; i++)
            ok = csv_column(c, ik->ident[i]) >= 0;
        if (ok)
            return detect_order[d];
    }
    return -1;
}

const char *ingest_detect_kind(const char *const *header, int n)
{
    for (int d = 0; d < ing_num_trendbuy_kinds; d++) {
        const ing_kind *kind = ing_trendbuy_kinds[detect_order[d]];
        int ok = 1;
        for (int c = 0; kind->ident[c] && ok; c++) {
            int found = 0;
            for (int i = 0; i < n && !found; i++)
                found = tg_strieq(header[i], kind->ident[c]);
            ok = found;
        }
        if (ok)
            return kind->kind;
    }
    return NULL;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Picks the kind from the header (or, failing that, the file name) and
 * maps its columns. */
static int map_columns(ing *g, tg_err *err)
{
    size_t nf = csv_nfields(g->csv);
    if (g->o->format == INGEST_ONLINE_RETAIL) {
        g->k = &ing_retail_kind;
    } else {
        int kind = ing_header_kind(g->csv);
        if (kind >= 0)
            g->k = ing_trendbuy_kinds[kind];
        else
            for (int k = 0; k < ing_num_trendbuy_kinds && !g->k; k++)
                if (strcmp(base_name(g->name), ing_trendbuy_kinds[k]->file) ==
                    0)
                    g->k = ing_trendbuy_kinds[k];
        if (!g->k)
            return tg_fail(err, TG_EDATA,
                           "%s: line 1: the header is not a TrendBuy export "
                           "(products, customers, tiktok_trends, purchases, "
                           "returns or truth); for the UCI Online Retail "
                           "layout use --format online-retail",
                           g->name);
    }
    size_t d1, d2;
    if (csv_duplicate_column(g->csv, &d1, &d2))
        return tg_fail(err, TG_EDATA,
                       "%s: line 1: columns %zu and %zu are both named "
                       "'%.60s'; rename or remove one",
                       g->name, d1 + 1, d2 + 1, csv_field(g->csv, d1));
    int ncols = 0;
    for (; g->k->cols[ncols]; ncols++) {
        g->col[ncols] = csv_column(g->csv, g->k->cols[ncols]);
        if (ncols < g->k->nrequired && g->col[ncols] < 0)
            return tg_fail(err, TG_EDATA,
                           "%s: line 1: required column '%s' is missing for "
                           "a %s file",
                           g->name, g->k->cols[ncols], g->k->kind);
    }
    for (int i = ncols; i < ING_MAX_COLS; i++)
        g->col[i] = -1;
    /* Unknown columns: one warning listing them all. */
    char unknown[512] = "";
    for (size_t i = 0; i < nf; i++) {
        int known = 0;
        for (int c = 0; c < ncols && !known; c++)
            known = g->col[c] == (int)i;
        if (!known) {
            size_t l = strlen(unknown);
            snprintf(unknown + l, sizeof unknown - l, "%s'%.40s'",
                     l ? ", " : "", csv_field(g->csv, i));
        }
    }
    if (unknown[0] && g->o->warn) {
        char msg[700];
        snprintf(msg, sizeof msg, "ignoring unknown column%s %s",
                 strchr(unknown, ',') ? "s" : "", unknown);
        g->o->warn(g->o->ud, g->name, msg);
    }
    return TG_OK;
}

static int already_loaded(ing *g, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(
        g->s, "SELECT 1 FROM ingest_files WHERE sha256 = ?", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, g->sha, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static int record_file(ing *g, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(
        g->s,
        "INSERT OR REPLACE INTO ingest_files(sha256, name, kind, rows_loaded,"
        " rows_rejected, loaded_at) VALUES(?,?,?,?,?,?)",
        err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, g->sha, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, g->k->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, g->r->loaded);
    sqlite3_bind_int64(st, 5, g->r->rejected);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    if (rc)
        store_fail(g->s, err, "recording the file");
    return rc;
}

static int load_rows(ing *g, tg_err *err)
{
    size_t nhdr = csv_nfields(g->csv);
    for (int i = 0; g->k->stmts[i]; i++)
        if (!(g->st[i] = store_prepare(g->s, g->k->stmts[i], err)))
            return -1;
    for (;;) {
        int rc = csv_next(g->csv, err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        g->r->rows++;
        const char *problem = csv_problem(g->csv);
        int res;
        if (problem) {
            tg_strlcpy(g->why, problem, sizeof g->why);
            /* Name the column the bad field is in, when it is one we read. */
            size_t pf = csv_problem_field(g->csv);
            g->bad_col = NULL;
            for (int k = 0; pf && g->k->cols[k]; k++)
                if (g->col[k] >= 0 && (size_t)g->col[k] + 1 == pf)
                    g->bad_col = g->k->cols[k];
            res = ROW_BAD;
        } else if (csv_nfields(g->csv) != nhdr) {
            ing_bad(g, -1, "the row has %zu fields, the header has %zu",
                    csv_nfields(g->csv), nhdr);
            res = ROW_BAD;
        } else {
            g->bad_col = NULL;
            res = g->k->row(g, err);
        }
        if (res == ROW_FAIL)
            return -1;
        if (res == ROW_OK)
            g->r->loaded++;
        else if (res == ROW_DUP)
            g->r->duplicates++;
        else {
            size_t rl;
            const char *raw = csv_raw(g->csv, &rl);
            if (ing_reject_row(g, csv_line(g->csv), g->bad_col, g->why, raw,
                               rl) != 0)
                return tg_fail(err, TG_EINTERNAL, "out of memory"), -1;
        }
        if ((g->r->rows & 4095) == 0 && g->o->progress && csv_size(g->csv))
            g->o->progress(g->o->ud, g->name,
                           (double)csv_offset(g->csv) /
                               (double)csv_size(g->csv));
    }
    g->r->rejected = (long)g->nrej;
    if (g->k->finish && g->k->finish(g, err) != 0)
        return -1;
    g->r->rejected = (long)g->nrej;
    return 0;
}

int ingest_file(tg_store *s, const char *path, const tg_ingest_opts *o,
                tg_ingest_result *r, tg_err *err)
{
    ing g;
    memset(&g, 0, sizeof g);
    memset(r, 0, sizeof *r);
    tg_strlcpy(r->path, path, sizeof r->path);
    r->kind = o->format == INGEST_ONLINE_RETAIL ? "online-retail" : "?";
    g.s = s;
    g.o = o;
    g.r = r;
    g.name = path;
    for (int i = 0; i < ING_MAX_COLS; i++)
        g.col[i] = -1;
    if (tg_sha256_file(path, g.sha, err) != TG_OK)
        return err ? err->code : TG_EIO;
    if (!(g.csv = csv_open(path, err)))
        return err ? err->code : TG_EIO;
    int rc = TG_OK;
    int seen = already_loaded(&g, err);
    if (seen < 0) {
        rc = err ? err->code : TG_EINTERNAL;
        goto out;
    }
    int hdr = csv_next(g.csv, err);
    if (hdr < 0) {
        rc = err ? err->code : TG_EIO;
        goto out;
    }
    if (hdr == 0) {
        rc = tg_fail(err, TG_EDATA, "%s: the file is empty (no header line)",
                     path);
        goto out;
    }
    if (csv_problem(g.csv)) {
        rc = tg_fail(err, TG_EDATA, "%s: line 1: the header is malformed: %s",
                     path, csv_problem(g.csv));
        goto out;
    }
    if ((rc = map_columns(&g, err)) != TG_OK)
        goto out;
    r->kind = g.k->kind;
    if (seen) {
        r->already_loaded = 1;
        goto out;
    }
    if ((rc = store_begin(s, err)) != TG_OK)
        goto out;
    if (load_rows(&g, err) != 0) {
        rc = err && err->code ? err->code : TG_EINTERNAL;
        goto rollback;
    }
    for (int i = 0; i < ING_MAX_STMTS; i++) {
        sqlite3_finalize(g.st[i]);
        g.st[i] = NULL;
    }
    if (o->strict && g.nrej > 0) {
        /* Nothing from this file, but the reasons are kept. */
        store_rollback(s);
        r->strict_refused = 1;
        r->loaded = r->duplicates = 0;
        r->purchases = r->returns = 0;
        if ((rc = store_begin(s, err)) != TG_OK)
            goto out;
        if (write_rejects(&g, err) != 0 || store_commit(s, err) != TG_OK) {
            rc = err ? err->code : TG_EINTERNAL;
            goto rollback;
        }
        goto out;
    }
    if (write_rejects(&g, err) != 0 || record_file(&g, err) != 0 ||
        store_commit(s, err) != TG_OK) {
        rc = err ? err->code : TG_EINTERNAL;
        goto rollback;
    }
    if (o->progress)
        o->progress(o->ud, path, 1.0);
    goto out;
rollback:
    for (int i = 0; i < ING_MAX_STMTS; i++) {
        sqlite3_finalize(g.st[i]);
        g.st[i] = NULL;
    }
    store_rollback(s);
    r->loaded = r->duplicates = r->rejected = 0;
out:
    ing_cleanup(&g);
    if (rc == TG_OK && o->done)
        o->done(o->ud, r);
    return rc;
}
