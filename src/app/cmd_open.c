/* cmd_open.c: `trendguard` with no subcommand: opens the store (creating a
 * demo store on first run) and shows it. */
#include <stdio.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "commands.h"
#include "demo.h"

int cmd_open(int argc, char **argv)
{
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "app");
    int opt;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int rc = cli_common(&c, opt, optarg);
        if (rc >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage(&c, "unexpected argument '%s'", argv[optind]);
    struct stat st;
    if (stat(c.db, &st) != 0) {
        tg_err err = {0};
        if (demo_create(c.db, 1, &err) != TG_OK)
            return cli_fail(&c, &err);
    }
    char *sargv[] = {"status", "--db", c.db, NULL};
    return cmd_status(3, sargv);
}
