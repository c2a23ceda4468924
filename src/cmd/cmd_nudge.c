/* cmd_nudge.c: `trendguard nudge`: decides the interventions the scoring
 * trigger queued (--process-queue), settling the outcomes of earlier ones,
 * or lists what the bandit has learned from answers: how often shoppers
 * take each nudge up (--bandit), as text or one JSON object. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/nudge.h"

static cJSON *queue_json(const tg_nudge_catalog *c,
                         const tg_nudge_queue_result *r)
{
    cJSON *o = cJSON_CreateObject(), *by = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "decided", (double)r->decided);
    cJSON_AddNumberToObject(o, "shown", (double)r->shown);
    cJSON_AddNumberToObject(o, "skipped", (double)r->skipped);
    cJSON_AddNumberToObject(o, "settled", (double)r->settled);
    for (int i = 0; i < c->n; i++)
        cJSON_AddNumberToObject(by, c->nudges[i].id, (double)r->by_nudge[i]);
    cJSON_AddItemToObject(o, "by_nudge", by);
    return o;
}

static void print_result(const tg_nudge_catalog *c,
                         const tg_nudge_queue_result *r)
{
    printf("decided %ld queued intervention%s: %ld shown, %ld skipped; "
           "%ld outcome%s settled\n", r->decided, r->decided == 1 ? "" : "s",
           r->shown, r->skipped, r->settled, r->settled == 1 ? "" : "s");
    for (int i = 0; i < c->n; i++)
        if (r->by_nudge[i])
            printf("  %-20s %ld\n", c->nudges[i].id, r->by_nudge[i]);
}

/* The bandit's arms with outcomes, as text or into the array arr. */
static void print_bandit(const tg_nudge_catalog *c, const tg_bandit *b,
                         cJSON *arr)
{
    int first = 1;
    if (!arr)
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
                first = 0;
                if (!arr) {
                    printf("%-17s %-8s %-20s %8ld %5.1f%%\n",
                           tg_segment_names[s], nudge_driver_group_names[g],
                           c->nudges[k].id, n, 100 * a / (a + be));
                    continue;
                }
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "segment", tg_segment_names[s]);
                cJSON_AddStringToObject(o, "driver",
                                        nudge_driver_group_names[g]);
                cJSON_AddStringToObject(o, "nudge", c->nudges[k].id);
                cJSON_AddNumberToObject(o, "outcomes", (double)n);
                cJSON_AddNumberToObject(o, "alpha", a);
                cJSON_AddNumberToObject(o, "beta", be);
                cJSON_AddItemToArray(arr, o);
            }
    if (!arr && first)
        printf("(no answers yet)\n");
}

enum { QUEUE, LIMIT, SEED, BANDIT, CATALOG, JSON };
static const cli_opt opts[] = {
    [QUEUE] = CLI_OPT_FLAG(0, "process-queue",
                           "decide the queued interventions and settle the "
                           "outcomes of earlier ones"),
    [LIMIT] = CLI_OPT_INT(0, "limit", "N", 1, 1000000000, NULL,
                          "decide at most N interventions (default: all)"),
    [SEED] = CLI_OPT_INT(0, "seed", "N", 0, 2147483647, "1",
                         "random seed of the bandit's draws"),
    [BANDIT] = CLI_OPT_FLAG(0, "bandit", "list what the bandit has learned "
                                         "from answers: how often shoppers "
                                         "take each nudge up (after the "
                                         "queue, with both)"),
    [CATALOG] = CLI_OPT_FILE(0, "catalog", "FILE",
                             "the nudge catalogue (default: "
                             "assets/nudges.json)"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard nudge --process-queue", "decides every queued "
                                          "intervention"},
    {"trendguard nudge --bandit --json", "what shoppers took up, as "
                                          "JSON"},
    {NULL, NULL}};

const cli_spec cmd_nudge_spec = {
    "nudge", cmd_nudge,
    "decide the queued interventions; list what shoppers took up",
    "Decides the interventions the scoring trigger queued (a nudge or "
    "none, with its offer and why) and settles the outcomes of earlier "
    "ones (--process-queue); --bandit lists what shoppers took up, per "
    "segment, driver group and nudge, as the bandit learned it from their "
    "answers.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

/* Runs what the options ask on the open store; out is the JSON object
 * (NULL for text). */
static int run(const cli_ctx *c, tg_store *s, const tg_nudge_catalog *cat,
               cJSON *out)
{
    tg_err err = {0};
    int rc = TG_OK;
    if (cli_has(c, QUEUE)) {
        tg_nudge_queue_opts o = {.limit = cli_long(c, LIMIT),
                                 .seed = (uint64_t)cli_long(c, SEED)};
        tg_nudge_queue_result r;
        if ((rc = nudge_store_process_queue(s, cat, &o, &r, &err)) != TG_OK)
            return cli_fail(c, &err);
        if (out) {
            cJSON *q = queue_json(cat, &r), *it;
            while ((it = q->child)) /* its fields at the top */
                cJSON_AddItemToObject(out, it->string,
                                      cJSON_DetachItemViaPointer(q, it));
            cJSON_Delete(q);
        } else {
            print_result(cat, &r);
        }
    }
    if (cli_has(c, BANDIT)) {
        tg_bandit *b = bandit_create(cat->n, 1, 1);
        if (!b)
            rc = tg_fail(&err, TG_EINTERNAL, "out of memory");
        else
            rc = nudge_store_load_bandit(s, cat, b, &err);
        if (rc != TG_OK) {
            bandit_free(b);
            return cli_fail(c, &err);
        }
        cJSON *arr = out ? cJSON_CreateArray() : NULL;
        print_bandit(cat, b, arr);
        if (out)
            cJSON_AddItemToObject(out, "bandit", arr);
        bandit_free(b);
    }
    return rc;
}

int cmd_nudge(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_nudge_spec, argc, argv);
    if (rc >= 0)
        return rc;
    if (!cli_has(&c, QUEUE) && !cli_has(&c, BANDIT))
        return cli_usage(&c, "say what to do: --process-queue or --bandit");
    const char *catalog = cli_str(&c, CATALOG);
    if (catalog && (rc = cli_stdin_file(&c, &catalog)) != TG_OK)
        return rc;
    tg_err err = {0};
    static tg_nudge_catalog cat;
    if (nudge_catalog_load(catalog, &cat, &err) != TG_OK)
        return cli_fail(&c, &err);
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    cJSON *out = cli_has(&c, JSON) ? cJSON_CreateObject() : NULL;
    rc = run(&c, s, &cat, out);
    store_close(s);
    if (out && rc == TG_OK)
        return cli_json_emit(&c, out);
    cJSON_Delete(out);
    return rc;
}
