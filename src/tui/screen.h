/* screen.h: what a screen is (htop's panels are the model): a draw/key
 * pair over the screen's own state, which lives in its file and nowhere
 * else. A screen never calls another screen or the loop: its key handler
 * returns what it needs (the key was not its own, go to a screen and open
 * an item there, go back), and the loop acts on it. Changes shared between
 * screens go through the session (session.h), which counts them in
 * generations; a screen's sync brings its view up to date when it sees a
 * new one. */
#ifndef TRENDGUARD_TUI_SCREEN_H
#define TRENDGUARD_TUI_SCREEN_H

#include <curses.h>
#include <stdint.h>

#include "keys.h"
#include "session.h"

enum {
    SCR_TRENDING, SCR_ITEM, SCR_CART, SCR_ORDERS, SCR_DASH, /* keys 1-5 */
    SCR_HELP, SCR_PERSONAS,
    SCR_COUNT
};
#define SCR_MAIN 5 /* the screens Tab cycles */

/* A key as the screen gets it: the action bound to it here (keys.h), the
 * key itself, where a mouse click landed and the terminal's rows. */
typedef struct scr_key {
    int act, ch;
    int y, x;
    int rows;
} scr_key;

/* What a key asks of the loop. */
enum {
    SR_IGNORED, /* not this screen's key: the loop's own keys get it */
    SR_HANDLED, /* done; the screen is redrawn */
    SR_GO,      /* go to screen, opening id there (an item; 0: none) */
    SR_BACK     /* go back to where the shopper came from */
};
typedef struct scr_result {
    int what;
    int screen;
    int64_t id;
} scr_result;

static inline scr_result scr_handled(int used)
{
    return (scr_result){used ? SR_HANDLED : SR_IGNORED, 0, 0};
}
static inline scr_result scr_go(int screen, int64_t id)
{
    return (scr_result){SR_GO, screen, id};
}


/* Up, Down, Home and End in a list of n rows: moves *sel and returns 1,
 * or returns 0 for any other action. */
static inline int scr_list_key(int act, int *sel, int n)
{
    if (act == ACT_UP && *sel > 0)
        --*sel;
    else if (act == ACT_DOWN && *sel + 1 < n)
        ++*sel;
    else if (act == ACT_HOME)
        *sel = 0;
    else if (act == ACT_END)
        *sel = n > 0 ? n - 1 : 0;
    return act == ACT_UP || act == ACT_DOWN || act == ACT_HOME ||
           act == ACT_END;
}

/* A hint in the status line: the action's key and what it does. */
typedef struct scr_hint {
    int action;
    const char *what;
} scr_hint;
#define SCR_HINTS 8

/* Appends a hint to out[*n] (up to SCR_HINTS). */
static inline void scr_hint_add(scr_hint *out, int *n, int action,
                                const char *what)
{
    if (*n < SCR_HINTS)
        out[(*n)++] = (scr_hint){action, what};
}

/* The answers to a nudge, when one asks. */
static inline void scr_hint_nudge(scr_hint *out, int *n, int asking)
{
    if (!asking)
        return;
    scr_hint_add(out, n, ACT_ACCEPT, "yes please");
    scr_hint_add(out, n, ACT_DECLINE, "no thanks");
}

typedef struct screen {
    const char *name;        /* "trending": ui_events and the tab bar */
    const char *title;       /* "Trending" */
    /* The keys that do something here and now (a nudge to answer, a
     * dialog open...), most useful first: up to SCR_HINTS into out;
     * returns how many. */
    int (*hints)(const session *s, scr_hint *out);
    /* Once when the app starts and when it ends (either may be NULL). */
    void (*init)(session *s);
    void (*fini)(void);
    /* The screen opens, with id to open there (0: none). */
    void (*enter)(session *s, int64_t id);
    /* The session may have changed: catch up with its generations (may
     * be NULL). Called after every key and background result. */
    void (*sync)(session *s);
    /* Fills the body: rows from top, cols wide. */
    void (*draw)(session *s, WINDOW *w, int top, int rows, int cols);
    scr_result (*key)(session *s, const scr_key *k);
    /* A background job of the screen's own: a descriptor readable when it
     * has a result (-1: none running), and taking the result (both may be
     * NULL). */
    int (*fd)(void);
    void (*tick)(session *s);
} screen;

extern const screen scr_trending, scr_item, scr_cart, scr_orders, scr_dash,
    scr_help, scr_personas;

#endif
