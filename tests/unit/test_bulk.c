/* test_bulk.c: ingest's bulk path against the incremental one: the same
 * data loaded both ways gives the same store, table by table and row by
 * row, with the same counts and rejects; when auto takes it; a connection
 * opened before a bulk load keeps reading the old store and cannot write
 * to it, while the next open sees the new one; a replaced file's marks
 * left by a killed load are removed on open; the trend state's one pass
 * equals its window statement. */
#include "testutil.h"

#include <sys/stat.h>

#include "core/schema.h"
#include "trendguard/gen.h"
#include "trendguard/ingest.h"

typedef struct fixture {
    char dir[256], gen[320];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tu_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->gen, sizeof f->gen, "%s/gen", f->dir);
    tg_gen_opts go = {.out_dir = f->gen, .scale = "demo", .seed = 7};
    tg_err err = {0};
    if (gen_run(&go, NULL, NULL, NULL, &err) != TG_OK)
        fail_msg("gen: %s", err.msg);
    /* Rows to reject and rows already there, beside the good ones. */
    tu_write(f->gen, "more_purchases.csv",
             "line_id,order_id,product_id,unit_price,ordered_at\n"
             "X-1,XO-1,NO-SUCH-PRODUCT,10,2024-01-01\n"
             "X-2,XO-1,P000001,ten,2024-01-01\n"
             "X-3,XO-2,P000001,12,not a time\n");
    /* Snapshots with one key twice (the first kept), and one the trends
     * file has too (this file loads first: the trends file's copy is the
     * duplicate). */
    char path[400], line[512] = "", text[1200];
    snprintf(path, sizeof path, "%s/tiktok_trends.csv", f->gen);
    FILE *in = fopen(path, "r");
    if (!in || !fgets(line, sizeof line, in) || !fgets(line, sizeof line, in))
        fail_msg("cannot read %s", path);
    fclose(in);
    snprintf(text, sizeof text,
             "captured_at,hashtag,creator,views,likes,shares,comments\n"
             "2024-02-01T00:00:00Z,dupcheck,@first,10,1,1,1\n"
             "2024-02-01T00:00:00Z,dupcheck,@second,20,1,1,1\n"
             "2024-02-01,,@bad,1,1,1,1\n%s",
             line);
    tu_write(f->gen, "more_trends.csv", text);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmrf(f->dir);
    free(f);
    return 0;
}

/* What each file's load reported, in order. */
typedef struct results {
    tg_ingest_result r[16];
    int n;
} results;

static void on_done(void *ud, const tg_ingest_result *r)
{
    results *x = ud;
    if (x->n < 16)
        x->r[x->n++] = *r;
}

/* Loads paths into the store db the given way; returns the code. */
static int load(const char *db, char **paths, int n, int bulk, results *x,
                long *rejected, tg_err *err)
{
    tg_store *s = store_open(db, STORE_CREATE, err);
    if (!s)
        fail_msg("store_open: %s", err->msg);
    tg_ingest_opts o = {.bulk = bulk, .done = on_done, .ud = x};
    int rc = ingest_paths(s, paths, n, &o, rejected, err);
    store_close(s);
    return rc;
}

static void same_results(const results *a, const results *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        assert_string_equal(a->r[i].path, b->r[i].path);
        assert_int_equal(a->r[i].rows, b->r[i].rows);
        assert_int_equal(a->r[i].loaded, b->r[i].loaded);
        assert_int_equal(a->r[i].duplicates, b->r[i].duplicates);
        assert_int_equal(a->r[i].rejected, b->r[i].rejected);
        assert_int_equal(a->r[i].already_loaded, b->r[i].already_loaded);
    }
}

/* One number from SQL on a raw connection. */
static long long count(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
                                                 : -1;
    sqlite3_finalize(st);
    return v;
}

/* Table t's rows, each value with its type, the same in main and o (the
 * moments of loading aside). */
static void same_table(sqlite3 *db, const char *t)
{
    char *sql = sqlite3_mprintf(
        "SELECT group_concat(printf('\"%%w\", typeof(\"%%w\")', name, name),"
        " ', ') FROM pragma_table_info(%Q) WHERE NOT ((%Q = 'ingest_files'"
        " AND name = 'loaded_at') OR (%Q = 'rejects' AND name = 'at'))",
        t, t, t);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_free(sql);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *cols = sqlite3_mprintf("%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    for (int dir = 0; dir < 2; dir++) {
        sql = sqlite3_mprintf("SELECT count(*) FROM (SELECT %s FROM %s.\"%w\""
                              " EXCEPT SELECT %s FROM %s.\"%w\")",
                              cols, dir ? "o" : "main", t, cols,
                              dir ? "main" : "o", t);
        long long d = count(db, sql);
        sqlite3_free(sql);
        if (d != 0)
            fail_msg("table %s: %lld rows differ", t, d);
    }
    sql = sqlite3_mprintf("SELECT (SELECT count(*) FROM main.\"%w\") -"
                          " (SELECT count(*) FROM o.\"%w\")",
                          t, t);
    assert_int_equal(count(db, sql), 0);
    sqlite3_free(sql);
    sqlite3_free(cols);
}

/* Every table and schema object of the stores a and b, compared. */
static void same_stores(const char *a, const char *b)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(a, &db), SQLITE_OK);
    char *sql = sqlite3_mprintf("ATTACH %Q AS o", b);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_free(sql);
    assert_int_equal(count(db, "SELECT count(*) FROM (SELECT type, name, sql"
                               " FROM main.sqlite_schema EXCEPT SELECT type,"
                               " name, sql FROM o.sqlite_schema)"),
                     0);
    assert_int_equal(count(db, "SELECT (SELECT count(*) FROM"
                               " main.sqlite_schema) - (SELECT count(*) FROM"
                               " o.sqlite_schema)"),
                     0);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db,
                           "SELECT name FROM main.sqlite_schema WHERE type ="
                           " 'table' AND name NOT LIKE 'sqlite_%'",
                           -1, &st, NULL),
        SQLITE_OK);
    int tables = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        same_table(db, (const char *)sqlite3_column_text(st, 0));
        tables++;
    }
    sqlite3_finalize(st);
    assert_true(tables > 30);
    assert_string_equal("ok", count(db, "SELECT count(*) FROM"
                                        " pragma_integrity_check WHERE"
                                        " integrity_check <> 'ok'") == 0
                                  ? "ok"
                                  : "integrity");
    sqlite3_close(db);
}

static ino_t inode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Builds both stores from paths[] the two ways and compares them. */
static void both_ways(fixture *f, char **paths, int n, int want_rc)
{
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/incremental.db", f->dir);
    snprintf(b, sizeof b, "%s/bulk.db", f->dir);
    results ra = {0}, rb = {0};
    long reja = -1, rejb = -1;
    tg_err ea = {0}, eb = {0};
    assert_int_equal(load(a, paths, n, INGEST_BULK_NEVER, &ra, &reja, &ea),
                     want_rc);
    ino_t before = inode(b);
    assert_int_equal(load(b, paths, n, INGEST_BULK_ALWAYS, &rb, &rejb, &eb),
                     want_rc);
    assert_true(inode(b) != before); /* a new file was moved into place */
    if (want_rc != TG_OK)
        assert_string_equal(ea.msg, eb.msg);
    assert_int_equal(reja, rejb);
    same_results(&ra, &rb);
    long dups = 0;
    for (int i = 0; i < rb.n; i++)
        if (strcmp(rb.r[i].kind, "trends") == 0)
            dups += rb.r[i].duplicates;
    if (want_rc == TG_OK) /* the key twice, and the trends file's copy */
        assert_true(dups >= 2);
    same_stores(a, b);
}

/* The first load of the demo data, with rows rejected and rows already
 * there, both ways: the same store and the same counts. */
static void first_load_gives_the_same_store(void **state)
{
    fixture *f = *state;
    char *paths[] = {f->gen};
    both_ways(f, paths, 1, TG_OK);
    char db[400];
    snprintf(db, sizeof db, "%s/bulk.db", f->dir);
    tg_err err = {0};
    tg_store *s = store_open(db, STORE_READONLY, &err);
    assert_int_equal(tu_int(s, "SELECT views FROM trend_snapshots t JOIN"
                               " hashtags h ON h.id = t.hashtag_id WHERE"
                               " h.name = 'dupcheck'"),
                     10);
    store_close(s);
}

/* A load bigger than the store into a store that has rows: the bulk path
 * copies them into the new file first. Then a file that fails as a whole
 * after the others: those before it are loaded both ways. */
static void later_loads_give_the_same_store(void **state)
{
    fixture *f = *state;
    char p[2][400], *first[2];
    snprintf(p[0], sizeof p[0], "%s/products.csv", f->gen);
    snprintf(p[1], sizeof p[1], "%s/customers.csv", f->gen);
    first[0] = p[0];
    first[1] = p[1];
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/incremental.db", f->dir);
    snprintf(b, sizeof b, "%s/bulk.db", f->dir);
    results r = {0};
    long rej;
    tg_err err = {0};
    assert_int_equal(load(a, first, 2, INGEST_BULK_NEVER, &r, &rej, &err),
                     TG_OK);
    assert_int_equal(load(b, first, 2, INGEST_BULK_NEVER, &r, &rej, &err),
                     TG_OK);
    char *rest[] = {f->gen};
    both_ways(f, rest, 1, TG_OK);
    /* A file of no known kind loads last and fails as a whole. */
    tu_write(f->gen, "zz_unknown.csv", "a,b\n1,2\n");
    both_ways(f, rest, 1, TG_EDATA);
}

/* auto: the first load and a load bigger than the store go the bulk path
 * (a new file moved into place), a small one into a big store does not. */
static void auto_takes_the_bulk_path_for_big_loads(void **state)
{
    fixture *f = *state;
    char db[400];
    snprintf(db, sizeof db, "%s/auto.db", f->dir);
    store_close(tu_store(f->dir, "auto.db"));
    ino_t empty = inode(db);
    results r = {0};
    long rej;
    tg_err err = {0};
    char *all[] = {f->gen};
    load(db, all, 1, INGEST_BULK_AUTO, &r, &rej, &err);
    ino_t loaded = inode(db);
    assert_true(loaded != empty);
    char small[400];
    snprintf(small, sizeof small, "%s/small", f->dir);
    assert_int_equal(mkdir(small, 0700), 0);
    tu_write(small, "purchases.csv",
             "line_id,order_id,product_id,unit_price,ordered_at\n"
             "S-1,SO-1,P000001,10,2024-01-01\n");
    char *few[] = {small};
    load(db, few, 1, INGEST_BULK_AUTO, &r, &rej, &err);
    assert_true(inode(db) == loaded);
    /* The same data again as other files: every row already there, but
     * more rows than the store holds. */
    char again[400];
    snprintf(again, sizeof again, "%s/again", f->dir);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && for f in '%s'/*.csv; do"
                              " (cat \"$f\"; echo) > '%s'/$(basename \"$f\");"
                              " done", again, f->gen, again);
    assert_int_equal(system(cmd), 0);
    char *more[] = {again};
    load(db, more, 1, INGEST_BULK_AUTO, &r, &rej, &err);
    assert_true(inode(db) != loaded);
}

/* A connection opened before a bulk load reads the old store whole; its
 * writes fail, saying why; the next open sees the new store; closing the
 * old connection leaves the new store's WAL alone. */
static void an_open_store_is_replaced_safely(void **state)
{
    fixture *f = *state;
    char db[400], pc[2][400];
    snprintf(db, sizeof db, "%s/r.db", f->dir);
    snprintf(pc[0], sizeof pc[0], "%s/products.csv", f->gen);
    snprintf(pc[1], sizeof pc[1], "%s/customers.csv", f->gen);
    char *first[] = {pc[0], pc[1]};
    results r = {0};
    long rej;
    tg_err err = {0};
    assert_int_equal(load(db, first, 2, INGEST_BULK_NEVER, &r, &rej, &err),
                     TG_OK);
    tg_store *old = store_open(db, 0, &err);
    assert_non_null(old);
    assert_int_equal(tu_int(old, "SELECT count(*) FROM purchases"), 0);
    tg_store *s = store_open(db, 0, &err);
    assert_int_equal(store_replaced(old), 0);
    char *all[] = {f->gen};
    tg_ingest_opts o = {.bulk = INGEST_BULK_ALWAYS};
    assert_int_equal(ingest_paths(s, all, 1, &o, &rej, &err), TG_OK);
    assert_int_equal(store_replaced(old), 1); /* the app's cue to reopen */
    assert_int_equal(store_replaced(s), 0);   /* ingest's is on the new */
    long long lines = tu_int(s, "SELECT count(*) FROM purchases");
    assert_true(lines > 1000);
    /* Writes to the new store: pages the old connection must never read
     * as its own (the old store's WAL is its alone). */
    assert_int_equal(store_exec(s,
                                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
                                " SELECT i + 1 FROM n WHERE i < 5000)"
                                " INSERT INTO ui_events(session, at_ms, kind,"
                                " detail) SELECT 'bulk', i, 'key',"
                                " printf('%0200d', i) FROM n",
                                &err),
                     TG_OK);
    /* The old connection: the old rows, whole, and no writes. */
    assert_int_equal(tu_int(old, "SELECT count(*) FROM purchases"), 0);
    assert_int_equal(tu_int(old, "SELECT count(*) FROM products"), 400);
    assert_int_equal(tu_int(old, "SELECT count(*) FROM ui_events"), 0);
    assert_int_equal(tu_int(old, "SELECT count(*) FROM pragma_quick_check"
                                 " WHERE quick_check <> 'ok'"),
                     0);
    tg_err werr = {0};
    assert_int_equal(store_exec(old,
                                "INSERT INTO ui_events(session, at_ms, kind)"
                                " VALUES('old', 1, 'key')",
                                &werr),
                     TG_EUNAVAIL);
    assert_non_null(strstr(werr.msg, "replaced by a bulk load"));
    /* A new connection: the new store. */
    tg_store *next = store_open(db, STORE_READONLY, &err);
    assert_non_null(next);
    assert_int_equal(tu_int(next, "SELECT count(*) FROM purchases"), lines);
    store_close(next);
    /* Writes to the new store, then the old connection closes. */
    assert_int_equal(store_exec(s,
                                "INSERT INTO ui_events(session, at_ms, kind)"
                                " VALUES('new', 1, 'key')",
                                &err),
                     TG_OK);
    store_close(old);
    assert_int_equal(store_exec(s,
                                "INSERT INTO ui_events(session, at_ms, kind)"
                                " VALUES('new', 2, 'key')",
                                &err),
                     TG_OK);
    next = store_open(db, 0, &err);
    assert_int_equal(tu_int(next, "SELECT count(*) FROM ui_events WHERE"
                                  " session = 'new'"),
                     2);
    assert_int_equal(tu_int(next, "SELECT count(*) FROM ui_events WHERE"
                                  " session = 'bulk'"),
                     5000);
    assert_int_equal(tu_int(next, "SELECT count(*) FROM pragma_integrity_check"
                                  " WHERE integrity_check <> 'ok'"),
                     0);
    store_close(next);
    store_close(s);
}

/* A load killed after it marked the old file replaced but before moving
 * the new one in: opening the store removes the marks. */
static void marks_of_a_killed_load_are_removed(void **state)
{
    fixture *f = *state;
    tg_store *s = tu_store(f->dir, "m.db");
    tg_err err = {0};
    assert_int_equal(
        store_exec(s,
                   "CREATE TABLE store_replaced(note TEXT);"
                   "CREATE TRIGGER store_replaced_ui_events_0 BEFORE INSERT"
                   " ON ui_events BEGIN SELECT RAISE(ABORT, 'the store was"
                   " replaced by a bulk load while open: open it again');"
                   " END",
                   &err),
        TG_OK);
    static const char ins[] = "INSERT INTO ui_events(session, at_ms, kind)"
                              " VALUES('s', 1, 'key')";
    assert_int_equal(store_exec(s, ins, &err), TG_EUNAVAIL);
    store_close(s);
    s = tu_store(f->dir, "m.db");
    assert_int_equal(store_exec(s, ins, &err), TG_OK);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM sqlite_schema WHERE"
                               " name LIKE 'store_replaced%%'"),
                     0);
    store_close(s);
}

/* The trend state's pass equals the window statement it replaced, value
 * for value and type for type, on the demo data. */
static void trend_state_equals_its_window_statement(void **state)
{
    fixture *f = *state;
    char db[400];
    snprintf(db, sizeof db, "%s/t.db", f->dir);
    results r = {0};
    long rej;
    tg_err err = {0};
    char *all[] = {f->gen};
    load(db, all, 1, INGEST_BULK_NEVER, &r, &rej, &err);
    tg_store *s = store_open(db, 0, &err);
    assert_int_equal(store_exec(s,
                                "CREATE TEMP TABLE ours AS SELECT * FROM"
                                " trend_state",
                                &err),
                     TG_OK);
    assert_int_equal(store_exec(s, schema_trend_state_reference, &err), TG_OK);
    sqlite3 *db3 = store_db(s);
    static const char cols[] =
        "hashtag_id, captured_at, views, views_24h, typeof(views_24h),"
        " growth_24h, typeof(growth_24h), growth_7d, typeof(growth_7d),"
        " peak_at, first_at, week_views, prev_week_views, best_week_views";
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT %s FROM temp.ours EXCEPT SELECT %s"
             " FROM main.trend_state)",
             cols, cols);
    assert_int_equal(count(db3, sql), 0);
    assert_true(count(db3, "SELECT count(*) FROM trend_state") > 10000);
    assert_int_equal(count(db3, "SELECT (SELECT count(*) FROM trend_state) -"
                                " (SELECT count(*) FROM temp.ours)"),
                     0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_load_gives_the_same_store,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(later_loads_give_the_same_store,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            auto_takes_the_bulk_path_for_big_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(an_open_store_is_replaced_safely,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(marks_of_a_killed_load_are_removed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            trend_state_equals_its_window_statement, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
