/* nudge_int.h: what the intervention engine's store files share (internal
 * to the core). */
#ifndef TRENDGUARD_NUDGE_INT_H
#define TRENDGUARD_NUDGE_INT_H

#include "trendguard/nudge.h"

/* Writes the bandit context (segment, driver group, band, draw) of the
 * logged decision `id`, so that its outcome teaches the right arm. */
int nudge_write_context(tg_store *s, int64_t id, int segment,
                        const tg_nudge_decision *d, tg_err *err);

#endif
