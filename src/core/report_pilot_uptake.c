/* report_pilot_uptake.c: the pilot's uptake by nudge (taken / shown, most
 * shown first) over the purchases the filter covers. A short period goes
 * over its purchases by time and looks their decisions up; a longer one
 * reads the pilot's decisions once and tells which purchases the filter
 * covers from the lines pilot_read_lines has read (every pilot line the
 * filter covers): a decision on another pilot line is not covered, and
 * one on a purchase that is no pilot line (none is, as the pilot writes
 * them) is asked of the store. Both give what one grouped query over the
 * decisions and their purchases gives. For the figures of many filters
 * (report_pilot_warm) the decisions are read once and counted against
 * each filter's lines as the longer period's are (pilot_uptake_of). */
#include "report_pilot_int.h"

#include <stdlib.h>
#include <string.h>

/* The period's purchases by time, their pilot decisions by nudge. */
static const char SQL_BY_TIME[] =
    "SELECT i.nudge, count(*), sum(i.status = 'accepted')"
    " FROM purchases p CROSS JOIN interventions i ON i.purchase_id = p.id"
    " WHERE i.source = 'pilot' AND p.ordered_at >= ?1" PILOT_FILTER
    " GROUP BY i.nudge ORDER BY 2 DESC, 1";
static const char SQL_DECISIONS[] =
    "SELECT purchase_id, nudge, status = 'accepted' FROM interventions"
    " WHERE source = 'pilot'";
static const char SQL_PILOT_LINES[] =
    "SELECT purchase_id FROM pilot_lines ORDER BY purchase_id";
static const char SQL_COVERED[] =
    "SELECT 1 FROM purchases p WHERE p.id = ?4 AND p.ordered_at >= ?1"
    PILOT_FILTER;

static int code_of(tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

/* ---- a short period: one query ---------------------------------------------- */

static int by_time(tg_store *s, const tg_report_filter *f, int64_t from,
                   tg_report_pilot *o, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_BY_TIME, err);
    if (!st)
        return code_of(err);
    sqlite3_bind_int64(st, 1, from);
    report_bind_filter(st, 2, f);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW && o->n_nudges <
                                                          TG_NUDGE_MAX) {
        tg_pilot_nudge *n = &o->nudge[o->n_nudges++];
        const char *id = (const char *)sqlite3_column_text(st, 0);
        tg_strlcpy(n->id, id ? id : "", sizeof n->id);
        n->uptake = report_rate((long)sqlite3_column_int64(st, 2),
                                (long)sqlite3_column_int64(st, 1));
    }
    int rc = step == SQLITE_ROW || step == SQLITE_DONE
                 ? TG_OK : store_fail(s, err, "reading the pilot's nudges");
    sqlite3_finalize(st);
    return rc;
}

/* ---- a longer one: the decisions against the lines read ---------------------- */

/* A nudge's decisions (id NULL: a decision without a nudge). */
typedef struct group {
    char *id;
    long shown, taken;
} group;

/* A decision whose purchase the lines read do not hold. */
typedef struct open_one {
    int64_t purchase;
    size_t group;
    int taken;
} open_one;

typedef struct tally {
    group *g;
    size_t n, cap;
    open_one *open;
    size_t n_open, cap_open;
} tally;

static int has_id(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id;
}

static int same_id(const char *a, const char *b)
{
    return a && b ? !strcmp(a, b) : a == b;
}

/* The group of nudge id (the last one first: the decisions come by
 * nudge); (size_t)-1 when out of memory. */
static size_t group_of(tally *t, const char *id)
{
    if (t->n && same_id(t->g[t->n - 1].id, id))
        return t->n - 1;
    for (size_t k = 0; k < t->n; k++)
        if (same_id(t->g[k].id, id))
            return k;
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 16;
        group *ng = realloc(t->g, nc * sizeof *ng);
        if (!ng)
            return (size_t)-1;
        t->g = ng;
        t->cap = nc;
    }
    char *copy = id ? tg_strdup(id) : NULL;
    if (id && !copy)
        return (size_t)-1;
    t->g[t->n] = (group){copy, 0, 0};
    return t->n++;
}

static int add_open(tally *t, int64_t purchase, size_t g, int taken)
{
    if (t->n_open == t->cap_open) {
        size_t nc = t->cap_open ? t->cap_open * 2 : 256;
        open_one *no = realloc(t->open, nc * sizeof *no);
        if (!no)
            return -1;
        t->open = no;
        t->cap_open = nc;
    }
    t->open[t->n_open++] = (open_one){purchase, g, taken};
    return 0;
}

/* A decision on a purchase: counted when the lines read hold it, kept
 * open when they do not. */
static int count_decision(const pilot_scan *c, tally *t, int64_t purchase,
                          size_t g, int taken)
{
    if (!has_id(c->ids, c->n_ids, purchase))
        return add_open(t, purchase, g, taken);
    t->g[g].shown++;
    t->g[g].taken += taken;
    return 0;
}

/* Every pilot decision on a purchase, in the order the store gives them:
 * counted against c's lines; with c NULL, every one kept open (the
 * decisions read once for many filters). */
static int read_decisions(tg_store *s, const pilot_scan *c, tally *t,
                          tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_DECISIONS, err);
    if (!st)
        return code_of(err);
    int step, bad = 0;
    while (!bad && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) == SQLITE_NULL)
            continue; /* no purchase, so none the filter covers */
        int64_t purchase = sqlite3_column_int64(st, 0);
        size_t g = group_of(t, (const char *)sqlite3_column_text(st, 1));
        int taken = sqlite3_column_int(st, 2);
        bad = g == (size_t)-1 ||
              (c ? count_decision(c, t, purchase, g, taken)
                 : add_open(t, purchase, g, taken));
    }
    int rc = bad ? tg_fail(err, TG_EINTERNAL, "out of memory")
             : step != SQLITE_DONE ? store_fail(s, err, "reading the pilot's "
                                                        "decisions")
                                   : TG_OK;
    sqlite3_finalize(st);
    return rc;
}

/* Every pilot line's id, in order. */
static int read_pilot_ids(tg_store *s, int64_t **ids, size_t *n,
                          tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_PILOT_LINES, err);
    if (!st)
        return code_of(err);
    size_t cap = 0;
    int step, bad = 0;
    while (!bad && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 4096;
            int64_t *ni = realloc(*ids, nc * sizeof *ni);
            bad = !ni;
            *ids = ni ? ni : *ids;
            cap = ni ? nc : cap;
        }
        if (!bad)
            (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    int rc = bad ? tg_fail(err, TG_EINTERNAL, "out of memory")
             : step != SQLITE_DONE ? store_fail(s, err, "reading the pilot")
                                   : TG_OK;
    sqlite3_finalize(st);
    return rc;
}

/* The open decisions: on another pilot line, not covered; on a purchase
 * that is no pilot line, covered when the store says the filter covers
 * it. */
static int settle_open(tg_store *s, const tg_report_filter *f, int64_t from,
                       tally *t, tg_err *err)
{
    if (!t->n_open)
        return TG_OK;
    int64_t *ids = NULL;
    size_t n = 0;
    int rc = read_pilot_ids(s, &ids, &n, err);
    sqlite3_stmt *st = rc == TG_OK ? store_prepare(s, SQL_COVERED, err) : NULL;
    if (rc == TG_OK && !st)
        rc = code_of(err);
    for (size_t i = 0; rc == TG_OK && i < t->n_open; i++) {
        const open_one *d = &t->open[i];
        if (has_id(ids, n, d->purchase))
            continue;
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, from);
        report_bind_filter(st, 2, f);
        sqlite3_bind_int64(st, 4, d->purchase);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            t->g[d->group].shown++;
            t->g[d->group].taken += d->taken;
        } else if (step != SQLITE_DONE)
            rc = store_fail(s, err, "reading the pilot's decisions");
    }
    sqlite3_finalize(st);
    free(ids);
    return rc;
}

/* Most shown first, then by nudge (no nudge first), as SQL orders them. */
static int cmp_group(const void *a, const void *b)
{
    const group *x = a, *y = b;
    if (x->shown != y->shown)
        return x->shown > y->shown ? -1 : 1;
    if (!x->id || !y->id)
        return !!x->id - !!y->id;
    return strcmp(x->id, y->id);
}

/* The nudges shown, most shown first, into o. */
static int keep_groups(const tally *t, tg_report_pilot *o, tg_err *err)
{
    group *g = malloc((t->n ? t->n : 1) * sizeof *g);
    if (!g)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
        if (t->g[i].shown)
            g[k++] = t->g[i];
    if (k > 1)
        qsort(g, k, sizeof *g, cmp_group);
    for (size_t i = 0; i < k && o->n_nudges < TG_NUDGE_MAX; i++) {
        tg_pilot_nudge *n = &o->nudge[o->n_nudges++];
        tg_strlcpy(n->id, g[i].id ? g[i].id : "", sizeof n->id);
        n->uptake = report_rate(g[i].taken, g[i].shown);
    }
    free(g);
    return TG_OK;
}

static void tally_free(tally *t, int own_ids)
{
    for (size_t i = 0; own_ids && i < t->n; i++)
        free(t->g[i].id);
    free(t->g);
    free(t->open);
}

int pilot_uptake(tg_store *s, const tg_report_filter *f, int64_t from,
                 const pilot_scan *c, tg_report_pilot *o, tg_err *err)
{
    if (!pilot_most(o, from))
        return by_time(s, f, from, o, err);
    tally t = {0};
    int rc = read_decisions(s, c, &t, err);
    if (rc == TG_OK)
        rc = settle_open(s, f, from, &t, err);
    if (rc == TG_OK)
        rc = keep_groups(&t, o, err);
    tally_free(&t, 1);
    return rc;
}

/* ---- the decisions read once, for many filters ------------------------------- */

struct pilot_decisions {
    tally t;                 /* every decision open, its nudge's group */
};

int pilot_decisions_read(tg_store *s, pilot_decisions **out, tg_err *err)
{
    pilot_decisions *d = *out = calloc(1, sizeof *d);
    return d ? read_decisions(s, NULL, &d->t, err)
             : tg_fail(err, TG_EINTERNAL, "out of memory");
}

void pilot_decisions_free(pilot_decisions *d)
{
    if (d)
        tally_free(&d->t, 1);
    free(d);
}

int pilot_uptake_of(tg_store *s, const tg_report_filter *f, int64_t from,
                    const pilot_decisions *d, const pilot_scan *c,
                    tg_report_pilot *o, tg_err *err)
{
    tally t = {0};
    t.g = malloc((d->t.n ? d->t.n : 1) * sizeof *t.g);
    int rc = t.g ? TG_OK : tg_fail(err, TG_EINTERNAL, "out of memory");
    for (size_t i = 0; rc == TG_OK && i < d->t.n; i++)
        t.g[t.n++] = (group){d->t.g[i].id, 0, 0};
    for (size_t i = 0; rc == TG_OK && i < d->t.n_open; i++) {
        const open_one *x = &d->t.open[i];
        if (count_decision(c, &t, x->purchase, x->group, x->taken))
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    if (rc == TG_OK)
        rc = settle_open(s, f, from, &t, err);
    if (rc == TG_OK)
        rc = keep_groups(&t, o, err);
    tally_free(&t, 0); /* the names are d's */
    return rc;
}
