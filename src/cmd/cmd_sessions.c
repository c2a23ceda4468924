/* cmd_sessions.c: `trendguard sessions`: the usability-testing sessions the
 * app recorded (--session NAME), with their events and timings, as
 * tables or one JSON object. Names, keys, searches and other stored text
 * came from participants: printed only as visible text (no escape
 * sequence reaches the terminal), and as valid UTF-8 in JSON. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/store.h"
#include "trendguard/uilog.h"

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

enum { SESSION, CAST, JSON };
static const cli_opt opts[] = {
    [SESSION] = CLI_OPT_TEXT(0, "session", "NAME",
                             "list this session's events with the seconds "
                             "since its start"),
    [CAST] = CLI_OPT_TEXT(0, "cast", "NAME",
                          "write the recording of session NAME (the newest, "
                          "when it has several) to FILE as asciicast v2, as "
                          "--record wrote it"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard sessions", "every recorded session, a line each"},
    {"trendguard sessions --session lab-3 --json",
     "one session's events as JSON"},
    {"trendguard sessions --cast lab-3 lab-3.cast && asciinema play "
     "lab-3.cast", "watch what lab-3 saw, jumping between its markers"},
    {NULL, NULL}};

const cli_spec cmd_sessions_spec = {
    "sessions", cmd_sessions, "the app's recorded usability-testing "
                              "sessions",
    "Lists the usability-testing sessions the app recorded (duration, "
    "keys, screens, nudges shown and taken, orders), or one session's "
    "events with their timings; with --cast, writes a recorded session "
    "(trendguard --record) to FILE again.",
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
               shown_name, n, path);
    else
        printf("wrote the recording of '%s' to %s\n", shown_name, path);
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
        return session || cli_has(&c, JSON)
                   ? cli_usage(&c, "--cast writes a file: it takes no "
                                   "--session or --json")
                   : write_cast(&c, cli_str(&c, CAST), c.args[0]);
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
