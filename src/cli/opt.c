/* opt.c: the option parser of the command line, driven by a command's
 * table (cli_spec): long options (--name VALUE, --name=VALUE), short ones
 * (-o VALUE, -oVALUE, -hV), values checked against their type, range and
 * choices, required options, the count of arguments, and one-line errors
 * that name the option at fault and suggest the nearest valid one. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum { COMMON_DB = CLI_COMMON_DB, COMMON_HELP = CLI_COMMON_HELP,
       COMMON_VERSION = CLI_COMMON_VERSION, COMMON_N = CLI_COMMON_N };

/* The parse in progress: the first error is kept, printed at the end
 * unless --help or --version was asked for. */
typedef struct parse {
    cli_ctx *c;
    char err[400];
    int help, version;
} parse;

static void problem(parse *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void problem(parse *p, const char *fmt, ...)
{
    if (p->err[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
}

static int count_opts(const cli_opt *t)
{
    int n = 0;
    while (t && t[n].name)
        n++;
    return n;
}

/* ---- suggestions ------------------------------------------------------- */

/* Edit distance with adjacent swaps (optimal string alignment). */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

/* How near name is to word: 0 a prefix, else the distance; a large value
 * when too far to suggest. */
static int nearness(const char *word, const char *name)
{
    size_t lw = strlen(word);
    if (lw >= 2 && strncmp(name, word, lw) == 0)
        return 0;
    int d = distance(word, name);
    int limit = lw <= 3 ? 1 : lw <= 6 ? 2 : 3;
    return d <= limit ? d : 99;
}

void cli_nearest(const char *word, const char *const *names, int n,
                 const char *prefix, char *out, size_t outn)
{
    int best = 99, found = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        int d = nearness(word, names[i]);
        if (d < best)
            best = d;
    }
    if (best == 99)
        return;
    size_t used = 0;
    for (int i = 0; i < n && found < 3; i++) {
        if (nearness(word, names[i]) != best)
            continue;
        int w = snprintf(out + used, outn - used, "%s%s%s",
                         found ? " or " : "", prefix, names[i]);
        if (w < 0 || (size_t)w >= outn - used)
            break;
        used += (size_t)w;
        found++;
    }
}

/* The nearest long options of the command and the common ones. */
static void suggest(const cli_spec *s, const char *word, char *out,
                    size_t n)
{
    const char *names[CLI_MAX_OPTS + COMMON_N];
    int k = 0;
    for (int i = 0; i < count_opts(s->opts) && k < CLI_MAX_OPTS; i++)
        names[k++] = s->opts[i].name;
    for (int i = 0; i < COMMON_N; i++)
        names[k++] = cli_common_opts()[i].name;
    cli_nearest(word, names, k, "--", out, n);
}

static void unknown(parse *p, const char *shown, const char *word)
{
    char near[200];
    suggest(p->c->spec, word, near, sizeof near);
    if (near[0])
        problem(p, "unknown option %s; did you mean %s?", shown, near);
    else
        problem(p, "unknown option %s", shown);
}

/* ---- values ------------------------------------------------------------ */

/* The words of a choice list, as "a, b or c". */
static void choice_words(const char *list, char *out, size_t n)
{
    size_t used = 0;
    const char *w = list;
    while (*w && used + 1 < n) {
        size_t len = strcspn(w, "|");
        const char *sep = w[len] ? (strchr(w + len + 1, '|') ? ", " : " or ")
                                 : "";
        int k = snprintf(out + used, n - used, "%.*s%s", (int)len, w, sep);
        if (k < 0)
            break;
        used += (size_t)k < n - used ? (size_t)k : n - used - 1;
        w += len + (w[len] == '|');
    }
}

/* The index of value among the words of list, or -1. */
static int choice_index(const char *list, const char *value)
{
    int i = 0;
    for (const char *w = list; *w; i++) {
        size_t len = strcspn(w, "|");
        if (strlen(value) == len && strncmp(w, value, len) == 0)
            return i;
        w += len + (w[len] == '|');
    }
    return -1;
}

static void bad_choice(parse *p, const char *shown, const cli_opt *o,
                       const char *v)
{
    char words[256], near[200], list[256];
    const char *names[32];
    int n = 0;
    choice_words(o->arg, words, sizeof words);
    tg_strlcpy(list, o->arg, sizeof list);
    for (char *w = strtok(list, "|"); w && n < 32; w = strtok(NULL, "|"))
        names[n++] = w;
    cli_nearest(v, names, n, "", near, sizeof near);
    if (near[0])
        problem(p, "%s takes %s, not '%s'; did you mean %s?", shown, words,
                v, near);
    else
        problem(p, "%s takes %s, not '%s'", shown, words, v);
}

/* Checks and stores option i's value v (shown: how it was written). */
static int set_value(parse *p, int i, const char *shown, const char *v)
{
    cli_ctx *c = p->c;
    const cli_opt *o = &c->spec->opts[i];
    switch (o->type) {
    case CLI_INT: {
        int64_t x;
        if (tg_parse_int64(v, &x) != 0 || x < o->lo || x > o->hi) {
            problem(p, "%s takes a whole number from %.15g to %.15g, not "
                       "'%s'", shown, o->lo, o->hi, v);
            return -1;
        }
        c->num[i] = (double)x;
        break;
    }
    case CLI_REAL: {
        double x;
        if (tg_parse_double(v, &x) != 0 || !(x >= o->lo && x <= o->hi)) {
            problem(p, "%s takes a number from %g to %g, not '%s'", shown,
                    o->lo, o->hi, v);
            return -1;
        }
        c->num[i] = x;
        break;
    }
    case CLI_CHOICE:
        if ((c->pick[i] = choice_index(o->arg, v)) < 0) {
            bad_choice(p, shown, o, v);
            return -1;
        }
        break;
    default:
        if (!*v && o->type != CLI_TEXT) {
            problem(p, "%s needs a value (%s), not an empty one", shown,
                    o->arg);
            return -1;
        }
        break;
    }
    c->text[i] = v;
    return 0;
}

/* ---- the scan ---------------------------------------------------------- */

/* Index of the command's option called name (len chars), or of a common
 * one as -2 - index; -1 when there is none. */
static int find_long(const cli_spec *s, const char *name, size_t len)
{
    for (int i = 0; s->opts && s->opts[i].name; i++)
        if (strlen(s->opts[i].name) == len &&
            strncmp(s->opts[i].name, name, len) == 0)
            return i;
    for (int i = 0; i < COMMON_N; i++)
        if (strlen(cli_common_opts()[i].name) == len &&
            strncmp(cli_common_opts()[i].name, name, len) == 0)
            return -2 - i;
    return -1;
}

static int find_short(const cli_spec *s, char ch)
{
    for (int i = 0; s->opts && s->opts[i].name; i++)
        if (s->opts[i].short_name == ch)
            return i;
    for (int i = 0; i < COMMON_N; i++)
        if (cli_common_opts()[i].short_name == ch)
            return -2 - i;
    return -1;
}

static const cli_opt *opt_of(const cli_spec *s, int id)
{
    return id >= 0 ? &s->opts[id] : &cli_common_opts()[-2 - id];
}

/* Applies option id with value v (NULL for a flag). */
static void apply(parse *p, int id, const char *shown, const char *v)
{
    cli_ctx *c = p->c;
    if (id == -2 - COMMON_HELP)
        p->help = 1;
    else if (id == -2 - COMMON_VERSION)
        p->version = 1;
    else if (id == -2 - COMMON_DB) {
        if (!*v)
            problem(p, "%s needs a path, not an empty one", shown);
        tg_strlcpy(c->db, v, sizeof c->db);
        c->db_given = 1;
    } else if (v == NULL || set_value(p, id, shown, v) == 0) {
        c->given[id]++;
    }
}

/* A value is missing at the end of the line or where the next word is
 * itself a long option ("--out --seed 5"). */
static int no_value(int i, int argc, char **argv)
{
    return i >= argc ||
           (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]);
}

/* Option id's value: inline (after '=' or the short letter) or the next
 * word; returns how many words it used. */
static int take_value(parse *p, int id, const char *shown, const char *inl,
                      int i, int argc, char **argv)
{
    if (inl) {
        apply(p, id, shown, inl);
        return 1;
    }
    if (no_value(i + 1, argc, argv)) {
        problem(p, "%s needs a value (%s)", shown,
                opt_of(p->c->spec, id)->arg);
        return 1;
    }
    apply(p, id, shown, argv[i + 1]);
    return 2;
}

/* "--name", "--name=value"; returns how many words it used. */
static int long_opt(parse *p, int i, int argc, char **argv)
{
    const char *w = argv[i] + 2, *eq = strchr(w, '=');
    size_t len = eq ? (size_t)(eq - w) : strlen(w);
    char shown[80];
    snprintf(shown, sizeof shown, "--%.*s", (int)len, w);
    int id = find_long(p->c->spec, w, len);
    if (id == -1) {
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)len, w);
        unknown(p, shown, word);
        return 1;
    }
    const cli_opt *o = opt_of(p->c->spec, id);
    if (o->type == CLI_FLAG) {
        if (eq)
            problem(p, "%s takes no value", shown);
        else
            apply(p, id, shown, NULL);
        return 1;
    }
    return take_value(p, id, shown, eq ? eq + 1 : NULL, i, argc, argv);
}

/* "-o VALUE", "-oVALUE", "-hV"; returns how many words it used. */
static int short_opts(parse *p, int i, int argc, char **argv)
{
    const char *w = argv[i] + 1;
    for (size_t k = 0; w[k]; k++) {
        char shown[8];
        snprintf(shown, sizeof shown, "-%c", w[k]);
        int id = find_short(p->c->spec, w[k]);
        if (id == -1) {
            /* "-json" is most likely "--json". */
            if (k == 0 && strlen(w) > 2 && find_long(p->c->spec, w,
                                                     strlen(w)) != -1)
                problem(p, "unknown option -%s; did you mean --%s?", w, w);
            else if (k == 0 && strlen(w) > 2)
                unknown(p, argv[i], w);
            else
                unknown(p, shown, shown + 1);
            return 1;
        }
        const cli_opt *o = opt_of(p->c->spec, id);
        if (o->type == CLI_FLAG) {
            apply(p, id, shown, NULL);
            continue;
        }
        return take_value(p, id, shown, w[k + 1] ? w + k + 1 : NULL, i,
                          argc, argv);
    }
    return 1;
}

/* ---- the checks after the scan ------------------------------------------ */

static void check_args(parse *p)
{
    cli_ctx *c = p->c;
    const cli_spec *s = c->spec;
    for (int i = 0; s->opts && s->opts[i].name; i++)
        if ((s->opts[i].flags & CLI_REQUIRED) && !c->given[i])
            problem(p, "--%s is required (%s)", s->opts[i].name,
                    s->opts[i].arg);
    if (c->nargs < s->min_args)
        problem(p, "missing %s", s->args ? s->args : "arguments");
    if (s->max_args >= 0 && c->nargs > s->max_args) {
        const char *extra = c->args[s->max_args];
        char near[200] = "";
        suggest(s, extra, near, sizeof near);
        if (near[0])
            problem(p, "unexpected argument '%s'; did you mean %s?", extra,
                    near);
        else
            problem(p, "unexpected argument '%s'", extra);
    }
}

void cli_begin(cli_ctx *c, const cli_spec *spec)
{
    memset(c, 0, sizeof *c);
    c->spec = spec;
    const char *prog = cli_prog() ? cli_prog()->name : "trendguard";
    snprintf(c->who, sizeof c->who, "%s%s%s", prog, *spec->name ? " " : "",
             spec->name);
    if (tg_default_db_path(c->db, sizeof c->db) != 0)
        tg_strlcpy(c->db, "trendguard.db", sizeof c->db);
    for (int i = 0; i < CLI_MAX_OPTS; i++)
        c->pick[i] = -1;
}

/* Parses the defaults as values: a default the table cannot parse is a
 * mistake in the table, reported as an internal error. */
static int defaults(parse *p)
{
    const cli_spec *s = p->c->spec;
    int n = count_opts(s->opts);
    if (n > CLI_MAX_OPTS) {
        fprintf(stderr, "%s: %d options, at most %d\n", p->c->who, n,
                CLI_MAX_OPTS);
        return TG_EINTERNAL;
    }
    for (int i = 0; i < n; i++) {
        if (!s->opts[i].def)
            continue;
        char shown[80];
        snprintf(shown, sizeof shown, "--%s", s->opts[i].name);
        if (set_value(p, i, shown, s->opts[i].def) != 0) {
            fprintf(stderr, "%s: the default of %s: %s\n", p->c->who, shown,
                    p->err);
            return TG_EINTERNAL;
        }
    }
    return -1;
}

int cli_parse(cli_ctx *c, const cli_spec *spec, int argc, char **argv)
{
    cli_begin(c, spec);
    parse p = {.c = c};
    int rc = defaults(&p);
    if (rc >= 0)
        return rc;
    c->args = argv + 1;
    int rest = 0; /* after "--" */
    for (int i = 1; i < argc;) {
        const char *w = argv[i];
        if (rest || w[0] != '-' || !w[1]) {
            c->args[c->nargs++] = argv[i++];
        } else if (strcmp(w, "--") == 0) {
            rest = 1;
            i++;
        } else if (w[1] == '-') {
            i += long_opt(&p, i, argc, argv);
        } else {
            i += short_opts(&p, i, argc, argv);
        }
    }
    if (p.help) {
        cli_print_help(stdout, spec);
        return 0;
    }
    if (p.version) {
        printf("%s %s\n", cli_prog() ? cli_prog()->name : "trendguard",
               TG_VERSION);
        return 0;
    }
    check_args(&p);
    if (p.err[0])
        return cli_usage(c, "%s", p.err);
    return -1;
}

int cli_env(cli_ctx *c, int id, const char *var)
{
    const char *v = getenv(var);
    if (c->given[id] || !v)
        return -1;
    parse p = {.c = c};
    if (set_value(&p, id, var, v) != 0)
        return cli_usage(c, "%s", p.err);
    c->given[id] = 1;
    return -1;
}

/* ---- the values ---------------------------------------------------------- */

int cli_has(const cli_ctx *c, int id)
{
    return c->given[id];
}

const char *cli_str(const cli_ctx *c, int id)
{
    return c->text[id];
}

long cli_long(const cli_ctx *c, int id)
{
    return (long)c->num[id];
}

double cli_real(const cli_ctx *c, int id)
{
    return c->num[id];
}

int cli_pick(const cli_ctx *c, int id)
{
    return c->pick[id];
}
