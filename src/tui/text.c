/* text.c: text measured as the terminal measures it (text.h): grapheme
 * clusters from libunistring, each code point's columns from wcwidth. */
#include "text.h"

#include <string.h>
#include <unigbrk.h>
#include <unistr.h>

#define ZWJ 0x200D

static int utf8_on, zwj_join;

void text_init(int utf8, int zwj_joins)
{
    utf8_on = utf8;
    zwj_join = zwj_joins;
}

/* The code point at s (n bytes left): its bytes and its columns; *wc
 * gets the character to draw ('?' for bytes that are no character or a
 * character that cannot be shown). */
static size_t code_point(const char *s, size_t n, wchar_t *wc, int *cols)
{
    ucs4_t c;
    int len = u8_mbtoucr(&c, (const uint8_t *)s, n);
    int w = len > 0 ? wcwidth((wchar_t)c) : -1;
    if (w < 0) {
        *wc = L'?';
        *cols = 1;
        return len > 0 ? (size_t)len : 1;
    }
    *wc = (wchar_t)c;
    *cols = w;
    return (size_t)len;
}

/* A byte of a non-UTF-8 locale as a cell. */
static int byte_cell(unsigned char b, text_cell *cell)
{
    cell->wc[0] = b >= 32 && b < 127 ? (wchar_t)b : L'?';
    cell->wc[1] = 0;
    cell->cols = 1;
    return 1;
}

int text_cells(const char *s, size_t len, text_cell *cells, int max)
{
    if (!utf8_on)
        return len && max > 0 ? byte_cell((unsigned char)s[0], cells) : 0;
    int n = 0, k = 0; /* cells, characters in the last one */
    wchar_t prev = 0;
    for (size_t i = 0; i < len;) {
        wchar_t wc;
        int cols;
        i += code_point(s + i, len - i, &wc, &cols);
        /* Into the cell before it: a zero-width character, and one the
         * terminal joins to a zero-width joiner. */
        int into = n > 0 && (cols == 0 || (zwj_join && prev == ZWJ));
        prev = wc;
        if (into) {
            if (k < TEXT_CELL_CHARS) {
                cells[n - 1].wc[k++] = wc;
                cells[n - 1].wc[k] = 0;
            }
        } else if (cols > 0 && n < max) {
            cells[n].wc[0] = wc;
            cells[n].wc[1] = 0;
            cells[n++].cols = cols;
            k = 1;
        }
    }
    return n;
}

/* The bytes of the grapheme cluster at s. Printable ASCII followed by
 * ASCII is a cluster of one byte (only CR LF joins two). Otherwise
 * libunistring's breaks of a whole string are asked (one step at a time,
 * u8_grapheme_next splits emoji joined by a zero-width joiner), over a
 * window that ends after the next ASCII byte, which starts a cluster of
 * its own; a cluster longer than LOOKAHEAD bytes ends there. */
#define LOOKAHEAD 128
static size_t cluster_bytes(const char *s, const char *end)
{
    size_t n = (size_t)(end - s);
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80 && (n == 1 || u[1] < 0x80))
        return n > 1 && u[0] == '\r' && u[1] == '\n' ? 2 : 1;
    size_t lim = 1;
    while (lim < n && lim < LOOKAHEAD && u[lim] >= 0x80)
        lim++;
    if (lim < n && u[lim] < 0x80)
        lim++; /* the ASCII byte: the break before it is known */
    while (lim > 1 && lim < n && (u[lim] & 0xC0) == 0x80)
        lim--; /* a window cut inside a character */
    char brk[LOOKAHEAD + 1];
    u8_grapheme_breaks(u, lim, brk);
    for (size_t i = 1; i < lim; i++)
        if (brk[i])
            return i;
    return lim;
}

size_t text_cluster(const char *s, const char *end, int *cols)
{
    *cols = 0;
    if (s >= end || !*s)
        return 0;
    size_t len = utf8_on ? cluster_bytes(s, end) : 1;
    text_cell cells[TEXT_CLUSTER_CELLS];
    int n = text_cells(s, len, cells, TEXT_CLUSTER_CELLS);
    for (int i = 0; i < n; i++)
        *cols += cells[i].cols;
    return len;
}

int text_width(const char *s)
{
    int w = 0, cw;
    const char *end = s + strlen(s);
    for (size_t len; (len = text_cluster(s, end, &cw)) > 0; s += len)
        w += cw;
    return w;
}

size_t text_fit(const char *s, int cols, int *used)
{
    const char *p = s, *end = s + strlen(s);
    int w = 0, cw;
    for (size_t len; (len = text_cluster(p, end, &cw)) > 0; p += len) {
        if (w + cw > cols)
            break;
        w += cw;
    }
    if (used)
        *used = w;
    return (size_t)(p - s);
}

int text_char_bytes(unsigned char lead)
{
    if (lead >= 0xF0 && lead < 0xF5)
        return 4;
    if (lead >= 0xE0 && lead < 0xF0)
        return 3;
    if (lead >= 0xC2 && lead < 0xE0)
        return 2;
    return 1;
}

size_t text_drop_last(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    while (n > 1 && ((unsigned char)s[n - 1] & 0xC0) == 0x80)
        n--;
    return n - 1;
}
