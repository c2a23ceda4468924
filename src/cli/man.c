/* man.c: the man page of a program (roff, man macros), made from the same
 * tables as --help: the synopsis, the program's own options, the common
 * options, every command with its options and examples, the files, the
 * environment, the exit codes and examples. The build writes it with
 * `PROG --generate man`. */
#include "cli.h"

#include <ctype.h>
#include <string.h>

/* Writes text escaped for roff: dashes as \-, quotes that do not turn
 * curly, backslashes; a blank line becomes a new paragraph. */
static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (s[0] == '\n' && s[1] == '\n') {
            fputs("\n.PP\n\\&", f);
            while (s[1] == '\n')
                s++;
            continue;
        }
        switch (*s) {
        case '\\': fputs("\\e", f); break;
        case '-': fputs("\\-", f); break;
        case '\'': fputs("\\(aq", f); break;
        case '`': fputs("\\(ga", f); break;
        case '\001': fputs("\\ ", f); break;
        case '\n': fputc(' ', f); break;
        default: fputc(*s, f);
        }
    }
}

static void para(FILE *f, const char *text)
{
    fputs(".PP\n\\&", f);
    esc(f, text);
    fputc('\n', f);
}

/* An option's tag: "\fB-o\fR, \fB--out\fR \fIDIR\fR". */
static void opt_tag(FILE *f, const cli_opt *o)
{
    fputs(".TP\n", f);
    if (o->short_name)
        fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
    fputs("\\fB\\-\\-", f);
    esc(f, o->name);
    fputs("\\fR", f);
    if (o->type != CLI_FLAG) {
        fputs(" \\fI", f);
        esc(f, o->arg);
        fputs("\\fR", f);
    }
    fputc('\n', f);
}

static void opts(FILE *f, const cli_opt *t)
{
    for (; t && t->name; t++) {
        char help[1024];
        cli_opt_help(t, help, sizeof help);
        opt_tag(f, t);
        esc(f, help);
        fputc('\n', f);
    }
}

static void examples(FILE *f, const cli_example *e)
{
    for (; e && e->line; e++) {
        fputs(".TP\n\\fB", f);
        esc(f, e->line);
        fputs("\\fR\n", f);
        esc(f, e->what);
        fputc('\n', f);
    }
}

static void items(FILE *f, const char *title, const cli_item *it)
{
    if (!it || !it->term)
        return;
    fprintf(f, ".SH %s\n", title);
    for (; it->term; it++) {
        fputs(".TP\n\\fI", f);
        esc(f, it->term);
        fputs("\\fR\n", f);
        esc(f, it->text);
        fputc('\n', f);
    }
}

static void synopsis(FILE *f, const cli_spec *s)
{
    char syn[1024];
    cli_synopsis(s, '\001', syn, sizeof syn);
    fputs("\\fB", f);
    /* The program and command names in bold, the rest plain. */
    const char *rest = strchr(syn, ' ');
    if (rest && *s->name)
        rest = strchr(rest + 1, ' ');
    fprintf(f, "%.*s\\fR", rest ? (int)(rest - syn) : (int)strlen(syn), syn);
    if (rest)
        esc(f, rest);
    fputc('\n', f);
}

static void command(FILE *f, const cli_spec *s)
{
    const cli_program *p = cli_prog();
    fprintf(f, ".SS \"%s %s\"\n.PP\n", p->name, s->name);
    synopsis(f, s);
    para(f, s->about);
    if (s->opts && s->opts->name) {
        fputs(".PP\nOptions:\n.RS\n", f);
        opts(f, s->opts);
        fputs(".RE\n", f);
    }
    if (s->examples && s->examples->line) {
        fputs(".PP\nExamples:\n.RS\n", f);
        examples(f, s->examples);
        fputs(".RE\n", f);
    }
}

static const cli_item exit_codes[] = {
    {"0", "success"},
    {"64", "usage error: an unknown option, a missing or bad value"},
    {"65", "bad input data: a rejected row, a malformed file or model"},
    {"66", "input missing: no such file, no store, no model"},
    {"69", "service unavailable: the network or the feed's server"},
    {"70", "internal error: out of memory, a library failing"},
    {"73", "cannot create an output file: it belongs to something else"},
    {"74", "I/O error: cannot write, disk full"},
    {NULL, NULL}};

static void header(FILE *f, const cli_program *p)
{
    char upper[64];
    size_t i = 0;
    for (; p->name[i] && i + 1 < sizeof upper; i++)
        upper[i] = (char)toupper((unsigned char)p->name[i]);
    upper[i] = '\0';
    fprintf(f, ".\\\" %s.1: made by '%s --generate man' from the option "
               "tables; do not edit.\n", p->name, p->name);
    fprintf(f, ".TH %s 1 \"\" \"TrendGuard %s\" \"User Commands\"\n", upper,
            TG_VERSION);
    fputs(".nh\n.ad l\n.SH NAME\n", f);
    esc(f, p->name);
    fputs(" \\- ", f);
    esc(f, p->title);
    fputs("\n.SH SYNOPSIS\n", f);
    synopsis(f, p->self);
    if (p->commands)
        fprintf(f, ".br\n\\fB%s\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR] "
                   "[\\fIARGUMENTS\\fR]\n", p->name);
}

void cli_man(FILE *f)
{
    const cli_program *p = cli_prog();
    header(f, p);
    fputs(".SH DESCRIPTION\n", f);
    para(f, p->about);
    para(f, p->self->about);
    if (p->self->opts && p->self->opts->name) {
        fputs(".SH OPTIONS\n", f);
        opts(f, p->self->opts);
    }
    fputs(".SH COMMON OPTIONS\n", f);
    if (p->commands)
        para(f, "Every command takes these.");
    opts(f, cli_common_opts());
    if (p->commands) {
        fputs(".SH COMMANDS\n", f);
        for (const cli_spec *const *k = p->commands; *k; k++)
            command(f, *k);
    }
    items(f, "FILES", p->files);
    items(f, "ENVIRONMENT", p->environment);
    fputs(".SH EXIT STATUS\n", f);
    para(f, "As sysexits.h has them; errors go to standard error as one "
            "line naming the file, line, field or option at fault.");
    for (const cli_item *e = exit_codes; e->term; e++) {
        fprintf(f, ".TP\n%s\n", e->term);
        esc(f, e->text);
        fputc('\n', f);
    }
    if (p->self->examples && p->self->examples->line) {
        fputs(".SH EXAMPLES\n", f);
        examples(f, p->self->examples);
    }
    if (p->see_also) {
        fputs(".SH SEE ALSO\n", f);
        esc(f, p->see_also);
        fputc('\n', f);
    }
}
