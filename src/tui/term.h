/* term.h: the terminal as the app holds it: started in curses mode, and
 * always given back as it was: on q, Ctrl-C, SIGTERM, SIGHUP and a crash. */
#ifndef TRENDGUARD_TUI_TERM_H
#define TRENDGUARD_TUI_TERM_H

/* Starts curses on the terminal (a virtual LINES x COLUMNS screen for a
 * replay whose output is no terminal). Prints why and returns TG_EUNAVAIL
 * when there is no terminal to draw on. */
int term_start(int replay);
/* Catches the signals that stop the app and those of a crash. */
void term_signals(void);
/* The stopping signal caught (SIGINT, SIGTERM, SIGHUP), or 0. */
int term_stopped(void);
/* Gives the terminal back. */
void term_stop(void);

#endif
