/* cmd_gen.c: `trendguard gen --out DIR [--scale demo|small|full]
 * [--seed N]`: writes a synthetic TrendBuy data set (gen.h) with a progress
 * bar on a terminal and a one-line summary per file. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/gen.h"

static void on_progress(void *ud, double frac, const char *stage)
{
    cli_progress_update(ud, frac, stage);
}

int cmd_gen(int argc, char **argv)
{
    enum { OPT_OUT = CLI_OPT_FIRST_FREE, OPT_SCALE, OPT_SEED };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"out", required_argument, NULL, OPT_OUT},
        {"scale", required_argument, NULL, OPT_SCALE},
        {"seed", required_argument, NULL, OPT_SEED},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "gen");
    const char *out = NULL, *scale = "demo";
    long seed = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int rc = -1;
        switch (opt) {
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_SCALE:
            scale = optarg;
            if (!gen_scale(scale))
                return cli_usage(&c, "--scale takes demo, small or full, "
                                     "not '%s'", scale);
            break;
        case OPT_SEED:
            rc = cli_int(&c, "--seed", optarg, 0, 2147483647L, &seed);
            break;
        default:
            rc = cli_common(&c, opt, optarg);
        }
        if (rc >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage(&c, "unexpected argument '%s'", argv[optind]);
    if (!out || !*out)
        return cli_usage(&c, "--out DIR is required");

    tg_gen_opts o = {.out_dir = out, .scale = scale, .seed = (uint64_t)seed};
    tg_gen_stats st;
    tg_err err = {0};
    cli_progress p;
    cli_progress_begin(&p, "gen");
    double t0 = tg_now_mono();
    int rc = gen_run(&o, &st, on_progress, &p, &err);
    cli_progress_end(&p);
    if (rc != TG_OK)
        return cli_fail(&c, &err);
    for (int i = 0; i < TG_GEN_FILES; i++)
        printf("%s/%s: %lld rows\n", out, gen_file_names[i], st.rows[i]);
    double lines = (double)st.rows[TG_GEN_PURCHASES];
    printf("%s scale, seed %ld: %lld orders; %.1f%% of lines have a return "
           "row (the last 30 days are still open); %.2f s\n", scale, seed,
           st.orders,
           lines > 0 ? 100.0 * (double)st.rows[TG_GEN_RETURNS] / lines : 0.0,
           tg_now_mono() - t0);
    return TG_OK;
}
