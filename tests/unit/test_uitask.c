/* test_uitask.c: tests of the task figures (uitask.h): the task file's
 * faults named with their line, and sessions with known answers: a task
 * completed in a known time and number of keys (its start event in the
 * window, the key before it not), one given up, one abandoned when the
 * session ended, one never started; dead ends, errors and nudges counted
 * in the window only; the median and quartiles across sessions. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "trendguard/uitask.h"

static void write_text(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
}

/* The error of loading text as a task file (TG_OK: ""). */
static const char *load_error(const char *dir, const char *text, size_t n,
                              tg_ui_tasks *ts)
{
    static tg_err err;
    char path[300];
    snprintf(path, sizeof path, "%s/tasks.txt", dir);
    write_text(path, text, n);
    memset(&err, 0, sizeof err);
    if (uitask_load(path, ts, &err) == TG_OK)
        return "";
    assert_int_equal(err.code, TG_EDATA);
    const char *at = strstr(err.msg, "tasks.txt");
    return at ? at : err.msg;
}

#define ERR(text) load_error(dir, text, sizeof text - 1, ts)

static void the_file_and_its_faults(void **state)
{
    (void)state;
    char dir[256];
    tu_tmpdir(dir, sizeof dir);
    static tg_ui_tasks tasks;
    tg_ui_tasks *ts = &tasks;
    assert_string_equal(ERR("# tasks\n\n Buy | screen@item | checkout | "
                            "quit | key@*:Esc\r\nLook|key:Down|screen@item:"
                            "*a:b*\n"), "");
    assert_int_equal(ts->n, 2);
    assert_string_equal(ts->t[0].name, "Buy");
    assert_string_equal(ts->t[0].start.kind, "screen");
    assert_string_equal(ts->t[0].start.screen, "item");
    assert_int_equal(ts->t[0].n_give_up, 2);
    assert_string_equal(ts->t[0].give_up[1].screen, "*");
    assert_string_equal(ts->t[0].give_up[1].detail, "Esc");
    assert_string_equal(ts->t[1].done.detail, "*a:b*");
    assert_string_equal(ts->t[1].done.text, "screen@item:*a:b*");
    assert_string_equal(ERR("A | b\n"), "tasks.txt:1: a task is NAME | "
                        "START | DONE [| GIVE-UP]...");
    assert_string_equal(ERR("# x\nA | @item | b\n"),
                        "tasks.txt:2: event '@item': no event kind before "
                        "'@' or ':' (write KIND[@SCREEN][:DETAIL])");
    assert_string_equal(ERR("A | a | b\nA | c | d\n"),
                        "tasks.txt:2: task 'A' is defined twice");
    assert_string_equal(ERR(" | a | b\n"),
                        "tasks.txt:1: a task's name has 1 to 63 bytes");
    assert_string_equal(ERR("A | a | b | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9\n"),
                        "tasks.txt:1: at most 8 give-up events");
    assert_string_equal(ERR("A | a\033]0;x | b\n"), "tasks.txt:1: a control "
                        "character or a byte that is not UTF-8");
    assert_string_equal(ERR("A | a\0 | b\n"), "tasks.txt:1: a control "
                        "character or a byte that is not UTF-8");
    assert_string_equal(ERR("A | caf\xe9 | b\n"), "tasks.txt:1: a control "
                        "character or a byte that is not UTF-8");
    assert_non_null(strstr(ERR("# nothing\n"), "no task in it"));
    tu_rmrf(dir);
}

/* Events of a session at known times (ms). */
static void events(tg_store *s, const char *session, const char *list)
{
    char sql[8192];
    snprintf(sql, sizeof sql,
             "WITH e(at, kind, screen, detail) AS (VALUES %s) "
             "INSERT INTO ui_events(session, at_ms, kind, screen, detail) "
             "SELECT '%s', at, kind, screen, detail FROM e", list, session);
    tg_err err = {0};
    assert_int_equal(store_exec(s, sql, &err), TG_OK);
}

typedef struct seen {
    tg_ui_attempt a[8][2];
    int n;
} seen;

static int keep(void *ud, const char *session, int task,
                const tg_ui_attempt *a)
{
    seen *v = ud;
    assert_true(session[0] == 'a' + v->n / 2);
    assert_int_equal(task, v->n % 2);
    v->a[v->n / 2][task] = *a;
    v->n++;
    return TG_OK;
}

static void sessions_with_known_answers(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    /* a: opens an item at 2 s, presses a, 3, x (nothing), c, Enter, the
     * order at 6.5 s: "checkout" completed in 4.5 s and 5 keys. */
    events(s, "a", "(0, 'start', 'trending', NULL),"
                   "(1000, 'key', 'trending', 'Enter'),"
                   "(2000, 'key', 'trending', 'Enter'),"
                   "(2000, 'screen', 'item', NULL),"
                   "(2500, 'nudge_shown', 'item', 'size_tip score=0.6'),"
                   "(3000, 'key', 'item', 'a'),"
                   "(3000, 'nudge_answer', 'item', 'size_tip declined'),"
                   "(4000, 'key', 'item', '3'),"
                   "(4000, 'screen', 'cart', NULL),"
                   "(4500, 'key', 'cart', 'x'),"
                   "(4500, 'dead_key', 'cart', 'x'),"
                   "(5000, 'key', 'cart', 'c'),"
                   "(6500, 'key', 'cart', 'Enter'),"
                   "(6500, 'checkout', 'cart', 'APP-1 lines=1'),"
                   "(9000, 'key', 'cart', 'q')");
    /* b: opens an item, fails a checkout, quits: gave up after 3 s. */
    events(s, "b", "(10000, 'screen', 'item', NULL),"
                   "(11000, 'key', 'item', 'c'),"
                   "(11000, 'checkout_failed', 'item', 'the cart is empty'),"
                   "(13000, 'quit', '', 'q')");
    /* c: opens an item and the session ends: abandoned after 1 s. */
    events(s, "c", "(20000, 'screen', 'item', NULL),"
                   "(21000, 'key', 'item', 'Down')");
    /* d: never opens an item; completes the second task twice over. */
    events(s, "d", "(30000, 'key', 'trending', 'Down'),"
                   "(31000, 'screen', 'help', NULL),"
                   "(32000, 'screen', 'help', NULL)");
    snprintf(path, sizeof path, "%s/tasks.txt", dir);
    const char text[] = "Buy | screen@item | checkout | quit\n"
                        "Help | key | screen@help\n";
    write_text(path, text, sizeof text - 1);
    static tg_ui_tasks ts;
    tg_err err = {0};
    assert_int_equal(uitask_load(path, &ts, &err), TG_OK);
    seen v = {0};
    tg_ui_task_summary sum[2];
    assert_int_equal(uitask_measure(s, &ts, NULL, keep, &v, sum, &err),
                     TG_OK);
    assert_int_equal(v.n, 8);
    const tg_ui_attempt *a = &v.a[0][0];
    assert_int_equal(a->outcome, UITASK_COMPLETED);
    assert_true(a->seconds == 4.5);
    assert_int_equal(a->keys, 5);
    assert_int_equal(a->screens, 2);
    assert_int_equal(a->dead_ends, 1);
    assert_int_equal(a->errors, 0);
    assert_int_equal(a->nudges_shown, 1);
    assert_int_equal(a->nudges_declined, 1);
    assert_int_equal(a->nudges_accepted, 0);
    a = &v.a[1][0];
    assert_int_equal(a->outcome, UITASK_GAVE_UP);
    assert_true(a->seconds == 3.0);
    assert_int_equal(a->keys, 1);
    assert_int_equal(a->errors, 1);
    assert_int_equal(v.a[2][0].outcome, UITASK_ABANDONED);
    assert_true(v.a[2][0].seconds == 1.0);
    assert_int_equal(v.a[3][0].outcome, UITASK_NOT_STARTED);
    assert_int_equal(sum[0].sessions, 4);
    assert_int_equal(sum[0].started, 3);
    assert_int_equal(sum[0].completed, 1);
    assert_int_equal(sum[0].gave_up, 1);
    assert_int_equal(sum[0].abandoned, 1);
    assert_true(sum[0].completion_rate == 0.25);
    assert_int_equal(sum[0].seconds.n, 1);
    assert_true(sum[0].seconds.median == 4.5);
    assert_true(sum[0].keys.median == 5);
    /* Help: a from its first key (1 s) to help? never; d in 1 s, 1 key;
     * the first match ends it, the second counts no more. */
    assert_int_equal(v.a[0][1].outcome, UITASK_ABANDONED);
    assert_int_equal(v.a[3][1].outcome, UITASK_COMPLETED);
    assert_true(v.a[3][1].seconds == 1.0);
    assert_int_equal(v.a[3][1].screens, 1);
    /* Times 1 (d) only completed: quartiles of one value. */
    assert_int_equal(sum[1].completed, 1);
    assert_true(sum[1].seconds.p25 == 1.0 && sum[1].seconds.p75 == 1.0);

    /* One session; and one that does not exist. */
    memset(&v, 0, sizeof v);
    v.n = 2; /* b's place */
    assert_int_equal(uitask_measure(s, &ts, "b", keep, &v, sum, &err), TG_OK);
    assert_int_equal(sum[0].sessions, 1);
    assert_int_equal(sum[0].gave_up, 1);
    assert_int_equal(uitask_measure(s, &ts, "zz", NULL, NULL, sum, &err),
                     TG_ENOINPUT);
    store_close(s);
    tu_rmrf(dir);
}

static void quartiles_across_sessions(void **state)
{
    (void)state;
    char dir[256], path[300];
    tu_tmpdir(dir, sizeof dir);
    tg_store *s = tu_store(dir, "t.db");
    /* Five sessions completing in 1, 2, 3, 4 and 10 s with 1..5 keys. */
    for (int i = 0; i < 5; i++) {
        char name[8], list[400];
        int secs[] = {1, 2, 3, 4, 10};
        snprintf(name, sizeof name, "s%d", i);
        int k = snprintf(list, sizeof list, "(%d, 'screen', 'cart', NULL)",
                         i * 100000);
        for (int j = 0; j < i + 1; j++)
            k += snprintf(list + k, sizeof list - (size_t)k,
                          ",(%d, 'key', 'cart', 'Down')", i * 100000 + 1);
        snprintf(list + k, sizeof list - (size_t)k,
                 ",(%d, 'checkout', 'cart', 'APP')",
                 i * 100000 + secs[i] * 1000);
        events(s, name, list);
    }
    snprintf(path, sizeof path, "%s/tasks.txt", dir);
    write_text(path, "Pay | screen@cart | checkout\n", 29);
    static tg_ui_tasks ts;
    tg_err err = {0};
    assert_int_equal(uitask_load(path, &ts, &err), TG_OK);
    tg_ui_task_summary sum[1];
    assert_int_equal(uitask_measure(s, &ts, NULL, NULL, NULL, sum, &err),
                     TG_OK);
    assert_int_equal(sum[0].completed, 5);
    assert_true(sum[0].seconds.median == 3);
    assert_true(sum[0].seconds.p25 == 2 && sum[0].seconds.p75 == 4);
    assert_true(sum[0].seconds.min == 1 && sum[0].seconds.max == 10);
    assert_true(sum[0].keys.median == 3 && sum[0].keys.max == 5);
    store_close(s);
    tu_rmrf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_file_and_its_faults),
        cmocka_unit_test(sessions_with_known_answers),
        cmocka_unit_test(quartiles_across_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
