/* tui.c: the app's event loop: sets up and always restores the terminal
 * (on q, Ctrl-C, SIGTERM and a crash), waits on the keyboard, the trend
 * feed's worker and the dashboard's worker with a timeout, dispatches keys
 * through the key table to the screens, draws the tab bar and the status
 * lines, and records the session in ui_events. A replay script can stand
 * in for the keyboard to time key-to-screen latency. */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "app.h"

#define MIN_COLS 80
#define MIN_ROWS 24

static const screen *const screens[SCR_COUNT] = {
    [SCR_TRENDING] = &scr_trending, [SCR_ITEM] = &scr_item,
    [SCR_CART] = &scr_cart,         [SCR_ORDERS] = &scr_orders,
    [SCR_DASH] = &scr_dash,         [SCR_HELP] = &scr_help,
    [SCR_PERSONAS] = &scr_personas,
};

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t curses_on;

static void on_stop(int sig)
{
    stop_signal = sig;
}

/* A crash: give the terminal back before dying with the same signal. */
static void on_crash(int sig)
{
    if (curses_on)
        endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
}

void app_note(app *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->note, sizeof a->note, fmt, ap);
    va_end(ap);
    a->note_until = tg_now_mono() + 6.0;
    a->dirty = 1;
}

void app_event(app *a, const char *kind, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    uilog_add(a->log, kind, screens[a->screen]->name, buf);
}

void app_go(app *a, int scr)
{
    if (scr < 0 || scr >= SCR_COUNT)
        return;
    if (scr != a->screen) {
        if (a->screen < SCR_MAIN || scr < SCR_MAIN)
            a->back = a->screen;
        a->screen = scr;
        uilog_add(a->log, "screen", screens[scr]->name, NULL);
    }
    if (screens[scr]->enter)
        screens[scr]->enter(a);
    a->dirty = 1;
}

/* ---- drawing ------------------------------------------------------------- */

static void draw_tabs(app *a)
{
    attr_t tab = theme_attr(EL_TAB);
    attrset(tab);
    ui_blank(stdscr, 0, 0, a->cols);
    int x = 0;
    attrset(tab | A_BOLD);
    x += ui_put(stdscr, 0, x, a->cols, " TrendGuard ");
    for (int s = 0; s < SCR_MAIN && x < a->cols; s++) {
        attrset(s == a->screen ? theme_attr(EL_TAB_ACTIVE) : tab);
        char label[40];
        snprintf(label, sizeof label, " %d %s ", s + 1, screens[s]->title);
        if (s == SCR_CART && a->cart.n > 0)
            snprintf(label, sizeof label, " %d %s (%d) ", s + 1,
                     screens[s]->title, a->cart.n);
        x += ui_put(stdscr, 0, x, a->cols - x, label);
        attrset(tab);
        if (x < a->cols)
            x += ui_put(stdscr, 0, x, 1, " ");
    }
    attrset(tab);
    if (x + 8 < a->cols)
        ui_put(stdscr, 0, a->cols - 8, 8, " ? help ");
    attrset(A_NORMAL);
}

static void draw_status(app *a)
{
    int y = a->rows - 2;
    attrset(theme_attr(EL_STATUS));
    ui_blank(stdscr, y, 0, a->cols);
    char who[160], model[220];
    if (a->persona.id)
        shop_persona_line(&a->persona, who, sizeof who);
    else
        snprintf(who, sizeof who, "%s", a->loading[0] ? a->loading
                                                       : "anonymous shopper");
    if (a->model)
        snprintf(model, sizeof model, "model v%d", a->model_info.version);
    else
        snprintf(model, sizeof model, "model unavailable: rule-based "
                                      "estimate");
    char date[16];
    tg_date_format(shop_now(a->shop), date, sizeof date);
    /* The model, feed and date on the right always show; the shopper's
     * line gets what is left. */
    char right[400];
    snprintf(right, sizeof right, " %s%s%s | %s ", a->feed_state,
             a->feed_state[0] ? " | " : "", model, date);
    int rw = ui_width(right);
    if (rw > a->cols)
        rw = a->cols;
    ui_put(stdscr, y, a->cols - rw, rw, right);
    ui_putf(stdscr, y, 0, a->cols - rw, " %s ", who);
    attrset(A_NORMAL);
    ui_blank(stdscr, y + 1, 0, a->cols);
    if (a->note[0] && tg_now_mono() < a->note_until) {
        attrset(theme_attr(EL_NUDGE));
        ui_put(stdscr, y + 1, 1, a->cols - 2, a->note);
        attrset(A_NORMAL);
        return;
    }
    a->note[0] = 0;
    static const struct {
        int action;
        const char *what;
    } hints[SCR_COUNT][6] = {
        [SCR_TRENDING] = {{ACT_OPEN, "open"}, {ACT_SEARCH, "search"},
                          {ACT_CATEGORY, "category"}, {ACT_PHASE, "phase"},
                          {ACT_PERSONA, "shopper"}, {ACT_QUIT, "quit"}},
        [SCR_ITEM] = {{ACT_LEFT, "size"}, {ACT_ADD, "add to cart"},
                      {ACT_ACCEPT, "accept"}, {ACT_DECLINE, "no thanks"},
                      {ACT_BACK, "back"}, {ACT_QUIT, "quit"}},
        [SCR_CART] = {{ACT_CHECKOUT, "check out"}, {ACT_REMOVE, "remove"},
                      {ACT_ACCEPT, "accept"}, {ACT_QTY_UP, "qty"},
                      {ACT_BACK, "back"}, {ACT_QUIT, "quit"}},
        [SCR_ORDERS] = {{ACT_RETURN, "return"}, {ACT_ACCEPT, "accept"},
                        {ACT_BACK, "back"}, {ACT_PERSONA, "shopper"},
                        {ACT_QUIT, "quit"}},
        [SCR_DASH] = {{ACT_CATEGORY, "category"}, {ACT_CHANNEL, "channel"},
                      {ACT_PERIOD, "period"}, {ACT_CLEAR, "clear"},
                      {ACT_BACK, "back"}, {ACT_QUIT, "quit"}},
        [SCR_HELP] = {{ACT_BACK, "back"}, {ACT_QUIT, "quit"}},
        [SCR_PERSONAS] = {{ACT_OPEN, "shop as"}, {ACT_BACK, "back"},
                          {ACT_QUIT, "quit"}},
    };
    int x = 1;
    for (int i = 0; i < 6 && hints[a->screen][i].what; i++) {
        char k[24];
        keys_hint(a->screen, hints[a->screen][i].action, k, sizeof k);
        if (hints[a->screen][i].action == ACT_LEFT)
            snprintf(k, sizeof k, "%s", ui_unicode() ? "\u2190\u2192"
                                                       : "Left/Right");
        attrset(theme_attr(EL_KEY));
        x += ui_put(stdscr, y + 1, x, a->cols - x, k);
        attrset(A_NORMAL);
        x += ui_putf(stdscr, y + 1, x, a->cols - x, " %s  ",
                     hints[a->screen][i].what);
    }
}

static void draw_too_small(app *a)
{
    erase();
    attrset(A_BOLD);
    ui_put(stdscr, 0, 0, a->cols, "TrendGuard");
    attrset(A_NORMAL);
    char msg[160];
    snprintf(msg, sizeof msg, "The terminal is %dx%d; TrendGuard needs at "
             "least %dx%d. Make the window larger, or press q to quit.",
             a->cols, a->rows, MIN_COLS, MIN_ROWS);
    ui_wrap(stdscr, a->rows > 2 ? 1 : 0, 0, a->cols, a->rows > 1
                                                         ? a->rows - 1 : 1,
            msg);
}

static void draw(app *a)
{
    getmaxyx(stdscr, a->rows, a->cols);
    if (a->cols < MIN_COLS || a->rows < MIN_ROWS) {
        draw_too_small(a);
    } else {
        erase();
        draw_tabs(a);
        screens[a->screen]->draw(a, stdscr, 1, a->rows - 3, a->cols);
        draw_status(a);
    }
    wnoutrefresh(stdscr);
    doupdate();
    a->dirty = 0;
}

/* ---- the trend feed -------------------------------------------------------- */

static void feed_start(app *a)
{
    if (!a->feed_url[0] || a->feed)
        return;
    tg_err err = {0};
    tg_feed_validators v;
    if (feed_validators_get(a->store, a->feed_url, &v, &err) != TG_OK)
        memset(&v, 0, sizeof v);
    tg_feed_opts o = {0};
    o.timeout = 30;
    a->feed = feed_job_start(a->feed_url, &o, &v, &err);
    snprintf(a->feed_state, sizeof a->feed_state, "%s",
             a->feed ? "trends: refreshing" : "trends: refresh failed");
    a->feed_next = tg_now_mono() + 60.0 * (a->opts->feed_minutes > 0
                                               ? a->opts->feed_minutes
                                               : 15);
    a->dirty = 1;
}

static void refresh_after_data(app *a)
{
    trending_reload(a);
    if (a->item.product_id)
        item_open(a, a->item.product_id);
    cart_rescore(a);
    a->dirty = 1;
}

static void feed_finish(app *a)
{
    tg_feed_fetch *f = NULL;
    tg_feed_doc *doc = NULL;
    tg_err err = {0};
    int rc = feed_job_finish(a->feed, &f, &doc, &err);
    tg_feed_result r;
    memset(&r, 0, sizeof r);
    if (rc == TG_OK)
        rc = feed_apply(a->store, f, doc, &r, &err);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char hhmm[8];
    strftime(hhmm, sizeof hhmm, "%H:%M", &tm);
    if (rc == TG_OK && f && f->status == 304) {
        snprintf(a->feed_state, sizeof a->feed_state,
                 "trends %s, unchanged", hhmm);
    } else if (rc == TG_OK) {
        snprintf(a->feed_state, sizeof a->feed_state, "trends %s, %ld new",
                 hhmm, r.snapshots_added);
        refresh_after_data(a);
    } else {
        /* Keep when the data last came in; say the try failed. */
        snprintf(a->feed_state, sizeof a->feed_state,
                 "trends: refresh failed %s", hhmm);
        app_note(a, "trend feed: %s", err.msg);
    }
    uilog_add(a->log, "feed", screens[a->screen]->name, a->feed_state);
    feed_fetch_free(f);
    feed_doc_free(doc);
    feed_job_free(a->feed);
    a->feed = NULL;
    a->dirty = 1;
}

static void feed_pick_url(app *a)
{
    if (a->opts->offline) {
        snprintf(a->feed_state, sizeof a->feed_state, "offline");
        return;
    }
    if (a->opts->feed_url) {
        tg_strlcpy(a->feed_url, a->opts->feed_url, sizeof a->feed_url);
        return;
    }
    sqlite3_stmt *q = store_prepare(a->store,
                                    "SELECT url FROM feed_sources"
                                    " ORDER BY last_sync DESC LIMIT 1",
                                    NULL);
    if (q && sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        tg_strlcpy(a->feed_url, (const char *)sqlite3_column_text(q, 0),
                   sizeof a->feed_url);
    sqlite3_finalize(q);
}

/* ---- keys ------------------------------------------------------------------ */

static void handle_global(app *a, int act)
{
    switch (act) {
    case ACT_SCREEN1: case ACT_SCREEN2: case ACT_SCREEN3: case ACT_SCREEN4:
    case ACT_SCREEN5:
        app_go(a, SCR_TRENDING + (act - ACT_SCREEN1));
        break;
    case ACT_NEXT_SCREEN:
        app_go(a, a->screen < SCR_MAIN ? (a->screen + 1) % SCR_MAIN
                                       : SCR_TRENDING);
        break;
    case ACT_PREV_SCREEN:
        app_go(a, a->screen < SCR_MAIN ? (a->screen + SCR_MAIN - 1) % SCR_MAIN
                                       : SCR_TRENDING);
        break;
    case ACT_HELP:
        app_go(a, SCR_HELP);
        break;
    case ACT_PERSONA:
        app_go(a, SCR_PERSONAS);
        break;
    case ACT_QUIT:
        a->quit = 1;
        break;
    case ACT_THEME:
        theme_set(theme_current() == THEME_COLOUR ? THEME_MONO
                                                  : THEME_COLOUR);
        app_note(a, "theme: %s", theme_names[theme_current()]);
        break;
    case ACT_REFRESH:
        refresh_after_data(a);
        if (a->feed_url[0])
            feed_start(a);
        else
            app_note(a, "data reloaded (no trend feed: run 'trendguard "
                        "sync --url URL' once to set one)");
        break;
    case ACT_BACK:
        app_go(a, a->screen == a->back ? SCR_TRENDING : a->back);
        break;
    default:
        break;
    }
}

static void handle_key(app *a, int ch)
{
    char name[24];
    if (ch == KEY_RESIZE) {
        /* Keys queued behind the resize see the new size. */
        getmaxyx(stdscr, a->rows, a->cols);
        uilog_addf(a->log, "resize", screens[a->screen]->name, "%dx%d",
                   COLS, LINES);
        a->dirty = 1;
        return;
    }
    /* A resize whose signal ncurses has not turned into KEY_RESIZE yet
     * (a storm of them): take the terminal's real size before judging the
     * key against it. */
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
        ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
        resize_term(ws.ws_row, ws.ws_col);
    getmaxyx(stdscr, a->rows, a->cols);
    uilog_add(a->log, "key", screens[a->screen]->name,
              keys_name(ch, name, sizeof name));
    a->dirty = 1;
    if (a->cols < MIN_COLS || a->rows < MIN_ROWS) {
        if (ch == 'q' || ch == 27)
            a->quit = 1;
        return;
    }
    if (ch == KEY_MOUSE) {
        MEVENT ev;
        if (getmouse(&ev) != OK)
            return;
        if (ev.y == 0) { /* the tab bar */
            int x = 12;
            for (int s = 0; s < SCR_MAIN; s++) {
                int w = 4 + ui_width(screens[s]->title);
                if (ev.x >= x && ev.x < x + w) {
                    app_go(a, s);
                    return;
                }
                x += w;
            }
            return;
        }
        a->mouse_y = ev.y, a->mouse_x = ev.x;
        screens[a->screen]->key(a, ACT_NONE, KEY_MOUSE);
        return;
    }
    int act = keys_action(a->screen, ch);
    /* The screen first: it may own the key (a search box, a dialog). */
    if (screens[a->screen]->key(a, act, ch))
        return;
    handle_global(a, act);
}

/* ---- replay ------------------------------------------------------------------ */

/* A replay line "Idle": wait until the workers (loading, dashboard, feed)
 * are done, as a person would look at the screen; not a timed key. */
#define REPLAY_IDLE (-2)

typedef struct replay {
    int *keys;
    int n, at;
    double *ms;              /* key-to-screen time of each key */
} replay;

static int key_by_name(const char *s)
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
    if (strcmp(s, "Idle") == 0)
        return REPLAY_IDLE;
    if (strlen(s) == 1)
        return (unsigned char)s[0];
    return -1;
}

/* On failure too, the caller frees r->keys and r->ms. */
static int replay_load(const char *path, replay *r, tg_err *err)
{
    size_t len;
    char *text = tg_read_file(path, &len, 1 << 20, err);
    if (!text)
        return err->code;
    memset(r, 0, sizeof r[0]);
    int cap = 0, line = 0;
    for (char *save = NULL, *p = strtok_r(text, "\n", &save); p;
         p = strtok_r(NULL, "\n", &save)) {
        line++;
        tg_trim(p);
        if (!*p || *p == '#')
            continue;
        int k = key_by_name(p);
        if (k == -1) {
            int rc = tg_fail(err, TG_EDATA, "%s:%d: unknown key '%s'", path,
                             line, p);
            free(text); /* after the message: p points into it */
            return rc;
        }
        if (r->n == cap) {
            cap = cap ? cap * 2 : 64;
            int *nk = realloc(r->keys, (size_t)cap * sizeof *nk);
            if (!nk) {
                free(text);
                return tg_fail(err, TG_EINTERNAL, "out of memory");
            }
            r->keys = nk;
        }
        r->keys[r->n++] = k;
    }
    free(text);
    r->ms = calloc((size_t)(r->n ? r->n : 1), sizeof *r->ms);
    return r->ms ? TG_OK : tg_fail(err, TG_EINTERNAL, "out of memory");
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static int replay_report(const app_opts *o, const replay *r, double first)
{
    FILE *f = o->timings ? fopen(o->timings, "w") : stderr;
    if (!f)
        return TG_EIO;
    double *s = malloc((size_t)(r->n ? r->n : 1) * sizeof *s);
    if (!s) {
        if (f != stderr)
            fclose(f);
        return TG_EINTERNAL;
    }
    int n = 0;
    for (int i = 0; i < r->n; i++)
        if (r->ms[i] >= 0)
            s[n++] = r->ms[i];
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += s[i];
#define PCT(p) (n ? s[(int)((n - 1) * (p))] : 0.0)
    fprintf(f, "{\"keys\":%d,\"first_frame_ms\":%.3f,\"mean_ms\":%.3f,"
               "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,"
               "\"per_key_ms\":[",
            n, first, n ? sum / n : 0.0, PCT(0.5), PCT(0.99),
            n ? s[n - 1] : 0.0);
#undef PCT
    /* Each key's time in script order, to find the slow ones. */
    for (int i = 0, k = 0; i < r->n; i++)
        if (r->ms[i] >= 0)
            fprintf(f, "%s%.3f", k++ ? "," : "", r->ms[i]);
    fprintf(f, "]}\n");
    free(s);
    if (f != stderr)
        fclose(f);
    return TG_OK;
}

/* ---- setup and the loop ---------------------------------------------------- */

static int open_data(app *a, tg_err *err)
{
    a->store = store_open(a->opts->db, 0, err);
    if (!a->store)
        return err->code;
    a->shop = shop_open(a->store, 0, err);
    if (!a->shop)
        return err->code;
    char name[64];
    if (!a->opts->session)
        uilog_default_name(name, sizeof name);
    a->log = uilog_open(a->store, a->opts->session ? a->opts->session : name,
                        err);
    if (!a->log)
        return err->code;
    if (a->opts->persona &&
        shop_persona(a->shop, a->opts->persona, &a->persona, err) != TG_OK)
        return tg_fail(err, TG_EUSAGE, "--persona %lld: no such customer "
                                       "in the store",
                       (long long)a->opts->persona);
    risk_open(a);
    shop_filter_init(&a->filter);
    a->cart.channel = TG_CHANNEL_APP;
    a->cart_nudge_line = -1;
    if (a->persona.id)
        app_persona_set(a, &a->persona);
    a->note[0] = 0;
    feed_pick_url(a);
    return TG_OK;
}

static void close_data(app *a)
{
    feed_job_free(a->feed);
    dash_free(a);
    loader_free(a);
    trending_free(a);
    if (a->store && a->bandit && a->catalog.n > 0)
        nudge_store_save_bandit(a->store, &a->catalog, a->bandit, NULL);
    uilog_free(a->log);
    risk_close(a);
    shop_free(a->shop);
    store_close(a->store);
}

static int start_curses(app *a)
{
    const char *term = getenv("TERM");
    FILE *out = stdout;
    if (a->opts->replay && !isatty(STDOUT_FILENO)) {
        /* Timing runs draw into a virtual screen of LINES x COLUMNS. */
        if (!term || !*term)
            setenv("TERM", "xterm-256color", 1), term = getenv("TERM");
    }
    if (!term || !*term || strcmp(term, "dumb") == 0) {
        fprintf(stderr, "trendguard: the app needs a terminal that can "
                        "address the cursor, and TERM is %s%s%s; set TERM "
                        "(for example TERM=xterm-256color), or use the "
                        "commands ('trendguard --help')\n",
                term ? "'" : "unset", term ? term : "", term ? "'" : "");
        return TG_EUNAVAIL;
    }
    if (!a->opts->replay && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "trendguard: the app needs a terminal on stdin and "
                        "stdout; use the commands ('trendguard --help') in "
                        "scripts\n");
        return TG_EUNAVAIL;
    }
    SCREEN *scr = newterm(NULL, out, stdin);
    if (!scr) {
        fprintf(stderr, "trendguard: terminal '%s' is not known to this "
                        "system's terminfo; try TERM=xterm-256color\n", term);
        return TG_EUNAVAIL;
    }
    set_term(scr);
    curses_on = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
    mouseinterval(0);
    return TG_OK;
}

static int wait_input(app *a, int timeout_ms)
{
    struct pollfd p[4];
    int n = 0;
    p[n++] = (struct pollfd){STDIN_FILENO, POLLIN, 0};
    if (a->feed)
        p[n++] = (struct pollfd){feed_job_fd(a->feed), POLLIN, 0};
    int dfd = dash_fd(a), lfd = loader_fd(a);
    if (dfd >= 0)
        p[n++] = (struct pollfd){dfd, POLLIN, 0};
    if (lfd >= 0)
        p[n++] = (struct pollfd){lfd, POLLIN, 0};
    int rc = poll(p, (nfds_t)n, timeout_ms);
    if (rc < 0 && errno == EINTR)
        return 0;
    return rc;
}

static void tick(app *a)
{
    if (a->feed && feed_job_done(a->feed))
        feed_finish(a);
    dash_poll(a);
    loader_poll(a);
    if (a->feed_url[0] && !a->feed && tg_now_mono() >= a->feed_next)
        feed_start(a);
    if (a->note[0] && tg_now_mono() >= a->note_until)
        a->dirty = 1;
}

static void loop(app *a, replay *r)
{
    while (!a->quit && !stop_signal) {
        tick(a);
        if (a->dirty)
            draw(a);
        if (r) {
            if (r->at >= r->n)
                break;
            if (r->keys[r->at] == REPLAY_IDLE) {
                double until = tg_now_mono() + 60;
                while ((loader_fd(a) >= 0 || dash_fd(a) >= 0 || a->feed) &&
                       tg_now_mono() < until) {
                    wait_input(a, 50);
                    tick(a);
                }
                draw(a);
                r->ms[r->at++] = -1; /* not a key */
                continue;
            }
            double t0 = tg_now_mono();
            handle_key(a, r->keys[r->at]);
            tick(a);
            draw(a);
            r->ms[r->at++] = (tg_now_mono() - t0) * 1000.0;
            continue;
        }
        if (wait_input(a, 250) == 0)
            uilog_flush(a->log, NULL); /* idle: write the record */
        /* Keys, and the KEY_RESIZE ncurses makes of a SIGWINCH (which
         * interrupts the wait). */
        int ch;
        nodelay(stdscr, TRUE);
        while ((ch = getch()) != ERR && !a->quit)
            handle_key(a, ch);
        nodelay(stdscr, FALSE);
    }
}

int app_run(const app_opts *o)
{
    setlocale(LC_ALL, "");
    app *a = calloc(1, sizeof *a);
    if (!a) {
        fprintf(stderr, "trendguard: out of memory\n");
        return TG_EINTERNAL;
    }
    a->opts = o;
    a->screen = SCR_TRENDING;
    tg_err err = {0};
    replay r = {0};
    int rc = o->replay ? replay_load(o->replay, &r, &err) : TG_OK;
    if (rc == TG_OK)
        rc = open_data(a, &err);
    if (rc != TG_OK) {
        fprintf(stderr, "trendguard: %s\n", err.msg);
        close_data(a);
        free(r.keys), free(r.ms);
        free(a);
        return rc;
    }
    rc = start_curses(a);
    if (rc != TG_OK) {
        close_data(a);
        free(r.keys), free(r.ms);
        free(a);
        return rc;
    }
    install_signals();
    const char *cs = nl_langinfo(CODESET);
    ui_init_glyphs(cs && strcmp(cs, "UTF-8") == 0);
    int want = THEME_COLOUR;
    const char *nc = getenv("NO_COLOR");
    if ((nc && *nc) || (o->theme && strcmp(o->theme, "mono") == 0))
        want = THEME_MONO;
    theme_init(want);
    uilog_addf(a->log, "start", "trending", "persona=%lld model=%s",
               (long long)a->persona.id, a->model ? "yes" : "rules");
    /* The persona list (unless --persona) and the hottest items load on a
     * worker; the Trending screen shows the hottest few at once. */
    if (!a->persona.id)
        loader_start(a, 1);
    app_go(a, SCR_TRENDING);
    if (a->feed_url[0])
        feed_start(a);
    draw(a);
    double first_ms = (tg_now_mono() - o->t_start) * 1000.0;
    loop(a, o->replay ? &r : NULL);
    uilog_add(a->log, "quit", "", stop_signal ? "signal" : "q");
    endwin();
    curses_on = 0;
    int code = stop_signal == SIGINT || stop_signal == SIGTERM ||
                       stop_signal == SIGHUP
                   ? 128 + stop_signal
                   : TG_OK;
    if (o->replay)
        rc = replay_report(o, &r, first_ms);
    close_data(a);
    free(r.keys), free(r.ms);
    free(a);
    return rc != TG_OK ? rc : code;
}
