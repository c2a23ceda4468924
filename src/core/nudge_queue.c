/* nudge_queue.c: `trendguard nudge --process-queue`: decides every
 * intervention the scoring trigger queued (features from the training-set
 * cache, drivers from the score, the store's newest model for the
 * counterfactuals, facts such as "buyers your size who kept it" from the
 * store, one order as a session, caps per shopper and day, the day's offer
 * budget and its bar), writes the decisions back, then settles the outcome
 * of nudges whose purchase's return window has closed. */
#include "trendguard/nudge.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nudge_int.h"
#include "schema.h"
#include "trendguard/risk.h"
#include "trendguard/score.h"

/* The queue in purchase-time order with each line's features, from the
 * training-set cache once a refresh has made it current (through the
 * view, SQLite works out every line before the join: 1.8 GB and 8 s at
 * TrendBuy's scale). */
static const char SQL_QUEUE[] =
    "SELECT i.id, i.customer_id, i.score, i.drivers," NUDGE_LINE_COLUMNS
    " FROM interventions i"
    " JOIN purchases p ON p.id = i.purchase_id"
    " JOIN products pr ON pr.id = p.product_id"
    " LEFT JOIN customers c ON c.id = i.customer_id"
    " JOIN line_features v ON v.purchase_id = i.purchase_id"
    " WHERE i.status = 'queued'"
    " ORDER BY p.ordered_at, p.order_code, i.id LIMIT ?";
enum { Q_ID, Q_CUSTOMER, Q_SCORE, Q_DRIVERS, Q_LINE };
/* Decisions wait in a temporary table and are applied in one statement,
 * so the queue's scan never sees its own writes. Each is dated at its
 * moment, the line's purchase (the time it was decided for), unless the
 * caller gives a time. */
static const char SQL_TEMP[] =
    "CREATE TEMP TABLE IF NOT EXISTS nudge_decided(id INTEGER PRIMARY KEY,"
    " nudge TEXT, offer TEXT, offer_cost REAL, status TEXT, why TEXT,"
    " segment TEXT, driver TEXT, band TEXT, sample REAL, at INTEGER);"
    "DELETE FROM temp.nudge_decided;";
static const char SQL_TEMP_ADD[] =
    "INSERT INTO temp.nudge_decided VALUES(?,?,?,?,?,?,?,?,?,?,?)";
static const char SQL_APPLY[] =
    "UPDATE interventions SET nudge = d.nudge, offer = d.offer,"
    " offer_cost = d.offer_cost, status = d.status,"
    " decided_at = COALESCE(?, d.at),"
    " why = d.why FROM temp.nudge_decided d WHERE interventions.id = d.id;";
static const char SQL_APPLY_CONTEXT[] =
    "INSERT OR REPLACE INTO nudge_context(intervention_id, segment, driver,"
    " band, sample) SELECT id, segment, driver, band, sample"
    " FROM temp.nudge_decided WHERE status = 'shown';"
    "DELETE FROM temp.nudge_decided;";
static const char SQL_SETTLE[] =
    "SELECT i.id, EXISTS (SELECT 1 FROM returns r WHERE r.purchase_id = p.id"
    "  AND r.returned_at <= p.ordered_at + 2592000)"
    " FROM interventions i JOIN purchases p ON p.id = i.purchase_id"
    " JOIN nudge_context c ON c.intervention_id = i.id"
    " WHERE i.status IN ('shown', 'accepted', 'declined')"
    " AND i.source = 'live' AND i.outcome IS NULL AND p.ordered_at + 2592000 <= ? ORDER BY i.id";
static const char SQL_DATA_END[] = "SELECT t FROM v_data_end";

static int fail_code(tg_err *err)
{
    return err && err->code ? err->code : TG_EINTERNAL;
}

typedef struct queue_ctx {
    tg_store *s;
    const tg_nudge_catalog *c;
    sqlite3_stmt *add;
    nudge_line_reader lines;
    tg_bandit *bandit;
    tg_rng rng;
    nudge_caps caps;
    tg_nudge_session session;
    char order[64];
    tg_nudge_budget budget;
    tg_nudge_scorer scorer;   /* the newest model, or none: the rules */
    tg_nudge_queue_result *r;
} queue_ctx;

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

/* The line's input with the score and drivers the queue logged. */
static int read_input(queue_ctx *q, sqlite3_stmt *row, tg_nudge_input *in,
                      tg_err *err)
{
    if (nudge_line_input(&q->lines, q->s, row, Q_LINE, in, err) != TG_OK)
        return fail_code(err);
    if (sqlite3_column_type(row, Q_SCORE) != SQLITE_NULL)
        in->score = sqlite3_column_double(row, Q_SCORE);
    in->n_drivers = risk_drivers_read(col_text(row, Q_DRIVERS), in->driver,
                                      in->contribution,
                                      TG_NUDGE_MAX_DRIVERS);
    in->scorer = q->scorer;
    return TG_OK;
}

/* One queued row: a cart-level nudge first for several sizes of an item,
 * else an item-level one. */
static int decide_row(queue_ctx *q, sqlite3_stmt *row, tg_err *err)
{
    tg_nudge_input in;
    if (read_input(q, row, &in, err) != TG_OK)
        return fail_code(err);
    const char *order = col_text(row, Q_LINE + NL_ORDER);
    if (!order || strcmp(order, q->order) != 0) {
        nudge_session_init(&q->session);
        tg_strlcpy(q->order, order ? order : "", sizeof q->order);
    }
    int64_t customer = sqlite3_column_int64(row, Q_CUSTOMER);
    tg_nudge_shopper *sh = customer > 0 ? nudge_caps_get(&q->caps, customer) : NULL;
    if (customer > 0 && !sh)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    if (sh)
        nudge_shopper_roll(sh, in.now);
    if (q->budget.day != tg_day_of(in.now)) {
        /* the day before's wanted offers set today's bar */
        tg_nudge_budget before = q->budget;
        int rc = nudge_store_budget(q->s, q->c, in.now, &q->budget, err);
        if (rc)
            return rc;
        q->budget.bar = nudge_budget_bar(&before, q->budget.limit,
                                         &q->budget.bar_share);
    }
    tg_nudge_decision d;
    in.moment = in.x[TG_F_sizes_of_item] >= 2 ? TG_MOMENT_CART
                                              : TG_MOMENT_ITEM;
    in.size_picked = 1; /* a line bought: its size was the shopper's */
    nudge_decide(q->c, q->bandit, &in, &q->session, sh, &q->budget, &q->rng,
                 &d);
    nudge_budget_note(&q->budget, &d);
    if (d.nudge >= 0)
        nudge_note_shown(&d, &q->session, sh);
    const tg_nudge_def *n = d.nudge >= 0 ? &q->c->nudges[d.nudge] : NULL;
    sqlite3_stmt *st = q->add;
    sqlite3_bind_int64(st, 1, sqlite3_column_int64(row, Q_ID));
    if (n) {
        sqlite3_bind_text(st, 2, n->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, nudge_offer_names[n->offer], -1,
                          SQLITE_STATIC);
    }
    sqlite3_bind_double(st, 4, d.offer_cost);
    sqlite3_bind_text(st, 5, n ? "shown" : "skipped", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, d.why, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, tg_segment_names[in.segment], -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 8, nudge_driver_group_names[d.context], -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(st, 9, nudge_band_names[d.band], -1, SQLITE_STATIC);
    if (isnan(d.sample))
        sqlite3_bind_null(st, 10);
    else
        sqlite3_bind_double(st, 10, d.sample);
    sqlite3_bind_int64(st, 11, in.now);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (step != SQLITE_DONE)
        return store_fail(q->s, err, "recording a decision");
    q->r->decided++;
    if (n) {
        q->r->shown++;
        q->r->by_nudge[d.nudge]++;
    } else {
        q->r->skipped++;
    }
    return TG_OK;
}

/* One pass over the history when the queue is long next to the store: the
 * pass reads every line once, the statements a product's lines for each
 * row. A checkout's few rows ask the store; TrendBuy's whole scored year
 * (950k rows, 2.96M lines) takes 34 s with the pass, 289 s without. */
static int use_pass(tg_store *s, const tg_nudge_queue_opts *o)
{
    if (o->history != TG_NUDGE_HISTORY_AUTO)
        return o->history == TG_NUDGE_HISTORY_PASS;
    int64_t queued = store_count(s, "SELECT COUNT(*) FROM interventions"
                                    " WHERE status = 'queued'");
    if (o->limit > 0 && o->limit < queued)
        queued = o->limit;
    return queued * 64 >= store_count(s, "SELECT MAX(id) FROM purchases");
}

/* The staged decisions written in one statement, the funnel's rollup
 * taking them summed by cell (schema_funnel.c), not a trigger per row. */
static int apply_decisions(queue_ctx *q, int64_t now, tg_err *err)
{
    if (store_exec(q->s, schema_funnel_decisions_before, err) != TG_OK)
        return fail_code(err);
    sqlite3_stmt *ap = store_prepare(q->s, SQL_APPLY, err);
    if (!ap)
        return fail_code(err);
    if (now)
        sqlite3_bind_int64(ap, 1, now);
    int rc = sqlite3_step(ap) == SQLITE_DONE
                 ? TG_OK
                 : store_fail(q->s, err, "writing the decisions");
    sqlite3_finalize(ap);
    if (rc == TG_OK &&
        store_exec(q->s, schema_funnel_decisions_after, err) != TG_OK)
        rc = fail_code(err);
    if (rc == TG_OK && store_exec(q->s, SQL_APPLY_CONTEXT, err) != TG_OK)
        rc = fail_code(err);
    return rc;
}

static int decide_queue(queue_ctx *q, const tg_nudge_queue_opts *o,
                        int64_t now, tg_err *err)
{
    if (store_exec(q->s, SQL_TEMP, err) != TG_OK ||
        store_features_refresh(q->s, err) != TG_OK)
        return fail_code(err);
    if (!store_features_current(q->s))
        return tg_fail(err, TG_EINTERNAL, "the training-set cache is not "
                       "current after its refresh");
    sqlite3_stmt *st = store_prepare(q->s, SQL_QUEUE, err);
    q->add = st ? store_prepare(q->s, SQL_TEMP_ADD, err) : NULL;
    int rc = q->add ? nudge_line_open(&q->lines, q->s, use_pass(q->s, o), err)
                    : fail_code(err);
    if (rc == TG_OK) {
        sqlite3_bind_int64(st, 1, o->limit > 0 ? o->limit : -1);
        int step;
        while (rc == TG_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
            rc = decide_row(q, st, err);
        if (rc == TG_OK && step != SQLITE_DONE)
            rc = store_fail(q->s, err, "reading the queue");
    }
    sqlite3_finalize(st);
    sqlite3_finalize(q->add);
    nudge_line_close(&q->lines);
    q->add = NULL;
    if (rc != TG_OK)
        return rc;
    return apply_decisions(q, now, err);
}

/* Outcomes of shown nudges whose purchase's window has closed by the
 * newest data: kept or returned, each teaching the bandit. */
static int settle(queue_ctx *q, tg_err *err)
{
    int64_t end = store_count(q->s, SQL_DATA_END);
    sqlite3_stmt *st = store_prepare(q->s, SQL_SETTLE, err);
    if (!st)
        return fail_code(err);
    sqlite3_bind_int64(st, 1, end);
    size_t n = 0, cap = 0;
    int64_t *ids = NULL;
    unsigned char *ret = NULL;
    int step, rc = TG_OK;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *ni = realloc(ids, cap * sizeof *ids);
            unsigned char *nr = ni ? realloc(ret, cap) : NULL;
            if (ni)
                ids = ni;
            if (nr)
                ret = nr;
            if (!ni || !nr) {
                rc = tg_fail(err, TG_EINTERNAL, "out of memory");
                break;
            }
        }
        ids[n] = sqlite3_column_int64(st, 0);
        ret[n++] = (unsigned char)sqlite3_column_int(st, 1);
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(q->s, err, "reading outcomes");
    sqlite3_finalize(st);
    nudge_settler t = {NULL, NULL};
    if (rc == TG_OK)
        rc = nudge_settler_open(q->s, &t, err);
    for (size_t i = 0; rc == TG_OK && i < n; i++) {
        rc = nudge_settler_outcome(&t, q->s, ids[i],
                                   ret[i] ? "returned" : "kept", err);
        q->r->settled += rc == TG_OK;
    }
    nudge_settler_close(&t);
    free(ids);
    free(ret);
    return rc;
}

/* The store's newest model and its feature map for the counterfactuals;
 * without a registered model the rule estimate scores them. */
static int open_scorer(tg_store *s, tg_model **m, int **map,
                       tg_nudge_scorer *sc, tg_err *err)
{
    memset(sc, 0, sizeof *sc);
    tg_model_info info;
    tg_err e = {0};
    *m = score_open_model(s, NULL, &info, &e);
    if (!*m)
        return e.code == TG_ENOINPUT ? TG_OK
                                     : tg_fail(err, e.code, "%s", e.msg);
    size_t nf = model_num_features(*m);
    *map = malloc((nf + 1) * sizeof **map);
    if (!*map)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    if (score_feature_map(*m, *map, &e) != TG_OK)
        return TG_OK; /* a model the store cannot feed: the rules */
    *sc = (tg_nudge_scorer){*m, *map, nf};
    return TG_OK;
}

int nudge_store_process_queue(tg_store *s, const tg_nudge_catalog *c,
                              const tg_nudge_queue_opts *o,
                              tg_nudge_queue_result *r, tg_err *err)
{
    memset(r, 0, sizeof *r);
    queue_ctx q;
    memset(&q, 0, sizeof q);
    q.s = s;
    q.c = c;
    q.r = r;
    q.budget.day = INT64_MIN;
    q.order[0] = '\0';
    tg_rng_seed(&q.rng, o->seed);
    int64_t now = o->now;
    q.bandit = bandit_create(c->n, 1, 1);
    if (!q.bandit)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    tg_model *m = NULL;
    int *map = NULL;
    int rc = open_scorer(s, &m, &map, &q.scorer, err);
    /* The decisions' staging and the queue's sort can be as big as the
     * queue (950k rows for TrendBuy's year): on disk, not in memory. */
    store_temp_on_disk(s, 1);
    if (rc == TG_OK)
        rc = store_begin(s, err);
    if (rc == TG_OK)
        rc = nudge_store_load_bandit(s, c, q.bandit, err);
    if (rc == TG_OK)
        rc = decide_queue(&q, o, now, err);
    if (rc == TG_OK)
        rc = settle(&q, err);
    if (rc == TG_OK)
        rc = store_commit(s, err);
    if (rc != TG_OK) {
        store_rollback(s);
        memset(r, 0, sizeof *r);
    }
    store_temp_on_disk(s, 0);
    nudge_caps_free(&q.caps);
    bandit_free(q.bandit);
    model_free(m);
    free(map);
    return rc;
}
