/* chrome.c: the tab bar, the status line and the hints around the open
 * screen, and the message for a terminal that is too small. */
#include <stdio.h>

#include "chrome.h"
#include "keys.h"
#include "ui.h"

#define TABS_X 12 /* the tabs start after " TrendGuard " */

static void draw_tabs(const session *s, const screen *const *screens,
                      int cols)
{
    attr_t tab = theme_attr(EL_TAB);
    attrset(tab);
    ui_blank(stdscr, 0, 0, cols);
    int x = 0;
    attrset(tab | A_BOLD);
    x += ui_put(stdscr, 0, x, cols, " TrendGuard ");
    for (int i = 0; i < SCR_MAIN && x < cols; i++) {
        attrset(i == s->screen ? theme_attr(EL_TAB_ACTIVE) : tab);
        char label[40];
        snprintf(label, sizeof label, " %d %s ", i + 1, screens[i]->title);
        if (i == SCR_CART && s->cart.n > 0)
            snprintf(label, sizeof label, " %d %s (%d) ", i + 1,
                     screens[i]->title, s->cart.n);
        x += ui_put(stdscr, 0, x, cols - x, label);
        attrset(tab);
        if (x < cols)
            x += ui_put(stdscr, 0, x, 1, " ");
    }
    attrset(tab);
    if (x + 8 < cols)
        ui_put(stdscr, 0, cols - 8, 8, " ? help ");
    attrset(A_NORMAL);
}

int chrome_tab_at(const screen *const *screens, int x)
{
    int at = TABS_X;
    for (int i = 0; i < SCR_MAIN; i++) {
        int w = 4 + ui_width(screens[i]->title);
        if (x >= at && x < at + w)
            return i;
        at += w;
    }
    return -1;
}

/* The shopper on the left; demo mode, the feed, the model and the date on
 * the right always show. */
static void draw_status(const session *s, int y, int cols)
{
    attrset(theme_attr(EL_STATUS));
    ui_blank(stdscr, y, 0, cols);
    char who[160], model[220];
    if (s->persona.id)
        shop_persona_line(&s->persona, who, sizeof who);
    else
        snprintf(who, sizeof who, "%s",
                 s->loading[0] ? s->loading : "anonymous shopper");
    if (s->model)
        snprintf(model, sizeof model, "model v%d", s->model_info.version);
    else
        snprintf(model, sizeof model, "model unavailable: rule-based "
                                      "estimate");
    char date[16];
    tg_date_format(shop_now(s->shop), date, sizeof date);
    char right[400];
    snprintf(right, sizeof right, " %s%s%s%s%s | %s ",
             uilog_recording(s->log) ? "REC | " : "",
             s->config.demo ? "DEMO: tips uncapped | " : "", s->feed_state,
             s->feed_state[0] ? " | " : "", model, date);
    int rw = ui_width(right);
    if (rw > cols)
        rw = cols;
    ui_put(stdscr, y, cols - rw, rw, right);
    ui_putf(stdscr, y, 0, cols - rw, " %s ", who);
    attrset(A_NORMAL);
}

/* The note while it lasts, else the open screen's key hints. */
static void draw_hints(session *s, const screen *scr, int y, int cols)
{
    ui_blank(stdscr, y, 0, cols);
    if (s->note[0] && tg_now_mono() < s->note_until) {
        attrset(theme_attr(EL_NUDGE));
        ui_put(stdscr, y, 1, cols - 2, s->note);
        attrset(A_NORMAL);
        return;
    }
    s->note[0] = 0;
    scr_hint h[SCR_HINTS];
    int n = scr->hints(s, h), x = 1;
    for (int i = 0; i < n; i++) {
        char k[24], what[64];
        keys_hint(s->screen, h[i].action, k, sizeof k);
        if (h[i].action == ACT_LEFT)
            snprintf(k, sizeof k, "%s", ui_unicode() ? "\u2190\u2192"
                                                       : "Left/Right");
        else if (h[i].action == ACT_UP)
            snprintf(k, sizeof k, "%s", ui_unicode() ? "\u2191\u2193"
                                                       : "Up/Down");
        snprintf(what, sizeof what, " %s  ", h[i].what);
        /* Whole hints only. */
        if (x + ui_width(k) + ui_width(what) > cols)
            break;
        attrset(theme_attr(EL_KEY));
        x += ui_put(stdscr, y, x, cols - x, k);
        attrset(A_NORMAL);
        x += ui_put(stdscr, y, x, cols - x, what);
    }
}

static void draw_too_small(int rows, int cols)
{
    erase();
    attrset(A_BOLD);
    ui_put(stdscr, 0, 0, cols, "TrendGuard");
    attrset(A_NORMAL);
    char msg[160];
    snprintf(msg, sizeof msg, "The terminal is %dx%d; TrendGuard needs at "
             "least %dx%d. Make the window larger, or press q to quit.",
             cols, rows, CHROME_MIN_COLS, CHROME_MIN_ROWS);
    ui_wrap(stdscr, rows > 2 ? 1 : 0, 0, cols, rows > 1 ? rows - 1 : 1, msg);
}

void chrome_draw(session *s, const screen *const *screens, int rows,
                 int cols)
{
    if (cols < CHROME_MIN_COLS || rows < CHROME_MIN_ROWS) {
        draw_too_small(rows, cols);
        return;
    }
    erase();
    draw_tabs(s, screens, cols);
    screens[s->screen]->draw(s, stdscr, 1, rows - 3, cols);
    draw_status(s, rows - 2, cols);
    draw_hints(s, screens[s->screen], rows - 1, cols);
}
