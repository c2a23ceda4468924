/* scr_cart.c: the Cart screen: the lines with their risk, the basket's
 * risk, basket-level nudges (several sizes of one item...) and checkout,
 * which writes the order to the store with each line's score so that the
 * store's trigger queues follow-ups for the risky ones. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

/* Decides a cart-level nudge on the riskiest line with several sizes of
 * its item, unless one is on screen. */
static void decide(app *a)
{
    if (a->cart_nudge_state == 1 || a->catalog.n == 0)
        return;
    int best = -1;
    for (int i = 0; i < a->cart.n; i++)
        if (a->cart_risk[i].x[TG_F_sizes_of_item] >= 2 &&
            (best < 0 || a->cart_risk[i].p > a->cart_risk[best].p))
            best = i;
    if (best < 0)
        return;
    tg_shop_item it;
    tg_err err = {0};
    if (shop_item(a->shop, a->cart.line[best].product_id, &it, &err) != TG_OK)
        return;
    tg_nudge_input in;
    risk_nudge_input(a, &a->cart_risk[best], TG_MOMENT_CART, &it,
                     a->cart.line[best].size, &in);
    tg_nudge_decision d;
    nudge_decide(&a->catalog, a->bandit, &in, &a->nudge_session,
                 &a->nudge_shopper, &a->budget, &a->rng, &d);
    if (d.nudge < 0)
        return;
    a->cart_nudge = d;
    a->cart_nudge_line = best;
    a->cart_nudge_state = 1;
    nudge_note_shown(&d, &a->nudge_session, &a->nudge_shopper);
    tg_nudge_ref ref = {0, uilog_session(a->log), a->persona.id,
                        a->model ? a->model_info.version : 0, NULL};
    if (nudge_store_log(a->store, &a->catalog, &ref, &d, shop_now(a->shop),
                        &a->cart_nudge_id, &err) != TG_OK)
        app_note(a, "could not record the nudge: %s", err.msg);
    app_event(a, "nudge_shown", "%s score=%.3f line=%d",
              a->catalog.nudges[d.nudge].id, d.score, best);
}

void cart_rescore(app *a)
{
    for (int i = 0; i < a->cart.n; i++)
        risk_of_line(a, &a->cart, i, &a->cart_risk[i]);
    if (a->cart_nudge_state == 1 && a->cart_nudge_line >= a->cart.n)
        a->cart_nudge_state = 0;
    decide(a);
    trending_reprice(a); /* badges price an item with today's cart */
    a->dirty = 1;
}

int cart_add(app *a, const tg_shop_item *it, const char *size, int qty,
             double view_minutes)
{
    tg_cart *c = &a->cart;
    for (int i = 0; i < c->n; i++)
        if (c->line[i].product_id == it->product_id &&
            strcmp(c->line[i].size, size) == 0) {
            c->line[i].quantity += qty;
            cart_rescore(a);
            return TG_OK;
        }
    if (c->n >= TG_CART_MAX) {
        app_note(a, "The cart is full (%d lines).", TG_CART_MAX);
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
    tg_strlcpy(a->cart_names[c->n], it->name, sizeof a->cart_names[0]);
    c->n++;
    cart_rescore(a);
    return TG_OK;
}

static void remove_line(app *a, int i)
{
    tg_cart *c = &a->cart;
    if (i < 0 || i >= c->n)
        return;
    memmove(&c->line[i], &c->line[i + 1],
            (size_t)(c->n - i - 1) * sizeof c->line[0]);
    memmove(a->cart_names[i], a->cart_names[i + 1],
            (size_t)(c->n - i - 1) * sizeof a->cart_names[0]);
    c->n--;
    if (a->cart_sel >= c->n && a->cart_sel > 0)
        a->cart_sel--;
    if (a->cart_nudge_line == i)
        a->cart_nudge_state = 0;
}

static double basket_risk(const app *a)
{
    double keep = 1;
    for (int i = 0; i < a->cart.n; i++)
        keep *= 1 - a->cart_risk[i].p;
    return 1 - keep;
}

static void enter(app *a)
{
    a->cart.customer_id = a->persona.id;
    cart_rescore(a);
}

static void draw(app *a, WINDOW *w, int top, int rows, int cols)
{
    if (a->cart.n == 0) {
        ui_put(w, top + 1, 2, cols - 4, "The cart is empty: open an item "
                                        "(1 Trending, Enter) and press a.");
        return;
    }
    int y = top + 1, namew = cols - 40;
    wattron(w, theme_attr(EL_HEADER));
    ui_putf(w, y++, 0, cols, "  %-*s %-5s %4s %9s  %-14s", namew, "Item",
            "Size", "Qty", "Price", "Regret risk");
    wattroff(w, theme_attr(EL_HEADER));
    double total = 0;
    int max_lines = rows - 9;
    for (int i = 0; i < a->cart.n && i < max_lines; i++, y++) {
        const tg_cart_line *l = &a->cart.line[i];
        const app_risk *r = &a->cart_risk[i];
        int sel = i == a->cart_sel;
        if (sel) {
            wattron(w, theme_attr(EL_SELECTED));
            ui_blank(w, y, 0, cols);
        }
        char price[24];
        ui_money(l->unit_price * l->quantity, price, sizeof price);
        ui_put(w, y, 2, namew, a->cart_names[i]);
        ui_putf(w, y, 3 + namew, cols - namew - 3, "%-5s %4d %9s  ",
                l->size[0] ? l->size : "-", l->quantity, price);
        int bx = 3 + namew + 22;
        if (!sel)
            wattron(w, theme_attr(risk_element(a, r->p)));
        ui_bar(w, y, bx, 8, r->p);
        ui_putf(w, y, bx + 9, cols - bx - 9, "%3.0f%%", r->p * 100);
        if (!sel)
            wattroff(w, theme_attr(risk_element(a, r->p)));
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED));
        total += l->unit_price * l->quantity;
    }
    char money[24];
    y++;
    double b = basket_risk(a);
    ui_putf(w, y, 2, cols - 4, "Total %s", ui_money(total, money, sizeof money));
    wattron(w, theme_attr(risk_element(a, b)));
    ui_putf(w, y, 24, cols - 26, "Chance something in this basket goes "
            "back: %.0f%%", b * 100);
    wattroff(w, theme_attr(risk_element(a, b)));
    y += 2;
    if (a->cart_sel < a->cart.n) {
        const app_risk *r = &a->cart_risk[a->cart_sel];
        for (int k = 0; k < r->n_reasons && k < 2 && y < top + rows - 3; k++)
            ui_putf(w, y++, 2, cols - 4, "%s %s", ui_glyphs->bullet,
                    r->reasons[k].text);
    }
    if (a->cart_nudge_state != 0 && a->cart_nudge.nudge >= 0) {
        y++;
        const tg_nudge_def *def = &a->catalog.nudges[a->cart_nudge.nudge];
        wattron(w, theme_attr(EL_NUDGE_TITLE));
        ui_putf(w, y, 2, cols - 4, " %s ", def->title);
        wattroff(w, theme_attr(EL_NUDGE_TITLE));
        wattron(w, theme_attr(EL_NUDGE));
        int used = ui_wrap(w, y + 1, 3, cols - 6, 2, a->cart_nudge.message);
        wattroff(w, theme_attr(EL_NUDGE));
        ui_put(w, y + 1 + used, 3, cols - 6,
               a->cart_nudge_state == 1 ? "[y] yes please   [n] no thanks"
               : a->cart_nudge_state == 2 ? "Done." : "OK.");
    }
}

/* Accepting "keep one size": keep the suggested size (else the line the
 * nudge named) and drop the item's other sizes. */
static void keep_one_size(app *a)
{
    int line = a->cart_nudge_line;
    if (line < 0 || line >= a->cart.n)
        return;
    int64_t pid = a->cart.line[line].product_id;
    int keep = line;
    for (int i = 0; i < a->cart.n; i++)
        if (a->cart.line[i].product_id == pid &&
            features_size_rank(a->cart.line[i].size, NULL) ==
                a->cart_nudge.suggested_size)
            keep = i;
    char kept[8];
    tg_strlcpy(kept, a->cart.line[keep].size, sizeof kept);
    for (int i = a->cart.n - 1; i >= 0; i--)
        if (a->cart.line[i].product_id == pid && i != keep)
            remove_line(a, i);
    app_note(a, "Kept size %s; exchanges are free if it does not fit.",
             kept);
}

static void answer(app *a, int accepted)
{
    tg_nudge_decision *d = &a->cart_nudge;
    nudge_note_answer(d, accepted, &a->nudge_session, &a->budget);
    tg_err err = {0};
    if (a->cart_nudge_id &&
        nudge_store_answer(a->store, a->cart_nudge_id, accepted,
                           shop_now(a->shop), &err) != TG_OK)
        app_note(a, "could not record the answer: %s", err.msg);
    app_event(a, "nudge_answer", "%s %s", a->catalog.nudges[d->nudge].id,
              accepted ? "accepted" : "declined");
    a->cart_nudge_state = accepted ? 2 : 3;
    if (accepted && d->action == TG_ACTION_KEEP_ONE_SIZE)
        keep_one_size(a);
    else if (accepted && d->action == TG_ACTION_SAVE_FOR_LATER)
        remove_line(a, a->cart_nudge_line);
    cart_rescore(a);
}

/* The drivers of a line's risk as the scores table keeps them. */
static char *drivers_text(const app_risk *r)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < r->n_reasons; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "feature",
                                features_name(r->reasons[i].feature));
        cJSON_AddNumberToObject(o, "contribution",
                                round(r->reasons[i].contribution * 1e4) / 1e4);
        cJSON_AddStringToObject(o, "text", r->reasons[i].text);
        cJSON_AddItemToArray(arr, o);
    }
    char *s = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    return s;
}

static void checkout(app *a)
{
    if (a->cart.n == 0) {
        app_event(a, "checkout_failed", "the cart is empty");
        app_note(a, "Nothing to check out.");
        return;
    }
    a->cart.customer_id = a->persona.id;
    cart_rescore(a);
    tg_line_score sc[TG_CART_MAX];
    char *drv[TG_CART_MAX] = {0};
    for (int i = 0; i < a->cart.n; i++) {
        drv[i] = a->model ? drivers_text(&a->cart_risk[i]) : NULL;
        sc[i].p = a->model ? a->cart_risk[i].p : NAN;
        sc[i].drivers = drv[i];
    }
    char order[40];
    int64_t ids[TG_CART_MAX];
    tg_err err = {0};
    int rc = shop_checkout(a->shop, &a->cart, a->model ? sc : NULL,
                           a->model ? a->model_info.version : 0, order,
                           sizeof order, ids, &err);
    for (int i = 0; i < a->cart.n; i++)
        free(drv[i]);
    if (rc != TG_OK) {
        app_event(a, "checkout_failed", "%s", err.msg);
        app_note(a, "Checkout failed, nothing was ordered: %s", err.msg);
        return;
    }
    int risky = 0;
    for (int i = 0; i < a->cart.n; i++)
        risky += a->model && a->cart_risk[i].p >= a->model_info.threshold;
    app_event(a, "checkout", "%s lines=%d risky=%d basket=%.3f", order,
              a->cart.n, risky, basket_risk(a));
    app_note(a, "Order %s placed: %d line%s scored%s.", order, a->cart.n,
             a->cart.n == 1 ? "" : "s",
             risky ? ", follow-up queued for the risky ones" : "");
    a->cart.n = 0;
    a->cart_sel = 0;
    a->cart_nudge_state = 0;
    nudge_session_init(&a->nudge_session);
    orders_reload(a);
    app_go(a, SCR_ORDERS);
}

static int key(app *a, int act, int ch)
{
    (void)ch;
    switch (act) {
    case ACT_UP:
        if (a->cart_sel > 0)
            a->cart_sel--;
        return 1;
    case ACT_DOWN:
        if (a->cart_sel + 1 < a->cart.n)
            a->cart_sel++;
        return 1;
    case ACT_QTY_UP:
    case ACT_QTY_DOWN:
        if (a->cart_sel < a->cart.n) {
            tg_cart_line *l = &a->cart.line[a->cart_sel];
            if (act == ACT_QTY_UP && l->quantity < 9)
                l->quantity++;
            if (act == ACT_QTY_DOWN && l->quantity > 1)
                l->quantity--;
            cart_rescore(a);
        }
        return 1;
    case ACT_REMOVE:
        if (a->cart_sel < a->cart.n) {
            app_event(a, "remove", "line=%d", a->cart_sel);
            remove_line(a, a->cart_sel);
            cart_rescore(a);
        }
        return 1;
    case ACT_ACCEPT:
    case ACT_DECLINE:
        if (a->cart_nudge_state == 1)
            answer(a, act == ACT_ACCEPT);
        return 1;
    case ACT_CHECKOUT:
        checkout(a);
        return 1;
    default:
        return 0;
    }
}

const screen scr_cart = {"cart", "Cart", enter, draw, key};
