/* cmd_export.c: `trendguard export`: writes the store as a Power BI-ready
 * star schema (export.h) with a progress bar on a terminal and a one-line
 * summary per file, or one JSON object. */
#include <cjson/cJSON.h>
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

enum { OUT, SINCE, JSON };
static const cli_opt opts[] = {
    [OUT] = CLI_OPT_MUST('o', "out", CLI_DIR, "DIR",
                         "the folder to write the tables to (made when "
                         "missing)"),
    [SINCE] = CLI_OPT_TEXT(0, "since", "YYYY-MM-DD",
                           "keep only the lines bought from that day (00:00 "
                           "UTC) on, with their returns, scores and "
                           "interventions"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard export --out powerbi", "the whole store as a star schema"},
    {"trendguard export -o last-month --since 2026-10-01",
     "only October's lines and what they use"},
    {NULL, NULL}};

const cli_spec cmd_export_spec = {
    "export", cmd_export, "write the store as a Power BI-ready star schema",
    "Writes the store as a Power BI-ready star schema: CSV facts "
    "(purchase lines, returns, interventions, scores) and dimensions "
    "(product, customer, trend, date), with DIR/README.md describing every "
    "table. Files are replaced only when an earlier export wrote them.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

static int print_json(const cli_ctx *c, const tg_export_stats *st,
                      double seconds)
{
    cJSON *o = cJSON_CreateObject(), *t = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "out", cli_str(c, OUT));
    for (int i = 0; i < TG_EXPORT_TABLES; i++)
        cJSON_AddNumberToObject(t, export_table_names[i], (double)st->rows[i]);
    cJSON_AddItemToObject(o, "rows", t);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    return cli_json_emit(c, o);
}

int cmd_export(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_export_spec, argc, argv);
    if (rc >= 0)
        return rc;
    tg_export_opts o = {.out_dir = cli_str(&c, OUT)};
    if (cli_has(&c, SINCE)) {
        if (parse_day(cli_str(&c, SINCE), &o.since) != 0)
            return cli_usage(&c, "--since takes a date as YYYY-MM-DD, not "
                                 "'%s'", cli_str(&c, SINCE));
        o.has_since = 1;
    }
    tg_err err = {0};
    tg_store *s = store_open(c.db, 0, &err);
    if (!s)
        return cli_fail(&c, &err);
    tg_export_stats st;
    cli_progress p;
    cli_progress_begin(&p, "export");
    double t0 = tg_now_mono();
    rc = export_run(s, &o, &st, on_progress, &p, &err);
    cli_progress_end(&p);
    store_close(s);
    if (rc != TG_OK)
        return cli_fail(&c, &err);
    if (cli_has(&c, JSON))
        return print_json(&c, &st, tg_now_mono() - t0);
    for (int i = 0; i < TG_EXPORT_TABLES; i++)
        printf("%s/%s.csv: %lld rows\n", o.out_dir, export_table_names[i],
               st.rows[i]);
    printf("%s/%s describes the tables; %.2f s\n", o.out_dir, EXPORT_README,
           tg_now_mono() - t0);
    return TG_OK;
}
