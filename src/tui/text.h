/* text.h: text measured as the terminal measures it. Each code point
 * counts its wcwidth; zero-width ones (combining marks, zero-width
 * joiners, variation selectors) belong to the cell of the character
 * before them and never get a column of their own; text is cut only
 * between grapheme clusters (libunistring finds them), so an emoji
 * sequence or a letter with its marks is never split. A byte that is no
 * character, or a control character, is one column shown as '?'. Outside
 * a UTF-8 locale every byte is a cluster of its own, and any byte that is
 * not printable ASCII is '?'. No drawing here: ui.c draws the cells. */
#ifndef TRENDGUARD_TUI_TEXT_H
#define TRENDGUARD_TUI_TEXT_H

#include <stddef.h>
#include <wchar.h>

/* The locale's character set is UTF-8 (1) or not (0). */
void text_init(int utf8);

/* One terminal cell: a spacing character with the zero-width characters
 * that follow it (at most TEXT_CELL_CHARS in all, as an ncurses cchar_t
 * holds them; more are dropped), NUL-terminated, and its columns. */
#define TEXT_CELL_CHARS 5
typedef struct text_cell {
    wchar_t wc[TEXT_CELL_CHARS + 1];
    int cols;
} text_cell;

/* The most cells a cluster is drawn in (the rest are dropped). */
#define TEXT_CLUSTER_CELLS 16

/* The grapheme cluster at s (end: the end of the text): its length in
 * bytes (0 at the end) and its columns. */
size_t text_cluster(const char *s, const char *end, int *cols);
/* The cells of the cluster of len bytes at s, at most max; returns how
 * many. Zero-width characters with nothing before them are dropped. */
int text_cells(const char *s, size_t len, text_cell *cells, int max);
/* The columns of s. */
int text_width(const char *s);
/* The bytes of the longest head of s made of whole clusters that fits in
 * cols columns; *used (may be NULL) gets its columns. */
size_t text_fit(const char *s, int cols, int *used);

/* The bytes of the UTF-8 character a byte starts (1 for a byte that
 * starts none). */
int text_char_bytes(unsigned char lead);
/* The length of the first n bytes of s without their last character. */
size_t text_drop_last(const char *s, size_t n);

#endif
