/* report_pilot_read.c: the pilot's lines the filter covers, read once in
 * the order SQLite finds them (no sort in SQL: a temporary B-tree over
 * every line was most of the read), put in the order of customer, order
 * code and line here, and summed into each arm's totals and into the
 * units of the bootstrap, cluster by cluster (report_pilot_int.h). Or,
 * for the figures of every filter at once (report_pilot_warm), every line
 * read once with its category and channel, and each filter's lines taken
 * from them in the same order (pilot_all). */
#include "report_pilot_int.h"
#include "trendguard/features.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pilot's lines the filter covers with their price and the pilot's
 * outcome; over the pilot's lines or over the period's purchases (see
 * pilot_most). */
#define LINE_COLS                                                             \
    "SELECT p.id, COALESCE(p.customer_id, 0), p.order_code, p.ordered_at,"    \
    " pl.arm = 'treatment', pl.returned, pl.bought, pl.exchanged,"            \
    " COALESCE(pl.resale_share, 0), pl.fast_restock, pl.offer_cost,"          \
    " pl.shown, pl.declined, pl.satisfaction, p.quantity * p.unit_price"
#define LINES(from_join)                                                      \
    LINE_COLS from_join " WHERE p.ordered_at >= ?1" PILOT_FILTER
#define OVER_PILOT                                                            \
    " FROM pilot_lines pl CROSS JOIN purchases p ON p.id = pl.purchase_id"
static const char *const SQL_LINES[2] = {
    LINES(" FROM purchases p CROSS JOIN pilot_lines pl"
          " ON pl.purchase_id = p.id"),
    LINES(OVER_PILOT)};
/* Every line from ?1 on with what a filter asks of it (pilot_all_read):
 * its product's category and its channel, as the filter compares them. */
static const char SQL_ALL_LINES[] =
    LINE_COLS ", pr.category, p.channel" OVER_PILOT
    " LEFT JOIN products pr ON pr.id = p.product_id"
    " WHERE p.ordered_at >= ?1";
enum { C_ID, C_CUSTOMER, C_ORDER, C_TIME, C_TREATED, C_RETURNED, C_BOUGHT,
       C_EXCHANGED, C_SHARE, C_FAST, C_OFFER, C_SHOWN, C_DECLINED, C_SAT,
       C_PRICE, C_CATEGORY, C_CHANNEL };
/* The store's label of those lines (v_labels' rule: a return within 30
 * days), from the first return of each line in their ids' range, in the
 * order of the ids, merged with the lines in that order here rather than
 * looked up line by line. */
static const char SQL_FIRST_RETURN[] =
    "SELECT purchase_id, MIN(returned_at) FROM returns"
    " WHERE purchase_id BETWEEN ?1 AND ?2 GROUP BY purchase_id"
    " ORDER BY purchase_id";

/* A line as read, every value as the statement gave it; a settled line's
 * outcome apart (out), as half of a pilot's lines are pending. */
typedef struct pline {
    int64_t id, customer, t;
    size_t code;             /* its order code's offset in the text */
    uint32_t out;            /* its outcome, settled */
    int8_t treated, pending, recorded;
} pline;

typedef struct outcome {
    double share, offer, sat, price;
    int shown, declined;
    int8_t returned, bought, exchanged, fast, has_sat;
} outcome;

typedef struct lines {
    pline *l;
    size_t n, cap;
    outcome *out;
    size_t n_out, cap_out;
    char *text;              /* the order codes, each ended by a 0 */
    size_t len, room;
} lines;

static int code_of(tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

/* ---- reading ---------------------------------------------------------------- */

/* p with room for need items of size (*cap of them now); NULL, p left as
 * it is, when out of memory. */
static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t nc = *cap ? *cap : 4096;
    while (nc < need)
        nc *= 2;
    void *np = realloc(p, nc * size);
    if (np)
        *cap = nc;
    return np;
}

static int add_row(lines *ls, sqlite3_stmt *st)
{
    const char *oc = (const char *)sqlite3_column_text(st, C_ORDER);
    size_t len = strlen(oc ? oc : "") + 1;
    pline *nl = grow(ls->l, &ls->cap, ls->n + 1, sizeof *ls->l);
    if (nl)
        ls->l = nl;
    outcome *no = nl ? grow(ls->out, &ls->cap_out, ls->n_out + 1,
                            sizeof *ls->out) : NULL;
    if (no)
        ls->out = no;
    char *nt = no ? grow(ls->text, &ls->room, ls->len + len, 1) : NULL;
    if (!nt)
        return -1;
    ls->text = nt;
    memcpy(ls->text + ls->len, oc ? oc : "", len);
    pline *l = &ls->l[ls->n++];
    l->code = ls->len;
    ls->len += len;
    l->id = sqlite3_column_int64(st, C_ID);
    l->customer = sqlite3_column_int64(st, C_CUSTOMER);
    l->t = sqlite3_column_int64(st, C_TIME);
    l->treated = (int8_t)sqlite3_column_int(st, C_TREATED);
    l->recorded = 0; /* until its returns are read */
    l->out = 0;
    l->pending = sqlite3_column_type(st, C_RETURNED) == SQLITE_NULL;
    if (l->pending) /* it counts as a line and nothing more */
        return 0;
    l->out = (uint32_t)ls->n_out;
    outcome *m = &ls->out[ls->n_out++];
    m->share = sqlite3_column_double(st, C_SHARE);
    m->offer = sqlite3_column_double(st, C_OFFER);
    m->has_sat = sqlite3_column_type(st, C_SAT) != SQLITE_NULL;
    m->sat = sqlite3_column_double(st, C_SAT);
    m->price = sqlite3_column_double(st, C_PRICE);
    m->shown = sqlite3_column_int(st, C_SHOWN);
    m->declined = sqlite3_column_int(st, C_DECLINED);
    m->returned = (int8_t)sqlite3_column_int(st, C_RETURNED);
    m->bought = (int8_t)sqlite3_column_int(st, C_BOUGHT);
    m->exchanged = (int8_t)sqlite3_column_int(st, C_EXCHANGED);
    m->fast = (int8_t)sqlite3_column_int(st, C_FAST);
    return 0;
}

/* The code of a filter's name (names[0..n)), -1 for none, as the
 * filter's SQL compares them (byte for byte). */
static int8_t code_named(const unsigned char *name, const char *const *names,
                         int n)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp((const char *)name, names[i]) == 0)
            return (int8_t)i;
    return -1;
}

/* A line's category and channel codes (codes[2 * line]), grown with the
 * lines. */
static int add_codes(int8_t **codes, size_t *cap, size_t n,
                     sqlite3_stmt *st)
{
    int8_t *nc = grow(*codes, cap, 2 * n, 1);
    if (!nc)
        return -1;
    *codes = nc;
    nc[2 * n - 2] = code_named(sqlite3_column_text(st, C_CATEGORY),
                               tg_category_names, TG_NUM_CATEGORIES);
    nc[2 * n - 1] = code_named(sqlite3_column_text(st, C_CHANNEL),
                               tg_channel_names, TG_NUM_CHANNELS);
    return 0;
}

/* The statement's rows into ls; with codes, each row's category and
 * channel codes too. */
static int read_rows(tg_store *s, sqlite3_stmt *st, lines *ls, int8_t **codes,
                     tg_err *err)
{
    /* room for every pilot line at once (a count the store keeps), so
     * that the lines are not copied as they come */
    int64_t most_lines = store_count(s, "SELECT count(*) FROM pilot_lines");
    size_t room = most_lines > 0 ? (size_t)most_lines : 1, code_cap = 0;
    int step, bad = !(ls->l = grow(NULL, &ls->cap, room, sizeof *ls->l)) ||
                    !(ls->out = grow(NULL, &ls->cap_out, room,
                                     sizeof *ls->out)) ||
                    !(ls->text = grow(NULL, &ls->room, room * 16, 1));
    while (!bad && (step = sqlite3_step(st)) == SQLITE_ROW)
        bad = add_row(ls, st) ||
              (codes && add_codes(codes, &code_cap, ls->n, st));
    int rc = bad ? tg_fail(err, TG_EINTERNAL, "out of memory")
             : step != SQLITE_DONE ? store_fail(s, err, "reading the pilot")
                                   : TG_OK;
    sqlite3_finalize(st);
    return rc;
}

/* The pilot's lines the filter covers from `from` on. */
static int read_covered(tg_store *s, const tg_report_filter *f, int64_t from,
                        int most, lines *ls, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_LINES[most], err);
    if (!st)
        return code_of(err);
    sqlite3_bind_int64(st, 1, from);
    report_bind_filter(st, 2, f);
    return read_rows(s, st, ls, NULL, err);
}

/* ---- the order of customer, order code and line ----------------------------- */

/* A signed number as an unsigned one of the same order. */
static uint64_t key_of(int64_t v)
{
    return (uint64_t)v ^ ((uint64_t)1 << 63);
}

/* Sorts idx[0..n) stably by the lines' ids or customers, a byte at a
 * time from the lowest, skipping the bytes every key shares; tmp holds n
 * indexes and k a key per line. */
static void radix_by(uint32_t *idx, uint32_t *tmp, uint64_t *k,
                     const lines *ls, int by_customer)
{
    size_t n = ls->n;
    uint64_t differ = 0;
    for (size_t i = 0; i < n; i++) {
        const pline *l = &ls->l[i];
        k[i] = key_of(by_customer ? l->customer : l->id);
        differ |= k[i] ^ k[0];
    }
    for (int shift = 0; shift < 64; shift += 8) {
        if (!((differ >> shift) & 0xff))
            continue;
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((k[i] >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            tmp[count[(k[idx[i]] >> shift) & 0xff]++] = idx[i];
        memcpy(idx, tmp, n * sizeof *idx);
    }
}

static int code_cmp(const lines *ls, uint32_t a, uint32_t b)
{
    return strcmp(ls->text + ls->l[a].code, ls->text + ls->l[b].code);
}

/* Sorts one customer's lines (in the order of their ids) by order code,
 * stably, so that lines of one order stay in the order of their ids;
 * tmp holds n. */
static void sort_codes(uint32_t *idx, uint32_t *tmp, size_t n,
                       const lines *ls)
{
    if (n < 16) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = idx[i];
            size_t j = i;
            for (; j > 0 && code_cmp(ls, idx[j - 1], x) > 0; j--)
                idx[j] = idx[j - 1];
            idx[j] = x;
        }
        return;
    }
    size_t h = n / 2, a = 0, b = h, o = 0;
    sort_codes(idx, tmp, h, ls);
    sort_codes(idx + h, tmp, n - h, ls);
    while (a < h && b < n)
        tmp[o++] = code_cmp(ls, idx[a], idx[b]) <= 0 ? idx[a++] : idx[b++];
    while (a < h)
        tmp[o++] = idx[a++];
    while (b < n)
        tmp[o++] = idx[b++];
    memcpy(idx, tmp, n * sizeof *idx);
}

/* The lines' order (idx, with room to sort in: tmp, k). */
typedef struct sorting {
    uint32_t *idx, *tmp;
    uint64_t *k;
} sorting;

/* idx: the lines in the order of their ids. */
static int order_by_id(const lines *ls, sorting *o)
{
    size_t n = ls->n ? ls->n : 1;
    o->idx = malloc(n * sizeof *o->idx);
    o->tmp = malloc(n * sizeof *o->tmp);
    o->k = malloc(n * sizeof *o->k);
    if (!o->idx || !o->tmp || !o->k)
        return -1;
    int sorted = 1;
    for (size_t i = 0; i < ls->n; i++) {
        o->idx[i] = (uint32_t)i;
        sorted &= !i || ls->l[i].id > ls->l[i - 1].id;
    }
    if (!sorted)
        radix_by(o->idx, o->tmp, o->k, ls, 0);
    return 0;
}

/* From the order of ids to that of customer (anonymous as 0), order code
 * and id. */
static void order_by_customer(const lines *ls, sorting *o)
{
    radix_by(o->idx, o->tmp, o->k, ls, 1);
    for (size_t i = 0, j; i < ls->n; i = j) {
        for (j = i + 1; j < ls->n && ls->l[o->idx[j]].customer ==
                                         ls->l[o->idx[i]].customer; j++)
            ;
        sort_codes(o->idx + i, o->tmp, j - i, ls);
    }
}

/* 1 when the first return, the statement's column col, is within 30
 * days of t, as SQL compares them (a number with a number; text and
 * blobs sort after every number). */
static int8_t within_30_days(sqlite3_stmt *st, int col, int64_t t)
{
    int64_t until = t + 2592000;
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        return sqlite3_column_int64(st, col) <= until;
    case SQLITE_FLOAT:
        return sqlite3_column_double(st, col) <= (double)until;
    default:
        return 0;
    }
}

/* Each line's label (recorded), the lines in the order of their ids. */
static int read_labels(tg_store *s, lines *ls, const uint32_t *idx,
                       tg_err *err)
{
    if (!ls->n)
        return TG_OK;
    sqlite3_stmt *st = store_prepare(s, SQL_FIRST_RETURN, err);
    if (!st)
        return code_of(err);
    sqlite3_bind_int64(st, 1, ls->l[idx[0]].id);
    sqlite3_bind_int64(st, 2, ls->l[idx[ls->n - 1]].id);
    int step = sqlite3_step(st);
    for (size_t i = 0; i < ls->n && step == SQLITE_ROW; i++) {
        pline *l = &ls->l[idx[i]];
        while (step == SQLITE_ROW && sqlite3_column_int64(st, 0) < l->id)
            step = sqlite3_step(st);
        if (step == SQLITE_ROW && sqlite3_column_int64(st, 0) == l->id)
            l->recorded = within_30_days(st, 1, l->t);
    }
    int rc = step == SQLITE_ROW || step == SQLITE_DONE
                 ? TG_OK : store_fail(s, err, "reading the pilot's returns");
    sqlite3_finalize(st);
    return rc;
}

/* ---- the units ----------------------------------------------------------------- */

static int64_t week_start(int64_t t)
{
    return tg_monday(tg_day_of(t)) * TG_DAY;
}

static int month_index(int64_t t)
{
    int y;
    unsigned m, d;
    tg_civil_from_days(tg_day_of(t), &y, &m, &d);
    return y * 12 + (int)m - 1;
}

/* The weeks and months from the later of the pilot's start and the
 * filter's to the pilot's end. */
static void set_periods(pilot_scan *c, tg_report_pilot *o, int64_t from)
{
    int64_t last = week_start(o->to);
    c->first_week = week_start(from);
    if (c->first_week < last - (TG_PILOT_WEEKS - 1) * 7 * TG_DAY)
        c->first_week = last - (TG_PILOT_WEEKS - 1) * 7 * TG_DAY;
    o->n_weeks = (int)((last - c->first_week) / (7 * TG_DAY)) + 1;
    for (int w = 0; w < o->n_weeks; w++) {
        o->week[w].start = c->first_week + (int64_t)w * 7 * TG_DAY;
        tg_date_format(o->week[w].start, o->week[w].key,
                       sizeof o->week[w].key);
    }
    c->first_month = month_index(from);
    int lastm = month_index(o->to);
    if (c->first_month < lastm - (TG_PILOT_MONTHS - 1))
        c->first_month = lastm - (TG_PILOT_MONTHS - 1);
    o->n_months = lastm - c->first_month + 1;
    for (int m = 0; m < o->n_months; m++) {
        int mi = c->first_month + m;
        snprintf(o->month[m].key, sizeof o->month[m].key, "%04d-%02d",
                 mi / 12, mi % 12 + 1);
        o->month[m].start = tg_days_from_civil(mi / 12, (unsigned)(mi % 12 + 1),
                                               1) * TG_DAY;
    }
}

static pilot_unit *unit_add(pilot_scan *c)
{
    pilot_unit *nu = grow(c->u, &c->cap, c->n + 1, sizeof *c->u);
    if (!nu)
        return NULL;
    c->u = nu;
    pilot_unit *u = &c->u[c->n++];
    memset(u, 0, sizeof *u);
    return u;
}

/* The money of a settled line (see report.h). */
static void line_money(const tg_report_pilot *o, const outcome *l, float *v)
{
    double price = l->price;
    int ret = l->returned;
    double lost = ret ? price * (1 - o->margin) * (1 - l->share) : 0;
    double margin = l->exchanged ? o->margin * (1 - o->exchange_keeps)
                                 : o->margin;
    double cost = ret ? price * (margin + o->processing_share) + lost : 0;
    double spend = l->offer + (l->bought ? 0 : o->margin * price) +
                   (l->fast ? o->fast_restock_cost : 0);
    v[S_COST] = (float)(cost + spend);
    v[S_LOST] = (float)lost;
    v[S_SPEND] = (float)spend;
}

/* Adds the line to its arm's totals and, settled, as a unit. */
static int add_line(pilot_scan *c, tg_report_pilot *o, const pline *pl,
                    const outcome *l, pilot_unit *order)
{
    int arm = pl->treated;
    tg_pilot_arm *a = &o->arm[arm];
    a->lines++;
    if (order->week >= 0 && order->week < o->n_weeks)
        o->week[order->week].arm[arm].lines++;
    if (order->month >= 0 && order->month < o->n_months)
        o->month[order->month].arm[arm].lines++;
    if (pl->pending)
        return 0;
    pilot_unit *u = unit_add(c);
    if (!u)
        return -1;
    u->cluster = c->clusters;
    u->arm = (uint8_t)arm;
    u->week = order->week;
    u->month = order->month;
    u->v[S_SETTLED] = 1;
    u->v[S_RETURNED] = (float)l->returned;
    u->v[S_RECORDED] = (float)pl->recorded;
    line_money(o, l, u->v);
    a->not_bought += !l->bought;
    a->exchanged += l->exchanged;
    a->fast_restocked += l->fast;
    a->amount += l->price;
    a->offer_cost += l->offer;
    a->restock_cost += l->fast ? o->fast_restock_cost : 0;
    a->lost_margin += l->bought ? 0 : o->margin * l->price;
    if (l->has_sat) {
        order->v[S_SAT] += (float)l->sat;
        order->v[S_SETTLED]++;
    }
    order->v[S_SPEND] += (float)(l->shown * 0.02 + l->declined * 0.03);
    order->arm = (uint8_t)arm;
    order->cluster = c->clusters;
    order->v[S_ORDERS] = 1;
    return 0;
}

/* An order's satisfaction as a unit of its own: the mean of its items'
 * index less the nudges' tolls (kept in S_SPEND while it is gathered). */
static int close_order(pilot_scan *c, pilot_unit *order)
{
    if (!order->v[S_ORDERS] || !order->v[S_SETTLED])
        return 0;
    pilot_unit *u = unit_add(c);
    if (!u)
        return -1;
    *u = *order;
    u->v[S_SAT] = u->v[S_SAT] / u->v[S_SETTLED] - u->v[S_SPEND];
    u->v[S_SETTLED] = u->v[S_SPEND] = 0;
    return 0;
}

static int16_t period_of(const pilot_scan *c, int64_t t, int month)
{
    return (int16_t)(month ? month_index(t) - c->first_month
                           : (week_start(t) - c->first_week) / (7 * TG_DAY));
}

/* Room for every unit at once: a settled line and at most one order each,
 * of the n lines idx names. */
static int units_room(pilot_scan *c, const lines *ls, const uint32_t *idx,
                      size_t n)
{
    size_t settled = 0;
    for (size_t i = 0; i < n; i++)
        settled += !ls->l[idx[i]].pending;
    return !(c->u = grow(NULL, &c->cap, 2 * settled + 1, sizeof *c->u));
}

/* The lines in order into clusters, orders and units: a new cluster at
 * each customer and at each anonymous order. An order ends where the code
 * differs from its first 63 characters, as it always has. */
#define AHEAD 16
static int add_lines(pilot_scan *c, tg_report_pilot *o, const lines *ls,
                     const uint32_t *idx, size_t n)
{
    int64_t cust = -1, seen[2] = {-1, -1};
    char code[64] = "";
    pilot_unit order;
    memset(&order, 0, sizeof order);
    int bad = 0;
    for (size_t i = 0; !bad && i < n; i++) {
        if (i + AHEAD < n) { /* the lines come from all over memory */
            const pline *next = &ls->l[idx[i + AHEAD]];
            __builtin_prefetch(next);
            const pline *near = &ls->l[idx[i + AHEAD / 2]];
            __builtin_prefetch(ls->text + near->code);
            __builtin_prefetch(&ls->out[near->out]);
        }
        const pline *l = &ls->l[idx[i]];
        const char *oc = ls->text + l->code;
        if (strcmp(oc, code) != 0 || l->customer != cust) {
            bad |= close_order(c, &order);
            memset(&order, 0, sizeof order);
            order.week = period_of(c, l->t, 0);
            order.month = period_of(c, l->t, 1);
            c->clusters += l->customer != cust || l->customer == 0;
            tg_strlcpy(code, oc, sizeof code);
            cust = l->customer;
        }
        if (seen[l->treated] != (int64_t)c->clusters) {
            seen[l->treated] = c->clusters;
            o->arm[l->treated].customers++;
        }
        bad |= add_line(c, o, l, l->pending ? NULL : &ls->out[l->out],
                        &order);
    }
    bad |= close_order(c, &order);
    return bad;
}

/* The lines' ids in order, for the uptake. */
static int keep_ids(const lines *ls, const uint32_t *idx, pilot_scan *c)
{
    c->ids = malloc((ls->n ? ls->n : 1) * sizeof *c->ids);
    if (!c->ids)
        return -1;
    for (size_t i = 0; i < ls->n; i++)
        c->ids[i] = ls->l[idx[i]].id;
    c->n_ids = ls->n;
    return 0;
}

int pilot_read_lines(tg_store *s, const tg_report_filter *f, int64_t from,
                     pilot_scan *c, tg_report_pilot *o, tg_err *err)
{
    set_periods(c, o, from);
    lines ls = {0};
    sorting ord = {0};
    int rc = read_covered(s, f, from, pilot_most(o, from), &ls, err);
    if (rc == TG_OK && order_by_id(&ls, &ord))
        rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    if (rc == TG_OK)
        rc = read_labels(s, &ls, ord.idx, err);
    if (rc == TG_OK && keep_ids(&ls, ord.idx, c))
        rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    if (rc == TG_OK) {
        order_by_customer(&ls, &ord);
        if (units_room(c, &ls, ord.idx, ls.n) ||
            add_lines(c, o, &ls, ord.idx, ls.n))
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    free(ord.idx);
    free(ord.tmp);
    free(ord.k);
    free(ls.l);
    free(ls.out);
    free(ls.text);
    return rc;
}

/* ---- every line once, for many filters --------------------------------------- */

/* What a filter asks of a line, kept in each order the lines are gone
 * through (so read one after another). */
typedef struct asked {
    int64_t t;
    int8_t category, channel;
} asked;

struct pilot_all {
    lines ls;
    sorting ord;             /* idx: by customer, order code and id */
    uint32_t *by_id;         /* the lines in the order of their ids */
    int8_t *codes;           /* per line: its category and channel codes */
    asked *ask_id, *ask_ord; /* by_id's lines' and ord.idx's */
};

void pilot_all_free(pilot_all *a)
{
    if (!a)
        return;
    free(a->ord.idx);
    free(a->ord.tmp);
    free(a->ord.k);
    free(a->by_id);
    free(a->codes);
    free(a->ask_id);
    free(a->ask_ord);
    free(a->ls.l);
    free(a->ls.out);
    free(a->ls.text);
    free(a);
}

/* What a filter asks of the lines idx names, in that order. */
static asked *ask_in(const pilot_all *a, const uint32_t *idx)
{
    asked *k = malloc((a->ls.n ? a->ls.n : 1) * sizeof *k);
    for (size_t i = 0; k && i < a->ls.n; i++)
        k[i] = (asked){a->ls.l[idx[i]].t, a->codes[2 * idx[i]],
                       a->codes[2 * idx[i] + 1]};
    return k;
}

int pilot_all_read(tg_store *s, int64_t from, pilot_all **out, tg_err *err)
{
    pilot_all *a = *out = calloc(1, sizeof *a);
    if (!a)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    sqlite3_stmt *st = store_prepare(s, SQL_ALL_LINES, err);
    if (!st)
        return code_of(err);
    sqlite3_bind_int64(st, 1, from);
    int rc = read_rows(s, st, &a->ls, &a->codes, err);
    size_t n = a->ls.n ? a->ls.n : 1;
    if (rc == TG_OK && (order_by_id(&a->ls, &a->ord) ||
                        !(a->by_id = malloc(n * sizeof *a->by_id))))
        rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    if (rc == TG_OK)
        rc = read_labels(s, &a->ls, a->ord.idx, err);
    if (rc == TG_OK) {
        memcpy(a->by_id, a->ord.idx, a->ls.n * sizeof *a->by_id);
        order_by_customer(&a->ls, &a->ord);
        if (!(a->ask_id = ask_in(a, a->by_id)) ||
            !(a->ask_ord = ask_in(a, a->ord.idx)))
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    return rc;
}

/* 1 when the filter covers the line from `from` on (as PILOT_FILTER). */
static int covers(const asked *l, const tg_report_filter *f, int64_t from)
{
    return l->t >= from &&
           (f->category < 0 || l->category == f->category) &&
           (f->channel < 0 || l->channel == f->channel);
}

int pilot_all_lines(const pilot_all *a, const tg_report_filter *f,
                    int64_t from, pilot_scan *c, tg_report_pilot *o,
                    tg_err *err)
{
    set_periods(c, o, from);
    size_t n = a->ls.n, k = 0;
    uint32_t *sub = malloc((n ? n : 1) * sizeof *sub);
    c->ids = malloc((n ? n : 1) * sizeof *c->ids);
    int bad = !sub || !c->ids;
    for (size_t i = 0; !bad && i < n; i++)
        if (covers(&a->ask_id[i], f, from))
            c->ids[c->n_ids++] = a->ls.l[a->by_id[i]].id;
    for (size_t i = 0; !bad && i < n; i++)
        if (covers(&a->ask_ord[i], f, from))
            sub[k++] = a->ord.idx[i];
    bad = bad || units_room(c, &a->ls, sub, k) ||
          add_lines(c, o, &a->ls, sub, k);
    free(sub);
    return bad ? tg_fail(err, TG_EINTERNAL, "out of memory") : TG_OK;
}
