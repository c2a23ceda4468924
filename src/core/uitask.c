/* uitask.c: usability tasks (uitask.h): the task file read line by line
 * as text from outside (each line checked, the first fault named with its
 * line), and each session's events run through every task's start, done
 * and give-up patterns to measure the attempts and their spread. */
#include "trendguard/uitask.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trendguard/stats.h"
#include "trendguard/uilog.h"

#define FIELDS (3 + UITASK_GIVE_UPS)

/* ---- the file ------------------------------------------------------------------- */

/* Copies s into out when it fits; -1 when not. */
static int fits(const char *s, size_t n, char *out, size_t cap)
{
    if (n >= cap)
        return -1;
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

/* KIND[@SCREEN][:DETAIL] into p; NULL, or what is wrong. */
static const char *parse_pattern(const char *text, tg_ui_pattern *p)
{
    memset(p, 0, sizeof *p);
    if (fits(text, strlen(text), p->text, sizeof p->text))
        return "too long";
    const char *colon = strchr(text, ':');
    size_t head = colon ? (size_t)(colon - text) : strlen(text);
    const char *at = memchr(text, '@', head);
    size_t kind = at ? (size_t)(at - text) : head;
    if (kind == 0)
        return "no event kind before '@' or ':'";
    if (fits(text, kind, p->kind, sizeof p->kind))
        return "the event kind is too long";
    if (at && fits(at + 1, head - kind - 1, p->screen, sizeof p->screen))
        return "the screen is too long";
    if (colon && fits(colon + 1, strlen(colon + 1), p->detail,
                      sizeof p->detail))
        return "the detail is too long";
    for (const char *c = p->kind; *c; c++)
        if (*c == ' ')
            return "a space in the event kind";
    return NULL;
}

/* Text a line may hold: UTF-8 without control characters but tabs. */
static int clean_line(const char *s, size_t n)
{
    if (!tg_utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] < 32 && s[i] != '\t') || s[i] == 127)
            return 0;
    return 1;
}

/* Splits line at '|' into at most max trimmed fields; returns how many
 * (max + 1 when there are more). */
static int split(char *line, char **f, int max)
{
    int n = 0;
    for (char *p = line;; n++) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = 0;
        if (n < max)
            f[n] = tg_trim(p);
        if (!bar)
            return n + 1 > max ? max + 1 : n + 1;
        p = bar + 1;
    }
}

static int parse_task(const char *path, int no, char *line, tg_ui_tasks *ts,
                      tg_err *err)
{
    char *f[FIELDS];
    int n = split(line, f, FIELDS);
    if (n < 3)
        return tg_fail(err, TG_EDATA, "%s:%d: a task is NAME | START | DONE "
                       "[| GIVE-UP]...", path, no);
    if (n > FIELDS)
        return tg_fail(err, TG_EDATA, "%s:%d: at most %d give-up events",
                       path, no, UITASK_GIVE_UPS);
    if (ts->n == UITASK_MAX)
        return tg_fail(err, TG_EDATA, "%s:%d: more than %d tasks", path, no,
                       UITASK_MAX);
    tg_ui_task *t = &ts->t[ts->n];
    memset(t, 0, sizeof *t);
    if (!*f[0] || fits(f[0], strlen(f[0]), t->name, sizeof t->name))
        return tg_fail(err, TG_EDATA, "%s:%d: a task's name has 1 to %d "
                       "bytes", path, no, (int)sizeof t->name - 1);
    for (int i = 0; i < ts->n; i++)
        if (strcmp(ts->t[i].name, t->name) == 0)
            return tg_fail(err, TG_EDATA, "%s:%d: task '%s' is defined "
                           "twice", path, no, t->name);
    t->n_give_up = n - 3;
    for (int i = 1; i < n; i++) {
        tg_ui_pattern *p = i == 1 ? &t->start : i == 2 ? &t->done
                                               : &t->give_up[i - 3];
        const char *why = parse_pattern(f[i], p);
        if (why)
            return tg_fail(err, TG_EDATA, "%s:%d: event '%s': %s (write "
                           "KIND[@SCREEN][:DETAIL])", path, no, f[i], why);
    }
    ts->n++;
    return TG_OK;
}

int uitask_load(const char *path, tg_ui_tasks *ts, tg_err *err)
{
    memset(ts, 0, sizeof *ts);
    size_t len;
    char *text = tg_read_file(path, &len, UITASK_FILE_MAX, err);
    if (!text)
        return err ? err->code : TG_EIO;
    int rc = TG_OK, no = 1;
    for (char *line = text, *end; rc == TG_OK && line < text + len;
         line = end + 1, no++) {
        end = memchr(line, '\n', (size_t)(text + len - line));
        if (!end)
            end = text + len;
        *end = 0;
        size_t n = (size_t)(end - line);
        if (n && line[n - 1] == '\r')
            line[--n] = 0;
        if (memchr(line, 0, n) || !clean_line(line, n))
            rc = tg_fail(err, TG_EDATA, "%s:%d: a control character or a "
                         "byte that is not UTF-8", path, no);
        else if (*tg_trim(line) && *line != '#')
            rc = parse_task(path, no, line, ts, err);
    }
    free(text);
    if (rc == TG_OK && ts->n == 0)
        rc = tg_fail(err, TG_EDATA, "%s: no task in it (one a line: NAME | "
                     "START | DONE [| GIVE-UP]...)", path);
    return rc;
}

const char *uitask_outcome_name(int outcome)
{
    static const char *const names[] = {"not_started", "completed",
                                        "gave_up", "abandoned"};
    return outcome >= 0 && outcome <= UITASK_ABANDONED ? names[outcome]
                                                        : "?";
}

/* ---- measuring -------------------------------------------------------------------- */

static int glob(const char *pattern, const char *s)
{
    return !*pattern || fnmatch(pattern, s ? s : "", 0) == 0;
}

static int matches(const tg_ui_pattern *p, const tg_ui_event *e)
{
    return fnmatch(p->kind, e->kind ? e->kind : "", 0) == 0 &&
           glob(p->screen, e->screen) && glob(p->detail, e->detail);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = s ? strlen(s) : 0, k = strlen(tail);
    return n >= k && strcmp(s + n - k, tail) == 0;
}

/* A task in the session being read. */
enum { IDLE, RUNNING, ENDED };
typedef struct attempt_run {
    int state;
    int64_t start_ms;
    tg_ui_attempt a;
} attempt_run;

typedef struct measure {
    const tg_ui_tasks *ts;
    attempt_run run[UITASK_MAX];
    int64_t last_ms;
    /* the completed attempts' seconds and keys, per task */
    double *secs[UITASK_MAX], *keys[UITASK_MAX];
    int done[UITASK_MAX];
    tg_ui_task_summary *sum;
} measure;

/* An event inside a task's window counts toward its figures. */
static void count(tg_ui_attempt *a, const tg_ui_event *e)
{
    const char *k = e->kind ? e->kind : "";
    a->keys += strcmp(k, "key") == 0;
    a->screens += strcmp(k, "screen") == 0;
    a->errors += ends_with(k, "_failed");
    a->dead_ends += strcmp(k, "dead_key") == 0;
    a->nudges_shown += strcmp(k, "nudge_shown") == 0;
    if (strcmp(k, "nudge_answer") == 0) {
        a->nudges_accepted += ends_with(e->detail, " accepted");
        a->nudges_declined += ends_with(e->detail, " declined");
    }
}

static void end_run(attempt_run *r, int outcome, int64_t at_ms)
{
    r->state = ENDED;
    r->a.outcome = outcome;
    r->a.seconds = (double)(at_ms - r->start_ms) / 1000.0;
}

static int on_event(void *ud, const tg_ui_event *e)
{
    measure *m = ud;
    m->last_ms = e->at_ms;
    for (int i = 0; i < m->ts->n; i++) {
        const tg_ui_task *t = &m->ts->t[i];
        attempt_run *r = &m->run[i];
        if (r->state == IDLE && matches(&t->start, e)) {
            r->state = RUNNING;
            r->start_ms = e->at_ms;
            count(&r->a, e);
            continue;
        }
        if (r->state != RUNNING)
            continue;
        count(&r->a, e);
        if (matches(&t->done, e)) {
            end_run(r, UITASK_COMPLETED, e->at_ms);
            continue;
        }
        for (int g = 0; g < t->n_give_up; g++)
            if (matches(&t->give_up[g], e)) {
                end_run(r, UITASK_GAVE_UP, e->at_ms);
                break;
            }
    }
    return TG_OK;
}

/* Reads one session and hands over its attempts. */
static int measure_session(tg_store *s, measure *m, const char *session,
                           int (*fn)(void *, const char *, int,
                                     const tg_ui_attempt *),
                           void *ud, tg_err *err)
{
    memset(m->run, 0, sizeof m->run);
    int rc = uilog_events(s, session, on_event, m, err);
    for (int i = 0; rc == TG_OK && i < m->ts->n; i++) {
        attempt_run *r = &m->run[i];
        if (r->state == RUNNING)
            end_run(r, UITASK_ABANDONED, m->last_ms);
        tg_ui_task_summary *u = &m->sum[i];
        u->sessions++;
        u->started += r->a.outcome != UITASK_NOT_STARTED;
        u->gave_up += r->a.outcome == UITASK_GAVE_UP;
        u->abandoned += r->a.outcome == UITASK_ABANDONED;
        if (r->a.outcome == UITASK_COMPLETED) {
            m->secs[i][m->done[i]] = r->a.seconds;
            m->keys[i][m->done[i]++] = (double)r->a.keys;
        }
        rc = fn ? fn(ud, session, i, &r->a) : TG_OK;
    }
    return rc;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static void spread(double *v, int n, tg_ui_spread *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0)
        return;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    out->median = stats_quantile(v, (size_t)n, 0.5);
    out->p25 = stats_quantile(v, (size_t)n, 0.25);
    out->p75 = stats_quantile(v, (size_t)n, 0.75);
    out->min = v[0];
    out->max = v[n - 1];
}

/* The names of the sessions, oldest first. */
typedef struct names {
    char (*name)[64];
    int n, cap;
} names;

static int add_name(void *ud, const tg_ui_session *ss)
{
    names *v = ud;
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        char (*p)[64] = realloc(v->name, (size_t)cap * sizeof *p);
        if (!p)
            return TG_EINTERNAL;
        v->name = p, v->cap = cap;
    }
    memcpy(v->name[v->n++], ss->name, sizeof ss->name);
    return TG_OK;
}

int uitask_measure(tg_store *s, const tg_ui_tasks *ts, const char *only,
                   int (*fn)(void *ud, const char *session, int task,
                             const tg_ui_attempt *a),
                   void *ud, tg_ui_task_summary *sum, tg_err *err)
{
    names v = {0};
    tg_err quiet = {0};
    int rc = only ? TG_OK : uilog_sessions(s, add_name, &v, &quiet);
    if (rc != TG_OK) /* the store's message, or none: no memory */
        tg_fail(err, rc, "%s", quiet.msg[0] ? quiet.msg : "out of memory");
    int n = only ? 1 : v.n;
    measure m = {.ts = ts, .sum = sum};
    memset(sum, 0, (size_t)ts->n * sizeof *sum);
    for (int i = 0; rc == TG_OK && i < ts->n; i++) {
        m.secs[i] = calloc((size_t)n + 1, sizeof(double));
        m.keys[i] = calloc((size_t)n + 1, sizeof(double));
        if (!m.secs[i] || !m.keys[i])
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    }
    for (int k = 0; rc == TG_OK && k < n; k++)
        rc = measure_session(s, &m, only ? only : v.name[k], fn, ud, err);
    for (int i = 0; i < ts->n; i++) {
        if (rc == TG_OK) {
            sum[i].completed = m.done[i];
            sum[i].completion_rate =
                sum[i].sessions ? (double)m.done[i] / sum[i].sessions : 0;
            spread(m.secs[i], m.done[i], &sum[i].seconds);
            spread(m.keys[i], m.done[i], &sum[i].keys);
        }
        free(m.secs[i]);
        free(m.keys[i]);
    }
    free(v.name);
    return rc;
}
