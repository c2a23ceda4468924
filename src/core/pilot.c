/* pilot.c: `trendguard pilot` (pilot.h): the window's lines read in time
 * order with what the engine reads of each (nudge_line.c, the queue's
 * reading), orders played one after another, the treatment's returns
 * met as they start, the result written (pilot_store.c) and the figures
 * of every filter the dashboard offers kept (report_pilot_warm). The engine
 * here sees the store's records, the newest model and the answers it got;
 * the shopper model (shopper_pilot.c) answers for the shoppers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nudge_int.h"
#include "pilot_ctx.h"
#include "sim_int.h"
#include "trendguard/report.h"
#include "trendguard/score.h"

/* Every line from the window's start in time order, with its price,
 * category, channel, minutes to buy, trend and recorded return (within
 * 30 days), then what the engine reads (NUDGE_LINE_COLUMNS). */
static const char SQL_LINES[] =
    "SELECT p.id, p.customer_id, p.quantity * p.unit_price, cat.code,"
    " ch.code, p.view_minutes, COALESCE(lh.hashtag_id, 0), r.returned_at,"
    " r.resellable," NUDGE_LINE_COLUMNS
    " FROM purchases p JOIN products pr ON pr.id = p.product_id"
    " JOIN categories cat ON cat.name = pr.category"
    " JOIN channels ch ON ch.name = p.channel"
    " LEFT JOIN customers c ON c.id = p.customer_id"
    " JOIN line_features v ON v.purchase_id = p.id"
    " LEFT JOIN v_line_hashtag lh ON lh.purchase_id = p.id"
    " LEFT JOIN returns r ON r.id = (SELECT r2.id FROM returns r2"
    "  WHERE r2.purchase_id = p.id AND r2.returned_at <= p.ordered_at"
    "  + 2592000 ORDER BY r2.returned_at, r2.id LIMIT 1)"
    " WHERE p.ordered_at >= ? ORDER BY p.ordered_at, p.order_code, p.id";
enum { L_ID, L_CUSTOMER, L_PRICE, L_CATEGORY, L_CHANNEL, L_MINUTES,
       L_HASHTAG, L_RETURNED_AT, L_RESELLABLE, L_LINE };
static const char SQL_CUSTOMERS[] =
    "SELECT DISTINCT customer_id FROM purchases WHERE ordered_at >= ?"
    " AND customer_id IS NOT NULL";

/* ---- the split ----------------------------------------------------------- */

enum { H_ARM = 51 };

/* Treated: by customer, an anonymous line by its order. */
static int treated(const pilot_ctx *c, int64_t customer, const char *order)
{
    uint64_t key = (uint64_t)customer;
    if (customer <= 0) {
        key = 1469598103934665603ull;
        for (const char *p = order ? order : ""; *p; p++)
            key = (key ^ (unsigned char)*p) * 1099511628211ull;
        key |= 1ull << 63;
    }
    return sim_uniform(c->o->seed, H_ARM, key, 0) >= c->o->holdout;
}

/* The offer budget a day: the simulation's per 1000 treated shoppers. */
static int set_budget(pilot_ctx *c, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(c->s, SQL_CUSTOMERS, err);
    if (!st)
        return err && err->code ? err->code : TG_EINTERNAL;
    sqlite3_bind_int64(st, 1, c->from);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        c->r->customers[treated(c, sqlite3_column_int64(st, 0), NULL)]++;
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return store_fail(c->s, err, "reading the window's customers");
    c->budget_limit = c->a.budget_per_1000_day *
                      (double)c->r->customers[1] / 1000;
    c->r->budget_per_day = c->budget_limit;
    return TG_OK;
}

/* ---- one order ---------------------------------------------------------------- */

/* The lines of the order being read, with what the engine reads of each. */
typedef struct order_buf {
    size_t first, n, cap;    /* its lines: c->line[first .. first + n) */
    tg_nudge_input *in;
    char (*name)[128];
    char code[64];
} order_buf;

static int buf_grow(order_buf *b)
{
    if (b->n < b->cap)
        return 0;
    size_t nc = b->cap ? b->cap * 2 : 16;
    tg_nudge_input *ni = realloc(b->in, nc * sizeof *ni);
    if (ni)
        b->in = ni;
    char(*nn)[128] = ni ? realloc(b->name, nc * sizeof *nn) : NULL;
    if (nn)
        b->name = nn;
    if (!ni || !nn)
        return -1;
    b->cap = nc;
    return 0;
}

static int line_grow(pilot_ctx *c)
{
    if (c->n < c->cap)
        return 0;
    size_t nc = c->cap ? c->cap * 2 : 4096;
    pilot_line *nl = realloc(c->line, nc * sizeof *nl);
    if (!nl)
        return -1;
    c->line = nl;
    c->cap = nc;
    return 0;
}

static double col_or_nan(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL
               ? NAN : sqlite3_column_double(st, i);
}

/* The line of row `st` as recorded, and for the treatment what the
 * engine reads of it with its risk from the model. */
static int read_line(pilot_ctx *c, sqlite3_stmt *st, order_buf *b,
                     tg_err *err)
{
    if (line_grow(c) || buf_grow(b))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    pilot_line *l = &c->line[c->n];
    memset(l, 0, sizeof *l);
    tg_nudge_input *in = &b->in[b->n];
    if (nudge_line_input(&c->reader, c->s, st, L_LINE, in, err) != TG_OK)
        return err->code;
    l->id = sqlite3_column_int64(st, L_ID);
    l->customer = sqlite3_column_int64(st, L_CUSTOMER);
    l->product = sqlite3_column_int64(st, L_LINE + NL_PRODUCT);
    l->hashtag = sqlite3_column_int64(st, L_HASHTAG);
    l->t = in->now;
    l->price = sqlite3_column_double(st, L_PRICE);
    l->view_minutes = (float)col_or_nan(st, L_MINUTES);
    l->rank = (int8_t)in->size;
    l->size_lo = (int8_t)in->size_lo;
    l->size_hi = (int8_t)in->size_hi;
    l->is_shoe = (uint8_t)in->is_shoe;
    l->segment = (uint8_t)in->segment;
    l->category = (uint8_t)sqlite3_column_int(st, L_CATEGORY);
    l->channel = (uint8_t)sqlite3_column_int(st, L_CHANNEL);
    l->rec_returned = sqlite3_column_type(st, L_RETURNED_AT) != SQLITE_NULL;
    l->rec_returned_at = sqlite3_column_int64(st, L_RETURNED_AT);
    l->rec_resellable = (uint8_t)sqlite3_column_int(st, L_RESELLABLE);
    l->treated = (uint8_t)treated(c, l->customer,
                                  (const char *)sqlite3_column_text(
                                      st, L_LINE + NL_ORDER));
    l->score = NAN;
    tg_strlcpy(b->name[b->n], in->item ? in->item : "", sizeof b->name[0]);
    in->item = NULL; /* the row's text goes with the next step */
    if (l->treated) {
        in->scorer = c->scorer;
        in->score = nudge_score(c->cat, &c->scorer, in->x);
        l->score = (float)in->score;
        if (in->score >= c->cat->band_medium &&
            pilot_drivers(c, in, err) != TG_OK)
            return err->code;
    }
    c->n++;
    b->n++;
    return TG_OK;
}

/* ---- reading the window --------------------------------------------------- */

static int play_window(pilot_ctx *c, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(c->s, SQL_LINES, err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, c->from);
    order_buf b;
    memset(&b, 0, sizeof b);
    int step, rc = TG_OK;
    while (rc == TG_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(
            st, L_LINE + NL_ORDER);
        if (b.n && strcmp(code ? code : "", b.code) != 0) {
            rc = pilot_order(c, b.first, b.n, b.in, b.name, err);
            b.first = c->n;
            b.n = 0;
        }
        if (!b.n)
            tg_strlcpy(b.code, code ? code : "", sizeof b.code);
        if (rc == TG_OK)
            rc = read_line(c, st, &b, err);
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(c->s, err, "reading the window's lines");
    if (rc == TG_OK && b.n)
        rc = pilot_order(c, b.first, b.n, b.in, b.name, err);
    if (rc == TG_OK)
        rc = pilot_returns_until(c, INT64_MAX, err);
    sqlite3_finalize(st);
    free(b.in);
    free(b.name);
    return rc;
}

/* ---- setting up ------------------------------------------------------------ */

void pilot_defaults(tg_pilot_opts *o)
{
    memset(o, 0, sizeof *o);
    o->weeks = 12;
    o->holdout = 0.5;
    o->seed = 1;
}

static int load_assets(pilot_ctx *c, tg_err *err)
{
    char path[4096];
    const char *bp = c->o->behaviour;
    if (!bp && tg_asset_path("assets/behaviour.json", path, sizeof path) == 0)
        bp = path;
    if (!bp)
        return tg_fail(err, TG_ENOINPUT, "assets/behaviour.json: not found "
                       "(set TRENDGUARD_SHARE to the folder holding "
                       "assets/)");
    int rc = nudge_catalog_load(c->o->catalog, c->cat, err);
    if (rc == TG_OK)
        rc = sim_assume_load(c->o->assume, &c->a, err);
    if (rc == TG_OK)
        rc = shopper_behaviour_load(bp, &c->b, err);
    return rc;
}

/* The newest registered model: the engine's scores and counterfactuals. */
static int open_model(pilot_ctx *c, tg_err *err)
{
    tg_model_info info;
    tg_err e = {0};
    c->model = score_open_model(c->s, NULL, &info, &e);
    if (!c->model)
        return e.code == TG_ENOINPUT
                   ? tg_fail(err, TG_ENOINPUT, "no model registered: the "
                             "pilot's engine scores with the store's model "
                             "(train one with trendguard-train)")
                   : tg_fail(err, e.code, "%s", e.msg);
    size_t nf = model_num_features(c->model);
    if (!(c->map = malloc((nf + 1) * sizeof *c->map)))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    if (score_feature_map(c->model, c->map, err) != TG_OK)
        return err->code;
    c->scorer = (tg_nudge_scorer){c->model, c->map, nf};
    c->r->model_version = info.version;
    if (!(c->risk = risk_scorer_new(c->model, c->map, NULL, err)))
        return err->code;
    return TG_OK;
}

/* The window, the model, the shoppers and the engine's state. */
static int prepare(pilot_ctx *c, tg_err *err)
{
    int rc = load_assets(c, err);
    if (rc != TG_OK)
        return rc;
    c->end = store_count(c->s, "SELECT t FROM v_data_end");
    c->from = c->end - (int64_t)c->o->weeks * 7 * TG_DAY;
    c->r->from = c->from;
    c->r->to = c->end;
    sqlite3_stmt *st = store_prepare(c->s, "SELECT count(*) FROM purchases"
                                           " WHERE ordered_at >= ?", err);
    if (!st)
        return err->code;
    sqlite3_bind_int64(st, 1, c->from);
    long lines = sqlite3_step(st) == SQLITE_ROW
                     ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (!lines)
        return tg_fail(err, TG_ENOINPUT, "no purchases in the last %d "
                       "week%s of the store's data", c->o->weeks,
                       c->o->weeks == 1 ? "" : "s");
    c->sh = pilot_shopper_open(c->s, c->from, &c->a, &c->b, c->o->seed, err);
    if (!c->sh)
        return err->code;
    if (!pilot_shopper_known(c->sh))
        return tg_fail(err, TG_ENOINPUT, "no shopper truth for the lines of "
                       "the last %d weeks: the pilot's shoppers are the "
                       "shopper model's, which answers only for lines the "
                       "generator made (truth.csv); a store of real "
                       "purchases cannot play a pilot", c->o->weeks);
    if ((rc = open_model(c, err)) != TG_OK)
        return rc;
    if (!(c->bandit = bandit_create(c->cat->n, 1, 1)))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    tg_rng_seed(&c->rng, c->o->seed);
    c->budget.day = INT64_MIN;
    return nudge_store_load_bandit(c->s, c->cat, c->bandit, err);
}

static void release(pilot_ctx *c)
{
    nudge_line_close(&c->reader);
    pilot_store_close(c);
    pilot_shopper_free(c->sh);
    bandit_free(c->bandit);
    nudge_caps_free(&c->caps);
    risk_scorer_free(c->risk);
    model_free(c->model);
    free(c->map);
    free(c->line);
    free(c->heap);
    free(c->cat);
}

static int check_opts(const tg_pilot_opts *o, tg_err *err)
{
    if (o->weeks < 1 || o->weeks > TG_PILOT_MAX_WEEKS)
        return tg_fail(err, TG_EUSAGE, "pilot: %d weeks (1 to %d)", o->weeks,
                       TG_PILOT_MAX_WEEKS);
    if (!(o->holdout > 0 && o->holdout < 1))
        return tg_fail(err, TG_EUSAGE, "pilot: a holdout of %g (more than "
                       "0, less than 1)", o->holdout);
    return TG_OK;
}

/* The figures of the dashboard's filters, which it reads from now on
 * (with the shipped assumptions, as the dashboard does). Left undone when
 * they cannot be computed or written (the dashboard then computes them
 * itself), unless that undid the pilot's transaction too. */
static int keep_figures(tg_store *s, tg_pilot_result *r, tg_err *err)
{
    int rc = store_exec(s, "SAVEPOINT pilot_keep", err);
    if (rc != TG_OK)
        return rc;
    if (report_pilot_warm(s, NULL, &r->kept_filters, NULL) != TG_OK) {
        r->kept_filters = 0;
        rc = store_exec(s, "ROLLBACK TO pilot_keep", err);
    }
    return rc == TG_OK ? store_exec(s, "RELEASE pilot_keep", err) : rc;
}

int pilot_run(tg_store *s, const tg_pilot_opts *o, tg_pilot_result *r,
              tg_err *err)
{
    memset(r, 0, sizeof *r);
    int rc = check_opts(o, err);
    if (rc != TG_OK)
        return rc;
    double t0 = tg_now_mono();
    pilot_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.o = o;
    c.r = r;
    if (!(c.cat = malloc(sizeof *c.cat)))
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    rc = store_begin(s, err);
    if (rc == TG_OK && (rc = store_features_refresh(s, err)) == TG_OK)
        rc = prepare(&c, err);
    if (rc == TG_OK)
        rc = set_budget(&c, err);
    if (rc == TG_OK)
        rc = pilot_store_open(&c, err);
    if (rc == TG_OK)
        rc = nudge_line_open(&c.reader, s, 1, err);
    if (rc == TG_OK)
        rc = play_window(&c, err);
    if (rc == TG_OK)
        rc = pilot_store_finish(&c, err);
    if (rc == TG_OK)
        rc = keep_figures(s, r, err);
    if (rc == TG_OK)
        rc = store_commit(s, err);
    if (rc != TG_OK) {
        store_rollback(s);
        memset(r, 0, sizeof *r);
    }
    release(&c);
    r->seconds = tg_now_mono() - t0;
    return rc;
}
