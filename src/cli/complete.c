/* complete.c: the bash and zsh completions of a program, made from its
 * option tables: commands, options, option values (the choices of
 * --scale or --format, files where a file is expected, folders where a
 * folder is) and arguments. The build writes them with
 * `PROG --generate bash|zsh`; make install puts them where bash-completion
 * and zsh look. */
#include "cli.h"

#include <string.h>

/* The program's name as a shell function name: trendguard-train ->
 * _trendguard_train. */
static void fname(char *buf, size_t n, const char *prog)
{
    snprintf(buf, n, "_%s", prog);
    for (char *p = buf; *p; p++)
        if (*p == '-')
            *p = '_';
}

/* The spellings of every option of s (long, short, common). */
static void all_opts(FILE *f, const cli_spec *s, int values_only)
{
    const cli_opt *tables[2] = {s->opts, cli_common_opts()};
    const char *sep = "";
    for (int t = 0; t < 2; t++)
        for (const cli_opt *o = tables[t]; o && o->name; o++) {
            if (values_only && o->type == CLI_FLAG)
                continue;
            fprintf(f, "%s--%s", sep, o->name);
            sep = " ";
            if (o->short_name)
                fprintf(f, " -%c", o->short_name);
        }
}

/* The choices "a|b|c" as words "a" sep "b" sep "c". */
static void words(FILE *f, const char *list, const char *sep)
{
    for (; *list; list++)
        if (*list == '|')
            fputs(sep, f);
        else
            fputc(*list, f);
}

static void commands(FILE *f, const cli_program *p, const char *sep)
{
    for (const cli_spec *const *k = p->commands; k && *k; k++)
        fprintf(f, "%s%s", k == p->commands ? "" : sep, (*k)->name);
}

/* Bash: what a value or an argument of type t completes to. */
static void bash_action(FILE *f, const cli_program *p, cli_type t,
                        const char *choices)
{
    switch (t) {
    /* Words a line each: IFS is a newline (file names may hold spaces). */
    case CLI_CHOICE:
        fputs("COMPREPLY=($(compgen -W $'", f);
        words(f, choices, "\\n");
        fputs("' -- \"$cur\"))", f);
        break;
    case CLI_FILE: case CLI_OUT:
        fputs("compopt -o filenames 2>/dev/null; "
              "COMPREPLY=($(compgen -f -- \"$cur\"))", f);
        break;
    case CLI_DIR:
        fputs("compopt -o filenames 2>/dev/null; "
              "COMPREPLY=($(compgen -d -- \"$cur\"))", f);
        break;
    case CLI_CMD:
        fputs("COMPREPLY=($(compgen -W $'", f);
        commands(f, p, "\\n");
        fputs("' -- \"$cur\"))", f);
        break;
    default:
        fputs("COMPREPLY=()", f);
    }
}

/* The case arms "CMD:--opt|CMD:-o) action;;" of one command. */
static void bash_values(FILE *f, const cli_program *p, const cli_spec *s)
{
    const cli_opt *tables[2] = {s->opts, cli_common_opts()};
    for (int t = 0; t < 2; t++)
        for (const cli_opt *o = tables[t]; o && o->name; o++) {
            if (o->type == CLI_FLAG)
                continue;
            fprintf(f, "    '%s:--%s'", s->name, o->name);
            if (o->short_name)
                fprintf(f, "|'%s:-%c'", s->name, o->short_name);
            fputs(") ", f);
            bash_action(f, p, o->type, o->arg);
            fputs(";;\n", f);
        }
}

static void bash_lists(FILE *f, const char *fn, const cli_program *p)
{
    const cli_spec *specs[64];
    int n = 0;
    specs[n++] = p->self;
    for (const cli_spec *const *k = p->commands; k && *k && n < 64; k++)
        specs[n++] = *k;
    for (int values = 0; values < 2; values++) {
        fprintf(f, "%s_%s()\n{\n    case $1 in\n", fn,
                values ? "takes" : "options");
        for (int i = 0; i < n; i++) {
            fprintf(f, "    '%s') echo '", specs[i]->name);
            all_opts(f, specs[i], values);
            fputs("';;\n", f);
        }
        fputs("    *) return 1;;\n    esac\n}\n", f);
    }
    fprintf(f, "%s_value()\n{\n    case $1:$2 in\n", fn);
    for (int i = 0; i < n; i++)
        bash_values(f, p, specs[i]);
    fputs("    *) return 1;;\n    esac\n}\n", f);
    fprintf(f, "%s_args()\n{\n    case $1 in\n", fn);
    for (int i = 0; i < n; i++) {
        const cli_spec *s = specs[i];
        fprintf(f, "    '%s') ", s->name);
        if (!*s->name && p->commands)
            bash_action(f, p, CLI_CMD, NULL);
        else if (s->args)
            bash_action(f, p, s->args_type, NULL);
        else
            fputs("COMPREPLY=()", f);
        fputs(";;\n", f);
    }
    fputs("    esac\n}\n", f);
}

static void bash(FILE *f, const cli_program *p)
{
    char fn[64];
    fname(fn, sizeof fn, p->name);
    fprintf(f, "# bash completion for %s: made by '%s --generate bash' "
               "from the option tables.\n", p->name, p->name);
    bash_lists(f, fn, p);
    fprintf(f,
        "%s()\n{\n"
        "    local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i w IFS=$'\\n'\n"
        "    [[ $COMP_CWORD -gt 0 ]] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
        "    # --opt=value: bash splits the = off\n"
        "    if [[ $cur == = ]]; then cur=\n"
        "    elif [[ $prev == = && $COMP_CWORD -gt 1 ]]; then\n"
        "        prev=${COMP_WORDS[COMP_CWORD-2]}\n    fi\n"
        "    # the command: the first word that is neither an option nor "
        "an option's value\n"
        "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "        w=${COMP_WORDS[i]}\n"
        "        case $w in\n"
        "        =) ;;\n"
        "        -*) [[ \" $(%s_takes \"$cmd\") \" == *\" $w \"* && "
        "${COMP_WORDS[i+1]} != = ]] && ((i++));;\n"
        "        *) if [[ -z $cmd ]] && %s_options \"$w\" >/dev/null; then "
        "cmd=$w; fi;;\n"
        "        esac\n    done\n"
        "    %s_value \"$cmd\" \"$prev\" && return 0\n"
        "    if [[ $cur == -* ]]; then\n"
        "        IFS=$' \\t\\n'\n"
        "        COMPREPLY=($(compgen -W \"$(%s_options \"$cmd\")\" -- "
        "\"$cur\"))\n        return 0\n    fi\n"
        "    %s_args \"$cmd\"\n}\n"
        "complete -F %s %s\n", fn, fn, fn, fn, fn, fn, fn, p->name);
}

/* ---- zsh --------------------------------------------------------------- */

/* Text for zsh's [help]: inside single quotes, without brackets. */
static void zsh_text(FILE *f, const char *s)
{
    for (; *s && *s != ';' && *s != '('; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else if (*s == '[' || *s == ']' || *s == ':')
            fputc(' ', f);
        else if (*s == '\n')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}

static void zsh_action(FILE *f, const cli_program *p, cli_type t,
                       const char *choices)
{
    switch (t) {
    case CLI_CHOICE: fputs("(", f); words(f, choices, " "); fputs(")", f); break;
    case CLI_FILE: case CLI_OUT: fputs("_files", f); break;
    case CLI_DIR: fputs("_files -/", f); break;
    case CLI_CMD: fputs("(", f); commands(f, p, " "); fputs(")", f); break;
    default: fputs(" ", f);
    }
}

static void zsh_opt(FILE *f, const cli_program *p, const cli_opt *o)
{
    fputs("    ", f);
    if (o->short_name)
        fprintf(f, "'(-%c --%s)'{-%c%s,--%s%s}'[", o->short_name, o->name,
                o->short_name, o->type == CLI_FLAG ? "" : "+", o->name,
                o->type == CLI_FLAG ? "" : "=");
    else
        fprintf(f, "'--%s%s[", o->name, o->type == CLI_FLAG ? "" : "=");
    zsh_text(f, o->help);
    fputs("]", f);
    if (o->type != CLI_FLAG) {
        fputs(":", f);
        zsh_text(f, o->arg);
        fputs(":", f);
        zsh_action(f, p, o->type, o->arg);
    }
    fputs("' \\\n", f);
}

static void zsh_spec(FILE *f, const cli_program *p, const cli_spec *s)
{
    for (const cli_opt *o = s->opts; o && o->name; o++)
        zsh_opt(f, p, o);
    for (const cli_opt *o = cli_common_opts(); o->name; o++)
        zsh_opt(f, p, o);
    if (s->args && *s->name) {
        fprintf(f, "    '%s:%s:", s->max_args < 0 ? "*" :
                                  s->min_args ? "1" : ":",
                s->args);
        zsh_action(f, p, s->args_type, NULL);
        fputs("' \\\n", f);
    }
}

static void zsh(FILE *f, const cli_program *p)
{
    char fn[64];
    fname(fn, sizeof fn, p->name);
    fprintf(f, "#compdef %s\n# zsh completion for %s: made by '%s "
               "--generate zsh' from the option tables.\n\n%s()\n{\n",
            p->name, p->name, p->name, fn);
    if (!p->commands) {
        fputs("    _arguments -s \\\n", f);
        zsh_spec(f, p, p->self);
        fputs("    && return 0\n    return 1\n}\n\n", f);
        fprintf(f, "%s \"$@\"\n", fn);
        return;
    }
    fputs("    local curcontext=$curcontext state line ret=1\n"
          "    local -a commands\n    commands=(\n", f);
    for (const cli_spec *const *k = p->commands; *k; k++) {
        fprintf(f, "        '%s:", (*k)->name);
        zsh_text(f, (*k)->summary);
        fputs("'\n", f);
    }
    fputs("    )\n    _arguments -C -s \\\n", f);
    zsh_spec(f, p, p->self);
    fputs("    '1: :->command' '*:: :->args' && ret=0\n"
          "    case $state in\n"
          "    command) _describe -t commands command commands && ret=0;;\n"
          "    args)\n        curcontext=${curcontext%:*:*}:$words[1]:\n"
          "        case $words[1] in\n", f);
    for (const cli_spec *const *k = p->commands; *k; k++) {
        fprintf(f, "        %s) _arguments -s \\\n", (*k)->name);
        zsh_spec(f, p, *k);
        fputs("            && ret=0;;\n", f);
    }
    fputs("        esac;;\n    esac\n    return ret\n}\n\n", f);
    fprintf(f, "%s \"$@\"\n", fn);
}

int cli_completion(FILE *f, const char *shell)
{
    const cli_program *p = cli_prog();
    if (strcmp(shell, "bash") == 0)
        bash(f, p);
    else if (strcmp(shell, "zsh") == 0)
        zsh(f, p);
    else
        return -1;
    return 0;
}

int cli_generate(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--generate") != 0)
        return -1;
    if (strcmp(argv[2], "man") == 0)
        cli_man(stdout);
    else if (cli_completion(stdout, argv[2]) != 0) {
        fprintf(stderr, "%s: --generate takes man, bash or zsh, not '%s'\n",
                cli_prog()->name, argv[2]);
        return TG_EUSAGE;
    }
    return fflush(stdout) == 0 ? TG_OK : TG_EIO;
}
