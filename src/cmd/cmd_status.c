/* cmd_status.c: `trendguard status`: what the store holds: row counts, the
 * time span, the return rate, rejects and the newest model. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/store.h"

static int print_status(tg_store *s, const char *db, int json)
{
    tg_store_summary sum;
    store_summary(s, &sum);
    int64_t n = sum.purchases;
    double rate = n ? (double)sum.returned_30d / (double)n : 0;
    char a[32], b[32];
    tg_date_format(sum.first_purchase, a, sizeof a);
    tg_date_format(sum.last_purchase, b, sizeof b);
    if (json) {
        printf("{\"store\":\"%s\"", db);
        for (int i = 0; i < STORE_SUMMARY_COUNTS; i++)
            printf(",\"%s\":%lld", sum.name[i], (long long)sum.rows[i]);
        printf(",\"first_purchase\":%s%s%s,\"last_purchase\":%s%s%s,"
               "\"return_rate_30d\":%.4f}\n", n ? "\"" : "",
               n ? a : "null", n ? "\"" : "", n ? "\"" : "",
               n ? b : "null", n ? "\"" : "", rate);
        return TG_OK;
    }
    printf("TrendGuard store %s\n", db);
    for (int i = 0; i < STORE_SUMMARY_COUNTS; i++)
        printf("  %-16s %12lld\n", sum.name[i], (long long)sum.rows[i]);
    if (n)
        printf("  purchases from %s to %s; %.1f%% of lines returned within "
               "30 days\n", a, b, rate * 100);
    else
        printf("  no purchases yet: load data with 'trendguard ingest'\n");
    return TG_OK;
}

int cmd_status(int argc, char **argv)
{
    enum { OPT_JSON = CLI_OPT_FIRST_FREE };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS, {"json", no_argument, NULL, OPT_JSON},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "status");
    int json = 0, opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (opt == OPT_JSON) {
            json = 1;
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
    int rc = print_status(s, c.db, json);
    store_close(s);
    return rc;
}
