/* test_export.c: the Power BI export of a small hand-made store, checked
 * row by row against the store: counts, keys that join, CSV quoting, ISO
 * dates and the calendar, the same bytes twice, --since, and the safety
 * rules (never over a file it did not write, nothing left behind when the
 * folder cannot be written). */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "trendguard/csv.h"
#include "trendguard/export.h"

#define T(s) "CAST(strftime('%s', '" s "') AS INTEGER)"

/* Three products (one never bought, one named with a comma, a quote and a
 * line break), two customers and an anonymous buyer, a trend that peaked
 * on 2026-02-28, four lines, two returns (one after 30 days), a model with
 * three scores (two over its threshold: the trigger queues two
 * interventions, one of them shown and settled). */
static const char STORE_SQL[] =
    "INSERT INTO hashtags(id, name) VALUES(1, 'midisummer'), (2, 'unused');"
    "INSERT INTO products(id, code, name, category, brand, price, fit_note,"
    " sizes, launched_at) VALUES"
    " (1, 'P1', 'Dress, \"Midi\"' || char(10) || 'Long', 'dresses', 'Acme',"
    "  39.9, -1, 'S|M', " T("2026-01-15") "),"
    " (2, 'P2', 'Plain Tee', 'tops', NULL, 9.5, 0, 'ONE', NULL),"
    " (3, 'P3', 'Never Bought', 'skirts', NULL, 20, 1, 'M', NULL);"
    "INSERT INTO product_tags VALUES(1, 1, 0);"
    "INSERT INTO customers(id, code, segment, age_band, joined_at) VALUES"
    " (1, 'C1', 'casual', '25-34', " T("2025-06-01") "),"
    " (2, 'C2', 'serial_bracketer', '18-24', NULL);"
    "INSERT INTO trend_snapshots(hashtag_id, captured_at, views) VALUES"
    " (1, " T("2026-02-27") ", 0), (1, " T("2026-02-28") ", 1000),"
    " (1, " T("2026-03-01") ", 1500);"
    "INSERT INTO purchases(id, line_code, order_code, customer_id,"
    " product_id, size, quantity, unit_price, discount_pct, ordered_at,"
    " channel, view_minutes, payment, ref_hashtag_id) VALUES"
    " (1, 'L1', 'O1', 1, 1, 'M', 1, 39.9, 0, " T("2026-03-01 10:00:00")
    ", 'tiktok', 4.25, 'paylater', 1),"
    " (2, 'L2', 'O2', NULL, 2, NULL, 2, 9.5, 12.5, " T("2026-03-15 23:59:59")
    ", 'web', NULL, 'card', NULL),"
    " (3, 'L3', 'O3', 2, 1, 'S', 1, 35.0, 10, " T("2026-04-20 08:00:00")
    ", 'app', 30, 'card', NULL),"
    " (4, 'L4', 'O4', 2, 2, NULL, 1, 9.5, 0, " T("2026-05-10 12:00:00")
    ", 'store', NULL, 'other', NULL);"
    "INSERT INTO returns(id, code, purchase_id, returned_at, quantity,"
    " reason) VALUES (1, 'R1', 1, " T("2026-03-05 09:30:00") ", 1,"
    " 'too_small'), (2, 'R2', 3, " T("2026-05-30 18:00:00") ", 1,"
    " 'quality');"
    "INSERT INTO model_registry VALUES(1, 'm.json', 'x', '[]', 0.5, NULL, 0);"
    "INSERT INTO scores VALUES"
    " (1, 1, 0.8, '[{\"feature\":\"channel\"}]', " T("2026-05-01") "),"
    " (3, 1, 0.3, NULL, " T("2026-05-01") "),"
    " (4, 1, 0.61237, NULL, " T("2026-05-01") ");"
    "UPDATE interventions SET status = 'shown', nudge = 'size_advice',"
    " offer = 'none', decided_at = " T("2026-05-02") ", outcome = 'kept'"
    " WHERE purchase_id = 1;";

static tg_store *hand_store(const char *dir)
{
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    if (store_exec(s, STORE_SQL, &err) != TG_OK ||
        store_refresh_trend_state(s, 1, &err) != TG_OK)
        fail_msg("store: %s", err.msg);
    return s;
}

/* Each test gets a temporary folder holding the hand-made store. */
typedef struct fixture {
    char dir[256];
    char out[300]; /* the folder of the last export_to() */
    tg_store *s;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tu_tmpdir(f->dir, sizeof f->dir);
    f->s = hand_store(f->dir);
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

static int run_export(tg_store *s, const char *out, const char *since,
                      tg_export_stats *st, tg_err *err)
{
    tg_export_opts o = {.out_dir = out};
    if (since) {
        o.has_since = 1;
        assert_int_equal(tg_time_parse(since, &o.since), 0);
    }
    return export_run(s, &o, st, NULL, NULL, err);
}

/* Exports the fixture's store into its folder's subfolder sub. */
static int export_to(fixture *fx, const char *sub, const char *since,
                     tg_export_stats *st, tg_err *err)
{
    snprintf(fx->out, sizeof fx->out, "%s/%s", fx->dir, sub);
    return run_export(fx->s, fx->out, since, st, err);
}

/* ---- a CSV file read back with the project's reader --------------------- */

#define MAXROWS 200
#define MAXCOLS 32

typedef struct table {
    int nrows, ncols; /* data rows; row 0 of cell[] is the header */
    char *cell[MAXROWS + 1][MAXCOLS];
} table;

static void load(const char *dir, const char *name, table *t)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    tg_err err = {0};
    tg_csv *c = csv_open(path, &err);
    if (!c)
        fail_msg("%s: %s", path, err.msg);
    memset(t, 0, sizeof *t);
    int r = 0;
    while (csv_next(c, &err) == 1) {
        if (csv_problem(c))
            fail_msg("%s line %ld: %s", path, csv_line(c), csv_problem(c));
        if (r > MAXROWS)
            fail_msg("%s: too many rows for the test", path);
        if (r == 0)
            t->ncols = (int)csv_nfields(c);
        else
            assert_int_equal((int)csv_nfields(c), t->ncols);
        for (int i = 0; i < t->ncols; i++)
            t->cell[r][i] = tg_strdup(csv_field(c, (size_t)i));
        r++;
    }
    csv_free(c);
    t->nrows = r - 1;
}

static void unload(table *t)
{
    for (int r = 0; r <= t->nrows; r++)
        for (int i = 0; i < t->ncols; i++)
            free(t->cell[r][i]);
}

static int col(const table *t, const char *name)
{
    for (int i = 0; i < t->ncols; i++)
        if (strcmp(t->cell[0][i], name) == 0)
            return i;
    fail_msg("no column %s", name);
    return -1;
}

static const char *get(const table *t, int row, const char *name)
{
    return t->cell[row][col(t, name)];
}

/* The data row whose first column is key; fails when there is none. */
static int row_of(const table *t, const char *key)
{
    for (int r = 1; r <= t->nrows; r++)
        if (strcmp(t->cell[r][0], key) == 0)
            return r;
    fail_msg("no row %s", key);
    return -1;
}

/* Every non-empty value of fact[column] is a key of dim. */
static void joins(const table *fact, const char *column, const table *dim)
{
    int c = col(fact, column);
    for (int r = 1; r <= fact->nrows; r++) {
        const char *v = fact->cell[r][c];
        int found = !*v;
        for (int k = 1; !found && k <= dim->nrows; k++)
            found = strcmp(dim->cell[k][0], v) == 0;
        if (!found)
            fail_msg("%s %s on row %d joins nothing", column, v, r);
    }
}

static char *slurp(const char *dir, const char *name, size_t *n)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return tg_read_file(path, n, 1 << 24, NULL);
}

/* The names in a folder, sorted, as one string "a b c". */
static void listing(const char *dir, char *buf, size_t n)
{
    struct dirent **e;
    int k = scandir(dir, &e, NULL, alphasort);
    buf[0] = '\0';
    for (int i = 0; i < k; i++) {
        if (strcmp(e[i]->d_name, ".") && strcmp(e[i]->d_name, "..")) {
            strncat(buf, e[i]->d_name, n - strlen(buf) - 2);
            strcat(buf, " ");
        }
        free(e[i]);
    }
    free(e);
}

static const char *const files[] = {
    "fact_purchase_lines.csv", "fact_returns.csv", "fact_interventions.csv",
    "fact_scores.csv", "fact_score_drivers.csv", "fact_pilot_measures.csv",
    "fact_pilot_intervals.csv", "dim_product.csv", "dim_customer.csv",
    "dim_date.csv", "dim_trend.csv", "README.md", ".trendguard-export"};
#define NFILES (sizeof files / sizeof *files)
/* What an export folder holds, as listing() gives it. */
#define ALL_FILES                                                             \
    ".trendguard-export README.md dim_customer.csv dim_date.csv "            \
    "dim_product.csv dim_trend.csv fact_interventions.csv "                   \
    "fact_pilot_intervals.csv fact_pilot_measures.csv "                       \
    "fact_purchase_lines.csv fact_returns.csv fact_score_drivers.csv "        \
    "fact_scores.csv "

/* Values of the hand-made store's export, worked out by hand: table, key
 * (first column), column, text. */
static const struct {
    int table;
    const char *key, *column, *want;
} known[] = {
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "ordered_at", "2026-03-01T10:00:00Z"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "date_key", "20260301"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "trend_key", "1"},
    /* bought in the trend's first week, which it ends gaining views */
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "trend_phase", "rising"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "returned", "1"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "mature", "1"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "score", "0.8000"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "view_minutes", "4.3"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "1", "line_amount", "39.90"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "2", "customer_key", "-1"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "2", "trend_key", "-1"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "2", "trend_phase", "none"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "2", "discount_pct", "12.50"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "2", "line_amount", "19.00"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "2", "date_key", "20260315"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "2", "score", ""},
    /* 50 days after its last snapshot */
    {TG_EXPORT_FACT_PURCHASE_LINES, "3", "trend_phase", "fading"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "4", "mature", "0"},
    {TG_EXPORT_FACT_PURCHASE_LINES, "4", "score", "0.6124"},
    {TG_EXPORT_FACT_RETURNS, "1", "within_window", "1"},
    {TG_EXPORT_FACT_RETURNS, "2", "within_window", "0"},
    {TG_EXPORT_FACT_RETURNS, "2", "days_after_purchase", "40.42"},
    {TG_EXPORT_FACT_INTERVENTIONS, "1", "purchase_line_key", "1"},
    {TG_EXPORT_FACT_INTERVENTIONS, "1", "shown", "1"},
    {TG_EXPORT_FACT_INTERVENTIONS, "1", "outcome_returned", "0"},
    {TG_EXPORT_FACT_INTERVENTIONS, "1", "decided_date_key", "20260502"},
    {TG_EXPORT_FACT_INTERVENTIONS, "2", "decided_date_key", ""},
    /* queued at its line's purchase, a return of it costs 39.90 x (0.55
     * + 0.30 + 0.45 x (1 - 1.0 resold while its trend rises)) */
    {TG_EXPORT_FACT_INTERVENTIONS, "1", "date_key", "20260301"},
    {TG_EXPORT_FACT_INTERVENTIONS, "1", "source", "live"},
    {TG_EXPORT_FACT_INTERVENTIONS, "1", "return_cost", "33.92"},
    /* the score's reasons as rows, not JSON */
    {TG_EXPORT_FACT_SCORE_DRIVERS, "1", "feature", "channel"},
    {TG_EXPORT_FACT_SCORE_DRIVERS, "1", "rank", "1"},
    {TG_EXPORT_FACT_SCORES, "1", "flagged", "1"},
    /* the trend peaked on 2026-02-28; at the data end it is fading */
    {TG_EXPORT_DIM_TREND, "1", "peak_at", "2026-02-28T00:00:00Z"},
    {TG_EXPORT_DIM_TREND, "1", "phase", "fading"},
    {TG_EXPORT_DIM_TREND, "2", "phase", "none"},
    /* 2026-03-01 is a Sunday in ISO week 9 */
    {TG_EXPORT_DIM_DATE, "20260301", "date", "2026-03-01"},
    {TG_EXPORT_DIM_DATE, "20260301", "quarter", "1"},
    {TG_EXPORT_DIM_DATE, "20260301", "iso_week", "9"},
    {TG_EXPORT_DIM_DATE, "20260301", "weekday", "7"},
    {TG_EXPORT_DIM_DATE, "20260301", "weekday_name", "Sunday"},
    {TG_EXPORT_DIM_DATE, "20260301", "is_weekend", "1"},
    {TG_EXPORT_DIM_CUSTOMER, "1", "joined_date", "2025-06-01"},
    {TG_EXPORT_DIM_PRODUCT, "1", "name", "Dress, \"Midi\"\nLong"},
    {TG_EXPORT_DIM_PRODUCT, "1", "fit", "runs small"},
    {TG_EXPORT_DIM_PRODUCT, "1", "list_price", "39.90"},
};

/* ---- the tests ----------------------------------------------------------- */

static void counts_and_keys_match_the_store(void **state)
{
    fixture *fx = *state;
    tg_store *s = fx->s;
    const char *out = fx->out;
    tg_export_stats st;
    tg_err err = {0};
    assert_int_equal(export_to(fx, "pbi/x", NULL, &st, &err), TG_OK);

    table t[TG_EXPORT_TABLES];
    for (int i = 0; i < TG_EXPORT_TABLES; i++) {
        load(out, export_table_names[i], &t[i]);
        assert_int_equal(t[i].nrows, st.rows[i]);
    }
    table *lines = &t[TG_EXPORT_FACT_PURCHASE_LINES],
          *rets = &t[TG_EXPORT_FACT_RETURNS],
          *ivs = &t[TG_EXPORT_FACT_INTERVENTIONS],
          *scs = &t[TG_EXPORT_FACT_SCORES],
          *prod = &t[TG_EXPORT_DIM_PRODUCT],
          *cust = &t[TG_EXPORT_DIM_CUSTOMER],
          *date = &t[TG_EXPORT_DIM_DATE], *trend = &t[TG_EXPORT_DIM_TREND];
    /* Counts: the facts as in the store; each dimension all of its table
     * and the -1 row; every day from 2026-03-01 to 2026-05-30. */
    assert_int_equal(lines->nrows, tu_int(s, "SELECT count(*) FROM purchases"));
    assert_int_equal(rets->nrows, tu_int(s, "SELECT count(*) FROM returns"));
    assert_int_equal(ivs->nrows, 2);
    assert_int_equal(ivs->nrows,
                     tu_int(s, "SELECT count(*) FROM interventions"));
    assert_int_equal(scs->nrows, tu_int(s, "SELECT count(*) FROM scores"));
    assert_int_equal(prod->nrows,
                     1 + tu_int(s, "SELECT count(*) FROM products"));
    assert_int_equal(cust->nrows,
                     1 + tu_int(s, "SELECT count(*) FROM customers"));
    assert_int_equal(trend->nrows,
                     1 + tu_int(s, "SELECT count(*) FROM hashtags"));
    assert_int_equal(date->nrows, 31 + 30 + 30);
    assert_string_equal(date->cell[1][0], "20260301");
    assert_string_equal(date->cell[date->nrows][0], "20260530");

    /* Every key in the facts joins a dimension row. */
    for (int f = 0; f <= TG_EXPORT_FACT_SCORES; f++) {
        joins(&t[f], "product_key", prod);
        joins(&t[f], "customer_key", cust);
        joins(&t[f], "trend_key", trend);
        joins(&t[f], "date_key", date);
        if (f != TG_EXPORT_FACT_PURCHASE_LINES)
            joins(&t[f], "purchase_line_key", lines);
    }
    joins(ivs, "decided_date_key", date);
    joins(&t[TG_EXPORT_FACT_SCORE_DRIVERS], "purchase_line_key", lines);
    assert_int_equal(t[TG_EXPORT_FACT_SCORE_DRIVERS].nrows, 1);
    assert_int_equal(t[TG_EXPORT_FACT_PILOT_MEASURES].nrows, 0);
    /* No cell holds JSON. */
    for (int i = 0; i < TG_EXPORT_TABLES; i++)
        for (int r = 1; r <= t[i].nrows; r++)
            for (int c = 0; c < t[i].ncols; c++)
                if (t[i].cell[r][c][0] == '[' || t[i].cell[r][c][0] == '{')
                    fail_msg("%s row %d: JSON in %s", export_table_names[i],
                             r, t[i].cell[0][c]);

    /* Each line, row by row, against the store. */
    for (int r = 1; r <= lines->nrows; r++)
        if (tu_int(s, "SELECT count(*) FROM purchases p JOIN v_labels l"
                      " ON l.purchase_id = p.id WHERE p.id = %s"
                      " AND line_code = '%s' AND order_code = '%s'"
                      " AND product_id = %s AND COALESCE(customer_id, -1) = %s"
                      " AND quantity = %s"
                      " AND printf('%%.2f', unit_price) = '%s'"
                      " AND strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', ordered_at,"
                      " 'unixepoch') = '%s' AND channel = '%s'"
                      " AND l.returned = %s",
                   lines->cell[r][0], get(lines, r, "line_code"),
                   get(lines, r, "order_code"), get(lines, r, "product_key"),
                   get(lines, r, "customer_key"), get(lines, r, "quantity"),
                   get(lines, r, "unit_price"), get(lines, r, "ordered_at"),
                   get(lines, r, "channel"), get(lines, r, "returned")) != 1)
            fail_msg("line %s differs from the store", lines->cell[r][0]);
    for (int r = 1; r <= rets->nrows; r++)
        if (tu_int(s, "SELECT count(*) FROM returns WHERE id = %s AND"
                      " code = '%s' AND purchase_id = %s AND quantity = %s"
                      " AND strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', returned_at,"
                      " 'unixepoch') = '%s'",
                   rets->cell[r][0], get(rets, r, "return_code"),
                   get(rets, r, "purchase_line_key"), get(rets, r, "quantity"),
                   get(rets, r, "returned_at")) != 1)
            fail_msg("return %s differs from the store", rets->cell[r][0]);

    /* The hand-checked values. */
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        const table *tb = &t[known[i].table];
        const char *got = get(tb, row_of(tb, known[i].key), known[i].column);
        if (strcmp(got, known[i].want) != 0)
            fail_msg("%s row %s %s: '%s', expected '%s'",
                     export_table_names[known[i].table], known[i].key,
                     known[i].column, got, known[i].want);
    }

    /* The name with a comma, a quote and a line break (read back whole
     * above) is quoted in the file as RFC 4180 has it. */
    char *raw = slurp(out, "dim_product.csv", NULL);
    assert_non_null(strstr(raw, "\r\n1,P1,\"Dress, \"\"Midi\"\"\nLong\","
                                "dresses,Acme,39.90,-1,runs small,S|M,"
                                "2026-01-15,midisummer,trendbuy\r\n"));
    free(raw);
    for (int i = 0; i < TG_EXPORT_TABLES; i++)
        unload(&t[i]);
}

static void the_same_bytes_every_time(void **state)
{
    fixture *fx = *state;
    char a[300], b[300];
    tg_err err = {0};
    assert_int_equal(export_to(fx, "b/", NULL, NULL, &err), TG_OK);
    tg_strlcpy(b, fx->out, sizeof b);
    assert_int_equal(export_to(fx, "a", NULL, NULL, &err), TG_OK);
    tg_strlcpy(a, fx->out, sizeof a);
    char *first[NFILES];
    for (size_t i = 0; i < NFILES; i++)
        first[i] = slurp(a, files[i], NULL);
    /* Again into the same folder: allowed (the manifest vouches for every
     * file) and nothing changes; a second folder gets the same bytes. */
    assert_int_equal(export_to(fx, "a", NULL, NULL, &err), TG_OK);
    for (size_t i = 0; i < NFILES; i++) {
        size_t n1, n2;
        char *x = slurp(a, files[i], &n1), *y = slurp(b, files[i], &n2);
        assert_non_null(first[i]);
        assert_non_null(x);
        assert_non_null(y);
        assert_string_equal(x, first[i]);
        assert_int_equal(n1, n2);
        assert_memory_equal(x, y, n1);
        free(x);
        free(y);
        free(first[i]);
    }
    char names[1024];
    listing(a, names, sizeof names);
    assert_string_equal(names, ALL_FILES);
}

static void never_overwrites_a_file_it_did_not_write(void **state)
{
    fixture *fx = *state;
    tg_store *s = fx->s;
    const char *out = fx->out;
    char names[1024];
    snprintf(fx->out, sizeof fx->out, "%s/out", fx->dir);
    tg_err err = {0};
    /* A foreign file of one of the export's names: nothing is written. */
    assert_int_equal(mkdir(out, 0700), 0);
    tu_write(out, "dim_date.csv", "my own dates\n");
    assert_int_equal(export_to(fx, "out", NULL, NULL, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "dim_date.csv"));
    listing(out, names, sizeof names);
    assert_string_equal(names, "dim_date.csv ");
    char *text = slurp(out, "dim_date.csv", NULL);
    assert_string_equal(text, "my own dates\n");
    free(text);
    /* A manifest that is not ours is not trusted either. */
    unlink(strcat(strcpy(names, out), "/dim_date.csv"));
    tu_write(out, EXPORT_MANIFEST, "hello\n");
    assert_int_equal(export_to(fx, "out", NULL, NULL, &err), TG_EDATA);
    listing(out, names, sizeof names);
    assert_string_equal(names, ".trendguard-export ");
    unlink(strcat(strcpy(names, out), "/" EXPORT_MANIFEST));

    /* A file of ours changed by hand after the export: refused, and the
     * other files keep the old export although the store changed. */
    assert_int_equal(export_to(fx, "out", NULL, NULL, &err), TG_OK);
    char *lines = slurp(out, "fact_purchase_lines.csv", NULL);
    tu_write(out, "dim_trend.csv", "edited\n");
    assert_int_equal(store_exec(s, "INSERT INTO purchases(line_code,"
                                   " order_code, product_id, quantity,"
                                   " unit_price, ordered_at) VALUES('L9',"
                                   " 'O9', 2, 1, 1.0, " T("2026-05-11") ")",
                                &err), TG_OK);
    assert_int_equal(export_to(fx, "out", NULL, NULL, &err), TG_EDATA);
    assert_non_null(strstr(err.msg, "dim_trend.csv"));
    char *again = slurp(out, "fact_purchase_lines.csv", NULL);
    assert_string_equal(again, lines);
    free(again);
    free(lines);
}

static void cleans_up_when_it_cannot_write(void **state)
{
    fixture *fx = *state;
    tg_store *s = fx->s;
    const char *dir = fx->dir, *out = fx->out;
    char names[1024];
    tg_err err = {0};
    /* A folder that cannot be created: a file stands in the way. */
    tu_write(dir, "plain", "x");
    assert_int_equal(export_to(fx, "plain/out", NULL, NULL, &err), TG_EIO);
    assert_int_equal(export_to(fx, "plain", NULL, NULL, &err), TG_EIO);

    /* A folder that cannot be written (for root too: a file size limit
     * that the first tables fit in but dim_date does not). The earlier
     * export stays whole and no temporary file is left. */
    assert_int_equal(export_to(fx, "out", NULL, NULL, &err), TG_OK);
    char *before = slurp(out, EXPORT_MANIFEST, NULL);
    assert_int_equal(store_exec(s, "DELETE FROM interventions WHERE id = 2",
                                &err), TG_OK);
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4096;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = export_to(fx, "out", NULL, NULL, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, TG_EIO);
    assert_non_null(strstr(err.msg, "write failed"));
    listing(out, names, sizeof names);
    assert_string_equal(names, ALL_FILES);
    char *after = slurp(out, EXPORT_MANIFEST, NULL);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* The same failure into folders that did not exist: the folders it
     * made go again; one that was there before stays. */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    signal(SIGXFSZ, SIG_IGN);
    rc = export_to(fx, "new/deeper", NULL, NULL, &err);
    assert_int_equal(mkdir(strcat(strcpy(names, dir), "/kept"), 0700), 0);
    int rc2 = export_to(fx, "kept", NULL, NULL, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, TG_EIO);
    assert_int_equal(rc2, TG_EIO);
    char path[600];
    struct stat sb;
    snprintf(path, sizeof path, "%s/new", dir);
    assert_int_equal(stat(path, &sb), -1);
    assert_int_equal(errno, ENOENT);
    snprintf(path, sizeof path, "%s/kept", dir);
    assert_int_equal(stat(path, &sb), 0);
    listing(path, names, sizeof names);
    assert_string_equal(names, "");
    /* Without write permission (only meaningful when not root). */
    if (geteuid() != 0) {
        snprintf(fx->out, sizeof fx->out, "%s/locked", dir);
        assert_int_equal(mkdir(out, 0500), 0);
        assert_int_equal(export_to(fx, "locked", NULL, NULL, &err), TG_EIO);
        listing(out, names, sizeof names);
        assert_string_equal(names, "");
        chmod(out, 0700);
    }
}

static void since_keeps_later_lines_and_what_they_use(void **state)
{
    fixture *fx = *state;
    const char *out = fx->out;
    tg_export_stats st;
    tg_err err = {0};
    assert_int_equal(export_to(fx, "since", "2026-04-01", &st, &err),
                     TG_OK);
    assert_int_equal(st.rows[TG_EXPORT_FACT_PURCHASE_LINES], 2); /* L3 L4 */
    assert_int_equal(st.rows[TG_EXPORT_FACT_RETURNS], 1);        /* R2 */
    assert_int_equal(st.rows[TG_EXPORT_FACT_SCORES], 2);
    assert_int_equal(st.rows[TG_EXPORT_FACT_INTERVENTIONS], 1);  /* L4's */
    assert_int_equal(st.rows[TG_EXPORT_DIM_PRODUCT], 3);   /* -1, P1, P2 */
    assert_int_equal(st.rows[TG_EXPORT_DIM_CUSTOMER], 2);  /* -1, C2 */
    assert_int_equal(st.rows[TG_EXPORT_DIM_TREND], 2);     /* -1, midisummer */
    assert_int_equal(st.rows[TG_EXPORT_DIM_DATE], 11 + 30); /* 04-20..05-30 */
    table lines, date, prod;
    load(out, "fact_purchase_lines", &lines);
    load(out, "dim_date", &date);
    load(out, "dim_product", &prod);
    assert_string_equal(lines.cell[1][0], "3");
    assert_string_equal(lines.cell[2][0], "4");
    assert_string_equal(date.cell[1][0], "20260420");
    joins(&lines, "date_key", &date);
    joins(&lines, "product_key", &prod);
    unload(&lines);
    unload(&date);
    unload(&prod);
    char *readme = slurp(out, "README.md", NULL);
    assert_non_null(strstr(readme, "on or after 2026-04-01"));
    free(readme);
}

static void iso_weeks_at_the_turn_of_the_year(void **state)
{
    (void)state;
    char dir[256], out[300];
    tu_tmpdir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/out", dir);
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    assert_int_equal(store_exec(s,
        "INSERT INTO products(id, code, name, category, price)"
        " VALUES(1, 'P', 'P', 'tops', 1);"
        "INSERT INTO purchases(line_code, order_code, product_id, quantity,"
        " unit_price, ordered_at) VALUES"
        " ('a', 'a', 1, 1, 1, " T("2020-12-31") "),"
        " ('b', 'b', 1, 1, 1, " T("2021-01-04 23:00:00") ")", &err), TG_OK);
    assert_int_equal(run_export(s, out, NULL, NULL, &err), TG_OK);
    table d;
    load(out, "dim_date", &d);
    assert_int_equal(d.nrows, 5);
    static const char *const want[5][5] = {
        /* date_key, iso_year, iso_week, weekday, quarter */
        {"20201231", "2020", "53", "4", "4"},
        {"20210101", "2020", "53", "5", "1"},
        {"20210102", "2020", "53", "6", "1"},
        {"20210103", "2020", "53", "7", "1"},
        {"20210104", "2021", "1", "1", "1"}};
    for (int r = 1; r <= 5; r++) {
        assert_string_equal(d.cell[r][0], want[r - 1][0]);
        assert_string_equal(get(&d, r, "iso_year"), want[r - 1][1]);
        assert_string_equal(get(&d, r, "iso_week"), want[r - 1][2]);
        assert_string_equal(get(&d, r, "weekday"), want[r - 1][3]);
        assert_string_equal(get(&d, r, "quarter"), want[r - 1][4]);
    }
    unload(&d);
    store_close(s);
    tu_rmrf(dir);
}

#define WITH_STORE(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        WITH_STORE(counts_and_keys_match_the_store),
        WITH_STORE(the_same_bytes_every_time),
        WITH_STORE(never_overwrites_a_file_it_did_not_write),
        WITH_STORE(cleans_up_when_it_cannot_write),
        WITH_STORE(since_keeps_later_lines_and_what_they_use),
        cmocka_unit_test(iso_weeks_at_the_turn_of_the_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
