/* meter.c: the live regret-risk meter, a component of its own (like htop's
 * meters): "Regret risk [██████░░░░░░] 47% medium", coloured by the risk
 * band, with the top reasons in shopper words underneath and a note when
 * the estimate comes from the rules because the model is unavailable. */
#include <math.h>
#include <stdio.h>

#include "ui.h"

int meter_draw(const session *s, WINDOW *w, int y, int x, int cols,
               const line_risk *lr, int reasons)
{
    static const char *const band_words[TG_NUM_BANDS] = {"low", "medium",
                                                          "high"};
    const char *label = "Regret risk ";
    int lw = ui_width(label);
    const tg_risk *r = &lr->risk;
    char pct[16];
    int b;
    ui_risk(s, r->p, pct, sizeof pct, &b); /* its figure and band agree */
    attr_t band = theme_attr(theme_band(b));
    wattron(w, theme_attr(EL_TITLE));
    ui_put(w, y, x, cols, label);
    wattroff(w, theme_attr(EL_TITLE));
    /* "[bar] 100% medium" needs 2 + 13 columns besides the bar. */
    int bar = cols - lw - 15;
    if (bar > 40)
        bar = 40;
    int col = x + lw;
    if (bar >= 4) {
        mvwaddch(w, y, col++, '[');
        wattron(w, band);
        ui_bar(w, y, col, bar, r->p);
        wattroff(w, band);
        col += bar;
        mvwaddch(w, y, col++, ']');
    }
    wattron(w, band);
    ui_putf(w, y, col, x + cols - col, " %4s %s", pct, band_words[b]);
    wattroff(w, band);
    int used = 1;
    if (r->from_rules) {
        wattron(w, theme_attr(EL_DIM));
        ui_put(w, y + used, x, cols,
               "(rule-based estimate: the model is unavailable)");
        wattroff(w, theme_attr(EL_DIM));
        used++;
    }
    for (int i = 0; i < r->n_reasons && i < reasons; i++) {
        ui_put(w, y + used, x + 1, 2, ui_glyphs->bullet);
        used += ui_wrap(w, y + used, x + 3, cols - 3, 2, r->reasons[i].text);
    }
    if (r->n_reasons == 0 && reasons > 0) {
        wattron(w, theme_attr(EL_DIM));
        ui_put(w, y + used, x + 1, cols - 1, "nothing in this choice adds "
                                             "to the risk");
        wattroff(w, theme_attr(EL_DIM));
        used++;
    }
    return used;
}
