/* money.h: the store's currency and amounts said in it. Every amount in a
 * store is in one currency, an ISO 4217 code kept in store_settings
 * ('currency'): GBP for a store of the UCI Online Retail data (a UK
 * retailer), USD for TrendBuy's. Every screen, report and export writes
 * amounts through money_format, so none says dollars for pounds. */
#ifndef TRENDGUARD_MONEY_H
#define TRENDGUARD_MONEY_H

#include <stddef.h>

#include "trendguard/store.h"

/* A currency: its code ("GBP") and how amounts are written in it. */
typedef struct tg_currency {
    char code[4];
} tg_currency;

/* The store's currency (USD when it has none recorded). */
int money_currency(tg_store *s, tg_currency *out, tg_err *err);
/* Amounts from `source` (products.source: "trendbuy", "online-retail")
 * in currency `code` are being loaded: the store takes that currency when
 * it holds no products from another source, and otherwise must already be
 * in it (TG_EDATA, saying which is which). Runs inside the caller's
 * transaction. */
int money_claim(tg_store *s, const char *code, const char *source,
                tg_err *err);

/* The sign amounts are written with: "$", "£", "€", or the code and a
 * space ("CHF ") for others and, with ascii, for any sign that is not
 * ASCII ("GBP "). Static. */
const char *money_symbol(const tg_currency *c, int ascii);
/* v as money: "$12.50", "£1,234" (whole from 1,000 on), "-€3.00";
 * "-" for NaN. Returns buf. */
char *money_format(double v, const tg_currency *c, int ascii, char *buf,
                   size_t n);

#endif
