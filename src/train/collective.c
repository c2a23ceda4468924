/* collective.c: joining XGBoost's collective (Rabit, through libxgboost
 * 1.7's XGCommunicator* C API), the sums and broadcasts the worker needs,
 * what a failure means, and a watchdog thread for the waits Rabit itself
 * leaves unbounded.
 *
 * Rabit bounds every wait inside a collective call by rabit_timeout_sec
 * (a poll timeout) and notices a worker that died at once (its sockets
 * close), in its tree allreduce (its ring allreduce can spin for ever on a
 * closed connection, so it is not used); it does not bound the wait for
 * the tracker to rank every worker at the start, nor the goodbye to the
 * tracker at the end, nor a spin of its own while a peer that stopped
 * half-way through a message neither sends nor closes. The watchdog covers
 * those (the worker arms it round by round). libxgboost's log lines (Rabit's warnings, "got new rank")
 * are kept from stderr: the last one is kept to explain a failure. */
#include "collective.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xgboost/c_api.h>

/* xgboost::collective::DataType and Operation (src/collective/
 * communicator.h in XGBoost 1.7; not installed). */
enum { XGC_INT64 = 4, XGC_FLOAT = 6, XGC_DOUBLE = 7 };
enum { XGC_MIN = 1, XGC_SUM = 2 };

static int active, my_timeout;
static char last_log[1024];

static void on_log(const char *msg)
{
    tg_strlcpy(last_log, msg ? msg : "", sizeof last_log);
}

/* ---- the watchdog -------------------------------------------------------- */

static pthread_mutex_t wd_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wd_cv;
static int wd_started, wd_armed, wd_code;
static struct timespec wd_deadline;
static char wd_msg[600];

static void *watchdog_main(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&wd_mu);
    for (;;) {
        if (!wd_armed) {
            pthread_cond_wait(&wd_cv, &wd_mu);
            continue;
        }
        struct timespec dl = wd_deadline;
        if (pthread_cond_timedwait(&wd_cv, &wd_mu, &dl) == 0 || !wd_armed)
            continue;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec < dl.tv_sec ||
            (now.tv_sec == dl.tv_sec && now.tv_nsec < dl.tv_nsec))
            continue;
        if (wd_msg[0]) {
            char line[700];
            int n = snprintf(line, sizeof line, "trendguard-train: %s\n",
                             wd_msg);
            if (write(STDERR_FILENO, line, (size_t)n) < 0)
                n = 0;
        }
        _exit(wd_code);
    }
    return NULL;
}

static void watchdog_start(void)
{
    if (wd_started)
        return;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&wd_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_t th;
    if (pthread_create(&th, NULL, watchdog_main, NULL) == 0) {
        pthread_detach(th);
        wd_started = 1;
    }
}

void watchdog_arm(int seconds, const char *message, int code)
{
    watchdog_start();
    pthread_mutex_lock(&wd_mu);
    clock_gettime(CLOCK_MONOTONIC, &wd_deadline);
    wd_deadline.tv_sec += seconds;
    tg_strlcpy(wd_msg, message ? message : "", sizeof wd_msg);
    wd_code = code;
    wd_armed = 1;
    pthread_cond_signal(&wd_cv);
    pthread_mutex_unlock(&wd_mu);
}

void watchdog_disarm(void)
{
    if (!wd_started)
        return;
    pthread_mutex_lock(&wd_mu);
    wd_armed = 0;
    pthread_cond_signal(&wd_cv);
    pthread_mutex_unlock(&wd_mu);
}

/* ---- messages ------------------------------------------------------------ */

/* s without libxgboost's "[hh:mm:ss] file:line: " prefixes, first line
 * only. */
static void clean_line(const char *s, char *buf, size_t n)
{
    if (s[0] == '[' && strchr(s, ']'))
        s = strchr(s, ']') + 1;
    while (*s == ' ')
        s++;
    if (strncmp(s, "WARNING: ", 9) == 0)
        s += 9;
    const char *colon = strstr(s, ": ");
    if (colon && memchr(s, '/', (size_t)(colon - s)) &&
        !memchr(s, ' ', (size_t)(colon - s)))
        s = colon + 2;
    tg_strlcpy(buf, s, n);
    buf[strcspn(buf, "\r\n")] = '\0';
}

/* Why the tracker could not be reached, from Rabit's last log line: the
 * line after "Connecting to (failed): [host]" is the system's reason. */
static void connect_reason(char *buf, size_t n)
{
    const char *p = strstr(last_log, "(failed):");
    p = p ? strchr(p, '\n') : NULL;
    if (p)
        clean_line(p + 1, buf, n);
    else
        clean_line(last_log, buf, n);
}

int collective_classify(const char *xgb_message, const char *what,
                        char *buf, size_t n)
{
    char line[400];
    clean_line(xgb_message ? xgb_message : "", line, sizeof line);
    static const char *const broken[] = {
        "Allreduce failed", "Broadcast failed", "Poll timeout",
        "Failed to poll", "ReConnectLink", "Connecting to", "Socket",
        "socket", "Connection", "Failed to initialize Rabit"};
    int net = 0;
    for (size_t i = 0; active && i < sizeof broken / sizeof *broken; i++)
        net |= strstr(xgb_message ? xgb_message : "", broken[i]) != NULL;
    if (!net) {
        snprintf(buf, n, "libxgboost: %s: %s", what, line);
        return TG_EINTERNAL;
    }
    if (strstr(xgb_message, "Poll timeout"))
        snprintf(buf, n, "%s: no word from the other workers for %d s "
                 "(--timeout); a worker stopped or the network is down",
                 what, my_timeout);
    else
        snprintf(buf, n, "%s: the collective broke: another worker stopped "
                 "or the network failed (%s)", what, line);
    return TG_EUNAVAIL;
}

/* ---- joining and leaving ------------------------------------------------- */

/* Connection attempts to the tracker: Rabit sleeps 2, 4, 6... s between
 * them, so r attempts take r(r-1) s; as many as fit the timeout. */
static int connect_tries(int timeout)
{
    int r = 1;
    while ((r + 1) * r <= timeout)
        r++;
    return r;
}

static char *config_json(const tg_collective_opts *o)
{
    char task[16], tries[16];
    snprintf(task, sizeof task, "%06d", o->rank);
    snprintf(tries, sizeof tries, "%d", connect_tries(o->timeout));
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "xgboost_communicator", "rabit");
    cJSON_AddStringToObject(c, "rabit_tracker_uri", o->host);
    cJSON_AddNumberToObject(c, "rabit_tracker_port", o->port);
    cJSON_AddStringToObject(c, "rabit_task_id", task);
    cJSON_AddNumberToObject(c, "rabit_world_size", o->world_size);
    cJSON_AddBoolToObject(c, "rabit_timeout", 1);
    cJSON_AddNumberToObject(c, "rabit_timeout_sec", o->timeout);
    cJSON_AddStringToObject(c, "DMLC_WORKER_CONNECT_RETRY", tries);
    /* Without it, Nagle's algorithm holds each small message of a round
     * for a delayed acknowledgement: 5 times slower on loopback. Rabit
     * wants the word, not a JSON boolean. */
    cJSON_AddStringToObject(c, "rabit_enable_tcp_no_delay", "true");
    /* Rabit 1.7's ring allreduce (used past 32K values) takes a closed
     * connection in its allgather half for "no data yet" and spins on it
     * for ever; its tree allreduce sees the close and fails. Tree only. */
    cJSON_AddStringToObject(c, "rabit_reduce_ring_mincount", "2147483647");
    char *s = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return s;
}

int collective_init(const tg_collective_opts *o, tg_err *err)
{
    char *cfg = config_json(o);
    if (!cfg)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    /* Rabit writes to its peers without MSG_NOSIGNAL: a write to a worker
     * that died would end this one by SIGPIPE instead of the error that
     * says what happened. */
    signal(SIGPIPE, SIG_IGN);
    /* Warnings reach on_log (and not stderr) from this thread. */
    XGBSetGlobalConfig("{\"verbosity\": 1}");
    XGBRegisterLogCallback(on_log);
    char msg[300];
    snprintf(msg, sizeof msg, "worker %d: the tracker at %s:%d did not "
             "start the collective within %d s (--timeout): not all %d "
             "workers joined", o->rank, o->host, o->port, o->timeout,
             o->world_size);
    watchdog_arm(o->timeout, msg, TG_EUNAVAIL);
    int rc = XGCommunicatorInit(cfg);
    watchdog_disarm();
    free(cfg);
    if (rc != 0) {
        char why[300];
        connect_reason(why, sizeof why);
        if (strstr(last_log, "Connecting to"))
            return tg_fail(err, TG_EUNAVAIL, "the tracker at %s:%d cannot "
                           "be reached: %s", o->host, o->port, why);
        return tg_fail(err, TG_EUNAVAIL, "the tracker at %s:%d did not "
                       "start the collective: %s", o->host, o->port, why);
    }
    active = 1;
    my_timeout = o->timeout;
    int got = XGCommunicatorGetRank(), ws = XGCommunicatorGetWorldSize();
    if (got != o->rank || ws != o->world_size)
        return tg_fail(err, TG_EUSAGE, "the tracker made this worker rank "
                       "%d of %d, not %d of %d: each worker needs its own "
                       "--rank from 0 to %d, and a tracker that ranks by "
                       "it (trendguard-train --tracker)", got, ws, o->rank,
                       o->world_size, o->world_size - 1);
    return TG_OK;
}

int collective_active(void)
{
    return active;
}

void collective_finalize(int code)
{
    if (!active)
        return;
    watchdog_arm(5, "the tracker did not answer this worker's goodbye "
                    "(its work is done)", code);
    XGCommunicatorFinalize();
    watchdog_disarm();
    active = 0;
}

void collective_report_failure(const char *message, int code)
{
    if (!active)
        return;
    char line[700];
    snprintf(line, sizeof line, "trendguard-train: %s", message);
    /* A tracker that is there answers at once; one that is gone (it ends
     * at the first report) would be retried for seconds. */
    watchdog_arm(1, NULL, code);
    XGCommunicatorPrint(line);
    watchdog_disarm();
}

/* ---- sums and broadcasts ------------------------------------------------- */

static int call_failed(const char *what, tg_err *err)
{
    char buf[512];
    int code = collective_classify(XGBGetLastError(), what, buf, sizeof buf);
    return tg_fail(err, code, "%s", buf);
}

static int reduce(void *v, size_t n, int type, int op, const char *what,
                  tg_err *err)
{
    if (n == 0 || XGCommunicatorAllreduce(v, n, type, op) == 0)
        return TG_OK;
    return call_failed(what, err);
}

int collective_sum_double(double *v, size_t n, const char *what, tg_err *err)
{
    return reduce(v, n, XGC_DOUBLE, XGC_SUM, what, err);
}

int collective_sum_float(float *v, size_t n, const char *what, tg_err *err)
{
    return reduce(v, n, XGC_FLOAT, XGC_SUM, what, err);
}

int collective_sum_int64(long long *v, size_t n, const char *what,
                         tg_err *err)
{
    return reduce(v, n, XGC_INT64, XGC_SUM, what, err);
}

int collective_min_float(float *v, size_t n, const char *what, tg_err *err)
{
    return reduce(v, n, XGC_FLOAT, XGC_MIN, what, err);
}

int collective_broadcast(void *buf, size_t n, const char *what, tg_err *err)
{
    if (XGCommunicatorBroadcast(buf, n, 0) == 0)
        return TG_OK;
    return call_failed(what, err);
}
