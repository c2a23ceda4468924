/* test_oom.c: out of memory in the loaders. Every allocation of the
 * process goes through the malloc/calloc/realloc/free defined here (glibc
 * lets a program replace them; libcjson, SQLite and libc's own strdup use
 * them too). While a loader runs, the Nth allocation fails; for N = 1, 2,
 * ... until the loader succeeds, each run must end in a clean error (NULL
 * or -1 with TG_EINTERNAL, or the loader's documented code) and leave no
 * block allocated during it behind. Loaders: the CSV reader (memory and
 * file, quoted fields, a long record), the model JSON loader (the tiny
 * fixture and a real demo-sized model), the feed parser (both formats and
 * a document with rejects) and the nudge catalogue.
 *
 * Under AddressSanitizer the replacements forward to ASan's allocator
 * (found with dlsym(RTLD_NEXT)); the failure injection and the error-path
 * checks run the same, and ASan's leak check at exit covers leaks too. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "testutil.h"

#include "trendguard/csv.h"
#include "trendguard/feed.h"
#include "trendguard/model.h"
#include "trendguard/nudge.h"
#include "trendguard/util.h"

/* ---- the allocation shim -------------------------------------------------- */

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);

/* dlsym may allocate before the real functions are known: a bump arena. */
static _Alignas(16) unsigned char boot[65536];
static size_t boot_used;
static int resolving;

static int in_boot(const void *p)
{
    return (const unsigned char *)p >= boot &&
           (const unsigned char *)p < boot + sizeof boot;
}

static void *boot_alloc(size_t n)
{
    size_t at = (boot_used + 15) & ~(size_t)15;
    if (at + n > sizeof boot)
        return NULL;
    boot_used = at + n;
    return boot + at;
}

static void resolve(void)
{
    if (real_free || resolving)
        return;
    resolving = 1;
    real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
    real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
    real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
    real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
    resolving = 0;
}

/* Armed: counting allocations on the arming thread, failing the Nth. */
static _Atomic int armed;
static pthread_t armed_thread;
static long fail_at, counted;
static int failed_once;
/* Blocks allocated while armed and not yet freed. */
#define LIVE_MAX 200000
static void **live;
static size_t nlive, live_peak;

static int counting(void)
{
    return atomic_load(&armed) && pthread_equal(pthread_self(), armed_thread);
}

/* 1 when this allocation must fail. */
static int should_fail(void)
{
    if (!counting())
        return 0;
    if (++counted == fail_at) {
        failed_once = 1;
        errno = ENOMEM; /* as the real allocator does */
        return 1;
    }
    return 0;
}

static void live_add(void *p)
{
    if (!p || !counting())
        return;
    if (nlive < LIVE_MAX)
        live[nlive++] = p;
    if (nlive > live_peak)
        live_peak = nlive;
}

/* Forgets p; returns 1 when it was a tracked block. */
static int live_del(void *p)
{
    if (!p || !live)
        return 0;
    for (size_t i = nlive; i-- > 0;)
        if (live[i] == p) {
            live[i] = live[--nlive];
            return 1;
        }
    return 0;
}

void *malloc(size_t n)
{
    resolve();
    if (!real_malloc)
        return boot_alloc(n);
    if (should_fail())
        return NULL;
    void *p = real_malloc(n);
    live_add(p);
    return p;
}

void *calloc(size_t k, size_t n)
{
    resolve();
    if (!real_calloc) {
        if (n && k > SIZE_MAX / n)
            return NULL;
        void *p = boot_alloc(k * n);
        if (p)
            memset(p, 0, k * n);
        return p;
    }
    if (should_fail())
        return NULL;
    void *p = real_calloc(k, n);
    live_add(p);
    return p;
}

void *realloc(void *old, size_t n)
{
    resolve();
    if (in_boot(old)) {
        void *p = malloc(n);
        if (p)
            memcpy(p, old, n); /* the arena is larger than any boot block */
        return p;
    }
    if (!real_realloc)
        return boot_alloc(n);
    if (n > 0 && should_fail())
        return NULL;
    int tracked = counting() && live_del(old);
    void *p = real_realloc(old, n);
    if (!p && n > 0 && tracked)
        live_add(old); /* failed: the old block is still there */
    else if (p && (tracked || !old))
        live_add(p);
    return p;
}

void free(void *p)
{
    if (!p || in_boot(p))
        return;
    resolve();
    if (atomic_load(&armed))
        live_del(p);
    real_free(p);
}

/* ---- running a loader N = 1, 2, ... --------------------------------------- */

/* The message of the last failed load, for the report. */
static char last_msg[512];

static int failed_with(const tg_err *err)
{
    snprintf(last_msg, sizeof last_msg, "%s", err->msg);
    return err->code ? err->code : -1;
}

/* A loader run: returns 0 on success (having freed what it made), or the
 * error code it reported. */
typedef int (*load_fn)(void *ud);

static void arm(long n)
{
    resolve();
    if (!live && !(live = real_malloc(LIVE_MAX * sizeof *live)))
        fail_msg("no memory for the block list");
    counted = 0;
    fail_at = n;
    failed_once = 0;
    nlive = 0;
    armed_thread = pthread_self();
    atomic_store(&armed, 1);
}

static void disarm(void)
{
    atomic_store(&armed, 0);
}

/* Runs fn with the 1st, 2nd, ... allocation failing until a run sees no
 * failure (and succeeds). Each failed run must report one of the codes in
 * ok_codes (0-terminated) and leave nothing allocated. A loader that reads
 * a file may succeed without an allocation (stdio falls back to an
 * unbuffered stream) when may_do_without; no other. Returns the number of
 * failure points exercised. */
static long exhaust(const char *what, load_fn fn, void *ud,
                    const int *ok_codes, int may_do_without)
{
    long n, tolerated = 0, nshown = 0;
    for (n = 1; n < 1000000; n++) {
        last_msg[0] = '\0';
        arm(n);
        int rc = fn(ud);
        disarm();
        if (rc == 0 && nlive != 0)
            fail_msg("%s: %zu blocks left after a successful load", what,
                     nlive);
        if (!failed_once) {
            if (rc != 0)
                fail_msg("%s: fails (%d) with no allocation failing", what,
                         rc);
            break;
        }
        if (rc == 0) { /* an allocation it can do without (stdio buffers) */
            if (!may_do_without)
                fail_msg("%s: allocation %ld failing goes unnoticed", what,
                         n);
            tolerated++;
            continue;
        }
        int known = 0;
        for (const int *c = ok_codes; *c; c++)
            known |= rc == *c;
        if (!known)
            fail_msg("%s: allocation %ld failing gives code %d: %s", what, n,
                     rc, last_msg);
        if ((n == 1 || strstr(last_msg, "memory") == NULL) && nshown++ < 5)
            print_message("  allocation %ld failing: %s\n", n, last_msg);
        if (nlive != 0)
            fail_msg("%s: allocation %ld failing leaks %zu block%s", what, n,
                     nlive, nlive == 1 ? "" : "s");
    }
    print_message("%s: %ld allocations, each failed once: %ld clean errors "
                  "(%ld done without), no leak\n", what, n - 1,
                  n - 1 - tolerated, tolerated);
    assert_true(n > 1);
    return n - 1;
}

static const int oom_codes[] = {TG_EINTERNAL, 0};

/* ---- the CSV reader ------------------------------------------------------- */

typedef struct csv_case {
    const char *data;
    size_t n;
    const char *path;
    long want_records;
} csv_case;

static int load_csv(void *ud)
{
    csv_case *k = ud;
    tg_err err = {0};
    tg_csv *c = k->path ? csv_open(k->path, &err)
                        : csv_open_mem(k->data, k->n, &err);
    if (!c)
        return failed_with(&err);
    long recs = 0;
    int rc;
    while ((rc = csv_next(c, &err)) == 1) {
        recs++;
        for (size_t i = 0; i < csv_nfields(c); i++)
            (void)csv_field(c, i);
        size_t rl;
        (void)csv_raw(c, &rl);
    }
    csv_free(c);
    if (rc < 0)
        return failed_with(&err);
    if (recs != k->want_records)
        fail_msg("CSV: %ld records, expected %ld", recs, k->want_records);
    return 0;
}

static void test_csv_mem(void **state)
{
    (void)state;
    /* Quoted commas, doubled quotes, a line break in quotes, a broken
     * record, a wide record and a long field make the reader grow. */
    size_t big = 300000;
    char *data = real_malloc(big + 4096);
    assert_non_null(data);
    int n = snprintf(data, 4096,
                     "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n"
                     "2,\"two\nlines\",z\n3,\"broken\n4,5,6,7,8,9,10,11,12,"
                     "13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,"
                     "31,32,33,34,35,36,37,38,39,40\n5,");
    memset(data + n, 'q', big);
    n += (int)big;
    memcpy(data + n, ",end\n", 5);
    csv_case k = {data, (size_t)n + 5, NULL, 4};
    exhaust("csv_open_mem", load_csv, &k, oom_codes, 0);
    real_free(data);
}

static void test_csv_file(void **state)
{
    (void)state;
    csv_case k = {NULL, 0, "tests/fixtures/ingest/good/purchases.csv", 0};
    /* Count the records first, with nothing failing. */
    tg_err err = {0};
    tg_csv *c = csv_open(k.path, &err);
    assert_non_null(c);
    while (csv_next(c, &err) == 1)
        k.want_records++;
    csv_free(c);
    exhaust("csv_open (file)", load_csv, &k, oom_codes, 1);
}

/* ---- the model loader ----------------------------------------------------- */

typedef struct model_case {
    char *json;
    size_t n;
    const char *path;
} model_case;

static int load_model(void *ud)
{
    model_case *k = ud;
    tg_err err = {0};
    tg_model *m = k->path ? model_load(k->path, &err)
                          : model_load_mem(k->json, k->n, &err);
    if (!m)
        return failed_with(&err);
    if (model_num_trees(m) == 0)
        fail_msg("a model with no trees");
    model_free(m);
    return 0;
}

static void test_model_tiny(void **state)
{
    (void)state;
    model_case k = {NULL, 0, NULL};
    tg_err err = {0};
    k.json = tg_read_file("tests/fixtures/models/tiny.json", &k.n, 0, &err);
    assert_non_null(k.json);
    exhaust("model_load_mem (tiny.json)", load_model, &k, oom_codes, 0);
    k.path = "tests/fixtures/models/tiny.json";
    exhaust("model_load (tiny.json)", load_model, &k, oom_codes, 1);
    free(k.json);
}

/* A model with several trees of real depth, as the trainer writes them:
 * built here from a template so the test needs no trainer. */
static char *deep_model(size_t *n)
{
    const int trees = 12, depth = 5;
    size_t cap = 1 << 20, len = 0;
    char *s = real_malloc(cap);
    assert_non_null(s);
#define PUT(...) len += (size_t)snprintf(s + len, cap - len, __VA_ARGS__)
    PUT("{\"learner\":{\"attributes\":{},\"feature_names\":[\"f0\",\"f1\","
        "\"f2\",\"f3\"],\"feature_types\":[\"float\",\"float\",\"float\","
        "\"float\"],\"gradient_booster\":{\"model\":{\"gbtree_model_param\":"
        "{\"num_parallel_tree\":\"1\",\"num_trees\":\"%d\"},\"iteration_"
        "indptr\":[",
        trees);
    for (int t = 0; t <= trees; t++)
        PUT("%s%d", t ? "," : "", t);
    PUT("],\"tree_info\":[");
    for (int t = 0; t < trees; t++)
        PUT("%s0", t ? "," : "");
    PUT("],\"trees\":[");
    int nodes = (1 << (depth + 1)) - 1;
    for (int t = 0; t < trees; t++) {
        PUT("%s{\"base_weights\":[", t ? "," : "");
        for (int i = 0; i < nodes; i++)
            PUT("%s%.3f", i ? "," : "", (i % 7) * 0.01 - 0.03);
        PUT("],\"categories\":[],\"categories_nodes\":[],\"categories_"
            "segments\":[],\"categories_sizes\":[],\"default_left\":[");
        for (int i = 0; i < nodes; i++)
            PUT("%s%d", i ? "," : "", i & 1);
        PUT("],\"id\":%d,\"left_children\":[", t);
        for (int i = 0; i < nodes; i++)
            PUT("%s%d", i ? "," : "", 2 * i + 1 < nodes ? 2 * i + 1 : -1);
        PUT("],\"loss_changes\":[");
        for (int i = 0; i < nodes; i++)
            PUT("%s%d", i ? "," : "", 2 * i + 1 < nodes ? 1 : 0);
        PUT("],\"parents\":[");
        for (int i = 0; i < nodes; i++)
            PUT("%s%d", i ? "," : "", i ? (i - 1) / 2 : 2147483647);
        PUT("],\"right_children\":[");
        for (int i = 0; i < nodes; i++)
            PUT("%s%d", i ? "," : "", 2 * i + 2 < nodes ? 2 * i + 2 : -1);
        PUT("],\"split_conditions\":[");
        for (int i = 0; i < nodes; i++)
            PUT("%s%.2f", i ? "," : "", 2 * i + 1 < nodes ? 0.5 : 0.01 * i);
        PUT("],\"split_indices\":[");
        for (int i = 0; i < nodes; i++)
            PUT("%s%d", i ? "," : "", (i + t) % 4);
        PUT("],\"split_type\":[");
        for (int i = 0; i < nodes; i++)
            PUT("%s0", i ? "," : "");
        PUT("],\"sum_hessian\":[");
        for (int i = 0; i < nodes; i++)
            PUT("%s%d", i ? "," : "", 1000 >> (i < 10 ? i / 2 : 5));
        PUT("],\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":\"4\","
            "\"num_nodes\":\"%d\",\"size_leaf_vector\":\"0\"}}",
            nodes);
    }
    PUT("]},\"name\":\"gbtree\"},\"learner_model_param\":{\"base_score\":"
        "\"5E-1\",\"boost_from_average\":\"1\",\"num_class\":\"0\","
        "\"num_feature\":\"4\",\"num_target\":\"1\"},\"objective\":{\"name\":"
        "\"binary:logistic\",\"reg_loss_param\":{\"scale_pos_weight\":\"1\"}"
        "}},\"version\":[1,7,6]}");
#undef PUT
    assert_true(len < cap - 1);
    *n = len;
    return s;
}

static void test_model_deep(void **state)
{
    (void)state;
    model_case k = {NULL, 0, NULL};
    k.json = deep_model(&k.n);
    tg_err err = {0};
    tg_model *m = model_load_mem(k.json, k.n, &err);
    if (!m)
        fail_msg("the generated model does not load: %s", err.msg);
    model_free(m);
    exhaust("model_load_mem (12 trees, depth 5)", load_model, &k, oom_codes,
            0);
    real_free(k.json);
}

/* ---- the feed parser ------------------------------------------------------ */

typedef struct feed_case {
    char *body;
    size_t n;
    int format;
} feed_case;

static int load_feed(void *ud)
{
    feed_case *k = ud;
    tg_err err = {0};
    tg_feed_doc *d = feed_parse(k->body, k->n, k->format, 1780000000LL, 0,
                                &err);
    if (!d)
        return failed_with(&err);
    if (d->nsnaps == 0)
        fail_msg("feed: no snapshots");
    feed_doc_free(d);
    return 0;
}

static void feed_fixture(const char *name, int format)
{
    char path[256];
    snprintf(path, sizeof path, "tests/fixtures/feed/%s", name);
    feed_case k = {NULL, 0, format};
    tg_err err = {0};
    k.body = tg_read_file(path, &k.n, 0, &err);
    assert_non_null(k.body);
    char what[300];
    snprintf(what, sizeof what, "feed_parse (%s)", name);
    exhaust(what, load_feed, &k, oom_codes, 0);
    free(k.body);
}

static void test_feed_native(void **state)
{
    (void)state;
    feed_fixture("good.json", FEED_AUTO);
}

static void test_feed_tiktok(void **state)
{
    (void)state;
    feed_fixture("tiktok_small.json", FEED_AUTO);
}

static void test_feed_rejects(void **state)
{
    (void)state;
    feed_fixture("bad_items.json", FEED_AUTO);
}

/* ---- the nudge catalogue -------------------------------------------------- */

static int load_catalog(void *ud)
{
    (void)ud;
    static tg_nudge_catalog cat;
    tg_err err = {0};
    int rc = nudge_catalog_load("assets/nudges.json", &cat, &err);
    return rc ? failed_with(&err) : 0;
}

static void test_catalog(void **state)
{
    (void)state;
    exhaust("nudge_catalog_load (assets/nudges.json)", load_catalog, NULL,
            oom_codes, 1);
}

/* ---- the shim itself ------------------------------------------------------ */

static void test_shim_counts(void **state)
{
    (void)state;
    resolve();
    arm(3);
    void *a = malloc(10), *b = calloc(2, 8), *c = malloc(5);
    disarm();
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_int_equal(nlive, 2);
    arm(0);
    free(a);
    b = realloc(b, 100);
    assert_int_equal(nlive, 0); /* b was allocated in the previous run */
    disarm();
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shim_counts),
        cmocka_unit_test(test_csv_mem),
        cmocka_unit_test(test_csv_file),
        cmocka_unit_test(test_model_tiny),
        cmocka_unit_test(test_model_deep),
        cmocka_unit_test(test_feed_native),
        cmocka_unit_test(test_feed_tiktok),
        cmocka_unit_test(test_feed_rejects),
        cmocka_unit_test(test_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
