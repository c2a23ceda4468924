/* tui.h: the terminal app as the command line sees it: its options and
 * the one call that runs it (loop.c). */
#ifndef TRENDGUARD_TUI_H
#define TRENDGUARD_TUI_H

#include <stdint.h>

typedef struct tui_opts {
    const char *db;
    int64_t persona;         /* customers.id, 0: the first persona */
    const char *session;     /* NULL: a generated name */
    const char *replay;      /* key script instead of the keyboard */
    const char *timings;     /* where the replay writes its timings (JSON) */
    const char *record;      /* record the session into this .cast file;
                                NULL: the settings' record_dir, if any */
    const char *theme;       /* "colour", "mono", NULL: colour if possible */
    const char *feed_url;    /* trend feed to refresh from; NULL: the
                                store's last synced feed */
    int feed_minutes;        /* refresh period */
    int offline;             /* --offline: never fetch; the store only */
    int rows, cols;          /* the terminal's size before curses starts
                                (tui_run asks), for the recording */
    double t_start;          /* tg_now_mono() at process start */
} tui_opts;

/* Runs the app until q or a signal; returns the exit code (0, 128 + the
 * signal, 64 a bad --persona, 69 no terminal, ...). */
int tui_run(const tui_opts *o);

#endif
