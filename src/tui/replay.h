/* replay.h: a key script that stands in for the keyboard (--replay: one
 * key name per line, "Idle" waits for the background work, # comments),
 * and the timings it measures: the first frame and each key's time to
 * the screen, written as JSON (--timings). */
#ifndef TRENDGUARD_TUI_REPLAY_H
#define TRENDGUARD_TUI_REPLAY_H

#include "trendguard/util.h"

/* A script line "Idle": wait until the background work is done, as a
 * person would look at the screen; not a timed key. */
#define REPLAY_IDLE (-2)

typedef struct replay {
    int *keys;
    int n, at;
    double *ms;              /* key-to-screen time of each key; -1: none */
} replay;

/* Loads the script at path. On failure too, replay_free frees it. */
int replay_load(const char *path, replay *r, tg_err *err);
void replay_free(replay *r);
/* Writes the timings as JSON to path (NULL: stderr). */
int replay_report(const char *path, const replay *r, double first_ms);

#endif
