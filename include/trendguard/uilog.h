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

/* A session name for now: "YYYYmmdd-HHMMSS-PID". */
void uilog_default_name(char *buf, size_t n);

#endif
