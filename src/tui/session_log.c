/* session_log.c: the session's notes (a line in the status bar for a few
 * seconds), its recorded events (ui_events, for usability testing) and
 * which screen the shopper is on. */
#include <stdarg.h>
#include <stdio.h>

#include "screen.h"
#include "session.h"

#define NOTE_SECONDS 6.0

void session_note(session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->note, sizeof s->note, fmt, ap);
    va_end(ap);
    s->note_until = tg_now_mono() + NOTE_SECONDS;
    s->dirty = 1;
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
    }
    s->screen_name = name;
    s->dirty = 1;
}
