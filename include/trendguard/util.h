/* util.h: the core's error type, time and path helpers, a seeded PRNG and
 * small string utilities shared by every module. */
#ifndef TRENDGUARD_UTIL_H
#define TRENDGUARD_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

/* Error codes are sysexits.h values so front ends can exit with them. */
enum {
    TG_OK = 0,
    TG_EUSAGE = 64,    /* command used wrongly */
    TG_EDATA = 65,     /* bad input data */
    TG_ENOINPUT = 66,  /* input missing */
    TG_EUNAVAIL = 69,  /* service unavailable (network) */
    TG_EINTERNAL = 70, /* internal error, out of memory */
    TG_EIO = 74        /* I/O error */
};

/* One error type for the whole core: a code and a one-line message naming
 * the file, line or field at fault. Functions that can fail take a
 * `tg_err *` (which may be NULL) and return a code or NULL. */
typedef struct tg_err {
    int code;
    char msg[512];
} tg_err;

/* Sets *e (when non-NULL) and returns code. */
int tg_fail(tg_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clears *e to TG_OK with an empty message. */
void tg_err_clear(tg_err *e);
/* A short name for an error code ("bad input data"). Static string. */
const char *tg_code_name(int code);

/* Time: all timestamps are UTC seconds since the epoch. */
#define TG_DAY 86400
/* Parses ISO-8601: "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH:MM]".
 * Returns 0 and sets *out, or -1 when s is not such a time. */
int tg_time_parse(const char *s, int64_t *out);
/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
char *tg_time_format(int64_t t, char *buf, size_t n);
/* Formats t as "YYYY-MM-DD". */
char *tg_date_format(int64_t t, char *buf, size_t n);
/* The day holding t (days since 1970-01-01 UTC, rounded down), and the
 * Monday of day d's week (1970-01-01 was a Thursday). */
int64_t tg_day_of(int64_t t);
int64_t tg_monday(int64_t d);
/* Days since 1970-01-01 for a civil date, and back. */
int64_t tg_days_from_civil(int y, unsigned m, unsigned d);
void tg_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
/* Monotonic clock in seconds. */
double tg_now_mono(void);

/* splitmix64's mixing step: a well-spread 64-bit hash of x, for
 * counter-based randomness (a pure function of its inputs). */
uint64_t tg_mix64(uint64_t x);

/* Runs fn on each of n jobs (job i at (char *)jobs + i * size): jobs 1..n-1
 * on threads of their own, job 0 on the caller's thread, and a job whose
 * thread cannot start on the caller's too. Returns when all are done.
 * n is at most TG_PARALLEL_MAX (more are not run). */
#define TG_PARALLEL_MAX 16
void tg_parallel(void *(*fn)(void *), void *jobs, size_t size, int n);

/* Deterministic PRNG (xoshiro256**), seeded through splitmix64. */
typedef struct tg_rng {
    uint64_t s[4];
} tg_rng;
void tg_rng_seed(tg_rng *r, uint64_t seed);
uint64_t tg_rng_next(tg_rng *r);
double tg_rng_uniform(tg_rng *r);            /* [0, 1) */
double tg_rng_normal(tg_rng *r);             /* N(0, 1) */
uint64_t tg_rng_below(tg_rng *r, uint64_t n); /* [0, n) */
int tg_rng_poisson(tg_rng *r, double mean);
double tg_rng_lognormal(tg_rng *r, double mu, double sigma);
/* Index drawn from weights w[0..n-1] (non-negative, not all zero). */
size_t tg_rng_pick(tg_rng *r, const double *w, size_t n);

/* Strings. */
char *tg_strdup(const char *s);                 /* NULL on NULL or no memory */
char *tg_strndup(const char *s, size_t n);
/* Trims ASCII white space in place; returns s. */
char *tg_trim(char *s);
/* Case-insensitive ASCII compare. */
int tg_strieq(const char *a, const char *b);
/* Copies at most n-1 bytes and terminates; returns dst. */
char *tg_strlcpy(char *dst, const char *src, size_t n);
/* Parses a whole string as a number; 0 on success, -1 otherwise. */
int tg_parse_double(const char *s, double *out);
int tg_parse_int64(const char *s, int64_t *out);
/* True when the decimal literal in s's n bytes (sign, digits, fraction,
 * exponent) has no non-zero digit after the point once the exponent is
 * applied: "12.0" and "1e3" are whole, "12.5" and "4503599627370497.5"
 * are not, whatever a double would round them to. */
int tg_literal_whole(const char *s, size_t n);
/* True when s is valid UTF-8 with no NUL bytes in its n bytes. */
int tg_utf8_valid(const char *s, size_t n);
/* One rule for a text field from outside (CSV or feed), in place: line
 * breaks and tabs become one space; -1 when another control character
 * (C0, DEL or C1) is left, which makes the value bad. */
int tg_text_fold(char *s);
/* Text from outside made safe for a terminal: s[0..n) into out[0..cap)
 * (always NUL-terminated, cut when short), with C0 controls, DEL and bytes
 * that are not UTF-8 written as \xNN and C1 controls (U+0080-U+009F) as
 * \uNNNN, so no escape sequence, bell or line break reaches the terminal.
 * Returns the length the whole text needs (as snprintf does). */
size_t tg_text_visible(const char *s, size_t n, char *out, size_t cap);
/* s[0..n) as valid UTF-8 into out[0..cap) (NUL-terminated, cut when
 * short): each byte that is not part of a UTF-8 character, NUL included,
 * becomes U+FFFD. For JSON and other UTF-8-only output. Returns the length
 * the whole text needs. */
size_t tg_utf8_repair(const char *s, size_t n, char *out, size_t cap);

/* Files and paths. */
/* Creates a directory and its parents (mode 0700 for new ones). */
int tg_mkdirs(const char *path, tg_err *err);
/* tg_mkdirs that also names the shallowest folder it created into
 * created (n bytes; "" when every folder existed), for tg_rmdirs_new. */
int tg_mkdirs_new(const char *path, char *created, size_t n, tg_err *err);
/* Undoes tg_mkdirs_new: removes path and its parents up to and including
 * created, each only while it is empty. Nothing when created is "". */
void tg_rmdirs_new(const char *path, const char *created);
/* The default store path from $TRENDGUARD_DB, $XDG_DATA_HOME or $HOME into
 * buf. Returns 0, or -1 when no home is known. */
int tg_default_db_path(char *buf, size_t n);
/* Path of a shipped file named relative to the project root, such as
 * "assets/nudges.json" or "data/hashtags.txt": $TRENDGUARD_SHARE/name, else
 * found from the executable (a build tree or PREFIX/share/trendguard), else
 * the install prefix. Returns 0 when found (buf holds the path), -1 when not. */
int tg_asset_path(const char *name, char *buf, size_t n);
/* Opens a file the core reads: a regular file (or a link to one), at most
 * max bytes (0: any size), checked before a byte is read; a FIFO, device,
 * socket or folder is refused at once (TG_ENOINPUT, never a wait), a file
 * over max is TG_EDATA; the null device reads as an empty file. Returns the descriptor (*size, when non-NULL, its
 * size), or a negative number with *err set. */
int tg_open_input(const char *path, size_t max, uint64_t *size, tg_err *err);
/* What a stat mode names, for messages: "a regular file", "a folder", "a
 * pipe (FIFO)", "a character device", ... Static string. */
const char *tg_file_kind(unsigned mode);
/* tg_open_input as a stdio stream; NULL with *err set. */
FILE *tg_fopen_input(const char *path, size_t max, tg_err *err);
/* Reads a whole file (NUL-terminated) through tg_open_input; caller frees.
 * *len may be NULL. */
char *tg_read_file(const char *path, size_t *len, size_t max, tg_err *err);
/* TG_OK when path may be replaced by a new file: it does not exist or is a
 * regular file; a link, folder, FIFO or device is refused (TG_EUSAGE). */
int tg_replaceable(const char *path, tg_err *err);
/* Writes data to path atomically: a temporary file in the same folder,
 * fsync, then rename over path (which tg_replaceable must allow). */
int tg_write_file_atomic(const char *path, const void *data, size_t n,
                         tg_err *err);
/* Lower-case hex SHA-256 of a file or buffer into out[65]. */
int tg_sha256_file(const char *path, char out[65], tg_err *err);
void tg_sha256_buf(const void *data, size_t n, char out[65]);

#endif
