/* uitask.h: task figures for usability testing. A researcher defines
 * tasks in a small text file, one a line:
 *
 *     NAME | START | DONE [| GIVE-UP]...
 *
 * (# starts a comment), each event a pattern KIND[@SCREEN][:DETAIL] of
 * shell wildcards (fnmatch) on a recorded event (uilog.h): "checkout",
 * "screen@item", "key@item:a", "nudge_answer:* accepted". In each session
 * a task starts at the first event matching START and ends at the next
 * matching DONE (completed) or a GIVE-UP (gave up); a session that ends
 * first abandoned it. Its figures count the events from its start to its
 * end, both included: time on task, keys, screens visited (screen
 * changes), errors (events whose kind ends in "_failed"), dead ends
 * (dead_key: keys that did nothing), nudges shown, accepted and declined;
 * across sessions, how many started and completed it, and the median and
 * spread (quartiles, least, most) of the time and keys of the completed
 * ones. */
#ifndef TRENDGUARD_UITASK_H
#define TRENDGUARD_UITASK_H

#include "trendguard/store.h"
#include "trendguard/util.h"

#define UITASK_MAX 32        /* tasks a file may define */
#define UITASK_GIVE_UPS 8    /* give-up events a task may have */
#define UITASK_FILE_MAX 65536

typedef struct tg_ui_pattern {
    char kind[32], screen[64], detail[192]; /* globs; "" screen, detail:
                                               any */
    char text[300];          /* as the file wrote it */
} tg_ui_pattern;

typedef struct tg_ui_task {
    char name[64];
    tg_ui_pattern start, done, give_up[UITASK_GIVE_UPS];
    int n_give_up;
} tg_ui_task;

typedef struct tg_ui_tasks {
    tg_ui_task t[UITASK_MAX];
    int n;
} tg_ui_tasks;

/* Reads the task file at path. TG_EDATA naming the line and what is
 * wrong with it (not NAME | START | DONE, a bad pattern, a name used
 * twice, a control character or a byte that is not UTF-8, too many). */
int uitask_load(const char *path, tg_ui_tasks *tasks, tg_err *err);

enum {
    UITASK_NOT_STARTED, UITASK_COMPLETED, UITASK_GAVE_UP, UITASK_ABANDONED
};
/* "completed", "gave_up", "abandoned", "not_started". */
const char *uitask_outcome_name(int outcome);

/* One session's attempt at one task. */
typedef struct tg_ui_attempt {
    int outcome;             /* UITASK_* */
    double seconds;          /* start to end (or the session's last event) */
    long keys, screens, errors, dead_ends;
    long nudges_shown, nudges_accepted, nudges_declined;
} tg_ui_attempt;

/* The spread of a figure over the completed attempts (n of them; the
 * rest 0 when n is 0). */
typedef struct tg_ui_spread {
    int n;
    double median, p25, p75, min, max;
} tg_ui_spread;

/* A task across the sessions. */
typedef struct tg_ui_task_summary {
    int sessions, started, completed, gave_up, abandoned;
    double completion_rate;  /* completed / sessions; 0 with none */
    tg_ui_spread seconds, keys;
} tg_ui_task_summary;

/* Measures every task in every session (only session `only` when not
 * NULL), oldest session first: fn(ud, session, task index, attempt) for
 * each, then sum[i] for each task i. TG_ENOINPUT when `only` has no
 * events. */
int uitask_measure(tg_store *s, const tg_ui_tasks *tasks, const char *only,
                   int (*fn)(void *ud, const char *session, int task,
                             const tg_ui_attempt *a),
                   void *ud, tg_ui_task_summary *sum, tg_err *err);

#endif
