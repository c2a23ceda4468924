/* main.c: `trendguard-train`, the batch trainer's command line: its
 * option table, where the model goes (the store's own models folder; a
 * file another store registered is never overwritten), a progress bar per
 * boosting round, and the summary as lines or one JSON object; the
 * distributed modes (a worker, the tracker, the one-machine launcher) are
 * chosen here and run by worker.c and launch.c. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "collective.h"
#include "launch.h"
#include "train.h"
#include "trendguard/registry.h"

typedef struct round_ui {
    cli_progress bar;
    int plain;
} round_ui;

static void on_round(void *ud, int it, int total, const double ev[4])
{
    round_ui *u = ud;
    char note[160];
    snprintf(note, sizeof note,
             "round %d  train logloss %.4f auc %.4f | hold-out logloss %.4f "
             "auc %.4f", it + 1, ev[0], ev[1], ev[2], ev[3]);
    if (u->plain) {
        if (it == 0 || (it + 1) % 25 == 0)
            fprintf(stderr, "%s\n", note);
        return;
    }
    cli_progress_update(&u->bar, (double)(it + 1) / total, note);
}

static void summary(const tg_train_result *r)
{
    char a[32], b[32];
    printf("model v%d written to %s\n", r->version, r->model_path);
    printf("  trained on %ld lines, held out %ld lines bought %s .. %s\n",
           r->n_train, r->n_valid, tg_date_format(r->valid_from, a, sizeof a),
           tg_date_format(r->valid_to, b, sizeof b));
    printf("  %d rounds run, best %d\n", r->rounds_run, r->best_iteration + 1);
    if (r->workers)
        printf("  %d workers, one shard each; metrics over the whole "
               "hold-out\n", r->workers);
    printf("  hold-out: accuracy %.4f  balanced %.4f  AUC %.4f  logloss "
           "%.4f  Brier %.4f\n", r->accuracy, r->balanced_accuracy, r->auc,
           r->logloss, r->brier);
    printf("            precision %.4f  recall %.4f  F1 %.4f at threshold "
           "%.3f (max accuracy; F1-optimal %.3f)\n", r->precision, r->recall,
           r->f1, r->threshold, r->threshold_f1);
    if (r->has_oracle)
        printf("  oracle (true probabilities): accuracy %.4f  AUC %.4f  "
               "(model AUC gap %.4f)\n", r->oracle_accuracy, r->oracle_auc,
               r->oracle_auc - r->auc);
    printf("  baselines: majority %.4f; product's prior rate alone accuracy "
           "%.4f AUC %.4f\n", r->majority_accuracy, r->prior_accuracy,
           r->prior_auc);
}

/* The folder of a store's models: STORE-models beside it, as SQLite names
 * the files that belong to a database (STORE-wal, STORE-shm). */
static void models_dir(const char *db, char *buf, size_t n)
{
    tg_strlcpy(buf, db, n);
    size_t l = strlen(buf);
    tg_strlcpy(buf + l, "-models", n - l);
}

/* The model's path when --out is not given: STORE-models/model-vN.json
 * for the store's next version N, or model-vN-K.json when that name is
 * taken (by a store of the same name before, or moved away). */
static int default_out(const cli_ctx *c, tg_store *s, char *buf, size_t n)
{
    char dir[4200];
    models_dir(c->db, dir, sizeof dir);
    int v = registry_next_version(s);
    struct stat st;
    for (int k = 1; k < 1000; k++) {
        if (k == 1)
            snprintf(buf, n, "%s/model-v%d.json", dir, v);
        else
            snprintf(buf, n, "%s/model-v%d-%d.json", dir, v, k);
        if (stat(buf, &st) != 0)
            return TG_OK;
    }
    fprintf(stderr, "%s: %s: no free model file name\n", c->who, dir);
    return TG_EIO;
}

/* --out PATH may replace a file only when this store registered it: a
 * model file of another store is never overwritten. */
static int check_out(const cli_ctx *c, tg_store *s, const char *out)
{
    struct stat st;
    if (stat(out, &st) != 0)
        return TG_OK;
    char abs[8192];
    if (out[0] != '/' && getcwd(abs, 4096))
        snprintf(abs + strlen(abs), sizeof abs - strlen(abs), "/%s", out);
    else
        tg_strlcpy(abs, out, sizeof abs);
    tg_model_info info;
    tg_err err = {0};
    if (registry_find_path(s, abs, &info, &err) == TG_OK ||
        registry_find_path(s, out, &info, &err) == TG_OK)
        return TG_OK;
    fprintf(stderr, "%s: %s: the file exists and is not a model of %s; "
                    "choose another --out (a model file another store "
                    "registered is never overwritten)\n", c->who, out, c->db);
    return CLI_ECANTCREAT;
}

/* Where the model goes: --out, checked, or the store's models folder. */
static int model_out(const cli_ctx *c, const char *out, char *buf, size_t n)
{
    tg_err err = {0};
    tg_store *s = store_open(c->db, STORE_READONLY, &err);
    if (!s)
        return cli_fail(c, &err);
    int rc;
    if (out) {
        tg_strlcpy(buf, out, n);
        rc = check_out(c, s, out);
    } else {
        rc = default_out(c, s, buf, n);
    }
    store_close(s);
    return rc;
}

/* --json: the metrics with the version and the model's path first. */
static int print_json(const cli_ctx *c, const tg_train_result *r)
{
    cJSON *m = cJSON_Parse(r->metrics_json), *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "version", r->version);
    cJSON_AddStringToObject(o, "model", r->model_path);
    cJSON *it;
    while (m && (it = m->child)) {
        cJSON_DetachItemViaPointer(m, it);
        if (cJSON_HasObjectItem(o, it->string))
            cJSON_Delete(it); /* the same version, said once */
        else
            cJSON_AddItemToObject(o, it->string, it);
    }
    cJSON_Delete(m);
    return cli_json_emit(c, o);
}

enum { OUT, ROUNDS, DEPTH, ETA, SEED, VALID, NTHREAD, METRICS, JSON,
       WORKERS, SHARDS, TRACKER, RANK, WORLD, TIMEOUT, RUN_TRACKER };
static const cli_opt opts[] = {
    [OUT] = CLI_OPT_OUT('o', "out", "PATH",
                        "where to write the model, ending in .json "
                        "(default: STORE-models/model-vN.json beside the "
                        "store)"),
    [ROUNDS] = CLI_OPT_INT(0, "rounds", "N", 1, 100000, "600",
                           "most boosting rounds; early stopping after 40 "
                           "without gain"),
    [DEPTH] = CLI_OPT_INT(0, "max-depth", "N", 1, 16, "6", "tree depth"),
    [ETA] = CLI_OPT_REAL(0, "eta", "X", 1e-4, 1, "0.08", "learning rate"),
    [SEED] = CLI_OPT_INT(0, "seed", "N", 0, 2147483647, "1",
                         "random seed: the same data and seed give the same "
                         "model"),
    [VALID] = CLI_OPT_INT(0, "valid-days", "N", 1, 3650, "30",
                          "hold-out length in days; not with --shards, "
                          "whose hold-out the export decided"),
    [NTHREAD] = CLI_OPT_INT(0, "nthread", "N", 0, 256, "0",
                            "threads, 0 for all cores (with --workers, "
                            "shared out among them)"),
    [METRICS] = CLI_OPT_OUT(0, "metrics", "PATH",
                            "also write the metrics as JSON to PATH"),
    [JSON] = CLI_OPT_JSON,
    [WORKERS] = CLI_OPT_INT(0, "workers", "N", 1, LAUNCH_MAX_WORKERS, NULL,
                            "train with N workers on this machine: export N "
                            "shards of the store (or use --shards), start "
                            "the tracker and the workers; worker 0 writes "
                            "and registers the model"),
    [SHARDS] = CLI_OPT_DIR(0, "shards", "DIR",
                           "the shards of 'trendguard export --training-set' "
                           "(a worker trains shard --rank)"),
    [TRACKER] = CLI_OPT_TEXT(0, "tracker", "HOST:PORT",
                             "a worker's tracker; when not given, "
                             "$DMLC_TRACKER_URI:$DMLC_TRACKER_PORT"),
    [RANK] = CLI_OPT_INT(0, "rank", "R", 0, 65535, NULL,
                         "a worker's rank and shard; when not given, "
                         "$DMLC_TASK_ID"),
    [WORLD] = CLI_OPT_INT(0, "world-size", "N", 1, 65535, NULL,
                          "workers in all; when not given, "
                          "$DMLC_NUM_WORKER, else the shards' count"),
    [TIMEOUT] = CLI_OPT_INT(0, "timeout", "S", 1, 86400, "120",
                            "the longest wait for the other workers or the "
                            "tracker, in seconds; past it a worker ends "
                            "with 69"),
    [RUN_TRACKER] = CLI_OPT_TEXT(0, "run-tracker", "HOST:PORT",
                                 "run XGBoost's tracker (python3-xgboost) "
                                 "for --world-size workers on HOST:PORT "
                                 "(port 0: any) until they finish"),
    CLI_END};

static const cli_example examples[] = {
    {"trendguard-train", "trains the default store's model with the "
                         "defaults"},
    {"trendguard-train --db shop.db --rounds 200 --metrics m.json",
     "shop.db's model, at most 200 rounds, its metrics in m.json"},
    {"trendguard-train --db shop.db --workers 4",
     "the same with four workers on this machine, a shard each"},
    {"trendguard-train --run-tracker 0.0.0.0:9091 --world-size 2",
     "the tracker of two workers on other machines"},
    {"trendguard-train --shards s --tracker host:9091 --rank 0 "
     "--world-size 2",
     "worker 0 of those two, on another machine, with the shards of "
     "'trendguard export --training-set' in s; it writes and registers "
     "the model"},
    {NULL, NULL}};

static const cli_spec self = {
    "", NULL, "train the regret-risk model",
    "Trains the regret-risk model with XGBoost on the store's training set, "
    "evaluates it on the last --valid-days of mature lines (their 30-day "
    "return window closed), saves it as XGBoost JSON and registers it in "
    "the store, so the app and 'trendguard score' use it. With --workers N "
    "it trains on N shards with N workers on this machine; with --shards "
    "DIR it is one worker of a distributed run (XGBoost's collective, "
    "through a tracker: --run-tracker), and worker 0 evaluates over the "
    "whole hold-out, writes and registers the model.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

static const cli_item files[] = {
    {"STORE-models/model-vN.json",
     "version N of the store's model, beside the store STORE; a name "
     "already taken gets a suffix (model-vN-2.json)"},
    {"DIR/manifest.json, DIR/featmap.txt, DIR/shard-K.*",
     "the shards --shards reads: written by 'trendguard export "
     "--training-set', each file checked against the manifest's size and "
     "SHA-256"},
    {NULL, NULL}};

static const cli_item environment[] = {
    {"TRENDGUARD_DB", "the store when --db is not given"},
    {"XDG_DATA_HOME, HOME",
     "else $XDG_DATA_HOME/trendguard/trendguard.db, else "
     "~/.local/share/trendguard/trendguard.db"},
    {"DMLC_TRACKER_URI, DMLC_TRACKER_PORT",
     "a worker's tracker when --tracker is not given"},
    {"DMLC_TASK_ID", "a worker's rank when --rank is not given"},
    {"DMLC_NUM_WORKER", "the workers in all when --world-size is not given"},
    {"OMP_NUM_THREADS, OMP_WAIT_POLICY",
     "set for the workers --workers starts (their share of the cores, "
     "PASSIVE) unless already set; OMP_WAIT_POLICY is PASSIVE for the "
     "trainer itself too unless set (libgomp's threads then sleep instead "
     "of spinning while they wait)"},
    {"TRENDGUARD_PYTHON",
     "the Python that runs XGBoost's tracker (default /usr/bin/python3, "
     "else python3 on PATH)"},
    {"TMPDIR", "where --workers exports its shards (default /tmp)"},
    {"TRENDGUARD_BUSY_TIMEOUT_MS",
     "how long registering the model waits for another process's write "
     "(default 5000)"},
    {NULL, NULL}};

static const cli_program program = {
    "trendguard-train", "train TrendGuard's regret-risk model with XGBoost",
    "The batch trainer of TrendGuard: it links libxgboost; the app and "
    "trendguard score evaluate the model it writes without it.",
    &self, NULL, files, environment, "trendguard(1)"};

/* "HOST:PORT" (or "[V6]:PORT") into host and port; -1 when malformed. */
static int parse_hostport(const char *s, char *host, size_t n, int *port,
                          int min_port)
{
    const char *colon = strrchr(s, ':');
    char *end;
    if (!colon || colon == s || (size_t)(colon - s) >= n)
        return -1;
    long p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || p < min_port || p > 65535)
        return -1;
    const char *h = s;
    size_t len = (size_t)(colon - s);
    if (h[0] == '[' && h[len - 1] == ']')
        h++, len -= 2;
    memcpy(host, h, len);
    host[len] = '\0';
    *port = (int)p;
    return len ? 0 : -1;
}

/* The training parameters of the table. */
static void train_opts(const cli_ctx *c, tg_train_opts *o)
{
    train_defaults(o);
    o->rounds = (int)cli_long(c, ROUNDS);
    o->max_depth = (int)cli_long(c, DEPTH);
    o->eta = cli_real(c, ETA);
    o->seed = (uint64_t)cli_long(c, SEED);
    o->valid_days = (int)cli_long(c, VALID);
    o->nthread = (int)cli_long(c, NTHREAD);
    o->timeout = (int)cli_long(c, TIMEOUT);
    o->metrics_path = cli_str(c, METRICS);
    o->shards = cli_str(c, SHARDS);
    o->rank = cli_has(c, RANK) ? (int)cli_long(c, RANK) : -1;
    o->world_size = cli_has(c, WORLD) ? (int)cli_long(c, WORLD) : -1;
    o->json = cli_has(c, JSON);
    o->db = c->db;
}

/* A worker's tracker, rank and world size from the options or, when not
 * given, the environment the tracker's launchers set. */
static int worker_setup(cli_ctx *c, tg_train_opts *o, char *host, size_t n)
{
    const char *uri = getenv("DMLC_TRACKER_URI");
    const char *port = getenv("DMLC_TRACKER_PORT");
    const char *tracker = cli_str(c, TRACKER);
    char env[300];
    int rc;
    if (cli_has(c, VALID))
        return cli_usage(c, "--valid-days goes with the export: the "
                            "shards' hold-out is already decided");
    if (!tracker && uri && port) {
        snprintf(env, sizeof env, "%s:%s", uri, port);
        tracker = env;
    }
    if (!tracker)
        return cli_usage(c, "a worker needs the tracker: --tracker "
                            "HOST:PORT (or DMLC_TRACKER_URI and "
                            "DMLC_TRACKER_PORT)");
    if (parse_hostport(tracker, host, n, &o->tracker_port, 1) != 0)
        return cli_usage(c, "the tracker '%s' is not HOST:PORT", tracker);
    o->tracker_host = host;
    if ((rc = cli_env(c, RANK, "DMLC_TASK_ID")) >= 0 ||
        (rc = cli_env(c, WORLD, "DMLC_NUM_WORKER")) >= 0)
        return rc;
    if (!cli_has(c, RANK))
        return cli_usage(c, "a worker needs --rank (or DMLC_TASK_ID)");
    o->rank = (int)cli_long(c, RANK);
    o->world_size = cli_has(c, WORLD) ? (int)cli_long(c, WORLD) : -1;
    return -1;
}

/* A failed worker says which one it is, and tells the tracker. */
static int worker_fail(const cli_ctx *c, const tg_train_opts *o,
                       tg_err *err)
{
    char msg[sizeof err->msg + 32];
    snprintf(msg, sizeof msg, "worker %d: %s", o->rank, err->msg);
    tg_strlcpy(err->msg, msg, sizeof err->msg);
    cli_fail(c, err);
    collective_report_failure(err->msg, err->code);
    return err->code;
}

/* --run-tracker HOST:PORT --world-size N: returns only on failure. */
static int run_tracker(const cli_ctx *c, const tg_train_opts *o)
{
    char host[256];
    int port;
    tg_err err = {0};
    if (o->world_size < 1)
        return cli_usage(c, "--run-tracker needs --world-size N");
    if (parse_hostport(cli_str(c, RUN_TRACKER), host, sizeof host, &port,
                       0) != 0)
        return cli_usage(c, "--run-tracker takes HOST:PORT, not '%s'",
                         cli_str(c, RUN_TRACKER));
    launch_tracker(host, port, o->world_size, o->timeout, &err);
    return cli_fail(c, &err);
}

/* The options that do not go with --workers N: -1 when none. */
static int check_workers(const cli_ctx *c)
{
    if (cli_has(c, TRACKER) || cli_has(c, RANK) || cli_has(c, WORLD))
        return cli_usage(c, "--workers starts its own tracker and ranks; "
                            "--tracker, --rank and --world-size are for a "
                            "worker");
    if (cli_has(c, SHARDS) && cli_has(c, VALID))
        return cli_usage(c, "--valid-days goes with the export: the "
                            "shards' hold-out is already decided");
    return -1;
}

/* --workers N: the tracker and N workers on this machine; worker 0 prints
 * the summary (or the JSON object, when the launcher's line goes to
 * standard error). */
static int run_workers(const cli_ctx *c, const tg_train_opts *o)
{
    int n = (int)cli_long(c, WORKERS);
    tg_err err = {0};
    tg_launch_stats st;
    if (launch_workers(o, n, &st, &err) != TG_OK)
        return cli_fail(c, &err);
    FILE *f = o->json ? stderr : stdout;
    fprintf(f, "  on this machine: shards exported in %.1f s, %d workers "
               "trained in %.1f s; peak memory per worker:",
            st.export_seconds, n, st.train_seconds);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s %.0f", i ? "," : "", st.peak_kib[i] / 1024.0);
    fprintf(f, " MiB\n");
    return TG_OK;
}

/* One machine, or one worker of a distributed run (o->shards). */
static int run_training(const cli_ctx *c, tg_train_opts *o)
{
    round_ui ui = {.plain = !cli_interactive()};
    int show = !o->shards || o->rank == 0;
    if (show) {
        cli_progress_begin(&ui.bar, "training");
        o->on_round = on_round;
        o->ud = &ui;
    }
    tg_err err = {0};
    tg_train_result r;
    int rc = train_run(o, &r, &err);
    if (show)
        cli_progress_end(&ui.bar);
    if (rc != TG_OK)
        return o->shards ? worker_fail(c, o, &err) : cli_fail(c, &err);
    if (show && o->json)
        rc = print_json(c, &r);
    else if (show)
        summary(&r);
    else if (o->json)
        printf("{\"worker\":%d,\"version\":%d}\n", o->rank, r.version);
    else
        printf("worker %d: done; worker 0 registered model v%d\n", o->rank,
               r.version);
    free(r.metrics_json);
    return rc;
}

/* libgomp's threads spin at every barrier unless OMP_WAIT_POLICY says
 * otherwise, and libgomp reads it once, when it is loaded, before main:
 * so, when the user has not set it, the trainer starts itself again with
 * PASSIVE. Spinning threads take the cores the work needs whenever
 * anything else runs: the demo model took 21.7 s instead of 1.3 s on two
 * busy cores, the same model byte for byte. */
static void passive_threads(char **argv)
{
    if (getenv("OMP_WAIT_POLICY"))
        return;
    setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    execv("/proc/self/exe", argv);
    /* Not re-run (no /proc): train as we are, spinning. */
}

int main(int argc, char **argv)
{
    passive_threads(argv);
    cli_register(&program);
    int rc = cli_generate(argc, argv);
    if (rc >= 0)
        return rc;
    cli_ctx c;
    if ((rc = cli_parse(&c, &self, argc, argv)) >= 0)
        return rc;
    tg_train_opts o;
    train_opts(&c, &o);
    if (cli_has(&c, RUN_TRACKER))
        return run_tracker(&c, &o);
    static char out[8192], host[256];
    int writes = 1; /* this process writes the model */
    if (cli_has(&c, WORKERS)) {
        if ((rc = check_workers(&c)) >= 0)
            return rc;
    } else if (o.shards) {
        if ((rc = worker_setup(&c, &o, host, sizeof host)) >= 0)
            return rc;
        writes = o.rank == 0;
    } else if (cli_has(&c, TRACKER) || cli_has(&c, RANK) ||
               cli_has(&c, WORLD)) {
        return cli_usage(&c, "--tracker, --rank and --world-size are for a "
                             "worker: give it --shards DIR");
    }
    if (writes) {
        if ((rc = model_out(&c, cli_str(&c, OUT), out, sizeof out)) != TG_OK)
            return rc;
        o.out = out;
    }
    return cli_has(&c, WORKERS) ? run_workers(&c, &o) : run_training(&c, &o);
}
