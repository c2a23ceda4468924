/* scr_item.c: the Item screen: details, fit note, sizes, the trend chart
 * (saying so when the trend's data is old or empty), and the live
 * regret-risk meter, recomputed in the same frame whenever the size, the
 * quantity or the cart changes or the trends refresh. A nudge the engine
 * decides on sits beside the meter; accepting it acts, and picking the
 * size a size tip suggests is taking it. A pre-selected size is set at
 * once (the meter moves with it) and says so; one key undoes it, and
 * adding the item keeps it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "ui.h"

static struct {
    tg_shop_item item;       /* product_id 0: none open */
    int size_sel, qty;
    double opened;           /* tg_now_mono() when the item was opened */
    line_risk risk;
    session_nudge nudge;
    int quiet;               /* why no nudge shows (TG_WHY_*), for caps */
    int own_size;            /* the size before one was pre-selected */
    int picked;              /* the shopper chose a size: none is
                                pre-selected any more */
    unsigned seen_cart, seen_shopper, seen_data;
} st;

static void init(session *s)
{
    memset(&st, 0, sizeof st);
    st.seen_cart = s->gen_cart;
    st.seen_shopper = s->gen_shopper;
    st.seen_data = s->gen_data;
}

static const char *size_name(void)
{
    return st.size_sel >= 0 && st.size_sel < st.item.n_sizes
               ? st.item.sizes[st.size_sel] : "";
}

static double minutes_viewed(void)
{
    return (tg_now_mono() - st.opened) / 60.0;
}

static void meter(session *s)
{
    session_risk_if_added(s, &st.item, size_name(), st.qty, minutes_viewed(),
                          &st.risk);
}

/* The size a size tip (or a pre-selected size) suggests, as offered
 * here (-1: none). */
static int suggested(void)
{
    for (int i = 0; i < st.item.n_sizes; i++)
        if (features_size_rank(st.item.sizes[i], NULL) ==
            st.nudge.d.suggested_size)
            return i;
    return -1;
}

static int preselected(void)
{
    return st.nudge.state == NUDGE_SHOWN &&
           st.nudge.d.action == TG_ACTION_PRESELECT_SIZE;
}

/* Decides on a nudge for the current risk unless one is on screen; a
 * pre-selected size is set at once and the meter follows it. */
static void decide(session *s)
{
    if (st.nudge.state != NUDGE_NONE || s->catalog.n == 0)
        return;
    tg_nudge_input in;
    session_nudge_input(s, &st.risk, TG_MOMENT_ITEM, &st.item, size_name(),
                        &in);
    in.size_picked = st.picked;
    st.quiet = session_nudge_show(s, &in, 0, 0, NULL, &st.nudge);
    int k = preselected() ? suggested() : -1;
    if (k >= 0) {
        st.own_size = st.size_sel;
        st.size_sel = k;
        meter(s);
    }
}

/* The meter for the item in the chosen size, as if added now. */
static void rescore(session *s)
{
    if (!st.item.product_id)
        return;
    meter(s);
    decide(s);
    s->dirty = 1;
}

/* The shopper's answer to a pre-selected size: kept, or undone (back to
 * the size they had, the meter with it). */
static void answer_preselect(session *s, int kept)
{
    session_nudge_answer(s, &st.nudge, kept);
    if (kept)
        return;
    if (st.own_size >= 0 && st.own_size < st.item.n_sizes)
        st.size_sel = st.own_size;
    session_note(s, "Back to size %s.", size_name());
    session_event(s, "size", "%s undo", size_name());
}

/* Reads item id from the shop; a new one starts afresh. 0 when it could
 * not be read. */
static int open_item(session *s, int64_t id)
{
    tg_err err = {0};
    tg_shop_item it;
    if (shop_item(s->shop, id, &it, &err) != TG_OK) {
        session_note(s, "%s", err.msg);
        return 0;
    }
    int same = st.item.product_id == id;
    st.item = it;
    if (same)
        return 1;
    st.size_sel = session_usual_size(s, &it);
    st.qty = 1;
    st.opened = tg_now_mono();
    st.nudge.state = NUDGE_NONE;
    st.nudge.id = 0;
    st.quiet = TG_WHY_SHOWN;
    st.own_size = -1;
    st.picked = 0;
    session_event(s, "item", "%s %s", it.code, it.name);
    return 1;
}

/* Catches up with the session (read: the item was just read, as the
 * store and the shopper now stand); returns 1 when it rescored. */
static int catch_up(session *s, int read)
{
    int data = st.seen_data != s->gen_data;
    int shopper = st.seen_shopper != s->gen_shopper;
    int cart = st.seen_cart != s->gen_cart;
    st.seen_data = s->gen_data;
    st.seen_shopper = s->gen_shopper;
    st.seen_cart = s->gen_cart;
    if (!st.item.product_id || !(data || shopper || cart))
        return 0;
    if ((data || shopper) && !read)
        open_item(s, st.item.product_id);
    if (shopper) { /* another shopper: their size, a visit of their own */
        st.size_sel = session_usual_size(s, &st.item);
        st.qty = 1;
        st.nudge.state = NUDGE_NONE;
        st.quiet = TG_WHY_SHOWN;
        st.own_size = -1;
        st.picked = 0;
    }
    rescore(s);
    return 1;
}

static void sync(session *s)
{
    catch_up(s, 0);
}

static void enter(session *s, int64_t id)
{
    int read = id && open_item(s, id);
    if (!catch_up(s, read))
        rescore(s);
}

/* The trend's daily views as columns of block characters. */
static void trend_chart(WINDOW *w, int y, int x, int h, const double *v,
                        int n)
{
    double hi = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i]) && v[i] > hi)
            hi = v[i];
    wattron(w, theme_attr(EL_CHART));
    for (int i = 0; i < n; i++) {
        double eighths = hi > 0 && !isnan(v[i]) ? v[i] / hi * h * 8 : 0;
        for (int r = 0; r < h; r++) {
            double cell = eighths - (h - 1 - r) * 8;
            const char *g = " ";
            if (cell >= 8)
                g = ui_glyphs->full;
            else if (cell >= 1)
                g = ui_glyphs->spark[(int)cell - 1];
            mvwaddstr(w, y + r, x + 2 * i, g);
            mvwaddstr(w, y + r, x + 2 * i + 1, g);
        }
    }
    wattroff(w, theme_attr(EL_CHART));
}

static void draw_sizes(WINDOW *w, int y, int x, int cols)
{
    const tg_shop_item *it = &st.item;
    int sx = x + ui_put(w, y, x, cols, "Size ");
    for (int i = 0; i < it->n_sizes && sx < x + cols - 4; i++) {
        int sel = i == st.size_sel;
        if (sel)
            wattron(w, theme_attr(EL_SELECTED) | A_BOLD);
        sx += ui_putf(w, y, sx, x + cols - sx, sel ? "[%s]" : " %s ",
                      it->sizes[i]);
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED) | A_BOLD);
    }
    if (it->n_sizes == 0)
        ui_put(w, y, sx, cols - 5, "one size");
}

/* Views as a shopper reads them: "850", "12.3k", "4.1M". */
static void views_text(double v, char *buf, size_t n)
{
    if (v >= 1e6)
        snprintf(buf, n, "%.1fM", v / 1e6);
    else if (v >= 1000)
        snprintf(buf, n, "%.1fk", v / 1000.0);
    else
        snprintf(buf, n, "%.0f", v < 0 ? 0 : v);
}

/* The phase and the day's views; the day the data stopped when it is not
 * the store's newest. */
static void trend_line(WINDOW *w, int y, int x, int cols)
{
    const tg_shop_item *it = &st.item;
    char views[64] = "", v[16], day[16];
    if (it->trend_fresh && !isnan(it->views_24h)) {
        views_text(it->views_24h, v, sizeof v);
        snprintf(views, sizeof views, ", %s views today", v);
    } else if (it->trend_at) {
        snprintf(views, sizeof views, ", no new data since %s",
                 tg_date_format(it->trend_at, day, sizeof day));
    }
    ui_putf(w, y, x, cols, "%s%s", tg_trend_phase_names[it->phase], views);
}

static void draw_trend(WINDOW *w, int y, int x, int cols, int rows)
{
    const tg_shop_item *it = &st.item;
    if (!it->hashtag_id) {
        ui_put(w, y, x, cols, "Not part of a TikTok trend.");
        return;
    }
    ui_putf(w, y, x, cols, "#%s", it->hashtag);
    trend_line(w, y + 1, x, cols);
    int h = rows - 3, days = 0;
    if (h > 6)
        h = 6;
    if (h < 2)
        return;
    for (int i = 0; i < TG_SHOP_SPARK_DAYS; i++)
        days += !isnan(it->spark[i]) && it->spark[i] > 0;
    if (!days) {
        wattron(w, theme_attr(EL_DIM));
        ui_put(w, y + 2, x, cols, "No views recorded in the last 14 days.");
        wattroff(w, theme_attr(EL_DIM));
        return;
    }
    trend_chart(w, y + 2, x, h, it->spark, TG_SHOP_SPARK_DAYS);
    wattron(w, theme_attr(EL_DIM));
    ui_put(w, y + 2 + h, x, cols, "14 days ago          today");
    wattroff(w, theme_attr(EL_DIM));
}

/* What the shop knows of the fit (wrapped, up to FIT_LINES lines) and of
 * the shopper's size, and from what; returns the lines used. */
#define FIT_LINES 3
static int draw_fit(session *s, WINDOW *w, int y, int x, int cols)
{
    const tg_shop_item *it = &st.item;
    char fit[160], size[160];
    tg_err err = {0};
    shop_fit_story(it, fit, sizeof fit);
    if (!fit[0])
        return 0;
    int n = ui_wrap(w, y, x, cols, FIT_LINES, fit);
    if (s->persona.id &&
        shop_size_story(s->shop, s->persona.id, it->category == TG_CAT_SHOES,
                        size, sizeof size, &err) == TG_OK) {
        wattron(w, theme_attr(EL_DIM));
        ui_put(w, y + n++, x, cols, size);
        wattroff(w, theme_attr(EL_DIM));
    }
    return n;
}

static void draw_details(session *s, WINDOW *w, int y, int x, int cols,
                         int rows)
{
    const tg_shop_item *it = &st.item;
    char price[24];
    wattron(w, theme_attr(EL_TITLE));
    ui_put(w, y, x, cols, it->name);
    wattroff(w, theme_attr(EL_TITLE));
    ui_putf(w, y + 1, x, cols, "%s%s%s   %s", it->brand,
            it->brand[0] ? (ui_unicode() ? " \u00b7 " : " - ") : "",
            tg_category_names[it->category],
            ui_money(s, it->price, price, sizeof price));
    int used = draw_fit(s, w, y + 2, x, cols);
    int at = y + 2 + (used > 2 ? used : 2); /* the sizes' line */
    draw_sizes(w, at, x, cols);
    ui_putf(w, at + 1, x, cols, "Qty  %d", st.qty);
    draw_trend(w, at + 3, x, cols, rows - (at + 3 - y));
}

/* A risky item with no nudge because of the caps: say it is the cap,
 * not the risk. */
static void draw_capped(const session *s, WINDOW *w, int y, int x, int cols,
                        int rows)
{
    wattron(w, theme_attr(EL_DIM));
    char msg[160];
    if (st.quiet == TG_WHY_SESSION_CAP)
        snprintf(msg, sizeof msg, "No more tips this visit: %d at most. "
                 "p switches to another shopper; D (demo mode) lifts the "
                 "cap.", s->catalog.per_session);
    else
        snprintf(msg, sizeof msg, "No more tips today for this shopper: "
                 "%d a day at most. p switches to another shopper; D (demo "
                 "mode) lifts the cap.", s->catalog.per_shopper_day);
    ui_wrap(w, y, x + 1, cols - 2, rows, msg);
    wattroff(w, theme_attr(EL_DIM));
}

/* The size the shopper had before one was pre-selected, or "yours". */
static const char *own_size(void)
{
    return st.own_size >= 0 && st.own_size < st.item.n_sizes
               ? st.item.sizes[st.own_size] : "yours";
}

/* What became of an answered nudge, in a line. */
static const char *outcome(const session_nudge *n, char *buf, size_t len)
{
    if (n->d.action == TG_ACTION_PRESELECT_SIZE) {
        if (n->state == NUDGE_ACCEPTED)
            snprintf(buf, len, "Kept: size %s.", size_name());
        else
            snprintf(buf, len, "Undone: back to %s.", own_size());
        return buf;
    }
    if (n->state == NUDGE_DECLINED)
        return "Not now: this tip will not come back this visit.";
    switch (n->d.action) {
    case TG_ACTION_SWITCH_SIZE:
        snprintf(buf, len, "Done: size %s is picked.", size_name());
        return buf;
    case TG_ACTION_SAVE_FOR_LATER:
        return "Done: saved for later.";
    default:
        return "Done.";
    }
}

/* The answers a shown nudge asks for: a pre-selected size is undone. */
static const char *asking(const session_nudge *n, char *buf, size_t len)
{
    if (n->d.action != TG_ACTION_PRESELECT_SIZE)
        return "[y] yes please   [n] no thanks";
    snprintf(buf, len, "[u] undo: back to %s", own_size());
    return buf;
}

static void draw_nudge(const session *s, WINDOW *w, int y, int x, int cols,
                       int rows)
{
    const session_nudge *n = &st.nudge;
    int none = n->state == NUDGE_NONE || n->d.nudge < 0;
    if (none && rows >= 2 && (st.quiet == TG_WHY_SESSION_CAP ||
                              st.quiet == TG_WHY_SHOPPER_CAP)) {
        draw_capped(s, w, y, x, cols, rows);
        return;
    }
    if (none || rows < 3)
        return;
    const tg_nudge_def *def = &s->catalog.nudges[n->d.nudge];
    wattron(w, theme_attr(EL_NUDGE_TITLE));
    ui_blank(w, y, x, cols);
    ui_putf(w, y, x, cols, " %s ", def->title);
    wattroff(w, theme_attr(EL_NUDGE_TITLE));
    char buf[80];
    if (n->state != NUDGE_SHOWN) { /* its question is answered */
        ui_wrap(w, y + 1, x + 1, cols - 2, 2, outcome(n, buf, sizeof buf));
        return;
    }
    wattron(w, theme_attr(EL_NUDGE));
    int used = ui_wrap(w, y + 1, x + 1, cols - 2, rows - 2, n->d.message);
    wattroff(w, theme_attr(EL_NUDGE));
    ui_put(w, y + 1 + used, x + 1, cols - 2, asking(n, buf, sizeof buf));
}

static void draw(session *s, WINDOW *w, int top, int rows, int cols)
{
    if (!st.item.product_id) {
        ui_put(w, top + 1, 2, cols - 4, "No item open: pick one on the "
                                        "Trending screen (1).");
        return;
    }
    int left = cols / 2 - 1;
    draw_details(s, w, top + 1, 2, left - 2, rows - 1);
    int rx = left + 1, rw = cols - rx - 1;
    int used = meter_draw(s, w, top + 1, rx, rw, &st.risk, 3);
    draw_nudge(s, w, top + 2 + used, rx, rw, rows - used - 3);
}

/* What an accepted nudge does. */
static void act_on(session *s, const tg_nudge_decision *d)
{
    switch (d->action) {
    case TG_ACTION_SWITCH_SIZE:
        if (suggested() >= 0)
            st.size_sel = suggested();
        session_note(s, "Switched to size %s.", size_name());
        break;
    case TG_ACTION_SAVE_FOR_LATER:
        session_note(s, "Saved %s for later: sleep on it.", st.item.name);
        break;
    case TG_ACTION_READ_REVIEWS:
        session_note(s, "Real buyers' reviews: most mention the fit and the "
                        "fabric; photos show it true to colour.");
        break;
    default:
        session_note(s, "Thanks!");
        break;
    }
}

static void answer(session *s, int accepted)
{
    if (preselected()) {
        answer_preselect(s, accepted);
        meter(s);
        s->dirty = 1;
        return;
    }
    session_nudge_answer(s, &st.nudge, accepted);
    if (!accepted)
        return;
    act_on(s, &st.nudge.d);
    rescore(s);
}

static void add_to_cart(session *s)
{
    if (preselected()) /* bought in the size we picked: kept */
        session_nudge_answer(s, &st.nudge, 1);
    if (session_cart_add(s, &st.item, size_name(), st.qty,
                         minutes_viewed()) == TG_OK) {
        session_note(s, "Added %s%s%s to the cart (%d line%s).",
                     st.item.name, size_name()[0] ? ", size " : "",
                     size_name(), s->cart.n, s->cart.n == 1 ? "" : "s");
        session_event(s, "add", "%s size=%s qty=%d risk=%.3f",
                      st.item.code, size_name(), st.qty, st.risk.risk.p);
    }
    st.seen_cart = s->gen_cart; /* rescored just below */
    rescore(s);
}

/* The shopper picked by hand the size a shown size tip suggests: the tip
 * is taken, and it no longer asks. */
static void size_tip_taken(session *s)
{
    if (st.nudge.state == NUDGE_SHOWN &&
        st.nudge.d.action == TG_ACTION_SWITCH_SIZE &&
        suggested() == st.size_sel)
        session_nudge_answer(s, &st.nudge, 1);
}

/* Size and quantity keys; 0 when the action is neither. */
static int choose(session *s, int act)
{
    if (act == ACT_LEFT || act == ACT_RIGHT)
        st.picked = 1;
    if (preselected() && (act == ACT_LEFT || act == ACT_RIGHT))
        session_nudge_answer(s, &st.nudge, 0); /* moved off: undone */
    if (act == ACT_LEFT && st.size_sel > 0) {
        st.size_sel--;
        session_event(s, "size", "%s", size_name());
        size_tip_taken(s);
    } else if (act == ACT_RIGHT && st.size_sel + 1 < st.item.n_sizes) {
        st.size_sel++;
        session_event(s, "size", "%s", size_name());
        size_tip_taken(s);
    } else if (act == ACT_QTY_UP && st.qty < 9) {
        st.qty++;
    } else if (act == ACT_QTY_DOWN && st.qty > 1) {
        st.qty--;
    } else if (act != ACT_LEFT && act != ACT_RIGHT && act != ACT_QTY_UP &&
               act != ACT_QTY_DOWN) {
        return 0;
    }
    rescore(s);
    return 1;
}

static scr_result key(session *s, const scr_key *k)
{
    if (!st.item.product_id)
        return scr_handled(0);
    if (choose(s, k->act))
        return scr_handled(1);
    switch (k->act) {
    case ACT_ACCEPT:
    case ACT_DECLINE:
        if (st.nudge.state == NUDGE_SHOWN)
            answer(s, k->act == ACT_ACCEPT);
        return scr_handled(1);
    case ACT_UNDO:
        if (preselected())
            answer(s, 0);
        return scr_handled(1);
    case ACT_ADD:
        add_to_cart(s);
        return scr_handled(1);
    default:
        return scr_handled(0);
    }
}

static int hints(const session *s, scr_hint *out)
{
    (void)s;
    int n = 0;
    if (!st.item.product_id) {
        scr_hint_add(out, &n, ACT_SCREEN1, "trending");
        scr_hint_add(out, &n, ACT_HELP, "help");
        return n;
    }
    if (preselected())
        scr_hint_add(out, &n, ACT_UNDO, "undo the size");
    else
        scr_hint_nudge(out, &n, st.nudge.state == NUDGE_SHOWN);
    if (st.item.n_sizes > 1)
        scr_hint_add(out, &n, ACT_LEFT, "size");
    scr_hint_add(out, &n, ACT_QTY_UP, "more");
    scr_hint_add(out, &n, ACT_QTY_DOWN, "fewer");
    scr_hint_add(out, &n, ACT_ADD, "add to cart");
    scr_hint_add(out, &n, ACT_BACK, "back");
    scr_hint_add(out, &n, ACT_HELP, "help");
    return n;
}

const screen scr_item = {
    "item", "Item", hints,
    init, NULL, enter, sync, draw, key, NULL, NULL};
