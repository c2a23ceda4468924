/* scr_orders.c: the Orders screen: the shopper's past lines, newest
 * first, with the risk they were bought at and whether they went back.
 * A return goes in steps, each undone by Esc, nothing written before the
 * last: the reason; the engine's exchange-first offer with the choices it
 * speaks of (an exchange for the size the reason asks for, store credit
 * with its bonus) and a refund; then the choice said in full, confirmed
 * with Enter. An exchange's new line is scored as an order's line is.
 * The order just placed may carry a pre-ship check while it can still be
 * changed (session_order.c): y changes the order, n ships it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "ui.h"

#define MAX_ORDERS 100

/* The steps of a return. */
enum { RET_NONE, RET_REASON, RET_CHOICE, RET_CONFIRM };
/* What the shopper may take instead of the item. */
enum { TAKE_EXCHANGE, TAKE_CREDIT, TAKE_REFUND };

static struct {
    tg_order_line orders[MAX_ORDERS];
    int n, sel, top;
    int step;                /* RET_* */
    int reason_sel;
    session_nudge offer;
    char swap[8];            /* the size an exchange gives, "" none */
    int take[3], n_take, take_sel;
    unsigned seen_shopper, seen_cart;
} st;

static void init(session *s)
{
    memset(&st, 0, sizeof st);
    st.seen_shopper = s->gen_shopper;
    st.seen_cart = s->gen_cart;
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
    if (st.seen_shopper == s->gen_shopper && st.seen_cart == s->gen_cart)
        return;
    st.seen_shopper = s->gen_shopper;
    st.seen_cart = s->gen_cart;
    st.step = RET_NONE;
    reload(s);
}

static void enter(session *s, int64_t id)
{
    (void)id;
    st.step = RET_NONE;
    st.seen_shopper = s->gen_shopper;
    st.seen_cart = s->gen_cart;
    reload(s);
}

static const tg_order_line *line(void)
{
    return &st.orders[st.sel];
}

static const char *reason(void)
{
    return ui_reasons[st.reason_sel].id;
}

/* The size step a reason asks for: +1 "too small", -1 "too large". */
static int reason_step(void)
{
    return strcmp(reason(), "too_small") == 0   ? 1
           : strcmp(reason(), "too_large") == 0 ? -1
                                                : 0;
}

/* The size an exchange swaps to, into st.swap ("" for none); *it gets
 * the item, read from the shop. */
static void find_swap(session *s, tg_shop_item *it)
{
    st.swap[0] = 0;
    int step = reason_step();
    if (shop_item(s->shop, line()->product_id, it, NULL) != TG_OK) {
        memset(it, 0, sizeof *it);
        return;
    }
    for (int i = 0; step && i < it->n_sizes; i++)
        if (tg_strieq(it->sizes[i], line()->size) && i + step >= 0 &&
            i + step < it->n_sizes)
            tg_strlcpy(st.swap, it->sizes[i + step], sizeof st.swap);
}

/* The engine's offer for the return, told what the reason says of the
 * size, so that its message speaks of the exchange there is. A return is
 * a visit of its own: the shopping visit's caps do not apply to it. */
static void offer(session *s, const tg_shop_item *it)
{
    const tg_order_line *o = line();
    tg_nudge_input in;
    nudge_input_init(&in);
    in.moment = TG_MOMENT_RETURN;
    in.now = shop_now(s->shop);
    in.segment = s->persona.segment;
    in.x[TG_F_price] = (float)o->unit_price;
    in.x[TG_F_category] = (float)it->category;
    if (st.swap[0]) { /* the size was one step off, the other way */
        in.x[TG_F_size_vs_usual] = (float)-reason_step();
        in.x[TG_F_fit_learned] = 0;
        int shoe = 0;
        in.size = features_size_rank(o->size, &shoe);
        in.is_shoe = shoe;
        in.size_lo = features_size_rank(it->sizes[0], NULL);
        in.size_hi = features_size_rank(it->sizes[it->n_sizes - 1], NULL);
    }
    in.score = o->p_return;
    in.item = o->name;
    in.money = money_symbol(&s->currency, s->ascii);
    char about[40];
    snprintf(about, sizeof about, "line=%lld", (long long)o->purchase_id);
    session_nudge_show(s, &in, o->purchase_id, 1, about, &st.offer);
}

/* The choices: what the offer speaks of, then a refund. */
static void choices(session *s)
{
    tg_shop_item it;
    find_swap(s, &it);
    offer(s, &it);
    st.n_take = 0;
    if (st.swap[0])
        st.take[st.n_take++] = TAKE_EXCHANGE;
    if (st.offer.state == NUDGE_SHOWN && st.offer.d.offer_cost > 0)
        st.take[st.n_take++] = TAKE_CREDIT;
    st.take[st.n_take++] = TAKE_REFUND;
    st.take_sel = 0;
    st.step = RET_CHOICE;
}

/* A choice in full: "Refund $31.50 to the original payment". */
static const char *take_text(const session *s, int take, char *buf,
                             size_t n)
{
    const tg_order_line *o = line();
    char paid[32], bonus[32];
    ui_money(s, o->unit_price * o->quantity, paid, sizeof paid);
    if (take == TAKE_EXCHANGE)
        snprintf(buf, n, "Exchange it for size %s, free", st.swap);
    else if (take == TAKE_CREDIT)
        snprintf(buf, n, "Store credit: %s and a %s bonus", paid,
                 ui_money(s, st.offer.d.offer_cost, bonus, sizeof bonus));
    else
        snprintf(buf, n, "Refund %s to the original payment", paid);
    return buf;
}

/* Confirmed: the offer's answer, the return, the exchange's line. */
static void finish_return(session *s)
{
    const tg_order_line *o = line();
    int take = st.take[st.take_sel];
    if (st.offer.state == NUDGE_SHOWN)
        session_nudge_answer(s, &st.offer, take != TAKE_REFUND);
    tg_err err = {0};
    int rc = session_return(s, o->purchase_id, reason(),
                            take == TAKE_EXCHANGE ? st.swap : NULL, &err);
    st.step = RET_NONE;
    if (rc != TG_OK) {
        session_note(s, "The return was not recorded: %s", err.msg);
        return;
    }
    static const char *const words[] = {"exchange", "credit", "refund"};
    session_event(s, "return", "line=%lld reason=%s %s",
                  (long long)o->purchase_id, reason(), words[take]);
    if (take == TAKE_EXCHANGE)
        session_note(s, "Exchange booked: size %s is on its way, free.",
                     st.swap);
    else if (take == TAKE_CREDIT)
        session_note(s, "Return recorded: store credit with the bonus.");
    else
        session_note(s, "Return recorded: refund to the original payment.");
    st.seen_cart = s->gen_cart;
    reload(s);
}

/* ---- drawing ---------------------------------------------------------------- */

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

static void draw_choices(const session *s, WINDOW *w, int y, int cols,
                         int rows)
{
    int used = 0;
    if (st.offer.state == NUDGE_SHOWN) {
        const tg_nudge_def *def = &s->catalog.nudges[st.offer.d.nudge];
        wattron(w, theme_attr(EL_NUDGE_TITLE));
        ui_putf(w, y, 2, cols - 4, " %s ", def->title);
        wattroff(w, theme_attr(EL_NUDGE_TITLE));
        wattron(w, theme_attr(EL_NUDGE));
        used = 1 + ui_wrap(w, y + 1, 3, cols - 6, 2, st.offer.d.message);
        wattroff(w, theme_attr(EL_NUDGE));
    }
    for (int i = 0; i < st.n_take && used + i < rows; i++) {
        char buf[120];
        int sel = i == st.take_sel;
        if (sel)
            wattron(w, theme_attr(EL_SELECTED));
        ui_putf(w, y + used + i, 4, cols - 8, " %s ",
                take_text(s, st.take[i], buf, sizeof buf));
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED));
    }
}

static void draw_confirm(const session *s, WINDOW *w, int y, int cols)
{
    char buf[120];
    wattron(w, A_BOLD);
    ui_putf(w, y, 2, cols - 4, "%s?",
            take_text(s, st.take[st.take_sel], buf, sizeof buf));
    wattroff(w, A_BOLD);
    ui_putf(w, y + 1, 2, cols - 4, "Reason: %s.",
            ui_reason_label(reason()));
    ui_put(w, y + 2, 2, cols - 4, "[Enter] confirm the return   [Esc] back");
}

static void draw_return(const session *s, WINDOW *w, int y, int cols,
                        int rows)
{
    const tg_order_line *o = line();
    ui_rule(w, y, 0, cols, "Return");
    ui_putf(w, y + 1, 2, cols - 4, "Returning %s, size %s.", o->name,
            o->size[0] ? o->size : "-");
    if (st.step == RET_REASON)
        draw_reasons(w, y + 2, cols, rows);
    else if (st.step == RET_CHOICE)
        draw_choices(s, w, y + 3, cols, rows - 3);
    else
        draw_confirm(s, w, y + 3, cols);
}

/* The pre-ship check of the order just placed, under the list; once
 * answered, what the answer did instead of the question. */
static void draw_preship(const session *s, WINDOW *w, int y, int cols)
{
    const session_preship *p = &s->preship;
    ui_rule(w, y, 0, cols, s->catalog.nudges[p->n.d.nudge].title);
    if (p->n.state != NUDGE_SHOWN) {
        ui_put(w, y + 1, 3, cols - 6, p->done);
        return;
    }
    wattron(w, theme_attr(EL_NUDGE));
    int used = ui_wrap(w, y + 1, 3, cols - 6, 3, p->n.d.message);
    wattroff(w, theme_attr(EL_NUDGE));
    ui_put(w, y + 1 + used, 3, cols - 6,
           "[y] change the order   [n] ship it as it is");
}

static void draw_line(const session *s, WINDOW *w, int y, int i, int namew,
                      int cols)
{
    const tg_order_line *o = &st.orders[i];
    int sel = i == st.sel;
    if (sel) {
        wattron(w, theme_attr(EL_SELECTED));
        ui_blank(w, y, 0, cols);
    }
    char date[16], paid[24], risk[16];
    tg_date_format(o->ordered_at, date, sizeof date);
    ui_money(s, o->unit_price * o->quantity, paid, sizeof paid);
    ui_risk(s, o->p_return, risk, sizeof risk, NULL);
    ui_putf(w, y, 2, 11, "%-10s", date);
    ui_put(w, y, 13, namew, o->name);
    char right[32];
    ui_putf(w, y, 14 + namew, cols - namew - 14, "%-5s %s %5s  %s",
            o->size[0] ? o->size : "-", ui_right(paid, 9, right, sizeof right),
            risk,
            o->returned ? "returned" : o->returnable ? "can return" : "kept");
    if (sel)
        wattroff(w, theme_attr(EL_SELECTED));
}

/* Why some lines show "-" for their risk: the same figure the cart showed
 * exists only once a model scored the line. */
static void draw_unscored(const session *s, WINDOW *w, int y, int cols,
                          int n)
{
    ui_putf(w, y, 2, cols - 4,
            "Risk -: %d line%s not scored%s", n, n == 1 ? "" : "s",
            s->model ? " yet (trendguard score scores them)"
                     : ": no model (trendguard-train, then score)");
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
    int y = top + 1, namew = cols - 51;
    int preship = !st.step && session_preship_open(s);
    int unscored = 0;
    for (int i = 0; i < st.n; i++)
        unscored += isnan(st.orders[i].p_return);
    int list_rows = st.step      ? rows - 12
                    : preship    ? rows - 8
                    : unscored   ? rows - 4
                                 : rows - 2;
    if (list_rows < 3)
        list_rows = 3;
    wattron(w, theme_attr(EL_HEADER));
    ui_putf(w, y++, 0, cols, "  %-10s %-*s %-5s %9s %5s  %-14s", "Date",
            namew, "Item", "Size", "Paid", "Risk", "Status");
    wattroff(w, theme_attr(EL_HEADER));
    if (st.sel < st.top)
        st.top = st.sel;
    if (st.sel >= st.top + list_rows)
        st.top = st.sel - list_rows + 1;
    for (int r = 0; r < list_rows && st.top + r < st.n; r++)
        draw_line(s, w, y + r, st.top + r, namew, cols);
    if (st.step)
        draw_return(s, w, y + list_rows + 1, cols, rows - list_rows - 2);
    else if (preship)
        draw_preship(s, w, y + list_rows + 1, cols);
    else if (unscored)
        draw_unscored(s, w, y + list_rows + 1, cols, unscored);
}

/* ---- keys ---------------------------------------------------------------------- */

static void cancel(session *s)
{
    st.step = RET_NONE;
    session_event(s, "return_cancel", "line=%lld",
                  (long long)line()->purchase_id);
}

/* Picks the choice of kind take, when there is one. */
static int pick(int take)
{
    for (int i = 0; i < st.n_take; i++)
        if (st.take[i] == take)
            return st.take_sel = i, 1;
    return 0;
}

static scr_result return_key(session *s, int act)
{
    if (st.step == RET_REASON) {
        if (act == ACT_BACK)
            cancel(s);
        else if (act == ACT_OPEN)
            choices(s);
        else
            scr_list_key(act, &st.reason_sel, ui_n_reasons);
    } else if (st.step == RET_CHOICE) {
        if (act == ACT_BACK)
            cancel(s);
        else if (act == ACT_OPEN ||
                 (act == ACT_ACCEPT && st.take[0] != TAKE_REFUND) ||
                 (act == ACT_DECLINE && pick(TAKE_REFUND)))
            st.step = RET_CONFIRM;
        else
            scr_list_key(act, &st.take_sel, st.n_take);
    } else if (act == ACT_OPEN || act == ACT_ACCEPT) {
        finish_return(s);
    } else if (act == ACT_BACK || act == ACT_DECLINE) {
        st.step = RET_CHOICE;
    }
    return scr_handled(act != ACT_QUIT && act != ACT_HELP);
}

static scr_result start_return(session *s)
{
    if (st.n == 0)
        return scr_handled(1);
    const tg_order_line *o = line();
    if (!o->returnable) {
        session_note(s, o->returned ? "That line is already returned."
                                    : "Its 30-day return window is over.");
        return scr_handled(1);
    }
    st.step = RET_REASON;
    st.reason_sel = 0;
    session_event(s, "return_start", "line=%lld", (long long)o->purchase_id);
    return scr_handled(1);
}

static scr_result key(session *s, const scr_key *k)
{
    if (st.step)
        return return_key(s, k->act);
    if ((k->act == ACT_ACCEPT || k->act == ACT_DECLINE) &&
        session_preship_open(s) && s->preship.n.state == NUDGE_SHOWN) {
        session_preship_answer(s, k->act == ACT_ACCEPT);
        reload(s);
        return scr_handled(1);
    }
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

static int hints(const session *s, scr_hint *out)
{
    int n = 0;
    switch (st.step) {
    case RET_REASON:
        scr_hint_add(out, &n, ACT_UP, "reason");
        scr_hint_add(out, &n, ACT_OPEN, "pick");
        scr_hint_add(out, &n, ACT_BACK, "keep it");
        return n;
    case RET_CHOICE:
        scr_hint_add(out, &n, ACT_UP, "choose");
        scr_hint_add(out, &n, ACT_OPEN, "this one");
        scr_hint_add(out, &n, ACT_BACK, "keep it");
        return n;
    case RET_CONFIRM:
        scr_hint_add(out, &n, ACT_OPEN, "confirm the return");
        scr_hint_add(out, &n, ACT_BACK, "back");
        return n;
    default:
        break;
    }
    if (session_preship_open(s) && s->preship.n.state == NUDGE_SHOWN) {
        scr_hint_add(out, &n, ACT_ACCEPT, "change the order");
        scr_hint_add(out, &n, ACT_DECLINE, "ship it as it is");
    }
    if (st.n > 0 && line()->returnable)
        scr_hint_add(out, &n, ACT_RETURN, "return");
    scr_hint_add(out, &n, ACT_PERSONA, "shopper");
    if (s->persona.id)
        scr_hint_add(out, &n, ACT_BACK, "back");
    scr_hint_add(out, &n, ACT_HELP, "help");
    return n;
}

const screen scr_orders = {
    "orders", "Orders", hints,
    init, NULL, enter, sync, draw, key, NULL, NULL};
