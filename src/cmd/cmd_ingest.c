/* cmd_ingest.c: `trendguard ingest`: loads CSV exports into the store and
 * reports, per file, what was loaded, already there and rejected. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "trendguard/ingest.h"

typedef struct ingest_ui {
    cli_progress bar;
    const char *current;
} ingest_ui;

static void on_progress(void *ud, const char *path, double f)
{
    ingest_ui *u = ud;
    if (u->current != path) {
        cli_progress_end(&u->bar);
        cli_progress_begin(&u->bar, "loading");
        u->current = path;
    }
    cli_progress_update(&u->bar, f, path);
}

static void on_warn(void *ud, const char *path, const char *msg)
{
    (void)ud;
    fprintf(stderr, "trendguard ingest: %s: warning: %s\n", path, msg);
}

static void on_done(void *ud, const tg_ingest_result *r)
{
    ingest_ui *u = ud;
    cli_progress_end(&u->bar);
    u->current = NULL;
    if (r->already_loaded) {
        printf("%-40s %-13s already loaded, nothing added\n", r->path,
               r->kind);
        return;
    }
    if (r->strict_refused) {
        printf("%-40s %-13s %ld rows, %ld rejected: nothing loaded "
               "(--strict)\n", r->path, r->kind, r->rows, r->rejected);
        return;
    }
    if (strcmp(r->kind, "online-retail") == 0)
        printf("%-40s %-13s %ld lines: %ld purchases, %ld returns, %ld "
               "already there, %ld rejected\n", r->path, r->kind, r->rows,
               r->purchases, r->returns, r->duplicates, r->rejected);
    else
        printf("%-40s %-13s %ld rows: %ld loaded, %ld already there, %ld "
               "rejected\n", r->path, r->kind, r->rows, r->loaded,
               r->duplicates, r->rejected);
}

int cmd_ingest(int argc, char **argv)
{
    enum { OPT_FORMAT = CLI_OPT_FIRST_FREE, OPT_STRICT };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"format", required_argument, NULL, OPT_FORMAT},
        {"strict", no_argument, NULL, OPT_STRICT},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "ingest");
    tg_ingest_opts o = {0};
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (opt) {
        case OPT_FORMAT:
            if (strcmp(optarg, "trendbuy") == 0)
                o.format = INGEST_TRENDBUY;
            else if (strcmp(optarg, "online-retail") == 0)
                o.format = INGEST_ONLINE_RETAIL;
            else
                return cli_usage(&c, "--format is trendbuy or online-retail, "
                                     "not '%s'", optarg);
            break;
        case OPT_STRICT:
            o.strict = 1;
            break;
        default: {
            int rc = cli_common(&c, opt, optarg);
            if (rc >= 0)
                return rc;
        }
        }
    }
    if (optind >= argc)
        return cli_usage(&c, "name at least one CSV file or folder");
    tg_err err = {0};
    tg_store *s = store_open(c.db, STORE_CREATE, &err);
    if (!s)
        return cli_fail(&c, &err);
    ingest_ui ui = {0};
    o.progress = on_progress;
    o.warn = on_warn;
    o.done = on_done;
    o.ud = &ui;
    long rejected = 0;
    int rc = ingest_paths(s, argv + optind, argc - optind, &o, &rejected,
                          &err);
    cli_progress_end(&ui.bar);
    store_close(s);
    if (rc != TG_OK)
        return cli_fail(&c, &err);
    if (rejected > 0) {
        fprintf(stderr, "trendguard ingest: %ld row%s rejected; see them with"
                        " sqlite3 %s 'SELECT file, line, column_name, reason"
                        " FROM rejects'\n", rejected, rejected == 1 ? "" : "s",
                c.db);
        return TG_EDATA;
    }
    return TG_OK;
}
