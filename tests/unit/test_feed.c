/* test_feed.c: the feed parsers without network or store: the TrendGuard
 * feed format, tiktok-scraper exports (the real 2020 file included), the
 * mapping of videos to snapshots and its capture time, hostile JSON
 * (types, ranges, ids, nesting, encodings, size), and the small helpers
 * (formats, URL redaction, address classes). The transfer and the store
 * are in test_feed_sync.c. */
#include "testutil.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>

#include "trendguard/feed.h"

#define FIX "tests/fixtures/feed"
#define TIKTOK "../shared/datasets/tiktok_trending_2020.json"
/* The fetch time the tests pretend: 2026-05-28, after every fixture. */
#define NOW 1780000000LL

static tg_feed_doc *parse_str(const char *s, int format, tg_err *err)
{
    return feed_parse(s, strlen(s), format, NOW, 0, err);
}

static tg_feed_doc *parse_file(const char *path, int format, int64_t lm,
                               tg_err *err)
{
    size_t n = 0;
    char *body = tg_read_file(path, &n, 64 << 20, err);
    if (!body)
        fail_msg("cannot read %s: %s", path, err->msg);
    tg_feed_doc *d = feed_parse(body, n, format, NOW, lm, err);
    free(body);
    return d;
}

static const tg_feed_snapshot *snap(const tg_feed_doc *d, const char *tag)
{
    for (size_t i = 0; i < d->nsnaps; i++)
        if (strcmp(d->snaps[i].hashtag, tag) == 0)
            return &d->snaps[i];
    return NULL;
}

static const tg_feed_reject *rej(const tg_feed_doc *d, const char *field)
{
    for (size_t i = 0; i < d->nrejects; i++)
        if (strcmp(d->rejects[i].field, field) == 0)
            return &d->rejects[i];
    return NULL;
}

/* The reject of field exists and its reason holds what. */
static void expect_reject(const tg_feed_doc *d, const char *field,
                          const char *what)
{
    const tg_feed_reject *r = rej(d, field);
    if (!r) {
        for (size_t i = 0; i < d->nrejects; i++)
            print_message("  reject %s: %s\n", d->rejects[i].field,
                          d->rejects[i].reason);
        fail_msg("no reject for %s", field);
    }
    if (!strstr(r->reason, what))
        fail_msg("%s: reason '%s' lacks '%s'", field, r->reason, what);
}

/* The whole document fails with TG_EDATA and a message holding what. */
static void expect_doc_error(const char *body, size_t n, int format,
                             const char *what)
{
    tg_err err = {0};
    tg_feed_doc *d = feed_parse(body, n, format, NOW, 0, &err);
    if (d) {
        feed_doc_free(d);
        fail_msg("parsed, expected '%s'", what);
    }
    assert_int_equal(err.code, TG_EDATA);
    if (!strstr(err.msg, what))
        fail_msg("message '%s' lacks '%s'", err.msg, what);
}
#define DOC_ERROR(s, what) expect_doc_error((s), strlen(s), FEED_AUTO, (what))

/* ---- the TrendGuard feed format ----------------------------------------- */

static void native_good(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_feed_doc *d = parse_file(FIX "/good.json", FEED_AUTO, 0, &err);
    assert_non_null(d);
    assert_int_equal(d->format, FEED_NATIVE);
    assert_int_equal(d->items, 4);
    assert_int_equal(d->nsnaps, 4);
    assert_int_equal(d->nrejects, 0);
    assert_int_equal(d->hashtags, 3);
    /* "#MidiSummer" is the hashtag midisummer. */
    const tg_feed_snapshot *s = &d->snaps[0];
    assert_string_equal(s->hashtag, "midisummer");
    int64_t t;
    tg_time_parse("2025-05-01T00:00:00Z", &t);
    assert_int_equal(s->captured_at, t);
    assert_int_equal(s->views, 1000);
    assert_int_equal(s->likes, 80);
    assert_int_equal(s->shares, 5);
    assert_int_equal(s->comments, 2);
    assert_string_equal(s->creator, "@mila.styles");
    /* An offset is honoured; missing counts are 0; null creator is none. */
    s = snap(d, "y2kdress");
    tg_time_parse("2025-05-01T12:00:00Z", &t);
    assert_int_equal(s->captured_at, t);
    assert_int_equal(s->views, 250);
    assert_int_equal(s->likes + s->shares + s->comments, 0);
    assert_null(s->creator);
    s = snap(d, "linenset");
    tg_time_parse("2025-05-02", &t);
    assert_int_equal(s->captured_at, t);
    assert_int_equal(s->item, 3);
    assert_int_equal(strlen(d->sha256), 64);
    /* Forcing the format gives the same; the other format refuses. */
    tg_feed_doc *d2 = parse_file(FIX "/good.json", FEED_NATIVE, 0, &err);
    assert_non_null(d2);
    assert_int_equal(d2->nsnaps, 4);
    assert_string_equal(d2->sha256, d->sha256);
    feed_doc_free(d2);
    assert_null(parse_file(FIX "/good.json", FEED_TIKTOK, 0, &err));
    assert_int_equal(err.code, TG_EDATA);
    assert_non_null(strstr(err.msg, "collector: missing"));
    feed_doc_free(d);
}

static void native_bad_items_are_rejects(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_feed_doc *d = parse_file(FIX "/bad_items.json", FEED_AUTO, 0, &err);
    assert_non_null(d);
    assert_int_equal(d->items, 15);
    assert_int_equal(d->nsnaps, 2); /* okay, maxok */
    assert_int_equal(d->nrejects, 13);
    assert_non_null(snap(d, "okay"));
    assert_int_equal(snap(d, "maxok")->views, FEED_MAX_COUNT);
    expect_reject(d, "snapshots[1].views", "-5 is not a count (negative)");
    expect_reject(d, "snapshots[2].views", "is a string, not a count");
    expect_reject(d, "snapshots[3].captured_at",
                  "2999-01-01T00:00:00Z is after the feed was fetched");
    expect_reject(d, "snapshots[4].hashtag",
                  "'two words' has a space or separator");
    expect_reject(d, "snapshots[5]", "is a number, not an object");
    expect_reject(d, "snapshots[6].likes",
                  "1.5 is not a count (not a whole number)");
    expect_reject(d, "snapshots[7].views", "more than 2^53-1");
    expect_reject(d, "snapshots[8].views", "overflows a double");
    expect_reject(d, "snapshots[9].captured_at",
                  "'yesterday' is not an ISO-8601 time");
    expect_reject(d, "snapshots[10].hashtag", "is missing, not a string");
    expect_reject(d, "snapshots[11].hashtag", "is a number, not a string");
    expect_reject(d, "snapshots[12].views", "is missing, not a count");
    expect_reject(d, "snapshots[14].creator", "is a number, not a string");
    /* Each reject keeps its item (index and JSON). */
    const tg_feed_reject *r = rej(d, "snapshots[1].views");
    assert_int_equal(r->item, 1);
    assert_non_null(strstr(r->raw, "\"negative\""));
    assert_string_equal(rej(d, "snapshots[5]")->raw, "42");
    feed_doc_free(d);
}

/* Text follows the CSV rule: breaks and tabs become a space, any other
 * control character (an escape sequence, a bell, DEL) rejects the item. */
static void creators_follow_the_csv_rule(void **state)
{
    (void)state;
    static const char body[] =
        "{\"format\":\"trendguard-feed\",\"version\":1,\"snapshots\":["
        "{\"hashtag\":\"a\",\"captured_at\":\"2026-05-01T00:00:00Z\","
        "\"views\":1,\"creator\":\"two\\r\\nlines\\tand tab\"},"
        "{\"hashtag\":\"b\",\"captured_at\":\"2026-05-01T00:00:00Z\","
        "\"views\":1,\"creator\":\"\\u001b]0;owned\\u0007\"},"
        "{\"hashtag\":\"c\",\"captured_at\":\"2026-05-01T00:00:00Z\","
        "\"views\":1,\"creator\":\"del\\u007f\"},"
        "{\"hashtag\":\"d\",\"captured_at\":\"2026-05-01T00:00:00Z\","
        "\"views\":1,\"creator\":\"\\u001b[2J\"}]}";
    tg_err err = {0};
    tg_feed_doc *d = feed_parse(body, sizeof body - 1, FEED_AUTO, NOW, 0, &err);
    assert_non_null(d);
    assert_int_equal(d->nsnaps, 1);
    assert_string_equal(snap(d, "a")->creator, "two lines and tab");
    for (int i = 1; i <= 3; i++) {
        char f[32];
        snprintf(f, sizeof f, "snapshots[%d].creator", i);
        expect_reject(d, f, "has a control character");
    }
    feed_doc_free(d);
}

static void native_document_errors(void **state)
{
    (void)state;
    size_t n;
    tg_err err = {0};
    char *v2 = tg_read_file(FIX "/version2.json", &n, 1 << 20, &err);
    assert_non_null(v2);
    expect_doc_error(v2, n, FEED_AUTO,
                     "version: 2 is not supported (this build reads "
                     "version 1)");
    free(v2);
    DOC_ERROR("{\"snapshots\": []}", "version: missing");
    DOC_ERROR("{\"version\": \"1\", \"snapshots\": []}",
              "version: is a string, not a number");
    DOC_ERROR("{\"version\": 1.5, \"snapshots\": []}",
              "version: 1.5 is not supported");
    DOC_ERROR("{\"version\": 1, \"snapshots\": {}}",
              "snapshots: is an object, not an array");
    DOC_ERROR("{\"version\": 1}", "snapshots: is missing, not an array");
    DOC_ERROR("{\"version\": 1, \"snapshots\": [], \"format\": \"csv\"}",
              "format: is csv, not \"trendguard-feed\"");
    DOC_ERROR("42", "neither a TrendGuard feed");
    DOC_ERROR("\"text\"", "the document is a string");
    DOC_ERROR("{\"hello\": 1}", "the document is an object");
    DOC_ERROR("{\"collector\": [], \"version\": 1, \"snapshots\": []}",
              "has both \"collector\"");
    expect_doc_error("[]", 2, FEED_NATIVE, "not a TrendGuard feed object");
    expect_doc_error("{\"collector\": {}}", 17, FEED_AUTO,
                     "collector: is an object, not an array");
    /* An empty list is a valid, empty feed. */
    tg_feed_doc *d = parse_str("{\"version\": 1, \"snapshots\": []}",
                               FEED_AUTO, &err);
    assert_non_null(d);
    assert_int_equal(d->nsnaps + d->nrejects, 0);
    feed_doc_free(d);
}

/* ---- hostile JSON ------------------------------------------------------- */

static void malformed_json(void **state)
{
    (void)state;
    size_t n;
    tg_err err = {0};
    char *m = tg_read_file(FIX "/malformed.json", &n, 1 << 20, &err);
    assert_non_null(m);
    expect_doc_error(m, n, FEED_AUTO, "not JSON: syntax error at line 3,");
    free(m);
    DOC_ERROR("{", "not JSON: the document ends too early, inside a "
                   "string, array or object, at line 1, column 2");
    DOC_ERROR("{\"version\": 1, \"snapshots\": [{\"hashtag\": \"x",
              "ends too early");
    DOC_ERROR("{\"version\": 1, \"snapshots\": []} x",
              "not JSON: more after the document at line 1, column 33");
    DOC_ERROR("{\"version\": 1, \"snapshots\": []}{}",
              "more after the document");
    expect_doc_error("", 0, FEED_AUTO, "empty body");
    expect_doc_error(NULL, 0, FEED_AUTO, "empty body");
    DOC_ERROR("[1, 2,]", "not JSON: syntax error");
    DOC_ERROR("{'a': 1}", "not JSON: syntax error");
    DOC_ERROR("[\"\xff\"]", "not UTF-8: byte 0xff at line 1, column 3");
    DOC_ERROR("[\"\xc0\xaf\"]", "not UTF-8: byte 0xc0");      /* overlong */
    DOC_ERROR("[\"\xed\xa0\x80\"]", "not UTF-8: byte 0xed");  /* surrogate */
    DOC_ERROR("[\"a\tb\"]", "control character 0x09 inside a string");
    DOC_ERROR("[\"a\\u0000b\"]", "a string holds \\u0000 (NUL)");
    DOC_ERROR("[\"\\ud800\"]", "not JSON");
    expect_doc_error("[1]\0[2]", 7, FEED_AUTO, "a NUL byte");
    /* A byte-order mark is fine; a body need not end with NUL. */
    tg_feed_doc *d = parse_str("\xef\xbb\xbf{\"version\":1,\"snapshots\":[]}",
                               FEED_AUTO, &err);
    assert_non_null(d);
    feed_doc_free(d);
    char exact[] = "{\"version\":1,\"snapshots\":[]}XYZ";
    d = feed_parse(exact, strlen(exact) - 3, FEED_AUTO, NOW, 0, &err);
    assert_non_null(d);
    feed_doc_free(d);
}

static char *repeat(const char *head, const char *unit, size_t times,
                    const char *mid, const char *unit2, const char *tail)
{
    size_t lu = strlen(unit), lu2 = strlen(unit2);
    size_t n = strlen(head) + times * (lu + lu2) + strlen(mid) +
               strlen(tail) + 1;
    char *s = malloc(n), *p = s;
    p += sprintf(p, "%s", head);
    for (size_t i = 0; i < times; i++, p += lu)
        memcpy(p, unit, lu);
    p += sprintf(p, "%s", mid);
    for (size_t i = 0; i < times; i++, p += lu2)
        memcpy(p, unit2, lu2);
    sprintf(p, "%s", tail);
    return s;
}

static void deep_nesting_fails_fast(void **state)
{
    (void)state;
    double t0 = tg_now_mono();
    char *arrays = repeat("", "[", 100000, "", "]", "");
    DOC_ERROR(arrays, "JSON nested deeper than 64 levels at line 1, "
                      "column 65");
    free(arrays);
    char *objects = repeat("{\"version\":1,\"snapshots\":[", "{\"a\":",
                           100000, "1", "}", "]}");
    DOC_ERROR(objects, "JSON nested deeper than 64 levels");
    free(objects);
    /* Unbalanced: opening only. */
    char *open = repeat("", "[", 100000, "", "", "");
    DOC_ERROR(open, "nested deeper");
    free(open);
    assert_true(tg_now_mono() - t0 < 1.0);
    /* 64 levels are fine (the item is then not an object). */
    tg_err err = {0};
    char *ok = repeat("", "[", 64, "", "]", "");
    tg_feed_doc *d = parse_str(ok, FEED_AUTO, &err);
    assert_non_null(d);
    assert_int_equal(d->nrejects, 1);
    assert_string_equal(d->rejects[0].field, "[0]");
    feed_doc_free(d);
    free(ok);
}

static void too_many_values(void **state)
{
    (void)state;
    char *many = repeat("[", "0,", FEED_MAX_VALUES, "0", "", "]");
    DOC_ERROR(many, "more than 2000000 JSON values");
    free(many);
}

/* One snapshot with views = v: the reason, or NULL when accepted (then
 * *out holds the count). */
static void views_case(const char *v, const char *why, int64_t expect)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"version\":1,\"snapshots\":[{\"hashtag\":\"x\","
             "\"captured_at\":\"2025-01-01\",\"views\":%s}]}", v);
    tg_err err = {0};
    tg_feed_doc *d = parse_str(body, FEED_AUTO, &err);
    if (!d)
        fail_msg("views %s: %s", v, err.msg);
    if (why) {
        if (d->nrejects != 1)
            fail_msg("views %s accepted", v);
        expect_reject(d, "snapshots[0].views", why);
    } else {
        if (d->nsnaps != 1)
            fail_msg("views %s rejected: %s", v, d->rejects[0].reason);
        assert_int_equal(d->snaps[0].views, expect);
    }
    feed_doc_free(d);
}

static void hostile_numbers(void **state)
{
    (void)state;
    views_case("-5", "-5 is not a count (negative)", 0);
    views_case("-1e-300", "is not a count (negative)", 0);
    views_case("1.5", "1.5 is not a count (not a whole number)", 0);
    views_case("1e400", "overflows a double, not a count", 0);
    views_case("-1e400", "overflows a double", 0);
    views_case("9007199254740992", "9007199254740992 is not a count (more "
                                   "than 2^53-1)", 0);
    views_case("9007199254740993", "more than 2^53-1", 0);
    views_case("18446744073709551616", "more than 2^53-1", 0);
    views_case("\"5\"", "is a string, not a count", 0);
    views_case("true", "is a boolean, not a count", 0);
    views_case("null", "is null, not a count", 0);
    views_case("[5]", "is an array, not a count", 0);
    views_case("{\"n\": 5}", "is an object, not a count", 0);
    views_case("9007199254740991", NULL, 9007199254740991LL);
    views_case("0", NULL, 0);
    views_case("-0", NULL, 0);
    views_case("1e3", NULL, 1000);
    views_case("12.0", NULL, 12);
    /* Optional counts: null is 0, a wrong type is not. */
    tg_err err = {0};
    tg_feed_doc *d = parse_str(
        "{\"version\":1,\"snapshots\":[{\"hashtag\":\"x\",\"captured_at\":"
        "\"2025-01-01\",\"views\":1,\"likes\":null},{\"hashtag\":\"y\","
        "\"captured_at\":\"2025-01-01\",\"views\":1,\"shares\":\"2\"}]}",
        FEED_AUTO, &err);
    assert_int_equal(d->nsnaps, 1);
    expect_reject(d, "snapshots[1].shares", "is a string, not a count");
    feed_doc_free(d);
}

/* A fraction that a double rounds away would make a whole number out of
 * something else: such a number refuses the document (where it is), any
 * other number with a fraction or an exponent is judged by its value. */
static void inexact_numbers(void **state)
{
    (void)state;
    static const char *const inexact[] = {
        "4503599627370497.5", "0.99999999999999999999", "1e-400",
        "45035996273704975e-1", "-0.5e-330", "123456789012345678.9"};
    for (size_t i = 0; i < sizeof inexact / sizeof *inexact; i++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"version\":1,\"snapshots\":[{\"hashtag\":\"x\","
                 "\"captured_at\":\"2025-01-01\",\"views\":%s}]}",
                 inexact[i]);
        DOC_ERROR(body, "has a fraction a double cannot hold at line 1");
    }
    views_case("4503599627370497.0", NULL, 4503599627370497LL);
    views_case("4.503599627370497e15", NULL, 4503599627370497LL);
    views_case("45035996273704970e-1", NULL, 4503599627370497LL);
    views_case("0.0e-500", NULL, 0);
    views_case("2.5", "2.5 is not a count (not a whole number)", 0);
}

static void ids_stay_strings(void **state)
{
    (void)state;
    tg_err err = {0};
    /* Two ids equal as doubles but not as strings: two videos. */
    tg_feed_doc *d = parse_str(
        "{\"collector\":["
        "{\"id\":\"9007199254740993\",\"createTime\":1,\"playCount\":1,"
        "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
        "\"hashtags\":[{\"id\":\"1\",\"name\":\"a\"}]},"
        "{\"id\":\"9007199254740992\",\"createTime\":1,\"playCount\":2,"
        "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
        "\"hashtags\":[{\"id\":\"1\",\"name\":\"a\"}]},"
        "{\"id\":9007199254740994,\"createTime\":1,\"playCount\":4,"
        "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
        "\"hashtags\":[]},"
        "{\"id\":\"5\",\"createTime\":1,\"playCount\":8,"
        "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
        "\"hashtags\":[{\"id\":77,\"name\":\"b\"}]},"
        "{\"id\":\"6\",\"createTime\":1,\"playCount\":8,"
        "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
        "\"hashtags\":[{\"id\":\"7\",\"name\":77}]},"
        "{\"id\":\"7\",\"createTime\":\"1608214517\",\"playCount\":8,"
        "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
        "\"hashtags\":[]},"
        "{\"id\":\"\",\"createTime\":1,\"playCount\":8,"
        "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
        "\"hashtags\":[]}"
        "]}",
        FEED_AUTO, &err);
    assert_non_null(d);
    assert_int_equal(d->videos, 2);
    assert_int_equal(d->duplicates, 0);
    assert_int_equal(snap(d, "a")->views, 3);
    expect_reject(d, "collector[2].id", "is a number; video ids are strings");
    expect_reject(d, "collector[3].hashtags[0].id",
                  "is a number; hashtag ids are strings");
    expect_reject(d, "collector[4].hashtags[0].name",
                  "is a number, not a string");
    expect_reject(d, "collector[5].createTime",
                  "is a string, not a unix time");
    expect_reject(d, "collector[6].id", "is empty");
    assert_null(snap(d, "b"));
    feed_doc_free(d);
}

/* ---- tiktok-scraper ----------------------------------------------------- */

static void tiktok_small_mapping(void **state)
{
    (void)state;
    tg_err err = {0};
    int64_t lm;
    tg_time_parse("2025-01-04T00:00:00Z", &lm);
    tg_feed_doc *d = parse_file(FIX "/tiktok_small.json", FEED_AUTO, lm,
                                &err);
    assert_non_null(d);
    assert_int_equal(d->format, FEED_TIKTOK);
    assert_int_equal(d->items, 7);
    assert_int_equal(d->videos, 3);
    assert_int_equal(d->duplicates, 1);
    assert_int_equal(d->nrejects, 3);
    assert_int_equal(d->hashtags, 2);
    assert_int_equal(d->nsnaps, 2);
    /* Last-Modified is after the newest video and before the fetch. */
    assert_int_equal(d->captured_at, lm);
    const tg_feed_snapshot *fyp = snap(d, "fyp");
    assert_non_null(fyp);
    /* Video 0 lists fyp twice but counts once; the duplicate id of video
     * 0 (999999 plays) and the rejected video add nothing. */
    assert_int_equal(fyp->views, 4000);
    assert_int_equal(fyp->likes, 400);
    assert_int_equal(fyp->shares, 40);
    assert_int_equal(fyp->comments, 4);
    assert_string_equal(fyp->creator, "bob"); /* the most-played video */
    assert_int_equal(fyp->captured_at, lm);
    assert_int_equal(fyp->item, 0);
    const tg_feed_snapshot *ms = snap(d, "midisummer");
    assert_int_equal(ms->views, 1000);
    assert_string_equal(ms->creator, "alice");
    expect_reject(d, "collector[2].playCount", "-5 is not a count");
    expect_reject(d, "collector[3].id", "video ids are strings");
    expect_reject(d, "collector[6].hashtags[0].id", "hashtag ids are "
                                                    "strings");
    feed_doc_free(d);

    /* A Last-Modified before the newest video cannot be the capture time:
     * the fetch time is used. So is one after the fetch, or none. */
    tg_time_parse("2025-01-02T00:00:00Z", &lm);
    d = parse_file(FIX "/tiktok_small.json", FEED_AUTO, lm, &err);
    assert_int_equal(d->captured_at, NOW);
    feed_doc_free(d);
    d = parse_file(FIX "/tiktok_small.json", FEED_AUTO, NOW + 10, &err);
    assert_int_equal(d->captured_at, NOW);
    feed_doc_free(d);
    d = parse_file(FIX "/tiktok_small.json", FEED_TIKTOK, 0, &err);
    assert_int_equal(d->captured_at, NOW);
    assert_int_equal(snap(d, "fyp")->captured_at, NOW);
    feed_doc_free(d);
}

static void tiktok_no_look_ahead(void **state)
{
    (void)state;
    char body[1024];
    tg_err err = {0};
    /* A video from beyond the clock skew is rejected... */
    snprintf(body, sizeof body,
             "[{\"id\":\"1\",\"createTime\":%lld,\"playCount\":1,"
             "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
             "\"hashtags\":[{\"name\":\"a\"}]},"
             "{\"id\":\"2\",\"createTime\":%lld,\"playCount\":1,"
             "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
             "\"hashtags\":[{\"name\":\"b\"}]}]",
             NOW + FEED_CLOCK_SKEW + 1, NOW + 100);
    tg_feed_doc *d = parse_str(body, FEED_AUTO, &err);
    assert_non_null(d);
    expect_reject(d, "[0].createTime", "is after the feed was fetched");
    /* ...one within it moves the capture time to it, never earlier. */
    assert_int_equal(d->captured_at, NOW + 100);
    assert_int_equal(snap(d, "b")->captured_at, NOW + 100);
    for (size_t i = 0; i < d->nsnaps; i++)
        assert_true(d->snaps[i].captured_at >= NOW);
    feed_doc_free(d);
    /* A wrong shape of the parts is named. */
    d = parse_str("{\"collector\":[{\"id\":\"1\",\"createTime\":1,"
                  "\"playCount\":1,\"diggCount\":0,\"shareCount\":0,"
                  "\"commentCount\":0,\"hashtags\":{}},"
                  "{\"id\":\"2\",\"createTime\":1,\"playCount\":1,"
                  "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
                  "\"hashtags\":[\"fyp\"]},"
                  "{\"id\":\"3\",\"createTime\":1,\"playCount\":1,"
                  "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
                  "\"hashtags\":[],\"authorMeta\":\"me\"},"
                  "{\"id\":\"4\",\"createTime\":1,\"playCount\":1,"
                  "\"diggCount\":0,\"shareCount\":0,\"commentCount\":0,"
                  "\"hashtags\":[{\"name\":\"#\"}]},"
                  "{\"id\":\"5\",\"createTime\":1,\"playCount\":1,"
                  "\"diggCount\":0,\"shareCount\":0,"
                  "\"hashtags\":[]}]}",
                  FEED_AUTO, &err);
    expect_reject(d, "collector[0].hashtags", "is an object, not an array");
    expect_reject(d, "collector[1].hashtags[0]", "is a string, not an "
                                                 "object");
    expect_reject(d, "collector[2].authorMeta", "is a string, not an "
                                                "object");
    expect_reject(d, "collector[3].hashtags[0].name",
                  "'#' is empty or longer than 100 bytes");
    expect_reject(d, "collector[4].commentCount", "is missing, not a count");
    feed_doc_free(d);
}

static void tiktok_real_file(void **state)
{
    (void)state;
    tg_err err = {0};
    int64_t lm;
    tg_time_parse("2020-12-22T00:00:00Z", &lm);
    double t0 = tg_now_mono();
    tg_feed_doc *d = parse_file(TIKTOK, FEED_AUTO, lm, &err);
    if (!d)
        fail_msg("%s", err.msg);
    print_message("  parsed the 2.9 MB export in %.0f ms\n",
                  (tg_now_mono() - t0) * 1000);
    assert_int_equal(d->format, FEED_TIKTOK);
    assert_int_equal(d->items, 1000);
    assert_int_equal(d->videos, 1000);
    assert_int_equal(d->duplicates, 0);
    assert_int_equal(d->nrejects, 0);
    assert_int_equal(d->hashtags, 2220);
    assert_int_equal(d->nsnaps, 2220);
    assert_int_equal(d->captured_at, lm);
    /* fyp: 408 videos (figures computed independently in Python). */
    const tg_feed_snapshot *s = snap(d, "fyp");
    assert_int_equal(s->views, 207454594);
    assert_int_equal(s->likes, 20124058);
    assert_int_equal(s->shares, 782874);
    assert_int_equal(s->comments, 284401);
    assert_string_equal(s->creator, "maxime_spam1");
    s = snap(d, "fitness");
    assert_int_equal(s->views, 18344415);
    assert_string_equal(s->creator, "you1stlondon");
    for (size_t i = 0; i < d->nsnaps; i++)
        assert_int_equal(d->snaps[i].captured_at, lm);
    feed_doc_free(d);
}

/* ---- helpers ------------------------------------------------------------ */

static void formats_and_urls(void **state)
{
    (void)state;
    assert_int_equal(feed_format_parse("auto"), FEED_AUTO);
    assert_int_equal(feed_format_parse("feed"), FEED_NATIVE);
    assert_int_equal(feed_format_parse("tiktok-scraper"), FEED_TIKTOK);
    assert_int_equal(feed_format_parse("csv"), -1);
    assert_string_equal(feed_format_name(FEED_TIKTOK), "tiktok-scraper");
    assert_string_equal(feed_format_name(FEED_NATIVE), "feed");
    char *u = feed_url_redact("https://user:s3cret@feed.example/x?y=1");
    assert_string_equal(u, "https://feed.example/x?y=1");
    free(u);
    u = feed_url_redact("http://127.0.0.1:8080/feed.json");
    assert_string_equal(u, "http://127.0.0.1:8080/feed.json");
    free(u);
    u = feed_url_redact("not a url");
    assert_string_equal(u, "not a url");
    free(u);
}

static unsigned cls4(const char *ip)
{
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1)
        fail_msg("bad test address %s", ip);
    return feed_address_class((struct sockaddr *)&a, sizeof a);
}

static unsigned cls6(const char *ip)
{
    struct sockaddr_in6 a = {0};
    a.sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, ip, &a.sin6_addr) != 1)
        fail_msg("bad test address %s", ip);
    return feed_address_class((struct sockaddr *)&a, sizeof a);
}

static void address_classes(void **state)
{
    (void)state;
    assert_int_equal(cls4("127.0.0.1"), FEED_ADDR_LOOPBACK);
    assert_int_equal(cls4("127.255.0.9"), FEED_ADDR_LOOPBACK);
    assert_int_equal(cls4("169.254.169.254"), FEED_ADDR_LINK_LOCAL);
    assert_int_equal(cls4("169.254.0.1"), FEED_ADDR_LINK_LOCAL);
    assert_int_equal(cls4("100.100.100.200"), FEED_ADDR_LINK_LOCAL);
    assert_int_equal(cls4("10.1.2.3"), FEED_ADDR_PRIVATE);
    assert_int_equal(cls4("172.16.0.1"), FEED_ADDR_PRIVATE);
    assert_int_equal(cls4("172.31.255.1"), FEED_ADDR_PRIVATE);
    assert_int_equal(cls4("172.32.0.1"), FEED_ADDR_PUBLIC);
    assert_int_equal(cls4("192.168.1.1"), FEED_ADDR_PRIVATE);
    assert_int_equal(cls4("100.64.0.1"), FEED_ADDR_PRIVATE);
    assert_int_equal(cls4("8.8.8.8"), FEED_ADDR_PUBLIC);
    assert_int_equal(cls4("0.0.0.0"), FEED_ADDR_NEVER);
    assert_int_equal(cls4("224.0.0.1"), FEED_ADDR_NEVER);
    assert_int_equal(cls4("255.255.255.255"), FEED_ADDR_NEVER);
    assert_int_equal(cls6("::1"), FEED_ADDR_LOOPBACK);
    assert_int_equal(cls6("::"), FEED_ADDR_NEVER);
    assert_int_equal(cls6("fe80::1"), FEED_ADDR_LINK_LOCAL);
    assert_int_equal(cls6("fd00:ec2::254"), FEED_ADDR_LINK_LOCAL);
    assert_int_equal(cls6("fd12:3456::1"), FEED_ADDR_PRIVATE);
    assert_int_equal(cls6("::ffff:169.254.169.254"), FEED_ADDR_LINK_LOCAL);
    assert_int_equal(cls6("::ffff:127.0.0.1"), FEED_ADDR_LOOPBACK);
    assert_int_equal(cls6("64:ff9b::a9fe:a9fe"), FEED_ADDR_LINK_LOCAL);
    assert_int_equal(cls6("ff02::1"), FEED_ADDR_NEVER);
    assert_int_equal(cls6("2001:db8::1"), FEED_ADDR_PUBLIC);
    assert_int_equal(feed_address_class(NULL, 0), FEED_ADDR_NEVER);
    assert_string_equal(feed_address_class_name(FEED_ADDR_LOOPBACK),
                        "loopback");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(native_good),
        cmocka_unit_test(native_bad_items_are_rejects),
        cmocka_unit_test(creators_follow_the_csv_rule),
        cmocka_unit_test(native_document_errors),
        cmocka_unit_test(malformed_json),
        cmocka_unit_test(deep_nesting_fails_fast),
        cmocka_unit_test(inexact_numbers),
        cmocka_unit_test(too_many_values),
        cmocka_unit_test(hostile_numbers),
        cmocka_unit_test(ids_stay_strings),
        cmocka_unit_test(tiktok_small_mapping),
        cmocka_unit_test(tiktok_no_look_ahead),
        cmocka_unit_test(tiktok_real_file),
        cmocka_unit_test(formats_and_urls),
        cmocka_unit_test(address_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
