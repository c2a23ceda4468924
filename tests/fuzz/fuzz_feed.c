/* fuzz_feed.c: libFuzzer target for the feed parsers (feed_parse: the
 * pre-scan, cJSON, the TrendGuard feed format and tiktok-scraper exports).
 *
 * Each input is parsed with the format detected and with each format
 * forced, at a fixed fetch time and with a Last-Modified picked from the
 * input's hash. Every document must keep feed.h's promises: hashtags
 * normalised, counts within 0..2^53-1, no snapshot dated after the fetch
 * (plus the clock skew) and, for tiktok, one snapshot per hashtag at one
 * capture time never before the fetch or Last-Modified; every item either
 * a snapshot's source, a reject or a duplicate; every string valid UTF-8;
 * the same bytes parsing the same way twice. One input in 16 is also
 * loaded into a store under /dev/shm, twice: the second load must add
 * nothing. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trendguard/feed.h"
#include "trendguard/util.h"

#define FAIL(...)                                                             \
    do {                                                                      \
        fprintf(stderr, "fuzz_feed: " __VA_ARGS__);                           \
        fputc('\n', stderr);                                                  \
        abort();                                                              \
    } while (0)

#define NOW 1780000000LL

static int utf8(const char *s)
{
    return tg_utf8_valid(s, strlen(s));
}

static void check_text(const char *what, const char *s, size_t max)
{
    if (!s)
        FAIL("%s is NULL", what);
    if (strlen(s) > max)
        FAIL("%s is %zu bytes", what, strlen(s));
    if (!utf8(s))
        FAIL("%s is not UTF-8", what);
}

static void check_hashtag(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > FEED_MAX_TEXT)
        FAIL("hashtag of %zu bytes", n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)h[i];
        if (c <= 0x20 || c == 0x7f || c == '#' || c == ',' || c == '|' ||
            (c >= 'A' && c <= 'Z'))
            FAIL("hashtag '%s' has byte 0x%02x", h, c);
    }
    if (!utf8(h))
        FAIL("hashtag not UTF-8");
}

static void check_doc(const tg_feed_doc *d, int format, int64_t lm)
{
    if (d->format != FEED_NATIVE && d->format != FEED_TIKTOK)
        FAIL("format %d", d->format);
    if (format != FEED_AUTO && d->format != format)
        FAIL("asked for %d, got %d", format, d->format);
    if (strlen(d->sha256) != 64)
        FAIL("sha256");
    for (size_t i = 0; i < d->nsnaps; i++) {
        const tg_feed_snapshot *s = &d->snaps[i];
        check_hashtag(s->hashtag);
        if (s->views < 0 || s->views > FEED_MAX_COUNT || s->likes < 0 ||
            s->likes > FEED_MAX_COUNT || s->shares < 0 ||
            s->shares > FEED_MAX_COUNT || s->comments < 0 ||
            s->comments > FEED_MAX_COUNT)
            FAIL("count out of range");
        if (s->captured_at < 0 || s->captured_at > NOW + FEED_CLOCK_SKEW)
            FAIL("captured_at %lld", (long long)s->captured_at);
        if (s->creator)
            check_text("creator", s->creator, FEED_MAX_TEXT);
        if (s->item < 0 || s->item >= d->items)
            FAIL("item %ld of %ld", s->item, d->items);
    }
    for (size_t i = 0; i < d->nrejects; i++) {
        const tg_feed_reject *r = &d->rejects[i];
        check_text("field", r->field, 300);
        check_text("reason", r->reason, 400);
        check_text("raw", r->raw, 4096);
        if (!r->reason[0])
            FAIL("empty reason");
        if (r->item < 0 || r->item >= d->items)
            FAIL("reject item %ld of %ld", r->item, d->items);
        if (i > 0 && r->item <= d->rejects[i - 1].item)
            FAIL("rejects out of order");
    }
    if (d->format == FEED_NATIVE) {
        if ((long)(d->nsnaps + d->nrejects) != d->items)
            FAIL("%zu snapshots + %zu rejects != %ld items", d->nsnaps,
                 d->nrejects, d->items);
        if (d->hashtags > (long)d->nsnaps)
            FAIL("more hashtags than snapshots");
        return;
    }
    if (d->videos + d->duplicates + (long)d->nrejects != d->items)
        FAIL("%ld videos + %ld duplicates + %zu rejects != %ld items",
             d->videos, d->duplicates, d->nrejects, d->items);
    if (d->hashtags != (long)d->nsnaps)
        FAIL("tiktok: %ld hashtags, %zu snapshots", d->hashtags, d->nsnaps);
    int64_t floor_at = lm > 0 && lm < NOW ? lm : NOW;
    if (d->captured_at < floor_at || d->captured_at > NOW + FEED_CLOCK_SKEW)
        FAIL("capture time %lld", (long long)d->captured_at);
    for (size_t i = 0; i < d->nsnaps; i++) {
        if (d->snaps[i].captured_at != d->captured_at)
            FAIL("snapshot at another time");
        for (size_t k = i + 1; k < d->nsnaps && k < i + 64; k++)
            if (strcmp(d->snaps[i].hashtag, d->snaps[k].hashtag) == 0)
                FAIL("hashtag '%s' twice", d->snaps[i].hashtag);
    }
}

static void same_doc(const tg_feed_doc *a, const tg_feed_doc *b)
{
    if (a->format != b->format || a->nsnaps != b->nsnaps ||
        a->nrejects != b->nrejects || strcmp(a->sha256, b->sha256) != 0 ||
        a->captured_at != b->captured_at)
        FAIL("two parses differ");
    for (size_t i = 0; i < a->nsnaps; i++)
        if (strcmp(a->snaps[i].hashtag, b->snaps[i].hashtag) != 0 ||
            a->snaps[i].views != b->snaps[i].views)
            FAIL("snapshot %zu differs", i);
}

/* ---- a store under /dev/shm --------------------------------------------- */

static char db_path[64];
static tg_store *store;
static int loads;

static void remove_store(void)
{
    char p[80];
    store_close(store);
    store = NULL;
    if (!db_path[0])
        return;
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

/* Stores of runs that ended without atexit (libFuzzer may _exit). */
static void remove_stale(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int pid;
        char p[600];
        if (sscanf(e->d_name, "fuzz_feed_%d.db", &pid) == 1 &&
            pid != (int)getpid() && kill(pid, 0) != 0 && errno == ESRCH) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
}

static tg_store *get_store(void)
{
    if (store && loads < 500)
        return store;
    remove_store();
    snprintf(db_path, sizeof db_path,
             access("/dev/shm", W_OK) == 0 ? "/dev/shm/fuzz_feed_%d.db"
                                           : "/tmp/fuzz_feed_%d.db",
             (int)getpid());
    static int registered;
    if (!registered && (registered = 1)) {
        remove_stale("/dev/shm");
        remove_stale("/tmp");
        atexit(remove_store);
    }
    tg_err err = {0};
    if (!(store = store_open(db_path, STORE_CREATE, &err)))
        FAIL("store: %s", err.msg);
    loads = 0;
    return store;
}

static void load_twice(const tg_feed_doc *d)
{
    tg_store *s = get_store();
    tg_feed_fetch f = {.url = "http://fuzz.test/feed", .status = 200,
                       .fetched_at = NOW};
    tg_feed_result r;
    tg_err err = {0};
    if (feed_apply(s, &f, d, &r, &err) != TG_OK)
        FAIL("apply: %s", err.msg);
    loads++;
    /* (libFuzzer may run an input twice: then it is already loaded.) */
    if (r.snapshots_added > (long)d->nsnaps ||
        (!r.already_loaded && r.rejected != (long)d->nrejects))
        FAIL("apply counted %ld added, %ld rejected", r.snapshots_added,
             r.rejected);
    if (r.matched_products != 0)
        FAIL("products matched in an empty catalogue");
    if (feed_apply(s, &f, d, &r, &err) != TG_OK)
        FAIL("apply again: %s", err.msg);
    if (!r.already_loaded || r.snapshots_added != 0 || r.hashtags_added != 0)
        FAIL("a second load added something");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    /* No Last-Modified, one before the fetch, one after it. */
    int64_t lm = h % 3 == 0 ? 0 : h % 3 == 1 ? 1600000000 : NOW + 1000;
    tg_err err = {0};
    tg_feed_doc *a = feed_parse(body, size, FEED_AUTO, NOW, lm, &err);
    if (!a && (err.code != TG_EDATA || !err.msg[0] || strchr(err.msg, '\n')))
        FAIL("error %d '%s'", err.code, err.msg);
    if (a) {
        check_doc(a, FEED_AUTO, lm);
        tg_feed_doc *b = feed_parse(body, size, a->format, NOW, lm, &err);
        if (!b)
            FAIL("detected %d, forcing it fails: %s", a->format, err.msg);
        same_doc(a, b);
        feed_doc_free(b);
        if ((h >> 8) % 16 == 0)
            load_twice(a);
    }
    for (int fmt = FEED_NATIVE; fmt <= FEED_TIKTOK; fmt++) {
        tg_feed_doc *d = feed_parse(body, size, fmt, NOW, lm, &err);
        if (d) {
            check_doc(d, fmt, lm);
            feed_doc_free(d);
        } else if (err.code != TG_EDATA) {
            FAIL("format %d: error %d '%s'", fmt, err.code, err.msg);
        }
    }
    feed_doc_free(a);
    return 0;
}
