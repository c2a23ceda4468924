/* test_feed_sync.c: `trendguard sync` end to end against a loopback HTTP
 * server the suite starts itself (tests/tools/feed_server.c, 127.0.0.1,
 * a port the kernel picks; nothing else is ever contacted): the real
 * tiktok-scraper file, the fault modes (500, 429 + Retry-After, 503, a
 * server that never answers, a trickle, a body cut short, malformed JSON,
 * 100 MB without Content-Length, a gzip bomb, redirects to file:// and
 * gopher://, a
 * refused address), the ETag round trip, rejects, one transaction per sync
 * (a checksum of every table before and after each failure) and the
 * worker-thread API. */
#include "testutil.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <poll.h>

#include "cmd/commands.h"
#include "tools/feed_server.c"
#include "trendguard/feed.h"

#define TIKTOK "../shared/datasets/tiktok_trending_2020.json"

static fs_server server;

typedef struct fixture {
    char dir[256];
    char db[512];
    tg_store *s;
} fixture;

static int group_setup(void **state)
{
    (void)state;
    /* Nothing may go through a proxy. */
    static const char *const proxies[] = {"http_proxy",  "https_proxy",
                                          "HTTP_PROXY",  "HTTPS_PROXY",
                                          "ALL_PROXY",   "all_proxy"};
    for (size_t i = 0; i < sizeof proxies / sizeof *proxies; i++)
        unsetenv(proxies[i]);
    if (fs_start(&server, TIKTOK, 240) != 0) {
        fprintf(stderr, "cannot start the loopback server\n");
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fs_stop(&server);
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tu_tmpdir(f->dir, sizeof f->dir);
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    f->s = tu_store(f->dir, "t.db");
    fs_reset(&server);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unsetenv("http_proxy"); /* should a test have failed with it set */
    store_close(f->s);
    tu_rmrf(f->dir);
    free(f);
    return 0;
}

static const char *url(const char *path)
{
    static char buf[8][256];
    static int next;
    char *b = buf[next++ % 8];
    snprintf(b, sizeof buf[0], "http://127.0.0.1:%d%s", server.port, path);
    return b;
}

static int sync_path(fixture *f, const char *path, const tg_feed_opts *o,
                     tg_feed_result *r, tg_err *err)
{
    tg_err_clear(err);
    return feed_sync(f->s, url(path), o, r, err);
}

/* ---- the store's checksum ----------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends every row of table (sorted, each value with its type). */
static void dump_table(sqlite3 *db, const char *table, FILE *out)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", table);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    char **rows = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char *row = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&row, &len);
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            int t = sqlite3_column_type(st, c);
            const unsigned char *v = sqlite3_column_text(st, c);
            fprintf(m, "%d:%s\x1f", t,
                    t == SQLITE_NULL ? "" : (const char *)v);
        }
        fclose(m);
        if (n == cap)
            rows = realloc(rows, (cap = cap * 2 + 64) * sizeof *rows);
        rows[n++] = row;
    }
    sqlite3_finalize(st);
    if (n)
        qsort(rows, n, sizeof *rows, cmp_str);
    fprintf(out, "== %s %zu\n", table, n);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s\n", rows[i]);
        free(rows[i]);
    }
    free(rows);
}

/* SHA-256 of the schema and of every row of every table (feed_sources
 * left out when skip_sources: it notes the time of each sync). */
static void digest(tg_store *s, int skip_sources, char out[65])
{
    sqlite3 *db = store_db(s);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db,
                       "SELECT type, name, COALESCE(sql, '') FROM "
                       "sqlite_schema ORDER BY type, name",
                       -1, &st, NULL);
    char **tables = NULL;
    size_t nt = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (skip_sources && strcmp(name, "feed_sources") == 0)
            continue;
        fprintf(m, "%s %s %s\n", type, name, sqlite3_column_text(st, 2));
        if (strcmp(type, "table") == 0 && strncmp(name, "sqlite_", 7) != 0) {
            tables = realloc(tables, (nt + 1) * sizeof *tables);
            tables[nt++] = tg_strdup(name);
        }
    }
    sqlite3_finalize(st);
    for (size_t i = 0; i < nt; i++) {
        dump_table(db, tables[i], m);
        free(tables[i]);
    }
    free(tables);
    fclose(m);
    tg_sha256_buf(buf, len, out);
    free(buf);
}

/* ---- running the command ------------------------------------------------ */

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    size_t r = f ? fread(buf, 1, n - 1, f) : 0;
    buf[r] = '\0';
    if (f)
        fclose(f);
}

/* Runs `trendguard sync --db DB ARGS...` (NULL-terminated) in this
 * process, capturing stdout and stderr. */
static int run_cli(fixture *f, char *out, size_t on, char *eb, size_t en,
                   ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "sync";
    argv[argc++] = "--db";
    argv[argc++] = f->db;
    va_list ap;
    va_start(ap, en);
    char *a;
    while ((a = va_arg(ap, char *)) && argc < 31)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    char po[600], pe[600];
    snprintf(po, sizeof po, "%s/stdout", f->dir);
    snprintf(pe, sizeof pe, "%s/stderr", f->dir);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fo, 1);
    dup2(fe, 2);
    close(fo);
    close(fe);
    int rc = cmd_sync(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    slurp(po, out, on);
    slurp(pe, eb, en);
    return rc;
}

/* stderr is one line holding every string given (NULL-terminated). */
static void one_line_with(const char *eb, ...)
{
    const char *nl = strchr(eb, '\n');
    if (!nl || nl[1] != '\0')
        fail_msg("stderr is not one line: '%s'", eb);
    va_list ap;
    va_start(ap, eb);
    const char *w;
    while ((w = va_arg(ap, const char *)))
        if (!strstr(eb, w))
            fail_msg("stderr '%s' lacks '%s'", eb, w);
    va_end(ap);
}

static void has(const char *msg, const char *what)
{
    if (!strstr(msg, what))
        fail_msg("'%s' lacks '%s'", msg, what);
}

/* A product tagged with hashtag. */
static void add_product(fixture *f, const char *code, const char *tag)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT OR IGNORE INTO hashtags(name) VALUES('%s');"
             "INSERT INTO products(code, name, category, price)"
             " VALUES('%s', 'Test item', 'dresses', 20);"
             "INSERT INTO product_tags(product_id, hashtag_id, rank)"
             " SELECT p.id, h.id, 0 FROM products p, hashtags h"
             " WHERE p.code = '%s' AND h.name = '%s';",
             tag, code, code, tag);
    tg_err err = {0};
    if (store_exec(f->s, sql, &err) != TG_OK)
        fail_msg("%s", err.msg);
}

/* ---- the real tiktok-scraper export ------------------------------------- */

static void real_tiktok_file(void **state)
{
    fixture *f = *state;
    add_product(f, "P1", "fyp");
    tg_feed_result r;
    tg_err err;
    assert_int_equal(sync_path(f, "/tiktok.json", NULL, &r, &err), TG_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.format, FEED_TIKTOK);
    assert_int_equal(r.items, 1000);
    assert_int_equal(r.videos, 1000);
    assert_int_equal(r.hashtags, 2220);
    assert_int_equal(r.snapshots, 2220);
    assert_int_equal(r.snapshots_added, 2220);
    assert_int_equal(r.hashtags_added, 2219); /* fyp was there */
    assert_int_equal(r.matched_hashtags, 1);
    assert_int_equal(r.matched_products, 1);
    assert_int_equal(r.rejected, 0);
    assert_int_equal(r.bytes, 2950923);
    int64_t lm;
    tg_time_parse("2020-12-22T00:00:00Z", &lm); /* the Last-Modified */
    assert_int_equal(r.captured_at, lm);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM trend_snapshots"),
                     2220);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM trend_snapshots"
                                  " WHERE source = 'tiktok-scraper' AND"
                                  " captured_at = %lld", (long long)lm),
                     2220);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM hashtags"), 2220);
    assert_int_equal(tu_int(f->s, "SELECT views FROM trend_snapshots s JOIN"
                                  " hashtags h ON h.id = s.hashtag_id WHERE"
                                  " h.name = 'fyp'"), 207454594);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM trend_snapshots s"
                                  " JOIN hashtags h ON h.id = s.hashtag_id"
                                  " WHERE h.name = 'fyp' AND"
                                  " s.creator = 'maxime_spam1'"), 1);
    /* Derived state for every hashtag; the document and the source. */
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM trend_state"), 2220);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM ingest_files WHERE"
                                  " kind = 'tiktok-scraper' AND"
                                  " rows_loaded = 2220 AND name = '%s'",
                            url("/tiktok.json")), 1);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM feed_sources WHERE"
                                  " url = '%s' AND last_modified = '%s'",
                            url("/tiktok.json"), FS_LAST_MODIFIED), 1);

    /* Twice: a conditional request, answered in full by this server; the
     * same bytes add nothing. */
    char before[65], after[65], req[8192];
    digest(f->s, 1, before);
    assert_int_equal(sync_path(f, "/tiktok.json", NULL, &r, &err), TG_OK);
    fs_last_request(&server, req, sizeof req);
    has(req, "If-Modified-Since: " FS_LAST_MODIFIED "\r\n");
    assert_true(r.already_loaded);
    assert_false(r.not_modified);
    assert_int_equal(r.snapshots_added, 0);
    assert_int_equal(r.hashtags_added, 0);
    assert_int_equal(r.matched_products, 1);
    digest(f->s, 1, after);
    assert_string_equal(before, after);
}

static void cli_json_summary(void **state)
{
    fixture *f = *state;
    add_product(f, "P1", "fyp");
    char out[8192], eb[4096];
    int rc = run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                     url("/tiktok.json"), "--json", "--timeout", "10", NULL);
    if (rc != 0)
        fail_msg("exit %d: %s", rc, eb);
    assert_string_equal(eb, "");
    cJSON *j = cJSON_Parse(out);
    assert_non_null(j);
#define NUM(k) cJSON_GetObjectItem(j, k)->valuedouble
    assert_int_equal(NUM("videos"), 1000);
    assert_int_equal(NUM("hashtags"), 2220);
    assert_int_equal(NUM("snapshots_added"), 2220);
    assert_int_equal(NUM("matched_products"), 1);
    assert_int_equal(NUM("rejected"), 0);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "not_modified")));
    assert_string_equal(cJSON_GetObjectItem(j, "format")->valuestring,
                        "tiktok-scraper");
    assert_string_equal(cJSON_GetObjectItem(j, "captured_at")->valuestring,
                        "2020-12-22T00:00:00Z");
    cJSON_Delete(j);
    /* Text, again: already loaded. */
    rc = run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                 url("/tiktok.json"), NULL);
    assert_int_equal(rc, 0);
    has(out, "tiktok-scraper, 1000 videos, 2220 hashtags: already loaded, "
             "nothing added");
    /* The project's format, with a product matched. */
    add_product(f, "P2", "midisummer");
    rc = run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                 url("/fixture/good.json"), "--format", "feed", "--json",
                 NULL);
    assert_int_equal(rc, 0);
    j = cJSON_Parse(out);
    assert_non_null(j);
    assert_int_equal(NUM("videos"), 0);
    assert_int_equal(NUM("hashtags"), 3);
    assert_int_equal(NUM("snapshots_added"), 4);
    assert_int_equal(NUM("matched_products"), 1);
    assert_string_equal(cJSON_GetObjectItem(j, "format")->valuestring, "feed");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "captured_at")));
#undef NUM
    cJSON_Delete(j);
    /* Unmatched hashtags are kept. */
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM hashtags WHERE name"
                                  " IN ('linenset', 'y2kdress')"), 2);
    /* Usage errors. */
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, NULL),
                     TG_EUSAGE);
    has(eb, "--url is required");
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             url("/x"), "--format", "xml", NULL),
                     TG_EUSAGE);
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             url("/x"), "--timeout", "-1", NULL),
                     TG_EUSAGE);
}

/* ---- fault modes -------------------------------------------------------- */

/* Runs the command on path; checks the exit code, a one-line message
 * naming the URL and what, and that the store did not change. Returns
 * the seconds it took. */
static double cli_fails(fixture *f, const char *path, int code,
                        const char *what, const char *timeout)
{
    char before[65], after[65], out[4096], eb[4096];
    digest(f->s, 0, before);
    double t0 = tg_now_mono();
    int rc = run_cli(f, out, sizeof out, eb, sizeof eb, "--url", url(path),
                     "--timeout", timeout, NULL);
    double took = tg_now_mono() - t0;
    if (rc != code)
        fail_msg("%s: exit %d, expected %d (%s)", path, rc, code, eb);
    one_line_with(eb, "trendguard sync: ", url(path), what, NULL);
    assert_string_equal(out, "");
    digest(f->s, 0, after);
    assert_string_equal(before, after);
    return took;
}

static void http_errors(void **state)
{
    fixture *f = *state;
    cli_fails(f, "/500", TG_EUNAVAIL, ": HTTP 500 Internal Server Error",
              "2");
    cli_fails(f, "/404", TG_EUNAVAIL, ": HTTP 404 Not Found", "2");
    /* Credentials never reach a message. */
    char out[4096], eb[4096], u[300];
    snprintf(u, sizeof u, "http://user:s3cret@127.0.0.1:%d/500", server.port);
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url", u,
                             NULL),
                     TG_EUNAVAIL);
    assert_null(strstr(eb, "s3cret"));
    has(eb, "HTTP 500");
}

static void retry_after_429(void **state)
{
    fixture *f = *state;
    tg_feed_opts o = {.timeout = 5};
    tg_feed_result r;
    tg_err err;
    double t0 = tg_now_mono();
    if (sync_path(f, "/429", &o, &r, &err) != TG_OK)
        fail_msg("%s", err.msg);
    double took = tg_now_mono() - t0;
    assert_int_equal(r.attempts, 2);
    assert_int_equal(atomic_load(&server.hits429), 2);
    assert_true(took >= 0.95 && took < 3);
    assert_int_equal(r.snapshots_added, 4);

    /* A Retry-After past the timeout fails at once, saying so. */
    char before[65], after[65];
    digest(f->s, 0, before);
    t0 = tg_now_mono();
    assert_int_equal(sync_path(f, "/429-long", &o, &r, &err), TG_EUNAVAIL);
    assert_true(tg_now_mono() - t0 < 1);
    has(err.msg, "HTTP 429 Too Many Requests, Retry-After asks for 3600 s");
    digest(f->s, 0, after);
    assert_string_equal(before, after);

    /* 503 without Retry-After: 1 s backoff, then no time for 2 s more. */
    o.timeout = 2.5;
    fs_reset(&server);
    t0 = tg_now_mono();
    assert_int_equal(sync_path(f, "/503", &o, &r, &err), TG_EUNAVAIL);
    has(err.msg, "HTTP 503 Service Unavailable, after 2 attempts");
    assert_int_equal(atomic_load(&server.requests), 2);
    assert_true(tg_now_mono() - t0 < 2.5);
    /* With one retry allowed. */
    o.timeout = 10;
    o.retries = 1;
    assert_int_equal(sync_path(f, "/503", &o, &r, &err), TG_EUNAVAIL);
    has(err.msg, "HTTP 503 Service Unavailable, still after 2 attempts");
    digest(f->s, 0, after);
    assert_string_equal(before, after);
}

static void never_answers(void **state)
{
    fixture *f = *state;
    double took = cli_fails(f, "/hang", TG_EUNAVAIL,
                            "timed out: no complete answer within 2 s", "2");
    assert_true(took >= 1.9 && took < 4);
}

static void trickle_is_too_slow(void **state)
{
    fixture *f = *state;
    tg_feed_opts o = {.timeout = 20, .low_speed_bytes = 1000,
                      .low_speed_secs = 1};
    tg_feed_result r;
    tg_err err;
    char before[65], after[65];
    digest(f->s, 0, before);
    double t0 = tg_now_mono();
    assert_int_equal(sync_path(f, "/trickle", &o, &r, &err), TG_EUNAVAIL);
    assert_true(tg_now_mono() - t0 < 5);
    has(err.msg, "/trickle: too slow: less than 1000 bytes/s for 1 s");
    digest(f->s, 0, after);
    assert_string_equal(before, after);
    /* From the command line the total timeout stops it. */
    cli_fails(f, "/trickle", TG_EUNAVAIL, "timed out", "2");
}

static void cut_short_and_malformed(void **state)
{
    fixture *f = *state;
    cli_fails(f, "/short", TG_EUNAVAIL,
              ": body cut short: transfer closed with 500 bytes remaining",
              "2");
    cli_fails(f, "/malformed", TG_EDATA,
              ": not JSON: the document ends too early", "2");
    cli_fails(f, "/fixture/malformed.json", TG_EDATA,
              ": not JSON: syntax error at line 3, column", "2");
    cli_fails(f, "/fixture/version2.json", TG_EDATA,
              ": version: 2 is not supported", "2");
    cli_fails(f, "/html", TG_EDATA, "(Content-Type text/html)", "2");
}

static void huge_body_is_capped(void **state)
{
    fixture *f = *state;
    /* 100 MB without Content-Length against the default 64 MiB cap. */
    double took = cli_fails(f, "/huge", TG_EDATA,
                            ": body too large: more than the 64 MiB limit",
                            "20");
    print_message("  refused 100 MB after 64 MiB in %.2f s\n", took);
    /* Announced: refused before reading the body. */
    tg_feed_opts o = {.timeout = 5, .max_bytes = 1 << 20};
    tg_feed_result r;
    tg_err err;
    assert_int_equal(sync_path(f, "/huge-cl", &o, &r, &err), TG_EDATA);
    has(err.msg, "body too large: Content-Length is over the 1 MiB limit");
    assert_int_equal(sync_path(f, "/huge", &o, &r, &err), TG_EDATA);
    has(err.msg, "more than the 1 MiB limit");
    /* The limit counts decoded bytes: 8 KiB of gzip that inflate to 8 MiB. */
    assert_int_equal(sync_path(f, "/gzip-bomb", &o, &r, &err), TG_EDATA);
    has(err.msg, "/gzip-bomb: body too large: more than the 1 MiB limit");
    /* --max-mb from the command line. */
    char out[4096], eb[4096];
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             url("/huge"), "--max-mb", "2", NULL),
                     TG_EDATA);
    has(eb, "more than the 2 MiB limit");
}

static void redirects(void **state)
{
    fixture *f = *state;
    cli_fails(f, "/redirect-file", TG_EUNAVAIL,
              ": redirect to 'file:///etc/passwd' refused: only http:// and "
              "https:// are allowed", "2");
    cli_fails(f, "/redirect-gopher", TG_EUNAVAIL,
              ": redirect to 'gopher://127.0.0.1/' refused", "2");
    cli_fails(f, "/redirect-loop", TG_EUNAVAIL,
              ": too many redirects (more than 5)", "2");
    tg_feed_result r;
    tg_err err;
    assert_int_equal(sync_path(f, "/redirect-ok", NULL, &r, &err), TG_OK);
    assert_int_equal(r.redirects, 1);
    assert_int_equal(r.attempts, 2);
    assert_int_equal(r.snapshots_added, 4);
    tg_feed_opts none = {.max_redirects = -1};
    assert_int_equal(sync_path(f, "/redirect-ok", &none, &r, &err),
                     TG_EUNAVAIL);
    has(err.msg, "too many redirects (more than 0)");
}

static void refused_urls_and_addresses(void **state)
{
    fixture *f = *state;
    char before[65], after[65], out[4096], eb[4096];
    digest(f->s, 0, before);
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             "file:///etc/passwd", NULL),
                     TG_EUSAGE);
    one_line_with(eb, "URL 'file:///etc/passwd' refused: only http:// and "
                      "https:// are allowed", NULL);
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             "gopher://127.0.0.1/", NULL),
                     TG_EUSAGE);
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             "127.0.0.1/feed", NULL),
                     TG_EUSAGE);
    has(eb, "is not a URL");
    /* Loopback refused by policy: the check runs before connecting, so the
     * server sees nothing. (The same path refuses 169.254.169.254; that
     * address is never contacted in tests, see address_classes.) */
    tg_feed_opts o = {.allow = FEED_ADDR_PUBLIC | FEED_ADDR_PRIVATE};
    tg_feed_result r;
    tg_err err;
    assert_int_equal(sync_path(f, "/fixture/good.json", &o, &r, &err),
                     TG_EUNAVAIL);
    has(err.msg, "refused to connect to 127.0.0.1, a loopback address");
    assert_int_equal(atomic_load(&server.requests), 0);

    /* 169.254.169.254, directly and by redirect, with this server as the
     * HTTP proxy: through a proxy the connection goes to the proxy, so the
     * URL's own address is checked; and were it not, the only connection
     * would still be to 127.0.0.1 (no address but 127.0.0.1 is contacted
     * by these tests). */
    char proxy[64];
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", server.port);
    setenv("http_proxy", proxy, 1);
    const char *meta = "http://169.254.169.254/latest/meta-data/";
    assert_int_equal(feed_sync(f->s, meta, NULL, &r, &err), TG_EUNAVAIL);
    has(err.msg, "http://169.254.169.254/latest/meta-data/: refused to "
                 "connect to 169.254.169.254, a link-local (cloud metadata)"
                 " address (allow with --allow-link-local)");
    assert_int_equal(feed_sync(f->s, "http://[::ffff:169.254.169.254]/",
                               NULL, &r, &err), TG_EUNAVAIL);
    has(err.msg, "a link-local (cloud metadata) address");
    assert_int_equal(sync_path(f, "/redirect-metadata", NULL, &r, &err),
                     TG_EUNAVAIL);
    has(err.msg, "/redirect-metadata: redirect to http://169.254.169.254/"
                 "latest/meta-data/: refused to connect to 169.254.169.254");
    assert_int_equal(atomic_load(&server.requests), 1); /* the redirect */
    /* Allowed: the request reaches the proxy (this server: 404). */
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             meta, "--allow-link-local", NULL),
                     TG_EUNAVAIL);
    one_line_with(eb, meta, ": HTTP 404 Not Found", NULL);
    char req[8192];
    fs_last_request(&server, req, sizeof req);
    has(req, "GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\n");
    unsetenv("http_proxy");
    digest(f->s, 0, after);
    assert_string_equal(before, after);
}

static void etag_round_trip(void **state)
{
    fixture *f = *state;
    tg_feed_result r;
    tg_err err;
    assert_int_equal(sync_path(f, "/etag.json", NULL, &r, &err), TG_OK);
    assert_int_equal(r.snapshots_added, 4);
    assert_false(r.not_modified);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM feed_sources WHERE"
                                  " etag = '" FS_ETAG "'"), 1);
    char before[65], after[65], req[8192];
    digest(f->s, 1, before);
    assert_int_equal(sync_path(f, "/etag.json", NULL, &r, &err), TG_OK);
    fs_last_request(&server, req, sizeof req);
    has(req, "\r\nIf-None-Match: " FS_ETAG "\r\n");
    has(req, "\r\nIf-Modified-Since: Fri, 02 May 2025 06:00:00 GMT\r\n");
    assert_true(r.not_modified);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.snapshots_added, 0);
    assert_int_equal(r.bytes, 0);
    digest(f->s, 1, after);
    assert_string_equal(before, after);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM feed_sources WHERE"
                                  " last_status = 'not modified' AND etag ="
                                  " '" FS_ETAG "'"), 1);
    char out[4096], eb[4096];
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             url("/etag.json"), NULL), 0);
    has(out, "not modified (HTTP 304), nothing added");
    assert_int_equal(run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                             url("/etag.json"), "--json", NULL), 0);
    has(out, "\"not_modified\":true");
    has(out, "\"snapshots_added\":0");
}

/* ---- loading ------------------------------------------------------------ */

static void bad_items_go_to_rejects(void **state)
{
    fixture *f = *state;
    char out[4096], eb[4096];
    int rc = run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                     url("/fixture/bad_items.json"), NULL);
    assert_int_equal(rc, TG_EDATA);
    has(out, "2 of 2 snapshots added");
    has(out, "13 rejected");
    has(eb, "13 items rejected");
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM trend_snapshots"), 2);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE"
                                  " file = '%s'",
                            url("/fixture/bad_items.json")), 13);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM rejects WHERE"
                                  " line = 1 AND column_name ="
                                  " 'snapshots[1].views' AND reason ="
                                  " '-5 is not a count (negative)' AND"
                                  " raw LIKE '%%\"negative\"%%'"), 1);
    /* Again: nothing more, not even rejects. */
    char before[65], after[65];
    digest(f->s, 1, before);
    rc = run_cli(f, out, sizeof out, eb, sizeof eb, "--url",
                 url("/fixture/bad_items.json"), NULL);
    assert_int_equal(rc, 0);
    has(out, "already loaded");
    digest(f->s, 1, after);
    assert_string_equal(before, after);
}

static void same_snapshots_twice_add_nothing(void **state)
{
    fixture *f = *state;
    tg_feed_result r;
    tg_err err;
    assert_int_equal(sync_path(f, "/fixture/good.json", NULL, &r, &err),
                     TG_OK);
    assert_int_equal(r.snapshots_added, 4);
    assert_int_equal(r.hashtags_added, 3);
    assert_int_equal(tu_int(f->s, "SELECT views_24h FROM trend_state s JOIN"
                                  " hashtags h ON h.id = s.hashtag_id WHERE"
                                  " h.name = 'midisummer' ORDER BY"
                                  " captured_at DESC LIMIT 1"), 4000);
    /* Other bytes, same snapshots (through a redirect, another URL): the
     * primary key keeps the first. */
    char before[65], after[65];
    digest(f->s, 1, before);
    tg_store *s = f->s;
    size_t n;
    char *body = tg_read_file("tests/fixtures/feed/good.json", &n, 1 << 20,
                              &err);
    char *spaced = malloc(n + 2);
    memcpy(spaced, body, n);
    memcpy(spaced + n, " \n", 2);
    tg_feed_doc *d = feed_parse(spaced, n + 2, FEED_AUTO, time(NULL), 0,
                                &err);
    assert_non_null(d);
    tg_feed_fetch fx = {.url = "http://elsewhere.test/feed", .status = 200,
                        .fetched_at = time(NULL)};
    assert_int_equal(feed_apply(s, &fx, d, &r, &err), TG_OK);
    assert_false(r.already_loaded);
    assert_int_equal(r.snapshots_added, 0);
    assert_int_equal(r.hashtags_added, 0);
    assert_int_equal(tu_int(s, "SELECT count(*) FROM trend_snapshots"), 4);
    digest(f->s, 1, after);
    assert_string_not_equal(before, after); /* ingest_files, feed_sources */
    assert_int_equal(tu_int(s, "SELECT count(*) FROM ingest_files"), 2);
    feed_doc_free(d);
    free(spaced);
    free(body);
}

static void failure_rolls_everything_back(void **state)
{
    fixture *f = *state;
    /* The store fails on the last snapshot, after new hashtags and three
     * snapshots went in. */
    tg_err err = {0};
    assert_int_equal(
        store_exec(f->s,
                   "CREATE TRIGGER boom BEFORE INSERT ON trend_snapshots"
                   " WHEN (SELECT name FROM hashtags WHERE id ="
                   " NEW.hashtag_id) = 'linenset'"
                   " BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
                   &err),
        TG_OK);
    char before[65], after[65];
    digest(f->s, 0, before);
    tg_feed_result r;
    assert_int_not_equal(sync_path(f, "/fixture/good.json", NULL, &r, &err),
                         TG_OK);
    has(err.msg, "disk on fire");
    digest(f->s, 0, after);
    assert_string_equal(before, after);
    assert_int_equal(tu_int(f->s, "SELECT count(*) FROM hashtags"), 0);
    assert_int_equal(r.snapshots_added, 0);
    /* Fixed, it loads. */
    assert_int_equal(store_exec(f->s, "DROP TRIGGER boom", &err), TG_OK);
    assert_int_equal(sync_path(f, "/fixture/good.json", NULL, &r, &err),
                     TG_OK);
    assert_int_equal(r.snapshots_added, 4);
}

/* ---- the worker-thread API ---------------------------------------------- */

static void job_runs_off_thread(void **state)
{
    fixture *f = *state;
    tg_feed_validators v;
    tg_err err = {0};
    assert_int_equal(feed_validators_get(f->s, url("/etag.json"), &v, &err),
                     TG_OK);
    assert_string_equal(v.etag, "");
    tg_feed_job *j = feed_job_start(url("/etag.json"), NULL, &v, &err);
    assert_non_null(j);
    struct pollfd pf = {feed_job_fd(j), POLLIN, 0};
    assert_int_equal(poll(&pf, 1, 5000), 1);
    assert_true(feed_job_done(j));
    tg_feed_fetch *fx;
    tg_feed_doc *d;
    assert_int_equal(feed_job_finish(j, &fx, &d, &err), TG_OK);
    assert_int_equal(fx->status, 200);
    assert_non_null(d);
    tg_feed_result r;
    assert_int_equal(feed_apply(f->s, fx, d, &r, &err), TG_OK);
    assert_int_equal(r.snapshots_added, 4);
    feed_doc_free(d);
    feed_fetch_free(fx);
    feed_job_free(j);
    /* The next job is conditional and ends in a 304 without a document. */
    assert_int_equal(feed_validators_get(f->s, url("/etag.json"), &v, &err),
                     TG_OK);
    assert_string_equal(v.etag, FS_ETAG);
    j = feed_job_start(url("/etag.json"), NULL, &v, &err);
    assert_int_equal(feed_job_finish(j, &fx, &d, &err), TG_OK);
    assert_int_equal(fx->status, 304);
    assert_null(d);
    assert_int_equal(feed_apply(f->s, fx, NULL, &r, &err), TG_OK);
    assert_true(r.not_modified);
    feed_fetch_free(fx);
    feed_job_free(j);
    /* Errors come back from the worker, named. */
    j = feed_job_start(url("/malformed"), NULL, NULL, &err);
    assert_int_equal(feed_job_finish(j, &fx, &d, &err), TG_EDATA);
    has(err.msg, "/malformed: not JSON");
    feed_job_free(j);
    /* Freeing a running job cancels it quickly. */
    tg_feed_opts o = {.timeout = 30};
    j = feed_job_start(url("/hang"), &o, NULL, &err);
    struct timespec ts = {0, 200000000};
    nanosleep(&ts, NULL);
    assert_false(feed_job_done(j));
    double t0 = tg_now_mono();
    feed_job_free(j);
    assert_true(tg_now_mono() - t0 < 1.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(real_tiktok_file),
        T(cli_json_summary),
        T(http_errors),
        T(retry_after_429),
        T(never_answers),
        T(trickle_is_too_slow),
        T(cut_short_and_malformed),
        T(huge_body_is_capped),
        T(redirects),
        T(refused_urls_and_addresses),
        T(etag_round_trip),
        T(bad_items_go_to_rejects),
        T(same_snapshots_twice_add_nothing),
        T(failure_rolls_everything_back),
        T(job_runs_off_thread),
#undef T
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
