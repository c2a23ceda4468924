/* app.h: the TrendGuard terminal app: its state, its screens (a draw/key
 * pair each), the key table, the colour themes, the drawing helpers and
 * the live risk evaluator the screens share. */
#ifndef TRENDGUARD_APP_H
#define TRENDGUARD_APP_H

#include <curses.h>
#include <stdint.h>

#include "trendguard/explain.h"
#include "trendguard/feed.h"
#include "trendguard/model.h"
#include "trendguard/nudge.h"
#include "trendguard/registry.h"
#include "trendguard/shop.h"
#include "trendguard/store.h"
#include "trendguard/uilog.h"

/* ---- screens and actions ------------------------------------------------- */

enum {
    SCR_TRENDING, SCR_ITEM, SCR_CART, SCR_ORDERS, SCR_DASH, /* keys 1-5 */
    SCR_HELP, SCR_PERSONAS,
    SCR_COUNT
};
#define SCR_MAIN 5 /* the screens Tab cycles */

enum {
    ACT_NONE, ACT_UP, ACT_DOWN, ACT_LEFT, ACT_RIGHT, ACT_PAGE_UP,
    ACT_PAGE_DOWN, ACT_HOME, ACT_END, ACT_OPEN, ACT_BACK, ACT_SCREEN1,
    ACT_SCREEN2, ACT_SCREEN3, ACT_SCREEN4, ACT_SCREEN5, ACT_NEXT_SCREEN,
    ACT_PREV_SCREEN, ACT_SEARCH, ACT_HELP, ACT_QUIT, ACT_PERSONA, ACT_ADD,
    ACT_ACCEPT, ACT_DECLINE, ACT_QTY_UP, ACT_QTY_DOWN, ACT_REMOVE,
    ACT_CHECKOUT, ACT_RETURN, ACT_CATEGORY, ACT_PHASE, ACT_PRICE,
    ACT_CHANNEL, ACT_PERIOD, ACT_CLEAR, ACT_REFRESH, ACT_THEME,
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

/* ---- themes ---------------------------------------------------------------- */

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

/* ---- drawing helpers --------------------------------------------------------- */

/* Glyphs: UTF-8 block characters, or ASCII in a non-UTF-8 locale. */
typedef struct glyphs {
    const char *spark[8];   /* lowest .. highest */
    const char *full, *empty, *bullet, *sel, *up, *down, *hbar;
    const char *vline, *hline;
} glyphs;
extern const glyphs *ui_glyphs;
void ui_init_glyphs(int unicode);
int ui_unicode(void);

/* Writes s at (y, x) in at most width columns (cut by display width, never
 * mid-character; bytes that are not valid in the locale print as '?').
 * Returns the columns used. */
int ui_put(WINDOW *w, int y, int x, int width, const char *s);
int ui_putf(WINDOW *w, int y, int x, int width, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Display width of s. */
int ui_width(const char *s);
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
/* Money with thousands: "$1,234" or "$12.50". */
char *ui_money(double v, char *buf, size_t n);

/* ---- live risk ------------------------------------------------------------- */

typedef struct app_risk {
    double p;                /* probability of a return */
    int band;                /* TG_BAND_* */
    int from_rules;          /* the model was unavailable */
    int n_reasons;
    tg_reason reasons[3];
    int n_drivers;           /* for the engine: features, contributions */
    int driver[TG_NUDGE_MAX_DRIVERS];
    float contribution[TG_NUDGE_MAX_DRIVERS];
    float x[TG_NUM_FEATURES];
} app_risk;

/* ---- the app --------------------------------------------------------------- */

#define APP_MAX_ITEMS 200   /* rows of the Trending list */
#define APP_MAX_TRENDING 600  /* the hottest items, filtered in memory */
#define APP_MAX_ORDERS 100
#define APP_MAX_PERSONAS 30

typedef struct app_opts {
    const char *db;
    int64_t persona;         /* customers.id, 0: the first persona */
    const char *session;     /* NULL: a generated name */
    const char *replay;      /* key script instead of the keyboard */
    const char *timings;     /* where the replay writes its timings (JSON) */
    const char *theme;       /* "colour", "mono", NULL: colour if possible */
    const char *feed_url;    /* trend feed to refresh from; NULL: the
                                store's last synced feed */
    int feed_minutes;        /* refresh period */
    int offline;             /* --offline: never fetch; the store only */
    double t_start;          /* tg_now_mono() at process start */
} app_opts;

typedef struct app_dash app_dash; /* scr_dash.c */
typedef struct app_loader app_loader; /* loader.c */

typedef struct app {
    const app_opts *opts;
    tg_store *store;
    tg_shop *shop;
    tg_uilog *log;
    int rows, cols;
    int screen, back;        /* current screen, where Back goes */
    int quit;
    int dirty;
    int mouse_y, mouse_x;    /* the last click, for KEY_MOUSE */
    char note[200];          /* a one-line message in the status bar */
    double note_until;

    /* the model, or the rule-based fallback */
    tg_model *model;
    int *feature_map;
    tg_model_info model_info;
    char model_problem[200]; /* why there is no model ("" when there is) */
    tg_explainer *explainer;
    tg_nudge_catalog catalog;
    tg_bandit *bandit;
    tg_nudge_session nudge_session;
    tg_nudge_shopper nudge_shopper;
    tg_nudge_budget budget;
    tg_rng rng;

    /* who is shopping */
    tg_persona persona;
    tg_persona personas[APP_MAX_PERSONAS];
    int n_personas, persona_sel;

    /* Trending */
    tg_shop_filter filter;
    char search[64];
    int searching;           /* the search box has the keyboard */
    int price_band;
    tg_shop_item *all;       /* the hottest items, loaded once per refresh */
    double *all_risk;        /* their badge risk, NaN until drawn */
    int n_all;
    int view[APP_MAX_ITEMS]; /* the rows: indexes into all, filtered */
    int n_items, sel, top;

    /* Item */
    tg_shop_item item;
    int size_sel, qty;
    double item_opened;      /* tg_now_mono() when the item was opened */
    app_risk item_risk_now;
    tg_nudge_decision item_nudge;
    int64_t item_nudge_id;   /* interventions.id of the shown nudge, 0 */
    int item_nudge_state;    /* 0 none, 1 shown, 2 accepted, 3 declined */
    int item_nudge_quiet;    /* why none is shown (TG_WHY_*), for the caps */

    /* Cart */
    tg_cart cart;
    char cart_names[TG_CART_MAX][64];
    app_risk cart_risk[TG_CART_MAX];
    int cart_sel;
    tg_nudge_decision cart_nudge;
    int cart_nudge_line;     /* the line the nudge is about, -1 */
    int64_t cart_nudge_id;
    int cart_nudge_state;

    /* Orders */
    tg_order_line orders[APP_MAX_ORDERS];
    int n_orders, order_sel, order_top;
    int returning;           /* 0, or 1 picking a reason, 2 the offer */
    int reason_sel;
    tg_nudge_decision return_nudge;
    int64_t return_nudge_id;

    /* Dashboard */
    app_dash *dash;

    /* the persona list and the hottest items, loaded on a worker */
    app_loader *loader;
    char loading[40];        /* what it is loading, for the status bar */

    /* Trend feed refresh */
    tg_feed_job *feed;
    char feed_url[1024];
    double feed_next;        /* tg_now_mono() of the next refresh */
    char feed_state[80];
} app;

/* A screen: draw fills the body (rows 1 .. rows-3); key handles an action
 * (returns 1 when it used it); enter runs when the screen opens. */
typedef struct screen {
    const char *name;        /* "trending": ui_events and the tab bar */
    const char *title;       /* "Trending" */
    void (*enter)(app *a);
    void (*draw)(app *a, WINDOW *w, int top, int rows, int cols);
    int (*key)(app *a, int action, int ch);
} screen;

extern const screen scr_trending, scr_item, scr_cart, scr_orders, scr_dash,
    scr_help, scr_personas;

/* tui.c */
int app_run(const app_opts *o);
void app_go(app *a, int screen);
void app_note(app *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void app_event(app *a, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* scr_help.c: shops as persona p from now on (cart, caps, orders). */
void app_persona_set(app *a, const tg_persona *p);

/* risk.c */
int risk_open(app *a);
void risk_close(app *a);
/* The risk of cart line i (features from the shop, then the model or the
 * rules). On a store error *r is a rules estimate over missing features. */
void risk_of_line(app *a, const tg_cart *cart, int i, app_risk *r);
/* The band colour element of a probability. */
int risk_element(const app *a, double p);
/* The engine's input for a line, from its risk. */
void risk_nudge_input(const app *a, const app_risk *r, int moment,
                      const tg_shop_item *it, const char *size,
                      tg_nudge_input *in);

/* meter.c: the live regret-risk meter: "Regret risk [#####-----] 47%"
 * with the band's colour and up to three reasons underneath. Returns the
 * rows it used. */
int meter_draw(const app *a, WINDOW *w, int y, int x, int cols,
               const app_risk *r, int reasons);

/* scr_trending.c / scr_item.c / scr_cart.c shared */
/* Loads the hottest items from the store (again), then filters. */
void trending_reload(app *a);
/* Filters the loaded items into the rows (no store access). */
void trending_filter(app *a);
/* Forgets the badge risks (the shopper or the cart changed). */
void trending_reprice(app *a);
void trending_free(app *a);
/* The index of the size the persona would pick in it, -1 when none. */
int trending_usual_size(const app *a, const tg_shop_item *it);
void item_open(app *a, int64_t product_id);
void cart_rescore(app *a);
int cart_add(app *a, const tg_shop_item *it, const char *size, int qty,
             double view_minutes);
/* scr_orders.c */
void orders_reload(app *a);
/* A return reason's words ("too_small" -> "Too small"); the id itself when
 * it has none. */
const char *orders_reason_label(const char *id);
/* loader.c: loads the hottest items (and with personas, the persona list,
 * then shops as the first persona unless one is set) on a worker. */
int loader_start(app *a, int personas);
int loader_fd(const app *a);     /* readable when the load ended, -1 */
void loader_poll(app *a);        /* takes a finished load */
void loader_free(app *a);
/* scr_dash.c */
void dash_free(app *a);
int dash_fd(const app *a);       /* readable when a refresh ended, -1 */
void dash_poll(app *a);          /* takes a finished refresh */

#endif
