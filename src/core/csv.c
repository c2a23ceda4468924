/* csv.c: the streaming CSV reader and writer (rules in csv.h).
 *
 * How the reader works. The input sits in one window `buf`: for a file, an
 * owned buffer refilled with read(); for csv_open_mem, the caller's bytes.
 * csv_next() parses the record starting at `rs` in one pass, unquoting the
 * fields into `fbuf` (each NUL-terminated) and recording their offsets.
 * When the window ends before the record does, it slides the unread part
 * to the front, reads more and parses the record again from its start;
 * records are small next to the reads, so that costs little. The raw
 * record stays in the window until the next call, so csv_raw() is a
 * pointer into it. A record that grows past CSV_MAX_RECORD bytes is
 * skipped by a scanner that follows the same rules but keeps no data
 * (skip_long). Fields are found with a byte loop that turns into an
 * eight-bytes-at-a-time scan for long fields.
 *
 * File reads start at 256 bytes and double up to 4 MiB: small inputs in
 * tests and fuzzing then go through the refill path that big files use.
 */
#include "trendguard/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CSV_READ_MIN 256u
#define CSV_READ_MAX (4u << 20)
/* The window grows as reads do, up to a whole record (CSV_MAX_RECORD bytes
 * plus a CRLF) and one more read after it. */
#define CSV_WINDOW (CSV_MAX_RECORD + CSV_READ_MAX + 64u)

enum { PARSE_DONE, PARSE_MORE, PARSE_LONG, PARSE_END, PARSE_NOMEM };

struct tg_csv {
    int fd;                  /* -1 for memory input */
    char *path;              /* for error messages; NULL for memory input */
    const unsigned char *buf; /* the input window */
    unsigned char *own;      /* == buf when the reader owns it (files) */
    size_t len, cap;         /* bytes in the window, its size */
    size_t rs;               /* start of the record being read */
    size_t next;             /* first byte after the current record */
    uint64_t base;           /* input offset of buf[0] */
    uint64_t size;           /* total input size, 0 if unknown */
    size_t readsz;           /* size of the next read */
    int eof, started, done;
    int fail_code;           /* set after a fatal error */
    char *fail_msg;
    long line;               /* physical line number at `next` */

    /* the current record */
    long rec_line, rec_lines;
    char *fbuf;              /* unquoted fields, each NUL-terminated */
    size_t fbcap;
    size_t *foff, *flen;     /* offset in fbuf and length of each field */
    size_t nf, fcap;
    const char *raw;
    size_t rawlen;
    const char *problem;
    size_t probfield; /* 1-based field of the problem, 0: none or the row */
    char probmsg[80];
    char *longraw;           /* first CSV_MAX_RECORD bytes of a long record */
};

/* Bytes that end an unquoted field, and bytes that need attention inside a
 * quoted one. */
static const unsigned char unq_stop[256] = {[','] = 1, ['\n'] = 1,
                                            ['\r'] = 1};
static const unsigned char q_stop[256] = {['"'] = 1, ['\n'] = 1, ['\r'] = 1};

/* Eight bytes at a time: is any byte of w zero, or equal to ch? */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define HAS_ZERO(w) (((w) - ONES) & ~(w) & HIGHS)
#define HAS_BYTE(w, ch) HAS_ZERO((w) ^ (ONES * (unsigned char)(ch)))

/* The first position from p (below lim) holding a comma, CR or LF, or lim:
 * the end of an unquoted field. Most fields are short: a byte loop first,
 * then eight bytes at a time. */
static size_t scan_unquoted(const unsigned char *b, size_t p, size_t lim)
{
    for (size_t e = lim - p > 16 ? p + 16 : lim; p < e; p++)
        if (unq_stop[b[p]])
            return p;
    for (; p + 8 <= lim; p += 8) {
        uint64_t w;
        memcpy(&w, b + p, 8);
        if (HAS_BYTE(w, ',') | HAS_BYTE(w, '\n') | HAS_BYTE(w, '\r'))
            break;
    }
    while (p < lim && !unq_stop[b[p]])
        p++;
    return p;
}

/* The same inside quotes: the first quote, CR or LF. */
static size_t scan_quoted(const unsigned char *b, size_t p, size_t lim)
{
    for (size_t e = lim - p > 16 ? p + 16 : lim; p < e; p++)
        if (q_stop[b[p]])
            return p;
    for (; p + 8 <= lim; p += 8) {
        uint64_t w;
        memcpy(&w, b + p, 8);
        if (HAS_BYTE(w, '"') | HAS_BYTE(w, '\n') | HAS_BYTE(w, '\r'))
            break;
    }
    while (p < lim && !q_stop[b[p]])
        p++;
    return p;
}

static const char long_problem[] = "record longer than 1048576 bytes";
_Static_assert(CSV_MAX_RECORD == 1048576, "long_problem names the limit");

/* ---- opening and closing ----------------------------------------------- */

static tg_csv *csv_alloc(tg_err *err)
{
    tg_csv *c = calloc(1, sizeof *c);
    if (!c) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    c->fd = -1;
    c->line = 1;
    c->readsz = CSV_READ_MIN;
    return c;
}

tg_csv *csv_open(const char *path, tg_err *err)
{
    if (!path) {
        tg_fail(err, TG_EUSAGE, "csv_open: no path");
        return NULL;
    }
    tg_csv *c = csv_alloc(err);
    if (!c)
        return NULL;
    int fd;
    if (strcmp(path, "-") == 0) { /* standard input, a pipe or a file */
        fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
        if (fd < 0)
            tg_fail(err, TG_ENOINPUT, "stdin: %s", strerror(errno));
        path = "stdin";
    } else {
        fd = tg_open_input(path, 0, &c->size, err);
    }
    if (fd < 0) {
        csv_free(c);
        return NULL;
    }
    c->fd = fd;
    if (c->size)
        posix_fadvise(c->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    c->path = tg_strdup(path);
    if (!c->path) {
        tg_fail(err, TG_EINTERNAL, "%s: out of memory", path);
        csv_free(c);
        return NULL;
    }
    return c;
}

tg_csv *csv_open_mem(const char *data, size_t n, tg_err *err)
{
    if (!data && n) {
        tg_fail(err, TG_EUSAGE, "csv_open_mem: no data");
        return NULL;
    }
    tg_csv *c = csv_alloc(err);
    if (!c)
        return NULL;
    static const unsigned char empty[1];
    c->buf = data ? (const unsigned char *)data : empty;
    c->len = n;
    c->size = n;
    c->eof = 1;
    return c;
}

void csv_free(tg_csv *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->path);
    free(c->own);
    free(c->fail_msg);
    free(c->fbuf);
    free(c->foff);
    free(c->flen);
    free(c->longraw);
    free(c);
}

/* ---- input ------------------------------------------------------------- */

/* A fatal error: remembered so that later calls fail the same way. */
static int fatal(tg_csv *c, tg_err *err, int code, const char *what)
{
    tg_fail(err, code, "%s: %s", c->path ? c->path : "CSV input", what);
    if (!c->fail_code) {
        c->fail_code = code;
        c->fail_msg = tg_strdup(what);
    }
    return -1;
}

/* Drops the window before `rs` and reads more after what is left. Sets
 * eof when the input is exhausted. Returns 0, or -1 on a read error. */
static int refill(tg_csv *c, tg_err *err)
{
    if (c->fd < 0) {
        c->eof = 1;
        return 0;
    }
    if (c->rs > 0) {
        memmove(c->own, c->own + c->rs, c->len - c->rs);
        c->len -= c->rs;
        c->base += c->rs;
        c->rs = 0;
    }
    size_t want = c->readsz;
    if (c->cap - c->len < want && c->cap < CSV_WINDOW) {
        size_t cap = c->len + want > 2 * c->cap ? c->len + want : 2 * c->cap;
        if (cap > CSV_WINDOW)
            cap = CSV_WINDOW;
        unsigned char *w = realloc(c->own, cap);
        if (!w)
            return fatal(c, err, TG_EINTERNAL, "out of memory");
        c->own = w;
        c->buf = w;
        c->cap = cap;
    }
    if (want > c->cap - c->len)
        want = c->cap - c->len;
    if (want == 0) /* cannot happen: a record never fills the window */
        return fatal(c, err, TG_EINTERNAL, "CSV window full");
    ssize_t r;
    do
        r = read(c->fd, c->own + c->len, want);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return fatal(c, err, TG_EIO, strerror(errno));
    if (r == 0)
        c->eof = 1;
    c->len += (size_t)r;
    if (c->readsz < CSV_READ_MAX)
        c->readsz *= 2;
    return 0;
}

/* ---- parsing ----------------------------------------------------------- */

/* Skips the byte order mark at the very start and empty lines, moving rs
 * to the first byte of a record (PARSE_DONE). PARSE_END at the end of the
 * input, PARSE_MORE when it needs more of it. */
static int skip_blank(tg_csv *c)
{
    const unsigned char *b = c->buf;
    if (!c->started) {
        if (c->len < 3 && !c->eof)
            return PARSE_MORE;
        if (c->len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
            c->rs = 3;
        c->started = 1;
    }
    size_t p = c->rs;
    while (p < c->len) {
        if (b[p] == '\n') {
            p++;
        } else if (b[p] == '\r') {
            if (p + 1 == c->len && !c->eof)
                break;
            p += p + 1 < c->len && b[p + 1] == '\n' ? 2 : 1;
        } else {
            c->rs = p;
            return PARSE_DONE;
        }
        c->line++;
    }
    c->rs = p;
    return c->eof ? PARSE_END : PARSE_MORE;
}

static int reserve_fbuf(tg_csv *c, size_t need)
{
    if (need <= c->fbcap)
        return 0;
    size_t cap = c->fbcap ? c->fbcap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(c->fbuf, cap);
    if (!p)
        return -1;
    c->fbuf = p;
    c->fbcap = cap;
    return 0;
}

static int grow_fields(tg_csv *c)
{
    size_t cap = c->fcap ? c->fcap * 2 : 16;
    size_t *o = realloc(c->foff, cap * sizeof *o);
    if (!o)
        return -1;
    c->foff = o;
    size_t *l = realloc(c->flen, cap * sizeof *l);
    if (!l)
        return -1;
    c->flen = l;
    c->fcap = cap;
    return 0;
}

/* True when the n bytes at s are all ASCII without NUL: then every field
 * cut from them is valid. Eight bytes at a time. */
static int ascii_clean(const unsigned char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w & HIGHS) | HAS_ZERO(w))
            return 0;
    }
    for (; i < n; i++)
        if (s[i] == 0 || s[i] >= 0x80)
            return 0;
    return 1;
}

/* Sets the problem of a freshly parsed record from its fields: the first
 * field that has text after its closing quote (taq, 1-based, 0 for none),
 * a NUL byte or invalid UTF-8. */
static void check_fields(tg_csv *c, size_t taq)
{
    if (!taq && ascii_clean((const unsigned char *)c->raw, c->rawlen))
        return;
    for (size_t i = 0; i < c->nf; i++) {
        const char *f = c->fbuf + c->foff[i];
        const char *what = NULL;
        if (i + 1 == taq)
            what = "text after closing quote";
        else if (memchr(f, 0, c->flen[i]))
            what = "NUL byte";
        else if (!tg_utf8_valid(f, c->flen[i]))
            what = "invalid UTF-8";
        if (what) {
            snprintf(c->probmsg, sizeof c->probmsg, "%s in field %zu", what,
                     i + 1);
            c->problem = c->probmsg;
            c->probfield = i + 1;
            return;
        }
    }
}

/* Parses the record starting at rs. PARSE_MORE when the window ends before
 * the record does (nothing is kept: the caller refills and calls again),
 * PARSE_LONG when the record has more than CSV_MAX_RECORD bytes. */
static int parse_record(tg_csv *c)
{
    const unsigned char *b = c->buf;
    const size_t rs = c->rs, n = c->len;
    /* Bytes of the record itself must lie before lim; its line break may
     * start at lim. */
    const size_t lim = n - rs > CSV_MAX_RECORD ? rs + CSV_MAX_RECORD : n;
    /* Unquoted bytes plus one NUL per field. */
    if (reserve_fbuf(c, 2 * (lim - rs) + 2))
        return PARSE_NOMEM;
    char *out = c->fbuf;
    size_t p = rs, o = 0, nf = 0, end, term, taq = 0;
    long breaks = 0, qline = 0;
    int unterminated = 0;

    for (;;) {
        if (nf == c->fcap && grow_fields(c))
            return PARSE_NOMEM;
        c->foff[nf] = o;
        int quoted = p < lim && b[p] == '"';
        if (quoted) {
            qline = c->line + breaks;
            p++;
            for (;;) {
                size_t s = p;
                p = scan_quoted(b, p, lim);
                memcpy(out + o, b + s, p - s);
                o += p - s;
                if (p == lim) {
                    if (lim < n)
                        return PARSE_LONG;
                    if (!c->eof)
                        return PARSE_MORE;
                    unterminated = 1;
                    break;
                }
                unsigned char ch = b[p];
                if (ch == '"') {
                    if (p + 1 == n && !c->eof)
                        return PARSE_MORE;
                    if (p + 1 == n || b[p + 1] != '"') {
                        p++; /* the closing quote */
                        break;
                    }
                    if (p + 1 >= lim)
                        return PARSE_LONG;
                    out[o++] = '"';
                    p += 2;
                } else {
                    /* A line break, kept as is. CR LF counts once, at the
                     * LF; a lone CR counts by itself. */
                    if (ch == '\r' && p + 1 == n && !c->eof)
                        return PARSE_MORE;
                    out[o++] = (char)ch;
                    p++;
                    if (ch == '\n' || p == n || b[p] != '\n')
                        breaks++;
                }
            }
            if (unterminated) {
                /* The last line break ends the record, not the field. */
                end = n;
                if (b[end - 1] == '\n' || b[end - 1] == '\r') {
                    if (b[end - 1] == '\n' && b[end - 2] == '\r') {
                        end--;
                        o--;
                    }
                    end--;
                    o--;
                    breaks--;
                }
                c->flen[nf] = o - c->foff[nf];
                out[o++] = '\0';
                nf++;
                term = 0;
                break;
            }
            if (p < n && !unq_stop[b[p]]) {
                if (!taq)
                    taq = nf + 1;
                quoted = 0; /* the rest of the field is read unquoted */
            }
        }
        if (!quoted) {
            size_t s = p;
            p = scan_unquoted(b, p, lim);
            memcpy(out + o, b + s, p - s);
            o += p - s;
        }
        c->flen[nf] = o - c->foff[nf];
        out[o++] = '\0';
        nf++;
        if (p == n) {
            if (!c->eof)
                return PARSE_MORE;
            end = n;
            term = 0;
            break;
        }
        unsigned char ch = b[p];
        if (ch == '\n') {
            end = p;
            term = 1;
            break;
        }
        if (ch == '\r') {
            if (p + 1 == n && !c->eof)
                return PARSE_MORE;
            end = p;
            term = p + 1 < n && b[p + 1] == '\n' ? 2 : 1;
            break;
        }
        if (p >= lim)
            return PARSE_LONG;
        p++; /* the comma */
    }

    c->nf = nf;
    c->raw = (const char *)b + rs;
    c->rawlen = end - rs;
    c->next = end + term;
    c->rec_line = c->line;
    c->rec_lines = breaks + 1;
    c->line += breaks + 1;
    if (unterminated) {
        snprintf(c->probmsg, sizeof c->probmsg,
                 "unterminated quoted field (opened on line %ld)", qline);
        c->problem = c->probmsg;
    } else {
        check_fields(c, taq);
    }
    return PARSE_DONE;
}

/* States of the scanner that skips a long record. */
enum { S_FIELD, S_UNQ, S_Q, S_QS, S_CR, S_DONE };

/* The state after byte ch outside quotes. */
static int unquoted_step(unsigned char ch)
{
    return ch == ',' ? S_FIELD : ch == '\n' ? S_DONE : ch == '\r' ? S_CR : S_UNQ;
}

/* The record at rs has more than CSV_MAX_RECORD bytes: keeps its first
 * CSV_MAX_RECORD bytes for csv_raw() and scans to its end with the same
 * rules as parse_record(), dropping the window as it goes. */
static int skip_long(tg_csv *c, tg_err *err)
{
    if (!c->longraw && !(c->longraw = malloc(CSV_MAX_RECORD)))
        return fatal(c, err, TG_EINTERNAL, "out of memory");
    memcpy(c->longraw, c->buf + c->rs, CSV_MAX_RECORD);
    long breaks = 0, qline = 0;
    int st = S_FIELD, pending_cr = 0;
    unsigned char last = 0;
    size_t p = c->rs;
    for (;;) {
        if (p == c->len) {
            if (c->eof)
                break;
            c->rs = p;
            if (refill(c, err))
                return -1;
            p = c->rs;
            continue;
        }
        /* Fast runs of plain bytes. */
        size_t from = p;
        if (st == S_UNQ)
            p = scan_unquoted(c->buf, p, c->len);
        else if (st == S_Q && !pending_cr)
            p = scan_quoted(c->buf, p, c->len);
        if (p > from) {
            last = c->buf[p - 1];
            continue;
        }
        unsigned char ch = c->buf[p];
        if (st == S_CR) {
            if (ch == '\n')
                p++;
            break;
        }
        switch (st) {
        case S_FIELD:
            if (ch == '"') {
                st = S_Q;
                qline = c->line + breaks;
            } else {
                st = unquoted_step(ch);
            }
            break;
        case S_UNQ:
            st = unquoted_step(ch);
            break;
        case S_Q:
            if (pending_cr && ch != '\n')
                breaks++;
            pending_cr = 0;
            if (ch == '"')
                st = S_QS;
            else if (ch == '\n')
                breaks++;
            else if (ch == '\r')
                pending_cr = 1;
            break;
        default: /* S_QS: a quote inside a quoted field */
            st = ch == '"' ? S_Q : unquoted_step(ch);
            break;
        }
        last = ch;
        p++;
        if (st == S_DONE)
            break;
    }
    int unterminated = st == S_Q;
    if (unterminated) {
        breaks += pending_cr;
        if (last == '\n' || last == '\r')
            breaks--; /* the last line break ends the record */
    }
    c->next = p;
    c->nf = 0;
    c->raw = c->longraw;
    c->rawlen = CSV_MAX_RECORD;
    c->rec_line = c->line;
    c->rec_lines = breaks + 1;
    c->line += breaks + 1;
    if (unterminated) {
        snprintf(c->probmsg, sizeof c->probmsg,
                 "unterminated quoted field (opened on line %ld)", qline);
        c->problem = c->probmsg;
    } else {
        c->problem = long_problem;
    }
    return 0;
}

static void clear_record(tg_csv *c)
{
    c->nf = 0;
    c->raw = NULL;
    c->rawlen = 0;
    c->problem = NULL;
    c->probfield = 0;
    c->rec_line = 0;
    c->rec_lines = 0;
}

int csv_next(tg_csv *c, tg_err *err)
{
    if (!c) {
        tg_fail(err, TG_EUSAGE, "csv_next: no reader");
        return -1;
    }
    if (c->fail_code) {
        tg_fail(err, c->fail_code, "%s: %s", c->path ? c->path : "CSV input",
                c->fail_msg ? c->fail_msg : "failed earlier");
        return -1;
    }
    clear_record(c);
    if (c->done)
        return 0;
    c->rs = c->next;
    for (;;) {
        int r = skip_blank(c);
        if (r == PARSE_DONE)
            r = parse_record(c);
        switch (r) {
        case PARSE_DONE:
            return 1;
        case PARSE_END:
            c->done = 1;
            c->next = c->len;
            return 0;
        case PARSE_MORE:
            if (refill(c, err))
                return -1;
            break;
        case PARSE_LONG:
            return skip_long(c, err) ? -1 : 1;
        default:
            return fatal(c, err, TG_EINTERNAL, "out of memory");
        }
    }
}

/* ---- the current record ------------------------------------------------ */

size_t csv_nfields(const tg_csv *c)
{
    return c ? c->nf : 0;
}

const char *csv_field(const tg_csv *c, size_t i)
{
    return c && i < c->nf ? c->fbuf + c->foff[i] : "";
}

size_t csv_field_len(const tg_csv *c, size_t i)
{
    return c && i < c->nf ? c->flen[i] : 0;
}

long csv_line(const tg_csv *c)
{
    return c ? c->rec_line : 0;
}

long csv_nlines(const tg_csv *c)
{
    return c ? c->rec_lines : 0;
}

const char *csv_raw(const tg_csv *c, size_t *len)
{
    if (len)
        *len = c && c->raw ? c->rawlen : 0;
    return c && c->raw ? c->raw : "";
}

const char *csv_problem(const tg_csv *c)
{
    return c ? c->problem : NULL;
}

size_t csv_problem_field(const tg_csv *c)
{
    return c && c->problem ? c->probfield : 0;
}

uint64_t csv_offset(const tg_csv *c)
{
    return c ? c->base + c->next : 0;
}

uint64_t csv_size(const tg_csv *c)
{
    return c ? c->size : 0;
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
           ch == '\v' || ch == '\f';
}

/* Trims white space around s[0..*n) and returns the new start. */
static const char *trim_span(const char *s, size_t *n)
{
    size_t a = 0, e = *n;
    while (a < e && is_blank(s[a]))
        a++;
    while (e > a && is_blank(s[e - 1]))
        e--;
    *n = e - a;
    return s + a;
}

static int lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : (unsigned char)ch;
}

int csv_column(const tg_csv *c, const char *name)
{
    if (!c || !name)
        return -1;
    size_t nl = strlen(name);
    const char *nm = trim_span(name, &nl);
    for (size_t i = 0; i < c->nf && i <= (size_t)0x7fffffff; i++) {
        size_t fl = c->flen[i];
        const char *f = trim_span(c->fbuf + c->foff[i], &fl);
        if (fl != nl)
            continue;
        size_t k = 0;
        while (k < fl && lower(f[k]) == lower(nm[k]))
            k++;
        if (k == fl)
            return (int)i;
    }
    return -1;
}

int csv_duplicate_column(const tg_csv *c, size_t *first, size_t *second)
{
    for (size_t i = 1; i < c->nf; i++) {
        size_t n = csv_field_len(c, i);
        trim_span(csv_field(c, i), &n);
        if (n == 0) /* unnamed columns are ignored, never matched */
            continue;
        int j = csv_column(c, csv_field(c, i));
        if (j >= 0 && (size_t)j < i) {
            *first = (size_t)j;
            *second = i;
            return 1;
        }
    }
    return 0;
}

/* ---- writing ----------------------------------------------------------- */

static int needs_quotes(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
        return 1;
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        return 1;
    return strpbrk(s, ",\"\r\n") != NULL;
}

/* s with its quotes doubled, and the closing quote. */
static int write_quoted_rest(FILE *f, const char *s)
{
    for (;;) {
        const char *q = strchr(s, '"');
        size_t k = q ? (size_t)(q - s) + 1 : strlen(s);
        if (fwrite(s, 1, k, f) != k)
            return TG_EIO;
        if (!q)
            break;
        if (putc('"', f) == EOF) /* the quote, doubled */
            return TG_EIO;
        s = q + 1;
    }
    return putc('"', f) == EOF ? TG_EIO : TG_OK;
}

/* A number as CSV writes it: a sign, digits, a point and digits, an
 * exponent; nothing else (no "inf", hex or spaces). */
static int plain_number(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');
    size_t d = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        d++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            d++;
    if (d && (*p == 'e' || *p == 'E')) {
        p += 1 + (p[1] == '-' || p[1] == '+');
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return d > 0 && *p == '\0';
}

int csv_formula_risk(const char *s)
{
    return s && *s && strchr("=+-@\t\r", *s) && !plain_number(s);
}

int csv_write_field(FILE *f, const char *s)
{
    if (!f)
        return TG_EIO;
    if (!s)
        s = "";
    if (csv_formula_risk(s)) { /* read as text, never run as a formula */
        if (putc('"', f) == EOF || putc('\'', f) == EOF)
            return TG_EIO;
        return write_quoted_rest(f, s);
    }
    size_t n = strlen(s);
    if (!needs_quotes(s, n))
        return fwrite(s, 1, n, f) == n ? TG_OK : TG_EIO;
    if (putc('"', f) == EOF)
        return TG_EIO;
    return write_quoted_rest(f, s);
}

int csv_write_row(FILE *f, const char *const *fields, size_t n)
{
    if (!f || (n && !fields))
        return TG_EIO;
    if (n == 1 && (!fields[0] || !fields[0][0])) {
        if (fputs("\"\"\n", f) == EOF)
            return TG_EIO;
        return TG_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && putc(',', f) == EOF)
            return TG_EIO;
        if (csv_write_field(f, fields[i]) != TG_OK)
            return TG_EIO;
    }
    return putc('\n', f) == EOF ? TG_EIO : TG_OK;
}
