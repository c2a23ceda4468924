/* columns.c: where text stands on a terminal line, for the e2e scripts
 * that read the app's screen from tmux: for each line of stdin holding
 * NEEDLE, prints the column NEEDLE starts at, counting each code point by
 * its wcwidth (zero-width ones add nothing) and, with -j, a character
 * right after a zero-width joiner as joined to the cell before it (as
 * tmux 3.3 draws it); with -l, where its last occurrence starts. Lines
 * without NEEDLE print -1. With -w and no NEEDLE, prints each line's
 * width instead.
 *   columns [-j] [-l] NEEDLE < screen     columns [-j] -w < lines */
#define _XOPEN_SOURCE 700
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static int join, last;

/* The first (or with -l the last) place needle starts in line. */
static const char *find(const char *line, const char *needle)
{
    const char *at = strstr(line, needle);
    for (const char *p = at; last && p; p = strstr(p + 1, needle))
        at = p;
    return at;
}

/* The columns of the first n bytes of s. */
static int width(const char *s, size_t n)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int w = 0;
    wchar_t wc, prev = 0;
    for (size_t i = 0; i < n;) {
        size_t len = mbrtowc(&wc, s + i, n - i, &st);
        if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
            memset(&st, 0, sizeof st);
            w++, i++, prev = 0;
            continue;
        }
        int cw = wcwidth(wc);
        if (cw > 0 && !(join && prev == 0x200D))
            w += cw;
        prev = wc;
        i += len;
    }
    return w;
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "C.UTF-8");
    int a = 1, widths = 0;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (strcmp(argv[a], "-j") == 0)
            join = 1;
        else if (strcmp(argv[a], "-w") == 0)
            widths = 1;
        else if (strcmp(argv[a], "-l") == 0)
            last = 1;
    }
    const char *needle = a < argc ? argv[a] : NULL;
    if (!needle && !widths) {
        fprintf(stderr, "usage: columns [-j] [-l] NEEDLE | -w\n");
        return 64;
    }
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        if (widths) {
            printf("%d\n", width(line, strlen(line)));
            continue;
        }
        const char *at = find(line, needle);
        printf("%d\n", at ? width(line, (size_t)(at - line)) : -1);
    }
    return 0;
}
