/* term.c: starting curses and always giving the terminal back: the
 * stopping signals set a flag the loop reads; a crash ends curses before
 * dying with the same signal. */
#include "term.h"

#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trendguard/util.h"

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

int term_start(int replay)
{
    const char *term = getenv("TERM");
    if (replay && !isatty(STDOUT_FILENO) && (!term || !*term)) {
        /* Timing runs draw into a virtual screen of LINES x COLUMNS. */
        setenv("TERM", "xterm-256color", 1);
        term = getenv("TERM");
    }
    if (refuse(term, replay))
        return TG_EUNAVAIL;
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
