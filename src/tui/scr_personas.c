/* scr_personas.c: the persona switcher: shoppers from the store, each
 * described in a line after the number --persona and the settings take,
 * so a demo can show how risk and nudges change from one person to the
 * next; the one picked is kept for the next launch. */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "ui.h"

static struct {
    int sel;
} st;

static void enter(session *s, int64_t id)
{
    (void)id;
    if (s->n_personas == 0)
        session_personas_load(s);
    for (int i = 0; i < s->n_personas; i++)
        if (s->personas[i].id == s->persona.id)
            st.sel = i;
}

static void draw(session *s, WINDOW *w, int top, int rows, int cols)
{
    wattron(w, theme_attr(EL_TITLE));
    ui_put(w, top + 1, 2, cols - 4, "Shop as...   (the number: trendguard "
                                    "--persona N)");
    wattroff(w, theme_attr(EL_TITLE));
    if (s->n_personas == 0) {
        ui_put(w, top + 3, 2, cols - 4,
               s->loading[0] ? "Loading the shoppers..."
                             : "The store has no customers yet.");
        return;
    }
    int list = rows - 3, first = st.sel >= list ? st.sel - list + 1 : 0;
    for (int r = 0; r < list && first + r < s->n_personas; r++) {
        int i = first + r;
        const tg_persona *p = &s->personas[i];
        char line[160];
        shop_persona_line(p, line, sizeof line);
        int sel = i == st.sel;
        if (sel) {
            wattron(w, theme_attr(EL_SELECTED));
            ui_blank(w, top + 2 + r, 1, cols - 2);
        }
        ui_putf(w, top + 2 + r, 2, cols - 4, "%s %7lld  %s",
                p->id == s->persona.id ? ui_glyphs->sel : " ",
                (long long)p->id, line);
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED));
    }
}

static scr_result key(session *s, const scr_key *k)
{
    if (scr_list_key(k->act, &st.sel, s->n_personas))
        return scr_handled(1);
    switch (k->act) {
    case ACT_OPEN:
        if (s->n_personas == 0)
            return scr_handled(1);
        session_pick_shopper(s, &s->personas[st.sel]);
        return (scr_result){SR_BACK, 0, 0};
    default:
        return scr_handled(0);
    }
}

static int hints(const session *s, scr_hint *out)
{
    int n = 0;
    if (s->n_personas > 0)
        scr_hint_add(out, &n, ACT_OPEN, "shop as");
    scr_hint_add(out, &n, ACT_BACK, "back");
    scr_hint_add(out, &n, ACT_QUIT, "quit");
    return n;
}

const screen scr_personas = {
    "personas", "Shoppers", hints,
    NULL, NULL, enter, NULL, draw, key, NULL, NULL};
