/* cmd_status.c: `trendguard status`: what the store holds: row counts, the
 * time span, the return rate, rejects and the newest model. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/store.h"

static const struct {
    const char *name, *sql;
} counts[] = {
    {"products", "SELECT count(*) FROM products"},
    {"customers", "SELECT count(*) FROM customers"},
    {"hashtags", "SELECT count(*) FROM hashtags"},
    {"trend_snapshots", "SELECT count(*) FROM trend_snapshots"},
    {"purchases", "SELECT count(*) FROM purchases"},
    {"orders", "SELECT count(DISTINCT order_code) FROM purchases"},
    {"returns", "SELECT count(*) FROM returns"},
    {"rejects", "SELECT count(*) FROM rejects"},
    {"scores", "SELECT count(*) FROM scores"},
    {"interventions", "SELECT count(*) FROM interventions"},
    {"models", "SELECT count(*) FROM model_registry"},
};
#define NCOUNTS (sizeof counts / sizeof *counts)

static int print_status(tg_store *s, const char *db, int json)
{
    int64_t v[NCOUNTS];
    for (size_t i = 0; i < NCOUNTS; i++)
        v[i] = store_count(s, counts[i].sql);
    int64_t first = store_count(s, "SELECT MIN(ordered_at) FROM purchases");
    int64_t last = store_count(s, "SELECT MAX(ordered_at) FROM purchases");
    int64_t returned = store_count(
        s, "SELECT count(*) FROM v_labels WHERE returned = 1");
    double rate = v[4] ? (double)returned / (double)v[4] : 0;
    char a[32], b[32];
    tg_date_format(first, a, sizeof a);
    tg_date_format(last, b, sizeof b);
    if (json) {
        printf("{\"store\":\"%s\"", db);
        for (size_t i = 0; i < NCOUNTS; i++)
            printf(",\"%s\":%lld", counts[i].name, (long long)v[i]);
        printf(",\"first_purchase\":%s%s%s,\"last_purchase\":%s%s%s,"
               "\"return_rate_30d\":%.4f}\n", v[4] ? "\"" : "",
               v[4] ? a : "null", v[4] ? "\"" : "", v[4] ? "\"" : "",
               v[4] ? b : "null", v[4] ? "\"" : "", rate);
        return TG_OK;
    }
    printf("TrendGuard store %s\n", db);
    for (size_t i = 0; i < NCOUNTS; i++)
        printf("  %-16s %12lld\n", counts[i].name, (long long)v[i]);
    if (v[4])
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
