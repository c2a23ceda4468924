/* cli.c: the shared option handling, errors, help and progress bar of the
 * command-line front ends. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char *program = "trendguard";
static const cli_command *commands;

void cli_register(const char *prog, const cli_command *table)
{
    program = prog;
    commands = table;
}

const cli_command *cli_table(void)
{
    return commands;
}

void cli_begin(cli_ctx *c, const char *cmd)
{
    memset(c, 0, sizeof *c);
    c->cmd = cmd;
    snprintf(c->who, sizeof c->who, "%s%s%s", program, *cmd ? " " : "", cmd);
    if (tg_default_db_path(c->db, sizeof c->db) != 0)
        tg_strlcpy(c->db, "trendguard.db", sizeof c->db);
    optind = 0; /* glibc: full re-initialisation */
    opterr = 0;
}

static const cli_command *find(const char *cmd)
{
    for (const cli_command *k = commands; k && k->name; k++)
        if (strcmp(k->name, cmd) == 0)
            return k;
    return NULL;
}

void cli_print_help(FILE *f, const char *cmd)
{
    const cli_command *k = find(cmd);
    if (!k)
        return;
    fprintf(f, "usage: %s %s\n\n%s\n\n", program, k->synopsis, k->summary);
    fprintf(f, "common options:\n"
               "  --db PATH    the store (default: $TRENDGUARD_DB, else "
               "$XDG_DATA_HOME/trendguard/trendguard.db,\n"
               "               else ~/.local/share/trendguard/trendguard.db)\n"
               "  --help       this text\n"
               "  --version    the version\n\n"
               "exit codes: 0 ok, 64 usage, 65 bad input data, 66 input "
               "missing,\n"
               "            69 service unavailable, 70 internal error, 74 "
               "I/O error\n");
}

int cli_common(cli_ctx *c, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_DB:
        if (!arg || !*arg)
            return cli_usage(c, "--db needs a path");
        tg_strlcpy(c->db, arg, sizeof c->db);
        c->db_given = 1;
        return -1;
    case CLI_OPT_HELP:
        cli_print_help(stdout, c->cmd);
        return 0;
    case CLI_OPT_VERSION:
        printf("%s %s\n", program, TG_VERSION);
        return 0;
    case ':':
        return cli_usage(c, "option %s needs a value",
                         optind > 0 ? "before it" : "");
    default:
        return cli_usage(c, "unknown option");
    }
}

int cli_fail(const cli_ctx *c, const tg_err *e)
{
    fprintf(stderr, "%s: %s\n", c->who,
            e->msg[0] ? e->msg : tg_code_name(e->code));
    return e->code ? e->code : TG_EINTERNAL;
}

int cli_usage(const cli_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s (see %s --help)\n", c->who, msg, c->who);
    return TG_EUSAGE;
}

int cli_int(const cli_ctx *c, const char *opt, const char *arg, long lo,
            long hi, long *out)
{
    int64_t v;
    if (!arg || tg_parse_int64(arg, &v) != 0 || v < lo || v > hi)
        return cli_usage(c, "%s takes a whole number from %ld to %ld, not "
                            "'%s'", opt, lo, hi, arg ? arg : "");
    *out = (long)v;
    return -1;
}

int cli_double(const cli_ctx *c, const char *opt, const char *arg, double lo,
               double hi, double *out)
{
    double v;
    if (!arg || tg_parse_double(arg, &v) != 0 || v < lo || v > hi)
        return cli_usage(c, "%s takes a number from %g to %g, not '%s'", opt,
                         lo, hi, arg ? arg : "");
    *out = v;
    return -1;
}

int cli_interactive(void)
{
    const char *t = getenv("TERM");
    return isatty(STDERR_FILENO) && t && strcmp(t, "dumb") != 0;
}

void cli_progress_begin(cli_progress *p, const char *label)
{
    p->label = label;
    p->start = p->last = tg_now_mono();
    p->active = cli_interactive();
}

void cli_progress_update(cli_progress *p, double fraction, const char *note)
{
    if (!p->active)
        return;
    double now = tg_now_mono();
    if (now - p->last < 0.1 && fraction < 1.0)
        return;
    p->last = now;
    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    int width = 30, fill = (int)(fraction * width + 0.5);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    double el = now - p->start;
    double eta = fraction > 0.01 ? el / fraction - el : 0;
    /* One line that fits the terminal: a wrapped line cannot be redrawn. */
    char line[512];
    snprintf(line, sizeof line, "%s [%s] %3.0f%% eta %.0fs  %s", p->label,
             bar, fraction * 100, eta, note ? note : "");
    struct winsize ws;
    size_t cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1
                      ? ws.ws_col - 1
                      : 79;
    if (strlen(line) > cols)
        line[cols] = '\0';
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->active) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    p->active = 0;
}
