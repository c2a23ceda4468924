/* term.h: the terminal as the app holds it: started in curses mode, and
 * always given back as it was: on q, Ctrl-C, SIGTERM, SIGHUP and a crash. */
#ifndef TRENDGUARD_TUI_TERM_H
#define TRENDGUARD_TUI_TERM_H

/* Starts curses on the terminal (a virtual LINES x COLUMNS screen for a
 * replay whose output is no terminal), first asking the terminal how it
 * draws joined emoji; with record, what curses writes from then on is
 * copied for the recording (tap.h). Prints why and returns TG_EUNAVAIL
 * when there is no terminal to draw on. */
int term_start(int replay, int record);
/* 1 when the terminal, asked as curses started, joins a character after a
 * zero-width joiner into the cell before it (text.h); 0 when it does not,
 * did not answer, or was not asked (a replay, a locale that is not
 * UTF-8). */
int term_zwj_joins(void);
/* The size curses will find, asked before it starts: LINES and COLUMNS
 * when set, else the terminal's, else 24 x 80. */
void term_size(int *rows, int *cols);
/* Catches the signals that stop the app and those of a crash. */
void term_signals(void);
/* The stopping signal caught (SIGINT, SIGTERM, SIGHUP), or 0. */
int term_stopped(void);
/* Gives the terminal back. */
void term_stop(void);

#endif
