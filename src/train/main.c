/* main.c: `trendguard-train`, the batch trainer's command line: options,
 * a progress bar per boosting round, and the summary; the distributed
 * modes (a worker, the tracker, the one-machine launcher) are chosen here
 * and run by worker.c and launch.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "collective.h"
#include "launch.h"
#include "train.h"

static const cli_command commands[] = {
    {"", NULL,
     "[--db PATH] [--out PATH] [--rounds N] [--max-depth N] [--eta X] "
     "[--seed N] [--valid-days N] [--nthread N] [--metrics PATH]\n"
     "                        [--workers N [--shards DIR]] [--timeout S]\n"
     "       trendguard-train --shards DIR --tracker HOST:PORT --rank R "
     "[--world-size N] [--timeout S] [...]\n"
     "       trendguard-train --run-tracker HOST:PORT --world-size N",
     "Train the regret-risk model with XGBoost on the store's training set, "
     "evaluate it on the\nlast --valid-days of mature lines, save it as "
     "XGBoost JSON (default: models/model-vN.json\nnext to the store) and "
     "register it so the app and 'trendguard score' use it.\n\n"
     "  --out PATH        where to write the model (must end in .json)\n"
     "  --rounds N        most boosting rounds (600); early stopping after "
     "40 without gain\n"
     "  --max-depth N     tree depth (6)\n"
     "  --eta X           learning rate (0.08)\n"
     "  --seed N          random seed (1): same data and seed, same model\n"
     "  --valid-days N    hold-out length in days (30)\n"
     "  --nthread N       threads (0: all cores; with --workers, shared "
     "out)\n"
     "  --metrics PATH    also write the metrics as JSON\n\n"
     "Distributed (XGBoost's collective; shards from 'trendguard export "
     "--training-set'):\n"
     "  --workers N       on this machine: export N shards of the store "
     "(or use --shards),\n"
     "                    start the tracker and N workers; rank 0 writes "
     "and registers\n"
     "  --shards DIR      a worker's shards folder (it trains shard --rank)\n"
     "  --tracker H:P     the tracker (else $DMLC_TRACKER_URI and "
     "$DMLC_TRACKER_PORT)\n"
     "  --rank R          this worker's rank and shard (else "
     "$DMLC_TASK_ID)\n"
     "  --world-size N    workers in all (else $DMLC_NUM_WORKER, else the "
     "shards' count)\n"
     "  --timeout S       the longest wait for the other workers or the "
     "tracker (120);\n"
     "                    past it a worker ends with 69\n"
     "  --run-tracker H:P run XGBoost's tracker (python3-xgboost) for "
     "--world-size workers\n"
     "                    on H:P (port 0: any) until they finish"},
    {NULL, NULL, NULL, NULL}};

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

typedef struct modes {
    const char *tracker, *run_tracker;
    int workers;
    int valid_given;
    char host[256];
} modes;

/* A worker's tracker, rank and world size from the options or, when not
 * given, the environment the tracker's launchers set. */
static int worker_setup(cli_ctx *c, modes *md, tg_train_opts *o)
{
    const char *uri = getenv("DMLC_TRACKER_URI");
    const char *port = getenv("DMLC_TRACKER_PORT");
    const char *task = getenv("DMLC_TASK_ID");
    const char *num = getenv("DMLC_NUM_WORKER");
    char env[300];
    long v;
    if (md->valid_given)
        return cli_usage(c, "--valid-days goes with the export: the "
                            "shards' hold-out is already decided");
    if (!md->tracker && uri && port) {
        snprintf(env, sizeof env, "%s:%s", uri, port);
        md->tracker = env;
    }
    if (!md->tracker)
        return cli_usage(c, "a worker needs the tracker: --tracker "
                            "HOST:PORT (or DMLC_TRACKER_URI and "
                            "DMLC_TRACKER_PORT)");
    if (parse_hostport(md->tracker, md->host, sizeof md->host,
                       &o->tracker_port, 1) != 0)
        return cli_usage(c, "the tracker '%s' is not HOST:PORT",
                         md->tracker);
    o->tracker_host = md->host;
    if (o->rank < 0 && task) {
        int rc = cli_int(c, "DMLC_TASK_ID", task, 0, 65535, &v);
        if (rc >= 0)
            return rc;
        o->rank = (int)v;
    }
    if (o->rank < 0)
        return cli_usage(c, "a worker needs --rank (or DMLC_TASK_ID)");
    if (o->world_size < 0 && num) {
        int rc = cli_int(c, "DMLC_NUM_WORKER", num, 1, 65535, &v);
        if (rc >= 0)
            return rc;
        o->world_size = (int)v;
    }
    return -1;
}

/* A failed worker says which one it is, and tells the tracker. */
static int worker_fail(cli_ctx *c, const tg_train_opts *o, tg_err *err)
{
    char msg[sizeof err->msg + 32];
    snprintf(msg, sizeof msg, "worker %d: %s", o->rank, err->msg);
    tg_strlcpy(err->msg, msg, sizeof err->msg);
    cli_fail(c, err);
    collective_report_failure(err->msg, err->code);
    return err->code;
}

static int run(cli_ctx *c, modes *md, tg_train_opts *o)
{
    tg_err err = {0};
    if (md->run_tracker) {
        int port;
        if (o->world_size < 1)
            return cli_usage(c, "--run-tracker needs --world-size N");
        if (parse_hostport(md->run_tracker, md->host, sizeof md->host, &port,
                           0) != 0)
            return cli_usage(c, "--run-tracker takes HOST:PORT, not '%s'",
                             md->run_tracker);
        launch_tracker(md->host, port, o->world_size, o->timeout, &err);
        return cli_fail(c, &err);
    }
    if (md->workers) {
        if (md->tracker || o->rank >= 0 || o->world_size >= 0)
            return cli_usage(c, "--workers starts its own tracker and "
                                "ranks; --tracker, --rank and --world-size "
                                "are for a worker");
        if (o->shards && md->valid_given)
            return cli_usage(c, "--valid-days goes with the export: the "
                                "shards' hold-out is already decided");
        tg_launch_stats st;
        int rc = launch_workers(o, md->workers, &st, &err);
        if (rc != TG_OK)
            return cli_fail(c, &err);
        printf("  on this machine: shards exported in %.1f s, %d workers "
               "trained in %.1f s; peak memory per worker:",
               st.export_seconds, md->workers, st.train_seconds);
        for (int i = 0; i < md->workers; i++)
            printf("%s %.0f", i ? "," : "", st.peak_kib[i] / 1024.0);
        printf(" MiB\n");
        return TG_OK;
    }
    int rc;
    if (o->shards && (rc = worker_setup(c, md, o)) >= 0)
        return rc;
    if (!o->shards && (md->tracker || o->rank >= 0))
        return cli_usage(c, "--tracker and --rank are for a worker: give "
                            "it --shards DIR");
    round_ui ui = {.plain = !cli_interactive()};
    int show = !o->shards || o->rank == 0;
    if (show) {
        cli_progress_begin(&ui.bar, "training");
        o->on_round = on_round;
        o->ud = &ui;
    }
    tg_train_result r;
    rc = train_run(o, &r, &err);
    if (show)
        cli_progress_end(&ui.bar);
    if (rc != TG_OK)
        return o->shards ? worker_fail(c, o, &err) : cli_fail(c, &err);
    if (show)
        summary(&r);
    else
        printf("worker %d: done; worker 0 registered model v%d\n", o->rank,
               r.version);
    free(r.metrics_json);
    return TG_OK;
}

int main(int argc, char **argv)
{
    enum { OPT_OUT = CLI_OPT_FIRST_FREE, OPT_ROUNDS, OPT_DEPTH, OPT_ETA,
           OPT_SEED, OPT_VALID, OPT_NTHREAD, OPT_METRICS, OPT_SHARDS,
           OPT_TRACKER, OPT_RANK, OPT_WORLD, OPT_TIMEOUT, OPT_WORKERS,
           OPT_RUN_TRACKER };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"out", required_argument, NULL, OPT_OUT},
        {"rounds", required_argument, NULL, OPT_ROUNDS},
        {"max-depth", required_argument, NULL, OPT_DEPTH},
        {"eta", required_argument, NULL, OPT_ETA},
        {"seed", required_argument, NULL, OPT_SEED},
        {"valid-days", required_argument, NULL, OPT_VALID},
        {"nthread", required_argument, NULL, OPT_NTHREAD},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"shards", required_argument, NULL, OPT_SHARDS},
        {"tracker", required_argument, NULL, OPT_TRACKER},
        {"rank", required_argument, NULL, OPT_RANK},
        {"world-size", required_argument, NULL, OPT_WORLD},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"run-tracker", required_argument, NULL, OPT_RUN_TRACKER},
        {NULL, 0, NULL, 0}};
    cli_register("trendguard-train", commands);
    cli_ctx c;
    cli_begin(&c, "");
    tg_train_opts o;
    train_defaults(&o);
    modes md = {0};
    int opt, rc;
    long v;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        rc = -1;
        switch (opt) {
        case OPT_OUT: o.out = optarg; break;
        case OPT_METRICS: o.metrics_path = optarg; break;
        case OPT_SHARDS: o.shards = optarg; break;
        case OPT_TRACKER: md.tracker = optarg; break;
        case OPT_RUN_TRACKER: md.run_tracker = optarg; break;
        case OPT_ROUNDS:
            if ((rc = cli_int(&c, "--rounds", optarg, 1, 100000, &v)) < 0)
                o.rounds = (int)v;
            break;
        case OPT_DEPTH:
            if ((rc = cli_int(&c, "--max-depth", optarg, 1, 16, &v)) < 0)
                o.max_depth = (int)v;
            break;
        case OPT_ETA:
            rc = cli_double(&c, "--eta", optarg, 1e-4, 1, &o.eta);
            break;
        case OPT_SEED:
            if ((rc = cli_int(&c, "--seed", optarg, 0, 2147483647, &v)) < 0)
                o.seed = (uint64_t)v;
            break;
        case OPT_VALID:
            if ((rc = cli_int(&c, "--valid-days", optarg, 1, 3650, &v)) < 0)
                o.valid_days = (int)v;
            md.valid_given = 1;
            break;
        case OPT_NTHREAD:
            if ((rc = cli_int(&c, "--nthread", optarg, 0, 256, &v)) < 0)
                o.nthread = (int)v;
            break;
        case OPT_RANK:
            if ((rc = cli_int(&c, "--rank", optarg, 0, 65535, &v)) < 0)
                o.rank = (int)v;
            break;
        case OPT_WORLD:
            if ((rc = cli_int(&c, "--world-size", optarg, 1, 65535, &v)) < 0)
                o.world_size = (int)v;
            break;
        case OPT_WORKERS:
            if ((rc = cli_int(&c, "--workers", optarg, 1, LAUNCH_MAX_WORKERS,
                              &v)) < 0)
                md.workers = (int)v;
            break;
        case OPT_TIMEOUT:
            if ((rc = cli_int(&c, "--timeout", optarg, 1, 86400, &v)) < 0)
                o.timeout = (int)v;
            break;
        default:
            rc = cli_common(&c, opt, optarg);
        }
        if (rc >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage(&c, "unexpected argument '%s'", argv[optind]);
    o.db = c.db;
    return run(&c, &md, &o);
}
