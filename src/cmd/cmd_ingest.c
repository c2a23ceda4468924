/* cmd_ingest.c: `trendguard ingest`: loads CSV exports (or standard input,
 * as '-') into the store and reports, per file, what was loaded, already
 * there and rejected, as lines or one JSON object. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/ingest.h"

typedef struct ingest_ui {
    cli_progress bar;
    const char *current;
    cJSON *files; /* --json: one object per file */
} ingest_ui;

/* A file's result as JSON. */
static void add_json(cJSON *files, const tg_ingest_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", cli_shown(r->path));
    cJSON_AddStringToObject(o, "kind", r->kind ? r->kind : "");
    cJSON_AddNumberToObject(o, "rows", (double)r->rows);
    cJSON_AddNumberToObject(o, "loaded", (double)r->loaded);
    cJSON_AddNumberToObject(o, "duplicates", (double)r->duplicates);
    cJSON_AddNumberToObject(o, "rejected", (double)r->rejected);
    cJSON_AddNumberToObject(o, "purchases", (double)r->purchases);
    cJSON_AddNumberToObject(o, "returns", (double)r->returns);
    cJSON_AddBoolToObject(o, "already_loaded", r->already_loaded);
    cJSON_AddBoolToObject(o, "strict_refused", r->strict_refused);
    cJSON_AddItemToArray(files, o);
}

static void on_progress(void *ud, const char *path, double f)
{
    ingest_ui *u = ud;
    if (u->current != path) {
        cli_progress_end(&u->bar);
        cli_progress_begin(&u->bar, "loading");
        u->current = path;
    }
    cli_progress_update(&u->bar, f, cli_shown(path));
}

static void on_warn(void *ud, const char *path, const char *msg)
{
    (void)ud;
    fprintf(stderr, "trendguard ingest: %s: warning: %s\n", cli_shown(path),
            msg);
}

static void on_done(void *ud, const tg_ingest_result *r)
{
    ingest_ui *u = ud;
    cli_progress_end(&u->bar);
    u->current = NULL;
    const char *path = cli_shown(r->path);
    if (u->files) {
        add_json(u->files, r);
    } else if (r->already_loaded) {
        printf("%-40s %-13s already loaded, nothing added\n", path, r->kind);
    } else if (r->strict_refused) {
        printf("%-40s %-13s %ld rows, %ld rejected: nothing loaded "
               "(--strict)\n", path, r->kind, r->rows, r->rejected);
    } else if (strcmp(r->kind, "online-retail") == 0) {
        printf("%-40s %-13s %ld lines: %ld purchases, %ld returns, %ld "
               "already there, %ld rejected\n", path, r->kind, r->rows,
               r->purchases, r->returns, r->duplicates, r->rejected);
    } else {
        printf("%-40s %-13s %ld rows: %ld loaded, %ld already there, %ld "
               "rejected\n", path, r->kind, r->rows, r->loaded,
               r->duplicates, r->rejected);
    }
}

enum { FORMAT, STRICT, BULK, JSON };
static const cli_opt opts[] = {
    [FORMAT] = CLI_OPT_CHOICE('f', "format", "trendbuy|online-retail",
                              "trendbuy",
                              "trendbuy: TrendBuy's exports, each file's "
                              "kind told from its header; online-retail: "
                              "the UCI Online Retail layout"),
    [STRICT] = CLI_OPT_FLAG(0, "strict", "load nothing from a file with a "
                                         "bad row (its rejects are still "
                                         "recorded)"),
    [BULK] = CLI_OPT_CHOICE(0, "bulk", "auto|always|never", "auto",
                            "the bulk path: the files into a new store "
                            "file, moved into place when complete; auto: "
                            "when the store has no loaded rows or fewer "
                            "than the files"),
    [JSON] = CLI_OPT_JSON,
    CLI_END};

static const cli_example examples[] = {
    {"trendguard ingest data", "every CSV file in ./data, in dependency "
                               "order"},
    {"xzcat purchases.csv.xz | trendguard ingest -",
     "a file from standard input"},
    {"trendguard ingest -f online-retail online_retail.csv",
     "the UCI Online Retail data set"},
    {NULL, NULL}};

const cli_spec cmd_ingest_spec = {
    "ingest", cmd_ingest, "clean, validate and load CSV files into the store",
    "Cleans, validates and loads CSV files, or folders of them, into the "
    "store (made when missing); '-' reads a file from standard input. "
    "Every rejected row is kept in the rejects table with its line, column "
    "and reason: exit 65 when any row was rejected (the good rows are "
    "loaded). A file already loaded adds nothing.",
    opts, "PATH...", CLI_FILE, 0, -1, examples};

static int run(cli_ctx *c, tg_ingest_opts *o, ingest_ui *ui, long *rejected)
{
    tg_err err = {0};
    for (int i = 0; i < c->nargs; i++) {
        const char *p = c->args[i];
        int rc = cli_stdin_file(c, &p);
        if (rc != TG_OK)
            return rc;
        c->args[i] = (char *)p;
    }
    tg_store *s = store_open(c->db, STORE_CREATE, &err);
    if (!s)
        return cli_fail(c, &err);
    o->progress = on_progress;
    o->warn = on_warn;
    o->done = on_done;
    o->ud = ui;
    int rc = ingest_paths(s, c->args, c->nargs, o, rejected, &err);
    cli_progress_end(&ui->bar);
    store_close(s);
    return rc != TG_OK ? cli_fail(c, &err) : TG_OK;
}

int cmd_ingest(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_ingest_spec, argc, argv);
    if (rc >= 0)
        return rc;
    if (c.nargs == 0)
        return cli_usage(&c, "name at least one CSV file or folder ('-': "
                             "standard input)");
    tg_ingest_opts o = {0};
    o.format = cli_pick(&c, FORMAT) == 1 ? INGEST_ONLINE_RETAIL
                                         : INGEST_TRENDBUY;
    o.strict = cli_has(&c, STRICT);
    static const int bulk[] = {INGEST_BULK_AUTO, INGEST_BULK_ALWAYS,
                               INGEST_BULK_NEVER};
    o.bulk = cli_pick(&c, BULK) > 0 ? bulk[cli_pick(&c, BULK)]
                                    : INGEST_BULK_AUTO;
    ingest_ui ui = {0};
    if (cli_has(&c, JSON))
        ui.files = cJSON_CreateArray();
    long rejected = 0;
    rc = run(&c, &o, &ui, &rejected);
    if (ui.files && rc == TG_OK) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "store", c.db);
        cJSON_AddItemToObject(j, "files", ui.files);
        cJSON_AddNumberToObject(j, "rejected", (double)rejected);
        rc = cli_json_emit(&c, j);
    } else {
        cJSON_Delete(ui.files);
    }
    if (rc == TG_OK && rejected > 0) {
        fflush(stdout);
        fprintf(stderr, "trendguard ingest: %ld row%s rejected; see them with"
                        " sqlite3 %s 'SELECT file, line, column_name, reason"
                        " FROM rejects'\n", rejected, rejected == 1 ? "" : "s",
                c.db);
        return TG_EDATA;
    }
    return rc;
}
