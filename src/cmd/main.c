/* main.c: `trendguard` entry point: dispatches to a subcommand, or opens the
 * app when there is none. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"

static const cli_command cli_commands[] = {
    {"gen", cmd_gen,
     "gen --out DIR [--scale demo|small|full] [--seed N]",
     "Write a synthetic TrendBuy data set as CSV (products, customers, "
     "tiktok_trends, purchases, returns, truth)."},
    {"ingest", cmd_ingest,
     "ingest [--format trendbuy|online-retail] [--strict] PATH...",
     "Clean, validate and load CSV files (or folders of them) into the "
     "store; rejected rows are kept in the rejects table with their reason."},
    {"status", cmd_status, "status [--json]",
     "Summarise the store: row counts, date range, return rate, rejects."},
    {"predict", cmd_predict,
     "predict --model PATH [--margin|--contribs] [FILE]",
     "Score a numeric CSV with an XGBoost JSON model, one line per row."},
    {"score", cmd_score, "score [--model PATH]",
     "Score every unscored purchase line with the newest registered model "
     "(or --model PATH);\nscores at or above the model's threshold queue "
     "interventions."},
    {"sync", cmd_sync,
     "sync --url URL [--format auto|feed|tiktok-scraper] [--timeout S] "
     "[--json] [--max-mb N] [--allow-link-local]",
     "Fetch a trend feed over HTTP(S) into the store."},
    {"nudge", cmd_nudge,
     "nudge --process-queue [--limit N] [--seed N] [--json] | --bandit [--catalog FILE]",
     "Decide the queued interventions (a nudge or none, with its offer and "
     "why) and settle\nthe outcomes of earlier ones; --bandit lists what "
     "shoppers took up."},
    {"simulate", cmd_simulate,
     "simulate [--months N] [--shoppers N] [--seed N] [--json] [--model PATH | --rules]\n"
     "         [--assumptions FILE] [--catalog FILE] [--threads N] [--bootstrap N]\n"
     "         [--sweep [--seeds N]]",
     "Run the offline A/B shopper simulation: the nudge engine against the "
     "same shoppers without\nnudges (paired), control and three baselines "
     "(random with the same budget, rules in place\nof the model, badge "
     "only); --sweep moves every assumption to its low and high value."},
    {"report", cmd_report, "report [--json] [--html FILE]",
     "Regret-driver analysis: return rates by driver with 95% intervals, "
     "the model's view, trends,\nand what the nudges saved; --html writes "
     "a self-contained page with charts."},
    {"sessions", cmd_sessions, "sessions [--session NAME] [--json]",
     "List the app's recorded usability-testing sessions, or one session's "
     "events with their timings."},
    {"export", cmd_export,
     "export --out DIR [--since DATE] | export --training-set --out DIR "
     "[--shards N] [--valid-days N]",
     "Write the store as a Power BI-ready star schema (CSV facts and "
     "dimensions, README.md); with\n--training-set, the mature training set "
     "as N LIBSVM shards split by customer, with a\nmanifest, for "
     "trendguard-train's workers."},
    {NULL, NULL, NULL, NULL}};

/* Prints text wrapped at 78 columns, every line after the first indented
 * by indent spaces; line breaks in text are spaces here. */
static void wrapped(FILE *f, const char *text, int indent)
{
    int col = indent;
    while (*text) {
        while (*text == ' ' || *text == '\n')
            text++;
        int len = 0;
        while (text[len] && text[len] != ' ' && text[len] != '\n')
            len++;
        if (!len)
            break;
        if (col > indent && col + 1 + len > 78) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (col > indent) {
            fputc(' ', f);
            col++;
        }
        fprintf(f, "%.*s", len, text);
        col += len;
        text += len;
    }
    fputc('\n', f);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: trendguard [--db PATH] [COMMAND [OPTIONS]]\n"
               "       trendguard [--db PATH] [--persona ID] [--session NAME] "
               "[--theme colour|mono]\n"
               "                  [--feed URL] [--feed-minutes N] [--offline] "
               "[--replay FILE [--timings FILE]]\n\n"
               "With no command, opens the TrendGuard app (creating a demo "
               "store on first run).\n\ncommands:\n");
    for (const cli_command *k = cli_commands; k->name; k++) {
        fprintf(f, "  %-9s ", k->name);
        wrapped(f, k->summary, 12);
    }
    fprintf(f, "\n'trendguard COMMAND --help' describes a command.\n");
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
    cli_register("trendguard", cli_commands);
    db_first(argc, argv);
    if (argc >= 2 && argv[1][0] != '-') {
        for (const cli_command *k = cli_commands; k->name; k++)
            if (strcmp(argv[1], k->name) == 0)
                return k->fn(argc - 1, argv + 1);
        fprintf(stderr, "trendguard: unknown command '%s' (see trendguard "
                        "--help)\n", argv[1]);
        return TG_EUSAGE;
    }
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("trendguard %s\n", TG_VERSION);
        return 0;
    }
    return cmd_open(argc, argv);
}
