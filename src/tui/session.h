/* session.h: the app's session: what the screens share and every change
 * to it: the store, the model and the nudge engine, who is shopping, the
 * cart, the hottest items, the trend feed, notes, recorded events and
 * which screen is open. Screens read this struct; only the session_*.c
 * files write it, through the functions below, and none of them calls a
 * screen or the loop. A change bumps a generation (gen_*): each screen
 * compares them with what it last saw and catches up in its sync.
 *
 * The files, each calling only those above it in this list:
 *   session_log.c      notes, events, going to a screen, the settings
 *   session_risk.c     a line's risk (the core's risk path), the nudge
 *                      engine and its one sequence: decide, count, log
 *   session_cart.c     the cart, its basket-level nudge, checkout
 *   session_order.c    the pre-ship check of the order just placed, and
 *                      the change to the order it asks for
 *   session_shopper.c  who is shopping; the hottest items and the
 *                      persona list, loaded in the background (preload.c)
 *   session_feed.c     the trend feed's refresh on a worker
 *   session.c          opening and closing it all; the background work's
 *                      descriptors and results for the loop */
#ifndef TRENDGUARD_TUI_SESSION_H
#define TRENDGUARD_TUI_SESSION_H

#include <stdint.h>

#include "config.h"
#include "preload.h"
#include "trendguard/explain.h"
#include "trendguard/feed.h"
#include "trendguard/model.h"
#include "trendguard/money.h"
#include "trendguard/nudge.h"
#include "trendguard/registry.h"
#include "trendguard/risk.h"
#include "trendguard/shop.h"
#include "trendguard/store.h"
#include "trendguard/uilog.h"
#include "tui.h"

#define SESSION_MAX_PERSONAS PRELOAD_MAX_PERSONAS
#define SESSION_MAX_HOT PRELOAD_MAX_ITEMS /* the hottest items */

/* A line's risk as the app shows it: the core's answer (risk.h), the
 * features it came from (the engine's input) and its band (TG_BAND_*). */
typedef struct line_risk {
    tg_risk risk;
    float x[TG_NUM_FEATURES];
    int band;
} line_risk;

/* A nudge on screen and what became of it. */
enum { NUDGE_NONE, NUDGE_SHOWN, NUDGE_ACCEPTED, NUDGE_DECLINED };
typedef struct session_nudge {
    tg_nudge_decision d;
    int64_t id;              /* its interventions row, 0 */
    int state;               /* NUDGE_* */
    int own_visit;           /* counted in a visit of its own (a return) */
    int line;                /* the cart line it is about, -1 */
} session_nudge;

/* The pre-ship check of the order just placed (session_order.c): one
 * message, while the order can still be changed, about its line the
 * engine finds it worth most on. */
typedef struct session_preship {
    session_nudge n;         /* state NUDGE_NONE: no check */
    char order[40];
    int64_t ordered_at;
    tg_cart cart;            /* the order as it stands */
    int64_t ids[TG_CART_MAX];/* its lines' purchases.id */
    int line;                /* the line the check is about */
    char done[120];          /* what the answer did, for the screen */
} session_preship;

typedef struct session {
    const tui_opts *opts;
    tg_store *store;
    tg_shop *shop;
    tg_uilog *log;
    tg_currency currency;    /* the store's: every amount on screen */
    int ascii;               /* the terminal draws ASCII only */
    tui_config config;       /* the user's settings (config.h) */

    /* the model, or the rule-based fallback (session_risk.c) */
    tg_model *model;
    tg_risk_scorer *scorer;
    int *feature_map;        /* the model's features in features.h order,
                                for the engine's counterfactual scores */
    tg_model_info model_info;
    struct model_job *model_job; /* the model loading (session_risk_start) */
    char model_problem[200]; /* why there is no model ("" when there is) */
    tg_explainer *explainer;
    tg_nudge_catalog catalog;
    tg_bandit *bandit;
    tg_nudge_session visit;  /* this visit's nudges (caps, declines) */
    tg_nudge_shopper caps;   /* the shopper's nudges today */
    tg_nudge_budget budget;
    tg_rng rng;
    /* the catalogue's caps as loaded (per visit, per shopper a day, and
     * each nudge's two): the catalogue above holds the caps in force,
     * lifted in demo mode, the visit's set by tips_per_visit */
    int cap_visit, cap_day, nudge_cap[TG_NUDGE_MAX][2];

    /* who is shopping, and the hottest items (session_shopper.c) */
    tg_persona persona;
    tg_persona personas[SESSION_MAX_PERSONAS];
    int n_personas;
    tg_shop_item *hot;       /* SESSION_MAX_HOT, hottest first */
    int n_hot;
    preload *preload;
    char loading[40];        /* what is loading, for the status bar */

    /* the cart (session_cart.c) */
    tg_cart cart;
    char cart_names[TG_CART_MAX][64];
    line_risk cart_risk[TG_CART_MAX];
    session_nudge cart_nudge;
    session_preship preship; /* the order just placed (session_order.c) */

    /* the trend feed's refresh (session_feed.c) */
    tg_feed_job *feed;
    char feed_url[1024];
    double feed_next;        /* tg_now_mono() of the next refresh */
    char feed_state[80];

    /* where the shopper is, and the status line's note (session_log.c) */
    int screen, back;        /* SCR_* of screen.h; where Back goes */
    const char *screen_name;
    char note[200];
    double note_until;
    unsigned keys, note_key; /* keys handled; the keys when the note came */
    int dirty;               /* the screen needs drawing */

    /* what changed: the shopper, the cart or its risks, the store's data,
     * the hottest items */
    unsigned gen_shopper, gen_cart, gen_data, gen_hot;
} session;

/* ---- session.c ----------------------------------------------------------- */

/* Opens the store, the shop, the record, the model and the engine, and
 * shops as --persona when given. NULL on failure (err set). */
session *session_open(const tui_opts *o, tg_err *err);
/* Saves what the bandit learned, writes the record and closes it all.
 * Safe on NULL. */
void session_close(session *s);
/* Descriptors of the background work (at most 2), readable when it has a
 * result; returns how many. */
int session_fds(const session *s, int *fds);
/* Takes the background work's results, starts a due feed refresh and
 * notices an expired note. */
void session_tick(session *s);
/* Non-zero while background work runs. */
int session_busy(const session *s);
/* Nothing to do: write the record of events. */
void session_idle(session *s);

/* ---- session_log.c -------------------------------------------------------- */

/* A one-line message in the status bar for a few seconds, or until the
 * shopper leaves the screen with a later key. */
void session_note(session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A key is being handled (its note belongs to where it leads). */
void session_key(session *s);
/* Records an event of the current screen in ui_events. */
void session_event(session *s, const char *kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The shopper is on screen scr (SCR_*, named name) now: records the
 * change and remembers where Back goes (help and the persona list are
 * never where Back goes). A note from before the key that led here goes:
 * it was about the screen left. */
void session_go(session *s, int scr, const char *name);
/* Writes the settings (config.h), saying so when that fails; nothing
 * during a replay. */
void session_save_config(session *s);
/* Starts recording the session (on a terminal of the options' rows x
 * cols) when --record or the settings' record_dir asks for it (uilog.h),
 * before its first event; the terminal's bytes come from the tap
 * (tap.h) from curses's start. An error for --record's file; a folder
 * that cannot take it is noted, and the store alone keeps the
 * recording. */
int session_record(session *s, tg_err *err);

/* ---- session_risk.c ------------------------------------------------------- */

/* Starts loading the newest registered model on a thread of its own (its
 * file read, parsed and checked while the first items load); then
 * session_risk_open takes it. */
void session_risk_start(session *s);
/* Loads the nudge catalogue, the explainer, the bandit and the newest
 * registered model (the one session_risk_start loads, when started);
 * without a usable model the rules stand in and model_problem says why. */
void session_risk_open(session *s);
void session_risk_close(session *s);
/* The risk of cart line i: features from the shop, then the model or the
 * rules. On a store error the features are missing (NaN) and a note says
 * why. */
void session_risk_line(session *s, const tg_cart *cart, int i, line_risk *r);
/* The risk of item it in size (may be ""), qty, viewed for minutes, if
 * it were added to the cart now. */
void session_risk_if_added(session *s, const tg_shop_item *it,
                           const char *size, int qty, double minutes,
                           line_risk *r);
/* The cart that prices: today's cart with it added in size, qty, viewed
 * for minutes, as its last line (the line a full cart's last gives way
 * to). */
void session_cart_if_added(const session *s, const tg_shop_item *it,
                           const char *size, int qty, double minutes,
                           tg_cart *c);
/* The band (TG_BAND_*) of a probability, by the catalogue's limits
 * (nudge_band). */
int session_band(const session *s, double p);
/* A probability as a whole percent that agrees with its band, which
 * *band gets (risk_figure). */
double session_figure(const session *s, double p, int *band);
/* Demo mode on or off: tips are never capped while it is on. Kept in the
 * settings. */
void session_demo(session *s, int on);
/* The caps in force: the catalogue's, the settings' tips per visit, or
 * none in demo mode. */
void session_caps(session *s);
/* The index of the size the shopper would pick in it (their usual size,
 * else the middle one), -1 when it has none. */
int session_usual_size(const session *s, const tg_shop_item *it);
/* The engine's input for a line from its risk, with the store's facts. */
void session_nudge_input(session *s, const line_risk *r, int moment,
                         const tg_shop_item *it, const char *size,
                         tg_nudge_input *in);
/* The one nudge sequence: decides on in; when the engine picks a nudge,
 * counts it against the caps (this visit's, or with own_visit a visit of
 * its own, as a return is), records it in interventions (for purchase_id,
 * 0: none) and as an event (about: what it is about). n gets it with
 * state NUDGE_SHOWN, else NUDGE_NONE. Returns the decision's why
 * (TG_WHY_*; TG_WHY_SHOWN when shown). */
int session_nudge_show(session *s, const tg_nudge_input *in,
                       int64_t purchase_id, int own_visit, const char *about,
                       session_nudge *n);
/* Records the shopper's answer to the nudge n shows: the caps (a decline
 * is remembered for the visit), the budget, interventions, the event. */
void session_nudge_answer(session *s, session_nudge *n, int accepted);

/* ---- session_cart.c ------------------------------------------------------- */

/* Risks every line again and decides the basket-level nudge. */
void session_cart_rescore(session *s);
/* Adds qty of it in size (to the line of that size when there is one).
 * TG_EUSAGE (with a note) when the cart is full. */
int session_cart_add(session *s, const tg_shop_item *it, const char *size,
                     int qty, double view_minutes);
void session_cart_remove(session *s, int line);
/* Changes line's quantity by delta, within 1..9. */
void session_cart_quantity(session *s, int line, int delta);
/* The shopper's answer to the basket-level nudge, and what it does. */
void session_cart_answer(session *s, int accepted);
/* Writes the cart as an order with each line's score; on success the cart
 * is empty and a new visit starts. TG_OK, or an error with a note. */
int session_cart_checkout(session *s);
/* The cart's total to pay. */
double session_cart_total(const session *s);
/* Records the return of a line (shop_return) with the reason; with
 * exchange_size, the replacement line is ordered and scored by the model,
 * as checkout scores a line. */
int session_return(session *s, int64_t purchase_id, const char *reason,
                   const char *exchange_size, tg_err *err);
/* The chance that something in the basket goes back. */
double session_basket_risk(const session *s);

/* ---- session_order.c ------------------------------------------------------ */

/* Decides the pre-ship check of the cart just ordered as `order` (its
 * lines ids), before the cart is emptied: the engine at the order moment
 * on each item not answered at the cart, the one worth most shown. */
void session_preship_decide(session *s, const char *order,
                            const int64_t *ids);
/* Whether the check is there to show: decided, and the order can still
 * be changed. */
int session_preship_open(const session *s);
/* The shopper's answer; accepted, the order changes in the store (the
 * item's other sizes out, the size changed) and its lines are scored
 * again. */
void session_preship_answer(session *s, int accepted);

/* ---- session_shopper.c ---------------------------------------------------- */

/* Shops as p from now on: the cart's owner, the caps, a new visit. */
void session_shop_as(session *s, const tg_persona *p);
/* The shopper picked p: shops as p and keeps the choice in the
 * settings. */
void session_pick_shopper(session *s, const tg_persona *p);
/* Loads the hottest items: the first few at once when there are none yet,
 * all of them in the background. */
void session_hot_load(session *s);
/* The first few hottest items at once, when there are none yet. */
void session_hot_first(session *s);
/* Loads the persona list in the background. */
void session_personas_load(session *s);
/* The store's data changed (R, a feed refresh): reload and reprice. */
void session_reload(session *s);
/* Takes a finished background load. */
void session_preload_poll(session *s);

/* ---- session_feed.c ------------------------------------------------------- */

/* Picks the feed to refresh from: --feed, else the store's last synced
 * one; none with --offline. */
void session_feed_pick(session *s);
/* Starts a refresh on a worker unless one runs. */
void session_feed_start(session *s);
int session_feed_fd(const session *s);
/* Takes a finished refresh: loads it into the store and reloads. */
void session_feed_poll(session *s);

#endif
