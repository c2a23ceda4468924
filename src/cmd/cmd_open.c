/* cmd_open.c: `trendguard` with no subcommand: opens the app on the store,
 * creating a demo store (and training its model when the trainer is
 * installed beside the app) on first run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui/tui.h"
#include "cli/cli.h"
#include "commands.h"
#include "demo.h"

enum { PERSONA, SESSION, RECORD, THEME, FEED, FEED_MINUTES, OFFLINE,
       REPLAY, TIMINGS };
static const cli_opt opts[] = {
    [PERSONA] = CLI_OPT_INT(0, "persona", "ID", 1, 9007199254740991.0, NULL,
                            "start as this shopper (a customers.id of the "
                            "store)"),
    [SESSION] = CLI_OPT_TEXT(0, "session", "NAME",
                             "record the usability-testing session under "
                             "NAME, 1 to 63 characters (default: the start "
                             "time and process id)"),
    [RECORD] = CLI_OPT_OUT(0, "record", "FILE",
                           "record what the app draws, with a marker for "
                           "each event, into FILE as asciicast v2 "
                           "('asciinema play FILE' plays it; default: the "
                           "settings' record_dir, if set)"),
    [THEME] = CLI_OPT_CHOICE(0, "theme", "colour|mono", "colour",
                             "mono is used anyway when NO_COLOR is set or "
                             "the terminal has no colours"),
    [FEED] = CLI_OPT_URL(0, "feed", "refresh the trends from this feed "
                                    "(default: the last one synced)"),
    [FEED_MINUTES] = CLI_OPT_INT(0, "feed-minutes", "N", 1, 1440, "15",
                                 "minutes between refreshes of the feed"),
    [OFFLINE] = CLI_OPT_FLAG(0, "offline", "never fetch the trend feed"),
    [REPLAY] = CLI_OPT_FILE(0, "replay", "FILE",
                            "play the keys of FILE (one key name a line) "
                            "instead of the keyboard and time each one"),
    [TIMINGS] = CLI_OPT_OUT(0, "timings", "FILE",
                            "with --replay: write the timings as JSON to "
                            "FILE (default: stderr)"),
    CLI_END};

static const cli_example examples[] = {
    {"trendguard", "opens the app (a demo store with its model on first "
                   "run)"},
    {"trendguard --persona 42 --session lab-3 --offline",
     "a usability-testing session as shopper 42, without the network"},
    {"trendguard --session lab-3 --record lab-3.cast",
     "the same session recorded, to watch with 'asciinema play lab-3.cast'"},
    {"trendguard gen --out data && trendguard ingest data && "
     "trendguard-train && trendguard score",
     "a store of generated data with its model, every line scored"},
    {"trendguard report --html report.html",
     "what drives returns and what the nudges saved, as a page"},
    {NULL, NULL}};

const cli_spec cmd_open_spec = {
    "", cmd_open, "open the app",
    "With no command, opens the terminal app on the store: trending items "
    "with a live regret-risk meter and nudges for a shopper, and the "
    "manager's dashboard. On first run with no store it creates one with "
    "demo data, trains the demo model (when trendguard-train is installed "
    "beside it), scores the purchases and plays the simulated pilot.",
    opts, NULL, CLI_FLAG, 0, 0, examples};

int cmd_open(int argc, char **argv)
{
    double t_start = tg_now_mono();
    cli_ctx c;
    int rc = cli_parse(&c, &cmd_open_spec, argc, argv);
    if (rc >= 0)
        return rc;
    tui_opts o = {0};
    o.t_start = t_start;
    o.persona = cli_long(&c, PERSONA);
    o.session = cli_str(&c, SESSION);
    o.replay = cli_str(&c, REPLAY);
    o.timings = cli_str(&c, TIMINGS);
    o.record = cli_str(&c, RECORD);
    o.theme = cli_has(&c, THEME) ? cli_str(&c, THEME) : NULL;
    o.feed_url = cli_str(&c, FEED);
    o.feed_minutes = (int)cli_long(&c, FEED_MINUTES);
    o.offline = cli_has(&c, OFFLINE);
    if (o.session && (!*o.session || strlen(o.session) > 63))
        return cli_usage(&c, "--session NAME must have 1 to 63 characters");
    if (o.offline && o.feed_url)
        return cli_usage(&c, "--offline and --feed contradict each other");
    if (o.replay && (rc = cli_stdin_file(&c, &o.replay)) != TG_OK)
        return rc;
    tg_err err = {0};
    if (o.record && tg_replaceable(o.record, &err) != TG_OK)
        return cli_usage(&c, "--record %s", err.msg);
    struct stat st;
    if (stat(c.db, &st) != 0) {
        if (demo_create(c.db, 1, &err) != TG_OK)
            return cli_fail(&c, &err);
    }
    o.db = c.db;
    return tui_run(&o);
}
