/* pilot_moments.c: the pilot's engine at each moment of a treated
 * shopper's purchase, as the app and the queue decide (nudge_decide): each
 * item of an order (the cart's nudge for an item in several sizes, the
 * items worth most first while the order's caps last), the order's
 * pre-ship check on the item worth most among those not asked about, each
 * return as it starts (exchange first) and each resellable return of a
 * trend item reaching the warehouse (the shop's fast restock). The
 * shopper model answers (shopper_pilot.c); every decision is written with
 * the time of its moment. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pilot_ctx.h"

enum { WHAT_PRE_SHIP = 1000, WHAT_RETURN = 2000 };

int pilot_drivers(pilot_ctx *c, tg_nudge_input *in, tg_err *err)
{
    tg_risk rk;
    if (risk_score(c->risk, in->x, &rk, err) != TG_OK)
        return err->code;
    in->n_drivers = rk.n_drivers;
    memcpy(in->driver, rk.driver, sizeof in->driver);
    memcpy(in->contribution, rk.contribution, sizeof in->contribution);
    return TG_OK;
}

/* Shows decision d on line l: the caps, the shopper's answer, what the
 * engine learns from it, the decision written. Returns 1 when taken, 0
 * when declined, -1 on a store error. */
static int show(pilot_ctx *c, const tg_nudge_decision *d, pilot_line *l,
                int moment, int64_t at, int what, tg_nudge_session *sess,
                tg_nudge_shopper *sh, tg_err *err)
{
    nudge_note_shown(d, sess, sh);
    int yes = pilot_shopper_takes(c->sh, d, l, what);
    nudge_note_answer(d, yes, sess, &c->budget);
    bandit_update(c->bandit, l->segment, d->context, d->nudge, yes);
    l->shown++;
    l->declined += !yes;
    if (yes)
        l->offer_cost += d->offer_cost;
    c->r->shown++;
    c->r->accepted += yes;
    return pilot_store_log(c, l, d, moment, at, yes, err) == TG_OK ? yes
                                                                   : -1;
}

/* The shopper's caps of the day and the day's budget at t. */
static tg_nudge_shopper *contact(pilot_ctx *c, const pilot_line *l,
                                 int64_t t)
{
    nudge_budget_roll(&c->budget, t, c->budget_limit);
    tg_nudge_shopper *sh = l->customer > 0
                               ? nudge_caps_get(&c->caps, l->customer)
                               : NULL;
    if (sh)
        nudge_shopper_roll(sh, t);
    return sh;
}

/* ---- an order's items -------------------------------------------------------- */

/* An item of the order: its lines (sizes), the riskiest its face. */
typedef struct item {
    int n, rep, asked;
    pilot_line *line[TG_ORDER_MAX_LINES];
    int idx[TG_ORDER_MAX_LINES]; /* into the order's in[] */
    tg_nudge_input in;
} item;

/* Groups the order's lines by product (at most TG_ORDER_MAX_LINES items
 * and sizes each; a line beyond that is bought as it was). */
static int group_items(pilot_ctx *c, size_t first, size_t n,
                       const tg_nudge_input *in, char (*name)[128], item *it)
{
    int ni = 0;
    for (size_t k = 0; k < n; k++) {
        pilot_line *l = &c->line[first + k];
        int i = 0;
        while (i < ni && it[i].line[0]->product != l->product)
            i++;
        if (i == ni && ni == TG_ORDER_MAX_LINES)
            continue;
        if (i == ni)
            memset(&it[ni++], 0, sizeof *it);
        if (it[i].n == TG_ORDER_MAX_LINES)
            continue;
        it[i].line[it[i].n] = l;
        it[i].idx[it[i].n++] = (int)k;
    }
    for (int i = 0; i < ni; i++) {
        double sum = 0;
        for (int k = 0; k < it[i].n; k++) {
            sum += it[i].line[k]->score;
            if (it[i].line[k]->score > it[i].line[it[i].rep]->score)
                it[i].rep = k;
        }
        it[i].in = in[it[i].idx[it[i].rep]];
        it[i].in.item = name[it[i].idx[it[i].rep]];
        it[i].in.moment = it[i].in.x[TG_F_sizes_of_item] >= 2
                              ? TG_MOMENT_CART : TG_MOMENT_ITEM;
        if (it[i].n > 1)
            it[i].in.others_p = sum - it[i].line[it[i].rep]->score;
    }
    return ni;
}

/* The items a nudge is worth most on first (carted order on a tie): at a
 * checkout the engine sees them all, and the order's caps go to them. */
static void rank_items(pilot_ctx *c, item *it, int ni,
                       const tg_nudge_shopper *sh, int *order)
{
    double worth[TG_ORDER_MAX_LINES];
    for (int i = 0; i < ni; i++) {
        tg_nudge_decision d;
        order[i] = i;
        nudge_decide(c->cat, c->bandit, &it[i].in, NULL, sh, &c->budget,
                     &c->rng, &d);
        worth[i] = d.nudge >= 0 ? d.value : 0;
    }
    for (int i = 1; i < ni; i++)
        for (int j = i; j > 0 && worth[order[j]] > worth[order[j - 1]];
             j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

/* Decision d shown on item x at its moment; taken, the shopper acts. */
static int show_item(pilot_ctx *c, const tg_nudge_decision *d, item *x,
                     int what, tg_nudge_session *sess, tg_nudge_shopper *sh,
                     tg_err *err)
{
    pilot_line *l = x->line[x->rep];
    x->asked = 1;
    int yes = show(c, d, l, x->in.moment, x->in.now, what, sess, sh, err);
    if (yes > 0)
        pilot_shopper_effect(c->sh, d, x->line, x->n, x->rep,
                             x->in.reviews);
    return yes < 0 ? err->code : TG_OK;
}

/* The pre-ship check: one message for the order, after the visit, on the
 * item it is worth most on among those not asked about and bought now. */
static int pre_ship(pilot_ctx *c, item *it, int ni, tg_nudge_shopper *sh,
                    tg_err *err)
{
    tg_nudge_session sess;
    nudge_session_init(&sess);
    tg_nudge_decision best, d;
    int at = -1;
    for (int i = 0; i < ni; i++) {
        const pilot_line *l = it[i].line[it[i].rep];
        if (it[i].asked || l->lost || l->later_days)
            continue;
        it[i].in.moment = TG_MOMENT_ORDER;
        nudge_decide(c->cat, c->bandit, &it[i].in, &sess, sh, &c->budget,
                     &c->rng, &d);
        if (d.nudge >= 0 && (at < 0 || d.value > best.value)) {
            best = d;
            at = i;
        }
    }
    c->r->decided++;
    if (at < 0)
        return TG_OK;
    nudge_budget_note(&c->budget, &best);
    return show_item(c, &best, &it[at], WHAT_PRE_SHIP + at, &sess, sh, err);
}

static int play_treated(pilot_ctx *c, size_t first, size_t n,
                        const tg_nudge_input *in, char (*name)[128],
                        tg_err *err)
{
    item *it = malloc(TG_ORDER_MAX_LINES * sizeof *it);
    if (!it)
        return tg_fail(err, TG_EINTERNAL, "out of memory");
    int ni = group_items(c, first, n, in, name, it);
    tg_nudge_shopper *sh = contact(c, &c->line[first], c->line[first].t);
    tg_nudge_session sess;
    nudge_session_init(&sess);
    int order[TG_ORDER_MAX_LINES], rc = TG_OK;
    rank_items(c, it, ni, sh, order);
    for (int r = 0; rc == TG_OK && r < ni; r++) {
        item *x = &it[order[r]];
        tg_nudge_decision d;
        nudge_decide(c->cat, c->bandit, &x->in, &sess, sh, &c->budget,
                     &c->rng, &d);
        nudge_budget_note(&c->budget, &d);
        c->r->decided++;
        if (d.nudge >= 0)
            rc = show_item(c, &d, x, order[r], &sess, sh, err);
    }
    if (rc == TG_OK)
        rc = pre_ship(c, it, ni, sh, err);
    free(it);
    return rc;
}

/* ---- settling and the returns ----------------------------------------------- */

static int heap_before(const pilot_ctx *c, size_t a, size_t b)
{
    const pilot_line *x = &c->line[a], *y = &c->line[b];
    return x->returned_at < y->returned_at ||
           (x->returned_at == y->returned_at && a < b);
}

static void heap_swap(pilot_ctx *c, size_t i, size_t j)
{
    size_t t = c->heap[i];
    c->heap[i] = c->heap[j];
    c->heap[j] = t;
}

static int heap_push(pilot_ctx *c, size_t line)
{
    if (c->nh == c->caph) {
        size_t nc = c->caph ? c->caph * 2 : 1024;
        size_t *nh = realloc(c->heap, nc * sizeof *nh);
        if (!nh)
            return -1;
        c->heap = nh;
        c->caph = nc;
    }
    size_t i = c->nh++;
    c->heap[i] = line;
    while (i && heap_before(c, c->heap[i], c->heap[(i - 1) / 2])) {
        heap_swap(c, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return 0;
}

static size_t heap_pop(pilot_ctx *c)
{
    size_t top = c->heap[0], i = 0;
    c->heap[0] = c->heap[--c->nh];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < c->nh && heap_before(c, c->heap[l], c->heap[m]))
            m = l;
        if (r < c->nh && heap_before(c, c->heap[r], c->heap[m]))
            m = r;
        if (m == i)
            return top;
        heap_swap(c, i, m);
        i = m;
    }
}

/* A line whose 30-day window has closed by the data end settles: the
 * control's as recorded, the treatment's by the shopper model. */
static int settle(pilot_ctx *c, size_t i)
{
    pilot_line *l = &c->line[i];
    l->mature = pilot_bought_at(l) + 30 * TG_DAY <= c->end;
    if (!l->mature)
        return 0;
    if (!l->treated) {
        l->returned = l->rec_returned;
        l->returned_at = l->rec_returned_at;
        l->resellable = l->rec_resellable;
        return 0;
    }
    pilot_shopper_settle(c->sh, l);
    return l->returned ? heap_push(c, i) : 0;
}

int pilot_order(pilot_ctx *c, size_t first, size_t n, tg_nudge_input *in,
                char (*name)[128], tg_err *err)
{
    int rc = pilot_returns_until(c, c->line[first].t, err);
    if (rc == TG_OK && c->line[first].treated)
        rc = play_treated(c, first, n, in, name, err);
    for (size_t k = 0; rc == TG_OK && k < n; k++)
        if (settle(c, first + k))
            rc = tg_fail(err, TG_EINTERNAL, "out of memory");
    c->r->lines += (long)n;
    c->r->orders++;
    return rc;
}

/* A return starting: the engine may offer an exchange first. */
static int meet_return(pilot_ctx *c, pilot_line *l, tg_err *err)
{
    tg_nudge_input in;
    nudge_input_init(&in);
    in.moment = TG_MOMENT_RETURN;
    in.now = l->returned_at;
    in.segment = l->segment;
    in.score = isnan(l->score) ? 0.5 : l->score;
    in.x[TG_F_price] = (float)l->price;
    in.x[TG_F_category] = l->category;
    tg_nudge_shopper *sh = contact(c, l, in.now);
    tg_nudge_session sess;
    nudge_session_init(&sess);
    tg_nudge_decision d;
    nudge_decide(c->cat, c->bandit, &in, &sess, sh, &c->budget, &c->rng, &d);
    nudge_budget_note(&c->budget, &d);
    c->r->decided++;
    if (d.nudge < 0)
        return TG_OK;
    int yes = show(c, &d, l, TG_MOMENT_RETURN, in.now, WHAT_RETURN, &sess,
                   sh, err);
    if (yes < 0)
        return err->code;
    if (yes && d.action == TG_ACTION_EXCHANGE)
        l->exchanged = 1;
    return TG_OK;
}

/* A resellable return of a trend item reaching the warehouse: the shop
 * routes it fast while its feed shows the trend hot. */
static int restock(pilot_ctx *c, pilot_line *l, tg_err *err)
{
    if (!l->resellable || !l->hashtag)
        return TG_OK;
    tg_nudge_input in;
    nudge_input_init(&in);
    in.moment = TG_MOMENT_RESTOCK;
    in.now = l->returned_at;
    in.score = 0.5; /* after the sale: no risk to read */
    in.x[TG_F_price] = (float)l->price;
    in.x[TG_F_category] = l->category;
    if (pilot_trend_at(c, l->hashtag, in.now, in.x) < 0)
        return store_fail(c->s, err, "reading the trend");
    tg_nudge_decision d;
    nudge_decide(c->cat, NULL, &in, NULL, NULL, NULL, &c->rng, &d);
    c->r->decided++;
    if (d.nudge < 0)
        return TG_OK;
    l->fast = 1;
    c->r->shown++;
    c->r->accepted++;
    return pilot_store_log(c, l, &d, TG_MOMENT_RESTOCK, in.now, 1, err);
}

int pilot_returns_until(pilot_ctx *c, int64_t t, tg_err *err)
{
    int rc = TG_OK;
    while (rc == TG_OK && c->nh && c->line[c->heap[0]].returned_at < t) {
        pilot_line *l = &c->line[heap_pop(c)];
        rc = meet_return(c, l, err);
        if (rc == TG_OK)
            rc = restock(c, l, err);
    }
    return rc;
}
