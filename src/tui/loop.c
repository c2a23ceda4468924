/* loop.c: the app's event loop: waits on the keyboard and the background
 * work (the session's and the screens') with a timeout, dispatches keys
 * through the key table to the open screen, acts on what the screen's key
 * handler returns (go to a screen and open an item there, go back), runs
 * the keys no screen took (screens 1-5, Tab, help, shopper, reload,
 * theme, quit), lets the open screen catch up with the session and draws
 * the frame. A replay script can stand in for the keyboard to time
 * key-to-screen latency. A recorded session gets each frame's bytes
 * (tap.h) as soon as it is drawn. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "chrome.h"
#include "keys.h"
#include "replay.h"
#include "screen.h"
#include "tap.h"
#include "term.h"
#include "tui.h"
#include "ui.h"

static const screen *const screens[SCR_COUNT] = {
    [SCR_TRENDING] = &scr_trending, [SCR_ITEM] = &scr_item,
    [SCR_CART] = &scr_cart,         [SCR_ORDERS] = &scr_orders,
    [SCR_DASH] = &scr_dash,         [SCR_HELP] = &scr_help,
    [SCR_PERSONAS] = &scr_personas,
};

typedef struct loop {
    session *s;
    int rows, cols;
    int quit;
} loop;

static void go(loop *l, int scr, int64_t id)
{
    if (scr < 0 || scr >= SCR_COUNT)
        return;
    session_go(l->s, scr, screens[scr]->name);
    screens[scr]->enter(l->s, id);
}

static void go_back(loop *l)
{
    session *s = l->s;
    go(l, s->screen == s->back ? SCR_TRENDING : s->back, 0);
}

/* The open screen catches up with the session. */
static void catch_up(loop *l)
{
    const screen *scr = screens[l->s->screen];
    if (scr->sync)
        scr->sync(l->s);
}

static void draw(loop *l)
{
    getmaxyx(stdscr, l->rows, l->cols);
    chrome_draw(l->s, screens, l->rows, l->cols);
    wnoutrefresh(stdscr);
    doupdate();
    l->s->dirty = 0;
    if (uilog_recording(l->s->log))
        tap_pull(l->s->log);
}

/* ---- keys ------------------------------------------------------------------ */

static void reload(loop *l)
{
    session *s = l->s;
    session_reload(s);
    if (s->feed_url[0])
        session_feed_start(s);
    else
        session_note(s, "data reloaded (no trend feed: run 'trendguard "
                        "sync --url URL' once to set one)");
}

/* The keys no screen took; 0 when the key does nothing here either. */
static int global_key(loop *l, int act)
{
    int cur = l->s->screen;
    if (act >= ACT_SCREEN1 && act <= ACT_SCREEN5)
        go(l, SCR_TRENDING + (act - ACT_SCREEN1), 0);
    else if (act == ACT_NEXT_SCREEN)
        go(l, cur < SCR_MAIN ? (cur + 1) % SCR_MAIN : SCR_TRENDING, 0);
    else if (act == ACT_PREV_SCREEN)
        go(l, cur < SCR_MAIN ? (cur + SCR_MAIN - 1) % SCR_MAIN
                             : SCR_TRENDING, 0);
    else if (act == ACT_HELP)
        go(l, SCR_HELP, 0);
    else if (act == ACT_PERSONA)
        go(l, SCR_PERSONAS, 0);
    else if (act == ACT_QUIT)
        l->quit = 1;
    else if (act == ACT_THEME) {
        theme_set(theme_current() == THEME_COLOUR ? THEME_MONO
                                                  : THEME_COLOUR);
        l->s->config.theme = theme_current();
        session_save_config(l->s);
        session_note(l->s, "theme: %s", theme_names[theme_current()]);
    } else if (act == ACT_DEMO) {
        session_demo(l->s, !l->s->config.demo);
        session_note(l->s, l->s->config.demo
                               ? "Demo mode: tips are not capped (D again "
                                 "to end it)."
                               : "Demo mode off: at most %d tips a visit.",
                     l->s->catalog.per_session);
    } else if (act == ACT_REFRESH)
        reload(l);
    else if (act == ACT_BACK)
        go_back(l);
    else
        return 0;
    return 1;
}

/* Does what the screen's key handler asked for; 0 when nothing took the
 * key. */
static int act_on(loop *l, scr_result r, int act)
{
    session *s = l->s;
    switch (r.what) {
    case SR_IGNORED:
        return global_key(l, act);
    case SR_GO:
        go(l, r.screen, r.id);
        break;
    case SR_BACK:
        go(l, s->back < SCR_MAIN ? s->back : SCR_TRENDING, 0);
        break;
    default:
        break;
    }
    return 1;
}

static void mouse_key(loop *l)
{
    MEVENT ev;
    if (getmouse(&ev) != OK)
        return;
    if (ev.y == 0) { /* the tab bar */
        int tab = chrome_tab_at(screens, ev.x);
        if (tab >= 0)
            go(l, tab, 0);
        return;
    }
    scr_key k = {ACT_NONE, KEY_MOUSE, ev.y, ev.x, l->rows};
    act_on(l, screens[l->s->screen]->key(l->s, &k), ACT_NONE);
}

/* A resize whose signal ncurses has not turned into KEY_RESIZE yet (a
 * storm of them): take the terminal's real size before judging a key
 * against it. */
static void true_size(loop *l)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
        ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
        resize_term(ws.ws_row, ws.ws_col);
    getmaxyx(stdscr, l->rows, l->cols);
}

static void handle_key(loop *l, int ch)
{
    session *s = l->s;
    char name[24];
    s->dirty = 1;
    if (ch == KEY_RESIZE) {
        /* Keys queued behind the resize see the new size. */
        getmaxyx(stdscr, l->rows, l->cols);
        uilog_resize(s->log, COLS, LINES);
        uilog_addf(s->log, "resize", s->screen_name, "%dx%d", COLS, LINES);
        return;
    }
    true_size(l);
    session_key(s);
    uilog_add(s->log, "key", s->screen_name, keys_name(ch, name, sizeof name));
    int took = 1;
    if (l->cols < CHROME_MIN_COLS || l->rows < CHROME_MIN_ROWS) {
        if (ch == 'q') /* only q: Esc is too easy to press by mistake */
            l->quit = 1;
        took = ch == 'q';
    } else if (ch == KEY_MOUSE) {
        mouse_key(l);
    } else {
        /* The screen first: it may own the key (a search box, a dialog). */
        int act = keys_action(s->screen, ch);
        scr_key k = {act, ch, 0, 0, l->rows};
        took = act_on(l, screens[s->screen]->key(s, &k), act);
    }
    /* A dead end for the task figures: a key that did nothing here. */
    if (!took)
        uilog_add(s->log, "dead_key", s->screen_name, name);
    catch_up(l);
}

/* ---- waiting -------------------------------------------------------------- */

static int screen_fd(int i)
{
    return screens[i]->fd ? screens[i]->fd() : -1;
}

/* Background work of the session or a screen is running. */
static int busy(const loop *l)
{
    for (int i = 0; i < SCR_COUNT; i++)
        if (screen_fd(i) >= 0)
            return 1;
    return session_busy(l->s);
}

static int wait_input(loop *l, int timeout_ms)
{
    struct pollfd p[2 + SCR_COUNT + 1];
    int n = 0, fds[2];
    p[n++] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    for (int i = 0, k = session_fds(l->s, fds); i < k; i++)
        p[n++] = (struct pollfd){fds[i], POLLIN, 0};
    for (int i = 0; i < SCR_COUNT; i++)
        if (screen_fd(i) >= 0)
            p[n++] = (struct pollfd){screen_fd(i), POLLIN, 0};
    int rc = poll(p, (nfds_t)n, timeout_ms);
    if (rc < 0 && errno == EINTR)
        return 0;
    return rc;
}

/* Takes the background work's results. */
static void tick(loop *l)
{
    unsigned before = l->s->gen_shopper + l->s->gen_cart + l->s->gen_data +
                      l->s->gen_hot;
    session_tick(l->s);
    for (int i = 0; i < SCR_COUNT; i++)
        if (screens[i]->tick)
            screens[i]->tick(l->s);
    if (before != l->s->gen_shopper + l->s->gen_cart + l->s->gen_data +
                      l->s->gen_hot)
        catch_up(l);
}

/* An "Idle" line of a replay: wait for the background work, then draw. */
static void replay_idle(loop *l)
{
    double until = tg_now_mono() + 60;
    while (busy(l) && tg_now_mono() < until) {
        wait_input(l, 50);
        tick(l);
    }
    draw(l);
}

/* Before each key of a replay: the open screen's own background work
 * (Trending's badges, the dashboard's figures) lands and is drawn, so
 * the frame a key draws never depends on how fast a worker was; the
 * wait is not part of any key's time. */
static void replay_settle(loop *l)
{
    double until = tg_now_mono() + 60;
    while (screen_fd(l->s->screen) >= 0 && tg_now_mono() < until) {
        wait_input(l, 50);
        tick(l);
        if (l->s->dirty)
            draw(l);
    }
}

static void run(loop *l, replay *r)
{
    while (!l->quit && !term_stopped()) {
        tick(l);
        if (l->s->dirty)
            draw(l);
        if (r) {
            if (r->at >= r->n)
                break;
            if (r->keys[r->at] == REPLAY_IDLE) {
                replay_idle(l);
                r->ms[r->at++] = -1; /* not a key */
                continue;
            }
            replay_settle(l);
            double t0 = tg_now_mono();
            handle_key(l, r->keys[r->at]);
            tick(l);
            draw(l);
            r->ms[r->at++] = (tg_now_mono() - t0) * 1000.0;
            continue;
        }
        if (wait_input(l, 250) == 0)
            session_idle(l->s); /* idle: write the record */
        /* Keys, and the KEY_RESIZE ncurses makes of a SIGWINCH (which
         * interrupts the wait). */
        int ch;
        nodelay(stdscr, TRUE);
        while ((ch = getch()) != ERR && !l->quit)
            handle_key(l, ch);
        nodelay(stdscr, FALSE);
    }
}

/* ---- the app ---------------------------------------------------------------- */

static void screens_init(session *s)
{
    for (int i = 0; i < SCR_COUNT; i++)
        if (screens[i]->init)
            screens[i]->init(s);
}

static void screens_fini(void)
{
    for (int i = 0; i < SCR_COUNT; i++)
        if (screens[i]->fini)
            screens[i]->fini();
}

/* Glyphs for the locale; the theme from --theme, else NO_COLOR, else the
 * settings, else colour where the terminal has it. */
static void look(session *s, const tui_opts *o)
{
    const char *cs = nl_langinfo(CODESET);
    int unicode = cs && strcmp(cs, "UTF-8") == 0;
    ui_init_glyphs(unicode, term_zwj_joins());
    s->ascii = !unicode;
    int want = s->config.theme == THEME_MONO ? THEME_MONO : THEME_COLOUR;
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        want = THEME_MONO;
    if (o->theme)
        want = strcmp(o->theme, "mono") == 0 ? THEME_MONO : THEME_COLOUR;
    theme_init(want);
}

/* The recording's end: the last bytes (curses's goodbye) and the file. */
static void record_end(session *s)
{
    uilog_record_end(s->log);
    tap_stop();
}

/* The app on an open session and terminal; returns the exit code. */
static int run_app(session *s, const tui_opts *o, replay *r)
{
    loop l = {s, 0, 0, 0};
    term_signals();
    if (LINES != o->rows || COLS != o->cols) /* curses found another size */
        uilog_resize(s->log, COLS, LINES);
    look(s, o);
    screens_init(s);
    uilog_addf(s->log, "start", "trending", "persona=%lld model=%s",
               (long long)s->persona.id, s->model ? "yes" : "rules");
    /* The persona list (unless --persona) and the hottest items load on a
     * worker; the Trending screen shows the hottest few at once. */
    if (!s->persona.id)
        session_personas_load(s);
    go(&l, SCR_TRENDING, 0);
    if (s->feed_url[0])
        session_feed_start(s);
    draw(&l);
    double first_ms = (tg_now_mono() - o->t_start) * 1000.0;
    run(&l, o->replay ? r : NULL);
    uilog_add(s->log, "quit", "", term_stopped() ? "signal" : "q");
    term_stop();
    record_end(s);
    screens_fini();
    int sig = term_stopped();
    int code = sig == SIGINT || sig == SIGTERM || sig == SIGHUP ? 128 + sig
                                                                : TG_OK;
    int rc = o->replay ? replay_report(o->timings, r, first_ms) : TG_OK;
    return rc != TG_OK ? rc : code;
}

int tui_run(const tui_opts *given)
{
    tui_opts oo = *given, *o = &oo;
    term_size(&oo.rows, &oo.cols);
    setlocale(LC_ALL, "");
    tg_err err = {0};
    replay r = {0};
    int rc = o->replay ? replay_load(o->replay, &r, &err) : TG_OK;
    session *s = rc == TG_OK ? session_open(o, &err) : NULL;
    if (!s) {
        fprintf(stderr, "trendguard: %s\n", err.msg);
        replay_free(&r);
        return err.code ? err.code : TG_EINTERNAL;
    }
    rc = term_start(o->replay != NULL, uilog_recording(s->log));
    if (rc == TG_OK)
        rc = run_app(s, o, &r);
    else
        record_end(s);
    session_close(s);
    replay_free(&r);
    return rc;
}
