/* cjson_oom.h: cJSON parsing that tells running out of memory apart from
 * bad JSON (internal to the core; see cjson_oom.c). cJSON returns NULL for
 * both; a loader must not report a failed allocation as a syntax error. */
#ifndef TRENDGUARD_CJSON_OOM_H
#define TRENDGUARD_CJSON_OOM_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* cJSON_ParseWithLengthOpts(s, n, end, 0); when it returns NULL, *oom is 1
 * if an allocation failed during the parse (else 0: the text is bad). */
cJSON *cjson_oom_parse(const char *s, size_t n, const char **end, int *oom);

#endif
