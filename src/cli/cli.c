/* cli.c: what the command-line front ends share besides parsing and help:
 * the registered program, errors, standard input as '-', JSON output and
 * the progress bar. */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* The copy of standard input (cli_stdin_file), or "". */
static char stdin_copy[4096];

static const cli_program *program;

void cli_register(const cli_program *p)
{
    program = p;
}

const cli_program *cli_prog(void)
{
    return program;
}

const cli_spec *cli_find(const char *name)
{
    if (!program)
        return NULL;
    if (!*name)
        return program->self;
    for (const cli_spec *const *k = program->commands; k && *k; k++)
        if (strcmp((*k)->name, name) == 0)
            return *k;
    return NULL;
}

/* ---- errors ------------------------------------------------------------ */

/* msg on standard error after "who: ", with the copy of standard input
 * named "stdin" and every control character or byte that is not UTF-8
 * made visible: a message quotes paths, cells and arguments from outside,
 * which must not reach the terminal as escape sequences. */
static void print_shown(const char *who, const char *msg)
{
    char named[600], shown[4 * sizeof named];
    const char *tmp = stdin_copy[0] ? strstr(msg, stdin_copy) : NULL;
    if (tmp)
        snprintf(named, sizeof named, "%.*sstdin%s", (int)(tmp - msg), msg,
                 tmp + strlen(stdin_copy));
    else
        snprintf(named, sizeof named, "%s", msg);
    tg_text_visible(named, strlen(named), shown, sizeof shown);
    fprintf(stderr, "%s: %s\n", who, shown);
}

int cli_fail(const cli_ctx *c, const tg_err *e)
{
    print_shown(c->who, e->msg[0] ? e->msg : tg_code_name(e->code));
    return e->code ? e->code : TG_EINTERNAL;
}

int cli_usage(const cli_ctx *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* A suggestion says enough; otherwise point at the help. */
    if (!strstr(msg, "did you mean"))
        snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
                 " (see %s --help)", c->who);
    print_shown(c->who, msg);
    return TG_EUSAGE;
}

/* ---- standard input ---------------------------------------------------- */

int cli_stdin_file(const cli_ctx *c, const char **path)
{
    if (strcmp(*path, "-") != 0)
        return TG_OK;
    if (stdin_copy[0]) {
        fprintf(stderr, "%s: only one input can be standard input ('-')\n",
                c->who);
        return TG_EUSAGE;
    }
    const char *dir = getenv("TMPDIR");
    snprintf(stdin_copy, sizeof stdin_copy, "%s/trendguard-stdin-XXXXXX",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemp(stdin_copy);
    if (fd < 0) {
        fprintf(stderr, "%s: %s: cannot keep standard input: %s\n", c->who,
                stdin_copy, strerror(errno));
        stdin_copy[0] = '\0';
        return TG_EIO;
    }
    char buf[65536];
    ssize_t got;
    int rc = TG_OK;
    while ((got = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 || write(fd, buf, (size_t)got) != got) {
            rc = got < 0 ? TG_ENOINPUT : TG_EIO;
            fprintf(stderr, "%s: stdin: cannot %s: %s\n", c->who,
                    got < 0 ? "read" : "keep a copy", strerror(errno));
            break;
        }
    }
    if (close(fd) != 0 && rc == TG_OK)
        rc = TG_EIO;
    *path = stdin_copy;
    return rc;
}

void cli_stdin_done(void)
{
    if (stdin_copy[0])
        unlink(stdin_copy);
    stdin_copy[0] = '\0';
}

const char *cli_shown(const char *path)
{
    if (stdin_copy[0] && strcmp(path, stdin_copy) == 0)
        return "stdin";
    /* A few at once in one printf: a ring of buffers. */
    static char ring[4][4 * PATH_MAX];
    static unsigned next;
    char *out = ring[next++ % 4];
    tg_text_visible(path, strlen(path), out, sizeof ring[0]);
    return out;
}

/* ---- JSON -------------------------------------------------------------- */

int cli_json_print(const cli_ctx *c, char *text)
{
    if (!text)
        return cli_fail(c, &(tg_err){TG_EINTERNAL, "out of memory"});
    cJSON_Minify(text);
    /* Strings from outside may hold bytes that are not UTF-8; cJSON copies
     * them as they are. JSON must be UTF-8: each such byte becomes U+FFFD
     * (the structure itself is ASCII, so only strings change). */
    size_t n = strlen(text);
    if (tg_utf8_valid(text, n)) {
        printf("%s\n", text);
        return TG_OK;
    }
    size_t need = tg_utf8_repair(text, n, NULL, 0) + 1;
    char *fixed = malloc(need);
    if (!fixed)
        return cli_fail(c, &(tg_err){TG_EINTERNAL, "out of memory"});
    tg_utf8_repair(text, n, fixed, need);
    printf("%s\n", fixed);
    free(fixed);
    return TG_OK;
}

int cli_json_emit(const cli_ctx *c, cJSON *obj)
{
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    int rc = cli_json_print(c, text);
    cJSON_free(text);
    return rc;
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
