/* test_ranges.c: every numeric field of every input format against its
 * documented range, generated from one table. Each field gets values just
 * outside, on and just inside its bounds, a fraction where a whole number
 * is due, text, NaN, infinities and an empty cell, each in a row that is
 * otherwise valid: out of range must be rejected naming the field, in
 * range must load. A second table lists the non-numeric columns; every
 * column a CSV loader knows must be in one of the two, so a new column
 * cannot be added without a range here. */
#include <math.h>

#include "testutil.h"
#include "core/ingest_int.h"
#include "trendguard/feed.h"
#include "trendguard/ingest.h"

#define GOOD "tests/fixtures/ingest/good"
#define COUNT_MAX 9007199254740991.0 /* 2^53 - 1 */

enum { F_CSV, F_RETAIL, F_FEED, F_SCRAPER };

/* The specification: what README.md says each field accepts. */
typedef struct field {
    int format;
    const char *kind, *col;
    int integer, required;
    double lo, hi;
    const char *also_bad; /* a value inside [lo, hi] refused all the same */
} field;

static const field numeric[] = {
    {F_CSV, "products", "price", 0, 1, 0, 1e7, NULL},
    {F_CSV, "customers", "lines_before", 1, 0, 0, 1e6, NULL},
    {F_CSV, "customers", "returns_before", 1, 0, 0, 1e6, NULL},
    {F_CSV, "trends", "views", 1, 1, 0, COUNT_MAX, NULL},
    {F_CSV, "trends", "likes", 1, 0, 0, COUNT_MAX, NULL},
    {F_CSV, "trends", "shares", 1, 0, 0, COUNT_MAX, NULL},
    {F_CSV, "trends", "comments", 1, 0, 0, COUNT_MAX, NULL},
    {F_CSV, "purchases", "unit_price", 0, 1, 0, 1e7, NULL},
    {F_CSV, "purchases", "quantity", 1, 0, 1, 10000, NULL},
    {F_CSV, "purchases", "discount_pct", 0, 0, 0, 99.99, NULL},
    {F_CSV, "purchases", "view_minutes", 0, 0, 0, 1e7, NULL},
    {F_CSV, "returns", "quantity", 1, 0, 1, 10000, NULL},
    {F_CSV, "truth", "p_return", 0, 1, 0, 1, NULL},
    {F_CSV, "truth", "size_offset", 1, 0, -20, 20, NULL},
    {F_RETAIL, "online-retail", "Quantity", 1, 1, -1e6, 1e6, "0"},
    {F_RETAIL, "online-retail", "UnitPrice", 0, 1, 0, 1e9, NULL},
    {F_RETAIL, "online-retail", "CustomerID", 1, 0, 1, 999999999, NULL},
    {F_FEED, "feed", "views", 1, 1, 0, COUNT_MAX, NULL},
    {F_FEED, "feed", "likes", 1, 0, 0, COUNT_MAX, NULL},
    {F_FEED, "feed", "shares", 1, 0, 0, COUNT_MAX, NULL},
    {F_FEED, "feed", "comments", 1, 0, 0, COUNT_MAX, NULL},
    {F_SCRAPER, "scraper", "playCount", 1, 1, 0, COUNT_MAX, NULL},
    {F_SCRAPER, "scraper", "diggCount", 1, 1, 0, COUNT_MAX, NULL},
    {F_SCRAPER, "scraper", "shareCount", 1, 1, 0, COUNT_MAX, NULL},
    {F_SCRAPER, "scraper", "commentCount", 1, 1, 0, COUNT_MAX, NULL},
};

/* Every other column of the CSV loaders: codes, text, times, choices. */
static const char *const not_numeric[] = {
    "products.product_id", "products.name", "products.category",
    "products.brand", "products.fit_bias", "products.sizes", "products.tags",
    "products.launch_date",
    "customers.customer_id", "customers.segment", "customers.usual_size",
    "customers.shoe_size", "customers.age_band", "customers.gender",
    "customers.joined_date", "customers.country",
    "trends.captured_at", "trends.hashtag", "trends.creator",
    "purchases.line_id", "purchases.order_id", "purchases.product_id",
    "purchases.ordered_at", "purchases.customer_id", "purchases.size",
    "purchases.channel", "purchases.payment", "purchases.ref_hashtag",
    "returns.return_id", "returns.line_id", "returns.returned_at",
    "returns.reason", "returns.condition", "returns.resellable",
    "truth.line_id",
    "online-retail.InvoiceNo", "online-retail.StockCode",
    "online-retail.Description", "online-retail.InvoiceDate",
    "online-retail.Country",
};

#define N_NUMERIC (sizeof numeric / sizeof *numeric)
#define N_TEXT (sizeof not_numeric / sizeof *not_numeric)

static int in_spec(const char *kind, const char *col)
{
    char name[128];
    snprintf(name, sizeof name, "%s.%s", kind, col);
    for (size_t i = 0; i < N_TEXT; i++)
        if (strcmp(not_numeric[i], name) == 0)
            return 1;
    for (size_t i = 0; i < N_NUMERIC; i++)
        if (strcmp(numeric[i].kind, kind) == 0 &&
            strcmp(numeric[i].col, col) == 0)
            return 1;
    return 0;
}

static void check_kind_covered(const ing_kind *k)
{
    for (int c = 0; k->cols[c]; c++)
        if (!in_spec(k->kind, k->cols[c]))
            fail_msg("%s.%s is in neither table of test_ranges.c: give it a "
                     "range or list it as not numeric", k->kind, k->cols[c]);
}

static void every_column_is_in_a_table(void **state)
{
    (void)state;
    for (int i = 0; i < ing_num_trendbuy_kinds; i++)
        check_kind_covered(ing_trendbuy_kinds[i]);
    check_kind_covered(&ing_retail_kind);
}

/* ---- the values tried ----------------------------------------------------- */

typedef struct probe {
    char text[64];
    int ok; /* 1: must load, 0: must be refused naming the field */
} probe;

static void num_text(char *buf, size_t n, double v, int integer)
{
    if (integer)
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.2f", v);
}

/* The values tried for f: returns how many. */
static int probes(const field *f, probe *p)
{
    int n = 0;
    double step = f->integer ? 1 : 0.01;
    /* 2^53 - 1 + 1 is exact; 1e7 + 0.01 prints exactly with %.2f. */
    num_text(p[n].text, sizeof p[n].text, f->lo - step, f->integer);
    p[n++].ok = 0;
    num_text(p[n].text, sizeof p[n].text, f->lo, f->integer);
    p[n++].ok = 1;
    num_text(p[n].text, sizeof p[n].text, f->lo + step, f->integer);
    p[n++].ok = 1;
    num_text(p[n].text, sizeof p[n].text, f->hi, f->integer);
    p[n++].ok = 1;
    num_text(p[n].text, sizeof p[n].text, f->hi + step, f->integer);
    p[n++].ok = 0;
    static const char *const bad[] = {"abc", "nan", "inf", "-inf", "1e999",
                                      "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(p[n].text, sizeof p[n].text, "%s", bad[i]);
        p[n++].ok = 0;
    }
    if (f->integer) {
        snprintf(p[n].text, sizeof p[n].text, "%.1f", f->lo + 1.5);
        p[n++].ok = 0;
    }
    if (f->also_bad) {
        snprintf(p[n].text, sizeof p[n].text, "%s", f->also_bad);
        p[n++].ok = 0;
    }
    p[n].text[0] = '\0'; /* empty */
    p[n++].ok = !f->required;
    return n;
}

/* ---- CSV: one file per value, on a store holding the good fixture ---------- */

/* TrendBuy rows go to a store holding the good fixture, Online Retail rows
 * (pounds) to one of their own: a store keeps one currency (money.h). */
typedef struct fx {
    char dir[256];
    tg_store *s, *retail;
    int seq;
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    tu_tmpdir(f->dir, sizeof f->dir);
    f->s = tu_store(f->dir, "t.db");
    f->retail = tu_store(f->dir, "retail.db");
    tg_ingest_opts o = {0};
    char *paths[] = {(char *)GOOD};
    long rejected = 0;
    tg_err err = {0};
    if (ingest_paths(f->s, paths, 1, &o, &rejected, &err) != TG_OK ||
        rejected)
        fail_msg("loading the good fixture: %s", err.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    store_close(f->s);
    store_close(f->retail);
    tu_rmrf(f->dir);
    free(f);
    return 0;
}

/* Writes text to a new file in the fixture's folder; path into buf. */
static const char *write_file(fx *f, const char *text, char *buf, size_t n)
{
    snprintf(buf, n, "%s/f%04d.csv", f->dir, f->seq++);
    FILE *fp = fopen(buf, "w");
    if (!fp || fputs(text, fp) < 0 || fclose(fp) != 0)
        fail_msg("cannot write %s", buf);
    return buf;
}

static void ingest_text(fx *f, const char *text, int format,
                        tg_ingest_result *r, char *path, size_t n)
{
    tg_ingest_opts o = {.format = format};
    tg_err err = {0};
    write_file(f, text, path, n);
    tg_store *s = format == INGEST_ONLINE_RETAIL ? f->retail : f->s;
    if (ingest_file(s, path, &o, r, &err) != TG_OK)
        fail_msg("ingest of %s failed: %s", path, err.msg);
}

/* A fresh purchase line, for a return or a truth row to refer to. */
static void fresh_line(fx *f, char *code, size_t n)
{
    char text[512], path[300];
    snprintf(code, n, "LZ%05d", f->seq);
    snprintf(text, sizeof text,
             "line_id,order_id,customer_id,product_id,size,quantity,"
             "unit_price,ordered_at,channel\n"
             "%s,OZ%05d,C000001,P000001,S,10000,39.99,2026-06-02T10:00:00Z,web\n",
             code, f->seq);
    tg_ingest_result r;
    ingest_text(f, text, INGEST_TRENDBUY, &r, path, sizeof path);
    if (r.loaded != 1)
        fail_msg("the fresh line %s did not load", code);
}

/* snprintf that fails the test when the text does not fit. */
static void put(char *out, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= n)
        fail_msg("a test row does not fit its buffer");
}

/* One valid row of f's kind with f's field set to v; the header into hdr. */
static void csv_row(fx *f, const field *fd, const char *v, char *out,
                    size_t n)
{
    int id = f->seq;
    char line[32];
    const char *k = fd->kind, *c = fd->col;
#define V(col, dflt) (strcmp(c, col) == 0 ? v : (dflt))
    if (strcmp(k, "products") == 0)
        put(out, n, "product_id,name,category,price,sizes\n"
                         "PZ%05d,Test Dress,dresses,%s,S|M\n", id,
                 V("price", "10"));
    else if (strcmp(k, "customers") == 0)
        put(out, n, "customer_id,segment,lines_before,returns_before\n"
                         "CZ%05d,casual,%s,%s\n", id,
                 V("lines_before", strcmp(c, "returns_before") == 0
                                       ? "1000000" : "5"),
                 V("returns_before", "0"));
    else if (strcmp(k, "trends") == 0)
        put(out, n, "captured_at,hashtag,views,likes,shares,comments\n"
                         "2026-05-01T00:00:00Z,probe%05d,%s,%s,%s,%s\n", id,
                 V("views", "100"), V("likes", "1"), V("shares", "1"),
                 V("comments", "1"));
    else if (strcmp(k, "purchases") == 0)
        put(out, n, "line_id,order_id,customer_id,product_id,size,"
                         "quantity,unit_price,discount_pct,ordered_at,"
                         "channel,view_minutes\n"
                         "LY%05d,OY%05d,C000001,P000001,S,%s,%s,%s,"
                         "2026-06-02T10:00:00Z,web,%s\n", id, id,
                 V("quantity", "1"), V("unit_price", "39.99"),
                 V("discount_pct", "0"), V("view_minutes", "2"));
    else if (strcmp(k, "returns") == 0) {
        fresh_line(f, line, sizeof line);
        put(out, n, "return_id,line_id,returned_at,reason,quantity\n"
                         "RZ%05d,%s,2026-06-05T10:00:00Z,too_small,%s\n",
                 id, line, V("quantity", "1"));
    } else if (strcmp(k, "truth") == 0) {
        fresh_line(f, line, sizeof line);
        put(out, n, "line_id,p_return,size_offset\n%s,%s,%s\n", line,
            V("p_return", "0.5"), V("size_offset", "0"));
    } else {
        /* Online Retail: a cancellation for a negative quantity, matched
         * to the purchase of the same stock on the line before. */
        const char *q = V("Quantity", "2");
        int cancel = q[0] == '-';
        put(out, n, "InvoiceNo,StockCode,Description,Quantity,"
                         "InvoiceDate,UnitPrice,CustomerID,Country\n"
                         "%s%06d,Z%05d,PROBE,%s,2011-01-03 10:00,%s,%s,UK\n",
                 cancel ? "C" : "", 500000 + id, id, q,
                 V("UnitPrice", "1.25"), V("CustomerID", "17850"));
        if (cancel) { /* put the purchase first, same stock and customer */
            char tmp[1024];
            put(tmp, sizeof tmp, "%s", strchr(out, '\n') + 1);
            put(out, n, "InvoiceNo,StockCode,Description,Quantity,"
                             "InvoiceDate,UnitPrice,CustomerID,Country\n"
                             "%06d,Z%05d,PROBE,1000000,2011-01-02 10:00,1.25,"
                             "17850,UK\n%s", 400000 + id, id, tmp);
        }
    }
#undef V
}

static long rejects_naming(tg_store *s, const char *path, const char *col)
{
    return (long)tu_int(s, "SELECT count(*) FROM rejects WHERE file = "
                              "'%s' AND column_name = '%s'", path, col);
}

static int probe_csv_field(fx *f, const field *fd)
{
    probe p[20];
    int n = probes(fd, p);
    for (int i = 0; i < n; i++) {
        char text[2048], path[300];
        csv_row(f, fd, p[i].text, text, sizeof text);
        tg_ingest_result r;
        ingest_text(f, text, fd->format == F_RETAIL ? INGEST_ONLINE_RETAIL
                                                    : INGEST_TRENDBUY,
                    &r, path, sizeof path);
        long named = rejects_naming(fd->format == F_RETAIL ? f->retail
                                                           : f->s,
                                    path, fd->col);
        if (p[i].ok && (named || r.rejected))
            fail_msg("%s.%s = '%s' is in range but was refused (%ld rejects)",
                     fd->kind, fd->col, p[i].text, r.rejected);
        if (p[i].ok && r.loaded < 1)
            fail_msg("%s.%s = '%s' is in range but nothing loaded", fd->kind,
                     fd->col, p[i].text);
        if (!p[i].ok && named != 1)
            fail_msg("%s.%s = '%s' is out of range but was not refused "
                     "naming the field (%ld loaded)", fd->kind, fd->col,
                     p[i].text, r.loaded);
    }
    return n;
}

static void csv_fields_hold_their_ranges(void **state)
{
    fx *f = *state;
    int tried = 0, values = 0;
    for (size_t i = 0; i < N_NUMERIC; i++)
        if (numeric[i].format == F_CSV || numeric[i].format == F_RETAIL) {
            values += probe_csv_field(f, &numeric[i]);
            tried++;
        }
    print_message("%d CSV fields, %d values\n", tried, values);
    assert_int_equal(tried, 17);
}

/* ---- feeds ------------------------------------------------------------------- */

static void feed_doc(const field *fd, const char *v, char *out, size_t n)
{
    const char *c = fd->col;
    char val[80];
    snprintf(val, sizeof val, "%s", *v ? v : "null");
#define V(col, dflt) (strcmp(c, col) == 0 ? val : (dflt))
    if (fd->format == F_FEED)
        snprintf(out, n, "{\"format\":\"trendguard-feed\",\"version\":1,"
                         "\"snapshots\":[{\"hashtag\":\"x\",\"captured_at\":"
                         "\"2025-01-01T00:00:00Z\",\"views\":%s,\"likes\":%s,"
                         "\"shares\":%s,\"comments\":%s}]}",
                 V("views", "10"), V("likes", "1"), V("shares", "1"),
                 V("comments", "1"));
    else
        snprintf(out, n, "{\"collector\":[{\"id\":\"1\",\"createTime\":"
                         "1735689600,\"playCount\":%s,\"diggCount\":%s,"
                         "\"shareCount\":%s,\"commentCount\":%s,"
                         "\"authorMeta\":{\"name\":\"a\"},\"hashtags\":"
                         "[{\"name\":\"x\"}]}]}",
                 V("playCount", "10"), V("diggCount", "1"),
                 V("shareCount", "1"), V("commentCount", "1"));
#undef V
}

static void probe_feed_field(const field *fd)
{
    probe p[20];
    int n = probes(fd, p);
    for (int i = 0; i < n; i++) {
        /* JSON has no NaN, Infinity or hex: those are text in a string. */
        char v[80], doc[1024];
        const char *t = p[i].text;
        int word = strcmp(t, "abc") == 0 || strcmp(t, "nan") == 0 ||
                   strstr(t, "inf") != NULL || strncmp(t, "0x", 2) == 0;
        snprintf(v, sizeof v, word ? "\"%s\"" : "%s", t);
        feed_doc(fd, v, doc, sizeof doc);
        tg_err err = {0};
        tg_feed_doc *d = feed_parse(doc, strlen(doc), FEED_AUTO, 1767225600,
                                    0, &err);
        if (!d)
            fail_msg("%s.%s = %s: the document was refused: %s", fd->kind,
                     fd->col, v, err.msg);
        int named = d->nrejects == 1 && strstr(d->rejects[0].field, fd->col);
        if (p[i].ok && d->nrejects)
            fail_msg("%s.%s = %s is in range but was refused: %s", fd->kind,
                     fd->col, v, d->rejects[0].reason);
        if (!p[i].ok && !named)
            fail_msg("%s.%s = %s is out of range but was not refused naming "
                     "the field", fd->kind, fd->col, v);
        feed_doc_free(d);
    }
}

static void feed_fields_hold_their_ranges(void **state)
{
    (void)state;
    int tried = 0;
    for (size_t i = 0; i < N_NUMERIC; i++)
        if (numeric[i].format == F_FEED || numeric[i].format == F_SCRAPER) {
            probe_feed_field(&numeric[i]);
            tried++;
        }
    assert_int_equal(tried, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_column_is_in_a_table),
        cmocka_unit_test_setup_teardown(csv_fields_hold_their_ranges, setup,
                                        teardown),
        cmocka_unit_test(feed_fields_hold_their_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
