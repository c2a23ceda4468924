/* keys.h: the app's actions and its key bindings as one table {key,
 * action, screens, help} (keys.c); the loop looks keys up here and the
 * help screen is drawn from it, grouped by screen, so the two never
 * disagree. A key means one thing wherever it works. */
#ifndef TRENDGUARD_TUI_KEYS_H
#define TRENDGUARD_TUI_KEYS_H

#include <stddef.h>

enum {
    ACT_NONE, ACT_UP, ACT_DOWN, ACT_LEFT, ACT_RIGHT, ACT_PAGE_UP,
    ACT_PAGE_DOWN, ACT_HOME, ACT_END, ACT_OPEN, ACT_BACK, ACT_SCREEN1,
    ACT_SCREEN2, ACT_SCREEN3, ACT_SCREEN4, ACT_SCREEN5, ACT_NEXT_SCREEN,
    ACT_PREV_SCREEN, ACT_SEARCH, ACT_HELP, ACT_QUIT, ACT_PERSONA, ACT_ADD,
    ACT_ACCEPT, ACT_DECLINE, ACT_QTY_UP, ACT_QTY_DOWN, ACT_REMOVE,
    ACT_CHECKOUT, ACT_RETURN, ACT_CATEGORY, ACT_PHASE, ACT_PRICE,
    ACT_CHANNEL, ACT_PERIOD, ACT_CLEAR, ACT_REFRESH, ACT_THEME, ACT_DEMO,
    ACT_UNDO,
    ACT_COUNT
};

/* One binding: a key, the action, the screens it works on (bit SCR_*;
 * 0 = everywhere) and its line on the help screen. */
typedef struct key_binding {
    int key;
    int action;
    unsigned screens;
    const char *help;
} key_binding;

extern const key_binding keys_table[];
extern const int keys_count;
/* The action of key ch on screen scr (ACT_NONE when unbound). */
int keys_action(int scr, int ch);
/* A key's printable name ("Enter", "Left", "q"). */
const char *keys_name(int ch, char *buf, size_t n);
/* The first key bound to action on scr, as a name, for hints. */
const char *keys_hint(int scr, int action, char *buf, size_t n);
/* The key a replay script's name stands for ("Down", "Enter", "a"), or
 * -1 when it names none. */
int keys_by_name(const char *name);

#endif
