/* nudge_input.h: the engine tests' line: a high-risk item view whose top
 * driver is the size (picked L, usual M, true to size), and the shipped
 * catalogue the tests load, with its advised size offered as a prompt:
 * the pre-selected size, which the engine prefers where it may pre-select
 * (a default is kept more often), is tested in test_levers.c. */
#ifndef TRENDGUARD_TEST_NUDGE_INPUT_H
#define TRENDGUARD_TEST_NUDGE_INPUT_H

#include "testutil.h"
#include "trendguard/nudge.h"

static tg_nudge_catalog cat; /* the shipped catalogue, prompts only */

/* Takes nudge id out of catalogue c (the others keep their order). */
static void catalog_without(tg_nudge_catalog *c, const char *id)
{
    int k = nudge_catalog_find(c, id);
    if (k < 0)
        return;
    for (int i = k; i + 1 < c->n; i++)
        c->nudges[i] = c->nudges[i + 1];
    c->n--;
}

static int load_shipped(void **state)
{
    (void)state;
    tg_err err = {0};
    if (nudge_catalog_load(NULL, &cat, &err) != TG_OK)
        fail_msg("catalogue: %s", err.msg);
    catalog_without(&cat, "preselect_size");
    return 0;
}

/* A high-risk item view whose top driver is the size: picked L, usual M,
 * true to size. */
static void size_input(tg_nudge_input *in)
{
    nudge_input_init(in);
    in->moment = TG_MOMENT_ITEM;
    in->now = 20000 * (int64_t)TG_DAY + 3600;
    in->segment = TG_SEG_IMPULSIVE_TIKTOK;
    in->x[TG_F_size_vs_usual] = 1;
    in->x[TG_F_fit_learned] = 0;
    in->x[TG_F_category] = TG_CAT_DRESSES;
    in->x[TG_F_price] = 40;
    in->x[TG_F_sizes_of_item] = 1;
    in->x[TG_F_basket_lines] = 1;
    in->x[TG_F_view_minutes] = 3;
    in->x[TG_F_hour_of_day] = 14;
    in->x[TG_F_product_prior_return_rate] = 0.3f;
    in->score = 0.72;
    in->n_drivers = 2;
    in->driver[0] = TG_F_size_vs_usual;
    in->contribution[0] = 0.9f;
    in->driver[1] = TG_F_view_minutes;
    in->contribution[1] = 0.3f;
    in->size = 3; /* L */
    in->size_lo = 0;
    in->size_hi = 5;
    in->item = "Ribbed Midi Dress";
}

#endif
