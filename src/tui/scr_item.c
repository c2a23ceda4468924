/* scr_item.c: the Item screen: details, fit note, sizes, the trend chart,
 * and the live regret-risk meter, recomputed in the same frame whenever the
 * size, the quantity or the cart changes or the trends refresh. A nudge the
 * engine decides on sits beside the meter; accepting it acts. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"

/* The candidate line: the item in the chosen size, as if added now. */
static void candidate(app *a, tg_cart *c)
{
    *c = a->cart;
    if (c->n >= TG_CART_MAX)
        c->n = TG_CART_MAX - 1;
    tg_cart_line *l = &c->line[c->n++];
    memset(l, 0, sizeof *l);
    l->product_id = a->item.product_id;
    if (a->size_sel >= 0 && a->size_sel < a->item.n_sizes)
        tg_strlcpy(l->size, a->item.sizes[a->size_sel], sizeof l->size);
    l->quantity = a->qty;
    l->unit_price = a->item.price;
    l->view_minutes = (tg_now_mono() - a->item_opened) / 60.0;
    l->category = a->item.category;
}

static const char *size_name(const app *a)
{
    return a->size_sel >= 0 && a->size_sel < a->item.n_sizes
               ? a->item.sizes[a->size_sel] : "";
}

/* Decides on a nudge for the current risk unless one is on screen. */
static void decide(app *a)
{
    if (a->item_nudge_state != 0 || a->catalog.n == 0)
        return;
    tg_nudge_input in;
    risk_nudge_input(a, &a->item_risk_now, TG_MOMENT_ITEM, &a->item,
                     size_name(a), &in);
    tg_nudge_decision d;
    nudge_decide(&a->catalog, a->bandit, &in, &a->nudge_session,
                 &a->nudge_shopper, &a->budget, &a->rng, &d);
    a->item_nudge_quiet = d.nudge < 0 ? d.why_code : TG_WHY_SHOWN;
    if (d.nudge < 0)
        return;
    a->item_nudge = d;
    a->item_nudge_state = 1;
    nudge_note_shown(&d, &a->nudge_session, &a->nudge_shopper);
    tg_nudge_ref ref = {0, uilog_session(a->log), a->persona.id,
                        a->model ? a->model_info.version : 0, NULL};
    tg_err err = {0};
    if (nudge_store_log(a->store, &a->catalog, &ref, &d, shop_now(a->shop),
                        &a->item_nudge_id, &err) != TG_OK)
        app_note(a, "could not record the nudge: %s", err.msg);
    app_event(a, "nudge_shown", "%s score=%.3f driver=%s",
              a->catalog.nudges[d.nudge].id, d.score,
              d.driver >= 0 ? features_name(d.driver) : "-");
}

static void rescore(app *a)
{
    if (!a->item.product_id)
        return;
    tg_cart c;
    candidate(a, &c);
    risk_of_line(a, &c, c.n - 1, &a->item_risk_now);
    decide(a);
    a->dirty = 1;
}

void item_open(app *a, int64_t product_id)
{
    tg_err err = {0};
    tg_shop_item it;
    if (shop_item(a->shop, product_id, &it, &err) != TG_OK) {
        app_note(a, "%s", err.msg);
        return;
    }
    int same = a->item.product_id == product_id;
    a->item = it;
    if (!same) {
        a->size_sel = trending_usual_size(a, &it);
        a->qty = 1;
        a->item_opened = tg_now_mono();
        a->item_nudge_state = 0;
        a->item_nudge_id = 0;
        a->item_nudge_quiet = TG_WHY_SHOWN;
        app_event(a, "item", "%s %s", it.code, it.name);
    }
    rescore(a);
}

static void enter(app *a)
{
    if (a->item.product_id)
        rescore(a);
}

static const char *fit_note(int fit)
{
    return fit < 0 ? "Runs small: most buyers go a size up."
           : fit > 0 ? "Runs large: most buyers go a size down."
                     : "True to size.";
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

static void draw_details(app *a, WINDOW *w, int y, int x, int cols, int rows)
{
    const tg_shop_item *it = &a->item;
    char price[24];
    wattron(w, theme_attr(EL_TITLE));
    ui_put(w, y, x, cols, it->name);
    wattroff(w, theme_attr(EL_TITLE));
    ui_putf(w, y + 1, x, cols, "%s%s%s   %s", it->brand,
            it->brand[0] ? (ui_unicode() ? " \u00b7 " : " - ") : "",
            tg_category_names[it->category],
            ui_money(it->price, price, sizeof price));
    ui_put(w, y + 2, x, cols, fit_note(it->fit_bias));
    /* Sizes: the chosen one highlighted. */
    int sx = x + ui_put(w, y + 4, x, cols, "Size ");
    for (int i = 0; i < it->n_sizes && sx < x + cols - 4; i++) {
        int sel = i == a->size_sel;
        if (sel)
            wattron(w, theme_attr(EL_SELECTED) | A_BOLD);
        sx += ui_putf(w, y + 4, sx, x + cols - sx, sel ? "[%s]" : " %s ",
                      it->sizes[i]);
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED) | A_BOLD);
    }
    if (it->n_sizes == 0)
        ui_put(w, y + 4, sx, cols - 5, "one size");
    ui_putf(w, y + 5, x, cols, "Qty  %d", a->qty);
    if (it->hashtag_id) {
        char views[32] = "";
        if (!isnan(it->views_24h) && it->views_24h >= 1e6)
            snprintf(views, sizeof views, ", %.1fM views today",
                     it->views_24h / 1e6);
        else if (!isnan(it->views_24h))
            snprintf(views, sizeof views, ", %.1fk views today",
                     it->views_24h / 1000.0);
        ui_putf(w, y + 7, x, cols, "#%s", it->hashtag);
        ui_putf(w, y + 8, x, cols, "%s%s", tg_trend_phase_names[it->phase],
                views);
        int h = rows - 10;
        if (h > 6)
            h = 6;
        if (h >= 2)
            trend_chart(w, y + 9, x, h, it->spark, TG_SHOP_SPARK_DAYS);
        wattron(w, theme_attr(EL_DIM));
        if (h >= 2)
            ui_put(w, y + 9 + h, x, cols, "14 days ago          today");
        wattroff(w, theme_attr(EL_DIM));
    } else {
        ui_put(w, y + 7, x, cols, "Not part of a TikTok trend.");
    }
}

static void draw_nudge(app *a, WINDOW *w, int y, int x, int cols, int rows,
                       const tg_nudge_decision *d, int state)
{
    if ((state == 0 || d->nudge < 0) && rows >= 2 &&
        (a->item_nudge_quiet == TG_WHY_SESSION_CAP ||
         a->item_nudge_quiet == TG_WHY_SHOPPER_CAP)) {
        /* A risky item with no nudge: say it is the cap, not the risk. */
        wattron(w, theme_attr(EL_DIM));
        char msg[160];
        if (a->item_nudge_quiet == TG_WHY_SESSION_CAP)
            snprintf(msg, sizeof msg, "No more tips this visit: %d at most. "
                     "p switches to another shopper.", a->catalog.per_session);
        else
            snprintf(msg, sizeof msg, "No more tips today for this shopper: "
                     "%d a day at most. p switches to another shopper.",
                     a->catalog.per_shopper_day);
        ui_wrap(w, y, x + 1, cols - 2, rows, msg);
        wattroff(w, theme_attr(EL_DIM));
        return;
    }
    if (state == 0 || d->nudge < 0 || rows < 3)
        return;
    const tg_nudge_def *def = &a->catalog.nudges[d->nudge];
    wattron(w, theme_attr(EL_NUDGE_TITLE));
    ui_blank(w, y, x, cols);
    ui_putf(w, y, x, cols, " %s ", def->title);
    wattroff(w, theme_attr(EL_NUDGE_TITLE));
    wattron(w, theme_attr(EL_NUDGE));
    int used = ui_wrap(w, y + 1, x + 1, cols - 2, rows - 2, d->message);
    wattroff(w, theme_attr(EL_NUDGE));
    if (state == 1)
        ui_put(w, y + 1 + used, x + 1, cols - 2, "[y] yes please   [n] no thanks");
    else
        ui_put(w, y + 1 + used, x + 1, cols - 2,
               state == 2 ? "Done." : "OK, no nudge.");
}

static void draw(app *a, WINDOW *w, int top, int rows, int cols)
{
    if (!a->item.product_id) {
        ui_put(w, top + 1, 2, cols - 4, "No item open: pick one on the "
                                        "Trending screen (1).");
        return;
    }
    int left = cols / 2 - 1;
    draw_details(a, w, top + 1, 2, left - 2, rows - 1);
    int rx = left + 1, rw = cols - rx - 1;
    int used = meter_draw(a, w, top + 1, rx, rw, &a->item_risk_now, 3);
    draw_nudge(a, w, top + 2 + used, rx, rw, rows - used - 3, &a->item_nudge,
               a->item_nudge_state);
    wattron(w, theme_attr(EL_DIM));
    ui_putf(w, top + rows - 1, 2, cols - 4, "%s  a: add to cart   +/-: "
            "quantity   Esc: back",
            ui_unicode() ? "\u2190/\u2192: size" : "Left/Right: size");
    wattroff(w, theme_attr(EL_DIM));
}

static void answer(app *a, int accepted)
{
    tg_nudge_decision *d = &a->item_nudge;
    const tg_nudge_def *def = &a->catalog.nudges[d->nudge];
    nudge_note_answer(d, accepted, &a->nudge_session, &a->budget);
    tg_err err = {0};
    if (a->item_nudge_id &&
        nudge_store_answer(a->store, a->item_nudge_id, accepted,
                           shop_now(a->shop), &err) != TG_OK)
        app_note(a, "could not record the answer: %s", err.msg);
    app_event(a, "nudge_answer", "%s %s", def->id,
              accepted ? "accepted" : "declined");
    a->item_nudge_state = accepted ? 2 : 3;
    if (!accepted)
        return;
    switch (d->action) {
    case TG_ACTION_SWITCH_SIZE:
        for (int i = 0; i < a->item.n_sizes; i++)
            if (features_size_rank(a->item.sizes[i], NULL) ==
                d->suggested_size)
                a->size_sel = i;
        app_note(a, "Switched to size %s.", size_name(a));
        break;
    case TG_ACTION_SAVE_FOR_LATER:
        app_note(a, "Saved %s for later: sleep on it.", a->item.name);
        break;
    case TG_ACTION_READ_REVIEWS:
        app_note(a, "Real buyers' reviews: most mention the fit and the "
                    "fabric; photos show it true to colour.");
        break;
    default:
        app_note(a, "Thanks!");
        break;
    }
    rescore(a);
}

static int key(app *a, int act, int ch)
{
    (void)ch;
    if (!a->item.product_id)
        return 0;
    switch (act) {
    case ACT_LEFT:
        if (a->size_sel > 0) {
            a->size_sel--;
            app_event(a, "size", "%s", size_name(a));
        }
        rescore(a);
        return 1;
    case ACT_RIGHT:
        if (a->size_sel + 1 < a->item.n_sizes) {
            a->size_sel++;
            app_event(a, "size", "%s", size_name(a));
        }
        rescore(a);
        return 1;
    case ACT_QTY_UP:
        if (a->qty < 9)
            a->qty++;
        rescore(a);
        return 1;
    case ACT_QTY_DOWN:
        if (a->qty > 1)
            a->qty--;
        rescore(a);
        return 1;
    case ACT_ACCEPT:
    case ACT_DECLINE:
        if (a->item_nudge_state == 1)
            answer(a, act == ACT_ACCEPT);
        return 1;
    case ACT_ADD: {
        double minutes = (tg_now_mono() - a->item_opened) / 60.0;
        if (cart_add(a, &a->item, size_name(a), a->qty, minutes) == TG_OK) {
            app_note(a, "Added %s%s%s to the cart (%d line%s).", a->item.name,
                     size_name(a)[0] ? ", size " : "", size_name(a),
                     a->cart.n, a->cart.n == 1 ? "" : "s");
            app_event(a, "add", "%s size=%s qty=%d risk=%.3f", a->item.code,
                      size_name(a), a->qty, a->item_risk_now.p);
        }
        rescore(a);
        return 1;
    }
    default:
        return 0;
    }
}

const screen scr_item = {"item", "Item", enter, draw, key};
