/* cmd_score.c: `trendguard score`: scores every unscored purchase line
 * with the newest registered model (or --model PATH); the store's trigger
 * queues an intervention for each line's first score at or above the
 * threshold. The summary is a line or one JSON object. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/score.h"

static void on_progress(void *ud, double f)
{
    cli_progress_update(ud, f, "scoring");
}

enum { MODEL, JSON };
static const cli_opt opts[] = {
    [MODEL] = CLI_OPT_FILE('m', "model", "PATH",
                           "score with this XGBoost JSON model, registered "
                           "with threshold 0.5 when new to the store "
                           "(default: the newest registered model)"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard score", "scores the new lines with the newest model"},
    {"trendguard score --model other.json --json",
     "with another model, the summary as JSON"},
    {NULL, NULL}};

const cli_spec cmd_score_spec = {
    "score", cmd_score, "score every unscored purchase line",
    "Scores every purchase line the model has not scored yet and stores "
    "the probability with its top three drivers; the store's trigger "
    "queues an intervention for each line's first score at or above the "
    "model's threshold (a line re-scored by a later model is not queued "
    "again). A registered model file that changed since is refused.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

static void print_result(const cli_ctx *c, const tg_score_result *r,
                         const tg_model_info *info)
{
    if (cli_has(c, JSON)) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "scored", (double)r->scored);
        cJSON_AddNumberToObject(o, "model_version", r->model_version);
        cJSON_AddStringToObject(o, "model", info->path);
        cJSON_AddNumberToObject(o, "threshold", info->threshold);
        cJSON_AddNumberToObject(o, "queued", (double)r->queued);
        cJSON_AddNumberToObject(o, "taken", (double)r->taken);
        cli_json_emit(c, o);
        return;
    }
    printf("scored %ld line%s with model v%d (threshold %.3f); %ld "
           "intervention%s queued", r->scored, r->scored == 1 ? "" : "s",
           r->model_version, info->threshold, r->queued,
           r->queued == 1 ? "" : "s");
    if (r->taken) /* another run scored them while this one waited */
        printf("; %ld line%s scored by another run meanwhile", r->taken,
               r->taken == 1 ? " was" : "s were");
    printf("\n");
}

int cmd_score(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_score_spec, argc, argv);
    if (rc >= 0)
        return rc;
    const char *model = cli_str(&c, MODEL);
    if (model && strcmp(model, "-") == 0)
        return cli_usage(&c, "--model: score registers the model by its "
                             "path; name a file, not standard input");
    tg_err err = {0};
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    tg_model_info info;
    tg_model *m = score_open_model(s, model, &info, &err);
    tg_explainer *ex = m ? explain_load(NULL, &err) : NULL;
    if (!m || !ex) {
        rc = cli_fail(&c, &err);
    } else {
        cli_progress bar;
        cli_progress_begin(&bar, "scoring");
        tg_score_result r;
        rc = score_unscored(s, m, &info, ex, on_progress, &bar, &r, &err);
        cli_progress_end(&bar);
        if (rc != TG_OK)
            cli_fail(&c, &err);
        else
            print_result(&c, &r, &info);
    }
    explain_free(ex);
    model_free(m);
    store_close(s);
    return rc;
}
