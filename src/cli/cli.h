/* cli.h: what the command-line front ends (`trendguard` and its
 * subcommands, `trendguard-train`) share: one option table per command
 * (cli_spec) from which the parser, --help, the man pages and the shell
 * completions are all made; the common options (--db, -h/--help,
 * -V/--version); errors with the nearest valid option suggested; exit
 * codes; standard input as '-'; JSON output; a progress bar. */
#ifndef TRENDGUARD_CLI_H
#define TRENDGUARD_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "trendguard/util.h"

#ifndef TG_VERSION
#define TG_VERSION "0.0.0"
#endif

/* ---- the tables ------------------------------------------------------- */

/* What an option's value (or a command's arguments) is: how it is checked
 * and how the shells complete it. */
typedef enum cli_type {
    CLI_FLAG,   /* no value */
    CLI_INT,    /* a whole number from lo to hi */
    CLI_REAL,   /* a number from lo to hi */
    CLI_TEXT,   /* any text */
    CLI_CHOICE, /* one of the words of arg ("demo|small|full") */
    CLI_FILE,   /* a file to read */
    CLI_OUT,    /* a file to write */
    CLI_DIR,    /* a folder */
    CLI_URL,    /* an http(s) URL */
    CLI_CMD     /* a command's name (`help CMD`) */
} cli_type;

enum { CLI_REQUIRED = 1 };

/* sysexits.h's EX_CANTCREAT: an output file that may not be replaced. */
#define CLI_ECANTCREAT 73

/* One option. A command's table is an array of these indexed by the
 * command's own enum (designated initializers), ended by CLI_END; the
 * parser answers by that index. */
typedef struct cli_opt {
    const char *name;  /* long name without the dashes: "scale" */
    char short_name;   /* 'o' for -o, or 0 */
    cli_type type;
    const char *arg;   /* the value's name in help ("N"); the choices */
    double lo, hi;     /* CLI_INT and CLI_REAL: the range */
    const char *def;   /* the default, parsed like a value; NULL: none */
    unsigned flags;    /* CLI_REQUIRED */
    const char *help;  /* one or two sentences, lower case, no final dot */
} cli_opt;

/* One line per option. */
#define CLI_OPT_FLAG(s, n, h) {n, s, CLI_FLAG, NULL, 0, 0, NULL, 0, h}
#define CLI_OPT_INT(s, n, a, lo, hi, d, h) {n, s, CLI_INT, a, lo, hi, d, 0, h}
#define CLI_OPT_REAL(s, n, a, lo, hi, d, h) {n, s, CLI_REAL, a, lo, hi, d, 0, h}
#define CLI_OPT_TEXT(s, n, a, h) {n, s, CLI_TEXT, a, 0, 0, NULL, 0, h}
#define CLI_OPT_CHOICE(s, n, c, d, h) {n, s, CLI_CHOICE, c, 0, 0, d, 0, h}
#define CLI_OPT_FILE(s, n, a, h) {n, s, CLI_FILE, a, 0, 0, NULL, 0, h}
#define CLI_OPT_OUT(s, n, a, h) {n, s, CLI_OUT, a, 0, 0, NULL, 0, h}
#define CLI_OPT_DIR(s, n, a, h) {n, s, CLI_DIR, a, 0, 0, NULL, 0, h}
#define CLI_OPT_URL(s, n, h) {n, s, CLI_URL, "URL", 0, 0, NULL, 0, h}
/* The same, but the command cannot run without it. */
#define CLI_OPT_MUST(s, n, t, a, h) {n, s, t, a, 0, 0, NULL, CLI_REQUIRED, h}
#define CLI_OPT_JSON CLI_OPT_FLAG(0, "json", "print the result as one JSON " \
                                  "object on one line")
#define CLI_END {NULL, 0, CLI_FLAG, NULL, 0, 0, NULL, 0, NULL}
#define CLI_MAX_OPTS 40

/* An example: the command line and what it does. */
typedef struct cli_example {
    const char *line;
    const char *what;
} cli_example;

/* A subcommand: parses its own arguments (argv[0] is its name) and returns
 * an exit code (sysexits.h values, see util.h). */
typedef int (*cli_fn)(int argc, char **argv);

/* A command: its options, arguments, words and examples. */
typedef struct cli_spec {
    const char *name;    /* "gen"; "" for the program's own options */
    cli_fn fn;
    const char *summary; /* one line for `trendguard help` */
    const char *about;   /* what it does, for --help and the man page */
    const cli_opt *opts; /* ends with CLI_END */
    const char *args;    /* the arguments in the synopsis ("PATH..."), or
                          * NULL when it takes none */
    cli_type args_type;  /* how they complete */
    int min_args, max_args; /* max_args -1: any number */
    const cli_example *examples; /* ends with {NULL, NULL} */
} cli_spec;

/* A term and its description (the man page's FILES and ENVIRONMENT). */
typedef struct cli_item {
    const char *term, *text;
} cli_item;

/* A program: its own options (spec "" ) and its commands. */
typedef struct cli_program {
    const char *name;        /* "trendguard" */
    const char *title;       /* the man page's NAME line after the dash */
    const char *about;       /* DESCRIPTION */
    const cli_spec *self;    /* options with no command */
    const cli_spec *const *commands; /* NULL-terminated; NULL: none */
    const cli_item *files, *environment; /* end with {NULL, NULL} */
    const char *see_also;    /* "trendguard-train(1), sqlite3(1)" */
} cli_program;

/* Registers the program; call once from main(). */
void cli_register(const cli_program *p);
const cli_program *cli_prog(void);
/* The command named name (the program's own spec for ""), or NULL. */
const cli_spec *cli_find(const char *name);

/* ---- parsing ---------------------------------------------------------- */

/* What a parse found. */
typedef struct cli_ctx {
    const cli_spec *spec;
    char who[64];         /* "trendguard gen": how errors start */
    char db[4096];        /* resolved store path */
    int db_given;         /* --db was on the command line */
    char **args;          /* the arguments that are not options */
    int nargs;
    int given[CLI_MAX_OPTS];       /* times on the command line */
    const char *text[CLI_MAX_OPTS]; /* the value given, or the default */
    double num[CLI_MAX_OPTS];      /* CLI_INT and CLI_REAL values */
    int pick[CLI_MAX_OPTS];        /* CLI_CHOICE: the index of the word */
} cli_ctx;

/* Parses argv (argv[0] the command's name) against spec and the common
 * options, in any order; `--` ends the options and `-` is an argument.
 * Returns -1 when the command should run, or an exit code to return at
 * once: 0 after --help or --version (printed), 64 for a usage error
 * (printed to stderr as one line naming the option and what is wrong,
 * with the nearest valid option suggested). Moves the arguments that are
 * not options to the front of argv + 1 (c->args). */
int cli_parse(cli_ctx *c, const cli_spec *spec, int argc, char **argv);
/* Sets up c for spec without parsing (who, db, defaults). */
void cli_begin(cli_ctx *c, const cli_spec *spec);

/* When option id was not given, takes its value from the environment
 * variable var (when set), checked as the option's would be; an error
 * names var. Returns -1, or 64 (printed). */
int cli_env(cli_ctx *c, int id, const char *var);

/* The values: id is the option's index in the command's table. */
int cli_has(const cli_ctx *c, int id);            /* given */
const char *cli_str(const cli_ctx *c, int id);    /* value or default */
long cli_long(const cli_ctx *c, int id);
double cli_real(const cli_ctx *c, int id);
int cli_pick(const cli_ctx *c, int id);           /* choice index, or -1 */

/* Prints "trendguard CMD: message" to stderr and returns the exit code. */
int cli_fail(const cli_ctx *c, const tg_err *e);
/* Prints a usage error ("trendguard CMD: ... (see trendguard CMD --help)")
 * and returns 64. */
int cli_usage(const cli_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The nearest of n names to word (edit distance, or a prefix), up to
 * three joined by " or ", written to out; "" when none is near. */
void cli_nearest(const char *word, const char *const *names, int n,
                 const char *prefix, char *out, size_t outn);

/* ---- standard input ---------------------------------------------------- */

/* For a file that is read more than once (or by name): when *path is "-",
 * copies standard input to a temporary file and points *path at it; error
 * messages then name it "stdin". Returns TG_OK or an error (printed). One
 * '-' per command. cli_stdin_done removes the copy. */
int cli_stdin_file(const cli_ctx *c, const char **path);
void cli_stdin_done(void);
/* "stdin" for the copy's path, else path (or any text from outside) with
 * its control characters and bytes that are not UTF-8 made visible
 * (tg_text_visible), for printing to a terminal. Four results may be in
 * use at once. */
const char *cli_shown(const char *path);

/* ---- output ------------------------------------------------------------ */

/* Prints the --help of a command (the program's for "" ) to f. */
void cli_print_help(FILE *f, const cli_spec *spec);
/* The synopsis of spec ("trendguard gen --out DIR [--seed N]") to buf,
 * with sp between the words of one item ("--out" sp "DIR"). */
void cli_synopsis(const cli_spec *spec, char sp, char *buf, size_t n);
/* An option's help with its range and default, to buf. */
void cli_opt_help(const cli_opt *o, char *buf, size_t n);
/* An option's left column ("-o, --out DIR"), to buf. */
void cli_opt_label(const cli_opt *o, char *buf, size_t n);
/* The common options' table (--db, --help, --version), in this order. */
enum { CLI_COMMON_DB, CLI_COMMON_HELP, CLI_COMMON_VERSION, CLI_COMMON_N };
const cli_opt *cli_common_opts(void);
/* Writes the man page (roff) of the registered program. */
void cli_man(FILE *f);
/* Writes the bash or zsh completion of the registered program; returns
 * -1 for another shell. */
int cli_completion(FILE *f, const char *shell);
/* `PROG --generate man|bash|zsh`, the build's way to make the man page
 * and the completions: returns an exit code when argv asks for it, else
 * -1. */
int cli_generate(int argc, char **argv);

/* Prints JSON text compacted to one line and a newline on stdout; returns
 * TG_OK, or 70 (printed) when text is NULL (out of memory). */
int cli_json_print(const cli_ctx *c, char *text);
/* Prints a cJSON object compactly (one line) and frees it. */
struct cJSON;
int cli_json_emit(const cli_ctx *c, struct cJSON *obj);

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
