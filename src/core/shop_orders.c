/* shop_orders.c: what the shop writes: checkout (a cart becomes one order
 * of purchase lines with their scores, in one transaction, so the store's
 * trigger queues interventions for risky lines), a shopper's past lines
 * with their return state, returns, with an exchange ordering the
 * replacement line, and a fresh order changed in its order-edit window
 * (a line to another size, or out of the order). */
#include "shop_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "trendguard/shopper.h"

/* A purchases row to insert; 0, "" and NaN are written as NULL. */
typedef struct new_line {
    const char *line_code, *order_code;
    int64_t customer_id, product_id;
    const char *size;
    int quantity;
    double unit_price, discount_pct;
    const char *channel;
    double view_minutes;
    const char *payment;
    int64_t ref_hashtag_id;
    const char *source;
} new_line;

/* Runs a statement that returns no rows, then clears it (it may have
 * bound the caller's strings). */
static int run(tg_shop *sh, sqlite3_stmt *st, const char *context,
               tg_err *err)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? TG_OK
                                             : shop_fail(sh, err, context);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static void bind_id(sqlite3_stmt *st, int k, int64_t id)
{
    if (id)
        sqlite3_bind_int64(st, k, id);
}

static int insert_line(tg_shop *sh, const new_line *l, int64_t *id,
                       tg_err *err)
{
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_INSERT_LINE);
    sqlite3_bind_text(st, 1, l->line_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, l->order_code, -1, SQLITE_STATIC);
    bind_id(st, 3, l->customer_id);
    sqlite3_bind_int64(st, 4, l->product_id);
    if (l->size && *l->size)
        sqlite3_bind_text(st, 5, l->size, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, l->quantity);
    sqlite3_bind_double(st, 7, l->unit_price);
    sqlite3_bind_double(st, 8, l->discount_pct);
    sqlite3_bind_int64(st, 9, sh->now);
    sqlite3_bind_text(st, 10, l->channel, -1, SQLITE_STATIC);
    if (!isnan(l->view_minutes))
        sqlite3_bind_double(st, 11, l->view_minutes);
    sqlite3_bind_text(st, 12, l->payment, -1, SQLITE_STATIC);
    bind_id(st, 13, l->ref_hashtag_id);
    sqlite3_bind_text(st, 14, l->source, -1, SQLITE_STATIC);
    int rc = run(sh, st, "writing a purchase line", err);
    *id = sqlite3_last_insert_rowid(store_db(sh->s));
    return rc;
}

static int code_taken(tg_shop *sh, const char *code, int *taken,
                      tg_err *err)
{
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_ORDER_EXISTS);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *taken = rc == SQLITE_ROW;
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? TG_OK
             : shop_fail(sh, err, "checking an order code");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* The first order code not in the store: base followed by 1, 2, ...;
 * when plain, base itself first, then base followed by 2, 3, ... */
static int free_code(tg_shop *sh, const char *base, int plain, char *out,
                     size_t n, tg_err *err)
{
    for (int k = 1; k < 100000; k++) {
        if (plain && k == 1)
            snprintf(out, n, "%s", base);
        else
            snprintf(out, n, "%s%d", base, k);
        int taken, rc = code_taken(sh, out, &taken, err);
        if (rc != TG_OK || !taken)
            return rc;
    }
    return tg_fail(err, TG_EINTERNAL, "no free order code after %s", base);
}

/* "APP-20260601142305-": the prefix of the orders placed at now. */
static void order_prefix(int64_t now, char *buf, size_t n)
{
    char t[32], digits[16];
    size_t j = 0;
    tg_time_format(now, t, sizeof t);
    for (const char *c = t; *c && j + 1 < sizeof digits; c++)
        if (isdigit((unsigned char)*c))
            digits[j++] = *c;
    digits[j] = '\0';
    snprintf(buf, n, "APP-%s-", digits);
}

/* A cart line the store's checks would refuse, said with its number. */
static int check_line(tg_shop *sh, const tg_cart_line *l, int k,
                      tg_err *err)
{
    shop_product p;
    int rc = shop_read_product(sh, l->product_id, &p, err);
    if (rc == TG_ENOINPUT)
        return tg_fail(err, TG_EDATA, "cart line %d: no product %lld", k + 1,
                       (long long)l->product_id);
    if (rc != TG_OK)
        return rc;
    if (l->size[0] && shop_product_size(&p, l->size) < 0)
        return tg_fail(err, TG_EDATA, "cart line %d: %s does not come in "
                       "size '%.8s'", k + 1, p.name, l->size);
    if (l->quantity < 1)
        return tg_fail(err, TG_EDATA, "cart line %d: quantity %d", k + 1,
                       l->quantity);
    if (!(l->unit_price >= 0) || isinf(l->unit_price))
        return tg_fail(err, TG_EDATA, "cart line %d: price %g", k + 1,
                       l->unit_price);
    if (!(l->discount_pct >= 0 && l->discount_pct < 100))
        return tg_fail(err, TG_EDATA, "cart line %d: discount %g%%", k + 1,
                       l->discount_pct);
    if (l->view_minutes < 0 || isinf(l->view_minutes))
        return tg_fail(err, TG_EDATA, "cart line %d: view minutes %g", k + 1,
                       l->view_minutes);
    return TG_OK;
}

static int write_lines(tg_shop *sh, const tg_cart *cart, const char *order,
                       int64_t *ids, tg_err *err)
{
    for (int k = 0; k < cart->n; k++) {
        const tg_cart_line *l = &cart->line[k];
        char line_code[64], size[sizeof l->size + 1];
        snprintf(line_code, sizeof line_code, "%s-%d", order, k + 1);
        snprintf(size, sizeof size, "%.*s", (int)sizeof l->size, l->size);
        new_line nl = {line_code, order, cart->customer_id, l->product_id,
                       size, l->quantity, l->unit_price, l->discount_pct,
                       tg_channel_names[cart->channel], l->view_minutes,
                       cart->pay_later ? "paylater" : "card",
                       cart->ref_hashtag_id, "app"};
        int rc = check_line(sh, l, k, err);
        if (rc == TG_OK)
            rc = insert_line(sh, &nl, &ids[k], err);
        if (rc != TG_OK)
            return rc;
    }
    return TG_OK;
}

static int write_scores(tg_shop *sh, int n, const int64_t *ids,
                        const tg_line_score *scores, int model_version,
                        tg_err *err)
{
    for (int k = 0; scores && model_version && k < n; k++) {
        if (isnan(scores[k].p))
            continue;
        sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_INSERT_SCORE);
        sqlite3_bind_int64(st, 1, ids[k]);
        sqlite3_bind_int(st, 2, model_version);
        sqlite3_bind_double(st, 3, scores[k].p);
        if (scores[k].drivers)
            sqlite3_bind_text(st, 4, scores[k].drivers, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, sh->now);
        int rc = run(sh, st, "writing a score", err);
        if (rc != TG_OK)
            return rc;
    }
    return TG_OK;
}

/* Commits when rc is TG_OK, else (or when the commit fails) rolls back. */
static int finish(tg_shop *sh, int rc, tg_err *err)
{
    if (rc == TG_OK)
        rc = store_commit(sh->s, err);
    if (rc != TG_OK)
        store_rollback(sh->s);
    return rc;
}

int shop_checkout(tg_shop *sh, const tg_cart *cart,
                  const tg_line_score *scores, int model_version,
                  char *order_code, size_t n, int64_t *ids, tg_err *err)
{
    if (!cart || cart->n < 0 || cart->n > TG_CART_MAX)
        return tg_fail(err, TG_EUSAGE, "a cart holds 1 to %d lines",
                       TG_CART_MAX);
    if (cart->n == 0)
        return tg_fail(err, TG_EDATA, "the cart is empty");
    if (cart->channel < 0 || cart->channel >= TG_NUM_CHANNELS)
        return tg_fail(err, TG_EUSAGE, "unknown channel %d", cart->channel);
    if (order_code && n < 32)
        return tg_fail(err, TG_EUSAGE, "the order code needs 32 bytes");
    char prefix[32], code[40];
    int64_t lid[TG_CART_MAX];
    order_prefix(sh->now, prefix, sizeof prefix);
    int rc = shop_cache_check(sh, err);
    if (rc == TG_OK)
        rc = store_begin(sh->s, err);
    if (rc != TG_OK)
        return rc;
    rc = free_code(sh, prefix, 0, code, sizeof code, err);
    if (rc == TG_OK)
        rc = write_lines(sh, cart, code, lid, err);
    if (rc == TG_OK)
        rc = write_scores(sh, cart->n, lid, scores, model_version, err);
    if ((rc = finish(sh, rc, err)) != TG_OK)
        return rc;
    /* The order changes no history at now: the pre-ship check and the
     * shopper's next item read it from memory still. */
    shop_cache_keep(sh);
    if (order_code)
        tg_strlcpy(order_code, code, n);
    if (ids)
        memcpy(ids, lid, (size_t)cart->n * sizeof *ids);
    return TG_OK;
}

/* ---- past lines ----------------------------------------------------------- */

static void read_order_line(tg_shop *sh, sqlite3_stmt *st, tg_order_line *o)
{
    memset(o, 0, sizeof *o);
    o->purchase_id = sqlite3_column_int64(st, 0);
    shop_col_text(st, 1, o->order_code, sizeof o->order_code);
    o->ordered_at = sqlite3_column_int64(st, 2);
    o->product_id = sqlite3_column_int64(st, 3);
    shop_col_text(st, 4, o->name, sizeof o->name);
    shop_col_text(st, 5, o->size, sizeof o->size);
    o->quantity = sqlite3_column_int(st, 6);
    o->unit_price = sqlite3_column_double(st, 7);
    o->p_return = shop_col(st, 8);
    o->returned = sqlite3_column_type(st, 9) != SQLITE_NULL;
    o->returned_at = sqlite3_column_int64(st, 9);
    shop_col_text(st, 10, o->reason, sizeof o->reason);
    int any_return = sqlite3_column_int(st, 11);
    o->returnable = !any_return && sh->now <= o->ordered_at + SHOP_WINDOW;
}

int shop_orders(tg_shop *sh, int64_t customer_id, tg_order_line *out, int n,
                int *got, tg_err *err)
{
    *got = 0;
    if (n <= 0)
        return TG_OK;
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_ORDERS);
    sqlite3_bind_int64(st, 1, customer_id);
    sqlite3_bind_int64(st, 2, sh->now);
    sqlite3_bind_int(st, 3, n);
    int rc;
    while (*got < n && (rc = sqlite3_step(st)) == SQLITE_ROW)
        read_order_line(sh, st, &out[(*got)++]);
    rc = *got == n || rc == SQLITE_DONE
             ? TG_OK
             : shop_fail(sh, err, "reading the shopper's orders");
    sqlite3_reset(st);
    return rc;
}

/* ---- returns -------------------------------------------------------------- */

/* The returned line, copied for its replacement. */
typedef struct old_line {
    char order_code[40], channel[16], payment[16];
    int64_t customer_id, product_id, ordered_at, ref_hashtag_id;
    int quantity, returned;
    double unit_price, discount_pct;
} old_line;

static int read_line(tg_shop *sh, int64_t id, old_line *o, tg_err *err)
{
    sqlite3_stmt *st;
    int rc = shop_row_by_id(sh, SHOP_Q_LINE, id, "purchase line", &st, err);
    if (rc != TG_OK)
        return rc;
    shop_col_text(st, 0, o->order_code, sizeof o->order_code);
    o->customer_id = sqlite3_column_int64(st, 1);
    o->product_id = sqlite3_column_int64(st, 2);
    o->quantity = sqlite3_column_int(st, 3);
    o->unit_price = sqlite3_column_double(st, 4);
    o->discount_pct = sqlite3_column_double(st, 5);
    o->ordered_at = sqlite3_column_int64(st, 6);
    shop_col_text(st, 7, o->channel, sizeof o->channel);
    shop_col_text(st, 8, o->payment, sizeof o->payment);
    o->ref_hashtag_id = sqlite3_column_int64(st, 9);
    o->returned = sqlite3_column_int(st, 10);
    sqlite3_reset(st);
    return TG_OK;
}

/* The returns table's reasons: the shopper model's, and "unknown". */
static int known_reason(const char *reason)
{
    for (int k = 0; reason && k < TG_SHOP_REASONS; k++)
        if (strcmp(shopper_reason_names[k], reason) == 0)
            return 1;
    return reason && strcmp(reason, "unknown") == 0;
}

static int check_return(tg_shop *sh, int64_t id, const old_line *o,
                        const char *reason, tg_err *err)
{
    if (o->returned)
        return tg_fail(err, TG_EDATA, "line %lld is already returned",
                       (long long)id);
    if (o->ordered_at > sh->now)
        return tg_fail(err, TG_EDATA, "line %lld is not ordered yet",
                       (long long)id);
    if (sh->now > o->ordered_at + SHOP_WINDOW)
        return tg_fail(err, TG_EDATA, "line %lld: its 30 days to return "
                       "are over", (long long)id);
    if (!known_reason(reason))
        return tg_fail(err, TG_EDATA, "unknown return reason '%s'",
                       reason ? reason : "");
    return TG_OK;
}

static int insert_return(tg_shop *sh, int64_t id, const old_line *o,
                         const char *reason, tg_err *err)
{
    char code[48];
    snprintf(code, sizeof code, "APP-R%lld", (long long)id);
    sqlite3_stmt *st = shop_stmt(sh, SHOP_Q_INSERT_RETURN);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, sh->now);
    sqlite3_bind_int(st, 4, o->quantity);
    sqlite3_bind_text(st, 5, reason, -1, SQLITE_STATIC);
    return run(sh, st, "writing a return", err);
}

/* The replacement line of an exchange: order "<order>-X" (then -X2...);
 * *id gets its purchases.id. */
static int order_replacement(tg_shop *sh, const old_line *o, const char *size,
                             int64_t *id, tg_err *err)
{
    char base[48], code[56], line_code[64];
    snprintf(base, sizeof base, "%s-X", o->order_code);
    int rc = free_code(sh, base, 1, code, sizeof code, err);
    if (rc != TG_OK)
        return rc;
    snprintf(line_code, sizeof line_code, "%s-1", code);
    new_line nl = {line_code, code, o->customer_id, o->product_id, size,
                   o->quantity, o->unit_price, o->discount_pct, o->channel,
                   NAN, o->payment, o->ref_hashtag_id, "app-exchange"};
    return insert_line(sh, &nl, id, err);
}

/* The replacement line's score, from its features as the store now holds
 * them (the return included), as checkout scores a line. */
static int score_replacement(tg_shop *sh, const old_line *o,
                             const shop_product *p, const char *size,
                             int64_t id, const tg_line_scoring *sc,
                             tg_err *err)
{
    tg_cart cart = {.customer_id = o->customer_id, .n = 1,
                    .channel = features_code(tg_channel_names,
                                             TG_NUM_CHANNELS, o->channel),
                    .pay_later = strcmp(o->payment, "paylater") == 0,
                    .ref_hashtag_id = o->ref_hashtag_id};
    tg_cart_line *l = &cart.line[0];
    l->product_id = o->product_id;
    tg_strlcpy(l->size, size, sizeof l->size);
    l->quantity = o->quantity;
    l->unit_price = o->unit_price;
    l->discount_pct = o->discount_pct;
    l->view_minutes = NAN;
    l->category = p->category;
    if (cart.channel < 0)
        cart.channel = TG_CHANNEL_APP;
    float x[TG_NUM_FEATURES];
    int rc = shop_line_features(sh, &cart, 0, x, err);
    if (rc != TG_OK)
        return rc;
    tg_line_score score = {NAN, NULL};
    sc->score(sc->ctx, x, &score);
    return write_scores(sh, 1, &id, &score, sc->model_version, err);
}

int shop_return(tg_shop *sh, int64_t purchase_id, const char *reason,
                const char *exchange_size, const tg_line_scoring *scoring,
                tg_err *err)
{
    old_line o;
    shop_product p;
    int rc = read_line(sh, purchase_id, &o, err);
    if (rc == TG_OK)
        rc = check_return(sh, purchase_id, &o, reason, err);
    int k = -1, exchange = exchange_size && *exchange_size;
    if (rc == TG_OK && exchange &&
        (rc = shop_read_product(sh, o.product_id, &p, err)) == TG_OK &&
        (k = shop_product_size(&p, exchange_size)) < 0)
        rc = tg_fail(err, TG_EDATA, "%s does not come in size '%s'", p.name,
                     exchange_size);
    if (rc != TG_OK || (rc = store_begin(sh->s, err)) != TG_OK)
        return rc;
    rc = insert_return(sh, purchase_id, &o, reason, err);
    int64_t id = 0;
    if (rc == TG_OK && exchange)
        rc = order_replacement(sh, &o, p.sizes[k], &id, err);
    if (rc == TG_OK && exchange && scoring && scoring->score &&
        scoring->model_version)
        rc = score_replacement(sh, &o, &p, p.sizes[k], id, scoring, err);
    return finish(sh, rc, err);
}

/* ---- the order-edit window ------------------------------------------------ */

static const char SQL_RESIZE[] = "UPDATE purchases SET size = ? WHERE id = ?";
static const char SQL_RESCORE[] =
    "UPDATE scores SET p_return = ?, drivers = ?, scored_at = ?"
    " WHERE purchase_id = ? AND model_version = ?";
/* A cancelled line's follow-ups stay in the record, about its order. */
static const char SQL_DETACH[] =
    "UPDATE interventions SET purchase_id = NULL,"
    " cart_ref = COALESCE(cart_ref, ?) WHERE purchase_id = ?";
static const char SQL_UNSCORE[] = "DELETE FROM scores WHERE purchase_id = ?";
static const char SQL_UNTRUTH[] = "DELETE FROM truth WHERE purchase_id = ?";
/* A pilot played since the order keeps no line that was never bought. */
static const char SQL_UNPILOT[] =
    "DELETE FROM pilot_lines WHERE purchase_id = ?";
static const char SQL_CANCEL[] = "DELETE FROM purchases WHERE id = ?";

/* Runs sql with text (may be NULL) and id bound last. */
static int exec_id(tg_shop *sh, const char *sql, const char *text,
                   int64_t id, const char *context, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(sh->s, sql, err);
    if (!st)
        return err && err->code ? err->code : TG_EINTERNAL;
    int k = 1;
    if (text)
        sqlite3_bind_text(st, k++, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, k, id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? TG_OK
                                             : shop_fail(sh, err, context);
    sqlite3_finalize(st);
    return rc;
}

static int rescore(tg_shop *sh, int64_t id, const tg_line_score *score,
                   int model_version, tg_err *err)
{
    if (!score || isnan(score->p) || model_version <= 0)
        return TG_OK;
    sqlite3_stmt *st = store_prepare(sh->s, SQL_RESCORE, err);
    if (!st)
        return err && err->code ? err->code : TG_EINTERNAL;
    sqlite3_bind_double(st, 1, score->p);
    if (score->drivers)
        sqlite3_bind_text(st, 2, score->drivers, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, sh->now);
    sqlite3_bind_int64(st, 4, id);
    sqlite3_bind_int(st, 5, model_version);
    int rc = sqlite3_step(st) == SQLITE_DONE
                 ? TG_OK : shop_fail(sh, err, "scoring the changed line");
    sqlite3_finalize(st);
    return rc;
}

static int check_edit(tg_shop *sh, int64_t id, const old_line *o,
                      int64_t window, tg_err *err)
{
    if (o->returned)
        return tg_fail(err, TG_EDATA, "line %lld is returned",
                       (long long)id);
    if (o->ordered_at > sh->now)
        return tg_fail(err, TG_EDATA, "line %lld is not ordered yet",
                       (long long)id);
    if (sh->now > o->ordered_at + window)
        return tg_fail(err, TG_EDATA, "line %lld has shipped: its order "
                       "can no longer be changed", (long long)id);
    return TG_OK;
}

int shop_edit_line(tg_shop *sh, int64_t purchase_id, const char *size,
                   const tg_line_score *score, int model_version,
                   int64_t window, tg_err *err)
{
    old_line o;
    shop_product p;
    int k = -1;
    int rc = read_line(sh, purchase_id, &o, err);
    if (rc == TG_OK)
        rc = check_edit(sh, purchase_id, &o, window, err);
    if (rc == TG_OK && size &&
        (rc = shop_read_product(sh, o.product_id, &p, err)) == TG_OK &&
        (k = shop_product_size(&p, size)) < 0)
        rc = tg_fail(err, TG_EDATA, "%s does not come in size '%s'", p.name,
                     size);
    if (rc != TG_OK || (rc = store_begin(sh->s, err)) != TG_OK)
        return rc;
    if (size) {
        rc = exec_id(sh, SQL_RESIZE, p.sizes[k], purchase_id,
                     "changing the line's size", err);
        if (rc == TG_OK)
            rc = rescore(sh, purchase_id, score, model_version, err);
        return finish(sh, rc, err);
    }
    rc = exec_id(sh, SQL_DETACH, o.order_code, purchase_id,
                 "keeping the line's follow-ups", err);
    if (rc == TG_OK)
        rc = exec_id(sh, SQL_UNSCORE, NULL, purchase_id, "unscoring", err);
    if (rc == TG_OK)
        rc = exec_id(sh, SQL_UNTRUTH, NULL, purchase_id, "unscoring", err);
    if (rc == TG_OK)
        rc = exec_id(sh, SQL_UNPILOT, NULL, purchase_id, "unscoring", err);
    if (rc == TG_OK)
        rc = exec_id(sh, SQL_CANCEL, NULL, purchase_id,
                     "taking the line out of its order", err);
    return finish(sh, rc, err);
}
