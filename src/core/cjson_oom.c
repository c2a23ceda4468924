/* cjson_oom.c: see cjson_oom.h. The core installs cJSON allocation hooks
 * once, process-wide: plain malloc and free, except that a failed
 * allocation is noted on the calling thread, so a parse that fails can say
 * whether the text or the memory was at fault. */
#include "cjson_oom.h"

#include <pthread.h>
#include <stdlib.h>

static _Thread_local int alloc_failed;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *hook_malloc(size_t n)
{
    void *p = malloc(n);
    if (!p)
        alloc_failed = 1;
    return p;
}

static void hook_free(void *p)
{
    free(p);
}

static void install_hooks(void)
{
    cJSON_Hooks h = {hook_malloc, hook_free};
    cJSON_InitHooks(&h);
}

cJSON *cjson_oom_parse(const char *s, size_t n, const char **end, int *oom)
{
    pthread_once(&hooks_once, install_hooks);
    alloc_failed = 0;
    cJSON *root = cJSON_ParseWithLengthOpts(s, n, end, 0);
    *oom = !root && alloc_failed;
    return root;
}
