/* scr_cart.c: the Cart screen: the session's cart, its lines with their
 * risk, the basket's risk and its basket-level nudge; keys change
 * quantities, remove lines, answer the nudge and check out. */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "ui.h"

static struct {
    int sel;
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
}

static void enter(session *s, int64_t id)
{
    (void)id;
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
    char price[24];
    ui_money(l->unit_price * l->quantity, price, sizeof price);
    ui_put(w, y, 2, namew, s->cart_names[i]);
    ui_putf(w, y, 3 + namew, cols - namew - 3, "%-5s %4d %9s  ",
            l->size[0] ? l->size : "-", l->quantity, price);
    int bx = 3 + namew + 22;
    attr_t band = theme_attr(theme_band(r->band));
    if (!sel)
        wattron(w, band);
    ui_bar(w, y, bx, 8, r->risk.p);
    ui_putf(w, y, bx + 9, cols - bx - 9, "%3.0f%%", r->risk.p * 100);
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
    wattron(w, theme_attr(EL_NUDGE));
    int used = ui_wrap(w, y + 1, 3, cols - 6, 2, n->d.message);
    wattroff(w, theme_attr(EL_NUDGE));
    ui_put(w, y + 1 + used, 3, cols - 6,
           n->state == NUDGE_SHOWN      ? "[y] yes please   [n] no thanks"
           : n->state == NUDGE_ACCEPTED ? "Done." : "OK.");
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
    double total = 0;
    int max_lines = rows - 9;
    for (int i = 0; i < s->cart.n && i < max_lines; i++, y++) {
        draw_line(s, w, y, i, namew, cols);
        total += s->cart.line[i].unit_price * s->cart.line[i].quantity;
    }
    char money[24];
    y++;
    double b = session_basket_risk(s);
    ui_putf(w, y, 2, cols - 4, "Total %s", ui_money(total, money,
                                                     sizeof money));
    attr_t band = theme_attr(theme_band(session_band(s, b)));
    wattron(w, band);
    ui_putf(w, y, 24, cols - 26, "Chance something in this basket goes "
            "back: %.0f%%", b * 100);
    wattroff(w, band);
    y += 2;
    if (st.sel < s->cart.n) {
        const tg_risk *r = &s->cart_risk[st.sel].risk;
        for (int k = 0; k < r->n_reasons && k < 2 && y < top + rows - 3; k++)
            ui_putf(w, y++, 2, cols - 4, "%s %s", ui_glyphs->bullet,
                    r->reasons[k].text);
    }
    draw_nudge(s, w, y + 1, cols);
}

static scr_result key(session *s, const scr_key *k)
{
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
        if (session_cart_checkout(s) != TG_OK)
            return scr_handled(1);
        st.sel = 0;
        return scr_go(SCR_ORDERS, 0);
    default:
        return scr_handled(0);
    }
}

const screen scr_cart = {
    "cart", "Cart",
    {{ACT_CHECKOUT, "check out"}, {ACT_REMOVE, "remove"},
     {ACT_ACCEPT, "accept"}, {ACT_QTY_UP, "qty"}, {ACT_BACK, "back"},
     {ACT_QUIT, "quit"}},
    init, NULL, enter, sync, draw, key, NULL, NULL};
