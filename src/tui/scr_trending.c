/* scr_trending.c: the Trending screen: the items of the trends hot now for
 * this shopper, with rank, price, a 14-day sparkline of the trend's views,
 * its phase and a risk badge (the risk of buying it in the shopper's usual
 * size with today's cart); search and filters by category, price, phase. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"

static const struct {
    double lo, hi;
    const char *label;
} price_bands[] = {
    {0, 0, "any price"}, {0, 20, "under $20"}, {20, 40, "$20-40"},
    {40, 80, "$40-80"},  {80, 0, "$80 and up"},
};
#define N_PRICE_BANDS (int)(sizeof price_bands / sizeof *price_bands)

/* The size the persona would pick: their usual (shoe) size when the item
 * has it, else the middle size. */
int trending_usual_size(const app *a, const tg_shop_item *it)
{
    if (it->n_sizes == 0)
        return -1;
    const char *usual = it->category == TG_CAT_SHOES ? a->persona.shoe_size
                                                     : a->persona.usual_size;
    for (int i = 0; i < it->n_sizes; i++)
        if (usual[0] && tg_strieq(it->sizes[i], usual))
            return i;
    return it->n_sizes / 2;
}

void trending_free(app *a)
{
    free(a->all);
    free(a->all_risk);
    a->all = NULL, a->all_risk = NULL;
    a->n_all = a->n_items = 0;
}

void trending_reprice(app *a)
{
    for (int i = 0; i < a->n_all; i++)
        a->all_risk[i] = NAN;
}

/* The first frame gets the hottest few at once; the worker then loads
 * APP_MAX_TRENDING of them (on a big store that takes a while). */
#define FIRST_ITEMS 40

void trending_reload(app *a)
{
    if (!a->all) {
        a->all = calloc(APP_MAX_TRENDING, sizeof *a->all);
        a->all_risk = calloc(APP_MAX_TRENDING, sizeof *a->all_risk);
        if (!a->all || !a->all_risk) {
            trending_free(a);
            app_note(a, "trending: out of memory");
            return;
        }
        tg_shop_filter every;
        shop_filter_init(&every);
        tg_err err = {0};
        int got = 0;
        if (shop_trending(a->shop, &every, a->all, FIRST_ITEMS, &got,
                          &err) != TG_OK)
            app_note(a, "trending: %s", err.msg);
        a->n_all = got;
        trending_reprice(a);
        trending_filter(a);
    }
    if (loader_start(a, 0) != TG_OK)
        app_note(a, "trending: cannot start loading");
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

static int matches(const app *a, const tg_shop_item *it)
{
    const tg_shop_filter *f = &a->filter;
    if (f->category >= 0 && it->category != f->category)
        return 0;
    if (f->phase >= 0 && it->phase != f->phase)
        return 0;
    if (f->min_price > 0 && it->price < f->min_price)
        return 0;
    if (f->max_price > 0 && it->price > f->max_price)
        return 0;
    const char *q = a->search[0] == '#' ? a->search + 1 : a->search;
    return !*q || contains(it->name, q) || contains(it->brand, q) ||
           contains(tg_category_names[it->category], q) ||
           contains(it->hashtag, q);
}

void trending_filter(app *a)
{
    a->filter.min_price = price_bands[a->price_band].lo;
    a->filter.max_price = price_bands[a->price_band].hi;
    int n = 0;
    for (int i = 0; i < a->n_all && n < APP_MAX_ITEMS; i++)
        if (matches(a, &a->all[i]))
            a->view[n++] = i;
    a->n_items = n;
    if (a->sel >= n)
        a->sel = n > 0 ? n - 1 : 0;
    if (a->top > a->sel)
        a->top = a->sel;
    a->dirty = 1;
}

/* The badge's risk: the item in the usual size added to today's cart. */
static double badge_risk(app *a, int row)
{
    int i = a->view[row];
    if (!isnan(a->all_risk[i]))
        return a->all_risk[i];
    const tg_shop_item *it = &a->all[i];
    tg_cart c = a->cart;
    if (c.n >= TG_CART_MAX)
        c.n = TG_CART_MAX - 1;
    tg_cart_line *l = &c.line[c.n++];
    memset(l, 0, sizeof *l);
    l->product_id = it->product_id;
    int s = trending_usual_size(a, it);
    if (s >= 0)
        tg_strlcpy(l->size, it->sizes[s], sizeof l->size);
    l->quantity = 1;
    l->unit_price = it->price;
    l->view_minutes = 0; /* as if bought the moment it is seen */
    l->category = it->category;
    app_risk r;
    risk_of_line(a, &c, c.n - 1, &r);
    a->all_risk[i] = r.p;
    return r.p;
}

static void enter(app *a)
{
    if (!a->all)
        trending_reload(a);
}

static void draw_filters(app *a, WINDOW *w, int y, int cols)
{
    char line[300];
    snprintf(line, sizeof line, "Category: %s   Phase: %s   Price: %s",
             a->filter.category < 0 ? "all"
                                    : tg_category_names[a->filter.category],
             a->filter.phase < 0 ? "all" : tg_trend_phase_names[a->filter.phase],
             price_bands[a->price_band].label);
    int x = 1 + ui_put(w, y, 1, cols - 2, line);
    if (a->searching || a->search[0]) {
        x += ui_put(w, y, x, cols - x, "   Search: ");
        wattron(w, a->searching ? theme_attr(EL_SELECTED) : A_BOLD);
        x += ui_putf(w, y, x, cols - x - 1, "%s%s", a->search,
                     a->searching ? "_" : "");
        wattroff(w, a->searching ? theme_attr(EL_SELECTED) : A_BOLD);
    }
}

static void draw(app *a, WINDOW *w, int top, int rows, int cols)
{
    draw_filters(a, w, top, cols);
    int y = top + 1;
    wattron(w, theme_attr(EL_HEADER));
    ui_blank(w, y, 0, cols);
    int namew = cols - 4 - 9 - 16 - 8 - 9 - 2;
    ui_putf(w, y, 0, cols, " %3s  %-*s %8s  %-14s  %-7s %6s", "#", namew,
            "Item", "Price", "Trend (14 d)", "Phase", "Risk");
    wattroff(w, theme_attr(EL_HEADER));
    y++;
    int list_rows = rows - 2;
    if (a->n_items == 0) {
        ui_put(w, y + 1, 2, cols - 4,
               a->search[0] || a->filter.category >= 0 || a->filter.phase >= 0 ||
                       a->price_band
                   ? "No trending item matches these filters (x clears them)."
                   : "No items in the store yet: load data with "
                     "'trendguard ingest'.");
        return;
    }
    if (a->sel < a->top)
        a->top = a->sel;
    if (a->sel >= a->top + list_rows)
        a->top = a->sel - list_rows + 1;
    for (int r = 0; r < list_rows && a->top + r < a->n_items; r++) {
        int i = a->top + r;
        const tg_shop_item *it = &a->all[a->view[i]];
        int sel = i == a->sel;
        if (sel) {
            wattron(w, theme_attr(EL_SELECTED));
            ui_blank(w, y + r, 0, cols);
        }
        char price[24];
        ui_money(it->price, price, sizeof price);
        int x = ui_putf(w, y + r, 0, cols, " %3d  ", i + 1);
        ui_put(w, y + r, x, namew, it->name);
        x += namew + 1;
        ui_putf(w, y + r, x, 8, "%8s", price);
        x += 10;
        if (!sel)
            wattron(w, theme_attr(EL_CHART));
        ui_spark(w, y + r, x, it->spark, TG_SHOP_SPARK_DAYS);
        if (!sel)
            wattroff(w, theme_attr(EL_CHART));
        x += 16;
        ui_put(w, y + r, x, 7, tg_trend_phase_names[it->phase]);
        x += 8;
        double p = badge_risk(a, i);
        if (!sel)
            wattron(w, theme_attr(risk_element(a, p)));
        ui_putf(w, y + r, x, cols - x, "%s %3.0f%%", ui_glyphs->bullet,
                p * 100);
        if (!sel)
            wattroff(w, theme_attr(risk_element(a, p)));
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED));
    }
}

static int search_key(app *a, int act, int ch)
{
    size_t n = strlen(a->search);
    if (act == ACT_OPEN || ch == 27) {
        a->searching = 0;
        if (ch == 27)
            a->search[0] = 0;
        app_event(a, "search", "%s", a->search);
        trending_filter(a);
    } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (n > 0) {
            /* Drop a whole UTF-8 character. */
            while (n > 0 && ((unsigned char)a->search[n - 1] & 0xC0) == 0x80)
                n--;
            a->search[n > 0 ? n - 1 : 0] = 0;
        }
        trending_filter(a);
    } else if (ch >= 32 && ch < 256 && ch != 127 && n + 1 < sizeof a->search) {
        a->search[n] = (char)ch;
        a->search[n + 1] = 0;
        trending_filter(a);
    }
    a->sel = 0, a->top = 0;
    return 1;
}

static int key(app *a, int act, int ch)
{
    if (a->searching)
        return search_key(a, act, ch);
    int page = a->rows - 6;
    switch (act) {
    case ACT_UP:
        if (a->sel > 0)
            a->sel--;
        return 1;
    case ACT_DOWN:
        if (a->sel + 1 < a->n_items)
            a->sel++;
        return 1;
    case ACT_PAGE_UP:
        a->sel = a->sel > page ? a->sel - page : 0;
        return 1;
    case ACT_PAGE_DOWN:
        a->sel = a->sel + page < a->n_items ? a->sel + page
                                            : (a->n_items ? a->n_items - 1 : 0);
        return 1;
    case ACT_HOME:
        a->sel = 0;
        return 1;
    case ACT_END:
        a->sel = a->n_items ? a->n_items - 1 : 0;
        return 1;
    case ACT_OPEN:
        if (a->n_items > 0) {
            item_open(a, a->all[a->view[a->sel]].product_id);
            app_go(a, SCR_ITEM);
        }
        return 1;
    case ACT_SEARCH:
        a->searching = 1;
        return 1;
    case ACT_CATEGORY:
        a->filter.category = a->filter.category + 1 >= TG_NUM_CATEGORIES
                                 ? -1 : a->filter.category + 1;
        break;
    case ACT_PHASE:
        a->filter.phase = a->filter.phase + 1 >= TG_NUM_TREND_PHASES
                              ? -1 : a->filter.phase + 1;
        break;
    case ACT_PRICE:
        a->price_band = (a->price_band + 1) % N_PRICE_BANDS;
        break;
    case ACT_CLEAR:
        shop_filter_init(&a->filter);
        a->price_band = 0;
        a->search[0] = 0;
        break;
    case ACT_BACK:
        return 1; /* the first screen: nowhere to go back to */
    case ACT_NONE:
        if (ch == KEY_MOUSE) {
            int row = a->top + a->mouse_y - 3; /* tabs, filters, header */
            if (a->mouse_y >= 3 && row < a->n_items) {
                if (row == a->sel)
                    return key(a, ACT_OPEN, '\n');
                a->sel = row;
            }
            return 1;
        }
        return 0;
    default:
        return 0;
    }
    a->sel = 0, a->top = 0;
    app_event(a, "filter", "category=%s phase=%s price=%s",
              a->filter.category < 0 ? "all"
                                     : tg_category_names[a->filter.category],
              a->filter.phase < 0 ? "all"
                                  : tg_trend_phase_names[a->filter.phase],
              price_bands[a->price_band].label);
    trending_filter(a);
    return 1;
}

const screen scr_trending = {"trending", "Trending", enter, draw, key};
