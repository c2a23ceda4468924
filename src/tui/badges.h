/* badges.h: the Trending screen's risk badges priced on a worker (the
 * core's worker.h) with a read-only connection of its own, kept from one
 * pricing to the next, so a new cart or shopper never holds up a frame.
 * A badge is the risk session_risk_if_added gives the item in the
 * shopper's usual size with today's cart: the same cart, the same
 * features from the store and the model's same probability, without the
 * reasons a badge does not show. A pricing is tagged with the screen's
 * generation of badges, so the screen can drop one that a later change
 * has made out of date. */
#ifndef TRENDGUARD_TUI_BADGES_H
#define TRENDGUARD_TUI_BADGES_H

#include "session.h"

#define BADGES_MAX 64 /* items one pricing takes */

typedef struct badges badges;

/* Starts pricing the session's hottest items idx[0..n) (at most
 * BADGES_MAX are taken) as the session stands now: its cart, shopper,
 * clock and model, tagged gen. Does nothing while a pricing runs. *b is
 * created on first use. */
int badges_start(badges **b, const session *s, unsigned gen, const int *idx,
                 int n, tg_err *err);
/* Readable when the pricing ended; -1 when none runs. */
int badges_fd(const badges *b);
/* Non-zero when a pricing has ended and waits to be taken. */
int badges_done(const badges *b);
/* Takes the pricing (waiting for it to end): its tag into *gen, the
 * items' indexes into idx and their risks into p (BADGES_MAX entries
 * each; NaN for an item its connection could not read), and hands the
 * history it read to shop, the session's (shop_cache_share). Returns how
 * many; err is set when something could not be read. */
int badges_take(badges *b, tg_shop *shop, unsigned *gen, int *idx,
                double *p, tg_err *err);
/* Waits for a running pricing, closes the connection and frees it all.
 * Safe on NULL. */
void badges_free(badges *b);

#endif
