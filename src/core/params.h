/* params.h: reading one documented parameter, `"group": {"key": {"value":
 * ..., "source": ...}}` (and, in simulation.json, the "range" its source
 * gives), out of an assumptions file (behaviour.json, simulation.json);
 * internal to the core. */
#ifndef TRENDGUARD_PARAMS_H
#define TRENDGUARD_PARAMS_H

#include <cjson/cJSON.h>

#include "trendguard/util.h"

/* Finds path ("group.key") in root, checks it is an object holding only a
 * non-empty "source" string and a "value", and sets *value to the latter.
 * Errors name the file (name) and the path. */
int params_entry(const cJSON *root, const char *path, const char *name,
                 const cJSON **value, tg_err *err);
/* The same, allowing also a "range" (*range gets it, or NULL when the
 * entry has none) and giving the source (*source). */
int params_entry_range(const cJSON *root, const char *path, const char *name,
                       const cJSON **value, const cJSON **range,
                       const char **source, tg_err *err);

#endif
