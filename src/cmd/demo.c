/* demo.c: the first-run experience: a store filled with demo data and,
 * when the trainer is installed beside the app, the demo model, its scores
 * and the simulated pilot, so that `make run` on a fresh machine opens on
 * something to look at. */
#include "demo.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trendguard/explain.h"
#include "trendguard/gen.h"
#include "trendguard/ingest.h"
#include "trendguard/nudge.h"
#include "trendguard/pilot.h"
#include "trendguard/score.h"
#include "trendguard/store.h"

/* Removes the generator's files (and what a killed one left) and dir. */
static void remove_dir(const char *dir)
{
    for (int i = 0; i < TG_GEN_FILES; i++) {
        char p[4300];
        snprintf(p, sizeof p, "%s/%s", dir, gen_file_names[i]);
        unlink(p);
        snprintf(p, sizeof p, "%s/.%s.tmp", dir, gen_file_names[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* The demo model's file: in the models folder of the store it becomes
 * (db_path without ".first-run", then "-models", as trendguard-train
 * names it), under a name no earlier store left there. */
static void demo_model_path(const char *db_path, char *buf, size_t n)
{
    char final[4096];
    tg_strlcpy(final, db_path, sizeof final);
    size_t l = strlen(final), sl = strlen(".first-run");
    if (l > sl && strcmp(final + l - sl, ".first-run") == 0)
        final[l - sl] = '\0';
    struct stat st;
    for (int k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(buf, n, "%s-models/model-v1.json", final);
        else
            snprintf(buf, n, "%s-models/model-v1-%d.json", final, k);
        if (stat(buf, &st) != 0)
            return;
    }
}

/* Runs trendguard-train from the folder of this executable, when it is
 * installed there. Returns its exit status, or -1 when it is not there. */
static int train_demo_model(const char *db_path, int verbose)
{
    char out[4200];
    demo_model_path(db_path, out, sizeof out);
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 32);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    strcpy(slash + 1, "trendguard-train");
    if (access(exe, X_OK) != 0)
        return -1;
    if (verbose)
        fprintf(stderr, "trendguard: training the demo model...\n");
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* Killed with the app: a trainer left running would go on writing
         * to the half-made store that the next first run starts over. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        /* Quiet: the summary is for people who run the trainer. */
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        if (!verbose)
            null = freopen("/dev/null", "w", stderr);
        execl(exe, exe, "--db", db_path, "--seed", "1", "--out", out,
              (char *)NULL);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 70;
}

/* Plays the demo's last weeks as the simulated pilot (pilot.h), so that
 * the dashboard opens on what the nudges did against a control group. */
static int pilot_demo(tg_store *s, int verbose, tg_err *err)
{
    if (verbose)
        fprintf(stderr, "trendguard: playing the simulated pilot...\n");
    tg_pilot_opts o;
    pilot_defaults(&o);
    tg_pilot_result r;
    return pilot_run(s, &o, &r, err);
}

/* Scores the demo's lines with the demo model, lets the engine decide the
 * interventions the scores queued and plays the pilot, so the dashboard
 * opens on figures. */
static int score_demo(const char *db_path, int verbose, tg_err *err)
{
    if (verbose)
        fprintf(stderr, "trendguard: scoring the demo purchases...\n");
    tg_store *s = store_open(db_path, 0, err);
    if (!s)
        return err->code;
    tg_model_info info;
    tg_model *m = score_open_model(s, NULL, &info, err);
    tg_explainer *ex = m ? explain_load(NULL, err) : NULL;
    int rc = ex ? TG_OK : err->code;
    tg_score_result sr;
    if (rc == TG_OK)
        rc = score_unscored(s, m, &info, ex, NULL, NULL, &sr, err);
    tg_nudge_catalog *cat = malloc(sizeof *cat);
    if (rc == TG_OK && !cat)
        rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    if (rc == TG_OK)
        rc = nudge_catalog_load(NULL, cat, err);
    tg_nudge_queue_opts qo = {.seed = 1};
    tg_nudge_queue_result qr;
    if (rc == TG_OK)
        rc = nudge_store_process_queue(s, cat, &qo, &qr, err);
    if (rc == TG_OK)
        rc = pilot_demo(s, verbose, err);
    free(cat);
    explain_free(ex);
    model_free(m);
    store_close(s);
    return rc;
}

/* Builds the whole demo store at path (an empty file), the data set
 * generated into path.d. */
static int demo_build(const char *path, int verbose, tg_err *err)
{
    char dir[4300];
    snprintf(dir, sizeof dir, "%s.d", path);
    remove_dir(dir); /* left by a killed first run */
    if (mkdir(dir, 0700) != 0)
        return tg_fail(err, TG_EIO, "%s: cannot make a temporary folder: %s",
                       dir, strerror(errno));
    tg_gen_opts go = {.out_dir = dir, .scale = "demo", .seed = 1};
    int rc = gen_run(&go, NULL, NULL, NULL, err);
    if (rc != TG_OK) {
        remove_dir(dir);
        return rc;
    }
    tg_store *s = store_open(path, STORE_CREATE, err);
    if (!s) {
        remove_dir(dir);
        return err ? err->code : TG_EIO;
    }
    tg_ingest_opts io = {0};
    char *paths[] = {dir};
    long rejected = 0;
    rc = ingest_paths(s, paths, 1, &io, &rejected, err);
    store_close(s);
    remove_dir(dir);
    if (rc == TG_OK && rejected > 0)
        rc = tg_fail(err, TG_EINTERNAL,
                     "the demo data had %ld rejected rows", rejected);
    if (rc != TG_OK)
        return rc;
    /* Without a model the app runs on its rule-based estimate. */
    int trc = train_demo_model(path, verbose);
    if (trc > 0 && verbose)
        fprintf(stderr, "trendguard: the demo model could not be trained "
                        "(exit %d); running without it\n", trc);
    tg_err serr = {0};
    if (trc == 0 && score_demo(path, verbose, &serr) != TG_OK && verbose)
        fprintf(stderr, "trendguard: the demo purchases could not be "
                        "scored: %s\n", serr.msg);
    return TG_OK;
}

/* The store is built as DB.first-run beside db_path (its data set in
 * DB.first-run.d) and renamed into place only when complete (data, model,
 * scores), so a first run that is killed leaves no half-made store for the
 * next run to open: the next one starts over on the same temporary files.
 * A lock (flock) on DB.first-run keeps two first runs from building at
 * once; the second waits and then opens what the first made. The model
 * goes to the store's models folder, DB-models. */
int demo_create(const char *db_path, int verbose, tg_err *err)
{
    char dir[4096], path[4200];
    struct stat st;
    tg_strlcpy(dir, db_path, sizeof dir);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if (tg_mkdirs(slash ? dir : ".", err) != TG_OK)
        return err ? err->code : TG_EIO;
    snprintf(path, sizeof path, "%s.first-run", db_path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return tg_fail(err, TG_EIO, "%s: cannot create: %s", path,
                       strerror(errno));
    while (flock(fd, LOCK_EX) != 0 && errno == EINTR)
        ;
    if (stat(db_path, &st) == 0) { /* another first run made it */
        close(fd);
        return TG_OK;
    }
    /* Whatever a killed first run left: start over. (The descriptor stays
     * open until every connection is closed: closing it earlier would drop
     * SQLite's POSIX locks on the file.) */
    int rc = ftruncate(fd, 0) == 0 ? TG_OK
                                   : tg_fail(err, TG_EIO, "%s: %s", path,
                                             strerror(errno));
    store_remove_files(path, 0);
    if (verbose && rc == TG_OK)
        fprintf(stderr, "trendguard: first run: creating a demo store at "
                        "%s\n", db_path);
    if (rc == TG_OK)
        rc = demo_build(path, verbose, err);
    if (rc == TG_OK && rename(path, db_path) != 0)
        rc = tg_fail(err, TG_EIO, "%s: cannot rename to %s: %s", path,
                     db_path, strerror(errno));
    /* No half-made demo store next time; after the rename, only the
     * temporary name's (empty) WAL and shared memory. */
    store_remove_files(path, rc != TG_OK);
    close(fd);
    return rc;
}
