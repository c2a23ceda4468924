/* model_json.c: the small strict pull-style JSON reader that model.c reads
 * XGBoost JSON models with (interface in model_json.h). It is ours rather
 * than cJSON for two reasons: XGBoost writes the bare tokens NaN and
 * Infinity (categorical splits have NaN split_conditions), which cJSON
 * rejects; and it hands each number over as its text, so the loader
 * converts every float exactly once, straight to float32. It never builds
 * a document tree: the caller pulls values one at a time, so tree arrays
 * go straight into the loader's buffers. */
#include "model_json.h"

#include <stdlib.h>
#include <string.h>

#include "trendguard/model.h"

int jp_syntax(jp *j, const char *what)
{
    if (!j->failed) {
        size_t line = 1, col = 1;
        for (const char *q = j->s; q < j->p; q++) {
            if (*q == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        if (j->p >= j->end)
            tg_fail(j->err, TG_EDATA,
                    "JSON ends too early (line %zu, column %zu): %s", line,
                    col, what);
        else
            tg_fail(j->err, TG_EDATA, "JSON error at line %zu, column %zu: %s",
                    line, col, what);
        j->failed = 1;
    }
    return -1;
}

static int jp_oom(jp *j)
{
    if (!j->failed) {
        tg_fail(j->err, TG_EINTERNAL, "out of memory reading the model");
        j->failed = 1;
    }
    return -1;
}

/* Next non-space byte without consuming it, -1 at the end. */
int jp_peek(jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' ||
                             *j->p == '\t'))
        j->p++;
    return j->p < j->end ? (unsigned char)*j->p : -1;
}

static int jp_enter(jp *j)
{
    if (++j->depth > TG_MODEL_MAX_NESTING)
        return jp_syntax(j, "nested deeper than 64 levels");
    j->p++;
    return 0;
}

static int jp_str_put(jp *j, const char *b, size_t n)
{
    if (j->str_len + n + 1 > j->str_cap) {
        size_t cap = j->str_cap ? j->str_cap : 64;
        while (cap < j->str_len + n + 1)
            cap *= 2;
        char *s = realloc(j->str, cap);
        if (!s)
            return jp_oom(j);
        j->str = s;
        j->str_cap = cap;
    }
    memcpy(j->str + j->str_len, b, n);
    j->str_len += n;
    j->str[j->str_len] = '\0';
    return 0;
}

static int jp_hex4(jp *j, unsigned *out)
{
    unsigned v = 0;
    if (j->end - j->p < 4)
        return jp_syntax(j, "bad \\u escape");
    for (int i = 0; i < 4; i++) {
        char c = j->p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return jp_syntax(j, "bad \\u escape");
    }
    j->p += 4;
    *out = v;
    return 0;
}

/* Reads a string (at '"') into j->str, decoding escapes to UTF-8. */
int jp_string(jp *j)
{
    if (jp_peek(j) != '"')
        return jp_syntax(j, "expected a string");
    j->p++;
    j->str_len = 0;
    if (jp_str_put(j, "", 0) < 0)
        return -1;
    for (;;) {
        const char *run = j->p;
        while (j->p < j->end && *j->p != '"' && *j->p != '\\' &&
               (unsigned char)*j->p >= 0x20)
            j->p++;
        if (jp_str_put(j, run, (size_t)(j->p - run)) < 0)
            return -1;
        if (j->p >= j->end)
            return jp_syntax(j, "unterminated string");
        char c = *j->p;
        if (c == '"') {
            j->p++;
            return 0;
        }
        if (c != '\\')
            return jp_syntax(j, "control character in a string");
        j->p++;
        if (j->p >= j->end)
            return jp_syntax(j, "unterminated string");
        c = *j->p++;
        char one;
        switch (c) {
        case '"': one = '"'; break;
        case '\\': one = '\\'; break;
        case '/': one = '/'; break;
        case 'b': one = '\b'; break;
        case 'f': one = '\f'; break;
        case 'n': one = '\n'; break;
        case 'r': one = '\r'; break;
        case 't': one = '\t'; break;
        case 'u': {
            unsigned cp, lo;
            if (jp_hex4(j, &cp) < 0)
                return -1;
            if (cp >= 0xDC00 && cp <= 0xDFFF)
                return jp_syntax(j, "lone low surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u')
                    return jp_syntax(j, "lone high surrogate in \\u escape");
                j->p += 2;
                if (jp_hex4(j, &lo) < 0)
                    return -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return jp_syntax(j, "bad surrogate pair in \\u escape");
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            char u[4];
            size_t n;
            if (cp < 0x80) {
                u[0] = (char)cp;
                n = 1;
            } else if (cp < 0x800) {
                u[0] = (char)(0xC0 | (cp >> 6));
                u[1] = (char)(0x80 | (cp & 0x3F));
                n = 2;
            } else if (cp < 0x10000) {
                u[0] = (char)(0xE0 | (cp >> 12));
                u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F));
                n = 3;
            } else {
                u[0] = (char)(0xF0 | (cp >> 18));
                u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                u[3] = (char)(0x80 | (cp & 0x3F));
                n = 4;
            }
            if (jp_str_put(j, u, n) < 0)
                return -1;
            continue;
        }
        default:
            j->p--;
            return jp_syntax(j, "bad escape in a string");
        }
        if (jp_str_put(j, &one, 1) < 0)
            return -1;
    }
}

/* Scans a number token (JSON grammar, plus XGBoost's NaN, Infinity and
 * -Infinity) into tok. *is_int: no fraction, exponent or special value. */
int jp_number(jp *j, char tok[JP_MAX_NUMBER + 1], int *is_int)
{
    const char *b = j->p, *q = j->p, *e = j->end;
    *is_int = 0;
    if (q < e && *q == '-')
        q++;
    if (e - q >= 3 && memcmp(q, "NaN", 3) == 0 && q == b) {
        q += 3;
    } else if (e - q >= 8 && memcmp(q, "Infinity", 8) == 0) {
        q += 8;
    } else {
        if (q < e && *q == '0') {
            q++;
        } else if (q < e && *q >= '1' && *q <= '9') {
            while (q < e && *q >= '0' && *q <= '9')
                q++;
        } else {
            j->p = q;
            return jp_syntax(j, "bad number");
        }
        *is_int = 1;
        if (q < e && *q == '.') {
            q++;
            *is_int = 0;
            if (!(q < e && *q >= '0' && *q <= '9')) {
                j->p = q;
                return jp_syntax(j, "bad number: digits must follow '.'");
            }
            while (q < e && *q >= '0' && *q <= '9')
                q++;
        }
        if (q < e && (*q == 'e' || *q == 'E')) {
            q++;
            *is_int = 0;
            if (q < e && (*q == '+' || *q == '-'))
                q++;
            if (!(q < e && *q >= '0' && *q <= '9')) {
                j->p = q;
                return jp_syntax(j, "bad number: digits must follow the exponent");
            }
            while (q < e && *q >= '0' && *q <= '9')
                q++;
        }
    }
    if (q - b > JP_MAX_NUMBER)
        return jp_syntax(j, "number longer than 128 characters");
    memcpy(tok, b, (size_t)(q - b));
    tok[q - b] = '\0';
    j->p = q;
    return 0;
}

int jp_literal(jp *j, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
        return jp_syntax(j, "unknown literal");
    j->p += n;
    return 0;
}

/* Object iteration: call with *first = 1 right after jp_obj_open. Returns 1
 * with the key in j->str (and ':' consumed), 0 after the closing '}'. */
int jp_obj_open(jp *j)
{
    if (jp_peek(j) != '{')
        return jp_syntax(j, "expected an object");
    return jp_enter(j);
}

int jp_obj_key(jp *j, int *first)
{
    int c = jp_peek(j);
    if (c == '}') {
        j->p++;
        j->depth--;
        return 0;
    }
    if (!*first) {
        if (c != ',')
            return jp_syntax(j, "expected ',' or '}'");
        j->p++;
    }
    *first = 0;
    if (jp_peek(j) != '"')
        return jp_syntax(j, "expected a string key");
    if (jp_string(j) < 0)
        return -1;
    if (jp_peek(j) != ':')
        return jp_syntax(j, "expected ':'");
    j->p++;
    return 1;
}

int jp_arr_open(jp *j)
{
    if (jp_peek(j) != '[')
        return jp_syntax(j, "expected an array");
    return jp_enter(j);
}

/* Returns 1 when an element follows, 0 after the closing ']'. */
int jp_arr_next(jp *j, int *first)
{
    int c = jp_peek(j);
    if (c == ']') {
        j->p++;
        j->depth--;
        return 0;
    }
    if (!*first) {
        if (c != ',')
            return jp_syntax(j, "expected ',' or ']'");
        j->p++;
        if (jp_peek(j) == ']')
            return jp_syntax(j, "trailing ',' in an array");
    }
    *first = 0;
    if (jp_peek(j) < 0)
        return jp_syntax(j, "unterminated array");
    return 1;
}

int jp_skip(jp *j)
{
    char tok[JP_MAX_NUMBER + 1];
    int first = 1, r, is_int;
    switch (jp_peek(j)) {
    case '{':
        if (jp_obj_open(j) < 0)
            return -1;
        while ((r = jp_obj_key(j, &first)) == 1)
            if (jp_skip(j) < 0)
                return -1;
        return r;
    case '[':
        if (jp_arr_open(j) < 0)
            return -1;
        while ((r = jp_arr_next(j, &first)) == 1)
            if (jp_skip(j) < 0)
                return -1;
        return r;
    case '"':
        return jp_string(j);
    case 't':
        return jp_literal(j, "true");
    case 'f':
        return jp_literal(j, "false");
    case 'n':
        return jp_literal(j, "null");
    case -1:
        return jp_syntax(j, "expected a value");
    default:
        return jp_number(j, tok, &is_int);
    }
}
