/* test_uilog.c: tests of the usability-testing record (uilog.h): events
 * are buffered, written in order with their session, survive a busy store,
 * and come back as sessions with counts and timings. */
#include "testutil.h"

#include <string.h>

#include "trendguard/uilog.h"

typedef struct seen {
    int n;
    tg_ui_session s[4];
} seen;

static int collect(void *ud, const tg_ui_session *ss)
{
    seen *v = ud;
    if (v->n < 4)
        v->s[v->n] = *ss;
    v->n++;
    return TG_OK;
}

typedef struct evs {
    int n;
    char kinds[256];
    int64_t prev;
    int ordered;
} evs;

static int each_event(void *ud, const tg_ui_event *e)
{
    evs *v = ud;
    if (e->at_ms < v->prev)
        v->ordered = 0;
    v->prev = e->at_ms;
    strncat(v->kinds, e->kind, sizeof v->kinds - strlen(v->kinds) - 2);
    strcat(v->kinds, ",");
    v->n++;
    return TG_OK;
}

static void records_and_lists_sessions(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    tg_uilog *a = uilog_open(s, "alice", &err);
    assert_non_null(a);
    uilog_add(a, "screen", "trending", NULL);
    uilog_add(a, "key", "trending", "Down");
    uilog_addf(a, "nudge_shown", "item", "size_advice score=%.2f", 0.61);
    uilog_add(a, "nudge_answer", "item", "size_advice accepted");
    uilog_add(a, "checkout", "cart", "APP-1");
    assert_int_equal(uilog_pending(a), 5);
    /* Nothing reaches the store before a flush. */
    assert_int_equal(tu_int(s, "SELECT COUNT(*) FROM ui_events"), 0);
    assert_int_equal(uilog_flush(a, &err), TG_OK);
    assert_int_equal(uilog_pending(a), 0);
    assert_int_equal(tu_int(s, "SELECT COUNT(*) FROM ui_events WHERE "
                               "session='alice'"), 5);
    tg_uilog *b = uilog_open(s, "bob's; DROP TABLE ui_events", &err);
    assert_non_null(b);
    uilog_add(b, "key", "item", "'); DELETE FROM ui_events; --");
    uilog_free(b); /* flushes */
    uilog_free(a);

    seen v = {0};
    assert_int_equal(uilog_sessions(s, collect, &v, &err), TG_OK);
    assert_int_equal(v.n, 2);
    assert_string_equal(v.s[0].name, "alice");
    assert_int_equal(v.s[0].events, 5);
    assert_int_equal(v.s[0].keys, 1);
    assert_int_equal(v.s[0].screens, 1);
    assert_int_equal(v.s[0].nudges_shown, 1);
    assert_int_equal(v.s[0].nudges_accepted, 1);
    assert_int_equal(v.s[0].checkouts, 1);
    assert_true(v.s[0].last_ms >= v.s[0].first_ms);
    assert_string_equal(v.s[1].name, "bob's; DROP TABLE ui_events");

    evs e = {.ordered = 1};
    assert_int_equal(uilog_events(s, "alice", each_event, &e, &err), TG_OK);
    assert_int_equal(e.n, 5);
    assert_true(e.ordered);
    assert_string_equal(e.kinds,
                        "screen,key,nudge_shown,nudge_answer,checkout,");
    assert_int_equal(uilog_events(s, "nobody", each_event, &e, &err),
                     TG_ENOINPUT);
    store_close(s);
    tu_rmrf(dir);
}

static void a_busy_store_keeps_the_events(void **state)
{
    (void)state;
    char dir[256], path[512];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    snprintf(path, sizeof path, "%s/t.db", dir);
    tg_err err = {0};
    tg_store *other = store_open(path, 0, &err);
    assert_non_null(other);
    sqlite3_busy_timeout(store_db(s), 10);
    assert_int_equal(store_begin(other, &err), TG_OK);
    tg_uilog *u = uilog_open(s, "busy", &err);
    uilog_add(u, "key", "cart", "c");
    assert_int_not_equal(uilog_flush(u, &err), TG_OK);
    assert_int_equal(uilog_pending(u), 1);
    assert_int_equal(store_commit(other, &err), TG_OK);
    assert_int_equal(uilog_flush(u, &err), TG_OK);
    assert_int_equal(tu_int(s, "SELECT COUNT(*) FROM ui_events"), 1);
    uilog_free(u);
    store_close(other);
    store_close(s);
    tu_rmrf(dir);
}

static void refuses_bad_session_names(void **state)
{
    (void)state;
    char dir[256], longname[100];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    tg_err err = {0};
    assert_null(uilog_open(s, "", &err));
    assert_int_equal(err.code, TG_EUSAGE);
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    assert_null(uilog_open(s, longname, &err));
    char name[64];
    uilog_default_name(name, sizeof name);
    assert_true(strlen(name) > 16);
    store_close(s);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_and_lists_sessions),
        cmocka_unit_test(a_busy_store_keeps_the_events),
        cmocka_unit_test(refuses_bad_session_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
