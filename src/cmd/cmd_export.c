/* cmd_export.c: `trendguard export --out DIR [--since DATE]`: writes the
 * store as a Power BI-ready star schema (export.h); with `--training-set
 * [--shards N] [--valid-days N]`, the mature training set as shards for
 * distributed training (shards.h). A progress bar on a terminal and a
 * one-line summary per file. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/export.h"
#include "trendguard/shards.h"

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

/* The training set as shards: one line per shard and the manifest. */
static int export_shards(cli_ctx *c, const tg_shards_opts *o)
{
    tg_err err = {0};
    tg_store *s = store_open(c->db, 0, &err);
    if (!s)
        return cli_fail(c, &err);
    tg_shards_manifest m;
    cli_progress p;
    cli_progress_begin(&p, "export");
    double t0 = tg_now_mono();
    int rc = shards_export(s, o, &m, on_progress, &p, &err);
    cli_progress_end(&p);
    store_close(s);
    if (rc != TG_OK)
        return cli_fail(c, &err);
    for (int k = 0; k < m.nshards; k++)
        printf("%s/shard-%d: %lld training lines, %lld held out, %lld "
               "customers\n", o->out_dir, k, m.shard[k].f[SHARD_TRAIN].rows,
               m.shard[k].f[SHARD_VALID].rows, m.shard[k].owners);
    char a[32], b[32];
    printf("%s/%s: %lld training lines, %lld held out (bought %s .. %s); "
           "%.2f s\n", o->out_dir, SHARDS_MANIFEST, m.n_train, m.n_valid,
           tg_date_format(m.valid_from, a, sizeof a),
           tg_date_format(m.valid_to, b, sizeof b), tg_now_mono() - t0);
    shards_manifest_free(&m);
    return TG_OK;
}

int cmd_export(int argc, char **argv)
{
    enum { OPT_OUT = CLI_OPT_FIRST_FREE, OPT_SINCE, OPT_TSET, OPT_SHARDS,
           OPT_VALID };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"out", required_argument, NULL, OPT_OUT},
        {"since", required_argument, NULL, OPT_SINCE},
        {"training-set", no_argument, NULL, OPT_TSET},
        {"shards", required_argument, NULL, OPT_SHARDS},
        {"valid-days", required_argument, NULL, OPT_VALID},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "export");
    tg_export_opts o = {0};
    tg_shards_opts so = {.nshards = 1, .valid_days = 30};
    int opt, tset = 0, tset_only = 0;
    long v;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int rc = -1;
        switch (opt) {
        case OPT_OUT:
            o.out_dir = so.out_dir = optarg;
            break;
        case OPT_SINCE:
            if (parse_day(optarg, &o.since) != 0)
                return cli_usage(&c, "--since takes a date as YYYY-MM-DD, "
                                     "not '%s'", optarg);
            o.has_since = 1;
            break;
        case OPT_TSET:
            tset = 1;
            break;
        case OPT_SHARDS:
            if ((rc = cli_int(&c, "--shards", optarg, 1, SHARDS_MAX, &v)) < 0)
                so.nshards = (int)v;
            tset_only = 1;
            break;
        case OPT_VALID:
            if ((rc = cli_int(&c, "--valid-days", optarg, 1, 3650, &v)) < 0)
                so.valid_days = (int)v;
            tset_only = 1;
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
    if (tset_only && !tset)
        return cli_usage(&c, "--shards and --valid-days go with "
                             "--training-set");
    if (tset && o.has_since)
        return cli_usage(&c, "--since does not go with --training-set (the "
                             "training set is every mature line)");
    if (tset)
        return export_shards(&c, &so);

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
