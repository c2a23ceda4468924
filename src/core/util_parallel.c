/* util_parallel.c: running a handful of jobs on threads (util.h), for the
 * core's data-parallel passes: the simulation's draws and scores and the
 * bootstrap's resamples. */
#include "trendguard/util.h"

#include <pthread.h>

void tg_parallel(void *(*fn)(void *), void *jobs, size_t size, int n)
{
    pthread_t tid[TG_PARALLEL_MAX];
    int started[TG_PARALLEL_MAX] = {0};
    char *job = jobs;
    if (n > TG_PARALLEL_MAX)
        n = TG_PARALLEL_MAX;
    for (int t = 1; t < n; t++)
        started[t] = pthread_create(&tid[t], NULL, fn,
                                    job + (size_t)t * size) == 0;
    if (n > 0)
        fn(job);
    for (int t = 1; t < n; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            fn(job + (size_t)t * size);
    }
}
