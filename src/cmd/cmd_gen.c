/* cmd_gen.c: `trendguard gen`: writes a synthetic TrendBuy data set
 * (gen.h) with a progress bar on a terminal and a one-line summary per
 * file, or one JSON object. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/gen.h"

static void on_progress(void *ud, double frac, const char *stage)
{
    cli_progress_update(ud, frac, stage);
}

enum { OUT, SCALE, SEED, JSON };
static const cli_opt opts[] = {
    [OUT] = CLI_OPT_MUST('o', "out", CLI_DIR, "DIR",
                         "the folder to write the files to (made when "
                         "missing)"),
    [SCALE] = CLI_OPT_CHOICE(0, "scale", "demo|small|full", "demo",
                             "demo: 90 days, 20k lines; small: a year, "
                             "297k lines; full: TrendBuy's size, 3M lines"),
    [SEED] = CLI_OPT_INT(0, "seed", "N", 0, 2147483647, "1",
                         "random seed: the same seed and scale give the "
                         "same bytes"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard gen --out data", "the demo data set in ./data"},
    {"trendguard gen -o big --scale small --seed 7",
     "a year of data, about 300k purchase lines"},
    {NULL, NULL}};

const cli_spec cmd_gen_spec = {
    "gen", cmd_gen, "write a synthetic TrendBuy data set as CSV",
    "Writes a synthetic TrendBuy data set as CSV from the shopper "
    "behaviour model: products.csv, customers.csv, tiktok_trends.csv, "
    "purchases.csv, returns.csv and truth.csv (each line's true return "
    "probability). Every data set ends at 2026-11-01T00:00:00Z.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

static int print_json(const cli_ctx *c, const tg_gen_stats *st,
                      double seconds)
{
    cJSON *o = cJSON_CreateObject(), *f = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "out", cli_str(c, OUT));
    cJSON_AddStringToObject(o, "scale", cli_str(c, SCALE));
    cJSON_AddNumberToObject(o, "seed", (double)cli_long(c, SEED));
    for (int i = 0; i < TG_GEN_FILES; i++)
        cJSON_AddNumberToObject(f, gen_file_names[i], (double)st->rows[i]);
    cJSON_AddItemToObject(o, "rows", f);
    cJSON_AddNumberToObject(o, "orders", (double)st->orders);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    return cli_json_emit(c, o);
}

int cmd_gen(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_gen_spec, argc, argv);
    if (rc >= 0)
        return rc;
    const char *out = cli_str(&c, OUT), *scale = cli_str(&c, SCALE);
    long seed = cli_long(&c, SEED);
    tg_gen_opts o = {.out_dir = out, .scale = scale, .seed = (uint64_t)seed};
    tg_gen_stats st;
    tg_err err = {0};
    cli_progress p;
    cli_progress_begin(&p, "gen");
    double t0 = tg_now_mono();
    rc = gen_run(&o, &st, on_progress, &p, &err);
    cli_progress_end(&p);
    if (rc != TG_OK)
        return cli_fail(&c, &err);
    if (cli_has(&c, JSON))
        return print_json(&c, &st, tg_now_mono() - t0);
    for (int i = 0; i < TG_GEN_FILES; i++)
        printf("%s/%s: %lld rows\n", cli_shown(out), gen_file_names[i],
               st.rows[i]);
    double lines = (double)st.rows[TG_GEN_PURCHASES];
    printf("%s scale, seed %ld: %lld orders; %.1f%% of lines have a return "
           "row (the last 30 days are still open); %.2f s\n", scale, seed,
           st.orders,
           lines > 0 ? 100.0 * (double)st.rows[TG_GEN_RETURNS] / lines : 0.0,
           tg_now_mono() - t0);
    return TG_OK;
}
