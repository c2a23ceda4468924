/* uilog_rec.c: recording an app session (uilog.h): the terminal's output,
 * its resizes and a marker for each event, as asciicast v2 lines (cast.h)
 * written to a file as they happen and kept for the store, where they go
 * with the events at each flush (ui_recordings, ui_cast); and the file
 * rebuilt from the store. Times are microseconds since the start on the
 * monotonic clock, never going back. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "trendguard/cast.h"
#include "uilog_int.h"

typedef struct cast_row {
    int64_t t_us;
    char type;
    char *data;              /* valid UTF-8, as the line has it */
    size_t n;
} cast_row;

struct ui_rec {
    tg_cast_header h;
    char title[64], term[64], path[PATH_MAX];
    FILE *file;              /* NULL: none, or stopped (problem says why) */
    char problem[PATH_MAX + 100];
    double t0;
    int64_t last_us;
    char carry[4];           /* a character cut between two writes */
    size_t ncarry;
    void (*pull)(void *ud);
    void *ud;
    int pulling, ended;
    cast_row *rows;          /* not in the store yet */
    long n, cap;
    int64_t id;              /* its ui_recordings row; 0 until written */
    int new_id;              /* id was written by the flush under way */
    long seq;                /* rows written to the store so far */
};

static const char REC_SQL[] =
    "INSERT INTO ui_recordings(session, started_at, width, height, term,"
    " file) VALUES(?1, ?2, ?3, ?4, ?5, ?6)";
static const char ROW_SQL[] =
    "INSERT INTO ui_cast(recording, seq, t_us, type, data)"
    " VALUES(?1, ?2, ?3, ?4, ?5)";
static const char NEWEST_SQL[] =
    "SELECT id, started_at, width, height, term,"
    " (SELECT COUNT(*) FROM ui_recordings WHERE session = ?1)"
    " FROM ui_recordings WHERE session = ?1 ORDER BY id DESC LIMIT 1";
static const char ROWS_SQL[] =
    "SELECT t_us, type, data FROM ui_cast WHERE recording = ?1 ORDER BY seq";
static const char HAS_EVENTS_SQL[] =
    "SELECT 1 FROM ui_events WHERE session = ?1 LIMIT 1";
/* A store older than recordings (read, not migrated) has none. */
static const char HAS_TABLE_SQL[] =
    "SELECT COUNT(*) FROM sqlite_master WHERE name = 'ui_recordings'";

/* ---- the file ------------------------------------------------------------------ */

/* The session's name as a file name: letters, digits, '-', '_' and '.'
 * kept, anything else '_', never a leading '.'. */
static void file_name(const char *session, char *out, size_t n)
{
    size_t k = 0;
    for (const char *p = session; *p && k + 1 < n; p++) {
        char c = *p;
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                   (c == '.' && k > 0);
        out[k++] = keep ? c : '_';
    }
    out[k] = 0;
}

/* A new file in dir for the session: NAME.cast, else NAME-2.cast... */
static int open_in_dir(ui_rec *r, const char *dir, const char *session,
                       tg_err *err)
{
    char name[64];
    file_name(session, name, sizeof name);
    if (tg_mkdirs(dir, err) != TG_OK)
        return -1;
    for (int i = 1; i < 1000; i++) {
        char tail[16] = "";
        if (i > 1)
            snprintf(tail, sizeof tail, "-%d", i);
        if ((size_t)snprintf(r->path, sizeof r->path, "%s/%s%s.cast", dir,
                             name, tail) >= sizeof r->path) {
            tg_fail(err, TG_EUSAGE, "%s: path too long", dir);
            return -1;
        }
        int fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) {
            if (fd < 0)
                tg_fail(err, TG_EIO, "%s: %s", r->path, strerror(errno));
            return fd;
        }
    }
    tg_fail(err, TG_EIO, "%s: no free name for %s.cast", dir, name);
    return -1;
}

static int open_file(ui_rec *r, const char *path, tg_err *err)
{
    if (tg_replaceable(path, err) != TG_OK)
        return -1;
    tg_strlcpy(r->path, path, sizeof r->path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    if (fd < 0)
        tg_fail(err, TG_EIO, "%s: %s", path, strerror(errno));
    return fd;
}

/* The file could not take a line: it stops, the store goes on. */
static void file_failed(ui_rec *r)
{
    snprintf(r->problem, sizeof r->problem, "recording to %s stopped: %s",
             r->path, strerror(errno ? errno : EIO));
    fclose(r->file);
    r->file = NULL;
}

static void file_put(ui_rec *r, const char *line, int flush)
{
    if (!r->file)
        return;
    if (fputs(line, r->file) == EOF || (flush && fflush(r->file) != 0))
        file_failed(r);
}

/* ---- recording ------------------------------------------------------------------- */

int uilog_record(tg_uilog *u, const tg_uilog_rec *o, tg_err *err)
{
    if (u->rec)
        return tg_fail(err, TG_EUSAGE, "the session is recorded already");
    ui_rec *r = calloc(1, sizeof *r);
    if (!r)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    tg_strlcpy(r->title, u->session, sizeof r->title);
    tg_strlcpy(r->term, o->term ? o->term : "", sizeof r->term);
    r->h = (tg_cast_header){o->width, o->height, (int64_t)time(NULL),
                            r->title, r->term};
    r->t0 = o->t0;
    int fd = -2;
    if (o->file)
        fd = open_file(r, o->file, err);
    else if (o->dir)
        fd = open_in_dir(r, o->dir, u->session, err);
    if (fd >= 0 && !(r->file = fdopen(fd, "w"))) {
        close(fd);
        tg_fail(err, TG_EIO, "%s: %s", r->path, strerror(errno));
        fd = -1;
    }
    if (fd == -1) {
        free(r);
        return err ? err->code : TG_EIO;
    }
    char *head = cast_header_line(&r->h);
    if (!head) {
        if (r->file)
            fclose(r->file);
        free(r);
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    file_put(r, head, 1);
    free(head);
    u->rec = r;
    return TG_OK;
}

int uilog_recording(const tg_uilog *u)
{
    return u && u->rec && !u->rec->ended;
}

const char *uilog_record_path(const tg_uilog *u)
{
    return u && u->rec ? u->rec->path : "";
}

const char *uilog_record_problem(const tg_uilog *u)
{
    return u && u->rec ? u->rec->problem : "";
}

void uilog_record_pull(tg_uilog *u, void (*fn)(void *ud), void *ud)
{
    if (u && u->rec)
        u->rec->pull = fn, u->rec->ud = ud;
}

/* An event of the recording at t seconds on the monotonic clock: to the
 * file now, to the store at the next flush. data is valid UTF-8. */
static void add_row(ui_rec *r, double at, char type, char *data, size_t n)
{
    int64_t t_us = (int64_t)((at - r->t0) * 1e6);
    if (t_us < r->last_us)
        t_us = r->last_us;
    r->last_us = t_us;
    char *line = cast_event_line(t_us, type, data, n);
    if (line)
        file_put(r, line, type != 'm');
    free(line);
    if (r->n == r->cap) {
        long cap = r->cap ? r->cap * 2 : 256;
        cast_row *rows = realloc(r->rows, (size_t)cap * sizeof *rows);
        if (!rows) {
            free(data);
            return;
        }
        r->rows = rows, r->cap = cap;
    }
    r->rows[r->n++] = (cast_row){t_us, type, data, n};
}

static void pull(ui_rec *r)
{
    if (r->pull && !r->pulling) {
        r->pulling = 1;
        r->pull(r->ud);
        r->pulling = 0;
    }
}

void uilog_rec_marker(tg_uilog *u, const pending_event *e)
{
    if (!uilog_recording(u))
        return;
    pull(u->rec);
    char label[CAST_LABEL_MAX + 1];
    cast_label(e->kind, e->screen, e->detail, label, sizeof label);
    char *data = tg_strdup(label);
    if (data)
        add_row(u->rec, tg_now_mono(), 'm', data, strlen(data));
}

void uilog_output(tg_uilog *u, double at, const char *bytes, size_t n)
{
    if (!uilog_recording(u) || n == 0)
        return;
    ui_rec *r = u->rec;
    size_t len;
    char *text = cast_output(bytes, n, r->carry, &r->ncarry, &len);
    if (text)
        add_row(r, at, 'o', text, len);
}

void uilog_resize(tg_uilog *u, int cols, int rows)
{
    if (!uilog_recording(u))
        return;
    pull(u->rec);
    char size[32];
    snprintf(size, sizeof size, "%dx%d", cols, rows);
    char *data = tg_strdup(size);
    if (data)
        add_row(u->rec, tg_now_mono(), 'r', data, strlen(data));
}

void uilog_record_end(tg_uilog *u)
{
    if (!uilog_recording(u))
        return;
    ui_rec *r = u->rec;
    pull(r);
    if (r->ncarry) { /* a character never finished: U+FFFD */
        char bad[16];
        size_t n = tg_utf8_repair(r->carry, r->ncarry, bad, sizeof bad);
        r->ncarry = 0;
        char *data = tg_strndup(bad, n);
        if (data)
            add_row(r, tg_now_mono(), 'o', data, n);
    }
    r->ended = 1;
    if (r->file && fclose(r->file) != 0)
        snprintf(r->problem, sizeof r->problem, "recording to %s: %s",
                 r->path, strerror(errno));
    r->file = NULL;
}

/* ---- the store --------------------------------------------------------------------- */

long uilog_rec_pending(const tg_uilog *u)
{
    return u->rec ? u->rec->n + !u->rec->id : 0;
}

static int write_header(tg_uilog *u, tg_err *err)
{
    ui_rec *r = u->rec;
    sqlite3_stmt *q = store_prepare(u->store, REC_SQL, err);
    if (!q)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(q, 1, u->session, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, r->h.timestamp);
    sqlite3_bind_int(q, 3, r->h.width);
    sqlite3_bind_int(q, 4, r->h.height);
    sqlite3_bind_text(q, 5, r->term, -1, SQLITE_STATIC);
    if (r->path[0])
        sqlite3_bind_text(q, 6, r->path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q) == SQLITE_DONE
                 ? TG_OK
                 : store_fail(u->store, err, "ui_recordings");
    sqlite3_finalize(q);
    if (rc == TG_OK) {
        r->id = sqlite3_last_insert_rowid(store_db(u->store));
        r->new_id = 1;
    }
    return rc;
}

int uilog_rec_write(tg_uilog *u, tg_err *err)
{
    ui_rec *r = u->rec;
    if (!r)
        return TG_OK;
    int rc = r->id ? TG_OK : write_header(u, err);
    sqlite3_stmt *q = rc == TG_OK ? store_prepare(u->store, ROW_SQL, err)
                                  : NULL;
    if (rc == TG_OK && !q)
        rc = err ? err->code : TG_EINTERNAL;
    for (long i = 0; rc == TG_OK && i < r->n; i++) {
        const cast_row *w = &r->rows[i];
        char type[2] = {w->type, 0};
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, r->id);
        sqlite3_bind_int64(q, 2, r->seq + i);
        sqlite3_bind_int64(q, 3, w->t_us);
        sqlite3_bind_text(q, 4, type, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, w->data, (int)w->n, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = store_fail(u->store, err, "ui_cast");
    }
    sqlite3_finalize(q);
    return rc;
}

void uilog_rec_written(tg_uilog *u, int ok)
{
    ui_rec *r = u->rec;
    if (!r)
        return;
    if (!ok) {
        if (r->new_id)
            r->id = 0; /* rolled back with the rest */
        r->new_id = 0;
        return;
    }
    r->new_id = 0;
    for (long i = 0; i < r->n; i++)
        free(r->rows[i].data);
    r->seq += r->n;
    r->n = 0;
}

void uilog_rec_free(tg_uilog *u)
{
    ui_rec *r = u->rec;
    if (!r)
        return;
    if (r->file)
        fclose(r->file);
    for (long i = 0; i < r->n; i++)
        free(r->rows[i].data);
    free(r->rows);
    free(r);
    u->rec = NULL;
}

/* ---- the file again, from the store ------------------------------------------------- */

typedef struct text_buf {
    char *s;
    size_t n, cap;
    int oom;
} text_buf;

/* Appends line (NULL: out of memory) and frees it. */
static void buf_take(text_buf *b, char *line)
{
    size_t n = line ? strlen(line) : 0;
    if (!line || b->oom) {
        b->oom = 1;
        free(line);
        return;
    }
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            free(line);
            return;
        }
        b->s = s, b->cap = cap;
    }
    memcpy(b->s + b->n, line, n + 1);
    b->n += n;
    free(line);
}

/* Why session has no recording: unknown, or not recorded. */
static int not_recorded(tg_store *s, const char *session, tg_err *err)
{
    char shown[256];
    tg_text_visible(session, strlen(session), shown, sizeof shown);
    sqlite3_stmt *q = store_prepare(s, HAS_EVENTS_SQL, err);
    if (!q)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(q, 1, session, -1, SQLITE_STATIC);
    int known = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    if (!known)
        return tg_fail(err, TG_ENOINPUT, "no session '%s' in the store",
                       shown);
    return tg_fail(err, TG_ENOINPUT,
                   "session '%s' was not recorded (record one with "
                   "'trendguard --record FILE.cast', or the setting "
                   "record_dir)", shown);
}

/* The lines of recording id after its header. */
static int cast_rows(tg_store *s, int64_t id, text_buf *b, tg_err *err)
{
    sqlite3_stmt *q = store_prepare(s, ROWS_SQL, err);
    if (!q)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_int64(q, 1, id);
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW && !b->oom) {
        const char *type = (const char *)sqlite3_column_text(q, 1);
        const char *data = (const char *)sqlite3_column_text(q, 2);
        buf_take(b, cast_event_line(sqlite3_column_int64(q, 0),
                                    type ? type[0] : 'o', data ? data : "",
                                    (size_t)sqlite3_column_bytes(q, 2)));
    }
    int rc = step == SQLITE_ROW || step == SQLITE_DONE
                 ? TG_OK
                 : store_fail(s, err, "ui_cast");
    sqlite3_finalize(q);
    return rc;
}

int uilog_cast(tg_store *s, const char *session, const char *path,
               int *recordings, tg_err *err)
{
    if (store_count(s, HAS_TABLE_SQL) == 0)
        return not_recorded(s, session, err);
    sqlite3_stmt *q = store_prepare(s, NEWEST_SQL, err);
    if (!q)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(q, 1, session, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return not_recorded(s, session, err);
    }
    int64_t id = sqlite3_column_int64(q, 0);
    const char *term = (const char *)sqlite3_column_text(q, 4);
    tg_cast_header h = {sqlite3_column_int(q, 2), sqlite3_column_int(q, 3),
                        sqlite3_column_int64(q, 1), session, term};
    if (recordings)
        *recordings = sqlite3_column_int(q, 5);
    text_buf b = {0};
    buf_take(&b, cast_header_line(&h));
    sqlite3_finalize(q);
    int rc = cast_rows(s, id, &b, err);
    if (rc == TG_OK && b.oom)
        rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    if (rc == TG_OK)
        rc = tg_write_file_atomic(path, b.s, b.n, err);
    free(b.s);
    return rc;
}
