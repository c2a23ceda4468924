/* session_cart.c: the shopper's cart: its lines with their risk, the
 * basket-level nudge (several sizes of one item: keep one) and checkout,
 * which writes the order to the store with each line's score so that the
 * store's trigger queues follow-ups for the risky ones, and decides the
 * order's pre-ship check (session_order.c); and returns, whose exchanges
 * are scored the same way. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* Decides a basket-level nudge on the riskiest line with several sizes
 * of its item, unless one is on screen. */
static void cart_decide(session *s)
{
    if (s->cart_nudge.state == NUDGE_SHOWN || s->catalog.n == 0)
        return;
    int best = -1;
    for (int i = 0; i < s->cart.n; i++)
        if (s->cart_risk[i].x[TG_F_sizes_of_item] >= 2 &&
            (best < 0 ||
             s->cart_risk[i].risk.p > s->cart_risk[best].risk.p))
            best = i;
    if (best < 0)
        return;
    tg_shop_item it;
    if (shop_item(s->shop, s->cart.line[best].product_id, &it, NULL) != TG_OK)
        return;
    tg_nudge_input in;
    session_nudge_input(s, &s->cart_risk[best], TG_MOMENT_CART, &it,
                        s->cart.line[best].size, &in);
    char about[24];
    snprintf(about, sizeof about, "line=%d", best);
    session_nudge n;
    if (session_nudge_show(s, &in, 0, 0, about, &n) != TG_WHY_SHOWN)
        return; /* what was answered before stays on screen */
    n.line = best;
    s->cart_nudge = n;
}

void session_cart_rescore(session *s)
{
    for (int i = 0; i < s->cart.n; i++)
        session_risk_line(s, &s->cart, i, &s->cart_risk[i]);
    if (s->cart_nudge.state == NUDGE_SHOWN &&
        s->cart_nudge.line >= s->cart.n)
        s->cart_nudge.state = NUDGE_NONE;
    cart_decide(s);
    s->gen_cart++; /* badges price an item with today's cart */
    s->dirty = 1;
}

int session_cart_add(session *s, const tg_shop_item *it, const char *size,
                     int qty, double view_minutes)
{
    tg_cart *c = &s->cart;
    for (int i = 0; i < c->n; i++)
        if (c->line[i].product_id == it->product_id &&
            strcmp(c->line[i].size, size) == 0) {
            c->line[i].quantity += qty;
            session_cart_rescore(s);
            return TG_OK;
        }
    if (c->n >= TG_CART_MAX) {
        session_note(s, "The cart is full (%d lines).", TG_CART_MAX);
        return TG_EUSAGE;
    }
    tg_cart_line *l = &c->line[c->n];
    memset(l, 0, sizeof *l);
    l->product_id = it->product_id;
    tg_strlcpy(l->size, size, sizeof l->size);
    l->quantity = qty;
    l->unit_price = it->price;
    l->view_minutes = view_minutes;
    l->category = it->category;
    tg_strlcpy(s->cart_names[c->n], it->name, sizeof s->cart_names[0]);
    c->n++;
    session_cart_rescore(s);
    return TG_OK;
}

/* Takes line i out of the cart (no rescoring). */
static void drop_line(session *s, int i)
{
    tg_cart *c = &s->cart;
    if (i < 0 || i >= c->n)
        return;
    memmove(&c->line[i], &c->line[i + 1],
            (size_t)(c->n - i - 1) * sizeof c->line[0]);
    memmove(s->cart_names[i], s->cart_names[i + 1],
            (size_t)(c->n - i - 1) * sizeof s->cart_names[0]);
    c->n--;
    if (s->cart_nudge.line == i)
        s->cart_nudge.state = NUDGE_NONE;
}

void session_cart_remove(session *s, int line)
{
    drop_line(s, line);
    session_cart_rescore(s);
}

void session_cart_quantity(session *s, int line, int delta)
{
    if (line < 0 || line >= s->cart.n)
        return;
    tg_cart_line *l = &s->cart.line[line];
    if (l->quantity + delta >= 1 && l->quantity + delta <= 9)
        l->quantity += delta;
    session_cart_rescore(s);
}

/* Accepting "keep one size": keep the suggested size (else the line the
 * nudge named) and drop the item's other sizes. */
static void keep_one_size(session *s)
{
    int line = s->cart_nudge.line;
    if (line < 0 || line >= s->cart.n)
        return;
    int64_t pid = s->cart.line[line].product_id;
    int keep = line;
    for (int i = 0; i < s->cart.n; i++)
        if (s->cart.line[i].product_id == pid &&
            features_size_rank(s->cart.line[i].size, NULL) ==
                s->cart_nudge.d.suggested_size)
            keep = i;
    char kept[8];
    tg_strlcpy(kept, s->cart.line[keep].size, sizeof kept);
    for (int i = s->cart.n - 1; i >= 0; i--)
        if (s->cart.line[i].product_id == pid && i != keep)
            drop_line(s, i);
    session_note(s, "Kept size %s; exchanges are free if it does not fit.",
                 kept);
}

void session_cart_answer(session *s, int accepted)
{
    session_nudge *n = &s->cart_nudge;
    if (n->state != NUDGE_SHOWN)
        return;
    session_nudge_answer(s, n, accepted);
    if (accepted && n->d.action == TG_ACTION_KEEP_ONE_SIZE)
        keep_one_size(s);
    else if (accepted && n->d.action == TG_ACTION_SAVE_FOR_LATER)
        drop_line(s, n->line);
    session_cart_rescore(s);
}

double session_cart_total(const session *s)
{
    double total = 0;
    for (int i = 0; i < s->cart.n; i++)
        total += s->cart.line[i].unit_price * s->cart.line[i].quantity;
    return total;
}

double session_basket_risk(const session *s)
{
    double keep = 1;
    for (int i = 0; i < s->cart.n; i++)
        keep *= 1 - s->cart_risk[i].risk.p;
    return 1 - keep;
}

/* Writes the order; ids gets its lines' purchases.id. */
static int write_order(session *s, char *order, size_t n, int64_t *ids,
                       tg_err *err)
{
    tg_line_score sc[TG_CART_MAX];
    char *drv[TG_CART_MAX] = {0};
    for (int i = 0; i < s->cart.n; i++) {
        drv[i] = s->model ? risk_drivers_json(&s->cart_risk[i].risk) : NULL;
        sc[i].p = s->model ? s->cart_risk[i].risk.p : NAN;
        sc[i].drivers = drv[i];
    }
    int rc = shop_checkout(s->shop, &s->cart, s->model ? sc : NULL,
                           s->model ? s->model_info.version : 0, order, n,
                           ids, err);
    for (int i = 0; i < s->cart.n; i++)
        free(drv[i]);
    return rc;
}

int session_cart_checkout(session *s)
{
    if (s->cart.n == 0) {
        session_event(s, "checkout_failed", "the cart is empty");
        session_note(s, "Nothing to check out.");
        return TG_EUSAGE;
    }
    s->cart.customer_id = s->persona.id;
    session_cart_rescore(s);
    char order[40];
    int64_t ids[TG_CART_MAX];
    tg_err err = {0};
    int rc = write_order(s, order, sizeof order, ids, &err);
    if (rc != TG_OK) {
        session_event(s, "checkout_failed", "%s", err.msg);
        session_note(s, "Checkout failed, nothing was ordered: %s", err.msg);
        return rc;
    }
    int risky = 0;
    for (int i = 0; i < s->cart.n; i++)
        risky += s->model &&
                 s->cart_risk[i].risk.p >= s->model_info.threshold;
    session_event(s, "checkout", "%s lines=%d risky=%d basket=%.3f", order,
                  s->cart.n, risky, session_basket_risk(s));
    session_preship_decide(s, order, ids);
    session_note(s, "Order %s placed: %d line%s %s%s.", order, s->cart.n,
                 s->cart.n == 1 ? "" : "s",
                 s->model ? "scored" : "(no model: not scored)",
                 s->preship.n.state == NUDGE_SHOWN
                     ? "; a check before it ships waits on Orders (4)"
                 : risky ? ", follow-up queued for the risky ones" : "");
    s->cart.n = 0;
    s->cart_nudge.state = NUDGE_NONE;
    nudge_session_init(&s->visit);
    s->gen_cart++;
    return TG_OK;
}

/* ---- returns ---------------------------------------------------------------- */

/* The model's score of a line the shop writes itself (an exchange's
 * replacement), with its drivers' JSON kept until the next one. */
typedef struct return_scoring {
    session *s;
    char *drivers;
} return_scoring;

static void score_line(void *ctx, const float *x, tg_line_score *out)
{
    return_scoring *c = ctx;
    tg_risk r;
    if (!c->s->scorer || risk_score(c->s->scorer, x, &r, NULL) != TG_OK)
        return;
    free(c->drivers);
    c->drivers = risk_drivers_json(&r);
    out->p = r.p;
    out->drivers = c->drivers;
}

int session_return(session *s, int64_t purchase_id, const char *reason,
                   const char *exchange_size, tg_err *err)
{
    return_scoring c = {s, NULL};
    tg_line_scoring sc = {score_line, &c,
                          s->model ? s->model_info.version : 0};
    int rc = shop_return(s->shop, purchase_id, reason, exchange_size, &sc,
                         err);
    free(c.drivers);
    if (rc == TG_OK)
        s->gen_cart++; /* a new line: the shopper's history changed */
    return rc;
}
