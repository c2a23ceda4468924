/* scr_trending.c: the Trending screen: the items of the trends hot now
 * (the session's hottest items: fresh in the store's newest trend data)
 * for this shopper, with rank, price, a 14-day sparkline of the trend's
 * views, its phase and a risk badge (the risk of buying it in the
 * shopper's usual size with today's cart, priced on a worker: a row
 * shows a placeholder until its badge lands); search and filters by
 * category, price (in the store's currency) and phase. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "badges.h"
#include "keys.h"
#include "screen.h"
#include "text.h"
#include "ui.h"

#define MAX_ROWS 200 /* rows of the list */

static const struct {
    double lo, hi;
} price_bands[] = {{0, 0}, {0, 20}, {20, 40}, {40, 80}, {80, 0}};
#define N_PRICE_BANDS (int)(sizeof price_bands / sizeof *price_bands)

static struct {
    tg_shop_filter filter;
    char search[64];
    int searching;           /* the search box has the keyboard */
    int skip;                /* bytes of a character that did not fit */
    int price_band;
    int view[MAX_ROWS];      /* the rows: indexes into the hottest items */
    int n_items, sel, top;
    int64_t sel_product;     /* the selected row's item, kept on reload */
    double risk[SESSION_MAX_HOT]; /* badge risks, NaN until priced */
    unsigned seen_hot, seen_cart, seen_shopper;
    /* the badges' pricing: its generation (a pricing of an earlier one is
     * dropped), the rows drawn without a badge, and whether the worker
     * failed (then the rows drawn are priced at once, as they are
     * drawn) */
    badges *pricing;
    unsigned gen;
    int want[BADGES_MAX], n_want;
    int at_once;
} st;

static void reprice(void)
{
    for (int i = 0; i < SESSION_MAX_HOT; i++)
        st.risk[i] = NAN;
    st.gen++;
    st.at_once = 0; /* the worker is tried again after a failure */
}

static void init(session *s)
{
    (void)s;
    memset(&st, 0, sizeof st);
    shop_filter_init(&st.filter);
    reprice();
}

static void fini(void)
{
    badges_free(st.pricing);
    st.pricing = NULL;
}

/* Remembers the selected row's item. */
static void remember(const session *s)
{
    st.sel_product = st.n_items > 0 && st.sel < st.n_items
                         ? s->hot[st.view[st.sel]].product_id : 0;
}

/* Case-insensitive substring (ASCII case; other bytes compare as they
 * are), the same rule as shop_trending's search. */
static int contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return n == 0;
}

static int matches(const tg_shop_item *it)
{
    const tg_shop_filter *f = &st.filter;
    if (f->category >= 0 && it->category != f->category)
        return 0;
    if (f->phase >= 0 && it->phase != f->phase)
        return 0;
    if (f->min_price > 0 && it->price < f->min_price)
        return 0;
    if (f->max_price > 0 && it->price > f->max_price)
        return 0;
    const char *q = st.search[0] == '#' ? st.search + 1 : st.search;
    return !*q || contains(it->name, q) || contains(it->brand, q) ||
           contains(tg_category_names[it->category], q) ||
           contains(it->hashtag, q);
}

/* A price band in the store's currency: "under $20", "GBP 20-40". */
static const char *band_label(const session *s, int b, char *buf, size_t n)
{
    const char *c = money_symbol(&s->currency, s->ascii);
    double lo = price_bands[b].lo, hi = price_bands[b].hi;
    if (!lo && !hi)
        snprintf(buf, n, "any price");
    else if (!lo)
        snprintf(buf, n, "under %s%.0f", c, hi);
    else if (!hi)
        snprintf(buf, n, "%s%.0f and up", c, lo);
    else
        snprintf(buf, n, "%s%.0f-%.0f", c, lo, hi);
    return buf;
}

/* Filters the hottest items into the rows (no store access). */
static void refilter(const session *s)
{
    st.filter.min_price = price_bands[st.price_band].lo;
    st.filter.max_price = price_bands[st.price_band].hi;
    int n = 0;
    for (int i = 0; i < s->n_hot && n < MAX_ROWS; i++)
        if (matches(&s->hot[i]))
            st.view[n++] = i;
    st.n_items = n;
    if (st.sel >= n)
        st.sel = n > 0 ? n - 1 : 0;
    if (st.top > st.sel)
        st.top = st.sel;
}

static void sync(session *s)
{
    if (st.seen_hot != s->gen_hot) {
        st.seen_hot = s->gen_hot;
        int64_t keep = st.sel_product;
        refilter(s);
        for (int i = 0; keep && i < st.n_items; i++)
            if (s->hot[st.view[i]].product_id == keep)
                st.sel = i;
        remember(s);
        reprice();
    }
    if (st.seen_cart != s->gen_cart || st.seen_shopper != s->gen_shopper) {
        st.seen_cart = s->gen_cart;
        st.seen_shopper = s->gen_shopper;
        reprice();
    }
}

static void enter(session *s, int64_t id)
{
    (void)id;
    if (!s->hot)
        session_hot_load(s);
    sync(s);
}

/* The badge's risk: the item in the usual size added to today's cart, as
 * if bought the moment it is seen; NaN while it is being priced (the
 * row is wanted), or worked out at once when the worker cannot. */
static double badge_risk(session *s, int row)
{
    int i = st.view[row];
    if (!isnan(st.risk[i]))
        return st.risk[i];
    if (!st.at_once) {
        if (st.n_want < BADGES_MAX)
            st.want[st.n_want++] = i;
        return NAN;
    }
    const tg_shop_item *it = &s->hot[i];
    int size = session_usual_size(s, it);
    line_risk r;
    session_risk_if_added(s, it, size >= 0 ? it->sizes[size] : "", 1, 0, &r);
    return st.risk[i] = r.risk.p;
}

/* Prices the rows wanted, and those of the page below the rows drawn
 * (bottom: the first row not drawn), unless a pricing runs. */
static void price_wanted(session *s, int bottom, int page)
{
    for (int r = bottom; r < bottom + page && r < st.n_items; r++)
        if (isnan(st.risk[st.view[r]]) && st.n_want < BADGES_MAX)
            st.want[st.n_want++] = st.view[r];
    tg_err err = {0};
    if (st.n_want > 0 && badges_fd(st.pricing) < 0 &&
        badges_start(&st.pricing, s, st.gen, st.want, st.n_want, &err) !=
            TG_OK) {
        session_note(s, "risk badges: %s", err.msg);
        st.at_once = 1; /* the next frame prices them itself */
        s->dirty = 1;
    }
    st.n_want = 0;
}

static int fd(void)
{
    return badges_fd(st.pricing);
}

/* Takes a finished pricing: its badges, unless the cart, the shopper or
 * the items changed since it started. */
static void tick(session *s)
{
    if (!badges_done(st.pricing))
        return;
    int idx[BADGES_MAX];
    double p[BADGES_MAX];
    unsigned gen;
    tg_err err = {0};
    int n = badges_take(st.pricing, s->shop, &gen, idx, p, &err);
    if (gen != st.gen)
        n = 0; /* priced for another cart, shopper or list: dropped */
    for (int k = 0; k < n; k++) {
        st.risk[idx[k]] = p[k];
        if (isnan(p[k]) && !err.code)
            tg_fail(&err, TG_EINTERNAL, "a badge could not be priced");
    }
    if (n && err.code) {
        session_note(s, "risk badges: %s", err.msg);
        st.at_once = 1;
    }
    s->dirty = 1; /* the badges, or a pricing of what is drawn now */
}

static void draw_filters(const session *s, WINDOW *w, int y, int cols)
{
    char line[300], price[40];
    snprintf(line, sizeof line, "Category: %s   Phase: %s   Price: %s",
             st.filter.category < 0 ? "all"
                                    : tg_category_names[st.filter.category],
             st.filter.phase < 0 ? "all"
                                 : tg_trend_phase_names[st.filter.phase],
             band_label(s, st.price_band, price, sizeof price));
    int x = 1 + ui_put(w, y, 1, cols - 2, line);
    if (st.searching || st.search[0]) {
        x += ui_put(w, y, x, cols - x, "   Search: ");
        attr_t box = st.searching ? theme_attr(EL_SELECTED) : A_BOLD;
        wattron(w, box);
        x += ui_putf(w, y, x, cols - x - 1, "%s%s", st.search,
                     st.searching ? "_" : "");
        wattroff(w, box);
    }
}

static void draw_row(session *s, WINDOW *w, int y, int i, int namew,
                     int cols)
{
    const tg_shop_item *it = &s->hot[st.view[i]];
    int sel = i == st.sel;
    if (sel) {
        wattron(w, theme_attr(EL_SELECTED));
        ui_blank(w, y, 0, cols);
    }
    char price[24];
    ui_money(s, it->price, price, sizeof price);
    int x = ui_putf(w, y, 0, cols, " %3d  ", i + 1);
    ui_put(w, y, x, namew, it->name);
    x += namew + 1;
    char right[32];
    ui_put(w, y, x, 8, ui_right(price, 8, right, sizeof right));
    x += 10;
    if (!sel)
        wattron(w, theme_attr(EL_CHART));
    ui_spark(w, y, x, it->spark, TG_SHOP_SPARK_DAYS);
    if (!sel)
        wattroff(w, theme_attr(EL_CHART));
    x += 16;
    ui_put(w, y, x, 7, tg_trend_phase_names[it->phase]);
    x += 8;
    char pct[16];
    int b;
    double p = badge_risk(s, i);
    ui_risk(s, p, pct, sizeof pct, &b);
    if (isnan(p)) /* being priced: no figure, no band */
        snprintf(pct, sizeof pct, "%*s%s", 4 - ui_width(ui_glyphs->pending),
                 "", ui_glyphs->pending);
    attr_t band = theme_attr(isnan(p) ? EL_DIM : theme_band(b));
    if (!sel)
        wattron(w, band);
    ui_putf(w, y, x, cols - x, "%s %4s", ui_glyphs->bullet, pct);
    if (!sel)
        wattroff(w, band);
    if (sel)
        wattroff(w, theme_attr(EL_SELECTED));
}

static void draw(session *s, WINDOW *w, int top, int rows, int cols)
{
    draw_filters(s, w, top, cols);
    int y = top + 1;
    wattron(w, theme_attr(EL_HEADER));
    ui_blank(w, y, 0, cols);
    int namew = cols - 4 - 9 - 16 - 8 - 9 - 2;
    ui_putf(w, y, 0, cols, " %3s  %-*s %8s  %-14s  %-7s %6s", "#", namew,
            "Item", "Price", "Trend (14 d)", "Phase", "Risk");
    wattroff(w, theme_attr(EL_HEADER));
    y++;
    int list_rows = rows - 2;
    if (st.n_items == 0) {
        ui_put(w, y + 1, 2, cols - 4,
               st.search[0] || st.filter.category >= 0 ||
                       st.filter.phase >= 0 || st.price_band
                   ? "No trending item matches these filters (x clears them)."
                   : "No item's trend gained views in the store's newest "
                     "day of trend data (R reloads; 'trendguard sync' "
                     "fetches trends).");
        return;
    }
    if (st.sel < st.top)
        st.top = st.sel;
    if (st.sel >= st.top + list_rows)
        st.top = st.sel - list_rows + 1;
    st.n_want = 0;
    for (int r = 0; r < list_rows && st.top + r < st.n_items; r++)
        draw_row(s, w, y + r, st.top + r, namew, cols);
    price_wanted(s, st.top + list_rows, list_rows);
}

/* A byte typed into the search box: whole characters only, so the box
 * never ends in part of one when it is full. */
static void search_type(int ch)
{
    size_t n = strlen(st.search);
    unsigned char b = (unsigned char)ch;
    if ((b & 0xC0) == 0x80) { /* the rest of a character */
        if (st.skip > 0)
            st.skip--;
        else if (n > 0 && n + 1 < sizeof st.search)
            st.search[n] = (char)b, st.search[n + 1] = 0;
        return;
    }
    int len = text_char_bytes(b);
    st.skip = 0;
    if (n + (size_t)len < sizeof st.search)
        st.search[n] = (char)b, st.search[n + 1] = 0;
    else
        st.skip = len - 1;
}

static scr_result search_key(session *s, const scr_key *k)
{
    int ch = k->ch;
    if (k->act == ACT_OPEN || ch == 27) {
        st.searching = 0;
        if (ch == 27)
            st.search[0] = 0;
        session_event(s, "search", "%s", st.search);
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        st.search[text_drop_last(st.search, strlen(st.search))] = 0;
        st.skip = 0;
    } else if (ch >= 32 && ch < 256 && ch != 127) {
        search_type(ch);
    }
    refilter(s);
    st.sel = 0, st.top = 0;
    remember(s);
    return scr_handled(1);
}

/* A click on a row selects it; on the selected one, opens it. */
static scr_result click(session *s, const scr_key *k)
{
    int row = st.top + k->y - 3; /* tabs, filters, header */
    if (k->y >= 3 && row < st.n_items) {
        if (row == st.sel)
            return scr_go(SCR_ITEM, s->hot[st.view[st.sel]].product_id);
        st.sel = row;
    }
    return scr_handled(1);
}

/* Moves the selection; 0 when the action is no move. */
static int move_key(int act, int page)
{
    int last = st.n_items ? st.n_items - 1 : 0;
    switch (act) {
    case ACT_UP: st.sel = st.sel > 0 ? st.sel - 1 : 0; return 1;
    case ACT_DOWN: st.sel = st.sel < last ? st.sel + 1 : st.sel; return 1;
    case ACT_PAGE_UP: st.sel = st.sel > page ? st.sel - page : 0; return 1;
    case ACT_PAGE_DOWN:
        st.sel = st.sel + page < st.n_items ? st.sel + page : last;
        return 1;
    case ACT_HOME: st.sel = 0; return 1;
    case ACT_END: st.sel = last; return 1;
    default: return 0;
    }
}

/* A filter key; 0 when the action is none. */
static int set_filter(int act)
{
    switch (act) {
    case ACT_CATEGORY:
        st.filter.category = st.filter.category + 1 >= TG_NUM_CATEGORIES
                                 ? -1 : st.filter.category + 1;
        return 1;
    case ACT_PHASE: /* every listed trend has a phase: none is no choice */
        st.filter.phase = st.filter.phase < 0 ? TG_TREND_NONE + 1
                          : st.filter.phase + 1 >= TG_NUM_TREND_PHASES
                              ? -1 : st.filter.phase + 1;
        return 1;
    case ACT_PRICE:
        st.price_band = (st.price_band + 1) % N_PRICE_BANDS;
        return 1;
    case ACT_CLEAR:
        shop_filter_init(&st.filter);
        st.price_band = 0;
        st.search[0] = 0;
        return 1;
    default:
        return 0;
    }
}

static scr_result key(session *s, const scr_key *k)
{
    if (st.searching)
        return search_key(s, k);
    if (move_key(k->act, k->rows - 6)) {
        remember(s);
        return scr_handled(1);
    }
    if (k->act == ACT_OPEN)
        return st.n_items > 0
                   ? scr_go(SCR_ITEM, s->hot[st.view[st.sel]].product_id)
                   : scr_handled(1);
    if (k->act == ACT_SEARCH) {
        st.searching = 1;
        return scr_handled(1);
    }
    if (k->act == ACT_BACK)
        return scr_handled(1); /* the first screen: nowhere to go back to */
    if (k->act == ACT_NONE && k->ch == KEY_MOUSE)
        return click(s, k);
    if (!set_filter(k->act))
        return scr_handled(0);
    st.sel = 0, st.top = 0;
    char price[40];
    session_event(s, "filter", "category=%s phase=%s price=%s",
                  st.filter.category < 0
                      ? "all" : tg_category_names[st.filter.category],
                  st.filter.phase < 0
                      ? "all" : tg_trend_phase_names[st.filter.phase],
                  band_label(s, st.price_band, price, sizeof price));
    refilter(s);
    remember(s);
    return scr_handled(1);
}

static int hints(const session *s, scr_hint *out)
{
    (void)s;
    int n = 0;
    if (st.searching) {
        scr_hint_add(out, &n, ACT_OPEN, "done");
        scr_hint_add(out, &n, ACT_BACK, "clear the search");
        return n;
    }
    if (st.n_items > 0)
        scr_hint_add(out, &n, ACT_OPEN, "open");
    scr_hint_add(out, &n, ACT_SEARCH, "search");
    scr_hint_add(out, &n, ACT_CATEGORY, "category");
    scr_hint_add(out, &n, ACT_PHASE, "phase");
    scr_hint_add(out, &n, ACT_PRICE, "price");
    if (st.search[0] || st.filter.category >= 0 || st.filter.phase >= 0 ||
        st.price_band)
        scr_hint_add(out, &n, ACT_CLEAR, "clear");
    scr_hint_add(out, &n, ACT_PERSONA, "shopper");
    scr_hint_add(out, &n, ACT_HELP, "help");
    return n;
}

const screen scr_trending = {
    "trending", "Trending", hints,
    init, fini, enter, sync, draw, key, fd, tick};
