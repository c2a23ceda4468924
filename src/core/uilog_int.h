/* uilog_int.h: the usability-testing record as its two files share it
 * (internal to the core): uilog.c keeps the events, uilog_rec.c the
 * recording of what the app drew (asciicast, cast.h) that goes with
 * them. */
#ifndef TRENDGUARD_UILOG_INT_H
#define TRENDGUARD_UILOG_INT_H

#include "trendguard/uilog.h"

typedef struct pending_event {
    int64_t at_ms;
    char *kind, *screen, *detail;
} pending_event;

typedef struct ui_rec ui_rec; /* a recording (uilog_rec.c) */

struct tg_uilog {
    tg_store *store;
    char session[64];
    pending_event *ev;
    long n, cap;
    long dropped;
    ui_rec *rec;             /* NULL: not recording */
};

/* The event just added, as a marker of the recording (when there is
 * one), after the output that came before it. */
void uilog_rec_marker(tg_uilog *u, const pending_event *e);
/* The recording's events not written to the store yet. */
long uilog_rec_pending(const tg_uilog *u);
/* Inside uilog_flush's transaction: the recording's row and its pending
 * events. */
int uilog_rec_write(tg_uilog *u, tg_err *err);
/* After that transaction: committed (ok) or rolled back. */
void uilog_rec_written(tg_uilog *u, int ok);
void uilog_rec_free(tg_uilog *u);

#endif
