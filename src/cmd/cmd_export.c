/* cmd_export.c: `trendguard export --out DIR [--since DATE]`: writes the
 * store as a Power BI-ready star schema (export.h) with a progress bar on a
 * terminal and a one-line summary per file. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/export.h"

static void on_progress(void *ud, double frac, const char *stage)
{
    cli_progress_update(ud, frac, stage);
}

/* A whole day as YYYY-MM-DD, at 00:00 UTC; -1 for anything else. */
static int parse_day(const char *s, int64_t *out)
{
    return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-'
                   && tg_time_parse(s, out) == 0
               ? 0
               : -1;
}

int cmd_export(int argc, char **argv)
{
    enum { OPT_OUT = CLI_OPT_FIRST_FREE, OPT_SINCE };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"out", required_argument, NULL, OPT_OUT},
        {"since", required_argument, NULL, OPT_SINCE},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "export");
    tg_export_opts o = {0};
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int rc = -1;
        switch (opt) {
        case OPT_OUT:
            o.out_dir = optarg;
            break;
        case OPT_SINCE:
            if (parse_day(optarg, &o.since) != 0)
                return cli_usage(&c, "--since takes a date as YYYY-MM-DD, "
                                     "not '%s'", optarg);
            o.has_since = 1;
            break;
        default:
            rc = cli_common(&c, opt, optarg);
        }
        if (rc >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage(&c, "unexpected argument '%s'", argv[optind]);
    if (!o.out_dir || !*o.out_dir)
        return cli_usage(&c, "--out DIR is required");

    tg_err err = {0};
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    tg_export_stats st;
    cli_progress p;
    cli_progress_begin(&p, "export");
    double t0 = tg_now_mono();
    int rc = export_run(s, &o, &st, on_progress, &p, &err);
    cli_progress_end(&p);
    store_close(s);
    if (rc != TG_OK)
        return cli_fail(&c, &err);
    for (int i = 0; i < TG_EXPORT_TABLES; i++)
        printf("%s/%s.csv: %lld rows\n", o.out_dir, export_table_names[i],
               st.rows[i]);
    printf("%s/%s describes the tables; %.2f s\n", o.out_dir, EXPORT_README,
           tg_now_mono() - t0);
    return TG_OK;
}
