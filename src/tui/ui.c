/* ui.c: drawing helpers the screens share: text cut to a display width as
 * the terminal measures it (text.h: never inside a grapheme cluster, with
 * an ellipsis), sparklines, bars, rules, word wrap, money and the return
 * reasons' words, with UTF-8 block glyphs or their ASCII fallback in a C
 * locale. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "text.h"
#include "ui.h"

static const glyphs utf8_glyphs = {
    {"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
     "\u2588"},
    "\u2588", "\u2591", "\u2022", "\u25b6", "\u25b2", "\u25bc", "\u2500",
    "\u2502", "\u2500", "\u2026"};
static const glyphs ascii_glyphs = {
    {"_", ".", "-", "=", "+", "*", "#", "@"},
    "#", ".", "*", ">", "^", "v", "-", "|", "-", "..."};

const glyphs *ui_glyphs = &ascii_glyphs;
static int unicode_on;

void ui_init_glyphs(int unicode, int zwj_joins)
{
    unicode_on = unicode;
    ui_glyphs = unicode ? &utf8_glyphs : &ascii_glyphs;
    text_init(unicode, zwj_joins);
}

int ui_unicode(void)
{
    return unicode_on;
}

int ui_width(const char *s)
{
    return text_width(s);
}

/* Draws the cluster of len bytes at s from (y, x), each cell as one
 * cchar_t holding all of its characters. It is filled by hand: setcchar
 * would stop at a character joined after a zero-width joiner. The
 * window's attributes apply to it, as to any character without its own. */
static void put_cluster(WINDOW *w, int y, int x, const char *s, size_t len)
{
    text_cell cells[TEXT_CLUSTER_CELLS];
    int n = text_cells(s, len, cells, TEXT_CLUSTER_CELLS);
    for (int i = 0; i < n; i++) {
        cchar_t cc;
        memset(&cc, 0, sizeof cc);
        for (int k = 0; k < CCHARW_MAX && cells[i].wc[k]; k++)
            cc.chars[k] = cells[i].wc[k];
        mvwadd_wch(w, y, x, &cc);
        x += cells[i].cols;
    }
}

int ui_put(WINDOW *w, int y, int x, int width, const char *s)
{
    if (width <= 0 || !s)
        return 0;
    /* Text cut short ends in an ellipsis where the terminal has one. */
    int cut = unicode_on && width > 1 && text_width(s) > width;
    int room = cut ? width - 1 : width;
    int used = 0, cw;
    const char *end = s + strlen(s);
    for (size_t len; (len = text_cluster(s, end, &cw)) > 0; s += len) {
        if (used + cw > room)
            break;
        put_cluster(w, y, x + used, s, len);
        used += cw;
    }
    if (cut)
        mvwaddstr(w, y, x + used++, "\u2026");
    return used;
}

int ui_putf(WINDOW *w, int y, int x, int width, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ui_put(w, y, x, width, buf);
}

char *ui_right(const char *s, int width, char *buf, size_t n)
{
    int pad = width - ui_width(s);
    snprintf(buf, n, "%*s%s", pad > 0 ? pad : 0, "", s);
    return buf;
}

void ui_blank(WINDOW *w, int y, int x, int cols)
{
    for (int i = 0; i < cols; i++)
        mvwaddch(w, y, x + i, ' ');
}

void ui_spark(WINDOW *w, int y, int x, const double *v, int n)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i])) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
        }
    for (int i = 0; i < n; i++) {
        if (isnan(v[i])) {
            mvwaddch(w, y, x + i, ' ');
            continue;
        }
        int level = hi > lo ? (int)((v[i] - lo) / (hi - lo) * 7.0 + 0.5) : 3;
        mvwaddstr(w, y, x + i, ui_glyphs->spark[level < 0 ? 0
                                                 : level > 7 ? 7 : level]);
    }
}

void ui_bar(WINDOW *w, int y, int x, int cols, double frac)
{
    if (isnan(frac) || frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    int full = (int)(frac * cols + 0.5);
    for (int i = 0; i < cols; i++)
        mvwaddstr(w, y, x + i, i < full ? ui_glyphs->full : ui_glyphs->empty);
}

void ui_rule(WINDOW *w, int y, int x, int cols, const char *title)
{
    for (int i = 0; i < cols; i++)
        mvwaddstr(w, y, x + i, ui_glyphs->hline);
    if (title && *title) {
        wattron(w, theme_attr(EL_HEADER));
        ui_putf(w, y, x + 1, cols - 2, " %s ", title);
        wattroff(w, theme_attr(EL_HEADER));
    }
}

int ui_wrap(WINDOW *w, int y, int x, int cols, int max_lines,
            const char *text)
{
    int line = 0;
    const char *p = text, *stop = text + strlen(text);
    while (*p && line < max_lines) {
        while (*p == ' ')
            p++;
        /* Take words while they fit. */
        const char *end = p, *cut = p;
        int used = 0;
        while (*end) {
            const char *word = end;
            int ww = 0;
            int cw;
            for (size_t len; *end != ' ' &&
                             (len = text_cluster(end, stop, &cw)) > 0;
                 end += len)
                ww += cw;
            if (used + (used ? 1 : 0) + ww > cols) {
                if (used == 0) /* a word longer than the line: cut it */
                    cut = end;
                end = word;
                break;
            }
            used += (used ? 1 : 0) + ww;
            cut = end;
            while (*end == ' ')
                end++;
        }
        char buf[512];
        size_t len = (size_t)(cut - p) < sizeof buf - 1 ? (size_t)(cut - p)
                                                       : sizeof buf - 1;
        memcpy(buf, p, len);
        buf[len] = 0;
        ui_put(w, y + line, x, cols, buf);
        line++;
        if (cut == p)
            break;
        p = cut;
    }
    return line;
}

char *ui_money(const session *s, double v, char *buf, size_t n)
{
    return money_format(v, &s->currency, s->ascii, buf, n);
}

char *ui_risk(const session *s, double p, char *buf, size_t n, int *band)
{
    double f = session_figure(s, p, band);
    if (isnan(f))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.0f%%", f);
    return buf;
}

const ui_reason ui_reasons[] = {
    {"too_small", "Too small"},
    {"too_large", "Too large"},
    {"not_as_pictured", "Not as pictured"},
    {"quality", "Quality"},
    {"changed_mind", "Changed my mind"},
    {"late_delivery", "Arrived late"},
};
const int ui_n_reasons = (int)(sizeof ui_reasons / sizeof *ui_reasons);

const char *ui_reason_label(const char *id)
{
    for (int i = 0; id && i < ui_n_reasons; i++)
        if (strcmp(ui_reasons[i].id, id) == 0)
            return ui_reasons[i].label;
    return id && strcmp(id, "unknown") == 0 ? "Not given" : id;
}
