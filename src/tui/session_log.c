/* session_log.c: the session's notes (a line in the status bar for a few
 * seconds, or until the shopper leaves the screen), its recorded events
 * (ui_events, for usability testing) and its recording (what the app
 * drew, asciicast), which screen the shopper is on and the settings kept
 * between launches. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "screen.h"
#include "session.h"
#include "tap.h"

#define NOTE_SECONDS 6.0

void session_note(session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->note, sizeof s->note, fmt, ap);
    va_end(ap);
    s->note_until = tg_now_mono() + NOTE_SECONDS;
    s->note_key = s->keys;
    s->dirty = 1;
}

void session_key(session *s)
{
    s->keys++;
}

void session_event(session *s, const char *kind, const char *fmt, ...)
{
    char buf[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    uilog_add(s->log, kind, s->screen_name, buf);
}

void session_go(session *s, int scr, const char *name)
{
    if (scr != s->screen) {
        if (s->screen < SCR_MAIN || scr < SCR_MAIN)
            s->back = s->screen;
        s->screen = scr;
        uilog_add(s->log, "screen", name, NULL);
        if (s->note_key != s->keys)
            s->note[0] = 0;
    }
    s->screen_name = name;
    s->dirty = 1;
}

void session_save_config(session *s)
{
    if (s->opts->replay)
        return;
    tg_err err = {0};
    if (config_save(&s->config, &err) != TG_OK)
        session_note(s, "settings not kept: %s", err.msg);
}

/* Starts the recording o asks for; the loop pulls the terminal's bytes. */
static int record(session *s, const tg_uilog_rec *o, tg_err *err)
{
    int rc = uilog_record(s->log, o, err);
    if (rc == TG_OK)
        uilog_record_pull(s->log, tap_pull, s->log);
    return rc;
}

int session_record(session *s, tg_err *err)
{
    char dir[4096];
    const char *file = s->opts->record;
    const char *folder =
        file ? NULL : config_record_dir(&s->config, dir, sizeof dir);
    if (!file && !folder)
        return TG_OK;
    tg_uilog_rec o = {file, folder, s->opts->cols, s->opts->rows,
                      getenv("TERM"), tg_now_mono()};
    int rc = record(s, &o, err);
    if (rc == TG_OK || file)
        return rc;
    /* The settings' folder cannot take it: the store keeps it alone. */
    session_note(s, "Not recording into %s: %s", folder, err->msg);
    tg_err_clear(err);
    o.dir = NULL;
    return record(s, &o, err);
}
