/* session_order.c: the pre-ship check. Right after checkout, while the
 * order can still be changed (the catalogue's order-edit window), the
 * engine decides at the order moment on each item not already answered at
 * the cart, and the one message worth most waits on the Orders screen:
 * change a size, or keep one of several sizes. Accepted, the order
 * changes in the store (the item's other sizes out of the order, the size
 * changed) and every line left is scored again, so the Orders screen's
 * risks are the order's as it now stands. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"

static int64_t window_seconds(const session *s)
{
    return (int64_t)(s->catalog.order_edit_minutes * 60);
}

/* Whether cart line i is the riskiest of its item's sizes (the first on a
 * tie), and the summed risk of the others in *others. */
static int riskiest_of_item(const session *s, int i, double *others)
{
    const tg_cart *c = &s->cart;
    double p = s->cart_risk[i].risk.p;
    *others = 0;
    for (int j = 0; j < c->n; j++) {
        if (j == i || c->line[j].product_id != c->line[i].product_id)
            continue;
        double q = s->cart_risk[j].risk.p;
        if (q > p || (q == p && j < i))
            return 0;
        *others += q;
    }
    return 1;
}

/* The engine's input for cart line i at the order moment (in points into
 * *it, which must outlive it). */
static int order_input(session *s, int i, tg_shop_item *it,
                       tg_nudge_input *in)
{
    double others;
    if (!riskiest_of_item(s, i, &others) ||
        (s->cart_nudge.state != NUDGE_NONE && s->cart_nudge.line == i) ||
        shop_item(s->shop, s->cart.line[i].product_id, it, NULL) != TG_OK)
        return 0;
    session_nudge_input(s, &s->cart_risk[i], TG_MOMENT_ORDER, it,
                        s->cart.line[i].size, in);
    if (s->cart_risk[i].x[TG_F_sizes_of_item] >= 2)
        in->others_p = others;
    return 1;
}

void session_preship_decide(session *s, const char *order,
                            const int64_t *ids)
{
    session_preship *p = &s->preship;
    memset(p, 0, sizeof *p);
    p->n.state = NUDGE_NONE;
    p->line = -1;
    if (s->catalog.n == 0 || window_seconds(s) <= 0)
        return;
    double best = 0;
    tg_shop_item it, best_it;
    tg_nudge_input in, best_in;
    for (int i = 0; i < s->cart.n; i++) {
        tg_nudge_decision d;
        tg_nudge_session once; /* a contact of its own, after the visit */
        nudge_session_init(&once);
        if (!order_input(s, i, &it, &in))
            continue;
        nudge_decide(&s->catalog, s->bandit, &in, &once, &s->caps,
                     &s->budget, NULL, &d);
        if (d.nudge >= 0 && (p->line < 0 || d.value > best)) {
            best = d.value;
            p->line = i;
            best_it = it; /* its input, kept rather than read again */
            best_in = in;
        }
    }
    if (p->line < 0)
        return;
    in = best_in;
    it = best_it;
    in.item = it.name; /* the input points into its item */
    char about[64];
    snprintf(about, sizeof about, "order=%s", order);
    if (session_nudge_show(s, &in, ids[p->line], 1, about, &p->n) !=
        TG_WHY_SHOWN)
        return;
    tg_strlcpy(p->order, order, sizeof p->order);
    p->ordered_at = shop_now(s->shop);
    p->cart = s->cart;
    memcpy(p->ids, ids, (size_t)s->cart.n * sizeof *ids);
}

int session_preship_open(const session *s)
{
    const session_preship *p = &s->preship;
    return p->n.state != NUDGE_NONE && p->line >= 0 &&
           shop_now(s->shop) <= p->ordered_at + window_seconds(s);
}

/* Takes line k out of the order as it stands (the store's already). */
static void forget_line(session_preship *p, int k)
{
    memmove(&p->cart.line[k], &p->cart.line[k + 1],
            (size_t)(p->cart.n - k - 1) * sizeof p->cart.line[0]);
    memmove(&p->ids[k], &p->ids[k + 1],
            (size_t)(p->cart.n - k - 1) * sizeof p->ids[0]);
    p->cart.n--;
    if (p->line > k)
        p->line--;
}

/* The item's size of rank `rank` as the shop names it ("" for none). */
static void size_named(session *s, int64_t product, int rank, char *out,
                       size_t n)
{
    tg_shop_item it;
    out[0] = '\0';
    if (shop_item(s->shop, product, &it, NULL) != TG_OK)
        return;
    for (int i = 0; i < it.n_sizes; i++)
        if (features_size_rank(it.sizes[i], NULL) == rank)
            tg_strlcpy(out, it.sizes[i], n);
}

/* The change the check asked for: the item's other sizes out, the line
 * kept in the advised size. */
static int change_order(session *s, tg_err *err)
{
    session_preship *p = &s->preship;
    int64_t product = p->cart.line[p->line].product_id;
    char want[8];
    size_named(s, product, p->n.d.suggested_size, want, sizeof want);
    int keep = p->line, rc = TG_OK;
    for (int k = 0; k < p->cart.n; k++)
        if (p->cart.line[k].product_id == product && want[0] &&
            tg_strieq(p->cart.line[k].size, want))
            keep = k;
    int64_t keep_id = p->ids[keep];
    int sizes = 0;
    for (int k = 0; k < p->cart.n; k++)
        sizes += p->cart.line[k].product_id == product;
    snprintf(p->done, sizeof p->done, "Order %s changed: %s size %s.",
             p->order, sizes > 1 ? "only" : "now", want[0] ? want : "-");
    for (int k = p->cart.n - 1; rc == TG_OK && k >= 0; k--)
        if (p->cart.line[k].product_id == product && p->ids[k] != keep_id) {
            rc = shop_edit_line(s->shop, p->ids[k], NULL, NULL, 0,
                                window_seconds(s), err);
            if (rc == TG_OK)
                forget_line(p, k);
        }
    for (int k = 0; k < p->cart.n; k++)
        if (p->ids[k] == keep_id) {
            p->line = k;
            if (want[0])
                tg_strlcpy(p->cart.line[k].size, want,
                           sizeof p->cart.line[k].size);
        }
    return rc;
}

/* Every line left scored again, as the order now stands. */
static int rescore_order(session *s, tg_err *err)
{
    session_preship *p = &s->preship;
    int rc = TG_OK;
    for (int k = 0; rc == TG_OK && k < p->cart.n; k++) {
        line_risk r;
        session_risk_line(s, &p->cart, k, &r);
        char *drivers = s->model ? risk_drivers_json(&r.risk) : NULL;
        tg_line_score sc = {s->model ? r.risk.p : NAN, drivers};
        rc = shop_edit_line(s->shop, p->ids[k], p->cart.line[k].size, &sc,
                            s->model ? s->model_info.version : 0,
                            window_seconds(s), err);
        free(drivers);
    }
    return rc;
}

void session_preship_answer(session *s, int accepted)
{
    session_preship *p = &s->preship;
    if (p->n.state != NUDGE_SHOWN)
        return;
    session_nudge_answer(s, &p->n, accepted);
    if (!accepted) {
        snprintf(p->done, sizeof p->done, "Order %s ships as it is.",
                 p->order);
        return;
    }
    tg_err err = {0};
    int rc = change_order(s, &err);
    if (rc == TG_OK)
        rc = rescore_order(s, &err);
    if (rc != TG_OK) {
        snprintf(p->done, sizeof p->done, "The order was not changed.");
        session_note(s, "The order was not changed: %s", err.msg);
        return;
    }
    const tg_cart_line *l = &p->cart.line[p->line];
    session_note(s, "%s", p->done);
    session_event(s, "preship", "%s size=%s lines=%d", p->order, l->size,
                  p->cart.n);
    s->gen_data++;
    s->dirty = 1;
}
