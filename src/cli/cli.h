/* cli.h: what the command-line front ends (`trendguard` and its
 * subcommands, `trendguard-train`) share: the command table, the common
 * options (--db, --help, --version), error printing, exit codes and a
 * progress bar. */
#ifndef TRENDGUARD_CLI_H
#define TRENDGUARD_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

#include "trendguard/util.h"

#ifndef TG_VERSION
#define TG_VERSION "0.0.0"
#endif

/* A subcommand: parses its own arguments (argv[0] is its name) and returns
 * an exit code (sysexits.h values, see util.h). */
typedef int (*cli_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cli_fn fn;
    const char *synopsis; /* "gen --out DIR [--scale demo|small|full]" */
    const char *summary;  /* one line */
} cli_command;

/* Registers the program name ("trendguard") and its table of commands,
 * terminated by a NULL name; a program without subcommands has one entry
 * named "". Call once from main(). */
void cli_register(const char *prog, const cli_command *table);
/* The registered table. */
const cli_command *cli_table(void);

/* Long-option ids shared by every command. */
enum { CLI_OPT_DB = 1000, CLI_OPT_HELP, CLI_OPT_VERSION, CLI_OPT_FIRST_FREE };
#define CLI_COMMON_OPTIONS                                                    \
    {"db", required_argument, NULL, CLI_OPT_DB},                              \
        {"help", no_argument, NULL, CLI_OPT_HELP},                            \
        {"version", no_argument, NULL, CLI_OPT_VERSION}

/* Shared state the common options fill. */
typedef struct cli_ctx {
    const char *cmd;   /* "gen", or "" for a program without subcommands */
    char who[64];      /* "trendguard gen": how errors start */
    char db[4096];     /* resolved store path */
    int db_given;      /* --db was on the command line */
} cli_ctx;

/* Starts option parsing for cmd: resets getopt and resolves the default
 * store path. */
void cli_begin(cli_ctx *c, const char *cmd);
/* Handles a common option or an unknown one. Returns -1 when the option was
 * handled and parsing goes on, or an exit code to return right away (0
 * after --help/--version, 64 for a bad option). */
int cli_common(cli_ctx *c, int opt, const char *arg);
/* Prints "trendguard CMD: message" to stderr and returns the exit code. */
int cli_fail(const cli_ctx *c, const tg_err *e);
/* Prints a usage error ("trendguard CMD: ...; see --help") and returns 64. */
int cli_usage(const cli_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints the synopsis and help text of a command to f. */
void cli_print_help(FILE *f, const char *cmd);
/* Parses numbers from option arguments; on failure returns a usage error
 * code (64) naming the option, else -1. */
int cli_int(const cli_ctx *c, const char *opt, const char *arg, long lo,
            long hi, long *out);
int cli_double(const cli_ctx *c, const char *opt, const char *arg, double lo,
               double hi, double *out);
/* True when stderr is a terminal (progress bars go there). */
int cli_interactive(void);

/* A progress bar on stderr when it is a terminal; silent otherwise. */
typedef struct cli_progress {
    const char *label;
    double start, last;
    int active;
} cli_progress;
void cli_progress_begin(cli_progress *p, const char *label);
void cli_progress_update(cli_progress *p, double fraction, const char *note);
void cli_progress_end(cli_progress *p);

#endif
