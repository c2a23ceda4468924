/* session.c: opening and closing the session (the store, the shop, the
 * record of events, the settings, the model and the engine, the shopper),
 * and the session's background work as the loop sees it: descriptors to
 * wait on, results to take, and the record written when the app is
 * idle. */
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* Everything but the shopper; on failure err says what. */
static int open_store(session *s, tg_err *err)
{
    const tui_opts *o = s->opts;
    if (!(s->store = store_open(o->db, STORE_MAPPED, err)))
        return err->code;
    if (!(s->shop = shop_open(s->store, 0, err)))
        return err->code;
    char name[64];
    if (!o->session)
        uilog_default_name(name, sizeof name);
    if (!(s->log = uilog_open(s->store, o->session ? o->session : name,
                              err)))
        return err->code;
    return money_currency(s->store, &s->currency, err);
}

/* The settings, unless a replay runs (a timing run depends on nothing of
 * the user's and changes nothing of theirs). */
static void load_config(session *s)
{
    config_init(&s->config);
    if (s->opts->replay)
        s->config.path[0] = 0;
    else
        config_load(&s->config);
}

/* Who shops first: --persona, else the one the settings keep (when this
 * store has them), else the first persona once the list has loaded. */
static int first_shopper(session *s, tg_err *err)
{
    const tui_opts *o = s->opts;
    if (o->persona) {
        if (shop_persona(s->shop, o->persona, &s->persona, err) != TG_OK)
            return tg_fail(err, TG_EUSAGE, "--persona %lld: no such customer "
                           "in the store", (long long)o->persona);
        return TG_OK;
    }
    int64_t kept = s->config.shopper;
    tg_err quiet = {0};
    if (kept && shop_persona(s->shop, kept, &s->persona, &quiet) != TG_OK) {
        memset(&s->persona, 0, sizeof s->persona);
        session_note(s, "The shopper the settings keep (%lld) is not in this "
                        "store: shopping as the first one.", (long long)kept);
    }
    return TG_OK;
}

session *session_open(const tui_opts *o, tg_err *err)
{
    session *s = calloc(1, sizeof *s);
    if (!s) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    s->opts = o;
    s->screen_name = "trending"; /* the app opens on Trending */
    s->cart.channel = TG_CHANNEL_APP;
    s->cart_nudge.line = -1;
    load_config(s);
    int rc = open_store(s, err);
    if (rc == TG_OK) /* the model loads while the first items do */
        session_risk_start(s);
    if (rc == TG_OK)
        rc = first_shopper(s, err);
    if (rc == TG_OK) /* before the first event */
        rc = session_record(s, err);
    if (rc != TG_OK) {
        session_close(s);
        return NULL;
    }
    session_hot_first(s);
    char said[sizeof s->note];
    tg_strlcpy(said, s->config.problem[0] ? s->config.problem : s->note,
               sizeof said);
    session_risk_open(s);
    session_caps(s);
    if (s->persona.id)
        session_shop_as(s, &s->persona);
    s->note[0] = 0;
    if (said[0])
        session_note(s, "%s", said);
    session_feed_pick(s);
    return s;
}

void session_close(session *s)
{
    if (!s)
        return;
    feed_job_free(s->feed);
    preload_free(s->preload);
    free(s->hot);
    if (s->store && s->bandit && s->catalog.n > 0)
        nudge_store_save_bandit(s->store, &s->catalog, s->bandit, NULL);
    uilog_free(s->log);
    session_risk_close(s);
    shop_free(s->shop);
    store_close(s->store);
    free(s);
}

int session_fds(const session *s, int *fds)
{
    int n = 0;
    if (preload_fd(s->preload) >= 0)
        fds[n++] = preload_fd(s->preload);
    if (session_feed_fd(s) >= 0)
        fds[n++] = session_feed_fd(s);
    return n;
}

void session_tick(session *s)
{
    session_preload_poll(s);
    session_feed_poll(s);
    if (s->note[0] && tg_now_mono() >= s->note_until)
        s->dirty = 1;
}

int session_busy(const session *s)
{
    return preload_fd(s->preload) >= 0 || s->feed != NULL;
}

/* A bulk load moved a new store file into place: the session goes on in
 * it (the old file takes no writes), the record not yet written included,
 * and what the screens show is loaded again. */
static void follow_replaced_store(session *s)
{
    if (!store_replaced(s->store))
        return;
    tg_err err = {0};
    tg_store *n = store_open(s->opts->db, STORE_MAPPED, &err);
    tg_shop *sh = n ? shop_open(n, 0, &err) : NULL;
    if (!sh) {
        store_close(n);
        session_note(s, "The store was replaced by a bulk load and cannot be "
                        "opened again: %s", err.msg);
        return;
    }
    shop_free(s->shop);
    uilog_set_store(s->log, n);
    store_close(s->store);
    s->store = n;
    s->shop = sh;
    session_reload(s);
    session_note(s, "A bulk load replaced the store: its data is loaded "
                    "again.");
}

void session_idle(session *s)
{
    follow_replaced_store(s);
    /* The record's rows change no shopper's or item's history: the shop's
     * caches stay (they would be read again on the next item opened). */
    int64_t before = store_changes(s->store);
    uilog_flush(s->log, NULL);
    shop_cache_unrelated(s->shop, before, store_changes(s->store));
}
