/* launch.c: XGBoost's tracker and the one-machine launcher.
 *
 * The tracker is xgboost.tracker.RabitTracker from Debian's python3-xgboost
 * (1.7), run by the Python that package installs into (/usr/bin/python3,
 * or $TRENDGUARD_PYTHON): it ranks workers by their task id, which a worker
 * sets to its zero-padded --rank, so rank K trains shard K. A worker that
 * fails tells the tracker, which then ends (69) a second later (time for
 * the others to report too) instead of waiting for it forever.
 *
 * `--workers N` runs the tracker on 127.0.0.1 and N copies of this program
 * as workers, each with the cores divided between them (and libgomp told
 * not to spin while a worker waits for the others), and waits: when a
 * worker fails, the others notice through the collective and end with 69
 * on their own; any still running --timeout (plus 5 s) later are killed. */
#include "launch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trendguard/shards.h"

static const char tracker_py[] =
    "import os, sys, threading, time\n"
    "try:\n"
    "    import xgboost.tracker as T\n"
    "except Exception as e:\n"
    "    sys.stderr.write('trendguard-train: the tracker needs XGBoost\\'s "
    "Python package (Debian: apt-get install python3-xgboost) for %s: %s\\n'"
    " % (sys.executable, e))\n"
    "    sys.exit(69)\n"
    "host, port, n, timeout = sys.argv[1], int(sys.argv[2]), "
    "int(sys.argv[3]), int(sys.argv[4])\n"
    "joined = []\n"
    "ranked = [0]\n"
    "init = T.WorkerEntry.__init__\n"
    "def arrive(self, *a):\n"
    "    init(self, *a)\n"
    "    if self.cmd == 'start':\n"
    "        joined.append(time.monotonic())\n"
    "T.WorkerEntry.__init__ = arrive\n"
    "assign = T.WorkerEntry.assign_rank\n"
    "def ranks(self, *a):\n"
    "    ranked[0] += 1\n"
    "    return assign(self, *a)\n"
    "T.WorkerEntry.assign_rank = ranks\n"
    "def report(self, use_logger):\n"
    "    msg = self.sock.recvstr().strip()\n"
    "    print(msg, flush=True)\n"
    "    if msg.startswith('trendguard-train: worker'):\n"
    "        threading.Timer(1.0, os._exit, [69]).start()\n"
    "T.WorkerEntry.print = report\n"
    "try:\n"
    "    t = T.RabitTracker(host_ip=host, n_workers=n, port=port, "
    "sortby='task')\n"
    "except OSError as e:\n"
    "    sys.stderr.write('trendguard-train: the tracker cannot listen on "
    "%s:%d: %s\\n' % (host, port, e.strerror or e))\n"
    "    sys.exit(69)\n"
    "print('DMLC_TRACKER_URI=%s\\nDMLC_TRACKER_PORT=%d\\nDMLC_NUM_WORKER=%d'"
    " % (host, t.port, n), flush=True)\n"
    "def run():\n"
    "    try:\n"
    "        t.accept_workers(n)\n"
    "    except Exception as e:\n"
    "        sys.stderr.write('trendguard-train: the tracker stopped: %r\\n' "
    "% (e,))\n"
    "        os._exit(69)\n"
    "th = threading.Thread(target=run, daemon=True)\n"
    "th.start()\n"
    "try:\n"
    "    while th.is_alive():\n"
    "        th.join(1)\n"
    "        if joined and ranked[0] < n and "
    "time.monotonic() - joined[0] > timeout + 5:\n"
    "            sys.stderr.write('trendguard-train: the tracker gave up: "
    "%d of %d workers joined within %d s (--timeout)\\n' % "
    "(len(joined), n, timeout))\n"
    "            os._exit(69)\n"
    "except KeyboardInterrupt:\n"
    "    sys.exit(130)\n"
    "print('trendguard-train: tracker: all %d workers finished' % n, "
    "flush=True)\n";

/* The Python with python3-xgboost: $TRENDGUARD_PYTHON, Debian's, or the
 * first python3 on PATH. */
static const char *python_path(void)
{
    const char *p = getenv("TRENDGUARD_PYTHON");
    if (p && *p)
        return p;
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3"
                                                  : "python3";
}

static void exec_tracker(const char *host, int port, int world_size,
                         int timeout)
{
    char ps[16], ns[16], ts[16];
    snprintf(ps, sizeof ps, "%d", port);
    snprintf(ns, sizeof ns, "%d", world_size);
    snprintf(ts, sizeof ts, "%d", timeout);
    const char *py = python_path();
    execlp(py, py, "-c", tracker_py, host, ps, ns, ts, (char *)NULL);
}

int launch_tracker(const char *host, int port, int world_size, int timeout,
                   tg_err *err)
{
    fflush(NULL);
    exec_tracker(host, port, world_size, timeout);
    return tg_fail(err, TG_EUNAVAIL, "cannot run %s for the tracker: %s "
                   "(set TRENDGUARD_PYTHON to a Python with python3-xgboost)",
                   python_path(), strerror(errno));
}

/* ---- children ------------------------------------------------------------ */

typedef struct child {
    pid_t pid;
    int status;
    int ended;
    long peak_kib;
} child;

/* In a child: die with the launcher, even when it is killed. */
static void die_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(TG_EUNAVAIL);
}

/* Starts the tracker on 127.0.0.1 with its output on a pipe; waits up to
 * 30 s for its port. */
static int start_tracker(int n, int timeout, child *tr, int *out_fd,
                         int *port, tg_err *err)
{
    int fd[2];
    if (pipe(fd) != 0)
        return tg_fail(err, TG_EINTERNAL, "pipe: %s", strerror(errno));
    pid_t parent = getpid();
    fflush(NULL);
    tr->pid = fork();
    if (tr->pid == 0) {
        die_with_parent(parent);
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        exec_tracker("127.0.0.1", 0, n, timeout);
        fprintf(stderr, "trendguard-train: cannot run %s for the tracker: "
                "%s\n", python_path(), strerror(errno));
        _exit(TG_EUNAVAIL);
    }
    close(fd[1]);
    if (tr->pid < 0) {
        close(fd[0]);
        return tg_fail(err, TG_EINTERNAL, "fork: %s", strerror(errno));
    }
    *out_fd = fd[0];
    char buf[512];
    size_t len = 0;
    double t0 = tg_now_mono();
    while (tg_now_mono() - t0 < 30) {
        struct pollfd p = {fd[0], POLLIN, 0};
        if (poll(&p, 1, 200) <= 0)
            continue;
        ssize_t r = read(fd[0], buf + len, sizeof buf - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
        const char *at = strstr(buf, "DMLC_TRACKER_PORT=");
        if (at && strchr(at, '\n') && (*port = atoi(at + 18)) > 0)
            return TG_OK;
        if (len == sizeof buf - 1)
            break;
    }
    return tg_fail(err, TG_EUNAVAIL, "the tracker did not start (see its "
                   "error above)");
}

/* Reads and drops what the tracker prints, without blocking. */
static void drain(int fd)
{
    char buf[4096];
    struct pollfd p = {fd, POLLIN, 0};
    while (fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & POLLIN) &&
           read(fd, buf, sizeof buf) > 0)
        ;
}

typedef struct argv_buf {
    char *v[40];
    char s[20][64];
    int n, ns;
} argv_buf;

static void arg(argv_buf *a, const char *s)
{
    if (a->n < 39)
        a->v[a->n++] = (char *)s;
    a->v[a->n] = NULL;
}

static void arg_num(argv_buf *a, const char *opt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void arg_num(argv_buf *a, const char *opt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->s[a->ns], sizeof a->s[0], fmt, ap);
    va_end(ap);
    arg(a, opt);
    arg(a, a->s[a->ns++]);
}

/* The worker's command line: the same training parameters, its rank, the
 * cores shared out; rank 0 also writes the model and metrics. */
static int worker_threads(const tg_train_opts *o, int n)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return o->nthread ? o->nthread : (int)(cpus / n > 1 ? cpus / n : 1);
}

static void worker_argv(argv_buf *a, const char *exe, const tg_train_opts *o,
                        const char *shards, int rank, int n, int port)
{
    int nthread = worker_threads(o, n);
    memset(a, 0, sizeof *a);
    arg(a, exe);
    arg(a, "--shards");
    arg(a, shards);
    arg(a, "--db");
    arg(a, o->db);
    arg_num(a, "--tracker", "127.0.0.1:%d", port);
    arg_num(a, "--rank", "%d", rank);
    arg_num(a, "--world-size", "%d", n);
    arg_num(a, "--timeout", "%d", o->timeout);
    arg_num(a, "--rounds", "%d", o->rounds);
    arg_num(a, "--max-depth", "%d", o->max_depth);
    arg_num(a, "--eta", "%.17g", o->eta);
    arg_num(a, "--seed", "%llu", (unsigned long long)o->seed);
    arg_num(a, "--nthread", "%d", nthread);
    if (rank == 0 && o->out) {
        arg(a, "--out");
        arg(a, o->out);
    }
    if (rank == 0 && o->json)
        arg(a, "--json");
    if (rank == 0 && o->metrics_path) {
        arg(a, "--metrics");
        arg(a, o->metrics_path);
    }
}

/* Workers sharing this machine's cores: libgomp's threads must not spin
 * while their worker waits for the others (they would take the cores the
 * others need: 3 to 4 times slower on 2 cores), nor outnumber the worker's
 * share. The variables are read when libgomp starts, so they are set for
 * the child, unless the user set them. */
static void share_cores(int nthread)
{
    char n[16];
    snprintf(n, sizeof n, "%d", nthread);
    setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
    setenv("OMP_NUM_THREADS", n, 0);
}

static int start_worker(child *c, const argv_buf *a, int rank, int nthread)
{
    pid_t parent = getpid();
    fflush(NULL);
    c->pid = fork();
    if (c->pid == 0) {
        die_with_parent(parent);
        share_cores(nthread);
        if (rank != 0 && !freopen("/dev/null", "w", stdout))
            _exit(TG_EIO);
        execv(a->v[0], a->v);
        fprintf(stderr, "trendguard-train: cannot run %s: %s\n", a->v[0],
                strerror(errno));
        _exit(TG_EINTERNAL);
    }
    return c->pid < 0 ? -1 : 0;
}

/* ---- waiting ------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static int failed(const child *c)
{
    return c->ended && !(WIFEXITED(c->status) && WEXITSTATUS(c->status) == 0);
}

static int code_of(const child *c)
{
    return WIFEXITED(c->status) ? WEXITSTATUS(c->status) : TG_EUNAVAIL;
}

/* Reaps whatever ended; returns how many workers still run. */
static int reap(child *w, int n, child *tr)
{
    int st, running = 0;
    pid_t pid;
    struct rusage ru;
    while ((pid = wait4(-1, &st, WNOHANG, &ru)) > 0) {
        child *c = pid == tr->pid ? tr : NULL;
        for (int i = 0; !c && i < n; i++)
            c = w[i].pid == pid ? &w[i] : NULL;
        if (c) {
            c->ended = 1;
            c->status = st;
            c->peak_kib = ru.ru_maxrss;
        }
    }
    for (int i = 0; i < n; i++)
        running += w[i].pid > 0 && !w[i].ended;
    return running;
}

static void kill_running(child *w, int n, int sig)
{
    for (int i = 0; i < n; i++)
        if (w[i].pid > 0 && !w[i].ended)
            kill(w[i].pid, sig);
}

/* Waits for every worker; the first to fail is *first (-1: none). */
static void wait_workers(child *w, int n, child *tr, int fd, int timeout,
                         int *first)
{
    double fail_at = 0;
    *first = -1;
    while (reap(w, n, tr) > 0) {
        drain(fd);
        for (int i = 0; *first < 0 && i < n; i++)
            if (failed(&w[i])) {
                *first = i;
                fail_at = tg_now_mono();
            }
        if (*first >= 0 && tg_now_mono() - fail_at > timeout + 5)
            kill_running(w, n, SIGKILL);
        if (stop_signal)
            kill_running(w, n, SIGTERM);
        usleep(20000);
    }
    for (int i = 0; *first < 0 && i < n; i++)
        if (failed(&w[i]))
            *first = i;
}

/* One sentence on how each worker ended. */
static int outcome(const child *w, int n, int first, tg_err *err)
{
    char buf[400];
    size_t k = 0;
    for (int i = 0; i < n && k < sizeof buf - 60; i++) {
        const child *c = &w[i];
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%sworker %d ",
                              i ? ", " : "", i);
        if (WIFSIGNALED(c->status))
            k += (size_t)snprintf(buf + k, sizeof buf - k,
                                  "was ended by signal %d",
                                  WTERMSIG(c->status));
        else
            k += (size_t)snprintf(buf + k, sizeof buf - k, "exit %d",
                                  WEXITSTATUS(c->status));
    }
    return tg_fail(err, code_of(&w[first]), "the run failed: %s", buf);
}

/* ---- the shards ---------------------------------------------------------- */

/* Exports n shards of the store into a new temporary folder dir. */
static int temp_shards(const tg_train_opts *o, int n, char *dir, size_t len,
                       tg_err *err)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, len, "%s/trendguard-shards.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return tg_fail(err, TG_EIO, "%s: %s", dir, strerror(errno));
    tg_store *s = store_open(o->db, 0, err);
    if (!s)
        return err->code;
    tg_shards_opts so = {dir, n, o->valid_days};
    int rc = shards_export(s, &so, NULL, NULL, NULL, err);
    store_close(s);
    return rc;
}

/* Removes what temp_shards wrote, and the folder. */
static void remove_shards(const char *dir, int n)
{
    char path[PATH_MAX + 80], name[64];
    for (int k = 0; k < n; k++)
        for (int f = 0; f < SHARD_NFILES; f++) {
            shards_file_name(k, f, name, sizeof name);
            snprintf(path, sizeof path, "%s/%s", dir, name);
            unlink(path);
        }
    snprintf(path, sizeof path, "%s/%s", dir, SHARDS_FEATMAP);
    unlink(path);
    snprintf(path, sizeof path, "%s/%s", dir, SHARDS_MANIFEST);
    unlink(path);
    rmdir(dir);
}

/* Checks given shards before starting anything. */
static int check_shards(const char *dir, int n, tg_err *err)
{
    tg_shards_manifest m;
    int rc = shards_manifest_read(dir, &m, err);
    if (rc == TG_OK && m.nshards != n)
        rc = tg_fail(err, TG_EUSAGE, "%s holds %d shards, not %d: use "
                     "--workers %d", dir, m.nshards, n, m.nshards);
    if (rc == TG_OK)
        rc = shards_verify(dir, &m, err);
    shards_manifest_free(&m);
    return rc;
}

/* ---- the launcher -------------------------------------------------------- */

static int run_all(const tg_train_opts *o, int n, const char *shards,
                   tg_launch_stats *st, tg_err *err)
{
    char exe[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (l <= 0)
        return tg_fail(err, TG_EINTERNAL, "cannot find this program: %s",
                       strerror(errno));
    exe[l] = '\0';
    child tr = {0}, *w = calloc((size_t)n, sizeof *w);
    if (!w)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int fd = -1, port = 0, first = -1;
    int rc = start_tracker(n, o->timeout, &tr, &fd, &port, err);
    for (int i = 0; rc == TG_OK && i < n; i++) {
        argv_buf a;
        worker_argv(&a, exe, o, shards, i, n, port);
        if (start_worker(&w[i], &a, i, worker_threads(o, n)) != 0)
            rc = tg_fail(err, TG_EINTERNAL, "fork: %s", strerror(errno));
    }
    if (rc != TG_OK)
        kill_running(w, n, SIGKILL);
    wait_workers(w, n, &tr, fd, o->timeout, &first);
    if (!tr.ended && tr.pid > 0) {
        kill(tr.pid, SIGTERM);
        waitpid(tr.pid, NULL, 0);
    }
    if (fd >= 0)
        close(fd);
    if (rc == TG_OK && stop_signal)
        rc = tg_fail(err, 128 + stop_signal, "stopped by signal %d",
                     (int)stop_signal);
    else if (rc == TG_OK && first >= 0)
        rc = outcome(w, n, first, err);
    for (int i = 0; i < n && i < LAUNCH_MAX_WORKERS; i++)
        st->peak_kib[i] = w[i].peak_kib;
    free(w);
    return rc;
}

int launch_workers(const tg_train_opts *o, int n, tg_launch_stats *st,
                   tg_err *err)
{
    tg_launch_stats local;
    if (!st)
        st = &local;
    memset(st, 0, sizeof *st);
    if (n < 1 || n > LAUNCH_MAX_WORKERS)
        return tg_fail(err, TG_EUSAGE, "--workers takes 1 to %d, not %d",
                       LAUNCH_MAX_WORKERS, n);
    char dir[PATH_MAX];
    int own = !o->shards, rc;
    double t0 = tg_now_mono();
    if (own) {
        rc = temp_shards(o, n, dir, sizeof dir, err);
        st->export_seconds = tg_now_mono() - t0;
    } else {
        tg_strlcpy(dir, o->shards, sizeof dir);
        rc = check_shards(dir, n, err);
    }
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    t0 = tg_now_mono();
    if (rc == TG_OK)
        rc = run_all(o, n, dir, st, err);
    st->train_seconds = tg_now_mono() - t0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (own && dir[0])
        remove_shards(dir, n);
    return rc;
}
