/* scr_orders.c: the Orders screen: the shopper's past lines, newest first,
 * with the risk they were bought at and whether they went back. Starting a
 * return asks for the reason, then shows the exchange-first offer the
 * engine picks; the return (or the exchange) is recorded in the store. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

static const struct {
    const char *id, *label;
} reasons[] = {
    {"too_small", "Too small"},
    {"too_large", "Too large"},
    {"not_as_pictured", "Not as pictured"},
    {"quality", "Quality"},
    {"changed_mind", "Changed my mind"},
    {"late_delivery", "Arrived late"},
};
#define N_REASONS (int)(sizeof reasons / sizeof *reasons)

const char *orders_reason_label(const char *id)
{
    for (int i = 0; id && i < N_REASONS; i++)
        if (strcmp(reasons[i].id, id) == 0)
            return reasons[i].label;
    return id && strcmp(id, "unknown") == 0 ? "Not given" : id;
}

void orders_reload(app *a)
{
    tg_err err = {0};
    int got = 0;
    if (a->persona.id &&
        shop_orders(a->shop, a->persona.id, a->orders, APP_MAX_ORDERS, &got,
                    &err) != TG_OK)
        app_note(a, "orders: %s", err.msg);
    a->n_orders = got;
    if (a->order_sel >= got)
        a->order_sel = got > 0 ? got - 1 : 0;
    a->dirty = 1;
}

static void enter(app *a)
{
    a->returning = 0;
    orders_reload(a);
}

/* The size an exchange would swap to for the reason, "" for none. */
static void exchange_size(app *a, const tg_order_line *o, const char *reason,
                          char *out, size_t n)
{
    out[0] = 0;
    int step = strcmp(reason, "too_small") == 0   ? 1
               : strcmp(reason, "too_large") == 0 ? -1
                                                  : 0;
    tg_shop_item it;
    if (!step || shop_item(a->shop, o->product_id, &it, NULL) != TG_OK)
        return;
    for (int i = 0; i < it.n_sizes; i++)
        if (tg_strieq(it.sizes[i], o->size) && i + step >= 0 &&
            i + step < it.n_sizes)
            tg_strlcpy(out, it.sizes[i + step], n);
}

static void offer(app *a)
{
    const tg_order_line *o = &a->orders[a->order_sel];
    a->return_nudge.nudge = -1;
    a->return_nudge_id = 0;
    if (a->catalog.n == 0)
        return;
    tg_nudge_input in;
    nudge_input_init(&in);
    in.moment = TG_MOMENT_RETURN;
    in.now = shop_now(a->shop);
    in.segment = a->persona.segment;
    in.x[TG_F_price] = (float)o->unit_price;
    in.score = o->p_return;
    in.item = o->name;
    /* A return is a visit of its own: the shopping session's caps do not
     * apply to it. */
    tg_nudge_session s;
    nudge_session_init(&s);
    nudge_decide(&a->catalog, a->bandit, &in, &s, &a->nudge_shopper,
                 &a->budget, &a->rng, &a->return_nudge);
    if (a->return_nudge.nudge < 0)
        return;
    nudge_note_shown(&a->return_nudge, &s, &a->nudge_shopper);
    tg_nudge_ref ref = {o->purchase_id, uilog_session(a->log), a->persona.id,
                        a->model ? a->model_info.version : 0, NULL};
    tg_err err = {0};
    if (nudge_store_log(a->store, &a->catalog, &ref, &a->return_nudge,
                        in.now, &a->return_nudge_id, &err) != TG_OK)
        app_note(a, "could not record the offer: %s", err.msg);
    app_event(a, "nudge_shown", "%s line=%lld",
              a->catalog.nudges[a->return_nudge.nudge].id,
              (long long)o->purchase_id);
}

static void finish_return(app *a, int accepted)
{
    const tg_order_line *o = &a->orders[a->order_sel];
    const char *reason = reasons[a->reason_sel].id;
    char swap[8];
    exchange_size(a, o, reason, swap, sizeof swap);
    tg_err err = {0};
    if (a->return_nudge.nudge >= 0) {
        nudge_note_answer(&a->return_nudge, accepted, NULL, &a->budget);
        if (a->return_nudge_id)
            nudge_store_answer(a->store, a->return_nudge_id, accepted,
                               shop_now(a->shop), &err);
        app_event(a, "nudge_answer", "%s %s",
                  a->catalog.nudges[a->return_nudge.nudge].id,
                  accepted ? "accepted" : "declined");
    }
    int exchange = accepted && swap[0];
    int rc = shop_return(a->shop, o->purchase_id, reason,
                         exchange ? swap : NULL, &err);
    a->returning = 0;
    if (rc != TG_OK) {
        app_note(a, "The return was not recorded: %s", err.msg);
        return;
    }
    app_event(a, "return", "line=%lld reason=%s %s",
              (long long)o->purchase_id, reason,
              exchange ? "exchange" : accepted ? "credit" : "refund");
    if (exchange)
        app_note(a, "Exchange booked: size %s is on its way, free.", swap);
    else if (accepted)
        app_note(a, "Return recorded: store credit with the bonus.");
    else
        app_note(a, "Return recorded: refund to the original payment.");
    orders_reload(a);
}

static void draw_return(app *a, WINDOW *w, int y, int cols, int rows)
{
    const tg_order_line *o = &a->orders[a->order_sel];
    ui_rule(w, y, 0, cols, "Return");
    ui_putf(w, y + 1, 2, cols - 4, "Returning %s, size %s.", o->name,
            o->size[0] ? o->size : "-");
    if (a->returning == 1) {
        ui_put(w, y + 2, 2, cols - 4, "Why is it going back? (Enter picks)");
        for (int i = 0; i < N_REASONS && 3 + i < rows; i++) {
            int sel = i == a->reason_sel;
            if (sel)
                wattron(w, theme_attr(EL_SELECTED));
            ui_putf(w, y + 3 + i, 4, cols - 8, " %s ", reasons[i].label);
            if (sel)
                wattroff(w, theme_attr(EL_SELECTED));
        }
        return;
    }
    if (a->return_nudge.nudge >= 0) {
        const tg_nudge_def *def = &a->catalog.nudges[a->return_nudge.nudge];
        wattron(w, theme_attr(EL_NUDGE_TITLE));
        ui_putf(w, y + 3, 2, cols - 4, " %s ", def->title);
        wattroff(w, theme_attr(EL_NUDGE_TITLE));
        wattron(w, theme_attr(EL_NUDGE));
        int used = ui_wrap(w, y + 4, 3, cols - 6, 3, a->return_nudge.message);
        wattroff(w, theme_attr(EL_NUDGE));
        char swap[8];
        exchange_size(a, o, reasons[a->reason_sel].id, swap, sizeof swap);
        ui_putf(w, y + 4 + used, 3, cols - 6,
                "[y] %s   [n] refund instead",
                swap[0] ? "exchange for the next size" : "store credit");
    } else {
        ui_put(w, y + 3, 2, cols - 4, "[y] confirm the return   [Esc] keep it");
    }
}

static void draw(app *a, WINDOW *w, int top, int rows, int cols)
{
    if (!a->persona.id) {
        ui_put(w, top + 1, 2, cols - 4, "Pick a shopper (p) to see their "
                                        "orders.");
        return;
    }
    if (a->n_orders == 0) {
        ui_put(w, top + 1, 2, cols - 4, "No orders yet.");
        return;
    }
    int y = top + 1, namew = cols - 50;
    int list_rows = a->returning ? rows - 12 : rows - 2;
    if (list_rows < 3)
        list_rows = 3;
    wattron(w, theme_attr(EL_HEADER));
    ui_putf(w, y++, 0, cols, "  %-10s %-*s %-5s %8s %5s  %-14s", "Date",
            namew, "Item", "Size", "Paid", "Risk", "Status");
    wattroff(w, theme_attr(EL_HEADER));
    if (a->order_sel < a->order_top)
        a->order_top = a->order_sel;
    if (a->order_sel >= a->order_top + list_rows)
        a->order_top = a->order_sel - list_rows + 1;
    for (int r = 0; r < list_rows && a->order_top + r < a->n_orders; r++) {
        int i = a->order_top + r;
        const tg_order_line *o = &a->orders[i];
        int sel = i == a->order_sel;
        if (sel) {
            wattron(w, theme_attr(EL_SELECTED));
            ui_blank(w, y + r, 0, cols);
        }
        char date[16], paid[24], risk[8] = "  -";
        tg_date_format(o->ordered_at, date, sizeof date);
        ui_money(o->unit_price * o->quantity, paid, sizeof paid);
        if (!isnan(o->p_return))
            snprintf(risk, sizeof risk, "%3.0f%%", o->p_return * 100);
        ui_putf(w, y + r, 2, 11, "%-10s", date);
        ui_put(w, y + r, 13, namew, o->name);
        ui_putf(w, y + r, 14 + namew, cols - namew - 14, "%-5s %8s %5s  %s",
                o->size[0] ? o->size : "-", paid, risk,
                o->returned ? "returned" : o->returnable ? "can return"
                                                         : "kept");
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED));
    }
    if (a->returning)
        draw_return(a, w, y + list_rows + 1, cols, rows - list_rows - 2);
}

static int return_key(app *a, int act)
{
    if (act == ACT_BACK) {
        a->returning = 0;
        app_event(a, "return_cancel", "line=%lld",
                  (long long)a->orders[a->order_sel].purchase_id);
        return 1;
    }
    if (a->returning == 1) {
        if (act == ACT_UP && a->reason_sel > 0)
            a->reason_sel--;
        else if (act == ACT_DOWN && a->reason_sel + 1 < N_REASONS)
            a->reason_sel++;
        else if (act == ACT_OPEN) {
            a->returning = 2;
            offer(a);
        }
        return 1;
    }
    if (act == ACT_ACCEPT || act == ACT_DECLINE || act == ACT_OPEN)
        finish_return(a, act != ACT_DECLINE);
    return 1;
}

static int key(app *a, int act, int ch)
{
    (void)ch;
    if (a->returning)
        return return_key(a, act);
    switch (act) {
    case ACT_UP:
        if (a->order_sel > 0)
            a->order_sel--;
        return 1;
    case ACT_DOWN:
        if (a->order_sel + 1 < a->n_orders)
            a->order_sel++;
        return 1;
    case ACT_HOME:
        a->order_sel = 0;
        return 1;
    case ACT_END:
        a->order_sel = a->n_orders ? a->n_orders - 1 : 0;
        return 1;
    case ACT_RETURN:
    case ACT_OPEN:
        if (a->n_orders == 0)
            return 1;
        if (!a->orders[a->order_sel].returnable) {
            app_note(a, a->orders[a->order_sel].returned
                            ? "That line is already returned."
                            : "Its 30-day return window is over.");
            return 1;
        }
        a->returning = 1;
        a->reason_sel = 0;
        app_event(a, "return_start", "line=%lld",
                  (long long)a->orders[a->order_sel].purchase_id);
        return 1;
    default:
        return 0;
    }
}

const screen scr_orders = {"orders", "Orders", enter, draw, key};
