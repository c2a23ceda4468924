/* ingest_retail.c: loads the UCI Online Retail layout (InvoiceNo, StockCode,
 * Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country).
 * Positive lines are purchases (anonymous without a CustomerID); 'C'
 * invoices with a negative quantity are returns, matched to the customer's
 * latest earlier purchase of the same StockCode; everything else is
 * rejected with its reason, so every input line is accounted for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"

enum { O_INVOICE, O_STOCK, O_QTY, O_DATE, O_PRICE, O_DESC, O_CUSTOMER,
       O_COUNTRY };
static const char *const retail_cols[] = {
    "InvoiceNo", "StockCode", "Quantity",   "InvoiceDate",
    "UnitPrice", "Description", "CustomerID", "Country", NULL};
static const char *const retail_sql[] = {
    "INSERT INTO products(code, name, category, price, sizes, launched_at,"
    " source) VALUES(?, ?, 'other', ?, 'ONE', NULL, 'online-retail')",
    "INSERT INTO customers(code, segment, country) VALUES(?, 'unknown', ?)",
    "INSERT INTO purchases(line_code, order_code, customer_id, product_id,"
    " size, quantity, unit_price, discount_pct, ordered_at, channel,"
    " payment, source) VALUES(?,?,?,?,'ONE',?,?,0,?,'web','card',"
    " 'online-retail') ON CONFLICT(line_code) DO NOTHING",
    /* The customer's latest earlier purchase of the item that still has
     * enough quantity not yet returned; failing that, the latest one. */
    "SELECT p.id, p.quantity - COALESCE((SELECT SUM(r.quantity) FROM returns r"
    "  WHERE r.purchase_id = p.id), 0) AS remaining"
    " FROM purchases p WHERE p.customer_id = ? AND p.product_id = ?"
    "  AND p.ordered_at <= ?"
    " ORDER BY remaining >= ? DESC, p.ordered_at DESC, p.id DESC LIMIT 1",
    "INSERT INTO returns(code, purchase_id, returned_at, quantity, reason,"
    " condition, resellable) VALUES(?,?,?,?,'unknown','unknown',1)"
    " ON CONFLICT(code) DO NOTHING",
    NULL};

/* Postage, fees and manual adjustments in this data set are not goods. */
static const char *const not_goods[] = {
    "POST", "DOT", "M", "D", "C2", "S", "CRUK", "BANK CHARGES", "AMAZONFEE",
    "PADS", "B", "ADJUST", "ADJUST2", "TEST001", "TEST002", NULL};

typedef struct deferred {
    long line;
    char *raw;
    size_t raw_len;
    char *invoice, *stock, *customer, *code;
    int64_t at, qty;
} deferred;

typedef struct retail {
    idmap seen;        /* invoice/stock -> occurrences, for line ids */
    deferred *ret;
    size_t nret, capret;
} retail;

static retail *state(ing *g)
{
    if (!g->extra)
        g->extra = calloc(1, sizeof(retail));
    return g->extra;
}

static void retail_free(ing *g)
{
    retail *rs = g->extra;
    if (!rs)
        return;
    for (size_t i = 0; i < rs->nret; i++) {
        deferred *d = &rs->ret[i];
        free(d->raw);
        free(d->invoice);
        free(d->stock);
        free(d->customer);
        free(d->code);
    }
    free(rs->ret);
    idmap_free(&rs->seen);
    free(rs);
    g->extra = NULL;
}

/* "12923.0" -> "12923": ids exported as floats. */
static int customer_code(ing *g, const char *v, char *buf, size_t n)
{
    int64_t id;
    buf[0] = '\0';
    if (!*v)
        return 0; /* an anonymous purchase */
    if (ing_integer(g, O_CUSTOMER, 0, 1, 999999999, 0, &id) != 0)
        return -1;
    snprintf(buf, n, "%lld", (long long)id);
    return 0;
}

/* A stable id for the line: invoice, stock code and its occurrence. */
static int line_code(retail *rs, const char *invoice, const char *stock,
                     char *buf, size_t n)
{
    char key[160];
    snprintf(key, sizeof key, "%s|%s", invoice, stock);
    idmap_entry *e = idmap_get(&rs->seen, key);
    if (!e && !(e = idmap_put(&rs->seen, key, 0, NULL)))
        return -1;
    e->id++;
    snprintf(buf, n, "OR-%s-%s-%lld", invoice, stock, (long long)e->id);
    return 0;
}

static int64_t product_for(ing *g, const char *stock, const char *desc,
                           double price, tg_err *err)
{
    int64_t pid = ing_product_id(g, stock, NULL, err);
    if (pid != 0)
        return pid;
    sqlite3_stmt *st = g->st[0];
    sqlite3_bind_text(st, 1, stock, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, *desc ? desc : stock, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 3, price);
    if (ing_step_insert(g, st, err) != ROW_OK)
        return -1;
    pid = sqlite3_last_insert_rowid(store_db(g->s));
    if (ing_cache_product(g, stock, pid, "ONE") != 0)
        return tg_fail(err, TG_EINTERNAL, "out of memory"), -1;
    return pid;
}

static int64_t customer_for(ing *g, const char *code, const char *country,
                            tg_err *err)
{
    int64_t cid = ing_customer_id(g, code, err);
    if (cid != 0)
        return cid;
    sqlite3_stmt *st = g->st[1];
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    ing_bind_text(st, 2, country);
    if (ing_step_insert(g, st, err) != ROW_OK)
        return -1;
    cid = sqlite3_last_insert_rowid(store_db(g->s));
    if (ing_cache_customer(g, code, cid) != 0)
        return tg_fail(err, TG_EINTERNAL, "out of memory"), -1;
    return cid;
}

static int defer_return(ing *g, retail *rs, const char *invoice,
                        const char *stock, const char *customer,
                        const char *code, int64_t at, int64_t qty)
{
    if (rs->nret == rs->capret) {
        size_t nc = rs->capret ? rs->capret * 2 : 64;
        deferred *nv = realloc(rs->ret, nc * sizeof *nv);
        if (!nv)
            return -1;
        rs->ret = nv;
        rs->capret = nc;
    }
    deferred *d = &rs->ret[rs->nret];
    size_t rl;
    const char *raw = csv_raw(g->csv, &rl);
    d->line = csv_line(g->csv);
    d->raw = tg_strndup(raw, rl);
    d->raw_len = rl;
    d->invoice = tg_strdup(invoice);
    d->stock = tg_strdup(stock);
    d->customer = tg_strdup(customer);
    d->code = tg_strdup(code);
    d->at = at;
    d->qty = qty;
    rs->nret++;
    if (!d->raw || !d->invoice || !d->stock || !d->customer || !d->code)
        return -1;
    return 0;
}

static int retail_row(ing *g, tg_err *err)
{
    retail *rs = state(g);
    if (!rs)
        return tg_fail(err, TG_EINTERNAL, "out of memory"), ROW_FAIL;
    const char *invoice, *stock, *desc, *country;
    int64_t qty, at;
    double price;
    char cust[32] = "";
    if (ing_text(g, O_INVOICE, 1, 32, &invoice) ||
        ing_text(g, O_STOCK, 1, 40, &stock) ||
        ing_integer(g, O_QTY, 1, -1000000, 1000000, 0, &qty) ||
        ing_time(g, O_DATE, 1, &at, NULL) ||
        ing_number(g, O_PRICE, 1, -1e9, 1e9, 0, &price) ||
        ing_text(g, O_DESC, 0, 300, &desc) ||
        customer_code(g, ing_field(g, O_CUSTOMER), cust, sizeof cust) ||
        ing_text(g, O_COUNTRY, 0, 64, &country))
        return ROW_BAD;
    for (int i = 0; not_goods[i]; i++)
        if (strcmp(stock, not_goods[i]) == 0)
            return ing_bad(g, O_STOCK, "StockCode '%s' is postage, a fee or a "
                                       "manual adjustment, not goods", stock),
                   ROW_BAD;
    if (qty == 0)
        return ing_bad(g, O_QTY, "Quantity is 0"), ROW_BAD;
    if (price < 0)
        return ing_bad(g, O_PRICE, "UnitPrice %.2f is negative (a bad-debt "
                                   "adjustment)", price), ROW_BAD;
    int cancel = invoice[0] == 'C' || invoice[0] == 'c';
    if (cancel && qty > 0)
        return ing_bad(g, O_QTY, "cancellation %s has a positive Quantity",
                       invoice), ROW_BAD;
    if (!cancel && qty < 0)
        return ing_bad(g, O_QTY, "negative Quantity on invoice %s, which is "
                                 "not a cancellation (a stock adjustment)",
                       invoice), ROW_BAD;
    char code[160];
    if (line_code(rs, invoice, stock, code, sizeof code) != 0)
        return tg_fail(err, TG_EINTERNAL, "out of memory"), ROW_FAIL;
    if (cancel) {
        if (!cust[0])
            return ing_bad(g, O_CUSTOMER, "cancellation without a CustomerID "
                                          "cannot be matched to a purchase"),
                   ROW_BAD;
        /* Matched after every purchase in the file is in. */
        if (defer_return(g, rs, invoice, stock, cust, code, at, -qty) != 0)
            return tg_fail(err, TG_EINTERNAL, "out of memory"), ROW_FAIL;
        return ROW_OK;
    }
    int64_t pid = product_for(g, stock, desc, price, err);
    int64_t cid = cust[0] ? customer_for(g, cust, country, err) : 0;
    if (pid < 0 || cid < 0)
        return ROW_FAIL;
    sqlite3_stmt *st = g->st[2];
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, invoice, -1, SQLITE_TRANSIENT);
    if (cid)
        sqlite3_bind_int64(st, 3, cid);
    sqlite3_bind_int64(st, 4, pid);
    sqlite3_bind_int64(st, 5, qty);
    sqlite3_bind_double(st, 6, price);
    sqlite3_bind_int64(st, 7, at);
    int rc = ing_step_insert(g, st, err);
    if (rc == ROW_OK)
        g->r->purchases++;
    return rc;
}

static int cmp_deferred(const void *a, const void *b)
{
    const deferred *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Matches one cancellation line; ROW_BAD with g->why when it cannot. */
static int match_return(ing *g, deferred *d, tg_err *err)
{
    int64_t cid = ing_customer_id(g, d->customer, err);
    int64_t pid = cid > 0 ? ing_product_id(g, d->stock, NULL, err) : cid;
    if (cid < 0 || pid < 0)
        return ROW_FAIL;
    if (cid == 0 || pid == 0)
        return ing_bad(g, -1, "no earlier purchase of %s by customer %s to "
                              "match this cancellation", d->stock,
                       d->customer), ROW_BAD;
    sqlite3_stmt *q = g->st[3];
    sqlite3_bind_int64(q, 1, cid);
    sqlite3_bind_int64(q, 2, pid);
    sqlite3_bind_int64(q, 3, d->at);
    sqlite3_bind_int64(q, 4, d->qty);
    int rc = sqlite3_step(q);
    int64_t line = 0, remaining = 0;
    if (rc == SQLITE_ROW) {
        line = sqlite3_column_int64(q, 0);
        remaining = sqlite3_column_int64(q, 1);
    }
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(g->s, err, "matching a return"), ROW_FAIL;
    if (!line)
        return ing_bad(g, -1, "no earlier purchase of %s by customer %s to "
                              "match this cancellation", d->stock,
                       d->customer), ROW_BAD;
    if (remaining < d->qty)
        return ing_bad(g, O_QTY, "returns %lld of %s but only %lld of the "
                                 "customer's earlier purchase is not yet "
                                 "returned", (long long)d->qty, d->stock,
                       (long long)remaining), ROW_BAD;
    sqlite3_stmt *st = g->st[4];
    sqlite3_bind_text(st, 1, d->code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, line);
    sqlite3_bind_int64(st, 3, d->at);
    sqlite3_bind_int64(st, 4, d->qty);
    return ing_step_insert(g, st, err);
}

static int retail_finish(ing *g, tg_err *err)
{
    retail *rs = g->extra;
    int rc = 0;
    if (rs) {
        if (rs->nret) /* qsort wants a valid array even for none */
            qsort(rs->ret, rs->nret, sizeof *rs->ret, cmp_deferred);
        for (size_t i = 0; i < rs->nret && rc == 0; i++) {
            deferred *d = &rs->ret[i];
            int res = match_return(g, d, err);
            if (res == ROW_FAIL) {
                rc = -1;
            } else if (res == ROW_OK) {
                g->r->returns++;
            } else if (res == ROW_DUP) {
                g->r->loaded--, g->r->duplicates++;
            } else {
                /* Counted as loaded when deferred; it is a reject now. */
                g->r->loaded--;
                if (ing_reject_row(g, d->line, g->bad_col, g->why, d->raw,
                                   d->raw_len) != 0) {
                    tg_fail(err, TG_EINTERNAL, "out of memory");
                    rc = -1;
                }
            }
        }
    }
    retail_free(g);
    /* A UK retailer: its prices are in pounds (money.h). */
    if (rc == 0)
        rc = ing_claim_currency(g, "GBP", "online-retail", err);
    return rc;
}

static const char *const retail_ident[] = {"InvoiceNo", "StockCode", NULL};
const ing_kind ing_retail_kind = {"online-retail", "online_retail.csv",
                                  retail_cols,     retail_ident, 5,
                                  retail_sql,      retail_row,
                                  retail_finish,   retail_free};
