/* uilog.h: the usability-testing record: every key, screen change, nudge
 * shown and answer of an app session, kept in `ui_events` with the
 * session's name, and the sessions read back with their timings. */
#ifndef TRENDGUARD_UILOG_H
#define TRENDGUARD_UILOG_H

#include <stdint.h>

#include "trendguard/store.h"
#include "trendguard/util.h"

typedef struct tg_uilog tg_uilog;

/* A recorder for session `session` (copied) on store s, which must outlive
 * it. Events are buffered in memory and written by uilog_flush; none is
 * lost while the store is busy (they wait for the next flush). Caller
 * frees with uilog_free, which flushes what it can. */
tg_uilog *uilog_open(tg_store *s, const char *session, tg_err *err);
void uilog_free(tg_uilog *u);
/* The record goes on in s (the same store opened again after a bulk load
 * replaced it): what was not written yet is written there. */
void uilog_set_store(tg_uilog *u, tg_store *s);
const char *uilog_session(const tg_uilog *u);

/* Records an event now (wall clock, milliseconds). kind: "key", "screen",
 * "nudge_shown", "nudge_answer", "checkout", "return", ...; screen and
 * detail may be NULL. Never fails: an event that cannot be buffered is
 * counted as dropped. */
void uilog_add(tg_uilog *u, const char *kind, const char *screen,
               const char *detail);
void uilog_addf(tg_uilog *u, const char *kind, const char *screen,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Writes the buffered events in one transaction. TG_OK when the buffer is
 * empty afterwards; on failure (a busy store) the events stay buffered. */
int uilog_flush(tg_uilog *u, tg_err *err);
/* Events buffered, and events dropped for want of memory. */
long uilog_pending(const tg_uilog *u);
long uilog_dropped(const tg_uilog *u);

/* A session's summary. */
typedef struct tg_ui_session {
    char name[64];
    int64_t first_ms, last_ms;  /* first and last event */
    long events, keys, screens; /* all events, keys, screen changes */
    long nudges_shown, nudges_accepted, checkouts, returns;
} tg_ui_session;

/* Calls fn for every session, oldest first. */
int uilog_sessions(tg_store *s,
                   int (*fn)(void *ud, const tg_ui_session *ss), void *ud,
                   tg_err *err);

typedef struct tg_ui_event {
    int64_t at_ms;
    const char *kind, *screen, *detail;  /* valid during the callback */
} tg_ui_event;

/* Calls fn for every event of one session in time order; TG_ENOINPUT when
 * the session has no events. */
int uilog_events(tg_store *s, const char *session,
                 int (*fn)(void *ud, const tg_ui_event *e), void *ud,
                 tg_err *err);

/* ---- recording what the app drew (uilog_rec.c) ------------------------------
 * A session can be recorded as asciicast v2 (cast.h): the terminal's
 * output with its timing, and each event added from then on as a marker
 * ("KIND DETAIL"), so the markers and the session's events match one for
 * one. The recording goes to a file as it happens (when one is asked
 * for) and to the store (ui_recordings, ui_cast) with the events, from
 * which uilog_cast rebuilds the same file. */
typedef struct tg_uilog_rec {
    const char *file;        /* write here (replaced when it is a regular
                                file), or NULL */
    const char *dir;         /* else into this folder, as NAME.cast (NAME:
                                the session's name made a safe file name;
                                NAME-2.cast... when taken), or NULL */
    int width, height;       /* the terminal's size at the start */
    const char *term;        /* TERM, may be NULL */
    double t0;               /* tg_now_mono() of time 0 */
} tg_uilog_rec;

/* Starts recording u. With neither file nor dir, the store alone keeps
 * it. TG_EUSAGE when file is a link, folder, FIFO or device, TG_EIO when
 * it cannot be written. */
int uilog_record(tg_uilog *u, const tg_uilog_rec *o, tg_err *err);
/* 1 while u records. */
int uilog_recording(const tg_uilog *u);
/* The file being written, "" when none. */
const char *uilog_record_path(const tg_uilog *u);
/* Why the file stopped being written ("" while all is well); the store
 * still gets the rest. */
const char *uilog_record_problem(const tg_uilog *u);
/* fn(ud) is called before a marker is recorded, to hand over (with
 * uilog_output) the output written before the event. */
void uilog_record_pull(tg_uilog *u, void (*fn)(void *ud), void *ud);
/* The terminal got n bytes at tg_now_mono() time at. */
void uilog_output(tg_uilog *u, double at, const char *bytes, size_t n);
/* The terminal is cols x rows now. */
void uilog_resize(tg_uilog *u, int cols, int rows);
/* Ends the recording: the output not handed over yet is pulled, the file
 * closed; the store gets the rest at the next flush. */
void uilog_record_end(tg_uilog *u);
/* Writes the newest recording of session to path (atomically);
 * *recordings (may be NULL) gets how many it has. TG_ENOINPUT with a
 * message saying whether the session exists but was not recorded. */
int uilog_cast(tg_store *s, const char *session, const char *path,
               int *recordings, tg_err *err);

/* A session name for now: "YYYYmmdd-HHMMSS-PID". */
void uilog_default_name(char *buf, size_t n);

#endif
