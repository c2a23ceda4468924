/* pilot_int.h: what the pilot's files share (internal to the core): a line
 * of the window as the pilot plays it, and the shopper model's side of
 * the pilot (shopper_pilot.c), the only part that reads the generator's
 * truth: how a shopper answers a nudge, what they do once they take it,
 * and how their line then ends. pilot.c decides from the store's records
 * only and never sees what the shopper model holds. */
#ifndef TRENDGUARD_PILOT_INT_H
#define TRENDGUARD_PILOT_INT_H

#include "trendguard/pilot.h"
#include "trendguard/shopper.h"
#include "trendguard/sim.h"

/* A line of the window: what the store recorded, what the treatment did
 * to it and how it settled. */
typedef struct pilot_line {
    int64_t id, customer, product;
    int64_t hashtag;            /* its trend (v_line_hashtag), 0: none */
    int64_t t;                  /* bought, as recorded */
    double price;               /* quantity x unit price paid */
    float view_minutes;         /* NaN: unknown */
    int8_t rank, size_lo, size_hi; /* size ranks; lo > hi: unknown */
    uint8_t treated, segment, category, channel, is_shoe;
    /* as recorded: returned within 30 days, when, resellable */
    uint8_t rec_returned, rec_resellable;
    int64_t rec_returned_at;
    float score;                /* the model's, NaN for control */
    /* what the shopper did after a nudge */
    int8_t size_step;           /* bought this many sizes up (+) or down */
    uint8_t one_size;           /* the only size kept of its item */
    uint8_t dropped;            /* a size not kept: not bought, no item */
    uint8_t lost;               /* not bought (saved and not back,
                                   dropped after reading reviews) */
    int16_t later_days;         /* bought this many days later */
    /* settled */
    uint8_t mature, returned, exchanged, resellable, fast;
    int64_t returned_at;
    double offer_cost;
    uint8_t shown, declined;
} pilot_line;

/* The time a line was bought in the pilot. */
static inline int64_t pilot_bought_at(const pilot_line *l)
{
    return l->t + (int64_t)l->later_days * 86400;
}

typedef struct pilot_shopper pilot_shopper;

/* The shopper model over the store's lines bought from `from` on: each
 * line's true return probability and size offset from `truth`, the trend
 * views the shopper would have seen, the assumptions and the behaviour
 * model's terms. Caller frees. */
pilot_shopper *pilot_shopper_open(tg_store *s, int64_t from,
                                  const tg_sim_assume *a,
                                  const tg_behaviour *b, uint64_t seed,
                                  tg_err *err);
void pilot_shopper_free(pilot_shopper *sh);
/* How many lines it holds the truth of; whether it holds line id's. */
long pilot_shopper_known(const pilot_shopper *sh);
int pilot_shopper_has(const pilot_shopper *sh, int64_t id);
/* Whether the shopper of line l takes decision d. what: which of the
 * line's contacts (each its own draw). */
int pilot_shopper_takes(const pilot_shopper *sh, const tg_nudge_decision *d,
                        const pilot_line *l, int what);
/* What a shopper who took decision d does to the item: its lines (sizes)
 * in the order item[0..n), the one decided on item[rep], the reviews the
 * shop had of it (NaN: unknown). */
void pilot_shopper_effect(pilot_shopper *sh, const tg_nudge_decision *d,
                          pilot_line **item, int n, int rep,
                          double reviews);
/* Settles a treated line whose 30-day window has closed: kept or
 * returned, when and in what state, from its true return probability
 * moved by what the shopper did, on the draw that gave what the store
 * recorded. A line it holds no truth of ends as recorded. */
void pilot_shopper_settle(const pilot_shopper *sh, pilot_line *l);
/* The satisfaction index of a settled line's item (the assumptions'
 * weights), NaN for a size dropped from the cart. */
double pilot_shopper_satisfaction(const tg_sim_assume *a,
                                  const pilot_line *l);

#endif
