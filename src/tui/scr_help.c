/* scr_help.c: the help screen, drawn from the key table so it always says
 * what the keys do. */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "ui.h"

static struct {
    int top;                 /* the first line shown */
} st;
#define KEY_COLS 15 /* the key names' column */

static void enter(session *s, int64_t id)
{
    (void)s, (void)id;
    st.top = 0;
}

/* Binding i is the first of its action and words. */
static int first_of_its_kind(int i)
{
    const key_binding *k = &keys_table[i];
    for (int j = 0; j < i; j++)
        if (keys_table[j].action == k->action &&
            strcmp(keys_table[j].help, k->help) == 0)
            return 0;
    return 1;
}

/* Every key bound like binding i, as many names as fit the key column. */
static void key_names(int i, char *keys, size_t n)
{
    const key_binding *k = &keys_table[i];
    keys[0] = 0;
    for (int j = i; j < keys_count; j++) {
        if (keys_table[j].action != k->action ||
            strcmp(keys_table[j].help, k->help) != 0)
            continue;
        char name[24];
        keys_name(keys_table[j].key, name, sizeof name);
        if (strstr(keys, name) || strlen(keys) + 1 + strlen(name) > KEY_COLS)
            continue;
        if (keys[0])
            strncat(keys, " ", n - strlen(keys) - 1);
        strncat(keys, name, n - strlen(keys) - 1);
    }
}

/* Each action once, with every key bound to it on any screen. */
static void draw(session *s, WINDOW *w, int top, int rows, int cols)
{
    (void)s;
    wattron(w, theme_attr(EL_TITLE));
    ui_put(w, top + 1, 2, cols - 4, "Keys");
    wattroff(w, theme_attr(EL_TITLE));
    int y = top + 2, line = 0, colw = (cols - 4) / 2;
    int per_col = rows - 2;
    for (int i = 0; i < keys_count; i++) {
        if (!first_of_its_kind(i))
            continue;
        int shown = line++ - st.top;
        if (shown < 0 || shown >= per_col * 2)
            continue;
        char keys[64];
        key_names(i, keys, sizeof keys);
        int x = 2 + (shown / per_col) * colw, yy = y + shown % per_col;
        wattron(w, theme_attr(EL_KEY));
        ui_put(w, yy, x, KEY_COLS, keys);
        wattroff(w, theme_attr(EL_KEY));
        ui_put(w, yy, x + KEY_COLS + 1, colw - KEY_COLS - 2,
               keys_table[i].help);
    }
}

static scr_result key(session *s, const scr_key *k)
{
    (void)s;
    if (k->act == ACT_DOWN)
        st.top++;
    else if (k->act == ACT_UP && st.top > 0)
        st.top--;
    else
        return scr_handled(0);
    return scr_handled(1);
}

const screen scr_help = {
    "help", "Help", {{ACT_BACK, "back"}, {ACT_QUIT, "quit"}},
    NULL, NULL, enter, NULL, draw, key, NULL, NULL};
