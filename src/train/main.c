/* main.c: `trendguard-train`, the batch trainer's command line: its
 * option table, where the model goes (the store's own models folder; a
 * file another store registered is never overwritten), a progress bar per
 * boosting round, and the summary as lines or one JSON object. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
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

enum { OUT, ROUNDS, DEPTH, ETA, SEED, VALID, NTHREAD, METRICS, JSON };
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
                          "hold-out length in days"),
    [NTHREAD] = CLI_OPT_INT(0, "nthread", "N", 0, 256, "0",
                            "threads, 0 for all cores"),
    [METRICS] = CLI_OPT_OUT(0, "metrics", "PATH",
                            "also write the metrics as JSON to PATH"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard-train", "trains the default store's model with the "
                         "defaults"},
    {"trendguard-train --db shop.db --rounds 200 --metrics m.json",
     "shop.db's model, at most 200 rounds, its metrics in m.json"},
    {NULL, NULL}};

static const cli_spec self = {
    "", NULL, "train the regret-risk model",
    "Trains the regret-risk model with XGBoost on the store's training set, "
    "evaluates it on the last --valid-days of mature lines (their 30-day "
    "return window closed), saves it as XGBoost JSON and registers it in "
    "the store, so the app and 'trendguard score' use it.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

static const cli_item files[] = {
    {"STORE-models/model-vN.json",
     "version N of the store's model, beside the store STORE; a name "
     "already taken gets a suffix (model-vN-2.json)"},
    {NULL, NULL}};

static const cli_item environment[] = {
    {"TRENDGUARD_DB", "the store when --db is not given"},
    {"XDG_DATA_HOME, HOME",
     "else $XDG_DATA_HOME/trendguard/trendguard.db, else "
     "~/.local/share/trendguard/trendguard.db"},
    {NULL, NULL}};

static const cli_program program = {
    "trendguard-train", "train TrendGuard's regret-risk model with XGBoost",
    "The batch trainer of TrendGuard: it links libxgboost; the app and "
    "trendguard score evaluate the model it writes without it.",
    &self, NULL, files, environment, "trendguard(1)"};

int main(int argc, char **argv)
{
    cli_register(&program);
    int rc = cli_generate(argc, argv);
    if (rc >= 0)
        return rc;
    cli_ctx c;
    if ((rc = cli_parse(&c, &self, argc, argv)) >= 0)
        return rc;
    tg_train_opts o;
    train_defaults(&o);
    o.rounds = (int)cli_long(&c, ROUNDS);
    o.max_depth = (int)cli_long(&c, DEPTH);
    o.eta = cli_real(&c, ETA);
    o.seed = (uint64_t)cli_long(&c, SEED);
    o.valid_days = (int)cli_long(&c, VALID);
    o.nthread = (int)cli_long(&c, NTHREAD);
    o.metrics_path = cli_str(&c, METRICS);
    o.db = c.db;
    static char out[8192];
    if ((rc = model_out(&c, cli_str(&c, OUT), out, sizeof out)) != TG_OK)
        return rc;
    o.out = out;
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
    if (cli_has(&c, JSON))
        rc = print_json(&c, &r);
    else
        summary(&r);
    free(r.metrics_json);
    return rc;
}
