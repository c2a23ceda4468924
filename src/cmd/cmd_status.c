/* cmd_status.c: `trendguard status`: what the store holds: row counts, the
 * time span, the return rate, rejects and the newest model. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/store.h"

static int print_status(const cli_ctx *c, tg_store *s, const char *db,
                        int json)
{
    tg_store_summary sum;
    store_summary(s, &sum);
    int64_t n = sum.purchases;
    double rate = n ? (double)sum.returned_30d / (double)n : 0;
    char a[32], b[32];
    tg_date_format(sum.first_purchase, a, sizeof a);
    tg_date_format(sum.last_purchase, b, sizeof b);
    if (json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "store", db);
        for (int i = 0; i < STORE_SUMMARY_COUNTS; i++)
            cJSON_AddNumberToObject(o, sum.name[i], (double)sum.rows[i]);
        if (n) {
            cJSON_AddStringToObject(o, "first_purchase", a);
            cJSON_AddStringToObject(o, "last_purchase", b);
        } else {
            cJSON_AddNullToObject(o, "first_purchase");
            cJSON_AddNullToObject(o, "last_purchase");
        }
        cJSON_AddNumberToObject(o, "return_rate_30d",
                                round(rate * 10000) / 10000);
        return cli_json_emit(c, o);
    }
    printf("TrendGuard store %s\n", cli_shown(db));
    for (int i = 0; i < STORE_SUMMARY_COUNTS; i++)
        printf("  %-16s %12lld\n", sum.name[i], (long long)sum.rows[i]);
    if (n)
        printf("  purchases from %s to %s; %.1f%% of lines returned within "
               "30 days\n", a, b, rate * 100);
    else
        printf("  no purchases yet: load data with 'trendguard ingest'\n");
    return TG_OK;
}

enum { JSON };
static const cli_opt opts[] = {[JSON] = CLI_OPT_JSON, CLI_END};

static const cli_example examples[] = {
    {"trendguard status", "what the default store holds"},
    {"trendguard status --db shop.db --json", "the same of shop.db as JSON"},
    {NULL, NULL}};

const cli_spec cmd_status_spec = {
    "status", cmd_status, "what the store holds: row counts, dates, return "
                          "rate",
    "Summarises the store: the rows of each table, the purchases' first "
    "and last day, and the share of lines returned within 30 days.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

int cmd_status(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_status_spec, argc, argv);
    if (rc >= 0)
        return rc;
    tg_err err = {0};
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    rc = print_status(&c, s, c.db, cli_has(&c, JSON));
    store_close(s);
    return rc;
}
