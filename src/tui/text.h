/* text.h: text measured as the terminal measures it. Each code point
 * counts its wcwidth; zero-width ones (combining marks, zero-width
 * joiners, variation selectors) belong to the cell of the character
 * before them and never get a column of their own; text is cut only
 * between grapheme clusters (libunistring finds them), so an emoji
 * sequence or a letter with its marks is never split. A byte that is no
 * character, or a control character, is one column shown as '?'. Outside
 * a UTF-8 locale every byte is a cluster of its own, and any byte that is
 * not printable ASCII is '?'.
 *
 * Terminals differ on one thing: an emoji after a zero-width joiner. Some
 * (xterm) draw it in cells of its own, so "woman ZWJ laptop" takes 4
 * columns; others (tmux 3.3, kitty) join it into the cell before, 2
 * columns in all. The app asks the terminal which it does when it starts
 * (term.c) and measures the same way. No drawing here: ui.c draws the
 * cells. */
#ifndef TRENDGUARD_TUI_TEXT_H
#define TRENDGUARD_TUI_TEXT_H

#include <stddef.h>
#include <wchar.h>

/* The locale's character set is UTF-8 (1) or not (0); the terminal joins
 * a character after a zero-width joiner into the cell before it (1) or
 * not (0). */
void text_init(int utf8, int zwj_joins);

/* One terminal cell: a spacing character with the zero-width characters
 * that follow it, and where the terminal joins them, the characters
 * joined to it by zero-width joiners (at most TEXT_CELL_CHARS in all, as
 * an ncurses cchar_t holds them; more are dropped), NUL-terminated, and
 * its columns. */
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
