/* cmd_open.c: `trendguard` with no subcommand: opens the app on the store,
 * creating a demo store (and training its model when the trainer is
 * installed beside the app) on first run. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui/tui.h"
#include "cli/cli.h"
#include "commands.h"
#include "demo.h"

int cmd_open(int argc, char **argv)
{
    double t_start = tg_now_mono();
    enum { OPT_PERSONA = CLI_OPT_FIRST_FREE, OPT_SESSION, OPT_REPLAY,
           OPT_TIMINGS, OPT_THEME, OPT_FEED, OPT_FEED_MINUTES, OPT_OFFLINE };
    static const struct option opts[] = {
        CLI_COMMON_OPTIONS,
        {"persona", required_argument, NULL, OPT_PERSONA},
        {"session", required_argument, NULL, OPT_SESSION},
        {"replay", required_argument, NULL, OPT_REPLAY},
        {"timings", required_argument, NULL, OPT_TIMINGS},
        {"theme", required_argument, NULL, OPT_THEME},
        {"feed", required_argument, NULL, OPT_FEED},
        {"feed-minutes", required_argument, NULL, OPT_FEED_MINUTES},
        {"offline", no_argument, NULL, OPT_OFFLINE},
        {NULL, 0, NULL, 0}};
    cli_ctx c;
    cli_begin(&c, "");
    tui_opts o = {0};
    o.t_start = t_start;
    o.feed_minutes = 15;
    int opt;
    long v;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        int rc = -1;
        switch (opt) {
        case OPT_PERSONA:
            rc = cli_int(&c, "--persona", optarg, 1, LONG_MAX, &v);
            o.persona = v;
            break;
        case OPT_SESSION:
            o.session = optarg;
            break;
        case OPT_REPLAY:
            o.replay = optarg;
            break;
        case OPT_TIMINGS:
            o.timings = optarg;
            break;
        case OPT_THEME:
            if (strcmp(optarg, "colour") && strcmp(optarg, "color") &&
                strcmp(optarg, "mono"))
                return cli_usage(&c, "--theme must be colour or mono, not "
                                     "'%s'", optarg);
            o.theme = optarg;
            break;
        case OPT_FEED:
            o.feed_url = optarg;
            break;
        case OPT_OFFLINE:
            o.offline = 1;
            break;
        case OPT_FEED_MINUTES:
            rc = cli_int(&c, "--feed-minutes", optarg, 1, 1440, &v);
            o.feed_minutes = (int)v;
            break;
        default:
            rc = cli_common(&c, opt, optarg);
            if (rc < 0)
                continue;
            return rc;
        }
        if (rc >= 0)
            return rc;
    }
    if (optind < argc)
        return cli_usage(&c, "unknown command '%s'", argv[optind]);
    if (o.session && (!*o.session || strlen(o.session) > 63))
        return cli_usage(&c, "--session NAME must have 1 to 63 characters");
    struct stat st;
    if (stat(c.db, &st) != 0) {
        tg_err err = {0};
        if (demo_create(c.db, 1, &err) != TG_OK)
            return cli_fail(&c, &err);
    }
    if (o.offline && o.feed_url)
        return cli_usage(&c, "--offline and --feed contradict each other");
    o.db = c.db;
    return tui_run(&o);
}
