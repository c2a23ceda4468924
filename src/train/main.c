/* main.c: `trendguard-train`, the batch trainer's command line: options,
 * a progress bar per boosting round, and the summary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "train.h"

static const cli_command commands[] = {
    {"", NULL,
     "[--db PATH] [--out PATH] [--rounds N] [--max-depth N] [--eta X] "
     "[--seed N] [--valid-days N] [--nthread N] [--metrics PATH]",
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
     "  --nthread N       threads (0: all cores)\n"
     "  --metrics PATH    also write the metrics as JSON"},
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

int main(int argc, char **argv)
{
    enum { OPT_OUT = CLI_OPT_FIRST_FREE, OPT_ROUNDS, OPT_DEPTH, OPT_ETA,
           OPT_SEED, OPT_VALID, OPT_NTHREAD, OPT_METRICS };
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
        {NULL, 0, NULL, 0}};
    cli_register("trendguard-train", commands);
    cli_ctx c;
    cli_begin(&c, "");
    tg_train_opts o;
    train_defaults(&o);
    int opt, rc;
    long v;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        rc = -1;
        switch (opt) {
        case OPT_OUT: o.out = optarg; break;
        case OPT_METRICS: o.metrics_path = optarg; break;
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
            break;
        case OPT_NTHREAD:
            if ((rc = cli_int(&c, "--nthread", optarg, 0, 256, &v)) < 0)
                o.nthread = (int)v;
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
    round_ui ui = {.plain = !cli_interactive()};
    cli_progress_begin(&ui.bar, "training");
    o.on_round = on_round;
    o.ud = &ui;
    tg_err err = {0};
    tg_train_result r;
    rc = train_run(&o, &r, &err);
    cli_progress_end(&ui.bar);
    if (rc != TG_OK)
        return cli_fail(&c, &err);
    summary(&r);
    free(r.metrics_json);
    return TG_OK;
}
