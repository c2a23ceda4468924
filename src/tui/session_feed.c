/* session_feed.c: the trend feed's refresh while the app is open: at start
 * and every --feed-minutes, the transfer and parse on a worker (the feed's
 * job), the load on the loop's thread; new data reloads and reprices what
 * is on screen, and the status line says when it last refreshed. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "session.h"

void session_feed_pick(session *s)
{
    if (s->opts->offline) {
        snprintf(s->feed_state, sizeof s->feed_state, "offline");
        return;
    }
    if (s->opts->feed_url) {
        tg_strlcpy(s->feed_url, s->opts->feed_url, sizeof s->feed_url);
        return;
    }
    tg_err err = {0};
    feed_last_url(s->store, s->feed_url, sizeof s->feed_url, &err);
}

void session_feed_start(session *s)
{
    if (!s->feed_url[0] || s->feed)
        return;
    tg_err err = {0};
    tg_feed_validators v;
    if (feed_validators_get(s->store, s->feed_url, &v, &err) != TG_OK)
        memset(&v, 0, sizeof v);
    tg_feed_opts o = {0};
    o.timeout = 30;
    s->feed = feed_job_start(s->feed_url, &o, &v, &err);
    snprintf(s->feed_state, sizeof s->feed_state, "%s",
             s->feed ? "trends: refreshing" : "trends: refresh failed");
    s->feed_next = tg_now_mono() + 60.0 * (s->opts->feed_minutes > 0
                                               ? s->opts->feed_minutes
                                               : 15);
    s->dirty = 1;
}

int session_feed_fd(const session *s)
{
    return s->feed ? feed_job_fd(s->feed) : -1;
}

/* Loads the finished job's document; says how it went in feed_state. */
static void feed_finish(session *s)
{
    tg_feed_fetch *f = NULL;
    tg_feed_doc *doc = NULL;
    tg_err err = {0};
    int rc = feed_job_finish(s->feed, &f, &doc, &err);
    tg_feed_result r;
    memset(&r, 0, sizeof r);
    if (rc == TG_OK)
        rc = feed_apply(s->store, f, doc, &r, &err);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char hhmm[8];
    strftime(hhmm, sizeof hhmm, "%H:%M", &tm);
    if (rc == TG_OK && f && f->status == 304) {
        snprintf(s->feed_state, sizeof s->feed_state,
                 "trends %s, unchanged", hhmm);
    } else if (rc == TG_OK) {
        snprintf(s->feed_state, sizeof s->feed_state, "trends %s, %ld new",
                 hhmm, r.snapshots_added);
        session_reload(s);
    } else {
        /* Keep when the data last came in; say the try failed. */
        snprintf(s->feed_state, sizeof s->feed_state,
                 "trends: refresh failed %s", hhmm);
        session_note(s, "trend feed: %s", err.msg);
    }
    uilog_add(s->log, "feed", s->screen_name, s->feed_state);
    feed_fetch_free(f);
    feed_doc_free(doc);
}

void session_feed_poll(session *s)
{
    if (s->feed && feed_job_done(s->feed)) {
        feed_finish(s);
        feed_job_free(s->feed);
        s->feed = NULL;
        s->dirty = 1;
    }
    if (s->feed_url[0] && !s->feed && tg_now_mono() >= s->feed_next)
        session_feed_start(s);
}
