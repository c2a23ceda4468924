/* scr_orders.c: the Orders screen: the shopper's past lines, newest
 * first, with the risk they were bought at and whether they went back.
 * Starting a return asks for the reason, then shows the exchange-first
 * offer the engine picks; the return (or the exchange) is recorded in the
 * store. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "ui.h"

#define MAX_ORDERS 100

static struct {
    tg_order_line orders[MAX_ORDERS];
    int n, sel, top;
    int returning;           /* 0, or 1 picking a reason, 2 the offer */
    int reason_sel;
    session_nudge offer;
    unsigned seen_shopper;
} st;

static void init(session *s)
{
    memset(&st, 0, sizeof st);
    st.seen_shopper = s->gen_shopper;
}

static void reload(session *s)
{
    tg_err err = {0};
    int got = 0;
    if (s->persona.id &&
        shop_orders(s->shop, s->persona.id, st.orders, MAX_ORDERS, &got,
                    &err) != TG_OK)
        session_note(s, "orders: %s", err.msg);
    st.n = got;
    if (st.sel >= got)
        st.sel = got > 0 ? got - 1 : 0;
    s->dirty = 1;
}

static void sync(session *s)
{
    if (st.seen_shopper == s->gen_shopper)
        return;
    st.seen_shopper = s->gen_shopper;
    reload(s);
}

static void enter(session *s, int64_t id)
{
    (void)id;
    st.returning = 0;
    st.seen_shopper = s->gen_shopper;
    reload(s);
}

/* The size an exchange would swap to for the reason, "" for none. */
static void exchange_size(session *s, const tg_order_line *o,
                          const char *reason, char *out, size_t n)
{
    out[0] = 0;
    int step = strcmp(reason, "too_small") == 0   ? 1
               : strcmp(reason, "too_large") == 0 ? -1
                                                  : 0;
    tg_shop_item it;
    if (!step || shop_item(s->shop, o->product_id, &it, NULL) != TG_OK)
        return;
    for (int i = 0; i < it.n_sizes; i++)
        if (tg_strieq(it.sizes[i], o->size) && i + step >= 0 &&
            i + step < it.n_sizes)
            tg_strlcpy(out, it.sizes[i + step], n);
}

/* The engine's offer for the return; a return is a visit of its own: the
 * shopping visit's caps do not apply to it. */
static void offer(session *s)
{
    const tg_order_line *o = &st.orders[st.sel];
    tg_nudge_input in;
    nudge_input_init(&in);
    in.moment = TG_MOMENT_RETURN;
    in.now = shop_now(s->shop);
    in.segment = s->persona.segment;
    in.x[TG_F_price] = (float)o->unit_price;
    in.score = o->p_return;
    in.item = o->name;
    char about[40];
    snprintf(about, sizeof about, "line=%lld", (long long)o->purchase_id);
    session_nudge_show(s, &in, o->purchase_id, 1, about, &st.offer);
}

static void finish_return(session *s, int accepted)
{
    const tg_order_line *o = &st.orders[st.sel];
    const char *reason = ui_reasons[st.reason_sel].id;
    char swap[8];
    exchange_size(s, o, reason, swap, sizeof swap);
    session_nudge_answer(s, &st.offer, accepted);
    int exchange = accepted && swap[0];
    tg_err err = {0};
    int rc = shop_return(s->shop, o->purchase_id, reason,
                         exchange ? swap : NULL, NULL, &err);
    st.returning = 0;
    if (rc != TG_OK) {
        session_note(s, "The return was not recorded: %s", err.msg);
        return;
    }
    session_event(s, "return", "line=%lld reason=%s %s",
                  (long long)o->purchase_id, reason,
                  exchange ? "exchange" : accepted ? "credit" : "refund");
    if (exchange)
        session_note(s, "Exchange booked: size %s is on its way, free.",
                     swap);
    else if (accepted)
        session_note(s, "Return recorded: store credit with the bonus.");
    else
        session_note(s, "Return recorded: refund to the original payment.");
    reload(s);
}

static void draw_reasons(WINDOW *w, int y, int cols, int rows)
{
    ui_put(w, y, 2, cols - 4, "Why is it going back? (Enter picks)");
    for (int i = 0; i < ui_n_reasons && 3 + i < rows; i++) {
        int sel = i == st.reason_sel;
        if (sel)
            wattron(w, theme_attr(EL_SELECTED));
        ui_putf(w, y + 1 + i, 4, cols - 8, " %s ", ui_reasons[i].label);
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED));
    }
}

static void draw_return(session *s, WINDOW *w, int y, int cols, int rows)
{
    const tg_order_line *o = &st.orders[st.sel];
    ui_rule(w, y, 0, cols, "Return");
    ui_putf(w, y + 1, 2, cols - 4, "Returning %s, size %s.", o->name,
            o->size[0] ? o->size : "-");
    if (st.returning == 1) {
        draw_reasons(w, y + 2, cols, rows);
        return;
    }
    if (st.offer.state == NUDGE_NONE) {
        ui_put(w, y + 3, 2, cols - 4, "[y] confirm the return   [Esc] keep "
                                      "it");
        return;
    }
    const tg_nudge_def *def = &s->catalog.nudges[st.offer.d.nudge];
    wattron(w, theme_attr(EL_NUDGE_TITLE));
    ui_putf(w, y + 3, 2, cols - 4, " %s ", def->title);
    wattroff(w, theme_attr(EL_NUDGE_TITLE));
    wattron(w, theme_attr(EL_NUDGE));
    int used = ui_wrap(w, y + 4, 3, cols - 6, 3, st.offer.d.message);
    wattroff(w, theme_attr(EL_NUDGE));
    char swap[8];
    exchange_size(s, o, ui_reasons[st.reason_sel].id, swap, sizeof swap);
    ui_putf(w, y + 4 + used, 3, cols - 6, "[y] %s   [n] refund instead",
            swap[0] ? "exchange for the next size" : "store credit");
}

static void draw_line(WINDOW *w, int y, int i, int namew, int cols)
{
    const tg_order_line *o = &st.orders[i];
    int sel = i == st.sel;
    if (sel) {
        wattron(w, theme_attr(EL_SELECTED));
        ui_blank(w, y, 0, cols);
    }
    char date[16], paid[24], risk[8] = "  -";
    tg_date_format(o->ordered_at, date, sizeof date);
    ui_money(o->unit_price * o->quantity, paid, sizeof paid);
    if (!isnan(o->p_return))
        snprintf(risk, sizeof risk, "%3.0f%%", o->p_return * 100);
    ui_putf(w, y, 2, 11, "%-10s", date);
    ui_put(w, y, 13, namew, o->name);
    ui_putf(w, y, 14 + namew, cols - namew - 14, "%-5s %8s %5s  %s",
            o->size[0] ? o->size : "-", paid, risk,
            o->returned ? "returned" : o->returnable ? "can return" : "kept");
    if (sel)
        wattroff(w, theme_attr(EL_SELECTED));
}

static void draw(session *s, WINDOW *w, int top, int rows, int cols)
{
    if (!s->persona.id) {
        ui_put(w, top + 1, 2, cols - 4, "Pick a shopper (p) to see their "
                                        "orders.");
        return;
    }
    if (st.n == 0) {
        ui_put(w, top + 1, 2, cols - 4, "No orders yet.");
        return;
    }
    int y = top + 1, namew = cols - 50;
    int list_rows = st.returning ? rows - 12 : rows - 2;
    if (list_rows < 3)
        list_rows = 3;
    wattron(w, theme_attr(EL_HEADER));
    ui_putf(w, y++, 0, cols, "  %-10s %-*s %-5s %8s %5s  %-14s", "Date",
            namew, "Item", "Size", "Paid", "Risk", "Status");
    wattroff(w, theme_attr(EL_HEADER));
    if (st.sel < st.top)
        st.top = st.sel;
    if (st.sel >= st.top + list_rows)
        st.top = st.sel - list_rows + 1;
    for (int r = 0; r < list_rows && st.top + r < st.n; r++)
        draw_line(w, y + r, st.top + r, namew, cols);
    if (st.returning)
        draw_return(s, w, y + list_rows + 1, cols, rows - list_rows - 2);
}

static scr_result return_key(session *s, int act)
{
    if (act == ACT_BACK) {
        st.returning = 0;
        session_event(s, "return_cancel", "line=%lld",
                      (long long)st.orders[st.sel].purchase_id);
    } else if (st.returning == 1) {
        if (act == ACT_UP && st.reason_sel > 0)
            st.reason_sel--;
        else if (act == ACT_DOWN && st.reason_sel + 1 < ui_n_reasons)
            st.reason_sel++;
        else if (act == ACT_OPEN) {
            st.returning = 2;
            offer(s);
        }
    } else if (act == ACT_ACCEPT || act == ACT_DECLINE || act == ACT_OPEN) {
        finish_return(s, act != ACT_DECLINE);
    }
    return scr_handled(1);
}

static scr_result start_return(session *s)
{
    if (st.n == 0)
        return scr_handled(1);
    const tg_order_line *o = &st.orders[st.sel];
    if (!o->returnable) {
        session_note(s, o->returned ? "That line is already returned."
                                    : "Its 30-day return window is over.");
        return scr_handled(1);
    }
    st.returning = 1;
    st.reason_sel = 0;
    session_event(s, "return_start", "line=%lld", (long long)o->purchase_id);
    return scr_handled(1);
}

static scr_result key(session *s, const scr_key *k)
{
    if (st.returning)
        return return_key(s, k->act);
    if (scr_list_key(k->act, &st.sel, st.n))
        return scr_handled(1);
    switch (k->act) {
    case ACT_HOME:
        st.sel = 0;
        return scr_handled(1);
    case ACT_END:
        st.sel = st.n ? st.n - 1 : 0;
        return scr_handled(1);
    case ACT_RETURN:
    case ACT_OPEN:
        return start_return(s);
    default:
        return scr_handled(0);
    }
}

const screen scr_orders = {
    "orders", "Orders",
    {{ACT_RETURN, "return"}, {ACT_ACCEPT, "accept"}, {ACT_BACK, "back"},
     {ACT_PERSONA, "shopper"}, {ACT_QUIT, "quit"}},
    init, NULL, enter, sync, draw, key, NULL, NULL};
