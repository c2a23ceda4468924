/* registry.h: the models the store knows (model_registry): adding a newly
 * trained one and finding the one to use. */
#ifndef TRENDGUARD_REGISTRY_H
#define TRENDGUARD_REGISTRY_H

#include <stdint.h>

#include "trendguard/store.h"

typedef struct tg_model_info {
    int version;
    char path[4096];
    char sha256[65];
    double threshold;
    int64_t trained_at;
} tg_model_info;

/* The next version number (1 for an empty registry). */
int registry_next_version(tg_store *s);
/* Adds a model; features and metrics are JSON text (metrics may be NULL). */
int registry_add(tg_store *s, int version, const char *path,
                 const char *sha256, const char *features_json,
                 double threshold, const char *metrics_json,
                 int64_t trained_at, tg_err *err);
/* The newest model (highest version). TG_ENOINPUT when there is none. */
int registry_latest(tg_store *s, tg_model_info *info, tg_err *err);
/* The model registered for path (matched as given), or TG_ENOINPUT. */
int registry_find_path(tg_store *s, const char *path, tg_model_info *info,
                       tg_err *err);

#endif
