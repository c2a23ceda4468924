/* cmd_nudge.c: `trendguard nudge`: decides the interventions the scoring
 * trigger queued (--process-queue), settling the outcomes of earlier ones,
 * or lists what the bandit has learned from answers: how often shoppers
 * take each nudge up (--bandit). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/nudge.h"

static void print_result(const tg_nudge_catalog *c,
                         const tg_nudge_queue_result *r, int json)
{
    if (json) {
        printf("{\"decided\": %ld, \"shown\": %ld, \"skipped\": %ld, "
               "\"settled\": %ld, \"by_nudge\": {", r->decided, r->shown,
               r->skipped, r->settled);
        for (int i = 0; i < c->n; i++)
            printf("%s\"%s\": %ld", i ? ", " : "", c->nudges[i].id,
                   r->by_nudge[i]);
        printf("}}\n");
        return;
    }
    printf("decided %ld queued intervention%s: %ld shown, %ld skipped; "
           "%ld outcome%s settled\n", r->decided, r->decided == 1 ? "" : "s",
           r->shown, r->skipped, r->settled, r->settled == 1 ? "" : "s");
    for (int i = 0; i < c->n; i++)
        if (r->by_nudge[i])
            printf("  %-20s %ld\n", c->nudges[i].id, r->by_nudge[i]);
}

static void print_bandit(const tg_nudge_catalog *c, const tg_bandit *b,
                         int json)
{
    int first = 1;
    if (json)
        printf("[");
    else
        printf("%-17s %-8s %-20s %8s %6s\n", "segment", "driver", "nudge",
               "answers", "taken");
    for (int s = 0; s < TG_NUM_SEGMENTS; s++)
        for (int g = 0; g < TG_NUM_DRIVER_GROUPS; g++)
            for (int k = 0; k < c->n; k++) {
                double a, be;
                long n;
                bandit_get(b, s, g, k, &a, &be, &n);
                if (n == 0)
                    continue;
                if (json)
                    printf("%s{\"segment\": \"%s\", \"driver\": \"%s\", "
                           "\"nudge\": \"%s\", \"outcomes\": %ld, "
                           "\"alpha\": %.4f, \"beta\": %.4f}",
                           first ? "" : ", ", tg_segment_names[s],
                           nudge_driver_group_names[g], c->nudges[k].id, n,
                           a, be);
                else
                    printf("%-17s %-8s %-20s %8ld %5.1f%%\n",
                           tg_segment_names[s], nudge_driver_group_names[g],
                           c->nudges[k].id, n, 100 * a / (a + be));
                first = 0;
            }
    if (json)
        printf("]\n");
    else if (first)
        printf("(no answers yet)\n");
}

int cmd_nudge(int argc, char **argv)
{
    enum { OPT_QUEUE = CLI_OPT_FIRST_FREE, OPT_LIMIT, OPT_SEED, OPT_JSON,
           OPT_CATALOG, OPT_BANDIT };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"process-queue", no_argument, NULL, OPT_QUEUE},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"seed", required_argument, NULL, OPT_SEED},
        {"json", no_argument, NULL, OPT_JSON},
        {"catalog", required_argument, NULL, OPT_CATALOG},
        {"bandit", no_argument, NULL, OPT_BANDIT},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "nudge");
    int queue = 0, json = 0, show = 0, opt, rc;
    long limit = 0, seed = 1;
    const char *catalog = NULL;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_QUEUE: queue = 1; continue;
        case OPT_JSON: json = 1; continue;
        case OPT_BANDIT: show = 1; continue;
        case OPT_CATALOG: catalog = optarg; continue;
        case OPT_LIMIT:
            if ((rc = cli_int(&c, "--limit", optarg, 1, 1000000000L,
                              &limit)) >= 0)
                return rc;
            continue;
        case OPT_SEED:
            if ((rc = cli_int(&c, "--seed", optarg, 0, 2147483647L,
                              &seed)) >= 0)
                return rc;
            continue;
        default:
            break;
        }
        if ((rc = cli_common(&c, opt, optarg)) >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage(&c, "unexpected argument '%s'", argv[optind]);
    if (!queue && !show)
        return cli_usage(&c, "say what to do: --process-queue or --bandit");
    tg_err err = {0};
    static tg_nudge_catalog cat;
    if (nudge_catalog_load(catalog, &cat, &err) != TG_OK)
        return cli_fail(&c, &err);
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    rc = TG_OK;
    if (queue) {
        tg_nudge_queue_opts o = {.limit = limit, .seed = (uint64_t)seed};
        tg_nudge_queue_result r;
        rc = nudge_store_process_queue(s, &cat, &o, &r, &err);
        if (rc != TG_OK)
            cli_fail(&c, &err);
        else if (!show)
            print_result(&cat, &r, json);
        else if (!json)
            print_result(&cat, &r, 0);
    }
    if (rc == TG_OK && show) {
        tg_bandit *b = bandit_create(cat.n, 1, 1);
        if (!b)
            rc = tg_fail(&err, TG_EINTERNAL, "out of memory");
        else
            rc = nudge_store_load_bandit(s, &cat, b, &err);
        if (rc != TG_OK)
            cli_fail(&c, &err);
        else
            print_bandit(&cat, b, json);
        bandit_free(b);
    }
    store_close(s);
    return rc;
}
