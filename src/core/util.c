/* util.c: error type, ISO-8601 time, xoshiro PRNG, strings and a small
 * SHA-256, shared by every core module (files and paths: util_file.c). */
#include "trendguard/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int tg_fail(tg_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        e->code = code;
    }
    return code;
}

void tg_err_clear(tg_err *e)
{
    if (e) {
        e->code = TG_OK;
        e->msg[0] = '\0';
    }
}

const char *tg_code_name(int code)
{
    switch (code) {
    case TG_OK: return "ok";
    case TG_EUSAGE: return "usage error";
    case TG_EDATA: return "bad input data";
    case TG_ENOINPUT: return "input missing";
    case TG_EUNAVAIL: return "service unavailable";
    case TG_EINTERNAL: return "internal error";
    case TG_EIO: return "I/O error";
    default: return "error";
    }
}

/* ---- time ---------------------------------------------------------- */

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t tg_day_of(int64_t t)
{
    return t >= 0 ? t / TG_DAY : -((-t + TG_DAY - 1) / TG_DAY);
}

int64_t tg_monday(int64_t d)
{
    return d - (((d + 3) % 7) + 7) % 7;
}

int64_t tg_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void tg_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t yy = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

int tg_time_parse(const char *s, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!s || strlen(s) < 10)
        return -1;
    if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d))
        return -1;
    if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 ||
        d > days_in_month(y, mo))
        return -1;
    const char *p = s + 10;
    int64_t offset = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi))
            return -1;
        p += 5;
        if (*p == ':') {
            if (digits(p + 1, 2, &se))
                return -1;
            p += 3;
            if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                    return -1;
                while (isdigit((unsigned char)*p))
                    p++;
            }
        }
        if (h > 23 || mi > 59 || se > 60)
            return -1;
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int oh, om;
            int sign = *p == '-' ? -1 : 1;
            if (digits(p + 1, 2, &oh))
                return -1;
            p += 3;
            if (*p == ':')
                p++;
            if (digits(p, 2, &om))
                return -1;
            p += 2;
            if (oh > 23 || om > 59)
                return -1;
            offset = sign * (oh * 3600 + om * 60);
        }
    }
    if (*p != '\0')
        return -1;
    *out = tg_days_from_civil(y, (unsigned)mo, (unsigned)d) * TG_DAY +
           h * 3600 + mi * 60 + se - offset;
    return 0;
}

char *tg_time_format(int64_t t, char *buf, size_t n)
{
    int64_t days = tg_day_of(t);
    int64_t rem = t - days * TG_DAY;
    int y;
    unsigned m, d;
    tg_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    return buf;
}

char *tg_date_format(int64_t t, char *buf, size_t n)
{
    int64_t days = tg_day_of(t);
    int y;
    unsigned m, d;
    tg_civil_from_days(days, &y, &m, &d);
    snprintf(buf, n, "%04d-%02u-%02u", y, m, d);
    return buf;
}

double tg_now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- PRNG ------------------------------------------------------------ */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t tg_mix64(uint64_t x)
{
    return splitmix64(&x);
}

void tg_rng_seed(tg_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t tg_rng_next(tg_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double tg_rng_uniform(tg_rng *r)
{
    return (double)(tg_rng_next(r) >> 11) * 0x1.0p-53;
}

double tg_rng_normal(tg_rng *r)
{
    /* Box-Muller; one value per call keeps the stream simple to reason
     * about and deterministic. */
    double u1 = tg_rng_uniform(r), u2 = tg_rng_uniform(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t tg_rng_below(tg_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Lemire's nearly divisionless method, exact. */
    uint64_t x = tg_rng_next(r);
    __uint128_t m = (__uint128_t)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) {
            x = tg_rng_next(r);
            m = (__uint128_t)x * n;
            l = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

int tg_rng_poisson(tg_rng *r, double mean)
{
    if (mean <= 0)
        return 0;
    if (mean > 30) {
        double v = mean + sqrt(mean) * tg_rng_normal(r);
        return v < 0 ? 0 : (int)(v + 0.5);
    }
    double l = exp(-mean), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= tg_rng_uniform(r);
    } while (p > l);
    return k - 1;
}

double tg_rng_lognormal(tg_rng *r, double mu, double sigma)
{
    return exp(mu + sigma * tg_rng_normal(r));
}

size_t tg_rng_pick(tg_rng *r, const double *w, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    double x = tg_rng_uniform(r) * total;
    for (size_t i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    for (size_t i = n; i > 0; i--)
        if (w[i - 1] > 0)
            return i - 1;
    return 0;
}

/* ---- strings --------------------------------------------------------- */

char *tg_strdup(const char *s)
{
    return s ? tg_strndup(s, strlen(s)) : NULL;
}

char *tg_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *tg_trim(char *s)
{
    size_t n = strlen(s), a = 0;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    while (a < n && isspace((unsigned char)s[a]))
        a++;
    memmove(s, s + a, n - a);
    s[n - a] = '\0';
    return s;
}

int tg_strieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

char *tg_strlcpy(char *dst, const char *src, size_t n)
{
    if (n == 0)
        return dst;
    size_t l = strlen(src);
    if (l >= n)
        l = n - 1;
    memcpy(dst, src, l);
    dst[l] = '\0';
    return dst;
}

int tg_parse_double(const char *s, double *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    /* strtod accepts "nan", "inf" and hex: numbers in data are decimal. */
    for (const char *p = s; p < end; p++)
        if (isalpha((unsigned char)*p) && *p != 'e' && *p != 'E')
            return -1;
    *out = v;
    return 0;
}

int tg_parse_int64(const char *s, int64_t *out)
{
    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* The length of the UTF-8 character at s[0..n) (*cp its code point), or 0
 * when the bytes there are not one: a stray or missing continuation, an
 * overlong form, a surrogate or past U+10FFFF. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2
                          : (c & 0xF0) == 0xE0 ? 3
                          : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    *cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[k] & 0x3F);
    }
    if ((len == 2 && *cp < 0x80) || (len == 3 && *cp < 0x800) ||
        (len == 4 && (*cp < 0x10000 || *cp > 0x10FFFF)) ||
        (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return len;
}

int tg_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0, len; i < n; i += len) {
        uint32_t cp;
        if (s[i] == 0 || !(len = utf8_next(s + i, n - i, &cp)))
            return 0;
    }
    return 1;
}

int tg_text_fold(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\r' || ch == '\n' || ch == '\t') {
            if (w > s && w[-1] != ' ')
                *w++ = ' ';
            continue;
        }
        if (ch < 0x20 || ch == 0x7f ||
            (ch == 0xc2 && (unsigned char)p[1] >= 0x80 &&
             (unsigned char)p[1] < 0xa0)) /* C1: U+0080-U+009F */
            return -1;
        *w++ = *p;
    }
    *w = '\0';
    return 0;
}

/* Text written into out[0..cap): whole pieces only, so a cut never splits
 * a character or an escape; need counts what all of it takes. */
typedef struct {
    char *out;
    size_t cap, need, wrote;
} text_sink;

static void put_text(text_sink *k, const char *t, size_t n)
{
    if (k->wrote == k->need && k->need + n < k->cap) {
        memcpy(k->out + k->wrote, t, n);
        k->wrote += n;
    }
    k->need += n;
}

static size_t end_text(text_sink *k)
{
    if (k->cap)
        k->out[k->wrote] = '\0';
    return k->need;
}

size_t tg_text_visible(const char *str, size_t n, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)str;
    text_sink k = {out, cap, 0, 0};
    for (size_t i = 0, len; i < n; i += len) {
        uint32_t cp = 0;
        char esc[12];
        len = utf8_next(s + i, n - i, &cp);
        if (len == 0) { /* not UTF-8: the byte as \xNN */
            len = 1;
            put_text(&k, esc,
                     (size_t)snprintf(esc, sizeof esc, "\\x%02x", s[i]));
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            put_text(&k, esc,
                     (size_t)snprintf(esc, sizeof esc,
                                      cp < 0x80 ? "\\x%02x" : "\\u%04x",
                                      (unsigned)cp));
        } else {
            put_text(&k, str + i, len);
        }
    }
    return end_text(&k);
}

size_t tg_utf8_repair(const char *str, size_t n, char *out, size_t cap)
{
    const unsigned char *s = (const unsigned char *)str;
    text_sink k = {out, cap, 0, 0};
    for (size_t i = 0, len; i < n; i += len) {
        uint32_t cp;
        len = s[i] ? utf8_next(s + i, n - i, &cp) : 0;
        if (len == 0) {
            len = 1;
            put_text(&k, "\xef\xbf\xbd", 3); /* U+FFFD */
        } else {
            put_text(&k, str + i, len);
        }
    }
    return end_text(&k);
}

/* ---- SHA-256 (FIPS 180-4) ---------------------------------------------- */

typedef struct {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t n;
} sha256_ctx;

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static inline uint32_t ror(uint32_t x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_block(sha256_ctx *c, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4],
             f = c->h[5], g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + S1 + ch + K256[i] + w[i];
        uint32_t S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
        uint32_t mj = (a & b) ^ (a & cc) ^ (b & cc);
        uint32_t t2 = S0 + mj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = cc;
        cc = b;
        b = a;
        a = t1 + t2;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
    c->h[5] += f;
    c->h[6] += g;
    c->h[7] += h;
}

static void sha256_init(sha256_ctx *c)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                   0xa54ff53a, 0x510e527f, 0x9b05688c,
                                   0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv);
    c->len = 0;
    c->n = 0;
}

static void sha256_update(sha256_ctx *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    c->len += n;
    while (n > 0) {
        size_t take = 64 - c->n < n ? 64 - c->n : n;
        memcpy(c->buf + c->n, p, take);
        c->n += take;
        p += take;
        n -= take;
        if (c->n == 64) {
            sha256_block(c, c->buf);
            c->n = 0;
        }
    }
}

static void sha256_final(sha256_ctx *c, char out[65])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, zero = 0;
    sha256_update(c, &pad, 1);
    while (c->n != 56)
        sha256_update(c, &zero, 1);
    unsigned char lb[8];
    for (int i = 0; i < 8; i++)
        lb[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(c, lb, 8);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08x", c->h[i]);
}

void tg_sha256_buf(const void *data, size_t n, char out[65])
{
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, data, n);
    sha256_final(&c, out);
}

int tg_sha256_file(const char *path, char out[65], tg_err *err)
{
    FILE *f = tg_fopen_input(path, 0, err);
    if (!f)
        return err ? err->code : TG_EIO;
    sha256_ctx c;
    sha256_init(&c);
    unsigned char buf[1 << 16];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&c, buf, r);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return tg_fail(err, TG_EIO, "%s: read error", path);
    sha256_final(&c, out);
    return TG_OK;
}

int tg_literal_whole(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = n > 0 && (s[0] == '-' || s[0] == '+'), i0 = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t ni = i - i0, f0 = i, nf = 0;
    if (i < n && s[i] == '.') {
        f0 = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        nf = i - f0;
    }
    long e = 0;
    int neg = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            neg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 1000000)
                e = e * 10 + (s[i] - '0');
    }
    long point = (long)ni + (neg ? -e : e); /* digits before the point */
    for (size_t k = 0; k < ni + nf; k++) {
        unsigned char d = k < ni ? s[i0 + k] : s[f0 + k - ni];
        if ((long)k >= point && d != '0')
            return 0;
    }
    return 1;
}
