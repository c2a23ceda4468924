/* scr_help.c: the help screen, drawn from the key table so it always says
 * what the keys do, and the persona switcher: shoppers from the store,
 * each described in a line, so a demo can show how risk and nudges change
 * from one person to the next. */
#include <stdio.h>
#include <string.h>

#include "app.h"

static int help_top;
#define KEY_COLS 15 /* the key names' column */

static void help_enter(app *a)
{
    (void)a;
    help_top = 0;
}

/* Each action once, with every key bound to it on any screen. */
static void help_draw(app *a, WINDOW *w, int top, int rows, int cols)
{
    (void)a;
    wattron(w, theme_attr(EL_TITLE));
    ui_put(w, top + 1, 2, cols - 4, "Keys");
    wattroff(w, theme_attr(EL_TITLE));
    int y = top + 2, line = 0, colw = (cols - 4) / 2;
    int per_col = rows - 2;
    for (int i = 0; i < keys_count; i++) {
        const key_binding *k = &keys_table[i];
        int seen = 0;
        for (int j = 0; j < i; j++)
            if (keys_table[j].action == k->action &&
                strcmp(keys_table[j].help, k->help) == 0)
                seen = 1;
        if (seen)
            continue;
        char keys[64] = "";
        for (int j = i; j < keys_count; j++)
            if (keys_table[j].action == k->action &&
                strcmp(keys_table[j].help, k->help) == 0) {
                char name[24];
                keys_name(keys_table[j].key, name, sizeof name);
                /* As many names as fit the key column. */
                if (strstr(keys, name) ||
                    strlen(keys) + 1 + strlen(name) > KEY_COLS)
                    continue;
                if (keys[0])
                    strncat(keys, " ", sizeof keys - strlen(keys) - 1);
                strncat(keys, name, sizeof keys - strlen(keys) - 1);
            }
        int shown = line - help_top;
        line++;
        if (shown < 0 || shown >= per_col * 2)
            continue;
        int x = 2 + (shown / per_col) * colw, yy = y + shown % per_col;
        wattron(w, theme_attr(EL_KEY));
        ui_put(w, yy, x, KEY_COLS, keys);
        wattroff(w, theme_attr(EL_KEY));
        ui_put(w, yy, x + KEY_COLS + 1, colw - KEY_COLS - 2, k->help);
    }
}

static int help_key(app *a, int act, int ch)
{
    (void)a, (void)ch;
    if (act == ACT_DOWN)
        help_top++;
    else if (act == ACT_UP && help_top > 0)
        help_top--;
    else
        return 0;
    return 1;
}

const screen scr_help = {"help", "Help", help_enter, help_draw, help_key};

/* ---- personas -------------------------------------------------------------- */

/* Shops as persona p from now on: a new cart owner, caps and orders. */
void app_persona_set(app *a, const tg_persona *p)
{
    a->persona = *p;
    a->cart.customer_id = p->id;
    nudge_session_init(&a->nudge_session);
    tg_err err = {0};
    int64_t now = shop_now(a->shop);
    if (a->catalog.n > 0) {
        nudge_store_shopper(a->store, &a->catalog, p->id, now,
                            &a->nudge_shopper, &err);
        nudge_store_budget(a->store, &a->catalog, now, &a->budget, &err);
    }
    a->item_nudge_state = 0;
    a->item_nudge_quiet = TG_WHY_SHOWN;
    a->cart_nudge_state = 0;
    trending_reprice(a);
    char line[160];
    shop_persona_line(p, line, sizeof line);
    app_event(a, "persona", "%lld %s", (long long)p->id, line);
    app_note(a, "Shopping as %s.", line);
    cart_rescore(a);
    orders_reload(a);
    if (a->item.product_id)
        item_open(a, a->item.product_id);
}

static void personas_enter(app *a)
{
    if (a->n_personas == 0)
        loader_start(a, 1);
    for (int i = 0; i < a->n_personas; i++)
        if (a->personas[i].id == a->persona.id)
            a->persona_sel = i;
}

static void personas_draw(app *a, WINDOW *w, int top, int rows, int cols)
{
    wattron(w, theme_attr(EL_TITLE));
    ui_put(w, top + 1, 2, cols - 4, "Shop as...");
    wattroff(w, theme_attr(EL_TITLE));
    if (a->n_personas == 0) {
        ui_put(w, top + 3, 2, cols - 4, a->loading[0]
                                            ? "Loading the shoppers..."
                                            : "The store has no customers "
                                              "yet.");
        return;
    }
    int list = rows - 3, first = a->persona_sel >= list
                                     ? a->persona_sel - list + 1 : 0;
    for (int r = 0; r < list && first + r < a->n_personas; r++) {
        int i = first + r;
        const tg_persona *p = &a->personas[i];
        char line[160];
        shop_persona_line(p, line, sizeof line);
        int sel = i == a->persona_sel;
        if (sel) {
            wattron(w, theme_attr(EL_SELECTED));
            ui_blank(w, top + 2 + r, 1, cols - 2);
        }
        ui_putf(w, top + 2 + r, 2, cols - 4, "%s %-10s %s",
                p->id == a->persona.id ? ui_glyphs->sel : " ", p->code, line);
        if (sel)
            wattroff(w, theme_attr(EL_SELECTED));
    }
}

static int personas_key(app *a, int act, int ch)
{
    (void)ch;
    switch (act) {
    case ACT_UP:
        if (a->persona_sel > 0)
            a->persona_sel--;
        return 1;
    case ACT_DOWN:
        if (a->persona_sel + 1 < a->n_personas)
            a->persona_sel++;
        return 1;
    case ACT_OPEN:
        if (a->n_personas > 0) {
            app_persona_set(a, &a->personas[a->persona_sel]);
            app_go(a, a->back < SCR_MAIN ? a->back : SCR_TRENDING);
        }
        return 1;
    default:
        return 0;
    }
}

const screen scr_personas = {"personas", "Shoppers", personas_enter,
                             personas_draw, personas_key};
