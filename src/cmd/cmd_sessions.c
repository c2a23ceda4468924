/* cmd_sessions.c: `trendguard sessions`: the usability-testing sessions the
 * app recorded (--session NAME), with their events and timings, as
 * tables or one JSON object; the task figures of a task file (--tasks,
 * also as CSV); a recording written again (--cast). Names, keys, searches and other stored text
 * came from participants: printed only as visible text (no escape
 * sequence reaches the terminal), and as valid UTF-8 in JSON. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/csv.h"
#include "trendguard/store.h"
#include "trendguard/uilog.h"
#include "trendguard/uitask.h"

/* Room for a stored text made visible (each byte may take 4). */
#define TEXT_MAX 2048

typedef struct out_ctx {
    int json;
    cJSON *arr;      /* --json: the sessions or events */
    int64_t start;   /* first event of the session being listed */
    long n;
} out_ctx;

static void when(int64_t ms, char *buf, size_t n)
{
    tg_time_format(ms / 1000, buf, n);
}

/* Stored text for the terminal: controls and bad bytes made visible. */
static const char *shown(const char *s, char *buf, size_t n)
{
    tg_text_visible(s ? s : "", s ? strlen(s) : 0, buf, n);
    return buf;
}

/* Stored text for JSON: valid UTF-8. */
static void add_text(cJSON *j, const char *key, const char *s)
{
    char buf[TEXT_MAX];
    tg_utf8_repair(s, strlen(s), buf, sizeof buf);
    cJSON_AddStringToObject(j, key, buf);
}

static int print_session(void *ud, const tg_ui_session *ss)
{
    out_ctx *o = ud;
    double secs = (double)(ss->last_ms - ss->first_ms) / 1000.0;
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        char a[32], b[32];
        when(ss->first_ms, a, sizeof a);
        when(ss->last_ms, b, sizeof b);
        add_text(j, "session", ss->name);
        cJSON_AddStringToObject(j, "started", a);
        cJSON_AddStringToObject(j, "ended", b);
        cJSON_AddNumberToObject(j, "seconds", secs);
        cJSON_AddNumberToObject(j, "events", (double)ss->events);
        cJSON_AddNumberToObject(j, "keys", (double)ss->keys);
        cJSON_AddNumberToObject(j, "screen_changes", (double)ss->screens);
        cJSON_AddNumberToObject(j, "nudges_shown", (double)ss->nudges_shown);
        cJSON_AddNumberToObject(j, "nudges_accepted",
                                (double)ss->nudges_accepted);
        cJSON_AddNumberToObject(j, "checkouts", (double)ss->checkouts);
        cJSON_AddNumberToObject(j, "returns", (double)ss->returns);
        cJSON_AddItemToArray(o->arr, j);
    } else {
        char a[32], name[29];
        when(ss->first_ms, a, sizeof a);
        if (o->n == 0)
            printf("%-28s %-20s %8s %6s %5s %7s %6s %6s %6s\n", "session",
                   "started (UTC)", "seconds", "events", "keys", "screens",
                   "nudges", "taken", "orders");
        printf("%-28s %-20s %8.1f %6ld %5ld %7ld %6ld %6ld %6ld\n",
               shown(ss->name, name, sizeof name), a, secs, ss->events, ss->keys, ss->screens,
               ss->nudges_shown, ss->nudges_accepted, ss->checkouts);
    }
    o->n++;
    return TG_OK;
}

static int print_event(void *ud, const tg_ui_event *e)
{
    out_ctx *o = ud;
    if (o->n == 0)
        o->start = e->at_ms;
    double t = (double)(e->at_ms - o->start) / 1000.0;
    if (o->json) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "t", t);
        cJSON_AddNumberToObject(j, "at_ms", (double)e->at_ms);
        add_text(j, "kind", e->kind ? e->kind : "");
        if (e->screen)
            add_text(j, "screen", e->screen);
        if (e->detail)
            add_text(j, "detail", e->detail);
        cJSON_AddItemToArray(o->arr, j);
    } else {
        if (o->n == 0)
            printf("%9s  %-13s %-10s %s\n", "t (s)", "event", "screen",
                   "detail");
        char k[TEXT_MAX], w[TEXT_MAX], d[TEXT_MAX];
        printf("%9.3f  %-13s %-10s %s\n", t, shown(e->kind, k, sizeof k),
               shown(e->screen, w, sizeof w), shown(e->detail, d, sizeof d));
    }
    o->n++;
    return TG_OK;
}

/* ---- --tasks ------------------------------------------------------------------ */

/* An attempt as measured, kept to print by task. */
typedef struct row {
    char session[64];
    int task;
    tg_ui_attempt a;
} row;

typedef struct rows {
    row *r;
    long n, cap;
} rows;

static int keep_row(void *ud, const char *session, int task,
                    const tg_ui_attempt *a)
{
    rows *v = ud;
    if (v->n == v->cap) {
        long cap = v->cap ? v->cap * 2 : 64;
        row *r = realloc(v->r, (size_t)cap * sizeof *r);
        if (!r)
            return TG_EINTERNAL;
        v->r = r, v->cap = cap;
    }
    row *w = &v->r[v->n++];
    tg_strlcpy(w->session, session, sizeof w->session);
    w->task = task;
    w->a = *a;
    return TG_OK;
}

/* An attempt's counts by name, for JSON and CSV alike. */
static const struct {
    const char *name;
    size_t off;
} counts[] = {
    {"keys", offsetof(tg_ui_attempt, keys)},
    {"screens", offsetof(tg_ui_attempt, screens)},
    {"errors", offsetof(tg_ui_attempt, errors)},
    {"dead_ends", offsetof(tg_ui_attempt, dead_ends)},
    {"nudges_shown", offsetof(tg_ui_attempt, nudges_shown)},
    {"nudges_accepted", offsetof(tg_ui_attempt, nudges_accepted)},
    {"nudges_declined", offsetof(tg_ui_attempt, nudges_declined)},
};
#define N_COUNTS (int)(sizeof counts / sizeof *counts)
#define COUNT(a, i) (*(const long *)((const char *)(a) + counts[i].off))

/* "gave up" for the table. */
static const char *outcome_words(int outcome)
{
    static const char *const words[] = {"not started", "completed",
                                        "gave up", "abandoned"};
    return words[outcome];
}

static void print_spread(const char *what, const char *unit,
                         const tg_ui_spread *v)
{
    printf("%s median %.4g%s (quartiles %.4g-%.4g, %.4g to %.4g)", what,
           v->median, unit, v->p25, v->p75, v->min, v->max);
}

static void print_task(const tg_ui_task *t, int i, const rows *v,
                       const tg_ui_task_summary *u)
{
    char name[TEXT_MAX], sess[29];
    printf("%sTask %d: %s (start %s; done %s", i ? "\n" : "", i + 1,
           shown(t->name, name, sizeof name), t->start.text, t->done.text);
    for (int g = 0; g < t->n_give_up; g++)
        printf("%s%s", g ? ", " : "; give up ", t->give_up[g].text);
    printf(")\n  %-28s %-11s %7s %5s %7s %6s %4s %6s %5s %8s\n", "session",
           "outcome", "seconds", "keys", "screens", "errors", "dead",
           "nudges", "taken", "declined");
    for (long k = 0; k < v->n; k++) {
        const row *w = &v->r[k];
        if (w->task != i)
            continue;
        printf("  %-28s %-11s", shown(w->session, sess, sizeof sess),
               outcome_words(w->a.outcome));
        if (w->a.outcome != UITASK_NOT_STARTED)
            printf(" %7.1f %5ld %7ld %6ld %4ld %6ld %5ld %8ld", w->a.seconds,
                   w->a.keys, w->a.screens, w->a.errors, w->a.dead_ends,
                   w->a.nudges_shown, w->a.nudges_accepted,
                   w->a.nudges_declined);
        printf("\n");
    }
    printf("  %d sessions: %d started, %d completed (%.0f%%), %d gave up, "
           "%d abandoned\n", u->sessions, u->started, u->completed,
           100 * u->completion_rate, u->gave_up, u->abandoned);
    if (u->completed) {
        printf("  completed: ");
        print_spread("time on task", " s", &u->seconds);
        printf(";\n             ");
        print_spread("keys", "", &u->keys);
        printf("\n");
    }
}

static cJSON *spread_json(const tg_ui_spread *v)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "n", v->n);
    if (v->n) {
        cJSON_AddNumberToObject(j, "median", v->median);
        cJSON_AddNumberToObject(j, "p25", v->p25);
        cJSON_AddNumberToObject(j, "p75", v->p75);
        cJSON_AddNumberToObject(j, "min", v->min);
        cJSON_AddNumberToObject(j, "max", v->max);
    }
    return j;
}

static cJSON *attempt_json(const row *w)
{
    const tg_ui_attempt *a = &w->a;
    cJSON *j = cJSON_CreateObject();
    add_text(j, "session", w->session);
    cJSON_AddStringToObject(j, "outcome", uitask_outcome_name(a->outcome));
    if (a->outcome != UITASK_NOT_STARTED) {
        cJSON_AddNumberToObject(j, "seconds", a->seconds);
        for (int i = 0; i < N_COUNTS; i++)
            cJSON_AddNumberToObject(j, counts[i].name, (double)COUNT(a, i));
    }
    return j;
}

static cJSON *task_json(const tg_ui_task *t, int i, const rows *v,
                        const tg_ui_task_summary *u)
{
    cJSON *j = cJSON_CreateObject(), *give = cJSON_CreateArray(),
          *arr = cJSON_CreateArray(), *sum = cJSON_CreateObject();
    add_text(j, "name", t->name);
    add_text(j, "start", t->start.text);
    add_text(j, "done", t->done.text);
    for (int g = 0; g < t->n_give_up; g++) {
        char buf[TEXT_MAX];
        const char *p = t->give_up[g].text;
        tg_utf8_repair(p, strlen(p), buf, sizeof buf);
        cJSON_AddItemToArray(give, cJSON_CreateString(buf));
    }
    cJSON_AddItemToObject(j, "give_up", give);
    for (long k = 0; k < v->n; k++)
        if (v->r[k].task == i)
            cJSON_AddItemToArray(arr, attempt_json(&v->r[k]));
    cJSON_AddItemToObject(j, "sessions", arr);
    cJSON_AddNumberToObject(sum, "sessions", u->sessions);
    cJSON_AddNumberToObject(sum, "started", u->started);
    cJSON_AddNumberToObject(sum, "completed", u->completed);
    cJSON_AddNumberToObject(sum, "gave_up", u->gave_up);
    cJSON_AddNumberToObject(sum, "abandoned", u->abandoned);
    cJSON_AddNumberToObject(sum, "completion_rate", u->completion_rate);
    cJSON_AddItemToObject(sum, "seconds", spread_json(&u->seconds));
    cJSON_AddItemToObject(sum, "keys", spread_json(&u->keys));
    cJSON_AddItemToObject(j, "summary", sum);
    return j;
}

/* One row a session and task; text made visible (a CSV is often read in
 * a terminal) and formula-safe (csv_write_row). */
static int print_csv(const tg_ui_tasks *ts, const rows *v)
{
    const char *f[4 + N_COUNTS] = {"task", "session", "outcome", "seconds"};
    for (int i = 0; i < N_COUNTS; i++)
        f[4 + i] = counts[i].name;
    int rc = csv_write_row(stdout, f, 4 + N_COUNTS);
    for (long k = 0; rc == TG_OK && k < v->n; k++) {
        const row *w = &v->r[k];
        const tg_ui_attempt *a = &w->a;
        char task[TEXT_MAX], sess[TEXT_MAX], num[1 + N_COUNTS][32];
        int started = a->outcome != UITASK_NOT_STARTED;
        snprintf(num[0], sizeof num[0], "%.3f", a->seconds);
        for (int i = 0; i < N_COUNTS; i++)
            snprintf(num[1 + i], sizeof num[0], "%ld", COUNT(a, i));
        f[0] = shown(ts->t[w->task].name, task, sizeof task);
        f[1] = shown(w->session, sess, sizeof sess);
        f[2] = uitask_outcome_name(a->outcome);
        for (int i = 0; i <= N_COUNTS; i++)
            f[3 + i] = started ? num[i] : "";
        rc = csv_write_row(stdout, f, 4 + N_COUNTS);
    }
    return rc;
}

static int report_tasks(const cli_ctx *c, const char *path,
                        const char *session, int json, int csv)
{
    tg_err err = {0};
    tg_ui_tasks *ts = malloc(sizeof *ts);
    if (!ts)
        return cli_fail(c, &(tg_err){TG_EINTERNAL, "out of memory"});
    tg_ui_task_summary sum[UITASK_MAX];
    rows v = {0};
    int rc = uitask_load(path, ts, &err);
    tg_store *s = rc == TG_OK ? store_open(c->db, STORE_READONLY, &err) : NULL;
    if (rc == TG_OK)
        rc = s ? uitask_measure(s, ts, session, keep_row, &v, sum, &err)
               : err.code;
    store_close(s);
    if (rc == TG_OK && csv)
        rc = print_csv(ts, &v) == TG_OK ? TG_OK
                                         : tg_fail(&err, TG_EIO, "stdout");
    else if (rc == TG_OK && json) {
        cJSON *j = cJSON_CreateObject(), *arr = cJSON_CreateArray();
        for (int i = 0; i < ts->n; i++)
            cJSON_AddItemToArray(arr, task_json(&ts->t[i], i, &v, &sum[i]));
        cJSON_AddItemToObject(j, "tasks", arr);
        rc = cli_json_emit(c, j);
    } else if (rc == TG_OK) {
        for (int i = 0; i < ts->n; i++)
            print_task(&ts->t[i], i, &v, &sum[i]);
    }
    free(v.r);
    free(ts);
    return rc == TG_OK || err.code == 0 ? rc : cli_fail(c, &err);
}

enum { SESSION, CAST, TASKS, JSON, CSV };
static const cli_opt opts[] = {
    [SESSION] = CLI_OPT_TEXT(0, "session", "NAME",
                             "list this session's events with the seconds "
                             "since its start"),
    [CAST] = CLI_OPT_TEXT(0, "cast", "NAME",
                          "write the recording of session NAME (the newest, "
                          "when it has several) to FILE as asciicast v2, as "
                          "--record wrote it"),
    [TASKS] = CLI_OPT_FILE(0, "tasks", "FILE",
                           "measure the tasks FILE defines (NAME | START | "
                           "DONE [| GIVE-UP]... a line) in every session, "
                           "or in --session NAME's"),
    [JSON] = CLI_OPT_JSON,
    [CSV] = CLI_OPT_FLAG(0, "csv", "with --tasks: one CSV row a session "
                                   "and task"),
    CLI_END};

static const cli_example examples[] = {
    {"trendguard sessions", "every recorded session, a line each"},
    {"trendguard sessions --session lab-3 --json",
     "one session's events as JSON"},
    {"trendguard sessions --cast lab-3 lab-3.cast && asciinema play "
     "lab-3.cast", "watch what lab-3 saw, jumping between its markers"},
    {"trendguard sessions --tasks tasks.txt --csv > tasks.csv",
     "each session's time, keys, dead ends and nudges on each task"},
    {NULL, NULL}};

const cli_spec cmd_sessions_spec = {
    "sessions", cmd_sessions, "the app's recorded usability-testing "
                              "sessions",
    "Lists the usability-testing sessions the app recorded (duration, "
    "keys, screens, nudges shown and taken, orders), or one session's "
    "events with their timings; with --tasks, each task's figures per "
    "session and their median and spread; with --cast, writes a recorded "
    "session (trendguard --record) to FILE again.",
    opts, "[FILE]", CLI_OUT, 0, 1, examples};

/* --cast NAME FILE: the recording from the store. */
static int write_cast(const cli_ctx *c, const char *name, const char *path)
{
    tg_err err = {0};
    tg_store *s = store_open(c->db, STORE_READONLY, &err);
    if (!s)
        return cli_fail(c, &err);
    int n = 0;
    int rc = uilog_cast(s, name, path, &n, &err);
    store_close(s);
    if (rc != TG_OK)
        return cli_fail(c, &err);
    char shown_name[256];
    shown(name, shown_name, sizeof shown_name);
    if (n > 1)
        printf("session '%s' was recorded %d times; wrote the newest to %s\n",
               shown_name, n, cli_shown(path));
    else
        printf("wrote the recording of '%s' to %s\n", shown_name,
               cli_shown(path));
    return TG_OK;
}

int cmd_sessions(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_sessions_spec, argc, argv);
    if (rc >= 0)
        return rc;
    const char *session = cli_str(&c, SESSION);
    if (cli_has(&c, CAST) != (c.nargs == 1))
        return cli_usage(&c, c.nargs ? "FILE is where --cast NAME writes: "
                                       "give --cast NAME"
                                     : "--cast NAME needs the FILE to "
                                       "write: --cast NAME FILE.cast");
    if (cli_has(&c, CAST))
        return session || cli_has(&c, JSON) || cli_has(&c, TASKS) ||
                       cli_has(&c, CSV)
                   ? cli_usage(&c, "--cast writes a file: it takes no "
                                   "--session, --tasks, --json or --csv")
                   : write_cast(&c, cli_str(&c, CAST), c.args[0]);
    if (cli_has(&c, CSV) && (!cli_has(&c, TASKS) || cli_has(&c, JSON)))
        return cli_usage(&c, "--csv is for --tasks, without --json");
    if (cli_has(&c, TASKS))
        return report_tasks(&c, cli_str(&c, TASKS), session,
                            cli_has(&c, JSON), cli_has(&c, CSV));
    out_ctx o = {0};
    o.json = cli_has(&c, JSON);
    tg_err err = {0};
    tg_store *s = store_open(c.db, STORE_READONLY, &err);
    if (!s)
        return cli_fail(&c, &err);
    if (o.json)
        o.arr = cJSON_CreateArray();
    rc = session ? uilog_events(s, session, print_event, &o, &err)
                 : uilog_sessions(s, print_session, &o, &err);
    store_close(s);
    if (rc != TG_OK) {
        cJSON_Delete(o.arr);
        return cli_fail(&c, &err);
    }
    if (o.json) {
        cJSON *j = cJSON_CreateObject();
        if (session)
            add_text(j, "session", session);
        cJSON_AddItemToObject(j, session ? "events" : "sessions", o.arr);
        return cli_json_emit(&c, j);
    }
    if (o.n == 0)
        printf("no sessions recorded yet: open the app with "
               "'trendguard --session NAME'\n");
    return TG_OK;
}
