/* uilog.c: records an app session's events in `ui_events` (buffered in
 * memory, written in one transaction per flush so a busy store never
 * stalls a keypress; with the recording's events when the session is
 * recorded, uilog_rec.c) and reads sessions back for `trendguard
 * sessions`. */
#include "uilog_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char INSERT_SQL[] =
    "INSERT INTO ui_events(session, at_ms, kind, screen, detail)"
    " VALUES(?1, ?2, ?3, ?4, ?5)";

static const char SESSIONS_SQL[] =
    "SELECT session, MIN(at_ms), MAX(at_ms), COUNT(*),"
    " SUM(kind = 'key'), SUM(kind = 'screen'), SUM(kind = 'nudge_shown'),"
    " SUM(kind = 'nudge_answer' AND detail LIKE '%accepted%'),"
    " SUM(kind = 'checkout'), SUM(kind = 'return')"
    " FROM ui_events GROUP BY session ORDER BY MIN(at_ms), session";

static const char EVENTS_SQL[] =
    "SELECT at_ms, kind, screen, detail FROM ui_events WHERE session = ?1"
    " ORDER BY at_ms, id";

static int64_t wall_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void uilog_default_name(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    snprintf(buf, n, "%s-%ld", stamp, (long)getpid());
}

tg_uilog *uilog_open(tg_store *s, const char *session, tg_err *err)
{
    if (!session || !*session || strlen(session) >= 64) {
        tg_fail(err, TG_EUSAGE, "a session name must have 1 to 63 bytes");
        return NULL;
    }
    tg_uilog *u = calloc(1, sizeof *u);
    if (!u) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    u->store = s;
    tg_strlcpy(u->session, session, sizeof u->session);
    return u;
}

static void event_free(pending_event *e)
{
    free(e->kind), free(e->screen), free(e->detail);
}

void uilog_free(tg_uilog *u)
{
    if (!u)
        return;
    uilog_record_end(u);
    uilog_flush(u, NULL);
    uilog_rec_free(u);
    for (long i = 0; i < u->n; i++)
        event_free(&u->ev[i]);
    free(u->ev);
    free(u);
}

const char *uilog_session(const tg_uilog *u)
{
    return u->session;
}

void uilog_add(tg_uilog *u, const char *kind, const char *screen,
               const char *detail)
{
    if (!u || !kind)
        return;
    if (u->n == u->cap) {
        long cap = u->cap ? u->cap * 2 : 64;
        pending_event *ev = realloc(u->ev, (size_t)cap * sizeof *ev);
        if (!ev) {
            u->dropped++;
            return;
        }
        u->ev = ev, u->cap = cap;
    }
    pending_event e = {wall_ms(), tg_strdup(kind),
                       screen ? tg_strdup(screen) : NULL,
                       detail ? tg_strdup(detail) : NULL};
    if (!e.kind || (screen && !e.screen) || (detail && !e.detail)) {
        event_free(&e);
        u->dropped++;
        return;
    }
    u->ev[u->n++] = e;
    uilog_rec_marker(u, &e);
}

void uilog_addf(tg_uilog *u, const char *kind, const char *screen,
                const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    uilog_add(u, kind, screen, buf);
}

long uilog_pending(const tg_uilog *u)
{
    return u->n;
}

long uilog_dropped(const tg_uilog *u)
{
    return u->dropped;
}

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

void uilog_set_store(tg_uilog *u, tg_store *s)
{
    if (u)
        u->store = s;
}

int uilog_flush(tg_uilog *u, tg_err *err)
{
    if (!u || (u->n == 0 && uilog_rec_pending(u) == 0))
        return TG_OK;
    if (store_begin(u->store, err) != TG_OK)
        return err ? err->code : TG_EIO;
    sqlite3_stmt *q = store_prepare(u->store, INSERT_SQL, err);
    int rc = q ? TG_OK : TG_EINTERNAL;
    for (long i = 0; rc == TG_OK && i < u->n; i++) {
        const pending_event *e = &u->ev[i];
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, u->session, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 2, e->at_ms);
        sqlite3_bind_text(q, 3, e->kind, -1, SQLITE_STATIC);
        bind_text_or_null(q, 4, e->screen);
        bind_text_or_null(q, 5, e->detail);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = store_fail(u->store, err, "ui_events");
    }
    sqlite3_finalize(q);
    if (rc == TG_OK)
        rc = uilog_rec_write(u, err);
    if (rc == TG_OK)
        rc = store_commit(u->store, err);
    if (rc != TG_OK)
        store_rollback(u->store);
    uilog_rec_written(u, rc == TG_OK);
    if (rc != TG_OK)
        return rc;
    for (long i = 0; i < u->n; i++)
        event_free(&u->ev[i]);
    u->n = 0;
    return TG_OK;
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : NULL;
}

int uilog_sessions(tg_store *s,
                   int (*fn)(void *ud, const tg_ui_session *ss), void *ud,
                   tg_err *err)
{
    sqlite3_stmt *q = store_prepare(s, SESSIONS_SQL, err);
    if (!q)
        return err ? err->code : TG_EINTERNAL;
    int rc = TG_OK, step;
    while (rc == TG_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        tg_ui_session ss = {0};
        const char *name = col_text(q, 0);
        tg_strlcpy(ss.name, name ? name : "", sizeof ss.name);
        ss.first_ms = sqlite3_column_int64(q, 1);
        ss.last_ms = sqlite3_column_int64(q, 2);
        ss.events = (long)sqlite3_column_int64(q, 3);
        ss.keys = (long)sqlite3_column_int64(q, 4);
        ss.screens = (long)sqlite3_column_int64(q, 5);
        ss.nudges_shown = (long)sqlite3_column_int64(q, 6);
        ss.nudges_accepted = (long)sqlite3_column_int64(q, 7);
        ss.checkouts = (long)sqlite3_column_int64(q, 8);
        ss.returns = (long)sqlite3_column_int64(q, 9);
        rc = fn(ud, &ss);
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "ui_events");
    sqlite3_finalize(q);
    return rc;
}

int uilog_events(tg_store *s, const char *session,
                 int (*fn)(void *ud, const tg_ui_event *e), void *ud,
                 tg_err *err)
{
    sqlite3_stmt *q = store_prepare(s, EVENTS_SQL, err);
    if (!q)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(q, 1, session, -1, SQLITE_STATIC);
    int rc = TG_OK, step;
    long seen = 0;
    while (rc == TG_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        tg_ui_event e = {sqlite3_column_int64(q, 0), col_text(q, 1),
                         col_text(q, 2), col_text(q, 3)};
        seen++;
        rc = fn(ud, &e);
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "ui_events");
    sqlite3_finalize(q);
    if (rc == TG_OK && seen == 0) {
        char shown[256]; /* the name as given: text from outside */
        tg_text_visible(session, strlen(session), shown, sizeof shown);
        rc = tg_fail(err, TG_ENOINPUT, "no session '%s' in the store", shown);
    }
    return rc;
}
