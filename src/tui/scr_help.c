/* scr_help.c: the help screen, drawn from the key table (keys.c) so that
 * it always says what the keys do, grouped by screen as lazygit and k9s
 * group theirs: the screen it was opened from first, then what works
 * everywhere, then each other screen. Two columns; Up and Down scroll
 * when it is longer than the window. */
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"
#include "ui.h"

#define EVERYWHERE -1
#define KEY_COLS 13 /* the key names' column */
#define MAX_ROWS 128

/* A row: a section's heading (binding -1) or a binding in a section. */
typedef struct help_row {
    int section;             /* SCR_* or EVERYWHERE */
    int binding;             /* index into keys_table, -1: the heading */
} help_row;

static struct {
    int top;                 /* the first row shown */
    int from;                /* the screen help was opened from */
} st;

static void enter(session *s, int64_t id)
{
    (void)id;
    st.top = 0;
    st.from = s->back < SCR_MAIN ? s->back : SCR_TRENDING;
}

static int in_section(const key_binding *k, int section)
{
    return section == EVERYWHERE ? k->screens == 0
                                 : (k->screens & (1u << section)) != 0;
}

/* Bindings said in the same words are one line (1 to 5: the tabs). */
static int same_kind(const key_binding *a, const key_binding *b)
{
    return strcmp(a->help, b->help) == 0;
}

/* Binding i is the first of its kind in the section. */
static int first_in_section(int i, int section)
{
    for (int j = 0; j < i; j++)
        if (in_section(&keys_table[j], section) &&
            same_kind(&keys_table[j], &keys_table[i]))
            return 0;
    return 1;
}

static int add_section(help_row *rows, int n, int section)
{
    int heading = n;
    if (n < MAX_ROWS)
        rows[n++] = (help_row){section, -1};
    for (int i = 0; i < keys_count && n < MAX_ROWS; i++)
        if (in_section(&keys_table[i], section) &&
            first_in_section(i, section))
            rows[n++] = (help_row){section, i};
    return n == heading + 1 ? heading : n; /* no keys: no heading */
}

/* The rows in order: where help came from, everywhere, the others. */
static int help_rows(help_row *rows)
{
    int n = add_section(rows, 0, st.from);
    n = add_section(rows, n, EVERYWHERE);
    for (int scr = 0; scr < SCR_MAIN; scr++)
        if (scr != st.from)
            n = add_section(rows, n, scr);
    return n;
}

/* Every key bound like binding i in its section, as many as fit. */
static void key_names(int i, int section, char *keys, size_t n)
{
    keys[0] = 0;
    for (int j = i; j < keys_count; j++) {
        if (!in_section(&keys_table[j], section) ||
            !same_kind(&keys_table[j], &keys_table[i]))
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

static void draw_row(WINDOW *w, int y, int x, int colw, const help_row *r)
{
    if (r->binding < 0) {
        static const char *const titles[SCR_MAIN] = {
            "Trending", "Item", "Cart", "Orders", "Dashboard"};
        wattron(w, theme_attr(EL_HEADER));
        ui_putf(w, y, x, colw - 1, "%s%s", r->section == EVERYWHERE
                    ? "Everywhere" : titles[r->section],
                r->section == st.from ? " (this screen)" : "");
        wattroff(w, theme_attr(EL_HEADER));
        return;
    }
    char keys[64];
    key_names(r->binding, r->section, keys, sizeof keys);
    wattron(w, theme_attr(EL_KEY));
    ui_put(w, y, x + 1, KEY_COLS, keys);
    wattroff(w, theme_attr(EL_KEY));
    ui_put(w, y, x + KEY_COLS + 2, colw - KEY_COLS - 4, /* a space after */
           keys_table[r->binding].help);
}

static void draw(session *s, WINDOW *w, int top, int rows, int cols)
{
    (void)s;
    help_row all[MAX_ROWS];
    int n = help_rows(all), per_col = rows - 2, colw = (cols - 2) / 2;
    wattron(w, theme_attr(EL_TITLE));
    ui_put(w, top + 1, 2, cols - 4, "Keys, by screen");
    wattroff(w, theme_attr(EL_TITLE));
    if (per_col < 1)
        return;
    int most = n - 2 * per_col;
    if (st.top > most)
        st.top = most > 0 ? most : 0;
    for (int k = 0; k < 2 * per_col && st.top + k < n; k++)
        draw_row(w, top + 2 + k % per_col, 2 + (k / per_col) * colw, colw,
                 &all[st.top + k]);
    if (st.top > 0)
        mvwaddstr(w, top + 2, cols - 1, ui_glyphs->up);
    if (st.top < most)
        mvwaddstr(w, top + 1 + per_col, cols - 1, ui_glyphs->down);
}

static scr_result key(session *s, const scr_key *k)
{
    (void)s;
    if (k->act == ACT_DOWN)
        st.top++;
    else if (k->act == ACT_UP && st.top > 0)
        st.top--;
    else if (k->act == ACT_PAGE_DOWN)
        st.top += k->rows / 2;
    else if (k->act == ACT_PAGE_UP)
        st.top = st.top > k->rows / 2 ? st.top - k->rows / 2 : 0;
    else
        return scr_handled(0);
    return scr_handled(1);
}

static int hints(const session *s, scr_hint *out)
{
    (void)s;
    int n = 0;
    scr_hint_add(out, &n, ACT_UP, "scroll");
    scr_hint_add(out, &n, ACT_BACK, "back");
    scr_hint_add(out, &n, ACT_QUIT, "quit");
    return n;
}

const screen scr_help = {
    "help", "Help", hints,
    NULL, NULL, enter, NULL, draw, key, NULL, NULL};
