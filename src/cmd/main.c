/* main.c: `trendguard` entry point: the program's table (its commands, in
 * the order `trendguard help` lists them, its files and environment for
 * the man page), `trendguard help [COMMAND]`, and the dispatch to a
 * subcommand, or to the app when there is none. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static int cmd_help(int argc, char **argv);

static const cli_opt help_opts[] = {CLI_END};
static const cli_example help_examples[] = {
    {"trendguard help", "lists the commands"},
    {"trendguard help ingest", "the same as 'trendguard ingest --help'"},
    {NULL, NULL}};
static const cli_spec help_spec = {
    "help", cmd_help, "list the commands, or describe one",
    "With no COMMAND, lists the commands with a line each (the same as "
    "'trendguard --help'); with one, prints its help, the same as "
    "'trendguard COMMAND --help'.",
    help_opts, "[COMMAND]", CLI_CMD, 0, 1, help_examples};

static const cli_spec *const commands[] = {
    &cmd_gen_spec, &cmd_ingest_spec, &cmd_status_spec, &cmd_sync_spec,
    &cmd_score_spec, &cmd_predict_spec, &cmd_nudge_spec, &cmd_simulate_spec,
    &cmd_pilot_spec, &cmd_report_spec, &cmd_export_spec, &cmd_sessions_spec,
    &help_spec, NULL};

static const cli_item files[] = {
    {"~/.local/share/trendguard/trendguard.db",
     "the store when neither --db nor $TRENDGUARD_DB names one: one SQLite "
     "file in WAL mode (STORE-wal and STORE-shm beside it while in use)"},
    {"STORE-models/model-vN.json",
     "the store's models: trendguard-train writes version N of the model "
     "of the store STORE here and registers it in that store; a model file "
     "another store registered is never overwritten"},
    {"PREFIX/share/trendguard/assets/",
     "nudges.json (the nudge catalogue), simulation.json and "
     "behaviour.json (the simulation's assumptions and the shopper model, "
     "each with its source), explain.json (reasons in shopper words)"},
    {"PREFIX/share/trendguard/data/", "word lists for the generator"},
    {NULL, NULL}};

static const cli_item environment[] = {
    {"TRENDGUARD_DB", "the store when --db is not given"},
    {"XDG_DATA_HOME",
     "else the store is $XDG_DATA_HOME/trendguard/trendguard.db"},
    {"HOME", "else the store is ~/.local/share/trendguard/trendguard.db"},
    {"TRENDGUARD_SHARE",
     "the folder holding assets/ and data/ (default: found from the "
     "executable: the build tree, or PREFIX/share/trendguard)"},
    {"TRENDGUARD_BUSY_TIMEOUT_MS",
     "how long a write waits for another process's (default 5000)"},
    {"TMPDIR", "where standard input is kept while a command reads it "
               "('-' as a file name; default /tmp)"},
    {"NO_COLOR", "monochrome app, plain report headings"},
    {"TRENDGUARD_SEED",
     "a whole number that fixes the app engine's draws (ties between tips, "
     "the budget's bar), for scripted sessions and usability tests"},
    {"XDG_CONFIG_HOME",
     "the app's settings are $XDG_CONFIG_HOME/trendguard/config (else "
     "~/.config/trendguard/config)"},
    {"TERM", "the app needs a terminal (not dumb); progress bars show "
             "only on one"},
    {"http_proxy, https_proxy, no_proxy",
     "as libcurl reads them, for sync and the app's trend feed"},
    {NULL, NULL}};

static const cli_program program = {
    "trendguard", "regret-risk scores and nudges against impulse returns",
    "TrendGuard helps a fast-fashion retailer cut the returns of "
    "TikTok-driven impulse purchases. Its commands load CSV exports and "
    "trend feeds into one SQLite store, score every purchase line's risk "
    "of being returned with an XGBoost model (trained by "
    "trendguard-train, evaluated here without libxgboost), decide nudges "
    "for the risky ones, simulate what the nudges do to returns, and "
    "report or export what happened.",
    &cmd_open_spec, commands, files, environment,
    "trendguard-train(1), sqlite3(1)"};

/* "unknown command 'statsu'; did you mean status?" */
static int unknown_command(const cli_ctx *c, const char *word)
{
    const char *names[64];
    int n = 0;
    for (const cli_spec *const *s = commands; *s && n < 64; s++)
        names[n++] = (*s)->name;
    char near[200];
    cli_nearest(word, names, n, "", near, sizeof near);
    return near[0] ? cli_usage(c, "unknown command '%s'; did you mean %s?",
                               word, near)
                   : cli_usage(c, "unknown command '%s'", word);
}

static int cmd_help(int argc, char **argv)
{
    cli_ctx c;
    int rc = cli_parse(&c, &help_spec, argc, argv);
    if (rc >= 0)
        return rc;
    if (c.nargs == 0) {
        cli_print_help(stdout, &cmd_open_spec);
        return TG_OK;
    }
    const cli_spec *k = *c.args[0] ? cli_find(c.args[0]) : NULL;
    if (!k || k == &cmd_open_spec)
        return unknown_command(&c, c.args[0]);
    cli_print_help(stdout, k);
    return TG_OK;
}

/* `trendguard --db PATH COMMAND ...` is `trendguard COMMAND --db PATH ...`:
 * moves the leading --db behind the command's name, in place. */
static void db_first(int argc, char **argv)
{
    int n = 0; /* argv entries the leading --db takes */
    if (argc >= 4 && strcmp(argv[1], "--db") == 0)
        n = 2;
    else if (argc >= 3 && strncmp(argv[1], "--db=", 5) == 0)
        n = 1;
    if (!n || argv[1 + n][0] == '-')
        return;
    char *db[2] = {argv[1], argv[2]};
    argv[1] = argv[1 + n];
    memmove(argv + 2, argv + 2 + n, (size_t)(argc - 2 - n) * sizeof *argv);
    for (int i = 0; i < n; i++)
        argv[argc - n + i] = db[i];
    /* argv[1] is the command now; its own options follow in any order. */
}

int main(int argc, char **argv)
{
    cli_register(&program);
    int rc = cli_generate(argc, argv);
    if (rc >= 0)
        return rc;
    db_first(argc, argv);
    if (argc >= 2 && argv[1][0] != '-') {
        const cli_spec *k = argv[1][0] ? cli_find(argv[1]) : NULL;
        if (k && k != &cmd_open_spec) {
            rc = k->fn(argc - 1, argv + 1);
            cli_stdin_done();
            return rc;
        }
        cli_ctx c;
        cli_begin(&c, &cmd_open_spec);
        return unknown_command(&c, argv[1]);
    }
    rc = cmd_open(argc, argv);
    cli_stdin_done();
    return rc;
}
