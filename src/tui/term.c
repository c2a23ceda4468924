/* term.c: starting curses and always giving the terminal back: the
 * stopping signals set a flag the loop reads; a crash ends curses before
 * dying with the same signal. */
#include "term.h"

#include <curses.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "tap.h"
#include "trendguard/util.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t curses_on;
static int zwj_joins;

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

void term_signals(void)
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

int term_stopped(void)
{
    return stop_signal;
}

/* Says why the app cannot draw; 0 when it can. */
static int refuse(const char *term, int replay)
{
    if (!term || !*term || strcmp(term, "dumb") == 0) {
        fprintf(stderr, "trendguard: the app needs a terminal that can "
                        "address the cursor, and TERM is %s%s%s; set TERM "
                        "(for example TERM=xterm-256color), or use the "
                        "commands ('trendguard --help')\n",
                term ? "'" : "unset", term ? term : "", term ? "'" : "");
        return 1;
    }
    if (!replay && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr, "trendguard: the app needs a terminal on stdin and "
                        "stdout; use the commands ('trendguard --help') in "
                        "scripts\n");
        return 1;
    }
    return 0;
}

/* The terminal's answer to a cursor position report, up to its 'R',
 * within 300 ms; "" when none came. */
static void read_report(char *buf, size_t n)
{
    size_t got = 0;
    double until = tg_now_mono() + 0.3;
    while (got + 1 < n) {
        int left = (int)((until - tg_now_mono()) * 1000) + 1;
        struct pollfd p = {STDIN_FILENO, POLLIN, 0};
        if (left <= 1 || poll(&p, 1, left) <= 0 ||
            read(STDIN_FILENO, buf + got, 1) != 1)
            break;
        if (buf[got++] == 'R')
            break;
    }
    buf[got] = 0;
}

/* Draws "woman, zero-width joiner, laptop" at the start of the line and
 * asks the terminal where its cursor is: 1 when it joined them into one
 * 2-column glyph, 0 when it drew 4 columns or did not answer. The line is
 * cleared and the terminal's modes put back. */
static int probe_zwj(void)
{
    struct termios old, raw;
    if (tcgetattr(STDIN_FILENO, &old) != 0)
        return 0;
    raw = old;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) != 0)
        return 0;
    static const char ask[] = "\r\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb"
                              "\033[6n";
    char buf[32];
    ssize_t w = write(STDOUT_FILENO, ask, sizeof ask - 1);
    read_report(buf, sizeof buf);
    w = write(STDOUT_FILENO, "\r\033[K", 4);
    (void)w;
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    const char *esc = strchr(buf, '\033');
    int row, col;
    return esc && sscanf(esc, "\033[%d;%dR", &row, &col) == 2 && col == 3;
}

/* A positive whole number from the environment, else 0. */
static int env_size(const char *name)
{
    const char *v = getenv(name);
    int n = v ? atoi(v) : 0;
    return n > 0 && n < 10000 ? n : 0;
}

void term_size(int *rows, int *cols)
{
    struct winsize ws;
    *rows = 24, *cols = 80;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
        ws.ws_col > 0)
        *rows = ws.ws_row, *cols = ws.ws_col;
    if (env_size("LINES"))
        *rows = env_size("LINES");
    if (env_size("COLUMNS"))
        *cols = env_size("COLUMNS");
}

int term_zwj_joins(void)
{
    return zwj_joins;
}

int term_start(int replay, int record)
{
    const char *term = getenv("TERM");
    if (replay && !isatty(STDOUT_FILENO) && (!term || !*term)) {
        /* Timing runs draw into a virtual screen of LINES x COLUMNS. */
        setenv("TERM", "xterm-256color", 1);
        term = getenv("TERM");
    }
    if (refuse(term, replay))
        return TG_EUNAVAIL;
    const char *cs = nl_langinfo(CODESET);
    if (!replay && cs && strcmp(cs, "UTF-8") == 0)
        zwj_joins = probe_zwj();
    if (record) /* from curses's first byte, after the probe's question */
        tap_start(STDOUT_FILENO);
    SCREEN *scr = newterm(NULL, stdout, stdin);
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

void term_stop(void)
{
    endwin();
    curses_on = 0;
}
