/* ingest_rows.c: the TrendBuy file kinds (products, customers, trends,
 * purchases, returns, truth): their columns, their insert statements and
 * the validation of each row; the trend snapshots are in ingest_trends.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest_int.h"
#include "trendguard/features.h"

#define MAX_CODE 64
#define MAX_NAME 300

/* A code: product, customer, line, order or return id. */
static int code_field(ing *g, int k, const char **out)
{
    if (ing_text(g, k, 1, MAX_CODE, out) != 0)
        return -1;
    for (const char *p = *out; *p; p++)
        if (*p == ' ' || *p == '|')
            return ing_bad(g, k, "%s '%s' has a space or '|'", g->k->cols[k],
                           *out);
    return 0;
}

/* ---- products ----------------------------------------------------------- */

enum { P_ID, P_NAME, P_CATEGORY, P_PRICE, P_BRAND, P_FIT, P_SIZES, P_TAGS,
       P_LAUNCH };
static const char *const product_cols[] = {
    "product_id", "name", "category", "price", "brand", "fit_bias", "sizes",
    "tags", "launch_date", NULL};
static const char *const product_sql[] = {
    "INSERT INTO products(code, name, category, brand, price, fit_note,"
    " sizes, launched_at, source) VALUES(?,?,?,?,?,?,?,?,'trendbuy')"
    " ON CONFLICT(code) DO NOTHING",
    "INSERT OR IGNORE INTO product_tags(product_id, hashtag_id, rank)"
    " VALUES(?,?,?)",
    NULL};
static const char *const fit_names[] = {"runs_small", "true_to_size",
                                        "runs_large", "-1", "0", "1"};

/* Checks a '|'-separated size list and normalises it into buf. */
static int size_list(ing *g, int k, const char *v, char *buf, size_t n)
{
    if (!*v)
        v = "ONE";
    if (strlen(v) >= n)
        return ing_bad(g, k, "sizes is too long");
    char tmp[512];
    tg_strlcpy(tmp, v, sizeof tmp);
    buf[0] = '\0';
    char *save = NULL;
    for (char *t = strtok_r(tmp, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
        tg_trim(t);
        if (features_size_rank(t, NULL) < 0)
            return ing_bad(g, k, "size '%s' is not a known size (XS..XXL, "
                                 "34..46 or ONE)", t);
        size_t l = strlen(buf);
        snprintf(buf + l, n - l, "%s%s", l ? "|" : "", t);
    }
    if (!buf[0])
        return ing_bad(g, k, "sizes is empty");
    for (char *p = buf; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return 0;
}

static int product_row(ing *g, tg_err *err)
{
    const char *code, *name, *cat, *brand, *fit, *tags;
    double price;
    int64_t launch;
    int has_launch;
    char sizes[256];
    if (code_field(g, P_ID, &code) || ing_text(g, P_NAME, 1, MAX_NAME, &name) ||
        ing_choice(g, P_CATEGORY, 1, tg_category_names, TG_NUM_CATEGORIES,
                   NULL, &cat) ||
        ing_number(g, P_PRICE, 1, 0, 1e7, 0, &price) ||
        ing_text(g, P_BRAND, 0, MAX_NAME, &brand) ||
        ing_choice(g, P_FIT, 0, fit_names, 6, "", &fit) ||
        size_list(g, P_SIZES, ing_field(g, P_SIZES), sizes, sizeof sizes) ||
        ing_text(g, P_TAGS, 0, 1000, &tags) ||
        ing_time(g, P_LAUNCH, 0, &launch, &has_launch))
        return ROW_BAD;
    /* The column keeps its name: the shop's fit note, empty for none. */
    int note = strcmp(fit, "runs_small") == 0 || strcmp(fit, "-1") == 0   ? -1
               : strcmp(fit, "runs_large") == 0 || strcmp(fit, "1") == 0 ? 1
                                                                         : 0;
    /* Validate every tag before writing anything. */
    char tagbuf[1024], names[3][128];
    int ntags = 0;
    tg_strlcpy(tagbuf, tags, sizeof tagbuf);
    char *save = NULL;
    for (char *t = strtok_r(tagbuf, "|", &save); t;
         t = strtok_r(NULL, "|", &save)) {
        tg_trim(t);
        if (ntags == 3)
            return ing_bad(g, P_TAGS, "more than 3 tags"), ROW_BAD;
        if (ing_hashtag(g, P_TAGS, t, names[ntags], sizeof names[0]) != 0)
            return ROW_BAD;
        ntags++;
    }
    sqlite3_stmt *st = g->st[0];
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, cat, -1, SQLITE_STATIC);
    ing_bind_text(st, 4, brand);
    sqlite3_bind_double(st, 5, price);
    if (*fit)
        sqlite3_bind_int(st, 6, note);
    sqlite3_bind_text(st, 7, sizes, -1, SQLITE_TRANSIENT);
    if (has_launch)
        sqlite3_bind_int64(st, 8, launch);
    int rc = ing_step_insert(g, st, err);
    if (rc != ROW_OK)
        return rc;
    int64_t pid = sqlite3_last_insert_rowid(store_db(g->s));
    if (ing_cache_product(g, code, pid, sizes) != 0)
        return tg_fail(err, TG_EINTERNAL, "out of memory"), ROW_FAIL;
    for (int i = 0; i < ntags; i++) {
        int64_t hid = ing_hashtag_id(g, names[i], err);
        if (hid <= 0)
            return ROW_FAIL;
        sqlite3_bind_int64(g->st[1], 1, pid);
        sqlite3_bind_int64(g->st[1], 2, hid);
        sqlite3_bind_int(g->st[1], 3, i);
        if (ing_step_insert(g, g->st[1], err) == ROW_FAIL)
            return ROW_FAIL;
    }
    return ROW_OK;
}

/* TrendBuy's prices are in dollars (money.h). */
static int product_finish(ing *g, tg_err *err)
{
    return ing_claim_currency(g, "USD", "trendbuy", err);
}

static const char *const product_ident[] = {"product_id", "name", NULL};
static const ing_kind products_kind = {"products", "products.csv", product_cols, product_ident, 4, product_sql, product_row, product_finish, NULL};

/* ---- customers ------------------------------------------------------------ */

enum { C_ID, C_SEGMENT, C_SIZE, C_SHOE, C_AGE, C_GENDER, C_JOINED, C_COUNTRY,
       C_LINES, C_RETURNS };
static const char *const customer_cols[] = {
    "customer_id", "segment", "usual_size", "shoe_size", "age_band", "gender",
    "joined_date", "country", "lines_before", "returns_before", NULL};
static const char *const customer_sql[] = {
    "INSERT INTO customers(code, segment, usual_size, shoe_size, age_band,"
    " gender, joined_at, country, lines_before, returns_before)"
    " VALUES(?,?,?,?,?,?,?,?,?,?) ON CONFLICT(code) DO NOTHING",
    NULL};

static int customer_row(ing *g, tg_err *err)
{
    const char *code, *seg, *size, *shoe, *age, *gender, *country;
    int64_t joined, lines, rets;
    int has_joined;
    if (code_field(g, C_ID, &code) ||
        ing_choice(g, C_SEGMENT, 0, tg_segment_names, TG_NUM_SEGMENTS,
                   "unknown", &seg) ||
        ing_choice(g, C_SIZE, 0, tg_size_names, tg_num_sizes, NULL, &size) ||
        ing_text(g, C_SHOE, 0, 8, &shoe) ||
        ing_choice(g, C_AGE, 0, tg_age_band_names, TG_NUM_AGE_BANDS, NULL,
                   &age) ||
        ing_text(g, C_GENDER, 0, 16, &gender) ||
        ing_time(g, C_JOINED, 0, &joined, &has_joined) ||
        ing_text(g, C_COUNTRY, 0, 64, &country) ||
        ing_integer(g, C_LINES, 0, 0, 1000000, 0, &lines) ||
        ing_integer(g, C_RETURNS, 0, 0, 1000000, 0, &rets))
        return ROW_BAD;
    int is_shoe = 0;
    if (*shoe && (features_size_rank(shoe, &is_shoe) < 0 || !is_shoe))
        return ing_bad(g, C_SHOE, "shoe_size '%s' is not 34..46", shoe),
               ROW_BAD;
    if (rets > lines)
        return ing_bad(g, C_RETURNS, "returns_before %lld is more than "
                                     "lines_before %lld",
                       (long long)rets, (long long)lines),
               ROW_BAD;
    sqlite3_stmt *st = g->st[0];
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, seg, -1, SQLITE_STATIC);
    ing_bind_text(st, 3, size);
    ing_bind_text(st, 4, shoe);
    ing_bind_text(st, 5, age);
    ing_bind_text(st, 6, gender);
    if (has_joined)
        sqlite3_bind_int64(st, 7, joined);
    ing_bind_text(st, 8, country);
    sqlite3_bind_int64(st, 9, lines);
    sqlite3_bind_int64(st, 10, rets);
    int rc = ing_step_insert(g, st, err);
    if (rc == ROW_OK &&
        ing_cache_customer(g, code, sqlite3_last_insert_rowid(store_db(g->s))))
        return tg_fail(err, TG_EINTERNAL, "out of memory"), ROW_FAIL;
    return rc;
}

static const char *const customer_ident[] = {"customer_id", NULL};
static const ing_kind customers_kind = {"customers", "customers.csv", customer_cols, customer_ident, 1, customer_sql, customer_row, NULL, NULL};

/* ---- purchase lines ------------------------------------------------------------ */

enum { L_ID, L_ORDER, L_PRODUCT, L_PRICE, L_AT, L_CUSTOMER, L_SIZE, L_QTY,
       L_DISCOUNT, L_CHANNEL, L_MINUTES, L_PAYMENT, L_HASHTAG };
static const char *const purchase_cols[] = {
    "line_id",     "order_id",    "product_id",   "unit_price", "ordered_at",
    "customer_id", "size",        "quantity",     "discount_pct",
    "channel",     "view_minutes", "payment",     "ref_hashtag", NULL};
static const char *const purchase_sql[] = {
    "INSERT INTO purchases(line_code, order_code, customer_id, product_id,"
    " size, quantity, unit_price, discount_pct, ordered_at, channel,"
    " view_minutes, payment, ref_hashtag_id, source)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,'trendbuy')"
    " ON CONFLICT(line_code) DO NOTHING",
    NULL};
static const char *const payment_names[] = {"card", "paylater", "other"};

/* True when size is one of the '|'-separated sizes. */
static int offers_size(const char *sizes, const char *size)
{
    size_t n = strlen(size);
    for (const char *p = sizes; *p;) {
        const char *bar = strchr(p, '|');
        size_t l = bar ? (size_t)(bar - p) : strlen(p);
        if (l == n && strncasecmp(p, size, n) == 0)
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

static int purchase_row(ing *g, tg_err *err)
{
    const char *line, *order, *pcode, *ccode, *size, *channel, *payment, *tag;
    double price, discount, minutes;
    int64_t at, qty;
    char tagname[128];
    if (code_field(g, L_ID, &line) || code_field(g, L_ORDER, &order) ||
        code_field(g, L_PRODUCT, &pcode) ||
        ing_number(g, L_PRICE, 1, 0, 1e7, 0, &price) ||
        ing_time(g, L_AT, 1, &at, NULL) ||
        ing_text(g, L_CUSTOMER, 0, MAX_CODE, &ccode) ||
        ing_text(g, L_SIZE, 0, 8, &size) ||
        ing_integer(g, L_QTY, 0, 1, 10000, 1, &qty) ||
        ing_number(g, L_DISCOUNT, 0, 0, 99.99, 0, &discount) ||
        ing_choice(g, L_CHANNEL, 0, tg_channel_names, TG_NUM_CHANNELS, "web",
                   &channel) ||
        ing_number(g, L_MINUTES, 0, 0, 1e7, -1, &minutes) ||
        ing_choice(g, L_PAYMENT, 0, payment_names, 3, "card", &payment) ||
        ing_text(g, L_HASHTAG, 0, 128, &tag))
        return ROW_BAD;
    if (*tag && ing_hashtag(g, L_HASHTAG, tag, tagname, sizeof tagname))
        return ROW_BAD;
    const char *sizes = NULL;
    int64_t pid = ing_product_id(g, pcode, &sizes, err);
    if (pid < 0)
        return ROW_FAIL;
    if (pid == 0)
        return ing_bad(g, L_PRODUCT, "product_id '%s' is not a known product",
                       pcode), ROW_BAD;
    if (!*size) {
        if (!offers_size(sizes, "ONE"))
            return ing_bad(g, L_SIZE, "size is empty but %s comes in %s",
                           pcode, sizes), ROW_BAD;
        size = "ONE";
    } else if (!offers_size(sizes, size)) {
        return ing_bad(g, L_SIZE, "size '%s' is not offered for %s (%s)",
                       size, pcode, sizes), ROW_BAD;
    }
    int64_t cid = 0;
    if (*ccode) {
        cid = ing_customer_id(g, ccode, err);
        if (cid < 0)
            return ROW_FAIL;
        if (cid == 0)
            return ing_bad(g, L_CUSTOMER,
                           "customer_id '%s' is not a known customer", ccode),
                   ROW_BAD;
    }
    int64_t hid = 0;
    if (*tag && (hid = ing_hashtag_id(g, tagname, err)) <= 0)
        return ROW_FAIL;
    sqlite3_stmt *st = g->st[0];
    sqlite3_bind_text(st, 1, line, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, order, -1, SQLITE_TRANSIENT);
    if (cid)
        sqlite3_bind_int64(st, 3, cid);
    sqlite3_bind_int64(st, 4, pid);
    char upsize[16];
    tg_strlcpy(upsize, size, sizeof upsize);
    for (char *p = upsize; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    sqlite3_bind_text(st, 5, upsize, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 6, qty);
    sqlite3_bind_double(st, 7, price);
    sqlite3_bind_double(st, 8, discount);
    sqlite3_bind_int64(st, 9, at);
    sqlite3_bind_text(st, 10, channel, -1, SQLITE_STATIC);
    if (minutes >= 0)
        sqlite3_bind_double(st, 11, minutes);
    sqlite3_bind_text(st, 12, payment, -1, SQLITE_STATIC);
    if (hid)
        sqlite3_bind_int64(st, 13, hid);
    return ing_step_insert(g, st, err);
}

static const char *const purchase_ident[] = {"line_id", "order_id", NULL};
static const ing_kind purchases_kind = {"purchases", "purchases.csv", purchase_cols, purchase_ident, 5, purchase_sql, purchase_row, NULL, NULL};

/* ---- returns -------------------------------------------------------------------- */

enum { R_ID, R_LINE, R_AT, R_REASON, R_CONDITION, R_RESELL, R_QTY };
static const char *const return_cols[] = {
    "return_id", "line_id",    "returned_at", "reason",
    "condition", "resellable", "quantity",    NULL};
static const char *const return_sql[] = {
    "INSERT INTO returns(code, purchase_id, returned_at, quantity, reason,"
    " condition, resellable) VALUES(?,?,?,?,?,?,?)"
    " ON CONFLICT(code) DO NOTHING",
    "SELECT id, ordered_at, quantity FROM purchases WHERE line_code = ?",
    NULL};
static const char *const reason_names[] = {
    "too_small",    "too_large",     "not_as_pictured", "quality",
    "changed_mind", "late_delivery", "unknown"};
static const char *const condition_names[] = {"new", "worn", "damaged",
                                              "unknown"};
static const char *const yesno_names[] = {"1", "0", "yes", "no", "true",
                                          "false"};

static int return_row(ing *g, tg_err *err)
{
    const char *code, *line, *reason, *cond, *resell;
    int64_t at, qty;
    if (code_field(g, R_ID, &code) || code_field(g, R_LINE, &line) ||
        ing_time(g, R_AT, 1, &at, NULL) ||
        ing_choice(g, R_REASON, 0, reason_names, 7, "unknown", &reason) ||
        ing_choice(g, R_CONDITION, 0, condition_names, 4, "unknown", &cond) ||
        ing_choice(g, R_RESELL, 0, yesno_names, 6, "1", &resell) ||
        ing_integer(g, R_QTY, 0, 1, 10000, 1, &qty))
        return ROW_BAD;
    sqlite3_stmt *q = g->st[1];
    sqlite3_bind_text(q, 1, line, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    int64_t pid = 0, ordered = 0, bought = 0;
    if (rc == SQLITE_ROW) {
        pid = sqlite3_column_int64(q, 0);
        ordered = sqlite3_column_int64(q, 1);
        bought = sqlite3_column_int64(q, 2);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(g->s, err, "looking up a line"), ROW_FAIL;
    if (!pid)
        return ing_bad(g, R_LINE, "line_id '%s' is not a known purchase line",
                       line), ROW_BAD;
    if (at < ordered)
        return ing_bad(g, R_AT, "returned_at is before the line was ordered"),
               ROW_BAD;
    if (qty > bought)
        return ing_bad(g, R_QTY, "returns %lld but the line bought %lld",
                       (long long)qty, (long long)bought), ROW_BAD;
    int resellable = strcmp(resell, "1") == 0 || strcmp(resell, "yes") == 0 ||
                     strcmp(resell, "true") == 0;
    sqlite3_stmt *st = g->st[0];
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, pid);
    sqlite3_bind_int64(st, 3, at);
    sqlite3_bind_int64(st, 4, qty);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, cond, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, resellable);
    return ing_step_insert(g, st, err);
}

static const char *const return_ident[] = {"return_id", NULL};
static const ing_kind returns_kind = {"returns", "returns.csv", return_cols, return_ident, 3, return_sql, return_row, NULL, NULL};

/* ---- truth -------------------------------------------------------------------- */

enum { U_LINE, U_P, U_OFFSET };
static const char *const truth_cols[] = {"line_id", "p_return", "size_offset",
                                         NULL};
static const char *const truth_sql[] = {
    "INSERT INTO truth(purchase_id, p_return, size_offset)"
    " SELECT id, ?, ? FROM purchases WHERE line_code = ?"
    " ON CONFLICT(purchase_id) DO NOTHING",
    "SELECT 1 FROM purchases WHERE line_code = ?", NULL};

static int truth_row(ing *g, tg_err *err)
{
    const char *line;
    double p;
    int64_t off;
    if (code_field(g, U_LINE, &line) ||
        ing_number(g, U_P, 1, 0, 1, 0, &p) ||
        ing_integer(g, U_OFFSET, 0, -20, 20, 0, &off))
        return ROW_BAD;
    sqlite3_stmt *st = g->st[0];
    sqlite3_bind_double(st, 1, p);
    if (*ing_field(g, U_OFFSET))
        sqlite3_bind_int64(st, 2, off);
    sqlite3_bind_text(st, 3, line, -1, SQLITE_TRANSIENT);
    int rc = ing_step_insert(g, st, err);
    if (rc != ROW_DUP)
        return rc;
    /* Nothing inserted: already there, or no such line. */
    sqlite3_stmt *q = g->st[1];
    sqlite3_bind_text(q, 1, line, -1, SQLITE_TRANSIENT);
    int found = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_reset(q);
    if (!found)
        return ing_bad(g, U_LINE, "line_id '%s' is not a known purchase line",
                       line), ROW_BAD;
    return ROW_DUP;
}

static const char *const truth_ident[] = {"p_return", NULL};
static const ing_kind truth_kind = {"truth", "truth.csv", truth_cols, truth_ident, 2, truth_sql, truth_row, NULL, NULL};

const ing_kind *const ing_trendbuy_kinds[] = {
    &products_kind, &customers_kind, &ing_trends_kind,
    &purchases_kind, &returns_kind, &truth_kind};
const int ing_num_trendbuy_kinds = 6;
