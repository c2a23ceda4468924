/* params.c: one documented parameter out of an assumptions file: every
 * number the behaviour model and the simulation use carries its source (a
 * RESEARCH.md citation or the word "assumption"). */
#include "params.h"

#include <string.h>

int params_entry(const cJSON *root, const char *path, const char *name,
                 const cJSON **value, tg_err *err)
{
    return params_entry_range(root, path, name, value, NULL, NULL, err);
}

int params_entry_range(const cJSON *root, const char *path, const char *name,
                       const cJSON **value, const cJSON **range,
                       const char **source, tg_err *err)
{
    char group[64];
    const char *dot = strchr(path, '.');
    size_t gl = dot ? (size_t)(dot - path) : 0;
    if (!dot || gl >= sizeof group)
        return tg_fail(err, TG_EINTERNAL, "%s: bad parameter path '%s'",
                       name, path);
    memcpy(group, path, gl);
    group[gl] = '\0';
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(root, group);
    if (!cJSON_IsObject(g))
        return tg_fail(err, TG_EDATA, "%s: %s: missing group '%s'", name,
                       path, group);
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(g, dot + 1);
    if (!o)
        return tg_fail(err, TG_EDATA, "%s: %s: missing", name, path);
    if (!cJSON_IsObject(o))
        return tg_fail(err, TG_EDATA, "%s: %s: must be an object with value "
                       "and source", name, path);
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(o, "source");
    if (!cJSON_IsString(src) || !src->valuestring[0])
        return tg_fail(err, TG_EDATA, "%s: %s: missing 'source' (a "
                       "RESEARCH.md citation or \"assumption\")", name, path);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "value");
    if (!v)
        return tg_fail(err, TG_EDATA, "%s: %s: missing 'value'", name, path);
    for (const cJSON *e = o->child; e; e = e->next)
        if (!e->string || (strcmp(e->string, "value") != 0 &&
                           strcmp(e->string, "source") != 0 &&
                           (!range || strcmp(e->string, "range") != 0)))
            return tg_fail(err, TG_EDATA, "%s: %s: unknown field '%s'", name,
                           path, e->string ? e->string : "");
    *value = v;
    if (range)
        *range = cJSON_GetObjectItemCaseSensitive(o, "range");
    if (source)
        *source = src->valuestring;
    return TG_OK;
}
