/* test_gen.c: tests of `trendguard gen`'s core (gen.h) on the demo scale:
 * determinism, headers, referential integrity, the calibration the data
 * must show (return rates by driver, the oracle's accuracy), the hour of
 * day pattern and cumulative trend snapshots. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "trendguard/features.h"
#include "trendguard/gen.h"
#include "trendguard/shopper.h"

/* ---- a minimal reader for the generated files (no quoting in them) ---- */

typedef struct table {
    char *buf;
    char ***rows; /* rows[i][j], row 0 is the header */
    int *ncols;
    int n;        /* rows including the header */
} table;

static void table_load(table *t, const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    tg_err err = {0};
    size_t len;
    t->buf = tg_read_file(path, &len, (size_t)1 << 30, &err);
    if (!t->buf)
        fail_msg("%s: %s", path, err.msg);
    int cap = 1024;
    t->rows = malloc((size_t)cap * sizeof *t->rows);
    t->ncols = malloc((size_t)cap * sizeof *t->ncols);
    t->n = 0;
    for (char *p = t->buf; *p;) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl); /* every row ends with a newline */
        *nl = '\0';
        if (t->n == cap) {
            cap *= 2;
            t->rows = realloc(t->rows, (size_t)cap * sizeof *t->rows);
            t->ncols = realloc(t->ncols, (size_t)cap * sizeof *t->ncols);
        }
        int nc = 1;
        for (char *q = p; *q; q++)
            nc += *q == ',';
        char **f = malloc((size_t)nc * sizeof *f);
        int k = 0;
        f[k++] = p;
        for (char *q = p; *q; q++)
            if (*q == ',') {
                *q = '\0';
                f[k++] = q + 1;
            }
        t->rows[t->n] = f;
        t->ncols[t->n++] = nc;
        p = nl + 1;
    }
}

static void table_free(table *t)
{
    for (int i = 0; i < t->n; i++)
        free(t->rows[i]);
    free(t->rows);
    free(t->ncols);
    free(t->buf);
}

static int col(const table *t, const char *name)
{
    for (int j = 0; j < t->ncols[0]; j++)
        if (strcmp(t->rows[0][j], name) == 0)
            return j;
    fail_msg("no column %s", name);
    return -1;
}

static int64_t tparse(const char *s)
{
    int64_t v;
    if (tg_time_parse(s, &v) != 0)
        fail_msg("bad time '%s'", s);
    return v;
}

static int id_num(const char *s) /* "C000123" -> 123 */
{
    return atoi(s + 1);
}

/* ---- the shared demo data set ----------------------------------------- */

static char dir_a[512];
static table T[TG_GEN_FILES];
static int64_t END;
/* The world behind the files: the truth that the shop's records leave
 * out (true sizes, true fits). */
static tg_behaviour B;
static tg_words WORDS;
static tg_world *W;

static void gen_into(const char *dir, const char *scale, uint64_t seed)
{
    tg_gen_opts o = {.out_dir = dir, .scale = scale, .seed = seed};
    tg_gen_stats st;
    tg_err err = {0};
    int rc = gen_run(&o, &st, NULL, NULL, &err);
    if (rc != TG_OK)
        fail_msg("gen_run: %s", err.msg);
}

static void mktmp(char *buf, size_t n)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, n, "%s/tggen.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(buf))
        fail_msg("mkdtemp");
}

static void rmrf(const char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static int setup(void **state)
{
    (void)state;
    mktmp(dir_a, sizeof dir_a);
    gen_into(dir_a, "demo", 1);
    for (int i = 0; i < TG_GEN_FILES; i++)
        table_load(&T[i], dir_a, gen_file_names[i]);
    END = gen_end_day() * TG_DAY;
    tg_world_opts wo;
    tg_err err = {0};
    if (gen_world_opts("demo", 1, &wo, &err) != TG_OK ||
        shopper_behaviour_load("assets/behaviour.json", &B, &err) != TG_OK ||
        shopper_words_load(&WORDS, NULL, &err) != TG_OK ||
        !(W = shopper_world_create(&B, &WORDS, &wo, &err)))
        fail_msg("the generator's world: %s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < TG_GEN_FILES; i++)
        table_free(&T[i]);
    rmrf(dir_a);
    shopper_world_free(W);
    shopper_words_free(&WORDS);
    return 0;
}

/* ---- tests ------------------------------------------------------------- */

static void test_headers(void **state)
{
    (void)state;
    static const char *const want[TG_GEN_FILES] = {
        "product_id,name,category,brand,price,fit_bias,sizes,tags,"
        "launch_date",
        "customer_id,segment,usual_size,shoe_size,age_band,gender,"
        "joined_date,country,lines_before,returns_before",
        "captured_at,hashtag,creator,views,likes,shares,comments",
        "line_id,order_id,customer_id,product_id,size,quantity,unit_price,"
        "discount_pct,ordered_at,channel,view_minutes,payment,ref_hashtag",
        "return_id,line_id,returned_at,reason,condition,resellable",
        "line_id,p_return,size_offset"};
    for (int i = 0; i < TG_GEN_FILES; i++) {
        char line[512];
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir_a, gen_file_names[i]);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        assert_non_null(fgets(line, sizeof line, f));
        fclose(f);
        line[strcspn(line, "\n")] = '\0';
        assert_string_equal(line, want[i]);
        assert_string_equal(gen_file_headers[i], want[i]);
        for (int r = 1; r < T[i].n; r++)
            assert_int_equal(T[i].ncols[r], T[i].ncols[0]);
    }
}

static void test_sizes_of_demo(void **state)
{
    (void)state;
    assert_int_equal(T[TG_GEN_PRODUCTS].n - 1, 400);
    assert_int_equal(T[TG_GEN_CUSTOMERS].n - 1, 3000);
    int lines = T[TG_GEN_PURCHASES].n - 1;
    assert_true(lines >= 15000 && lines <= 25000);
    int snaps = T[TG_GEN_TRENDS].n - 1;
    assert_true(snaps >= 38000 && snaps <= 45000);
    assert_int_equal(T[TG_GEN_TRUTH].n, T[TG_GEN_PURCHASES].n);
}

static void test_determinism(void **state)
{
    (void)state;
    char b[512], c[512];
    mktmp(b, sizeof b);
    mktmp(c, sizeof c);
    gen_into(b, "demo", 1);
    gen_into(c, "demo", 2);
    int differ = 0;
    for (int i = 0; i < TG_GEN_FILES; i++) {
        char pa[4200], pb[4200], pc[4200], ha[65], hb[65], hc[65];
        tg_err err = {0};
        snprintf(pa, sizeof pa, "%s/%s", dir_a, gen_file_names[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, gen_file_names[i]);
        snprintf(pc, sizeof pc, "%s/%s", c, gen_file_names[i]);
        assert_int_equal(tg_sha256_file(pa, ha, &err), TG_OK);
        assert_int_equal(tg_sha256_file(pb, hb, &err), TG_OK);
        assert_int_equal(tg_sha256_file(pc, hc, &err), TG_OK);
        assert_string_equal(ha, hb);
        differ += strcmp(ha, hc) != 0;
        /* no temporary file is left behind */
        char tmp[4200];
        snprintf(tmp, sizeof tmp, "%s/.%s.tmp", b, gen_file_names[i]);
        assert_int_not_equal(access(tmp, F_OK), 0);
    }
    assert_int_equal(differ, TG_GEN_FILES);
    rmrf(b);
    rmrf(c);
}

static void test_integrity(void **state)
{
    (void)state;
    const table *P = &T[TG_GEN_PRODUCTS], *C = &T[TG_GEN_CUSTOMERS],
                *L = &T[TG_GEN_PURCHASES], *R = &T[TG_GEN_RETURNS],
                *Tr = &T[TG_GEN_TRUTH], *H = &T[TG_GEN_TRENDS];
    int np = P->n - 1, nc = C->n - 1, nl = L->n - 1;
    for (int i = 1; i <= np; i++) {
        assert_int_equal(id_num(P->rows[i][0]), i);
        assert_true(features_code(tg_category_names, 7, P->rows[i][2]) >= 0);
        assert_non_null(strchr(P->rows[i][4], '.'));
        assert_int_equal(strlen(strchr(P->rows[i][4], '.')), 3);
    }
    for (int i = 1; i <= nc; i++)
        assert_int_equal(id_num(C->rows[i][0]), i);
    /* hashtags of the feed */
    int hcol = col(H, "hashtag");
    int cu = col(L, "customer_id"), pr = col(L, "product_id"),
        at = col(L, "ordered_at"), chn = col(L, "channel"),
        ref = col(L, "ref_hashtag"), sz = col(L, "size"),
        up = col(L, "unit_price"), dc = col(L, "discount_pct"),
        oid = col(L, "order_id");
    int64_t prev = 0;
    for (int i = 1; i <= nl; i++) {
        char **r = L->rows[i];
        assert_int_equal(id_num(r[0]), i);
        int c = id_num(r[cu]), p = id_num(r[pr]);
        assert_true(c >= 1 && c <= nc && p >= 1 && p <= np);
        assert_string_equal(r[cu], C->rows[c][0]);
        int64_t t = tparse(r[at]);
        assert_true(t >= prev && t < END);
        assert_int_equal(strlen(r[at]), 20);
        prev = t;
        /* launched before it was sold; the size is one it comes in */
        assert_true(tparse(P->rows[p][8]) <= t);
        char sizes[64];
        snprintf(sizes, sizeof sizes, "|%s|", P->rows[p][6]);
        char want[16];
        snprintf(want, sizeof want, "|%s|", r[sz]);
        assert_non_null(strstr(sizes, want));
        int d = atoi(r[dc]);
        assert_true(d >= 0 && d <= 90);
        double price = atof(P->rows[p][4]), paid = atof(r[up]);
        assert_true(fabs(paid - price * (100 - d) / 100) < 0.011);
        int tiktok = strcmp(r[chn], "tiktok") == 0;
        assert_true(tiktok || !strcmp(r[chn], "app") || !strcmp(r[chn], "web"));
        assert_int_equal(tiktok, r[ref][0] != '\0');
        if (tiktok) { /* the product is linked to that hashtag */
            assert_int_equal(strncmp(P->rows[p][7], r[ref], strlen(r[ref])), 0);
        }
        /* an order is one customer at one moment */
        if (i > 1 && strcmp(r[oid], L->rows[i - 1][oid]) == 0) {
            assert_string_equal(r[cu], L->rows[i - 1][cu]);
            assert_string_equal(r[at], L->rows[i - 1][at]);
        }
        assert_string_equal(Tr->rows[i][0], r[0]);
        double pv = atof(Tr->rows[i][1]);
        assert_true(pv > 0 && pv < 1);
        assert_int_equal(strlen(strchr(Tr->rows[i][1], '.')), 7);
    }
    /* ref hashtags exist in the feed (spot check the first 200) */
    for (int i = 1, seen = 0; i <= nl && seen < 200; i++) {
        const char *h = L->rows[i][ref];
        if (!*h)
            continue;
        seen++;
        int found = 0;
        for (int k = 1; k < H->n && !found; k++)
            found = strcmp(H->rows[k][hcol], h) == 0;
        assert_true(found);
    }
    /* returns: an existing line, once, 1-30 days later, before the end */
    char *returned = calloc((size_t)nl + 1, 1);
    int64_t rprev = 0;
    for (int i = 1; i < R->n; i++) {
        char **r = R->rows[i];
        assert_int_equal(id_num(r[0]), i);
        int l = id_num(r[1]);
        assert_true(l >= 1 && l <= nl);
        assert_string_equal(r[1], L->rows[l][0]);
        assert_int_equal(returned[l], 0);
        returned[l] = 1;
        int64_t t = tparse(r[2]), o = tparse(L->rows[l][at]);
        assert_true(t > o + TG_DAY && t <= o + 30 * TG_DAY && t < END);
        assert_true(t >= rprev);
        rprev = t;
        assert_true(!strcmp(r[5], "0") || !strcmp(r[5], "1"));
    }
    free(returned);
}

/* Return rates of the matured demo lines by driver. */
typedef struct rate {
    long n, y;
} rate;
#define RATE(r) ((double)(r).y / (double)((r).n ? (r).n : 1))

static void test_calibration(void **state)
{
    (void)state;
    const table *P = &T[TG_GEN_PRODUCTS], *C = &T[TG_GEN_CUSTOMERS],
                *L = &T[TG_GEN_PURCHASES], *R = &T[TG_GEN_RETURNS],
                *Tr = &T[TG_GEN_TRUTH], *H = &T[TG_GEN_TRENDS];
    int nl = L->n - 1;
    char *ret = calloc((size_t)nl + 1, 1);
    for (int i = 1; i < R->n; i++)
        ret[id_num(R->rows[i][1])] = 1;
    /* each hashtag's busiest day (largest daily increase of views) */
    int nh = H->n;
    char **tags = malloc((size_t)nh * sizeof *tags);
    int64_t *peak = malloc((size_t)nh * sizeof *peak);
    int ntag = 0;
    for (int i = 1; i < H->n; i++) {
        /* a linear search over the tags seen so far (demo size) */
        const char *h = H->rows[i][1];
        int k = 0;
        while (k < ntag && strcmp(tags[k], h) != 0)
            k++;
        if (k == ntag) {
            tags[ntag] = (char *)h;
            peak[ntag++] = -1;
        }
    }
    long long *lastv = calloc((size_t)ntag, sizeof *lastv);
    long long *bestinc = calloc((size_t)ntag, sizeof *bestinc);
    for (int i = 1; i < H->n; i++) {
        const char *h = H->rows[i][1];
        int k = 0;
        while (strcmp(tags[k], h) != 0)
            k++;
        long long v = atoll(H->rows[i][3]);
        if (v - lastv[k] > bestinc[k]) {
            bestinc[k] = v - lastv[k];
            peak[k] = tparse(H->rows[i][0]) - TG_DAY;
        }
        lastv[k] = v;
    }
    static const char *const sizes[] = {"XS", "S", "M", "L", "XL", "XXL"};
    rate all = {0, 0}, tiktok = {0, 0}, other = {0, 0}, dresses = {0, 0},
         bracket = {0, 0}, single = {0, 0}, fit = {0, 0}, mis = {0, 0},
         rising = {0, 0}, after = {0, 0};
    long later = 0, right = 0;
    for (int i = 1; i <= nl; i++) {
        char **r = L->rows[i];
        int64_t t = tparse(r[8]);
        int y = ret[i];
        double p = atof(Tr->rows[i][1]);
        if (t >= END - 60 * TG_DAY && t < END - 30 * TG_DAY) {
            later++;
            right += (p >= 0.5) == y;
        }
        if (t >= END - 30 * TG_DAY)
            continue;
        char **pr = P->rows[id_num(r[3])], **cu = C->rows[id_num(r[2])];
        all.n++, all.y += y;
        rate *ch = strcmp(r[9], "tiktok") == 0 ? &tiktok : &other;
        ch->n++, ch->y += y;
        if (strcmp(pr[2], "dresses") == 0)
            dresses.n++, dresses.y += y;
        int same = 0;
        for (int k = i - 8 < 1 ? 1 : i - 8; k <= nl && k <= i + 8; k++)
            same += !strcmp(L->rows[k][1], r[1]) && !strcmp(L->rows[k][3], r[3]);
        rate *b = same > 1 ? &bracket : &single;
        b->n++, b->y += y;
        if (same == 1 && strcmp(pr[2], "accessories") != 0) {
            /* The truth: the size that fits and how the item runs. */
            const tg_product *tp = &W->products[id_num(pr[0]) - 1];
            const tg_customer *tc = &W->customers[id_num(cu[0]) - 1];
            int fb = tp->fit_bias, m;
            if (!strcmp(pr[2], "shoes"))
                m = atoi(r[4]) + fb - tc->shoe_size;
            else {
                int a = 0;
                for (int s = 0; s < 6; s++)
                    a = !strcmp(sizes[s], r[4]) ? s : a;
                m = a + fb - tc->usual_size;
            }
            rate *f = m == 0 ? &fit : &mis;
            f->n++, f->y += y;
        }
        char tag[64];
        tg_strlcpy(tag, pr[7], sizeof tag);
        tag[strcspn(tag, "|")] = '\0';
        for (int k = 0; k < ntag; k++)
            if (strcmp(tags[k], tag) == 0 && peak[k] >= 0) {
                if (t < peak[k] - TG_DAY)
                    rising.n++, rising.y += y;
                else if (t > peak[k] + 2 * TG_DAY)
                    after.n++, after.y += y;
            }
    }
    double acc = (double)right / (double)later;
    fprintf(stderr, "demo calibration: rate %.3f tiktok %.3f other %.3f "
            "dresses %.3f bracketed %.3f single %.3f mismatch %.3f fit %.3f "
            "after-peak %.3f rising %.3f oracle %.4f (n=%ld)\n", RATE(all),
            RATE(tiktok), RATE(other), RATE(dresses), RATE(bracket),
            RATE(single), RATE(mis), RATE(fit), RATE(after), RATE(rising),
            acc, later);
    assert_true(RATE(all) >= 0.28 && RATE(all) <= 0.40);
    assert_true(RATE(tiktok) >= 1.3 * RATE(other));
    assert_true(RATE(dresses) > 0.50);
    assert_true(RATE(bracket) >= 2 * RATE(single) && bracket.n > 500);
    assert_true(RATE(mis) >= 2 * RATE(fit) && mis.n > 500);
    assert_true(RATE(after) >= RATE(rising) + 0.05 && rising.n > 300);
    assert_true(later > 4000);
    assert_true(acc >= 0.86 && acc <= 0.92);
    free(ret);
    free(tags);
    free(peak);
    free(lastv);
    free(bestinc);
}

/* |observed - expected| within 4 binomial standard deviations. */
static void near_rate(const char *what, long k, long n, double p)
{
    double sd = sqrt(p * (1 - p) / (double)n), r = (double)k / (double)n;
    fprintf(stderr, "%s: %.3f (expected %.3f, n=%ld)\n", what, r, p, n);
    if (n < 100 || fabs(r - p) > 4 * sd + 1e-9)
        fail_msg("%s: %.3f, expected %.3f +- %.3f (n=%ld)", what, r, p,
                 4 * sd, n);
}

/* The shop's records carry what a shop would know, at the configured
 * rates: sizes typed into profiles (missing for some, one step off for
 * some, never further) and fit notes (on some sized products, wrong on
 * some); the truth stays in the shopper model. */
static void test_shop_records(void **state)
{
    (void)state;
    const table *P = &T[TG_GEN_PRODUCTS], *C = &T[TG_GEN_CUSTOMERS];
    int cs = col(C, "usual_size"), ch = col(C, "shoe_size");
    long missing = 0, present = 0, off = 0, shoe_off = 0;
    double want_missing = 0;
    for (int i = 1; i < C->n; i++) {
        const tg_customer *c = &W->customers[id_num(C->rows[i][0]) - 1];
        want_missing += B.declared_size_missing[c->segment];
        const char *d = C->rows[i][cs], *ds = C->rows[i][ch];
        if (!*d) {
            missing++;
            assert_string_equal(ds, ""); /* no profile: neither size */
            continue;
        }
        int rank = -1;
        for (int s = 0; s < tg_num_sizes && s < 6; s++)
            if (!strcmp(tg_size_names[s], d))
                rank = s;
        assert_true(rank >= 0);
        assert_true(abs(rank - c->usual_size) <= 1);
        assert_true(abs(atoi(ds) - c->shoe_size) <= 1);
        present++;
        off += rank != c->usual_size;
        shoe_off += atoi(ds) != c->shoe_size;
    }
    near_rate("declared size missing", missing, C->n - 1,
              want_missing / (C->n - 1));
    near_rate("declared size one off", off, present, B.declared_size_off);
    near_rate("declared shoe size one off", shoe_off, present,
              B.declared_size_off);
    int cf = col(P, "fit_bias"), cc = col(P, "category");
    long sized = 0, noted = 0, wrong = 0;
    for (int i = 1; i < P->n; i++) {
        const tg_product *p = &W->products[id_num(P->rows[i][0]) - 1];
        const char *f = P->rows[i][cf];
        if (!strcmp(P->rows[i][cc], "accessories")) {
            assert_string_equal(f, "");
            continue;
        }
        sized++;
        if (!*f)
            continue;
        noted++;
        int note = !strcmp(f, "runs_small") ? -1 : !strcmp(f, "runs_large");
        wrong += note != p->fit_bias;
    }
    near_rate("products with a fit note", noted, sized, B.fit_note_share);
    near_rate("fit notes that are wrong", wrong, noted, B.fit_note_wrong);
}

static void test_hours(void **state)
{
    (void)state;
    const table *L = &T[TG_GEN_PURCHASES];
    long h[24] = {0};
    for (int i = 1; i < L->n; i++)
        h[atoi(L->rows[i][8] + 11)]++;
    long lunch = h[12] + h[13], morning = h[9] + h[10],
         afternoon = h[15] + h[16], evening = h[20] + h[21],
         small_hours = h[3] + h[4];
    assert_true(lunch > 1.2 * morning && lunch > 1.2 * afternoon);
    assert_true(evening > 1.3 * afternoon && evening > lunch);
    assert_true(small_hours * 4 < morning);
    /* TikTok orders lean late at night */
    long tk_night = 0, tk = 0, ot_night = 0, ot = 0;
    for (int i = 1; i < L->n; i++) {
        int hr = atoi(L->rows[i][8] + 11), night = hr <= 2 || hr >= 22;
        if (!strcmp(L->rows[i][9], "tiktok"))
            tk++, tk_night += night;
        else
            ot++, ot_night += night;
    }
    assert_true((double)tk_night / tk > 1.5 * (double)ot_night / ot);
}

static void test_trend_snapshots(void **state)
{
    (void)state;
    const table *H = &T[TG_GEN_TRENDS];
    int64_t first = tparse(H->rows[1][0]);
    assert_true(first >= END - 150 * TG_DAY);
    assert_true(first < END - 89 * TG_DAY); /* trends already running */
    /* sorted by captured_at then hashtag */
    for (int i = 2; i < H->n; i++) {
        int c = strcmp(H->rows[i - 1][0], H->rows[i][0]);
        assert_true(c < 0 || (c == 0 && strcmp(H->rows[i - 1][1],
                                               H->rows[i][1]) < 0));
        assert_non_null(strstr(H->rows[i][0], "T00:00:00Z"));
        assert_true(H->rows[i][2][0] == '@');
    }
    /* cumulative: per hashtag, no counter ever goes down; consecutive days */
    long checked = 0;
    for (int i = 1; i < H->n && checked < 4000; i++) {
        /* follow this hashtag through the following days */
        const char *tag = H->rows[i][1];
        if (tparse(H->rows[i][0]) != first)
            continue;
        long long last[4] = {0, 0, 0, 0};
        int64_t day = first - TG_DAY;
        for (int k = i; k < H->n; k++) {
            if (strcmp(H->rows[k][1], tag) != 0)
                continue;
            int64_t t = tparse(H->rows[k][0]);
            assert_int_equal(t, day + TG_DAY);
            day = t;
            for (int c = 0; c < 4; c++) {
                long long v = atoll(H->rows[k][3 + c]);
                assert_true(v >= last[c]);
                last[c] = v;
            }
            checked++;
        }
    }
    assert_true(checked > 1000);
}

static void test_customer_history(void **state)
{
    (void)state;
    const table *C = &T[TG_GEN_CUSTOMERS], *L = &T[TG_GEN_PURCHASES],
                *R = &T[TG_GEN_RETURNS];
    int nc = C->n - 1, nl = L->n - 1;
    int64_t start = END - 90 * TG_DAY;
    char *ret = calloc((size_t)nl + 1, 1);
    for (int i = 1; i < R->n; i++)
        ret[id_num(R->rows[i][1])] = 1;
    long *n = calloc((size_t)nc + 1, sizeof *n), *y = calloc((size_t)nc + 1,
                                                            sizeof *y);
    for (int i = 1; i <= nl; i++) {
        if (tparse(L->rows[i][8]) >= END - 30 * TG_DAY)
            continue;
        int c = id_num(L->rows[i][2]);
        n[c]++, y[c] += ret[i];
    }
    rate hi = {0, 0}, lo = {0, 0};
    int newc = 0;
    for (int c = 1; c <= nc; c++) {
        char **r = C->rows[c];
        long lb = atol(r[8]), rb = atol(r[9]);
        assert_true(rb >= 0 && rb <= lb);
        if (tparse(r[6]) >= start) {
            newc++;
            assert_true(lb == 0 && rb == 0);
        }
        if (lb < 10)
            continue;
        rate *g = (double)rb / lb > 0.45 ? &hi : (double)rb / lb < 0.2 ? &lo
                                                                      : NULL;
        if (g)
            g->n += n[c], g->y += y[c];
    }
    assert_true(newc > 100);
    assert_true(hi.n > 300 && lo.n > 300);
    /* past return rate predicts the window's */
    assert_true(RATE(hi) > RATE(lo) + 0.2);
    free(ret);
    free(n);
    free(y);
}

static void test_errors(void **state)
{
    (void)state;
    tg_err err = {0};
    tg_gen_opts o = {.out_dir = "/tmp", .scale = "huge", .seed = 1};
    assert_int_equal(gen_run(&o, NULL, NULL, NULL, &err), TG_EUSAGE);
    assert_non_null(strstr(err.msg, "huge"));
    o.scale = "demo";
    o.out_dir = "/proc/no/such/dir";
    assert_int_equal(gen_run(&o, NULL, NULL, NULL, &err), TG_EIO);
    o.out_dir = "/tmp";
    o.behaviour_path = "/nonexistent/behaviour.json";
    assert_int_not_equal(gen_run(&o, NULL, NULL, NULL, &err), TG_OK);
    assert_non_null(strstr(err.msg, "/nonexistent/behaviour.json"));
    assert_null(gen_scale("huge"));
    assert_int_equal(gen_scale("full")->customers, 400000);
    assert_int_equal(gen_end_day() * TG_DAY, 1793491200LL); /* 2026-11-01 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_sizes_of_demo),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_integrity),
        cmocka_unit_test(test_calibration),
        cmocka_unit_test(test_shop_records),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_trend_snapshots),
        cmocka_unit_test(test_customer_history),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
