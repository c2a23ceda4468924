/* money.c: the store's currency (store_settings) and amounts written in
 * it, for every screen, report and export. */
#include "trendguard/money.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char SQL_GET[] =
    "SELECT value FROM store_settings WHERE key = 'currency'";
static const char SQL_SET[] =
    "INSERT INTO store_settings(key, value) VALUES('currency', ?1)"
    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
static const char SQL_OTHERS[] =
    "SELECT EXISTS (SELECT 1 FROM products WHERE source != ?1)";

/* Signs that are not the code itself. */
static const struct {
    const char *code, *sign;
} signs[] = {{"USD", "$"}, {"GBP", "\u00a3"}, {"EUR", "\u20ac"}};

static int valid_code(const char *code)
{
    if (!code || strlen(code) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (code[i] < 'A' || code[i] > 'Z')
            return 0;
    return 1;
}

int money_currency(tg_store *s, tg_currency *out, tg_err *err)
{
    snprintf(out->code, sizeof out->code, "USD");
    sqlite3_stmt *st = store_prepare(s, SQL_GET, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (valid_code(v))
            memcpy(out->code, v, 4);
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE
             ? TG_OK
             : store_fail(s, err, "reading the store's currency");
    sqlite3_finalize(st);
    return rc;
}

/* 1 when the store holds products from another source than `source`. */
static int others(tg_store *s, const char *source, int *yes, tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_OTHERS, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_ROW
                 ? TG_OK
                 : store_fail(s, err, "reading the products' sources");
    *yes = rc == TG_OK && sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc;
}

int money_claim(tg_store *s, const char *code, const char *source,
                tg_err *err)
{
    if (!valid_code(code))
        return tg_fail(err, TG_EUSAGE, "'%s' is no currency code",
                       code ? code : "");
    tg_currency have;
    int mixed = 0, rc = money_currency(s, &have, err);
    if (rc == TG_OK && strcmp(have.code, code) != 0)
        rc = others(s, source, &mixed, err);
    if (rc != TG_OK || strcmp(have.code, code) == 0)
        return rc;
    if (mixed)
        return tg_fail(err, TG_EDATA, "the store's amounts are in %s and "
                       "these (%s) are in %s: load them into a store of "
                       "their own (--db)", have.code, source, code);
    sqlite3_stmt *st = store_prepare(s, SQL_SET, err);
    if (!st)
        return err ? err->code : TG_EINTERNAL;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE
             ? TG_OK
             : store_fail(s, err, "recording the store's currency");
    sqlite3_finalize(st);
    return rc;
}

const char *money_symbol(const tg_currency *c, int ascii)
{
    static _Thread_local char coded[8];
    for (size_t i = 0; i < sizeof signs / sizeof *signs; i++)
        if (strcmp(signs[i].code, c->code) == 0 &&
            (!ascii || (unsigned char)signs[i].sign[0] < 0x80))
            return signs[i].sign;
    snprintf(coded, sizeof coded, "%s ", c->code);
    return coded;
}

/* Whole digits with a comma every three. */
static void thousands(long long whole, char *out, size_t n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%lld", whole);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = 0;
}

char *money_format(double v, const tg_currency *c, int ascii, char *buf,
                   size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "-");
        return buf;
    }
    const char *sign = v < 0 ? "-" : "", *sym = money_symbol(c, ascii);
    v = fabs(v);
    if (v < 1000) {
        snprintf(buf, n, "%s%s%.2f", sign, sym, v);
        return buf;
    }
    char whole[48];
    thousands((long long)(v + 0.5), whole, sizeof whole);
    snprintf(buf, n, "%s%s%s", sign, sym, whole);
    return buf;
}
