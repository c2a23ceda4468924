/* cmd_score.c: `trendguard score`: scores every unscored purchase line
 * with the newest registered model (or --model PATH); the store's trigger
 * queues an intervention for each score at or above the threshold. */
#include <stdio.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/score.h"

static void on_progress(void *ud, double f)
{
    cli_progress_update(ud, f, "scoring");
}

int cmd_score(int argc, char **argv)
{
    enum { OPT_MODEL = CLI_OPT_FIRST_FREE };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS, {"model", required_argument, NULL, OPT_MODEL},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "score");
    const char *model = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (opt == OPT_MODEL) {
            model = optarg;
            continue;
        }
        int rc = cli_common(&c, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage(&c, "unexpected argument '%s'", argv[optind]);
    tg_err err = {0};
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    tg_model_info info;
    tg_model *m = score_open_model(s, model, &info, &err);
    tg_explainer *ex = m ? explain_load(NULL, &err) : NULL;
    int rc = TG_OK;
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
            printf("scored %ld line%s with model v%d (threshold %.3f); %ld "
                   "intervention%s queued", r.scored,
                   r.scored == 1 ? "" : "s", r.model_version, info.threshold,
                   r.queued, r.queued == 1 ? "" : "s");
        if (rc == TG_OK && r.taken)
            printf("; %ld line%s scored by another run meanwhile", r.taken,
                   r.taken == 1 ? " was" : "s were");
        if (rc == TG_OK)
            printf("\n");
    }
    explain_free(ex);
    model_free(m);
    store_close(s);
    return rc;
}
