/* test_ingest.c: loading TrendBuy and Online Retail CSVs: validation and
 * rejects, idempotence, one transaction per file, --strict, and the
 * accounting of every Online Retail line. */
#include "testutil.h"

#include "trendguard/ingest.h"

#define GOOD "tests/fixtures/ingest/good"
#define BAD "tests/fixtures/ingest/bad"
#define RETAIL "../shared/datasets/online_retail_sample.csv"

typedef struct fixture {
    char dir[256];
    tg_store *s;
    int warnings;
    char last_warning[512];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tu_tmpdir(f->dir, sizeof f->dir);
    f->s = tu_store(f->dir, "t.db");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->s);
    tu_rmrf(f->dir);
    free(f);
    return 0;
}

static void on_warn(void *ud, const char *path, const char *msg)
{
    fixture *f = ud;
    (void)path;
    f->warnings++;
    tg_strlcpy(f->last_warning, msg, sizeof f->last_warning);
}

static int load(fixture *f, const char *path, int format, int strict,
                tg_ingest_result *r, tg_err *err)
{
    tg_ingest_opts o = {.format = format, .strict = strict, .warn = on_warn,
                        .ud = f};
    return ingest_file(f->s, path, &o, r, err);
}

/* Writes text to the fixture's folder as name and loads it. */
static int load_written(fixture *f, const char *name, const char *text,
                        tg_ingest_result *r, tg_err *err)
{
    char path[512];
    tu_write(f->dir, name, text);
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    return load(f, path, INGEST_TRENDBUY, 0, r, err);
}

static long load_dir(fixture *f, const char *dir)
{
    tg_ingest_opts o = {.warn = on_warn, .ud = f};
    char *paths[] = {(char *)dir};
    long rejected = -1;
    tg_err err = {0};
    int rc = ingest_paths(f->s, paths, 1, &o, &rejected, &err);
    if (rc != TG_OK)
        fail_msg("ingest_paths: %s", err.msg);
    return rejected;
}

/* A count written with a fraction is whole only when every digit after
 * the point is 0: never what a double rounds it to. */
static void whole_numbers_are_read_from_the_text(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int whole;
    } cases[] = {
        {"12", 1}, {"12.0", 1}, {"-3.000", 1}, {"+7.0", 1}, {"1e3", 1},
        {"1.5e1", 1}, {"1200e-2", 1}, {"12.5", 0}, {"1.25e1", 0},
        {"4503599627370497.5", 0}, {"0.99999999999999999999", 0},
        {"+4503599627370497.5", 0}, {"1e-400", 0}, {"0.0", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (tg_literal_whole(cases[i].s, strlen(cases[i].s)) !=
            cases[i].whole)
            fail_msg("tg_literal_whole(%s) should be %d", cases[i].s,
                     cases[i].whole);
}

static void loads_every_good_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_dir(f, GOOD), 0);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM products"), 4);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM customers"), 3);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM trend_snapshots"), 8);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM purchases"), 6);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM returns"), 2);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM truth"), 6);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects"), 0);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM ingest_files"), 6);
    /* Values as cleaned: fit note coded, sizes normalised, tags linked. */
    assert_int_equal(tu_int(f->s, "SELECT fit_note FROM products WHERE "
                                  "code='P000001'"), -1);
    assert_int_equal(tu_int(f->s, "SELECT fit_note FROM products WHERE "
                                  "code='P000003'"), 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM product_tags t JOIN "
                                  "hashtags h ON h.id=t.hashtag_id WHERE "
                                  "h.name IN ('midisummer','y2kdress')"), 2);
    assert_int_equal(tu_int(f->s, "SELECT ordered_at FROM purchases WHERE "
                                  "line_code='L0000001'"), 1780352100LL);
    assert_int_equal(tu_int(f->s, "SELECT customer_id IS NULL FROM purchases "
                                  "WHERE line_code='L0000006'"), 1);
    assert_int_equal(tu_int(f->s, "SELECT size='ONE' FROM purchases "
                                  "WHERE line_code='L0000005'"), 1);
    assert_int_equal(tu_int(f->s, "SELECT ref_hashtag_id IS NOT NULL FROM "
                                  "purchases WHERE line_code='L0000001'"), 1);
    /* Derived trend state: 24 h views and the peak so far. */
    assert_int_equal(tu_int(f->s, "SELECT views_24h FROM trend_state s JOIN "
                                  "hashtags h ON h.id=s.hashtag_id WHERE "
                                  "h.name='midisummer' AND captured_at="
                                  "1780358400"), 8000);
    assert_int_equal(tu_int(f->s, "SELECT peak_at FROM trend_state s JOIN "
                                  "hashtags h ON h.id=s.hashtag_id WHERE "
                                  "h.name='midisummer' AND captured_at="
                                  "1780444800"), 1780272000LL);
    assert_int_equal(f->warnings, 0);
}

static void same_files_twice_add_nothing(void **state)
{
    fixture *f = *state;
    load_dir(f, GOOD);
    long long before = tu_int(f->s, "SELECT count(*) FROM purchases") +
                       tu_int(f->s, "SELECT count(*) FROM returns") +
                       tu_int(f->s, "SELECT count(*) FROM trend_snapshots");
    tg_ingest_result r;
    tg_err err = {0};
    assert_int_equal(load(f, GOOD "/purchases.csv", INGEST_TRENDBUY, 0, &r,
                          &err), TG_OK);
    assert_true(r.already_loaded);
    assert_int_equal(load_dir(f, GOOD), 0);
    /* Different bytes, same rows: every row is a duplicate. */
    tu_write(f->dir, "again.csv",
             "order_id,line_id,product_id,unit_price,ordered_at,size,"
             "customer_id\r\nO000001,L0000001,P000001,39.99,"
             "2026-06-01T22:15:00Z,S,C000001\r\n");
    char path[512];
    snprintf(path, sizeof path, "%s/again.csv", f->dir);
    assert_int_equal(load(f, path, INGEST_TRENDBUY, 0, &r, &err), TG_OK);
    assert_int_equal(r.rows, 1);
    assert_int_equal(r.duplicates, 1);
    assert_int_equal(r.loaded, 0);
    long long after = tu_int(f->s, "SELECT count(*) FROM purchases") +
                      tu_int(f->s, "SELECT count(*) FROM returns") +
                      tu_int(f->s, "SELECT count(*) FROM trend_snapshots");
    assert_int_equal(before, after);
}

/* Snapshots go in by key, not as they come: the same rows as in file
 * order. Of two rows with one key the file's first is kept (in a file and
 * against the store), and each is counted once, as loaded or duplicate. */
static void snapshots_keep_the_first_of_a_key(void **state)
{
    fixture *f = *state;
    tg_ingest_result r;
    tg_err err = {0};
    assert_int_equal(
        load_written(f, "tiktok_trends.csv",
                  "captured_at,hashtag,creator,views,likes,shares,comments\n"
                  "2025-01-02T00:00:00Z,b,@one,5,0,0,0\n"
                  "2025-01-01T00:00:00Z,a,@two,3,0,0,0\n"
                  "2025-01-02T00:00:00Z,b,@three,9,0,0,0\n"
                  "2025-01-01T00:00:00Z,c,,1,0,0,0\n"
                  "2025-01-03T00:00:00Z,a,@four,7,0,0,0\n",
                  &r, &err),
        TG_OK);
    assert_int_equal(r.rows, 5);
    assert_int_equal(r.loaded, 4);
    assert_int_equal(r.duplicates, 1);
    assert_int_equal(tu_int(f->s, "SELECT views FROM trend_snapshots s JOIN"
                                  " hashtags h ON h.id = s.hashtag_id"
                                  " WHERE h.name = 'b'"), 5);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM trend_snapshots"
                                  " WHERE creator IS NULL"), 1);
    /* Hashtags are numbered as they first appear in the file. */
    assert_int_equal(tu_int(f->s, "SELECT (SELECT group_concat(name, '') FROM"
                                  " (SELECT name FROM hashtags ORDER BY id))"
                                  " = 'bac'"), 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM trend_state"), 4);
    assert_int_equal(
        load_written(f, "more.csv",
                  "captured_at,hashtag,creator,views,likes,shares,comments\n"
                  "2025-01-03T00:00:00Z,a,@five,8,0,0,0\n"
                  "2025-01-04T00:00:00Z,a,@six,11,0,0,0\n",
                  &r, &err),
        TG_OK);
    assert_int_equal(r.loaded, 1);
    assert_int_equal(r.duplicates, 1);
    assert_int_equal(tu_int(f->s, "SELECT sum(views) FROM trend_snapshots s"
                                  " JOIN hashtags h ON h.id = s.hashtag_id"
                                  " WHERE h.name = 'a'"), 3 + 7 + 11);
    assert_int_equal(tu_int(f->s, "SELECT views_24h FROM trend_state s"
                                  " JOIN hashtags h ON h.id = s.hashtag_id"
                                  " WHERE h.name = 'a' AND s.captured_at ="
                                  " 1735948800"), 4);
}

/* A NUL byte or Latin-1 in a field: the reject names its column. */
static void bad_bytes_name_their_column(void **state)
{
    fixture *f = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/tiktok_trends.csv", f->dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    static const char text[] =
        "captured_at,hashtag,creator,views,likes,shares,comments\n"
        "2025-01-01T00:00:00Z,caf\xe9,@x,1,1,1,1\n"
        "2025-01-01T00:00:00Z,ok,@x\0y,1,1,1,1\n"
        "2025-01-01T00:00:00Z,fine,@x,1,1,1,1\n";
    fwrite(text, 1, sizeof text - 1, fp);
    fclose(fp);
    tg_ingest_result r;
    tg_err err = {0};
    assert_int_equal(load(f, path, INGEST_TRENDBUY, 0, &r, &err), TG_OK);
    assert_int_equal(r.loaded, 1);
    assert_int_equal(r.rejected, 2);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE line = 2"
                                  " AND column_name = 'hashtag' AND reason ="
                                  " 'invalid UTF-8 in field 2'"), 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE line = 3"
                                  " AND column_name = 'creator' AND reason ="
                                  " 'NUL byte in field 3'"), 1);
}

static void bad_rows_are_rejected_with_reasons(void **state)
{
    fixture *f = *state;
    load_dir(f, GOOD);
    tg_ingest_result r;
    tg_err err = {0};
    assert_int_equal(load(f, BAD "/purchases.csv", INGEST_TRENDBUY, 0, &r,
                          &err), TG_OK);
    assert_int_equal(r.rows, 11);
    assert_int_equal(r.loaded, 2);
    assert_int_equal(r.rejected, 9);
    assert_int_equal(f->warnings, 1);
    assert_non_null(strstr(f->last_warning, "coupon_code"));
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM purchases WHERE "
                                  "line_code IN ('L0000101','L0000108')"), 2);
    struct {
        int line;
        const char *column, *reason;
    } want[] = {
        {3, "product_id", "'P000099' is not a known product"},
        {4, "size", "'XXL' is not offered for P000001"},
        {5, "unit_price", "-5 is outside"},
        {6, "ordered_at", "'2026-06-31T10:00:00Z' is not an ISO-8601"},
        {7, "channel", "'carrier-pigeon' is not one of web, app, tiktok"},
        {8, "customer_id", "'C000009' is not a known customer"},
        {10, NULL, "the row has 7 fields, the header has 14"},
        {11, "unit_price", "is not a number"},
        {12, "quantity", "0 is outside 1..10000"},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char *sql = sqlite3_mprintf(
            "SELECT count(*) FROM rejects WHERE file LIKE '%%bad/"
            "purchases.csv' AND line=%d AND %s AND instr(reason, %Q)>0",
            want[i].line, want[i].column ? "column_name IS NOT NULL" : "1",
            want[i].reason);
        long long n = tu_int(f->s, "%s", sql);
        sqlite3_free(sql);
        if (n != 1)
            fail_msg("no reject on line %d with '%s'", want[i].line,
                     want[i].reason);
        if (want[i].column)
            assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects "
                                          "WHERE line=%d AND column_name="
                                          "'%s'", want[i].line,
                                    want[i].column), 1);
    }
    /* The raw text is kept as it was, SQL and all; the table survived. */
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE "
                                  "raw LIKE '%%DROP TABLE purchases%%'"), 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM purchases"), 8);
    /* Returns: before the order, unknown line, unknown reason. */
    assert_int_equal(load(f, BAD "/returns.csv", INGEST_TRENDBUY, 0, &r,
                          &err), TG_OK);
    assert_int_equal(r.loaded, 1);
    assert_int_equal(r.rejected, 3);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE "
                                  "column_name='returned_at' AND line=2"), 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE "
                                  "column_name='line_id' AND line=3"), 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE "
                                  "column_name='reason' AND line=4"), 1);
}

/* Writes text to dir/name and loads it; returns how many rows loaded. */
static long load_text(fixture *f, const char *name, const char *text,
                      long *rejected)
{
    tg_ingest_result r;
    tg_err err = {0};
    assert_int_equal(load_written(f, name, text, &r, &err), TG_OK);
    *rejected = r.rejected;
    return r.loaded;
}

/* Rules between fields, on both sides of their boundary: a return at the
 * second its line was bought loads, one a second earlier is refused; a
 * customer may have returned every line before the window, not one more. */
static void cross_field_rules_at_their_boundaries(void **state)
{
    fixture *f = *state;
    load_dir(f, GOOD);
    long rej;
    assert_int_equal(load_text(f, "p.csv", "line_id,order_id,customer_id,"
        "product_id,size,quantity,unit_price,ordered_at,channel\n"
        "LB1,OB1,C000001,P000001,S,1,39.99,2026-06-20T10:00:00Z,web\n"
        "LB2,OB2,C000001,P000001,S,1,39.99,2026-06-20T10:00:00Z,web\n",
        &rej), 2);
    assert_int_equal(load_text(f, "r.csv", "return_id,line_id,returned_at,"
        "reason\nRB1,LB1,2026-06-20T10:00:00Z,too_small\n"
        "RB2,LB2,2026-06-20T09:59:59Z,too_small\n", &rej), 1);
    assert_int_equal(rej, 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE"
                                  " column_name = 'returned_at' AND raw LIKE"
                                  " 'RB2,%%'"), 1);
    assert_int_equal(load_text(f, "c.csv", "customer_id,segment,lines_before,"
        "returns_before\nCB1,casual,7,7\nCB2,casual,7,8\n", &rej), 1);
    assert_int_equal(rej, 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE"
                                  " column_name = 'returns_before' AND raw"
                                  " LIKE 'CB2,%%'"), 1);
}

static void strict_loads_nothing_but_keeps_reasons(void **state)
{
    fixture *f = *state;
    load_dir(f, GOOD);
    tg_ingest_result r;
    tg_err err = {0};
    assert_int_equal(load(f, BAD "/purchases.csv", INGEST_TRENDBUY, 1, &r,
                          &err), TG_OK);
    assert_true(r.strict_refused);
    assert_int_equal(r.rejected, 9);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM purchases"), 6);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects"), 9);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM ingest_files WHERE "
                                  "name LIKE '%%bad%%'"), 0);
    /* Again: still nothing, and the reasons are not recorded twice. */
    assert_int_equal(load(f, BAD "/purchases.csv", INGEST_TRENDBUY, 1, &r,
                          &err), TG_OK);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects"), 9);
    /* Without --strict the good rows load. */
    assert_int_equal(load(f, BAD "/purchases.csv", INGEST_TRENDBUY, 0, &r,
                          &err), TG_OK);
    assert_int_equal(r.loaded, 2);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects"), 9);
}

static void a_failing_file_leaves_the_store_as_it_was(void **state)
{
    fixture *f = *state;
    load_dir(f, GOOD);
    /* The store fails on the last row of the file: nothing of it stays. */
    tg_err err = {0};
    assert_int_equal(store_exec(f->s,
                                "CREATE TRIGGER boom BEFORE INSERT ON "
                                "purchases WHEN NEW.line_code='L0000108' "
                                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); "
                                "END", &err), TG_OK);
    tg_ingest_result r;
    int rc = load(f, BAD "/purchases.csv", INGEST_TRENDBUY, 0, &r, &err);
    assert_int_not_equal(rc, TG_OK);
    assert_non_null(strstr(err.msg, "disk on fire"));
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM purchases"), 6);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects"), 0);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM ingest_files"), 6);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM hashtags"), 4);
}

static void whole_file_errors_name_the_problem(void **state)
{
    fixture *f = *state;
    tg_ingest_result r;
    tg_err err = {0};
    assert_int_equal(load(f, BAD "/unknown_layout.csv", INGEST_TRENDBUY, 0,
                          &r, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "not a TrendBuy export"));
    assert_int_equal(load(f, BAD "/missing_column.csv", INGEST_TRENDBUY, 0,
                          &r, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "unit_price"));
    assert_int_equal(load(f, BAD "/no_such_file.csv", INGEST_TRENDBUY, 0, &r,
                          &err), TG_ENOINPUT);
    tu_write(f->dir, "empty.csv", "");
    char path[512];
    snprintf(path, sizeof path, "%s/empty.csv", f->dir);
    assert_int_equal(load(f, path, INGEST_TRENDBUY, 0, &r, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "empty"));
}

static void messy_csv_is_cleaned(void **state)
{
    fixture *f = *state;
    load_dir(f, GOOD);
    /* BOM, CRLF, quoted fields with commas, quotes and a line break, columns
     * in another order, padding, upper-case codes, no final newline. */
    tg_ingest_result r;
    tg_err err = {0};
    assert_int_equal(
        load_written(f, "messy.csv",
                  "\xEF\xBB\xBFproduct_id,price,category,name,sizes\r\n"
                  "P000010, 12.50 ,TOPS,\"Tee, \"\"Boxy\"\"\r\nfit\",s|m\r\n"
                  "P000011,8,accessories,Latin-1 \xE9t\xE9,ONE",
                  &r, &err),
        TG_OK);
    assert_int_equal(r.loaded, 1);
    assert_int_equal(r.rejected, 1);
    assert_int_equal(tu_int(f->s, "SELECT name='Tee, \"Boxy\" fit' FROM "
                                  "products WHERE code='P000010'"), 1);
    assert_int_equal(tu_int(f->s, "SELECT category='tops' AND sizes='S|M' "
                                  "AND price=12.5 FROM products WHERE "
                                  "code='P000010'"), 1);
    /* The Latin-1 row is rejected with its bytes kept, escaped. */
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE line=4 "
                                  "AND instr(reason,'UTF-8')>0 AND "
                                  "instr(raw,'\\xe9t\\xe9')>0"), 1);
}

static void online_retail_accounts_for_every_line(void **state)
{
    fixture *f = *state;
    tg_ingest_result r;
    tg_err err = {0};
    int rc = load(f, RETAIL, INGEST_ONLINE_RETAIL, 0, &r, &err);
    if (rc != TG_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(r.rows, 30000);
    long long purchases = tu_int(f->s, "SELECT count(*) FROM purchases");
    long long returns = tu_int(f->s, "SELECT count(*) FROM returns");
    long long rejects = tu_int(f->s, "SELECT count(*) FROM rejects");
    assert_int_equal(purchases, r.purchases);
    assert_int_equal(returns, r.returns);
    assert_int_equal(rejects, r.rejected);
    assert_int_equal(purchases + returns + rejects, 30000);
    assert_int_equal(r.loaded, purchases + returns);
    /* Anonymous purchases exist; ids like 12923.0 became 12923. */
    assert_true(tu_int(f->s, "SELECT count(*) FROM purchases WHERE "
                             "customer_id IS NULL") > 1000);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM customers WHERE "
                                  "code='12923'"), 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM customers WHERE "
                                  "code LIKE '%%.%%'"), 0);
    /* Every cancellation is a matched return or a reject with a reason. */
    long long cancels = tu_int(f->s, "SELECT count(*) FROM rejects WHERE "
                                     "raw LIKE 'C%%'") + returns;
    assert_true(cancels >= 600);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM returns r JOIN "
                                  "purchases p ON p.id=r.purchase_id WHERE "
                                  "r.returned_at < p.ordered_at OR "
                                  "r.quantity > p.quantity"), 0);
    assert_true(tu_int(f->s, "SELECT count(*) FROM rejects WHERE instr(reason,"
                             "'postage')>0") >= 79);
    /* Quoted descriptions with commas survive. */
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM products WHERE "
                                  "name='KEY FOB , GARAGE DESIGN'"), 1);
    /* Loading it again adds nothing. */
    assert_int_equal(load(f, RETAIL, INGEST_ONLINE_RETAIL, 0, &r, &err),
                     TG_OK);
    assert_true(r.already_loaded);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM purchases"),
                     purchases);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_numbers_are_read_from_the_text),
        cmocka_unit_test_setup_teardown(loads_every_good_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(same_files_twice_add_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(snapshots_keep_the_first_of_a_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bad_bytes_name_their_column, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_rows_are_rejected_with_reasons,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(cross_field_rules_at_their_boundaries,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(strict_loads_nothing_but_keeps_reasons,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_failing_file_leaves_the_store_as_it_was, setup, teardown),
        cmocka_unit_test_setup_teardown(whole_file_errors_name_the_problem,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(messy_csv_is_cleaned, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(online_retail_accounts_for_every_line,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
