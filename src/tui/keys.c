/* keys.c: the app's key bindings as one table {key, action, screens,
 * help}; the event loop looks keys up here and the help screen is drawn
 * from it, so the two never disagree. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "screen.h"

#define ON(s) (1u << (s))
#define ESC 27

const key_binding keys_table[] = {
    /* everywhere */
    {KEY_UP, ACT_UP, 0, "move up"},
    {'k', ACT_UP, 0, "move up"},
    {KEY_DOWN, ACT_DOWN, 0, "move down"},
    {'j', ACT_DOWN, 0, "move down"},
    {KEY_PPAGE, ACT_PAGE_UP, 0, "page up"},
    {KEY_NPAGE, ACT_PAGE_DOWN, 0, "page down"},
    {KEY_HOME, ACT_HOME, 0, "first"},
    {KEY_END, ACT_END, 0, "last"},
    {'\n', ACT_OPEN, 0, "open, choose, confirm"},
    {KEY_ENTER, ACT_OPEN, 0, "open, choose, confirm"},
    {'\r', ACT_OPEN, 0, "open, choose, confirm"},
    {ESC, ACT_BACK, 0, "back / cancel"},
    {KEY_BACKSPACE, ACT_BACK, 0, "back / cancel"},
    {127, ACT_BACK, 0, "back / cancel"},
    {8, ACT_BACK, 0, "back / cancel"},
    {'1', ACT_SCREEN1, 0, "go to that tab"},
    {'2', ACT_SCREEN2, 0, "go to that tab"},
    {'3', ACT_SCREEN3, 0, "go to that tab"},
    {'4', ACT_SCREEN4, 0, "go to that tab"},
    {'5', ACT_SCREEN5, 0, "go to that tab"},
    {'\t', ACT_NEXT_SCREEN, 0, "next screen"},
    {KEY_BTAB, ACT_PREV_SCREEN, 0, "previous screen"},
    {'?', ACT_HELP, 0, "this help"},
    {'p', ACT_PERSONA, 0, "switch shopper"},
    {'R', ACT_REFRESH, 0, "reload data, trends"},
    {'T', ACT_THEME, 0, "colour / monochrome"},
    {'D', ACT_DEMO, 0, "demo: tips uncapped"},
    {'q', ACT_QUIT, 0, "quit"},
    /* Trending */
    {'/', ACT_SEARCH, ON(SCR_TRENDING), "search items"},
    {'f', ACT_CATEGORY, ON(SCR_TRENDING) | ON(SCR_DASH), "filter category"},
    {'t', ACT_PHASE, ON(SCR_TRENDING), "filter trend phase"},
    {'$', ACT_PRICE, ON(SCR_TRENDING), "filter price"},
    {'x', ACT_CLEAR, ON(SCR_TRENDING) | ON(SCR_DASH), "clear filters"},
    /* Item */
    {KEY_LEFT, ACT_LEFT, ON(SCR_ITEM), "smaller size"},
    {'h', ACT_LEFT, ON(SCR_ITEM), "smaller size"},
    {KEY_RIGHT, ACT_RIGHT, ON(SCR_ITEM), "larger size"},
    {'l', ACT_RIGHT, ON(SCR_ITEM), "larger size"},
    {'a', ACT_ADD, ON(SCR_ITEM), "add to cart"},
    {'+', ACT_QTY_UP, ON(SCR_ITEM) | ON(SCR_CART), "one more"},
    {'=', ACT_QTY_UP, ON(SCR_ITEM) | ON(SCR_CART), "one more"},
    {'-', ACT_QTY_DOWN, ON(SCR_ITEM) | ON(SCR_CART), "one fewer"},
    {'y', ACT_ACCEPT, ON(SCR_ITEM) | ON(SCR_CART) | ON(SCR_ORDERS),
     "yes / take the tip"},
    {'n', ACT_DECLINE, ON(SCR_ITEM) | ON(SCR_CART) | ON(SCR_ORDERS),
     "no thanks / cancel"},
    {'u', ACT_UNDO, ON(SCR_ITEM), "undo the size we picked"},
    /* Cart */
    {'d', ACT_REMOVE, ON(SCR_CART), "remove the line"},
    {KEY_DC, ACT_REMOVE, ON(SCR_CART), "remove the line"},
    {'c', ACT_CHECKOUT, ON(SCR_CART), "check out (asks first)"},
    /* Orders */
    {'r', ACT_RETURN, ON(SCR_ORDERS), "start a return"},
    /* Dashboard */
    {'v', ACT_CHANNEL, ON(SCR_DASH), "filter channel (via)"},
    {'w', ACT_PERIOD, ON(SCR_DASH), "period: 90, 30, 7 days, all"},
};
const int keys_count = (int)(sizeof keys_table / sizeof *keys_table);

int keys_action(int scr, int ch)
{
    for (int i = 0; i < keys_count; i++) {
        const key_binding *k = &keys_table[i];
        if (k->key == ch && (k->screens == 0 || (k->screens & ON(scr))))
            return k->action;
    }
    return ACT_NONE;
}

const char *keys_name(int ch, char *buf, size_t n)
{
    static const struct {
        int key;
        const char *name;
    } names[] = {
        {KEY_UP, "Up"}, {KEY_DOWN, "Down"}, {KEY_LEFT, "Left"},
        {KEY_RIGHT, "Right"}, {KEY_PPAGE, "PgUp"}, {KEY_NPAGE, "PgDn"},
        {KEY_HOME, "Home"}, {KEY_END, "End"}, {'\n', "Enter"},
        {'\r', "Enter"}, {KEY_ENTER, "Enter"}, {ESC, "Esc"},
        {KEY_BACKSPACE, "Backspace"}, {127, "Backspace"}, {8, "Backspace"},
        {'\t', "Tab"}, {KEY_BTAB, "S-Tab"}, {KEY_DC, "Delete"},
        {KEY_RESIZE, "Resize"}, {KEY_MOUSE, "Mouse"}, {' ', "Space"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (names[i].key == ch) {
            snprintf(buf, n, "%s", names[i].name);
            return buf;
        }
    if (ch > 32 && ch < 127)
        snprintf(buf, n, "%c", ch);
    else if (ch >= 0 && ch < 32)
        snprintf(buf, n, "C-%c", ch + 64);
    else
        snprintf(buf, n, "key-%d", ch);
    return buf;
}

const char *keys_hint(int scr, int action, char *buf, size_t n)
{
    for (int i = 0; i < keys_count; i++) {
        const key_binding *k = &keys_table[i];
        if (k->action == action && (k->screens == 0 || (k->screens & ON(scr))))
            return keys_name(k->key, buf, n);
    }
    snprintf(buf, n, "?");
    return buf;
}

int keys_by_name(const char *s)
{
    static const struct {
        const char *name;
        int key;
    } names[] = {
        {"Up", KEY_UP}, {"Down", KEY_DOWN}, {"Left", KEY_LEFT},
        {"Right", KEY_RIGHT}, {"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE},
        {"Home", KEY_HOME}, {"End", KEY_END}, {"Enter", '\n'}, {"Esc", 27},
        {"Backspace", KEY_BACKSPACE}, {"Tab", '\t'}, {"S-Tab", KEY_BTAB},
        {"Delete", KEY_DC}, {"Space", ' '},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(names[i].name, s) == 0)
            return names[i].key;
    if (strlen(s) == 1)
        return (unsigned char)s[0];
    return -1;
}
