/* cast.h: asciicast v2, the recording format asciinema plays (`asciinema
 * play`, `asciinema cat`): a header line, one JSON object (version 2, the
 * terminal's width and height, when it started, a title and the
 * terminal's type), then one JSON array a line per event, its time in
 * seconds since the start (never going back): [t, "o", OUTPUT] what the
 * program wrote to the terminal, [t, "m", LABEL] a marker a player can
 * jump to, [t, "r", "COLSxROWS"] the terminal resized. Text from
 * participants (a session's name, what a marker says) is made visible
 * (tg_text_visible): nothing in a title or a marker can move a player's
 * cursor, set its title or break a line of the file; output is written
 * as valid UTF-8 (a character cut between two writes is joined first). */
#ifndef TRENDGUARD_CAST_H
#define TRENDGUARD_CAST_H

#include <stddef.h>
#include <stdint.h>

/* The longest label a marker gets, in bytes (more is cut between
 * characters). */
#define CAST_LABEL_MAX 120

typedef struct tg_cast_header {
    int width, height;      /* the terminal's columns and rows */
    int64_t timestamp;      /* the start, seconds since the epoch */
    const char *title;      /* the session's name (made visible) */
    const char *term;       /* TERM (made visible), may be NULL */
} tg_cast_header;

/* The header line, "\n" included; the caller frees. NULL when out of
 * memory. */
char *cast_header_line(const tg_cast_header *h);
/* An event line, "\n" included: at t_us microseconds, of type 'o', 'm'
 * or 'r', with the n bytes of data (valid UTF-8: cast_output and
 * cast_label make it so). The caller frees; NULL when out of memory. */
char *cast_event_line(int64_t t_us, char type, const char *data, size_t n);

/* A marker's label for an event: "KIND DETAIL", or "KIND SCREEN" when it
 * has no detail, made visible and cut to CAST_LABEL_MAX bytes, into buf
 * (at least CAST_LABEL_MAX + 1 bytes). */
void cast_label(const char *kind, const char *screen, const char *detail,
                char *buf, size_t n);

/* Output as an 'o' event takes it: carry holds the *ncarry bytes (at most
 * 3) of a character the previous write cut; they go first, and the bytes
 * of a character cut at the end of these n are kept there for the next.
 * What is left becomes valid UTF-8 (a byte that is no character becomes
 * U+FFFD). Returns the text (caller frees; *len its bytes), NULL when out
 * of memory or nothing is whole yet (*len 0). */
char *cast_output(const char *bytes, size_t n, char carry[4],
                  size_t *ncarry, size_t *len);

#endif
