/* shopper_pilot.c: the shopper model's side of the pilot (pilot_int.h):
 * the store's own shoppers as the pilot's treatment plays them. It alone
 * reads the generator's truth (each line's true return probability and
 * true size offset, `truth`) and answers for the shopper:
 *   takes a nudge    at the assumptions' accept rate for its action and
 *                    the shopper's segment (sim_assume_accept)
 *   another size     the advised size, right or wrong: the line's true
 *                    size offset moves by the step
 *   one size kept    the advised size (none: the middle one, or either of
 *                    two), the other sizes leave the cart; the kept line
 *                    loses the bracketing term of the truth
 *   save for later   cool_return of shoppers come back cool_days later
 *                    (on average) and buy it with the trend's views then
 *                    against its views now (the feed the shopper saw);
 *                    bought later, the impulse terms (TikTok, minutes to
 *                    buy, the night) go
 *   reviews, badge   with reviews_min earlier buyers the reader takes the
 *                    size that fits (the badge: badge_reviews of them)
 * and settles a line whose window closed: its true probability moved by
 * the truth's own terms for what changed (shopper_return_logit), drawn on
 * the same uniform that gave what the store recorded (a recorded return
 * drew below the true probability), so a line no nudge touched ends
 * exactly as recorded. What the store holds no truth for (the latent
 * quality and taste the generator never writes out) is not played: the
 * reviews' quality and the fading-trend note change nothing here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nudge_int.h"
#include "pilot_int.h"
#include "sim_int.h"

/* Purposes of the draws, each its own stream. */
enum { H_TAKE = 61, H_KEEP, H_BACK, H_LATER, H_COOLED, H_OUTCOME,
       H_RETURN_DAYS, H_RETURN_WAIT, H_RETURN_STATE, H_BADGE };

static const char SQL_TRUTH[] =
    "SELECT t.purchase_id, t.p_return, t.size_offset FROM truth t"
    " JOIN purchases p ON p.id = t.purchase_id WHERE p.ordered_at >= ?"
    " ORDER BY t.purchase_id";
static const char SQL_VIEWS[] =
    "SELECT views_24h FROM trend_state WHERE hashtag_id = ?"
    " AND captured_at <= ? ORDER BY captured_at DESC LIMIT 1";

typedef struct truth_row {
    int64_t id;
    double p;
    int offset, has_offset;
} truth_row;

struct pilot_shopper {
    const tg_sim_assume *a;
    const tg_behaviour *b;
    uint64_t seed;
    truth_row *row;          /* by id */
    size_t n;
    sqlite3_stmt *views;
};

static int load_truth(pilot_shopper *sh, tg_store *s, int64_t from,
                      tg_err *err)
{
    sqlite3_stmt *st = store_prepare(s, SQL_TRUTH, err);
    if (!st)
        return err && err->code ? err->code : TG_EINTERNAL;
    sqlite3_bind_int64(st, 1, from);
    size_t cap = 0;
    int step, rc = TG_OK;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (sh->n == cap) {
            cap = cap ? cap * 2 : 4096;
            truth_row *nr = realloc(sh->row, cap * sizeof *nr);
            if (!nr) {
                rc = tg_fail(err, TG_EINTERNAL, "out of memory");
                break;
            }
            sh->row = nr;
        }
        truth_row *t = &sh->row[sh->n++];
        t->id = sqlite3_column_int64(st, 0);
        t->p = sqlite3_column_double(st, 1);
        t->has_offset = sqlite3_column_type(st, 2) != SQLITE_NULL;
        t->offset = sqlite3_column_int(st, 2);
    }
    if (rc == TG_OK && step != SQLITE_DONE)
        rc = store_fail(s, err, "reading the truth");
    sqlite3_finalize(st);
    return rc;
}

pilot_shopper *pilot_shopper_open(tg_store *s, int64_t from,
                                  const tg_sim_assume *a,
                                  const tg_behaviour *b, uint64_t seed,
                                  tg_err *err)
{
    pilot_shopper *sh = calloc(1, sizeof *sh);
    if (!sh) {
        tg_fail(err, TG_EINTERNAL, "out of memory");
        return NULL;
    }
    sh->a = a;
    sh->b = b;
    sh->seed = seed;
    if (load_truth(sh, s, from, err) != TG_OK ||
        !(sh->views = store_prepare(s, SQL_VIEWS, err))) {
        pilot_shopper_free(sh);
        return NULL;
    }
    return sh;
}

void pilot_shopper_free(pilot_shopper *sh)
{
    if (!sh)
        return;
    sqlite3_finalize(sh->views);
    free(sh->row);
    free(sh);
}

long pilot_shopper_known(const pilot_shopper *sh)
{
    return (long)sh->n;
}

static const truth_row *truth_of(const pilot_shopper *sh, int64_t id)
{
    size_t lo = 0, hi = sh->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sh->row[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < sh->n && sh->row[lo].id == id ? &sh->row[lo] : NULL;
}

int pilot_shopper_has(const pilot_shopper *sh, int64_t id)
{
    return truth_of(sh, id) != NULL;
}

static double u_of(const pilot_shopper *sh, int what, const pilot_line *l,
                   int idx)
{
    return sim_uniform(sh->seed, (uint64_t)what, (uint64_t)l->id,
                       (uint64_t)idx);
}

int pilot_shopper_takes(const pilot_shopper *sh, const tg_nudge_decision *d,
                        const pilot_line *l, int what)
{
    int seg = l->segment < TG_SHOP_SEGMENTS ? l->segment : -1;
    return u_of(sh, H_TAKE, l, what) <
           sim_assume_accept(sh->a, d->action, seg);
}

/* ---- what a shopper who took a nudge does -------------------------------- */

static int clamp_rank(const pilot_line *l, int rank)
{
    if (l->size_lo > l->size_hi)
        return rank;
    return rank < l->size_lo ? l->size_lo
           : rank > l->size_hi ? l->size_hi : rank;
}

/* The item kept in one size: the advised one (the line in it, else the
 * one decided on moved to it), or the middle of three, either of two. */
static void keep_one(pilot_shopper *sh, const tg_nudge_decision *d,
                     pilot_line **item, int n, int rep)
{
    int keep = -1;
    for (int k = 0; k < n && d->suggested_size >= 0; k++)
        if (item[k]->rank == d->suggested_size)
            keep = k;
    if (keep < 0 && d->suggested_size >= 0) {
        keep = rep;
        item[rep]->size_step =
            (int8_t)(clamp_rank(item[rep], d->suggested_size) -
                     item[rep]->rank);
    } else if (keep < 0) {
        keep = n == 3 ? 1 : u_of(sh, H_KEEP, item[rep], 0) < 0.5 ? 0 : 1;
    }
    int best = -1, off = 0; /* the best-fitting size of the bracket */
    for (int k = 0; k < n; k++) {
        const truth_row *t = truth_of(sh, item[k]->id);
        if (t && t->has_offset && (best < 0 || abs(t->offset) < off)) {
            best = k;
            off = abs(t->offset);
        }
    }
    for (int k = 0; k < n; k++)
        if (k == keep)
            item[k]->one_size = k == best ? 2 : 1;
        else
            item[k]->dropped = 1;
}

/* Save for later: back some days later, or never. */
static void save_for_later(pilot_shopper *sh, pilot_line *l)
{
    const tg_sim_assume *a = sh->a;
    if (u_of(sh, H_BACK, l, 0) >= a->cool_return) {
        l->lost = 1;
        return;
    }
    double u = u_of(sh, H_LATER, l, 0);
    int days = (int)ceil(-a->cool_days * log(1 - u));
    days = days < 1 ? 1 : days > 28 ? 28 : days;
    if (l->hashtag > 0) {
        double h[2] = {0, 0};
        for (int k = 0; k < 2; k++) {
            sqlite3_bind_int64(sh->views, 1, l->hashtag);
            sqlite3_bind_int64(sh->views, 2, l->t + k * (int64_t)days * 86400);
            if (sqlite3_step(sh->views) == SQLITE_ROW)
                h[k] = sqlite3_column_double(sh->views, 0);
            sqlite3_reset(sh->views);
        }
        if (h[0] > 0 && u_of(sh, H_COOLED, l, 0) >= h[1] / h[0]) {
            l->lost = 1; /* the trend has cooled: not wanted any more */
            return;
        }
    }
    l->later_days = (int16_t)days;
}

/* Reading reviews that say how the item runs: the size that fits. */
static void read_reviews(const pilot_shopper *sh, pilot_line *l,
                         double reviews)
{
    const truth_row *t = truth_of(sh, l->id);
    if (!(reviews >= sh->a->reviews_min) || !t || !t->has_offset ||
        l->size_lo >= l->size_hi)
        return;
    l->size_step = (int8_t)(clamp_rank(l, l->rank - t->offset) - l->rank);
}

void pilot_shopper_effect(pilot_shopper *sh, const tg_nudge_decision *d,
                          pilot_line **item, int n, int rep, double reviews)
{
    pilot_line *l = item[rep];
    if (sh->a->effects_off)
        return;
    switch (nudge_size_action(d->action, n)) {
    case TG_ACTION_SWITCH_SIZE:
        if (d->suggested_size >= 0)
            l->size_step = (int8_t)(clamp_rank(l, d->suggested_size) -
                                    l->rank);
        break;
    case TG_ACTION_KEEP_ONE_SIZE:
        if (n >= 2)
            keep_one(sh, d, item, n, rep);
        break;
    case TG_ACTION_SAVE_FOR_LATER:
        save_for_later(sh, l);
        break;
    case TG_ACTION_READ_REVIEWS:
        read_reviews(sh, l, reviews);
        break;
    case TG_ACTION_BADGE:
        if (u_of(sh, H_BADGE, l, 0) < sh->a->badge_reviews)
            read_reviews(sh, l, reviews);
        break;
    default:
        break;
    }
}

/* ---- how a line ends ------------------------------------------------------- */

/* The change in the line's true logit for what the shopper did, by the
 * truth's own terms: the size offset moved, the bracket gone (was it the
 * best-fitting size of its item?), bought days later (out of the TikTok
 * flow, not at night, after days of thought). */
static double logit_change(const pilot_shopper *sh, const pilot_line *l,
                           const truth_row *t)
{
    const tg_behaviour *b = sh->b;
    tg_line_ctx x0, x1;
    memset(&x0, 0, sizeof x0);
    x0.bracketed = 1;
    x0.basket_lines = 1;
    x0.hour = 12;
    x0.view_minutes = 1e6;
    x0.channel = TG_CHANNEL_WEB;
    x1 = x0;
    if (l->size_step && t->has_offset) {
        x0.mismatch = t->offset;
        x1.mismatch = t->offset + l->size_step;
    }
    if (l->one_size) { /* the bracket's term, best fit or not */
        x0.bracketed = 2;
        x0.bracket_best = l->one_size == 2;
    }
    if (l->later_days > 0) {
        x0.channel = l->channel;
        x0.view_minutes = isnan(l->view_minutes) ? 1e6 : l->view_minutes;
        x0.hour = (int)(((l->t % 86400) + 86400) % 86400 / 3600);
    }
    return shopper_return_logit(b, &x1, NULL) -
           shopper_return_logit(b, &x0, NULL);
}

/* When a line that did not come back before now does, and in what state:
 * the behaviour model's delivery and wait, within the 30 days. */
static void new_return(const pilot_shopper *sh, pilot_line *l)
{
    const tg_behaviour *b = sh->b;
    double del = b->delivery_days[0] + (b->delivery_days[1] -
                 b->delivery_days[0]) * u_of(sh, H_RETURN_DAYS, l, 0);
    double wait = -log(1 - u_of(sh, H_RETURN_WAIT, l, 0)) *
                  b->return_mean_days;
    double days = fmin(del + wait, 29.5);
    l->returned_at = pilot_bought_at(l) + (int64_t)(days * 86400);
    double u = u_of(sh, H_RETURN_STATE, l, 0), p = 0;
    for (int k = 0; k < TG_SHOP_CONDITIONS; k++)
        p += b->condition_mix[k] * b->resellable_prob[k];
    l->resellable = u < p;
}

void pilot_shopper_settle(const pilot_shopper *sh, pilot_line *l)
{
    l->returned = 0;
    if (l->lost || l->dropped)
        return;
    const truth_row *t = truth_of(sh, l->id);
    if (!t) { /* nothing to answer with: as recorded */
        l->returned = l->rec_returned;
        l->returned_at = l->rec_returned_at;
        l->resellable = l->rec_resellable;
        return;
    }
    double p0 = t->p, z0 = log(p0 / (1 - p0));
    double p1 = !(p0 > 0 && p0 < 1) ? p0
                : 1 / (1 + exp(-(z0 + logit_change(sh, l, t))));
    double u = u_of(sh, H_OUTCOME, l, 0);
    double v = l->rec_returned ? u * p0 : p0 + u * (1 - p0);
    l->returned = v < p1;
    if (!l->returned)
        return;
    if (l->rec_returned) {
        l->returned_at = l->rec_returned_at + (int64_t)l->later_days * 86400;
        l->resellable = l->rec_resellable;
    } else {
        new_return(sh, l);
    }
}

double pilot_shopper_satisfaction(const tg_sim_assume *a,
                                  const pilot_line *l)
{
    if (l->dropped)
        return NAN;
    if (l->lost)
        return a->sat_saved;
    double s = !l->returned ? a->sat_kept
               : l->exchanged ? a->sat_exchanged : a->sat_returned;
    return l->later_days > 0 ? s - a->sat_waited : s;
}
