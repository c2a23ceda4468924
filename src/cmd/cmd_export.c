/* cmd_export.c: `trendguard export`: writes the store as a Power BI-ready
 * star schema (export.h); with `--training-set [--shards N]
 * [--valid-days N]`, the mature training set as shards for distributed
 * training (shards.h). A progress bar on a terminal and a one-line summary
 * per file, or one JSON object. */
#include <cjson/cJSON.h>
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

enum { OUT, SINCE, TSET, SHARDS, VALID, JSON };
static const cli_opt opts[] = {
    [OUT] = CLI_OPT_MUST('o', "out", CLI_DIR, "DIR",
                         "the folder to write the tables (or the shards) "
                         "to (made when missing)"),
    [SINCE] = CLI_OPT_TEXT(0, "since", "YYYY-MM-DD",
                           "keep only the lines bought from that day (00:00 "
                           "UTC) on, with their returns, scores and "
                           "interventions"),
    [TSET] = CLI_OPT_FLAG(0, "training-set",
                          "write the mature training set as LIBSVM shards "
                          "split by customer, with featmap.txt and "
                          "manifest.json, for trendguard-train's workers"),
    [SHARDS] = CLI_OPT_INT(0, "shards", "N", 1, SHARDS_MAX, "1",
                           "with --training-set: the number of shards"),
    [VALID] = CLI_OPT_INT(0, "valid-days", "N", 1, 3650, "30",
                          "with --training-set: the hold-out is the lines "
                          "bought in the last N days"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard export --out powerbi", "the whole store as a star schema"},
    {"trendguard export -o last-month --since 2026-10-01",
     "only October's lines and what they use"},
    {"trendguard export --training-set --shards 4 --out shards",
     "the training set in four shards, one per worker"},
    {NULL, NULL}};

const cli_spec cmd_export_spec = {
    "export", cmd_export,
    "write a Power BI-ready star schema, or the training set as shards",
    "Writes the store as a Power BI-ready star schema: CSV facts "
    "(purchase lines, returns, interventions, scores) and dimensions "
    "(product, customer, trend, date), with DIR/README.md describing every "
    "table. With --training-set it writes instead the mature training set "
    "as N LIBSVM shards split by customer (every line of a customer in "
    "one shard), the hold-out decided once for the whole set, and a "
    "manifest with every file's size and SHA-256, for trendguard-train "
    "--workers. Files are replaced only when an earlier export wrote them.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

/* The shards as JSON: the manifest's figures and one entry per shard. */
static int shards_json(const cli_ctx *c, const tg_shards_manifest *m,
                       double seconds)
{
    char a[32], b[32];
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    cJSON_AddStringToObject(o, "out", cli_str(c, OUT));
    cJSON_AddNumberToObject(o, "shards", m->nshards);
    cJSON_AddNumberToObject(o, "training_lines", (double)m->n_train);
    cJSON_AddNumberToObject(o, "held_out", (double)m->n_valid);
    cJSON_AddStringToObject(o, "valid_from",
                            tg_date_format(m->valid_from, a, sizeof a));
    cJSON_AddStringToObject(o, "valid_to",
                            tg_date_format(m->valid_to, b, sizeof b));
    for (int k = 0; k < m->nshards; k++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "training_lines",
                                (double)m->shard[k].f[SHARD_TRAIN].rows);
        cJSON_AddNumberToObject(e, "held_out",
                                (double)m->shard[k].f[SHARD_VALID].rows);
        cJSON_AddNumberToObject(e, "customers", (double)m->shard[k].owners);
        cJSON_AddItemToArray(arr, e);
    }
    cJSON_AddItemToObject(o, "by_shard", arr);
    cJSON_AddNumberToObject(o, "seconds", seconds);
    return cli_json_emit(c, o);
}

/* The training set as shards: one line per shard and the manifest. */
static int export_shards(const cli_ctx *c, tg_store *s)
{
    tg_shards_opts o = {.out_dir = cli_str(c, OUT),
                        .nshards = (int)cli_long(c, SHARDS),
                        .valid_days = (int)cli_long(c, VALID)};
    tg_err err = {0};
    tg_shards_manifest m;
    cli_progress p;
    cli_progress_begin(&p, "export");
    double t0 = tg_now_mono();
    int rc = shards_export(s, &o, &m, on_progress, &p, &err);
    cli_progress_end(&p);
    if (rc != TG_OK)
        return cli_fail(c, &err);
    if (cli_has(c, JSON)) {
        rc = shards_json(c, &m, tg_now_mono() - t0);
        shards_manifest_free(&m);
        return rc;
    }
    for (int k = 0; k < m.nshards; k++)
        printf("%s/shard-%d: %lld training lines, %lld held out, %lld "
               "customers\n", cli_shown(o.out_dir), k,
               m.shard[k].f[SHARD_TRAIN].rows,
               m.shard[k].f[SHARD_VALID].rows, m.shard[k].owners);
    char a[32], b[32];
    printf("%s/%s: %lld training lines, %lld held out (bought %s .. %s); "
           "%.2f s\n", cli_shown(o.out_dir), SHARDS_MANIFEST, m.n_train,
           m.n_valid,
           tg_date_format(m.valid_from, a, sizeof a),
           tg_date_format(m.valid_to, b, sizeof b), tg_now_mono() - t0);
    shards_manifest_free(&m);
    return TG_OK;
}

static int tables_json(const cli_ctx *c, const tg_export_stats *st,
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

/* The star schema: one line per table. */
static int export_tables(const cli_ctx *c, tg_store *s,
                         const tg_export_opts *o)
{
    tg_err err = {0};
    tg_export_stats st;
    cli_progress p;
    cli_progress_begin(&p, "export");
    double t0 = tg_now_mono();
    int rc = export_run(s, o, &st, on_progress, &p, &err);
    cli_progress_end(&p);
    if (rc != TG_OK)
        return cli_fail(c, &err);
    if (cli_has(c, JSON))
        return tables_json(c, &st, tg_now_mono() - t0);
    for (int i = 0; i < TG_EXPORT_TABLES; i++)
        printf("%s/%s.csv: %lld rows\n", cli_shown(o->out_dir),
               export_table_names[i],
               st.rows[i]);
    printf("%s/%s describes the tables; %.2f s\n", cli_shown(o->out_dir),
           EXPORT_README,
           tg_now_mono() - t0);
    return TG_OK;
}

int cmd_export(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_export_spec, argc, argv);
    if (rc >= 0)
        return rc;
    int tset = cli_has(&c, TSET);
    if (!tset && (cli_has(&c, SHARDS) || cli_has(&c, VALID)))
        return cli_usage(&c, "--shards and --valid-days go with "
                             "--training-set");
    if (tset && cli_has(&c, SINCE))
        return cli_usage(&c, "--since does not go with --training-set (the "
                             "training set is every mature line)");
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
    rc = tset ? export_shards(&c, s) : export_tables(&c, s, &o);
    store_close(s);
    return rc;
}
