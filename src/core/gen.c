/* gen.c: the synthetic TrendBuy data generator: builds a shopper world
 * (shopper.h) for a scale, draws every customer's orders over the window,
 * gives customers a CRM history consistent with their propensity, and
 * writes the six CSV files with its own buffered, locale-free formatting. */
#include "trendguard/gen.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trendguard/features.h"
#include "trendguard/shopper.h"

const char *const gen_file_names[TG_GEN_FILES] = {
    "products.csv",  "customers.csv", "tiktok_trends.csv",
    "purchases.csv", "returns.csv",   "truth.csv"};
const char *const gen_file_headers[TG_GEN_FILES] = {
    "product_id,name,category,brand,price,fit_bias,sizes,tags,launch_date",
    "customer_id,segment,usual_size,shoe_size,age_band,gender,joined_date,"
    "country,lines_before,returns_before",
    "captured_at,hashtag,creator,views,likes,shares,comments",
    "line_id,order_id,customer_id,product_id,size,quantity,unit_price,"
    "discount_pct,ordered_at,channel,view_minutes,payment,ref_hashtag",
    "return_id,line_id,returned_at,reason,condition,resellable",
    "line_id,p_return,size_offset"};

static const tg_gen_scale scales[] = {
    {"demo", 90, 3000, 400, 40000, 3.6},
    {"small", 365, 40000, 4000, 1000000, 1.0},
    {"full", 365, 400000, 25000, 10000000, 1.0},
};

const tg_gen_scale *gen_scale(const char *name)
{
    for (size_t i = 0; i < sizeof scales / sizeof *scales; i++)
        if (name && strcmp(scales[i].name, name) == 0)
            return &scales[i];
    return NULL;
}

int64_t gen_end_day(void)
{
    return tg_days_from_civil(2026, 11, 1);
}

/* ---- a generated line, compact ------------------------------------------ */

typedef struct gline {
    int64_t t;          /* ordered_at */
    uint32_t seq;       /* order number in generation order */
    uint8_t k;          /* line within the order */
    uint8_t channel, paylater, discount, quantity, reason, condition,
        resellable;
    int32_t customer, product, ref_trend, size;
    int32_t unit_cents, view_tenths;
    int32_t p_micro;    /* true p, 6 decimals */
    int8_t offset;      /* true size offset: size + fit - the size that fits */
    int32_t ret_after;  /* seconds from order to return, -1 = kept */
} gline;

static int cmp_gline(const void *a, const void *b)
{
    const gline *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return (x->k > y->k) - (x->k < y->k);
}

typedef struct ret_key {
    int64_t t;
    uint32_t line;
} ret_key;

static int cmp_ret(const void *a, const void *b)
{
    const ret_key *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* ---- buffered writer ------------------------------------------------------ */

typedef struct wbuf {
    FILE *f;
    char *buf;
    size_t n, cap;
    int failed;
} wbuf;

static void wb_flush(wbuf *w)
{
    if (w->n && fwrite(w->buf, 1, w->n, w->f) != w->n)
        w->failed = 1;
    w->n = 0;
}

static inline void wb_room(wbuf *w, size_t need)
{
    if (w->n + need > w->cap)
        wb_flush(w);
}

static inline void wb_mem(wbuf *w, const char *s, size_t n)
{
    wb_room(w, n);
    if (n > w->cap - w->n) {
        /* Longer than the whole buffer: straight through. */
        if (fwrite(s, 1, n, w->f) != n)
            w->failed = 1;
        return;
    }
    memcpy(w->buf + w->n, s, n);
    w->n += n;
}

static inline void wb_str(wbuf *w, const char *s)
{
    wb_mem(w, s, strlen(s));
}

static inline void wb_ch(wbuf *w, char c)
{
    wb_room(w, 1);
    w->buf[w->n++] = c;
}

/* An unsigned number with at least `width` digits (zero-padded). */
static void wb_uint(wbuf *w, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    wb_room(w, (size_t)n);
    while (n)
        w->buf[w->n++] = tmp[--n];
}

/* v / 10^dec with exactly dec decimals (v >= 0). */
static void wb_fixed(wbuf *w, int64_t v, int dec)
{
    int64_t p = 1;
    for (int i = 0; i < dec; i++)
        p *= 10;
    wb_uint(w, (uint64_t)(v / p), 1);
    wb_ch(w, '.');
    wb_uint(w, (uint64_t)(v % p), dec);
}

static void wb_id(wbuf *w, char prefix, uint64_t id, int width)
{
    wb_ch(w, prefix);
    wb_uint(w, id, width);
}

static void wb_date(wbuf *w, int64_t day)
{
    int y;
    unsigned m, d;
    tg_civil_from_days(day, &y, &m, &d);
    wb_uint(w, (uint64_t)y, 4);
    wb_ch(w, '-');
    wb_uint(w, m, 2);
    wb_ch(w, '-');
    wb_uint(w, d, 2);
}

static void wb_time(wbuf *w, int64_t t)
{
    int64_t day = tg_day_of(t);
    int64_t s = t - day * TG_DAY;
    wb_date(w, day);
    wb_ch(w, 'T');
    wb_uint(w, (uint64_t)(s / 3600), 2);
    wb_ch(w, ':');
    wb_uint(w, (uint64_t)(s / 60 % 60), 2);
    wb_ch(w, ':');
    wb_uint(w, (uint64_t)(s % 60), 2);
    wb_ch(w, 'Z');
}

/* ---- the run -------------------------------------------------------------- */

typedef struct gen_ctx {
    const tg_gen_opts *o;
    const tg_gen_scale *sc;
    tg_behaviour b;
    tg_words words;
    tg_world *w;
    gline *lines;
    size_t n_lines, cap_lines;
    long long orders, returns_drawn;
    double sum_p;
    /* per segment, the first lines' z offsets from the customer part */
    double *offs[TG_SHOP_SEGMENTS];
    int n_offs[TG_SHOP_SEGMENTS];
    tg_gen_progress progress;
    void *ud;
    long long rows[TG_GEN_FILES];
} gen_ctx;

enum { OFFS_MAX = 256 };

static void report(gen_ctx *g, double frac, const char *stage)
{
    if (g->progress)
        g->progress(g->ud, frac, stage);
}

static int push_order(gen_ctx *g, const tg_customer *c, int ci,
                      const tg_order *o, tg_rng *rr, tg_err *err)
{
    if (g->n_lines + (size_t)o->n > g->cap_lines) {
        size_t nc = g->cap_lines ? g->cap_lines * 2 : 65536;
        gline *nl = realloc(g->lines, nc * sizeof *nl);
        if (!nl)
            return tg_fail(err, TG_EINTERNAL, "out of memory");
        g->lines = nl;
        g->cap_lines = nc;
    }
    double cz = shopper_customer_logit(&g->b, c);
    for (int k = 0; k < o->n; k++) {
        const tg_line *l = &o->lines[k];
        gline *x = &g->lines[g->n_lines++];
        memset(x, 0, sizeof *x);
        x->t = o->t;
        x->seq = (uint32_t)g->orders;
        x->k = (uint8_t)k;
        x->channel = (uint8_t)o->channel;
        x->paylater = (uint8_t)o->paylater;
        x->discount = (uint8_t)l->discount_pct;
        x->quantity = (uint8_t)l->quantity;
        x->customer = ci;
        x->product = l->product;
        x->ref_trend = l->ref_trend;
        x->size = l->size;
        x->unit_cents = (int32_t)llround(l->unit_price * 100);
        x->view_tenths = (int32_t)llround(l->ctx.view_minutes * 10);
        x->p_micro = (int32_t)llround(l->p * 1e6);
        x->offset = (int8_t)(l->ctx.mismatch < -20  ? -20
                             : l->ctx.mismatch > 20 ? 20
                                                    : l->ctx.mismatch);
        g->sum_p += l->p;
        tg_return ret;
        if (shopper_draw_return(&g->b, l, o->t, rr, &ret)) {
            x->ret_after = (int32_t)(ret.t - o->t);
            x->reason = (uint8_t)ret.reason;
            x->condition = (uint8_t)ret.condition;
            x->resellable = (uint8_t)ret.resellable;
            g->returns_drawn++;
        } else {
            x->ret_after = -1;
        }
        int s = c->segment;
        if (g->n_offs[s] < OFFS_MAX) {
            double z = log(l->p / (1 - l->p)) / g->b.truth_scale;
            g->offs[s][g->n_offs[s]++] = z - cz;
        }
    }
    g->orders++;
    return TG_OK;
}

static int draw_orders(gen_ctx *g, tg_err *err)
{
    const tg_world *w = g->w;
    tg_rng ro, rr;
    tg_rng_seed(&ro, g->o->seed * 0x9E3779B97F4A7C15ull + 4);
    tg_rng_seed(&rr, g->o->seed * 0x9E3779B97F4A7C15ull + 5);
    for (int i = 0; i < w->n_customers; i++) {
        const tg_customer *c = &w->customers[i];
        int64_t from = c->joined_day > w->o.start_day ? c->joined_day
                                                       : w->o.start_day;
        int n = tg_rng_poisson(&ro, shopper_expected_orders(
                                        w, c, w->o.start_day, w->o.end_day));
        for (int k = 0; k < n; k++) {
            tg_order o;
            int64_t day = shopper_draw_day(w, &ro, from, w->o.end_day);
            shopper_draw_order(w, c, day, &ro, &o);
            int rc = o.n ? push_order(g, c, i, &o, &rr, err) : TG_OK;
            if (rc)
                return rc;
        }
        if ((i & 1023) == 0)
            report(g, 0.05 + 0.35 * i / w->n_customers, "orders");
    }
    qsort(g->lines, g->n_lines, sizeof *g->lines, cmp_gline);
    return TG_OK;
}

/* lines_before / returns_before: the customer's tenure at the usual rates,
 * each past line returned with the customer's own propensity averaged over
 * the kinds of line their segment buys. */
static void draw_history(gen_ctx *g)
{
    tg_world *w = g->w;
    tg_rng rh;
    tg_rng_seed(&rh, g->o->seed * 0x9E3779B97F4A7C15ull + 6);
    double lines_per_order = g->orders ? (double)g->n_lines / g->orders : 1;
    double sc = g->b.truth_scale;
    for (int i = 0; i < w->n_customers; i++) {
        tg_customer *c = &w->customers[i];
        c->lines_before = c->returns_before = 0;
        if (c->joined_day >= w->o.start_day)
            continue;
        double years = (double)(w->o.start_day - c->joined_day) / 365.0;
        double mean = years * g->b.orders_per_year[c->segment] * c->activity *
                      lines_per_order;
        int n = tg_rng_poisson(&rh, mean);
        if (n > 5000)
            n = 5000;
        int s = c->segment;
        double cz = shopper_customer_logit(&g->b, c), p = 0;
        if (g->n_offs[s] == 0) {
            p = 1 / (1 + exp(-sc * cz));
        } else {
            for (int k = 0; k < g->n_offs[s]; k++)
                p += 1 / (1 + exp(-sc * (cz + g->offs[s][k])));
            p /= g->n_offs[s];
        }
        int r = 0;
        for (int k = 0; k < n; k++)
            r += tg_rng_uniform(&rh) < p;
        c->lines_before = n;
        c->returns_before = r;
    }
}

/* ---- files ---------------------------------------------------------------- */

static void write_sizes(wbuf *f, const tg_product *p)
{
    if (p->size_lo == p->size_hi && p->category == TG_CAT_ACCESSORIES) {
        wb_str(f, "ONE");
        return;
    }
    for (int s = p->size_lo; s <= p->size_hi; s++) {
        if (s > p->size_lo)
            wb_ch(f, '|');
        if (p->category == TG_CAT_SHOES)
            wb_uint(f, (uint64_t)s, 1);
        else
            wb_str(f, tg_size_names[s]);
    }
}

static void write_size(wbuf *f, const tg_product *p, int s)
{
    if (p->category == TG_CAT_ACCESSORIES)
        wb_str(f, "ONE");
    else if (p->category == TG_CAT_SHOES)
        wb_uint(f, (uint64_t)s, 1);
    else
        wb_str(f, tg_size_names[s]);
}

static void write_products(gen_ctx *g, wbuf *f)
{
    const tg_world *w = g->w;
    for (int i = 0; i < w->n_products; i++) {
        const tg_product *p = &w->products[i];
        wb_id(f, 'P', (uint64_t)i + 1, 6);
        wb_ch(f, ',');
        wb_str(f, p->name);
        wb_ch(f, ',');
        wb_str(f, tg_category_names[p->category]);
        wb_ch(f, ',');
        wb_str(f, g->words.brands.w[p->brand]);
        wb_ch(f, ',');
        wb_fixed(f, llround(p->price * 100), 2);
        wb_ch(f, ',');
        if (p->fit_note != TG_FIT_NONE) /* the shop's note, not the truth */
            wb_str(f, shopper_fit_names[p->fit_note + 1]);
        wb_ch(f, ',');
        write_sizes(f, p);
        wb_ch(f, ',');
        for (int k = 0; k < p->n_tags; k++) {
            if (k)
                wb_ch(f, '|');
            wb_str(f, p->tags[k]);
        }
        wb_ch(f, ',');
        wb_date(f, p->launch_day);
        wb_ch(f, '\n');
    }
    g->rows[TG_GEN_PRODUCTS] = w->n_products;
}

static void write_customers(gen_ctx *g, wbuf *f)
{
    const tg_world *w = g->w;
    for (int i = 0; i < w->n_customers; i++) {
        const tg_customer *c = &w->customers[i];
        wb_id(f, 'C', (uint64_t)i + 1, 6);
        wb_ch(f, ',');
        wb_str(f, tg_segment_names[c->segment]);
        wb_ch(f, ',');
        /* What the shopper declared, not the size that fits. */
        if (c->declared_size >= 0)
            wb_str(f, tg_size_names[c->declared_size]);
        wb_ch(f, ',');
        if (c->declared_shoe >= 0)
            wb_uint(f, (uint64_t)c->declared_shoe, 1);
        wb_ch(f, ',');
        wb_str(f, tg_age_band_names[c->age_band]);
        wb_ch(f, ',');
        wb_str(f, shopper_gender_names[c->gender]);
        wb_ch(f, ',');
        wb_date(f, c->joined_day);
        wb_ch(f, ',');
        wb_str(f, shopper_country_names[c->country]);
        wb_ch(f, ',');
        wb_uint(f, (uint64_t)c->lines_before, 1);
        wb_ch(f, ',');
        wb_uint(f, (uint64_t)c->returns_before, 1);
        wb_ch(f, '\n');
    }
    g->rows[TG_GEN_CUSTOMERS] = w->n_customers;
}

typedef struct tag_key {
    const char *tag;
    int idx;
} tag_key;

static int cmp_tag(const void *a, const void *b)
{
    const tag_key *x = a, *y = b;
    return strcmp(x->tag, y->tag);
}

/* Trend snapshots: per day, every live hashtag in byte order of its name,
 * with totals cumulated through the day before. */
static int write_trends(gen_ctx *g, wbuf *f, tg_err *err)
{
    const tg_world *w = g->w;
    int n = w->n_trends;
    tag_key *keys = malloc((size_t)n * sizeof *keys + 1);
    int64_t(*cum)[4] = calloc((size_t)n + 1, sizeof *cum);
    int64_t *first = malloc(((size_t)n + 1) * sizeof *first);
    int64_t *last = malloc(((size_t)n + 1) * sizeof *last);
    if (!keys || !cum || !first || !last) {
        free(keys);
        free(cum);
        free(first);
        free(last);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    int m = 0;
    int64_t d0 = w->o.end_day, d1 = w->o.start_day;
    for (int i = 0; i < n; i++) {
        if (!shopper_trend_snapshot_days(w, &w->trends[i], &first[i],
                                         &last[i]))
            continue;
        keys[m++] = (tag_key){w->trends[i].tag, i};
        d0 = first[i] < d0 ? first[i] : d0;
        d1 = last[i] > d1 ? last[i] : d1;
    }
    qsort(keys, (size_t)m, sizeof *keys, cmp_tag);
    long long rows = 0;
    for (int64_t day = d0; day <= d1; day++) {
        char stamp[24];
        wbuf sb = {NULL, stamp, 0, sizeof stamp, 0};
        wb_time(&sb, day * TG_DAY);
        for (int j = 0; j < m; j++) {
            int i = keys[j].idx;
            if (day < first[i] || day > last[i])
                continue;
            const tg_trend *t = &w->trends[i];
            int64_t from = day == first[i] ? t->onset : day - 1;
            for (int64_t dd = from; dd < day; dd++) {
                int64_t v[4];
                shopper_trend_day(&g->b, t, dd, v);
                for (int k = 0; k < 4; k++)
                    cum[i][k] += v[k];
            }
            wb_mem(f, stamp, sb.n);
            wb_ch(f, ',');
            wb_str(f, t->tag);
            wb_ch(f, ',');
            wb_str(f, t->creators[shopper_trend_top_creator(t, day)]);
            for (int k = 0; k < 4; k++) {
                wb_ch(f, ',');
                wb_uint(f, (uint64_t)cum[i][k], 1);
            }
            wb_ch(f, '\n');
            rows++;
        }
        report(g, 0.45 + 0.30 * (double)(day - d0 + 1) / (double)(d1 - d0 + 1),
               "tiktok_trends.csv");
    }
    g->rows[TG_GEN_TRENDS] = rows;
    free(keys);
    free(cum);
    free(first);
    free(last);
    return TG_OK;
}

static void write_purchases(gen_ctx *g, wbuf *f)
{
    const tg_world *w = g->w;
    uint64_t order_id = 0;
    uint32_t prev_seq = 0;
    for (size_t i = 0; i < g->n_lines; i++) {
        const gline *l = &g->lines[i];
        const tg_product *p = &w->products[l->product];
        if (i == 0 || l->seq != prev_seq)
            order_id++;
        prev_seq = l->seq;
        wb_id(f, 'L', i + 1, 7);
        wb_ch(f, ',');
        wb_id(f, 'O', order_id, 6);
        wb_ch(f, ',');
        wb_id(f, 'C', (uint64_t)l->customer + 1, 6);
        wb_ch(f, ',');
        wb_id(f, 'P', (uint64_t)l->product + 1, 6);
        wb_ch(f, ',');
        write_size(f, p, l->size);
        wb_ch(f, ',');
        wb_uint(f, l->quantity, 1);
        wb_ch(f, ',');
        wb_fixed(f, l->unit_cents, 2);
        wb_ch(f, ',');
        wb_uint(f, l->discount, 1);
        wb_ch(f, ',');
        wb_time(f, l->t);
        wb_ch(f, ',');
        wb_str(f, tg_channel_names[l->channel]);
        wb_ch(f, ',');
        wb_fixed(f, l->view_tenths, 1);
        wb_str(f, l->paylater ? ",paylater," : ",card,");
        if (l->ref_trend >= 0)
            wb_str(f, w->trends[l->ref_trend].tag);
        wb_ch(f, '\n');
        if ((i & 65535) == 0)
            report(g, 0.75 + 0.15 * (double)i / (double)g->n_lines,
                   "purchases.csv");
    }
    g->rows[TG_GEN_PURCHASES] = (long long)g->n_lines;
    g->orders = (long long)order_id;
}

static int write_returns(gen_ctx *g, wbuf *f, tg_err *err)
{
    int64_t end = g->w->o.end_day * TG_DAY;
    size_t n = 0;
    for (size_t i = 0; i < g->n_lines; i++)
        n += g->lines[i].ret_after >= 0 &&
             g->lines[i].t + g->lines[i].ret_after < end;
    ret_key *keys = malloc(n * sizeof *keys + 1);
    if (!keys)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    n = 0;
    for (size_t i = 0; i < g->n_lines; i++) {
        const gline *l = &g->lines[i];
        if (l->ret_after >= 0 && l->t + l->ret_after < end)
            keys[n++] = (ret_key){l->t + l->ret_after, (uint32_t)i};
    }
    qsort(keys, n, sizeof *keys, cmp_ret);
    for (size_t r = 0; r < n; r++) {
        const gline *l = &g->lines[keys[r].line];
        wb_id(f, 'R', r + 1, 7);
        wb_ch(f, ',');
        wb_id(f, 'L', (uint64_t)keys[r].line + 1, 7);
        wb_ch(f, ',');
        wb_time(f, keys[r].t);
        wb_ch(f, ',');
        wb_str(f, shopper_reason_names[l->reason]);
        wb_ch(f, ',');
        wb_str(f, shopper_condition_names[l->condition]);
        wb_str(f, l->resellable ? ",1\n" : ",0\n");
    }
    g->rows[TG_GEN_RETURNS] = (long long)n;
    free(keys);
    return TG_OK;
}

static void write_truth(gen_ctx *g, wbuf *f)
{
    for (size_t i = 0; i < g->n_lines; i++) {
        wb_id(f, 'L', i + 1, 7);
        wb_ch(f, ',');
        wb_fixed(f, g->lines[i].p_micro, 6);
        wb_ch(f, ',');
        if (g->lines[i].offset < 0)
            wb_ch(f, '-');
        wb_uint(f, (uint64_t)abs(g->lines[i].offset), 1);
        wb_ch(f, '\n');
    }
    g->rows[TG_GEN_TRUTH] = (long long)g->n_lines;
}

/* Writes one file under a temporary name, then renames it. */
static int write_file(gen_ctx *g, int which, char *buf, size_t cap,
                      tg_err *err)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", g->o->out_dir, gen_file_names[which]);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", g->o->out_dir,
             gen_file_names[which]);
    FILE *fp = fopen(tmp, "wb");
    if (!fp)
        return tg_fail(err, TG_EIO, "%s: cannot create: %s", tmp,
                       strerror(errno));
    wbuf f = {fp, buf, 0, cap, 0};
    wb_str(&f, gen_file_headers[which]);
    wb_ch(&f, '\n');
    int rc = TG_OK;
    switch (which) {
    case TG_GEN_PRODUCTS: write_products(g, &f); break;
    case TG_GEN_CUSTOMERS: write_customers(g, &f); break;
    case TG_GEN_TRENDS: rc = write_trends(g, &f, err); break;
    case TG_GEN_PURCHASES: write_purchases(g, &f); break;
    case TG_GEN_RETURNS: rc = write_returns(g, &f, err); break;
    default: write_truth(g, &f); break;
    }
    wb_flush(&f);
    int bad = f.failed || ferror(fp);
    if (fclose(fp) != 0)
        bad = 1;
    if (rc == TG_OK && bad)
        rc = tg_fail(err, TG_EIO, "%s: write failed: %s", tmp,
                     strerror(errno ? errno : EIO));
    if (rc == TG_OK && rename(tmp, path) != 0)
        rc = tg_fail(err, TG_EIO, "%s: cannot rename to %s: %s", tmp, path,
                     strerror(errno));
    if (rc != TG_OK)
        unlink(tmp);
    return rc;
}

static tg_world_opts world_opts(const tg_gen_scale *sc, uint64_t seed)
{
    int64_t end = gen_end_day();
    return (tg_world_opts){end - sc->days, end, sc->customers, sc->products,
                           sc->trend_rows, sc->activity_mult, seed};
}

int gen_world_opts(const char *scale, uint64_t seed, tg_world_opts *out,
                   tg_err *err)
{
    const tg_gen_scale *sc = gen_scale(scale ? scale : "demo");
    if (!sc)
        return tg_fail(err, TG_EUSAGE, "unknown scale '%s'", scale);
    *out = world_opts(sc, seed);
    return TG_OK;
}

static int run(gen_ctx *g, tg_err *err)
{
    const tg_gen_opts *o = g->o;
    char bpath[4096];
    if (o->behaviour_path)
        tg_strlcpy(bpath, o->behaviour_path, sizeof bpath);
    else if (tg_asset_path("assets/behaviour.json", bpath, sizeof bpath) != 0)
        return tg_fail(err, TG_ENOINPUT, "assets/behaviour.json: not found "
                       "(set TRENDGUARD_SHARE to the folder holding "
                       "assets/)");
    int rc = shopper_behaviour_load(bpath, &g->b, err);
    if (!rc)
        rc = shopper_words_load(&g->words, o->data_dir, err);
    if (!rc)
        rc = tg_mkdirs(o->out_dir, err);
    if (rc)
        return rc;
    report(g, 0, "world");
    tg_world_opts wo = world_opts(g->sc, o->seed);
    g->w = shopper_world_create(&g->b, &g->words, &wo, err);
    if (!g->w)
        return err && err->code ? err->code : TG_EINTERNAL;
    for (int s = 0; s < TG_SHOP_SEGMENTS; s++)
        if (!(g->offs[s] = malloc(OFFS_MAX * sizeof *g->offs[s])))
            return tg_fail(err, TG_EINTERNAL, "out of memory");
    report(g, 0.05, "orders");
    if ((rc = draw_orders(g, err)))
        return rc;
    draw_history(g);
    report(g, 0.42, "products.csv");
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    if (!buf)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    for (int f = 0; f < TG_GEN_FILES && rc == TG_OK; f++)
        rc = write_file(g, f, buf, cap, err);
    free(buf);
    report(g, 1.0, "done");
    return rc;
}

int gen_run(const tg_gen_opts *o, tg_gen_stats *st, tg_gen_progress progress,
            void *ud, tg_err *err)
{
    if (!o || !o->out_dir || !*o->out_dir)
        return tg_fail(err, TG_EUSAGE, "gen: no output folder");
    gen_ctx *g = calloc(1, sizeof *g);
    if (!g)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    g->o = o;
    g->sc = gen_scale(o->scale ? o->scale : "demo");
    g->progress = progress;
    g->ud = ud;
    int rc;
    if (!g->sc)
        rc = tg_fail(err, TG_EUSAGE, "unknown scale '%s' (demo, small or "
                     "full)", o->scale);
    else
        rc = run(g, err);
    if (rc == TG_OK && st) {
        memset(st, 0, sizeof *st);
        memcpy(st->rows, g->rows, sizeof st->rows);
        st->orders = g->orders;
        st->returns_drawn = g->returns_drawn;
        st->mean_p = g->n_lines ? g->sum_p / (double)g->n_lines : 0;
        st->start = g->w->o.start_day * TG_DAY;
        st->end = g->w->o.end_day * TG_DAY;
    }
    shopper_world_free(g->w);
    shopper_words_free(&g->words);
    for (int s = 0; s < TG_SHOP_SEGMENTS; s++)
        free(g->offs[s]);
    free(g->lines);
    free(g);
    return rc;
}
