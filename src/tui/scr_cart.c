/* scr_cart.c: the Cart screen: the session's cart, its lines with their
 * risk, the basket's risk and its basket-level nudge; keys change
 * quantities, remove lines, answer the nudge and check out, which asks
 * first: what is ordered, for how much and for whom, then Enter (or y)
 * places the order and Esc (or n) keeps shopping. */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "ui.h"

static struct {
    int sel;
    int confirming;          /* the checkout question is open */
} st;

static void init(session *s)
{
    (void)s;
    memset(&st, 0, sizeof st);
}

static void sync(session *s)
{
    if (st.sel >= s->cart.n)
        st.sel = s->cart.n > 0 ? s->cart.n - 1 : 0;
    if (s->cart.n == 0)
        st.confirming = 0;
}

static void enter(session *s, int64_t id)
{
    (void)id;
    st.confirming = 0;
    s->cart.customer_id = s->persona.id;
    session_cart_rescore(s);
    sync(s);
}

static void draw_line(const session *s, WINDOW *w, int y, int i, int namew,
                      int cols)
{
    const tg_cart_line *l = &s->cart.line[i];
    const line_risk *r = &s->cart_risk[i];
    int sel = i == st.sel;
    if (sel) {
        wattron(w, theme_attr(EL_SELECTED));
        ui_blank(w, y, 0, cols);
    }
    char price[24], pct[16];
    int b;
    ui_money(s, l->unit_price * l->quantity, price, sizeof price);
    ui_risk(s, r->risk.p, pct, sizeof pct, &b);
    ui_put(w, y, 2, namew, s->cart_names[i]);
    char right[32];
    ui_putf(w, y, 3 + namew, cols - namew - 3, "%-5s %4d %s  ",
            l->size[0] ? l->size : "-", l->quantity,
            ui_right(price, 9, right, sizeof right));
    int bx = 3 + namew + 22;
    attr_t band = theme_attr(theme_band(b));
    if (!sel)
        wattron(w, band);
    ui_bar(w, y, bx, 8, r->risk.p);
    ui_putf(w, y, bx + 9, cols - bx - 9, "%4s", pct);
    if (!sel)
        wattroff(w, band);
    if (sel)
        wattroff(w, theme_attr(EL_SELECTED));
}

static void draw_nudge(const session *s, WINDOW *w, int y, int cols)
{
    const session_nudge *n = &s->cart_nudge;
    if (n->state == NUDGE_NONE || n->d.nudge < 0)
        return;
    const tg_nudge_def *def = &s->catalog.nudges[n->d.nudge];
    wattron(w, theme_attr(EL_NUDGE_TITLE));
    ui_putf(w, y, 2, cols - 4, " %s ", def->title);
    wattroff(w, theme_attr(EL_NUDGE_TITLE));
    if (n->state != NUDGE_SHOWN) { /* answered: no question left */
        ui_put(w, y + 1, 3, cols - 6, n->state == NUDGE_ACCEPTED
                                          ? "Done."
                                          : "Not now: noted for this visit.");
        return;
    }
    wattron(w, theme_attr(EL_NUDGE));
    int used = ui_wrap(w, y + 1, 3, cols - 6, 2, n->d.message);
    wattroff(w, theme_attr(EL_NUDGE));
    ui_put(w, y + 1 + used, 3, cols - 6, "[y] yes please   [n] no thanks");
}

/* The checkout question: what, how much, for whom. */
static void draw_confirm(const session *s, WINDOW *w, int y, int cols)
{
    char total[32], who[160];
    int items = 0;
    for (int i = 0; i < s->cart.n; i++)
        items += s->cart.line[i].quantity;
    if (s->persona.id)
        shop_persona_line(&s->persona, who, sizeof who);
    else
        snprintf(who, sizeof who, "an anonymous shopper");
    ui_rule(w, y, 0, cols, "Check out");
    wattron(w, A_BOLD);
    ui_putf(w, y + 1, 2, cols - 4, "Place the order: %d item%s for %s, paid "
            "by %s?", items, items == 1 ? "" : "s",
            ui_money(s, session_cart_total(s), total, sizeof total),
            s->cart.pay_later ? "pay-later" : "card");
    wattroff(w, A_BOLD);
    ui_putf(w, y + 2, 2, cols - 4, "For %s.", who);
    ui_put(w, y + 3, 2, cols - 4, "[Enter] place the order   [Esc] keep "
                                  "shopping");
}

static void draw(session *s, WINDOW *w, int top, int rows, int cols)
{
    if (s->cart.n == 0) {
        ui_put(w, top + 1, 2, cols - 4, "The cart is empty: open an item "
                                        "(1 Trending, Enter) and press a.");
        return;
    }
    int y = top + 1, namew = cols - 40;
    wattron(w, theme_attr(EL_HEADER));
    ui_putf(w, y++, 0, cols, "  %-*s %-5s %4s %9s  %-14s", namew, "Item",
            "Size", "Qty", "Price", "Regret risk");
    wattroff(w, theme_attr(EL_HEADER));
    int max_lines = rows - 9;
    for (int i = 0; i < s->cart.n && i < max_lines; i++, y++)
        draw_line(s, w, y, i, namew, cols);
    char money[24], pct[16];
    int b;
    y++;
    ui_risk(s, session_basket_risk(s), pct, sizeof pct, &b);
    ui_putf(w, y, 2, cols - 4, "Total %s",
            ui_money(s, session_cart_total(s), money, sizeof money));
    attr_t band = theme_attr(theme_band(b));
    wattron(w, band);
    ui_putf(w, y, 24, cols - 26, "Chance something in this basket goes "
            "back: %s", pct);
    wattroff(w, band);
    y += 2;
    if (st.confirming) {
        draw_confirm(s, w, y, cols);
        return;
    }
    if (st.sel < s->cart.n) {
        const tg_risk *r = &s->cart_risk[st.sel].risk;
        for (int k = 0; k < r->n_reasons && k < 2 && y < top + rows - 3; k++)
            ui_putf(w, y++, 2, cols - 4, "%s %s", ui_glyphs->bullet,
                    r->reasons[k].text);
    }
    draw_nudge(s, w, y + 1, cols);
}

/* The checkout question's keys: everything else waits. */
static scr_result confirm_key(session *s, int act)
{
    if (act == ACT_OPEN || act == ACT_ACCEPT) {
        st.confirming = 0;
        if (session_cart_checkout(s) != TG_OK)
            return scr_handled(1);
        st.sel = 0;
        return scr_go(SCR_ORDERS, 0);
    }
    if (act == ACT_BACK || act == ACT_DECLINE) {
        st.confirming = 0;
        session_event(s, "checkout_cancel", "lines=%d", s->cart.n);
    }
    return scr_handled(act != ACT_QUIT && act != ACT_HELP);
}

static scr_result key(session *s, const scr_key *k)
{
    if (st.confirming)
        return confirm_key(s, k->act);
    if (scr_list_key(k->act, &st.sel, s->cart.n))
        return scr_handled(1);
    switch (k->act) {
    case ACT_QTY_UP:
    case ACT_QTY_DOWN:
        if (st.sel < s->cart.n)
            session_cart_quantity(s, st.sel, k->act == ACT_QTY_UP ? 1 : -1);
        return scr_handled(1);
    case ACT_REMOVE:
        if (st.sel < s->cart.n) {
            session_event(s, "remove", "line=%d", st.sel);
            session_cart_remove(s, st.sel);
        }
        return scr_handled(1);
    case ACT_ACCEPT:
    case ACT_DECLINE:
        session_cart_answer(s, k->act == ACT_ACCEPT);
        return scr_handled(1);
    case ACT_CHECKOUT:
        if (s->cart.n == 0)
            session_note(s, "Nothing to check out.");
        else
            st.confirming = 1;
        return scr_handled(1);
    default:
        return scr_handled(0);
    }
}

static int hints(const session *s, scr_hint *out)
{
    int n = 0;
    if (st.confirming) {
        scr_hint_add(out, &n, ACT_OPEN, "place the order");
        scr_hint_add(out, &n, ACT_BACK, "keep shopping");
        return n;
    }
    scr_hint_nudge(out, &n, s->cart_nudge.state == NUDGE_SHOWN);
    if (s->cart.n > 0) {
        scr_hint_add(out, &n, ACT_CHECKOUT, "check out");
        scr_hint_add(out, &n, ACT_REMOVE, "remove");
        scr_hint_add(out, &n, ACT_QTY_UP, "more");
        scr_hint_add(out, &n, ACT_QTY_DOWN, "fewer");
    }
    scr_hint_add(out, &n, ACT_BACK, "back");
    scr_hint_add(out, &n, ACT_HELP, "help");
    return n;
}

const screen scr_cart = {
    "cart", "Cart", hints,
    init, NULL, enter, sync, draw, key, NULL, NULL};
