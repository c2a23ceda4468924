/* help.c: the --help text of a command and of the program, made from the
 * command's table (cli_spec): the synopsis, what it does, each option with
 * its value, range and default, the common options and examples. The man
 * page (man.c) is made from the same pieces. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

#define WIDTH 78
#define HELP_COL 26 /* where an option's help starts */
#define NBSP '\001' /* a space the synopsis must not break at */

static const cli_opt common[] = {
    [CLI_COMMON_DB] = CLI_OPT_FILE(0, "db", "PATH",
                                   "the store (default: $TRENDGUARD_DB, else "
                                   "$XDG_DATA_HOME/trendguard/trendguard.db, "
                                   "else ~/.local/share/trendguard/"
                                   "trendguard.db)"),
    [CLI_COMMON_HELP] = CLI_OPT_FLAG('h', "help", "show this help and exit"),
    [CLI_COMMON_VERSION] = CLI_OPT_FLAG('V', "version",
                                        "show the version and exit"),
    CLI_END};

const cli_opt *cli_common_opts(void)
{
    return common;
}

/* Prints text from column col, wrapped at WIDTH, later lines indented by
 * indent; a blank line ("\n\n") starts a new paragraph at indent. */
static void wrap(FILE *f, const char *text, int col, int indent)
{
    const char *p = text;
    int first = 1;
    while (*p) {
        if (p[0] == '\n' && p[1] == '\n') {
            fprintf(f, "\n\n%*s", indent, "");
            col = indent;
            first = 1;
            while (*p == '\n')
                p++;
            continue;
        }
        if (*p == ' ' || *p == '\n') {
            p++;
            continue;
        }
        int len = (int)strcspn(p, " \n");
        if (!first && col + 1 + len > WIDTH) {
            fprintf(f, "\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        for (int i = 0; i < len; i++)
            fputc(p[i] == NBSP ? ' ' : p[i], f);
        col += len;
        p += len;
        first = 0;
    }
    fputc('\n', f);
}

/* Appends to buf (size n, used so far *u). */
static void add(char *buf, size_t n, size_t *u, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t n, size_t *u, const char *fmt, ...)
{
    if (*u + 1 >= n)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *u, n - *u, fmt, ap);
    va_end(ap);
    if (k > 0)
        *u += (size_t)k < n - *u ? (size_t)k : n - *u - 1;
}

void cli_synopsis(const cli_spec *s, char sp, char *buf, size_t n)
{
    size_t u = 0;
    const cli_program *p = cli_prog();
    add(buf, n, &u, "%s", p ? p->name : "trendguard");
    if (*s->name)
        add(buf, n, &u, " %s", s->name);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; s->opts && s->opts[i].name; i++) {
            const cli_opt *o = &s->opts[i];
            int must = (o->flags & CLI_REQUIRED) != 0;
            if (must != (pass == 0))
                continue;
            add(buf, n, &u, " %s--%s", must ? "" : "[", o->name);
            if (o->type != CLI_FLAG)
                add(buf, n, &u, "%c%s", sp, o->arg);
            add(buf, n, &u, "%s", must ? "" : "]");
        }
    if (s->args)
        add(buf, n, &u, " %s", s->args);
}

void cli_opt_label(const cli_opt *o, char *buf, size_t n)
{
    size_t u = 0;
    if (o->short_name)
        add(buf, n, &u, "-%c, ", o->short_name);
    else
        add(buf, n, &u, "    ");
    add(buf, n, &u, "--%s", o->name);
    if (o->type != CLI_FLAG)
        add(buf, n, &u, " %s", o->arg);
}

void cli_opt_help(const cli_opt *o, char *buf, size_t n)
{
    size_t u = 0;
    add(buf, n, &u, "%s", o->help);
    int ranged = (o->type == CLI_INT || o->type == CLI_REAL) && o->hi > o->lo;
    if (ranged && o->hi >= 1e15)
        add(buf, n, &u, " (%.15g or more)", o->lo);
    else if (ranged && o->def)
        add(buf, n, &u, " (%.15g to %.15g; default %s)", o->lo, o->hi, o->def);
    else if (ranged)
        add(buf, n, &u, " (%.15g to %.15g)", o->lo, o->hi);
    else if (o->def)
        add(buf, n, &u, " (default: %s)", o->def);
}

static void print_opts(FILE *f, const char *title, const cli_opt *t)
{
    if (!t || !t->name)
        return;
    fprintf(f, "\n%s:\n", title);
    for (; t->name; t++) {
        char label[128], help[1024];
        cli_opt_label(t, label, sizeof label);
        cli_opt_help(t, help, sizeof help);
        int col = fprintf(f, "  %s", label);
        if (col + 2 > HELP_COL) {
            fprintf(f, "\n%*s", HELP_COL, "");
        } else {
            fprintf(f, "%*s", HELP_COL - col, "");
        }
        wrap(f, help, HELP_COL, HELP_COL);
    }
}

static void print_examples(FILE *f, const cli_example *e)
{
    if (!e || !e->line)
        return;
    fprintf(f, "\nexamples:\n");
    for (; e->line; e++) {
        fprintf(f, "  %s\n      ", e->line);
        wrap(f, e->what, 6, 6);
    }
}

static void print_usage(FILE *f, const cli_spec *s)
{
    char syn[1024];
    cli_synopsis(s, NBSP, syn, sizeof syn);
    const cli_program *p = cli_prog();
    /* Continuation lines line up after the program and command names. */
    int indent = 7 + (int)strlen(p ? p->name : "trendguard") + 1 +
                 (*s->name ? (int)strlen(s->name) + 1 : 0);
    fprintf(f, "usage: ");
    wrap(f, syn, 7, indent);
    if (!*s->name && p && p->commands)
        fprintf(f, "       %s COMMAND [OPTIONS] [ARGUMENTS]\n", p->name);
}

static void print_commands(FILE *f, const cli_program *p)
{
    fprintf(f, "\ncommands:\n");
    for (const cli_spec *const *k = p->commands; *k; k++) {
        int col = fprintf(f, "  %-9s ", (*k)->name);
        wrap(f, (*k)->summary, col, col);
    }
}

void cli_print_help(FILE *f, const cli_spec *s)
{
    const cli_program *p = cli_prog();
    print_usage(f, s);
    fputc('\n', f);
    wrap(f, s->about, 0, 0);
    if (!*s->name && p && p->commands)
        print_commands(f, p);
    print_opts(f, "options", s->opts);
    print_opts(f, "common options", cli_common_opts());
    print_examples(f, s->examples);
    if (!*s->name && p && p->commands)
        fprintf(f, "\n'%s help COMMAND' (or '%s COMMAND --help') describes "
                   "a command.\n", p->name, p->name);
}
