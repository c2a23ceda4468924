/* fuzz_csv.c: libFuzzer target for the CSV reader and writer.
 *
 * Each input is read three ways in lockstep and the records must agree
 * exactly: from memory (csv_open_mem), from a file (csv_open, whose reads
 * start small so records straddle refills) and, for some inputs starting
 * with '~', also with a 1 MiB prefix glued to their first field so that
 * the long-record scanner runs over the same bytes. Every field, csv_raw and
 * csv_problem are touched and checked against the reader's promises, and
 * the fields of the first record go through the writer and back (a cell
 * a spreadsheet would run comes back with a ' before it). Every field is
 * also made visible for a terminal and repaired for JSON, and a header's
 * duplicate column checked against csv_column. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trendguard/csv.h"
#include "trendguard/util.h"

#define FAIL(...)                                                             \
    do {                                                                      \
        fprintf(stderr, "fuzz_csv: " __VA_ARGS__);                            \
        fputc('\n', stderr);                                                  \
        abort();                                                              \
    } while (0)

static const char too_long[] = "record longer than 1048576 bytes";
static volatile unsigned sink; /* keeps the reads of every byte */

/* Checks one record against what csv.h promises. */
static void check_record(const tg_csv *c, uint64_t size)
{
    const char *p = csv_problem(c);
    size_t nf = csv_nfields(c);
    if (csv_line(c) < 1 || csv_nlines(c) < 1)
        FAIL("line %ld + %ld", csv_line(c), csv_nlines(c));
    if (csv_offset(c) > size)
        FAIL("offset %llu past size %llu", (unsigned long long)csv_offset(c),
             (unsigned long long)size);
    size_t rl;
    const char *raw = csv_raw(c, &rl);
    if (rl > CSV_MAX_RECORD)
        FAIL("raw of %zu bytes", rl);
    unsigned sum = 0;
    for (size_t i = 0; i < rl; i++)
        sum += (unsigned char)raw[i];
    if (p && strcmp(p, too_long) == 0 && (nf != 0 || rl != CSV_MAX_RECORD))
        FAIL("long record with %zu fields, raw %zu", nf, rl);
    if (nf == 0) {
        /* Only a long record (maybe left unterminated) has no fields. */
        if (!p || rl != CSV_MAX_RECORD)
            FAIL("record without fields");
        return;
    }
    if (p && strlen(p) == 0)
        FAIL("empty problem");
    int all_ok = 1;
    size_t total = 0;
    for (size_t i = 0; i < nf + 2; i++) {
        const char *f = csv_field(c, i);
        size_t fl = csv_field_len(c, i);
        if (i >= nf) {
            if (fl != 0 || f[0] != '\0')
                FAIL("field %zu out of range is not empty", i);
            continue;
        }
        if (f[fl] != '\0')
            FAIL("field %zu not terminated", i);
        for (size_t k = 0; k < fl; k++)
            sum += (unsigned char)f[k];
        total += fl;
        if (!tg_utf8_valid(f, fl))
            all_ok = 0;
    }
    /* Unquoting never makes a record longer. */
    if (total > rl)
        FAIL("fields hold %zu bytes, raw only %zu", total, rl);
    if (!p && !all_ok)
        FAIL("bad field bytes but no problem");
    sink += sum;
}

/* The same record from two readers (offsets may differ by `shift`). */
static void same_record(const tg_csv *a, const tg_csv *b, uint64_t shift)
{
    if (csv_line(a) != csv_line(b) || csv_nlines(a) != csv_nlines(b))
        FAIL("line %ld+%ld vs %ld+%ld", csv_line(a), csv_nlines(a),
             csv_line(b), csv_nlines(b));
    if (csv_offset(a) + shift != csv_offset(b))
        FAIL("offset %llu vs %llu", (unsigned long long)csv_offset(a),
             (unsigned long long)csv_offset(b));
    const char *pa = csv_problem(a), *pb = csv_problem(b);
    if ((pa == NULL) != (pb == NULL) || (pa && strcmp(pa, pb) != 0))
        FAIL("problem '%s' vs '%s'", pa ? pa : "-", pb ? pb : "-");
    size_t la, lb;
    const char *ra = csv_raw(a, &la), *rb = csv_raw(b, &lb);
    if (la != lb || memcmp(ra, rb, la) != 0)
        FAIL("raw differs (%zu vs %zu bytes)", la, lb);
    if (csv_nfields(a) != csv_nfields(b))
        FAIL("%zu vs %zu fields", csv_nfields(a), csv_nfields(b));
    for (size_t i = 0; i < csv_nfields(a); i++)
        if (csv_field_len(a, i) != csv_field_len(b, i) ||
            memcmp(csv_field(a, i), csv_field(b, i), csv_field_len(a, i)))
            FAIL("field %zu differs", i);
}

/* What a terminal or a JSON reader gets of each field: no control byte
 * and valid UTF-8 from tg_text_visible, valid UTF-8 from tg_utf8_repair;
 * and a duplicate column is one csv_column resolves to the first. */
static void check_text(const tg_csv *c)
{
    static char out[4 * CSV_MAX_RECORD + 16];
    for (size_t i = 0; i < csv_nfields(c); i++) {
        const char *f = csv_field(c, i);
        size_t fl = csv_field_len(c, i);
        size_t need = tg_text_visible(f, fl, out, sizeof out);
        if (need != strlen(out) || !tg_utf8_valid(out, need))
            FAIL("field %zu: visible text invalid", i);
        for (size_t k = 0; k < need; k++)
            if ((unsigned char)out[k] < 0x20 || out[k] == 0x7f)
                FAIL("field %zu: a control byte left visible", i);
        need = tg_utf8_repair(f, fl, out, sizeof out);
        if (need != strlen(out) || !tg_utf8_valid(out, need))
            FAIL("field %zu: repaired text invalid", i);
    }
    size_t a, b;
    if (csv_duplicate_column(c, &a, &b) &&
        (a >= b || csv_column(c, csv_field(c, b)) != (int)a))
        FAIL("duplicate columns %zu and %zu", a, b);
}

/* Writes the fields of the current record and reads them back. */
static void round_trip(const tg_csv *c)
{
    size_t nf = csv_nfields(c);
    if (nf == 0)
        return;
    const char **row = malloc(nf * sizeof *row);
    int utf8 = 1;
    for (size_t i = 0; i < nf; i++) {
        row[i] = csv_field(c, i);
        if (strlen(row[i]) != csv_field_len(c, i)) {
            free(row); /* a NUL byte: not a C string */
            return;
        }
        utf8 &= tg_utf8_valid(row[i], csv_field_len(c, i));
    }
    if (csv_column(c, row[0]) != 0)
        FAIL("csv_column does not find field 1");
    char *out = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&out, &n);
    if (!m || csv_write_row(m, row, nf) != TG_OK)
        FAIL("write failed");
    fclose(m);
    tg_csv *r = csv_open_mem(out, n, NULL);
    if (csv_next(r, NULL) != 1)
        FAIL("written row not read back");
    if (csv_nfields(r) != nf)
        FAIL("wrote %zu fields, read %zu", nf, csv_nfields(r));
    for (size_t i = 0; i < nf; i++) {
        /* A cell a spreadsheet would run comes back with its ' before it. */
        size_t q = (size_t)csv_formula_risk(row[i]);
        if (q && csv_field(r, i)[0] != '\'')
            FAIL("field %zu: a formula written without its '", i);
        if (csv_field_len(r, i) != csv_field_len(c, i) + q ||
            memcmp(csv_field(r, i) + q, row[i], csv_field_len(c, i)))
            FAIL("field %zu changed in the round trip", i);
    }
    if (utf8 && csv_problem(r))
        FAIL("round trip problem: %s", csv_problem(r));
    if (csv_next(r, NULL) != 0)
        FAIL("written row read as several records");
    csv_free(r);
    free(out);
    free(row);
}

static char tmp_path[64];

static void remove_tmp(void)
{
    unlink(tmp_path);
}

/* A temporary file holding data, reused across runs; in /dev/shm when
 * there is one, as a disk file system flushes on every truncate. */
static const char *as_file(const uint8_t *data, size_t n)
{
    static int fd = -1;
    if (fd < 0) {
        strcpy(tmp_path, "/dev/shm/fuzz_csv_XXXXXX");
        fd = mkstemp(tmp_path);
        if (fd < 0) {
            strcpy(tmp_path, "/tmp/fuzz_csv_XXXXXX");
            fd = mkstemp(tmp_path);
        }
        if (fd < 0)
            FAIL("mkstemp");
        atexit(remove_tmp);
    }
    if ((n && pwrite(fd, data, n, 0) != (ssize_t)n) ||
        ftruncate(fd, (off_t)n) != 0)
        FAIL("cannot write %s", tmp_path);
    return tmp_path;
}

/* Reads data from memory and, when it is at most 64 KiB (bigger ones add
 * little but time), from a file too, comparing the two. */
static void read_all(const uint8_t *data, size_t size)
{
    tg_csv *a = csv_open_mem((const char *)data, size, NULL);
    tg_csv *b = size <= 65536 ? csv_open(as_file(data, size), NULL) : NULL;
    if (!a || (size <= 65536 && !b))
        FAIL("open failed");
    int ra, rb, first = 1;
    long next_line = 1;
    while ((ra = csv_next(a, NULL)) == 1) {
        if (b && (rb = csv_next(b, NULL)) != 1)
            FAIL("file reader returned %d", rb);
        check_record(a, size);
        check_text(a);
        if (b)
            same_record(a, b, 0);
        size_t rl;
        const char *raw = csv_raw(a, &rl), *pa = csv_problem(a);
        if (!(pa && strcmp(pa, too_long) == 0) &&
            (raw < (const char *)data || raw + rl > (const char *)data + size))
            FAIL("raw text is not in the input");
        if (csv_line(a) < next_line)
            FAIL("line %ld before %ld", csv_line(a), next_line);
        next_line = csv_line(a) + csv_nlines(a);
        if (first)
            round_trip(a);
        first = 0;
    }
    if (ra != 0 || (b && csv_next(b, NULL) != 0))
        FAIL("end of input");
    if (csv_offset(a) != size || (b && csv_offset(b) != size))
        FAIL("input not consumed");
    csv_free(a);
    csv_free(b);
}

/* "A" + rest against "A" * (CSV_MAX_RECORD + 1) + rest, from memory and
 * (with_file) from a file: the first record becomes long, the others must
 * not change. */
static void read_long(const uint8_t *rest, size_t n, int with_file)
{
    static char *big;
    const size_t pre = CSV_MAX_RECORD + 1;
    if (!big && !(big = malloc(pre + CSV_MAX_RECORD + 1)))
        FAIL("no memory");
    memset(big, 'A', pre);
    memcpy(big + pre, rest, n);
    tg_csv *s = csv_open_mem(big + pre - 1, n + 1, NULL);
    tg_csv *l = csv_open_mem(big, pre + n, NULL);
    tg_csv *f = with_file
                    ? csv_open(as_file((const uint8_t *)big, pre + n), NULL)
                    : csv_open_mem(big, pre + n, NULL);
    if (csv_next(s, NULL) != 1 || csv_next(l, NULL) != 1 ||
        csv_next(f, NULL) != 1)
        FAIL("no first record");
    const char *ps = csv_problem(s), *pl = csv_problem(l);
    if (ps && strncmp(ps, "unterminated", 12) == 0) {
        if (strcmp(ps, pl) != 0)
            FAIL("long record: '%s' vs '%s'", ps, pl);
    } else if (strcmp(pl, too_long) != 0) {
        FAIL("long record: %s", pl);
    }
    if (csv_nlines(s) != csv_nlines(l) || csv_line(l) != 1)
        FAIL("long record spans %ld lines, not %ld", csv_nlines(l),
             csv_nlines(s));
    check_record(l, pre + n);
    same_record(l, f, 0);
    int r;
    while ((r = csv_next(s, NULL)) == 1) {
        if (csv_next(l, NULL) != 1 || csv_next(f, NULL) != 1)
            FAIL("record lost after a long one");
        same_record(s, l, pre - 1);
        same_record(l, f, 0);
    }
    if (csv_next(l, NULL) != 0 || csv_next(f, NULL) != 0)
        FAIL("extra record after a long one");
    csv_free(s);
    csv_free(l);
    csv_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > CSV_MAX_RECORD)
        return 0;
    read_all(data, size);
    /* The long path costs milliseconds against microseconds for the rest:
     * only for inputs marked "~", and of those one in 8 (by a hash of the
     * input, so runs repeat), through a file one in 32. */
    if (size > 0 && data[0] == '~') {
        uint64_t h = 14695981039346656037ull;
        for (size_t i = 0; i < size; i++)
            h = (h ^ data[i]) * 1099511628211ull;
        h ^= h >> 29;
        if (h % 8 == 0)
            read_long(data + 1, size - 1, h % 32 == 0);
    }
    return 0;
}
