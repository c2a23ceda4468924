/* shop.c: the shop handle for the app: its clock, the statements it
 * prepares once (all of the shop's SQL is here, by name), the readers the
 * other shop files share (sizes, a product, a trend's state, a product's
 * matured history) and the personas a demo shops as. */
#include "shop_int.h"
#include "trendguard/estimates.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A line is returned when a return of it arrives within 30 days: the
 * training set's label (schema.c), evaluated for purchases row p. */
#define SHOP_LABEL(p)                                                         \
    "COALESCE((SELECT MIN(r.returned_at) FROM returns r WHERE r.purchase_id " \
    "= " p ".id) <= " p ".ordered_at + 2592000, 0)"

static const char SQL_PRODUCT[] =
    "SELECT pr.code, pr.name, pr.brand, cat.code, pr.price, pr.fit_note,"
    " pr.sizes, pr.launched_at, pt.hashtag_id, h.name"
    " FROM products pr JOIN categories cat ON cat.name = pr.category"
    " LEFT JOIN product_tags pt ON pt.product_id = pr.id AND pt.rank = 0"
    " LEFT JOIN hashtags h ON h.id = pt.hashtag_id"
    " WHERE pr.id = ?1 LIMIT 1";
static const char SQL_TREND_AT[] =
    "SELECT views_24h, growth_24h, growth_7d, peak_at, first_at,"
    " captured_at, week_views, prev_week_views, best_week_views"
    " FROM trend_state WHERE hashtag_id = ?1 AND captured_at <= ?2"
    " ORDER BY captured_at DESC LIMIT 1";
/* The newest trend snapshot by ?1 of the hashtags the shop's items follow
 * (their primary tags): one seek each, trend_state being keyed by
 * hashtag, then time. Every hashtag would be 160k seeks at TrendBuy's
 * scale (about a second, before the first screen); the items' 25k take
 * 0.05-0.1 s. */
static const char SQL_TREND_LATEST[] =
    "SELECT MAX((SELECT MAX(s.captured_at) FROM trend_state s"
    " WHERE s.hashtag_id = pt.hashtag_id AND s.captured_at <= ?1))"
    " FROM product_tags pt WHERE pt.rank = 0";
static const char SQL_CUSTOMER[] =
    "SELECT c.code, sg.code, sg.label, c.usual_size, c.shoe_size, ab.code,"
    " c.joined_at, c.lines_before, c.returns_before"
    " FROM customers c LEFT JOIN segments sg ON sg.name = c.segment"
    " LEFT JOIN age_bands ab ON ab.name = c.age_band WHERE c.id = ?1";
/* The customer's lines before ?2: the matured ones and their labels, the
 * mean unit price and the distinct earlier order times (DENSE_RANK - 1). */
/* Then, per size system g (0 clothing, 1 shoes), what the customer's lines
 * said of their size by ?2 (estimates.h): the lines kept (or returned for
 * another reason) whose 30 days are over, and each size return when it
 * arrived, one size up or down. */
#define SHOP_SIZE_RETURN(r, p)                                                \
    r ".reason IN ('too_small', 'too_large') AND " r ".returned_at <= "      \
    p ".ordered_at + 2592000"
#define SHOP_SYSTEM(pr, sz, g)                                                \
    pr ".category != 'accessories' AND " sz ".name != 'ONE' AND " sz          \
    ".is_shoe = " g
#define SHOP_KEPT(g)                                                          \
    "p.ordered_at <= ?2 - 2592000 AND " SHOP_SYSTEM("pr", "sz", g)           \
    " AND NOT EXISTS (SELECT 1 FROM returns r WHERE r.purchase_id = p.id"    \
    " AND " SHOP_SIZE_RETURN("r", "p") ")"
#define SHOP_RETURNED(what, g)                                                \
    "(SELECT " what " FROM purchases q JOIN products qr ON qr.id ="          \
    " q.product_id JOIN sizes qs ON qs.name = q.size JOIN returns r ON"      \
    " r.purchase_id = q.id WHERE q.customer_id = ?1 AND "                     \
    SHOP_SYSTEM("qr", "qs", g) " AND " SHOP_SIZE_RETURN("r", "q")            \
    " AND r.returned_at <= ?2)"
#define SHOP_SIZE_SAID(g)                                                     \
    " COUNT(sz.rank) FILTER (WHERE " SHOP_KEPT(g) ") + "                      \
    SHOP_RETURNED("COUNT(*)", g) ","                                          \
    " COALESCE(SUM(sz.rank) FILTER (WHERE " SHOP_KEPT(g) "), 0) + "           \
    SHOP_RETURNED("COALESCE(SUM(qs.rank + (r.reason = 'too_small')"          \
                  " - (r.reason = 'too_large')), 0)", g)
static const char SQL_CUST_HISTORY[] =
    "SELECT COUNT(*) FILTER (WHERE p.ordered_at <= ?2 - 2592000),"
    " SUM(" SHOP_LABEL("p") ") FILTER (WHERE p.ordered_at <= ?2 - 2592000),"
    " AVG(p.unit_price), COUNT(DISTINCT p.ordered_at),"
    SHOP_SIZE_SAID("0") "," SHOP_SIZE_SAID("1")
    " FROM purchases p JOIN products pr ON pr.id = p.product_id"
    " LEFT JOIN sizes sz ON sz.name = p.size"
    " WHERE p.customer_id = ?1 AND p.ordered_at < ?2";
/* For each product of the JSON array ?1: its lines matured by ?2 and
 * their labels, and the size returns of its lines that arrived by ?2,
 * both small and large in one pass over its lines; one statement for a
 * whole list of items. */
static const char SQL_PRODUCT_HISTORY[] =
    "SELECT j.value, COALESCE(h.n, 0), COALESCE(h.ret, 0),"
    " COALESCE(z.small, 0), COALESCE(z.large, 0) FROM json_each(?1) j"
    " LEFT JOIN (SELECT p.product_id, COUNT(*) AS n,"
    "  SUM(" SHOP_LABEL("p") ") AS ret FROM purchases p"
    "  WHERE p.product_id IN (SELECT value FROM json_each(?1))"
    "  AND p.ordered_at <= ?2 - 2592000 GROUP BY p.product_id) h"
    "  ON h.product_id = j.value"
    " LEFT JOIN (SELECT q.product_id, SUM(r.reason = 'too_small') AS small,"
    "  SUM(r.reason = 'too_large') AS large FROM purchases q"
    "  JOIN returns r ON r.purchase_id = q.id"
    "  WHERE q.product_id IN (SELECT value FROM json_each(?1))"
    "  AND r.reason IN ('too_small', 'too_large')"
    "  AND r.returned_at <= q.ordered_at + 2592000 AND r.returned_at <= ?2"
    "  GROUP BY q.product_id) z ON z.product_id = j.value";
/* A category's size returns that arrived up to day ?2. */
static const char SQL_CATEGORY_FIT[] =
    "SELECT COALESCE(SUM(f.small), 0), COALESCE(SUM(f.large), 0)"
    " FROM fit_category_days f JOIN categories c ON c.name = f.category"
    " WHERE c.code = ?1 AND f.day <= ?2";
/* Customers known at ?1, for every segment in turn the longest history
 * first. */
static const char SQL_PERSONA_RANK[] =
    "SELECT id FROM (SELECT c.id, sg.code AS seg, ROW_NUMBER() OVER"
    "  (PARTITION BY c.segment ORDER BY c.lines_before + COALESCE(h.n, 0)"
    "   DESC, c.id) AS k"
    " FROM customers c LEFT JOIN segments sg ON sg.name = c.segment"
    " LEFT JOIN (SELECT customer_id, COUNT(*) AS n FROM purchases"
    "  WHERE customer_id IS NOT NULL AND ordered_at <= ?1"
    "  GROUP BY customer_id) h ON h.customer_id = c.id"
    " WHERE c.joined_at IS NULL OR c.joined_at <= ?1)"
    " ORDER BY k, seg, id LIMIT ?2";
static const char SQL_PERSONA_LINES[] =
    "SELECT COUNT(*), COALESCE(SUM(EXISTS (SELECT 1 FROM returns r"
    "  WHERE r.purchase_id = p.id AND r.returned_at <= ?2)), 0)"
    " FROM purchases p WHERE p.customer_id = ?1 AND p.ordered_at <= ?2";
/* The items of the trends hot at ?1: products on sale whose primary
 * trend has a snapshot in the day up to ?6 (the store's newest trend data
 * by ?1) and gained views in its last 24 h, by those views; ?2 category
 * code or -1, ?3/?4 price bounds (<= 0 none), ?5 search text or NULL
 * (instr: no wildcards). */
static const char SQL_TRENDING[] =
    "SELECT pr.id, ts.week_views, ts.prev_week_views, ts.best_week_views,"
    " ts.captured_at, ts.views_24h"
    " FROM products pr JOIN categories cat ON cat.name = pr.category"
    " JOIN product_tags pt ON pt.product_id = pr.id AND pt.rank = 0"
    " JOIN trend_state ts ON ts.hashtag_id = pt.hashtag_id"
    "  AND ts.captured_at = (SELECT MAX(s.captured_at) FROM trend_state s"
    "   WHERE s.hashtag_id = pt.hashtag_id AND s.captured_at <= ?1)"
    " WHERE ts.captured_at > ?6 - 86400 AND ts.views_24h > 0"
    " AND (pr.launched_at IS NULL OR pr.launched_at <= ?1)"
    " AND (?2 < 0 OR cat.code = ?2)"
    " AND (?3 <= 0 OR pr.price >= ?3) AND (?4 <= 0 OR pr.price <= ?4)"
    " AND (?5 IS NULL OR instr(lower(pr.name), lower(?5)) > 0"
    "  OR instr(lower(COALESCE(pr.brand, '')), lower(?5)) > 0"
    "  OR instr(lower(pr.category), lower(?5)) > 0"
    "  OR EXISTS (SELECT 1 FROM product_tags t JOIN hashtags h"
    "   ON h.id = t.hashtag_id WHERE t.product_id = pr.id"
    "   AND instr('#' || lower(h.name), lower(?5)) > 0))"
    " ORDER BY ts.views_24h DESC, pr.id";
static const char SQL_SPARK[] =
    "SELECT captured_at, views_24h FROM trend_state"
    " WHERE hashtag_id = ?1 AND captured_at > ?2 AND captured_at <= ?3"
    " ORDER BY captured_at";
static const char SQL_ORDER_EXISTS[] =
    "SELECT 1 FROM purchases WHERE order_code = ?1 LIMIT 1";
static const char SQL_INSERT_LINE[] =
    "INSERT INTO purchases(line_code, order_code, customer_id, product_id,"
    " size, quantity, unit_price, discount_pct, ordered_at, channel,"
    " view_minutes, payment, ref_hashtag_id, source)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char SQL_INSERT_SCORE[] =
    "INSERT INTO scores(purchase_id, model_version, p_return, drivers,"
    " scored_at) VALUES(?1, ?2, ?3, ?4, ?5)";
/* The customer's lines at ?2, newest first, with the newest score and the
 * first return recorded by then. */
static const char SQL_ORDERS[] =
    "SELECT p.id, p.order_code, p.ordered_at, p.product_id, pr.name, p.size,"
    " p.quantity, p.unit_price,"
    " (SELECT sc.p_return FROM scores sc WHERE sc.purchase_id = p.id"
    "  ORDER BY sc.scored_at DESC, sc.model_version DESC LIMIT 1),"
    " r.returned_at, r.reason,"
    " EXISTS (SELECT 1 FROM returns x WHERE x.purchase_id = p.id)"
    " FROM purchases p JOIN products pr ON pr.id = p.product_id"
    " LEFT JOIN returns r ON r.id = (SELECT r2.id FROM returns r2"
    "  WHERE r2.purchase_id = p.id AND r2.returned_at <= ?2"
    "  ORDER BY r2.returned_at, r2.id LIMIT 1)"
    " WHERE p.customer_id = ?1 AND p.ordered_at <= ?2"
    " ORDER BY p.ordered_at DESC, p.id DESC LIMIT ?3";
static const char SQL_LINE[] =
    "SELECT p.order_code, p.customer_id, p.product_id, p.quantity,"
    " p.unit_price, p.discount_pct, p.ordered_at, p.channel, p.payment,"
    " p.ref_hashtag_id,"
    " EXISTS (SELECT 1 FROM returns r WHERE r.purchase_id = p.id)"
    " FROM purchases p WHERE p.id = ?1";
static const char SQL_INSERT_RETURN[] =
    "INSERT INTO returns(code, purchase_id, returned_at, quantity, reason)"
    " VALUES(?1, ?2, ?3, ?4, ?5)";

static const char SQL_DATA_VERSION[] = "PRAGMA data_version";

static const char *const shop_sql[SHOP_NUM_Q] = {
    [SHOP_Q_PRODUCT] = SQL_PRODUCT,
    [SHOP_Q_TREND_AT] = SQL_TREND_AT,
    [SHOP_Q_TREND_LATEST] = SQL_TREND_LATEST,
    [SHOP_Q_CUSTOMER] = SQL_CUSTOMER,
    [SHOP_Q_CUST_HISTORY] = SQL_CUST_HISTORY,
    [SHOP_Q_PRODUCT_HISTORY] = SQL_PRODUCT_HISTORY,
    [SHOP_Q_CATEGORY_FIT] = SQL_CATEGORY_FIT,
    [SHOP_Q_PERSONA_RANK] = SQL_PERSONA_RANK,
    [SHOP_Q_PERSONA_LINES] = SQL_PERSONA_LINES,
    [SHOP_Q_TRENDING] = SQL_TRENDING,
    [SHOP_Q_SPARK] = SQL_SPARK,
    [SHOP_Q_ORDER_EXISTS] = SQL_ORDER_EXISTS,
    [SHOP_Q_INSERT_LINE] = SQL_INSERT_LINE,
    [SHOP_Q_INSERT_SCORE] = SQL_INSERT_SCORE,
    [SHOP_Q_ORDERS] = SQL_ORDERS,
    [SHOP_Q_LINE] = SQL_LINE,
    [SHOP_Q_INSERT_RETURN] = SQL_INSERT_RETURN,
    [SHOP_Q_DATA_VERSION] = SQL_DATA_VERSION,
};

static const char SQL_SIZES[] = "SELECT name, rank, is_shoe FROM sizes";
static const char SQL_DATA_END[] = "SELECT t FROM v_data_end";

/* ---- statements and columns ------------------------------------------- */

sqlite3_stmt *shop_stmt(tg_shop *sh, int q)
{
    sqlite3_stmt *st = sh->q[q];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

double shop_col(sqlite3_stmt *st, int k)
{
    return sqlite3_column_type(st, k) == SQLITE_NULL
               ? NAN
               : sqlite3_column_double(st, k);
}

void shop_col_text(sqlite3_stmt *st, int k, char *buf, size_t n)
{
    const char *t = (const char *)sqlite3_column_text(st, k);
    tg_strlcpy(buf, t ? t : "", n);
}

int shop_fail(tg_shop *sh, tg_err *err, const char *context)
{
    sqlite3 *db = store_db(sh->s);
    if ((sqlite3_errcode(db) & 0xff) == SQLITE_CONSTRAINT)
        return tg_fail(err, TG_EDATA, "%s: %s", context, sqlite3_errmsg(db));
    return store_fail(sh->s, err, context);
}

int shop_cache_check(tg_shop *sh, tg_err *err)
{
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_DATA_VERSION);
    if (sqlite3_step(st) != SQLITE_ROW) {
        int rc = shop_fail(sh, err, "reading the data version");
        sqlite3_reset(st);
        return rc;
    }
    int64_t version = sqlite3_column_int64(st, 0);
    int64_t changes = store_changes(sh->s);
    sqlite3_reset(st);
    if (version != sh->seen_version || changes != sh->seen_changes) {
        memset(sh->rates, 0, sizeof sh->rates);
        sh->cust_id = 0;
        sh->latest_for = -1;
        sh->seen_version = version;
        sh->seen_changes = changes;
    }
    return TG_OK;
}

void shop_cache_keep(tg_shop *sh)
{
    for (int i = 0; i < SHOP_RATE_CACHE; i++)
        if (sh->rates[i].at > sh->now)
            memset(&sh->rates[i], 0, sizeof sh->rates[i]);
    if (sh->cust_at > sh->now)
        sh->cust_id = 0;
    sh->seen_changes = store_changes(sh->s);
}

void shop_cache_unrelated(tg_shop *sh, int64_t before, int64_t after)
{
    if (sh && sh->seen_changes == before)
        sh->seen_changes = after;
}

int shop_cache_mark(tg_shop *sh, tg_shop_mark *m, tg_err *err)
{
    int rc = shop_cache_check(sh, err);
    m->version = sh->seen_version;
    m->changes = sh->seen_changes;
    m->now = sh->now;
    store_file_of(sh->s, m->file);
    return rc;
}

/* 1 when s has the file open that the mark was taken on. */
static int on_marked_file(const tg_store *s, const tg_shop_mark *m)
{
    int64_t f[2];
    store_file_of(s, f);
    return f[0] == m->file[0] && f[1] == m->file[1];
}

void shop_cache_share(tg_shop *to, const tg_shop_mark *m,
                      const tg_shop *from)
{
    tg_err err = {0};
    if (shop_cache_check(to, &err) != TG_OK ||
        to->seen_version != m->version || to->seen_changes != m->changes ||
        to->now != m->now || from->now != m->now ||
        !on_marked_file(to->s, m) || !on_marked_file(from->s, m))
        return; /* the store moved on: `from` may have read other data */
    for (int i = 0; i < SHOP_RATE_CACHE; i++)
        if (from->rates[i].product_id)
            to->rates[i] = from->rates[i];
    if (from->cust_id) {
        to->cust = from->cust;
        to->cust_id = from->cust_id;
        to->cust_at = from->cust_at;
    }
    if (from->latest_for == m->now) {
        to->latest = from->latest;
        to->latest_for = from->latest_for;
    }
}

/* ---- opening ------------------------------------------------------------- */

static int load_sizes(tg_shop *sh, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(sh->s, SQL_SIZES, err);
    if (!st)
        return err && err->code ? err->code : TG_EINTERNAL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
           sh->n_sizes < SHOP_MAX_SIZE_ROWS) {
        shop_size *z = &sh->sizes[sh->n_sizes++];
        shop_col_text(st, 0, z->name, sizeof z->name);
        z->rank = sqlite3_column_int(st, 1);
        z->is_shoe = sqlite3_column_int(st, 2);
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? TG_OK
             : store_fail(sh->s, err, "reading the sizes");
    sqlite3_finalize(st);
    return rc;
}

tg_shop *shop_open(tg_store *s, int64_t now, tg_err *err)
{
    tg_shop *sh = calloc(1, sizeof *sh);
    if (!sh) {
        tg_fail(err, TG_EINTERNAL, "out of memory opening the shop");
        return NULL;
    }
    sh->s = s;
    sh->latest_for = -1;
    for (int k = 0; k < SHOP_NUM_Q; k++)
        if (!(sh->q[k] = store_prepare(s, shop_sql[k], err))) {
            shop_free(sh);
            return NULL;
        }
    if (load_sizes(sh, err) != TG_OK) {
        shop_free(sh);
        return NULL;
    }
    if (!now)
        now = store_count(s, SQL_DATA_END);
    sh->now = now ? now : (int64_t)time(NULL);
    return sh;
}

void shop_free(tg_shop *sh)
{
    if (!sh)
        return;
    for (int k = 0; k < SHOP_NUM_Q; k++)
        sqlite3_finalize(sh->q[k]);
    free(sh);
}

int64_t shop_now(const tg_shop *sh)
{
    return sh->now;
}

void shop_set_now(tg_shop *sh, int64_t now)
{
    sh->now = now;
    sh->latest_for = -1;
}

/* ---- sizes, products, trends -------------------------------------------- */

int shop_size_rank(const tg_shop *sh, const char *name, int *is_shoe)
{
    for (int i = 0; name && i < sh->n_sizes; i++)
        if (tg_strieq(sh->sizes[i].name, name)) {
            *is_shoe = sh->sizes[i].is_shoe;
            return sh->sizes[i].rank;
        }
    *is_shoe = 0;
    return -1;
}

/* Sorts p's sizes by rank, unknown sizes last, otherwise as listed. */
static void sort_sizes(const tg_shop *sh, shop_product *p)
{
    for (int i = 1; i < p->n_sizes; i++) {
        char name[8];
        memcpy(name, p->sizes[i], sizeof name);
        int shoe, r = shop_size_rank(sh, name, &shoe), j = i;
        for (; j > 0; j--) {
            int rj = shop_size_rank(sh, p->sizes[j - 1], &shoe);
            if (r < 0 || (rj >= 0 && rj <= r))
                break;
            memcpy(p->sizes[j], p->sizes[j - 1], sizeof name);
        }
        memcpy(p->sizes[j], name, sizeof name);
    }
}

/* Splits "XS|S|M" into p's sizes. */
static void split_sizes(const tg_shop *sh, const char *list, shop_product *p)
{
    p->n_sizes = 0;
    while (list && *list && p->n_sizes < TG_SHOP_MAX_SIZES) {
        size_t len = strcspn(list, "|");
        if (len > 0 && len < sizeof p->sizes[0]) {
            memcpy(p->sizes[p->n_sizes], list, len);
            p->sizes[p->n_sizes++][len] = '\0';
        }
        list += len + (list[len] == '|');
    }
    sort_sizes(sh, p);
}

int shop_row_by_id(tg_shop *sh, int q, int64_t id, const char *what,
                   sqlite3_stmt **row, tg_err *err)
{
    sqlite3_stmt *st = *row = shop_stmt(sh, q);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return TG_OK;
    if (rc == SQLITE_DONE)
        rc = tg_fail(err, TG_ENOINPUT, "no %s %lld", what, (long long)id);
    else
        rc = shop_fail(sh, err, what);
    sqlite3_reset(st);
    return rc;
}

int shop_read_product(tg_shop *sh, int64_t id, shop_product *p, tg_err *err)
{
    sqlite3_stmt *st;
    int rc = shop_row_by_id(sh, SHOP_Q_PRODUCT, id, "product", &st, err);
    if (rc != TG_OK)
        return rc;
    memset(p, 0, sizeof *p);
    p->id = id;
    shop_col_text(st, 0, p->code, sizeof p->code);
    shop_col_text(st, 1, p->name, sizeof p->name);
    shop_col_text(st, 2, p->brand, sizeof p->brand);
    p->category = sqlite3_column_int(st, 3);
    p->price = sqlite3_column_double(st, 4);
    p->fit_note = shop_col(st, 5);
    split_sizes(sh, (const char *)sqlite3_column_text(st, 6), p);
    p->launched_at = shop_col(st, 7);
    p->hashtag_id = sqlite3_column_int64(st, 8);
    shop_col_text(st, 9, p->hashtag, sizeof p->hashtag);
    sqlite3_reset(st);
    return TG_OK;
}

int shop_product_size(const shop_product *p, const char *size)
{
    for (int i = 0; size && i < p->n_sizes; i++)
        if (tg_strieq(p->sizes[i], size))
            return i;
    return -1;
}

int shop_read_trend(tg_shop *sh, int64_t hashtag_id, int64_t at,
                    shop_trend *t, tg_err *err)
{
    t->known = 0;
    t->views_24h = t->growth_24h = t->growth_7d = NAN;
    t->peak_at = t->first_at = t->captured_at = NAN;
    t->week = t->prev_week = t->best_week = NAN;
    if (!hashtag_id)
        return TG_OK;
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_TREND_AT);
    sqlite3_bind_int64(st, 1, hashtag_id);
    sqlite3_bind_int64(st, 2, at);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t->known = 1;
        t->views_24h = shop_col(st, 0);
        t->growth_24h = shop_col(st, 1);
        t->growth_7d = shop_col(st, 2);
        t->peak_at = shop_col(st, 3);
        t->first_at = shop_col(st, 4);
        t->captured_at = shop_col(st, 5);
        t->week = shop_col(st, 6);
        t->prev_week = shop_col(st, 7);
        t->best_week = shop_col(st, 8);
    }
    int code = rc == SQLITE_ROW || rc == SQLITE_DONE
                   ? TG_OK
                   : shop_fail(sh, err, "reading a trend");
    sqlite3_reset(st);
    return code;
}

int shop_trend_phase(const shop_trend *t, int64_t at)
{
    return features_trend_phase(t->views_24h, t->week, t->prev_week,
                                t->best_week,
                                ((double)at - t->captured_at) / 86400.0);
}

int shop_trend_latest(tg_shop *sh, int64_t *latest, tg_err *err)
{
    int rc = shop_cache_check(sh, err);
    if (rc != TG_OK)
        return rc;
    if (sh->latest_for != sh->now) {
        sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_TREND_LATEST);
        sqlite3_bind_int64(st, 1, sh->now);
        if (sqlite3_step(st) != SQLITE_ROW) {
            rc = shop_fail(sh, err, "reading the newest trend data");
            sqlite3_reset(st);
            return rc;
        }
        sh->latest = sqlite3_column_int64(st, 0); /* NULL: 0, none */
        sqlite3_reset(st);
        sh->latest_for = sh->now;
    }
    *latest = sh->latest;
    return TG_OK;
}

/* The category's size returns that arrived up to EST_CATEGORY_LAG_DAYS days
 * before at's day, as the training set's catcum reads them. */
static int category_fit(tg_shop *sh, int category, int64_t at, double *cs,
                        double *cl, tg_err *err)
{
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_CATEGORY_FIT);
    sqlite3_bind_int(st, 1, category);
    sqlite3_bind_int64(st, 2, at / 86400 - EST_CATEGORY_LAG_DAYS);
    if (sqlite3_step(st) != SQLITE_ROW) {
        int rc = shop_fail(sh, err, "reading a category's fit");
        sqlite3_reset(st);
        return rc;
    }
    *cs = (double)sqlite3_column_int64(st, 0);
    *cl = (double)sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return TG_OK;
}

/* p's facts at `at` from its history's counts (the smoothed rate, and
 * the fit with its category's), kept in the cache. */
static int facts_from(tg_shop *sh, const shop_product *p, int64_t at,
                      sqlite3_stmt *st, shop_rate *out, tg_err *err)
{
    /* (returns of matured lines + 0.3 x 10) / (matured lines + 10) */
    double lines = (double)sqlite3_column_int64(st, 1);
    double returns = (double)sqlite3_column_int64(st, 2);
    double small = (double)sqlite3_column_int64(st, 3);
    double large = (double)sqlite3_column_int64(st, 4);
    out->product_id = p->id;
    out->at = at;
    out->rate = (returns + 0.3 * 10.0) / (lines + 10.0);
    double cs = 0, cl = 0;
    int rc;
    if (p->category != TG_CAT_ACCESSORIES &&
        (rc = category_fit(sh, p->category, at, &cs, &cl, err)) != TG_OK)
        return rc;
    est_fit_judge(p->fit_note, small, large, cs, cl, &out->fit);
    if (p->category == TG_CAT_ACCESSORIES) /* one size: runs as it is */
        out->fit.learned = out->fit.runs = out->fit.lean = 0;
    sh->rates[(uint64_t)p->id % SHOP_RATE_CACHE] = *out;
    return TG_OK;
}

/* Takes the cached facts of ps into out (product_id 0 where there are
 * none) and writes the others' ids as a JSON array; how many. */
static int uncached(const tg_shop *sh, const shop_product *ps, int n,
                    int64_t at, shop_rate *out, char *ids)
{
    int k = 0;
    size_t len = 0;
    ids[len++] = '[';
    for (int i = 0; i < n; i++) {
        const shop_rate *c = &sh->rates[(uint64_t)ps[i].id % SHOP_RATE_CACHE];
        if (c->product_id == ps[i].id && c->at == at) {
            out[i] = *c;
            continue;
        }
        out[i].product_id = 0;
        len += (size_t)sprintf(ids + len, "%s%lld", k++ ? "," : "",
                               (long long)ps[i].id);
    }
    memcpy(ids + len, "]", 2);
    return k;
}

/* Reads the facts of the products the statement st lists into out. */
static int read_facts(tg_shop *sh, sqlite3_stmt *st, const shop_product *ps,
                      int n, int64_t at, shop_rate *out, tg_err *err)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        for (int i = 0; i < n; i++)
            if (ps[i].id == id && !out[i].product_id) {
                if ((rc = facts_from(sh, &ps[i], at, st, &out[i], err)) !=
                    TG_OK)
                    return rc;
                break;
            }
    }
    return rc == SQLITE_DONE ? TG_OK
                             : shop_fail(sh, err, "reading a product's history");
}

int shop_product_facts_many(tg_shop *sh, const shop_product *ps, int n,
                            int64_t at, shop_rate *out, tg_err *err)
{
    int rc = shop_cache_check(sh, err);
    char *ids = rc == TG_OK && n > 0 ? malloc((size_t)n * 21 + 2) : NULL;
    if (rc != TG_OK || n <= 0)
        return rc;
    if (!ids)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    if (uncached(sh, ps, n, at, out, ids) > 0) {
        sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_PRODUCT_HISTORY);
        sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, at);
        rc = read_facts(sh, st, ps, n, at, out, err);
        sqlite3_reset(st);
    }
    free(ids);
    return rc;
}

int shop_product_facts(tg_shop *sh, const shop_product *p, int64_t at,
                       shop_rate *out, tg_err *err)
{
    return shop_product_facts_many(sh, p, 1, at, out, err);
}

/* ---- personas ---------------------------------------------------------- */

int shop_persona(tg_shop *sh, int64_t customer_id, tg_persona *out,
                 tg_err *err)
{
    sqlite3_stmt *st;
    int rc = shop_row_by_id(sh, SHOP_Q_CUSTOMER, customer_id, "customer",
                            &st, err);
    if (rc != TG_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->id = customer_id;
    shop_col_text(st, 0, out->code, sizeof out->code);
    out->segment = sqlite3_column_type(st, 1) == SQLITE_NULL
                       ? TG_SEG_UNKNOWN
                       : sqlite3_column_int(st, 1);
    shop_col_text(st, 2, out->label, sizeof out->label);
    out->age_band = sqlite3_column_type(st, 5) == SQLITE_NULL
                        ? -1
                        : sqlite3_column_int(st, 5);
    out->lines = (long)sqlite3_column_int64(st, 7);
    out->returns = (long)sqlite3_column_int64(st, 8);
    sqlite3_reset(st);
    tg_size_estimate e;
    if ((rc = shop_size_estimate(sh, customer_id, 0, &e, err)) != TG_OK)
        return rc;
    tg_strlcpy(out->usual_size, e.size, sizeof out->usual_size);
    if ((rc = shop_size_estimate(sh, customer_id, 1, &e, err)) != TG_OK)
        return rc;
    tg_strlcpy(out->shoe_size, e.size, sizeof out->shoe_size);
    st = shop_stmt(sh, SHOP_Q_PERSONA_LINES);
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, sh->now);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
        rc = shop_fail(sh, err, "reading a customer's lines");
        sqlite3_reset(st);
        return rc;
    }
    out->lines += (long)sqlite3_column_int64(st, 0);
    out->returns += (long)sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    out->return_rate = out->lines > 0 ? (double)out->returns / out->lines
                                      : NAN;
    return TG_OK;
}

int shop_personas(tg_shop *sh, tg_persona *out, int n, int *got,
                  tg_err *err)
{
    *got = 0;
    if (n <= 0)
        return TG_OK;
    int64_t *ids = malloc((size_t)n * sizeof *ids);
    if (!ids)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int k = 0, rc;
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_PERSONA_RANK);
    sqlite3_bind_int64(st, 1, sh->now);
    sqlite3_bind_int(st, 2, n);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < n)
        ids[k++] = sqlite3_column_int64(st, 0);
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? TG_OK
             : shop_fail(sh, err, "ranking the customers");
    sqlite3_reset(st);
    for (int i = 0; rc == TG_OK && i < k; i++)
        if ((rc = shop_persona(sh, ids[i], &out[i], err)) == TG_OK)
            *got = i + 1;
    free(ids);
    return rc;
}

void shop_persona_line(const tg_persona *p, char *buf, size_t n)
{
    char size[24] = "", rate[32];
    if (p->usual_size[0])
        snprintf(size, sizeof size, ", size %s", p->usual_size);
    if (p->lines > 0)
        snprintf(rate, sizeof rate, ", returns %.0f%%",
                 100.0 * p->return_rate);
    else
        snprintf(rate, sizeof rate, ", no purchases yet");
    snprintf(buf, n, "%s%s%s", p->label[0] ? p->label : "unknown shopper",
             size, rate);
}
