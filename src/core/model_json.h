/* model_json.h: the strict pull-style JSON reader behind the model loader
 * (internal to the core; see model_json.c). The caller pulls one value at a
 * time; every call returns -1 on an error, after recording the first error
 * of the read in j->err (syntax errors with their line and column) and
 * setting j->failed. */
#ifndef TRENDGUARD_MODEL_JSON_H
#define TRENDGUARD_MODEL_JSON_H

#include <stddef.h>

#include "trendguard/util.h"

/* The longest number token jp_number accepts. */
#define JP_MAX_NUMBER 128

/* Reader state over the bytes [s, end); set s, p, end and err, zero the
 * rest, and free str when done. */
typedef struct jp {
    const char *s, *p, *end;
    int depth;
    int failed;
    tg_err *err;
    char *str; /* last decoded string, NUL-terminated */
    size_t str_len, str_cap;
} jp;

/* Records a syntax error at the current position; returns -1. */
int jp_syntax(jp *j, const char *what);
/* The next non-space byte, not consumed; -1 at the end of the input. */
int jp_peek(jp *j);
/* A string value into j->str (escapes decoded to UTF-8; j->str_len bytes,
 * NUL-terminated; valid until the next string). */
int jp_string(jp *j);
/* A number token (or NaN, Infinity, -Infinity) copied as text into tok;
 * *is_int says it has no fraction, exponent or special value. */
int jp_number(jp *j, char tok[JP_MAX_NUMBER + 1], int *is_int);
/* The literal lit (true, false, null) at the current position. */
int jp_literal(jp *j, const char *lit);
/* Objects: jp_obj_open at '{', then with first = 1, while jp_obj_key
 * returns 1 read the value of the key in j->str; 0 after the '}'. */
int jp_obj_open(jp *j);
int jp_obj_key(jp *j, int *first);
/* Arrays likewise: jp_arr_open at '[', then jp_arr_next returns 1 before
 * each element and 0 after the ']'. */
int jp_arr_open(jp *j);
int jp_arr_next(jp *j, int *first);
/* Reads and drops any one value. */
int jp_skip(jp *j);

#endif
