/* config.c: the app's settings file (config.h): a table of settings with
 * their kind and help, read line by line as text from outside (every
 * value checked, anything else skipped and named) and written whole,
 * atomically, with each setting's help as a comment. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum { KIND_SHOPPER, KIND_THEME, KIND_TIPS, KIND_ONOFF, KIND_DIR };

typedef struct setting {
    const char *name;
    int kind;
    const char *help;
} setting;

static const setting settings[] = {
    {"shopper", KIND_SHOPPER,
     "the shopper the app opens as: the number the shopper list shows "
     "(also --persona); 0: the first one"},
    {"theme", KIND_THEME, "colour or mono (T switches)"},
    {"tips_per_visit", KIND_TIPS,
     "tips a visit may show, 1 to 99; 0: the nudge catalogue's cap"},
    {"demo", KIND_ONOFF,
     "on: demos and usability tests, tips are never capped (D switches)"},
    {"record_dir", KIND_DIR,
     "record every session into this folder as SESSION.cast (asciicast, "
     "for asciinema): a path from / or ~/; empty: record none"},
};
#define N_SETTINGS (int)(sizeof settings / sizeof *settings)

static const char *const themes[] = {"colour", "mono"};

void config_init(tui_config *c)
{
    memset(c, 0, sizeof *c);
    c->theme = -1;
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    /* The XDG spec ignores a relative XDG_CONFIG_HOME. */
    if (xdg && xdg[0] == '/')
        snprintf(c->path, sizeof c->path, "%s/trendguard/config", xdg);
    else if (home && home[0] == '/')
        snprintf(c->path, sizeof c->path, "%s/.config/trendguard/config",
                 home);
}

/* A whole number in [lo, hi], digits only. */
static int whole(const char *v, long long lo, long long hi, long long *out)
{
    if (!*v || strlen(v) > 18)
        return -1;
    for (const char *p = v; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    long long n = atoll(v);
    if (n < lo || n > hi)
        return -1;
    *out = n;
    return 0;
}

/* A folder: empty (none), or a path from / or ~/ without control
 * characters that fits. */
static int set_dir(tui_config *c, const char *v)
{
    size_t n = strlen(v);
    if (n && v[0] != '/' && strncmp(v, "~/", 2) != 0)
        return -1;
    if (n >= sizeof c->record_dir)
        return -1;
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < 32 || *p == 127)
            return -1;
    memcpy(c->record_dir, v, n + 1);
    return 0;
}

/* Sets setting s from value v; -1 when v is no good value for it. */
static int set(tui_config *c, const setting *s, const char *v)
{
    long long n;
    switch (s->kind) {
    case KIND_SHOPPER:
        if (whole(v, 0, LLONG_MAX, &n))
            return -1;
        c->shopper = n;
        return 0;
    case KIND_TIPS:
        if (whole(v, 0, CONFIG_MAX_TIPS, &n))
            return -1;
        c->tips_per_visit = (int)n;
        return 0;
    case KIND_THEME:
        for (int i = 0; i < 2; i++)
            if (strcmp(v, themes[i]) == 0)
                return c->theme = i, 0;
        return -1;
    case KIND_DIR:
        return set_dir(c, v);
    default:
        if (strcmp(v, "on") && strcmp(v, "off"))
            return -1;
        c->demo = strcmp(v, "on") == 0;
        return 0;
    }
}

/* Notes the first problem, quoting at most a few printable bytes. */
static void problem(tui_config *c, int line, const char *what,
                    const char *text)
{
    if (c->problem[0])
        return;
    char shown[24];
    size_t k = 0;
    for (; text && *text && k < sizeof shown - 1; text++)
        shown[k++] = *text >= 32 && *text < 127 ? *text : '?';
    shown[k] = 0;
    snprintf(c->problem, sizeof c->problem, "config line %d: %s%s%s%s",
             line, what, text ? " '" : "", text ? shown : "",
             text ? "'" : "");
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

static void parse_line(tui_config *c, int no, char *line)
{
    line = trim(line);
    if (!*line || *line == '#')
        return;
    char *eq = strchr(line, '=');
    if (!eq)
        return problem(c, no, "not 'name = value'", line);
    *eq = 0;
    char *name = trim(line), *value = trim(eq + 1);
    for (int i = 0; i < N_SETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0) {
            if (set(c, &settings[i], value))
                problem(c, no, "a bad value for", name);
            return;
        }
    problem(c, no, "unknown setting", name);
}

void config_load(tui_config *c)
{
    if (!c->path[0])
        return;
    FILE *f = fopen(c->path, "rb");
    if (!f)
        return; /* no file yet: the defaults */
    char *buf = malloc(CONFIG_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        problem(c, 0, "out of memory reading it", NULL);
        return;
    }
    size_t n = fread(buf, 1, CONFIG_MAX_BYTES, f);
    if (n == CONFIG_MAX_BYTES && fgetc(f) != EOF)
        problem(c, 0, "the file is too large; read its start", NULL);
    fclose(f);
    buf[n] = 0;
    int no = 1;
    for (char *line = buf, *end; line < buf + n; line = end + 1, no++) {
        end = memchr(line, '\n', (size_t)(buf + n - line));
        if (!end)
            end = buf + n;
        *end = 0;
        if (memchr(line, 0, (size_t)(end - line)) != NULL)
            problem(c, no, "a NUL byte", NULL);
        else
            parse_line(c, no, line);
    }
    free(buf);
}

/* The value of setting s in c, into buf. */
static const char *value(const tui_config *c, const setting *s, char *buf,
                         size_t n)
{
    switch (s->kind) {
    case KIND_SHOPPER:
        snprintf(buf, n, "%lld", (long long)c->shopper);
        return buf;
    case KIND_TIPS:
        snprintf(buf, n, "%d", c->tips_per_visit);
        return buf;
    case KIND_THEME:
        return themes[c->theme == 1 ? 1 : 0];
    case KIND_DIR:
        return c->record_dir;
    default:
        return c->demo ? "on" : "off";
    }
}

const char *config_record_dir(const tui_config *c, char *buf, size_t n)
{
    const char *home = getenv("HOME");
    if (!c->record_dir[0])
        return NULL;
    if (c->record_dir[0] == '/')
        return tg_strlcpy(buf, c->record_dir, n);
    if (!home || home[0] != '/')
        return NULL;
    snprintf(buf, n, "%s%s", home, c->record_dir + 1);
    return buf;
}

int config_save(const tui_config *c, tg_err *err)
{
    if (!c->path[0])
        return tg_fail(err, TG_EIO, "no home folder to keep settings in "
                                    "(set HOME or XDG_CONFIG_HOME)");
    char dir[sizeof c->path], text[8192], v[32];
    tg_strlcpy(dir, c->path, sizeof dir);
    *strrchr(dir, '/') = 0;
    if (tg_mkdirs(dir, err) != TG_OK)
        return err->code;
    int k = snprintf(text, sizeof text, "# TrendGuard's app settings, "
                     "written by the app: one 'name = value' a line.\n");
    for (int i = 0; i < N_SETTINGS && k < (int)sizeof text; i++)
        k += snprintf(text + k, sizeof text - (size_t)k, "\n# %s\n%s = %s\n",
                      settings[i].help, settings[i].name,
                      value(c, &settings[i], v, sizeof v));
    return tg_write_file_atomic(c->path, text, strlen(text), err);
}
