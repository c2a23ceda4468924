/* ui.h: what the screens draw with: the colour themes, the glyphs, text
 * cut to a width as the terminal measures it (text.h), sparklines, bars,
 * rules, word wrap, money, the return reasons' words, and the live
 * regret-risk meter (meter.c). */
#ifndef TRENDGUARD_TUI_UI_H
#define TRENDGUARD_TUI_UI_H

#include <curses.h>
#include <stddef.h>

#include "session.h"

/* ---- themes (theme.c) ----------------------------------------------------- */

enum {
    EL_NORMAL, EL_TITLE, EL_TAB, EL_TAB_ACTIVE, EL_DIM, EL_SELECTED,
    EL_HEADER, EL_RISK_LOW, EL_RISK_MEDIUM, EL_RISK_HIGH, EL_NUDGE,
    EL_NUDGE_TITLE, EL_GOOD, EL_BAD, EL_CHART, EL_STATUS, EL_KEY,
    EL_COUNT
};
enum { THEME_COLOUR, THEME_MONO, THEME_COUNT };
extern const char *const theme_names[THEME_COUNT];
/* Starts colours when the terminal has them and colour is wanted (not
 * NO_COLOR); picks THEME_MONO otherwise. Returns the theme in use. */
int theme_init(int want);
void theme_set(int theme);
int theme_current(void);
attr_t theme_attr(int element);
/* The element of a risk band (TG_BAND_*). */
int theme_band(int band);

/* ---- drawing (ui.c) ------------------------------------------------------- */

/* Glyphs: UTF-8 block characters, or ASCII in a non-UTF-8 locale. */
typedef struct glyphs {
    const char *spark[8];   /* lowest .. highest */
    const char *full, *empty, *bullet, *sel, *up, *down, *hbar;
    const char *vline, *hline;
    const char *pending;    /* a figure still being worked out */
} glyphs;
extern const glyphs *ui_glyphs;
/* Picks the glyphs and how text is measured for the locale (unicode: a
 * UTF-8 locale) and the terminal (zwj_joins: see text.h). */
void ui_init_glyphs(int unicode, int zwj_joins);
int ui_unicode(void);

/* Writes s at (y, x) in at most width columns, cut only between grapheme
 * clusters and ending in an ellipsis when cut (in a UTF-8 locale).
 * Returns the columns used. */
int ui_put(WINDOW *w, int y, int x, int width, const char *s);
int ui_putf(WINDOW *w, int y, int x, int width, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Display width of s. */
int ui_width(const char *s);
/* s right-aligned in width columns as the terminal draws it (printf's
 * "%8s" counts bytes: a pound sign is two), into buf. */
char *ui_right(const char *s, int width, char *buf, size_t n);
/* Clears cols columns from (y, x). */
void ui_blank(WINDOW *w, int y, int x, int cols);
/* A sparkline of n values (NaN: blank) in n columns. */
void ui_spark(WINDOW *w, int y, int x, const double *v, int n);
/* A horizontal bar of width cols filled to frac (0..1). */
void ui_bar(WINDOW *w, int y, int x, int cols, double frac);
/* A box title line: "-- Title ----". */
void ui_rule(WINDOW *w, int y, int x, int cols, const char *title);
/* Word-wraps text into at most max_lines lines of width cols from (y, x);
 * returns the lines used. */
int ui_wrap(WINDOW *w, int y, int x, int cols, int max_lines,
            const char *text);
/* Money in the store's currency (money_format): "$1,234", "12.50" after
 * a pound sign, or "GBP 12.50" where the terminal draws ASCII only. */
char *ui_money(const session *s, double v, char *buf, size_t n);
/* A risk as a whole percent that agrees with its band ("24%"; "-" for
 * NaN); *band (may be NULL) gets the band (session_figure). */
char *ui_risk(const session *s, double p, char *buf, size_t n, int *band);

/* The return reasons a shopper picks from, with their words. */
typedef struct ui_reason {
    const char *id, *label;
} ui_reason;
extern const ui_reason ui_reasons[];
extern const int ui_n_reasons;
/* A return reason's words ("too_small" -> "Too small"); the id itself
 * when it has none. */
const char *ui_reason_label(const char *id);

/* ---- the risk meter (meter.c) ---------------------------------------------- */

/* The live regret-risk meter, a component of its own (like htop's
 * meters): "Regret risk [#####-----] 47% medium" in the band's colour
 * (the figure and the band agree: ui_risk), with up to reasons reasons
 * underneath. Returns the rows it used. */
int meter_draw(const session *s, WINDOW *w, int y, int x, int cols,
               const line_risk *r, int reasons);

#endif
