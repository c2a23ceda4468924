/* csv.h: a streaming RFC 4180 CSV reader that tolerates real-world files
 * and reports malformed records one by one, and a matching writer.
 *
 * Reading rules:
 * - Fields are separated by commas; a record ends at a line break: LF, CRLF
 *   or a lone CR (old Mac files). Line numbers count each of these as one
 *   line, inside quotes too; for LF and CRLF files they match `grep -n`.
 * - A field that starts with '"' is quoted: it may hold commas, line breaks
 *   (kept exactly as written, a lone CR included) and doubled quotes ("").
 *   The record then spans several physical lines; csv_line() of later
 *   records stays correct.
 * - A '"' inside an unquoted field is kept literally (as Excel reads it):
 *   `5" x 7"` is the field 5" x 7". White space is never trimmed, so
 *   ` "a"` is an unquoted field holding a space and two quotes.
 * - A closing quote followed by anything but a comma or a line break
 *   ("abc"def) is a problem; the field holds abcdef.
 * - A UTF-8 byte order mark at the very start is skipped. Empty lines (no
 *   bytes at all between two line breaks) are skipped but counted in line
 *   numbers; a line holding only spaces is a record. The last record may
 *   lack a final line break.
 * - Fields must be valid UTF-8 without NUL bytes. Otherwise, or when a
 *   record is malformed, csv_next() still returns it (so it can be rejected
 *   with its raw text) and csv_problem() says what is wrong; reading goes on
 *   normally with the next record.
 * - A record of more than CSV_MAX_RECORD bytes is a problem: the reader
 *   skips to its end and goes on; it has no fields and csv_raw() gives only
 *   its first CSV_MAX_RECORD bytes.
 * - A quote left open runs to the end of the input: that is one last record
 *   with the problem "unterminated quoted field (opened on line N)" (its
 *   last line break is not part of it). When that record is also longer
 *   than CSV_MAX_RECORD, the problem named is still the open quote, and it
 *   has no fields and a cut raw text like any long record.
 */
#ifndef TRENDGUARD_CSV_H
#define TRENDGUARD_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trendguard/util.h"

/* Longest record accepted, in bytes of raw input (line break excluded). */
#define CSV_MAX_RECORD 1048576

typedef struct tg_csv tg_csv;

/* Opens a CSV file for streaming: it is read in chunks of up to 4 MiB and
 * never loaded whole. Memory stays under about 8 MiB whatever the file
 * size (plus 16 bytes per field of the widest record).
 * path must name a regular file (tg_open_input: a FIFO, device or folder
 * fails at once with TG_ENOINPUT); "-" reads standard input, pipe or not,
 * and names it "stdin". Fails with TG_ENOINPUT when the file does not
 * exist or is not a regular file, TG_EIO otherwise. Free with csv_free(). */
tg_csv *csv_open(const char *path, tg_err *err);

/* Reads CSV from a memory buffer, which is BORROWED (not copied): it must
 * stay valid and unchanged until csv_free(). data need not be
 * NUL-terminated and may be NULL when n is 0. */
tg_csv *csv_open_mem(const char *data, size_t n, tg_err *err);

/* Closes the file and frees the reader. Safe on NULL. */
void csv_free(tg_csv *c);

/* Reads the next record. Returns 1 when a record was read, 0 at the end of
 * the input (and again on every later call), or -1 on a fatal error (I/O
 * error: TG_EIO; out of memory: TG_EINTERNAL) with err set; after -1 every
 * call fails the same way. A malformed record is NOT fatal: it returns 1
 * and csv_problem() says what is wrong with it. */
int csv_next(tg_csv *c, tg_err *err);

/* Number of fields of the current record (0 before the first record, at the
 * end, and for a record longer than CSV_MAX_RECORD; at least 1 otherwise). */
size_t csv_nfields(const tg_csv *c);

/* Field i (0-based) of the current record, unquoted and NUL-terminated;
 * valid until the next csv_next() or csv_free(). "" when i is out of range.
 * A field with a NUL byte in it (a problem) is cut at the NUL here; its
 * full length is csv_field_len(). */
const char *csv_field(const tg_csv *c, size_t i);
size_t csv_field_len(const tg_csv *c, size_t i);

/* 1-based physical line number where the current record starts (0 when
 * there is no current record). */
long csv_line(const tg_csv *c);
/* Number of physical lines the current record spans (1 for a one-line
 * record, 0 when there is no current record). Not in the first draft of
 * this API: added because csv_line() can only return one of the two. */
long csv_nlines(const tg_csv *c);

/* The raw bytes of the current record as they were in the input, without
 * the line break that ends it (for recording rejects). Not NUL-terminated;
 * *len (when len is non-NULL) gets the length. Valid until the next
 * csv_next() or csv_free(). For a record longer than CSV_MAX_RECORD, its
 * first CSV_MAX_RECORD bytes. "" with length 0 when there is no record. */
const char *csv_raw(const tg_csv *c, size_t *len);

/* NULL when the current record is well formed, otherwise what is wrong
 * with it, valid until the next csv_next(): one of
 *   "unterminated quoted field (opened on line N)"
 *   "record longer than 1048576 bytes"
 *   "text after closing quote in field N"
 *   "NUL byte in field N"
 *   "invalid UTF-8 in field N"
 * Fields are numbered from 1; when several fields are at fault the first
 * one is named. */
const char *csv_problem(const tg_csv *c);
/* The field the problem is in (1-based), 0 when it is the whole record. */
size_t csv_problem_field(const tg_csv *c);

/* Bytes of input consumed so far (up to the end of the current record and
 * its line break), and the total size when known (the file size, the buffer
 * size for csv_open_mem; 0 for a pipe). For progress bars. */
uint64_t csv_offset(const tg_csv *c);
uint64_t csv_size(const tg_csv *c);

/* Index of the field of the current record (normally the header) equal to
 * name, ignoring ASCII case and white space around either; -1 when there is
 * none. The first match wins. */
int csv_column(const tg_csv *c, const char *name);

/* For a header: 1 when two fields name the same column (as csv_column
 * matches names; empty names aside), with their 0-based places in
 * *first < *second; else 0. */
int csv_duplicate_column(const tg_csv *c, size_t *first, size_t *second);

/* 1 when a spreadsheet could run s as a formula: it begins with '=', '+',
 * '-', '@', a tab or a carriage return and is not a plain number. */
int csv_formula_risk(const char *s);

/* Writes s (NULL is written as an empty field) as one RFC 4180 field,
 * quoted with doubled quotes only when it holds a comma, quote, CR or LF,
 * begins or ends with a space or tab, or begins with a UTF-8 byte order
 * mark. A field with a formula risk (csv_formula_risk) is written quoted
 * with a ' before it, so that Excel and Power BI read it as text (the
 * OWASP rule for CSV injection); numbers, negative ones too, stay numbers.
 * Returns TG_OK, or TG_EIO when the stream reports an error. */
int csv_write_field(FILE *f, const char *s);

/* Writes n fields joined by commas and a "\n" line end. A row of one empty
 * field is written as "" so that it is not read back as an empty line.
 * Returns TG_OK or TG_EIO. */
int csv_write_row(FILE *f, const char *const *fields, size_t n);

#endif
