/* session_shopper.c: who is shopping (a persona from the store, so a demo
 * can show how risk and nudges change from one person to the next), and
 * the hottest items: the first few read at once, all of them and the
 * persona list loaded in the background (preload.c). */
#include <stdlib.h>
#include <string.h>

#include "session.h"

/* The first frame gets the hottest few at once; the worker then loads
 * SESSION_MAX_HOT of them (on a big store that takes a while). */
#define FIRST_ITEMS 40

void session_shop_as(session *s, const tg_persona *p)
{
    s->persona = *p;
    s->cart.customer_id = p->id;
    nudge_session_init(&s->visit);
    tg_err err = {0};
    int64_t now = shop_now(s->shop);
    if (s->catalog.n > 0) {
        nudge_store_shopper(s->store, &s->catalog, p->id, now, &s->caps,
                            &err);
        nudge_store_budget(s->store, &s->catalog, now, &s->budget, &err);
    }
    s->cart_nudge.state = NUDGE_NONE;
    s->preship.n.state = NUDGE_NONE; /* another shopper's order */
    s->gen_shopper++;
    char line[160];
    shop_persona_line(p, line, sizeof line);
    session_event(s, "persona", "%lld %s", (long long)p->id, line);
    session_note(s, "Shopping as %s.", line);
    session_cart_rescore(s);
}

void session_pick_shopper(session *s, const tg_persona *p)
{
    session_shop_as(s, p);
    s->config.shopper = p->id;
    session_save_config(s);
}

static void load_later(session *s, int personas)
{
    tg_err err = {0};
    if (preload_start(&s->preload, s->opts->db, shop_now(s->shop), personas,
                      &err) != TG_OK) {
        session_note(s, "loading: %s", err.msg);
        return;
    }
    if (personas)
        tg_strlcpy(s->loading, "loading shoppers...", sizeof s->loading);
}

void session_hot_first(session *s)
{
    if (s->hot)
        return;
    if (!(s->hot = calloc(SESSION_MAX_HOT, sizeof *s->hot))) {
        session_note(s, "trending: out of memory");
        return;
    }
    tg_shop_filter every;
    shop_filter_init(&every);
    tg_err err = {0};
    int got = 0;
    if (shop_trending(s->shop, &every, s->hot, FIRST_ITEMS, &got, &err) !=
        TG_OK)
        session_note(s, "trending: %s", err.msg);
    s->n_hot = got;
    s->gen_hot++;
}

void session_hot_load(session *s)
{
    session_hot_first(s);
    if (s->hot)
        load_later(s, 0); /* unless a load runs */
}

void session_personas_load(session *s)
{
    load_later(s, 1);
}

void session_reload(session *s)
{
    s->gen_data++;
    session_hot_load(s);
    session_cart_rescore(s);
}

void session_preload_poll(session *s)
{
    if (!preload_done(s->preload))
        return;
    int personas = preload_has_personas(s->preload);
    tg_err err = {0};
    int rc = preload_take(s->preload, s->personas, &s->n_personas, &s->hot,
                          &s->n_hot, &err);
    s->loading[0] = 0;
    s->dirty = 1;
    if (rc != TG_OK) {
        session_note(s, "loading: %s", err.msg);
        return;
    }
    if (personas && !s->persona.id && s->n_personas > 0) {
        /* A note already up (the settings' problem) stays up. */
        char note[sizeof s->note];
        int up = s->note[0] && tg_now_mono() < s->note_until;
        tg_strlcpy(note, s->note, sizeof note);
        session_shop_as(s, &s->personas[0]);
        if (up)
            session_note(s, "%s", note);
    }
    s->gen_hot++;
}
